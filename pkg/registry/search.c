/* pc search (the /v2/_catalog of a registry, as containers/image falls back
   to when the registry has no v1 search) and pc manifest inspect (a
   manifest or index as the registry serves it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/registry/internal.h"

#define MT_ACCEPT \
  "Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, " \
  "application/vnd.docker.distribution.manifest.v2+json, " \
  "application/vnd.docker.distribution.manifest.list.v2+json"

/* The next page of a paginated list: Link: </v2/...?last=x&n=y>; rel="next"
   is not among the headers the client keeps, so pages are asked with
   ?n=&last= until one comes back short. */
#define PAGE 1000

static struct pc_registry_client *
new_client (const char *host, const struct pc_registry_opts *o, pc_error **err)
{
  struct pc_registry_host_conf hc = { 0 };
  pc_autofree char *probe = xasprintf ("%s/x", host);
  if (pc_registry_host_config (probe, &hc, err) < 0)
    return NULL;
  struct pc_registry_opts opts = o ? *o : (struct pc_registry_opts) { .retries = -1 };
  if (hc.insecure)
    opts.tls_verify_off = true;
  pc_registry_host_conf_clear (&hc);
  struct pc_registry_client *c = NULL;
  if (pc_registry_client_new (host, &opts, &c, err) < 0)
    return NULL;
  return c;
}

static int
get_list (struct pc_registry_client *c, const char *repo, const char *base, const char *key,
          size_t limit, char ***out, pc_error **err)
{
  pc_autostrv char **all = NULL;
  pc_autofree char *last = NULL;
  for (;;)
    {
      pc_autofree char *path = last ? xasprintf ("%s?n=%d&last=%s", base, PAGE, last)
                                     : xasprintf ("%s?n=%d", base, PAGE);
      struct pc_registry_request rq = { .method = "GET", .repo = repo, .actions = "pull",
                                        .path = path };
      if (repo == NULL)
        {
          rq.repo = "registry:catalog";
          rq.actions = "*";
        }
      struct pc_registry_response r = { .content_length = -1 };
      if (pc_registry_request (c, &rq, &r, err) < 0)
        {
          pc_registry_response_clear (&r);
          return -1;
        }
      if (r.status != 200)
        {
          pc_autofree char *w = xasprintf ("%s/%s", pc_registry_client_host (c), base);
          pc_registry_status_error (&r, w, err);
          pc_registry_response_clear (&r);
          return -1;
        }
      pc_autojson json_object *o = pc_json_parse (r.body ? r.body : "", r.body_len, err);
      pc_registry_response_clear (&r);
      if (o == NULL)
        return pc_error_wrap (err, "%s/%s", pc_registry_client_host (c), base);
      json_object *a = pc_json_get_array (o, key);
      size_t n = pc_json_array_len (a);
      for (size_t i = 0; i < n; i++)
        {
          const char *s = pc_json_array_string_at (a, i);
          if (s && *s && strlen (s) < 256 && !strpbrk (s, "\r\n\t \x1b"))
            pc_strv_append (&all, s);
        }
      if (n < PAGE || pc_strv_len (all) >= limit || n == 0)
        break;
      const char *l = pc_json_array_string_at (a, n - 1);
      if (l == NULL || (last && strcmp (l, last) == 0))
        break;
      free (last);
      last = xstrdup (l);
    }
  *out = steal_pointer (&all);
  return 0;
}

int
pc_registry_catalog (const char *host, const struct pc_registry_opts *o, char ***repos,
                     pc_error **err)
{
  struct pc_registry_client *c = new_client (host, o, err);
  if (c == NULL)
    return -1;
  int r = get_list (c, NULL, "_catalog", "repositories", 100000, repos, err);
  pc_registry_client_free (c);
  if (r < 0)
    return pc_error_wrap (err, "couldn't search registry \"%s\"", host);
  return 0;
}

int
pc_registry_tags (const char *host, const char *repo, const struct pc_registry_opts *o,
                  char ***tags, pc_error **err)
{
  struct pc_registry_client *c = new_client (host, o, err);
  if (c == NULL)
    return -1;
  pc_autofree char *base = xasprintf ("%s/tags/list", repo);
  int r = get_list (c, repo, base, "tags", 100000, tags, err);
  pc_registry_client_free (c);
  if (r < 0)
    return pc_error_wrap (err, "getting repository tags for %s/%s", host, repo);
  return 0;
}

int
pc_registry_manifest_raw (const char *ref, const struct pc_registry_opts *o, char **body,
                          size_t *len, char **media_type, pc_error **err)
{
  struct pc_registry_ref r;
  if (pc_registry_ref_parse (ref, &r, err) < 0)
    return -1;
  int ret = -1;
  static const char *const hdrs[] = { MT_ACCEPT, NULL };
  const char *what = r.digest ? r.digest : r.tag;
  pc_autofree char *path = xasprintf ("%s/manifests/%s", r.repo, what);
  struct pc_registry_response resp = { .content_length = -1 };
  struct pc_registry_client *c = new_client (r.host, o, err);
  if (c == NULL)
    goto out_resp;
  struct pc_registry_request rq = { .method = "GET", .repo = r.repo, .actions = "pull",
                                    .path = path, .headers = hdrs };
  if (pc_registry_request (c, &rq, &resp, err) < 0)
    {
      pc_error_wrap (err, "reading manifest %s in %s/%s", what, r.host, r.repo);
      goto out_resp;
    }
  if (resp.status != 200)
    {
      pc_autofree char *w = xasprintf ("reading manifest %s in %s/%s", what, r.host, r.repo);
      pc_registry_status_error (&resp, w, err);
      goto out_resp;
    }
  if (r.digest)
    {
      char hex[65];
      pc_sha256_hex (resp.body ? resp.body : "", resp.body_len, hex);
      if (strcmp (hex, r.digest + 7) != 0)
        {
          pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s: manifest digest mismatch: the content is sha256:%s",
                          ref, hex);
          goto out_resp;
        }
    }
  *media_type = resp.content_type ? xstrndup (resp.content_type, strcspn (resp.content_type, "; ")) : NULL;
  *body = resp.body ? steal_pointer (&resp.body) : xstrdup ("");
  *len = resp.body_len;
  ret = 0;
out_resp:
  pc_registry_response_clear (&resp);
  pc_registry_client_free (c);
  pc_registry_ref_clear (&r);
  return ret;
}
