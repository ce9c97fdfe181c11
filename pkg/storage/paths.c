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

char *
pc_storage_default_root (void)
{
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
  if (geteuid () == 0 && getenv ("_PC_USERNS") == NULL)
    return xstrdup ("/run/pc");
  const char *xdg = getenv ("XDG_RUNTIME_DIR");
  if (xdg && xdg[0] == '/' && access (xdg, W_OK) == 0)
    return xasprintf ("%s/pc", xdg);
  return xasprintf ("/tmp/pc-%u", (unsigned) pc_storage_real_uid ());
}

/* Reads `driver = "NAME"` from a storage.conf (TOML, as containers/storage's). */
static char *
conf_driver (const char *path)
{
  pc_autofclose FILE *f = fopen (path, "re");
  if (f == NULL)
    return NULL;
  char line[512];
  while (fgets (line, sizeof line, f))
    {
      char *p = line;
      while (*p == ' ' || *p == '\t')
        p++;
      if (strncmp (p, "driver", 6) != 0)
        continue;
      p += 6;
      while (*p == ' ' || *p == '\t')
        p++;
      if (*p != '=')
        continue;
      p++;
      while (*p == ' ' || *p == '\t' || *p == '"' || *p == '\'')
        p++;
      size_t n = strcspn (p, "\"'\n \t#");
      if (n == 0)
        continue;
      return xstrndup (p, n);
    }
  return NULL;
}

char *
pc_storage_configured_driver (void)
{
  const char *env = getenv ("PC_STORAGE_DRIVER");
  if (env && *env)
    return xstrdup (env);
  char *d = NULL;
  const char *xdg = getenv ("XDG_CONFIG_HOME");
  const char *home = getenv ("HOME");
  pc_autofree char *user_conf = NULL;
  if (xdg && xdg[0] == '/')
    user_conf = xasprintf ("%s/pc/storage.conf", xdg);
  else if (home && *home)
    user_conf = xasprintf ("%s/.config/pc/storage.conf", home);
  /* Root in pc's user namespace is still the user: their file counts. */
  if (user_conf && pc_storage_real_uid () != 0)
    d = conf_driver (user_conf);
  if (d == NULL)
    d = conf_driver ("/etc/pc/storage.conf");
  return d;
}
