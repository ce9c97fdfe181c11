/* pc save: docker-archive (manifest.json, uncompressed layers), oci-archive
   and oci-dir (OCI layout; the stored blobs as they are, so digests match
   what was loaded). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/storage/store-private.h"

#define BLOCK (256 * 1024)

struct sink
{
  struct archive *w;  /* archive, or NULL for a directory */
  int dirfd;
  char **written;     /* paths already written (shared blobs once) */
};

static int
sink_begin (struct sink *k, const char *path, int64_t size, pc_error **err, int *fd_out)
{
  *fd_out = -1;
  if (k->w)
    {
      struct archive_entry *e = archive_entry_new ();
      archive_entry_set_pathname (e, path);
      archive_entry_set_filetype (e, AE_IFREG);
      archive_entry_set_perm (e, 0644);
      archive_entry_set_size (e, size);
      archive_entry_set_mtime (e, 0, 0);
      int r = archive_write_header (k->w, e);
      archive_entry_free (e);
      if (r != ARCHIVE_OK)
        return pc_error_make (err, EIO, "write `%s`: %s", path, archive_error_string (k->w));
      return 0;
    }
  pc_autofree char *dir = xstrdup (path);
  char *slash = strrchr (dir, '/');
  if (slash)
    {
      *slash = '\0';
      if (pc_mkdir_p (k->dirfd, dir, 0755, err) < 0)
        return -1;
    }
  *fd_out = openat (k->dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (*fd_out < 0)
    return pc_error_errno (err, errno, "write `%s`", path);
  return 0;
}

static int
sink_data (struct sink *k, int fd, const void *buf, size_t len, pc_error **err)
{
  if (k->w)
    {
      if (archive_write_data (k->w, buf, len) != (la_ssize_t) len)
        return pc_error_make (err, EIO, "write archive: %s", archive_error_string (k->w));
      return 0;
    }
  return pc_write_all (fd, buf, len, err);
}

static int
sink_file (struct sink *k, const char *path, const void *data, size_t len, pc_error **err)
{
  if (pc_strv_contains (k->written, path))
    return 0;
  pc_strv_append (&k->written, path);
  pc_autoclose int fd = -1;
  if (sink_begin (k, path, (int64_t) len, err, &fd) < 0)
    return -1;
  return sink_data (k, fd, data, len, err);
}

/* A blob damaged on disk is not passed on as the image: what was copied is
   hashed on the way and compared with the digest it claims. */
static int
check_digest (struct pc_sha256 *h, const char *want, const char *what, pc_error **err)
{
  char hex[65];
  pc_sha256_final_hex (h, hex);
  if (strncmp (want, "sha256:", 7) != 0 || strcmp (want + 7, hex) != 0)
    return pc_error_make (err, EIO,
                          "%s %s is corrupt in the store (its content is sha256:%s): remove the "
                          "image and load or pull it again",
                          what, want, hex);
  return 0;
}

/* A stored blob, as is. */
static int
sink_blob (struct sink *k, struct pc_store *s, const char *path, const char *digest, pc_error **err)
{
  if (pc_strv_contains (k->written, path))
    return 0;
  pc_strv_append (&k->written, path);
  pc_autoclose int in = pc_store_blob_open (s, digest, err);
  if (in < 0)
    return -1;
  struct stat st;
  if (fstat (in, &st) < 0)
    return pc_error_errno (err, errno, "stat blob %s", digest);
  pc_autoclose int fd = -1;
  if (sink_begin (k, path, st.st_size, err, &fd) < 0)
    return -1;
  pc_autofree char *buf = xmalloc (BLOCK);
  pc_autosha256 struct pc_sha256 *h = pc_sha256_new ();
  ssize_t n;
  int64_t total = 0;
  while ((n = read (in, buf, BLOCK)) > 0)
    {
      pc_sha256_update (h, buf, (size_t) n);
      if (sink_data (k, fd, buf, (size_t) n, err) < 0)
        return -1;
      total += n;
    }
  if (n < 0 || total != st.st_size)
    return pc_error_errno (err, n < 0 ? errno : EIO, "read blob %s", digest);
  return check_digest (h, digest, "blob", err);
}

/* A stored layer blob, decompressed (docker-archive layers are plain tars). */
static int
sink_layer_tar (struct sink *k, struct pc_store *s, const char *path,
                const struct pc_image_layer *l, pc_error **err)
{
  if (pc_strv_contains (k->written, path))
    return 0;
  pc_strv_append (&k->written, path);
  pc_autoclose int in = pc_store_blob_open (s, l->blob, err);
  if (in < 0)
    return -1;
  struct archive *a = archive_read_new ();
  archive_read_support_filter_gzip (a);
  archive_read_support_filter_zstd (a);
  archive_read_support_format_raw (a);
  struct archive_entry *e;
  pc_autofree char *buf = xmalloc (BLOCK);
  int ret = -1;
  pc_autoclose int fd = -1;
  pc_autosha256 struct pc_sha256 *h = pc_sha256_new ();
  int64_t total = 0;
  la_ssize_t n;
  if (archive_read_open_fd (a, in, BLOCK) != ARCHIVE_OK || archive_read_next_header (a, &e) != ARCHIVE_OK)
    {
      pc_error_make (err, EIO, "read layer %s: %s", l->blob, archive_error_string (a));
      goto out;
    }
  if (sink_begin (k, path, l->diff_size, err, &fd) < 0)
    goto out;
  while ((n = archive_read_data (a, buf, BLOCK)) > 0)
    {
      pc_sha256_update (h, buf, (size_t) n);
      if (total + n > l->diff_size)
        {
          pc_error_make (err, EIO, "layer %s is larger than recorded", l->diff_id);
          goto out;
        }
      if (sink_data (k, fd, buf, (size_t) n, err) < 0)
        goto out;
      total += n;
    }
  if (n < 0 || total != l->diff_size)
    {
      pc_error_make (err, EIO, "layer %s: read %lld of %lld bytes: %s", l->diff_id,
                     (long long) total, (long long) l->diff_size, n < 0 ? archive_error_string (a) : "short");
      goto out;
    }
  if (check_digest (h, l->diff_id, "layer", err) < 0)
    goto out;
  ret = 0;
out:
  archive_read_free (a);
  return ret;
}

static const char *
oci_layer_type (const char *mt)
{
  if (mt == NULL)
    return "application/vnd.oci.image.layer.v1.tar";
  if (strstr (mt, "gzip"))
    return "application/vnd.oci.image.layer.v1.tar+gzip";
  if (strstr (mt, "zstd"))
    return "application/vnd.oci.image.layer.v1.tar+zstd";
  return "application/vnd.oci.image.layer.v1.tar";
}

/* The OCI manifest of an image: the stored one when it is OCI already, else
   converted (same config and layer digests, OCI media types). */
static char *
oci_manifest (struct pc_store *s, struct pc_image *img, char digest[72], pc_error **err)
{
  json_object *rec = pc_image_record (img);
  const char *mt = pc_json_get_string (rec, "manifest_type");
  const char *md = pc_json_get_string (rec, "digest");
  char *data = NULL;
  size_t len;
  if (mt && strcmp (mt, "application/vnd.oci.image.manifest.v1+json") == 0 && md
      && pc_store_blob_read (s, md, &data, &len, NULL) == 0)
    {
      snprintf (digest, 72, "%s", md);
      return data;
    }
  pc_autofree char *cfg = NULL;
  size_t clen;
  pc_autofree char *cd = xasprintf ("sha256:%s", pc_image_id (img));
  if (pc_store_blob_read (s, cd, &cfg, &clen, err) < 0)
    return NULL;
  pc_autojson json_object *m = json_object_new_object ();
  json_object_object_add (m, "schemaVersion", json_object_new_int (2));
  json_object_object_add (m, "mediaType", json_object_new_string ("application/vnd.oci.image.manifest.v1+json"));
  json_object *c = json_object_new_object ();
  json_object_object_add (c, "mediaType", json_object_new_string ("application/vnd.oci.image.config.v1+json"));
  json_object_object_add (c, "digest", json_object_new_string (cd));
  json_object_object_add (c, "size", json_object_new_int64 ((int64_t) clen));
  json_object_object_add (m, "config", c);
  json_object *layers = json_object_new_array ();
  for (size_t i = 0; i < pc_image_n_layers (img); i++)
    {
      const struct pc_image_layer *l = pc_image_layer (img, i);
      json_object *d = json_object_new_object ();
      json_object_object_add (d, "mediaType", json_object_new_string (oci_layer_type (l->media_type)));
      json_object_object_add (d, "digest", json_object_new_string (l->blob));
      json_object_object_add (d, "size", json_object_new_int64 (l->blob_size));
      json_object_array_add (layers, d);
    }
  json_object_object_add (m, "layers", layers);
  data = xstrdup (json_object_to_json_string_ext (m, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  char hex[65];
  pc_sha256_hex (data, strlen (data), hex);
  snprintf (digest, 72, "sha256:%s", hex);
  return data;
}

static int
save_oci (struct pc_store *s, struct sink *k, struct pc_image **imgs, char **names, size_t n,
          pc_error **err)
{
  static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
  if (sink_file (k, "oci-layout", layout, strlen (layout), err) < 0)
    return -1;
  /* Explicit directories: tools that untar without privileges (skopeo)
     otherwise fail on the implied ones. */
  for (const char *const *dp = (const char *const[]) { "blobs/", "blobs/sha256/", NULL }; k->w && *dp; dp++)
    {
      struct archive_entry *e = archive_entry_new ();
      archive_entry_set_pathname (e, *dp);
      archive_entry_set_filetype (e, AE_IFDIR);
      archive_entry_set_perm (e, 0755);
      archive_entry_set_mtime (e, 0, 0);
      int r = archive_write_header (k->w, e);
      archive_entry_free (e);
      if (r != ARCHIVE_OK)
        return pc_error_make (err, EIO, "write archive: %s", archive_error_string (k->w));
    }
  pc_autojson json_object *index = json_object_new_object ();
  json_object_object_add (index, "schemaVersion", json_object_new_int (2));
  json_object_object_add (index, "mediaType", json_object_new_string ("application/vnd.oci.image.index.v1+json"));
  json_object *manifests = json_object_new_array ();
  json_object_object_add (index, "manifests", manifests);
  for (size_t i = 0; i < n; i++)
    {
      char md[72];
      pc_autofree char *m = oci_manifest (s, imgs[i], md, err);
      if (m == NULL)
        return -1;
      pc_autofree char *cd = xasprintf ("sha256:%s", pc_image_id (imgs[i]));
      pc_autofree char *cp = xasprintf ("blobs/sha256/%s", pc_image_id (imgs[i]));
      if (sink_blob (k, s, cp, cd, err) < 0)
        return -1;
      for (size_t j = 0; j < pc_image_n_layers (imgs[i]); j++)
        {
          const struct pc_image_layer *l = pc_image_layer (imgs[i], j);
          pc_autofree char *lp = xasprintf ("blobs/sha256/%s", l->blob + 7);
          if (sink_blob (k, s, lp, l->blob, err) < 0)
            return -1;
        }
      pc_autofree char *mp = xasprintf ("blobs/sha256/%s", md + 7);
      if (sink_file (k, mp, m, strlen (m), err) < 0)
        return -1;
      json_object *d = json_object_new_object ();
      json_object_object_add (d, "mediaType", json_object_new_string ("application/vnd.oci.image.manifest.v1+json"));
      json_object_object_add (d, "digest", json_object_new_string (md));
      json_object_object_add (d, "size", json_object_new_int64 ((int64_t) strlen (m)));
      if (names[i])
        {
          json_object *ann = json_object_new_object ();
          json_object_object_add (ann, "org.opencontainers.image.ref.name", json_object_new_string (names[i]));
          json_object_object_add (d, "annotations", ann);
        }
      json_object_array_add (manifests, d);
    }
  const char *idx = json_object_to_json_string_ext (index, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  return sink_file (k, "index.json", idx, strlen (idx), err);
}

static int
save_docker (struct pc_store *s, struct sink *k, struct pc_image **imgs, char **names, size_t n,
             pc_error **err)
{
  pc_autojson json_object *manifest = json_object_new_array ();
  for (size_t i = 0; i < n; i++)
    {
      const char *id = pc_image_id (imgs[i]);
      pc_autofree char *cp = xasprintf ("%s.json", id);
      pc_autofree char *cd = xasprintf ("sha256:%s", id);
      if (sink_blob (k, s, cp, cd, err) < 0)
        return -1;
      json_object *m = json_object_new_object ();
      json_object_array_add (manifest, m); /* owned by manifest, on every way out */
      json_object_object_add (m, "Config", json_object_new_string (cp));
      json_object *tags = json_object_new_array ();
      if (names[i])
        json_object_array_add (tags, json_object_new_string (names[i]));
      json_object_object_add (m, "RepoTags", tags);
      json_object *layers = json_object_new_array ();
      json_object_object_add (m, "Layers", layers);
      for (size_t j = 0; j < pc_image_n_layers (imgs[i]); j++)
        {
          const struct pc_image_layer *l = pc_image_layer (imgs[i], j);
          pc_autofree char *lp = xasprintf ("%s.tar", l->diff_id + 7);
          if (sink_layer_tar (k, s, lp, l, err) < 0)
            return -1;
          json_object_array_add (layers, json_object_new_string (lp));
        }
    }
  const char *mj = json_object_to_json_string_ext (manifest, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  return sink_file (k, "manifest.json", mj, strlen (mj), err);
}

int
pc_store_save (struct pc_store *s, char *const *refs, enum pc_save_format format, int out_fd,
               const char *dir_path, pc_error **err)
{
  size_t n = pc_strv_len (refs);
  struct pc_image **imgs = xmalloc0 ((n + 1) * sizeof *imgs);
  char **names = xmalloc0 ((n + 1) * sizeof (char *));
  struct sink k = { .dirfd = -1 };
  int ret = -1;
  for (size_t i = 0; i < n; i++)
    {
      if (pc_store_image_lookup (s, refs[i], &imgs[i], err) < 0)
        goto out;
      /* A name the user typed becomes the archive's tag; an id gives none. */
      const char *id = pc_image_id (imgs[i]);
      const char *r = refs[i];
      if (strncmp (r, "sha256:", 7) == 0)
        r += 7;
      if (strncmp (id, r, strlen (r)) != 0)
        {
          pc_autofree char *norm = NULL;
          if (pc_ref_normalize (refs[i], &norm, NULL) == 0 && pc_strv_contains (pc_image_names (imgs[i]), norm))
            names[i] = steal_pointer (&norm);
          else if (pc_image_names (imgs[i])[0])
            names[i] = xstrdup (pc_image_names (imgs[i])[0]);
        }
    }
  if (format == PC_SAVE_OCI_DIR)
    {
      if (pc_mkdir_p (AT_FDCWD, dir_path, 0755, err) < 0)
        goto out;
      k.dirfd = open (dir_path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
      if (k.dirfd < 0)
        {
          pc_error_errno (err, errno, "open `%s`", dir_path);
          goto out;
        }
    }
  else
    {
      k.w = archive_write_new ();
      archive_write_set_format_pax_restricted (k.w);
      archive_write_set_bytes_in_last_block (k.w, 1);
      if (archive_write_open_fd (k.w, out_fd) != ARCHIVE_OK)
        {
          pc_error_make (err, EIO, "write archive: %s", archive_error_string (k.w));
          goto out;
        }
    }
  if (format == PC_SAVE_DOCKER_ARCHIVE)
    ret = save_docker (s, &k, imgs, names, n, err);
  else
    ret = save_oci (s, &k, imgs, names, n, err);
  if (ret == 0 && k.w && archive_write_close (k.w) != ARCHIVE_OK)
    ret = pc_error_make (err, EIO, "write archive: %s", archive_error_string (k.w));
out:
  if (k.w)
    archive_write_free (k.w);
  if (k.dirfd >= 0)
    close (k.dirfd);
  pc_strv_free (k.written);
  for (size_t i = 0; i < n; i++)
    {
      pc_image_free (imgs[i]);
      free (names[i]);
    }
  free (imgs);
  free (names);
  return ret;
}
