/* Starting a monitor: the CLI double-forks, the grandchild (setsid, not the
   CLI's child) becomes the monitor, creates the container through
   pkg/runtime and reports over a CLOEXEC pipe:
     {"pid":N,"monitor":M}            container created (and exec'd if start_now)
     {"errno":E,"message":"..."}      it failed
   No exec, no sleeps: the CLI waits only for that one message. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
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
report (int sync_fd, int status, const char *msg, pid_t pid)
{
  json_object *o = json_object_new_object ();
  if (msg)
    {
      json_object_object_add (o, "errno", json_object_new_int (status ? status : EIO));
      json_object_object_add (o, "message", json_object_new_string (msg));
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
  report (sync_fd, err ? err->status : EIO, err ? err->msg : "monitor failed", 0);
  _exit (1);
}

static int
cmp_int (const void *a, const void *b)
{
  return *(const int *) a - *(const int *) b;
}

/* Closes every fd but those in keep (and 0-2, pointed at /dev/null unless kept). */
static void
close_inherited (int *keep, size_t n)
{
  qsort (keep, n, sizeof *keep, cmp_int);
  int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd = 0; fd < 3; fd++)
    {
      bool kept = false;
      for (size_t i = 0; i < n; i++)
        kept |= keep[i] == fd;
      if (!kept && null >= 0 && null != fd)
        dup2 (null, fd);
    }
  if (null > 2)
    close (null);
  unsigned int from = 3;
  for (size_t i = 0; i <= n; i++)
    {
      unsigned int to = i < n ? (unsigned int) keep[i] : ~0U;
      if (i < n && keep[i] < 3)
        continue;
      if (to > from)
        syscall (SYS_close_range, from, to - 1, 0);
      from = to + 1;
    }
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
  if (sigprocmask (SIG_BLOCK, &set, NULL) < 0)
    return pc_error_errno (err, errno, "block signals");
  m->sig_fd = signalfd (-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (m->sig_fd < 0)
    return pc_error_errno (err, errno, "signalfd");
  signal (SIGHUP, SIG_IGN);
  signal (SIGPIPE, SIG_IGN);
  return 0;
}

static int
make_pipe (int fds[2], pc_error **err)
{
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return pc_error_errno (err, errno, "create stdio pipe");
  return 0;
}

static void monitor_main (const struct pc_monitor_config *cfg, int sync_fd)
  __attribute__ ((noreturn));

static void
monitor_main (const struct pc_monitor_config *cfg, int sync_fd)
{
  static struct pc_monitor mon;
  struct pc_monitor *m = &mon;
  pc_error *err = NULL;
  const char *driver = cfg->log_driver ? cfg->log_driver : "k8s-file";
  bool passthrough = strcmp (driver, "passthrough") == 0;

  reset_signals ();
  int keep[5];
  size_t nkeep = 0;
  keep[nkeep++] = sync_fd;
  /* With --log-level debug the runtime's setup lines reach the user's
     stderr; it is let go as soon as the CLI has its report. */
  bool debug_stderr = pc_log_get_level () >= PC_LOG_DEBUG && !passthrough;
  if (debug_stderr)
    keep[nkeep++] = 2;
  if (passthrough)
    for (int i = 0; i < 3; i++)
      if (cfg->passthrough_fds[i] >= 0)
        keep[nkeep++] = cfg->passthrough_fds[i];
  close_inherited (keep, nkeep);

  memset (m, 0, sizeof *m);
  m->cfg = cfg;
  m->in_fd = m->out_fd = m->err_fd = m->listen_fd = m->sig_fd = -1;
  m->log.fd = -1;
  pc_mloop_init (&m->loop);
  tzset ();

  m->dirfd = open (cfg->state_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (m->dirfd < 0)
    {
      pc_error_errno (&err, errno, "open state directory `%s`", cfg->state_dir);
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

  if (pc_runtime_create (cfg->spec, &io, &m->proc, &err) < 0)
    {
      unlinkat (m->dirfd, PC_MONITOR_SOCKET, 0);
      fail (sync_fd, err);
    }
  /* This process's copy of the spec is not needed any more (the CLI's copy
     is untouched): an idle monitor should not carry it. */
  json_object_put (cfg->spec);
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
      m->out_fd = m->proc.console_fd;
      /* -t without -i: the terminal's input is not the clients'. */
      m->in_fd = cfg->stdin_open ? m->proc.console_fd : -1;
    }
  if (m->out_fd >= 0)
    pc_set_nonblock (m->out_fd, true);
  if (m->err_fd >= 0)
    pc_set_nonblock (m->err_fd, true);
  if (m->in_fd >= 0 && !m->pty)
    pc_set_nonblock (m->in_fd, true);

  pc_error *start_err = NULL;
  if (cfg->start_now)
    pc_mon_do_start (m, &start_err);

  if (pc_mon_write_pid_file (m->dirfd, &err) < 0 || setup_signals (m, &err) < 0)
    {
      kill (m->proc.pid, SIGKILL);
      unlinkat (m->dirfd, PC_MONITOR_SOCKET, 0);
      unlinkat (m->dirfd, PC_MONITOR_PIDFILE, 0);
      fail (sync_fd, err);
    }

  if (start_err)
    report (sync_fd, start_err->status, start_err->msg, 0);
  else
    report (sync_fd, 0, NULL, m->proc.pid);
  close (sync_fd);
  pc_error_free (start_err);
  if (debug_stderr)
    {
      int null = open ("/dev/null", O_WRONLY | O_CLOEXEC);
      if (null >= 0)
        {
          dup2 (null, 2);
          close (null);
        }
    }

  pc_mon_server_start (m);
  pc_mon_io_start (m);
  /* Idle from here on: give back what setting up took. */
  malloc_trim (0);
  pc_mloop_run (&m->loop);
  /* poll itself failed: nothing sensible is left but to take the
     container down with us (PDEATHSIG). */
  _exit (1);
}

int
pc_monitor_spawn (const struct pc_monitor_config *cfg, pid_t *container_pid, pid_t *monitor_pid,
                  pc_error **err)
{
  int sync[2];
  if (pipe2 (sync, O_CLOEXEC) < 0)
    return pc_error_errno (err, errno, "create monitor sync pipe");
  /* Buffered output would be written twice, once by the monitor. */
  fflush (NULL);
  pid_t mid = fork ();
  if (mid < 0)
    {
      int saved = errno;
      close (sync[0]);
      close (sync[1]);
      return pc_error_errno (err, saved, "fork monitor");
    }
  if (mid == 0)
    {
      close (sync[0]);
      if (setsid () < 0)
        _exit (1);
      pid_t p = fork ();
      if (p < 0)
        _exit (1);
      if (p == 0)
        monitor_main (cfg, sync[1]);
      _exit (0);
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
  const char *emsg = pc_json_get_string (o, "message");
  if (emsg)
    return pc_error_make (err, (int) pc_json_get_int (o, "errno", EIO), "%s", emsg);
  if (container_pid)
    *container_pid = (pid_t) pc_json_get_int (o, "pid", 0);
  if (monitor_pid)
    *monitor_pid = (pid_t) pc_json_get_int (o, "monitor", 0);
  return 0;
}
