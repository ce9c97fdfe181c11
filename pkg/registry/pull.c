/* pc pull: a reference's manifest (an index or list resolved to one
   platform), its config, its layers into the store as they download, then
   the image registered at once. Nothing is listed until everything is
   verified. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "lib/cleanup.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/registry/internal.h"
#include "pkg/storage/storage.h"

#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"

void
pc_registry_ref_clear (struct pc_registry_ref *r)
{
  free (r->host);
  free (r->repo);
  free (r->tag);
  free (r->digest);
  memset (r, 0, sizeof *r);
}

static bool
valid_repo (const char *r)
{
  if (*r == '\0' || strlen (r) > 255)
    return false;
  for (const char *p = r; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr ("._-/", *p)))
      return false;
  return r[0] != '/' && r[strlen (r) - 1] != '/' && strstr (r, "//") == NULL;
}

static bool
valid_digest (const char *d)
{
  if (d == NULL || strncmp (d, "sha256:", 7) != 0 || strlen (d) != 71)
    return false;
  for (int i = 7; i < 71; i++)
    if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f')))
      return false;
  return true;
}

int
pc_registry_ref_parse (const char *ref, struct pc_registry_ref *out, pc_error **err)
{
  memset (out, 0, sizeof *out);
  const char *slash = strchr (ref, '/');
  if (slash == NULL || slash == ref)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid reference `%s`: no registry", ref);
  out->host = xstrndup (ref, (size_t) (slash - ref));
  pc_autofree char *rest = xstrdup (slash + 1);
  char *at = strchr (rest, '@');
  if (at)
    {
      *at = '\0';
      out->digest = xstrdup (at + 1);
      if (!valid_digest (out->digest))
        {
          pc_registry_ref_clear (out);
          return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid reference `%s`: bad digest", ref);
        }
    }
  char *lslash = strrchr (rest, '/');
  char *colon = strchr (lslash ? lslash : rest, ':');
  if (colon)
    {
      *colon = '\0';
      out->tag = xstrdup (colon + 1);
    }
  out->repo = xstrdup (rest);
  if (strcmp (out->host, "docker.io") == 0 && strchr (out->repo, '/') == NULL)
    {
      char *r = xasprintf ("library/%s", out->repo);
      free (out->repo);
      out->repo = r;
    }
  if (!valid_repo (out->repo) || (out->tag && (*out->tag == '\0' || strlen (out->tag) > 128))
      || (out->tag == NULL && out->digest == NULL))
    {
      pc_registry_ref_clear (out);
      return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid reference `%s`", ref);
    }
  return 0;
}

static void
emit (const struct pc_registry_pull_opts *po, enum pc_registry_event_kind k, const char *name,
      const char *digest, int64_t done, int64_t total, bool is_config)
{
  if (po == NULL || po->event == NULL)
    return;
  struct pc_registry_event ev = { .kind = k, .name = name, .digest = digest, .done = done,
                                  .total = total, .is_config = is_config };
  po->event (&ev, po->event_data);
}

/* GET a manifest (or index) by tag or digest, its digest computed. */
static int
get_manifest (struct pc_registry_client *c, const struct pc_registry_ref *r, const char *ref_name,
              const char *what, char **body, size_t *len, char **mtype, char digest[72],
              pc_error **err)
{
  static const char *const hdrs[] = {
    "Accept: " MT_OCI_MANIFEST ", " MT_OCI_INDEX ", " MT_DOCKER_MANIFEST ", " MT_DOCKER_LIST,
    NULL,
  };
  pc_autofree char *path = xasprintf ("%s/manifests/%s", r->repo, what);
  struct pc_registry_request rq = { .method = "GET", .repo = r->repo, .actions = "pull",
                                    .path = path, .headers = hdrs,
                                    .max_body = PC_REGISTRY_MANIFEST_MAX };
  struct pc_registry_response resp = { .content_length = -1 };
  if (pc_registry_request (c, &rq, &resp, err) < 0)
    {
      pc_registry_response_clear (&resp);
      return pc_error_wrap (err, "reading manifest %s in %s/%s", what, r->host, r->repo);
    }
  if (resp.status != 200)
    {
      pc_autofree char *w = xasprintf ("reading manifest %s in %s/%s", what, r->host, r->repo);
      pc_registry_status_error (&resp, w, err);
      pc_registry_response_clear (&resp);
      return -1;
    }
  char hex[65];
  pc_sha256_hex (resp.body ? resp.body : "", resp.body_len, hex);
  snprintf (digest, 72, "sha256:%s", hex);
  if (strncmp (what, "sha256:", 7) == 0 && strcmp (what, digest) != 0)
    {
      pc_registry_response_clear (&resp);
      return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                             "%s: manifest digest mismatch: asked for %s, the content is %s",
                             ref_name, what, digest);
    }
  *mtype = resp.content_type ? xstrndup (resp.content_type, strcspn (resp.content_type, "; ")) : NULL;
  *body = resp.body;
  *len = resp.body_len;
  resp.body = NULL;
  pc_registry_response_clear (&resp);
  return 0;
}

static const char *
host_arch (void)
{
  struct utsname u;
  static char buf[65];
  if (uname (&u) < 0)
    return "amd64";
  static const char *const map[][2] = {
    { "x86_64", "amd64" }, { "aarch64", "arm64" }, { "armv7l", "arm" }, { "armv6l", "arm" },
    { "i686", "386" }, { "i386", "386" }, { "ppc64le", "ppc64le" }, { "s390x", "s390x" },
    { "riscv64", "riscv64" },
  };
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (strcmp (u.machine, map[i][0]) == 0)
      return map[i][1];
  snprintf (buf, sizeof buf, "%s", u.machine);
  return buf;
}

/* The entry of an index for os/arch/variant (variant optional unless asked). */
static json_object *
pick_platform (json_object *index, const char *os, const char *arch, const char *variant)
{
  json_object *ms = pc_json_get_array (index, "manifests");
  json_object *fallback = NULL;
  for (size_t i = 0; i < pc_json_array_len (ms); i++)
    {
      json_object *d = pc_json_array_object_at (ms, i);
      json_object *p = d ? pc_json_get_object (d, "platform") : NULL;
      const char *dos = p ? pc_json_get_string (p, "os") : NULL;
      const char *darch = p ? pc_json_get_string (p, "architecture") : NULL;
      const char *dvar = p ? pc_json_get_string (p, "variant") : NULL;
      if (dos == NULL || darch == NULL || strcmp (dos, os) != 0 || strcmp (darch, arch) != 0)
        continue;
      if (variant && *variant)
        {
          if (dvar && strcmp (dvar, variant) == 0)
            return d;
          continue;
        }
      if (dvar == NULL || (strcmp (arch, "arm64") == 0 && strcmp (dvar, "v8") == 0))
        return d;
      if (fallback == NULL)
        fallback = d;
    }
  return fallback;
}

static bool
supported_layer_type (const char *mt)
{
  if (mt == NULL)
    return false;
  static const char *const ok[] = {
    "application/vnd.oci.image.layer.v1.tar", "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd", "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.docker.image.rootfs.diff.tar", "application/vnd.docker.image.rootfs.diff.tar.zstd",
    NULL,
  };
  for (size_t i = 0; ok[i]; i++)
    if (strcmp (mt, ok[i]) == 0)
      return true;
  return false;
}

/* A config blob into memory, verified. */
static int
get_config (struct pc_registry_client *c, const struct pc_registry_ref *r, const char *digest,
            char **data, size_t *len, pc_error **err)
{
  pc_autofree char *path = xasprintf ("%s/blobs/%s", r->repo, digest);
  struct pc_registry_request rq = { .method = "GET", .repo = r->repo, .actions = "pull",
                                    .path = path, .max_body = PC_REGISTRY_MANIFEST_MAX };
  struct pc_registry_response resp = { .content_length = -1 };
  if (pc_registry_request (c, &rq, &resp, err) < 0)
    {
      pc_registry_response_clear (&resp);
      return pc_error_wrap (err, "reading blob %s", digest);
    }
  if (resp.status != 200)
    {
      pc_autofree char *w = xasprintf ("reading blob %s: fetching blob", digest);
      pc_registry_status_error (&resp, w, err);
      pc_registry_response_clear (&resp);
      return -1;
    }
  char hex[65];
  pc_sha256_hex (resp.body ? resp.body : "", resp.body_len, hex);
  if (strcmp (hex, digest + 7) != 0)
    {
      pc_registry_response_clear (&resp);
      return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                             "refusing config %s: digest mismatch: the content is sha256:%s", digest, hex);
    }
  *data = resp.body ? resp.body : xstrdup ("");
  *len = resp.body_len;
  resp.body = NULL;
  pc_registry_response_clear (&resp);
  return 0;
}

static int
pull_image (struct pc_store *s, struct pc_registry_client *c, const struct pc_registry_ref *r,
            const char *ref, const struct pc_registry_pull_opts *po, char **id_out,
            bool *at_source, pc_error **err)
{
  pc_autofree char *body = NULL, *mtype = NULL;
  size_t len = 0;
  char digest[72], list_digest[72] = "";
  const char *what = r->digest ? r->digest : r->tag;
  /* The source's failures: the caller may try the next (pull-sources.c). */
  if (reg_client_ping (c, err) < 0 || get_manifest (c, r, ref, what, &body, &len, &mtype, digest, err) < 0)
    {
      *at_source = true;
      return -1;
    }
  pc_autojson json_object *m = pc_json_parse (body, len, err);
  if (m == NULL || !json_object_is_type (m, json_type_object))
    return m ? pc_error_makec (err, PC_ERR_INVALID, EINVAL, "manifest %s is not an object", digest)
             : pc_error_wrap (err, "manifest %s", digest);
  const char *bmt = pc_json_get_string (m, "mediaType");
  const char *mt = bmt ? bmt : mtype;
  if (pc_json_check_type (m, "manifests", json_type_array, "manifest", err) < 0
      || pc_json_check_type (m, "layers", json_type_array, "manifest", err) < 0
      || pc_json_check_type (m, "config", json_type_object, "manifest", err) < 0)
    return -1;
  if (pc_json_get_array (m, "manifests"))
    {
      const char *os = po && po->os ? po->os : "linux";
      const char *arch = po && po->arch ? po->arch : host_arch ();
      const char *variant = po && po->variant ? po->variant : NULL;
      json_object *d = pick_platform (m, os, arch, variant);
      if (d == NULL)
        return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT,
                               "choosing an image from manifest list docker://%s: no image found in manifest list for architecture %s, variant \"%s\", OS %s",
                               ref, arch, variant ? variant : "", os);
      const char *cd = pc_json_get_string (d, "digest");
      if (!valid_digest (cd))
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "manifest list %s: invalid digest", digest);
      free (body);
      free (mtype);
      body = mtype = NULL;
      pc_autofree char *cdig = xstrdup (cd);
      snprintf (list_digest, sizeof list_digest, "%s", digest);
      if (get_manifest (c, r, ref, cdig, &body, &len, &mtype, digest, err) < 0)
        return pc_error_wrap (err, "initializing source docker://%s", ref);
      json_object_put (m);
      m = pc_json_parse (body, len, err);
      if (m == NULL || !json_object_is_type (m, json_type_object))
        return m ? pc_error_makec (err, PC_ERR_INVALID, EINVAL, "manifest %s is not an object", digest)
                 : pc_error_wrap (err, "manifest %s", digest);
      if (pc_json_check_type (m, "layers", json_type_array, "manifest", err) < 0
          || pc_json_check_type (m, "config", json_type_object, "manifest", err) < 0)
        return -1;
      bmt = pc_json_get_string (m, "mediaType");
      mt = bmt ? bmt : mtype;
      if (pc_json_get_array (m, "manifests"))
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s: nested manifest lists", ref);
    }
  if (pc_json_get_int (m, "schemaVersion", 0) != 2)
    return pc_error_makec (err, PC_ERR_UNSUPPORTED, ENOTSUP,
                           "%s: unsupported manifest (schemaVersion %lld): only schema 2 and OCI images",
                           ref, (long long) pc_json_get_int (m, "schemaVersion", 0));
  json_object *cdesc = pc_json_get_object (m, "config");
  const char *cdigest = cdesc ? pc_json_get_string (cdesc, "digest") : NULL;
  if (!valid_digest (cdigest))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "manifest %s: missing or invalid config digest",
                           digest);
  json_object *layers = pc_json_get_array (m, "layers");
  size_t n = pc_json_array_len (layers);
  emit (po, PC_REGISTRY_EV_SIGNATURES, ref, NULL, 0, 0, false);

  pc_autofree char *cdata = NULL;
  size_t clen = 0;
  if (get_config (c, r, cdigest, &cdata, &clen, err) < 0)
    return pc_error_wrap (err, "copying image from docker://%s: parsing image configuration", ref);
  pc_autojson json_object *config = pc_json_parse (cdata, clen, err);
  if (config == NULL)
    return pc_error_wrap (err, "config %s", cdigest);
  if (pc_image_config_check (config, cdigest, err) < 0)
    return -1;
  json_object *diff_ids = pc_json_get_array (pc_json_get_object (config, "rootfs"), "diff_ids");
  if (pc_json_array_len (diff_ids) != n)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "image config %s lists %zu layers, the manifest %zu",
                           cdigest, pc_json_array_len (diff_ids), n);

  struct reg_layer_job *jobs = xmalloc0 ((n ? n : 1) * sizeof *jobs);
  struct pc_store_pulled_layer *pl = xmalloc0 ((n ? n : 1) * sizeof *pl);
  int ret = -1;
  for (size_t i = 0; i < n; i++)
    {
      json_object *ld = pc_json_array_object_at (layers, i);
      const char *ldig = ld ? pc_json_get_string (ld, "digest") : NULL;
      const char *lmt = ld ? pc_json_get_string (ld, "mediaType") : NULL;
      const char *did = pc_json_array_string_at (diff_ids, i);
      if (!valid_digest (ldig) || !valid_digest (did))
        {
          pc_error_makec (err, PC_ERR_INVALID, EINVAL, "manifest %s: layer %zu: invalid digest", digest, i);
          goto out;
        }
      if (!supported_layer_type (lmt))
        {
          pc_error_makec (err, PC_ERR_UNSUPPORTED, ENOTSUP, "layer %s: unsupported media type `%s`",
                          ldig, lmt ? lmt : "");
          goto out;
        }
      jobs[i].digest = ldig;
      jobs[i].diff_id = did;
      jobs[i].parent_chain = i ? jobs[i - 1].chain_id : NULL;
      jobs[i].size = pc_json_get_int (ld, "size", -1);
      /* The chain id as the store computes it: sha256 of "parent diff_id". */
      if (i == 0)
        snprintf (jobs[i].chain_id, 72, "%s", did);
      else
        {
          pc_autofree char *cat = xasprintf ("%s %s", jobs[i - 1].chain_id, did);
          char hex[65];
          pc_sha256_hex (cat, strlen (cat), hex);
          snprintf (jobs[i].chain_id, 72, "sha256:%s", hex);
        }
      jobs[i].skip = pc_store_has_layer_blob (s, jobs[i].chain_id, ldig);
      pl[i].digest = ldig;
      pl[i].media_type = lmt;
      pl[i].size = jobs[i].size;
    }
  if (reg_pull_layers (s, c, r->repo, jobs, n, po, err) < 0)
    {
      pc_error_wrap (err, "copying image from docker://%s", ref);
      goto out;
    }
  emit (po, PC_REGISTRY_EV_BLOB_START, ref, cdigest, 0, (int64_t) clen, true);
  emit (po, PC_REGISTRY_EV_BLOB_DONE, ref, cdigest, (int64_t) clen, (int64_t) clen, true);
  emit (po, PC_REGISTRY_EV_MANIFEST, ref, NULL, 0, 0, false);
  if (mt == NULL)
    mt = MT_OCI_MANIFEST;
  struct pc_store_new_image ni = {
    .manifest = body, .manifest_len = len, .manifest_digest = digest, .manifest_type = mt,
    .config = cdata, .config_len = clen, .config_digest = cdigest,
    .layers = pl, .n_layers = n, .name = r->digest ? NULL : ref,
    .list_digest = list_digest[0] ? list_digest : NULL,
  };
  if (pc_store_image_add (s, &ni, id_out, err) < 0)
    {
      pc_error_wrap (err, "storing %s", ref);
      goto out;
    }
  emit (po, PC_REGISTRY_EV_STORED, ref, NULL, 0, 0, false);
  ret = 0;
out:
  for (size_t i = 0; i < n; i++)
    pc_error_free (jobs[i].err);
  free (jobs);
  free (pl);
  return ret;
}

int
reg_pull_source (struct pc_store *s, const char *ref, const char *src,
                 const struct pc_registry_opts *o, const struct pc_registry_pull_opts *po,
                 char **id_out, bool *at_source, pc_error **err)
{
  *at_source = false;
  struct pc_registry_ref r;
  if (pc_registry_ref_parse (src, &r, err) < 0)
    return -1;
  struct pc_registry_client *c = NULL;
  int ret = -1;
  if (pc_registry_client_new (r.host, o, &c, err) < 0)
    goto out;
  /* Errors name the image: the caller adds "initializing source
     docker://REF" to the source's (podman's words), "copying image from
     docker://REF" after. */
  ret = pull_image (s, c, &r, ref, po, id_out, at_source, err);
  if (ret < 0 && !*at_source && strstr ((*err)->msg, ref) == NULL)
    pc_error_wrap (err, "copying image from docker://%s", ref);
out:
  pc_registry_client_free (c);
  pc_registry_ref_clear (&r);
  return ret;
}

int
pc_registry_list_tags (struct pc_registry_client *c, const char *repo, char ***tags,
                       pc_error **err)
{
  *tags = NULL;
  pc_autostrv char **out = NULL;
  pc_autofree char *last = NULL;
  /* Pages of 1000, each from the last tag of the one before (the Link
     header names the same thing). */
  for (int page = 0; page < 10000; page++)
    {
      pc_autofree char *path = last ? xasprintf ("%s/tags/list?n=1000&last=%s", repo, last)
                                    : xasprintf ("%s/tags/list?n=1000", repo);
      struct pc_registry_request rq = { .method = "GET", .repo = repo, .actions = "pull",
                                        .path = path, .max_body = PC_REGISTRY_MANIFEST_MAX };
      struct pc_registry_response resp = { .content_length = -1 };
      if (pc_registry_request (c, &rq, &resp, err) < 0)
        {
          pc_registry_response_clear (&resp);
          return pc_error_wrap (err, "fetching tags list of %s/%s", c->host, repo);
        }
      if (resp.status != 200)
        {
          pc_autofree char *w = xasprintf ("fetching tags list of %s/%s", c->host, repo);
          pc_registry_status_error (&resp, w, err);
          pc_registry_response_clear (&resp);
          return -1;
        }
      pc_autojson json_object *o = pc_json_parse (resp.body ? resp.body : "", resp.body_len, err);
      pc_registry_response_clear (&resp);
      if (o == NULL)
        return pc_error_wrap (err, "tags list of %s/%s", c->host, repo);
      json_object *t = pc_json_get_array (o, "tags");
      size_t n = pc_json_array_len (t);
      for (size_t i = 0; i < n; i++)
        {
          const char *tag = pc_json_array_string_at (t, i);
          if (tag == NULL || *tag == '\0' || strlen (tag) > 128
              || strspn (tag, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != strlen (tag))
            return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "tags list of %s/%s: invalid tag",
                                   c->host, repo);
          pc_strv_append (&out, tag);
        }
      if (n < 1000)
        break;
      free (last);
      last = xstrdup (pc_json_array_string_at (t, n - 1));
    }
  *tags = out;
  out = NULL;
  return 0;
}
