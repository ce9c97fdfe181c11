/* The common end of load, import and commit: verify every staged blob and
   layer of an image, then move them into the store and register the image,
   all under the store lock and all-or-nothing as seen by readers; and one
   layer applied from a stream as it arrives (pc_store_layer_apply_stream). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/storage/ingest.h"

const char *
pc_media_type_for_compression (int compression, bool docker)
{
  if (docker)
    return compression == PC_COMP_GZIP ? "application/vnd.docker.image.rootfs.diff.tar.gzip"
           : compression == PC_COMP_ZSTD ? "application/vnd.docker.image.rootfs.diff.tar.zstd"
           : "application/vnd.docker.image.rootfs.diff.tar";
  return compression == PC_COMP_GZIP ? "application/vnd.oci.image.layer.v1.tar+gzip"
         : compression == PC_COMP_ZSTD ? "application/vnd.oci.image.layer.v1.tar+zstd"
         : "application/vnd.oci.image.layer.v1.tar";
}

void
pc_ingest_clear (struct pc_ingest *in)
{
  for (size_t i = 0; i < in->n_layers; i++)
    {
      free (in->layers[i].staged);
      free (in->layers[i].media_type);
    }
  free (in->layers);
  free (in->config_staged);
  free (in->manifest_staged);
  free (in->manifest_type);
  pc_strv_free (in->names);
  memset (in, 0, sizeof *in);
}

void
pc_ingest_add_layer (struct pc_ingest *in, const char *staged, const char *digest, int64_t size,
                     const char *media_type)
{
  in->layers = xrealloc (in->layers, (in->n_layers + 1) * sizeof *in->layers);
  struct pc_ingest_layer *l = &in->layers[in->n_layers++];
  memset (l, 0, sizeof *l);
  l->staged = xstrdup (staged);
  snprintf (l->digest, sizeof l->digest, "%s", digest);
  l->size = size;
  l->media_type = media_type ? xstrdup (media_type) : NULL;
}

/* Moves staged file -> blobs/sha256/<hex> unless the store has it. */
static int
commit_blob (struct pc_store *s, struct pc_staging *st, const char *staged, const char *digest,
             pc_error **err)
{
  char path[128];
  if (pc_store_blob_path (digest, path, sizeof path) < 0)
    return pc_error_make (err, EINVAL, "invalid digest `%s`", digest);
  if (faccessat (s->root_fd, path, F_OK, 0) == 0)
    return 0;
  if (fchmodat (st->dir_fd, staged, 0644, 0) < 0 && errno != ENOENT)
    return pc_error_errno (err, errno, "chmod blob");
  /* Linked, not moved: another image of the same archive may share the
     blob (a base layer); the staging dir goes as a whole afterwards. */
  if (linkat (st->dir_fd, staged, s->root_fd, path, 0) < 0)
    {
      if ((errno == ENOENT || errno == EEXIST) && faccessat (s->root_fd, path, F_OK, 0) == 0)
        return 0;
      return pc_error_errno (err, errno, "store blob %s", digest);
    }
  return 0;
}

static int
write_staged (struct pc_staging *st, const char *name, const char *data, size_t len, pc_error **err)
{
  pc_autoclose int fd = openat (st->dir_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return pc_error_errno (err, errno, "stage `%s`", name);
  return pc_write_all (fd, data, len, err);
}

/* A docker schema2 (docker-archive, import, commit) or OCI manifest for the image. */
static char *
make_manifest (struct pc_ingest *in, bool docker)
{
  pc_autojson json_object *m = json_object_new_object ();
  json_object_object_add (m, "schemaVersion", json_object_new_int (2));
  json_object_object_add (m, "mediaType", json_object_new_string (
                            docker ? "application/vnd.docker.distribution.manifest.v2+json"
                                   : "application/vnd.oci.image.manifest.v1+json"));
  json_object *c = json_object_new_object ();
  json_object_object_add (c, "mediaType", json_object_new_string (
                            docker ? "application/vnd.docker.container.image.v1+json"
                                   : "application/vnd.oci.image.config.v1+json"));
  json_object_object_add (c, "digest", json_object_new_string (in->config_digest));
  json_object_object_add (c, "size", json_object_new_int64 (in->config_size));
  json_object_object_add (m, "config", c);
  json_object *layers = json_object_new_array ();
  for (size_t i = 0; i < in->n_layers; i++)
    {
      json_object *l = json_object_new_object ();
      json_object_object_add (l, "mediaType", json_object_new_string (in->layers[i].media_type));
      json_object_object_add (l, "digest", json_object_new_string (in->layers[i].digest));
      json_object_object_add (l, "size", json_object_new_int64 (in->layers[i].size));
      json_object_array_add (layers, l);
    }
  json_object_object_add (m, "layers", layers);
  return xstrdup (json_object_to_json_string_ext (m, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static int
write_layer_record (int ldir, const char *chain, const char *diff_id, const char *parent,
                    int64_t diff_size, pc_error **err)
{
  pc_autojson json_object *r = json_object_new_object ();
  json_object_object_add (r, "chain_id", json_object_new_string (chain));
  json_object_object_add (r, "diff_id", json_object_new_string (diff_id));
  if (parent)
    json_object_object_add (r, "parent", json_object_new_string (parent));
  json_object_object_add (r, "diff_size", json_object_new_int64 (diff_size));
  return pc_json_write_file_atomic (ldir, "layer.json", r, 0644, err);
}

/* Extracts (or only verifies) one layer into the staging dir "L<chainhex>". */
static int
prepare_layer (struct pc_store *s, struct pc_staging *st, struct pc_ingest_layer *l,
               const char *chain, const char *parent, const char *want_diff_id, pc_error **err)
{
  bool have_layer = pc_store_has_layer (s, chain);
  if (have_layer && pc_store_has_blob (s, l->digest))
    {
      l->diff_size = -1;
      if (l->media_type == NULL)
        {
          pc_autoclose int fd = openat (st->dir_fd, l->staged, O_RDONLY | O_CLOEXEC);
          int comp = fd >= 0 ? pc_sniff_compression (fd, NULL) : PC_COMP_NONE;
          l->media_type = xstrdup (pc_media_type_for_compression (comp < 0 ? PC_COMP_NONE : comp, false));
        }
      return 0;
    }
  pc_autoclose int bfd = openat (st->dir_fd, l->staged, O_RDONLY | O_CLOEXEC);
  if (bfd < 0)
    return pc_error_errno (err, errno, "open staged layer");
  if (l->media_type == NULL)
    {
      int comp = pc_sniff_compression (bfd, err);
      if (comp < 0)
        return -1;
      l->media_type = xstrdup (pc_media_type_for_compression (comp, false));
    }
  pc_autofree char *dname = xasprintf ("L%s", chain + 7);
  if (mkdirat (st->dir_fd, dname, 0755) < 0)
    {
      if (errno == EEXIST) /* the same layer twice in one archive */
        {
          l->diff_size = -1;
          return 0;
        }
      return pc_error_errno (err, errno, "create layer staging");
    }
  pc_autoclose int ldir = openat (st->dir_fd, dname, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (ldir < 0 || mkdirat (ldir, "diff", 0755) < 0)
    return pc_error_errno (err, errno, "create layer staging");
  pc_autoclose int dfd = openat (ldir, "diff", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (dfd < 0)
    return pc_error_errno (err, errno, "open layer staging");
  char diff_id[72];
  int64_t size = 0;
  struct pc_layer_apply_opts o = { .diff_size = &size };
  if (pc_storage_layer_apply (bfd, dfd, &o, diff_id, err) < 0)
    return pc_error_wrap (err, "layer %s", l->digest);
  if (want_diff_id && strcmp (diff_id, want_diff_id) != 0)
    return pc_error_make (err, EINVAL,
                          "refusing layer %s: diff_id mismatch: the image config says %s, the content is %s",
                          l->digest, want_diff_id, diff_id);
  l->diff_size = size;
  if (write_layer_record (ldir, chain, diff_id, parent, size, err) < 0)
    return -1;
  return 0;
}

static int64_t
layer_diff_size (struct pc_store *s, const char *chain)
{
  pc_autofree char *p = xasprintf ("layers/%s/layer.json", chain + 7);
  pc_autoerror pc_error *e = NULL;
  pc_autojson json_object *r = pc_json_read_file (s->root_fd, p, &e);
  return r ? pc_json_get_int (r, "diff_size", 0) : 0;
}

/* Null is allowed where Go would read it as empty. A config that holds
   another type is refused at ingest, before it is stored. */
int
pc_image_config_check (json_object *config, const char *digest, pc_error **err)
{
  pc_autofree char *what = xasprintf ("image config %s", digest);
  if (!json_object_is_type (config, json_type_object))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s is not a JSON object", what);
  static const char *const strs[] = { "architecture", "os", "created", "author", NULL };
  for (size_t i = 0; strs[i]; i++)
    if (pc_json_check_type (config, strs[i], json_type_string, what, err) < 0)
      return -1;
  if (pc_json_check_type (config, "config", json_type_object, what, err) < 0
      || pc_json_check_type (config, "rootfs", json_type_object, what, err) < 0
      || pc_json_check_type (config, "history", json_type_array, what, err) < 0)
    return -1;
  json_object *c = pc_json_get_object (config, "config");
  static const char *const cstrs[] = { "User", "WorkingDir", "StopSignal", "Hostname", NULL };
  for (size_t i = 0; cstrs[i]; i++)
    if (pc_json_check_type (c, cstrs[i], json_type_string, what, err) < 0)
      return -1;
  if (pc_json_check_strings (c, "Env", what, err) < 0
      || pc_json_check_strings (c, "Cmd", what, err) < 0
      || pc_json_check_strings (c, "Entrypoint", what, err) < 0
      || pc_json_check_string_map (c, "Labels", what, err) < 0
      || pc_json_check_type (c, "ExposedPorts", json_type_object, what, err) < 0
      || pc_json_check_type (c, "Volumes", json_type_object, what, err) < 0
      || pc_json_check_strings (pc_json_get_object (config, "rootfs"), "diff_ids", what, err) < 0)
    return -1;
  json_object *h = pc_json_get_array (config, "history");
  for (size_t i = 0; i < pc_json_array_len (h); i++)
    {
      json_object *e = json_object_array_get_idx (h, i);
      if (e == NULL || !json_object_is_type (e, json_type_object))
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s: `history[%zu]` is not an object",
                               what, i);
      static const char *const hstrs[] = { "created", "created_by", "author", "comment", NULL };
      for (size_t k = 0; hstrs[k]; k++)
        if (pc_json_check_type (e, hstrs[k], json_type_string, what, err) < 0)
          return -1;
      if (pc_json_check_type (e, "empty_layer", json_type_boolean, what, err) < 0)
        return -1;
    }
  return 0;
}

int
pc_store_ingest (struct pc_store *s, struct pc_staging *st, struct pc_ingest *in, char **id_out,
                 pc_error **err)
{
  /* The config is the image id: verify it and its diff_ids. podman reads a
     config of at most 4 MiB (containers/image MaxConfigBodySize). */
  pc_autofree char *cdata = NULL;
  size_t clen;
  if (pc_read_file_max (st->dir_fd, in->config_staged, 4 << 20, PC_READ_REGULAR, &cdata, &clen,
                        err) < 0)
    return pc_error_wrap (err, "read image config %s", in->config_digest);
  pc_autojson json_object *config = pc_json_parse (cdata, clen, err);
  if (config == NULL)
    return pc_error_wrap (err, "image config %s", in->config_digest);
  if (pc_image_config_check (config, in->config_digest, err) < 0)
    return -1;
  in->config_size = (int64_t) clen;
  json_object *diff_ids = pc_json_get_array (pc_json_get_object (config, "rootfs"), "diff_ids");
  size_t nd = pc_json_array_len (diff_ids);
  if (nd != in->n_layers)
    return pc_error_make (err, EINVAL, "image config %s lists %zu layers, the manifest %zu",
                          in->config_digest, nd, in->n_layers);

  pc_autostrv char **chains = xmalloc0 ((in->n_layers + 1) * sizeof (char *));
  pc_autofree char *manifest = NULL;
  struct pc_image_layer *L = xmalloc0 ((in->n_layers + 1) * sizeof *L);
  int ret = -1;
  bool locked = false;
  for (size_t i = 0; i < in->n_layers; i++)
    {
      const char *did = pc_json_array_string_at (diff_ids, i);
      if (did == NULL || strncmp (did, "sha256:", 7) != 0 || strlen (did) != 71)
        {
          pc_error_make (err, EINVAL, "image config: invalid diff_id `%s`", did ? did : "");
          goto out;
        }
      chains[i] = pc_chain_id (i ? chains[i - 1] : NULL, did);
      if (prepare_layer (s, st, &in->layers[i], chains[i], i ? chains[i - 1] : NULL, did, err) < 0)
        goto out;
      L[i].chain_id = chains[i];
      L[i].diff_id = (char *) did;
      L[i].blob = in->layers[i].digest;
      L[i].media_type = in->layers[i].media_type;
      L[i].blob_size = in->layers[i].size;
    }

  if (in->manifest_staged == NULL)
    {
      bool docker = in->synthesize_docker;
      manifest = make_manifest (in, docker);
      char hex[65];
      pc_sha256_hex (manifest, strlen (manifest), hex);
      snprintf (in->manifest_digest, sizeof in->manifest_digest, "sha256:%s", hex);
      in->manifest_staged = xasprintf ("manifest-%.16s", hex);
      if (write_staged (st, in->manifest_staged, manifest, strlen (manifest), err) < 0)
        goto out;
      free (in->manifest_type);
      in->manifest_type = xstrdup (docker ? "application/vnd.docker.distribution.manifest.v2+json"
                                          : "application/vnd.oci.image.manifest.v1+json");
    }

  if (pc_store_lock (s, err) < 0)
    goto out;
  locked = true;
  for (size_t i = 0; i < in->n_layers; i++)
    {
      if (!pc_store_has_layer (s, chains[i]))
        {
          pc_autofree char *dname = xasprintf ("L%s", chains[i] + 7);
          pc_autofree char *dest = xasprintf ("layers/%s", chains[i] + 7);
          if (faccessat (st->dir_fd, dname, F_OK, 0) < 0)
            {
              pc_error_make (err, EAGAIN, "layer %s was removed while loading; try again", chains[i]);
              goto out;
            }
          if (renameat (st->dir_fd, dname, s->root_fd, dest) < 0)
            {
              /* A half-removed layer (no layer.json): replace it. */
              pc_autoerror pc_error *e2 = NULL;
              pc_rm_rf_at (s->root_fd, dest, &e2);
              if (renameat (st->dir_fd, dname, s->root_fd, dest) < 0)
                {
                  pc_error_errno (err, errno, "store layer %s", chains[i]);
                  goto out;
                }
            }
        }
      if (commit_blob (s, st, in->layers[i].staged, in->layers[i].digest, err) < 0)
        goto out;
      L[i].diff_size = in->layers[i].diff_size >= 0 ? in->layers[i].diff_size
                                                     : layer_diff_size (s, chains[i]);
    }
  if (commit_blob (s, st, in->config_staged, in->config_digest, err) < 0
      || commit_blob (s, st, in->manifest_staged, in->manifest_digest, err) < 0)
    goto out;
  struct pc_new_image ni = {
    .config_digest = in->config_digest,
    .manifest_digest = in->manifest_digest,
    .manifest_type = in->manifest_type,
    .config = config,
    .layers = L,
    .n_layers = in->n_layers,
    .names = in->names,
  };
  if (pc_store_image_register (s, &ni, err) < 0)
    goto out;
  if (id_out)
    *id_out = xstrdup (in->config_digest + 7);
  ret = 0;
out:
  if (locked)
    pc_store_unlock (s);
  free (L);
  return ret;
}

static bool
valid_digest (const char *d)
{
  char path[128];
  return d != NULL && pc_store_blob_path (d, path, sizeof path) == 0;
}

int
pc_store_layer_apply_stream (struct pc_store *s, int fd, const char *expected_digest,
                             const char *expected_diff_id, const char *parent_chain,
                             char chain_id_out[72], pc_error **err)
{
  if (!valid_digest (expected_digest) || !valid_digest (expected_diff_id)
      || (parent_chain && !valid_digest (parent_chain)))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "layer %s: invalid digest, diff_id or parent",
                           expected_digest ? expected_digest : "(none)");
  pc_autofree char *chain = pc_chain_id (parent_chain, expected_diff_id);
  snprintf (chain_id_out, 72, "%s", chain);
  if (pc_store_has_layer (s, chain) && pc_store_has_blob (s, expected_digest))
    return 1;

  /* Everything lands in a staging dir first: only a verified layer and
     blob are moved into the store. */
  struct pc_staging st = { .dir_fd = -1, .lock_fd = -1 };
  if (pc_staging_new (s, "layer", &st, err) < 0)
    return -1;
  int ret = -1;
  bool locked = false;
  pc_autofree char *dname = xasprintf ("L%s", chain + 7);
  pc_autoclose int ldir = -1, dfd = -1, bfd = -1;
  if (mkdirat (st.dir_fd, dname, 0755) < 0
      || (ldir = openat (st.dir_fd, dname, O_DIRECTORY | O_RDONLY | O_CLOEXEC)) < 0
      || mkdirat (ldir, "diff", 0755) < 0
      || (dfd = openat (ldir, "diff", O_DIRECTORY | O_RDONLY | O_CLOEXEC)) < 0)
    {
      pc_error_errno (err, errno, "create layer staging");
      goto out;
    }
  bfd = openat (st.dir_fd, "blob", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (bfd < 0)
    {
      pc_error_errno (err, errno, "create staged blob");
      goto out;
    }
  struct pc_layer_blob blob = { .tee_fd = bfd };
  char diff_id[72];
  int64_t size = 0;
  struct pc_layer_apply_opts o = { .diff_size = &size };
  if (pc_storage_layer_apply_stream (fd, dfd, &o, &blob, diff_id, err) < 0)
    {
      pc_error_set_class (err, PC_ERR_INVALID);
      pc_error_wrap (err, "layer %s", expected_digest);
      goto out;
    }
  if (strcmp (blob.digest, expected_digest) != 0)
    {
      pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                      "refusing layer %s: digest mismatch: the content is %s", expected_digest,
                      blob.digest);
      goto out;
    }
  if (strcmp (diff_id, expected_diff_id) != 0)
    {
      pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                      "refusing layer %s: diff_id mismatch: the image config says %s, the content is %s",
                      expected_digest, expected_diff_id, diff_id);
      goto out;
    }
  if (fsync (bfd) < 0)
    {
      pc_error_errno (err, errno, "write staged blob");
      goto out;
    }
  if (write_layer_record (ldir, chain, diff_id, parent_chain, size, err) < 0)
    goto out;

  if (pc_store_lock (s, err) < 0)
    goto out;
  locked = true;
  if (!pc_store_has_layer (s, chain))
    {
      pc_autofree char *dest = xasprintf ("layers/%s", chain + 7);
      if (renameat (st.dir_fd, dname, s->root_fd, dest) < 0)
        {
          /* A half-removed layer (no layer.json): replace it. */
          pc_autoerror pc_error *e2 = NULL;
          pc_rm_rf_at (s->root_fd, dest, &e2);
          if (renameat (st.dir_fd, dname, s->root_fd, dest) < 0)
            {
              pc_error_errno (err, errno, "store layer %s", chain);
              goto out;
            }
        }
    }
  if (commit_blob (s, &st, "blob", expected_digest, err) < 0)
    goto out;
  ret = 0;
out:
  if (locked)
    pc_store_unlock (s);
  pc_staging_finish (s, &st);
  return ret;
}
