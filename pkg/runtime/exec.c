/* pc_runtime_exec: another process in a running container. The parent points
   its pid_for_children at the container's pid namespace and clones; the child
   joins the other namespaces in one setns(pidfd) call, then finishes like a
   created container (user, caps, seccomp, cwd, exec). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "pkg/runtime/internal.h"

static const struct
{
  const char *name;
  int flag;
} ns_files[] = {
  { "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },   { "pid", CLONE_NEWPID },
  { "net", CLONE_NEWNET },   { "ipc", CLONE_NEWIPC },  { "uts", CLONE_NEWUTS },
  { "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};

/* The namespaces of `pid` that differ from ours (setns to our own user
   namespace would fail). */
static int
differing_namespaces (pid_t pid, int *flags, pc_error **err)
{
  *flags = 0;
  for (size_t i = 0; i < sizeof ns_files / sizeof ns_files[0]; i++)
    {
      char theirs[64], ours[64];
      snprintf (theirs, sizeof theirs, "/proc/%d/ns/%s", (int) pid, ns_files[i].name);
      snprintf (ours, sizeof ours, "/proc/self/ns/%s", ns_files[i].name);
      struct stat a, b;
      if (stat (theirs, &a) < 0)
        {
          if (errno == ENOENT && strcmp (ns_files[i].name, "time") == 0)
            continue;
          return pc_error_errno (err, errno, "inspect the namespaces of the container process %d", (int) pid);
        }
      if (stat (ours, &b) < 0)
        continue;
      if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
        *flags |= ns_files[i].flag;
    }
  return 0;
}

struct rt_exec_args
{
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static void __attribute__ ((noreturn))
exec_child (const struct rt_process *p, const struct rt_seccomp *seccomp, const struct pc_runtime_io *io,
            bool terminal, int sync_fd, int gate[2])
{
  pc_error *err = NULL;
  rt_gate_wait (gate);
  if (setresgid (0, 0, 0) < 0 && errno != EINVAL)
    rt_child_fail (sync_fd, (pc_error_errno (&err, errno, "setgid 0"), err));
  if (setresuid (0, 0, 0) < 0 && errno != EINVAL)
    rt_child_fail (sync_fd, (pc_error_errno (&err, errno, "setuid 0"), err));
  if (!terminal && rt_setup_stdio (io, &err) < 0)
    rt_child_fail (sync_fd, err);
  unsigned keep = io->preserve_fds > 0 ? (unsigned) io->preserve_fds : 0;
  if (pc_fds_cloexec_from (3 + keep) < 0)
    rt_child_fail (sync_fd, (pc_error_errno (&err, errno, "mark pc's fds close-on-exec"), err));
  for (unsigned fd = 3; fd < 3 + keep; fd++)
    if (fcntl ((int) fd, F_SETFD, 0) < 0)
      rt_child_fail (sync_fd, (pc_error_errno (&err, errno, "pass on fd %u", fd), err));
  if (chdir ("/") < 0)
    rt_child_fail (sync_fd, (pc_error_errno (&err, errno, "chdir /"), err));
  int console = -1;
  if (terminal)
    {
      console = rt_terminal_setup (p, &err);
      if (console < 0)
        rt_child_fail (sync_fd, err);
    }
  int fds[RT_SYNC_FD__COUNT];
  rt_sync_fds_init (fds);
  fds[RT_SYNC_FD_CONSOLE] = console;
  rt_child_finish (p, seccomp, sync_fd, fds, false);
}

/* The middle process joins the namespaces (setns of a pid namespace only
   applies to children, and a rootless pc could not switch back), then clones
   the real process with CLONE_PARENT so that it is pc's child, reports its
   pid and exits. */
static void __attribute__ ((noreturn))
exec_middle (const struct rt_process *p, const struct rt_seccomp *seccomp, const struct pc_runtime_io *io,
             bool terminal, int pidfd, int flags, int cgroup_fd, int sync_fd)
{
  pc_error *err = NULL;
  /* The container's device policy holds for what runs in it (the new
     process inherits the cgroup). */
  if (rt_cgroup_enter (cgroup_fd, &err) < 0)
    rt_child_fail (sync_fd, err);
  if (cgroup_fd >= 0)
    close (cgroup_fd);
  /* Nothing in the container may ptrace this process, open its /proc/PID/exe
     or read its memory while it still holds pc's state (CVE-2019-5736). */
  if (prctl (PR_SET_DUMPABLE, 0) < 0)
    rt_child_fail (sync_fd, (pc_error_errno (&err, errno, "prctl PR_SET_DUMPABLE"), err));
  if (flags && setns (pidfd, flags) < 0)
    {
      pc_error_errno (&err, errno, "join the container's namespaces");
      rt_child_fail (sync_fd, err);
    }
  close (pidfd);
  int gate[2];
  if (rt_gate_open (gate) < 0)
    rt_child_fail (sync_fd, (pc_error_errno (&err, errno, "pipe"), err));
  /* clone3 wants exit_signal 0 with CLONE_PARENT: the child inherits ours (SIGCHLD). */
  struct rt_exec_args args = { .flags = CLONE_PARENT };
  pid_t pid = (pid_t) syscall (SYS_clone3, &args, sizeof args);
  if (pid == 0)
    exec_child (p, seccomp, io, terminal, sync_fd, gate);
  if (pid < 0)
    {
      pc_error_errno (&err, errno, "create the exec process");
      rt_child_fail (sync_fd, err);
    }
  char buf[32];
  snprintf (buf, sizeof buf, "%d", (int) pid);
  rt_sync_send (sync_fd, "pid", 0, buf, -1, NULL);
  /* Only now may the exec process speak on the socket. */
  rt_gate_release (gate);
  _exit (0);
}

static int
exec_process (int pidfd, pid_t container_pid, struct rt_process *p, struct rt_seccomp *sc,
              const struct pc_runtime_io *io, struct pc_runtime_process *out, pc_error **err)
{
  int flags;
  if (differing_namespaces (container_pid, &flags, err) < 0)
    return -1;
  pc_autoclose int cgroup_fd = -1;
  if (rt_cgroup_open_of (container_pid, &cgroup_fd, err) < 0)
    return -1;
  /* The pidfd was opened before the namespaces and the cgroup were looked
     up by pid: if the process is still the pidfd's, they were its own. */
  struct pollfd alive = { .fd = pidfd, .events = POLLIN };
  if (poll (&alive, 1, 0) != 0)
    return pc_error_makec (err, PC_ERR_STATE, ESRCH, "the container process %d has exited",
                           (int) container_pid);
  int sv[2];
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return pc_error_errno (err, errno, "create the sync socket");
  pc_autoclose int parent_fd = sv[0];
  pc_autoclose int child_fd = sv[1];
  bool terminal = p->terminal || io->terminal;

  struct rt_exec_args args = { .exit_signal = SIGCHLD };
  pid_t mid = (pid_t) syscall (SYS_clone3, &args, sizeof args);
  if (mid == 0)
    {
      close (parent_fd);
      exec_middle (p, sc, io, terminal, pidfd, flags, cgroup_fd, child_fd);
    }
  if (mid < 0)
    return pc_error_errno (err, errno, "create the exec process");
  close (steal_fd (&child_fd));

  pid_t pid;
  if (rt_sync_recv_pid (parent_fd, mid, &pid, err) < 0)
    return -1;
  if (rt_parent_wait_ready (parent_fd, pid, out, err) < 0)
    {
      /* CLONE_PARENT made it our child: reap it, or the container's pid 1
         can never finish exiting (its namespace waits for every zombie). */
      kill (pid, SIGKILL);
      while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
        ;
      return -1;
    }
  out->pid = pid;
  out->sync_fd = steal_fd (&parent_fd);
  return 0;
}

int
pc_runtime_exec_pidfd (int pidfd, pid_t container_pid, json_object *process_spec,
                       json_object *seccomp, const char *seccomp_cache, const struct pc_runtime_io *io,
                       struct pc_runtime_process *out, pc_error **err)
{
  out->pid = -1;
  out->console_fd = -1;
  out->tap_fd = -1;
  out->netns_fd = -1;
  out->seccomp_fd = -1;
  out->sync_fd = -1;
  /* The exec process is cloned without fork handlers. */
  if (pc_require_single_threaded ("exec in a container", err) < 0)
    return -1;
  struct rt_process p;
  struct rt_seccomp sc = { 0 };
  double ms;
  int ret = -1;
  int parsed = rt_process_parse (process_spec, &p, err);
  /* podman's exec never makes its working directory. */
  p.cwd_must_exist = p.cwd_exec = true;
  if (parsed == 0 && rt_seccomp_compile (seccomp, seccomp_cache, &sc, &ms, err) == 0)
    ret = exec_process (pidfd, container_pid, &p, &sc, io, out, err);
  rt_process_clear (&p);
  free (sc.prog.filter);
  return ret;
}

int
pc_runtime_exec_seccomp (pid_t container_pid, json_object *process_spec, json_object *seccomp,
                         const struct pc_runtime_io *io, struct pc_runtime_process *out,
                         pc_error **err)
{
  pc_autoclose int pidfd = (int) syscall (SYS_pidfd_open, container_pid, 0);
  if (pidfd < 0)
    return pc_error_errno (err, errno, "open the container process %d", (int) container_pid);
  return pc_runtime_exec_pidfd (pidfd, container_pid, process_spec, seccomp, NULL, io, out, err);
}

int
pc_runtime_exec (pid_t container_pid, json_object *process_spec, const struct pc_runtime_io *io,
                 struct pc_runtime_process *out, pc_error **err)
{
  return pc_runtime_exec_seccomp (container_pid, process_spec, NULL, io, out, err);
}
