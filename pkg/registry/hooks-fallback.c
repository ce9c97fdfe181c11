/* Stand-ins for the configuration hooks of registry.h until
   registries.conf and auth.json support lands (config*.c, auth*.c): only
   fully-qualified names, no per-registry settings, no stored credentials. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "pkg/registry/registry.h"

static bool
has_host (const char *n)
{
  const char *slash = strchr (n, '/');
  if (slash == NULL)
    return false;
  size_t len = (size_t) (slash - n);
  return memchr (n, '.', len) || memchr (n, ':', len) || (len == 9 && strncmp (n, "localhost", 9) == 0);
}

int
pc_registry_resolve_name (const char *input, char ***candidates, pc_error **err)
{
  *candidates = NULL;
  if (input == NULL || *input == '\0')
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "empty image name");
  if (!has_host (input))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "short-name \"%s\" did not resolve to an alias and no unqualified-search registries are defined in \"/etc/containers/registries.conf\"",
                           input);
  if (strncmp (input, "localhost/", 10) == 0)
    return 0;
  const char *slash = strchr (input, '/');
  const char *last = strrchr (input, '/');
  bool tagged = strchr (input, '@') || strchr (last > slash ? last : slash, ':');
  char *c = tagged ? xstrdup (input) : xasprintf ("%s:latest", input);
  pc_strv_append_take (candidates, c);
  return 0;
}

int
pc_registry_host_config (const char *ref, struct pc_registry_host_conf *out, pc_error **err)
{
  (void) ref;
  (void) err;
  memset (out, 0, sizeof *out);
  return 0;
}

void
pc_registry_host_conf_clear (struct pc_registry_host_conf *c)
{
  free (c->location);
  for (char **m = c->mirrors; m && *m; m++)
    free (*m);
  free (c->mirrors);
  free (c->mirror_insecure);
  memset (c, 0, sizeof *c);
}

int
pc_registry_credentials (const char *authfile, const char *host, struct pc_registry_creds *out,
                         pc_error **err)
{
  (void) authfile;
  (void) host;
  (void) err;
  memset (out, 0, sizeof *out);
  return 0;
}
