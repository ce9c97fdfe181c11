/* pc events: podman's `events` over the file log (docs/events.md). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cmd/pc/commands.h"
#include "lib/cleanup.h"
#include "lib/format.h"
#include "lib/json.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

struct printer
{
  const char *format;   /* NULL: podman's human line; "json"; else a template */
  bool trunc;
};

static const char *
sget (json_object *ev, const char *key)
{
  const char *s = pc_json_get_string (ev, key);
  return s ? s : "";
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* podman's Event.ToHumanReadable, the labels in key order (Go's map
   order is random). */
static void
print_human (FILE *out, json_object *ev, const struct timespec *t, bool trunc)
{
  char ts[96];
  pc_format_go_time (t, false, ts, sizeof ts);
  const char *type = sget (ev, "Type");
  const char *status = sget (ev, "Status");
  const char *name = sget (ev, "Name");
  char id[65];
  snprintf (id, sizeof id, "%.*s", trunc ? 12 : 64, sget (ev, "ID"));
  if (strcmp (type, "container") == 0 || strcmp (type, "pod") == 0)
    {
      fprintf (out, "%s %s %s %s (image=%s, name=%s", ts, type, status, id, sget (ev, "Image"), name);
      if (*sget (ev, "PodID"))
        fprintf (out, ", pod_id=%s", sget (ev, "PodID"));
      if (*sget (ev, "HealthStatus"))
        fprintf (out, ", health_status=%s", sget (ev, "HealthStatus"));
      json_object *attrs = pc_json_get_object (ev, "Attributes");
      if (attrs)
        {
          size_t n = 0;
          char **keys = xmalloc ((size_t) json_object_object_length (attrs) * sizeof (char *) + 1);
          json_object_object_foreach (attrs, k, v)
            {
              (void) v;
              keys[n++] = k;
            }
          qsort (keys, n, sizeof *keys, cmp_str);
          for (size_t i = 0; i < n; i++)
            fprintf (out, ", %s=%s", keys[i], sget (attrs, keys[i]));
          free (keys);
        }
      fputs (")\n", out);
    }
  else if (strcmp (type, "network") == 0)
    fprintf (out, "%s %s %s %s (container=%s, name=%s)\n", ts, type, status, id, id, sget (ev, "Network"));
  else if (strcmp (type, "image") == 0)
    fprintf (out, "%s %s %s %s %s\n", ts, type, status, id, name);
  else if (*name)
    fprintf (out, "%s %s %s %s\n", ts, type, status, name);
  else
    fprintf (out, "%s %s %s\n", ts, type, status);
}

/* What a template sees: podman's events.Event (Time as Go prints a
   time.Time, Details with PodID and Attributes). */
static json_object *
template_object (json_object *ev, const struct timespec *t)
{
  static const char *const keys[] = { "ID", "Image", "Name", "Network", "Status", "Type", "HealthStatus", "PodID" };
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "ContainerExitCode", json_object_new_int ((int) pc_json_get_int (ev, "ContainerExitCode", 0)));
  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
    json_object_object_add (o, keys[i], json_object_new_string (sget (ev, keys[i])));
  char ts[96];
  json_object_object_add (o, "Time", json_object_new_string (pc_format_go_time (t, false, ts, sizeof ts)));
  json_object *attrs = pc_json_get_object (ev, "Attributes");
  json_object_object_add (o, "Attributes", attrs ? json_object_get (attrs) : json_object_new_object ());
  json_object *details = json_object_new_object ();
  json_object_object_add (details, "PodID", json_object_new_string (sget (ev, "PodID")));
  json_object_object_add (details, "Attributes", attrs ? json_object_get (attrs) : json_object_new_object ());
  json_object_object_add (o, "Details", details);
  return o;
}

/* podman's report.IsJSON: "json" and "{{json .}}" (any spacing) print
   the stored line. */
static bool
is_json_template (const char *f)
{
  char buf[32];
  size_t n = 0;
  for (; *f && n < sizeof buf - 1; f++)
    if (*f != ' ' && *f != '\t')
      buf[n++] = *f;
  buf[n] = '\0';
  return *f == '\0' && strcmp (buf, "{{json.}}") == 0;
}

static pc_error *print_err;

static int
emit (json_object *ev, const struct timespec *t, void *data)
{
  const struct printer *p = data;
  if (p->format == NULL)
    print_human (stdout, ev, t, p->trunc);
  else if (strcmp (p->format, "json") == 0)
    puts (json_object_to_json_string_ext (ev, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  else
    {
      pc_autojson json_object *o = template_object (ev, t);
      if (pc_format_template_one (stdout, p->format, o, &print_err) < 0)
        return -1;
    }
  /* A reader on a pipe sees each event as it happens; a closed one ends
     the stream. */
  if (fflush (stdout) != 0 || ferror (stdout))
    return -1;
  return 0;
}

int
pc_cmd_events (const struct pc_command *cmd, int argc, char **argv)
{
  pc_autostrv char **filters = NULL;
  pc_autofree char *format = NULL, *since = NULL, *until = NULL;
  bool stream = true, no_trunc = true;
  const struct pc_opt opts[] = {
    { "filter", 'f', PC_OPT_STRV, &filters, "stringArray", "filter output" },
    { "format", 0, PC_OPT_STRING, &format, "string", "format the output using a Go template" },
    { "no-trunc", 0, PC_OPT_BOOL, &no_trunc, NULL, "do not truncate the output (default true)" },
    { "since", 0, PC_OPT_STRING, &since, "string", "show all events created since timestamp" },
    { "stream", 0, PC_OPT_BOOL, &stream, NULL, "stream events and do not exit when returning the last known event (default true)" },
    { "until", 0, PC_OPT_STRING, &until, "string", "show all events until timestamp" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, 0, &args, &nargs, &exit_code) != 0)
    return exit_code;

  pc_error *err = NULL;
  struct pc_events_read_opts ro = { .stream = stream, .emit = emit, .hangup_fd = 1 };
  if (since && pc_parse_time_or_duration (since, &ro.since, &err) < 0)
    return pc_cli_fail (err);
  if (until && pc_parse_time_or_duration (until, &ro.until, &err) < 0)
    return pc_cli_fail (err);
  struct pc_events_filter *filter = NULL;
  if (pc_events_filter_parse (filters, &filter, &err) < 0)
    return pc_cli_fail (err);
  ro.filter = filter;
  struct printer p = { .format = format && *format ? format : NULL, .trunc = !no_trunc };
  if (p.format && strncmp (p.format, "table", 5) == 0)
    p.format = p.format[5] ? p.format + 5 + strspn (p.format + 5, " ") : NULL;
  if (p.format && is_json_template (p.format))
    p.format = "json";
  ro.data = &p;

  /* A reader that goes away (events | head) ends the stream quietly. */
  signal (SIGPIPE, SIG_IGN);
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    {
      pc_events_filter_free (filter);
      return PC_EXIT_ERROR;
    }
  int r = pc_engine_events_read (e, &ro, &err);
  pc_events_filter_free (filter);
  if (print_err)
    return pc_cli_fail (print_err);
  if (r < 0)
    return pc_cli_fail (err);
  return 0;
}
