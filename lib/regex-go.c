/* See regex-go.h. */
#include "lib/regex-go.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

#define GO_MAX_REPEAT 1000
#define MAX_DEPTH 1000

/* The count that {m}, {m,} or {m,n} at p (after the brace) weighs in Go's
   repeatIsValid: n, or m without one; 0 when p is not a bound. *end is
   past the closing brace. -1 when a number is too large. */
static long
bound_weight (const char *p, const char **end)
{
  char *e;
  if (!isdigit ((unsigned char) *p))
    return 0;
  long m = strtol (p, &e, 10), n = -1;
  if (*e == ',')
    {
      p = e + 1;
      if (isdigit ((unsigned char) *p))
        n = strtol (p, &e, 10);
      else
        e = (char *) p;
    }
  else
    n = m;
  if (*e != '}')
    return 0;
  *end = e + 1;
  if (m > GO_MAX_REPEAT || n > GO_MAX_REPEAT)
    return -1;
  return n >= 0 ? n : m;
}

/* Past a bracket expression starting at p ('['): its ']' (a leading ']'
   and [:class:] are part of it). */
static const char *
skip_bracket (const char *p)
{
  p++;
  if (*p == '^')
    p++;
  if (*p == ']')
    p++;
  while (*p && *p != ']')
    {
      if (p[0] == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '='))
        {
          const char *close = strstr (p + 2, p[1] == ':' ? ":]" : p[1] == '.' ? ".]" : "=]");
          p = close ? close + 2 : p + strlen (p);
          continue;
        }
      p++;
    }
  return *p ? p + 1 : p;
}

static bool
go_accepts (const char *pattern)
{
  /* weight[d]: the largest product of repeats inside the open group at
     depth d; last: the weight of the atom just read (a repeat multiplies
     it). */
  pc_autofree long *weight = xmalloc0 ((MAX_DEPTH + 1) * sizeof *weight);
  size_t depth = 0;
  long last = 1;
  bool ok = true;
  for (const char *p = pattern; *p && ok;)
    {
      if (*p == '\\')
        {
          if (p[1] >= '1' && p[1] <= '9')
            ok = false;
          last = 1;
          p += p[1] ? 2 : 1;
        }
      else if (*p == '[')
        {
          p = skip_bracket (p);
          last = 1;
        }
      else if (*p == '(')
        {
          if (++depth > MAX_DEPTH)
            ok = false;
          else
            weight[depth] = 1;
          p++;
        }
      else if (*p == ')' && depth > 0)
        {
          last = weight[depth--];
          p++;
        }
      else if (*p == '{')
        {
          const char *end = p + 1;
          long w = bound_weight (p + 1, &end);
          if (w < 0 || (w > 0 && last > GO_MAX_REPEAT / w))
            ok = false;
          else if (w > 0)
            last *= w;
          p = end;
        }
      else
        {
          last = 1;
          p++;
        }
      if (ok && last > weight[depth])
        weight[depth] = last;
    }
  return ok;
}

bool
pc_regex_go_compile (regex_t *re, const char *pattern)
{
  if (!go_accepts (pattern))
    return false;
  return regcomp (re, pattern, REG_EXTENDED | REG_NOSUB) == 0;
}
