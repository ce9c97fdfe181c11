/* The changes of a vfs container as an OCI layer tar. vfs keeps a full copy
   of the root and no upper dir, so the image's root is rebuilt in staging
   from its layer blobs and both trees are walked side by side (sorted
   entries, through fds): an entry only in the container is added, one only
   in the image becomes `.wh.NAME`, a changed type is a whiteout plus the new
   entry. A regular file counts as changed when its mode, owner or size
   differ, or its mtime differs and so does its content (a file rewritten
   with the same bytes is not a change). A directory is written when its
   mode or owner changed or something below it did (as its parent). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/storage/store-private.h"

/* A directory on the current path whose header may still be due. */
struct dir_ctx
{
  struct dir_ctx *parent;
  int parent_fd;
  const char *name;
  const char *path; /* "" for the root, which has no entry */
  struct stat st;
  bool written;
};

static int
flush (struct pc_layer_writer *w, struct dir_ctx *c, pc_error **err)
{
  if (c == NULL || c->written)
    return 0;
  if (flush (w, c->parent, err) < 0)
    return -1;
  c->written = true;
  return pc_layer_writer_add (w, c->parent_fd, c->name, c->path, &c->st, err);
}

static bool
same_owner_mode (const struct stat *a, const struct stat *b)
{
  return a->st_mode == b->st_mode && a->st_uid == b->st_uid && a->st_gid == b->st_gid;
}

static bool
same_mtime (const struct stat *a, const struct stat *b)
{
  return a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static int
same_content (int dfd_a, int dfd_b, const char *name, bool *same, pc_error **err)
{
  pc_autoclose int a = openat (dfd_a, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  pc_autoclose int b = openat (dfd_b, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (a < 0 || b < 0)
    return pc_error_errno (err, errno, "open `%s` to compare it", name);
  char ba[65536], bb[65536];
  for (;;)
    {
      ssize_t na = read (a, ba, sizeof ba);
      if (na < 0)
        return pc_error_errno (err, errno, "read `%s`", name);
      size_t got = 0;
      while (got < (size_t) na)
        {
          ssize_t nb = read (b, bb + got, (size_t) na - got);
          if (nb < 0)
            return pc_error_errno (err, errno, "read `%s`", name);
          if (nb == 0)
            break;
          got += (size_t) nb;
        }
      if (got != (size_t) na || memcmp (ba, bb, got) != 0)
        {
          *same = false;
          return 0;
        }
      if (na == 0)
        {
          *same = true;
          return 0;
        }
    }
}

/* Whether new entry `name` (both sides exist, same type, not directories)
   differs from the image's. */
static int
entry_changed (int nfd, int bfd, const char *name, const struct stat *ns, const struct stat *bs,
               bool *changed, pc_error **err)
{
  *changed = true;
  if (!same_owner_mode (ns, bs))
    return 0;
  if (S_ISREG (ns->st_mode))
    {
      if (ns->st_size != bs->st_size)
        return 0;
      if (same_mtime (ns, bs))
        {
          *changed = false;
          return 0;
        }
      bool same = false;
      if (same_content (nfd, bfd, name, &same, err) < 0)
        return -1;
      *changed = !same;
      return 0;
    }
  if (S_ISLNK (ns->st_mode))
    {
      char a[4096], b[4096];
      ssize_t la = readlinkat (nfd, name, a, sizeof a);
      ssize_t lb = readlinkat (bfd, name, b, sizeof b);
      *changed = la < 0 || la != lb || memcmp (a, b, (size_t) la) != 0;
      return 0;
    }
  if (S_ISCHR (ns->st_mode) || S_ISBLK (ns->st_mode))
    *changed = ns->st_rdev != bs->st_rdev;
  else
    *changed = false; /* fifos, sockets: nothing beyond mode and owner */
  return 0;
}

static int compare_dir (struct pc_layer_writer *w, struct dir_ctx *c, int nfd, int bfd,
                        pc_error **err);

/* Writes new entry `name` (and, for a directory, everything below it). */
static int
add_new (struct pc_layer_writer *w, struct dir_ctx *c, int nfd, const char *name,
         const char *path, const struct stat *st, pc_error **err)
{
  if (flush (w, c, err) < 0 || pc_layer_writer_add (w, nfd, name, path, st, err) < 0)
    return -1;
  if (!S_ISDIR (st->st_mode))
    return 0;
  pc_autoclose int fd = openat (nfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return pc_error_errno (err, errno, "open `%s`", path);
  struct dir_ctx sub = { c, nfd, name, path, *st, true };
  return compare_dir (w, &sub, fd, -1, err);
}

static int
compare_entry (struct pc_layer_writer *w, struct dir_ctx *c, int nfd, int bfd, const char *name,
               pc_error **err)
{
  pc_autofree char *path = *c->path ? xasprintf ("%s/%s", c->path, name) : xstrdup (name);
  struct stat ns, bs;
  bool in_new = fstatat (nfd, name, &ns, AT_SYMLINK_NOFOLLOW) == 0;
  bool in_base = bfd >= 0 && fstatat (bfd, name, &bs, AT_SYMLINK_NOFOLLOW) == 0;
  if (!in_new && !in_base)
    return 0;
  if (!in_new)
    {
      if (flush (w, c, err) < 0)
        return -1;
      return pc_layer_writer_whiteout (w, c->path, name, &bs, err);
    }
  if (!in_base)
    return add_new (w, c, nfd, name, path, &ns, err);
  if ((ns.st_mode & S_IFMT) != (bs.st_mode & S_IFMT))
    {
      /* The whiteout hides the image's entry, the new one takes its place. */
      if (flush (w, c, err) < 0 || pc_layer_writer_whiteout (w, c->path, name, &bs, err) < 0)
        return -1;
      return add_new (w, c, nfd, name, path, &ns, err);
    }
  if (S_ISDIR (ns.st_mode))
    {
      struct dir_ctx sub = { c, nfd, name, path, ns, false };
      if (!same_owner_mode (&ns, &bs) && flush (w, &sub, err) < 0)
        return -1;
      pc_autoclose int nsub = openat (nfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      pc_autoclose int bsub = openat (bfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (nsub < 0 || bsub < 0)
        return pc_error_errno (err, errno, "open `%s`", path);
      return compare_dir (w, &sub, nsub, bsub, err);
    }
  bool changed = false;
  if (entry_changed (nfd, bfd, name, &ns, &bs, &changed, err) < 0)
    return -1;
  if (!changed)
    return 0;
  if (flush (w, c, err) < 0)
    return -1;
  return pc_layer_writer_add (w, nfd, name, path, &ns, err);
}

/* nfd: the container's directory; bfd: the image's, or -1 (all new). */
static int
compare_dir (struct pc_layer_writer *w, struct dir_ctx *c, int nfd, int bfd, pc_error **err)
{
  size_t nn = 0, nb = 0;
  pc_autostrv char **new_names = pc_dir_sorted_names (nfd, c->path, &nn, err);
  if (new_names == NULL)
    return -1;
  pc_autostrv char **base_names = NULL;
  if (bfd >= 0 && (base_names = pc_dir_sorted_names (bfd, c->path, &nb, err)) == NULL)
    return -1;
  /* Merge the two sorted lists: each name once, in order. */
  size_t i = 0, j = 0;
  while (i < nn || j < nb)
    {
      int cmp = i == nn ? 1 : j == nb ? -1 : strcmp (new_names[i], base_names[j]);
      const char *name = cmp <= 0 ? new_names[i] : base_names[j];
      if (compare_entry (w, c, nfd, bfd, name, err) < 0)
        return -1;
      if (cmp <= 0)
        i++;
      if (cmp >= 0)
        j++;
    }
  return 0;
}

/* The image's root, rebuilt under staging dir `base`. */
static int
rebuild_image_root (struct pc_store *s, const struct pc_image *img, int rfd, pc_error **err)
{
  for (size_t i = 0; i < img->n_layers; i++)
    {
      pc_autoclose int bfd = pc_store_blob_open (s, img->layers[i].blob, err);
      if (bfd < 0)
        return -1;
      char diff_id[72];
      struct pc_layer_apply_opts o = { .vfs = true };
      if (pc_storage_layer_apply (bfd, rfd, &o, diff_id, err) < 0)
        return pc_error_wrap (err, "apply layer %s", img->layers[i].diff_id);
    }
  return 0;
}

int
pc_storage_vfs_diff_tar (struct pc_store *s, const char *cid, json_object *rec, int out_fd,
                         pc_error **err)
{
  const char *image_id = pc_json_get_string (rec, "image");
  if (image_id == NULL)
    return pc_error_make (err, EINVAL, "container storage %s: no image recorded", cid);
  if (pc_store_require_userns (__func__, err) < 0)
    return -1;
  pc_autoimage struct pc_image *img = NULL;
  if (pc_store_image_read (s, image_id, &img, err) < 0)
    return pc_error_wrap (err, "the image of container %s", cid);
  pc_autofree char *rootfs = xasprintf ("containers/%s/rootfs", cid);
  pc_autoclose int nfd = openat (s->root_fd, rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (nfd < 0)
    return pc_error_errno (err, errno, "open the root of %s", cid);

  struct pc_staging st;
  if (pc_staging_new (s, "vfs-diff", &st, err) < 0)
    return -1;
  int r = -1;
  pc_autoclose int bfd = -1;
  struct pc_layer_writer w = { 0 };
  if (mkdirat (st.dir_fd, "base", 0755) < 0
      || (bfd = openat (st.dir_fd, "base", O_DIRECTORY | O_RDONLY | O_CLOEXEC)) < 0)
    {
      pc_error_errno (err, errno, "create `%s/base`", st.name);
      goto out;
    }
  if (rebuild_image_root (s, img, bfd, err) < 0)
    goto out;
  if (pc_layer_writer_open (&w, out_fd, err) < 0)
    goto out;
  struct dir_ctx top = { NULL, -1, "", "", { 0 }, true };
  if (compare_dir (&w, &top, nfd, bfd, err) < 0)
    goto out;
  r = pc_layer_writer_close (&w, err);
out:
  pc_layer_writer_free (&w);
  pc_staging_finish (s, &st);
  return r;
}
