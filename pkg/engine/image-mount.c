/* --mount type=image (an image's root filesystem at a path of the
   container) and the record side of --mount type=devpts.

   create looks the image up and records its id in the record's
   "ImageVolumes" (what `pc rmi` reads to refuse removing it), and says in
   the spec's "run.pc.image-mounts" annotation which layers to stack. At
   each start the monitor's prepare hook, in pc's user namespace and its own
   mount namespace (like the root), mounts a tmpfs on RUN/ctr/ID/image-mounts
   and under it, per image mount N, an overlay of the image's layers with
   no upper dir (read-only) or, for rw=true, with upper and work dirs on
   disk in the container's directory of the store (emptied first, so the
   changes are gone at the next start), at N/root; the spec binds N/root at
   the destination. The teardown detaches the tmpfs and everything on it and
   removes the upper dirs (and those of -v SRC:DST:O, annotation
   run.pc.overlay-mounts); a killed monitor takes its mount namespace along.
   docs/mounts.md. */
#include "pkg/engine/internal.h"

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
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/monitor/monitor.h"
#include "pkg/storage/storage.h"

#define IMAGE_MOUNTS_ANNOTATION "run.pc.image-mounts"
#define IMAGE_VOLUMES_KEY "ImageVolumes"
/* pkg/runtime/mounts.c: where the runtime puts the upper and work dirs of
   -v SRC:DST:O, emptied at each start. */
#define OVERLAY_MOUNTS_ANNOTATION "run.pc.overlay-mounts"

char *
eng_image_mount_source (const char *run_dir, const char *id, size_t n)
{
  return xasprintf ("%s/ctr/%s/image-mounts/%zu/root", run_dir, id, n);
}

void
eng_image_devpts_record (const char *image, const char *subpath, const char *dst, bool ro,
                         char *const *flags, json_object *mounts, json_object *binds)
{
  /* podman 4.3's shapes: an image mount is Type "image" with the image as
     the user named it, no options, no propagation and no Binds string; a
     devpts mount is shown as a "bind" of "devpts" with the user's options. */
  json_object *m = json_object_new_object ();
  json_object_object_add (m, "Type", json_object_new_string (image ? "image" : "bind"));
  json_object_object_add (m, "Source", json_object_new_string (image ? image : "devpts"));
  json_object_object_add (m, "Destination", json_object_new_string (dst));
  json_object_object_add (m, "Driver", json_object_new_string (""));
  json_object_object_add (m, "Mode", json_object_new_string (""));
  json_object *oa = NULL;
  if (!image)
    {
      oa = json_object_new_array ();
      for (char *const *f = flags; f && *f; f++)
        json_object_array_add (oa, json_object_new_string (*f));
    }
  json_object_object_add (m, "Options", oa);
  json_object_object_add (m, "RW", json_object_new_boolean (!ro));
  json_object_object_add (m, "Propagation", json_object_new_string (""));
  if (subpath)
    json_object_object_add (m, "SubPath", json_object_new_string (subpath));
  json_object_array_add (mounts, m);
  if (image)
    return;
  size_t len = strlen (dst) + 16;
  for (char *const *f = flags; f && *f; f++)
    len += strlen (*f) + 1;
  char *s = xmalloc0 (len);
  snprintf (s, len, "devpts:%s", dst);
  for (char *const *f = flags; f && *f; f++)
    {
      strcat (s, f == flags ? ":" : ",");
      strcat (s, *f);
    }
  json_object_array_add (binds, json_object_new_string (s));
  free (s);
}

bool
eng_mount_is_devpts (json_object *m)
{
  return strcmp (pc_json_get_string (m, "Type") ?: "", "bind") == 0
         && strcmp (pc_json_get_string (m, "Source") ?: "", "devpts") == 0;
}

static bool
has_overlay_bind (json_object *spec)
{
  json_object *mounts = pc_json_get_array (spec, "mounts");
  for (size_t i = 0; i < pc_json_array_len (mounts); i++)
    {
      json_object *opts = pc_json_get_array (pc_json_array_object_at (mounts, i), "options");
      for (size_t j = 0; j < pc_json_array_len (opts); j++)
        {
          json_object *o = json_object_array_get_idx (opts, j);
          if (json_object_is_type (o, json_type_string) && strcmp (json_object_get_string (o), "O") == 0)
            return true;
        }
    }
  return false;
}

int
eng_image_mounts (struct pc_engine *e, json_object *rec, json_object *spec, pc_error **err)
{
  json_object *mounts = pc_json_get_array (rec, "Mounts");
  pc_autojson json_object *vols = json_object_new_array ();
  pc_autojson json_object *list = json_object_new_array ();
  for (size_t i = 0; i < pc_json_array_len (mounts); i++)
    {
      json_object *m = pc_json_array_object_at (mounts, i);
      if (strcmp (pc_json_get_string (m, "Type") ?: "", "image") != 0)
        continue;
      const char *ref = pc_json_get_string (m, "Source") ?: "";
      const char *dst = pc_json_get_string (m, "Destination") ?: "";
      struct pc_store *s = pc_engine_store (e, err);
      if (s == NULL)
        return -1;
      pc_autoimage struct pc_image *img = NULL;
      if (pc_store_image_lookup (s, ref, &img, err) < 0)
        return pc_error_wrap (err, "creating image volume \"%s\":\"%s\"", ref, dst);
      pc_autofree char *lower = pc_store_image_lowerdirs (s, img);
      if (lower == NULL)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "creating image volume \"%s\":\"%s\": the image has no layers",
                               ref, dst);
      bool rw = pc_json_get_bool (m, "RW", false);
      json_object *v = json_object_new_object ();
      json_object_object_add (v, "Source", json_object_new_string (pc_image_id (img)));
      json_object_object_add (v, "Name", json_object_new_string (ref));
      json_object_object_add (v, "Dest", json_object_new_string (dst));
      json_object_object_add (v, "ReadWrite", json_object_new_boolean (rw));
      json_object_array_add (vols, v);
      json_object *a = json_object_new_object ();
      json_object_object_add (a, "lower", json_object_new_string (lower));
      json_object_object_add (a, "rw", json_object_new_boolean (rw));
      const char *sub = pc_json_get_string (m, "SubPath");
      if (sub)
        json_object_object_add (a, "subpath", json_object_new_string (sub));
      json_object_array_add (list, a);
    }
  const char *id = pc_json_get_string (rec, "Id");
  if (has_overlay_bind (spec))
    {
      struct pc_store *s = pc_engine_store (e, err);
      if (s == NULL)
        return -1;
      pc_autofree char *odir = xasprintf ("%s/containers/%s/overlay-mounts/bind", pc_store_root (s), id ? id : "");
      json_object_object_add (pc_json_get (spec, "annotations"), OVERLAY_MOUNTS_ANNOTATION,
                              json_object_new_string (odir));
    }
  if (pc_json_array_len (list) == 0)
    return 0;
  json_object_object_add (rec, IMAGE_VOLUMES_KEY, json_object_get (vols));
  pc_autofree char *dir = xasprintf ("%s/ctr/%s/image-mounts", e->run_dir, id ? id : "");
  struct pc_store *st = pc_engine_store (e, err);
  if (st == NULL)
    return -1;
  pc_autofree char *upper = xasprintf ("%s/containers/%s/overlay-mounts/image", pc_store_root (st), id ? id : "");
  json_object *ann = json_object_new_object ();
  json_object_object_add (ann, "dir", json_object_new_string (dir));
  json_object_object_add (ann, "upper", json_object_new_string (upper));
  json_object_object_add (ann, "driver", json_object_new_string (pc_json_get_string (rec, "Driver") ?: ""));
  json_object_object_add (ann, "mounts", json_object_get (list));
  json_object_object_add (pc_json_get (spec, "annotations"), IMAGE_MOUNTS_ANNOTATION,
                          json_object_new_string (json_object_to_json_string_ext (
                            ann, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)));
  json_object_put (ann);
  return 0;
}

/* One overlay: the store's driver, and for vfs (no overlay of its own)
   native overlay, then fuse-overlayfs. */
static int
mount_view (const char *driver, const char *data, const char *target, pc_error **err)
{
  bool vfs = strcmp (driver, "vfs") == 0;
  if (strcmp (driver, "overlay") == 0 || vfs)
    {
      pc_autofree char *src = xasprintf ("%s,userxattr", data);
      struct pc_rootfs_mount m = { .driver = (char *) "overlay", .source = src, .target = (char *) target };
      int r = pc_storage_mount_rootfs (&m, err);
      if (r == 0 || !vfs)
        return r;
      pc_debug ("image mount: native overlay failed (%s), trying fuse-overlayfs", (*err)->msg);
      pc_error_clear (err);
    }
  struct pc_rootfs_mount m = { .driver = (char *) "fuse-overlayfs", .source = (char *) data,
                               .target = (char *) target };
  if (pc_storage_mount_rootfs (&m, err) == 0)
    return 0;
  if (vfs)
    pc_error_set_class (err, PC_ERR_UNSUPPORTED);
  return -1;
}

/* subpath of the view at merged, found inside it (never through a symlink
   out of it), bound on N/root (made a file for a file). */
static int
bind_subpath (int ndfd, const char *merged, const char *subpath, const char *root, pc_error **err)
{
  pc_autoclose int mfd = open (merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (mfd < 0)
    return pc_error_errno (err, errno, "open the image mount `%s`", merged);
  pc_autoclose int sfd = pc_safe_openat (mfd, subpath, O_PATH | O_CLOEXEC, 0, err);
  if (sfd < 0)
    return pc_error_set_class (err, PC_ERR_NOT_FOUND), pc_error_wrap (err, "subpath \"%s\" of the image", subpath);
  struct stat st;
  if (fstat (sfd, &st) < 0)
    return pc_error_errno (err, errno, "stat subpath \"%s\" of the image", subpath);
  if (!S_ISDIR (st.st_mode))
    {
      if (unlinkat (ndfd, "root", AT_REMOVEDIR) < 0)
        return pc_error_errno (err, errno, "replace `%s`", root);
      pc_autoclose int f = openat (ndfd, "root", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
      if (f < 0)
        return pc_error_errno (err, errno, "create `%s`", root);
    }
  pc_autoclose int tfd = open_tree (sfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
  if (tfd < 0)
    return pc_error_errno (err, errno, "bind subpath \"%s\" of the image", subpath);
  if (move_mount (tfd, "", AT_FDCWD, root, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return pc_error_errno (err, errno, "bind subpath \"%s\" of the image on `%s`", subpath, root);
  return 0;
}

static int
prepare_one (int dfd, const char *dir, const char *updir, size_t n, const char *driver, json_object *j,
             pc_error **err)
{
  const char *lower = pc_json_get_string (j, "lower");
  const char *subpath = pc_json_get_string (j, "subpath");
  bool rw = pc_json_get_bool (j, "rw", false);
  if (lower == NULL || *lower == '\0')
    return pc_error_make (err, EINVAL, "image mount %zu: no layers in annotation " IMAGE_MOUNTS_ANNOTATION, n);
  char name[32];
  snprintf (name, sizeof name, "%zu", n);
  if (mkdirat (dfd, name, 0700) < 0)
    return pc_error_errno (err, errno, "create `%s/%s`", dir, name);
  pc_autoclose int ndfd = openat (dfd, name, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (ndfd < 0)
    return pc_error_errno (err, errno, "open `%s/%s`", dir, name);
  static const char *const sub[] = { "root", "empty", "merged", NULL };
  for (const char *const *d = sub; *d; d++)
    if (mkdirat (ndfd, *d, 0755) < 0)
      return pc_error_errno (err, errno, "create `%s/%s/%s`", dir, name, *d);
  /* rw=true: the changes on disk in the container's directory of the store
     (emptied before), never in memory: a tmpfs would let the container fill
     the host's memory. */
  pc_autofree char *up = xasprintf ("%s/%s/upper", updir ? updir : "", name);
  pc_autofree char *work = xasprintf ("%s/%s/work", updir ? updir : "", name);
  if (rw && (updir == NULL || updir[0] != '/'))
    return pc_error_make (err, EINVAL, "image mount %zu: no `upper` in annotation " IMAGE_MOUNTS_ANNOTATION
                          ": recreate the container", n);
  if (rw && (pc_mkdir_p (AT_FDCWD, up, 0755, err) < 0 || pc_mkdir_p (AT_FDCWD, work, 0700, err) < 0))
    return pc_error_wrap (err, "image mount %zu", n);
  /* An empty bottom layer, as podman adds: overlay wants two lowers when it
     has no upper. */
  pc_autofree char *data = rw ? xasprintf ("lowerdir=%s:%s/%s/empty,upperdir=%s,workdir=%s", lower, dir, name, up, work)
                              : xasprintf ("lowerdir=%s:%s/%s/empty", lower, dir, name);
  pc_autofree char *root = xasprintf ("%s/%s/root", dir, name);
  pc_autofree char *merged = xasprintf ("%s/%s/merged", dir, name);
  if (mount_view (driver, data, subpath ? merged : root, err) < 0)
    return -1;
  if (subpath && bind_subpath (ndfd, merged, subpath, root, err) < 0)
    return -1;
  return 0;
}

/* What the teardown undoes, in the monitor (one container's). */
static struct
{
  char *overlay;   /* the O binds' upper layers (the runtime makes them) */
  char *dir;       /* the tmpfs of the image mounts */
  char *upper;     /* their upper layers */
} teardown_paths;

static char *
dup_or_null (const char *s)
{
  return s ? xstrdup (s) : NULL;
}

int
eng_image_mounts_prepare (json_object *spec, pc_error **err)
{
  json_object *anns = pc_json_get (spec, "annotations");
  free (teardown_paths.overlay);
  teardown_paths.overlay = dup_or_null (pc_json_get_string (anns, OVERLAY_MOUNTS_ANNOTATION));
  const char *a = pc_json_get_string (anns, IMAGE_MOUNTS_ANNOTATION);
  if (a == NULL)
    return 0;
  pc_autojson json_object *o = pc_json_parse (a, strlen (a), err);
  if (o == NULL)
    return pc_error_wrap (err, "annotation " IMAGE_MOUNTS_ANNOTATION);
  const char *dir = pc_json_get_string (o, "dir");
  const char *driver = pc_json_get_string (o, "driver");
  const char *updir = pc_json_get_string (o, "upper");
  json_object *list = pc_json_get_array (o, "mounts");
  if (dir == NULL || dir[0] != '/' || driver == NULL)
    return pc_error_make (err, EINVAL, "annotation " IMAGE_MOUNTS_ANNOTATION " needs `dir` and `driver`");
  /* What an earlier run wrote goes: each start begins from the image. */
  if (updir && updir[0] == '/' && pc_rm_rf_at (AT_FDCWD, updir, err) < 0)
    return pc_error_wrap (err, "empty the image mounts' upper layers");
  free (teardown_paths.upper);
  teardown_paths.upper = dup_or_null (updir);
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return pc_error_errno (err, errno, "create `%s`", dir);
  /* In the monitor's mount namespace only: the upper layers of rw=true
     mounts live here, and all of it goes with one detach. */
  if (mount ("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0)
    return pc_error_errno (err, errno, "mount a tmpfs on `%s` for the image mounts", dir);
  pc_autoclose int dfd = open (dir, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    return pc_error_errno (err, errno, "open `%s`", dir);
  for (size_t i = 0; i < pc_json_array_len (list); i++)
    {
      json_object *j = pc_json_array_object_at (list, i);
      if (j == NULL)
        continue;
      if (prepare_one (dfd, dir, updir, i, driver, j, err) < 0)
        {
          umount2 (dir, MNT_DETACH);
          return pc_error_wrap (err, "mount image %zu", i);
        }
    }
  free (teardown_paths.dir);
  teardown_paths.dir = xstrdup (dir);
  pc_debug ("%zu image mount(s) ready", pc_json_array_len (list));
  return 0;
}

/* The upper layers of the O binds and rw=true image mounts go when the
   container stops, as podman removes them. */
static void
remove_upper (const char *dir)
{
  pc_autoerror pc_error *err = NULL;
  /* The monitor's stderr is gone by now: its own log says it. */
  if (dir && dir[0] == '/' && pc_rm_rf_at (AT_FDCWD, dir, &err) < 0)
    pc_monitor_log ("remove the container's throwaway layers: %s", err->msg);
}

/* spec is not read: the monitor drops its copy once the container runs
   (pkg/monitor/spawn.c), before the teardown; the prepare hook, in the
   same monitor, saved what to undo. */
void
eng_image_mounts_teardown (void)
{
  remove_upper (teardown_paths.overlay);
  if (teardown_paths.dir && umount2 (teardown_paths.dir, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    pc_warn ("unmount the image mounts `%s`: %s", teardown_paths.dir, strerror (errno));
  remove_upper (teardown_paths.upper);
  free (teardown_paths.overlay);
  free (teardown_paths.dir);
  free (teardown_paths.upper);
  memset (&teardown_paths, 0, sizeof teardown_paths);
}

bool
eng_image_mount_uses (json_object *rec, const char *image_id)
{
  json_object *v = pc_json_get_array (rec, IMAGE_VOLUMES_KEY);
  for (size_t i = 0; i < pc_json_array_len (v); i++)
    if (strcmp (pc_json_get_string (pc_json_array_object_at (v, i), "Source") ?: "", image_id) == 0)
      return true;
  return false;
}
