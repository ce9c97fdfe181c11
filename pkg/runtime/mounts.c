/* spec.mounts inside the container's mount namespace. Every destination is
   resolved inside the root with lib's pc_safe_openat (openat2 RESOLVE_IN_ROOT,
   or its component walk on a kernel without openat2) and mounted onto the
   fd with the new mount API (fsopen/fsmount, open_tree/mount_setattr,
   move_mount), so a symlink in the image can never redirect a mount out of
   the root, and attributes are set before a mount becomes visible. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"
#include "pkg/runtime/internal.h"

#define RT_OVERLAY_MOUNTS_ANNOTATION "run.pc.overlay-mounts"

/* Opens path inside the root; -1 with errno set on failure, as the callers
   tell a missing path (ENOENT) from other failures. */
static int
open_in_root (int rootfd, const char *path, int flags)
{
  while (*path == '/')
    path++;
  if (*path == '\0')
    path = ".";
  pc_error *e = NULL;
  int fd = pc_safe_openat (rootfd, path, flags, 0, &e);
  if (fd < 0)
    {
      int saved = e && e->status ? e->status : EIO;
      pc_error_free (e);
      errno = saved;
    }
  return fd;
}

/* mkdir -p inside the root; returns an O_PATH fd on the directory. */
int
rt_safe_open_dir_p (int rootfd, const char *path, pc_error **err)
{
  int fd = open_in_root (rootfd, path, O_PATH | O_DIRECTORY);
  if (fd >= 0 || errno != ENOENT)
    {
      if (fd < 0)
        return pc_error_errno (err, errno, "open `%s` in the container", path);
      return fd;
    }
  pc_autofree char *copy = xstrdup (path);
  char *slash = strrchr (copy, '/');
  const char *base = copy;
  pc_autoclose int parent = -1;
  if (slash != NULL)
    {
      *slash = '\0';
      base = slash + 1;
      parent = rt_safe_open_dir_p (rootfd, copy[0] ? copy : "/", err);
    }
  else
    parent = rt_safe_open_dir_p (rootfd, "/", err);
  if (parent < 0)
    return -1;
  if (*base == '\0')
    return steal_fd (&parent);
  if (mkdirat (parent, base, 0755) < 0 && errno != EEXIST)
    return pc_error_errno (err, errno, "create directory `%s` in the container", path);
  /* Resolve again from the root: a concurrent symlink swap cannot escape. */
  fd = open_in_root (rootfd, path, O_PATH | O_DIRECTORY);
  if (fd < 0)
    return pc_error_errno (err, errno, "open `%s` in the container", path);
  return fd;
}

/* Opens (creating if needed) a mount destination: a directory, or an empty
   file when the source is not a directory. */
int
rt_safe_open_dest (int rootfd, const char *path, bool dir, pc_error **err)
{
  if (dir)
    return rt_safe_open_dir_p (rootfd, path, err);
  int fd = open_in_root (rootfd, path, O_PATH);
  if (fd >= 0)
    return fd;
  if (errno != ENOENT)
    return pc_error_errno (err, errno, "open `%s` in the container", path);
  pc_autofree char *copy = xstrdup (path);
  char *slash = strrchr (copy, '/');
  *slash = '\0';
  pc_autoclose int parent = rt_safe_open_dir_p (rootfd, copy[0] ? copy : "/", err);
  if (parent < 0)
    return -1;
  int f = openat (parent, slash + 1, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (f < 0 && errno != EEXIST)
    return pc_error_errno (err, errno, "create `%s` in the container", path);
  if (f >= 0)
    close (f);
  fd = open_in_root (rootfd, path, O_PATH);
  if (fd < 0)
    return pc_error_errno (err, errno, "open `%s` in the container", path);
  return fd;
}

static void
fs_log (int fsfd, char *buf, size_t size)
{
  buf[0] = '\0';
  ssize_t n = read (fsfd, buf, size - 1);
  if (n > 2)
    {
      buf[n] = '\0';
      if (buf[n - 1] == '\n')
        buf[n - 1] = '\0';
    }
  else
    buf[0] = '\0';
}

int
rt_mount_fs (const char *type, const char *source, char *const *data, uint64_t attrs, int destfd,
             pc_error **err)
{
  pc_autoclose int fsfd = fsopen (type, FSOPEN_CLOEXEC);
  if (fsfd < 0)
    return pc_error_errno (err, errno, "fsopen `%s`", type);
  /* What `mount` and /proc/self/mountinfo show as the device. */
  if (source && fsconfig (fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
    return pc_error_errno (err, errno, "%s source `%s`", type, source);
  for (char *const *p = data; p && *p; p++)
    {
      pc_autofree char *key = xstrdup (*p);
      char *eq = strchr (key, '=');
      int r;
      if (eq)
        {
          *eq = '\0';
          r = fsconfig (fsfd, FSCONFIG_SET_STRING, key, eq + 1, 0);
        }
      else
        r = fsconfig (fsfd, FSCONFIG_SET_FLAG, key, NULL, 0);
      if (r < 0)
        return pc_error_errno (err, errno, "%s option `%s`", type, *p);
    }
  if (fsconfig (fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    {
      int e = errno;
      char log[256];
      fs_log (fsfd, log, sizeof log);
      if (log[0])
        return pc_error_errno (err, e, "mount %s (%s)", type, log);
      return pc_error_errno (err, e, "mount %s", type);
    }
  pc_autoclose int mfd = fsmount (fsfd, FSMOUNT_CLOEXEC, (unsigned int) attrs);
  if (mfd < 0)
    return pc_error_errno (err, errno, "fsmount %s", type);
  if (move_mount (mfd, "", destfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return pc_error_errno (err, errno, "attach %s mount", type);
  return steal_fd (&mfd);
}

/* srcfd >= 0: bind that fd's path; else the host path src. Returns the
   attached mount's fd. */
int
rt_mount_bind (int srcfd, const char *src, bool recursive, uint64_t attr_set, uint64_t attr_clr,
               int destfd, pc_error **err)
{
  unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
  pc_autoclose int tfd = srcfd >= 0 ? open_tree (srcfd, "", flags | AT_EMPTY_PATH)
                                    : open_tree (AT_FDCWD, src, flags);
  if (tfd < 0)
    return pc_error_errno (err, errno, "bind `%s`", src);
  if (attr_set || attr_clr)
    {
      struct mount_attr attr = { .attr_set = attr_set, .attr_clr = attr_clr };
      if (mount_setattr (tfd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0)
        return pc_error_errno (err, errno, "set the attributes of the bind mount of `%s`", src);
    }
  if (move_mount (tfd, "", destfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return pc_error_errno (err, errno, "attach the bind mount of `%s`", src);
  return steal_fd (&tfd);
}

static int
set_propagation (int mfd, const struct rt_mount *m, pc_error **err)
{
  if (m->propagation == 0)
    return 0;
  struct mount_attr attr = { .propagation = m->propagation };
  if (mount_setattr (mfd, "", AT_EMPTY_PATH | (m->prop_recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0)
    return pc_error_errno (err, errno, "set the propagation of `%s`", m->dest);
  return 0;
}

static bool
strv_has (char *const *v, const char *s)
{
  for (; v && *v; v++)
    if (strcmp (*v, s) == 0)
      return true;
  return false;
}

/* Filesystems an unprivileged user namespace may not be allowed to mount get
   the host's instance bound instead, as rootless podman does. */
static int
mount_fs_with_fallback (const struct rt_mount *m, int destfd, uint64_t attrs, pc_error **err)
{
  int mfd = rt_mount_fs (m->type, m->source, m->data, attrs, destfd, err);
  if (mfd >= 0 || err == NULL)
    return mfd;
  int e = (*err)->status;
  if (strcmp (m->type, "devpts") == 0 && strv_has (m->data, "gid=5") && e == EINVAL)
    {
      /* gid 5 (tty) is not mapped in this user namespace. */
      pc_error_clear (err);
      char **data = NULL;
      for (char *const *p = m->data; p && *p; p++)
        if (strcmp (*p, "gid=5") != 0)
          pc_strv_append (&data, *p);
      mfd = rt_mount_fs (m->type, m->source, data, attrs, destfd, err);
      pc_strv_free (data);
      return mfd;
    }
  const char *host = NULL;
  bool refused = e == EPERM || e == EACCES;
  if (strcmp (m->type, "sysfs") == 0)
    host = "/sys";
  else if (strcmp (m->type, "mqueue") == 0)
    host = "/dev/mqueue";
  else if (strcmp (m->type, "cgroup") == 0 || strcmp (m->type, "cgroup2") == 0)
    {
      /* cgroup v1 hierarchies cannot be mounted from a user namespace
         (EINVAL/EBUSY as well as EPERM): show the host's, read-only. */
      host = "/sys/fs/cgroup";
      refused = refused || e == EINVAL || e == EBUSY;
    }
  if (host && refused)
    {
      pc_error_clear (err);
      return rt_mount_bind (-1, host, true, attrs | MOUNT_ATTR_RDONLY, 0, destfd, err);
    }
  return -1;
}



/* podman's O: an overlay with the source as its lower layer and its upper
   and work directories on disk, in the container's own directory of the
   store (what podman keeps in the container's storage): a container writing
   there fills the store's disk, not the host's memory. The directory was
   emptied by the parent (rt_overlay_mounts_prepare), so each start begins
   from the host directory, which is never written. The layers are named by
   /proc/self/fd paths of fds already open: nothing is looked up again by
   name. With U (podman's O,U) the container's user gets the files through
   the overlay: each is copied up and chowned there, never on the host. */
static int
mount_overlay (const struct rt_spec *s, size_t idx, int srcfd, const struct stat *st, bool chown, int destfd,
               uint64_t attrs, pc_error **err)
{
  if (!S_ISDIR (st->st_mode))
    return pc_error_make (err, ENOTDIR, "the O option needs a directory");
  if (s->overlay_dir_fd < 0)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "the O option needs a directory for the overlay's upper layer (annotation "
                           RT_OVERLAY_MOUNTS_ANNOTATION "): recreate the container");
  char name[32];
  snprintf (name, sizeof name, "%zu", idx);
  if (mkdirat (s->overlay_dir_fd, name, 0700) < 0 && errno != EEXIST)
    return pc_error_errno (err, errno, "create the overlay's directory");
  pc_autoclose int nd = openat (s->overlay_dir_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (nd < 0)
    return pc_error_errno (err, errno, "open the overlay's directory");
  /* The upper dir's owner and mode are what the merged root shows. */
  if (mkdirat (nd, "upper", 0700) < 0 || mkdirat (nd, "work", 0700) < 0)
    return pc_error_errno (err, errno, "create the overlay's upper and work directories");
  /* An owner this namespace does not map stays root's; chown cleared the
     setgid bit. */
  if (fchownat (nd, "upper", st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EINVAL && errno != EPERM)
    return pc_error_errno (err, errno, "chown the overlay's upper directory");
  if (fchmodat (nd, "upper", st->st_mode & 07777, 0) < 0)
    return pc_error_errno (err, errno, "set the mode of the overlay's upper directory");
  pc_autoclose int up = openat (nd, "upper", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  pc_autoclose int work = openat (nd, "work", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (up < 0 || work < 0)
    return pc_error_errno (err, errno, "open the overlay's upper and work directories");
  pc_autofree char *lower = xasprintf ("lowerdir=/proc/self/fd/%d", srcfd);
  pc_autofree char *upper = xasprintf ("upperdir=/proc/self/fd/%d", up);
  pc_autofree char *wdir = xasprintf ("workdir=/proc/self/fd/%d", work);
  char *data[] = { lower, upper, wdir, (char *) "userxattr", NULL };
  int mfd = rt_mount_fs ("overlay", "overlay", data, attrs, destfd, err);
  if (mfd < 0 || !chown)
    return mfd;
  uid_t uid = s->proc.uid;
  gid_t gid = s->proc.gid;
  int dfd = openat (mfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct stat rst;
  if (dfd < 0 || fstat (dfd, &rst) < 0
      || ((rst.st_uid != uid || rst.st_gid != gid) && fchown (dfd, uid, gid) < 0))
    {
      pc_error_errno (err, errno, "chown the overlay to %u:%u", uid, gid);
      if (dfd >= 0)
        close (dfd);
      close (mfd);
      return -1;
    }
  if (rt_chown_tree (dfd, uid, gid, err) < 0)
    {
      close (mfd);
      return pc_error_wrap (err, "chown the overlay");
    }
  return mfd;
}

static bool
map_of_root (const char *map, unsigned long *id)
{
  for (const char *p = map; p && *p; p = strchr (p, '\n') ? strchr (p, '\n') + 1 : NULL)
    {
      unsigned long in, out, n;
      if (sscanf (p, "%lu %lu %lu", &in, &out, &n) == 3 && in == 0 && n > 0)
        {
          *id = out;
          return true;
        }
    }
  return false;
}

int
rt_overlay_mounts_prepare (json_object *spec, struct rt_spec *s, pc_error **err)
{
  s->overlay_dir_fd = -1;
  bool any = false;
  for (size_t i = 0; i < s->n_mounts; i++)
    any = any || (s->mounts[i].bind && s->mounts[i].overlay);
  json_object *ann = NULL, *v = NULL;
  if (!any || !json_object_object_get_ex (spec, "annotations", &ann)
      || !json_object_object_get_ex (ann, RT_OVERLAY_MOUNTS_ANNOTATION, &v)
      || !json_object_is_type (v, json_type_string))
    return 0;   /* mount_overlay says what is missing */
  const char *dir = json_object_get_string (v);
  if (dir[0] != '/' || strstr (dir, "/..") != NULL)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "annotation " RT_OVERLAY_MOUNTS_ANNOTATION
                           ": `%s` is not an absolute path", dir);
  /* What an earlier run wrote goes: each start begins from the host dir. */
  if (pc_rm_rf_at (AT_FDCWD, dir, err) < 0)
    return pc_error_wrap (err, "empty the directory of the O mounts");
  if (pc_mkdir_p (AT_FDCWD, dir, 0700, err) < 0)
    return pc_error_wrap (err, "create the directory of the O mounts");
  int fd = open (dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return pc_error_errno (err, errno, "open `%s`", dir);
  /* The child makes the upper and work dirs there as the root of its user
     namespace, which may not map pc's user (nomap, --uidmap): it gets the
     directory (and opens it while it still has pc's ids, which reach it
     through the store's 0700 directories). */
  unsigned long uid, gid;
  if ((s->clone_flags & CLONE_NEWUSER) && map_of_root (s->idmap.uid_map, &uid)
      && map_of_root (s->idmap.gid_map, &gid) && fchownat (fd, "", (uid_t) uid, (gid_t) gid, AT_EMPTY_PATH) < 0)
    {
      int e = errno;
      close (fd);
      return pc_error_errno (err, e, "chown `%s` to the container's root", dir);
    }
  s->overlay_dir_fd = fd;
  s->overlay_dir = xstrdup (dir);
  return 0;
}

/* In the child, in its own mount namespace, before it leaves pc's ids:
   overlay takes layers only from mounts of the mounter's namespace, so the
   parent's fd (on a mount of the monitor's namespace) will not do. The
   same directory, checked by device and inode. */
int
rt_overlay_mounts_open (struct rt_spec *s, pc_error **err)
{
  if (s->overlay_dir == NULL)
    return 0;
  int fd = open (s->overlay_dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct stat a, b;
  if (fd < 0 || fstat (fd, &a) < 0 || fstat (s->overlay_dir_fd, &b) < 0)
    return pc_error_errno (err, errno, "open `%s`", s->overlay_dir);
  if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
    {
      close (fd);
      return pc_error_make (err, ESTALE, "`%s` was replaced while the container was being created", s->overlay_dir);
    }
  close (s->overlay_dir_fd);
  s->overlay_dir_fd = fd;
  return 0;
}

void
rt_overlay_mounts_close (struct rt_spec *s)
{
  if (s->overlay_dir_fd >= 0)
    close (s->overlay_dir_fd);
  s->overlay_dir_fd = -1;
  free (s->overlay_dir);
  s->overlay_dir = NULL;
}

static int
mount_one (const struct rt_mount *m, const struct rt_spec *s, int rootfd, pc_error **err)
{
  bool dir = true;
  /* The source is opened once, following the user's symlinks as podman does,
     and that fd is both what is checked and what is cloned: no window
     between a stat of the path and the open_tree of it. */
  pc_autoclose int srcfd = -1;
  struct stat st;
  if (m->bind)
    {
      srcfd = open (m->source, O_PATH | O_CLOEXEC);
      if (srcfd < 0 || fstat (srcfd, &st) < 0)
        return pc_error_errno (err, errno, "stat the source");
      dir = S_ISDIR (st.st_mode);
      /* O,U chowns through the overlay: the host directory is never written. */
      if (m->chown && !m->overlay && rt_chown_source (srcfd, &st, s->proc.uid, s->proc.gid, err) < 0)
        return -1;
      if (m->chown && fstat (srcfd, &st) < 0)
        return pc_error_errno (err, errno, "stat the source");
    }
  pc_autoclose int destfd = rt_safe_open_dest (rootfd, m->dest, dir, err);
  if (destfd < 0)
    return -1;
  uint64_t clr = m->attr_clr | (m->atime_set ? MOUNT_ATTR__ATIME : 0);
  pc_autoclose int mfd = -1;
  if (m->bind && m->overlay)
    mfd = mount_overlay (s, (size_t) (m - s->mounts), srcfd, &st, m->chown, destfd, m->attr_set, err);
  else if (m->bind && m->idmap)
    mfd = rt_idmap_attach (m, destfd, err);
  else if (m->bind)
    mfd = rt_mount_bind (srcfd, m->source_path ? m->source_path : m->source, m->recursive, m->attr_set, clr,
                         destfd, err);
  else
    mfd = mount_fs_with_fallback (m, destfd, m->attr_set, err);
  if (mfd < 0)
    return -1;
  if (m->tmpcopyup && strcmp (m->type, "tmpfs") == 0 && rt_tmpcopyup (destfd, mfd, err) < 0)
    return -1;
  return set_propagation (mfd, m, err);
}

int
rt_mount_all (const struct rt_spec *s, int rootfd, pc_error **err)
{
  for (size_t i = 0; i < s->n_mounts; i++)
    if (mount_one (&s->mounts[i], s, rootfd, err) < 0)
      return pc_error_wrap (err, "mount `%s` on `%s`",
                            s->mounts[i].source_path  ? s->mounts[i].source_path
                            : s->mounts[i].source ? s->mounts[i].source : s->mounts[i].type,
                            s->mounts[i].dest);
  return 0;
}

static const char *const default_devices[] = { "null", "zero", "full", "random", "urandom", "tty", NULL };

static const char *const dev_links[][2] = {
  { "fd", "/proc/self/fd" },
  { "stdin", "/proc/self/fd/0" },
  { "stdout", "/proc/self/fd/1" },
  { "stderr", "/proc/self/fd/2" },
  { "ptmx", "pts/ptmx" },
};

/* A linux.devices node made with mknod, as runc makes it. 1 when mknod is
   refused (a user namespace): the caller binds the host's node instead. */
static int
make_node (int rootfd, const struct rt_device *dev, pc_error **err)
{
  pc_autofree char *dir = xstrdup (dev->path);
  char *slash = strrchr (dir, '/');
  const char *base = slash + 1;
  *slash = '\0';
  if (*base == '\0')
    return pc_error_make (err, EINVAL, "not a file name");
  pc_autoclose int dirfd = rt_safe_open_dir_p (rootfd, *dir ? dir : "/", err);
  if (dirfd < 0)
    return -1;
  /* Whatever the image has there goes: the spec decides what the node is. */
  if (unlinkat (dirfd, base, 0) < 0 && errno != ENOENT)
    return pc_error_errno (err, errno, "replace `%s`", dev->path);
  mode_t type = dev->type == 'b' ? S_IFBLK : S_IFCHR;
  if (mknodat (dirfd, base, type | (dev->mode & 0777), makedev (dev->major, dev->minor)) < 0)
    {
      if (errno == EPERM)
        return 1;
      return pc_error_errno (err, errno, "mknod `%s`", dev->path);
    }
  /* mknod applies the umask. */
  if (fchmodat (dirfd, base, dev->mode & 0777, 0) < 0
      || fchownat (dirfd, base, dev->uid, dev->gid, AT_SYMLINK_NOFOLLOW) < 0)
    return pc_error_errno (err, errno, "set the owner and mode of `%s`", dev->path);
  return 0;
}

/* The host's device nodes, bind-mounted: a user namespace cannot mknod. */
int
rt_setup_dev (const struct rt_spec *s, int rootfd, pc_error **err)
{
  pc_autoclose int devfd = rt_safe_open_dir_p (rootfd, "/dev", err);
  if (devfd < 0)
    return -1;
  for (size_t i = 0; default_devices[i]; i++)
    {
      pc_autofree char *host = xasprintf ("/dev/%s", default_devices[i]);
      pc_autoclose int d = rt_safe_open_dest (rootfd, host, false, err);
      if (d < 0)
        return -1;
      pc_autoclose int mfd = rt_mount_bind (-1, host, false, 0, 0, d, err);
      if (mfd < 0)
        return pc_error_wrap (err, "create `%s`", host);
    }
  for (size_t i = 0; i < sizeof dev_links / sizeof dev_links[0]; i++)
    if (symlinkat (dev_links[i][1], devfd, dev_links[i][0]) < 0 && errno != EEXIST)
      return pc_error_errno (err, errno, "create /dev/%s", dev_links[i][0]);
  for (size_t i = 0; i < s->n_devices; i++)
    {
      const struct rt_device *dev = &s->devices[i];
      int r = dev->type ? make_node (rootfd, dev, err) : 1;
      if (r < 0)
        return pc_error_wrap (err, "add device `%s`", dev->path);
      if (r == 0)
        continue;
      pc_autoclose int d = rt_safe_open_dest (rootfd, dev->path, false, err);
      if (d < 0)
        return -1;
      pc_autoclose int mfd = rt_mount_bind (-1, dev->path, false, 0, 0, d, err);
      if (mfd < 0)
        return pc_error_wrap (err, "add device `%s`", dev->path);
    }
  return 0;
}
