/* Credentials as podman 4.3 reads them (containers/image 5.23
   pkg/docker/config, containers-auth.json(5)): which files in which order,
   which key of a file matches a registry or repository, docker's forms
   (config.json's "auths" with base64 "auth" and "identitytoken", URL keys,
   the legacy ~/.dockercfg). Writing is in auth-file.c. Nothing here logs
   or puts a password in an error message. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/registry/config.h"
#include "pkg/registry/registry.h"
#include "pkg/storage/storage.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
pc_base64_encode (const void *data, size_t len)
{
  const unsigned char *s = data;
  char *out = xmalloc ((len + 2) / 3 * 4 + 1), *o = out;
  for (size_t i = 0; i < len; i += 3)
    {
      unsigned v = (unsigned) s[i] << 16 | (i + 1 < len ? (unsigned) s[i + 1] << 8 : 0)
                   | (i + 2 < len ? s[i + 2] : 0);
      *o++ = b64[v >> 18 & 63];
      *o++ = b64[v >> 12 & 63];
      *o++ = i + 1 < len ? b64[v >> 6 & 63] : '=';
      *o++ = i + 2 < len ? b64[v & 63] : '=';
    }
  *o = '\0';
  return out;
}

int
pc_base64_decode (const char *s, char **out, size_t *len)
{
  size_t n = strlen (s);
  *out = NULL;
  if (n % 4 != 0)
    return -1;
  char *buf = xmalloc (n / 4 * 3 + 1);
  size_t o = 0;
  for (size_t i = 0; i < n; i += 4)
    {
      unsigned v = 0;
      int pad = 0;
      for (int j = 0; j < 4; j++)
        {
          char c = s[i + j];
          const char *p = c ? strchr (b64, c) : NULL;
          if (c == '=' && i + 4 == n && j >= 2 && (j == 3 || s[i + 3] == '='))
            pad++, v <<= 6;
          else if (p == NULL || pad)
            {
              explicit_bzero (buf, n / 4 * 3 + 1);
              free (buf);
              return -1;
            }
          else
            v = v << 6 | (unsigned) (p - b64);
        }
      buf[o++] = (char) (v >> 16);
      if (pad < 2)
        buf[o++] = (char) (v >> 8 & 255);
      if (pad < 1)
        buf[o++] = (char) (v & 255);
    }
  buf[o] = '\0';
  *out = buf;
  if (len)
    *len = o;
  return 0;
}

static void
wipe_free (char *s)
{
  if (s)
    {
      explicit_bzero (s, strlen (s));
      free (s);
    }
}

void
pc_auth_entry_clear (struct pc_auth_entry *e)
{
  free (e->user);
  wipe_free (e->password);
  wipe_free (e->identity_token);
  free (e->key);
  free (e->path);
  memset (e, 0, sizeof *e);
}

/* The file login writes: --authfile, REGISTRY_AUTH_FILE, or the runtime dir's. */
static char *
primary_path (const char *authfile)
{
  if (authfile && *authfile)
    return xstrdup (authfile);
  const char *env = getenv ("REGISTRY_AUTH_FILE");
  if (env && *env)
    return xstrdup (env);
  const char *rt = getenv ("XDG_RUNTIME_DIR");
  if (rt && *rt)
    return xasprintf ("%s/containers/auth.json", rt);
  return xasprintf ("/run/containers/%u/auth.json", (unsigned) pc_storage_real_uid ());
}

char **
pc_auth_paths (const char *authfile)
{
  char **v = NULL;
  pc_strv_append_take (&v, primary_path (authfile));
  const char *home = getenv ("HOME");
  const char *xdg = getenv ("XDG_CONFIG_HOME");
  if (xdg && *xdg)
    pc_strv_append_take (&v, xasprintf ("%s/containers/auth.json", xdg));
  else if (home)
    pc_strv_append_take (&v, xasprintf ("%s/.config/containers/auth.json", home));
  const char *dc = getenv ("DOCKER_CONFIG");
  if (dc && *dc)
    pc_strv_append_take (&v, xasprintf ("%s/config.json", dc));
  else if (home)
    pc_strv_append_take (&v, xasprintf ("%s/.docker/config.json", home));
  if (home)
    pc_strv_append_take (&v, xasprintf ("%s/.dockercfg", home));
  return v;
}

json_object *
pc_auth_read_file (const char *path, pc_error **err)
{
  pc_autoerror pc_error *e = NULL;
  json_object *o = pc_json_read_file_max (AT_FDCWD, path, 1 << 20, &e);
  if (o == NULL)
    {
      if (e && e->status == ENOENT)
        return NULL;
      pc_error_makec (err, PC_ERR_INVALID, e ? e->status : EINVAL, "reading JSON file \"%s\": %s", path,
                      e ? e->msg : "invalid");
      return NULL;
    }
  if (!json_object_is_type (o, json_type_object))
    {
      json_object_put (o);
      pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                      "reading JSON file \"%s\": unmarshaling JSON at \"%s\": not an object", path, path);
      return NULL;
    }
  return o;
}

/* normalizeAuthFileKey: "https://host/v1/" -> "host" (the path is cut
   only from a URL or in the legacy file); index.docker.io is docker.io. */
static char *
normalize_key (const char *k, bool legacy)
{
  bool url = false;
  if (strncmp (k, "http://", 7) == 0)
    k += 7, url = true;
  else if (strncmp (k, "https://", 8) == 0)
    k += 8, url = true;
  char *h = url || legacy ? xstrndup (k, strcspn (k, "/")) : xstrdup (k);
  if (strcmp (h, "index.docker.io") == 0)
    {
      free (h);
      h = xstrdup ("docker.io");
    }
  return h;
}

/* 1 filled, 0 entry unusable (skipped as docker does), -1 error. */
static int
decode_entry (const char *path, const char *key, json_object *v, struct pc_auth_entry *out,
              pc_error **err)
{
  if (!json_object_is_type (v, json_type_object))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "reading JSON file \"%s\": entry \"%s\" is not an object",
                           path, key);
  const char *auth = pc_json_get_string (v, "auth");
  const char *token = pc_json_get_string (v, "identitytoken");
  pc_autofree char *dec = NULL;
  if (auth && *auth)
    {
      size_t len;
      if (pc_base64_decode (auth, &dec, &len) < 0 || strlen (dec) != len)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "reading JSON file \"%s\": the \"auth\" of \"%s\" is not valid base64", path, key);
    }
  char *colon = dec ? strchr (dec, ':') : NULL;
  if (colon == NULL && !(token && *token))
    {
      if (dec)
        explicit_bzero (dec, strlen (dec));
      return 0;
    }
  memset (out, 0, sizeof *out);
  if (colon)
    {
      *colon = '\0';
      out->user = xstrdup (dec);
      out->password = xstrdup (colon + 1);
      explicit_bzero (colon + 1, strlen (colon + 1));
    }
  if (token && *token)
    out->identity_token = xstrdup (token);
  out->key = xstrdup (key);
  out->path = xstrdup (path);
  return 1;
}

static int
lookup_file (const char *path, bool legacy, const char *key, struct pc_auth_entry *out, pc_error **err)
{
  pc_autojson json_object *root = pc_auth_read_file (path, err);
  if (root == NULL)
    return err && *err ? -1 : 0;
  json_object *auths = legacy ? root : pc_json_get_object (root, "auths");
  if (auths == NULL)
    return 0;
  pc_autofree char *host = xstrndup (key, strcspn (key, "/"));
  /* key, its namespaces, its host: most specific first (not for the legacy file). */
  pc_autofree char *k = xstrdup (legacy ? host : key);
  for (;;)
    {
      json_object *v;
      if (json_object_object_get_ex (auths, k, &v))
        {
          int r = decode_entry (path, k, v, out, err);
          if (r != 0)
            return r;
        }
      char *slash = strrchr (k, '/');
      if (slash == NULL)
        break;
      *slash = '\0';
    }
  pc_autofree char *nhost = normalize_key (host, false);
  json_object_object_foreach (auths, ak, av)
    {
      pc_autofree char *n = normalize_key (ak, legacy);
      if (strcmp (n, nhost) == 0 && strcmp (ak, host) != 0)
        {
          int r = decode_entry (path, ak, av, out, err);
          if (r != 0)
            return r;
        }
    }
  return 0;
}

int
pc_auth_lookup (const char *authfile, const char *key, struct pc_auth_entry *out, pc_error **err)
{
  memset (out, 0, sizeof *out);
  pc_autostrv char **paths = pc_auth_paths (authfile);
  size_t n = pc_strv_len (paths);
  for (size_t i = 0; i < n; i++)
    {
      int r = lookup_file (paths[i], i == n - 1, key, out, err);
      if (r != 0)
        return r;
    }
  return 0;
}

int
pc_auth_parse_key (const char *arg, char **key, char **host, pc_error **err)
{
  *key = *host = NULL;
  const char *s = arg;
  bool url = false;
  if (strncmp (s, "http://", 7) == 0)
    s += 7, url = true;
  else if (strncmp (s, "https://", 8) == 0)
    s += 8, url = true;
  pc_autofree char *k = url ? xstrndup (s, strcspn (s, "/")) : xstrdup (s);
  if (*k == '\0')
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid registry \"%s\"", arg);
  char *slash = strchr (k, '/');
  if (slash)
    {
      struct pc_ref r;
      pc_autoerror pc_error *e = NULL;
      if (pc_ref_parse_normalized (k, &r, &e) < 0)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "parse reference from \"%s\": %s", k, e->msg);
      bool tagged = r.tag || r.digest;
      bool same = strncmp (k, r.domain, strlen (r.domain)) == 0 && k[strlen (r.domain)] == '/';
      pc_autofree char *dom = xstrdup (r.domain);
      pc_ref_clear (&r);
      if (tagged)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "reference \"%s\" contains tag or digest", k);
      if (!same)
        {
          pc_autofree char *given = xstrndup (k, (size_t) (slash - k));
          return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                                 "key registry \"%s\" does not match reference registry \"%s\"", given, dom);
        }
    }
  *host = xstrndup (k, strcspn (k, "/"));
  *key = steal_pointer (&k);
  return 0;
}

/* ---- registry.h's hook ---- */

int
pc_registry_credentials (const char *authfile, const char *host, struct pc_registry_creds *out,
                         pc_error **err)
{
  memset (out, 0, sizeof *out);
  struct pc_auth_entry e;
  int r = pc_auth_lookup (authfile, host, &e, err);
  if (r <= 0)
    return r;
  out->user = steal_pointer (&e.user);
  out->password = steal_pointer (&e.password);
  out->identity_token = steal_pointer (&e.identity_token);
  pc_auth_entry_clear (&e);
  return 1;
}
