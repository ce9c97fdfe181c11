/* Image references as podman reads them: "busybox" is
   docker.io/library/busybox:latest, "localhost/x" stays local, and
   "name@sha256:..." pins a manifest digest. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/storage/store-private.h"

static bool
is_hex (const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return false;
  return true;
}

static bool
valid_path_char (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
         || c == '-' || c == '/';
}

static bool
valid_tag (const char *t)
{
  size_t n = strlen (t);
  if (n == 0 || n > 128 || !(isalnum ((unsigned char) t[0]) || t[0] == '_'))
    return false;
  for (size_t i = 0; i < n; i++)
    if (!(isalnum ((unsigned char) t[i]) || t[i] == '_' || t[i] == '.' || t[i] == '-'))
      return false;
  return true;
}

int
pc_ref_normalize (const char *ref, char **out, pc_error **err)
{
  if (ref == NULL || *ref == '\0')
    return pc_error_make (err, EINVAL, "invalid reference format: repository name must have at least one component");
  pc_autofree char *name = xstrdup (ref);
  char *digest = strchr (name, '@');
  if (digest)
    {
      *digest++ = '\0';
      if (strncmp (digest, "sha256:", 7) != 0 || strlen (digest) != 71
          || !is_hex (digest + 7, 64))
        return pc_error_make (err, EINVAL, "invalid reference format: `%s` has an invalid digest", ref);
    }
  char *slash = strrchr (name, '/');
  char *colon = strrchr (slash ? slash : name, ':');
  char *tag = NULL;
  if (colon)
    {
      *colon = '\0';
      tag = colon + 1;
      if (!valid_tag (tag))
        return pc_error_make (err, EINVAL, "invalid reference format: `%s`", ref);
    }
  if (*name == '\0')
    return pc_error_make (err, EINVAL, "invalid reference format: `%s`", ref);

  /* Domain: the first component when it looks like a host. */
  const char *domain = NULL;
  const char *path = name;
  char *first = strchr (name, '/');
  if (first)
    {
      size_t n = (size_t) (first - name);
      if (memchr (name, '.', n) || memchr (name, ':', n) || (n == 9 && strncmp (name, "localhost", 9) == 0))
        {
          *first = '\0';
          domain = name;
          path = first + 1;
        }
    }
  for (const char *p = path; *p; p++)
    if (!valid_path_char (*p))
      {
        if (isupper ((unsigned char) *p))
          return pc_error_make (err, EINVAL, "invalid reference format: repository name (%s) must be lowercase", ref);
        return pc_error_make (err, EINVAL, "invalid reference format: `%s`", ref);
      }
  if (*path == '\0' || path[strlen (path) - 1] == '/' || strstr (path, "//"))
    return pc_error_make (err, EINVAL, "invalid reference format: `%s`", ref);

  const char *lib = "";
  if (domain == NULL)
    {
      domain = "docker.io";
      if (strchr (path, '/') == NULL)
        lib = "library/";
    }
  else if (strcmp (domain, "index.docker.io") == 0)
    domain = "docker.io";
  if (strcmp (domain, "docker.io") == 0 && strchr (path, '/') == NULL)
    lib = "library/";
  pc_autofree char *full = digest ? xasprintf ("%s/%s%s@%s", domain, lib, path, digest)
                                  : xasprintf ("%s/%s%s:%s", domain, lib, path, tag ? tag : "latest");
  /* The store keeps a name as one file name (names/, '/' and '%' written
     as %XX): a longer one could be recorded but never linked. */
  size_t esc_len = 0;
  for (const char *p = full; *p; p++)
    esc_len += (*p == '/' || *p == '%') ? 3 : 1;
  if (esc_len > 255)
    return pc_error_makec (err, PC_ERR_INVALID, ENAMETOOLONG,
                           "invalid reference format: `%.80s...` is too long (%zu characters; at most 255 once each '/' counts 3)",
                           ref, esc_len);
  *out = steal_pointer (&full);
  return 0;
}

/* Splits a normalized name into repository and tag/digest (either may be
   NULL in the output). */
void
pc_ref_split (const char *norm, char **repo, char **tag, char **digest)
{
  const char *at = strchr (norm, '@');
  const char *end = at ? at : norm + strlen (norm);
  const char *slash = memrchr (norm, '/', (size_t) (end - norm));
  const char *colon = memrchr (slash ? slash : norm, ':', (size_t) (end - (slash ? slash : norm)));
  if (repo)
    *repo = xstrndup (norm, (size_t) ((colon ? colon : end) - norm));
  if (tag)
    *tag = colon ? xstrndup (colon + 1, (size_t) (end - colon - 1)) : NULL;
  if (digest)
    *digest = at ? xstrdup (at + 1) : NULL;
}

/* True when a ref was typed without a registry ("busybox", "ns/img:tag"). */
bool
pc_ref_is_short (const char *ref)
{
  const char *first = strchr (ref, '/');
  if (first == NULL)
    return true;
  size_t n = (size_t) (first - ref);
  return !(memchr (ref, '.', n) || memchr (ref, ':', n) || (n == 9 && strncmp (ref, "localhost", 9) == 0));
}
