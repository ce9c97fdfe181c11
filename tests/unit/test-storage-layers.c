/* pkg/storage: loading the fixtures, a container root under every driver
   (mounted for real in a private mount namespace), layer diff round trip,
   hostile layers leaving the store unchanged. Needs $PC_FIXTURES (skips
   without it). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"
#include "pkg/storage/storage.h"
#include "tests/unit/tap.h"

#include "pkg/rootless/rootless.h"

static const char *fixtures;

static int
load_file (struct pc_store *s, const char *name, pc_error **err)
{
  pc_autofree char *p = xasprintf ("%s/%s", fixtures, name);
  int fd = open (p, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return pc_error_errno (err, errno, "open %s", p);
  int r = pc_store_load (s, fd, NULL, NULL, err);
  close (fd);
  return r;
}

static char *
slurp (const char *path)
{
  char *out = NULL;
  pc_autoerror pc_error *e = NULL;
  if (pc_read_file (AT_FDCWD, path, &out, NULL, &e) < 0)
    return NULL;
  return out;
}

/* In the child of check_merged: everything it allocates is freed on
   return, so valgrind finds no leak when the child exits. */
static int
merged_child (const struct pc_rootfs_mount *m)
{
  if (unshare (CLONE_NEWNS) < 0 || mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
    return 100;
  pc_autoerror pc_error *err = NULL;
  if (pc_storage_mount_rootfs (m, &err) < 0)
    {
      printf ("# mount: %s\n", err->msg);
      return 101;
    }
  int fails = 0;
  pc_autofree char *added = xasprintf ("%s/data/added.txt", m->target);
  pc_autofree char *motd = xasprintf ("%s/etc/motd", m->target);
  pc_autofree char *keepnew = xasprintf ("%s/data/keep/new.txt", m->target);
  struct stat st;
  if (stat (added, &st) < 0)
    fails++, printf ("# %s: added file missing\n", m->driver);
  if (stat (keepnew, &st) < 0)
    fails++, printf ("# %s: file in opaque dir missing\n", m->driver);
  pc_autofree char *c = slurp (motd);
  if (c == NULL)
    fails++, printf ("# %s: /etc/motd missing\n", m->driver);
  /* Every entry of layered.expected.txt exists; nothing else under /data. */
  pc_autofree char *exp = xasprintf ("%s/layered.expected.txt", fixtures);
  FILE *f = fopen (exp, "re");
  char line[512];
  while (f && fgets (line, sizeof line, f))
    {
      char path[400];
      if (sscanf (line, "%399s", path) != 1)
        continue;
      pc_autofree char *full = xasprintf ("%s%s", m->target, path);
      if (lstat (full, &st) < 0)
        fails++, printf ("# %s: expected %s missing\n", m->driver, path);
    }
  if (f)
    fclose (f);
  /* No whiteout devices or .wh. files visible. */
  pc_autofree char *data = xasprintf ("%s/data", m->target);
  DIR *d = opendir (data);
  struct dirent *de;
  while (d && (de = readdir (d)))
    {
      if (strncmp (de->d_name, ".wh.", 4) == 0)
        fails++, printf ("# %s: whiteout visible: %s\n", m->driver, de->d_name);
      pc_autofree char *ent = xasprintf ("%s/%s", data, de->d_name);
      if (lstat (ent, &st) == 0 && S_ISCHR (st.st_mode))
        fails++, printf ("# %s: whiteout device visible: %s\n", m->driver, de->d_name);
    }
  if (d)
    closedir (d);
  /* Writes land in the upper dir. */
  pc_autofree char *nf = xasprintf ("%s/data/written-by-test", m->target);
  int fd = open (nf, O_CREAT | O_WRONLY, 0644);
  if (fd < 0)
    fails++, printf ("# %s: cannot write: %s\n", m->driver, strerror (errno));
  else
    close (fd);
  if (unlink (added) < 0)
    fails++, printf ("# %s: cannot delete: %s\n", m->driver, strerror (errno));
  umount2 (m->target, MNT_DETACH);
  return fails;
}

/* Mounts the container root in a child with its own mount namespace and
   checks the layered image's merged view. Exit code = number of failures.
   Not inlined: the caller's pointers stay on the stack the child keeps. */
static __attribute__ ((noinline)) int
check_merged (const struct pc_rootfs_mount *m)
{
  /* The child inherits unflushed TAP lines; a pipe would print them twice. */
  fflush (stdout);
  pid_t pid = fork ();
  if (pid == 0)
    {
      int r = merged_child (m);
      fflush (stdout);
      _exit (r);
    }
  int status;
  waitpid (pid, &status, 0);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 200;
}

static void
store_listing (const char *root, char **out)
{
  pc_autofree char *cmd = xasprintf ("cd %s && find . -path ./tmp -prune -o -print | LC_ALL=C sort | grep -v '^./store.lock$'", root);
  char *o = NULL;
  size_t cap = 0;
  FILE *p = popen (cmd, "r");
  if (p)
    {
      ssize_t n = getdelim (&o, &cap, '\0', p);
      (void) n;
      pclose (p);
    }
  *out = o ? o : xstrdup ("");
}

static char *
tar_listing (const char *path)
{
  pc_autofree char *cmd = xasprintf ("tar tf %s", path);
  char *out = NULL;
  size_t cap = 0;
  FILE *p = popen (cmd, "r");
  if (p == NULL)
    return NULL;
  if (getdelim (&out, &cap, 0, p) < 0 && out)
    out[0] = 0;
  pclose (p);
  return out;
}

/* vfs: the container's copy against the image (check_merged has already
   added data/written-by-test and deleted data/added.txt). */
static void
check_vfs_diff (struct pc_store *ds, const char *cid, const struct pc_rootfs_mount *m,
                const struct pc_image *img)
{
  pc_error *err = NULL;
  int dfd = open (m->source, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  /* Same size, other bytes (the contents are compared). */
  pc_autofree char *motd = NULL;
  size_t len = 0;
  if (pc_read_file (dfd, "etc/motd", &motd, &len, &err) == 0 && len > 0)
    {
      motd[0] ^= 1;
      int fd = openat (dfd, "etc/motd", O_WRONLY | O_TRUNC | O_CLOEXEC);
      if (fd >= 0)
        {
          pc_write_all (fd, motd, len, &err);
          close (fd);
        }
    }
  pc_error_clear (&err);
  /* Touched, same content: not a change. */
  struct timespec later[2] = { { 1234567890, 0 }, { 1234567890, 0 } };
  utimensat (dfd, "data/hard-a.txt", later, AT_SYMLINK_NOFOLLOW);
  /* A symlink replaced by a directory; a whole directory removed. */
  unlinkat (dfd, "data/link-to-added", 0);
  mkdirat (dfd, "data/link-to-added", 0755);
  unlinkat (dfd, "data/keep/new.txt", 0);
  unlinkat (dfd, "data/keep", AT_REMOVEDIR);
  close (dfd);

  char path[] = "/tmp/pc-unit-diff.XXXXXX";
  int fd = mkstemp (path);
  is_int (pc_storage_diff_tar (ds, cid, fd, &err), 0, "vfs: diff tar written");
  if (err)
    printf ("# %s\n", err->msg);
  pc_error_clear (&err);
  close (fd);
  pc_autofree char *out = tar_listing (path);
  unlink (path);
  is_str (out,
          "data/\n"
          "data/.wh.added.txt\n"
          "data/.wh.keep\n"
          "data/.wh.link-to-added\n"
          "data/link-to-added/\n"
          "data/written-by-test\n"
          "etc/\n"
          "etc/motd\n",
          "vfs: diff has the new, changed and deleted entries, nothing unchanged");

  pc_autofree char *new_id = NULL;
  is_int (pc_store_commit (ds, cid, img, pc_image_config (img), "localhost/vfs-commit:latest", &new_id, &err), 0,
          "vfs: commit");
  if (err)
    printf ("# %s\n", err->msg);
  pc_error_clear (&err);
  pc_autoimage struct pc_image *c = NULL;
  is_int (pc_store_image_lookup (ds, "localhost/vfs-commit:latest", &c, &err), 0, "vfs: committed image found");
  ok (c && pc_image_n_layers (c) == pc_image_n_layers (img) + 1, "vfs: committed image has one more layer");
  if (c)
    pc_store_image_delete (ds, pc_image_id (c), &err);
  pc_error_clear (&err);
}

int
main (void)
{
  fixtures = getenv ("PC_FIXTURES");
  if (fixtures == NULL)
    fixtures = "/tmp/pc-fixtures";
  char *probe = xasprintf ("%s/layered.docker.tar", fixtures);
  int have_fixtures = access (probe, R_OK);
  free (probe);
  if (have_fixtures < 0)
    {
      printf ("1..0 # SKIP no fixtures in %s (set PC_FIXTURES)\n", fixtures);
      return 0;
    }
  pc_error *err = NULL;
  if (pc_rootless_enter (&err) < 0)
    {
      printf ("1..0 # SKIP cannot enter a user namespace: %s\n", err->msg);
      return 0;
    }
  char tmpl[] = "/tmp/pc-unit-storage.XXXXXX";
  if (mkdtemp (tmpl) == NULL)
    return 1;
  pc_autofree char *root = xasprintf ("%s/root", tmpl);
  pc_autofree char *run = xasprintf ("%s/run", tmpl);

  struct pc_store *s = NULL;
  is_int (pc_store_open (root, run, NULL, &s, &err), 0, "open a new store");
  is_int (load_file (s, "busybox.docker.tar", &err), 0, "load busybox docker-archive");
  is_int (load_file (s, "layered.docker.tar", &err), 0, "load layered docker-archive");
  if (err)
    printf ("# %s\n", err->msg);
  pc_error_clear (&err);

  struct pc_image *img = NULL;
  is_int (pc_store_image_lookup (s, "layered", &img, &err), 0, "short name resolves");
  ok (img && pc_image_n_layers (img) == 3, "layered has three layers");
  struct pc_image *bb = NULL;
  is_int (pc_store_image_lookup (s, "localhost/busybox:latest", &bb, &err), 0, "full name resolves");
  ok (bb && img && strcmp (pc_image_layer (bb, 0)->chain_id, pc_image_layer (img, 0)->chain_id) == 0,
      "the shared base layer has the same chain id");
  pc_autofree char *layers_dir = xasprintf ("%s/layers", root);
  int nl = 0;
  DIR *d = opendir (layers_dir);
  struct dirent *de;
  while (d && (de = readdir (d)))
    if (de->d_name[0] != '.')
      nl++;
  if (d)
    closedir (d);
  is_int (nl, 3, "shared layer stored once (3 layers for 2 images)");
  struct pc_image *missing = NULL;
  is_int (pc_store_image_lookup (s, "nosuch", &missing, &err), -1, "unknown image fails");
  is_str (err ? err->msg : NULL, "nosuch: image not known", "podman's message");
  is_int (err ? err->status : 0, ENOENT, "status ENOENT");
  pc_error_clear (&err);

  const char *drivers[] = { "overlay", "fuse-overlayfs", "vfs" };
  for (int i = 0; i < 3 && img; i++)
    {
      struct pc_store *ds = NULL;
      pc_store_open (root, run, drivers[i], &ds, &err);
      pc_autofree char *cid = xasprintf ("ctr-%s", drivers[i]);
      is_int (pc_store_container_create (ds, cid, img, &err), 0, "%s: container layer created", drivers[i]);
      if (err)
        printf ("# %s\n", err->msg);
      pc_error_clear (&err);
      struct pc_rootfs_mount m = { 0 };
      is_int (pc_store_container_rootfs (ds, cid, &m, &err), 0, "%s: rootfs description", drivers[i]);
      is_str (m.driver, drivers[i], "%s: recorded driver", drivers[i]);
      is_int (check_merged (&m), 0, "%s: merged root shows added/changed files, no deleted entries", drivers[i]);
      if (i == 2)
        check_vfs_diff (ds, cid, &m, img);
      if (i == 0)
        {
          /* The diff of the writes just made: a new file and a whiteout. */
          char path[] = "/tmp/pc-unit-diff.XXXXXX";
          int fd = mkstemp (path);
          is_int (pc_storage_diff_tar (ds, cid, fd, &err), 0, "overlay: diff tar written");
          close (fd);
          char *out = tar_listing (path);
          ok (out && strstr (out, "data/written-by-test"), "diff has the new file");
          ok (out && strstr (out, "data/.wh.added.txt"), "diff has the deletion as .wh.added.txt");
          free (out);
          unlink (path);
        }
      is_int (pc_store_container_remove (ds, cid, &err), 0, "%s: container layer removed", drivers[i]);
      pc_rootfs_mount_clear (&m);
      pc_store_close (ds);
    }

  /* Hostile archives: refused, store unchanged. */
  pc_autofree char *before = NULL;
  store_listing (root, &before);
  pc_autofree char *hdir = xasprintf ("%s/hostile", fixtures);
  d = opendir (hdir);
  int nh = 0;
  while (d && (de = readdir (d)))
    {
      if (strstr (de->d_name, ".tar") == NULL)
        continue;
      pc_autofree char *name = xasprintf ("hostile/%s", de->d_name);
      int r = load_file (s, name, &err);
      ok (r < 0, "hostile %s refused: %s", de->d_name, err ? err->msg : "(accepted!)");
      pc_error_clear (&err);
      nh++;
    }
  if (d)
    closedir (d);
  pc_autofree char *after = NULL;
  store_listing (root, &after);
  ok (nh > 0, "hostile fixtures found (%d)", nh);
  is_str (after, before, "store unchanged after hostile loads");

  /* Deleting layered keeps busybox's (shared) base layer. */
  is_int (pc_store_image_delete (s, pc_image_id (img), &err), 0, "rmi layered");
  nl = 0;
  d = opendir (layers_dir);
  while (d && (de = readdir (d)))
    if (de->d_name[0] != '.')
      nl++;
  if (d)
    closedir (d);
  is_int (nl, 1, "only the layer busybox uses is left");

  pc_image_free (img);
  pc_image_free (bb);
  pc_store_close (s);
  pc_rm_rf_at (AT_FDCWD, tmpl, &err);
  return done_testing ();
}
