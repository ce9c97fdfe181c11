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
#include "lib/log.h"
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

/* Every name an archive gives is checked before anything is committed: a
   name the store cannot hold fails the whole load. Names by digest are
   not kept (as podman). */
static int
check_name (const char *name, pc_error **err)
{
  pc_autofree char *norm = NULL;
  if (pc_ref_normalize (name, &norm, err) < 0)
    {
      pc_error_set_class (err, PC_ERR_INVALID);
      return pc_error_wrap (err, "image name in the archive");
    }
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

/* What this load changed, undone if a later part fails: images it created
   are deleted, names it added to an image already there are removed. */
struct load_undo
{
  char **created;
  char **tagged_ids;   /* parallel: id, name */
  char **tagged_names;
  char **loaded;       /* told to the caller only once all succeeded */
  char *last_id;       /* of the last image ingested */
};

static void
undo_note (struct pc_store *s, struct load_undo *u, const char *id, bool existed,
           char **names_before, char **names)
{
  (void) s;
  if (!existed)
    {
      pc_strv_append (&u->created, id);
      return;
    }
  for (char **n = names; n && *n; n++)
    if (!pc_strv_contains (names_before, *n))
      {
        pc_strv_append (&u->tagged_ids, id);
        pc_strv_append (&u->tagged_names, *n);
      }
}

static void
undo_run (struct pc_store *s, struct load_undo *u)
{
  for (char **id = u->created; id && *id; id++)
    {
      pc_autoerror pc_error *e = NULL;
      if (pc_store_image_delete (s, *id, &e) < 0)
        pc_debug ("load: undo image %s: %s", *id, e->msg);
    }
  for (size_t i = 0; u->tagged_ids && u->tagged_ids[i]; i++)
    {
      pc_autoerror pc_error *e = NULL;
      if (pc_store_image_untag (s, u->tagged_ids[i], u->tagged_names[i], &e) < 0)
        pc_debug ("load: undo name %s: %s", u->tagged_names[i], e->msg);
    }
}

static void
collect_loaded (struct pc_ingest *in, const char *id, struct load_undo *u)
{
  if (in->names == NULL || in->names[0] == NULL)
    {
      pc_autofree char *s = xasprintf ("sha256:%s", id);
      pc_strv_append (&u->loaded, s);
      return;
    }
  for (char **n = in->names; *n; n++)
    pc_strv_append (&u->loaded, *n);
}

/* On failure undoes the load, on success reports what it loaded. */
static void
undo_finish (struct pc_store *s, struct load_undo *u, int ret, pc_store_loaded_fn loaded,
             void *data)
{
  if (ret < 0)
    undo_run (s, u);
  else if (loaded)
    for (char **n = u->loaded; n && *n; n++)
      loaded (*n, data);
  pc_strv_free (u->created);
  pc_strv_free (u->tagged_ids);
  pc_strv_free (u->tagged_names);
  pc_strv_free (u->loaded);
  free (u->last_id);
  memset (u, 0, sizeof *u);
}

/* pc_store_ingest, noting for undo what the image was before. */
static int
ingest_noted (struct pc_store *s, struct pc_staging *st, struct pc_ingest *in,
              struct load_undo *u, char **id_out, pc_error **err)
{
  pc_autoimage struct pc_image *before = NULL;
  pc_autoerror pc_error *e = NULL;
  bool existed = pc_store_image_read (s, in->config_digest + 7, &before, &e) == 0;
  pc_autostrv char **names_before = existed ? pc_strv_dup (pc_image_names (before)) : NULL;
  if (pc_store_ingest (s, st, in, id_out, err) < 0)
    return -1;
  undo_note (s, u, *id_out, existed, names_before, in->names);
  free (u->last_id);
  u->last_id = xstrdup (*id_out);
  return 0;
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
  /* Everything is checked before the first image is committed: each name,
     and that an image listed twice is the same image (loaded once, with
     the names of both entries). */
  size_t n = pc_json_array_len (manifest);
  pc_autofree ssize_t *same_as = xmalloc0 ((n ? n : 1) * sizeof *same_as);
  for (size_t i = 0; i < n; i++)
    {
      json_object *m = pc_json_array_object_at (manifest, i);
      json_object *tags = pc_json_get_array (m, "RepoTags");
      for (size_t j = 0; j < pc_json_array_len (tags); j++)
        if (check_name (pc_json_array_string_at (tags, j), err) < 0)
          return -1;
      same_as[i] = -1;
      for (size_t k = 0; k < i && same_as[i] < 0; k++)
        {
          json_object *o = pc_json_array_object_at (manifest, k);
          if (same_as[k] >= 0
              || strcmp (pc_json_get_string (m, "Config"), pc_json_get_string (o, "Config")) != 0)
            continue;
          if (strcmp (json_object_to_json_string (pc_json_get (m, "Layers")),
                      json_object_to_json_string (pc_json_get (o, "Layers"))) != 0)
            return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                                   "docker-archive: manifest.json lists config `%s` twice with different layers",
                                   pc_json_get_string (m, "Config"));
          same_as[i] = (ssize_t) k;
        }
    }
  struct load_undo undo = { 0 };
  int ret = -1;
  for (size_t i = 0; i < n; i++)
    {
      if (same_as[i] >= 0)
        continue;
      json_object *m = pc_json_array_object_at (manifest, i);
      const char *cpath = pc_json_get_string (m, "Config");
      const struct pc_archive_file *cf = cpath ? pc_archive_find (files, cpath) : NULL;
      if (cf == NULL)
        {
          pc_error_make (err, EINVAL, "docker-archive: config `%s` is missing", cpath ? cpath : "");
          goto out;
        }
      if (check_named_digest (cf, err) < 0)
        goto out;
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
              pc_error_make (err, EINVAL, "docker-archive: layer `%s` is missing", lp ? lp : "");
              goto out;
            }
          if (check_named_digest (lf, err) < 0)
            {
              pc_ingest_clear (&in);
              goto out;
            }
          int comp;
          {
            pc_autoclose int fd = openat (st->dir_fd, lf->staged, O_RDONLY | O_CLOEXEC);
            comp = fd < 0 ? pc_error_errno (err, errno, "open staged layer") : pc_sniff_compression (fd, err);
          }
          if (comp < 0)
            {
              pc_ingest_clear (&in);
              pc_error_wrap (err, "layer `%s`", lp);
              goto out;
            }
          pc_ingest_add_layer (&in, lf->staged, lf->digest, lf->size,
                               pc_media_type_for_compression (comp, true));
        }
      for (size_t k = i; k < n; k++)
        {
          if (k != i && same_as[k] != (ssize_t) i)
            continue;
          json_object *tags = pc_json_get_array (pc_json_array_object_at (manifest, k), "RepoTags");
          for (size_t j = 0; j < pc_json_array_len (tags); j++)
            add_name (&in, pc_json_array_string_at (tags, j));
        }
      pc_autofree char *id = NULL;
      int r = ingest_noted (s, st, &in, &undo, &id, err);
      if (r < 0)
        {
          pc_ingest_clear (&in);
          goto out;
        }
      collect_loaded (&in, id, &undo);
      pc_ingest_clear (&in);
    }
  ret = 0;
out:
  undo_finish (s, &undo, ret, loaded, data);
  return ret;
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
                   json_object *desc, const char *name, struct load_undo *undo, int depth,
                   pc_error **err)
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
      return load_oci_manifest (s, st, files, pick, name, undo, depth + 1, err);
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
  r = ingest_noted (s, st, &in, undo, &id, err);
  if (r == 0)
    collect_loaded (&in, id, undo);
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
      const char *name = oci_name (json_object_array_get_idx (manifests, i));
      if (name && check_name (name, err) < 0)
        return -1;
    }
  struct load_undo undo = { 0 };
  int ret = 0;
  pc_autostrv char **ids = xmalloc0 ((n + 1) * sizeof *ids);
  for (size_t i = 0; i < n && ret == 0; i++)
    {
      json_object *d = json_object_array_get_idx (manifests, i);
      ids[i] = xstrdup ("");
      /* The same manifest listed again is loaded once; its blobs have
         already left the staging dir. Its other name is added. */
      const char *dg = pc_json_get_string (d, "digest");
      size_t k = 0;
      while (k < i && !(dg && pc_json_get_string (json_object_array_get_idx (manifests, k), "digest")
                        && strcmp (dg, pc_json_get_string (json_object_array_get_idx (manifests, k),
                                                           "digest")) == 0))
        k++;
      if (k < i)
        {
          const char *name = oci_name (d);
          pc_autofree char *norm = NULL;
          pc_autoerror pc_error *e = NULL;
          if (name && pc_ref_normalize (name, &norm, &e) == 0 && !strchr (norm, '@')
              && !pc_strv_contains (undo.loaded, norm) && *ids[k])
            {
              ret = pc_store_image_tag (s, ids[k], norm, err);
              if (ret == 0)
                {
                  pc_strv_append (&undo.loaded, norm);
                  if (!pc_strv_contains (undo.created, ids[k]))
                    {
                      pc_strv_append (&undo.tagged_ids, ids[k]);
                      pc_strv_append (&undo.tagged_names, norm);
                    }
                }
            }
          continue;
        }
      ret = load_oci_manifest (s, st, files, d, oci_name (d), &undo, 0, err);
      if (ret == 0 && undo.last_id)
        {
          free (ids[i]);
          ids[i] = xstrdup (undo.last_id);
        }
    }
  undo_finish (s, &undo, ret, loaded, data);
  return ret;
}

int
pc_store_load (struct pc_store *s, int fd, pc_store_loaded_fn loaded, void *data, pc_error **err)
{
  if (pc_store_require_userns (__func__, err) < 0)
    return -1;
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
