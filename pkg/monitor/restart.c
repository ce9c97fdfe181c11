/* The restart policy (--restart), run by the container's monitor itself:
   no service and no cleanup process, the monitor that saw the exit starts
   the container again.

   When the container has exited and its output is drained
   (pc_mon_restart_exited), podman's rules decide: on-failure for a
   non-zero exit code and at most N restarts, always and unless-stopped for
   any exit; never once `pc stop` or `pc kill` left PC_MONITOR_STOPPED_FILE
   (they write it before they signal) or the monitor itself was told to
   stop (SIGTERM). A restart first records the exit as the end of a run is
   always recorded (the exit file, EXIT to the attached clients: an
   attached `pc run --restart` returns with the code, as podman's), lets
   the runtime forget the old container and tears its network down; the
   root filesystem, volumes, the log and the published host ports stay.
   After the backoff (below) the container is created and started again
   from the spec it was first created from, in new namespaces exactly as a
   fresh start makes them; state.json gets the new pid and start time, the
   exit file goes, PC_MONITOR_RESTARTS_FILE counts.

   Backoff: podman 4.3 restarts at once, which for a command that fails at
   once is a busy loop; here the delay doubles from 100 ms for each run
   shorter than 10 s, up to 1 minute, and starts over after a longer run
   (docker's rule). A pc stop or kill during the delay ends the monitor at
   once (it relays a signal, which wakes it). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/proc.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"
#include "pkg/monitor/internal.h"
#include "pkg/monitor/protocol.h"

#define RESTART_DELAY_MIN_MS 100
#define RESTART_DELAY_MAX_MS 60000
#define RESTART_RESET_MS 10000

enum policy
{
  RESTART_NONE,        /* only --health-on-failure=restart restarts */
  RESTART_ON_FAILURE,
  RESTART_ALWAYS,      /* and unless-stopped: nothing restarts containers at boot */
};

struct pc_mon_restart
{
  enum policy policy;
  int max;               /* on-failure:N, 0 = no limit */
  char *spec_json;       /* the spec as the first create got it */
  int *fwd_fds;          /* the published ports' sockets (net stop closes the used ones) */
  int passthrough[3];    /* log driver passthrough: the container's stdio, or -1 */
  unsigned count;        /* restarts so far */
  unsigned quick;        /* runs in a row shorter than RESTART_RESET_MS */
  int64_t run_start_ms;  /* monotonic start of the current run */
  int64_t due_ms;        /* the restart's time while waiting, else -1 */
  bool cancelled;        /* the monitor is being stopped: no restart */
  bool forced;           /* --health-on-failure=restart: the next exit restarts */
  struct pc_monitor *m;  /* the timer hook's data is this struct, apart from m's hooks */
};

void
pc_mon_restart_init (struct pc_monitor *m, json_object *spec)
{
  const struct pc_monitor_config *cfg = m->cfg;
  const char *p = pc_json_get_string (pc_json_get (spec, "annotations"), PC_MONITOR_RESTART_ANNOTATION);
  enum policy policy = RESTART_NONE;
  int max = 0;
  if (p && (strcmp (p, "always") == 0 || strcmp (p, "unless-stopped") == 0))
    policy = RESTART_ALWAYS;
  else if (p && strncmp (p, "on-failure", 10) == 0 && (p[10] == '\0' || p[10] == ':'))
    {
      policy = RESTART_ON_FAILURE;
      max = p[10] == ':' ? atoi (p + 11) : 0;
    }
  else if (p)
    pc_monitor_log ("unknown restart policy \"%s\": not restarting", p);
  if (policy == RESTART_NONE
      && !(cfg->health && cfg->health->on_failure == PC_HEALTH_ON_FAILURE_RESTART))
    return;
  struct pc_mon_restart *r = xmalloc0 (sizeof *r);
  r->policy = policy;
  r->max = max < 0 ? 0 : max;
  r->spec_json = xstrdup (json_object_to_json_string_ext (spec, JSON_C_TO_STRING_PLAIN));
  r->fwd_fds = xmalloc0 ((cfg->n_forwards + 1) * sizeof *r->fwd_fds);
  for (size_t i = 0; i < cfg->n_forwards; i++)
    r->fwd_fds[i] = fcntl (cfg->forwards[i].fd, F_DUPFD_CLOEXEC, 3);
  for (int i = 0; i < 3; i++)
    r->passthrough[i] = cfg->passthrough_fds[i] >= 0 ? fcntl (cfg->passthrough_fds[i], F_DUPFD_CLOEXEC, 3) : -1;
  r->due_ms = -1;
  r->run_start_ms = pc_monotonic_ms ();
  r->m = m;
  m->restart = r;
}

bool
pc_mon_restart_waiting (const struct pc_monitor *m)
{
  return m->restart != NULL && m->restart->due_ms >= 0;
}

static bool
stopped_by_user (struct pc_monitor *m)
{
  return faccessat (m->dirfd, PC_MONITOR_STOPPED_FILE, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

static bool
wanted (struct pc_monitor *m)
{
  struct pc_mon_restart *r = m->restart;
  if (r == NULL || r->cancelled || stopped_by_user (m))
    return false;
  /* A command that cannot run will not run the next time either. */
  if (m->start_status != 0)
    return false;
  if (r->forced)
    {
      r->forced = false;
      return true;
    }
  if (r->policy == RESTART_NONE)
    return false;
  if (r->policy == RESTART_ON_FAILURE)
    return m->exit_code != 0 && (r->max <= 0 || r->count < (unsigned) r->max);
  return true;
}

bool
pc_mon_restart_force (struct pc_monitor *m)
{
  if (m->restart == NULL)
    return false;
  m->restart->forced = true;
  return true;
}

void
pc_mon_restart_signal (struct pc_monitor *m, int signo)
{
  if (m->restart == NULL)
    return;
  if (signo == SIGTERM || signo == SIGINT)
    m->restart->cancelled = true;
  if (pc_mon_restart_waiting (m) && (m->restart->cancelled || stopped_by_user (m)))
    pc_mon_finish (m);
}

static void restart_now (struct pc_monitor *m);

static void
timer_prepare (struct pc_mloop *l, int *timeout_ms, void *data)
{
  struct pc_monitor *m = ((struct pc_mon_restart *) data)->m;
  int64_t left = m->restart->due_ms - pc_monotonic_ms ();
  if (left < 0)
    left = 0;
  if (*timeout_ms < 0 || left < *timeout_ms)
    *timeout_ms = (int) left;
}

static void
timer_check (struct pc_mloop *l, const struct pollfd *pfd, size_t n, bool poll_failed, void *data)
{
  struct pc_monitor *m = ((struct pc_mon_restart *) data)->m;
  if (pc_mon_restart_waiting (m) && pc_monotonic_ms () >= m->restart->due_ms)
    restart_now (m);
}

bool
pc_mon_restart_exited (struct pc_monitor *m)
{
  if (!wanted (m))
    return false;
  struct pc_mon_restart *r = m->restart;
  /* The run is over as any run ends, except for what the next one keeps
     (root, volumes, log, host ports). */
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
  /* Output that is not at its end yet (a process outside the container
     holds the pipe) belongs to the old run; so does its stdin. */
  int *outs[] = { &m->out_fd, &m->err_fd };
  for (size_t i = 0; i < 2; i++)
    if (*outs[i] >= 0)
      {
        if (m->in_fd == *outs[i])
          m->in_fd = -1;
        pc_mloop_remove (&m->loop, *outs[i]);
        close (*outs[i]);
        *outs[i] = -1;
      }
  if (m->pty)
    m->in_fd = -1;
  else
    pc_mon_stdin_close (m);
  pc_mon_net_stop (m);
  if (m->seccomp_fd >= 0)
    close (m->seccomp_fd);
  m->seccomp_fd = -1;
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  pc_error *err = NULL;
  if (pc_mon_write_exit_file (m->dirfd, m->exit_code, &now, &err) < 0)
    {
      pc_monitor_log_error (err, "record the container's exit status");
      pc_error_clear (&err);
    }
  pc_mon_send_exit (m);
  int64_t ran = pc_monotonic_ms () - r->run_start_ms;
  r->quick = ran < RESTART_RESET_MS ? r->quick + 1 : 0;
  int64_t delay = RESTART_DELAY_MIN_MS;
  for (unsigned i = 1; i < r->quick && delay < RESTART_DELAY_MAX_MS; i++)
    delay *= 2;
  if (delay > RESTART_DELAY_MAX_MS)
    delay = RESTART_DELAY_MAX_MS;
  r->due_ms = pc_monotonic_ms () + delay;
  pc_mloop_add_hook (&m->loop, timer_prepare, timer_check, r);
  return true;
}

static int
write_state (struct pc_monitor *m, const struct timespec *started, pc_error **err)
{
  pid_t self = getpid ();
  pc_autofree char *when = pc_time_format_rfc3339 (started);
  pc_autofree char *st = xasprintf ("{\"Pid\":%d,\"PidStart\":%llu,\"MonitorPid\":%d,\"MonitorStart\":%llu,"
                                    "\"StartedAt\":\"%s\"}",
                                    (int) m->pid, pc_monitor_proc_start_time (m->pid), (int) self,
                                    pc_monitor_proc_start_time (self), when);
  return pc_mon_write_file (m->dirfd, "state.json", st, strlen (st), err);
}

/* The container's stdio for the new run, as monitor_main makes it. */
static int
make_stdio (struct pc_monitor *m, struct pc_runtime_io *io, int child[3], pc_error **err)
{
  const struct pc_monitor_config *cfg = m->cfg;
  *io = (struct pc_runtime_io) { -1, -1, -1, cfg->terminal };
  child[0] = child[1] = child[2] = -1;
  if (cfg->terminal)
    return 0;
  if (m->restart->passthrough[0] >= 0 || m->restart->passthrough[1] >= 0 || m->restart->passthrough[2] >= 0)
    {
      io->stdin_fd = m->restart->passthrough[0];
      io->stdout_fd = m->restart->passthrough[1];
      io->stderr_fd = m->restart->passthrough[2];
      return 0;
    }
  int out_p[2], err_p[2], in_p[2] = { -1, -1 };
  if (pipe2 (out_p, O_CLOEXEC) < 0)
    return pc_error_errno (err, errno, "create stdio pipe");
  if (pipe2 (err_p, O_CLOEXEC) < 0)
    {
      close (out_p[0]);
      close (out_p[1]);
      return pc_error_errno (err, errno, "create stdio pipe");
    }
  if (cfg->stdin_open && pipe2 (in_p, O_CLOEXEC) < 0)
    {
      int saved = errno;
      close (out_p[0]), close (out_p[1]), close (err_p[0]), close (err_p[1]);
      return pc_error_errno (err, saved, "create stdio pipe");
    }
  io->stdin_fd = child[0] = in_p[0];
  io->stdout_fd = child[1] = out_p[1];
  io->stderr_fd = child[2] = err_p[1];
  m->in_fd = in_p[1];
  m->out_fd = out_p[0];
  m->err_fd = err_p[0];
  return 0;
}

/* --pidfile (annotation run.pc.pidfile, pkg/engine/run-extras.c; relative
   to the state dir): the new run's pid, replaced whole. */
static void
write_pidfile (struct pc_monitor *m, json_object *spec)
{
  const char *pf = pc_json_get_string (pc_json_get (spec, "annotations"), "run.pc.pidfile");
  if (pf == NULL || *pf == '\0')
    return;
  char buf[24];
  int n = snprintf (buf, sizeof buf, "%d", (int) m->pid);
  pc_autofree char *tmp = xasprintf ("%s.%d.tmp", pf, (int) getpid ());
  int fd = openat (m->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0)
    return;
  bool ok = write (fd, buf, (size_t) n) == n;
  close (fd);
  if (!ok || renameat (m->dirfd, tmp, m->dirfd, pf) < 0)
    unlinkat (m->dirfd, tmp, 0);
}

static int
run_again (struct pc_monitor *m, pc_error **err)
{
  struct pc_mon_restart *r = m->restart;
  const struct pc_monitor_config *cfg = m->cfg;
  pc_autojson json_object *spec = pc_json_parse (r->spec_json, strlen (r->spec_json), err);
  if (spec == NULL)
    return -1;
  struct pc_runtime_io io;
  int child[3];
  if (make_stdio (m, &io, child, err) < 0)
    return -1;
  struct pc_runtime_created created;
  int rc = m->rt->create (spec, &io, &m->ctr, &created, err);
  for (int i = 0; i < 3; i++)
    if (child[i] >= 0)
      close (child[i]);
  if (rc < 0)
    return -1;
  m->pid = created.pid;
  m->seccomp_fd = created.seccomp_fd;
  if (created.tap_fd >= 0)
    close (created.tap_fd);
  for (size_t i = 0; i < cfg->n_forwards; i++)
    cfg->forwards[i].fd = r->fwd_fds[i] >= 0 ? fcntl (r->fwd_fds[i], F_DUPFD_CLOEXEC, 3) : -1;
  rc = pc_mon_net_prepare (m, spec, &created.netns_fd, err);
  if (created.netns_fd >= 0)
    close (created.netns_fd);
  if (rc == 0)
    rc = pc_mon_net_up (m, err);
  if (rc < 0)
    {
      m->rt->abort (steal_pointer (&m->ctr));
      return -1;
    }
  if (m->pty)
    {
      m->out_fd = created.console_fd;
      m->in_fd = cfg->stdin_open ? created.console_fd : -1;
    }
  if (m->out_fd >= 0)
    pc_set_nonblock (m->out_fd, true);
  if (m->err_fd >= 0)
    pc_set_nonblock (m->err_fd, true);
  if (m->in_fd >= 0 && !m->pty)
    pc_set_nonblock (m->in_fd, true);
  m->exited = false;
  m->started = false;
  m->start_status = 0;
  m->start_class = PC_ERR_GENERIC;
  m->exit_code = 0;
  struct timespec started;
  clock_gettime (CLOCK_REALTIME, &started);
  pc_error *serr = NULL;
  if (pc_mon_do_start (m, &serr) < 0)
    {
      /* The process is there and will exit: the usual reap records it
         (127/126), and wanted() says no more restarts. */
      pc_monitor_log_error (serr, "restart the container");
      pc_error_free (serr);
    }
  r->run_start_ms = pc_monotonic_ms ();
  /* The new pid first, then the exit goes: a reader sees the old exit or
     the new run, never a running container without its pid. */
  if (write_state (m, &started, err) < 0)
    pc_monitor_log_error (*err, "record the restarted container's pid"), pc_error_clear (err);
  write_pidfile (m, spec);
  unlinkat (m->dirfd, PC_MONITOR_EXITFILE, 0);
  pc_mon_io_add_stdio (m);
  pc_mon_health_restarted (m);
  return 0;
}

static void
restart_now (struct pc_monitor *m)
{
  struct pc_mon_restart *r = m->restart;
  pc_mloop_remove_hook (&m->loop, r);
  r->due_ms = -1;
  if (r->cancelled || stopped_by_user (m))
    pc_mon_finish (m);
  r->count++;
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%u\n", r->count);
  pc_error *err = NULL;
  if (pc_mon_write_file (m->dirfd, PC_MONITOR_RESTARTS_FILE, buf, (size_t) n, &err) < 0)
    {
      pc_monitor_log_error (err, "record the restart count");
      pc_error_clear (&err);
    }
  if (run_again (m, &err) < 0)
    {
      /* As podman: a restart that fails leaves the container exited. */
      pc_monitor_log_error (err, "restart the container");
      pc_error_free (err);
      m->exited = true;
      pc_mon_finish (m);
    }
}
