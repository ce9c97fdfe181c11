/* Choosing the storage driver (as podman: native overlay when the kernel
   allows it for us, else fuse-overlayfs, else vfs), and mounting a
   container root with it. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/xalloc.h"
#include "pkg/storage/store-private.h"

static bool
have_program (const char *name)
{
  const char *path = getenv ("PATH");
  if (path == NULL || *path == '\0')
    path = "/usr/local/bin:/usr/bin:/bin";
  pc_autofree char *copy = xstrdup (path);
  char *save = NULL;
  for (char *d = strtok_r (copy, ":", &save); d; d = strtok_r (NULL, ":", &save))
    {
      pc_autofree char *p = xasprintf ("%s/%s", d, name);
      if (access (p, X_OK) == 0)
        return true;
    }
  return false;
}

static int
write_proc (const char *path, const char *data)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = write (fd, data, strlen (data));
  close (fd);
  return n == (ssize_t) strlen (data) ? 0 : -1;
}

/* In a child: own mount namespace (and user namespace when unprivileged),
   a whiteout and an opaque dir in the lower layers, a userxattr overlay
   mount, and a check that both took effect. Exit 0 = native overlay works. */
static int
probe_child (const char *dir)
{
  if (getuid () != 0)
    {
      uid_t uid = getuid ();
      gid_t gid = getgid ();
      if (unshare (CLONE_NEWUSER | CLONE_NEWNS) < 0)
        return 1;
      char map[64];
      snprintf (map, sizeof map, "0 %u 1", (unsigned) uid);
      if (write_proc ("/proc/self/uid_map", map) < 0)
        return 1;
      write_proc ("/proc/self/setgroups", "deny");
      snprintf (map, sizeof map, "0 %u 1", (unsigned) gid);
      if (write_proc ("/proc/self/gid_map", map) < 0)
        return 1;
    }
  else if (unshare (CLONE_NEWNS) < 0)
    return 1;
  if (mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
    return 1;
  /* By path: a cwd kept from before unshare belongs to the old mount
     namespace, and overlay refuses such an upper dir. */
  if (chdir (dir) < 0)
    return 1;
  const char *dirs[] = { "l1", "l1/o", "l2", "l2/o", "u", "w", "m", NULL };
  for (const char **d = dirs; *d; d++)
    if (mkdir (*d, 0755) < 0)
      return 1;
  int fd = open ("l1/f", O_CREAT | O_WRONLY, 0644);
  if (fd < 0)
    return 1;
  close (fd);
  fd = open ("l1/o/g", O_CREAT | O_WRONLY, 0644);
  if (fd < 0)
    return 1;
  close (fd);
  if (mknod ("l2/f", S_IFCHR, makedev (0, 0)) < 0)
    return 2;
  if (setxattr ("l2/o", "user.overlay.opaque", "y", 1, 0) < 0)
    return 3;
  if (mount ("overlay", "m", "overlay", 0, "lowerdir=l2:l1,upperdir=u,workdir=w,userxattr") < 0)
    return 4;
  struct stat st;
  int r = (stat ("m/f", &st) == 0 || stat ("m/o/g", &st) == 0) ? 5 : 0;
  umount2 ("m", MNT_DETACH);
  return r;
}

static bool
probe_native_overlay (struct pc_store *s)
{
  struct pc_staging st;
  pc_autoerror pc_error *e = NULL;
  if (pc_staging_new (s, "probe", &st, &e) < 0)
    return false;
  pc_autofree char *dir = xasprintf ("%s/%s", s->root, st.name);
  pid_t pid = fork ();
  if (pid == 0)
    _exit (probe_child (dir));
  int status = 0;
  bool ok = pid > 0 && waitpid (pid, &status, 0) == pid && WIFEXITED (status)
            && WEXITSTATUS (status) == 0;
  if (!ok)
    pc_debug ("native overlay probe failed (status %d)", status);
  /* Files the child made as its namespace root are ours on the host. */
  pc_staging_finish (s, &st);
  return ok;
}

const char *
pc_store_driver (struct pc_store *s, pc_error **err)
{
  if (s->driver)
    return s->driver;
  if (s->driver_opt)
    {
      if (strcmp (s->driver_opt, "fuse-overlayfs") == 0 && !have_program ("fuse-overlayfs"))
        {
          pc_error_make (err, ENOENT, "storage driver fuse-overlayfs: the fuse-overlayfs program is not installed");
          return NULL;
        }
      if (strcmp (s->driver_opt, "overlay") != 0 && strcmp (s->driver_opt, "fuse-overlayfs") != 0
          && strcmp (s->driver_opt, "vfs") != 0)
        {
          pc_error_make (err, EINVAL, "unknown storage driver \"%s\": choose overlay, fuse-overlayfs or vfs",
                         s->driver_opt);
          return NULL;
        }
      s->driver = xstrdup (s->driver_opt);
      return s->driver;
    }
  /* The probe result is cached per boot in the runroot. */
  pc_autofree char *cache = xasprintf ("%s/storage-driver", s->runroot);
  pc_autofree char *cached = NULL;
  pc_autoerror pc_error *e = NULL;
  if (pc_read_file (AT_FDCWD, cache, &cached, NULL, &e) == 0)
    {
      cached[strcspn (cached, "\n")] = '\0';
      if (strcmp (cached, "overlay") == 0 || strcmp (cached, "fuse-overlayfs") == 0
          || strcmp (cached, "vfs") == 0)
        {
          s->driver = steal_pointer (&cached);
          return s->driver;
        }
    }
  const char *d = probe_native_overlay (s) ? "overlay"
                  : have_program ("fuse-overlayfs") ? "fuse-overlayfs" : "vfs";
  s->driver = xstrdup (d);
  pc_error_clear (&e);
  if (pc_mkdir_p (AT_FDCWD, s->runroot, 0700, &e) == 0)
    pc_write_file_atomic (AT_FDCWD, cache, d, strlen (d), 0600, &e);
  return s->driver;
}

/* Reads what fuse-overlayfs wrote to its stderr memfd, trailing newlines cut. */
static void
read_stderr (int efd, char *buf, size_t size)
{
  ssize_t r = pread (efd, buf, size - 1, 0);
  buf[r > 0 ? r : 0] = '\0';
  for (size_t n = strlen (buf); n > 0 && buf[n - 1] == '\n'; n--)
    buf[n - 1] = '\0';
}

/* After the probe failed (probe_errno) or the deadline passed (0): stops
   fuse-overlayfs if it still runs (a SIGKILL does not change the status of
   one that is already exiting) and says why it failed. */
static int
fuse_overlayfs_failed (const struct pc_rootfs_mount *m, pid_t pid, int efd, int probe_errno,
                       pc_error **err)
{
  kill (pid, SIGKILL);
  int status = 0;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  umount2 (m->target, MNT_DETACH);
  char buf[1024];
  read_stderr (efd, buf, sizeof buf);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 127)
    return pc_error_makec (err, PC_ERR_UNSUPPORTED, ENOENT,
                           "fuse-overlayfs not found: install the fuse-overlayfs package");
  if (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL)
    {
      if (probe_errno == 0)
        return pc_error_make (err, ETIMEDOUT, "fuse-overlayfs did not mount `%s` within 10 s%s%s",
                              m->target, *buf ? ": " : "", buf);
      return pc_error_make (err, probe_errno, "fuse-overlayfs's mount `%s` does not answer: %s%s%s",
                            m->target, strerror (probe_errno), *buf ? ": " : "", buf);
    }
  return pc_error_make (err, EIO, "fuse-overlayfs failed to mount `%s` (%s %d)%s%s", m->target,
                        WIFEXITED (status) ? "exit" : "signal",
                        WIFEXITED (status) ? WEXITSTATUS (status) : WTERMSIG (status),
                        *buf ? ": " : "", buf);
}

/* The first request to the new mount (a statfs) waits in the kernel until
   fuse-overlayfs has answered FUSE_INIT, or fails once the connection is
   gone. That wait cannot be interrupted except by SIGKILL, so it runs in a
   child whose exit the caller can wait for with a deadline. */
static pid_t
start_probe (const char *target, int *donefd)
{
  /* The probe's end of a pipe closes when it exits: a readable fd without
     pidfd_open (valgrind does not know it). */
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return -1;
  fflush (NULL);
  pid_t pid = fork ();
  if (pid == 0)
    {
      close (p[0]);
      struct statfs sfs;
      _exit (statfs (target, &sfs) == 0 ? 0 : errno > 0 && errno < 256 ? errno : EIO);
    }
  int e = errno;
  close (p[1]);
  if (pid < 0)
    {
      close (p[0]);
      errno = e;
      return -1;
    }
  *donefd = p[0];
  return pid;
}

/* The caller mounts the FUSE filesystem itself (allowed in a user
   namespace) on a /dev/fuse fd it opened, and fuse-overlayfs serves that fd
   (libfuse's "/dev/fd/N" mount point): the mount exists at once, and the
   caller waits for fuse-overlayfs' answer to FUSE_INIT instead of polling for
   a mount point to appear. fuse-overlayfs stays in the foreground as the
   caller's child and dies with it (PDEATHSIG): a daemonized one would outlive
   a killed monitor and keep its mount namespace, and the container's root,
   alive for good. Nothing but that child holds the /dev/fuse fd, so when it
   dies the connection is aborted and nothing waits on it. The wait has a
   deadline; its stderr goes to a memfd, read when it fails. */
static int
mount_fuse_overlayfs (const struct pc_rootfs_mount *m, pc_error **err)
{
  pc_autoclose int efd = memfd_create ("fuse-overlayfs-stderr", MFD_CLOEXEC);
  if (efd < 0)
    return pc_error_errno (err, errno, "memfd_create");
  pc_autoclose int fusefd = open ("/dev/fuse", O_RDWR | O_CLOEXEC);
  if (fusefd < 0)
    return pc_error_errno (err, errno, "open /dev/fuse (needed by fuse-overlayfs)");
  /* As fuse-overlayfs mounts when it runs as root: default_permissions,
     allow_other, suid, noatime; libfuse adds nodev. */
  pc_autofree char *opts = xasprintf ("fd=%d,rootmode=40000,user_id=%u,group_id=%u,"
                                      "default_permissions,allow_other",
                                      fusefd, (unsigned) geteuid (), (unsigned) getegid ());
  if (mount ("fuse-overlayfs", m->target, "fuse.fuse-overlayfs", MS_NODEV | MS_NOATIME, opts) < 0)
    return pc_error_errno (err, errno, "mount a FUSE filesystem on `%s` for fuse-overlayfs", m->target);
  pid_t parent = getpid ();
  fflush (NULL);
  pid_t pid = fork ();
  if (pid < 0)
    {
      int e = errno;
      umount2 (m->target, MNT_DETACH);
      return pc_error_errno (err, e, "fork fuse-overlayfs");
    }
  if (pid == 0)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      if (getppid () != parent)
        _exit (1);
      /* Above stdio, and inherited across exec. */
      int fd = fcntl (fusefd, F_DUPFD, 3);
      int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
      if (fd < 0 || null < 0 || dup2 (null, 0) < 0 || dup2 (null, 1) < 0 || dup2 (efd, 2) < 0)
        _exit (1);
      char mountpoint[32];
      snprintf (mountpoint, sizeof mountpoint, "/dev/fd/%d", fd);
      char *argv[] = { (char *) "fuse-overlayfs", (char *) "-f", (char *) "-o", m->source,
                       mountpoint, NULL };
      execvp (argv[0], argv);
      _exit (errno == ENOENT ? 127 : 126);
    }
  close (steal_fd (&fusefd));

  int donefd = -1;
  pid_t probe = start_probe (m->target, &donefd);
  if (probe < 0)
    {
      int e = errno;
      kill (pid, SIGKILL);
      while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
        ;
      umount2 (m->target, MNT_DETACH);
      return pc_error_errno (err, e, "start a process to wait for fuse-overlayfs");
    }
  pc_autoclose int probe_fd = donefd;
  struct pollfd p = { .fd = probe_fd, .events = POLLIN };
  int r;
  while ((r = poll (&p, 1, 10 * 1000)) < 0 && errno == EINTR)
    ;
  int status = 0;
  if (r == 0)
    kill (pid, SIGKILL);   /* aborts the connection, and the probe's wait with it */
  while (waitpid (probe, &status, 0) < 0 && errno == EINTR)
    ;
  if (r > 0 && WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  return fuse_overlayfs_failed (m, pid, efd, r == 0 ? 0 : WIFEXITED (status) ? WEXITSTATUS (status) : EIO, err);
}

int
pc_storage_unmount_rootfs (const struct pc_rootfs_mount *m, pc_error **err)
{
  /* Detached: the container is gone, and fuse-overlayfs ends once the last
     reference to its mount does. */
  if (umount2 (m->target, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    return pc_error_errno (err, errno, "unmount `%s`", m->target);
  return 0;
}

int
pc_storage_mount_rootfs (const struct pc_rootfs_mount *m, pc_error **err)
{
  if (m == NULL || m->driver == NULL || m->source == NULL || m->target == NULL)
    return pc_error_make (err, EINVAL, "incomplete root filesystem mount description");
  if (strcmp (m->driver, "overlay") == 0)
    {
      int r = pc_storage_mount_overlay_fsconfig (m->source, m->target, err);
      if (r == 0 || r == -1)
        return r;
      /* No fsopen (older kernels, valgrind) or no "lowerdir+" (before 6.8). */
      return pc_storage_mount_overlay_legacy (m->source, m->target, err);
    }
  if (strcmp (m->driver, "fuse-overlayfs") == 0)
    return mount_fuse_overlayfs (m, err);
  if (strcmp (m->driver, "vfs") == 0)
    {
      if (mount (m->source, m->target, "none", MS_BIND | MS_REC, NULL) < 0)
        return pc_error_errno (err, errno, "bind mount `%s` on `%s`", m->source, m->target);
      return 0;
    }
  return pc_error_make (err, EINVAL, "unknown storage driver `%s`", m->driver);
}

int
pc_rootfs_mount_shift (struct pc_rootfs_mount *m, const char *uidmapping, const char *gidmapping,
                       pc_error **err)
{
  if (!have_program ("fuse-overlayfs"))
    return pc_error_makec (err, PC_ERR_UNSUPPORTED, ENOENT,
                           "a container with a user namespace of its own needs fuse-overlayfs to show "
                           "the image's files under the container's id mapping without copying them: "
                           "install the fuse-overlayfs package");
  pc_autofree char *base = NULL;
  if (strcmp (m->driver, "vfs") == 0)
    {
      /* The vfs copy is the upper dir: writes go to it as before. */
      pc_autofree char *cdir = xstrdup (m->target);
      char *slash = strrchr (cdir, '/');
      if (slash == NULL)
        return pc_error_make (err, EINVAL, "bad container root `%s`", m->target);
      *slash = '\0';
      pc_autofree char *lower = xasprintf ("%s/shift-empty", cdir);
      pc_autofree char *work = xasprintf ("%s/shift-work", cdir);
      if ((mkdir (lower, 0700) < 0 && errno != EEXIST) || (mkdir (work, 0700) < 0 && errno != EEXIST))
        return pc_error_errno (err, errno, "create the directories of the shifted root in `%s`", cdir);
      base = xasprintf ("lowerdir=%s,upperdir=%s,workdir=%s", lower, m->source, work);
    }
  else if (strcmp (m->driver, "overlay") == 0 || strcmp (m->driver, "fuse-overlayfs") == 0)
    {
      /* Native overlay's userxattr has no meaning for fuse-overlayfs, which
         reads user.overlay.opaque and 0/0 whiteouts as they are. */
      base = xstrdup (m->source);
      size_t n = strlen (base);
      if (n >= 10 && strcmp (base + n - 10, ",userxattr") == 0)
        base[n - 10] = '\0';
    }
  else
    return pc_error_make (err, EINVAL, "unknown storage driver `%s`", m->driver);
  char *src = xasprintf ("%s,noacl,uidmapping=%s,gidmapping=%s", base, uidmapping, gidmapping);
  free (m->source);
  m->source = src;
  free (m->driver);
  m->driver = xstrdup ("fuse-overlayfs");
  return 0;
}
