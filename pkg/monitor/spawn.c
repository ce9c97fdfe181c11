/* Starting a monitor: the CLI double-forks, the grandchild (setsid, not the
   CLI's child) becomes the monitor, creates the container through
   pkg/runtime and reports over a CLOEXEC pipe, one line of JSON:
     {"version":V,"pid":N,"monitor":M}      container created (and exec'd if start_now)
     {"version":V,"errno":E,"class":"not found","message":"..."}   it failed
   V is PC_MONITOR_SYNC_VERSION; "class" is pc_error_class_name, so a
   command that is not found (127) or cannot run (126) keeps its class.
   No exec, no sleeps: the CLI waits only for that one message.

   The creator (the pc that spawned the monitor) is watched until the
   container is started: a monitor whose creator died before that tears
   down, so a killed `pc run` leaves nothing running. Before the report the
   sync pipe's write end is O_ASYNC: the creator's death closes the last
   read end and SIGIO (default action: terminate) ends the monitor wherever
   its work is (a long seccomp compile); the container dies with it
   (PDEATHSIG) and the mounts with its mount namespace. After the report a
   pidfd of the creator, opened by the creator itself before the fork (so
   no reused pid can stand in for it), is in the poll loop until the start
   (creator_event). */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/proc.h"
#include "lib/xalloc.h"
#include "pkg/monitor/internal.h"
#include "pkg/monitor/protocol.h"

static void
report (int sync_fd, const pc_error *e, pid_t pid)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "version", json_object_new_int (PC_MONITOR_SYNC_VERSION));
  if (e)
    {
      json_object_object_add (o, "errno", json_object_new_int (e->status ? e->status : EIO));
      json_object_object_add (o, "class", json_object_new_string (pc_error_class_name (e->cls)));
      json_object_object_add (o, "message", json_object_new_string (e->msg ? e->msg : "monitor failed"));
    }
  else
    {
      json_object_object_add (o, "pid", json_object_new_int (pid));
      json_object_object_add (o, "monitor", json_object_new_int (getpid ()));
    }
  /* One line: the container process holds a copy of this pipe until it
     execs, so the CLI reads up to the newline, not to EOF. */
  pc_autofree char *line = xasprintf ("%s\n", json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN));
  pc_write_all (sync_fd, line, strlen (line), NULL);
  json_object_put (o);
}

static void
fail (int sync_fd, pc_error *err) __attribute__ ((noreturn));

static void
fail (int sync_fd, pc_error *err)
{
  pc_error generic = { .status = EIO, .cls = PC_ERR_GENERIC, .msg = (char *) "monitor failed" };
  report (sync_fd, err ? err : &generic, 0);
  _exit (1);
}

static int
cmp_int (const void *a, const void *b)
{
  return *(const int *) a - *(const int *) b;
}

static bool
is_kept (const int *keep, size_t n, long fd)
{
  for (size_t i = 0; i < n; i++)
    if (keep[i] == fd)
      return true;
  return false;
}

/* Without close_range (a seccomp filter, an older kernel): each open fd. */
static int
close_listed (const int *keep, size_t n, pc_error **err)
{
  int dfd = open ("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return pc_error_errno (err, errno, "close the CLI's fds: open /proc/self/fd");
  DIR *d = fdopendir (dfd);
  if (d == NULL)
    {
      int saved = errno;
      close (dfd);
      return pc_error_errno (err, saved, "close the CLI's fds: read /proc/self/fd");
    }
  long fds[256];
  size_t nf;
  do
    {
      /* Collected first: closing while reading the directory skips entries. */
      nf = 0;
      rewinddir (d);
      struct dirent *de;
      while ((de = readdir (d)) != NULL && nf < sizeof fds / sizeof fds[0])
        {
          char *end;
          long fd = strtol (de->d_name, &end, 10);
          if (*end == '\0' && de->d_name[0] != '\0' && fd > 2 && fd != dfd && !is_kept (keep, n, fd))
            fds[nf++] = fd;
        }
      for (size_t i = 0; i < nf; i++)
        close ((int) fds[i]);
    }
  while (nf == sizeof fds / sizeof fds[0]);
  closedir (d);
  return 0;
}

/* Closes every fd but those in keep (and 0-2, pointed at /dev/null unless
   kept): the CLI's fds (locks, the store) must not live on in the monitor. */
static int
close_inherited (int *keep, size_t n, pc_error **err)
{
  qsort (keep, n, sizeof *keep, cmp_int);
  int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0)
    return pc_error_errno (err, errno, "open /dev/null");
  for (int fd = 0; fd < 3; fd++)
    if (!is_kept (keep, n, fd) && null != fd && dup2 (null, fd) < 0)
      {
        int saved = errno;
        close (null);
        return pc_error_errno (err, saved, "point fd %d at /dev/null", fd);
      }
  if (null > 2)
    close (null);
  unsigned int from = 3;
  for (size_t i = 0; i <= n; i++)
    {
      unsigned int to = i < n ? (unsigned int) keep[i] : ~0U;
      if (i < n && keep[i] < 3)
        continue;
      if (to > from && syscall (SYS_close_range, from, to - 1, 0) < 0)
        return close_listed (keep, n, err);
      from = to + 1;
    }
  return 0;
}

static void
reset_signals (void)
{
  sigset_t all;
  sigemptyset (&all);
  sigprocmask (SIG_SETMASK, &all, NULL);
  struct sigaction sa = { .sa_handler = SIG_DFL };
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      sigaction (sig, &sa, NULL);
}

static int
setup_signals (struct pc_monitor *m, pc_error **err)
{
  sigset_t set;
  sigemptyset (&set);
  sigaddset (&set, SIGCHLD);
  sigaddset (&set, SIGTERM);
  sigaddset (&set, SIGINT);
  sigaddset (&set, pc_monitor_relay_signo ());
  if (sigprocmask (SIG_BLOCK, &set, NULL) < 0)
    return pc_error_errno (err, errno, "block signals");
  m->sig_fd = signalfd (-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (m->sig_fd < 0)
    return pc_error_errno (err, errno, "signalfd");
  signal (SIGHUP, SIG_IGN);
  signal (SIGPIPE, SIG_IGN);
  /* A file size limit it inherited makes a log write fail (EFBIG, recorded
     in monitor.log), not kill the monitor. */
  signal (SIGXFSZ, SIG_IGN);
  return 0;
}

static int
make_pipe (int fds[2], pc_error **err)
{
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return pc_error_errno (err, errno, "create stdio pipe");
  return 0;
}

/* Until the report: the creator's death (its read end of the sync pipe
   closed) is SIGIO, whose default action ends the monitor. */
static int
watch_creator_async (int sync_fd, pc_error **err)
{
  int fl = fcntl (sync_fd, F_GETFL);
  if (fl < 0 || fcntl (sync_fd, F_SETOWN, getpid ()) < 0 || fcntl (sync_fd, F_SETFL, fl | O_ASYNC) < 0)
    return pc_error_errno (err, errno, "watch the creating pc through the sync pipe");
  /* Died before the watch was armed: no reader is left. */
  struct pollfd p = { .fd = sync_fd, .events = POLLOUT };
  if (poll (&p, 1, 0) == 1 && (p.revents & POLLERR))
    _exit (1);
  return 0;
}

static void
unwatch_creator_async (int sync_fd)
{
  int fl = fcntl (sync_fd, F_GETFL);
  if (fl >= 0)
    fcntl (sync_fd, F_SETFL, fl & ~O_ASYNC);
}

/* After the report: the creator's pidfd is readable once it has exited. A
   container it started (a START on the attach socket) is the user's now;
   one it never started would wait for a start nobody sends, holding its
   root mount: the monitor stops, through the one exit path (SIGTERM to
   itself, read from the signalfd: the container is killed, reaped, torn
   down and its end recorded). */
static void
creator_event (struct pc_mloop *l, int fd, short revents, void *data)
{
  struct pc_monitor *m = data;
  pc_mloop_remove (l, fd);
  close (fd);
  if (m->started || m->exited)
    return;
  pc_monitor_log ("the pc that created the container exited before starting it: stopping");
  kill (getpid (), SIGTERM);
}

static void monitor_main (const struct pc_monitor_config *cfg, int sync_fd, int creator_fd,
                          int client_fd) __attribute__ ((noreturn));

static void
monitor_main (const struct pc_monitor_config *cfg, int sync_fd, int creator_fd, int client_fd)
{
  static struct pc_monitor mon;
  struct pc_monitor *m = &mon;
  pc_error *err = NULL;
  const char *driver = cfg->log_driver ? cfg->log_driver : "k8s-file";
  bool passthrough = strcmp (driver, "passthrough") == 0;

  reset_signals ();
  pc_autofree int *keep = xmalloc ((6 + cfg->n_forwards) * sizeof *keep);
  size_t nkeep = 0;
  for (size_t i = 0; i < cfg->n_forwards; i++)
    keep[nkeep++] = cfg->forwards[i].fd;
  keep[nkeep++] = sync_fd;
  if (creator_fd >= 0)
    keep[nkeep++] = creator_fd;
  /* The CLI's attach connection never comes with the debug stderr and the
     passthrough fds both (an attached run's log driver is not passthrough
     when it keeps stderr for debug lines): six slots hold the rest. */
  if (client_fd >= 0)
    keep[nkeep++] = client_fd;
  /* With --log-level debug the runtime's setup lines reach the user's
     stderr; it is let go as soon as the CLI has its report. */
  bool debug_stderr = pc_log_get_level () >= PC_LOG_DEBUG && !passthrough;
  if (debug_stderr)
    keep[nkeep++] = 2;
  if (passthrough)
    for (int i = 0; i < 3; i++)
      if (cfg->passthrough_fds[i] >= 0)
        keep[nkeep++] = cfg->passthrough_fds[i];
  if (close_inherited (keep, nkeep, &err) < 0 || watch_creator_async (sync_fd, &err) < 0)
    fail (sync_fd, err);

  memset (m, 0, sizeof *m);
  m->cfg = cfg;
  m->in_fd = m->out_fd = m->err_fd = m->listen_fd = m->sig_fd = m->netns_fd = m->seccomp_fd = -1;
  m->log.fd = -1;
  pc_mloop_init (&m->loop);
  tzset ();

  m->dirfd = open (cfg->state_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (m->dirfd < 0)
    {
      pc_error_errno (&err, errno, "open state directory `%s`", cfg->state_dir);
      fail (sync_fd, err);
    }
  pc_mon_log_open (m->dirfd, cfg->id);
  /* Children of the prepare hook (a fuse-overlayfs daemon) and whatever is
     orphaned below the monitor are reaped here, not by init. */
  if (prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
    {
      pc_error_errno (&err, errno, "make the monitor a child subreaper");
      fail (sync_fd, err);
    }
  if (strcmp (driver, "k8s-file") == 0 && cfg->log_path)
    {
      if (pc_k8s_writer_open (&m->log, cfg->log_path, cfg->log_max_size, &err) < 0)
        fail (sync_fd, err);
    }
  else if (strcmp (driver, "k8s-file") != 0 && strcmp (driver, "none") != 0 && !passthrough)
    {
      pc_error_make (&err, EINVAL, "unsupported log driver `%s`", driver);
      fail (sync_fd, err);
    }

  struct pc_runtime_io io = { -1, -1, -1, cfg->terminal };
  int in_p[2] = { -1, -1 }, out_p[2] = { -1, -1 }, err_p[2] = { -1, -1 };
  if (cfg->terminal)
    m->pty = true;
  else if (passthrough)
    {
      io.stdin_fd = cfg->passthrough_fds[0];
      io.stdout_fd = cfg->passthrough_fds[1];
      io.stderr_fd = cfg->passthrough_fds[2];
    }
  else
    {
      if (make_pipe (out_p, &err) < 0 || make_pipe (err_p, &err) < 0
          || (cfg->stdin_open && make_pipe (in_p, &err) < 0))
        fail (sync_fd, err);
      io.stdin_fd = in_p[0];
      io.stdout_fd = out_p[1];
      io.stderr_fd = err_p[1];
      m->in_fd = in_p[1];
      m->out_fd = out_p[0];
      m->err_fd = err_p[0];
    }

  m->listen_fd = pc_mon_socket_bind (m->dirfd, PC_MONITOR_SOCKET, &err);
  if (m->listen_fd < 0)
    fail (sync_fd, err);

  /* Mounts made for this container (its root) live in the monitor's own
     mount namespace and go with it. */
  if (unshare (CLONE_NEWNS) < 0)
    {
      pc_error_errno (&err, errno, "create the monitor's mount namespace");
      fail (sync_fd, err);
    }
  if (mount (NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
    {
      pc_error_errno (&err, errno, "make / a recursive slave in the monitor's mount namespace");
      fail (sync_fd, err);
    }
  if (cfg->prepare && cfg->prepare (cfg->hook_data, &err) < 0)
    {
      unlinkat (m->dirfd, PC_MONITOR_SOCKET, 0);
      fail (sync_fd, err);
    }

  /* An external runtime chosen by name would come in here (pc_runtime_find). */
  m->rt = pc_runtime_builtin ();
  struct pc_runtime_created created;
  pc_mon_bypass_spec (cfg->spec);
  pc_mon_restart_init (m, cfg->spec);
  if (m->rt->create (cfg->spec, &io, &m->ctr, &created, &err) < 0)
    {
      unlinkat (m->dirfd, PC_MONITOR_SOCKET, 0);
      if (cfg->teardown)
        cfg->teardown (cfg->hook_data);
      fail (sync_fd, err);
    }
  m->pid = created.pid;
  m->seccomp_fd = created.seccomp_fd;
  /* The network is there before the container can exec. */
  /* The network must be there before the container can exec: now when it
     starts at once, else after the report, while the CLI connects. */
  int net_rc = pc_mon_net_prepare (m, cfg->spec, &created.netns_fd, &err);
  if (created.netns_fd >= 0)
    close (created.netns_fd);
  if (net_rc == 0 && cfg->start_now)
    net_rc = pc_mon_net_up (m, &err);
  if (net_rc < 0)
    {
      m->rt->abort (steal_pointer (&m->ctr));
      unlinkat (m->dirfd, PC_MONITOR_SOCKET, 0);
      if (cfg->teardown)
        cfg->teardown (cfg->hook_data);
      fail (sync_fd, err);
    }
  /* The runtime opens no tap: the monitor made its own (net.c). */
  if (created.tap_fd >= 0)
    close (created.tap_fd);
  /* The container holds its ends now; ours must go so EOF can come. */
  if (!passthrough)
    for (int i = 0; i < 3; i++)
      {
        int *child_end[] = { &in_p[0], &out_p[1], &err_p[1] };
        if (*child_end[i] >= 0)
          close (*child_end[i]);
      }
  else
    for (int i = 0; i < 3; i++)
      if (cfg->passthrough_fds[i] > 2)
        close (cfg->passthrough_fds[i]);
  if (m->pty)
    {
      m->out_fd = created.console_fd;
      /* -t without -i: the terminal's input is not the clients'. */
      m->in_fd = cfg->stdin_open ? created.console_fd : -1;
    }
  if (m->out_fd >= 0)
    pc_set_nonblock (m->out_fd, true);
  if (m->err_fd >= 0)
    pc_set_nonblock (m->err_fd, true);
  if (m->in_fd >= 0 && !m->pty)
    pc_set_nonblock (m->in_fd, true);

  pc_error *start_err = NULL;
  if (cfg->start_now && pc_mon_do_start (m, &start_err) == 0)
    pc_mon_write_start_events (m->dirfd, client_fd >= 0);

  if (pc_mon_write_pid_file (m->dirfd, &err) < 0 || setup_signals (m, &err) < 0)
    {
      m->rt->abort (steal_pointer (&m->ctr));
      unlinkat (m->dirfd, PC_MONITOR_SOCKET, 0);
      unlinkat (m->dirfd, PC_MONITOR_PIDFILE, 0);
      if (cfg->teardown)
        cfg->teardown (cfg->hook_data);
      fail (sync_fd, err);
    }

  /* Before the report: ps shows "starting" once run -d returns. */
  pc_mon_health_start (m);
  /* The CLI's own connection (pc_monitor_spawn_attached) is a client
     before the report: its HELLO is waiting when the CLI reads it. */
  if (client_fd >= 0)
    {
      pc_set_nonblock (client_fd, true);
      pc_mon_client_add (m, client_fd);
    }
  /* The creator reads the report and closes its end: that is no death. */
  unwatch_creator_async (sync_fd);
  report (sync_fd, start_err, m->pid);
  close (sync_fd);
  pc_error_free (start_err);
  /* This process's copy of the spec is not needed any more (the CLI's copy
     is untouched): an idle monitor should not carry it. Freed once the
     CLI has its report (its pages are copied on the frees' writes); the
     heap's holes are plugged until the trim, so what the monitor keeps from
     here on is allocated at the heap's top (trim.c). */
  json_object_put (cfg->spec);
  pc_mon_heap_plug ();
  if (debug_stderr)
    {
      int null = open ("/dev/null", O_WRONLY | O_CLOEXEC);
      if (null >= 0)
        {
          dup2 (null, 2);
          close (null);
        }
    }

  if (!m->started)
    pc_mon_net_up (m, &m->net_err);
  pc_mon_server_start (m);
  pc_mon_io_start (m);
  if (creator_fd >= 0 && !m->started)
    pc_mloop_add (&m->loop, creator_fd, POLLIN, creator_event, m);
  else if (creator_fd >= 0)
    close (creator_fd);
  /* Idle from here on: give back what setting up took (trim.c). */
  pc_mon_trim_arm (m);
  pc_mloop_run (&m->loop);
  /* poll itself failed: nothing sensible is left but to take the
     container down, through the usual end. */
  pc_mon_finish_now (m);
}

/* The monitor must not be the CLI's child (its end would leave a zombie
   the CLI never reaps, which pc_monitor_alive takes for a live monitor):
   an intermediate child calls setsid, forks the monitor and exits. It is
   vfork'ed: it borrows the CLI's memory instead of copying its page tables
   (one fork of the large CLI instead of two), and the CLI, suspended until
   it exits, waited for it anyway. It calls nothing but setsid, fork and
   _exit, from a frame of its own (noinline) that it never returns from. */
static __attribute__ ((noinline)) pid_t
fork_detached (const struct pc_monitor_config *cfg, int sync_fd, int creator_fd, int client_fd)
{
  pid_t mid = vfork ();
  if (mid == 0)
    {
      if (setsid () < 0)
        _exit (1);
      pid_t p = fork ();
      if (p == 0)
        monitor_main (cfg, sync_fd, creator_fd, client_fd);
      _exit (p < 0 ? 1 : 0);
    }
  return mid;
}

static int
spawn (const struct pc_monitor_config *cfg, pid_t *container_pid, pid_t *monitor_pid,
       int *client_fd, pc_error **err)
{
  /* An attach connection made here, not through the socket: no connect,
     accept and HELLO round trip between the spawn and the start. */
  int pair[2] = { -1, -1 };
  if (client_fd && socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
    return pc_error_errno (err, errno, "create the attach connection");
  pc_autoclose int mine = pair[0];
  pc_autoclose int theirs = pair[1];
  int sync[2];
  if (pipe2 (sync, O_CLOEXEC) < 0)
    return pc_error_errno (err, errno, "create monitor sync pipe");
  /* Opened by the creator on itself: the monitor's pidfd of it cannot
     name another process, however late it looks. -1 without pidfds (the
     sync pipe still watches until the report). */
  pc_autoclose int creator = (int) syscall (SYS_pidfd_open, getpid (), 0);
  /* Buffered output would be written twice, once by the monitor. */
  fflush (NULL);
  pid_t mid = fork_detached (cfg, sync[1], creator, theirs);
  if (mid < 0)
    {
      int saved = errno;
      close (sync[0]);
      close (sync[1]);
      return pc_error_errno (err, saved, "fork monitor");
    }
  close (sync[1]);
  pc_autoclose int rfd = sync[0];
  int status;
  while (waitpid (mid, &status, 0) < 0 && errno == EINTR)
    ;
  char msg[8192];
  size_t len = 0;
  while (len < sizeof msg - 1)
    {
      ssize_t r = read (rfd, msg + len, sizeof msg - 1 - len);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return pc_error_errno (err, errno, "read from the monitor");
      if (r == 0)
        break;
      len += (size_t) r;
      if (msg[len - 1] == '\n')
        break;
    }
  if (len == 0)
    return pc_error_make (err, EIO, "the container's monitor exited before it reported");
  pc_autojson json_object *o = pc_json_parse (msg, len, err);
  if (o == NULL)
    return pc_error_wrap (err, "message from the monitor");
  int64_t version = pc_json_get_int (o, "version", 0);
  if (version != PC_MONITOR_SYNC_VERSION)
    return pc_error_make (err, EPROTO, "the container's monitor speaks protocol %lld, this pc speaks %d",
                          (long long) version, PC_MONITOR_SYNC_VERSION);
  const char *emsg = pc_json_get_string (o, "message");
  if (emsg)
    {
      const char *cls = pc_json_get_string (o, "class");
      return pc_error_makec (err, cls ? pc_error_class_from_name (cls) : PC_ERR_GENERIC,
                             (int) pc_json_get_int (o, "errno", EIO), "%s", emsg);
    }
  if (container_pid)
    *container_pid = (pid_t) pc_json_get_int (o, "pid", 0);
  if (monitor_pid)
    *monitor_pid = (pid_t) pc_json_get_int (o, "monitor", 0);
  if (client_fd)
    *client_fd = steal_fd (&mine);
  return 0;
}

int
pc_monitor_spawn (const struct pc_monitor_config *cfg, pid_t *container_pid, pid_t *monitor_pid,
                  pc_error **err)
{
  return spawn (cfg, container_pid, monitor_pid, NULL, err);
}

int
pc_monitor_spawn_attached (const struct pc_monitor_config *cfg, pid_t *container_pid,
                           pid_t *monitor_pid, int *client_fd, pc_error **err)
{
  *client_fd = -1;
  return spawn (cfg, container_pid, monitor_pid, client_fd, err);
}
