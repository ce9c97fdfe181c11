#include "lib/json.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"

json_object *
pc_json_parse (const char *buf, size_t len, pc_error **err)
{
  struct json_tokener *tok = json_tokener_new ();
  if (tok == NULL)
    abort ();
  json_tokener_set_flags (tok, JSON_TOKENER_STRICT);
  json_object *o = json_tokener_parse_ex (tok, buf, (int) len);
  enum json_tokener_error jerr = json_tokener_get_error (tok);
  if (o != NULL && jerr == json_tokener_success)
    {
      /* Anything but white space after the value is garbage. */
      size_t off = json_tokener_get_parse_end (tok);
      for (; off < len; off++)
        if (!strchr (" \t\r\n", buf[off]))
          {
            json_object_put (o);
            json_tokener_free (tok);
            pc_error_make (err, EINVAL, "invalid JSON: trailing data at offset %zu", off);
            return NULL;
          }
      json_tokener_free (tok);
      return o;
    }
  if (jerr == json_tokener_continue)
    pc_error_make (err, EINVAL, "invalid JSON: unexpected end of input");
  else
    pc_error_make (err, EINVAL, "invalid JSON at offset %zu: %s",
                   json_tokener_get_parse_end (tok), json_tokener_error_desc (jerr));
  json_object_put (o);
  json_tokener_free (tok);
  return NULL;
}

json_object *
pc_json_read_file (int dirfd, const char *path, pc_error **err)
{
  pc_autofree char *buf = NULL;
  size_t len = 0;
  if (pc_read_file (dirfd, path, &buf, &len, err) < 0)
    return NULL;
  json_object *o = pc_json_parse (buf, len, err);
  if (o == NULL)
    pc_error_wrap (err, "parse `%s`", path);
  return o;
}

int
pc_json_write_file_atomic (int dirfd, const char *path, json_object *obj, mode_t mode,
                           pc_error **err)
{
  const char *s = json_object_to_json_string_ext (obj, JSON_C_TO_STRING_PLAIN
                                                           | JSON_C_TO_STRING_NOSLASHESCAPE);
  return pc_write_file_atomic (dirfd, path, s, strlen (s), mode, err);
}

static json_object *
get_typed (json_object *o, const char *key, json_type t)
{
  json_object *v = NULL;
  if (o == NULL || !json_object_is_type (o, json_type_object)
      || !json_object_object_get_ex (o, key, &v) || !json_object_is_type (v, t))
    return NULL;
  return v;
}

json_object *
pc_json_get_array (json_object *o, const char *key)
{
  return get_typed (o, key, json_type_array);
}

json_object *
pc_json_get_object (json_object *o, const char *key)
{
  return get_typed (o, key, json_type_object);
}

size_t
pc_json_array_len (json_object *a)
{
  if (a == NULL || !json_object_is_type (a, json_type_array))
    return 0;
  return json_object_array_length (a);
}

static json_object *
array_at (json_object *a, size_t i, json_type t)
{
  if (i >= pc_json_array_len (a))
    return NULL;
  json_object *v = json_object_array_get_idx (a, i);
  return v != NULL && json_object_is_type (v, t) ? v : NULL;
}

const char *
pc_json_array_string_at (json_object *a, size_t i)
{
  json_object *v = array_at (a, i, json_type_string);
  return v ? json_object_get_string (v) : NULL;
}

json_object *
pc_json_array_object_at (json_object *a, size_t i)
{
  return array_at (a, i, json_type_object);
}

bool
pc_json_is_string_array (json_object *a)
{
  if (a == NULL || !json_object_is_type (a, json_type_array))
    return false;
  for (size_t i = 0; i < json_object_array_length (a); i++)
    if (pc_json_array_string_at (a, i) == NULL)
      return false;
  return true;
}

/* "null", "a string", "an array"... for messages. */
static const char *
type_name (json_object *v)
{
  switch (v == NULL ? json_type_null : json_object_get_type (v))
    {
    case json_type_null: return "null";
    case json_type_boolean: return "a boolean";
    case json_type_double: return "a number";
    case json_type_int: return "a number";
    case json_type_object: return "an object";
    case json_type_array: return "an array";
    case json_type_string: return "a string";
    }
  return "unknown";
}

static const char *
type_want (json_type t)
{
  switch (t)
    {
    case json_type_int: return "an integer";
    case json_type_double: return "a number";
    case json_type_boolean: return "a boolean";
    case json_type_object: return "an object";
    case json_type_array: return "an array";
    case json_type_string: return "a string";
    case json_type_null: return "null";
    }
  return "unknown";
}

int
pc_json_check_type (json_object *o, const char *key, json_type t, const char *what,
                    pc_error **err)
{
  json_object *v = NULL;
  if (o == NULL || !json_object_is_type (o, json_type_object)
      || !json_object_object_get_ex (o, key, &v) || v == NULL || json_object_is_type (v, t))
    return 0;
  return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s: `%s` is %s, not %s", what, key,
                         type_name (v), type_want (t));
}

int
pc_json_check_strings (json_object *o, const char *key, const char *what, pc_error **err)
{
  if (pc_json_check_type (o, key, json_type_array, what, err) < 0)
    return -1;
  json_object *a = pc_json_get_array (o, key);
  for (size_t i = 0; i < pc_json_array_len (a); i++)
    if (pc_json_array_string_at (a, i) == NULL)
      return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s: `%s[%zu]` is %s, not a string",
                             what, key, i, type_name (json_object_array_get_idx (a, i)));
  return 0;
}

int
pc_json_check_string_map (json_object *o, const char *key, const char *what, pc_error **err)
{
  if (pc_json_check_type (o, key, json_type_object, what, err) < 0)
    return -1;
  json_object *m = pc_json_get_object (o, key);
  if (m == NULL)
    return 0;
  json_object_object_foreach (m, k, v)
    if (v == NULL || !json_object_is_type (v, json_type_string))
      return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s: `%s.%s` is %s, not a string", what,
                             key, k, type_name (v));
  return 0;
}

json_object *
pc_json_read_file_max (int dirfd, const char *path, size_t max, pc_error **err)
{
  pc_autofree char *buf = NULL;
  size_t len = 0;
  if (pc_read_file_max (dirfd, path, max, PC_READ_REGULAR, &buf, &len, err) < 0)
    return NULL;
  json_object *o = pc_json_parse (buf, len, err);
  if (o == NULL)
    pc_error_wrap (err, "parse `%s`", path);
  return o;
}

const char *
pc_json_get_string (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (o == NULL || !json_object_is_type (o, json_type_object)
      || !json_object_object_get_ex (o, key, &v) || !json_object_is_type (v, json_type_string))
    return NULL;
  return json_object_get_string (v);
}

int64_t
pc_json_get_int (json_object *o, const char *key, int64_t def)
{
  json_object *v = NULL;
  if (o == NULL || !json_object_is_type (o, json_type_object)
      || !json_object_object_get_ex (o, key, &v))
    return def;
  if (json_object_is_type (v, json_type_int) || json_object_is_type (v, json_type_double))
    return json_object_get_int64 (v);
  return def;
}

bool
pc_json_get_bool (json_object *o, const char *key, bool def)
{
  json_object *v = NULL;
  if (o == NULL || !json_object_is_type (o, json_type_object)
      || !json_object_object_get_ex (o, key, &v) || !json_object_is_type (v, json_type_boolean))
    return def;
  return json_object_get_boolean (v);
}

json_object *
pc_json_get (json_object *o, const char *dotted_path)
{
  const char *p = dotted_path;
  while (o != NULL && *p)
    {
      const char *dot = strchr (p, '.');
      size_t n = dot ? (size_t) (dot - p) : strlen (p);
      if (!json_object_is_type (o, json_type_object))
        return NULL;
      pc_autofree char *key = xstrndup (p, n);
      json_object *next = NULL;
      if (!json_object_object_get_ex (o, key, &next))
        return NULL;
      o = next;
      p += n;
      if (*p == '.')
        p++;
    }
  return o;
}

/* Go's encoding/json escaping: HTML characters and U+2028/2029 as \u. */
static void
put_string (FILE *f, const char *s, bool html)
{
  fputc ('"', f);
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    {
      unsigned char c = *p;
      switch (c)
        {
        case '"': fputs ("\\\"", f); break;
        case '\\': fputs ("\\\\", f); break;
        case '\n': fputs ("\\n", f); break;
        case '\r': fputs ("\\r", f); break;
        case '\t': fputs ("\\t", f); break;
        case '\b': fputs ("\\b", f); break;
        case '\f': fputs ("\\f", f); break;
        case '<': fputs (html ? "\\u003c" : "<", f); break;
        case '>': fputs (html ? "\\u003e" : ">", f); break;
        case '&': fputs (html ? "\\u0026" : "&", f); break;
        default:
          if (c < 0x20)
            fprintf (f, "\\u%04x", c);
          else if (c == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
            {
              fprintf (f, "\\u%s", p[2] == 0xa8 ? "2028" : "2029");
              p += 2;
            }
          else
            fputc (c, f);
        }
    }
  fputc ('"', f);
}

void
pc_json_put_double (FILE *f, double d)
{
  if (!isfinite (d))
    {
      fputs ("null", f);
      return;
    }
  if (d == floor (d) && fabs (d) < 1e21)
    {
      fprintf (f, "%.0f", d);
      return;
    }
  char buf[64];
  for (int prec = 1; prec <= 17; prec++)
    {
      snprintf (buf, sizeof buf, "%.*g", prec, d);
      if (strtod (buf, NULL) == d)
        break;
    }
  fputs (buf, f);
}

static void
indent (FILE *f, int level, int width)
{
  fputc ('\n', f);
  for (int i = 0; i < level * width; i++)
    fputc (' ', f);
}

static void
put_value (FILE *f, json_object *o, int level, int width, bool html)
{
  switch (json_object_get_type (o))
    {
    case json_type_null:
      fputs ("null", f);
      break;
    case json_type_string:
      put_string (f, json_object_get_string (o), html);
      break;
    case json_type_object:
      {
        if (json_object_object_length (o) == 0)
          {
            fputs ("{}", f);
            break;
          }
        fputc ('{', f);
        bool first = true;
        json_object_object_foreach (o, key, val)
          {
            if (!first)
              fputc (',', f);
            first = false;
            if (width)
              indent (f, level + 1, width);
            put_string (f, key, html);
            fputs (width ? ": " : ":", f);
            put_value (f, val, level + 1, width, html);
          }
        if (width)
          indent (f, level, width);
        fputc ('}', f);
        break;
      }
    case json_type_array:
      {
        size_t n = json_object_array_length (o);
        if (n == 0)
          {
            fputs ("[]", f);
            break;
          }
        fputc ('[', f);
        for (size_t i = 0; i < n; i++)
          {
            if (i)
              fputc (',', f);
            if (width)
              indent (f, level + 1, width);
            put_value (f, json_object_array_get_idx (o, i), level + 1, width, html);
          }
        if (width)
          indent (f, level, width);
        fputc (']', f);
        break;
      }
    case json_type_double:
      pc_json_put_double (f, json_object_get_double (o));
      break;
    default:
      fputs (json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN), f);
      break;
    }
}

static char *
to_string (json_object *o, int width, bool html)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&buf, &size);
  if (f == NULL)
    abort ();
  put_value (f, o, 0, width, html);
  if (fclose (f) != 0)
    abort ();
  return buf;
}

char *
pc_json_to_string_pretty (json_object *o)
{
  return to_string (o, 4, true);
}

char *
pc_json_to_string_compact (json_object *o)
{
  return to_string (o, 0, true);
}

char *
pc_json_to_string_indent (json_object *o, int width, bool escape_html)
{
  return to_string (o, width, escape_html);
}
