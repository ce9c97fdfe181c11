/* Host facts the prerequisite checks build on: filesystem types, cgroup
   version and delegation, and a real overlay mount in a throwaway namespace. */
#include "pkg/rootless/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"
#include "pkg/rootless/probe.h"

static const struct
{
  unsigned long magic;
  const char *name;
} fs_names[] = {
  /* Names as docker/podman print "Backing Filesystem". */
  { 0xEF53, "extfs" },
  { 0x58465342, "xfs" },
  { 0x9123683E, "btrfs" },
  { 0x01021994, "tmpfs" },
  { 0x794c7630, "overlayfs" },
  { 0x6969, "nfs" },
  { 0xFF534D42, "cifs" },
  { 0xFE534D42, "smb2" },
  { 0x2FC12FC1, "zfs" },
  { 0xF2F52010, "f2fs" },
  { 0x65735546, "fuse" },
  { 0x73717368, "squashfs" },
  { 0xF15F, "ecryptfs" },
  { 0x01161970, "gfs2" },
  { 0x5346544e, "ntfs" },
  { 0x4d44, "msdos" },
  { 0x2011BAB0, "exfat" },
  { 0x858458f6, "ramfs" },
  { 0x63677270, "cgroup2" },
  { 0x27e0eb, "cgroup" },
};

const char *
pc_fs_type_name_magic (unsigned long magic)
{
  for (size_t i = 0; i < sizeof fs_names / sizeof fs_names[0]; i++)
    if (fs_names[i].magic == (magic & 0xffffffffUL))
      return fs_names[i].name;
  return NULL;
}

/* The deepest existing directory on the way to path. */
char *
pc_probe_existing_parent (const char *path)
{
  char *p = xstrdup (path);
  struct stat st;
  while (stat (p, &st) < 0)
    {
      char *slash = strrchr (p, '/');
      if (slash == NULL || slash == p)
        {
          free (p);
          return xstrdup ("/");
        }
      *slash = '\0';
    }
  return p;
}

const char *
pc_fs_type_name (const char *path)
{
  static char unknown[32];
  pc_autofree char *p = pc_probe_existing_parent (path);
  struct statfs s;
  if (statfs (p, &s) < 0)
    return "unknown";
  const char *n = pc_fs_type_name_magic ((unsigned long) s.f_type);
  if (n)
    return n;
  snprintf (unknown, sizeof unknown, "0x%lx", (unsigned long) s.f_type);
  return unknown;
}

int
pc_cgroup_version (void)
{
  struct statfs s;
  if (statfs ("/sys/fs/cgroup", &s) < 0)
    return 0;
  if ((unsigned long) s.f_type == 0x63677270UL)
    return 2;
  if ((unsigned long) s.f_type == 0x01021994UL || (unsigned long) s.f_type == 0x27e0ebUL)
    return 1;
  return 0;
}

/* Reads a small file into buf, trimming the trailing newline. */
bool
pc_probe_read (const char *path, char *buf, size_t size)
{
  pc_autoclose int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  ssize_t r = read (fd, buf, size - 1);
  if (r < 0)
    return false;
  while (r > 0 && (buf[r - 1] == '\n' || buf[r - 1] == ' '))
    r--;
  buf[r] = '\0';
  return true;
}

/* cgroup v2: the controllers the user's systemd manager may use, read from
   user@UID.service (what systemd delegates), else from our own cgroup. */
char *
pc_cgroup_delegated_controllers (uid_t uid, bool *found)
{
  char path[PATH_MAX], buf[512];
  snprintf (path, sizeof path,
            "/sys/fs/cgroup/user.slice/user-%u.slice/user@%u.service/cgroup.controllers",
            (unsigned) uid, (unsigned) uid);
  *found = pc_probe_read (path, buf, sizeof buf);
  if (*found)
    return xstrdup (buf);
  return xstrdup ("");
}

/* The child side of the overlay probe: in its own user (unless root) and
   mount namespace, mount overlay, write through it and delete a lower file
   (a whiteout). Reports a message on `fd`; exit status 0 = works. */
static void __attribute__ ((noreturn))
overlay_child (int fd, const char *dir, bool userns, uid_t uid, gid_t gid)
{
  char line[64];
  if (userns)
    {
      if (unshare (CLONE_NEWUSER | CLONE_NEWNS) < 0)
        {
          dprintf (fd, "create a user namespace: %s", strerror (errno));
          _exit (2);
        }
      int m = open ("/proc/self/setgroups", O_WRONLY | O_CLOEXEC);
      if (m >= 0)
        {
          /* Already "deny" in a nested namespace is fine too. */
          if (write (m, "deny", 4) < 0)
            {
              dprintf (fd, "write setgroups: %s", strerror (errno));
              _exit (2);
            }
          close (m);
        }
      snprintf (line, sizeof line, "0 %u 1", (unsigned) uid);
      m = open ("/proc/self/uid_map", O_WRONLY | O_CLOEXEC);
      if (m < 0 || write (m, line, strlen (line)) < 0)
        {
          dprintf (fd, "write uid_map: %s", strerror (errno));
          _exit (2);
        }
      close (m);
      snprintf (line, sizeof line, "0 %u 1", (unsigned) gid);
      m = open ("/proc/self/gid_map", O_WRONLY | O_CLOEXEC);
      if (m < 0 || write (m, line, strlen (line)) < 0)
        {
          dprintf (fd, "write gid_map: %s", strerror (errno));
          _exit (2);
        }
      close (m);
    }
  else if (unshare (CLONE_NEWNS) < 0)
    {
      dprintf (fd, "create a mount namespace: %s", strerror (errno));
      _exit (2);
    }
  if (mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
    {
      dprintf (fd, "make / private: %s", strerror (errno));
      _exit (2);
    }
  char opts[PATH_MAX * 3 + 64], merged[PATH_MAX + 8];
  snprintf (opts, sizeof opts, "lowerdir=%s/l,upperdir=%s/u,workdir=%s/w%s", dir, dir, dir,
            userns ? ",userxattr" : "");
  snprintf (merged, sizeof merged, "%s/m", dir);
  if (mount ("overlay", merged, "overlay", 0, opts) < 0)
    {
      dprintf (fd, "mount -t overlay -o %s: %s", opts, strerror (errno));
      _exit (1);
    }
  char f[PATH_MAX + 16];
  snprintf (f, sizeof f, "%s/new", merged);
  int w = open (f, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (w < 0)
    {
      dprintf (fd, "write through the overlay: %s", strerror (errno));
      _exit (1);
    }
  close (w);
  snprintf (f, sizeof f, "%s/old", merged);
  if (unlink (f) < 0)
    {
      dprintf (fd, "delete a lower file (whiteout): %s", strerror (errno));
      _exit (1);
    }
  dprintf (fd, "mounted with %s, wrote a file and created a whiteout",
           userns ? "userxattr in a user namespace" : "trusted xattrs");
  _exit (0);
}

int
pc_probe_overlay (const char *store_dir, bool userns, char **msg)
{
  *msg = NULL;
  pc_error *err = NULL;
  if (pc_mkdir_p (AT_FDCWD, store_dir, 0700, &err) < 0)
    {
      *msg = xasprintf ("cannot create the store directory: %s", err->msg);
      pc_error_free (err);
      return -1;
    }
  pc_autofree char *dir = xasprintf ("%s/.pc-check-XXXXXX", store_dir);
  if (mkdtemp (dir) == NULL)
    {
      *msg = xasprintf ("create a probe directory in `%s`: %s", store_dir, strerror (errno));
      return -1;
    }
  static const char *const subs[] = { "l", "u", "w", "m" };
  for (size_t i = 0; i < 4; i++)
    {
      pc_autofree char *s = xasprintf ("%s/%s", dir, subs[i]);
      mkdir (s, 0700);
    }
  pc_autofree char *old = xasprintf ("%s/l/old", dir);
  int o = open (old, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (o >= 0)
    close (o);

  int p[2];
  int ret = -1;
  if (pipe2 (p, O_CLOEXEC) < 0)
    {
      *msg = xasprintf ("pipe: %s", strerror (errno));
      goto out;
    }
  uid_t uid = getuid ();
  gid_t gid = getgid ();
  pid_t pid = fork ();
  if (pid < 0)
    {
      *msg = xasprintf ("fork: %s", strerror (errno));
      close (p[0]);
      close (p[1]);
      goto out;
    }
  if (pid == 0)
    {
      /* The child never returns: hand it a stack copy, free the heap. */
      char dbuf[PATH_MAX];
      snprintf (dbuf, sizeof dbuf, "%s", dir);
      free (steal_pointer (&dir));
      free (steal_pointer (&old));
      close (p[0]);
      overlay_child (p[1], dbuf, userns, uid, gid);
    }
  close (p[1]);
  char buf[PATH_MAX * 3 + 256];
  size_t len = 0;
  ssize_t r;
  while ((r = read (p[0], buf + len, sizeof buf - 1 - len)) > 0 || (r < 0 && errno == EINTR))
    if (r > 0)
      len += (size_t) r;
  close (p[0]);
  buf[len] = '\0';
  int status;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  *msg = xstrdup (len ? buf : "probe process failed");
  ret = WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : -1;
out:
  if (pc_rm_rf_at (AT_FDCWD, dir, &err) < 0)
    pc_error_free (err);
  return ret;
}

/* Each probe asks the kernel in a way that changes nothing: ENOSYS (or
   EINVAL for an unknown flag, where noted) means the kernel lacks it. */
static bool
pretend_missing (const char *name)
{
  /* Test and diagnostic override: PC_CHECK_PRETEND_MISSING=openat2,clone3 */
  const char *v = getenv ("PC_CHECK_PRETEND_MISSING");
  if (v == NULL)
    return false;
  size_t n = strlen (name);
  for (const char *p = v; *p;)
    {
      const char *end = strchr (p, ',');
      size_t len = end ? (size_t) (end - p) : strlen (p);
      if (len == n && strncmp (p, name, n) == 0)
        return true;
      p += len + (end ? 1 : 0);
    }
  return false;
}

static int
probe_errno (long r)
{
  return r >= 0 ? 0 : errno;
}

static bool
probe_clone3 (void)
{
  /* size 0 is below the smallest struct clone_args: EINVAL when clone3 exists. */
  return probe_errno (syscall (SYS_clone3, NULL, 0)) != ENOSYS;
}

static bool
probe_openat2 (void)
{
  struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
  long fd = syscall (SYS_openat2, AT_FDCWD, "/", &how, sizeof how);
  if (fd >= 0)
    close ((int) fd);
  return fd >= 0 || errno != ENOSYS;
}

static bool
probe_mount_api (void)
{
  /* Unprivileged here gives EPERM; only ENOSYS means the API is missing. */
  long fd = syscall (SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
  if (fd >= 0)
    close ((int) fd);
  if (fd < 0 && errno == ENOSYS)
    return false;
  return probe_errno (syscall (SYS_move_mount, -1, "", -1, "", 0)) != ENOSYS
         && probe_errno (syscall (SYS_open_tree, -1, "", 0)) != ENOSYS;
}

static bool
probe_mount_setattr (void)
{
  return probe_errno (syscall (SYS_mount_setattr, -1, "", 0, NULL, 0)) != ENOSYS;
}

static bool
probe_pidfd_open (void)
{
  long fd = syscall (SYS_pidfd_open, getpid (), 0);
  if (fd >= 0)
    close ((int) fd);
  return fd >= 0 || errno != ENOSYS;
}

static bool
probe_pidfd_setns (void)
{
  /* Joining one's own uts namespace through a pidfd: a no-op that works
     (or EPERM without privilege) where setns takes a pidfd, EINVAL where
     it wants a namespace fd. In a child, so the caller is never touched. */
  pid_t pid = fork ();
  if (pid < 0)
    return true;
  if (pid == 0)
    {
      long fd = syscall (SYS_pidfd_open, getpid (), 0);
      if (fd < 0)
        _exit (1);
      _exit (setns ((int) fd, CLONE_NEWUTS) == 0 || errno == EPERM ? 0 : 1);
    }
  int status = 0;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

static bool
probe_close_range_cloexec (void)
{
  /* An empty range: nothing changes. EINVAL: the flag is unknown (< 5.11). */
  return syscall (SYS_close_range, ~0U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */) == 0;
}

void
pc_probe_kernel (struct pc_kernel_features *f)
{
  f->clone3 = !pretend_missing ("clone3") && probe_clone3 ();
  f->openat2 = !pretend_missing ("openat2") && probe_openat2 ();
  f->mount_api = !pretend_missing ("mount_api") && probe_mount_api ();
  f->mount_setattr = !pretend_missing ("mount_setattr") && probe_mount_setattr ();
  f->pidfd_open = !pretend_missing ("pidfd_open") && probe_pidfd_open ();
  f->pidfd_setns = !pretend_missing ("pidfd_setns") && f->pidfd_open && probe_pidfd_setns ();
  f->close_range = !pretend_missing ("close_range") && probe_close_range_cloexec ();
}
