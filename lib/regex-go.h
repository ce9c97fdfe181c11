/* Filters' regular expressions (ps/volume --filter name=, id=) as Go's
   regexp takes them, on glibc's ERE engine. */
#pragma once

#include <regex.h>
#include <stdbool.h>

/* Compiles pattern (REG_EXTENDED | REG_NOSUB) unless Go's RE2 syntax
   refuses it where glibc would take it at a cost: a backreference \1-\9
   (glibc backtracks on them, exponential in the subject's length) or a
   repeat count over 1000, nested ones multiplied (Go's "invalid repeat
   count"; glibc expands each copy). podman then matches nothing, which a
   false here lets the caller do. */
bool pc_regex_go_compile (regex_t *re, const char *pattern);
