/* JSON helpers on top of json-c: parse with a useful error, read and write
   files (atomically), lookups that tolerate missing keys, and podman-style
   pretty printing. */
#ifndef PC_LIB_JSON_H
#define PC_LIB_JSON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/error.h"

json_object *pc_json_parse (const char *buf, size_t len, pc_error **err);
/* dirfd may be AT_FDCWD. */
json_object *pc_json_read_file (int dirfd, const char *path, pc_error **err);
int pc_json_write_file_atomic (int dirfd, const char *path, json_object *obj, mode_t mode,
                               pc_error **err);

/* Typed, checking access to outside data. A json-c accessor called on the
   wrong type asserts (json_object_array_length on a string) or hands back
   NULL where a string was assumed; these never do: a missing key, a value
   of another type and an index out of range all read as NULL (or 0). */
json_object *pc_json_get_array (json_object *o, const char *key);
json_object *pc_json_get_object (json_object *o, const char *key);
/* 0 when a is NULL or not an array. */
size_t pc_json_array_len (json_object *a);
/* Element i of array a when it is a string / an object, else NULL. */
const char *pc_json_array_string_at (json_object *a, size_t i);
json_object *pc_json_array_object_at (json_object *a, size_t i);
/* True when a is an array whose elements are all strings. */
bool pc_json_is_string_array (json_object *a);
/* Checks that key, when present and not null, is an array of strings (or an
   object whose values are all strings); otherwise an EINVAL error naming
   what (e.g. "image config") and key. */
int pc_json_check_strings (json_object *o, const char *key, const char *what, pc_error **err);
int pc_json_check_string_map (json_object *o, const char *key, const char *what, pc_error **err);
/* Checks that key, when present and not null, has type t. */
int pc_json_check_type (json_object *o, const char *key, json_type t, const char *what,
                        pc_error **err);
/* Like pc_json_read_file, but the file must be a regular file of at most max
   bytes (opened O_NONBLOCK, so a FIFO never blocks); the error says which. */
json_object *pc_json_read_file_max (int dirfd, const char *path, size_t max, pc_error **err);
/* NULL if missing / not a string. */
const char *pc_json_get_string (json_object *o, const char *key);
int64_t pc_json_get_int (json_object *o, const char *key, int64_t def);
bool pc_json_get_bool (json_object *o, const char *key, bool def);
/* "config.Env": walks objects by key; NULL when any step is missing. */
json_object *pc_json_get (json_object *o, const char *dotted_path);
/* podman's style: 4-space indent, no slash escaping; malloc'd. */
/* A number as Go prints it (encoding/json, and %v in templates): integral
   values without ".0", others in the shortest form that reads back the
   same; NaN and infinities (which JSON cannot hold) as null. */
void pc_json_put_double (FILE *f, double d);
char *pc_json_to_string_pretty (json_object *o);
/* Go's json.Marshal: no white space, same escaping; malloc'd. */
char *pc_json_to_string_compact (json_object *o);
/* width spaces per level (0: compact); escape_html false leaves <, > and &
   as they are (podman's inspect sets SetEscapeHTML (false)). */
char *pc_json_to_string_indent (json_object *o, int width, bool escape_html);

static inline void
pc_json_putp (json_object **o)
{
  if (*o != NULL)
    json_object_put (*o);
}
#define pc_autojson __attribute__ ((cleanup (pc_json_putp)))

#endif
