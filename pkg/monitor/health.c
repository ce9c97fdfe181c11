/* The container's healthcheck, run by its monitor on its own timer: no
   systemd timer, no thread. One timerfd in the poll loop does three jobs
   in turn: the wait for the next check (interval after the last one
   ended), the deadline of the check that runs (timeout), and, for
   --health-on-failure=stop, the grace before SIGKILL. The check runs in
   the container the way an exec session does (pkg/monitor/exec.c): the
   runtime's exec on the monitor's handle of the container, with the
   process of the container's config.json (user, env, cwd, capabilities,
   seccomp) and the healthcheck's argv; its stdout and stderr go to one
   pipe the loop reads. The monitor reaps it.

   Results: DIR/health.json (the container's data dir), podman's
   .State.Health object {"Status","FailingStreak","Log":[{"Start","End",
   "ExitCode","Output"}]}, the last 5 checks, written by rename. The
   monitor is its only writer while the container runs (pc healthcheck run
   asks the monitor, PC_MSG_HEALTHCHECK), so no lock is needed.

   Nothing here is allocated for a container without a healthcheck. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/proc.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"
#include "pkg/monitor/internal.h"
#include "pkg/monitor/protocol.h"

#define HEALTH_FILE "health.json"
/* podman's MaxHealthCheckLogLength and MaxHealthCheckNumberLogs */
#define HEALTH_OUTPUT_MAX 500
#define HEALTH_LOG_MAX 5
#define HEALTH_WAITERS_MAX 16

enum phase
{
  PHASE_IDLE,       /* the timer is the next check (or off: interval 0) */
  PHASE_CHECKING,   /* a check runs; the timer is its deadline */
  PHASE_STOPPING,   /* on-failure stop: the timer is the SIGKILL */
  PHASE_DONE,       /* on-failure acted: no more checks */
};

struct health
{
  const struct pc_monitor_health *cfg;
  int tfd;                    /* timerfd, CLOCK_MONOTONIC */
  int dirfd;                  /* cfg->dir, O_PATH */
  int64_t start_period_end;   /* monotonic ns */
  enum phase phase;
  /* The check that runs. */
  pid_t pid;
  struct pc_runtime_ctr *proc;
  int out_fd;
  bool timed_out;
  struct timespec t_start;
  int64_t check_mono;
  char out[HEALTH_OUTPUT_MAX + 16];
  size_t out_len;
  /* Clients of pc healthcheck run waiting for it (their fds). */
  int waiters[HEALTH_WAITERS_MAX];
  size_t n_waiters;
};

static struct health *hs;

static int64_t
mono_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
arm (int64_t ns)
{
  struct itimerspec it = { 0 };
  if (ns > 0)
    {
      it.it_value.tv_sec = ns / 1000000000;
      it.it_value.tv_nsec = ns % 1000000000;
    }
  else if (ns == 0)
    it.it_value.tv_nsec = 1;   /* at once */
  /* ns < 0: disarmed */
  timerfd_settime (hs->tfd, 0, &it, NULL);
}

static void
arm_next_check (void)
{
  arm (hs->cfg->interval_ns > 0 ? hs->cfg->interval_ns : -1);
}

/* Go's time.Duration String(): "1s", "1.5s", "1m30s", "500ms", "2h0m0s". */
static void
go_duration (int64_t ns, char *buf, size_t size)
{
  if (ns < 1000000000)
    {
      if (ns % 1000000 == 0)
        snprintf (buf, size, "%lldms", (long long) (ns / 1000000));
      else if (ns % 1000 == 0)
        snprintf (buf, size, "%lldµs", (long long) (ns / 1000));
      else
        snprintf (buf, size, "%lldns", (long long) ns);
      return;
    }
  int64_t h = ns / 3600000000000LL, rest = ns % 3600000000000LL;
  int64_t m = rest / 60000000000LL;
  rest %= 60000000000LL;
  char secs[40];
  int n = snprintf (secs, sizeof secs, "%lld.%09lld", (long long) (rest / 1000000000),
                    (long long) (rest % 1000000000));
  while (n > 0 && secs[n - 1] == '0')
    secs[--n] = '\0';
  if (n > 0 && secs[n - 1] == '.')
    secs[--n] = '\0';
  if (h)
    snprintf (buf, size, "%lldh%lldm%ss", (long long) h, (long long) m, secs);
  else if (m)
    snprintf (buf, size, "%lldm%ss", (long long) m, secs);
  else
    snprintf (buf, size, "%ss", secs);
}

static char *
rfc3339 (const struct timespec *t)
{
  char ts[PC_K8S_TS_MAX], go[PC_K8S_TS_MAX];
  size_t tl = pc_k8s_format_timestamp (t, ts);
  pc_k8s_go_timestamp (ts, tl, go);
  return xstrdup (go);
}

/* podman reads the output line by line (bufio.Scanner: "\n" or "\r\n"
   ends a line) and joins the lines with "\n", then keeps 500 bytes. */
static json_object *
output_json (const char *s, size_t len)
{
  char buf[sizeof hs->out];
  size_t n = 0;
  for (size_t i = 0; i < len && n < sizeof buf; i++)
    {
      if (s[i] == '\r' && (i + 1 == len || s[i + 1] == '\n'))
        continue;
      buf[n++] = s[i];
    }
  if (n > 0 && buf[n - 1] == '\n' && len <= HEALTH_OUTPUT_MAX)
    n--;
  if (n > HEALTH_OUTPUT_MAX)
    n = HEALTH_OUTPUT_MAX;
  return json_object_new_string_len (buf, (int) n);
}

static void
reply (struct pc_monitor *m, int fd, const pc_error *e, const char *msg)
{
  for (struct pc_mon_client *c = m->clients; c; c = c->next)
    if (c->fd == fd)
      {
        char *pkt = xmalloc (PC_MONITOR_PKT_MAX);
        pkt[0] = PC_MSG_HEALTHCHECK_RESULT;
        size_t len = pc_mon_start_result_encode (pkt + 1, e ? (e->status ? e->status : EIO) : 0,
                                                 pc_error_class_of (e), e ? e->msg : msg);
        pc_mon_client_send (m, c, pkt, 1 + len);
        free (pkt);
        return;
      }
}

static void
reply_all (struct pc_monitor *m, const pc_error *e, const char *msg)
{
  for (size_t i = 0; i < hs->n_waiters; i++)
    reply (m, hs->waiters[i], e, msg);
  hs->n_waiters = 0;
}

/* podman's updateHealthCheckLog: a success makes the container healthy and
   ends the failing streak; a failure outside the start period adds to the
   streak, and `retries` of them in a row make it unhealthy. */
static const char *
record (int exit_code, json_object *output, const struct timespec *end, bool in_start_period)
{
  pc_autoerror pc_error *err = NULL;
  pc_autojson json_object *h = pc_json_read_file_max (hs->dirfd, HEALTH_FILE, 1 << 20, &err);
  if (h == NULL || !json_object_is_type (h, json_type_object))
    {
      json_object_put (h);
      h = json_object_new_object ();
    }
  pc_error_clear (&err);
  const char *status = pc_json_get_string (h, "Status");
  int64_t streak = pc_json_get_int (h, "FailingStreak", 0);
  const char *now;
  if (exit_code == 0)
    {
      now = "healthy";
      streak = 0;
    }
  else
    {
      now = status && *status ? status : "healthy";
      if (!in_start_period)
        {
          streak++;
          if (streak >= hs->cfg->retries)
            now = "unhealthy";
        }
    }
  static const char *const known[] = { "healthy", "unhealthy", "starting" };
  for (size_t i = 0; i < 3; i++)
    if (strcmp (now, known[i]) == 0)
      now = known[i];
  if (now != known[0] && now != known[1] && now != known[2])
    now = "starting";
  json_object *log = pc_json_get_array (h, "Log");
  json_object *nlog = json_object_new_array ();
  size_t n = pc_json_array_len (log);
  for (size_t i = n >= HEALTH_LOG_MAX ? n - HEALTH_LOG_MAX + 1 : 0; i < n; i++)
    if (pc_json_array_object_at (log, i))
      json_object_array_add (nlog, json_object_get (json_object_array_get_idx (log, i)));
  json_object *entry = json_object_new_object ();
  pc_autofree char *ts = rfc3339 (&hs->t_start);
  pc_autofree char *te = rfc3339 (end);
  json_object_object_add (entry, "Start", json_object_new_string (ts));
  json_object_object_add (entry, "End", json_object_new_string (te));
  json_object_object_add (entry, "ExitCode", json_object_new_int (exit_code));
  json_object_object_add (entry, "Output", output);
  json_object_array_add (nlog, entry);
  pc_autojson json_object *o = json_object_new_object ();
  json_object_object_add (o, "Status", json_object_new_string (now));
  json_object_object_add (o, "FailingStreak", json_object_new_int64 (streak));
  json_object_object_add (o, "Log", nlog);
  const char *text = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  if (pc_mon_write_file (hs->dirfd, HEALTH_FILE, text, strlen (text), &err) < 0)
    pc_monitor_log_error (err, "record the healthcheck's result");
  return now;
}

/* As podman's Kill and Stop, which set StoppedByUser: the restart policy
   does not undo what the healthcheck ended (restart.c reads the marker). */
static void
mark_stopped (struct pc_monitor *m)
{
  pc_autoerror pc_error *err = NULL;
  if (pc_mon_write_file (m->dirfd, PC_MONITOR_STOPPED_FILE, "", 0, &err) < 0)
    pc_monitor_log_error (err, "mark the container stopped");
}

/* podman writes a health_status event after each check. The engine left
   the events log's path and this container's event in the state dir for
   the monitor's `died` (pkg/engine/events.h, PC_EVENTS_DIED_FILE): the
   same line with Status health_status and HealthStatus, appended under
   the log's lock in one write, as state.c writes `died`. Best effort; none
   when events are off (no such file). */
static void
health_event (struct pc_monitor *m, const char *status)
{
  pc_autofree char *data = NULL;
  pc_autoerror pc_error *err = NULL;
  if (pc_read_file_max (m->dirfd, "died-event", 65536, 0, &data, NULL, &err) < 0)
    return;
  char *nl = strchr (data, '\n');
  if (nl == NULL || data[0] != '/')
    return;
  *nl = '\0';
  pc_autojson json_object *tmpl = json_tokener_parse (nl + 1);
  if (tmpl == NULL || !json_object_is_type (tmpl, json_type_object))
    return;
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  pc_autofree char *ts = pc_time_format_rfc3339 (&now);
  pc_autojson json_object *ev = json_object_new_object ();
  json_object_object_foreach (tmpl, k, v)
    {
      if (strcmp (k, "ContainerExitCode") == 0)
        continue;
      if (strcmp (k, "Status") == 0)
        {
          json_object_object_add (ev, k, json_object_new_string ("health_status"));
          json_object_object_add (ev, "Time", json_object_new_string (ts));
          continue;
        }
      if (strcmp (k, "PodID") == 0 || strcmp (k, "Attributes") == 0)
        if (!json_object_object_get_ex (ev, "HealthStatus", NULL))
          json_object_object_add (ev, "HealthStatus", json_object_new_string (status));
      json_object_object_add (ev, k, json_object_get (v));
    }
  if (!json_object_object_get_ex (ev, "HealthStatus", NULL))
    json_object_object_add (ev, "HealthStatus", json_object_new_string (status));
  pc_autofree char *line = xasprintf ("%s\n", json_object_to_json_string_ext (ev, JSON_C_TO_STRING_PLAIN
                                                                              | JSON_C_TO_STRING_NOSLASHESCAPE));
  pc_autofree char *lock = xasprintf ("%s.lock", data);
  pc_autoclose int lfd = open (lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (lfd < 0 || flock (lfd, LOCK_EX) < 0)
    return;
  pc_autoclose int fd = open (data, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 || write (fd, line, strlen (line)) != (ssize_t) strlen (line))
    pc_monitor_log ("the health_status event was not recorded in %s", data);
}

static void
stop_container (struct pc_monitor *m)
{
  const struct pc_monitor_health *c = hs->cfg;
  if (m->exited || m->ctr == NULL)
    return;
  if (c->stop_timeout <= 0 || c->stop_signal == SIGKILL)
    {
      m->rt->kill (m->ctr, SIGKILL, NULL);
      hs->phase = PHASE_DONE;
      return;
    }
  m->rt->kill (m->ctr, c->stop_signal, NULL);
  hs->phase = PHASE_STOPPING;
  arm ((int64_t) c->stop_timeout * 1000000000);
}

/* --health-on-failure, once the container is unhealthy. */
static void
on_failure (struct pc_monitor *m)
{
  switch (hs->cfg->on_failure)
    {
    case PC_HEALTH_ON_FAILURE_NONE:
      return;
    case PC_HEALTH_ON_FAILURE_KILL:
      pc_monitor_log ("the container is unhealthy: killing it (--health-on-failure=kill)");
      mark_stopped (m);
      if (!m->exited && m->ctr)
        m->rt->kill (m->ctr, SIGKILL, NULL);
      hs->phase = PHASE_DONE;
      return;
    case PC_HEALTH_ON_FAILURE_STOP:
      pc_monitor_log ("the container is unhealthy: stopping it (--health-on-failure=stop)");
      mark_stopped (m);
      stop_container (m);
      return;
    case PC_HEALTH_ON_FAILURE_RESTART:
      pc_monitor_log ("the container is unhealthy: restarting it (--health-on-failure=restart)");
      pc_mon_health_restart (m);
      return;
    }
}

static void
finish_check (struct pc_monitor *m, int exit_code, const char *out, size_t out_len)
{
  struct timespec end;
  clock_gettime (CLOCK_REALTIME, &end);
  /* A check that started within the start period, as podman's. */
  bool in_start = hs->cfg->start_period_ns > 0 && hs->check_mono < hs->start_period_end;
  const char *status = record (exit_code, output_json (out, out_len), &end, in_start);
  health_event (m, status);
  hs->phase = PHASE_IDLE;
  arm_next_check ();
  if (hs->timed_out)
    {
      char d[64];
      go_duration (hs->cfg->timeout_ns, d, sizeof d);
      pc_autoerror pc_error *e = NULL;
      pc_error_makec (&e, PC_ERR_TIMEOUT, ETIMEDOUT, "healthcheck command exceeded timeout of %s", d);
      reply_all (m, e, NULL);
    }
  else
    reply_all (m, NULL, exit_code == 0 ? "healthy" : "unhealthy");
  if (strcmp (status, "unhealthy") == 0 && exit_code != 0)
    on_failure (m);
  /* A check faults in the exec path and parses config.json: an idle
     monitor gives that back at once (trim.c), not only after the first
     200 ms of the container's life. */
  pc_mon_trim_now ();
}

/* As podman's start: the status starts over, the log and the streak
   stay. */
static void
write_starting (void)
{
  pc_autoerror pc_error *err = NULL;
  pc_autojson json_object *h = pc_json_read_file_max (hs->dirfd, HEALTH_FILE, 1 << 20, &err);
  if (h == NULL || !json_object_is_type (h, json_type_object))
    {
      json_object_put (h);
      h = json_object_new_object ();
      json_object_object_add (h, "FailingStreak", json_object_new_int (0));
      json_object_object_add (h, "Log", NULL);
    }
  pc_autojson json_object *o = json_object_new_object ();
  json_object_object_add (o, "Status", json_object_new_string ("starting"));
  json_object_object_add (o, "FailingStreak", json_object_new_int64 (pc_json_get_int (h, "FailingStreak", 0)));
  json_object *log = pc_json_get_array (h, "Log");
  json_object_object_add (o, "Log", log ? json_object_get (log) : NULL);
  pc_error_clear (&err);
  const char *text = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  if (pc_mon_write_file (hs->dirfd, HEALTH_FILE, text, strlen (text), &err) < 0)
    pc_monitor_log_error (err, "record the healthcheck's status");
}

static void
close_output (struct pc_monitor *m)
{
  if (hs->out_fd < 0)
    return;
  pc_mloop_remove (&m->loop, hs->out_fd);
  close (hs->out_fd);
  hs->out_fd = -1;
}

/* Reads what the pipe has; false at EOF. Past HEALTH_OUTPUT_MAX bytes the
   output is read and dropped, so the check never blocks on a full pipe. */
static bool
read_output (void)
{
  for (;;)
    {
      char buf[4096];
      ssize_t r = read (hs->out_fd, buf, sizeof buf);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0 && errno == EAGAIN)
        return true;
      if (r <= 0)
        return false;
      size_t room = sizeof hs->out - hs->out_len;
      size_t n = (size_t) r < room ? (size_t) r : room;
      memcpy (hs->out + hs->out_len, buf, n);
      hs->out_len += n;
    }
}

static void
output_event (struct pc_mloop *l, int fd, short revents, void *data)
{
  if (hs == NULL || fd != hs->out_fd)
    return;
  if (!read_output ())
    close_output (data);
}

static bool
container_runs (struct pc_monitor *m)
{
  /* A paused container is not checked, as podman's (its state is not
     running); pkg/engine/pause.c leaves this marker in the state dir. */
  return m->started && !m->exited && m->ctr != NULL && m->start_status == 0
         && faccessat (m->dirfd, "paused", F_OK, AT_SYMLINK_NOFOLLOW) < 0;
}

/* The check's process: the container's own, with the healthcheck's argv. */
static int
exec_check (struct pc_monitor *m, int out_w, pc_error **err)
{
  pc_autojson json_object *spec = pc_json_read_file_max (AT_FDCWD, hs->cfg->spec_path, 16 << 20, err);
  if (spec == NULL)
    return pc_error_wrap (err, "read the container's config.json");
  json_object *src = pc_json_get_object (spec, "process");
  pc_autojson json_object *process = NULL;
  if (src == NULL || json_object_deep_copy (src, &process, NULL) < 0)
    return pc_error_make (err, EINVAL, "the container's config.json has no process");
  json_object *args = json_object_new_array ();
  for (char **a = hs->cfg->argv; a && *a; a++)
    json_object_array_add (args, json_object_new_string (*a));
  json_object_object_add (process, "args", args);
  json_object_object_add (process, "terminal", json_object_new_boolean (false));
  json_object_object_del (process, "consoleSize");
  /* The runtime takes seccomp and its cache from a spec: a small one, as
     for an exec session. */
  pc_autojson json_object *small = json_object_new_object ();
  json_object *lnx = json_object_new_object ();
  json_object *sc = pc_json_get_object (pc_json_get_object (spec, "linux"), "seccomp");
  if (sc)
    json_object_object_add (lnx, "seccomp", json_object_get (sc));
  json_object_object_add (small, "linux", lnx);
  const char *cache = pc_json_get_string (pc_json_get_object (spec, "annotations"), "run.pc.seccomp-cache");
  if (cache)
    {
      json_object *ann = json_object_new_object ();
      json_object_object_add (ann, "run.pc.seccomp-cache", json_object_new_string (cache));
      json_object_object_add (small, "annotations", ann);
    }
  struct pc_runtime_io io = { -1, out_w, out_w, false };
  struct pc_runtime_created info = { .pid = -1, .console_fd = -1, .tap_fd = -1 };
  struct pc_runtime_ctr *proc = NULL;
  if (m->rt->exec (m->ctr, small, process, &io, &proc, &info, err) < 0)
    return -1;
  if (info.tap_fd >= 0)
    close (info.tap_fd);
  if (info.console_fd >= 0)
    close (info.console_fd);
  if (m->rt->start (proc, err) < 0)
    {
      m->rt->abort (proc);
      return -1;
    }
  hs->proc = proc;
  hs->pid = info.pid;
  return 0;
}

static void
start_check (struct pc_monitor *m)
{
  hs->out_len = 0;
  hs->timed_out = false;
  hs->pid = -1;
  hs->proc = NULL;
  clock_gettime (CLOCK_REALTIME, &hs->t_start);
  hs->check_mono = mono_ns ();
  int p[2];
  pc_autoerror pc_error *err = NULL;
  if (pipe2 (p, O_CLOEXEC) < 0)
    {
      pc_error_errno (&err, errno, "pipe");
      pc_monitor_log_error (err, "run the healthcheck");
      reply_all (m, err, NULL);
      arm_next_check ();
      return;
    }
  int r = exec_check (m, p[1], &err);
  close (p[1]);
  if (r < 0)
    {
      close (p[0]);
      /* As podman: a command the runtime cannot find or run is a failed
         check (exit code 1), anything else an error of the check (125). */
      enum pc_error_class cls = pc_error_class_of (err);
      bool runtime = cls == PC_ERR_CMD_NOT_FOUND || cls == PC_ERR_CANNOT_INVOKE;
      hs->phase = PHASE_CHECKING;
      finish_check (m, runtime ? 1 : 125, err->msg, strlen (err->msg));
      return;
    }
  hs->out_fd = p[0];
  pc_set_nonblock (hs->out_fd, true);
  pc_mloop_add (&m->loop, hs->out_fd, POLLIN, output_event, m);
  hs->phase = PHASE_CHECKING;
  arm (hs->cfg->timeout_ns > 0 ? hs->cfg->timeout_ns : -1);
}

static void
timer_event (struct pc_mloop *l, int fd, short revents, void *data)
{
  struct pc_monitor *m = data;
  uint64_t ticks;
  if (read (fd, &ticks, sizeof ticks) != (ssize_t) sizeof ticks)
    return;
  switch (hs->phase)
    {
    case PHASE_IDLE:
      if (container_runs (m))
        start_check (m);
      else
        arm_next_check ();
      break;
    case PHASE_CHECKING:
      /* Past its timeout: the check is killed, its reaping ends it. */
      hs->timed_out = true;
      if (hs->proc)
        m->rt->kill (hs->proc, SIGKILL, NULL);
      break;
    case PHASE_STOPPING:
      if (!m->exited && m->ctr)
        m->rt->kill (m->ctr, SIGKILL, NULL);
      hs->phase = PHASE_DONE;
      break;
    case PHASE_DONE:
      break;
    }
}

bool
pc_mon_health_reaped (struct pc_monitor *m, pid_t pid, int status)
{
  if (hs == NULL || hs->phase != PHASE_CHECKING || hs->proc == NULL || pid != hs->pid)
    return false;
  if (hs->out_fd >= 0)
    {
      read_output ();
      close_output (m);
    }
  pc_error *err = NULL;
  if (m->rt->delete (hs->proc, &err) < 0)
    {
      pc_error_free (err);
      m->rt->abort (hs->proc);
    }
  hs->proc = NULL;
  hs->pid = -1;
  int code = WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : 1;
  if (hs->timed_out)
    code = -1;
  finish_check (m, code, hs->out, hs->out_len);
  return true;
}

void
pc_mon_health_request (struct pc_monitor *m, struct pc_mon_client *c)
{
  pc_autoerror pc_error *err = NULL;
  if (hs == NULL)
    {
      pc_error_makec (&err, PC_ERR_NOT_FOUND, ENOENT, "container %s has no defined healthcheck", m->cfg->id);
      reply (m, c->fd, err, NULL);
      return;
    }
  if (hs->phase == PHASE_STOPPING || hs->phase == PHASE_DONE || !container_runs (m))
    {
      pc_error_makec (&err, PC_ERR_STATE, EINVAL, "container %s is not running", m->cfg->id);
      reply (m, c->fd, err, NULL);
      return;
    }
  if (hs->n_waiters == HEALTH_WAITERS_MAX)
    {
      pc_error_makec (&err, PC_ERR_IN_USE, EBUSY, "too many healthchecks wait for container %s", m->cfg->id);
      reply (m, c->fd, err, NULL);
      return;
    }
  hs->waiters[hs->n_waiters++] = c->fd;
  if (hs->phase == PHASE_IDLE)
    start_check (m);
}

void
pc_mon_health_start (struct pc_monitor *m)
{
  const struct pc_monitor_health *cfg = m->cfg->health;
  if (cfg == NULL || cfg->argv == NULL || cfg->argv[0] == NULL)
    return;
  int tfd = timerfd_create (CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  int dfd = open (cfg->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (tfd < 0 || dfd < 0)
    {
      pc_monitor_log ("the healthcheck cannot run: %s: %s", tfd < 0 ? "timerfd" : cfg->dir, strerror (errno));
      if (tfd >= 0)
        close (tfd);
      if (dfd >= 0)
        close (dfd);
      return;
    }
  hs = xmalloc0 (sizeof *hs);
  hs->cfg = cfg;
  hs->tfd = tfd;
  hs->dirfd = dfd;
  hs->out_fd = -1;
  hs->pid = -1;
  hs->start_period_end = mono_ns () + cfg->start_period_ns;
  pc_mloop_add (&m->loop, tfd, POLLIN, timer_event, m);
  arm_next_check ();
  write_starting ();
}

/* --health-on-failure=restart: stopped as pc stop would, then started
   again by the monitor through the restart policy's path (restart.c),
   whatever the policy, in fresh namespaces. */
void
pc_mon_health_restart (struct pc_monitor *m)
{
  if (!pc_mon_restart_force (m))
    pc_monitor_log ("the container cannot be restarted: it is stopped instead");
  stop_container (m);
}

void
pc_mon_health_restarted (struct pc_monitor *m)
{
  if (hs == NULL)
    return;
  hs->phase = PHASE_IDLE;
  hs->start_period_end = mono_ns () + hs->cfg->start_period_ns;
  arm_next_check ();
  write_starting ();
}
