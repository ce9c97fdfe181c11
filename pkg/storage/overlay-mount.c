/* Mounting a native overlay from its data string
   ("lowerdir=TOP:...:BOTTOM,upperdir=U,workdir=W,userxattr").

   New kernels: fsopen/fsconfig with one "lowerdir+" per layer, no length
   limit. Kernels without fsopen or "lowerdir+" (and valgrind, which does not
   know fsopen): mount(2), whose data is cut at one page. When the string is
   longer, each lower dir gets a short symlink `l/<n>` next to the upper dir
   (the trick containers/storage plays) and the mount runs from that
   directory with relative lower paths. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/storage/store-private.h"

/* The kernel's overlay stacks at most OVL_MAX_STACK (500) lower layers and
   says only EINVAL past that: name the limit and the ways around it. */
int
pc_storage_overlay_check_layers (const char *data, const char *target, pc_error **err)
{
  const char *l = strstr (data, "lowerdir=");
  if (l == NULL || (l != data && l[-1] != ','))
    return 0;
  size_t n = 1;
  for (const char *p = l + 9; *p && *p != ','; p++)
    n += *p == ':';
  if (n <= PC_OVERLAY_MAX_LAYERS)
    return 0;
  return pc_error_makec (err, PC_ERR_UNSUPPORTED, EINVAL,
                         "mount overlay on `%s`: the image has %zu layers, the kernel's overlay stacks at most %d: "
                         "use fuse-overlayfs (pc --storage-driver fuse-overlayfs, or driver = \"fuse-overlayfs\" in storage.conf) "
                         "or flatten the image (pc export of a container of it | pc import)",
                         target, n, PC_OVERLAY_MAX_LAYERS);
}

/* True when the comma-separated options hold `name` as a whole option. */
static bool
has_option (const char *data, const char *name)
{
  size_t n = strlen (name);
  for (const char *p = data; (p = strstr (p, name)) != NULL; p += n)
    if ((p == data || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
      return true;
  return false;
}

/* data without its "volatile" option; NULL when it has none. */
static char *
without_volatile (const char *data)
{
  if (!has_option (data, "volatile"))
    return NULL;
  char *copy = xstrdup (data);
  char *v = copy;
  while ((v = strstr (v, "volatile")) != NULL)
    {
      if ((v == copy || v[-1] == ',') && (v[8] == ',' || v[8] == '\0'))
        {
          /* The option and one comma next to it. */
          if (v[8] == ',')
            memmove (v, v + 9, strlen (v + 9) + 1);
          else if (v != copy)
            v[-1] = '\0';
          else
            *v = '\0';
          continue;
        }
      v += 8;
    }
  return copy;
}

/* A "volatile" mount (an --rm container's root: the engine asks for it,
   as podman does, so the unmount at its end does not sync the whole
   upper filesystem) leaves WORKDIR/work/incompat/volatile, and the kernel
   refuses every later mount of that upper dir while it is there. Only an
   --rm container is mounted volatile, and its content is thrown away:
   a marker left by a monitor that was killed is removed, so the container
   can still be started, copied from or removed. */
static void
clear_volatile_mark (const char *data)
{
  const char *w = strstr (data, "workdir=");
  while (w && w != data && w[-1] != ',')
    w = strstr (w + 1, "workdir=");
  if (w == NULL)
    return;
  w += 8;
  pc_autofree char *dir = xstrndup (w, strcspn (w, ","));
  pc_autoclose int fd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  /* The kernel's marker: the directory and its file "dirty". */
  if (fd >= 0 && unlinkat (fd, "work/incompat/volatile/dirty", 0) == 0
      && unlinkat (fd, "work/incompat/volatile", AT_REMOVEDIR) == 0)
    unlinkat (fd, "work/incompat", AT_REMOVEDIR);
}

/* Returns 0, -1 with err set, or -errno (fsopen or "lowerdir+" missing,
   err untouched) when the caller should use mount(2). */
int
pc_storage_mount_overlay_fsconfig (const char *data, const char *target, pc_error **err)
{
  if (pc_storage_overlay_check_layers (data, target, err) < 0)
    return -1;
  clear_volatile_mark (data);
  int fsfd = fsopen ("overlay", FSOPEN_CLOEXEC);
  if (fsfd < 0)
    return -errno;
  pc_autoclose int fs = fsfd;
  pc_autofree char *copy = xstrdup (data);
  char *save = NULL;
  for (char *opt = strtok_r (copy, ",", &save); opt; opt = strtok_r (NULL, ",", &save))
    {
      char *eq = strchr (opt, '=');
      if (eq == NULL)
        {
          if (fsconfig (fs, FSCONFIG_SET_FLAG, opt, NULL, 0) < 0)
            return pc_error_errno (err, errno, "overlay option %s", opt);
          continue;
        }
      *eq = '\0';
      const char *val = eq + 1;
      if (strcmp (opt, "lowerdir") == 0)
        {
          pc_autofree char *l = xstrdup (val);
          char *s2 = NULL;
          bool first = true;
          for (char *dir = strtok_r (l, ":", &s2); dir; dir = strtok_r (NULL, ":", &s2))
            {
              if (fsconfig (fs, FSCONFIG_SET_STRING, "lowerdir+", dir, 0) < 0)
                {
                  if (errno == EINVAL && first)
                    return -EINVAL; /* kernel without lowerdir+ */
                  return pc_error_errno (err, errno, "overlay lower layer `%s`", dir);
                }
              first = false;
            }
          continue;
        }
      if (fsconfig (fs, FSCONFIG_SET_STRING, opt, val, 0) < 0)
        return pc_error_errno (err, errno, "overlay option %s=%s", opt, val);
    }
  if (fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    {
      int saved = errno;
      char msg[512];
      ssize_t n = read (fs, msg, sizeof msg - 1);
      msg[n > 0 ? n : 0] = '\0';
      msg[strcspn (msg, "\n")] = '\0';
      return pc_error_errno (err, saved, "mount overlay on `%s`%s%s", target, n > 0 ? ": " : "",
                             n > 0 ? msg : "");
    }
  pc_autoclose int mfd = fsmount (fs, FSMOUNT_CLOEXEC, 0);
  if (mfd < 0)
    return pc_error_errno (err, errno, "mount overlay on `%s`", target);
  if (move_mount (mfd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return pc_error_errno (err, errno, "move overlay mount to `%s`", target);
  return 0;
}

/* dir/l/<name> -> target, reusing a correct link left by an earlier mount. */
static int
short_link (int dirfd, const char *name, const char *target, pc_error **err)
{
  char cur[4096];
  ssize_t n = readlinkat (dirfd, name, cur, sizeof cur - 1);
  if (n >= 0)
    {
      cur[n] = '\0';
      if (strcmp (cur, target) == 0)
        return 0;
      if (unlinkat (dirfd, name, 0) < 0)
        return pc_error_errno (err, errno, "replace lower layer link l/%s", name);
    }
  if (symlinkat (target, dirfd, name) < 0)
    return pc_error_errno (err, errno, "create lower layer link l/%s", name);
  return 0;
}

/* data with lowerdir= replaced by "l/0:l/1:..." (links made in base/l). */
static char *
shorten_lowers (const char *data, const char *base, size_t *n_layers, pc_error **err)
{
  pc_autofree char *copy = xstrdup (data);
  pc_autofree char *links = NULL;
  pc_autofree char *rest = xstrdup ("");
  size_t n = 0;
  pc_autoclose int bfd = open (base, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (bfd < 0)
    {
      pc_error_errno (err, errno, "open `%s`", base);
      return NULL;
    }
  if (mkdirat (bfd, "l", 0700) < 0 && errno != EEXIST)
    {
      pc_error_errno (err, errno, "create `%s/l`", base);
      return NULL;
    }
  pc_autoclose int lfd = openat (bfd, "l", O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (lfd < 0)
    {
      pc_error_errno (err, errno, "open `%s/l`", base);
      return NULL;
    }
  char *save = NULL;
  for (char *opt = strtok_r (copy, ",", &save); opt; opt = strtok_r (NULL, ",", &save))
    {
      if (strncmp (opt, "lowerdir=", 9) != 0)
        {
          char *r = xasprintf ("%s,%s", rest, opt);
          free (rest);
          rest = r;
          continue;
        }
      char *s2 = NULL;
      for (char *dir = strtok_r (opt + 9, ":", &s2); dir; dir = strtok_r (NULL, ":", &s2))
        {
          char name[32];
          snprintf (name, sizeof name, "%zx", n++);
          if (short_link (lfd, name, dir, err) < 0)
            return NULL;
          char *l = xasprintf ("%s%sl/%s", links ? links : "", links ? ":" : "", name);
          free (links);
          links = l;
        }
    }
  *n_layers = n;
  return xasprintf ("lowerdir=%s%s", links ? links : "", rest);
}

int
pc_storage_mount_overlay_legacy (const char *data, const char *target, pc_error **err)
{
  if (pc_storage_overlay_check_layers (data, target, err) < 0)
    return -1;
  clear_volatile_mark (data);
  /* Before 5.10 the kernel knows no "volatile": it is only a speed-up,
     and a mount refused with it is tried again without. */
  pc_autofree char *plain = without_volatile (data);
  long page = sysconf (_SC_PAGESIZE);
  if (page <= 0)
    page = 4096;
  if (strlen (data) < (size_t) page)
    {
      int r = mount ("overlay", target, "overlay", 0, data);
      if (r < 0 && errno == EINVAL && plain)
        r = mount ("overlay", target, "overlay", 0, plain);
      if (r < 0)
        return pc_error_errno (err, errno, "mount overlay on `%s`", target);
      return 0;
    }
  /* The links live in the container directory, the parent of the upper dir. */
  const char *up = strstr (data, "upperdir=");
  if (up == NULL)
    return pc_error_make (err, EINVAL, "overlay options longer than a page (%zu bytes) and no upper dir to keep short links in",
                          strlen (data));
  pc_autofree char *base = xstrndup (up + 9, strcspn (up + 9, ","));
  char *slash = strrchr (base, '/');
  if (slash == NULL || slash == base)
    return pc_error_make (err, EINVAL, "overlay upper dir `%s` is not an absolute path below a directory", base);
  *slash = '\0';
  size_t n = 0;
  pc_autofree char *short_data = shorten_lowers (data, base, &n, err);
  if (short_data == NULL)
    return pc_error_wrap (err, "mount overlay on `%s`", target);
  if (strlen (short_data) >= (size_t) page)
    return pc_error_make (err, E2BIG,
                          "mount overlay on `%s`: the options for %zu layers need %zu bytes even with short links, mount(2) takes %ld (this kernel has no fsconfig lowerdir+): flatten the image (pc export | pc import)",
                          target, n, strlen (short_data), page);
  pc_autoclose int cwd = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (cwd < 0)
    return pc_error_errno (err, errno, "open the current directory");
  if (chdir (base) < 0)
    return pc_error_errno (err, errno, "chdir `%s`", base);
  int r = mount ("overlay", target, "overlay", 0, short_data);
  if (r < 0 && errno == EINVAL && plain)
    {
      pc_autofree char *short_plain = without_volatile (short_data);
      r = mount ("overlay", target, "overlay", 0, short_plain);
    }
  int saved = errno;
  if (fchdir (cwd) < 0)
    return pc_error_errno (err, errno, "return to the previous directory");
  if (r < 0)
    return pc_error_errno (err, saved, "mount overlay of %zu layers on `%s` (through short links in `%s/l`)", n,
                           target, base);
  return 0;
}
