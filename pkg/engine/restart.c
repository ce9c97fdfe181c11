/* --restart: podman's policy words and messages at create, the policy
   handed to the monitor at start (pkg/monitor/restart.c runs it), and
   what stop and kill leave so that the monitor does not restart. */
#include "pkg/engine/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/monitor/monitor.h"

static const char *const policy_names[] = { "no", "on-failure", "always", "unless-stopped" };

int
eng_restart_check (const struct pc_create_opts *o, json_object *hc, pc_error **err)
{
  const char *s = o->restart ? o->restart : "";
  pc_autofree char *word = xstrdup (s);
  char *colon = strchr (word, ':');
  long max = 0;
  if (colon)
    {
      *colon++ = '\0';
      char *end;
      errno = 0;
      max = strtol (colon, &end, 10);
      if (*colon == '\0' || *end != '\0' || errno)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "parsing restart policy retry count: strconv.Atoi: parsing \"%s\": %s", colon,
                               errno ? "value out of range" : "invalid syntax");
    }
  int policy = -1;
  if (*word == '\0')
    policy = 0;
  for (size_t i = 0; i < sizeof policy_names / sizeof *policy_names; i++)
    if (strcmp (word, policy_names[i]) == 0)
      policy = (int) i;
  if (policy < 0)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "running container create option: \"%s\" is not a valid restart policy: invalid argument",
                           word);
  if (colon && policy != 1)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "restart policy retries can only be specified with on-failure restart policy");
  if (colon && max < 0)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "must specify restart policy retry count as a number greater than 0");
  if (o->rm && policy != 0)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "the --rm option conflicts with --restart, when the restartPolicy is not \"\" and \"no\"");
  json_object *rp = json_object_new_object ();
  /* podman records the word as given: "" when no policy was asked for. */
  json_object_object_add (rp, "Name", json_object_new_string (word));
  json_object_object_add (rp, "MaximumRetryCount", json_object_new_int ((int) max));
  json_object_object_add (hc, "RestartPolicy", rp);
  return 0;
}

char *
eng_restart_annotation (json_object *hc)
{
  json_object *rp = pc_json_get (hc, "RestartPolicy");
  const char *name = pc_json_get_string (rp, "Name");
  int max = (int) pc_json_get_int (rp, "MaximumRetryCount", 0);
  if (name == NULL || *name == '\0' || strcmp (name, "no") == 0)
    return NULL;
  if (strcmp (name, "on-failure") == 0 && max > 0)
    return xasprintf ("%s:%d", name, max);
  return xstrdup (name);
}

void
eng_mark_stopped_by_user (struct pc_engine *e, const struct pc_container *c)
{
  pc_autoerror pc_error *err = NULL;
  int rfd = eng_run_dfd (e, &err);
  if (rfd < 0)
    return;
  char path[128];
  snprintf (path, sizeof path, "%s/%s", c->id, PC_MONITOR_STOPPED_FILE);
  /* Only into a state dir that is there: a container never started has
     nothing to restart. */
  int fd = openat (rfd, path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0)
    close (fd);
}

void
eng_restart_state_read (int run_dfd, const char *id, struct pc_container_state *st)
{
  char path[128], buf[32];
  snprintf (path, sizeof path, "%s/%s", id, PC_MONITOR_RESTARTS_FILE);
  int n = eng_read_small (run_dfd, path, buf, sizeof buf);
  st->restart_count = n > 0 ? atoi (buf) : 0;
  snprintf (path, sizeof path, "%s/%s", id, PC_MONITOR_STOPPED_FILE);
  st->stopped_by_user = faccessat (run_dfd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

bool
eng_restart_may (const struct pc_container *c)
{
  json_object *hc = pc_json_get (c->rec, "HostConfig");
  const char *name = pc_json_get_string (pc_json_get (hc, "RestartPolicy"), "Name");
  const char *action = pc_json_get_string (pc_json_get (c->rec, "Config"), "HealthcheckOnFailureAction");
  return (name && *name && strcmp (name, "no") != 0) || (action && strcmp (action, "restart") == 0);
}

bool
eng_restart_cancel (struct pc_engine *e, struct pc_container *c)
{
  eng_state_read (e, c, true);
  if (c->state.status != PC_STATUS_EXITED)
    return false;
  /* An exited container whose monitor lives on is in its restart backoff
     (or finishing): the marker says no restart, and the relayed signal
     wakes the monitor to see it and end. */
  int pfds[2];
  pid_t pids[2];
  size_t n = eng_open_monitors (e, c, pfds, pids);
  if (n == 0)
    return false;
  eng_mark_stopped_by_user (e, c);
  for (size_t i = 0; i < n; i++)
    {
      pc_autoerror pc_error *err = NULL;
      pc_monitor_signal (pfds[i], SIGKILL, &err);
    }
  eng_pidfds_wait (pfds, n, 5000);
  for (size_t i = 0; i < n; i++)
    close (pfds[i]);
  return true;
}

/* "stopping": a pc stop waits for the container's exit. The file names
   the pc doing it (pid and start time), so one that was killed leaves
   nothing that counts. */
void
eng_stopping_begin (struct pc_engine *e, const struct pc_container *c)
{
  pc_autoerror pc_error *err = NULL;
  int rfd = eng_run_dfd (e, &err);
  if (rfd < 0)
    return;
  pid_t self = getpid ();
  char path[128], buf[64];
  snprintf (path, sizeof path, "%s/stopping", c->id);
  int n = snprintf (buf, sizeof buf, "%d %llu\n", (int) self, eng_proc_start_time (self));
  eng_write_volatile (rfd, path, buf, (size_t) n, &err);
}

void
eng_stopping_end (struct pc_engine *e, const struct pc_container *c)
{
  pc_autoerror pc_error *err = NULL;
  int rfd = eng_run_dfd (e, &err);
  if (rfd < 0)
    return;
  char path[128], buf[64];
  snprintf (path, sizeof path, "%s/stopping", c->id);
  /* Only this process's: another pc stop may have begun meanwhile. */
  int n = eng_read_small (rfd, path, buf, sizeof buf);
  if (n > 0 && atoi (buf) == (int) getpid ())
    unlinkat (rfd, path, 0);
}

bool
eng_stopping_read (int run_dfd, const char *id)
{
  char path[128], buf[64];
  snprintf (path, sizeof path, "%s/stopping", id);
  int n = eng_read_small (run_dfd, path, buf, sizeof buf);
  int pid = 0;
  unsigned long long start = 0;
  if (n <= 0 || sscanf (buf, "%d %llu", &pid, &start) != 2 || pid <= 0)
    return false;
  return eng_proc_start_time (pid) == start;
}

/* The reason a start failed (podman's .State.Error), in the state dir:
   it goes with it at the next start. */
#define START_ERROR_FILE "start-error"

void
eng_start_error_record (struct pc_engine *e, const struct pc_container *c, const pc_error *why)
{
  pc_autoerror pc_error *err = NULL;
  int rfd = eng_run_dfd (e, &err);
  if (rfd < 0 || why == NULL || why->msg == NULL)
    return;
  char path[128];
  snprintf (path, sizeof path, "%s/%s", c->id, START_ERROR_FILE);
  eng_write_volatile (rfd, path, why->msg, strlen (why->msg), &err);
}

char *
eng_start_error_read (struct pc_engine *e, const struct pc_container *c)
{
  pc_autoerror pc_error *err = NULL;
  int rfd = eng_run_dfd (e, &err);
  if (rfd < 0)
    return NULL;
  char path[128], buf[4096];
  snprintf (path, sizeof path, "%s/%s", c->id, START_ERROR_FILE);
  int n = eng_read_small (rfd, path, buf, sizeof buf);
  return n > 0 ? xstrndup (buf, (size_t) n) : NULL;
}
