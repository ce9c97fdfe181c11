/* Allocation that cannot fail: on OOM pc aborts, as crun's xmalloc does.
   Recovering from malloc failure in a CLI is not worth the code paths. */
#ifndef PC_LIB_XALLOC_H
#define PC_LIB_XALLOC_H

#include <stddef.h>

void *xmalloc (size_t size);
void *xmalloc0 (size_t size);
void *xrealloc (void *p, size_t size);
char *xstrdup (const char *s);
char *xstrndup (const char *s, size_t n);
char *xasprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* Growable NULL-terminated string vector. */
size_t pc_strv_len (char *const *v);
void pc_strv_append (char ***v, const char *s);      /* copies s */
void pc_strv_append_take (char ***v, char *s);       /* takes s */
char **pc_strv_dup (char *const *v);
int pc_strv_contains (char *const *v, const char *s);
/* The strings joined with sep ("" for an empty or NULL vector). */
char *pc_strv_join (char *const *v, const char *sep);

#endif
