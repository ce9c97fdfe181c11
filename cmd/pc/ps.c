/* pc ps: podman's columns, filters and --format, from the records alone
   (no forks, one small read per file). */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/pc/container.h"
#include "lib/cleanup.h"
#include "lib/format.h"
#include "lib/json.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

static const struct pc_format_column ps_columns[] = {
  { "ID", "CONTAINER ID" },
  { "Image", "IMAGE" },
  { "Command", "COMMAND" },
  { "CreatedHuman", "CREATED" },
  { "Status", "STATUS" },
  { "Ports", "PORTS" },
  { "Names", "NAMES" },
  { NULL, NULL },
};

struct filters
{
  char **name, **status, **id, **label;
};

static void
filters_clear (struct filters *f)
{
  pc_strv_free (f->name);
  pc_strv_free (f->status);
  pc_strv_free (f->id);
  pc_strv_free (f->label);
}
#define pc_autofilters __attribute__ ((cleanup (filters_clear)))

static int
parse_filters (char **in, struct filters *f)
{
  for (char **p = in; p && *p; p++)
    {
      const char *eq = strchr (*p, '=');
      if (eq == NULL)
        return pc_cli_errorf (PC_EXIT_ERROR, "invalid filter \"%s\"", *p);
      size_t kl = (size_t) (eq - *p);
      const char *v = eq + 1;
      if (kl == 4 && strncmp (*p, "name", 4) == 0)
        pc_strv_append (&f->name, v);
      else if (kl == 6 && strncmp (*p, "status", 6) == 0)
        {
          static const char *const ok[] = { "created", "running", "paused", "exited", "stopped",
                                            "removing", "unknown", "configured", NULL };
          bool good = false;
          for (const char *const *o = ok; *o; o++)
            good |= strcmp (*o, v) == 0;
          if (!good)
            return pc_cli_errorf (PC_EXIT_ERROR, "%s is not a valid status", v);
          pc_strv_append (&f->status, v);
        }
      else if (kl == 2 && strncmp (*p, "id", 2) == 0)
        pc_strv_append (&f->id, v);
      else if (kl == 5 && strncmp (*p, "label", 5) == 0)
        pc_strv_append (&f->label, v);
      else
        return pc_cli_errorf (PC_EXIT_ERROR, "invalid filter \"%.*s\"", (int) kl, *p);
    }
  return 0;
}

static bool
match_regex (const char *pattern, const char *s)
{
  regex_t re;
  if (regcomp (&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
    return strstr (s, pattern) != NULL;
  bool m = regexec (&re, s, 0, NULL, 0) == 0;
  regfree (&re);
  return m;
}

static bool
matches (const struct filters *f, struct pc_container *c)
{
  if (f->name)
    {
      bool any = false;
      for (char **n = f->name; *n && !any; n++)
        any = match_regex (*n, c->name);
      if (!any)
        return false;
    }
  if (f->status)
    {
      bool any = false;
      const char *st = c->problem ? "unknown" : pc_container_status_name (c->state.status);
      for (char **s = f->status; *s && !any; s++)
        any = strcmp (*s, st) == 0 || (strcmp (*s, "stopped") == 0 && c->state.status == PC_STATUS_EXITED)
              || (strcmp (*s, "configured") == 0 && c->state.status == PC_STATUS_CREATED);
      if (!any)
        return false;
    }
  if (f->id)
    {
      bool any = false;
      for (char **i = f->id; *i && !any; i++)
        any = strncmp (c->id, *i, strlen (*i)) == 0;
      if (!any)
        return false;
    }
  json_object *labels = pc_json_get (pc_json_get (c->rec, "Config"), "Labels");
  for (char **l = f->label; l && *l; l++)
    {
      const char *eq = strchr (*l, '=');
      pc_autofree char *k = eq ? xstrndup (*l, (size_t) (eq - *l)) : xstrdup (*l);
      json_object *v = NULL;
      if (labels == NULL || !json_object_object_get_ex (labels, k, &v))
        return false;
      if (eq && strcmp (json_object_get_string (v), eq + 1) != 0)
        return false;
    }
  return true;
}

/* What templates see: podman's psReporter (short ID, joined names, command
   as one string, human times) over the JSON row.  podman 4.3's template rows
   are a Go struct whose Created is a time.Time, so {{.Created}} and
   {{.CreatedAt}} print Go's time String() with the fraction of a second, and
   {{.RunningFor}} the human "3 minutes ago"; its --format json keeps Created
   as unix seconds and CreatedAt as the human string, which pc_engine_ps_row
   gives and the json path prints untouched. */
static json_object *
reporter_row (json_object *raw, const struct pc_container *ct, bool no_trunc)
{
  json_object *o = json_object_new_object ();
  json_object_object_foreach (raw, k, v)
    json_object_object_add (o, k, json_object_get (v));
  const char *id = pc_json_get_string (raw, "Id");
  json_object_object_add (o, "ID", json_object_new_string_len (id, no_trunc ? (int) strlen (id) : 12));
  json_object *names = pc_json_get (raw, "Names");
  json_object_object_add (o, "Names", json_object_new_string (json_object_get_string (json_object_array_get_idx (names, 0))));
  json_object *cmd = pc_json_get (raw, "Command");
  size_t len = 0;
  for (size_t i = 0; i < json_object_array_length (cmd); i++)
    len += strlen (json_object_get_string (json_object_array_get_idx (cmd, i))) + 1;
  /* Room for the joined words and for podman's 17 characters plus "..."
     when a shorter allocation would be truncated. */
  pc_autofree char *c = xmalloc0 (len + sizeof "..." + 17);
  for (size_t i = 0; i < json_object_array_length (cmd); i++)
    {
      if (i)
        strcat (c, " ");
      strcat (c, json_object_get_string (json_object_array_get_idx (cmd, i)));
    }
  if (!no_trunc && strlen (c) > 17)
    memcpy (c + 17, "...", sizeof "...");
  json_object_object_add (o, "Command", json_object_new_string (c));
  json_object_object_add (o, "CreatedHuman", json_object_new_string (pc_json_get_string (raw, "CreatedAt")));
  json_object_object_add (o, "RunningFor", json_object_new_string (pc_json_get_string (raw, "CreatedAt")));
  char buf[96];
  pc_format_go_time (&ct->created, false, buf, sizeof buf);
  json_object_object_add (o, "Created", json_object_new_string (buf));
  json_object_object_add (o, "CreatedAt", json_object_new_string (buf));
  /* podman's PORTS: 0.0.0.0:8080->80/tcp, 127.0.0.1:8081->81/tcp */
  json_object *ports = pc_json_get_array (raw, "Ports");
  pc_autofree char *pstr = xstrdup ("");
  for (size_t i = 0; i < pc_json_array_len (ports); i++)
    {
      json_object *p = pc_json_array_object_at (ports, i);
      const char *ip = pc_json_get_string (p, "host_ip");
      char *next = xasprintf ("%s%s%s:%lld->%lld/%s", pstr, i ? ", " : "", ip && *ip ? ip : "0.0.0.0",
                              (long long) pc_json_get_int (p, "host_port", 0),
                              (long long) pc_json_get_int (p, "container_port", 0),
                              pc_json_get_string (p, "protocol") ?: "tcp");
      free (pstr);
      pstr = next;
    }
  json_object_object_add (o, "Ports", json_object_new_string (pstr));
  json_object_object_add (o, "Size", json_object_new_string (""));
  json_object *labels = pc_json_get (raw, "Labels");
  json_object_object_add (o, "Labels", labels ? json_object_get (labels) : json_object_new_object ());
  return o;
}

int
pc_cmd_ps (const struct pc_command *cmd, int argc, char **argv)
{
  bool all = false, quiet = false, no_trunc = false, latest = false;
  long last = -1;
  pc_autofree char *format = NULL;
  pc_autostrv char **filter = NULL;
  const struct pc_opt opts[] = {
    { "all", 'a', PC_OPT_BOOL, &all, NULL, "Show all the containers, default is only running containers" },
    { "filter", 'f', PC_OPT_STRV, &filter, "strings", "Filter output based on conditions given (name=, status=, id=, label=)" },
    { "format", 0, PC_OPT_STRING, &format, "string", "Pretty-print containers to JSON or using a Go template" },
    { "last", 'n', PC_OPT_INT, &last, "int", "Print the n last created containers (all states)" },
    { "latest", 'l', PC_OPT_BOOL, &latest, NULL, "Act on the latest container pc is aware of" },
    { "no-trunc", 0, PC_OPT_BOOL, &no_trunc, NULL, "Display the extended information" },
    { "quiet", 'q', PC_OPT_BOOL, &quiet, NULL, "Print the numeric IDs of the containers only" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, 0, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autofilters struct filters f = { 0 };
  if (parse_filters (filter, &f) != 0)
    return PC_EXIT_ERROR;
  /* A status filter or --last/--latest looks at every container. */
  if (f.status || last >= 0 || latest)
    all = true;
  if (latest)
    last = 1;

  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  struct pc_container **v = NULL;
  size_t n = 0;
  pc_error *err = NULL;
  if (pc_engine_list (e, &v, &n, &err) < 0)
    return pc_cli_fail (err);
  bool json = format && strcmp (format, "json") == 0;
  pc_autojson json_object *rows = json_object_new_array ();
  size_t shown = 0;
  for (size_t i = 0; i < n; i++)
    {
      struct pc_container *c = v[i];
      if (!all && c->state.status != PC_STATUS_RUNNING && c->state.status != PC_STATUS_PAUSED)
        continue;
      if (!matches (&f, c))
        continue;
      /* A record that cannot be read is shown, never skipped: its
         container may run and its name is taken until it is removed. */
      if (c->problem)
        fprintf (stderr, "WARN: container %s: record %s (its processes are %s; \"pc rm -f %.12s\" "
                 "stops them and frees its name)\n", c->id, c->problem,
                 c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED
                 ? "running" : "not running", c->id);
      if (last >= 0 && shown >= (size_t) last)
        break;
      shown++;
      if (quiet && !format)
        {
          printf ("%.*s\n", no_trunc ? 64 : 12, c->id);
          continue;
        }
      json_object *raw = pc_engine_ps_row (e, c);
      if (c->problem)
        {
          bool up = c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED;
          json_object_object_add (raw, "State", json_object_new_string ("unknown"));
          json_object_object_add (raw, "Status", json_object_new_string (up ? "Unknown (record unreadable, up)"
                                                                           : "Unknown (record unreadable)"));
        }
      if (json)
        json_object_array_add (rows, raw);
      else
        {
          json_object_array_add (rows, reporter_row (raw, c, no_trunc));
          json_object_put (raw);
        }
    }
  pc_container_list_free (v, n);
  if (quiet && !format)
    return 0;
  if (pc_format_print (stdout, format, rows, ps_columns, &err) < 0)
    return pc_cli_fail (err);
  return 0;
}
