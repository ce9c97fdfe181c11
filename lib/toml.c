/* A TOML reader for the subset containers' configuration files use
   (registries.conf, short-name-aliases.conf, containers.conf,
   storage.conf): bare and quoted keys, dotted
   keys, basic and literal strings, booleans, integers, arrays (nested,
   multi-line, trailing comma), inline tables, [tables] and [[arrays of
   tables]], comments. The document becomes a json-c tree (tables are
   objects, arrays of tables arrays of objects), which the callers read with
   lib/json.h's type-checking getters.

   Everything here is outside data: any byte sequence gives a tree or an
   error naming the line, never a crash; nesting is capped. Multi-line
   strings, floats and dates are refused by name (none of those files
   needs them). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "lib/toml.h"

#define MAX_DEPTH 32
/* Dotted parts of one key and the length of its dotted name (with its
   table's): real files use a handful of short words; the caps keep a
   hostile key of a million dots, or a megabyte table name above many
   keys, from costing quadratic time. */
#define MAX_KEY_PARTS 64
#define MAX_KEY_LEN 1024

struct tp
{
  const char *p, *end;
  int line;
  char *last_key;    /* dotted from the document's root: "containers.env" */
  char *table;       /* the current [table]'s dotted name, NULL at the root */
};

static int
fail (struct tp *t, pc_error **err, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

static int
fail (struct tp *t, pc_error **err, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  pc_autofree char *m = NULL;
  if (vasprintf (&m, fmt, ap) < 0)
    m = NULL;
  va_end (ap);
  if (t->last_key)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "toml: line %d (last key \"%s\"): %s",
                           t->line, t->last_key, m ? m : "parse error");
  return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "toml: line %d: %s", t->line,
                         m ? m : "parse error");
}

static const char *
describe (struct tp *t)
{
  if (t->p >= t->end)
    return "end of file";
  switch (*t->p)
    {
    case '\n':
      return "end of line";
    default:
      return NULL;
    }
}

static int
unexpected (struct tp *t, const char *wanted, pc_error **err)
{
  const char *d = describe (t);
  if (d && t->p >= t->end && t->line > 1)
    {
      /* BurntSushi's toml (podman's) counts the newlines read when it
         meets the end of the file: one less than the line it is on. */
      t->line--;
      int r = fail (t, err, "expected %s, but got %s", wanted, d);
      t->line++;
      return r;
    }
  if (d)
    return fail (t, err, "expected %s, but got %s", wanted, d);
  unsigned char c = (unsigned char) *t->p;
  if (c >= 0x20 && c < 0x7f)
    return fail (t, err, "expected %s, but got '%c'", wanted, c);
  return fail (t, err, "expected %s, but got byte 0x%02x", wanted, c);
}

static void
skip_ws (struct tp *t)
{
  while (t->p < t->end && (*t->p == ' ' || *t->p == '\t'))
    t->p++;
}

static void
skip_comment (struct tp *t)
{
  if (t->p < t->end && *t->p == '#')
    while (t->p < t->end && *t->p != '\n')
      t->p++;
}

/* White space, comments and newlines (inside arrays). */
static void
skip_all (struct tp *t)
{
  for (;;)
    {
      skip_ws (t);
      skip_comment (t);
      if (t->p < t->end && (*t->p == '\n' || (*t->p == '\r' && t->p + 1 < t->end && t->p[1] == '\n')))
        {
          if (*t->p == '\r')
            t->p++;
          t->p++;
          t->line++;
          continue;
        }
      return;
    }
}

/* After a value or header: only white space and a comment to the end of the line. */
static int
end_of_line (struct tp *t, pc_error **err)
{
  skip_ws (t);
  skip_comment (t);
  if (t->p >= t->end)
    return 0;
  if (*t->p == '\r' && t->p + 1 < t->end && t->p[1] == '\n')
    t->p++;
  if (*t->p != '\n')
    return unexpected (t, "a new line", err);
  t->p++;
  t->line++;
  return 0;
}

static void
put_utf8 (char **buf, size_t *len, size_t *cap, uint32_t cp)
{
  char tmp[4];
  size_t n;
  if (cp < 0x80)
    tmp[0] = (char) cp, n = 1;
  else if (cp < 0x800)
    tmp[0] = (char) (0xc0 | (cp >> 6)), tmp[1] = (char) (0x80 | (cp & 0x3f)), n = 2;
  else if (cp < 0x10000)
    tmp[0] = (char) (0xe0 | (cp >> 12)), tmp[1] = (char) (0x80 | ((cp >> 6) & 0x3f)),
    tmp[2] = (char) (0x80 | (cp & 0x3f)), n = 3;
  else
    tmp[0] = (char) (0xf0 | (cp >> 18)), tmp[1] = (char) (0x80 | ((cp >> 12) & 0x3f)),
    tmp[2] = (char) (0x80 | ((cp >> 6) & 0x3f)), tmp[3] = (char) (0x80 | (cp & 0x3f)), n = 4;
  if (*len + n + 1 > *cap)
    {
      *cap = (*cap + n + 1) * 2;
      *buf = xrealloc (*buf, *cap);
    }
  memcpy (*buf + *len, tmp, n);
  *len += n;
  (*buf)[*len] = '\0';
}

/* A basic ("...") or literal ('...') string on one line; *out malloc'd. */
static int
parse_string (struct tp *t, char **out, pc_error **err)
{
  char q = *t->p;
  if (t->p + 2 < t->end && t->p[1] == q && t->p[2] == q)
    return fail (t, err, "multi-line strings are not supported");
  t->p++;
  size_t len = 0, cap = 32;
  pc_autofree char *buf = xmalloc (cap);
  buf[0] = '\0';
  for (;;)
    {
      if (t->p >= t->end || *t->p == '\n')
        return fail (t, err, "unterminated string");
      unsigned char c = (unsigned char) *t->p++;
      if (c == (unsigned char) q)
        break;
      if ((c < 0x20 && c != '\t') || c == 0x7f)
        return fail (t, err, "control character 0x%02x in a string", c);
      if (c == '\\' && q == '"')
        {
          if (t->p >= t->end)
            return fail (t, err, "unterminated string");
          char e = *t->p++;
          uint32_t cp = 0;
          int hex = 0;
          switch (e)
            {
            case 'b': cp = '\b'; break;
            case 't': cp = '\t'; break;
            case 'n': cp = '\n'; break;
            case 'f': cp = '\f'; break;
            case 'r': cp = '\r'; break;
            case '"': cp = '"'; break;
            case '\\': cp = '\\'; break;
            case 'u': hex = 4; break;
            case 'U': hex = 8; break;
            default:
              return fail (t, err, "invalid escape in a string: '\\%c'", e >= 0x20 && e < 0x7f ? e : '?');
            }
          for (int i = 0; i < hex; i++)
            {
              if (t->p >= t->end)
                return fail (t, err, "unterminated string");
              char h = *t->p++;
              int v = h >= '0' && h <= '9' ? h - '0'
                      : h >= 'a' && h <= 'f' ? h - 'a' + 10
                      : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
              if (v < 0)
                return fail (t, err, "invalid escape in a string: bad hex digit");
              cp = cp * 16 + (uint32_t) v;
            }
          if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return fail (t, err, "invalid escape in a string: U+%04X", cp);
          put_utf8 (&buf, &len, &cap, cp);
          continue;
        }
      /* Raw bytes (UTF-8 included) are copied as they are. */
      if (len + 2 > cap)
        {
          cap *= 2;
          buf = xrealloc (buf, cap);
        }
      buf[len++] = (char) c;
      buf[len] = '\0';
    }
  *out = steal_pointer (&buf);
  return 0;
}

static bool
bare_key_char (char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'
         || c == '-';
}

/* One key part: bare or quoted. */
static int
parse_key_part (struct tp *t, char **out, pc_error **err)
{
  skip_ws (t);
  if (t->p < t->end && (*t->p == '"' || *t->p == '\''))
    return parse_string (t, out, err);
  const char *s = t->p;
  while (t->p < t->end && bare_key_char (*t->p))
    t->p++;
  if (t->p == s)
    return unexpected (t, "a key", err);
  *out = xstrndup (s, (size_t) (t->p - s));
  return 0;
}

/* A dotted key; *parts NULL-terminated. last_key becomes its dotted name
   from the root (below the current table unless header), as BurntSushi's
   toml (podman's reader) names it in errors. */
static int
parse_key (struct tp *t, bool header, char ***parts, pc_error **err)
{
  *parts = NULL;
  for (;;)
    {
      char *k = NULL;
      if (parse_key_part (t, &k, err) < 0)
        {
          pc_strv_free (*parts);
          *parts = NULL;
          return -1;
        }
      char *prev = (*parts == NULL) ? (!header && t->table ? xstrdup (t->table) : NULL)
                                    : steal_pointer (&t->last_key);
      if (pc_strv_len (*parts) >= MAX_KEY_PARTS || strlen (k) + (prev ? strlen (prev) : 0) > MAX_KEY_LEN)
        {
          bool parts_cap = pc_strv_len (*parts) >= MAX_KEY_PARTS;
          free (k);
          free (prev);
          pc_strv_free (*parts);
          *parts = NULL;
          if (parts_cap)
            return fail (t, err, "a key of more than %d dotted parts", MAX_KEY_PARTS);
          return fail (t, err, "a key longer than %d bytes", MAX_KEY_LEN);
        }
      pc_strv_append_take (parts, k);
      free (t->last_key);
      t->last_key = prev ? xasprintf ("%s.%s", prev, k) : xstrdup (k);
      free (prev);
      skip_ws (t);
      if (t->p < t->end && *t->p == '.')
        {
          t->p++;
          continue;
        }
      return 0;
    }
}

static int parse_value (struct tp *t, int depth, json_object **out, pc_error **err);

static int set_key (struct tp *t, json_object *table, char **parts, json_object *val, pc_error **err);

static int
parse_inline_table (struct tp *t, int depth, json_object **out, pc_error **err)
{
  t->p++;
  pc_autojson json_object *o = json_object_new_object ();
  skip_ws (t);
  if (t->p < t->end && *t->p == '}')
    {
      t->p++;
      *out = steal_pointer (&o);
      return 0;
    }
  for (;;)
    {
      pc_autostrv char **parts = NULL;
      json_object *v = NULL;
      if (parse_key (t, false, &parts, err) < 0)
        return -1;
      skip_ws (t);
      if (t->p >= t->end || *t->p != '=')
        return unexpected (t, "'='", err);
      t->p++;
      skip_ws (t);
      if (parse_value (t, depth + 1, &v, err) < 0)
        return -1;
      if (set_key (t, o, parts, v, err) < 0)
        return -1;
      skip_ws (t);
      if (t->p < t->end && *t->p == ',')
        {
          t->p++;
          continue;
        }
      if (t->p < t->end && *t->p == '}')
        {
          t->p++;
          *out = steal_pointer (&o);
          return 0;
        }
      return unexpected (t, "a comma (',') or '}'", err);
    }
}

static int
parse_array (struct tp *t, int depth, json_object **out, pc_error **err)
{
  t->p++;
  pc_autojson json_object *a = json_object_new_array ();
  for (;;)
    {
      skip_all (t);
      if (t->p < t->end && *t->p == ']')
        {
          t->p++;
          *out = steal_pointer (&a);
          return 0;
        }
      json_object *v = NULL;
      if (parse_value (t, depth + 1, &v, err) < 0)
        return -1;
      json_object_array_add (a, v);
      skip_all (t);
      if (t->p < t->end && *t->p == ',')
        {
          t->p++;
          continue;
        }
      if (t->p < t->end && *t->p == ']')
        continue;
      return unexpected (t, "a comma (',') or array terminator (']')", err);
    }
}

static int
parse_value (struct tp *t, int depth, json_object **out, pc_error **err)
{
  if (depth > MAX_DEPTH)
    return fail (t, err, "values nested more than %d deep", MAX_DEPTH);
  if (t->p >= t->end)
    return unexpected (t, "a value", err);
  char c = *t->p;
  if (c == '"' || c == '\'')
    {
      pc_autofree char *s = NULL;
      if (parse_string (t, &s, err) < 0)
        return -1;
      *out = json_object_new_string (s);
      return 0;
    }
  if (c == '[')
    return parse_array (t, depth, out, err);
  if (c == '{')
    return parse_inline_table (t, depth, out, err);
  const char *s = t->p;
  while (t->p < t->end && (bare_key_char (*t->p) || *t->p == '+' || *t->p == '.' || *t->p == ':'))
    t->p++;
  size_t n = (size_t) (t->p - s);
  if (n == 4 && memcmp (s, "true", 4) == 0)
    {
      *out = json_object_new_boolean (1);
      return 0;
    }
  if (n == 5 && memcmp (s, "false", 5) == 0)
    {
      *out = json_object_new_boolean (0);
      return 0;
    }
  if (n > 0 && n < 32)
    {
      char num[32];
      size_t j = 0;
      bool ok = true;
      for (size_t i = 0; i < n; i++)
        {
          if (s[i] == '_' && i > 0 && i + 1 < n && s[i - 1] >= '0' && s[i - 1] <= '9')
            continue;
          if (!((s[i] >= '0' && s[i] <= '9') || (i == 0 && (s[i] == '+' || s[i] == '-'))))
            ok = false;
          num[j++] = s[i];
        }
      num[j] = '\0';
      if (ok && j > 0 && !(j == 1 && (num[0] == '+' || num[0] == '-')))
        {
          errno = 0;
          char *endp;
          long long v = strtoll (num, &endp, 10);
          if (errno == 0 && *endp == '\0')
            {
              *out = json_object_new_int64 (v);
              return 0;
            }
        }
    }
  t->p = s;
  if (n > 0)
    return fail (t, err, "unsupported value '%.*s' (only strings, booleans, integers, arrays and tables)",
                 (int) (n > 40 ? 40 : n), s);
  return unexpected (t, "a value", err);
}

/* Walks (creating) the tables of parts[0..n-1] below table; an array of
   tables on the way means its last element. */
static json_object *
walk (struct tp *t, json_object *table, char **parts, size_t n, pc_error **err)
{
  for (size_t i = 0; i < n; i++)
    {
      json_object *next = NULL;
      if (!json_object_object_get_ex (table, parts[i], &next))
        {
          next = json_object_new_object ();
          json_object_object_add (table, parts[i], next);
        }
      else if (json_object_is_type (next, json_type_array))
        {
          size_t len = json_object_array_length (next);
          json_object *last = len ? json_object_array_get_idx (next, len - 1) : NULL;
          if (last == NULL || !json_object_is_type (last, json_type_object))
            {
              fail (t, err, "key \"%s\" is an array, not a table", parts[i]);
              return NULL;
            }
          next = last;
        }
      else if (!json_object_is_type (next, json_type_object))
        {
          fail (t, err, "key \"%s\" is a value, not a table", parts[i]);
          return NULL;
        }
      table = next;
    }
  return table;
}

/* Takes val. */
static int
set_key (struct tp *t, json_object *table, char **parts, json_object *val, pc_error **err)
{
  size_t n = pc_strv_len (parts);
  json_object *dst = walk (t, table, parts, n - 1, err);
  if (dst == NULL)
    {
      json_object_put (val);
      return -1;
    }
  if (json_object_object_get_ex (dst, parts[n - 1], NULL))
    {
      json_object_put (val);
      return fail (t, err, "key \"%s\" has already been defined", parts[n - 1]);
    }
  json_object_object_add (dst, parts[n - 1], val);
  return 0;
}

static int
parse_header (struct tp *t, json_object *root, json_object **cur, pc_error **err)
{
  bool aot = t->p + 1 < t->end && t->p[1] == '[';
  t->p += aot ? 2 : 1;
  pc_autostrv char **parts = NULL;
  if (parse_key (t, true, &parts, err) < 0)
    return -1;
  free (t->table);
  t->table = xstrdup (t->last_key);
  skip_ws (t);
  if (t->p >= t->end || *t->p != ']' || (aot && (t->p + 1 >= t->end || t->p[1] != ']')))
    return unexpected (t, aot ? "']]'" : "']'", err);
  t->p += aot ? 2 : 1;
  size_t n = pc_strv_len (parts);
  json_object *parent = walk (t, root, parts, n - 1, err);
  if (parent == NULL)
    return -1;
  json_object *existing = NULL;
  bool has = json_object_object_get_ex (parent, parts[n - 1], &existing);
  if (aot)
    {
      if (!has)
        {
          existing = json_object_new_array ();
          json_object_object_add (parent, parts[n - 1], existing);
        }
      else if (!json_object_is_type (existing, json_type_array))
        return fail (t, err, "key \"%s\" is already defined, not as an array of tables", parts[n - 1]);
      json_object *o = json_object_new_object ();
      json_object_array_add (existing, o);
      *cur = o;
    }
  else
    {
      if (!has)
        {
          existing = json_object_new_object ();
          json_object_object_add (parent, parts[n - 1], existing);
        }
      else if (!json_object_is_type (existing, json_type_object))
        return fail (t, err, "key \"%s\" is already defined, not as a table", parts[n - 1]);
      *cur = existing;
    }
  return end_of_line (t, err);
}

json_object *
pc_toml_parse (const char *buf, size_t len, pc_error **err)
{
  return pc_toml_parse_lines (buf, len, NULL, err);
}

json_object *
pc_toml_parse_lines (const char *buf, size_t len, json_object **lines, pc_error **err)
{
  if (lines)
    *lines = NULL;
  struct tp t = { .p = buf, .end = buf + len, .line = 1 };
  if (memchr (buf, '\0', len))
    {
      pc_error_makec (err, PC_ERR_INVALID, EINVAL, "toml: the file contains a NUL byte");
      return NULL;
    }
  /* A UTF-8 byte order mark is allowed at the start. */
  if (len >= 3 && memcmp (buf, "\xef\xbb\xbf", 3) == 0)
    t.p += 3;
  pc_autojson json_object *root = json_object_new_object ();
  pc_autojson json_object *where = lines ? json_object_new_object () : NULL;
  json_object *cur = root;
  int r = 0;
  for (;;)
    {
      skip_all (&t);
      if (t.p >= t.end)
        break;
      if (*t.p == '[')
        r = parse_header (&t, root, &cur, err);
      else
        {
          pc_autostrv char **parts = NULL;
          json_object *v = NULL;
          int line = t.line;
          r = parse_key (&t, false, &parts, err);
          if (r == 0 && where)
            json_object_object_add (where, t.last_key, json_object_new_int (line));
          if (r == 0)
            {
              skip_ws (&t);
              if (t.p >= t.end || *t.p != '=')
                r = unexpected (&t, "'='", err);
            }
          if (r == 0)
            {
              t.p++;
              skip_ws (&t);
              r = parse_value (&t, 0, &v, err);
            }
          if (r == 0)
            r = set_key (&t, cur, parts, v, err);
          if (r == 0)
            r = end_of_line (&t, err);
        }
      if (r < 0)
        break;
    }
  free (t.last_key);
  free (t.table);
  if (r < 0)
    return NULL;
  if (lines)
    *lines = steal_pointer (&where);
  return steal_pointer (&root);
}
