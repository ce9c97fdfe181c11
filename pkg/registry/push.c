/* pc push: a stored image into a registry. Each layer is checked for (HEAD),
   else mounted from another repository of the same registry that holds it,
   else uploaded, compressed on the way when the store keeps it in another
   compression; then the config, then the manifest (the stored one, byte for
   byte, when nothing changed, so the digest stays the one the image came
   with; else one written for the chosen format). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/registry/push.h"
#include "pkg/storage/storage.h"

#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"

struct push
{
  struct pc_store *s;
  struct pc_registry_client *c;
  struct pc_registry_ref *dst;
  const struct pc_registry_push_opts *po;
  struct reg_blob_cache *cache;
  char *location;          /* "host/repo" of the destination */
  char **mount_from;       /* other repositories of the same registry that may hold blobs */
};

struct pushed_layer
{
  char digest[72];
  int64_t size;
  int comp;
  bool changed;            /* not the stored blob */
};

static void
emit (const struct push *p, enum pc_registry_event_kind k, const char *digest, int64_t done,
      int64_t total, bool is_config)
{
  if (p->po == NULL || p->po->event == NULL)
    return;
  struct pc_registry_event ev = { .kind = k, .name = p->location, .digest = digest, .done = done,
                                  .total = total, .is_config = is_config };
  p->po->event (&ev, p->po->event_data);
}

static void
on_progress (const struct reg_push_progress *pr, int64_t done)
{
  const struct push *p = pr->data;
  emit (p, PC_REGISTRY_EV_BLOB_PROGRESS, pr->digest, done, pr->total, false);
}

/* "host/repo" of a name of the same registry, another repository. */
static void
add_mount_source (struct push *p, const char *location)
{
  size_t hl = strlen (p->dst->host);
  if (strncmp (location, p->dst->host, hl) != 0 || location[hl] != '/')
    return;
  const char *repo = location + hl + 1;
  if (strcmp (repo, p->dst->repo) == 0 || pc_strv_contains (p->mount_from, repo))
    return;
  pc_strv_append (&p->mount_from, repo);
}

static void
collect_names (struct push *p, struct pc_image *img)
{
  /* RepoDigests: the image's names (their repositories) in this registry. */
  for (char **n = pc_image_names (img); n && *n; n++)
    {
      struct pc_registry_ref r;
      if (pc_registry_ref_parse (*n, &r, NULL) < 0)
        continue;
      pc_autofree char *loc = xasprintf ("%s/%s", r.host, r.repo);
      add_mount_source (p, loc);
      pc_registry_ref_clear (&r);
    }
}

/* Already there (HEAD), or mounted from a repository that has it. */
static int
blob_present (struct push *p, const char *digest, bool *present, pc_error **err)
{
  if (reg_blob_exists (p->c, p->dst->repo, digest, present, err) < 0)
    return -1;
  if (*present)
    return 0;
  pc_autostrv char **from = pc_strv_dup (p->mount_from);
  json_object *locs = reg_blob_cache_locations (p->cache, digest);
  size_t hl = strlen (p->dst->host);
  for (size_t i = 0; i < pc_json_array_len (locs); i++)
    {
      const char *l = pc_json_array_string_at (locs, i);
      if (strncmp (l, p->dst->host, hl) == 0 && l[hl] == '/' && strcmp (l + hl + 1, p->dst->repo) != 0
          && !pc_strv_contains (from, l + hl + 1))
        pc_strv_append (&from, l + hl + 1);
    }
  for (char **f = from; f && *f && !*present; f++)
    {
      pc_autoerror pc_error *e = NULL;
      if (reg_blob_mount (p->c, p->dst->repo, digest, *f, present, &e) < 0)
        pc_debug ("push: mounting %s from %s: %s", digest, *f, e->msg);
      else if (*present)
        pc_debug ("push: mounted %s from %s", digest, *f);
    }
  return 0;
}

static int
push_layer (struct push *p, const struct pc_image_layer *l, int want, struct pushed_layer *out,
            pc_error **err)
{
  pc_autoclose int fd = pc_store_blob_open (p->s, l->blob, err);
  if (fd < 0)
    return -1;
  int have = reg_blob_sniff (fd);
  bool present = false;
  struct reg_push_progress prog = { .fn = on_progress, .data = p, .digest = l->blob, .total = l->blob_size };
  if (have == want)
    {
      snprintf (out->digest, sizeof out->digest, "%s", l->blob);
      out->size = l->blob_size;
      out->comp = have;
      if (blob_present (p, l->blob, &present, err) < 0)
        return -1;
      if (present)
        {
          emit (p, PC_REGISTRY_EV_BLOB_SKIP, l->blob, 0, l->blob_size, false);
          return 0;
        }
      emit (p, PC_REGISTRY_EV_BLOB_START, l->blob, 0, l->blob_size, false);
      if (reg_blob_upload_file (p->c, p->dst->repo, fd, l->blob, &prog, &out->size, err) < 0)
        return -1;
      emit (p, PC_REGISTRY_EV_BLOB_DONE, l->blob, out->size, out->size, false);
      return 0;
    }
  out->comp = want;
  out->changed = true;
  /* Compressed before: the blob that came out, if the registry has it. */
  const char *known = reg_blob_cache_compressed (p->cache, l->diff_id, want);
  if (known)
    {
      int64_t ksize = reg_blob_cache_size (p->cache, known);
      if (ksize >= 0 && blob_present (p, known, &present, err) < 0)
        return -1;
      if (present)
        {
          snprintf (out->digest, sizeof out->digest, "%s", known);
          out->size = ksize;
          emit (p, PC_REGISTRY_EV_BLOB_SKIP, l->blob, 0, l->blob_size, false);
          return 0;
        }
    }
  emit (p, PC_REGISTRY_EV_BLOB_START, l->blob, 0, l->blob_size, false);
  if (reg_blob_upload_compressed (p->c, p->dst->repo, fd, l->diff_id, want, &prog, out->digest,
                                  &out->size, err) < 0)
    return -1;
  reg_blob_cache_set_compressed (p->cache, l->diff_id, want, out->digest, out->size);
  emit (p, PC_REGISTRY_EV_BLOB_DONE, l->blob, out->size, out->size, false);
  return 0;
}

static const char *
layer_type (bool oci, int comp)
{
  if (oci)
    return comp == REG_COMP_ZSTD ? "application/vnd.oci.image.layer.v1.tar+zstd"
           : comp == REG_COMP_GZIP ? "application/vnd.oci.image.layer.v1.tar+gzip"
                                   : "application/vnd.oci.image.layer.v1.tar";
  return comp == REG_COMP_GZIP ? "application/vnd.docker.image.rootfs.diff.tar.gzip"
                               : "application/vnd.docker.image.rootfs.diff.tar";
}

static char *
build_manifest (bool oci, const char *config_digest, size_t config_len, const struct pushed_layer *pl,
                size_t n)
{
  pc_autojson json_object *m = json_object_new_object ();
  json_object_object_add (m, "schemaVersion", json_object_new_int (2));
  json_object_object_add (m, "mediaType", json_object_new_string (oci ? MT_OCI_MANIFEST : MT_DOCKER_MANIFEST));
  json_object *c = json_object_new_object ();
  json_object_object_add (c, "mediaType", json_object_new_string (oci ? MT_OCI_CONFIG : MT_DOCKER_CONFIG));
  json_object_object_add (c, "size", json_object_new_int64 ((int64_t) config_len));
  json_object_object_add (c, "digest", json_object_new_string (config_digest));
  json_object_object_add (m, "config", c);
  json_object *layers = json_object_new_array ();
  for (size_t i = 0; i < n; i++)
    {
      json_object *d = json_object_new_object ();
      json_object_object_add (d, "mediaType", json_object_new_string (layer_type (oci, pl[i].comp)));
      json_object_object_add (d, "size", json_object_new_int64 (pl[i].size));
      json_object_object_add (d, "digest", json_object_new_string (pl[i].digest));
      json_object_array_add (layers, d);
    }
  json_object_object_add (m, "layers", layers);
  return xstrdup (json_object_to_json_string_ext (m, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* The stored manifest, when it says exactly what was pushed. */
static char *
stored_manifest (struct push *p, struct pc_image *img, bool oci, const struct pushed_layer *pl,
                 size_t n, size_t *len)
{
  json_object *rec = pc_image_record (img);
  const char *mt = pc_json_get_string (rec, "manifest_type");
  const char *md = pc_json_get_string (rec, "digest");
  if (mt == NULL || md == NULL || strcmp (mt, oci ? MT_OCI_MANIFEST : MT_DOCKER_MANIFEST) != 0)
    return NULL;
  for (size_t i = 0; i < n; i++)
    if (pl[i].changed)
      return NULL;
  char *data = NULL;
  if (pc_store_blob_read (p->s, md, &data, len, NULL) < 0)
    return NULL;
  pc_autoerror pc_error *e = NULL;
  pc_autojson json_object *m = pc_json_parse (data, *len, &e);
  json_object *layers = m ? pc_json_get_array (m, "layers") : NULL;
  bool same = layers && pc_json_array_len (layers) == n;
  for (size_t i = 0; same && i < n; i++)
    {
      json_object *d = pc_json_array_object_at (layers, i);
      const char *dg = d ? pc_json_get_string (d, "digest") : NULL;
      const char *lmt = d ? pc_json_get_string (d, "mediaType") : NULL;
      same = dg && strcmp (dg, pl[i].digest) == 0 && lmt && strcmp (lmt, layer_type (oci, pl[i].comp)) == 0;
    }
  json_object *cd = m ? pc_json_get_object (m, "config") : NULL;
  const char *cdg = cd ? pc_json_get_string (cd, "digest") : NULL;
  pc_autofree char *want_cfg = xasprintf ("sha256:%s", pc_image_id (img));
  if (!same || cdg == NULL || strcmp (cdg, want_cfg) != 0)
    {
      free (data);
      return NULL;
    }
  return data;
}

static int
put_manifest (struct push *p, const char *body, size_t len, bool oci, const char *digest,
              pc_error **err)
{
  const char *ref = p->dst->tag ? p->dst->tag : digest;
  pc_autofree char *path = xasprintf ("%s/manifests/%s", p->dst->repo, ref);
  pc_autofree char *ct = xasprintf ("Content-Type: %s", oci ? MT_OCI_MANIFEST : MT_DOCKER_MANIFEST);
  const char *hdrs[] = { ct, NULL };
  struct pc_registry_request rq = { .method = "PUT", .repo = p->dst->repo, .actions = "pull,push",
                                    .path = path, .headers = hdrs, .body = body, .body_len = len };
  struct pc_registry_response r = { .content_length = -1 };
  int ret = pc_registry_request (p->c, &rq, &r, err);
  if (ret == 0 && r.status != 201 && r.status != 200 && r.status != 202)
    {
      pc_autofree char *w = xasprintf ("writing manifest to %s", p->location);
      ret = pc_registry_status_error (&r, w, err);
    }
  pc_registry_response_clear (&r);
  return ret;
}

static int
do_push (struct push *p, struct pc_image *img, char **digest_out, pc_error **err)
{
  const struct pc_registry_push_opts *po = p->po;
  int want = po && po->compression == PC_REGISTRY_COMPRESSION_ZSTD ? REG_COMP_ZSTD : REG_COMP_GZIP;
  enum pc_registry_format fmt = po ? po->format : PC_REGISTRY_FORMAT_AUTO;
  if (fmt == PC_REGISTRY_FORMAT_AUTO)
    {
      /* podman keeps the stored manifest's format when it can say what is
         pushed: docker's schema 2 has no zstd. */
      const char *mt = pc_json_get_string (pc_image_record (img), "manifest_type");
      fmt = mt && strcmp (mt, MT_DOCKER_MANIFEST) == 0 && want != REG_COMP_ZSTD ? PC_REGISTRY_FORMAT_V2S2
                                                                               : PC_REGISTRY_FORMAT_OCI;
    }
  bool oci = fmt == PC_REGISTRY_FORMAT_OCI;
  if (!oci && want == REG_COMP_ZSTD)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "docker schema 2 manifests (--format v2s2) cannot hold zstd layers: use --format oci");
  emit (p, PC_REGISTRY_EV_SIGNATURES, NULL, 0, 0, false);
  size_t n = pc_image_n_layers (img);
  struct pushed_layer *pl = xmalloc0 ((n ? n : 1) * sizeof *pl);
  int ret = -1;
  pc_autofree char *cfg = NULL, *manifest = NULL, *mdigest = NULL;
  pc_autofree char *cdigest = xasprintf ("sha256:%s", pc_image_id (img));
  size_t clen = 0, mlen = 0;
  for (size_t i = 0; i < n; i++)
    if (push_layer (p, pc_image_layer (img, i), want, &pl[i], err) < 0)
      {
        pc_error_wrap (err, "writing blob %s", pc_image_layer (img, i)->blob);
        goto out;
      }
  if (pc_store_blob_read (p->s, cdigest, &cfg, &clen, err) < 0)
    goto out;
  char hex[65];
  pc_sha256_hex (cfg, clen, hex);
  if (strcmp (hex, cdigest + 7) != 0)
    {
      pc_error_makec (err, PC_ERR_INVALID, EIO, "config %s is corrupt in the store", cdigest);
      goto out;
    }
  bool present = false;
  if (reg_blob_exists (p->c, p->dst->repo, cdigest, &present, err) < 0)
    goto out;
  emit (p, PC_REGISTRY_EV_BLOB_START, cdigest, 0, (int64_t) clen, true);
  if (!present && reg_blob_put_bytes (p->c, p->dst->repo, cfg, clen, cdigest, err) < 0)
    {
      pc_error_wrap (err, "writing config %s", cdigest);
      goto out;
    }
  emit (p, PC_REGISTRY_EV_BLOB_DONE, cdigest, (int64_t) clen, (int64_t) clen, true);
  manifest = stored_manifest (p, img, oci, pl, n, &mlen);
  if (manifest == NULL)
    {
      manifest = build_manifest (oci, cdigest, clen, pl, n);
      mlen = strlen (manifest);
    }
  pc_sha256_hex (manifest, mlen, hex);
  mdigest = xasprintf ("sha256:%s", hex);
  if (p->dst->digest && strcmp (p->dst->digest, mdigest) != 0)
    {
      pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                      "%s: the manifest pushed would be %s, not the digest named", p->location, mdigest);
      goto out;
    }
  emit (p, PC_REGISTRY_EV_MANIFEST, NULL, 0, 0, false);
  if (put_manifest (p, manifest, mlen, oci, mdigest, err) < 0)
    goto out;
  for (size_t i = 0; i < n; i++)
    reg_blob_cache_add_location (p->cache, pl[i].digest, p->location);
  emit (p, PC_REGISTRY_EV_STORED, NULL, 0, 0, false);
  if (digest_out)
    *digest_out = steal_pointer (&mdigest);
  ret = 0;
out:
  free (pl);
  return ret;
}

int
pc_registry_push (struct pc_store *s, const char *image, const char *dest,
                  const struct pc_registry_opts *o, const struct pc_registry_push_opts *po,
                  char **digest_out, pc_error **err)
{
  struct pc_registry_ref r;
  if (pc_registry_ref_parse (dest, &r, err) < 0)
    return -1;
  struct pc_registry_host_conf hc = { 0 };
  struct push p = { .s = s, .dst = &r, .po = po };
  p.location = xasprintf ("%s/%s", r.host, r.repo);
  pc_autoimage struct pc_image *img = NULL;
  int ret = -1;
  if (pc_store_image_lookup (s, image, &img, err) < 0)
    goto out;
  if (pc_registry_host_config (dest, &hc, err) < 0)
    goto out;
  if (hc.blocked)
    {
      pc_error_makec (err, PC_ERR_PERMISSION, EPERM, "registry %s is blocked in registries.conf", r.host);
      goto out;
    }
  struct pc_registry_opts opts = o ? *o : (struct pc_registry_opts) { .retries = -1 };
  if (hc.insecure)
    opts.tls_verify_off = true;
  if (pc_registry_client_new (r.host, &opts, &p.c, err) < 0)
    goto out;
  p.cache = reg_blob_cache_open (s);
  collect_names (&p, img);
  ret = do_push (&p, img, digest_out, err);
  if (ret < 0)
    pc_error_wrap (err, "pushing to docker://%s", dest);
out:
  reg_blob_cache_close (p.cache);
  pc_registry_client_free (p.c);
  pc_strv_free (p.mount_from);
  free (p.location);
  pc_registry_host_conf_clear (&hc);
  pc_registry_ref_clear (&r);
  return ret;
}
