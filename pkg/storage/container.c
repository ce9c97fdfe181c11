/* Container layers: the writable upper (and work) directory on top of an
   image's layers, or a full copy for vfs; and how to mount them. */
#include <dirent.h>
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
#include "lib/xalloc.h"
#include "pkg/storage/store-private.h"

static int
check_cid (const char *cid, pc_error **err)
{
  size_t n = cid ? strlen (cid) : 0;
  if (n == 0 || n > 128 || cid[0] == '.')
    return pc_error_make (err, EINVAL, "invalid container id `%s`", cid ? cid : "");
  for (const char *p = cid; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
          || *p == '_' || *p == '-' || *p == '.'))
      return pc_error_make (err, EINVAL, "invalid container id `%s`", cid);
  return 0;
}

/* vfs: the container's root is every layer applied in order, whiteouts by deletion. */
static int
vfs_populate (struct pc_store *s, int cdir, const struct pc_image *img, pc_error **err)
{
  if (mkdirat (cdir, "rootfs", 0755) < 0)
    return pc_error_errno (err, errno, "create rootfs");
  pc_autoclose int rfd = openat (cdir, "rootfs", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (rfd < 0)
    return pc_error_errno (err, errno, "open rootfs");
  for (size_t i = 0; i < img->n_layers; i++)
    {
      pc_autoclose int bfd = pc_store_blob_open (s, img->layers[i].blob, err);
      if (bfd < 0)
        return -1;
      char diff_id[72];
      struct pc_layer_apply_opts o = { .vfs = true };
      if (pc_storage_layer_apply (bfd, rfd, &o, diff_id, err) < 0)
        return pc_error_wrap (err, "apply layer %s", img->layers[i].diff_id);
      if (strcmp (diff_id, img->layers[i].diff_id) != 0)
        return pc_error_make (err, EIO, "layer blob %s does not match diff id %s",
                              img->layers[i].blob, img->layers[i].diff_id);
    }
  return 0;
}

int
pc_store_container_create (struct pc_store *s, const char *cid, const struct pc_image *img,
                           pc_error **err)
{
  return pc_store_container_create_batch (s, cid, img, NULL, err);
}

int
pc_store_container_create_batch (struct pc_store *s, const char *cid, const struct pc_image *img,
                                 struct pc_sync_batch *sync, pc_error **err)
{
  if (check_cid (cid, err) < 0)
    return -1;
  const char *driver = pc_store_driver (s, err);
  if (driver == NULL)
    return -1;
  bool vfs = strcmp (driver, "vfs") == 0;
  /* vfs copies the image's files with their owners; an overlay layer's
     empty dirs are container root's, the user's, from either side
     (pkg/engine/create-outside.c). */
  if (vfs && pc_store_require_userns (__func__, err) < 0)
    return -1;
  if (pc_store_lock (s, err) < 0)
    return -1;
  int r = -1;
  pc_autofree char *dir = xasprintf ("containers/%s", cid);
  pc_autoclose int cdir = -1;
  bool created = false;
  for (size_t i = 0; i < img->n_layers; i++)
    if (!pc_store_has_layer (s, img->layers[i].chain_id))
      {
        pc_error_make (err, ENOENT, "layer %s of image %.12s is missing from the store",
                       img->layers[i].chain_id, img->id);
        goto out;
      }
  if (mkdirat (s->root_fd, dir, 0700) < 0)
    {
      pc_error_errno (err, errno, "create container storage `%s/%s`", s->root, dir);
      goto out;
    }
  created = true;
  cdir = openat (s->root_fd, dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (cdir < 0)
    {
      pc_error_errno (err, errno, "open `%s/%s`", s->root, dir);
      goto out;
    }
  if (mkdirat (cdir, "merged", 0755) < 0)
    {
      pc_error_errno (err, errno, "create merged dir");
      goto out;
    }
  if (vfs)
    {
      if (vfs_populate (s, cdir, img, err) < 0)
        goto out;
    }
  /* "empty" is the lowerdir of an image without layers only (overlay
     needs one): one inode fewer for every other container. */
  else if (mkdirat (cdir, "diff", 0755) < 0 || mkdirat (cdir, "work", 0700) < 0
           || (img->n_layers == 0 && mkdirat (cdir, "empty", 0755) < 0))
    {
      pc_error_errno (err, errno, "create upper dir");
      goto out;
    }
  {
    pc_autojson json_object *rec = json_object_new_object ();
    json_object_object_add (rec, "id", json_object_new_string (cid));
    json_object_object_add (rec, "image", json_object_new_string (img->id));
    json_object *layers = json_object_new_array ();
    for (size_t i = 0; i < img->n_layers; i++)
      json_object_array_add (layers, json_object_new_string (img->layers[i].chain_id));
    json_object_object_add (rec, "layers", layers);
    json_object_object_add (rec, "driver", json_object_new_string (driver));
    const char *text = json_object_to_json_string_ext (rec, JSON_C_TO_STRING_PLAIN
                                                           | JSON_C_TO_STRING_NOSLASHESCAPE);
    if (pc_write_file_atomic_batch (cdir, "container.json", text, strlen (text), 0600, sync, err) < 0)
      goto out;
  }
  r = 0;
out:
  if (r < 0 && created)
    {
      pc_autoerror pc_error *e = NULL;
      pc_rm_rf_at (s->root_fd, dir, &e);
    }
  pc_store_unlock (s);
  return r;
}

int
pc_store_container_remove (struct pc_store *s, const char *cid, pc_error **err)
{
  if (check_cid (cid, err) < 0)
    return -1;
  if (pc_store_require_userns (__func__, err) < 0)
    return -1;
  if (pc_store_lock (s, err) < 0)
    return -1;
  pc_autofree char *dir = xasprintf ("containers/%s", cid);
  /* The record goes first: a crash half-way leaves a directory gc removes,
     never a container that looks intact. */
  pc_autofree char *rec = xasprintf ("%s/container.json", dir);
  unlinkat (s->root_fd, rec, 0);
  int r = pc_rm_rf_at (s->root_fd, dir, err);
  pc_store_unlock (s);
  if (r < 0)
    return pc_error_wrap (err, "remove container storage %s", cid);
  return 0;
}

/* The container layer's directory moved as a whole to dst_dfd/dst_name (a
   trash directory on the same filesystem, emptied later by the caller): one
   rename instead of a walk of its upper and work dirs. Without the store's
   lock: a layer that goes away only ever frees an image. 1 moved, 0 none
   there, -1 (EXDEV...) for the caller to remove it in place. */
int
pc_store_container_move (const char *store_root, const char *cid, int dst_dfd, const char *dst_name,
                         pc_error **err)
{
  if (check_cid (cid, err) < 0)
    return -1;
  pc_autofree char *dir = xasprintf ("%s/containers/%s", store_root, cid);
  if (renameat (AT_FDCWD, dir, dst_dfd, dst_name) == 0)
    return 1;
  if (errno == ENOENT)
    return 0;
  return pc_error_errno (err, errno, "move container storage `%s`", dir);
}

void
pc_rootfs_mount_clear (struct pc_rootfs_mount *m)
{
  free (m->driver);
  free (m->source);
  free (m->target);
  m->driver = m->source = m->target = NULL;
}

/* "lowerdir=L_top:...:L_bottom" for the image's chain. */
char *
pc_store_lowerdirs (struct pc_store *s, char *const *chain_ids, size_t n, const char *empty)
{
  size_t cap = 64 + n * (strlen (s->root) + 90);
  char *out = xmalloc (cap + strlen (empty ? empty : "") + 1);
  size_t len = 0;
  for (size_t i = n; i > 0; i--)
    len += (size_t) sprintf (out + len, "%s%s/layers/%s/diff", len ? ":" : "", s->root,
                             chain_ids[i - 1] + 7);
  if (n == 0)
    len += (size_t) sprintf (out + len, "%s", empty);
  out[len] = '\0';
  return out;
}

int
pc_store_container_rootfs (struct pc_store *s, const char *cid, struct pc_rootfs_mount *out,
                           pc_error **err)
{
  if (check_cid (cid, err) < 0)
    return -1;
  pc_autofree char *p = xasprintf ("containers/%s/container.json", cid);
  pc_autojson json_object *rec = pc_json_read_file (s->root_fd, p, err);
  if (rec == NULL)
    return pc_error_wrap (err, "container storage %s", cid);
  const char *driver = pc_json_get_string (rec, "driver");
  if (driver == NULL)
    return pc_error_make (err, EINVAL, "container storage %s: no driver recorded", cid);
  pc_autofree char *cdir = xasprintf ("%s/containers/%s", s->root, cid);
  memset (out, 0, sizeof *out);
  out->driver = xstrdup (driver);
  out->target = xasprintf ("%s/merged", cdir);
  if (strcmp (driver, "vfs") == 0)
    {
      out->source = xasprintf ("%s/rootfs", cdir);
      return 0;
    }
  json_object *layers = pc_json_get (rec, "layers");
  size_t n = layers ? json_object_array_length (layers) : 0;
  pc_autostrv char **chain = xmalloc0 ((n + 1) * sizeof (char *));
  for (size_t i = 0; i < n; i++)
    chain[i] = xstrdup (json_object_get_string (json_object_array_get_idx (layers, i)));
  pc_autofree char *empty = xasprintf ("%s/empty", cdir);
  pc_autofree char *lower = pc_store_lowerdirs (s, chain, n, empty);
  if (strcmp (driver, "overlay") == 0)
    out->source = xasprintf ("lowerdir=%s,upperdir=%s/diff,workdir=%s/work,userxattr", lower,
                             cdir, cdir);
  else
    out->source = xasprintf ("lowerdir=%s,upperdir=%s/diff,workdir=%s/work", lower, cdir, cdir);
  return 0;
}

char **
pc_store_container_ids (struct pc_store *s)
{
  char **ids = xmalloc0 (sizeof (char *));
  int fd = openat (s->root_fd, "containers", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  if (d == NULL && fd >= 0)
    close (fd);
  struct dirent *de;
  while (d && (de = readdir (d)))
    if (check_cid (de->d_name, NULL) == 0)
      pc_strv_append (&ids, de->d_name);
  if (d)
    closedir (d);
  return ids;
}
