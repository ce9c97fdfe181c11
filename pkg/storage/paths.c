/* Where the store lives by default, and which driver the user configured. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/storage/storage.h"

/* The user's uid on the host, also inside pc's user namespace (where
   getuid() is 0): the outside id that container root maps to. */
uid_t
pc_storage_real_uid (void)
{
  if (getenv ("_PC_USERNS") == NULL)
    return getuid ();
  pc_autofclose FILE *f = fopen ("/proc/self/uid_map", "re");
  unsigned inside, outside, len;
  if (f && fscanf (f, "%u %u %u", &inside, &outside, &len) == 3 && inside == 0)
    return (uid_t) outside;
  return getuid ();
}

/* From storage.conf (pkg/engine reads it): they come before the defaults. */
static char *cfg_root, *cfg_runroot, *cfg_driver;

void
pc_storage_set_config (const char *root, const char *runroot, const char *driver)
{
  free (cfg_root);
  free (cfg_runroot);
  free (cfg_driver);
  cfg_root = root && *root ? xstrdup (root) : NULL;
  cfg_runroot = runroot && *runroot ? xstrdup (runroot) : NULL;
  cfg_driver = driver && *driver ? xstrdup (driver) : NULL;
}

char *
pc_storage_default_root (void)
{
  if (cfg_root)
    return xstrdup (cfg_root);
  if (geteuid () == 0 && getenv ("_PC_USERNS") == NULL)
    return xstrdup ("/var/lib/pc/storage");
  const char *xdg = getenv ("XDG_DATA_HOME");
  if (xdg && xdg[0] == '/')
    return xasprintf ("%s/pc/storage", xdg);
  const char *home = getenv ("HOME");
  if (home == NULL || home[0] == '\0')
    home = "/";
  return xasprintf ("%s/.local/share/pc/storage", home);
}

char *
pc_storage_default_runroot (void)
{
  if (cfg_runroot)
    return xstrdup (cfg_runroot);
  if (geteuid () == 0 && getenv ("_PC_USERNS") == NULL)
    return xstrdup ("/run/pc");
  const char *xdg = getenv ("XDG_RUNTIME_DIR");
  if (xdg && xdg[0] == '/' && access (xdg, W_OK) == 0)
    return xasprintf ("%s/pc", xdg);
  return xasprintf ("/tmp/pc-%u", (unsigned) pc_storage_real_uid ());
}

char *
pc_storage_configured_driver (void)
{
  const char *env = getenv ("PC_STORAGE_DRIVER");
  if (env && *env)
    return xstrdup (env);
  return cfg_driver ? xstrdup (cfg_driver) : NULL;
}
