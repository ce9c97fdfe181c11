/* `pc system check`: every rootless prerequisite with pass/warn/fail and,
   for each problem, the exact command that fixes it. */
#include "pkg/rootless/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/rootless/probe.h"

static const char *const status_names[] = { "pass", "warn", "fail" };

static void
add (json_object *arr, const char *name, enum pc_check_status st, const char *value,
     const char *fix, const char *fmt, ...) __attribute__ ((format (printf, 6, 7)));

static void
add (json_object *arr, const char *name, enum pc_check_status st, const char *value,
     const char *fix, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *msg = NULL;
  if (vasprintf (&msg, fmt, ap) < 0)
    abort ();
  va_end (ap);
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "Name", json_object_new_string (name));
  json_object_object_add (o, "Status", json_object_new_string (status_names[st]));
  json_object_object_add (o, "Value", json_object_new_string (value ? value : ""));
  json_object_object_add (o, "Message", json_object_new_string (msg));
  json_object_object_add (o, "Fix", json_object_new_string (fix ? fix : ""));
  json_object_array_add (arr, o);
  free (msg);
}

enum pc_check_status
pc_rootless_check_worst (json_object *checks)
{
  enum pc_check_status worst = PC_CHECK_PASS;
  size_t n = json_object_array_length (checks);
  for (size_t i = 0; i < n; i++)
    {
      const char *s = json_object_get_string (
          json_object_object_get (json_object_array_get_idx (checks, i), "Status"));
      if (s && strcmp (s, "fail") == 0)
        worst = PC_CHECK_FAIL;
      else if (s && strcmp (s, "warn") == 0 && worst == PC_CHECK_PASS)
        worst = PC_CHECK_WARN;
    }
  return worst;
}

static void
check_subids (json_object *arr, bool gid, const char *user, uid_t uid)
{
  const char *path = pc_subid_path (gid);
  const char *name = gid ? "subgid" : "subuid";
  const char *uname = user ? user : "USER";
  struct pc_subid_ranges r;
  bool missing;
  pc_error *err = NULL;
  if (pc_subid_read (path, user, uid, &r, &missing, &err) < 0)
    {
      add (arr, name, PC_CHECK_FAIL, NULL, "ask an administrator to make it readable: \"chmod 644 FILE\"",
           "%s", err->msg);
      pc_error_free (err);
      return;
    }
  if (r.n == 0)
    {
      uint32_t s = pc_subid_suggest_start (gid ? "/etc/subgid" : "/etc/subuid");
      pc_autofree char *fix = xasprintf ("usermod --add-%ss %u-%u %s", name, s, s + 65535, uname);
      add (arr, name, PC_CHECK_FAIL, NULL, fix,
           "%s%s has no range for user \"%s\" (uid %u): pc falls back to a single-id user "
           "namespace where images using other %ss fail", path, missing ? " is missing and" : "",
           uname, (unsigned) uid, gid ? "group" : "user");
      return;
    }
  char value[512] = "";
  uint64_t total = 0;
  size_t len = 0;
  for (size_t i = 0; i < r.n; i++)
    {
      len += (size_t) snprintf (value + len, sizeof value - len, "%s%u-%u", i ? ", " : "",
                                (unsigned) r.r[i].start,
                                (unsigned) (r.r[i].start + r.r[i].count - 1));
      total += r.r[i].count;
      if (len >= sizeof value)
        break;
    }
  if (total < 65536)
    {
      uint32_t s = pc_subid_suggest_start (gid ? "/etc/subgid" : "/etc/subuid");
      pc_autofree char *fix = xasprintf ("usermod --add-%ss %u-%u %s", name, s, s + 65535, uname);
      add (arr, name, PC_CHECK_WARN, value, fix,
           "%" PRIu64 " ids in %s for \"%s\": images with %ss up to 65534 (nobody) need 65536",
           total, path, uname, gid ? "group" : "user");
      return;
    }
  add (arr, name, PC_CHECK_PASS, value, NULL, "%" PRIu64 " ids in %s for \"%s\"", total, path, uname);
}

static void
check_helper (json_object *arr, const char *name, const char *cap)
{
  char path[PATH_MAX];
  if (!pc_rootless_find_helper (name, path))
    {
      add (arr, name, PC_CHECK_FAIL, NULL,
           "apt-get install uidmap (Fedora: dnf install shadow-utils)",
           "%s not found (or not executable) in $PATH, /usr/bin or /usr/sbin", name);
      return;
    }
  struct stat st;
  if (stat (path, &st) < 0)
    {
      add (arr, name, PC_CHECK_FAIL, path, "apt-get install --reinstall uidmap", "stat %s: %s", path,
           strerror (errno));
      return;
    }
  /* Inside pc's namespace host root shows as the overflow uid. */
  if ((st.st_mode & S_ISUID) && (st.st_uid == 0 || pc_rootless_in_userns ()))
    {
      add (arr, name, PC_CHECK_PASS, path, NULL, "%s is setuid root", path);
      return;
    }
  if (getxattr (path, "security.capability", NULL, 0) > 0)
    {
      add (arr, name, PC_CHECK_PASS, path, NULL, "%s has file capabilities", path);
      return;
    }
  pc_autofree char *fix = xasprintf ("setcap %s+ep %s   (or: chmod u+s %s)", cap, path, path);
  add (arr, name, PC_CHECK_FAIL, path, fix,
       "%s is neither setuid root nor has the %s file capability: it cannot map subordinate ids",
       path, cap);
}

static void
check_sysctls (json_object *arr)
{
  char buf[64];
  if (pc_probe_read ("/proc/sys/user/max_user_namespaces", buf, sizeof buf))
    {
      long v = atol (buf);
      if (v <= 0)
        add (arr, "max_user_namespaces", PC_CHECK_FAIL, buf,
             "sysctl -w user.max_user_namespaces=15000 (persist in /etc/sysctl.d/userns.conf)",
             "user.max_user_namespaces is 0: nobody can create a user namespace");
      else
        add (arr, "max_user_namespaces", PC_CHECK_PASS, buf, NULL, "user.max_user_namespaces = %ld", v);
    }
  if (pc_probe_read ("/proc/sys/kernel/unprivileged_userns_clone", buf, sizeof buf))
    {
      if (atol (buf) == 0)
        add (arr, "unprivileged_userns_clone", PC_CHECK_FAIL, buf,
             "sysctl -w kernel.unprivileged_userns_clone=1 (persist in /etc/sysctl.d/userns.conf)",
             "kernel.unprivileged_userns_clone is 0: unprivileged user namespaces are disabled");
      else
        add (arr, "unprivileged_userns_clone", PC_CHECK_PASS, buf, NULL,
             "kernel.unprivileged_userns_clone = 1");
    }
  if (pc_probe_read ("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", buf, sizeof buf))
    {
      if (atol (buf) != 0)
        add (arr, "apparmor_userns", PC_CHECK_FAIL, buf,
             "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile "
             "allowing \"userns,\" for pc",
             "AppArmor restricts unprivileged user namespaces");
      else
        add (arr, "apparmor_userns", PC_CHECK_PASS, buf, NULL,
             "kernel.apparmor_restrict_unprivileged_userns = 0");
    }
}

/* Enters the real mapping in a child: the check that newuidmap agrees. */
static void
check_userns (json_object *arr)
{
  struct pc_idmap map;
  bool single;
  pc_autofree char *why = NULL;
  pc_error *err = NULL;
  if (pc_rootless_compute_default (&map, &single, &why, &err) < 0)
    {
      add (arr, "userns", PC_CHECK_FAIL, NULL, NULL, "%s", err->msg);
      pc_error_free (err);
      return;
    }
  pc_autofree char *umap = pc_idmap_format (map.uid, map.n_uid);
  for (char *c = umap; *c; c++)
    if (*c == '\n')
      *c = c[1] ? ',' : '\0';
  if (single)
    {
      add (arr, "userns", PC_CHECK_WARN, umap, "fix the subuid/subgid or newuidmap items above",
           "only the single-id mapping is possible");
      return;
    }
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return;
  pid_t pid = fork ();
  if (pid == 0)
    {
      close (p[0]);
      if (pc_rootless_enter (&err) < 0)
        {
          dprintf (p[1], "%s", err->msg);
          _exit (1);
        }
      _exit (getuid () == 0 ? 0 : 1);
    }
  close (p[1]);
  char buf[4096];
  size_t len = 0;
  ssize_t r;
  while (pid > 0 && ((r = read (p[0], buf + len, sizeof buf - 1 - len)) > 0 || (r < 0 && errno == EINTR)))
    if (r > 0)
      len += (size_t) r;
  close (p[0]);
  buf[len] = '\0';
  int status = -1;
  while (pid > 0 && waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (pid > 0 && status == 0)
    add (arr, "userns", PC_CHECK_PASS, umap, NULL,
         "entered a user namespace with the full mapping through newuidmap/newgidmap");
  else
    add (arr, "userns", PC_CHECK_FAIL, umap, "see the message; \"pc system check\" items above",
         "entering the user namespace failed: %s", len ? buf : "fork failed");
}

static void
check_overlay (json_object *arr, const char *store_dir, bool rootless)
{
  pc_autofree char *msg = NULL;
  const char *fs = pc_fs_type_name (store_dir);
  if (pc_probe_overlay (store_dir, rootless, &msg) == 0)
    add (arr, "overlay", PC_CHECK_PASS, fs, NULL, "native overlay on %s (%s): %s", store_dir, fs, msg);
  else
    add (arr, "overlay", PC_CHECK_WARN, fs,
         rootless ? "use a kernel >= 5.11 and a store on a local filesystem (ext4, xfs, btrfs), "
                    "or install fuse-overlayfs"
                  : "put the store on a local filesystem (ext4, xfs, btrfs)",
         "native overlay does not work on %s (%s): %s; pc uses fuse-overlayfs or vfs (slower, "
         "more disk)", store_dir, fs, msg);
}

static void
check_fuse (json_object *arr)
{
  char path[PATH_MAX];
  bool have = pc_rootless_find_helper ("fuse-overlayfs", path);
  int fd = open ("/dev/fuse", O_RDWR | O_CLOEXEC);
  int e = errno;
  if (fd >= 0)
    close (fd);
  if (have && fd >= 0)
    add (arr, "fuse-overlayfs", PC_CHECK_PASS, path, NULL, "%s present, /dev/fuse usable", path);
  else if (!have)
    add (arr, "fuse-overlayfs", PC_CHECK_WARN, NULL, "apt-get install fuse-overlayfs",
         "fuse-overlayfs not found: the fallback when native overlay fails is vfs (full copies)");
  else
    add (arr, "fuse-overlayfs", PC_CHECK_WARN, path,
         "modprobe fuse; chmod 666 /dev/fuse",
         "/dev/fuse: %s: fuse-overlayfs cannot run", strerror (e));
}

static void
check_tun (json_object *arr)
{
  int fd = open ("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd >= 0)
    {
      close (fd);
      add (arr, "tun", PC_CHECK_PASS, "/dev/net/tun", NULL, "/dev/net/tun usable (user-mode networking)");
      return;
    }
  add (arr, "tun", PC_CHECK_FAIL, "/dev/net/tun",
       "modprobe tun; chmod 666 /dev/net/tun",
       "/dev/net/tun: %s: containers cannot get user-mode networking (only --network none/host)",
       strerror (errno));
}

static void
check_cgroups (json_object *arr, bool rootless, uid_t uid)
{
  int v = pc_cgroup_version ();
  if (v == 0)
    {
      add (arr, "cgroups", PC_CHECK_WARN, "unknown", "mount cgroup2 on /sys/fs/cgroup",
           "no cgroup filesystem at /sys/fs/cgroup: no resource limits or stats");
      return;
    }
  if (v == 1)
    {
      if (rootless)
        add (arr, "cgroups", PC_CHECK_WARN, "v1",
             "boot with systemd.unified_cgroup_hierarchy=1 (GRUB_CMDLINE_LINUX in "
             "/etc/default/grub, update-grub, reboot)",
             "cgroup v1: rootless containers run without resource limits "
             "(--memory, --cpus, --pids-limit need cgroup v2 with delegation)");
      else
        add (arr, "cgroups", PC_CHECK_PASS, "v1", NULL, "cgroup v1 (rootful: limits available)");
      return;
    }
  if (!rootless)
    {
      add (arr, "cgroups", PC_CHECK_PASS, "v2", NULL, "cgroup v2");
      return;
    }
  bool found;
  pc_autofree char *ctl = pc_cgroup_delegated_controllers (uid, &found);
  const char *fix = "mkdir -p /etc/systemd/system/user@.service.d && printf '[Service]\\nDelegate=cpu cpuset io memory pids\\n' "
                    "> /etc/systemd/system/user@.service.d/delegate.conf && systemctl daemon-reload "
                    "(then log in again)";
  if (!found)
    {
      add (arr, "cgroups", PC_CHECK_WARN, "v2", "log in through systemd-logind (ssh, login) or "
           "\"loginctl enable-linger USER\"",
           "cgroup v2, but no systemd user manager (user@%u.service): no rootless resource limits",
           (unsigned) uid);
      return;
    }
  bool all = strstr (ctl, "memory") && strstr (ctl, "pids") && strstr (ctl, "cpu");
  pc_autofree char *value = xasprintf ("v2: %s", *ctl ? ctl : "(none)");
  if (all)
    add (arr, "cgroups", PC_CHECK_PASS, value, NULL, "cgroup v2, delegated controllers: %s", ctl);
  else
    add (arr, "cgroups", PC_CHECK_WARN, value, fix,
         "cgroup v2, but only these controllers are delegated: %s (limits need cpu, memory, pids)",
         *ctl ? ctl : "none");
}

static void
check_runtime_dir (json_object *arr, uid_t uid)
{
  const char *d = getenv ("XDG_RUNTIME_DIR");
  if (d == NULL || *d == '\0')
    {
      pc_autofree char *msg = xasprintf ("XDG_RUNTIME_DIR is not set: pc keeps runtime state in /tmp/pc-%u",
                                         (unsigned) uid);
      add (arr, "xdg_runtime_dir", PC_CHECK_WARN, NULL,
           "log in through systemd-logind (ssh, login; not su/sudo), or "
           "\"loginctl enable-linger USER\" and export XDG_RUNTIME_DIR=/run/user/$(id -u)",
           "%s", msg);
      return;
    }
  struct stat st;
  uid_t me = getuid ();
  if (stat (d, &st) < 0 || !S_ISDIR (st.st_mode))
    add (arr, "xdg_runtime_dir", PC_CHECK_FAIL, d, "unset XDG_RUNTIME_DIR or log in again",
         "XDG_RUNTIME_DIR=%s is not a directory", d);
  else if (st.st_uid != me || access (d, W_OK | X_OK) < 0)
    add (arr, "xdg_runtime_dir", PC_CHECK_FAIL, d,
         "unset XDG_RUNTIME_DIR, or log in directly as this user (su/sudo keep another user's value)",
         "XDG_RUNTIME_DIR=%s is not owned and writable by uid %u", d, (unsigned) uid);
  else
    add (arr, "xdg_runtime_dir", PC_CHECK_PASS, d, NULL, "XDG_RUNTIME_DIR=%s is usable", d);
}

static void
check_store_fs (json_object *arr, const char *store_dir)
{
  const char *fs = pc_fs_type_name (store_dir);
  if (strcmp (fs, "nfs") == 0 || strcmp (fs, "cifs") == 0 || strcmp (fs, "smb2") == 0)
    add (arr, "storage_fs", PC_CHECK_WARN, fs,
         "pc --root /var/tmp/$USER/pc ... (a local disk), or set XDG_DATA_HOME",
         "the store %s is on %s: overlay upper dirs and subuid-owned files do not work there", store_dir, fs);
  else
    add (arr, "storage_fs", PC_CHECK_PASS, fs, NULL, "the store %s is on %s", store_dir, fs);
}

static char *
default_store_dir (bool rootless)
{
  if (!rootless)
    return xstrdup ("/var/lib/pc");
  const char *data = getenv ("XDG_DATA_HOME");
  if (data && *data)
    return xasprintf ("%s/pc", data);
  const char *home = getenv ("HOME");
  return xasprintf ("%s/.local/share/pc", home && *home ? home : "/tmp");
}

/* The kernel baseline (docs/rootless.md, "Kernel"): Linux 5.12. Each
   feature is probed, not read off the version: a distribution kernel may
   carry it earlier, and a seccomp filter around pc may hide it. */
#define PC_KERNEL_BASELINE "5.12"
#define KERNEL_FIX "upgrade to Linux " PC_KERNEL_BASELINE " or later (Debian 12 ships 6.1); if the kernel is recent, a seccomp filter around pc (a container or sandbox it runs in) blocks the call: allow it there"

static void
check_kernel (json_object *arr)
{
  struct utsname u;
  const char *release = uname (&u) == 0 ? u.release : "unknown";
  struct pc_kernel_features f;
  pc_probe_kernel (&f);
  bool all = f.clone3 && f.openat2 && f.mount_api && f.mount_setattr && f.pidfd_open
             && f.pidfd_setns && f.close_range;
  add (arr, "kernel", all ? PC_CHECK_PASS : PC_CHECK_WARN, release, all ? NULL : KERNEL_FIX,
       "pc needs Linux " PC_KERNEL_BASELINE " or later%s", all ? ": every feature it uses is here"
                                                               : ": some features are missing (below)");
  const struct
  {
    const char *name;
    bool have;
    bool required;
    const char *why;
  } items[] = {
    { "clone3", f.clone3, true, "clone3 (5.3): creating the container's process in its namespaces" },
    { "mount_api", f.mount_api, true, "fsopen/fsconfig/fsmount, open_tree, move_mount (5.2): every container mount is made on an fd" },
    { "mount_setattr", f.mount_setattr, true, "mount_setattr (5.12): read-only and nosuid/nodev/noexec bind mounts" },
    { "pidfd_open", f.pidfd_open, true, "pidfd_open (5.3): following a container's monitor without pid reuse races" },
    { "pidfd_setns", f.pidfd_setns, true, "setns on a pidfd (5.8): joining a running container's namespaces (exec)" },
    { "openat2", f.openat2, false, "openat2 RESOLVE_IN_ROOT (5.6): resolving paths inside a container root" },
    { "close_range", f.close_range, false, "close_range CLOSE_RANGE_CLOEXEC (5.11): no pc fd leaks into a container" },
  };
  for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
    {
      if (items[i].have)
        add (arr, items[i].name, PC_CHECK_PASS, "available", NULL, "%s", items[i].why);
      else if (items[i].required)
        add (arr, items[i].name, PC_CHECK_FAIL, "missing", KERNEL_FIX, "%s: missing, containers cannot run", items[i].why);
      else
        add (arr, items[i].name, PC_CHECK_WARN, "missing", KERNEL_FIX,
             "%s: missing, pc uses a slower fallback", items[i].why);
    }
}

json_object *
pc_rootless_check (const char *store_dir, pc_error **err)
{
  bool inside = pc_rootless_in_userns ();
  bool rootless = geteuid () != 0 || inside;
  uid_t uid = pc_rootless_host_uid ();
  const char *user = pc_rootless_user_name ();
  pc_autofree char *store = store_dir ? xstrdup (store_dir) : default_store_dir (rootless);
  json_object *arr = json_object_new_array ();

  if (!rootless)
    add (arr, "mode", PC_CHECK_PASS, "rootful", NULL,
         "running as root: rootful mode, no user namespace (subordinate ids are not needed)");
  else
    {
      pc_autofree char *v = xasprintf ("rootless (uid %u%s%s%s)", (unsigned) uid,
                                       user ? ", user \"" : "", user ? user : "", user ? "\"" : "");
      add (arr, "mode", PC_CHECK_PASS, v, NULL, "%s", inside ? "running inside pc's user namespace"
                                                              : "running as an unprivileged user");
      check_subids (arr, false, user, uid);
      check_subids (arr, true, user, uid);
      check_helper (arr, "newuidmap", "cap_setuid");
      check_helper (arr, "newgidmap", "cap_setgid");
      check_sysctls (arr);
      if (!inside)
        check_userns (arr);
    }
  check_kernel (arr);
  check_store_fs (arr, store);
  check_overlay (arr, store, rootless);
  check_fuse (arr);
  check_tun (arr);
  check_cgroups (arr, rootless, uid);
  if (rootless)
    check_runtime_dir (arr, uid);
  (void) err;
  return arr;
}
