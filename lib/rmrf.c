/* pc_rm_rf_at: removal that never follows a symlink and never leaves the
   mount it started on, so a container root full of hostile links can be
   deleted safely; and that holds a bounded number of fds however deep the
   tree (a container can nest directories thousands deep).

   The walk keeps a directory stream open for the first KEEP_OPEN levels;
   below that it holds one fd: it goes down with openat (O_NOFOLLOW) and back
   up with "..", checked against the device and inode it recorded on the way
   down, and scans the parent again from its start (what it removed is gone). */
#include "lib/fileutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

#define KEEP_OPEN 16

struct level
{
  char *name;  /* in the parent; NULL at the top */
  dev_t dev;
  ino_t ino;
  DIR *d;      /* open while depth < KEEP_OPEN, else NULL once we went below */
};

struct walk
{
  struct level *lv;
  size_t depth, cap;
  uint64_t mnt_id;
  bool have_mnt_id;
  const char *path;
};

static int
mount_id_of (int fd, uint64_t *id)
{
#ifdef STATX_MNT_ID
  struct statx stx;
  if (statx (fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) == 0
      && (stx.stx_mask & STATX_MNT_ID))
    {
      *id = stx.stx_mnt_id;
      return 0;
    }
#endif
  (void) fd;
  (void) id;
  return -1;
}

static int
open_dir_nofollow (int dirfd, const char *name)
{
  int fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == EACCES)
    {
      /* Not readable/searchable by us: we own it (or are root), so fix the mode. */
      if (fchmodat (dirfd, name, 0700, 0) == 0)
        fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      else
        errno = EACCES;
    }
  return fd;
}

/* Makes fd's directory writable and wraps it in a stream (which owns fd). */
static DIR *
open_stream (int fd, const char *name, pc_error **err)
{
  struct stat st;
  if (fstat (fd, &st) < 0)
    {
      pc_error_errno (err, errno, "stat `%s`", name);
      close (fd);
      return NULL;
    }
  if ((st.st_mode & 0700) != 0700 && fchmod (fd, (st.st_mode & 07777) | 0700) < 0)
    {
      pc_error_errno (err, errno, "make `%s` writable", name);
      close (fd);
      return NULL;
    }
  DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      pc_error_errno (err, errno, "opendir `%s`", name);
      close (fd);
    }
  return d;
}

static void
walk_free (struct walk *w)
{
  for (size_t i = 0; i < w->depth; i++)
    {
      if (w->lv[i].d)
        closedir (w->lv[i].d);
      free (w->lv[i].name);
    }
  free (w->lv);
}

/* Pushes the directory open on fd (taking it) as the new deepest level. */
static int
push (struct walk *w, int fd, const char *name, pc_error **err)
{
  struct stat st;
  if (fstat (fd, &st) < 0)
    {
      close (fd);
      return pc_error_errno (err, errno, "stat `%s`", name);
    }
  uint64_t id;
  if (w->have_mnt_id && mount_id_of (fd, &id) == 0 && id != w->mnt_id)
    {
      close (fd);
      return pc_error_makec (err, PC_ERR_IN_USE, EBUSY,
                             "`%s` in `%s` is a mount point: not removing what is mounted there",
                             name, w->path);
    }
  if (w->depth > 0 && !w->have_mnt_id && st.st_dev != w->lv[0].dev)
    {
      close (fd);
      return pc_error_makec (err, PC_ERR_IN_USE, EBUSY,
                             "`%s` in `%s` is on another filesystem: not removing it", name,
                             w->path);
    }
  DIR *d = open_stream (fd, name, err);
  if (d == NULL)
    return pc_error_wrap (err, "in `%s`", w->path);
  if (w->depth == w->cap)
    {
      w->cap = w->cap ? w->cap * 2 : 32;
      w->lv = xrealloc (w->lv, w->cap * sizeof *w->lv);
    }
  /* name may live in the parent's stream (a dirent): copied before that
     stream can go. */
  char *copy = w->depth > 0 ? xstrdup (name) : NULL;
  /* Deep down, the parent's stream goes: one fd for the whole descent. */
  if (w->depth >= KEEP_OPEN && w->lv[w->depth - 1].d)
    {
      closedir (w->lv[w->depth - 1].d);
      w->lv[w->depth - 1].d = NULL;
    }
  w->lv[w->depth] = (struct level) { .name = copy, .dev = st.st_dev, .ino = st.st_ino, .d = d };
  w->depth++;
  return 0;
}

/* Pops the deepest (now empty) level and removes it from its parent, whose
   stream is opened again (from its start) if it was closed on the way down. */
static int
pop (struct walk *w, pc_error **err)
{
  struct level *child = &w->lv[w->depth - 1], *parent = &w->lv[w->depth - 2];
  if (parent->d == NULL)
    {
      int fd = openat (dirfd (child->d), "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        return pc_error_errno (err, errno, "open the parent of `%s` in `%s`", child->name,
                               w->path);
      struct stat st;
      if (fstat (fd, &st) < 0 || st.st_dev != parent->dev || st.st_ino != parent->ino)
        {
          close (fd);
          return pc_error_makec (err, PC_ERR_GENERIC, ESTALE,
                                 "`%s` in `%s` was moved while it was being removed", child->name,
                                 w->path);
        }
      parent->d = fdopendir (fd);
      if (parent->d == NULL)
        {
          int e = errno;
          close (fd);
          return pc_error_errno (err, e, "opendir in `%s`", w->path);
        }
    }
  closedir (child->d);
  child->d = NULL;
  int r = unlinkat (dirfd (parent->d), child->name, AT_REMOVEDIR);
  if (r < 0 && errno != ENOENT)
    r = pc_error_errno (err, errno, "remove directory `%s` in `%s`", child->name, w->path);
  else
    r = 0;
  free (child->name);
  child->name = NULL;
  w->depth--;
  return r;
}

/* Removes one entry of the deepest level; *descended when it pushed a
   directory to empty first. */
static int
rm_entry (struct walk *w, const char *name, bool *descended, pc_error **err)
{
  int dfd = dirfd (w->lv[w->depth - 1].d);
  *descended = false;
  /* The cheap case first: anything that is not a directory. */
  if (unlinkat (dfd, name, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return pc_error_errno (err, errno, "remove `%s` in `%s`", name, w->path);
  int fd = open_dir_nofollow (dfd, name);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return 0;
      if (errno == ELOOP || errno == ENOTDIR)
        {
          /* Replaced by a non-directory under our feet: remove that instead. */
          if (unlinkat (dfd, name, 0) == 0 || errno == ENOENT)
            return 0;
        }
      return pc_error_errno (err, errno, "open `%s` in `%s`", name, w->path);
    }
  if (push (w, fd, name, err) < 0)
    return -1;
  *descended = true;
  return 0;
}

static int
empty_tree (struct walk *w, pc_error **err)
{
  while (w->depth > 0)
    {
      DIR *d = w->lv[w->depth - 1].d;
      bool descended = false;
      for (;;)
        {
          errno = 0;
          struct dirent *de = readdir (d);
          if (de == NULL)
            {
              if (errno != 0)
                return pc_error_errno (err, errno, "read a directory in `%s`", w->path);
              break;
            }
          if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
            continue;
          if (rm_entry (w, de->d_name, &descended, err) < 0)
            return -1;
          if (descended)
            break;
        }
      if (descended)
        continue;
      if (w->depth == 1)
        return 0;
      if (pop (w, err) < 0)
        return -1;
    }
  return 0;
}

int
pc_rm_rf_at (int dirfd, const char *path, pc_error **err)
{
  if (path == NULL || *path == '\0')
    return pc_error_make (err, EINVAL, "rm -rf: empty path");
  if (unlinkat (dirfd, path, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return pc_error_errno (err, errno, "remove `%s`", path);
  int fd = open_dir_nofollow (dirfd, path);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return 0;
      if ((errno == ELOOP || errno == ENOTDIR) && (unlinkat (dirfd, path, 0) == 0 || errno == ENOENT))
        return 0;
      return pc_error_errno (err, errno, "open `%s`", path);
    }
  struct walk w = { .path = path };
  w.have_mnt_id = mount_id_of (fd, &w.mnt_id) == 0;
  int r = push (&w, fd, path, err);
  if (r == 0)
    r = empty_tree (&w, err);
  walk_free (&w);
  if (r < 0)
    return -1;
  if (unlinkat (dirfd, path, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return pc_error_errno (err, errno, "remove directory `%s`", path);
  return 0;
}
