/* The container side of the monitor: its output to the log and the attach
   clients, input from the clients to its stdin or pty, the signalfd, and
   recording the end. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/monitor/internal.h"
#include "pkg/monitor/protocol.h"

static void finish (struct pc_monitor *m) __attribute__ ((noreturn));
static void set_stdin_pending (struct pc_monitor *m, const char *data, size_t len);

static void
close_output (struct pc_monitor *m, int *fd)
{
  pc_mloop_remove (&m->loop, *fd);
  if (m->pty && m->in_fd == *fd)
    {
      /* The pty is gone: so is its input side. */
      set_stdin_pending (m, NULL, 0);
      m->in_fd = -1;
    }
  close (*fd);
  *fd = -1;
}

/* Reads once from fd. Returns bytes read, 0 at EOF (fd closed), -1 when
   nothing is there now. */
static ssize_t
read_output (struct pc_monitor *m, int *fd)
{
  char buf[PC_MONITOR_PKT_MAX - 1];
  ssize_t r;
  do
    r = read (*fd, buf, sizeof buf);
  while (r < 0 && errno == EINTR);
  if (r < 0 && errno == EAGAIN)
    return -1;
  if (r <= 0)
    {
      /* EOF, or EIO from a pty master whose last slave is closed. */
      close_output (m, fd);
      return 0;
    }
  bool is_err = fd == &m->err_fd;
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  pc_error *err = NULL;
  if (pc_k8s_write (&m->log, is_err, buf, (size_t) r, &now, &err) < 0)
    {
      /* A full disk must not stop the container: the relay goes on, and
         the user learns once per run of failures what is missing. */
      if (!m->log_failing)
        pc_monitor_log ("the container's output is not being logged to `%s`: %s",
                        m->cfg->log_path, err ? err->msg : "write failed");
      m->log_failing = true;
      m->log_failures++;
      pc_error_free (err);
    }
  else if (m->log_failing)
    {
      pc_monitor_log ("logging to `%s` works again after %lu failed writes", m->cfg->log_path,
                      m->log_failures);
      m->log_failing = false;
      m->log_failures = 0;
    }
  pc_mon_broadcast (m, is_err ? PC_MSG_STDERR : PC_MSG_STDOUT, buf, (size_t) r);
  return r;
}

static void flush_stdin (struct pc_monitor *m);

static void
output_event (struct pc_mloop *l, int fd, short revents, void *data)
{
  struct pc_monitor *m = data;
  if (m->pty && fd == m->out_fd && (revents & POLLOUT))
    flush_stdin (m);
  if (fd == m->out_fd && (revents & (POLLIN | POLLHUP | POLLERR)))
    read_output (m, &m->out_fd);
  else if (fd == m->err_fd && (revents & (POLLIN | POLLHUP | POLLERR)))
    read_output (m, &m->err_fd);
}

static short
out_events (struct pc_monitor *m, int fd)
{
  short ev = m->blocked_clients ? 0 : POLLIN;
  if (m->pty && fd == m->out_fd && m->in_pending)
    ev |= POLLOUT;
  return ev;
}

void
pc_mon_output_pause (struct pc_monitor *m, bool pause)
{
  (void) pause;
  if (m->out_fd >= 0)
    pc_mloop_set_events (&m->loop, m->out_fd, out_events (m, m->out_fd));
  if (m->err_fd >= 0)
    pc_mloop_set_events (&m->loop, m->err_fd, out_events (m, m->err_fd));
}

static void
stdin_event (struct pc_mloop *l, int fd, short revents, void *data)
{
  flush_stdin (data);
}

static void
set_stdin_pending (struct pc_monitor *m, const char *data, size_t len)
{
  bool was = m->in_pending != NULL;
  if (len == 0)
    {
      free (m->in_pending);
      m->in_pending = NULL;
      m->in_pending_len = 0;
    }
  else
    {
      char *p = xmalloc (len);
      memcpy (p, data, len);
      free (m->in_pending);
      m->in_pending = p;
      m->in_pending_len = len;
    }
  bool now = m->in_pending != NULL;
  if (was == now)
    return;
  /* While the container does not read its input, clients are not read. */
  pc_mon_clients_pause (m, now);
  if (m->pty)
    pc_mon_output_pause (m, false);
  else if (m->in_fd >= 0)
    pc_mloop_set_events (&m->loop, m->in_fd, now ? POLLOUT : 0);
}

/* Writes as much as the pipe or pty takes; keeps the rest. */
static void
write_stdin (struct pc_monitor *m, const char *data, size_t len)
{
  while (len > 0)
    {
      ssize_t r = write (m->in_fd, data, len);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0 && errno == EAGAIN)
        break;
      if (r < 0)
        {
          /* The container closed its stdin: input is dropped from now on. */
          if (!m->pty)
            pc_mon_stdin_close (m);
          len = 0;
          break;
        }
      data += r;
      len -= (size_t) r;
    }
  set_stdin_pending (m, data, len);
}

static void
flush_stdin (struct pc_monitor *m)
{
  /* set_stdin_pending copies what is left before it frees the old buffer. */
  if (m->in_pending && m->in_fd >= 0)
    write_stdin (m, m->in_pending, m->in_pending_len);
}

void
pc_mon_stdin_write (struct pc_monitor *m, const char *data, size_t len)
{
  if (m->in_fd < 0 || len == 0)
    return;
  if (m->in_pending)
    {
      /* Only reachable if a client sent before its pause took effect. */
      size_t n = m->in_pending_len + len;
      char *p = xmalloc (n);
      memcpy (p, m->in_pending, m->in_pending_len);
      memcpy (p + m->in_pending_len, data, len);
      free (m->in_pending);
      m->in_pending = p;
      m->in_pending_len = n;
      return;
    }
  write_stdin (m, data, len);
}

void
pc_mon_stdin_close (struct pc_monitor *m)
{
  if (m->pty || m->in_fd < 0)
    return;
  if (m->in_pending)
    set_stdin_pending (m, NULL, 0);
  pc_mloop_remove (&m->loop, m->in_fd);
  close (m->in_fd);
  m->in_fd = -1;
}

int
pc_mon_do_start (struct pc_monitor *m, pc_error **err)
{
  if (m->started)
    {
      if (m->start_status)
        return pc_error_makec (err, m->start_class, m->start_status, "container failed to start");
      return 0;
    }
  m->started = true;
  /* The network came up after the report (net.c); without it, no start:
     the container is taken down through the usual end. */
  if (m->net_err)
    {
      m->rt->kill (m->ctr, SIGKILL, NULL);
      m->start_status = m->net_err->status ? m->net_err->status : EIO;
      m->start_class = pc_error_class_of (m->net_err);
      *err = steal_pointer (&m->net_err);
      return -1;
    }
  if (m->rt->start (m->ctr, err) < 0)
    {
      m->start_status = (*err && (*err)->status) ? (*err)->status : EIO;
      m->start_class = pc_error_class_of (*err);
      return -1;
    }
  return 0;
}

/* Non-blocking reads of whatever is left. Returns true when nothing is left
   (or the clients cannot take more: the loop resumes when they can). */
static bool
drain (struct pc_monitor *m)
{
  int *fds[] = { &m->out_fd, &m->err_fd };
  for (size_t i = 0; i < 2; i++)
    while (*fds[i] >= 0)
      {
        if (m->blocked_clients)
          return false;
        if (read_output (m, fds[i]) < 0)
          break;
      }
  return true;
}

static void
container_exited (struct pc_monitor *m, int status)
{
  m->exited = true;
  if (WIFEXITED (status))
    m->exit_code = WEXITSTATUS (status);
  else if (WIFSIGNALED (status))
    m->exit_code = 128 + WTERMSIG (status);
  else
    m->exit_code = 255;
  if (m->start_class == PC_ERR_CMD_NOT_FOUND)
    m->exit_code = 127;
  else if (m->start_class == PC_ERR_CANNOT_INVOKE)
    m->exit_code = 126;
  else if (m->start_status == ENOENT)
    m->exit_code = 127;
  else if (m->start_status)
    m->exit_code = 126;
}

/* The monitor is a child subreaper: besides the container it reaps what
   its hooks started (a fuse-overlayfs daemon) and whatever was orphaned
   below it. Only the container's pid is the container's exit. Code in the
   monitor that waits for a child of its own does so synchronously, outside
   the loop, so nothing here takes a status someone waits for. */
static void
reap (struct pc_monitor *m)
{
  for (;;)
    {
      int status;
      pid_t r = waitpid (-1, &status, WNOHANG);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return;
      if (r == m->pid && !m->exited)
        container_exited (m, status);
      else if (r != m->pid && !pc_mon_exec_reaped (m, r, status))
        pc_mon_health_reaped (m, r, status);
    }
}

static void
signal_event (struct pc_mloop *l, int fd, short revents, void *data)
{
  struct pc_monitor *m = data;
  struct signalfd_siginfo si;
  while (read (fd, &si, sizeof si) == (ssize_t) sizeof si)
    {
      /* No restart after this; one in its backoff may end here. */
      pc_mon_restart_signal (m, (int) si.ssi_signo);
      if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
        {
          /* The monitor is being stopped: a container never outlives it. */
          if (!m->exited)
            m->rt->kill (m->ctr, SIGKILL, NULL);
        }
      else if ((int) si.ssi_signo == pc_monitor_relay_signo () && si.ssi_code == SI_QUEUE
               && si.ssi_int > 0 && si.ssi_int < 65 && !m->exited)
        /* A pc command's signal for the container (relay.c); one that
           arrives as it exits finds it gone, which is no error. */
        m->rt->kill (m->ctr, si.ssi_int, NULL);
    }
  reap (m);
}

static void
after_poll (struct pc_mloop *l, const struct pollfd *pfd, size_t n, bool poll_failed, void *data)
{
  struct pc_monitor *m = data;
  if (m->exited && !pc_mon_restart_waiting (m) && drain (m) && !pc_mon_restart_exited (m))
    finish (m);
}

void
pc_mon_io_add_stdio (struct pc_monitor *m)
{
  if (m->out_fd >= 0)
    pc_mloop_add (&m->loop, m->out_fd, out_events (m, m->out_fd), output_event, m);
  if (m->err_fd >= 0)
    pc_mloop_add (&m->loop, m->err_fd, out_events (m, m->err_fd), output_event, m);
  if (m->in_fd >= 0 && !m->pty)
    pc_mloop_add (&m->loop, m->in_fd, 0, stdin_event, m);
}

void
pc_mon_io_start (struct pc_monitor *m)
{
  pc_mon_io_add_stdio (m);
  pc_mloop_add (&m->loop, m->sig_fd, POLLIN, signal_event, m);
  pc_mloop_add_hook (&m->loop, NULL, after_poll, m);
  /* A container that died before the signalfd existed. */
  reap (m);
  if (m->exited && drain (m) && !pc_mon_restart_exited (m))
    finish (m);
}

void
pc_mon_finish (struct pc_monitor *m)
{
  finish (m);
}

static void
finish (struct pc_monitor *m)
{
  /* The container is reaped: the runtime lets go of it (`runc delete`)
     before teardown unmounts its root. */
  if (m->ctr != NULL)
    {
      pc_error *derr = NULL;
      if (m->rt->delete (m->ctr, &derr) < 0)
        {
          pc_monitor_log_error (derr, "delete the container from its runtime");
          pc_error_free (derr);
          m->rt->abort (m->ctr);
        }
      m->ctr = NULL;
    }
  /* What must be free when `pc wait` returns (mounts, published ports,
     the network's sockets) is released before the exit file says the
     container is gone. */
  pc_mon_net_stop (m);
  if (m->cfg->teardown)
    m->cfg->teardown (m->cfg->hook_data);
  if (m->log_failing)
    pc_monitor_log ("%lu writes to the container's log `%s` failed", m->log_failures,
                    m->cfg->log_path);
  pc_k8s_writer_close (&m->log);
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  pc_error *err = NULL;
  if (pc_mon_write_exit_file (m->dirfd, m->exit_code, &now, &err) < 0)
    {
      pc_monitor_log_error (err, "record the container's exit status");
      pc_error_clear (&err);
    }
  pc_mon_send_exit (m);
  if (m->listen_fd >= 0)
    close (m->listen_fd);
  unlinkat (m->dirfd, PC_MONITOR_SOCKET, 0);
  if (m->cfg->on_exit)
    m->cfg->on_exit (m->cfg->on_exit_data, m->exit_code);
  unlinkat (m->dirfd, PC_MONITOR_PIDFILE, 0);
  _exit (0);
}

void
pc_mon_finish_now (struct pc_monitor *m)
{
  /* The loop cannot go on: the container does not outlive its monitor,
     and the end is recorded as always. */
  pc_monitor_log ("the monitor's poll loop failed: %s", strerror (errno));
  if (!m->exited && m->ctr != NULL)
    {
      m->rt->kill (m->ctr, SIGKILL, NULL);
      int status;
      pid_t r;
      do
        r = waitpid (m->pid, &status, 0);
      while (r < 0 && errno == EINTR);
      if (r == m->pid)
        container_exited (m, status);
      else
        m->exit_code = 137;
    }
  finish (m);
}
