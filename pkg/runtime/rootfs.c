/* The container root: mounting it (overlay / fuse-overlayfs / vfs bind),
   pivot_root, and what is done to it afterwards (masked and read-only
   paths, sysctl, hostname, a read-only root). */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/runtime/internal.h"

/* root.path is a root filesystem the caller mounted (pc's engine mounts it in
   the monitor's mount namespace, as runc expects of its caller). The new
   mount namespace gets rootfsPropagation on / (rslave by default, so nothing
   mounted here reaches the namespace it was copied from), and the root is
   bound onto itself: pivot_root needs a mount point even for a plain
   directory, and refuses a shared new root, so the root mount is private
   until the pivot and takes the requested propagation after it. */
int
rt_mount_rootfs (const struct rt_spec *s, pc_error **err)
{
  bool shared = (s->root_propagation & MS_SHARED) != 0;
  unsigned long first = shared ? (MS_SLAVE | MS_REC) : s->root_propagation;
  if (mount (NULL, "/", NULL, first, NULL) < 0)
    return pc_error_errno (err, errno, "set the propagation of /");
  if (mount (s->root, s->root, NULL, MS_BIND | MS_REC, NULL) < 0)
    return pc_error_errno (err, errno, "bind the root `%s` onto itself", s->root);
  if (mount (NULL, s->root, NULL, MS_PRIVATE, NULL) < 0)
    return pc_error_errno (err, errno, "make the root `%s` private", s->root);
  return 0;
}

int
rt_pivot_root (int rootfd, pc_error **err)
{
  if (fchdir (rootfd) < 0)
    return pc_error_errno (err, errno, "chdir to the container root");
  /* The old root ends up stacked under the new one; detach it right away. */
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return pc_error_errno (err, errno, "pivot_root");
  if (umount2 (".", MNT_DETACH) < 0)
    return pc_error_errno (err, errno, "detach the old root");
  if (chdir ("/") < 0)
    return pc_error_errno (err, errno, "chdir /");
  return 0;
}

/* As runc: only a rootfsPropagation the spec asked for is applied to the new
   /, after the pivot (before it, it would reach the old root's peers). The
   default (rslave, recursive) was applied before the root was bound and made
   private; applying it again, recursively, would turn every bind mount that
   asked for [r]shared propagation into a slave of nothing. */
int
rt_root_propagation (const struct rt_spec *s, pc_error **err)
{
  if (!s->root_propagation_set)
    return 0;
  if (mount (NULL, "/", NULL, s->root_propagation, NULL) < 0)
    return pc_error_errno (err, errno, "set the propagation of the container's /");
  return 0;
}

static int
open_in_root (int rootfd, const char *path)
{
  struct open_how how = { .flags = O_PATH | O_CLOEXEC,
                          .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
  while (*path == '/')
    path++;
  return (int) syscall (SYS_openat2, rootfd, *path ? path : ".", &how, sizeof how);
}

static int
write_sysctl (int rootfd, const char *kv, pc_error **err)
{
  pc_autofree char *key = xstrdup (kv);
  char *eq = strchr (key, '=');
  *eq = '\0';
  const char *value = eq + 1;
  if (strstr (key, "..") || strchr (key, '/') != NULL)
    return pc_error_make (err, EINVAL, "invalid sysctl `%s`", key);
  for (char *p = key; *p; p++)
    if (*p == '.')
      *p = '/';
  pc_autofree char *path = xasprintf ("proc/sys/%s", key);
  pc_autoclose int fd = openat (rootfd, path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return pc_error_errno (err, errno, "sysctl `%s`", kv);
  if (write (fd, value, strlen (value)) < 0)
    return pc_error_errno (err, errno, "sysctl `%s`", kv);
  return 0;
}

/* podman masks with /dev/null over files and an empty read-only tmpfs over
   directories; paths missing in this kernel are skipped. */
int
rt_mask_paths (const struct rt_spec *s, pc_error **err)
{
  pc_autoclose int rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return pc_error_errno (err, errno, "open /");
  for (char **p = s->sysctl; p && *p; p++)
    if (write_sysctl (rootfd, *p, err) < 0)
      return -1;
  for (char **p = s->masked; p && *p; p++)
    {
      pc_autoclose int fd = open_in_root (rootfd, *p);
      if (fd < 0)
        {
          if (errno == ENOENT)
            continue;
          return pc_error_errno (err, errno, "mask `%s`", *p);
        }
      struct stat st;
      if (fstat (fd, &st) < 0)
        return pc_error_errno (err, errno, "mask `%s`", *p);
      pc_autoclose int mfd = -1;
      if (S_ISDIR (st.st_mode))
        {
          char *data[] = { (char *) "size=0", (char *) "mode=0755", NULL };
          mfd = rt_mount_fs ("tmpfs", "tmpfs", data, MOUNT_ATTR_RDONLY, fd, err);
        }
      else
        mfd = rt_mount_bind (-1, "/dev/null", false, 0, 0, fd, err);
      if (mfd < 0)
        return pc_error_wrap (err, "mask `%s`", *p);
    }
  for (char **p = s->readonly; p && *p; p++)
    {
      pc_autoclose int fd = open_in_root (rootfd, *p);
      if (fd < 0)
        {
          if (errno == ENOENT)
            continue;
          return pc_error_errno (err, errno, "make `%s` read-only", *p);
        }
      pc_autoclose int mfd = rt_mount_bind (fd, *p, true, MOUNT_ATTR_RDONLY, 0, fd, err);
      if (mfd < 0)
        return pc_error_wrap (err, "make `%s` read-only", *p);
    }
  return 0;
}

int
rt_finish_rootfs (const struct rt_spec *s, pc_error **err)
{
  if (rt_mask_paths (s, err) < 0)
    return -1;
  if (s->hostname && sethostname (s->hostname, strlen (s->hostname)) < 0)
    return pc_error_errno (err, errno, "set hostname `%s`", s->hostname);
  if (s->domainname && setdomainname (s->domainname, strlen (s->domainname)) < 0)
    return pc_error_errno (err, errno, "set domainname `%s`", s->domainname);
  if (s->root_readonly)
    {
      struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
      if (mount_setattr (AT_FDCWD, "/", 0, &attr, sizeof attr) < 0)
        return pc_error_errno (err, errno, "make the root read-only");
    }
  return 0;
}
