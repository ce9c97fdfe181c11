/* Healthchecks: the flags and the image's HEALTHCHECK become the record's
   Config.Healthcheck (podman's inspect shape: Test, Interval, Timeout,
   StartPeriod, Retries in nanoseconds), the monitor runs it on its own
   timer (pkg/monitor/health.c), and its results, DATA/containers/ID/
   health.json, are what inspect, ps and pc healthcheck run show.
   docs/healthcheck.md. */
#include "pkg/engine/health.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/parse.h"
#include "lib/xalloc.h"
#include "pkg/engine/internal.h"

#define HEALTH_FILE "health.json"
#define NS_PER_S INT64_C (1000000000)

void
pc_health_opts_clear (struct pc_health_opts *h)
{
  free (h->cmd);
  free (h->interval);
  free (h->timeout);
  free (h->start_period);
  free (h->on_failure);
  memset (h, 0, sizeof *h);
}

static const char *const actions[] = { "none", "kill", "restart", "stop" };

static json_object *
strings_json (char **v, size_t from)
{
  json_object *a = json_object_new_array ();
  for (size_t i = from; v && v[i]; i++)
    json_object_array_add (a, json_object_new_string (v[i]));
  return a;
}

/* podman 4.3's makeHealthCheckFromCli: a JSON array of more than one word
   is a command (CMD), one word or plain text a shell command (CMD-SHELL);
   "CMD ..." and "none" as docker's HEALTHCHECK. */
static json_object *
test_from_cli (const char *in, pc_error **err)
{
  pc_autoerror pc_error *jerr = NULL;
  pc_autojson json_object *j = in[0] == '[' ? pc_json_parse (in, strlen (in), &jerr) : NULL;
  if (j && pc_json_is_string_array (j))
    {
      size_t n = json_object_array_length (j);
      if (n == 0)
        {
          pc_error_makec (err, PC_ERR_INVALID, EINVAL, "must define a healthcheck command for all healthchecks");
          return NULL;
        }
      const char *first = pc_json_array_string_at (j, 0);
      json_object *t = json_object_new_array ();
      if (strcmp (first, "none") == 0 || strcmp (first, "NONE") == 0)
        json_object_array_add (t, json_object_new_string ("NONE"));
      else if (strcmp (first, "CMD") == 0 || strcmp (first, "CMD-SHELL") == 0)
        {
          json_object_put (t);
          return json_object_get (j);
        }
      else if (n > 1)
        {
          json_object_array_add (t, json_object_new_string ("CMD"));
          for (size_t i = 0; i < n; i++)
            json_object_array_add (t, json_object_new_string (pc_json_array_string_at (j, i)));
        }
      else
        {
          json_object_array_add (t, json_object_new_string ("CMD-SHELL"));
          json_object_array_add (t, json_object_new_string (first));
        }
      return t;
    }
  size_t w = strcspn (in, " ");
  if ((w == 3 && strncmp (in, "CMD", 3) == 0) || (w == 4 && strncmp (in, "none", 4) == 0))
    {
      /* strings.Fields */
      pc_autostrv char **f = NULL;
      for (const char *p = in; *p;)
        {
          p += strspn (p, " \t\n\v\f\r");
          size_t l = strcspn (p, " \t\n\v\f\r");
          if (l == 0)
            break;
          pc_autofree char *word = xstrndup (p, l);
          pc_strv_append (&f, word);
          p += l;
        }
      if (strcmp (f[0], "none") == 0)
        {
          json_object *t = json_object_new_array ();
          json_object_array_add (t, json_object_new_string ("NONE"));
          return t;
        }
      return strings_json (f, 0);
    }
  json_object *t = json_object_new_array ();
  json_object_array_add (t, json_object_new_string ("CMD-SHELL"));
  if (w == 9 && strncmp (in, "CMD-SHELL", 9) == 0)
    {
      if (in[w])
        json_object_array_add (t, json_object_new_string (in + w + 1));
    }
  else
    json_object_array_add (t, json_object_new_string (in));
  return t;
}

static int
duration_flag (const char *v, const char *def, const char *what, int64_t *ns, pc_error **err)
{
  pc_autoerror pc_error *perr = NULL;
  if (pc_parse_duration (v ? v : def, ns, &perr) < 0)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid healthcheck-%s: %s", what, perr->msg);
  return 0;
}

static json_object *
healthcheck_from_cli (const struct pc_health_opts *h, pc_error **err)
{
  pc_autojson json_object *test = test_from_cli (h->cmd, err);
  if (test == NULL)
    return NULL;
  int64_t interval, timeout, start;
  const char *iv = h->interval && strcmp (h->interval, "disable") == 0 ? "0" : h->interval;
  if (duration_flag (iv, "30s", "interval", &interval, err) < 0)
    return NULL;
  long retries = h->retries_set ? h->retries : 3;
  if (retries < 1)
    {
      pc_error_makec (err, PC_ERR_INVALID, EINVAL, "healthcheck-retries must be greater than 0");
      return NULL;
    }
  if (duration_flag (h->timeout, "30s", "timeout", &timeout, err) < 0)
    return NULL;
  if (timeout < 1)
    {
      pc_error_makec (err, PC_ERR_INVALID, EINVAL, "healthcheck-timeout must be at least 1 second");
      return NULL;
    }
  if (duration_flag (h->start_period, "0s", "start-period", &start, err) < 0)
    return NULL;
  if (start < 0)
    {
      pc_error_makec (err, PC_ERR_INVALID, EINVAL, "healthcheck-start-period must be 0 seconds or greater");
      return NULL;
    }
  /* Go's omitempty: zero durations are not shown. */
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "Test", json_object_get (test));
  if (interval)
    json_object_object_add (o, "Interval", json_object_new_int64 (interval));
  if (start)
    json_object_object_add (o, "StartPeriod", json_object_new_int64 (start));
  json_object_object_add (o, "Timeout", json_object_new_int64 (timeout));
  json_object_object_add (o, "Retries", json_object_new_int64 (retries));
  return o;
}

static int64_t
positive_int (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (!json_object_object_get_ex (o, key, &v) || !json_object_is_type (v, json_type_int))
    return 0;
  int64_t n = json_object_get_int64 (v);
  return n > 0 ? n : 0;
}

/* The image's (docker's config.Healthcheck); with podman's defaults for a
   zero Timeout or Interval. Anything malformed is no healthcheck. */
static json_object *
healthcheck_from_image (json_object *icfg)
{
  json_object *ih = pc_json_get_object (icfg, "Healthcheck");
  json_object *test = pc_json_get_array (ih, "Test");
  if (test == NULL || !pc_json_is_string_array (test) || json_object_array_length (test) == 0)
    return NULL;
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "Test", json_object_get (test));
  int64_t interval = positive_int (ih, "Interval"), timeout = positive_int (ih, "Timeout");
  int64_t start = positive_int (ih, "StartPeriod"), retries = positive_int (ih, "Retries");
  json_object_object_add (o, "Interval", json_object_new_int64 (interval ? interval : 30 * NS_PER_S));
  if (start)
    json_object_object_add (o, "StartPeriod", json_object_new_int64 (start));
  json_object_object_add (o, "Timeout", json_object_new_int64 (timeout ? timeout : 30 * NS_PER_S));
  if (retries)
    json_object_object_add (o, "Retries", json_object_new_int64 (retries));
  return o;
}

json_object *
eng_health_image_json (json_object *icfg)
{
  json_object *ih = pc_json_get_object (icfg, "Healthcheck");
  json_object *test = pc_json_get_array (ih, "Test");
  if (test == NULL || !pc_json_is_string_array (test))
    return NULL;
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "Test", json_object_get (test));
  static const char *const keys[] = { "StartPeriod", "Interval", "Timeout", "Retries" };
  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
    {
      int64_t v = positive_int (ih, keys[i]);
      if (v)
        json_object_object_add (o, keys[i], json_object_new_int64 (v));
    }
  return o;
}

int
eng_health_record (json_object *icfg, const struct pc_create_opts *o, json_object *cfg, pc_error **err)
{
  const struct pc_health_opts *h = &o->health;
  const char *action = h->on_failure ? h->on_failure : "none";
  bool known = false;
  for (size_t i = 0; i < sizeof actions / sizeof *actions; i++)
    known |= strcmp (action, actions[i]) == 0;
  if (!known)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "invalid on-failure action \"%s\" for health check: supported actions are "
                           "none,kill,restart,stop", action);
  json_object *hc = NULL;
  if (h->cmd && *h->cmd)
    {
      if (h->none)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "cannot specify both --no-healthcheck and --health-cmd");
      hc = healthcheck_from_cli (h, err);
      if (hc == NULL)
        return -1;
    }
  else if (h->none)
    {
      hc = json_object_new_object ();
      json_object *t = json_object_new_array ();
      json_object_array_add (t, json_object_new_string ("NONE"));
      json_object_object_add (hc, "Test", t);
    }
  else
    /* As podman 4.3, the --health-* flags do not change the image's. */
    hc = healthcheck_from_image (icfg);
  if (hc)
    json_object_object_add (cfg, "Healthcheck", hc);
  json_object_object_add (cfg, "HealthcheckOnFailureAction", json_object_new_string (action));
  return 0;
}

/* The command of a record's healthcheck, NULL when there is none. */
static char **
health_argv (json_object *rec)
{
  json_object *test = pc_json_get_array (pc_json_get_object (pc_json_get_object (rec, "Config"), "Healthcheck"), "Test");
  size_t n = pc_json_array_len (test);
  if (n == 0 || !pc_json_is_string_array (test))
    return NULL;
  const char *first = pc_json_array_string_at (test, 0);
  char **argv = NULL;
  if (*first == '\0' || strcmp (first, "NONE") == 0)
    return NULL;
  if (strcmp (first, "CMD-SHELL") == 0)
    {
      /* podman joins the words (the image's SHELL is not known: docker's
         default). */
      size_t len = 1;
      for (size_t i = 1; i < n; i++)
        len += strlen (pc_json_array_string_at (test, i)) + 1;
      pc_autofree char *line = xmalloc0 (len);
      for (size_t i = 1; i < n; i++)
        {
          if (i > 1)
            strcat (line, " ");
          strcat (line, pc_json_array_string_at (test, i));
        }
      pc_strv_append (&argv, "/bin/sh");
      pc_strv_append (&argv, "-c");
      pc_strv_append (&argv, line);
    }
  else
    for (size_t i = strcmp (first, "CMD") == 0 ? 1 : 0; i < n; i++)
      pc_strv_append (&argv, pc_json_array_string_at (test, i));
  if (argv == NULL || argv[0] == NULL || argv[0][0] == '\0')
    {
      pc_strv_free (argv);
      return NULL;
    }
  return argv;
}

const struct pc_monitor_health *
eng_health_monitor (struct pc_engine *e, const struct pc_container *c)
{
  static struct pc_monitor_health h;
  static char *spec_path, *dir;
  pc_strv_free (h.argv);
  free (spec_path);
  free (dir);
  memset (&h, 0, sizeof h);
  spec_path = dir = NULL;
  h.argv = health_argv (c->rec);
  if (h.argv == NULL)
    return NULL;
  json_object *cfg = pc_json_get_object (c->rec, "Config");
  json_object *hc = pc_json_get_object (cfg, "Healthcheck");
  h.interval_ns = positive_int (hc, "Interval");
  h.timeout_ns = positive_int (hc, "Timeout");
  h.start_period_ns = positive_int (hc, "StartPeriod");
  h.retries = (int) (positive_int (hc, "Retries") > 1000000 ? 1000000 : positive_int (hc, "Retries"));
  const char *a = pc_json_get_string (cfg, "HealthcheckOnFailureAction");
  h.on_failure = PC_HEALTH_ON_FAILURE_NONE;
  if (a && strcmp (a, "kill") == 0)
    h.on_failure = PC_HEALTH_ON_FAILURE_KILL;
  else if (a && strcmp (a, "restart") == 0)
    h.on_failure = PC_HEALTH_ON_FAILURE_RESTART;
  else if (a && strcmp (a, "stop") == 0)
    h.on_failure = PC_HEALTH_ON_FAILURE_STOP;
  int64_t sig = pc_json_get_int (cfg, "StopSignal", SIGTERM);
  h.stop_signal = sig > 0 && sig < 65 ? (int) sig : SIGTERM;
  int64_t t = pc_json_get_int (cfg, "StopTimeout", PC_DEFAULT_STOP_TIMEOUT);
  h.stop_timeout = t >= 0 && t < 1000000 ? (int) t : PC_DEFAULT_STOP_TIMEOUT;
  dir = xasprintf ("%s/containers/%s", e->data_dir, c->id);
  spec_path = xasprintf ("%s/config.json", dir);
  h.spec_path = spec_path;
  h.dir = dir;
  return &h;
}

static json_object *
empty_state (void)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "Status", json_object_new_string (""));
  json_object_object_add (o, "FailingStreak", json_object_new_int (0));
  json_object_object_add (o, "Log", NULL);
  return o;
}

/* health.json, checked: it is written by a monitor, but read as any file. */
static json_object *
read_state (struct pc_engine *e, const struct pc_container *c)
{
  pc_autofree char *path = xasprintf ("%s/%s", c->id, HEALTH_FILE);
  pc_autoerror pc_error *err = NULL;
  pc_autojson json_object *h = pc_json_read_file_max (e->ctr_dfd, path, 1 << 20, &err);
  if (h == NULL || !json_object_is_type (h, json_type_object))
    return NULL;
  const char *status = pc_json_get_string (h, "Status");
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "Status", json_object_new_string (status ? status : ""));
  json_object_object_add (o, "FailingStreak", json_object_new_int64 (positive_int (h, "FailingStreak")));
  json_object *log = pc_json_get_array (h, "Log");
  json_object *out = log ? json_object_new_array () : NULL;
  for (size_t i = 0; i < pc_json_array_len (log); i++)
    {
      json_object *en = pc_json_array_object_at (log, i);
      if (en == NULL)
        continue;
      json_object *x = json_object_new_object ();
      static const char *const keys[] = { "Start", "End" };
      for (size_t k = 0; k < 2; k++)
        json_object_object_add (x, keys[k], json_object_new_string (pc_json_get_string (en, keys[k]) ?: ""));
      json_object_object_add (x, "ExitCode", json_object_new_int ((int) pc_json_get_int (en, "ExitCode", 0)));
      json_object_object_add (x, "Output", json_object_new_string (pc_json_get_string (en, "Output") ?: ""));
      json_object_array_add (out, x);
    }
  json_object_object_add (o, "Log", out);
  return o;
}

json_object *
pc_engine_health_state (struct pc_engine *e, const struct pc_container *c)
{
  json_object *o = NULL;
  char **argv = health_argv (c->rec);
  if (argv)
    o = read_state (e, c);
  pc_strv_free (argv);
  return o ? o : empty_state ();
}

char *
pc_engine_health_status (struct pc_engine *e, const struct pc_container *c)
{
  char **argv = health_argv (c->rec);
  if (argv == NULL)
    return NULL;
  pc_strv_free (argv);
  pc_autojson json_object *o = read_state (e, c);
  const char *s = o ? pc_json_get_string (o, "Status") : NULL;
  return xstrdup (s ? s : "");
}

int
pc_engine_healthcheck_run (struct pc_engine *e, struct pc_container *c, bool *healthy, pc_error **err)
{
  eng_state_read (e, c, true);
  if (c->state.status != PC_STATUS_RUNNING)
    return pc_error_makec (err, PC_ERR_STATE, EINVAL, "container %s is not running", c->id);
  char **argv = health_argv (c->rec);
  if (argv == NULL)
    return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "container %s has no defined healthcheck", c->id);
  pc_strv_free (argv);
  pc_autofree char *state_dir = pc_container_state_dir (e, c);
  return pc_monitor_healthcheck (state_dir, healthy, err);
}
