/* TLS for a registry: the system CAs plus the host's certs.d directory
   (as containers/image reads it): *.crt are CAs added to the system ones,
   NAME.cert + NAME.key a client certificate. --cert-dir replaces the
   certs.d lookup. --tls-verify=false turns verification off. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/registry/config.h"
#include "pkg/registry/internal.h"

#define SYSTEM_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

void
reg_curl_global_init (void)
{
  curl_global_init (CURL_GLOBAL_DEFAULT);
}

static bool
has_suffix (const char *s, const char *suf)
{
  size_t a = strlen (s), b = strlen (suf);
  return a > b && strcmp (s + a - b, suf) == 0;
}

static void
append_file (char **blob, size_t *len, int dfd, const char *name)
{
  pc_autofree char *data = NULL;
  size_t n = 0;
  pc_autoerror pc_error *e = NULL;
  if (pc_read_file_max (dfd, name, 1 << 20, PC_READ_REGULAR, &data, &n, &e) < 0)
    {
      pc_warn ("certificate %s: %s", name, e->msg);
      return;
    }
  *blob = xrealloc (*blob, *len + n + 2);
  memcpy (*blob + *len, data, n);
  *len += n;
  (*blob)[(*len)++] = '\n';
  (*blob)[*len] = '\0';
}

/* Reads one certs.d directory; true when it exists. */
static bool
load_dir (struct pc_registry_client *c, const char *path, char **blob, size_t *len)
{
  pc_autoclose int dfd = open (path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (dfd < 0)
    return false;
  DIR *d = fdopendir (dup (dfd));
  if (d == NULL)
    return false;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (has_suffix (de->d_name, ".crt"))
        append_file (blob, len, dfd, de->d_name);
      else if (has_suffix (de->d_name, ".cert") && c->client_cert == NULL)
        {
          pc_autofree char *base = xstrndup (de->d_name, strlen (de->d_name) - 5);
          pc_autofree char *key = xasprintf ("%s.key", base);
          if (faccessat (dfd, key, R_OK, 0) == 0)
            {
              c->client_cert = xasprintf ("%s/%s", path, de->d_name);
              c->client_key = xasprintf ("%s/%s", path, key);
            }
        }
    }
  closedir (d);
  return true;
}

static void
load_certs (struct pc_registry_client *c)
{
  if (c->ca_loaded)
    return;
  c->ca_loaded = true;
  char *blob = NULL;
  size_t len = 0;
  if (c->opts.cert_dir)
    load_dir (c, c->opts.cert_dir, &blob, &len);
  else
    {
      /* podman's choice of directory (config-certs.c): the first that exists. */
      struct pc_certs pcs;
      pc_autoerror pc_error *e = NULL;
      if (pc_certs_for_host (c->host, NULL, &pcs, &e) < 0)
        pc_warn ("certificates for %s: %s", c->host, e->msg);
      else if (pcs.dir)
        load_dir (c, pcs.dir, &blob, &len);
      pc_certs_clear (&pcs);
    }
  if (blob == NULL)
    return;
  /* The directory's CAs are added to the system's, not put in their place. */
  char *all = NULL;
  size_t alen = 0;
  append_file (&all, &alen, AT_FDCWD, SYSTEM_CA_BUNDLE);
  all = xrealloc (all, alen + len + 1);
  memcpy (all + alen, blob, len);
  all[alen + len] = '\0';
  free (blob);
  c->ca_blob = all;
}

void
reg_tls_setup (struct pc_registry_client *c, CURL *h)
{
  if (c->opts.tls_verify_off)
    {
      curl_easy_setopt (h, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt (h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
  load_certs (c);
  if (c->ca_blob)
    {
      struct curl_blob b = { .data = c->ca_blob, .len = strlen (c->ca_blob), .flags = CURL_BLOB_COPY };
      curl_easy_setopt (h, CURLOPT_CAINFO_BLOB, &b);
    }
  if (c->client_cert)
    {
      curl_easy_setopt (h, CURLOPT_SSLCERT, c->client_cert);
      curl_easy_setopt (h, CURLOPT_SSLKEY, c->client_key);
    }
}
