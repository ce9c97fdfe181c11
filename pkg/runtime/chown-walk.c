/* podman's :U and chown=true for binds: the source and the tree below it
   chowned to the container's user, inside the container's user namespace. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"
#include "pkg/runtime/internal.h"

/* podman's U: the tree below a directory chowned to the container's user
   where it differs, symlinks themselves and never followed, as podman's
   ChangeHostPathOwnership, but never into what is mounted below it (another
   filesystem, or a bind of this one: its mount id differs). Iterative, as
   lib/rmrf.c, so no depth is too deep: a directory stream is kept for the
   first CHOWN_KEEP_OPEN levels; below that one fd goes down with openat
   (O_NOFOLLOW) and back up with "..", checked against the device and inode
   recorded on the way down, and the parent's stream is opened again at the
   entry it had reached (telldir), or found again by name from its start. */
#define CHOWN_KEEP_OPEN 32

struct chown_level
{
  DIR *d;      /* NULL while a level below CHOWN_KEEP_OPEN is being walked */
  long pos;    /* telldir before the entry being walked below */
  char *name;  /* that entry */
  dev_t dev;
  ino_t ino;
};

struct chown_walk
{
  struct chown_level *lv;
  size_t depth, cap;
  uint64_t mnt_id;
  bool have_mnt_id;
  dev_t dev;
  uid_t uid;
  gid_t gid;
};

static bool
mount_id_of (int fd, uint64_t *id)
{
  struct statx stx;
  if (statx (fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) == 0
      && (stx.stx_mask & STATX_MNT_ID))
    {
      *id = stx.stx_mnt_id;
      return true;
    }
  return false;
}

/* Whether the directory open on fd is on the walk's mount. */
static bool
same_mount (const struct chown_walk *w, int fd, const struct stat *st)
{
  uint64_t id;
  if (st->st_dev != w->dev)
    return false;
  return !w->have_mnt_id || !mount_id_of (fd, &id) || id == w->mnt_id;
}

/* Takes fd (a directory already chowned) as the new deepest level. */
static int
chown_push (struct chown_walk *w, int fd, const struct stat *st, pc_error **err)
{
  DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      int e = errno;
      close (fd);
      return pc_error_errno (err, e, "read a directory to chown");
    }
  if (w->depth == w->cap)
    {
      w->cap = w->cap ? w->cap * 2 : 32;
      w->lv = xrealloc (w->lv, w->cap * sizeof *w->lv);
    }
  if (w->depth >= CHOWN_KEEP_OPEN && w->lv[w->depth - 1].d)
    {
      closedir (w->lv[w->depth - 1].d);
      w->lv[w->depth - 1].d = NULL;
    }
  w->lv[w->depth++] = (struct chown_level) { .d = d, .pos = 0, .dev = st->st_dev, .ino = st->st_ino };
  return 0;
}

/* Leaves the deepest level for its parent, whose stream is opened again
   at the entry it had reached when it was closed on the way down. */
static int
chown_pop (struct chown_walk *w, pc_error **err)
{
  struct chown_level *child = &w->lv[w->depth - 1], *parent = &w->lv[w->depth - 2];
  if (parent->d == NULL)
    {
      int fd = openat (dirfd (child->d), "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        return pc_error_errno (err, errno, "open the parent of `%s` to chown it", parent->name);
      struct stat st;
      if (fstat (fd, &st) < 0 || st.st_dev != parent->dev || st.st_ino != parent->ino)
        {
          close (fd);
          return pc_error_make (err, ESTALE, "`%s` was moved while it was being chowned", parent->name);
        }
      parent->d = fdopendir (fd);
      if (parent->d == NULL)
        {
          int e = errno;
          close (fd);
          return pc_error_errno (err, e, "read a directory to chown");
        }
      seekdir (parent->d, parent->pos);
      struct dirent *de = readdir (parent->d);
      if (de == NULL || strcmp (de->d_name, parent->name) != 0)
        {
          /* The offset did not lead back to it: found again by name (at
             the end if it is gone). */
          rewinddir (parent->d);
          while ((de = readdir (parent->d)) != NULL && strcmp (de->d_name, parent->name) != 0)
            ;
        }
    }
  closedir (child->d);
  w->depth--;
  free (parent->name);
  parent->name = NULL;
  return 0;
}

/* One entry of the deepest level: chowned when it differs, and a directory
   on the same mount walked next. */
static int
chown_entry (struct chown_walk *w, const char *name, long pos, pc_error **err)
{
  struct chown_level *lv = &w->lv[w->depth - 1];
  int dfd = dirfd (lv->d);
  struct stat st;
  if (fstatat (dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : pc_error_errno (err, errno, "stat `%s`", name);
  if (S_ISDIR (st.st_mode))
    {
      int fd = openat (dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 && errno != ELOOP && errno != ENOTDIR)
        return errno == ENOENT ? 0 : pc_error_errno (err, errno, "open `%s`", name);
      if (fd >= 0)
        {
          if (fstat (fd, &st) < 0)
            {
              int e = errno;
              close (fd);
              return pc_error_errno (err, e, "stat `%s`", name);
            }
          if (!same_mount (w, fd, &st))
            {
              close (fd);   /* another mount: left alone, as what is under it */
              return 0;
            }
          if ((st.st_uid != w->uid || st.st_gid != w->gid) && fchown (fd, w->uid, w->gid) < 0)
            {
              int e = errno;
              close (fd);
              return pc_error_errno (err, e, "chown `%s` to %u:%u", name, w->uid, w->gid);
            }
          lv->pos = pos;
          lv->name = xstrdup (name);
          return chown_push (w, fd, &st, err);
        }
      /* Replaced by a symlink or a file under our feet: that, not followed. */
      if (fstatat (dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : pc_error_errno (err, errno, "stat `%s`", name);
    }
  if ((st.st_uid != w->uid || st.st_gid != w->gid)
      && fchownat (dfd, name, w->uid, w->gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != ENOENT)
    return pc_error_errno (err, errno, "chown `%s` to %u:%u", name, w->uid, w->gid);
  return 0;
}

/* The tree below fd (a directory opened for reading, itself already
   chowned; taken). */
int
rt_chown_tree (int fd, uid_t uid, gid_t gid, pc_error **err)
{
  struct stat st;
  if (fstat (fd, &st) < 0)
    {
      int e = errno;
      close (fd);
      return pc_error_errno (err, e, "stat the directory to chown");
    }
  struct chown_walk w = { .dev = st.st_dev, .uid = uid, .gid = gid };
  w.have_mnt_id = mount_id_of (fd, &w.mnt_id);
  int r = chown_push (&w, fd, &st, err);
  while (r == 0 && w.depth > 0)
    {
      DIR *d = w.lv[w.depth - 1].d;
      long pos = telldir (d);
      errno = 0;
      struct dirent *de = readdir (d);
      if (de == NULL)
        {
          if (errno != 0)
            r = pc_error_errno (err, errno, "read a directory to chown");
          else if (w.depth == 1)
            {
              closedir (d);
              w.depth = 0;
            }
          else
            r = chown_pop (&w, err);
        }
      else if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
        r = chown_entry (&w, de->d_name, pos, err);
    }
  for (size_t i = 0; i < w.depth; i++)
    {
      if (w.lv[i].d)
        closedir (w.lv[i].d);
      free (w.lv[i].name);
    }
  free (w.lv);
  return r;
}

/* podman's list of host paths U never chowns (pkg/chown), and the home. */
static bool
dangerous_host_path (const char *path)
{
  static const char *const never[] = { "/", "/bin", "/boot", "/dev", "/etc", "/etc/passwd", "/etc/pki",
                                       "/etc/shadow", "/home", "/lib", "/lib64", "/media", "/opt", "/proc",
                                       "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/var",
                                       "/var/lib", "/var/log", NULL };
  for (const char *const *p = never; *p; p++)
    if (strcmp (*p, path) == 0)
      return true;
  const char *home = getenv ("HOME");
  return home && *home && strcmp (home, path) == 0;
}

int
rt_chown_source (int srcfd, const struct stat *st, uid_t uid, gid_t gid, pc_error **err)
{
  char link[64], real[4096];
  snprintf (link, sizeof link, "/proc/self/fd/%d", srcfd);
  ssize_t n = readlink (link, real, sizeof real - 1);
  if (n < 0)
    return pc_error_errno (err, errno, "find the source's path");
  real[n] = '\0';
  if (dangerous_host_path (real))
    return pc_error_makec (err, PC_ERR_CANNOT_INVOKE, EPERM,
                           "chowning host path \"%s\" is not allowed. You can manually `chown -R %u:%u %s`",
                           real, uid, gid, real);
  if ((st->st_uid != uid || st->st_gid != gid) && fchownat (srcfd, "", uid, gid, AT_EMPTY_PATH) < 0)
    return pc_error_errno (err, errno, "chown the source to %u:%u", uid, gid);
  if (!S_ISDIR (st->st_mode))
    return 0;
  int dfd = openat (srcfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return pc_error_errno (err, errno, "open the source to chown it");
  return rt_chown_tree (dfd, uid, gid, err);
}
