/* The container's root filesystem as the monitor sees it: the spec's engine
   annotation "run.pc.rootfs" says how to mount it, and the monitor's prepare
   hook mounts it at root.path inside the monitor's own mount namespace, before
   the runtime creates the container. The runtime only pivots into it (as runc
   does with the root its caller mounted), fuse-overlayfs runs beside the
   monitor rather than inside the container's pid namespace, and the mount
   dies with the monitor. */
#include "pkg/engine/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/storage/storage.h"

int
eng_rootfs_from_spec (json_object *spec, struct pc_rootfs_mount *m, pc_error **err)
{
  memset (m, 0, sizeof *m);
  const char *a = pc_json_get_string (pc_json_get (spec, "annotations"), "run.pc.rootfs");
  if (a == NULL)
    return pc_error_make (err, EINVAL, "the container's config.json does not say how to mount its root "
                          "(annotation run.pc.rootfs): recreate the container");
  pc_autojson json_object *o = pc_json_parse (a, strlen (a), err);
  if (o == NULL)
    return pc_error_wrap (err, "annotation run.pc.rootfs");
  const char *driver = pc_json_get_string (o, "driver");
  const char *source = pc_json_get_string (o, "source");
  const char *target = pc_json_get_string (o, "target");
  const char *root = pc_json_get_string (pc_json_get (spec, "root"), "path");
  if (driver == NULL || source == NULL || target == NULL || root == NULL || strcmp (target, root) != 0)
    return pc_error_make (err, EINVAL, "annotation run.pc.rootfs needs `driver`, `source` and "
                          "`target` (the spec's root.path)");
  m->driver = xstrdup (driver);
  m->source = xstrdup (source);
  m->target = xstrdup (target);
  return 0;
}

/* podman's /etc/mtab: a symlink to /proc/mounts where the image has no
   /etc/mtab (busybox, distroless), made in the container's root before it
   starts (so --read-only containers have it too, and commit keeps it, as
   podman's). /etc is made (0755) when missing; one that is not a plain
   directory (a symlink out of the root) is left alone, as is any failure:
   the container runs without it. */
static void
make_mtab (const char *root)
{
  pc_autoclose int rfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rfd < 0)
    return;
  pc_autoclose int etc = openat (rfd, "etc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (etc < 0 && errno == ENOENT && mkdirat (rfd, "etc", 0755) == 0)
    etc = openat (rfd, "etc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (etc < 0 || fstatat (etc, "mtab", &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
    return;
  if (symlinkat ("/proc/mounts", etc, "mtab") < 0 && errno != EEXIST)
    pc_debug ("no /etc/mtab in the container: %s", strerror (errno));
}

int
eng_rootfs_prepare (void *data, pc_error **err)
{
  const struct pc_rootfs_mount *m = data;
  if (pc_storage_mount_rootfs (m, err) < 0)
    return pc_error_wrap (err, "mount the container's root filesystem");
  pc_debug ("root filesystem mounted (%s)", m->driver);
  make_mtab (m->target);
  return 0;
}

void
eng_rootfs_teardown (void *data)
{
  const struct pc_rootfs_mount *m = data;
  pc_autoerror pc_error *err = NULL;
  if (pc_storage_unmount_rootfs (m, &err) < 0)
    pc_warn ("%s", err->msg);
}
