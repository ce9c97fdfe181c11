#include "lib/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *
oom (void)
{
  fputs ("pc: out of memory\n", stderr);
  abort ();
}

void *
xmalloc (size_t size)
{
  void *p = malloc (size ? size : 1);
  return p ? p : oom ();
}

void *
xmalloc0 (size_t size)
{
  void *p = calloc (1, size ? size : 1);
  return p ? p : oom ();
}

void *
xrealloc (void *p, size_t size)
{
  void *r = realloc (p, size ? size : 1);
  return r ? r : oom ();
}

char *
xstrdup (const char *s)
{
  if (s == NULL)
    return NULL;
  char *r = strdup (s);
  return r ? r : oom ();
}

char *
xstrndup (const char *s, size_t n)
{
  char *r = strndup (s, n);
  return r ? r : oom ();
}

char *
xasprintf (const char *fmt, ...)
{
  char *s = NULL;
  va_list ap;
  va_start (ap, fmt);
  int r = vasprintf (&s, fmt, ap);
  va_end (ap);
  return r < 0 ? oom () : s;
}

size_t
pc_strv_len (char *const *v)
{
  size_t n = 0;
  while (v && v[n])
    n++;
  return n;
}

void
pc_strv_append_take (char ***v, char *s)
{
  size_t n = pc_strv_len (*v);
  *v = xrealloc (*v, (n + 2) * sizeof (char *));
  (*v)[n] = s;
  (*v)[n + 1] = NULL;
}

void
pc_strv_append (char ***v, const char *s)
{
  pc_strv_append_take (v, xstrdup (s));
}

char **
pc_strv_dup (char *const *v)
{
  size_t n = pc_strv_len (v);
  char **r = xmalloc ((n + 1) * sizeof (char *));
  for (size_t i = 0; i < n; i++)
    r[i] = xstrdup (v[i]);
  r[n] = NULL;
  return r;
}

int
pc_strv_contains (char *const *v, const char *s)
{
  for (size_t i = 0; v && v[i]; i++)
    if (strcmp (v[i], s) == 0)
      return 1;
  return 0;
}

char *
pc_strv_join (char *const *v, const char *sep)
{
  size_t len = 1, seplen = strlen (sep);
  for (size_t i = 0; v && v[i]; i++)
    len += strlen (v[i]) + seplen;
  char *out = xmalloc (len);
  char *p = out;
  for (size_t i = 0; v && v[i]; i++)
    {
      if (i > 0)
        p = mempcpy (p, sep, seplen);
      p = mempcpy (p, v[i], strlen (v[i]));
    }
  *p = '\0';
  return out;
}
