/* Functions available in templates: Go's builtins that podman users reach
   for, plus podman's own (json, upper, lower, title, truncate, join, split, pad). */
#include "lib/template.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"

static int
nargs (const char *fn, size_t n, size_t want, pc_error **err)
{
  if (n != want)
    return pc_error_make (err, EINVAL, "wrong number of args for %s: want %zu got %zu", fn, want, n);
  return 0;
}

/* Scalars print as strings; nil, lists and maps are type errors as in Go. */
static int
want_string (json_object *v, char **out, pc_error **err)
{
  switch (json_object_get_type (v))
    {
    case json_type_string:
    case json_type_int:
    case json_type_double:
    case json_type_boolean:
      *out = pc_template_value_string (v, true);
      return 0;
    default:
      return pc_error_make (err, EINVAL, "wrong type for value; expected string; got %s",
                            pc_template_type_name (v));
    }
}

static int
want_int (json_object *v, int64_t *out, pc_error **err)
{
  if (json_object_is_type (v, json_type_int))
    *out = json_object_get_int64 (v);
  else if (json_object_is_type (v, json_type_double)
           && json_object_get_double (v) == floor (json_object_get_double (v)))
    *out = (int64_t) json_object_get_double (v);
  else
    return pc_error_make (err, EINVAL, "wrong type for value; expected int; got %s",
                          pc_template_type_name (v));
  return 0;
}

static json_object *
take_string (char *s)
{
  json_object *o = json_object_new_string (s);
  free (s);
  return o;
}

static int
fn_json (json_object **a, size_t n, json_object **out, pc_error **err)
{
  if (nargs ("json", n, 1, err) < 0)
    return -1;
  *out = take_string (pc_json_to_string_compact (a[0]));
  return 0;
}

static int
map_chars (const char *name, json_object **a, size_t n, json_object **out, int mode, pc_error **err)
{
  char *s = NULL;
  if (nargs (name, n, 1, err) < 0 || want_string (a[0], &s, err) < 0)
    return -1;
  bool word_start = true;
  for (char *p = s; p && *p; p++)
    {
      if (mode == 0)
        *p = (char) toupper ((unsigned char) *p);
      else if (mode == 1)
        *p = (char) tolower ((unsigned char) *p);
      else
        {
          if (word_start && islower ((unsigned char) *p))
            *p = (char) toupper ((unsigned char) *p);
          word_start = isspace ((unsigned char) *p) || *p == '-' || *p == '_';
        }
    }
  *out = take_string (s);
  return 0;
}

static int
fn_upper (json_object **a, size_t n, json_object **out, pc_error **err)
{
  return map_chars ("upper", a, n, out, 0, err);
}

static int
fn_lower (json_object **a, size_t n, json_object **out, pc_error **err)
{
  return map_chars ("lower", a, n, out, 1, err);
}

static int
fn_title (json_object **a, size_t n, json_object **out, pc_error **err)
{
  return map_chars ("title", a, n, out, 2, err);
}

static int
fn_truncate (json_object **a, size_t n, json_object **out, pc_error **err)
{
  char *s = NULL;
  int64_t len;
  if (nargs ("truncate", n, 2, err) < 0 || want_int (a[1], &len, err) < 0
      || want_string (a[0], &s, err) < 0)
    return -1;
  if (len >= 0 && (size_t) len < strlen (s))
    s[len] = '\0';
  *out = take_string (s);
  return 0;
}

static int
fn_pad (json_object **a, size_t n, json_object **out, pc_error **err)
{
  char *s = NULL;
  int64_t pre, post;
  if (nargs ("pad", n, 3, err) < 0 || want_int (a[1], &pre, err) < 0
      || want_int (a[2], &post, err) < 0 || want_string (a[0], &s, err) < 0)
    return -1;
  *out = take_string (xasprintf ("%*s%s%*s", (int) (pre < 0 ? 0 : pre), "", s,
                                 (int) (post < 0 ? 0 : post), ""));
  free (s);
  return 0;
}

static int
fn_join (json_object **a, size_t n, json_object **out, pc_error **err)
{
  pc_autofree char *sep = NULL;
  if (nargs ("join", n, 2, err) < 0 || want_string (a[1], &sep, err) < 0)
    return -1;
  if (json_object_is_type (a[0], json_type_string))
    {
      *out = json_object_get (a[0]);
      return 0;
    }
  if (!json_object_is_type (a[0], json_type_array))
    return pc_error_make (err, EINVAL, "wrong type for value; expected []string; got %s",
                          pc_template_type_name (a[0]));
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&buf, &size);
  if (f == NULL)
    abort ();
  for (size_t i = 0; i < json_object_array_length (a[0]); i++)
    {
      pc_autofree char *item = pc_template_value_string (json_object_array_get_idx (a[0], i), false);
      fprintf (f, "%s%s", i ? sep : "", item);
    }
  fclose (f);
  *out = take_string (buf);
  return 0;
}

static int
fn_split (json_object **a, size_t n, json_object **out, pc_error **err)
{
  pc_autofree char *s = NULL;
  pc_autofree char *sep = NULL;
  if (nargs ("split", n, 2, err) < 0 || want_string (a[0], &s, err) < 0
      || want_string (a[1], &sep, err) < 0)
    return -1;
  json_object *arr = json_object_new_array ();
  size_t seplen = strlen (sep);
  const char *p = s;
  if (seplen == 0)
    for (; *p; p++)
      json_object_array_add (arr, json_object_new_string_len (p, 1));
  else
    for (;;)
      {
        const char *hit = strstr (p, sep);
        if (hit == NULL)
          {
            json_object_array_add (arr, json_object_new_string (p));
            break;
          }
        json_object_array_add (arr, json_object_new_string_len (p, (int) (hit - p)));
        p = hit + seplen;
      }
  *out = arr;
  return 0;
}

static int
fn_len (json_object **a, size_t n, json_object **out, pc_error **err)
{
  if (nargs ("len", n, 1, err) < 0)
    return -1;
  switch (json_object_get_type (a[0]))
    {
    case json_type_string:
      *out = json_object_new_int64 (json_object_get_string_len (a[0]));
      return 0;
    case json_type_array:
      *out = json_object_new_int64 ((int64_t) json_object_array_length (a[0]));
      return 0;
    case json_type_object:
      *out = json_object_new_int64 (json_object_object_length (a[0]));
      return 0;
    default:
      return pc_error_make (err, EINVAL, "len of type %s", pc_template_type_name (a[0]));
    }
}

static int
fn_index (json_object **a, size_t n, json_object **out, pc_error **err)
{
  if (n < 1)
    return nargs ("index", n, 1, err);
  json_object *v = a[0];
  for (size_t i = 1; i < n; i++)
    {
      if (json_object_is_type (v, json_type_array))
        {
          int64_t idx;
          if (want_int (a[i], &idx, err) < 0)
            return -1;
          if (idx < 0 || (size_t) idx >= json_object_array_length (v))
            return pc_error_make (err, EINVAL, "index out of range: %lld", (long long) idx);
          v = json_object_array_get_idx (v, (size_t) idx);
        }
      else if (json_object_is_type (v, json_type_object))
        {
          if (!json_object_is_type (a[i], json_type_string))
            return pc_error_make (err, EINVAL, "value has type %s; should be string",
                                  pc_template_type_name (a[i]));
          json_object *next = NULL;
          json_object_object_get_ex (v, json_object_get_string (a[i]), &next);
          v = next;
        }
      else if (v == NULL)
        return pc_error_make (err, EINVAL, "index of untyped nil");
      else
        return pc_error_make (err, EINVAL, "can't index item of type %s", pc_template_type_name (v));
    }
  *out = json_object_get (v);
  return 0;
}

static int
fn_not (json_object **a, size_t n, json_object **out, pc_error **err)
{
  if (nargs ("not", n, 1, err) < 0)
    return -1;
  *out = json_object_new_boolean (!pc_template_truth (a[0]));
  return 0;
}

static int
and_or (const char *name, json_object **a, size_t n, json_object **out, bool want, pc_error **err)
{
  if (n < 1)
    return nargs (name, n, 1, err);
  for (size_t i = 0; i < n - 1; i++)
    if (pc_template_truth (a[i]) != want)
      {
        *out = json_object_get (a[i]);
        return 0;
      }
  *out = json_object_get (a[n - 1]);
  return 0;
}

static int
fn_and (json_object **a, size_t n, json_object **out, pc_error **err)
{
  return and_or ("and", a, n, out, true, err);
}

static int
fn_or (json_object **a, size_t n, json_object **out, pc_error **err)
{
  return and_or ("or", a, n, out, false, err);
}

/* -2: not comparable; otherwise <0, 0, >0. */
static int
compare (json_object *x, json_object *y, bool ordered, pc_error **err)
{
  bool xnum = json_object_is_type (x, json_type_int) || json_object_is_type (x, json_type_double);
  bool ynum = json_object_is_type (y, json_type_int) || json_object_is_type (y, json_type_double);
  if (xnum && ynum)
    {
      if (json_object_is_type (x, json_type_int) && json_object_is_type (y, json_type_int))
        {
          int64_t a = json_object_get_int64 (x), b = json_object_get_int64 (y);
          return (a > b) - (a < b);
        }
      double a = json_object_get_double (x), b = json_object_get_double (y);
      return (a > b) - (a < b);
    }
  if (json_object_is_type (x, json_type_string) && json_object_is_type (y, json_type_string))
    {
      int c = strcmp (json_object_get_string (x), json_object_get_string (y));
      return (c > 0) - (c < 0);
    }
  if (!ordered && json_object_is_type (x, json_type_boolean) && json_object_is_type (y, json_type_boolean))
    return json_object_get_boolean (x) != json_object_get_boolean (y);
  if (!ordered && (x == NULL || y == NULL))
    return x != y;
  if (ordered || json_object_get_type (x) == json_object_get_type (y))
    pc_error_make (err, EINVAL, "invalid type for comparison");
  else
    pc_error_make (err, EINVAL, "incompatible types for comparison");
  return -2;
}

enum cmp_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

static int
cmp_fn (const char *name, enum cmp_op op, json_object **a, size_t n, json_object **out,
        pc_error **err)
{
  if (op == OP_EQ)
    {
      if (n < 2)
        return pc_error_make (err, EINVAL, "missing argument for comparison");
      for (size_t i = 1; i < n; i++)
        {
          int c = compare (a[0], a[i], false, err);
          if (c == -2)
            return -1;
          if (c == 0)
            {
              *out = json_object_new_boolean (true);
              return 0;
            }
        }
      *out = json_object_new_boolean (false);
      return 0;
    }
  if (nargs (name, n, 2, err) < 0)
    return -1;
  int c = compare (a[0], a[1], op != OP_NE, err);
  if (c == -2)
    return -1;
  bool r = op == OP_NE ? c != 0 : op == OP_LT ? c < 0 : op == OP_LE ? c <= 0
           : op == OP_GT ? c > 0 : c >= 0;
  *out = json_object_new_boolean (r);
  return 0;
}

#define CMP(fname, op)                                                  \
  static int fn_##fname (json_object **a, size_t n, json_object **out, pc_error **err) \
  {                                                                     \
    return cmp_fn (#fname, op, a, n, out, err);                         \
  }
CMP (eq, OP_EQ)
CMP (ne, OP_NE)
CMP (lt, OP_LT)
CMP (le, OP_LE)
CMP (gt, OP_GT)
CMP (ge, OP_GE)

static void
put_quoted (FILE *f, const char *s)
{
  fputc ('"', f);
  for (; *s; s++)
    switch (*s)
      {
      case '"': fputs ("\\\"", f); break;
      case '\\': fputs ("\\\\", f); break;
      case '\n': fputs ("\\n", f); break;
      case '\t': fputs ("\\t", f); break;
      case '\r': fputs ("\\r", f); break;
      default:
        if ((unsigned char) *s < 0x20)
          fprintf (f, "\\x%02x", (unsigned char) *s);
        else
          fputc (*s, f);
      }
  fputc ('"', f);
}

static void
bad_verb (FILE *f, char verb, json_object *v)
{
  pc_autofree char *s = pc_template_value_string (v, false);
  fprintf (f, "%%!%c(%s=%s)", verb, v ? pc_template_type_name (v) : "<nil>", s);
}

/* Go's fmt verbs with flags, width and precision, for the common cases.
   The C format is built from the user's verb, checked against its argument. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void
format_one (FILE *f, const char *spec, char verb, json_object *v)
{
  char cfmt[64];
  bool isnum = json_object_is_type (v, json_type_int) || json_object_is_type (v, json_type_double);
  switch (verb)
    {
    case 'v':
    case 's':
      {
        if (verb == 's' && !json_object_is_type (v, json_type_string) && !json_object_is_type (v, json_type_array)
            && v != NULL && !json_object_is_type (v, json_type_object))
          {
            bad_verb (f, verb, v);
            return;
          }
        pc_autofree char *s = pc_template_value_string (v, false);
        snprintf (cfmt, sizeof cfmt, "%%%ss", spec);
        fprintf (f, cfmt, s);
        return;
      }
    case 'q':
      if (!json_object_is_type (v, json_type_string))
        {
          bad_verb (f, verb, v);
          return;
        }
      put_quoted (f, json_object_get_string (v));
      return;
    case 't':
      if (!json_object_is_type (v, json_type_boolean))
        {
          bad_verb (f, verb, v);
          return;
        }
      snprintf (cfmt, sizeof cfmt, "%%%ss", spec);
      fprintf (f, cfmt, json_object_get_boolean (v) ? "true" : "false");
      return;
    case 'd':
    case 'x':
    case 'X':
    case 'o':
    case 'c':
      if (json_object_is_type (v, json_type_int))
        {
          if (verb == 'c')
            {
              fputc ((int) json_object_get_int64 (v), f);
              return;
            }
          snprintf (cfmt, sizeof cfmt, "%%%sll%c", spec, verb);
          fprintf (f, cfmt, (long long) json_object_get_int64 (v));
          return;
        }
      if ((verb == 'x' || verb == 'X') && json_object_is_type (v, json_type_string))
        {
          for (const unsigned char *p = (const unsigned char *) json_object_get_string (v); *p; p++)
            fprintf (f, verb == 'x' ? "%02x" : "%02X", *p);
          return;
        }
      bad_verb (f, verb, v);
      return;
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
      if (!isnum)
        {
          bad_verb (f, verb, v);
          return;
        }
      snprintf (cfmt, sizeof cfmt, "%%%s%c", spec, verb);
      fprintf (f, cfmt, json_object_get_double (v));
      return;
    default:
      fprintf (f, "%%!%c(", verb);
      {
        pc_autofree char *s = pc_template_value_string (v, false);
        fprintf (f, "%s=%s)", v ? pc_template_type_name (v) : "<nil>", s);
      }
    }
}

#pragma GCC diagnostic pop

static int
fn_printf (json_object **a, size_t n, json_object **out, pc_error **err)
{
  pc_autofree char *fmt = NULL;
  if (n < 1)
    return nargs ("printf", n, 1, err);
  if (want_string (a[0], &fmt, err) < 0)
    return -1;
  char *buf = NULL;
  size_t size = 0, argi = 1;
  FILE *f = open_memstream (&buf, &size);
  if (f == NULL)
    abort ();
  for (const char *p = fmt; *p; p++)
    {
      if (*p != '%')
        {
          fputc (*p, f);
          continue;
        }
      p++;
      if (*p == '%')
        {
          fputc ('%', f);
          continue;
        }
      char spec[32];
      size_t sl = 0;
      while (*p && strchr ("-+# 0123456789.", *p) && sl < sizeof spec - 1)
        spec[sl++] = *p++;
      spec[sl] = '\0';
      if (*p == '\0')
        {
          fputs ("%!(NOVERB)", f);
          break;
        }
      if (argi >= n)
        fprintf (f, "%%!%c(MISSING)", *p);
      else
        format_one (f, spec, *p, a[argi++]);
    }
  if (argi < n)
    {
      fputs ("%!(EXTRA ", f);
      for (size_t i = argi; i < n; i++)
        {
          pc_autofree char *s = pc_template_value_string (a[i], false);
          fprintf (f, "%s%s=%s", i > argi ? ", " : "", pc_template_type_name (a[i]), s);
        }
      fputc (')', f);
    }
  fclose (f);
  *out = take_string (buf);
  return 0;
}

static int
print_common (json_object **a, size_t n, json_object **out, bool ln)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&buf, &size);
  if (f == NULL)
    abort ();
  for (size_t i = 0; i < n; i++)
    {
      /* Sprint adds spaces only between operands when neither is a string. */
      if (i > 0 && (ln || (!json_object_is_type (a[i], json_type_string)
                           && !json_object_is_type (a[i - 1], json_type_string))))
        fputc (' ', f);
      pc_autofree char *s = pc_template_value_string (a[i], false);
      fputs (s, f);
    }
  if (ln)
    fputc ('\n', f);
  fclose (f);
  *out = take_string (buf);
  return 0;
}

static int
fn_print (json_object **a, size_t n, json_object **out, pc_error **err)
{
  return print_common (a, n, out, false);
}

static int
fn_println (json_object **a, size_t n, json_object **out, pc_error **err)
{
  return print_common (a, n, out, true);
}

static const struct
{
  const char *name;
  pc_tmpl_func fn;
} funcs[] = {
  { "and", fn_and }, { "eq", fn_eq }, { "ge", fn_ge }, { "gt", fn_gt },
  { "index", fn_index }, { "join", fn_join }, { "json", fn_json }, { "le", fn_le },
  { "len", fn_len }, { "lower", fn_lower }, { "lt", fn_lt }, { "ne", fn_ne },
  { "not", fn_not }, { "or", fn_or }, { "pad", fn_pad }, { "print", fn_print },
  { "printf", fn_printf }, { "println", fn_println }, { "split", fn_split },
  { "title", fn_title }, { "truncate", fn_truncate }, { "upper", fn_upper },
};

pc_tmpl_func
pc_template_lookup_func (const char *name)
{
  for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
    if (strcmp (funcs[i].name, name) == 0)
      return funcs[i].fn;
  return NULL;
}
