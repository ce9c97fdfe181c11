/* Shared between the files of pkg/rootless only. */
#ifndef PC_PKG_ROOTLESS_INTERNAL_H
#define PC_PKG_ROOTLESS_INTERNAL_H

#include <limits.h>

#include "pkg/rootless/rootless.h"

/* Finds newuidmap/newgidmap in $PATH, then /usr/bin, /usr/sbin, /bin, /sbin
   with access(X_OK), never by running them. Fills out (PATH_MAX). */
bool pc_rootless_find_helper (const char *name, char *out);

/* The first id after every range in the file (at least 100000), as useradd
   picks it: the suggestion for "usermod --add-subuids START-END USER". */
uint32_t pc_subid_suggest_start (const char *path);

/* The default mapping and whether it had to fall back to a single id; when
   it did, *why (malloc'd) is the full warning text. Does not print. */
int pc_rootless_compute_default (struct pc_idmap *map, bool *single, char **why,
                                 pc_error **err);

/* Prints the single-id fallback warning, once per process. */
void pc_rootless_warn_single (const char *why);

#endif
