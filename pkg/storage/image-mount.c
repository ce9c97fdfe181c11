/* pc image mount: a read-only view of an image that outlives the command.
   There is no long-lived process holding a mount namespace, so the mount is
   made with fuse-overlayfs in the caller's own mount namespace (through
   fusermount3 when unprivileged): visible to the user, owned by nobody's
   namespace. Files keep their on-disk (host) owners. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/proc.h"
#include "lib/xalloc.h"
#include "pkg/storage/store-private.h"

static char *
mount_path (struct pc_store *s, const struct pc_image *img)
{
  return xasprintf ("%s/image-mounts/%s", s->runroot, img->id);
}

/* Octal-escaped mountinfo field compare. */
static bool
is_mounted (const char *path)
{
  pc_autofclose FILE *f = fopen ("/proc/self/mountinfo", "re");
  if (f == NULL)
    return false;
  char line[8192];
  while (fgets (line, sizeof line, f))
    {
      char mp[4096];
      if (sscanf (line, "%*s %*s %*s %*s %4095s", mp) == 1 && strcmp (mp, path) == 0)
        return true;
    }
  return false;
}

char *
pc_store_image_mounted (struct pc_store *s, struct pc_image *img)
{
  char *p = mount_path (s, img);
  if (is_mounted (p))
    return p;
  free (p);
  return NULL;
}

char *
pc_store_image_lowerdirs (struct pc_store *s, const struct pc_image *img)
{
  if (img->n_layers == 0)
    return NULL;
  pc_autostrv char **chain = xmalloc0 ((img->n_layers + 1) * sizeof (char *));
  for (size_t i = 0; i < img->n_layers; i++)
    chain[i] = xstrdup (img->layers[i].chain_id);
  return pc_store_lowerdirs (s, chain, img->n_layers, NULL);
}

int
pc_store_image_mount (struct pc_store *s, const struct pc_image *img, char **path, pc_error **err)
{
  pc_autofree char *p = mount_path (s, img);
  if (is_mounted (p))
    {
      *path = steal_pointer (&p);
      return 0;
    }
  if (getenv ("_PC_USERNS"))
    return pc_error_make (err, EPERM, "pc image mount must run outside `pc unshare`: its mount would vanish with the namespace");
  if (pc_mkdir_p (AT_FDCWD, p, 0700, err) < 0)
    return -1;
  if (img->n_layers == 0)
    return pc_error_make (err, EINVAL, "image %.12s has no layers to mount", img->id);
  pc_autofree char *lower = pc_store_image_lowerdirs (s, img);
  /* ro, nosuid, nodev: a view to read, never a way to run an image's setuid
     file or open its device nodes with the host's rights. fuse-overlayfs adds
     allow_other when root runs it (with default_permissions, so file modes
     still decide); the mount point is under the 0700 runroot either way. */
  pc_autofree char *opts = xasprintf ("ro,nosuid,nodev,lowerdir=%s", lower);
  char *argv[] = { (char *) "fuse-overlayfs", (char *) "-o", opts, p, NULL };
  pc_autofree char *errout = NULL;
  int status;
  if (pc_run_capture (argv, NULL, &errout, &status, err) < 0)
    return pc_error_wrap (err, "pc image mount needs fuse-overlayfs");
  if (status != 0)
    return pc_error_make (err, EIO, "fuse-overlayfs failed (exit %d): %s", status, errout ? errout : "");
  *path = steal_pointer (&p);
  return 0;
}

int
pc_store_image_unmount (struct pc_store *s, const struct pc_image *img, pc_error **err)
{
  pc_autofree char *p = mount_path (s, img);
  if (!is_mounted (p))
    return 0;
  if (umount2 (p, MNT_DETACH) < 0)
    {
      char *argv[] = { (char *) "fusermount3", (char *) "-u", p, NULL };
      pc_autofree char *errout = NULL;
      int status;
      if (pc_run_capture (argv, NULL, &errout, &status, err) < 0)
        return -1;
      if (status != 0)
        return pc_error_make (err, EIO, "unmount %s: %s", p, errout ? errout : "");
    }
  rmdir (p);
  return 0;
}
