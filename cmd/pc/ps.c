/* pc ps: podman's columns, flags, filters (ps-filter.c) and --format,
   from the records alone (no forks, one small read per file). Checked side
   by side with podman 4.3 (cmd/podman/containers/ps.go, pkg/ps/ps.go). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/pc/container.h"
#include "cmd/pc/ps.h"
#include "lib/cleanup.h"
#include "lib/format.h"
#include "lib/json.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

/* Header titles (podman's createPsOut); any other field's title is its
   name split at capitals. */
static const struct pc_format_column ps_headers[] = {
  { "ID", "CONTAINER ID" },
  { "Image", "IMAGE" },
  { "Command", "COMMAND" },
  { "CreatedHuman", "CREATED" },
  { "Status", "STATUS" },
  { "Ports", "PORTS" },
  { "Names", "NAMES" },
  { "Cgroup", "CGROUPNS" },
  { "IPC", "IPC" },
  { "MNT", "MNT" },
  { "NET", "NET" },
  { "Networks", "NETWORKS" },
  { "PIDNS", "PIDNS" },
  { "Pod", "POD ID" },
  { "PodName", "PODNAME" },
  { "RunningFor", "RUNNING FOR" },
  { "UTS", "UTS" },
  { "User", "USERNS" },
  { NULL, NULL },
};

static const char *const sort_keys[] = { "command", "created", "id", "image", "names", "runningfor",
                                         "size", "status", NULL };

struct item
{
  struct pc_container *c;
  json_object *raw;       /* pc_engine_ps_row plus what ps adds; NULL for the default table */
  int64_t rootfs, rw;
  bool sized;
  char *command;          /* joined */
  char *state;            /* podman's State(): "Up 3 seconds", "Exited (0) ...", "Created" */
  char *status;           /* the engine's STATUS words, then the STATUS column */
  const char *image;      /* the row's Image (the name it was created from) */
  const char *state_word; /* the row's State: "running", "stopping", "unknown", ... */
};

static void
items_free (struct item *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      json_object_put (v[i].raw);
      free (v[i].command);
      free (v[i].state);
      free (v[i].status);
    }
  free (v);
}

/* units.HumanSizeWithPrecision (x, 3): "0B", "12B", "102kB", "1.99MB". */
static char *
size_precision3 (int64_t bytes)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB" };
  double size = (double) bytes;
  size_t i = 0;
  while (size >= 1000 && i < sizeof units / sizeof *units - 1)
    {
      size /= 1000;
      i++;
    }
  return xasprintf ("%.3g%s", size, units[i]);
}

/* podman's State(): the engine's STATUS words without the health
   suffix ("Up 3 seconds", "Exited (0) 2 seconds ago", "Created",
   "Stopping"), and for a paused container "Paused" as podman has it. */
static char *
human_state (const char *state, const char *status, const char *health)
{
  if (strcmp (state, "paused") == 0)
    return xstrdup ("Paused");
  size_t n = strlen (status);
  if (*health && n > strlen (health) + 3)
    n -= strlen (health) + 3;
  return xstrndup (status, n);
}

/* The inode number of /proc/PID/ns/NAME, "" when it cannot be read. */
static char *
ns_inode (pid_t pid, const char *name)
{
  if (pid <= 0)
    return xstrdup ("");
  char path[64], link[128];
  snprintf (path, sizeof path, "/proc/%d/ns/%s", (int) pid, name);
  ssize_t n = readlink (path, link, sizeof link - 1);
  if (n < 0)
    return xstrdup ("");
  link[n] = '\0';
  char *open = strchr (link, '['), *close = strrchr (link, ']');
  if (open == NULL || close == NULL || close < open)
    return xstrdup (link);
  return xstrndup (open + 1, (size_t) (close - open - 1));
}

/* The State() and STATUS column from the engine's STATUS words (it->status,
   replaced) and its State word. */
static void
complete_status (struct item *it, const char *state)
{
  const struct pc_container *c = it->c;
  const char *health = pc_ps_health (it->status);
  it->state = human_state (state, it->status, health);
  char *status = *health ? xasprintf ("%s (%s)", it->state, health) : xstrdup (it->state);
  if (c->problem)
    {
      bool up = c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED;
      free (status);
      status = xstrdup (up ? "Unknown (record unreadable, up)" : "Unknown (record unreadable)");
    }
  free (it->status);
  it->status = status;
}

/* What pc ps adds to the engine's row, for JSON and templates alike. */
static void
complete_raw (struct item *it, bool ns, bool pod, bool size)
{
  struct pc_container *c = it->c;
  json_object *raw = it->raw;
  json_object_object_add (raw, "IsInfra", json_object_new_boolean (pc_json_get_bool (c->rec, "IsInfra", false)));
  json_object_object_add (raw, "Pod", json_object_new_string (pc_ps_pod (c)));
  json_object_object_add (raw, "PodName",
                          json_object_new_string (pod ? pc_json_get_string (c->rec, "PodName") ?: "" : ""));
  json_object *mounts = json_object_new_array ();
  /* podman's UserVolumes: the binds in their order, then named volumes. */
  json_object *rm = pc_json_get_array (c->rec, "Mounts");
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < pc_json_array_len (rm); i++)
      {
        json_object *m = pc_json_array_object_at (rm, i);
        const char *d = pc_json_get_string (m, "Destination");
        bool vol = strcmp (pc_json_get_string (m, "Type") ?: "", "volume") == 0;
        if (d && vol == (pass == 1))
          json_object_array_add (mounts, json_object_new_string (d));
      }
  json_object_object_add (raw, "Mounts", mounts);
  json_object *nso = json_object_new_object ();
  if (ns)
    {
      pid_t pid = (pid_t) pc_json_get_int (raw, "Pid", 0);
      static const char *const keys[][2] = { { "Mnt", "mnt" }, { "Cgroup", "cgroup" }, { "Ipc", "ipc" },
                                             { "Net", "net" }, { "Pidns", "pid" }, { "Uts", "uts" },
                                             { "User", "user" } };
      for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        {
          pc_autofree char *v = ns_inode (pid, keys[i][1]);
          if (*v)
            json_object_object_add (nso, keys[i][0], json_object_new_string (v));
        }
    }
  json_object_object_add (raw, "Namespaces", nso);
  if (size)
    {
      json_object *so = json_object_new_object ();
      json_object_object_add (so, "rootFsSize", json_object_new_int64 (it->rootfs));
      json_object_object_add (so, "rwSize", json_object_new_int64 (it->rw));
      json_object_object_add (raw, "Size", so);
    }
  complete_status (it, pc_json_get_string (raw, "State") ?: "unknown");
  if (c->problem)
    json_object_object_add (raw, "State", json_object_new_string ("unknown"));
  json_object_object_add (raw, "Status", json_object_new_string (it->status));

  json_object *cmd = pc_json_get_array (raw, "Command");
  pc_autostrv char **words = NULL;
  for (size_t i = 0; i < pc_json_array_len (cmd); i++)
    pc_strv_append (&words, json_object_get_string (json_object_array_get_idx (cmd, i)) ?: "");
  it->command = words ? pc_strv_join (words, " ") : xstrdup ("");
}

/* The same for the default table, which needs no JSON row: the command is
   pc_engine_ps_row's (Entrypoint then Cmd). */
static void
complete_plain (struct item *it)
{
  const struct pc_container *c = it->c;
  complete_status (it, c->state.stopping ? "stopping" : pc_container_status_name (c->state.status));
  json_object *cfg = pc_json_get (c->rec, "Config");
  pc_autostrv char **words = NULL;
  for (int k = 0; k < 2; k++)
    {
      json_object *a = pc_json_get (cfg, k ? "Cmd" : "Entrypoint");
      for (size_t i = 0; a && json_object_is_type (a, json_type_array) && i < json_object_array_length (a); i++)
        pc_strv_append (&words, json_object_get_string (json_object_array_get_idx (a, i)) ?: "");
    }
  it->command = words ? pc_strv_join (words, " ") : xstrdup ("");
}

/* podman's PORTS: 0.0.0.0:8080->80/tcp, 127.0.0.1:8081->81/tcp */
static char *
ports_text (json_object *ports)
{
  char *pstr = xstrdup ("");
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
  return pstr;
}

static const char *
ns_field (json_object *raw, const char *key)
{
  return pc_json_get_string (pc_json_get (raw, "Namespaces"), key) ?: "";
}

/* What templates see: podman's psReporter (short IDs, joined names and
   command, human times and sizes) over the JSON row.  podman's template
   rows are a Go struct whose Created is a time.Time, so {{.Created}} and
   {{.CreatedAt}} print Go's time String(); its --format json keeps Created
   as unix seconds and CreatedAt as the human string. */
static json_object *
reporter_row (const struct item *it, bool no_trunc, bool size)
{
  json_object *raw = it->raw;
  const struct pc_container *ct = it->c;
  json_object *o = json_object_new_object ();
  json_object_object_foreach (raw, k, v)
    json_object_object_add (o, k, json_object_get (v));
  const char *id = pc_json_get_string (raw, "Id") ?: "";
  json_object_object_add (o, "ID", json_object_new_string_len (id, no_trunc ? (int) strlen (id) : 12));
  const char *image_id = pc_json_get_string (raw, "ImageID") ?: "";
  json_object_object_add (o, "ImageID", json_object_new_string_len (image_id, no_trunc || strlen (image_id) < 12
                                                                                  ? (int) strlen (image_id) : 12));
  const char *pod = pc_json_get_string (raw, "Pod") ?: "";
  json_object_object_add (o, "Pod", json_object_new_string_len (pod, no_trunc || strlen (pod) < 12
                                                                          ? (int) strlen (pod) : 12));
  json_object *names = pc_json_get (raw, "Names");
  json_object_object_add (o, "Names", json_object_new_string (json_object_get_string (json_object_array_get_idx (names, 0)) ?: ""));
  pc_autofree char *c = xstrdup (it->command);
  if (!no_trunc && strlen (c) > 17)
    {
      char *t = xasprintf ("%.17s...", c);
      free (c);
      c = t;
    }
  json_object_object_add (o, "Command", json_object_new_string (c));
  json_object_object_add (o, "CreatedHuman", json_object_new_string (pc_json_get_string (raw, "CreatedAt") ?: ""));
  json_object_object_add (o, "RunningFor", json_object_new_string (pc_json_get_string (raw, "CreatedAt") ?: ""));
  char buf[96];
  pc_format_go_time (&ct->created, false, buf, sizeof buf);
  json_object_object_add (o, "Created", json_object_new_string (buf));
  json_object_object_add (o, "CreatedAt", json_object_new_string (buf));
  /* .State stays the raw word ("running"), as docker and podman 5 print
     it; podman 4.3's human State() is the old form (docs/podman-compat.md). */
  pc_autofree char *pstr = ports_text (pc_json_get_array (raw, "Ports"));
  json_object_object_add (o, "Ports", json_object_new_string (pstr));
  if (size)
    {
      pc_autofree char *rw = size_precision3 (it->rw), *virt = size_precision3 (it->rootfs);
      pc_autofree char *s = xasprintf ("%s (virtual %s)", rw, virt);
      json_object_object_add (o, "Size", json_object_new_string (s));
    }
  else
    json_object_object_add (o, "Size", json_object_new_string (""));
  json_object *labels = pc_json_get (raw, "Labels");
  json_object_object_add (o, "Labels", labels ? json_object_get (labels) : json_object_new_object ());
  /* {{.Label "k"}} (podman 4.5's method): the value of label k, or "". */
  json_object_object_add (o, "Label", labels ? json_object_get (labels) : json_object_new_object ());
  json_object_object_add (o, "Networks", json_object_new_string (""));
  /* .Namespaces.X is .X (podman rewrites the template); .Namespaces alone
     prints the Go struct: its seven fields, space-separated, in braces. */
  static const char *const nsf[][2] = { { "MNT", "Mnt" }, { "Cgroup", "Cgroup" }, { "IPC", "Ipc" },
                                        { "NET", "Net" }, { "PIDNS", "Pidns" }, { "UTS", "Uts" },
                                        { "User", "User" } };
  pc_autofree char *nss = xstrdup ("{");
  for (size_t i = 0; i < sizeof nsf / sizeof *nsf; i++)
    {
      const char *nv = ns_field (raw, nsf[i][1]);
      json_object_object_add (o, nsf[i][0], json_object_new_string (nv));
      char *next = xasprintf ("%s%s%s", nss, i ? " " : "", nv);
      free (nss);
      nss = next;
    }
  pc_autofree char *nsclosed = xasprintf ("%s}", nss);
  json_object_object_add (o, "Namespaces", json_object_new_string (nsclosed));
  return o;
}

static int
cmp_str (const char *a, const char *b)
{
  return strcmp (a ? a : "", b ? b : "");
}

static const char *sort_by;

static int
cmp_items (const void *pa, const void *pb)
{
  const struct item *a = pa, *b = pb;
  int r = 0;
  if (strcmp (sort_by, "command") == 0)
    r = strcmp (a->command, b->command);
  else if (strcmp (sort_by, "created") == 0)
    r = (a->c->created.tv_sec > b->c->created.tv_sec) - (a->c->created.tv_sec < b->c->created.tv_sec);
  else if (strcmp (sort_by, "id") == 0)
    r = strcmp (a->c->id, b->c->id);
  else if (strcmp (sort_by, "image") == 0)
    r = cmp_str (a->image, b->image);
  else if (strcmp (sort_by, "names") == 0)
    r = cmp_str (a->c->name, b->c->name);
  else if (strcmp (sort_by, "runningfor") == 0)
    r = (a->c->state.started_at.tv_sec > b->c->state.started_at.tv_sec)
        - (a->c->state.started_at.tv_sec < b->c->state.started_at.tv_sec);
  else if (strcmp (sort_by, "status") == 0)
    r = cmp_str (a->state_word, b->state_word);
  else if (strcmp (sort_by, "size") == 0 && a->sized && b->sized)
    r = (a->rootfs > b->rootfs) - (a->rootfs < b->rootfs);
  return r;
}

/* qsort is not stable; podman's sort of a short list (insertion sort
   below 12) keeps equal rows in their order, and so does this. */
static void
stable_sort (struct item *v, size_t n)
{
  for (size_t i = 1; i < n; i++)
    {
      struct item x = v[i];
      size_t j = i;
      while (j > 0 && cmp_items (&v[j - 1], &x) > 0)
        {
          v[j] = v[j - 1];
          j--;
        }
      v[j] = x;
    }
}

static char *
default_format (bool ns, bool pod, bool size)
{
  if (ns)
    return xstrdup ("table {{.ID}}\t{{.Names}}\t{{.Pid}}\t{{.Cgroup}}\t{{.IPC}}\t{{.MNT}}\t{{.NET}}\t"
                    "{{.PIDNS}}\t{{.User}}\t{{.UTS}}");
  return xasprintf ("table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t"
                    "{{.Ports}}\t{{.Names}}%s%s", pod ? "\t{{.Pod}}\t{{.PodName}}" : "",
                    size ? "\t{{.Size}}" : "");
}

/* podman replaces ".Namespaces." with "." in the template. */
static char *
rewrite_namespaces (const char *format)
{
  static const char needle[] = ".Namespaces.";
  char *out = xstrdup (format);
  char *p;
  while ((p = strstr (out, needle)))
    memmove (p + 1, p + sizeof needle - 1, strlen (p + sizeof needle - 1) + 1);
  return out;
}

static int
check_flags (const struct pc_command *cmd, bool quiet, bool size, bool ns, long last, bool latest,
             const char *sort)
{
  if (last >= 0 && latest)
    return pc_cli_errorf (PC_EXIT_ERROR, "last and latest are mutually exclusive");
  if (quiet && (size || ns))
    return pc_cli_errorf (PC_EXIT_ERROR, "quiet conflicts with size and namespace");
  if (size && ns)
    return pc_cli_errorf (PC_EXIT_ERROR, "size and namespace options conflict");
  if (sort && !pc_strv_contains ((char **) sort_keys, sort))
    {
      pc_autofree char *choices = pc_strv_join ((char **) sort_keys, ", ");
      fprintf (stderr, "Error: invalid argument \"%s\" for \"--sort\" flag: \"%s\" is not a valid value.  "
               "Choose from: \"%s\"\nSee '%s --help'\n", sort, sort, choices, cmd->path ? cmd->path : "pc ps");
      return PC_EXIT_ERROR;
    }
  return 0;
}

struct ps_opts
{
  bool all, quiet, no_trunc, ns, pod, noheading, size, format_set;
  long last;
  const char *format, *sort;
};

/* pc_engine_ps_row's Status: the STATUS words, with the healthcheck's
   status once the container has started. */
static char *
engine_status (struct pc_engine *e, const struct pc_container *c)
{
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  char *status = pc_engine_status_human (&c->state, &now);
  pc_autofree char *health = c->state.status == PC_STATUS_CREATED ? NULL : pc_engine_health_status (e, c);
  if (health && *health)
    {
      char *s = xasprintf ("%s (%s)", status, health);
      free (status);
      status = s;
    }
  return status;
}

/* The PORTS column of the default table: the engine's row says it (a
   pod's member shows its infra's ports); most containers publish none. */
static char *
plain_ports (struct pc_engine *e, struct pc_container *c)
{
  json_object *pb = pc_json_get_object (pc_json_get (c->rec, "HostConfig"), "PortBindings");
  if ((pb == NULL || json_object_object_length (pb) == 0) && *pc_ps_pod (c) == '\0')
    return xstrdup ("");
  pc_autojson json_object *raw = pc_engine_ps_row (e, c);
  return ports_text (pc_json_get_array (raw, "Ports"));
}

static void
put_cell (FILE *f, const char *s, size_t n, bool last)
{
  fwrite (s, 1, n, f);
  fputc (last ? '\n' : '\t', f);
}

/* The default table (default_format's columns) without JSON rows or the
   template: the text the template gives, aligned the same way. */
static void
print_plain_table (struct pc_engine *e, struct item *items, size_t ni, const struct ps_opts *o)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&buf, &size);
  if (f == NULL)
    abort ();
  if (!o->noheading)
    fprintf (f, "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES%s%s\n",
             o->pod ? "\tPOD ID\tPODNAME" : "", o->size ? "\tSIZE" : "");
  for (size_t i = 0; i < ni; i++)
    {
      struct item *it = &items[i];
      struct pc_container *c = it->c;
      put_cell (f, c->id, o->no_trunc ? strlen (c->id) : 12, false);
      put_cell (f, it->image, strlen (it->image), false);
      size_t cl = strlen (it->command);
      if (!o->no_trunc && cl > 17)
        fprintf (f, "%.17s...\t", it->command);
      else
        put_cell (f, it->command, cl, false);
      pc_autofree char *ago = pc_time_human_ago (&c->created);
      put_cell (f, ago, strlen (ago), false);
      put_cell (f, it->status, strlen (it->status), false);
      pc_autofree char *ports = plain_ports (e, c);
      put_cell (f, ports, strlen (ports), false);
      bool more = o->pod || o->size;
      put_cell (f, c->name, strlen (c->name), !more);
      if (o->pod)
        {
          const char *pod = pc_ps_pod (c);
          const char *pod_name = pc_json_get_string (c->rec, "PodName") ?: "";
          put_cell (f, pod, o->no_trunc || strlen (pod) < 12 ? strlen (pod) : 12, false);
          put_cell (f, pod_name, strlen (pod_name), !o->size);
        }
      if (o->size)
        {
          pc_autofree char *rw = size_precision3 (it->rw), *virt = size_precision3 (it->rootfs);
          fprintf (f, "%s (virtual %s)\n", rw, virt);
        }
    }
  fclose (f);
  pc_format_tabwrite (stdout, buf, size);
  free (buf);
}

/* One listing: the records now, filtered, ordered and printed. */
static int
ps_once (struct pc_engine *e, const struct ps_opts *o, const struct pc_ps_filters *f)
{
  pc_error *err = NULL;
  struct pc_container **v = NULL;
  size_t n = 0;
  /* Each c->rec holds only the fields listed in pkg/engine/record-summary.c
     (here, in ps-filter.c and in pc_engine_ps_row): a new field read from
     the record goes there first, with a new SUMMARY_VERSION. */
  if (pc_engine_list_summary (e, &v, &n, &err) < 0)
    return pc_cli_fail (err);
  /* JSON and templates see the engine's JSON row; the default table and -q
     need none (the bulk of a long listing's time went into making and
     freeing them). */
  bool rows_json = o->format_set || o->ns;
  /* The list is newest first: --last N keeps the N newest; podman then
     shows them oldest first, as it shows every list. */
  struct item *items = xmalloc0 ((n + 1) * sizeof *items);
  size_t ni = 0;
  for (size_t i = 0; i < n; i++)
    {
      struct pc_container *c = v[i];
      /* podman: a container a stop waits for is not running. */
      if (!o->all && (c->state.status != PC_STATUS_RUNNING || c->state.stopping))
        continue;
      if (o->last > 0 && ni >= (size_t) o->last)
        break;
      /* The engine's row carries the health words, for health=. */
      json_object *raw = rows_json ? pc_engine_ps_row (e, c) : NULL;
      char *status = raw ? xstrdup (pc_json_get_string (raw, "Status") ?: "") : engine_status (e, c);
      if (!pc_ps_filters_match (f, c, pc_ps_health (status)))
        {
          json_object_put (raw);
          free (status);
          continue;
        }
      items[ni] = (struct item) { .c = c, .raw = raw, .status = status,
                                  .image = pc_json_get_string (c->rec, "ImageName") ?: "",
                                  .state_word = c->problem ? "unknown"
                                                : c->state.stopping ? "stopping"
                                                : pc_container_status_name (c->state.status) };
      ni++;
    }
  for (size_t i = 0; i < ni / 2; i++)
    {
      struct item t = items[i];
      items[i] = items[ni - 1 - i];
      items[ni - 1 - i] = t;
    }
  for (size_t i = 0; i < ni; i++)
    {
      struct item *it = &items[i];
      struct pc_container *c = it->c;
      /* A record that cannot be read is shown, never skipped: its
         container may run and its name is taken until it is removed. */
      if (c->problem)
        fprintf (stderr, "WARN: container %s: record %s (its processes are %s; \"pc rm -f %.12s\" "
                 "stops them and frees its name)\n", c->id, c->problem,
                 c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED
                 ? "running" : "not running", c->id);
      if (o->size)
        {
          pc_autoerror pc_error *serr = NULL;
          if (pc_engine_container_size (e, c, &it->rootfs, &it->rw, &serr) < 0)
            fprintf (stderr, "Error: getting the size of %.12s: %s\n", c->id, serr->msg);
          it->sized = true;
        }
      if (it->raw)
        complete_raw (it, o->ns, o->pod, o->size);
      else
        complete_plain (it);
    }
  if (o->sort)
    {
      sort_by = o->sort;
      stable_sort (items, ni);
    }

  int ret = 0;
  if (o->format && pc_format_is_json (o->format))
    {
      pc_autojson json_object *rows = json_object_new_array ();
      for (size_t i = 0; i < ni; i++)
        json_object_array_add (rows, json_object_get (items[i].raw));
      /* podman's json.MarshalIndent with two spaces. */
      pc_autofree char *s = pc_json_to_string_indent (rows, 2, true);
      printf ("%s\n", s);
    }
  else if (o->quiet && !o->format_set)
    {
      for (size_t i = 0; i < ni; i++)
        printf ("%.*s\n", o->no_trunc ? 64 : 12, items[i].c->id);
    }
  else if (!rows_json)
    print_plain_table (e, items, ni, o);
  else
    {
      pc_autojson json_object *rows = json_object_new_array ();
      for (size_t i = 0; i < ni; i++)
        json_object_array_add (rows, reporter_row (&items[i], o->no_trunc, o->size));
      pc_autofree char *tmpl = o->format_set ? rewrite_namespaces (o->format) : default_format (o->ns, o->pod, o->size);
      if (pc_format_print_ex (stdout, tmpl, rows, ps_headers, o->noheading, &err) < 0)
        ret = pc_cli_fail (err);
    }
  items_free (items, ni);
  pc_container_list_free (v, n);
  return ret;
}

int
pc_cmd_ps (const struct pc_command *cmd, int argc, char **argv)
{
  bool all = false, quiet = false, no_trunc = false, latest = false, external = false, ns = false;
  bool pod = false, noheading = false, size = false, sync = false, format_set = false;
  long last = -1, watch = 0;
  pc_autofree char *format = NULL, *sort = NULL;
  pc_autostrv char **filter = NULL;
  const struct pc_opt opts[] = {
    { "all", 'a', PC_OPT_BOOL, &all, NULL, "Show all the containers, default is only running containers" },
    { "external", 0, PC_OPT_BOOL, &external, NULL, "Show containers in storage not controlled by pc (there are none)" },
    { "filter", 'f', PC_OPT_STRV, &filter, "strings", "Filter output based on conditions given" },
    { "format", 0, PC_OPT_STRING, &format, "string", "Pretty-print containers to JSON or using a Go template", &format_set },
    { "last", 'n', PC_OPT_INT, &last, "int", "Print the n last created containers (all states)" },
    { "latest", 'l', PC_OPT_BOOL, &latest, NULL, "Act on the latest container pc is aware of" },
    { "no-trunc", 0, PC_OPT_BOOL, &no_trunc, NULL, "Display the extended information" },
    { "noheading", 0, PC_OPT_BOOL, &noheading, NULL, "Do not print headers" },
    { "ns", 0, PC_OPT_BOOL, &ns, NULL, "Display namespace information" },
    { "pod", 'p', PC_OPT_BOOL, &pod, NULL, "Print the ID and name of the pod the containers are associated with" },
    { "quiet", 'q', PC_OPT_BOOL, &quiet, NULL, "Print the numeric IDs of the containers only" },
    { "size", 's', PC_OPT_BOOL, &size, NULL, "Display the total file sizes" },
    { "sort", 0, PC_OPT_STRING, &sort, "choice", "Sort output by: command, created, id, image, names, runningfor, size, status" },
    { "sync", 0, PC_OPT_BOOL, &sync, NULL, "Sync container state with OCI runtime (pc's state is always current)" },
    { "watch", 'w', PC_OPT_UINT, &watch, "uint", "Watch the ps output on an interval in seconds" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, 0, &args, &nargs, &exit_code) != 0)
    return exit_code;
  int rc = check_flags (cmd, quiet, size, ns, last, latest, sort);
  if (rc != 0)
    return rc;
  if (watch > 0 && latest)
    return pc_cli_errorf (PC_EXIT_ERROR, "the watch and latest flags cannot be used together");
  (void) external;  /* pc has no containers but its own (docs/podman-compat.md) */
  (void) sync;
  if (latest)
    last = 1;

  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  pc_autopsfilters struct pc_ps_filters f = { 0 };
  if (pc_ps_filters_parse (e, filter, &f, &err) < 0)
    return pc_cli_fail (err);
  /* podman: a status filter or --last looks at every container. */
  if (pc_ps_filters_want_all (&f) || last > 0)
    all = true;
  struct ps_opts o = { .all = all, .quiet = quiet, .no_trunc = no_trunc, .ns = ns, .pod = pod,
                       .noheading = noheading, .size = size, .format_set = format_set, .last = last,
                       .format = format, .sort = sort };
  /* podman's --watch redraws the table until interrupted; JSON and -q
     print once. */
  bool table = !(format && pc_format_is_json (format)) && !(quiet && !format_set);
  if (watch <= 0 || !table)
    return ps_once (e, &o, &f);
  /* The screen is cleared on a terminal only: podman's goterm drops its
     escapes when the output has no height (a pipe, a file). */
  bool tty = isatty (STDOUT_FILENO);
  for (;;)
    {
      if (tty)
        fputs ("\033[2J\033[1;1H", stdout);
      rc = ps_once (e, &o, &f);
      fflush (stdout);
      if (rc != 0)
        return rc;
      sleep ((unsigned) watch);
    }
}
