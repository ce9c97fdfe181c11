/* pc_runtime_create / pc_runtime_start: clone the container process into its
   namespaces, let it build its root, and release it to exec. */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/xalloc.h"
#include "pkg/runtime/internal.h"

struct rt_clone_args
{
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static pid_t
clone_ns (int flags)
{
  /* clone3 wants exit_signal 0 with CLONE_PARENT: the child inherits the caller's (SIGCHLD). */
  struct rt_clone_args args = { .flags = (uint64_t) (unsigned) flags,
                                .exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD };
  return (pid_t) syscall (SYS_clone3, &args, sizeof args);
}

/* A new network namespace starts with its loopback down. runc and crun
   bring it up (the kernel then gives it 127.0.0.1 and ::1), and so does
   this: a --network none container talks to itself over 127.0.0.1, as
   podman's does. The default network's tap setup finds it up. */
static int
loopback_up (pc_error **err)
{
  pc_autoclose int sk = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sk < 0)
    return pc_error_errno (err, errno, "create a socket in the container's network namespace");
  struct ifreq ifr;
  memset (&ifr, 0, sizeof ifr);
  strcpy (ifr.ifr_name, "lo");
  if (ioctl (sk, SIOCGIFFLAGS, &ifr) < 0)
    return pc_error_errno (err, errno, "read the flags of the loopback interface");
  if (ifr.ifr_flags & IFF_UP)
    return 0;
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl (sk, SIOCSIFFLAGS, &ifr) < 0)
    return pc_error_errno (err, errno, "bring the loopback interface up");
  return 0;
}

static int
join_namespaces (const struct rt_spec *s, pc_error **err)
{
  for (size_t i = 0; i < s->n_join; i++)
    {
      if (s->join[i].flag == CLONE_NEWPID || s->join[i].flag == CLONE_NEWUSER)
        continue;   /* joined by the middle process before the clone */
      pc_autoclose int fd = open (s->join[i].path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return pc_error_errno (err, errno, "open namespace `%s`", s->join[i].path);
      if (setns (fd, s->join[i].flag) < 0)
        return pc_error_errno (err, errno, "join namespace `%s`", s->join[i].path);
    }
  return 0;
}

/* A new user namespace may leave the caller's user unmapped (nomap, auto,
   --uidmap): its 0 then cannot walk the caller's 0700 directories (the
   store, XDG_RUNTIME_DIR). Until here the process kept the caller's ids, so
   the root was bound and opened by path; the bind sources are opened now
   and named by their fd, then it becomes the namespace's root (when mapped). */
static void
become_userns_root (struct rt_spec *s, int sync_fd)
{
  pc_error *err = NULL;
  for (size_t i = 0; i < s->n_mounts; i++)
    {
      struct rt_mount *m = &s->mounts[i];
      if (!m->bind || m->source == NULL || m->source[0] != '/')
        continue;
      int fd = open (m->source, O_PATH | O_CLOEXEC);
      if (fd < 0)
        continue;   /* the mount reports it */
      /* Messages keep naming the path the user gave. */
      free (m->source_path);
      m->source_path = m->source;
      m->source = xasprintf ("/proc/self/fd/%d", fd);
    }
  if (setresgid (0, 0, 0) < 0 && errno != EINVAL)
    rt_child_fail (sync_fd, (pc_error_errno (&err, errno, "setgid 0"), err));
  if (setresuid (0, 0, 0) < 0 && errno != EINVAL)
    rt_child_fail (sync_fd, (pc_error_errno (&err, errno, "setuid 0"), err));
}

static void __attribute__ ((noreturn))
child_main (struct rt_spec *s, const struct pc_runtime_io *io, bool terminal, int sync_fd, int *gate)
{
  rt_mark ("clone");
  if (gate)
    rt_gate_wait (gate);
  pc_error *err = NULL;
  /* Into the cgroup of the device policy before anything is opened. */
  if (rt_cgroup_enter (s->cgroup_procs_fd, &err) < 0)
    rt_child_fail (sync_fd, err);
  if (s->cgroup_procs_fd >= 0)
    close (s->cgroup_procs_fd);
  if (s->clone_flags & CLONE_NEWUSER)
    {
      if (rt_sync_wait_for (sync_fd, "mapped", NULL, &err) < 0)
        _exit (1);
    }
  if (join_namespaces (s, &err) < 0)
    rt_child_fail (sync_fd, err);
  /* Its caller (the monitor) sets up the network in it: once the process
     has switched to another uid it is not dumpable, and its
     /proc/PID/ns/net is closed to a caller without CAP_SYS_PTRACE over the
     initial user namespace. Opened while /proc is still the caller's. */
  int netns = -1;
  if ((s->clone_flags & CLONE_NEWNET) && (netns = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
    rt_child_fail (sync_fd, (pc_error_errno (&err, errno, "open the container's network namespace"), err));
  if ((s->clone_flags & CLONE_NEWNET) && loopback_up (&err) < 0)
    rt_child_fail (sync_fd, err);
  if (!terminal && rt_setup_stdio (io, &err) < 0)
    rt_child_fail (sync_fd, err);
  /* Nothing of pc's leaks into the container. */
  if (pc_fds_cloexec_from (3) < 0)
    rt_child_fail (sync_fd, (pc_error_errno (&err, errno, "mark pc's fds close-on-exec"), err));
  rt_mark ("ns+stdio");

  if (rt_mount_rootfs (s, &err) < 0)
    rt_child_fail (sync_fd, err);
  int rootfd = open (s->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    rt_child_fail (sync_fd, (pc_error_errno (&err, errno, "open the root `%s`", s->root), err));
  if (rt_overlay_mounts_open (s, &err) < 0)
    rt_child_fail (sync_fd, err);
  if (s->clone_flags & CLONE_NEWUSER)
    become_userns_root (s, sync_fd);
  rt_mark ("rootfs");
  if (rt_mount_all (s, rootfd, &err) < 0)
    rt_child_fail (sync_fd, err);
  rt_mark ("mounts");
  if (rt_setup_dev (s, rootfd, &err) < 0)
    rt_child_fail (sync_fd, err);
  rt_mark ("dev");
  if (rt_pivot_root (rootfd, &err) < 0 || rt_root_propagation (s, &err) < 0)
    rt_child_fail (sync_fd, err);
  close (rootfd);
  rt_mark ("pivot");
  if (rt_finish_rootfs (s, &err) < 0)
    rt_child_fail (sync_fd, err);
  rt_mark ("mask");
  int console = -1;
  if (terminal)
    {
      console = rt_terminal_setup (&s->proc, &err);
      if (console < 0)
        rt_child_fail (sync_fd, err);
      rt_mark ("pty");
    }
  int fds[RT_SYNC_FD__COUNT];
  rt_sync_fds_init (fds);
  fds[RT_SYNC_FD_CONSOLE] = console;
  fds[RT_SYNC_FD_NETNS] = netns;
  rt_child_finish (&s->proc, &s->seccomp, sync_fd, fds, true);
}

static int
write_map (pid_t pid, const char *file, const char *text, pc_error **err)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/%s", (int) pid, file);
  pc_autoclose int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return pc_error_errno (err, errno, "open %s", path);
  if (write (fd, text, strlen (text)) < 0)
    return pc_error_errno (err, errno, "write %s (\"%s\")", path, text);
  return 0;
}

static void
reap (pid_t pid, int *status)
{
  while (waitpid (pid, status, 0) < 0 && errno == EINTR)
    ;
}

/* The child reports a failure with its class's name as the message type
   (rt_child_fail): "error" for the generic class, "command not found",
   "cannot invoke"... True when `type` is one; *cls is the class. */
static bool
failure_type (const char *type, enum pc_error_class *cls)
{
  *cls = pc_error_class_from_name (type);
  return *cls != PC_ERR_GENERIC || strcmp (type, pc_error_class_name (PC_ERR_GENERIC)) == 0;
}

/* Waits for "ready"; errors and early exits become one pc_error. */
int
rt_parent_wait_ready (int sync_fd, pid_t pid, struct pc_runtime_process *out, pc_error **err)
{
  pc_autofree char *type = NULL;
  pc_autofree char *message = NULL;
  int errnum = 0;
  int fds[RT_SYNC_FD__COUNT];
  if (rt_sync_recv_fds (sync_fd, &type, &errnum, &message, fds, err) < 0)
    return -1;
  if (type != NULL && strcmp (type, "ready") == 0)
    {
      if (message)
        pc_debug ("container setup: %s", message);
      out->console_fd = steal_fd (&fds[RT_SYNC_FD_CONSOLE]);
      out->tap_fd = steal_fd (&fds[RT_SYNC_FD_TAP]);
      out->netns_fd = steal_fd (&fds[RT_SYNC_FD_NETNS]);
      out->seccomp_fd = steal_fd (&fds[RT_SYNC_FD_SECCOMP]);
      return 0;
    }
  int status = 0;
  enum pc_error_class cls;
  kill (pid, SIGKILL);
  reap (pid, &status);
  rt_sync_fds_close (fds);
  if (type != NULL && failure_type (type, &cls))
    return pc_error_makec (err, cls, errnum, "%s", message ? message : "container setup failed");
  if (type == NULL)
    {
      if (WIFSIGNALED (status))
        return pc_error_make (err, EIO, "the container process died during setup (signal %d)",
                              WTERMSIG (status));
      return pc_error_make (err, EIO, "the container process exited during setup (status %d)",
                            WIFEXITED (status) ? WEXITSTATUS (status) : -1);
    }
  return pc_error_make (err, EPROTO, "unexpected `%s` on the sync socket", type);
}

static int
create_process (struct rt_spec *s, const struct pc_runtime_io *io, struct pc_runtime_process *out,
                double t_start, double t_parse, pc_error **err)
{
  bool terminal = s->proc.terminal || io->terminal;
  int sv[2];
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return pc_error_errno (err, errno, "create the sync socket");
  pc_autoclose int parent_fd = sv[0];
  pc_autoclose int child_fd = sv[1];

  /* Joining a pid namespace only affects children, and neither a user nor a
     pid namespace can be left again: a middle process joins them (the user
     namespace first: it owns the others) and clones the container process
     with CLONE_PARENT, so that it is still our child. */
  pc_autoclose int join_pidns = -1;
  pc_autoclose int join_userns = -1;
  for (size_t i = 0; i < s->n_join; i++)
    {
      int *fd = s->join[i].flag == CLONE_NEWPID ? &join_pidns
                : s->join[i].flag == CLONE_NEWUSER ? &join_userns : NULL;
      if (fd == NULL)
        continue;
      *fd = open (s->join[i].path, O_RDONLY | O_CLOEXEC);
      if (*fd < 0)
        return pc_error_errno (err, errno, "open namespace `%s`", s->join[i].path);
    }

  pid_t pid;
  rt_marks_begin ();
  if (join_pidns < 0 && join_userns < 0)
    {
      pid = clone_ns (s->clone_flags);
      if (pid == 0)
        {
          close (parent_fd);
          child_main (s, io, terminal, child_fd, NULL);
        }
      if (pid < 0)
        return pc_error_errno (err, errno, "create the container process");
    }
  else
    {
      pid_t mid = clone_ns (0);
      if (mid == 0)
        {
          pc_error *cerr = NULL;
          close (parent_fd);
          if (join_userns >= 0 && setns (join_userns, CLONE_NEWUSER) < 0)
            rt_child_fail (child_fd, (pc_error_errno (&cerr, errno, "join the user namespace"), cerr));
          if (join_pidns >= 0 && setns (join_pidns, CLONE_NEWPID) < 0)
            rt_child_fail (child_fd, (pc_error_errno (&cerr, errno, "join the pid namespace"), cerr));
          pc_closep (&join_userns);
          pc_closep (&join_pidns);
          int gate[2];
          if (rt_gate_open (gate) < 0)
            rt_child_fail (child_fd, (pc_error_errno (&cerr, errno, "pipe"), cerr));
          pid_t c = clone_ns (s->clone_flags | CLONE_PARENT);
          if (c == 0)
            child_main (s, io, terminal, child_fd, gate);
          if (c < 0)
            rt_child_fail (child_fd, (pc_error_errno (&cerr, errno, "create the container process"), cerr));
          char buf[32];
          snprintf (buf, sizeof buf, "%d", (int) c);
          rt_sync_send (child_fd, "pid", 0, buf, -1, NULL);
          /* Only now may the container process speak on the socket. */
          rt_gate_release (gate);
          _exit (0);
        }
      if (mid < 0)
        return pc_error_errno (err, errno, "create the container process");
      close (steal_fd (&child_fd));
      if (rt_sync_recv_pid (parent_fd, mid, &pid, err) < 0)
        return -1;
    }
  if (child_fd >= 0)
    close (steal_fd (&child_fd));
  double t_clone = rt_now_ms ();

  if (s->clone_flags & CLONE_NEWUSER)
    {
      if (write_map (pid, "uid_map", s->idmap.uid_map, err) < 0
          || write_map (pid, "gid_map", s->idmap.gid_map, err) < 0
          || rt_sync_send (parent_fd, "mapped", 0, NULL, -1, err) < 0)
        {
          kill (pid, SIGKILL);
          reap (pid, NULL);
          return -1;
        }
    }
  if (rt_parent_wait_ready (parent_fd, pid, out, err) < 0)
    return -1;
  pc_debug ("runtime create: parse %.2f ms, seccomp+prepare %.2f ms (compile %.2f ms), clone %.2f ms, "
            "child setup %.2f ms", s->parse_ms, t_parse - t_start - s->parse_ms, s->seccomp_ms,
            t_clone - t_parse, rt_now_ms () - t_clone);
  out->pid = pid;
  out->sync_fd = steal_fd (&parent_fd);
  return 0;
}

int
pc_runtime_create (json_object *spec, const struct pc_runtime_io *io,
                   struct pc_runtime_process *out, pc_error **err)
{
  out->pid = -1;
  out->console_fd = -1;
  out->tap_fd = -1;
  out->netns_fd = -1;
  out->seccomp_fd = -1;
  out->sync_fd = -1;
  struct rt_spec s;
  int ret = -1;
  double t_start = rt_now_ms ();
  /* The container process is cloned without fork handlers. */
  if (pc_require_single_threaded ("creating a container", err) < 0)
    return -1;
  int parsed = rt_spec_parse (spec, &s, err);
  s.parse_ms = rt_now_ms () - t_start;
  if (parsed == 0)
    {
      json_object *lnx = NULL, *sc = NULL, *ann = NULL, *cache = NULL, *notify = NULL;
      if (json_object_object_get_ex (spec, "linux", &lnx))
        json_object_object_get_ex (lnx, "seccomp", &sc);
      if (json_object_object_get_ex (spec, "annotations", &ann))
        {
          json_object_object_get_ex (ann, "run.pc.seccomp-cache", &cache);
          json_object_object_get_ex (ann, "run.pc.seccomp-notify", &notify);
        }
      if (rt_seccomp_compile (sc, cache ? json_object_get_string (cache) : NULL, &s.seccomp,
                              &s.seccomp_ms, err) == 0
          && (notify == NULL || !json_object_is_type (notify, json_type_string)
              || rt_seccomp_notify_compile (json_object_get_string (notify), &s.seccomp, err) == 0)
          && rt_cgroup_prepare (&s.cgroup, &s.cgroup_procs_fd, err) == 0
          && rt_idmap_mounts_prepare (&s, err) == 0 && rt_overlay_mounts_prepare (spec, &s, err) == 0)
        ret = create_process (&s, io, out, t_start, rt_now_ms (), err);
      rt_idmap_mounts_close (&s);
      rt_overlay_mounts_close (&s);
    }
  rt_spec_clear (&s);
  return ret;
}

int
pc_runtime_start (struct pc_runtime_process *p, pc_error **err)
{
  if (p->sync_fd < 0)
    return pc_error_make (err, EINVAL, "the container process was already started");
  pc_autoclose int fd = steal_fd (&p->sync_fd);
  if (rt_sync_send (fd, "start", 0, NULL, -1, err) < 0)
    return pc_error_wrap (err, "start the container process");
  pc_autofree char *type = NULL;
  pc_autofree char *message = NULL;
  int errnum = 0;
  if (rt_sync_recv (fd, &type, &errnum, &message, NULL, err) < 0)
    return -1;
  if (type == NULL)
    return 0;   /* the close-on-exec end went away: exec succeeded */
  enum pc_error_class cls;
  if (failure_type (type, &cls))
    return pc_error_makec (err, cls, errnum, "%s", message ? message : "exec failed");
  return pc_error_make (err, EPROTO, "unexpected `%s` on the sync socket", type);
}

void
pc_runtime_abort (struct pc_runtime_process *p)
{
  if (p->pid > 0)
    {
      kill (p->pid, SIGKILL);
      reap (p->pid, NULL);
      p->pid = -1;
    }
  if (p->sync_fd >= 0)
    close (steal_fd (&p->sync_fd));
  if (p->console_fd >= 0)
    close (steal_fd (&p->console_fd));
  if (p->tap_fd >= 0)
    close (steal_fd (&p->tap_fd));
  if (p->netns_fd >= 0)
    close (steal_fd (&p->netns_fd));
  if (p->seccomp_fd >= 0)
    close (steal_fd (&p->seccomp_fd));
}
