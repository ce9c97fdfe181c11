/* pc pod ps|ls, pod inspect, pod top: podman 4.3's columns, JSON and
   template fields (cmd/podman/pods/ps.go's ListPodReporter). */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/pc/container.h"
#include "cmd/pc/pod.h"
#include "lib/cleanup.h"
#include "lib/regex-go.h"
#include "lib/format.h"
#include "lib/json.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

struct pod_row
{
  struct pc_pod *p;
  struct pc_container **m;   /* infra first (pc_engine_pod_members) */
  size_t n;
  const char *status;
};

static void
rows_free (struct pod_row *r, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      pc_pod_free (r[i].p);
      pc_container_list_free (r[i].m, r[i].n);
    }
  free (r);
}

/* The members as podman lists them: newest first, so the infra last. */
static struct pc_container *
member_at (const struct pod_row *r, size_t i)
{
  bool infra_first = r->p->infra_id && r->n && strcmp (r->m[0]->id, r->p->infra_id) == 0;
  if (!infra_first)
    return r->m[i];
  return i + 1 < r->n ? r->m[i + 1] : r->m[0];
}

/* podman's --filter for pods: values of one key ORed, keys ANDed. */
static int
filter_match (const struct pod_row *r, char *const *filters, bool *match, pc_error **err)
{
  *match = true;
  static const char *const keys[] = { "id", "name", "label", "status", "ctr-names", "ctr-ids", "ctr-status",
                                      "ctr-number", NULL };
  for (const char *const *k = keys; *k && *match; k++)
    {
      size_t kl = strlen (*k);
      bool any = false, hit = false;
      for (char *const *f = filters; f && *f; f++)
        {
          if (strncmp (*f, *k, kl) != 0 || (*f)[kl] != '=')
            continue;
          any = true;
          const char *v = *f + kl + 1;
          if (strcmp (*k, "id") == 0)
            hit |= strncmp (r->p->id, v, strlen (v)) == 0;
          else if (strcmp (*k, "name") == 0)
            {
              /* Go's regexp.MatchString as ps's name filter: a pattern
                 Go refuses (or glibc cannot compile) matches nothing. */
              regex_t re;
              if (pc_regex_go_compile (&re, v))
                {
                  hit |= regexec (&re, r->p->name, 0, NULL, 0) == 0;
                  regfree (&re);
                }
            }
          else if (strcmp (*k, "label") == 0)
            {
              const char *eq = strchr (v, '=');
              pc_autofree char *key = eq ? xstrndup (v, (size_t) (eq - v)) : xstrdup (v);
              const char *have = pc_json_get_string (pc_json_get_object (r->p->rec, "Labels"), key);
              hit |= have && (eq == NULL || strcmp (have, eq + 1) == 0);
            }
          else if (strcmp (*k, "status") == 0)
            hit |= strcasecmp (r->status, v) == 0;
          else if (strcmp (*k, "ctr-number") == 0)
            hit |= (size_t) atol (v) == r->n;
          else
            for (size_t i = 0; i < r->n; i++)
              {
                const struct pc_container *c = r->m[i];
                if (strcmp (*k, "ctr-names") == 0)
                  hit |= strcmp (c->name, v) == 0;
                else if (strcmp (*k, "ctr-ids") == 0)
                  hit |= strncmp (c->id, v, strlen (v)) == 0;
                else
                  hit |= strcmp (pc_container_status_name (c->state.status), v) == 0;
              }
        }
      if (any && !hit)
        *match = false;
    }
  for (char *const *f = filters; f && *f; f++)
    {
      bool known = false;
      for (const char *const *k = keys; *k; k++)
        known |= strncmp (*f, *k, strlen (*k)) == 0 && (*f)[strlen (*k)] == '=';
      if (!known)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s is an invalid filter", *f);
    }
  return 0;
}

/* podman's `pod ps --format json` object. */
static json_object *
json_row (const struct pod_row *r)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "Cgroup", json_object_new_string (""));
  json_object *ca = json_object_new_array ();
  for (size_t i = 0; i < r->n; i++)
    {
      const struct pc_container *c = member_at (r, i);
      json_object *x = json_object_new_object ();
      json_object_object_add (x, "Id", json_object_new_string (c->id));
      json_object_object_add (x, "Names", json_object_new_string (c->name));
      json_object_object_add (x, "Status", json_object_new_string (pc_container_status_name (c->state.status)));
      json_object_array_add (ca, x);
    }
  json_object_object_add (o, "Containers", ca);
  json_object_object_add (o, "Created", json_object_get (pc_json_get (r->p->rec, "Created")));
  json_object_object_add (o, "Id", json_object_new_string (r->p->id));
  json_object_object_add (o, "InfraId", json_object_new_string (r->p->infra_id ? r->p->infra_id : ""));
  json_object_object_add (o, "Name", json_object_new_string (r->p->name));
  json_object_object_add (o, "Namespace", json_object_new_string (""));
  json_object_object_add (o, "Networks", json_object_new_array ());
  json_object_object_add (o, "Status", json_object_new_string (r->status));
  json_object *l = pc_json_get_object (r->p->rec, "Labels");
  json_object_object_add (o, "Labels", l ? json_object_get (l) : json_object_new_object ());
  return o;
}

static char *
trunc_id (const char *id, bool no_trunc)
{
  return no_trunc ? xstrdup (id) : xstrndup (id, 12);
}

/* What templates see (podman's ListPodReporter). */
static json_object *
report_row (const struct pod_row *r, bool no_trunc)
{
  json_object *o = json_row (r);
  pc_autofree char *id = trunc_id (r->p->id, no_trunc);
  pc_autofree char *infra = trunc_id (r->p->infra_id ? r->p->infra_id : "", no_trunc);
  json_object_object_add (o, "ID", json_object_new_string (id));
  json_object_object_add (o, "InfraID", json_object_new_string (infra));
  pc_autofree char *ago = pc_time_human_ago (&r->p->created);
  json_object_object_add (o, "Created", json_object_new_string (ago));
  json_object_object_add (o, "NumberOfContainers", json_object_new_int ((int) r->n));
  pc_autostrv char **ids = NULL, **names = NULL, **st = NULL;
  for (size_t i = 0; i < r->n; i++)
    {
      const struct pc_container *c = member_at (r, i);
      pc_autofree char *cid = trunc_id (c->id, no_trunc);
      pc_strv_append (&ids, cid);
      pc_strv_append (&names, c->name);
      pc_strv_append (&st, pc_container_status_name (c->state.status));
    }
  pc_autofree char *jids = ids ? pc_strv_join (ids, ",") : xstrdup ("");
  pc_autofree char *jnames = names ? pc_strv_join (names, ",") : xstrdup ("");
  pc_autofree char *jst = st ? pc_strv_join (st, ",") : xstrdup ("");
  json_object_object_add (o, "ContainerIds", json_object_new_string (jids));
  json_object_object_add (o, "ContainerNames", json_object_new_string (jnames));
  json_object_object_add (o, "ContainerStatuses", json_object_new_string (jst));
  json_object_object_add (o, "Networks", json_object_new_string (""));
  return o;
}

static const char *sort_by;

static int
cmp_rows (const void *pa, const void *pb)
{
  const struct pod_row *a = pa, *b = pb;
  if (strcmp (sort_by, "id") == 0)
    return strcmp (a->p->id, b->p->id);
  if (strcmp (sort_by, "name") == 0)
    return strcmp (a->p->name, b->p->name);
  if (strcmp (sort_by, "number") == 0)
    return a->n < b->n ? -1 : a->n > b->n;
  if (strcmp (sort_by, "status") == 0)
    return strcmp (a->status, b->status);
  /* created: newest first */
  if (a->p->created.tv_sec != b->p->created.tv_sec)
    return a->p->created.tv_sec < b->p->created.tv_sec ? 1 : -1;
  return a->p->created.tv_nsec < b->p->created.tv_nsec ? 1 : a->p->created.tv_nsec > b->p->created.tv_nsec ? -1 : 0;
}

int
pc_cmd_pod_ps (const struct pc_command *cmd, int argc, char **argv)
{
  bool ctr_names = false, ctr_ids = false, ctr_status = false, latest = false, no_trunc = false, noheading = false,
       ns = false, quiet = false;
  pc_autofree char *format = NULL, *sort = NULL;
  pc_autostrv char **filters = NULL;
  const struct pc_opt opts[] = {
    { "ctr-ids", 0, PC_OPT_BOOL, &ctr_ids, NULL, "Display the container UUIDs. If no-trunc is not set they will be truncated" },
    { "ctr-names", 0, PC_OPT_BOOL, &ctr_names, NULL, "Display the container names" },
    { "ctr-status", 0, PC_OPT_BOOL, &ctr_status, NULL, "Display the container status" },
    { "filter", 'f', PC_OPT_STRV, &filters, "strings", "Filter output based on conditions given" },
    { "format", 0, PC_OPT_STRING, &format, "string", "Pretty-print pods to JSON or using a Go template" },
    { "latest", 'l', PC_OPT_BOOL, &latest, NULL, "Act on the latest pod podman is aware of" },
    { "no-trunc", 0, PC_OPT_BOOL, &no_trunc, NULL, "Do not truncate pod and container IDs" },
    { "noheading", 0, PC_OPT_BOOL, &noheading, NULL, "Do not print headers" },
    { "ns", 0, PC_OPT_BOOL, &ns, NULL, "Display namespace information of the pod" },
    { "quiet", 'q', PC_OPT_BOOL, &quiet, NULL, "Print the numeric IDs of the pods only" },
    { "sort", 0, PC_OPT_STRING, &sort, "string", "Sort output by created, id, name, or number (default \"created\")" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, 0, &args, &nargs, &exit_code) != 0)
    return exit_code;
  sort_by = sort ? sort : "created";
  if (strcmp (sort_by, "created") != 0 && strcmp (sort_by, "id") != 0 && strcmp (sort_by, "name") != 0
      && strcmp (sort_by, "number") != 0 && strcmp (sort_by, "status") != 0)
    return pc_cli_errorf (PC_EXIT_ERROR, "invalid option for --sort, options are: id, names, or number");
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  struct pc_pod **pods = NULL;
  size_t np = 0;
  if (pc_engine_pod_list (e, &pods, &np, &err) < 0)
    return pc_cli_fail (err);
  struct pod_row *rows = xmalloc0 ((np + 1) * sizeof *rows);
  size_t nr = 0;
  int ret = 0;
  for (size_t i = 0; i < np; i++)
    {
      struct pod_row r = { .p = pods[i] };
      pods[i] = NULL;
      if (pc_engine_pod_members (e, r.p, &r.m, &r.n, &err) < 0)
        {
          pc_pod_free (r.p);
          ret = pc_cli_fail (err);
          err = NULL;
          continue;
        }
      r.status = pc_engine_pod_status (r.m, r.n);
      bool match = true;
      if (filter_match (&r, filters, &match, &err) < 0)
        {
          rows[nr++] = r;
          rows_free (rows, nr);
          free (pods);
          return pc_cli_fail (err);
        }
      rows[nr++] = r;
      if (!match)
        {
          pc_pod_free (rows[nr - 1].p);
          pc_container_list_free (rows[nr - 1].m, rows[nr - 1].n);
          nr--;
        }
    }
  free (pods);
  qsort (rows, nr, sizeof *rows, cmp_rows);
  if (latest && nr > 1)
    {
      sort_by = "created";
      qsort (rows, nr, sizeof *rows, cmp_rows);
      for (size_t i = 1; i < nr; i++)
        {
          pc_pod_free (rows[i].p);
          pc_container_list_free (rows[i].m, rows[i].n);
        }
      nr = 1;
    }
  if (quiet)
    {
      for (size_t i = 0; i < nr; i++)
        {
          /* podman 4.3's pod ps -q prints whole IDs (the table, 12). */
          puts (rows[i].p->id);
        }
      rows_free (rows, nr);
      return ret;
    }
  pc_autojson json_object *arr = json_object_new_array ();
  bool json = format && pc_format_is_json (format);
  for (size_t i = 0; i < nr; i++)
    json_object_array_add (arr, json ? json_row (&rows[i]) : report_row (&rows[i], no_trunc));
  rows_free (rows, nr);
  if (json)
    {
      pc_autofree char *s = pc_json_to_string_pretty (arr);
      puts (s);
      return ret;
    }
  static const struct pc_format_column cols[] = {
    { "ID", "POD ID" }, { "Name", "NAME" }, { "Status", "STATUS" }, { "Created", "CREATED" },
    { "InfraID", "INFRA ID" }, { "NumberOfContainers", "# OF CONTAINERS" }, { "ContainerIds", "IDS" },
    { "ContainerNames", "NAMES" }, { "ContainerStatuses", "STATUS" }, { "Cgroup", "CGROUP" },
    { "Namespace", "NAMESPACES" }, { "Networks", "NETWORKS" }, { "Labels", "LABELS" }, { NULL, NULL },
  };
  pc_autofree char *deflt = NULL;
  if (format == NULL || *format == '\0' || strcmp (format, "table") == 0)
    {
      bool ctr = ctr_ids || ctr_names || ctr_status;
      deflt = xasprintf ("table {{.ID}}\t{{.Name}}\t{{.Status}}\t{{.Created}}\t{{.InfraID}}%s%s%s%s",
                         ctr ? "" : "\t{{.NumberOfContainers}}", ctr_ids ? "\t{{.ContainerIds}}" : "",
                         ctr_names ? "\t{{.ContainerNames}}" : "", ctr_status ? "\t{{.ContainerStatuses}}" : "");
    }
  if (pc_format_print_ex (stdout, deflt ? deflt : format, arr, cols, noheading, &err) < 0)
    return pc_cli_fail (err);
  return ret;
}

int
pc_cmd_pod_inspect (const struct pc_command *cmd, int argc, char **argv)
{
  pc_autofree char *format = NULL;
  bool latest = false;
  const struct pc_opt opts[] = {
    { "format", 'f', PC_OPT_STRING, &format, "string", "Format the output to a Go template or json" },
    { "latest", 'l', PC_OPT_BOOL, &latest, NULL, "Act on the latest pod podman is aware of" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (nargs == 0 && !latest)
    return pc_cli_errorf (PC_EXIT_ERROR, "you must provide the name or id of a running pod");
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  /* podman 4.3: one pod is an object, several an array (none found: []);
     a missing one is named after what was found is printed. */
  pc_autojson json_object *found = json_object_new_array ();
  pc_autofree char *missing = NULL;
  if (latest)
    {
      struct pc_pod **v = NULL;
      size_t n = 0;
      if (pc_engine_pod_list (e, &v, &n, &err) < 0)
        return pc_cli_fail (err);
      if (n == 0)
        {
          pc_pod_list_free (v, n);
          return pc_cli_errorf (PC_EXIT_ERROR, "no pods to inspect");
        }
      json_object_array_add (found, pc_engine_pod_inspect (e, v[0]));
      pc_pod_list_free (v, n);
    }
  for (int i = 0; !latest && i < nargs; i++)
    {
      pc_autopod struct pc_pod *p = NULL;
      if (pc_engine_pod_lookup (e, args[i], &p, &err) < 0)
        {
          if (pc_error_class_of (err) != PC_ERR_NOT_FOUND)
            return pc_cli_fail (err);
          pc_error_free (err);
          err = NULL;
          if (missing == NULL)
            missing = xstrdup (args[i]);
          continue;
        }
      json_object_array_add (found, pc_engine_pod_inspect (e, p));
    }
  size_t nf = json_object_array_length (found);
  if (format && *format && !pc_format_is_json (format))
    {
      for (size_t i = 0; i < nf; i++)
        if (pc_format_template_one (stdout, format, json_object_array_get_idx (found, i), &err) < 0)
          return pc_cli_fail (err);
    }
  else
    {
      pc_autofree char *s = pc_json_to_string_pretty (nf == 1 ? json_object_array_get_idx (found, 0) : found);
      puts (s);
    }
  fflush (stdout);
  if (missing)
    /* podman 4.3's words for it. */
    return pc_cli_errorf (PC_EXIT_ERROR, "inspecting object: no such pod %s", missing);
  return 0;
}

/* One table for every running container of the pod: each container's
   rows (pc_engine_top), the header once, columns aligned again. */
int
pc_cmd_pod_top (const struct pc_command *cmd, int argc, char **argv)
{
  const struct pc_opt opts[] = { { NULL } };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 1, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  pc_autopod struct pc_pod *p = NULL;
  if (pc_engine_pod_lookup (e, args[0], &p, &err) < 0)
    return pc_cli_fail (err);
  struct pc_container **m = NULL;
  size_t n = 0;
  if (pc_engine_pod_members (e, p, &m, &n, &err) < 0)
    return pc_cli_fail (err);
  pc_autostrv char **lines = NULL;
  size_t up = 0;
  int ret = 0;
  for (size_t k = 0; k < n; k++)
    {
      struct pc_container *c = m[(k + 1) % n];
      if (c->state.status != PC_STATUS_RUNNING)
        continue;
      char *buf = NULL;
      size_t len = 0;
      FILE *f = open_memstream (&buf, &len);
      if (f == NULL)
        break;
      int r = pc_engine_top (e, c, nargs > 1 ? args + 1 : NULL, f, &err);
      fclose (f);
      if (r < 0)
        {
          free (buf);
          ret = pc_cli_fail (err);
          err = NULL;
          continue;
        }
      char *save = NULL;
      size_t i = 0;
      for (char *l = strtok_r (buf, "\n", &save); l; l = strtok_r (NULL, "\n", &save), i++)
        if (i > 0 || up == 0)
          pc_strv_append (&lines, l);
      free (buf);
      up++;
    }
  pc_container_list_free (m, n);
  if (up == 0)
    return ret ? ret : pc_cli_errorf (PC_EXIT_ERROR, "pod top can only be used on pods with at least one running container");
  /* Columns are separated by two or more blanks; realign them. */
  size_t ncol = 0, width[32] = { 0 };
  for (char **l = lines; l && *l; l++)
    {
      size_t c = 0;
      for (char *s = *l; *s && c < 32; c++)
        {
          char *end = strstr (s, "  ");
          size_t w = end && c < 31 ? (size_t) (end - s) : strlen (s);
          if (w > width[c])
            width[c] = w;
          s += w;
          while (*s == ' ')
            s++;
        }
      if (c > ncol)
        ncol = c;
    }
  for (char **l = lines; l && *l; l++)
    {
      size_t c = 0;
      for (char *s = *l; *s && c < 32; c++)
        {
          char *end = strstr (s, "  ");
          size_t w = end && c < 31 ? (size_t) (end - s) : strlen (s);
          printf ("%.*s", (int) w, s);
          s += w;
          while (*s == ' ')
            s++;
          if (*s)
            printf ("%*s", (int) (width[c] - w + 4), "");
        }
      putchar ('\n');
    }
  return ret;
}

/* podman's pod logs: pc logs of the pod's containers (the infra's has
   nothing), oldest first, each line after the container's ID or, with
   --names, its name; -c one of them alone. */
int
pc_cmd_pod_logs (const struct pc_command *cmd, int argc, char **argv)
{
  pc_autofree char *container = NULL, *since = NULL, *until = NULL;
  bool follow = false, names = false, timestamps = false, latest = false, color = false;
  long tail = -1;
  bool tail_set = false;
  const struct pc_opt opts[] = {
    { "color", 0, PC_OPT_BOOL, &color, NULL, "Output the containers within a pod with different colors in the log" },
    { "container", 'c', PC_OPT_STRING, &container, "string", "Filter logs by container name or id which belongs to pod" },
    { "follow", 'f', PC_OPT_BOOL, &follow, NULL, "Follow log output." },
    { "latest", 'l', PC_OPT_BOOL, &latest, NULL, "Act on the latest pod podman is aware of" },
    { "names", 'n', PC_OPT_BOOL, &names, NULL, "Output container names instead of container IDs in the log" },
    { "since", 0, PC_OPT_STRING, &since, "string", "Show logs since TIMESTAMP" },
    { "tail", 0, PC_OPT_INT, &tail, "int", "Output the specified number of LINES at the end of the logs. (default -1)", &tail_set },
    { "timestamps", 't', PC_OPT_BOOL, &timestamps, NULL, "Output the timestamps in the log" },
    { "until", 0, PC_OPT_STRING, &until, "string", "Show logs until TIMESTAMP" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, latest ? 0 : 1, 1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  pc_autopod struct pc_pod *p = NULL;
  if (nargs == 0)
    {
      struct pc_pod **v = NULL;
      size_t n = 0;
      if (pc_engine_pod_list (e, &v, &n, &err) < 0)
        return pc_cli_fail (err);
      if (n)
        {
          p = v[0];
          v[0] = NULL;
        }
      pc_pod_list_free (v, n);
      if (p == NULL)
        return pc_cli_errorf (PC_EXIT_ERROR, "no pods to show the logs of");
    }
  else if (pc_engine_pod_lookup (e, args[0], &p, &err) < 0)
    return pc_cli_fail (err);
  struct pc_container **m = NULL;
  size_t n = 0;
  if (pc_engine_pod_members (e, p, &m, &n, &err) < 0)
    return pc_cli_fail (err);
  pc_autostrv char **av = NULL;
  pc_strv_append (&av, "logs");
  if (follow)
    pc_strv_append (&av, "--follow");
  if (names)
    pc_strv_append (&av, "--names");
  if (timestamps)
    pc_strv_append (&av, "--timestamps");
  if (since)
    pc_strv_append_take (&av, xasprintf ("--since=%s", since));
  if (until)
    pc_strv_append_take (&av, xasprintf ("--until=%s", until));
  if (tail_set)
    pc_strv_append_take (&av, xasprintf ("--tail=%ld", tail));
  size_t fixed = pc_strv_len (av);
  /* Oldest first, as podman lists them; the infra (the oldest) left out. */
  for (size_t k = n; k > 0; k--)
    {
      struct pc_container *c = m[k - 1];
      if (pc_json_get_bool (c->rec, "IsInfra", false))
        continue;
      if (container && strcmp (container, c->name) != 0 && strncmp (c->id, container, strlen (container)) != 0)
        continue;
      pc_strv_append (&av, c->id);
    }
  pc_container_list_free (m, n);
  if (pc_strv_len (av) == fixed)
    {
      if (container)
        return pc_cli_errorf (PC_EXIT_ERROR, "container %s is not in pod %s", container, p->name);
      return 0;
    }
  /* The parser may reorder the array it is given: it gets a copy of the
     pointers, av keeps the strings to free. */
  size_t nav = pc_strv_len (av);
  pc_autofree char **argv2 = xmalloc0 ((nav + 1) * sizeof *argv2);
  memcpy (argv2, av, nav * sizeof *argv2);
  return pc_cmd_logs (cmd, (int) nav, argv2);
}
