/* Image references as docker's distribution/reference reads them: the
   grammar (domain, lower-case path components, tag, digest) and the
   docker.io normalization podman applies to names it pulls. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/registry/config.h"

#define NAME_MAX_LEN 255

static bool
is_lower_alnum (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
is_alnum (char c)
{
  return is_lower_alnum (c) || (c >= 'A' && c <= 'Z');
}

static bool
is_hex (char c)
{
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*; *upper set when it failed only for
   an upper-case letter. */
static bool
valid_component (const char *s, size_t n, bool *upper)
{
  if (n == 0 || !is_alnum (s[0]) || !is_alnum (s[n - 1]))
    return false;
  for (size_t i = 0; i < n; i++)
    {
      char c = s[i];
      if (c >= 'A' && c <= 'Z')
        *upper = true;
      else if (is_lower_alnum (c))
        continue;
      else if (c == '.' || c == '_')
        {
          /* ".", "_" or "__" between alphanumerics */
          if (c == '_' && i + 1 < n && s[i + 1] == '_')
            i++;
          if (!is_alnum (s[i + 1]))
            return false;
        }
      else if (c == '-')
        {
          while (i + 1 < n && s[i + 1] == '-')
            i++;
          if (!is_alnum (s[i + 1]))
            return false;
        }
      else
        return false;
    }
  return true;
}

/* host(.host)*(:port)?, or [v6](:port)? */
static bool
valid_domain (const char *s, size_t n)
{
  size_t i = 0;
  if (n == 0)
    return false;
  if (s[0] == '[')
    {
      while (i < n && s[i] != ']')
        {
          if (i > 0 && !(is_hex (s[i]) || s[i] == ':'))
            return false;
          i++;
        }
      if (i >= n)
        return false;
      i++;
    }
  else
    {
      bool start = true;
      for (; i < n && s[i] != ':'; i++)
        {
          char c = s[i];
          if (c == '.')
            {
              if (start || s[i - 1] == '-')
                return false;
              start = true;
              continue;
            }
          if (!(is_alnum (c) || (c == '-' && !start)))
            return false;
          start = false;
        }
      if (start || s[i - 1] == '-')
        return false;
    }
  if (i == n)
    return true;
  if (s[i] != ':' || i + 1 == n)
    return false;
  for (i++; i < n; i++)
    if (!(s[i] >= '0' && s[i] <= '9'))
      return false;
  return true;
}

static bool
valid_tag (const char *s)
{
  size_t n = strlen (s);
  if (n == 0 || n > 128 || !(is_alnum (s[0]) || s[0] == '_'))
    return false;
  for (size_t i = 1; i < n; i++)
    if (!(is_alnum (s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-'))
      return false;
  return true;
}

static bool
valid_digest (const char *s)
{
  const char *colon = strchr (s, ':');
  if (colon == NULL || colon == s)
    return false;
  for (const char *p = s; p < colon; p++)
    if (!(is_alnum (*p) || ((*p == '-' || *p == '_' || *p == '+' || *p == '.') && p > s)))
      return false;
  size_t hl = strlen (colon + 1);
  if (hl < 32)
    return false;
  for (const char *p = colon + 1; *p; p++)
    if (!is_hex (*p))
      return false;
  if (strncmp (s, "sha256:", 7) == 0 && hl != 64)
    return false;
  if (strncmp (s, "sha512:", 7) == 0 && hl != 128)
    return false;
  return true;
}

void
pc_ref_clear (struct pc_ref *r)
{
  free (r->domain);
  free (r->path);
  free (r->tag);
  free (r->digest);
  memset (r, 0, sizeof *r);
}

static int
bad (pc_error **err, const char *why)
{
  if (why)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid reference format: %s", why);
  return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid reference format");
}

int
pc_ref_parse (const char *s, struct pc_ref *out, pc_error **err)
{
  memset (out, 0, sizeof *out);
  if (s == NULL || *s == '\0')
    return bad (err, NULL);
  pc_autofree char *buf = xstrdup (s);
  char *at = strchr (buf, '@');
  pc_autofree char *digest = NULL, *tag = NULL;
  if (at)
    {
      *at = '\0';
      if (!valid_digest (at + 1))
        return bad (err, NULL);
      digest = xstrdup (at + 1);
    }
  char *slash = strrchr (buf, '/');
  char *colon = strrchr (slash ? slash : buf, ':');
  if (colon)
    {
      *colon = '\0';
      if (!valid_tag (colon + 1))
        return bad (err, NULL);
      tag = xstrdup (colon + 1);
    }
  if (strlen (buf) > NAME_MAX_LEN)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "repository name must not be more than %d characters", NAME_MAX_LEN);
  /* The domain: a first component with '.' or ':', "localhost", or any
     upper-case letter (as splitDockerDomain). */
  char *first = strchr (buf, '/');
  char *path = buf;
  pc_autofree char *domain = NULL;
  if (first)
    {
      size_t dn = (size_t) (first - buf);
      bool has_upper = false;
      for (size_t i = 0; i < dn; i++)
        if (buf[i] >= 'A' && buf[i] <= 'Z')
          has_upper = true;
      if (memchr (buf, '.', dn) || memchr (buf, ':', dn) || (dn == 9 && strncmp (buf, "localhost", 9) == 0)
          || has_upper)
        {
          if (!valid_domain (buf, dn))
            return bad (err, NULL);
          domain = xstrndup (buf, dn);
          path = first + 1;
        }
    }
  bool upper = false;
  for (char *p = path;;)
    {
      char *e = strchr (p, '/');
      size_t n = e ? (size_t) (e - p) : strlen (p);
      if (!valid_component (p, n, &upper))
        return bad (err, NULL);
      if (e == NULL)
        break;
      p = e + 1;
    }
  if (upper)
    return bad (err, "repository name must be lowercase");
  out->domain = steal_pointer (&domain);
  out->path = xstrdup (path);
  out->tag = steal_pointer (&tag);
  out->digest = steal_pointer (&digest);
  return 0;
}

int
pc_ref_parse_normalized (const char *s, struct pc_ref *out, pc_error **err)
{
  if (pc_ref_parse (s, out, err) < 0)
    return -1;
  if (out->domain && strcmp (out->domain, "index.docker.io") == 0)
    {
      free (out->domain);
      out->domain = NULL;
    }
  if (out->domain == NULL)
    out->domain = xstrdup ("docker.io");
  if (strcmp (out->domain, "docker.io") == 0)
    {
      if (strchr (out->path, '/') == NULL)
        {
          char *p = xasprintf ("library/%s", out->path);
          free (out->path);
          out->path = p;
        }
    }
  if (strlen (out->domain) + 1 + strlen (out->path) > NAME_MAX_LEN)
    {
      pc_ref_clear (out);
      return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                             "repository name must not be more than %d characters", NAME_MAX_LEN);
    }
  return 0;
}

char *
pc_ref_format (const struct pc_ref *r, bool with_latest)
{
  const char *tag = r->tag ? r->tag : (with_latest && r->digest == NULL ? "latest" : NULL);
  return xasprintf ("%s%s%s%s%s%s%s", r->domain ? r->domain : "", r->domain ? "/" : "", r->path,
                    tag ? ":" : "", tag ? tag : "", r->digest ? "@" : "",
                    r->digest ? r->digest : "");
}
