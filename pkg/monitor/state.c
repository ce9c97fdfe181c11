/* The monitor's files in the state dir: monitor.pid and exit. They live in
   the runtime dir (tmpfs on a normal system), so they are replaced by
   rename for atomicity but not fsync'ed: they do not outlive a reboot. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"
#include "pkg/monitor/internal.h"
#include "pkg/monitor/protocol.h"

/* The monitor's own error channel. Its stderr is /dev/null once the CLI
   has its report, so what goes wrong later (the log file cannot be
   written, a teardown fails) goes where podman's conmon sends it, to
   syslog (the journal), and to monitor.log in the state dir, which exists
   whether or not a syslog daemon runs. */
static int mlog_dirfd = -1;
static char mlog_id[13];

void
pc_mon_log_open (int dirfd, const char *id)
{
  mlog_dirfd = dirfd;
  snprintf (mlog_id, sizeof mlog_id, "%.12s", id ? id : "");
  openlog ("pc-monitor", LOG_PID, LOG_USER);
}

static void
mlog_write (const char *msg)
{
  syslog (LOG_ERR, "%s: %s", mlog_id, msg);
  if (mlog_dirfd < 0)
    return;
  int fd = openat (mlog_dirfd, PC_MONITOR_LOGFILE,
                   O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
  if (fd < 0)
    return;
  struct stat st;
  /* Bounded: a monitor that fails over and over starts the file over. */
  if (fstat (fd, &st) == 0 && st.st_size > PC_MONITOR_LOGFILE_MAX && ftruncate (fd, 0) < 0)
    {
      /* Appending is all that is left. */
    }
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  char ts[PC_K8S_TS_MAX], go[PC_K8S_TS_MAX];
  size_t tl = pc_k8s_format_timestamp (&now, ts);
  pc_k8s_go_timestamp (ts, tl, go);
  pc_autofree char *line = xasprintf ("%s %s\n", go, msg);
  pc_write_all (fd, line, strlen (line), NULL);
  close (fd);
}

void
pc_monitor_log (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *msg = NULL;
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  if (msg)
    mlog_write (msg);
  free (msg);
}

void
pc_monitor_log_error (const pc_error *e, const char *context)
{
  const char *m = e && e->msg ? e->msg : "unknown error";
  if (context)
    pc_monitor_log ("%s: %s", context, m);
  else
    pc_monitor_log ("%s", m);
}

int
pc_mon_write_file (int dirfd, const char *name, const char *data, size_t len, pc_error **err)
{
  char tmp[64];
  snprintf (tmp, sizeof tmp, ".%s.%d.tmp", name, (int) getpid ());
  pc_autoclose int fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return pc_error_errno (err, errno, "create `%s`", tmp);
  if (pc_write_all (fd, data, len, err) < 0 || renameat (dirfd, tmp, dirfd, name) < 0)
    {
      int saved = errno;
      unlinkat (dirfd, tmp, 0);
      if (*err == NULL)
        return pc_error_errno (err, saved, "rename `%s`", name);
      return -1;
    }
  return 0;
}

unsigned long long
pc_monitor_proc_start_time (pid_t pid)
{
  char path[64], buf[1024];
  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  ssize_t n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  /* comm may hold spaces and parens: fields restart after the last ')'. */
  char *p = strrchr (buf, ')');
  if (p == NULL)
    return 0;
  p++;
  /* p is at field 3 minus its leading space; start time is field 22. */
  for (int field = 2; field < 21 && p; field++)
    p = strchr (p + 1, ' ');
  if (p == NULL)
    return 0;
  return strtoull (p + 1, NULL, 10);
}

int
pc_mon_write_pid_file (int dirfd, pc_error **err)
{
  char buf[64];
  pid_t pid = getpid ();
  int n = snprintf (buf, sizeof buf, "%d %llu\n", (int) pid, pc_monitor_proc_start_time (pid));
  return pc_mon_write_file (dirfd, PC_MONITOR_PIDFILE, buf, (size_t) n, err);
}

/* The container's events the monitor writes (pkg/engine/events.h): the
   engine left the log's path and a container event without Time in the
   state dir ("died-event"); each status given becomes one line, with the
   time (and for `died` podman's ContainerExitCode first), appended under
   the log's lock in one write. `died` goes before the exit file, so
   whoever sees the container exited finds it in `pc events`; `init`,
   `start` and `attach` of a start the monitor makes itself go before its
   report, so they come before the container's `died` and before anything
   the command that started it does next. Rotation is left to the next pc
   command that writes. Best effort. */
static void
write_events (int dirfd, const char *const *statuses, size_t n, int exit_code, const struct timespec *t)
{
  pc_autofree char *data = NULL;
  pc_autoerror pc_error *err = NULL;
  if (pc_read_file_max (dirfd, "died-event", 65536, 0, &data, NULL, &err) < 0)
    return;
  char *nl = strchr (data, '\n');
  if (nl == NULL || data[0] != '/')
    return;
  *nl = '\0';
  pc_autojson json_object *tmpl = json_tokener_parse (nl + 1);
  if (tmpl == NULL || !json_object_is_type (tmpl, json_type_object))
    return;
  pc_autofree char *ts = pc_time_format_rfc3339 (t);
  pc_autofree char *lines = xstrdup ("");
  for (size_t i = 0; i < n; i++)
    {
      bool died = strcmp (statuses[i], "died") == 0;
      pc_autojson json_object *ev = json_object_new_object ();
      if (died && exit_code)
        json_object_object_add (ev, "ContainerExitCode", json_object_new_int (exit_code));
      json_object_object_foreach (tmpl, k, v)
        {
          bool status = strcmp (k, "Status") == 0;
          json_object_object_add (ev, k, status ? json_object_new_string (statuses[i]) : json_object_get (v));
          if (status)
            json_object_object_add (ev, "Time", json_object_new_string (ts));
        }
      char *more = xasprintf ("%s%s\n", lines, json_object_to_json_string_ext (ev, JSON_C_TO_STRING_PLAIN
                                                                              | JSON_C_TO_STRING_NOSLASHESCAPE));
      free (lines);
      lines = more;
    }
  pc_autofree char *lock = xasprintf ("%s.lock", data);
  pc_autoclose int lfd = open (lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (lfd < 0 || flock (lfd, LOCK_EX) < 0)
    return;
  pc_autoclose int fd = open (data, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 || write (fd, lines, strlen (lines)) != (ssize_t) strlen (lines))
    pc_monitor_log ("the container's %s event was not recorded in %s", statuses[0], data);
}

void
pc_mon_write_start_events (int dirfd, bool attached)
{
  static const char *const statuses[] = { "init", "start", "attach" };
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  write_events (dirfd, statuses, attached ? 3 : 2, 0, &now);
}

int
pc_mon_write_exit_file (int dirfd, int exit_code, const struct timespec *t, pc_error **err)
{
  static const char *const died[] = { "died" };
  write_events (dirfd, died, 1, exit_code, t);
  char ts[PC_K8S_TS_MAX], go[PC_K8S_TS_MAX], buf[128];
  size_t tl = pc_k8s_format_timestamp (t, ts);
  pc_k8s_go_timestamp (ts, tl, go);
  int n = snprintf (buf, sizeof buf, "{\"exitCode\":%d,\"finishedAt\":\"%s\"}\n", exit_code, go);
  return pc_mon_write_file (dirfd, PC_MONITOR_EXITFILE, buf, (size_t) n, err);
}

int
pc_monitor_read_exit (const char *state_dir, int *exit_code, struct timespec *finished,
                      pc_error **err)
{
  pc_autoclose int dirfd = open (state_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return pc_error_errno (err, errno, "open state directory `%s`", state_dir);
  pc_autofree char *data = NULL;
  size_t len = 0;
  int fd = openat (dirfd, PC_MONITOR_EXITFILE, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return pc_error_errno (err, errno, "container has not exited");
  int r = pc_read_fd_all (fd, &data, &len, err);
  close (fd);
  if (r < 0)
    return -1;
  pc_autojson json_object *o = pc_json_parse (data, len, err);
  if (o == NULL)
    return pc_error_wrap (err, "exit file of the container");
  json_object *code = NULL;
  if (!json_object_object_get_ex (o, "exitCode", &code) || !json_object_is_type (code, json_type_int))
    return pc_error_make (err, EINVAL, "exit file of the container: no exitCode");
  *exit_code = json_object_get_int (code);
  if (finished)
    {
      const char *s = pc_json_get_string (o, "finishedAt");
      memset (finished, 0, sizeof *finished);
      if (s)
        pc_k8s_parse_time (s, strlen (s), finished);
    }
  return 0;
}

int
pc_monitor_read_pid (const char *state_dir, pid_t *pid, unsigned long long *start_time,
                     pc_error **err)
{
  pc_autoclose int dirfd = open (state_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return pc_error_errno (err, errno, "open state directory `%s`", state_dir);
  pc_autofree char *data = NULL;
  int fd = openat (dirfd, PC_MONITOR_PIDFILE, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return pc_error_errno (err, errno, "no monitor for the container");
  int r = pc_read_fd_all (fd, &data, NULL, err);
  close (fd);
  if (r < 0)
    return -1;
  int p = 0;
  unsigned long long st = 0;
  if (sscanf (data, "%d %llu", &p, &st) != 2 || p <= 0)
    return pc_error_make (err, EINVAL, "invalid monitor.pid in `%s`", state_dir);
  *pid = p;
  if (start_time)
    *start_time = st;
  return 0;
}

bool
pc_monitor_alive (const char *state_dir)
{
  pid_t pid;
  unsigned long long st;
  pc_autoerror pc_error *err = NULL;
  if (pc_monitor_read_pid (state_dir, &pid, &st, &err) < 0)
    return false;
  return pc_monitor_proc_start_time (pid) == st;
}
