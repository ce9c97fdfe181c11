/* Entering pc's user namespace and writing id maps.

   pc_rootless_enter makes the namespace in a small holder child (clone with
   CLONE_NEWUSER | CLONE_VM: no copy of pc's memory), starts newuidmap and
   newgidmap on it at the same time from the initial namespace (each from a
   CLONE_VM child that execs at once), then joins
   it with setns and unshares its own mount namespace. The helpers' stderr
   comes back over a pipe each, so a refusal reaches the user verbatim. */
#include "pkg/rootless/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/xalloc.h"

#define PC_USERNS_ENV "_PC_USERNS"

static int in_userns_cached = -1;
static uid_t host_uid_cached = (uid_t) -1;
static gid_t host_gid_cached = (gid_t) -1;

static bool
read_small (const char *path, char *buf, size_t size)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  ssize_t r = read (fd, buf, size - 1);
  close (fd);
  if (r < 0)
    return false;
  buf[r] = '\0';
  return true;
}

/* The initial namespace's uid_map is the identity over the whole id space. */
static bool
uid_map_is_initial (void)
{
  char buf[256];
  if (!read_small ("/proc/self/uid_map", buf, sizeof buf))
    return true;
  unsigned long a, b, c;
  return sscanf (buf, "%lu %lu %lu", &a, &b, &c) == 3 && a == 0 && b == 0 && c == 4294967295UL
         && strchr (buf, '\n') == buf + strlen (buf) - 1;
}

bool
pc_rootless_in_userns (void)
{
  if (in_userns_cached < 0)
    {
      const char *e = getenv (PC_USERNS_ENV);
      in_userns_cached = e && strcmp (e, "1") == 0 && !uid_map_is_initial ();
    }
  return in_userns_cached;
}

void
pc_rootless_joined (void)
{
  setenv (PC_USERNS_ENV, "1", 1);
  in_userns_cached = 1;
}

bool
pc_rootless_is_rootless (void)
{
  return geteuid () != 0 && !pc_rootless_in_userns ();
}

/* Inside: the parent id behind container id 0 (read from our own map). */
static uint32_t
host_id_of_root (const char *path, uint32_t fallback)
{
  char buf[1024];
  if (!read_small (path, buf, sizeof buf))
    return fallback;
  for (char *line = buf; line && *line; line = strchr (line, '\n') ? strchr (line, '\n') + 1 : NULL)
    {
      unsigned long a, b, c;
      if (sscanf (line, "%lu %lu %lu", &a, &b, &c) == 3 && a == 0)
        return (uint32_t) b;
    }
  return fallback;
}

uid_t
pc_rootless_host_uid (void)
{
  if (host_uid_cached == (uid_t) -1)
    host_uid_cached = pc_rootless_in_userns () ? host_id_of_root ("/proc/self/uid_map", getuid ())
                                               : getuid ();
  return host_uid_cached;
}

gid_t
pc_rootless_host_gid (void)
{
  if (host_gid_cached == (gid_t) -1)
    host_gid_cached = pc_rootless_in_userns () ? host_id_of_root ("/proc/self/gid_map", getgid ())
                                               : getgid ();
  return host_gid_cached;
}

static int
write_proc_file (pid_t pid, const char *name, const char *data, pc_error **err)
{
  char path[64];
  if (pid)
    snprintf (path, sizeof path, "/proc/%d/%s", (int) pid, name);
  else
    snprintf (path, sizeof path, "/proc/self/%s", name);
  pc_autoclose int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return pc_error_errno (err, errno, "open `%s`", path);
  size_t len = strlen (data);
  ssize_t w = write (fd, data, len);
  if (w < 0)
    return pc_error_errno (err, errno, "write `%s` (\"%.*s\")", path,
                           (int) (len && data[len - 1] == '\n' ? len - 1 : len), data);
  if ((size_t) w != len)
    return pc_error_make (err, EIO, "short write to `%s`", path);
  return 0;
}

/* What a helper's child needs, built before the clone: it shares pc's
   memory and only resets its signals, points stderr at the pipe and
   execs. */
struct helper_exec
{
  const char *prog;
  char **argv;
  int err_fd;
  sigset_t mask;   /* pc's, for the helper */
};

/* One spawned newXidmap: its pid, the read end of its stderr, and what
   its child reads until its exec (this lives until finish_helper has
   reaped it). */
struct map_helper
{
  const char *name;
  pid_t pid;
  int err_fd;
  struct helper_exec x;
  char prog[PATH_MAX];
  char nums[PC_IDMAP_MAX * 3 + 1][12];
  char *argv[PC_IDMAP_MAX * 3 + 3];
};

static char helper_stacks[2][16384] __attribute__ ((aligned (64)));

/* The child of a helper's clone, on its own stack in pc's memory. Nothing
   it calls may allocate or touch pc's state; errno is pc's (shared), so it
   is only read on the way out of a failed exec. Its signal handlers are
   its own copies (no CLONE_SIGHAND): set to the default before pc's mask
   comes back, none of pc's handlers can run here. */
__attribute__ ((no_sanitize ("address", "undefined"))) static int
helper_main (void *arg)
{
  const struct helper_exec *h = arg;
  for (int s = 1; s < SIGRTMIN; s++)
    if (s != SIGKILL && s != SIGSTOP && s < 32)
      signal (s, SIG_DFL);
  for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
    signal (s, SIG_DFL);
  if (h->err_fd == STDERR_FILENO)
    fcntl (h->err_fd, F_SETFD, 0);
  else
    dup2 (h->err_fd, STDERR_FILENO);
  sigprocmask (SIG_SETMASK, &h->mask, NULL);
  execv (h->prog, h->argv);
  dprintf (STDERR_FILENO, "exec %s: %s", h->prog, strerror (errno));
  _exit (127);
}

/* newXidmap for target, its stderr into a pipe. Cloned with CLONE_VM (as
   the holder is), not forked: no copy of pc's page tables, no
   copy-on-write faults in pc until the exec, and pc goes on at once, so
   the two helpers' execs (setuid programs', the bulk of the entry) run at
   the same time; posix_spawn's vfork would hold pc until each exec. */
static int
spawn_helper (struct map_helper *h, int slot, const char *name, pid_t target,
              const struct pc_idmap_entry *e, size_t n, pc_error **err)
{
  char *prog = h->prog;
  char (*nums)[12] = h->nums;
  char **argv = h->argv;
  h->name = name;
  h->pid = -1;
  h->err_fd = -1;
  if (!pc_rootless_find_helper (name, prog))
    return pc_error_make (err, ENOENT, "%s not found: install it (Debian/Ubuntu package \"uidmap\")", name);

  /* Strings are built before the clone: the child only dups and execs. */
  size_t k = 0;
  argv[k++] = (char *) name;
  snprintf (nums[0], sizeof nums[0], "%d", (int) target);
  argv[k++] = nums[0];
  for (size_t i = 0; i < n; i++)
    {
      uint32_t v[3] = { e[i].container_id, e[i].host_id, e[i].size };
      for (int j = 0; j < 3; j++)
        {
          char *s = nums[1 + i * 3 + (size_t) j];
          snprintf (s, 12, "%" PRIu32, v[j]);
          argv[k++] = s;
        }
    }
  argv[k] = NULL;

  int ep[2];
  if (pipe2 (ep, O_CLOEXEC) < 0)
    return pc_error_errno (err, errno, "pipe");
  /* The child reads h until its exec; h lives until it is reaped. */
  h->x = (struct helper_exec) { .prog = prog, .argv = argv, .err_fd = ep[1] };
  sigset_t all;
  sigfillset (&all);
  sigprocmask (SIG_SETMASK, &all, &h->x.mask);
  pid_t pid = clone (helper_main, helper_stacks[slot] + sizeof helper_stacks[slot], CLONE_VM | SIGCHLD, &h->x);
  int clone_errno = errno;
  sigprocmask (SIG_SETMASK, &h->x.mask, NULL);
  if (pid < 0)
    {
      close (ep[0]);
      close (ep[1]);
      return pc_error_errno (err, clone_errno, "start %s", name);
    }
  close (ep[1]);
  h->pid = pid;
  h->err_fd = ep[0];
  return 0;
}

/* Waits for a helper; on failure sets err with its stderr. */
static int
finish_helper (struct map_helper *h, pc_error **err)
{
  if (h->pid <= 0)
    return 0;
  int status = 0;
  bool reaped_elsewhere = false;
  while (waitpid (h->pid, &status, 0) < 0)
    if (errno != EINTR)
      {
        /* ECHILD: SIGCHLD is ignored and the kernel reaped it. Its stderr
           still tells failure; become_root checks the maps took effect. */
        reaped_elsewhere = errno == ECHILD;
        status = -1;
        break;
      }
  h->pid = -1;
  char buf[4096];
  size_t len = 0;
  for (;;)
    {
      ssize_t r = read (h->err_fd, buf + len, sizeof buf - 1 - len);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0 || (len += (size_t) r) >= sizeof buf - 1)
        break;
    }
  close (h->err_fd);
  h->err_fd = -1;
  buf[len] = '\0';
  while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
    buf[--len] = '\0';
  if (status == 0 || (reaped_elsewhere && len == 0))
    return 0;
  if (WIFEXITED (status))
    return pc_error_make (err, EPERM, "%s failed (exit status %d)%s%s", h->name,
                          WEXITSTATUS (status), len ? ": " : "", buf);
  return pc_error_make (err, EPERM, "%s failed (%s)%s%s", h->name,
                        WIFSIGNALED (status) ? strsignal (WTERMSIG (status)) : "wait failed",
                        len ? ": " : "", buf);
}

/* Both helpers, running at once; pids left -1 when not started. */
static int
spawn_both (pid_t target, const struct pc_idmap *map, struct map_helper hs[2], pc_error **err)
{
  if (spawn_helper (&hs[0], 0, "newuidmap", target, map->uid, map->n_uid, err) < 0)
    return -1;
  return spawn_helper (&hs[1], 1, "newgidmap", target, map->gid, map->n_gid, err);
}

static int
finish_both (struct map_helper hs[2], pc_error **err)
{
  pc_autoerror pc_error *e1 = NULL;
  pc_autoerror pc_error *e2 = NULL;
  int r1 = finish_helper (&hs[0], &e1);
  int r2 = finish_helper (&hs[1], &e2);
  if (r1 < 0 && r2 < 0)
    return pc_error_make (err, e1->status, "%s; %s", e1->msg, e2->msg);
  if (r1 < 0)
    *err = steal_pointer (&e1);
  else if (r2 < 0)
    *err = steal_pointer (&e2);
  return r1 < 0 || r2 < 0 ? -1 : 0;
}

static const char *
unshare_hint (int errnum)
{
  char buf[64];
  if (read_small ("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", buf, sizeof buf)
      && buf[0] == '1')
    return " (AppArmor restricts unprivileged user namespaces: an administrator can run "
           "\"sysctl kernel.apparmor_restrict_unprivileged_userns=0\"; see \"pc system check\")";
  if (read_small ("/proc/sys/user/max_user_namespaces", buf, sizeof buf) && atol (buf) == 0)
    return " (user.max_user_namespaces is 0: an administrator can run "
           "\"sysctl user.max_user_namespaces=15000\"; see \"pc system check\")";
  if (errnum == EINVAL)
    return " (the process already runs several threads: enter the namespace before starting any)";
  if (errnum == ENOSPC)
    return " (user.max_user_namespaces reached; see \"pc system check\")";
  return " (see \"pc system check\")";
}

static int
become_root (pc_error **err)
{
  /* Our host uid maps to 0 now, or the maps were never written (a helper
     whose exit status we could not collect, e.g. with SIGCHLD ignored). */
  if (getuid () != 0)
    return pc_error_make (err, EPERM, "the user namespace has no mapping for uid %u after "
                          "newuidmap/newgidmap (see \"pc system check\")",
                          (unsigned) host_uid_cached);
  if (setresgid (0, 0, 0) < 0)
    return pc_error_errno (err, errno, "setresgid(0) in the user namespace");
  if (setresuid (0, 0, 0) < 0)
    return pc_error_errno (err, errno, "setresuid(0) in the user namespace");
  /* Mount changes made from here on must never reach the host. */
  if (mount ("none", "/", "none", MS_REC | MS_SLAVE, NULL) < 0)
    return pc_error_errno (err, errno, "make / a recursive slave mount");
  return 0;
}

/* The holder: a child made in a fresh user namespace that shares pc's
   memory (CLONE_VM, nothing copied) and only waits for pc to close the
   pipe; pc joins its namespace once the helpers have mapped it. It runs on
   its own static stack and touches nothing of pc's but its two fds. */
static char holder_stack[16384] __attribute__ ((aligned (64)));

__attribute__ ((no_sanitize ("address", "undefined"))) static int
holder_main (void *arg)
{
  /* The fds come by value: pc's copies change (to -1) as it closes them. */
  intptr_t fds = (intptr_t) arg;
  char c;
  close ((int) (fds & 0xffff));
  /* Once: with every signal blocked nothing interrupts it, and errno is
     pc's (shared memory), so it is never looked at here. */
  if (read ((int) (fds >> 16), &c, 1) < 0)
    return 1;
  return 0;
}

static void
holder_end (pid_t holder, int *hold_w)
{
  if (*hold_w >= 0)
    close (*hold_w);
  *hold_w = -1;
  if (holder > 0)
    while (waitpid (holder, NULL, __WALL) < 0 && errno == EINTR)
      ;
}

/* The multi-range entry: newuidmap and newgidmap, spawned from the initial
   namespace (a setuid program is not setuid inside ours), map the holder's
   namespace; pc joins it and unshares its own mount namespace, as
   eng_join_userns_of joins a container's. */
static int
enter_mapped (const struct pc_idmap *map, uid_t uid, pc_error **err)
{
  int hold[2];
  if (pipe2 (hold, O_CLOEXEC) < 0)
    return pc_error_errno (err, errno, "pipe");
  if (hold[0] > 0xffff || hold[1] > 0xffff)
    {
      close (hold[0]);
      close (hold[1]);
      return pc_error_make (err, EMFILE, "too many open files to create a user namespace");
    }
  /* The holder starts with every signal blocked: a handler of pc's must
     never run on its stack in pc's memory. It ends when pc closes the
     pipe, or dies. */
  sigset_t all, old;
  sigfillset (&all);
  sigprocmask (SIG_SETMASK, &all, &old);
  pid_t holder = clone (holder_main, holder_stack + sizeof holder_stack,
                        CLONE_NEWUSER | CLONE_VM | SIGCHLD,
                        (void *) (((intptr_t) hold[0] << 16) | hold[1]));
  int clone_errno = errno;
  sigprocmask (SIG_SETMASK, &old, NULL);
  errno = clone_errno;
  close (hold[0]);
  if (holder < 0)
    {
      int e = errno;
      close (hold[1]);
      return pc_error_errno (err, e, "create a user namespace%s", unshare_hint (e));
    }
  char nspath[64];
  snprintf (nspath, sizeof nspath, "/proc/%d/ns/user", (int) holder);
  pc_autoclose int nsfd = open (nspath, O_RDONLY | O_CLOEXEC);
  if (nsfd < 0)
    {
      int e = errno;
      holder_end (holder, &hold[1]);
      return pc_error_errno (err, e, "open `%s`", nspath);
    }
  struct map_helper hs[2] = { { .pid = -1, .err_fd = -1 }, { .pid = -1, .err_fd = -1 } };
  int r = spawn_both (holder, map, hs, err);
  pc_error *herr = NULL;
  int hr = finish_both (hs, &herr);
  if (r < 0 || hr < 0)
    {
      holder_end (holder, &hold[1]);
      if (r < 0)
        {
          pc_error_free (herr);
          return -1;
        }
      *err = herr;
      const char *o = getenv ("PC_SUBUID_FILE") ? "PC_SUBUID_FILE"
                      : getenv ("PC_SUBGID_FILE") ? "PC_SUBGID_FILE" : NULL;
      if (o)
        return pc_error_wrap (err, "set up the id mappings of pc's user namespace for uid %u "
                              "(%s is set, but newuidmap/newgidmap check the real /etc/subuid "
                              "and /etc/subgid)", (unsigned) uid, o);
      return pc_error_wrap (err, "set up the id mappings of pc's user namespace for uid %u "
                            "(check /etc/subuid and /etc/subgid, or see \"pc system check\")",
                            (unsigned) uid);
    }
  int sr = setns (nsfd, CLONE_NEWUSER);
  int se = errno;
  holder_end (holder, &hold[1]);
  if (sr < 0)
    return pc_error_errno (err, se, "join pc's new user namespace");
  if (unshare (CLONE_NEWNS) < 0)
    return pc_error_errno (err, errno, "create a mount namespace");
  return 0;
}

int
pc_rootless_enter (pc_error **err)
{
  if (geteuid () == 0 || pc_rootless_in_userns ())
    return 0;

  if (pc_require_single_threaded ("entering pc's user namespace", err) < 0)
    return -1;
  uid_t uid = getuid ();
  gid_t gid = getgid ();
  struct pc_idmap map;
  bool single;
  pc_autofree char *why = NULL;
  if (pc_rootless_compute_default (&map, &single, &why, err) < 0)
    return pc_error_wrap (err, "read subordinate ids");

  if (single)
    {
      pc_rootless_warn_single (why);
      if (unshare (CLONE_NEWUSER | CLONE_NEWNS) < 0)
        return pc_error_errno (err, errno, "create a user namespace%s", unshare_hint (errno));
      char line[64];
      if (write_proc_file (0, "setgroups", "deny", err) < 0)
        return -1;
      snprintf (line, sizeof line, "0 %u 1\n", (unsigned) uid);
      if (write_proc_file (0, "uid_map", line, err) < 0)
        return -1;
      snprintf (line, sizeof line, "0 %u 1\n", (unsigned) gid);
      if (write_proc_file (0, "gid_map", line, err) < 0)
        return -1;
    }
  else if (enter_mapped (&map, uid, err) < 0)
    return -1;

  host_uid_cached = uid;
  host_gid_cached = gid;
  if (become_root (err) < 0)
    return -1;
  setenv (PC_USERNS_ENV, "1", 1);
  in_userns_cached = 1;
  return 0;
}

int
pc_rootless_write_idmap (pid_t pid, const struct pc_idmap *map, pc_error **err)
{
  if (geteuid () == 0)
    {
      pc_autofree char *u = pc_idmap_format (map->uid, map->n_uid);
      pc_autofree char *g = pc_idmap_format (map->gid, map->n_gid);
      if (write_proc_file (pid, "uid_map", u, err) < 0)
        return -1;
      return write_proc_file (pid, "gid_map", g, err);
    }
  /* Unprivileged, outside pc's namespace: only the setuid helpers may map
     more than our own id. */
  struct map_helper hs[2] = { { .pid = -1, .err_fd = -1 }, { .pid = -1, .err_fd = -1 } };
  int r = spawn_both (pid, map, hs, err);
  pc_error *herr = NULL;
  int hr = finish_both (hs, &herr);
  if (r < 0)
    {
      pc_error_free (herr);
      return -1;
    }
  if (hr < 0)
    {
      *err = herr;
      return pc_error_wrap (err, "write the id mappings of process %d", (int) pid);
    }
  return 0;
}
