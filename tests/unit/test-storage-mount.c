/* pkg/storage: native overlay mounts with more lower layers than fit in
   one page of mount(2) options: through fsconfig "lowerdir+" where the
   kernel has it, through short l/<n> links with classic mount(2) (older
   kernels, valgrind), and a clear error when even that is too long. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"
#include "pkg/storage/store-private.h"
#include "tests/unit/tap.h"

#include "pkg/rootless/rootless.h"

#define N_LAYERS 120

static char *
layer_dir (const char *base, int i)
{
  /* As long as a real layer path: a 64-hex chain id under the store root. */
  return xasprintf ("%s/layers/%064x/diff", base, i);
}

/* n lower layers (layer i holds f<i>, the top one also hides nothing),
   an upper and a work dir; returns the overlay data string. */
static char *
make_layers (const char *base, const char *cdir, int n)
{
  pc_autofree char *lower = xstrdup ("");
  for (int i = 0; i < n; i++)
    {
      pc_autofree char *d = layer_dir (base, i);
      pc_autoerror pc_error *e = NULL;
      pc_mkdir_p (AT_FDCWD, d, 0755, &e);
      pc_autofree char *f = xasprintf ("%s/f%d", d, i);
      int fd = open (f, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
      if (fd >= 0)
        close (fd);
      char *l = xasprintf ("%s%s%s", d, *lower ? ":" : "", lower); /* top first */
      free (lower);
      lower = l;
    }
  pc_autoerror pc_error *e = NULL;
  pc_autofree char *up = xasprintf ("%s/diff", cdir);
  pc_autofree char *work = xasprintf ("%s/work", cdir);
  pc_autofree char *merged = xasprintf ("%s/merged", cdir);
  pc_mkdir_p (AT_FDCWD, up, 0755, &e);
  pc_mkdir_p (AT_FDCWD, work, 0700, &e);
  pc_mkdir_p (AT_FDCWD, merged, 0755, &e);
  return xasprintf ("lowerdir=%s,upperdir=%s,workdir=%s%s", lower, up, work,
                    getenv ("_PC_USERNS") ? ",userxattr" : "");
}

/* Child: private mount namespace, mount, count the layers' files seen
   through the merged dir. Returns the number missing (0 = all there). */
static int
mount_child (const char *data, const char *target, int n, bool legacy)
{
  if (unshare (CLONE_NEWNS) < 0 || mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
    return 100;
  pc_autoerror pc_error *err = NULL;
  int r;
  if (legacy)
    r = pc_storage_mount_overlay_legacy (data, target, &err);
  else
    {
      struct pc_rootfs_mount m = { .driver = (char *) "overlay", .source = (char *) data,
                                   .target = (char *) target };
      r = pc_storage_mount_rootfs (&m, &err);
    }
  if (r < 0)
    {
      printf ("# mount: %s\n", err->msg);
      return 101;
    }
  int missing = 0;
  for (int i = 0; i < n; i++)
    {
      pc_autofree char *f = xasprintf ("%s/f%d", target, i);
      struct stat st;
      if (stat (f, &st) < 0)
        missing++;
    }
  umount2 (target, MNT_DETACH);
  return missing;
}

static __attribute__ ((noinline)) int
in_child (const char *data, const char *target, int n, bool legacy)
{
  fflush (stdout);
  pid_t pid = fork ();
  if (pid == 0)
    {
      int r = mount_child (data, target, n, legacy);
      fflush (stdout);
      _exit (r);
    }
  int status = 0;
  waitpid (pid, &status, 0);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 200;
}

int
main (void)
{
  pc_error *err = NULL;
  if (pc_rootless_enter (&err) < 0)
    {
      printf ("1..0 # SKIP cannot enter a user namespace: %s\n", err->msg);
      pc_error_free (err);
      return 0;
    }
  char tmpl[] = "/tmp/pc-unit-mount.XXXXXX";
  if (mkdtemp (tmpl) == NULL)
    return 1;
  pc_autofree char *cdir = xasprintf ("%s/containers/c1", tmpl);
  pc_autofree char *target = xasprintf ("%s/merged", cdir);
  pc_autofree char *data = make_layers (tmpl, cdir, N_LAYERS);
  ok (strlen (data) > (size_t) sysconf (_SC_PAGESIZE), "%d layers need %zu bytes of options",
      N_LAYERS, strlen (data));

  is_int (in_child (data, target, N_LAYERS, false), 0,
          "pc_storage_mount_rootfs: every layer's file visible");
  is_int (in_child (data, target, N_LAYERS, true), 0,
          "mount(2) through short links: every layer's file visible");
  pc_autofree char *link0 = xasprintf ("%s/l/0", cdir);
  char buf[4096];
  ssize_t n = readlink (link0, buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = '\0';
  pc_autofree char *top = layer_dir (tmpl, N_LAYERS - 1);
  is_str (buf, top, "l/0 points to the top layer");
  is_int (in_child (data, target, N_LAYERS, true), 0, "a second mount reuses the links");

  /* "volatile" (an --rm container's root) leaves the kernel's marker in
     the work dir, which refuses the next mount unless it is cleared. */
  pc_autofree char *vdata = xasprintf ("%s,volatile", data);
  is_int (in_child (vdata, target, N_LAYERS, false), 0, "volatile: every layer's file visible");
  pc_autofree char *marker = xasprintf ("%s/work/work/incompat/volatile", cdir);
  struct stat vst;
  ok (lstat (marker, &vst) == 0, "the volatile mount left the kernel's marker");
  is_int (in_child (vdata, target, N_LAYERS, false), 0, "volatile again: the marker was cleared");
  is_int (in_child (vdata, target, N_LAYERS, true), 0, "volatile through mount(2) and short links");
  is_int (in_child (data, target, N_LAYERS, true), 0, "a plain mount after a volatile one");

  /* Too long even with short links: 450 layers and a deep container dir. */
  pc_autofree char *deep = xasprintf ("%s/%0200d/%0200d/%0200d/%0200d/c2", tmpl, 1, 2, 3, 4);
  pc_autofree char *deep_target = xasprintf ("%s/merged", deep);
  pc_autofree char *long_data = make_layers (tmpl, deep, 450);
  int r = pc_storage_mount_overlay_legacy (long_data, deep_target, &err);
  is_int (r, -1, "options too long even with short links: refused");
  ok (err && strstr (err->msg, "for 450 layers need"), "the error names the layer count");
  if (err && strstr (err->msg, "layers need"))
    printf ("# %s\n", strstr (err->msg, "the options"));
  is_int (err ? err->status : 0, E2BIG, "status E2BIG");
  pc_error_clear (&err);

  /* The kernel's limit: 500 lower layers mount, 601 are refused with the
     limit and the ways around it named (the kernel says only EINVAL). */
  pc_autofree char *cdir3 = xasprintf ("%s/containers/c3", tmpl);
  pc_autofree char *target3 = xasprintf ("%s/merged", cdir3);
  pc_autofree char *data500 = make_layers (tmpl, cdir3, PC_OVERLAY_MAX_LAYERS);
  is_int (in_child (data500, target3, PC_OVERLAY_MAX_LAYERS, false), 0,
          "%d layers: the kernel's maximum mounts", PC_OVERLAY_MAX_LAYERS);
  pc_autofree char *data601 = make_layers (tmpl, cdir3, 601);
  struct pc_rootfs_mount m = { .driver = (char *) "overlay", .source = data601, .target = target3 };
  r = pc_storage_mount_rootfs (&m, &err);
  is_int (r, -1, "601 layers: refused");
  ok (err && strstr (err->msg, "601 layers") && strstr (err->msg, "at most 500")
          && strstr (err->msg, "fuse-overlayfs") && strstr (err->msg, "flatten"),
      "the error names the count, the kernel's limit, fuse-overlayfs and flattening");
  if (err)
    printf ("# %s\n", err->msg);
  is_int (pc_error_class_of (err), PC_ERR_UNSUPPORTED, "class unsupported");
  pc_error_clear (&err);
  r = pc_storage_mount_overlay_legacy (data601, target3, &err);
  ok (r == -1 && err && strstr (err->msg, "at most 500"), "mount(2) path: the same error");
  pc_error_clear (&err);

  pc_rm_rf_at (AT_FDCWD, tmpl, &err);
  pc_error_clear (&err);
  return done_testing ();
}
