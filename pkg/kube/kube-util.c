/* Typed field reads with messages that name the file, line and field;
   quantities, base64 and names as Kubernetes defines them. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/kube/internal.h"

static char *
vmessage (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path, const char *fmt,
          va_list ap)
{
  pc_autofree char *msg = NULL;
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  return xasprintf ("%s:%u: %s%s%s%s%s", c->s->source, n ? n->line : 0, c->what ? c->what : "",
                    c->what ? ": " : "", path ? path : "", path && *path ? ": " : "",
                    msg ? msg : "");
}

int
kube_fail (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path, pc_error **err,
           const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  pc_autofree char *m = vmessage (c, n, path, fmt, ap);
  va_end (ap);
  return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s", m);
}

void
kube_warn (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  pc_strv_append_take (&c->f->warnings, vmessage (c, n, path, fmt, ap));
  va_end (ap);
}

void
kube_unknown (struct kube_ctx *c, const struct pc_yaml_node *key, const char *path,
              const char *const *ignored)
{
  pc_autofree char *p = path && *path ? xasprintf ("%s.%s", path, key->str) : xstrdup (key->str);
  for (const char *const *i = ignored; i && *i; i++)
    if (strcmp (*i, key->str) == 0)
      {
        kube_warn (c, key, p, "not supported by pc, ignored");
        return;
      }
  kube_warn (c, key, p, "unknown field, ignored");
}

static bool
is_null (const struct pc_yaml_node *n)
{
  return n == NULL || (n->kind == PC_YAML_SCALAR && n->type == PC_YAML_NULL);
}

int
kube_map (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path, pc_error **err)
{
  if (is_null (n) || n->kind == PC_YAML_MAP)
    return 0;
  return kube_fail (c, n, path, err, "expected a map, got %s", pc_yaml_type_name (n));
}

int
kube_seq (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path, pc_error **err)
{
  if (is_null (n) || n->kind == PC_YAML_SEQ)
    return 0;
  return kube_fail (c, n, path, err, "expected a list, got %s", pc_yaml_type_name (n));
}

int
kube_str (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path, char **out,
          pc_error **err)
{
  if (is_null (n))
    return 0;
  if (n->kind != PC_YAML_SCALAR || n->type != PC_YAML_STR)
    return kube_fail (c, n, path, err, "expected a string, got %s", pc_yaml_type_name (n));
  if (strlen (n->str) != n->len)
    return kube_fail (c, n, path, err, "a string with a NUL byte");
  free (*out);
  *out = xstrdup (n->str);
  return 0;
}

int
kube_int (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path, int64_t *out,
          pc_error **err)
{
  if (is_null (n))
    return 0;
  if (n->kind != PC_YAML_SCALAR || n->type != PC_YAML_INT)
    return kube_fail (c, n, path, err, "expected an integer, got %s", pc_yaml_type_name (n));
  *out = n->i;
  return 0;
}

int
kube_bool (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path, bool *out,
           pc_error **err)
{
  if (is_null (n))
    return 0;
  if (n->kind != PC_YAML_SCALAR || n->type != PC_YAML_BOOL)
    return kube_fail (c, n, path, err, "expected a boolean, got %s", pc_yaml_type_name (n));
  *out = n->b;
  return 0;
}

int
kube_strv (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path, char ***out,
           pc_error **err)
{
  if (is_null (n))
    return 0;
  if (kube_seq (c, n, path, err) < 0)
    return -1;
  pc_autostrv char **v = xmalloc0 (sizeof *v);
  for (size_t k = 0; k < n->n; k++)
    {
      pc_autofree char *p = xasprintf ("%s[%zu]", path, k);
      char *s = NULL;
      if (kube_str (c, n->items[k], p, &s, err) < 0)
        return -1;
      pc_strv_append_take (&v, s ? s : xstrdup (""));
    }
  pc_strv_free (*out);
  *out = steal_pointer (&v);
  return 0;
}

int
kube_str_map (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path, char ***out,
              pc_error **err)
{
  if (is_null (n))
    return 0;
  if (kube_map (c, n, path, err) < 0)
    return -1;
  for (size_t k = 0; k < n->n; k++)
    {
      pc_autofree char *p = xasprintf ("%s.%s", path, n->keys[k]->str);
      pc_autofree char *s = NULL;
      if (kube_str (c, n->items[k], p, &s, err) < 0)
        return -1;
      pc_strv_append_take (out, xasprintf ("%s=%s", n->keys[k]->str, s ? s : ""));
    }
  return 0;
}

int
kube_quantity_str (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path, char **out,
                   pc_error **err)
{
  if (is_null (n))
    return 0;
  if (n->kind != PC_YAML_SCALAR || n->type == PC_YAML_BOOL)
    return kube_fail (c, n, path, err, "expected a quantity, got %s", pc_yaml_type_name (n));
  if (pc_kube_quantity (n->str, false) < 0 && pc_kube_quantity (n->str, true) < 0)
    return kube_fail (c, n, path, err, "quantity \"%s\" is not valid (e.g. 512Mi, 1G, 250m)", n->str);
  free (*out);
  *out = xstrdup (n->str);
  return 0;
}

int64_t
pc_kube_quantity (const char *q, bool milli)
{
  if (q == NULL || *q == '\0' || strlen (q) > 64)
    return -1;
  char *end;
  errno = 0;
  double v = strtod (q, &end);
  if (errno != 0 || end == q || v < 0 || !(v == v) || (*q != '.' && !isdigit ((unsigned char) *q)))
    return -1;
  static const struct
  {
    const char *suffix;
    double mult;
  } suffixes[] = {
    { "", 1 }, { "m", 1e-3 }, { "k", 1e3 }, { "M", 1e6 }, { "G", 1e9 }, { "T", 1e12 },
    { "P", 1e15 }, { "E", 1e18 }, { "Ki", 1024.0 }, { "Mi", 1048576.0 },
    { "Gi", 1073741824.0 }, { "Ti", 1099511627776.0 }, { "Pi", 1125899906842624.0 },
    { "Ei", 1152921504606846976.0 },
  };
  for (size_t k = 0; k < sizeof suffixes / sizeof *suffixes; k++)
    if (strcmp (end, suffixes[k].suffix) == 0)
      {
        double r = v * suffixes[k].mult * (milli ? 1000.0 : 1.0);
        if (r >= 9.2e18)
          return -1;
        return (int64_t) (r + 0.5);
      }
  return -1;
}

bool
pc_kube_name_valid (const char *name)
{
  size_t n = strlen (name);
  if (n == 0 || n > 253)
    return false;
  for (size_t k = 0; k < n; k++)
    {
      char ch = name[k];
      bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
      if (!alnum && !((ch == '-' || ch == '.') && k > 0 && k < n - 1))
        return false;
    }
  return true;
}

static int
b64val (int ch)
{
  if (ch >= 'A' && ch <= 'Z')
    return ch - 'A';
  if (ch >= 'a' && ch <= 'z')
    return ch - 'a' + 26;
  if (ch >= '0' && ch <= '9')
    return ch - '0' + 52;
  if (ch == '+')
    return 62;
  if (ch == '/')
    return 63;
  return -1;
}

int
pc_kube_base64_decode (const char *in, char **out, size_t *len)
{
  size_t n = strlen (in);
  char *o = xmalloc (n / 4 * 3 + 4);
  size_t k = 0;
  unsigned acc = 0;
  int bits = 0, pad = 0;
  for (const char *p = in; *p; p++)
    {
      if (*p == '\n' || *p == '\r' || *p == ' ')
        continue;
      if (*p == '=')
        {
          pad++;
          continue;
        }
      int v = b64val ((unsigned char) *p);
      if (v < 0 || pad > 0)
        {
          free (o);
          return -1;
        }
      acc = (acc << 6) | (unsigned) v;
      bits += 6;
      if (bits >= 8)
        {
          bits -= 8;
          o[k++] = (char) ((acc >> bits) & 0xff);
        }
    }
  if (pad > 2 || bits >= 6)
    {
      free (o);
      return -1;
    }
  o[k] = '\0';
  *out = o;
  *len = k;
  return 0;
}

char *
pc_kube_base64_encode (const char *in, size_t len)
{
  static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char *o = xmalloc ((len + 2) / 3 * 4 + 1);
  size_t k = 0;
  for (size_t i = 0; i < len; i += 3)
    {
      unsigned v = (unsigned char) in[i] << 16;
      if (i + 1 < len)
        v |= (unsigned char) in[i + 1] << 8;
      if (i + 2 < len)
        v |= (unsigned char) in[i + 2];
      o[k++] = tbl[(v >> 18) & 63];
      o[k++] = tbl[(v >> 12) & 63];
      o[k++] = i + 1 < len ? tbl[(v >> 6) & 63] : '=';
      o[k++] = i + 2 < len ? tbl[v & 63] : '=';
    }
  o[k] = '\0';
  return o;
}
