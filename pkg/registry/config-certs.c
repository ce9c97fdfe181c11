/* The certs.d directory of a registry (containers-certs.d(5), as
   containers/image 5.23 dockerCertDir and tlsclientconfig.SetupCertificates
   read it): --cert-dir alone when given; else the first directory that
   exists of ~/.config/containers/certs.d/HOST[:PORT],
   /etc/containers/certs.d/HOST[:PORT] and /etc/docker/certs.d/HOST[:PORT]
   (not a merge: the first found is used). In it, *.crt are CAs added to the
   system's, and NAME.cert with NAME.key a client certificate. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/registry/config.h"

void
pc_certs_clear (struct pc_certs *c)
{
  free (c->dir);
  pc_strv_free (c->ca_files);
  pc_strv_free (c->certs);
  pc_strv_free (c->keys);
  memset (c, 0, sizeof *c);
}

static bool
ends_with (const char *s, const char *suffix)
{
  size_t n = strlen (s), m = strlen (suffix);
  return n > m && strcmp (s + n - m, suffix) == 0;
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static int
read_dir (const char *dir, struct pc_certs *out, pc_error **err)
{
  pc_autoclosedir DIR *d = opendir (dir);
  if (d == NULL)
    {
      if (errno == ENOENT)
        return 0;
      return pc_error_errnoc (err, PC_ERR_PERMISSION, errno, "open %s", dir);
    }
  pc_autostrv char **names = NULL;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    if (de->d_name[0] != '.')
      pc_strv_append (&names, de->d_name);
  size_t n = pc_strv_len (names);
  if (n)
    qsort (names, n, sizeof *names, cmp_str);
  for (size_t i = 0; i < n; i++)
    {
      const char *name = names[i];
      pc_autofree char *path = xasprintf ("%s/%s", dir, name);
      if (ends_with (name, ".crt"))
        {
          pc_debug (" crt: %s", path);
          pc_strv_append (&out->ca_files, path);
        }
      else if (ends_with (name, ".cert"))
        {
          pc_autofree char *key = xasprintf ("%.*s.key", (int) (strlen (name) - 5), name);
          pc_autofree char *keypath = xasprintf ("%s/%s", dir, key);
          struct stat st;
          if (stat (keypath, &st) < 0)
            return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                                   "missing key %s for client certificate %s. Note that CA certificates should use the extension .crt",
                                   key, name);
          pc_debug (" cert: %s", path);
          pc_strv_append (&out->certs, path);
          pc_strv_append (&out->keys, keypath);
        }
      else if (ends_with (name, ".key"))
        {
          pc_autofree char *cert = xasprintf ("%.*s.cert", (int) (strlen (name) - 4), name);
          pc_autofree char *certpath = xasprintf ("%s/%s", dir, cert);
          struct stat st;
          if (stat (certpath, &st) < 0)
            return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                                   "missing client certificate %s for key %s", cert, name);
        }
    }
  out->dir = xstrdup (dir);
  return 0;
}

int
pc_certs_for_host (const char *host, const char *cert_dir, struct pc_certs *out, pc_error **err)
{
  memset (out, 0, sizeof *out);
  if (cert_dir && *cert_dir)
    {
      if (read_dir (cert_dir, out, err) < 0)
        {
          pc_certs_clear (out);
          return -1;
        }
      return 0;
    }
  if (host == NULL || *host == '\0' || strchr (host, '/') || strcmp (host, "..") == 0)
    return 0;
  const char *home = getenv ("HOME");
  pc_autofree char *user = home && *home ? xasprintf ("%s/.config/containers/certs.d", home) : NULL;
  const char *dirs[] = { user, "/etc/containers/certs.d", "/etc/docker/certs.d" };
  for (size_t i = 0; i < 3; i++)
    {
      if (dirs[i] == NULL)
        continue;
      pc_autofree char *d = xasprintf ("%s/%s", dirs[i], host);
      struct stat st;
      if (stat (d, &st) < 0)
        {
          if (errno == ENOENT || errno == EACCES || errno == ENOTDIR)
            continue;
          return pc_error_errnoc (err, PC_ERR_PERMISSION, errno, "stat %s", d);
        }
      pc_debug ("Looking for TLS certificates and private keys in %s", d);
      if (read_dir (d, out, err) < 0)
        {
          pc_certs_clear (out);
          return -1;
        }
      return 0;
    }
  return 0;
}
