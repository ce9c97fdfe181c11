/* pc load: docker-archive (manifest.json) and oci-archive (index.json +
   blobs/), told apart by their contents, from a file or a pipe. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/storage/archive-in.h"
#include "pkg/storage/ingest.h"

/* podman (containers/image iolimits) reads a docker-archive manifest.json
   of at most 1 MiB, and manifests, indexes and configs of at most 4 MiB. */
#define PC_LOAD_TAR_MANIFEST_MAX (1 << 20)
#define PC_LOAD_JSON_MAX (4 << 20)

static json_object *
read_json_entry (struct pc_staging *st, const struct pc_archive_file *f, size_t max,
                 pc_error **err)
{
  pc_autofree char *data = NULL;
  size_t len;
  if (pc_read_file_max (st->dir_fd, f->staged, max, PC_READ_REGULAR, &data, &len, err) < 0)
    {
      pc_error_wrap (err, "archive entry `%s`", f->path);
      return NULL;
    }
  json_object *o = pc_json_parse (data, len, err);
  if (o == NULL)
    pc_error_wrap (err, "archive entry `%s`", f->path);
  return o;
}

/* One manifest.json entry: {"Config": string, "Layers": [string],
   "RepoTags": [string] or null}, as docker save writes it. */
static int
check_docker_entry (json_object *m, size_t i, pc_error **err)
{
  pc_autofree char *what = xasprintf ("docker-archive: manifest.json entry %zu", i);
  if (m == NULL || !json_object_is_type (m, json_type_object))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s is not an object", what);
  if (pc_json_check_type (m, "Config", json_type_string, what, err) < 0
      || pc_json_check_strings (m, "Layers", what, err) < 0
      || pc_json_check_strings (m, "RepoTags", what, err) < 0)
    return -1;
  return 0;
}

static void
add_name (struct pc_ingest *in, const char *name)
{
  pc_autofree char *norm = NULL;
  pc_autoerror pc_error *e = NULL;
  if (name == NULL || pc_ref_normalize (name, &norm, &e) < 0 || strchr (norm, '@'))
    return;
  if (!pc_strv_contains (in->names, norm))
    pc_strv_append (&in->names, norm);
}

static void
report (struct pc_ingest *in, const char *id, pc_store_loaded_fn loaded, void *data)
{
  if (loaded == NULL)
    return;
  if (in->names == NULL || in->names[0] == NULL)
    {
      pc_autofree char *s = xasprintf ("sha256:%s", id);
      loaded (s, data);
      return;
    }
  for (char **n = in->names; *n; n++)
    loaded (*n, data);
}

/* A docker-archive file name "<hex>.tar[.gz]" or "<hex>.json" promises a digest. */
static int
check_named_digest (const struct pc_archive_file *f, pc_error **err)
{
  const char *base = strrchr (f->path, '/');
  base = base ? base + 1 : f->path;
  if (strlen (base) < 65 || base[64] != '.')
    return 0;
  for (int i = 0; i < 64; i++)
    if (!((base[i] >= '0' && base[i] <= '9') || (base[i] >= 'a' && base[i] <= 'f')))
      return 0;
  if (strncmp (base, f->digest + 7, 64) != 0)
    return pc_error_make (err, EINVAL, "refusing archive: digest mismatch for `%s`: content is %s",
                          f->path, f->digest);
  return 0;
}

static int
load_docker (struct pc_store *s, struct pc_staging *st, struct pc_archive_files *files,
             const struct pc_archive_file *mf, pc_store_loaded_fn loaded, void *data,
             pc_error **err)
{
  pc_autojson json_object *manifest = read_json_entry (st, mf, PC_LOAD_TAR_MANIFEST_MAX, err);
  if (manifest == NULL)
    return -1;
  if (!json_object_is_type (manifest, json_type_array))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "docker-archive: manifest.json is not an array of images");
  if (pc_json_array_len (manifest) == 0)
    return pc_error_make (err, EINVAL, "docker-archive: manifest.json lists no image");
  for (size_t i = 0; i < pc_json_array_len (manifest); i++)
    if (check_docker_entry (json_object_array_get_idx (manifest, i), i, err) < 0)
      return -1;
  for (size_t i = 0; i < pc_json_array_len (manifest); i++)
    {
      json_object *m = pc_json_array_object_at (manifest, i);
      const char *cpath = pc_json_get_string (m, "Config");
      const struct pc_archive_file *cf = cpath ? pc_archive_find (files, cpath) : NULL;
      if (cf == NULL)
        return pc_error_make (err, EINVAL, "docker-archive: config `%s` is missing", cpath ? cpath : "");
      if (check_named_digest (cf, err) < 0)
        return -1;
      struct pc_ingest in = { 0 };
      in.config_staged = xstrdup (cf->staged);
      snprintf (in.config_digest, sizeof in.config_digest, "%s", cf->digest);
      in.synthesize_docker = true;
      json_object *layers = pc_json_get_array (m, "Layers");
      for (size_t j = 0; j < pc_json_array_len (layers); j++)
        {
          const char *lp = pc_json_array_string_at (layers, j);
          const struct pc_archive_file *lf = lp ? pc_archive_find (files, lp) : NULL;
          if (lf == NULL)
            {
              pc_ingest_clear (&in);
              return pc_error_make (err, EINVAL, "docker-archive: layer `%s` is missing", lp ? lp : "");
            }
          if (check_named_digest (lf, err) < 0)
            {
              pc_ingest_clear (&in);
              return -1;
            }
          int comp;
          {
            pc_autoclose int fd = openat (st->dir_fd, lf->staged, O_RDONLY | O_CLOEXEC);
            comp = fd < 0 ? pc_error_errno (err, errno, "open staged layer") : pc_sniff_compression (fd, err);
          }
          if (comp < 0)
            {
              pc_ingest_clear (&in);
              return pc_error_wrap (err, "layer `%s`", lp);
            }
          pc_ingest_add_layer (&in, lf->staged, lf->digest, lf->size,
                               pc_media_type_for_compression (comp, true));
        }
      json_object *tags = pc_json_get_array (m, "RepoTags");
      for (size_t j = 0; j < pc_json_array_len (tags); j++)
        add_name (&in, pc_json_array_string_at (tags, j));
      pc_autofree char *id = NULL;
      int r = pc_store_ingest (s, st, &in, &id, err);
      if (r == 0)
        report (&in, id, loaded, data);
      pc_ingest_clear (&in);
      if (r < 0)
        return -1;
    }
  return 0;
}

/* blobs/sha256/<hex> of an oci layout, verified against its name and size. */
static const struct pc_archive_file *
oci_blob (struct pc_archive_files *files, json_object *desc, const char *what, pc_error **err)
{
  if (desc == NULL || !json_object_is_type (desc, json_type_object))
    {
      pc_error_makec (err, PC_ERR_INVALID, EINVAL, "oci-archive: %s descriptor is not an object",
                      what);
      return NULL;
    }
  const char *digest = pc_json_get_string (desc, "digest");
  if (digest == NULL || strncmp (digest, "sha256:", 7) != 0 || strlen (digest) != 71)
    {
      pc_error_make (err, EINVAL, "oci-archive: %s has an unsupported digest `%s`", what,
                     digest ? digest : "");
      return NULL;
    }
  pc_autofree char *p = xasprintf ("blobs/sha256/%s", digest + 7);
  const struct pc_archive_file *f = pc_archive_find (files, p);
  if (f == NULL)
    {
      pc_error_make (err, EINVAL, "oci-archive: %s blob %s is missing", what, digest);
      return NULL;
    }
  if (strcmp (f->digest, digest) != 0)
    {
      pc_error_make (err, EINVAL, "refusing archive: digest mismatch for %s: expected %s, content is %s",
                     what, digest, f->digest);
      return NULL;
    }
  int64_t size = pc_json_get_int (desc, "size", -1);
  if (size >= 0 && size != f->size)
    {
      pc_error_make (err, EINVAL, "refusing archive: %s %s has size %lld, expected %lld", what,
                     digest, (long long) f->size, (long long) size);
      return NULL;
    }
  return f;
}

static int
load_oci_manifest (struct pc_store *s, struct pc_staging *st, struct pc_archive_files *files,
                   json_object *desc, const char *name, pc_store_loaded_fn loaded, void *data,
                   int depth, pc_error **err)
{
  const struct pc_archive_file *mf = oci_blob (files, desc, "manifest", err);
  if (mf == NULL)
    return -1;
  pc_autojson json_object *m = read_json_entry (st, mf, PC_LOAD_JSON_MAX, err);
  if (m == NULL)
    return -1;
  if (!json_object_is_type (m, json_type_object))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "oci-archive: manifest %s is not an object",
                           mf->digest);
  if (pc_json_check_type (m, "manifests", json_type_array, "oci-archive: manifest", err) < 0
      || pc_json_check_type (m, "layers", json_type_array, "oci-archive: manifest", err) < 0
      || pc_json_check_type (m, "config", json_type_object, "oci-archive: manifest", err) < 0)
    return -1;
  const char *mt = pc_json_get_string (m, "mediaType");
  if (mt == NULL)
    mt = pc_json_get_string (desc, "mediaType");
  json_object *manifests = pc_json_get_array (m, "manifests");
  if (manifests)
    {
      /* An index: take linux/amd64 (or the only entry). */
      if (depth > 2)
        return pc_error_make (err, EINVAL, "oci-archive: indexes nested too deeply");
      json_object *pick = NULL;
      for (size_t i = 0; i < pc_json_array_len (manifests); i++)
        {
          json_object *d = json_object_array_get_idx (manifests, i);
          const char *os = pc_json_get_string (pc_json_get_object (d, "platform"), "os");
          const char *arch = pc_json_get_string (pc_json_get_object (d, "platform"), "architecture");
          if (pick == NULL || (os && strcmp (os, "linux") == 0 && arch && strcmp (arch, "amd64") == 0))
            pick = d;
        }
      if (pick == NULL)
        return pc_error_make (err, EINVAL, "oci-archive: empty image index");
      return load_oci_manifest (s, st, files, pick, name, loaded, data, depth + 1, err);
    }
  json_object *cdesc = pc_json_get_object (m, "config");
  const struct pc_archive_file *cf = cdesc ? oci_blob (files, cdesc, "config", err) : NULL;
  if (cf == NULL)
    return cdesc ? -1 : pc_error_make (err, EINVAL, "oci-archive: manifest without config");
  struct pc_ingest in = { 0 };
  in.config_staged = xstrdup (cf->staged);
  snprintf (in.config_digest, sizeof in.config_digest, "%s", cf->digest);
  in.manifest_staged = xstrdup (mf->staged);
  snprintf (in.manifest_digest, sizeof in.manifest_digest, "%s", mf->digest);
  in.manifest_type = xstrdup (mt ? mt : "application/vnd.oci.image.manifest.v1+json");
  json_object *layers = pc_json_get_array (m, "layers");
  int r = -1;
  for (size_t j = 0; j < pc_json_array_len (layers); j++)
    {
      json_object *ld = json_object_array_get_idx (layers, j);
      const struct pc_archive_file *lf = oci_blob (files, ld, "layer", err);
      if (lf == NULL)
        goto out;
      const char *lmt = pc_json_get_string (ld, "mediaType");
      if (lmt && (strstr (lmt, "+zstd") || strstr (lmt, "+gzip") || strstr (lmt, ".tar")))
        ;
      else if (lmt && strstr (lmt, "foreign"))
        ;
      else
        {
          pc_error_make (err, ENOTSUP, "oci-archive: unsupported layer media type `%s`", lmt ? lmt : "");
          goto out;
        }
      pc_ingest_add_layer (&in, lf->staged, lf->digest, lf->size, lmt);
    }
  add_name (&in, name);
  pc_autofree char *id = NULL;
  r = pc_store_ingest (s, st, &in, &id, err);
  if (r == 0)
    report (&in, id, loaded, data);
out:
  pc_ingest_clear (&in);
  return r;
}

/* podman names an oci-archive image from io.containerd.image.name, else
   from a ref.name that is a full reference (a bare tag names nothing). */
static const char *
oci_name (json_object *desc)
{
  json_object *ann = pc_json_get_object (desc, "annotations");
  const char *n = pc_json_get_string (ann, "io.containerd.image.name");
  if (n)
    return n;
  n = pc_json_get_string (ann, "org.opencontainers.image.ref.name");
  if (n && (strchr (n, '/') || strchr (n, ':')))
    return n;
  return NULL;
}

static int
load_oci (struct pc_store *s, struct pc_staging *st, struct pc_archive_files *files,
          const struct pc_archive_file *idx, pc_store_loaded_fn loaded, void *data, pc_error **err)
{
  pc_autojson json_object *index = read_json_entry (st, idx, PC_LOAD_JSON_MAX, err);
  if (index == NULL)
    return -1;
  if (pc_json_check_type (index, "manifests", json_type_array, "oci-archive: index.json", err) < 0)
    return -1;
  json_object *manifests = pc_json_get_array (index, "manifests");
  size_t n = pc_json_array_len (manifests);
  if (n == 0)
    return pc_error_make (err, EINVAL, "oci-archive: index.json lists no image");
  for (size_t i = 0; i < n; i++)
    {
      json_object *d = json_object_array_get_idx (manifests, i);
      if (load_oci_manifest (s, st, files, d, oci_name (d), loaded, data, 0, err) < 0)
        return -1;
    }
  return 0;
}

int
pc_store_load (struct pc_store *s, int fd, pc_store_loaded_fn loaded, void *data, pc_error **err)
{
  if (pc_store_require_userns (__func__, err) < 0)
    return -1;
  pc_staging_cleanup_stale (s);
  struct pc_staging st;
  if (pc_staging_new (s, "load", &st, err) < 0)
    return -1;
  struct pc_archive_files files;
  int r = pc_archive_stage (fd, st.dir_fd, &files, err);
  if (r == 0)
    {
      const struct pc_archive_file *mf = pc_archive_find (&files, "manifest.json");
      const struct pc_archive_file *idx = pc_archive_find (&files, "index.json");
      if (mf)
        r = load_docker (s, &st, &files, mf, loaded, data, err);
      else if (idx)
        r = load_oci (s, &st, &files, idx, loaded, data, err);
      else
        r = pc_error_make (err, EINVAL,
                           "the archive is neither a docker-archive (manifest.json) nor an oci-archive (index.json)");
    }
  pc_archive_files_free (&files);
  pc_staging_finish (s, &st);
  return r;
}
