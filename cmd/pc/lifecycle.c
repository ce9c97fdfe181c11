/* start, stop, kill, restart, rm, rename, container exists/prune,
   pause, unpause: each applies to the containers named (or -a). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/pc/container.h"
#include "cmd/pc/latest.h"
#include "cmd/pc/ps.h"
#include "cmd/pc/rm-depend.h"
#include "cmd/pc/userns-split.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/parse.h"
#include "lib/xalloc.h"

/* 0 done (the name is printed), 1 nothing to do (not printed), -1 failed. */
typedef int (*ctr_fn) (struct pc_engine *e, struct pc_container *c, void *data, pc_error **err);

/* The containers a command acts on, as podman picks them: the names
   given and those in --cidfile files, or --all, or --filter (podman's ps
   filters; no names with it). With --all or --filter, `want` narrows the
   set (kill -a: the running ones) and full ids are printed. */
struct each_opts
{
  bool all;
  bool ignore_missing;   /* --ignore */
  bool print;            /* print the name given (full id with --all) */
  unsigned exit_kind;    /* PC_EXIT_REMOVES for rm's 1 and 2 */
  char **filters;        /* --filter */
  bool (*want) (const struct pc_container *c);
};

static bool
is_running (const struct pc_container *c)
{
  return c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED;
}

static bool
is_paused (const struct pc_container *c)
{
  return c->state.status == PC_STATUS_PAUSED;
}

static bool
filter_match (struct pc_engine *e, const struct pc_ps_filters *f, const struct pc_container *c)
{
  pc_autofree char *health = pc_engine_health_status (e, c);
  return pc_ps_filters_match (f, c, health ? health : "");
}

static int
each_listed (struct pc_engine *e, const struct each_opts *eo, ctr_fn fn, void *data)
{
  int rc = 0;
  pc_error *err = NULL;
  pc_autopsfilters struct pc_ps_filters f = { 0 };
  if (eo->filters && pc_ps_filters_parse (e, eo->filters, &f, &err) < 0)
    return pc_cli_fail (err);
  struct pc_container **v = NULL;
  size_t n = 0;
  if (pc_engine_list (e, &v, &n, &err) < 0)
    return pc_cli_fail (err);
  for (size_t i = 0; i < n; i++)
    {
      if ((eo->want && !eo->want (v[i])) || (eo->filters && !filter_match (e, &f, v[i])))
        continue;
      int r = fn (e, v[i], data, &err);
      if (r < 0)
        {
          rc = pc_cli_fail_as (err, eo->exit_kind);
          err = NULL;
        }
      else if (r == 0 && eo->print)
        printf ("%s\n", v[i]->id);
      fflush (stdout);
    }
  pc_container_list_free (v, n);
  return rc;
}

static int
each_container (struct pc_engine *e, char **args, int nargs, const struct each_opts *eo, ctr_fn fn,
                void *data)
{
  int rc = 0;
  pc_error *err = NULL;
  if (eo->all || (eo->filters && nargs == 0))
    return each_listed (e, eo, fn, data);
  /* start takes names and --filter together: the named ones that match. */
  pc_autopsfilters struct pc_ps_filters f = { 0 };
  if (eo->filters && pc_ps_filters_parse (e, eo->filters, &f, &err) < 0)
    return pc_cli_fail (err);
  /* As podman: every name resolves before anything is done; a missing
     one (without --ignore) fails the command and nothing is touched. */
  struct pc_container **ctrs = xmalloc0 (((size_t) nargs + 1) * sizeof *ctrs);
  for (int i = 0; i < nargs && rc == 0; i++)
    if (pc_engine_lookup (e, args[i], &ctrs[i], &err) < 0)
      {
        if (eo->ignore_missing && pc_error_class_of (err) == PC_ERR_NOT_FOUND)
          pc_error_clear (&err);
        else
          {
            rc = pc_cli_fail_as (err, eo->exit_kind);
            err = NULL;
          }
      }
  int failed = rc;
  for (int i = 0; i < nargs && failed == 0; i++)
    {
      if (ctrs[i] == NULL || (eo->filters && !filter_match (e, &f, ctrs[i])))
        continue;
      int r = fn (e, ctrs[i], data, &err);
      if (r < 0)
        {
          rc = pc_cli_fail_as (err, eo->exit_kind);
          err = NULL;
        }
      else if (r == 0 && eo->print)
        printf ("%s\n", args[i]);
      fflush (stdout);
    }
  for (int i = 0; i < nargs; i++)
    pc_container_free (ctrs[i]);
  free (ctrs);
  return rc;
}

/* strerror as Go spells it: "no such file or directory". */
static const char *
go_strerror (int errnum, char buf[128])
{
  snprintf (buf, 128, "%s", strerror (errnum));
  buf[0] = (char) tolower ((unsigned char) buf[0]);
  return buf;
}

/* --cidfile: each file's first line is a container id, added to the
   names (podman's "reading CIDFile: ..." when one cannot be read). */
static int
add_cidfiles (char **cidfiles, char **args, int nargs, char ***out, int *nout)
{
  char **v = NULL;
  for (int i = 0; i < nargs; i++)
    pc_strv_append (&v, args[i]);
  for (char **f = cidfiles; f && *f; f++)
    {
      FILE *fp = fopen (*f, "re");
      if (fp == NULL)
        {
          char eb[128];
          go_strerror (errno, eb);
          pc_strv_free (v);
          return pc_cli_errorf (PC_EXIT_ERROR, "reading CIDFile: open %s: %s", *f, eb);
        }
      /* The first line whole, as podman's os.ReadFile and split; a read
         that fails (a directory) is podman's error, not an empty name. */
      char line[4096];
      size_t len = fread (line, 1, sizeof line - 1, fp);
      int rerr = ferror (fp) ? errno : 0;
      fclose (fp);
      if (rerr != 0)
        {
          char eb[128];
          go_strerror (rerr, eb);
          pc_strv_free (v);
          return pc_cli_errorf (PC_EXIT_ERROR, "reading CIDFile: read %s: %s", *f, eb);
        }
      line[len] = '\0';
      line[strcspn (line, "\n")] = '\0';
      pc_strv_append (&v, line);
    }
  *out = v;
  *nout = (int) pc_strv_len (v);
  return 0;
}

static int
need_args (const struct pc_command *cmd, int nargs, bool all)
{
  if (all && nargs > 0)
    {
      fprintf (stderr, "Error: no arguments are needed with --all\n");
      return -1;
    }
  if (!all && nargs == 0)
    {
      fprintf (stderr, "Error: %s\n", strcmp (cmd->name, "start") == 0 ? "start requires at least one argument"
                                                                      : "you must provide at least one name or id");
      return -1;
    }
  return 0;
}

/* need_args for the commands with --filter: podman refuses names with it. */
static int
need_targets (const struct pc_command *cmd, int nargs, bool all, char **filters)
{
  if (filters && nargs > 0)
    {
      fprintf (stderr, "Error: --filter takes no arguments\n");
      return -1;
    }
  return need_args (cmd, nargs, all || filters != NULL);
}

/* ---- start ---- */

/* start and restart: each run of containers needing one user namespace
   (a pod's) in it (userns-split.h); listed names are --all's. */
struct each_start
{
  const struct each_opts *eo;
  ctr_fn fn;
  void *data;
};

static int
each_in_userns (struct pc_engine *e, char **names, int n, bool listed, void *data)
{
  struct each_start *s = data;
  pc_error *uerr = NULL;
  if (pc_engine_enter_userns_net (e, NULL, names, (size_t) n, &uerr) < 0)
    return pc_cli_fail (uerr);
  struct each_opts eo = *s->eo;
  eo.all = eo.all && !listed;
  if (listed)
    eo.want = NULL;
  return each_container (e, names, n, &eo, s->fn, s->data);
}

/* podman reports only the containers it started: 1 (not printed) for one
   that was running already. */
static int
start_one (struct pc_engine *e, struct pc_container *c, void *data, pc_error **err)
{
  if (pc_engine_refresh (e, c, err) < 0)
    return -1;
  if (c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED)
    return 1;
  if (pc_engine_start (e, c, NULL, NULL, err) < 0)
    return pc_error_wrap (err, "unable to start container \"%s\"", c->id);
  return 0;
}

int
pc_cmd_start (const struct pc_command *cmd, int argc, char **argv)
{
  bool attach = false, interactive = false, all = false, sig_proxy = false, sig_proxy_set = false, latest = false;
  pc_autofree char *detach_keys = NULL;
  pc_autostrv char **filters = NULL;
  const struct pc_opt opts[] = {
    { "all", 0, PC_OPT_BOOL, &all, NULL, "Start all containers regardless of their state or configuration" },
    { "attach", 'a', PC_OPT_BOOL, &attach, NULL, "Attach container's STDOUT and STDERR" },
    { "detach-keys", 0, PC_OPT_STRING, &detach_keys, "[a-Z]", "Override the key sequence for detaching a container (default \"ctrl-p,ctrl-q\")" },
    { "filter", 'f', PC_OPT_STRV, &filters, "strings", "Filter output based on conditions given" },
    { "interactive", 'i', PC_OPT_BOOL, &interactive, NULL, "Make STDIN available to the contained process" },
    { "latest", 'l', PC_OPT_BOOL, &latest, NULL, "Act on the latest container pc is aware of" },
    { "sig-proxy", 0, PC_OPT_BOOL, &sig_proxy, NULL, "Proxy received signals to the process (default true if attaching, false otherwise)", &sig_proxy_set },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (pc_cli_latest_check (latest, all, nargs, false) != 0)
    return PC_EXIT_ERROR;
  /* podman's start takes names with --filter (the named ones that match). */
  if (need_args (cmd, nargs, all || latest || (filters && nargs == 0)) < 0)
    return PC_EXIT_ERROR;
  pc_error *kerr = NULL;
  if (pc_engine_check_detach_keys (detach_keys, &kerr) < 0)
    return pc_cli_fail (kerr);
  if (attach && (nargs != 1 || all || filters))
    return pc_cli_errorf (PC_EXIT_ERROR, "you cannot start and attach multiple containers at once");
  if (!sig_proxy_set)
    sig_proxy = attach;
  if (sig_proxy && !attach)
    return pc_cli_errorf (PC_EXIT_ERROR, "you cannot use sig-proxy without --attach: invalid argument");
  /* A container with --network container:X starts from X's user namespace. */
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_autostrv char **hold = NULL;
  int lrc = pc_cli_latest_args (e, latest && !filters, 0, &args, &nargs, &hold);
  if (lrc != 0)
    return lrc;
  if (!attach)
    {
      struct each_opts eo = { .all = all, .print = true, .filters = filters };
      struct pc_cli_split_opts so = { .all = all || (filters && nargs == 0) };
      return pc_cli_each_userns (e, args, nargs, &so, each_in_userns, &(struct each_start){ &eo, start_one, NULL });
    }
  pc_error *uerr = NULL;
  if (pc_engine_enter_userns_net (e, NULL, args, (size_t) nargs, &uerr) < 0)
    return pc_cli_fail (uerr);
  pc_autocontainer struct pc_container *c = NULL;
  pc_error *err = NULL;
  if (pc_engine_lookup (e, args[0], &c, &err) < 0)
    return pc_cli_fail (err);
  bool running = c->state.status == PC_STATUS_RUNNING;
  /* podman: -a relays stdout and stderr, -i also stdin. */
  struct pc_attach_opts ao = {
    .start = !running,
    .in = interactive,
    .out = true,
    .err = true,
    .detach_keys = detach_keys,
    .sig_proxy = sig_proxy,
  };
  /* podman start -a exits 125 when the command cannot run, as start does. */
  if (!running && pc_engine_start (e, c, &ao, NULL, &err) < 0)
    {
      pc_error_wrap (&err, "unable to start container %s", c->id);
      return pc_cli_fail (err);
    }
  int code = 0;
  int a = pc_engine_attach (e, c, &ao, &code, &err);
  if (a < 0 && ao.start
      && (pc_error_class_of (err) == PC_ERR_CMD_NOT_FOUND || pc_error_class_of (err) == PC_ERR_CANNOT_INVOKE))
    pc_error_wrap (&err, "unable to start container %s", c->id);
  if (a < 0)
    return pc_cli_fail (err);
  if (a == 0 && pc_json_get_bool (pc_json_get (c->rec, "HostConfig"), "AutoRemove", false))
    {
      pc_error *rerr = NULL;
      if (pc_engine_remove (e, c, true, 0, &rerr) < 0)
        pc_cli_fail (rerr);
    }
  return a == 1 ? 0 : code;
}

/* ---- stop / restart ---- */

struct stop_data
{
  int timeout;
  bool restart;
};

static int
stop_one (struct pc_engine *e, struct pc_container *c, void *data, pc_error **err)
{
  struct stop_data *d = data;
  if (d->restart)
    pc_engine_event_container (e, c, "restart");
  if (pc_engine_stop (e, c, d->timeout, err) < 0)
    return -1;
  if (d->restart)
    return pc_engine_start (e, c, NULL, NULL, err);
  return 0;
}

static int
stop_or_restart (const struct pc_command *cmd, int argc, char **argv, bool restart)
{
  bool all = false, ignore = false, tset = false, running = false, latest = false;
  long timeout = -1;
  pc_autostrv char **cidfiles = NULL;
  pc_autostrv char **filters = NULL;
  const struct pc_opt opts[] = {
    { "all", 'a', PC_OPT_BOOL, &all, NULL, restart ? "Restart all non-running containers" : "Stop all running containers" },
    { "cidfile", 0, PC_OPT_STRV, &cidfiles, "stringArray", "Read the container ID from the file" },
    { "filter", 'f', PC_OPT_STRV, &filters, "strings", "Filter output based on conditions given" },
    { "ignore", 'i', PC_OPT_BOOL, &ignore, NULL, "Ignore errors when a specified container is missing" },
    { "latest", 'l', PC_OPT_BOOL, &latest, NULL, "Act on the latest container pc is aware of" },
    { "time", 't', PC_OPT_UINT, &timeout, "uint", "Seconds to wait for stop before killing the container", &tset },
    { "timeout", 0, PC_OPT_UINT, &timeout, "uint", "Seconds to wait for stop before killing the container", &tset },
    /* restart only; the table ends here for stop */
    { restart ? "running" : NULL, 0, PC_OPT_BOOL, &running, NULL, "Restart only running containers" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autostrv char **names = NULL;
  int nnames = 0;
  if (add_cidfiles (cidfiles, args, nargs, &names, &nnames) != 0)
    return PC_EXIT_ERROR;
  if (pc_cli_latest_check (latest, all, nargs, cidfiles != NULL) != 0)
    return PC_EXIT_ERROR;
  if (need_targets (cmd, nnames, all || latest, filters) < 0)
    return PC_EXIT_ERROR;
  /* Signals travel through the monitors: only restart needs the namespace,
     the pod's infra's (or container:X's) for a member, as start. */
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  int lrc = pc_cli_latest_args (e, latest && !filters && !(restart && running), 0, &names, &nnames, &names);
  if (lrc != 0)
    return lrc;
  struct stop_data d = { .timeout = tset ? (int) timeout : -1, .restart = restart };
  struct each_opts eo = { .all = all, .ignore_missing = ignore, .print = true, .filters = filters,
                          .want = running ? is_running : NULL };
  if (restart)
    {
      struct pc_cli_split_opts so = { .all = all || (filters && nnames == 0), .ignore_missing = ignore,
                                      .want = eo.want };
      return pc_cli_each_userns (e, names, nnames, &so, each_in_userns, &(struct each_start){ &eo, stop_one, &d });
    }
  return each_container (e, names, nnames, &eo, stop_one, &d);
}

int
pc_cmd_stop (const struct pc_command *cmd, int argc, char **argv)
{
  return stop_or_restart (cmd, argc, argv, false);
}

int
pc_cmd_restart (const struct pc_command *cmd, int argc, char **argv)
{
  return stop_or_restart (cmd, argc, argv, true);
}

/* ---- kill ---- */

static int
kill_one (struct pc_engine *e, struct pc_container *c, void *data, pc_error **err)
{
  return pc_engine_kill (e, c, *(int *) data, err);
}

/* podman's kill -s: a number or a name with or without SIG, in any case,
   and a leading "-" (kill -s -HUP, -s -1) dropped; 0 and numbers past 64
   refused with its messages. */
static int
parse_kill_signal (const char *s, int *sig)
{
  const char *base = *s == '-' ? s + 1 : s;
  char *end;
  errno = 0;
  long n = strtol (base, &end, 10);
  if (*base && *end == '\0' && errno == 0)
    {
      if (n == 0)
        return pc_cli_errorf (PC_EXIT_ERROR, "invalid signal: %s", base);
      if (n < 1 || n > 64)
        return pc_cli_errorf (PC_EXIT_ERROR, "valid signals are 1 through 64");
      *sig = (int) n;
      return 0;
    }
  pc_error *err = NULL;
  if (pc_parse_signal (base, sig, &err) < 0)
    {
      pc_error_clear (&err);
      return pc_cli_errorf (PC_EXIT_ERROR, "invalid signal: %s", base);
    }
  return 0;
}

int
pc_cmd_kill (const struct pc_command *cmd, int argc, char **argv)
{
  bool all = false, latest = false;
  pc_autofree char *signal = NULL;
  pc_autostrv char **cidfiles = NULL;
  const struct pc_opt opts[] = {
    { "all", 'a', PC_OPT_BOOL, &all, NULL, "Signal all running containers" },
    { "cidfile", 0, PC_OPT_STRV, &cidfiles, "stringArray", "Read the container ID from the file" },
    { "latest", 'l', PC_OPT_BOOL, &latest, NULL, "Act on the latest container pc is aware of" },
    { "signal", 's', PC_OPT_STRING, &signal, "string", "Signal to send to the container (default \"KILL\")" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  int sig = 9;
  if (signal && parse_kill_signal (signal, &sig) != 0)
    return PC_EXIT_ERROR;
  pc_autostrv char **names = NULL;
  int nnames = 0;
  if (add_cidfiles (cidfiles, args, nargs, &names, &nnames) != 0)
    return PC_EXIT_ERROR;
  if (pc_cli_latest_check (latest, all, nargs, cidfiles != NULL) != 0)
    return PC_EXIT_ERROR;
  if (need_args (cmd, nnames, all || latest) < 0)
    return PC_EXIT_ERROR;
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  int lrc = pc_cli_latest_args (e, latest, 0, &names, &nnames, &names);
  if (lrc != 0)
    return lrc;
  /* --all means the running ones. */
  struct each_opts eo = { .all = all, .print = true, .want = is_running };
  return each_container (e, names, nnames, &eo, kill_one, &sig);
}

/* ---- rm / prune ---- */

struct rm_data
{
  struct pc_cli_rm_opts o;
  bool depend;
};

static int
rm_one (struct pc_engine *e, struct pc_container *c, void *data, pc_error **err)
{
  struct rm_data *d = data;
  if (d->depend && pc_cli_rm_dependents (e, c->id, &d->o, 0, err) < 0)
    return -1;
  if (pc_engine_remove (e, c, d->o.force, d->o.timeout, err) < 0)
    return -1;
  /* podman's --depend prints full ids, the one named too. */
  if (d->depend)
    printf ("%s\n", c->id);
  /* After the record is gone: a volume in use is not removed. */
  if (d->o.volumes && pc_engine_container_remove_volumes (e, c->rec, err) < 0)
    return -1;
  return d->depend ? 1 : 0;
}

int
pc_cmd_rm (const struct pc_command *cmd, int argc, char **argv)
{
  bool all = false, force = false, volumes = false, ignore = false, tset = false, latest = false, depend = false;
  long timeout = -1;
  pc_autostrv char **cidfiles = NULL;
  pc_autostrv char **filters = NULL;
  const struct pc_opt opts[] = {
    { "all", 'a', PC_OPT_BOOL, &all, NULL, "Remove all containers" },
    { "cidfile", 0, PC_OPT_STRV, &cidfiles, "stringArray", "Read the container ID from the file" },
    { "depend", 0, PC_OPT_BOOL, &depend, NULL, "Remove container and all containers that depend on the selected container" },
    { "filter", 0, PC_OPT_STRV, &filters, "strings", "Filter output based on conditions given" },
    { "force", 'f', PC_OPT_BOOL, &force, NULL, "Force removal of a running or unusable container" },
    { "ignore", 'i', PC_OPT_BOOL, &ignore, NULL, "Ignore errors when a specified container is missing" },
    { "latest", 'l', PC_OPT_BOOL, &latest, NULL, "Act on the latest container pc is aware of" },
    { "time", 't', PC_OPT_UINT, &timeout, "uint", "Seconds to wait for stop before killing the container", &tset },
    { "timeout", 0, PC_OPT_UINT, &timeout, "uint", "Seconds to wait for stop before killing the container", &tset },
    { "volumes", 'v', PC_OPT_BOOL, &volumes, NULL, "Remove anonymous volumes associated with the container" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autostrv char **names = NULL;
  int nnames = 0;
  if (add_cidfiles (cidfiles, args, nargs, &names, &nnames) != 0)
    return PC_EXIT_ERROR;
  if (pc_cli_latest_check (latest, all, nargs, cidfiles != NULL) != 0)
    return PC_EXIT_ERROR;
  if (need_targets (cmd, nnames, all || latest, filters) < 0)
    return PC_EXIT_ERROR;
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (PC_ENGINE_USERNS);
  if (e == NULL)
    return PC_EXIT_ERROR;
  /* rm -l with no container: 1, or nothing with --force or --ignore. */
  if (latest && !filters)
    {
      pc_error *lerr = NULL;
      char *id = pc_cli_latest_id (e, &lerr);
      if (id == NULL && (force || ignore) && pc_error_class_of (lerr) == PC_ERR_NOT_FOUND)
        {
          pc_error_clear (&lerr);
          return 0;
        }
      if (id == NULL)
        return pc_cli_fail_as (lerr, PC_EXIT_REMOVES);
      pc_strv_append_take (&names, id);
      nnames = 1;
    }
  struct rm_data d = { .o = { .force = force, .volumes = volumes, .timeout = tset ? (int) timeout : -1 },
                       .depend = depend };
  /* podman: rm of a missing container exits 1, of a running one 2; with
     --force a missing container is no error. */
  struct each_opts eo = { .all = all, .ignore_missing = ignore || force, .print = true,
                          .exit_kind = PC_EXIT_REMOVES, .filters = filters };
  return each_container (e, names, nnames, &eo, rm_one, &d);
}

int
pc_cmd_container_prune (const struct pc_command *cmd, int argc, char **argv)
{
  bool force = false;
  const struct pc_opt opts[] = {
    { "force", 'f', PC_OPT_BOOL, &force, NULL, "Do not prompt for confirmation.  The default is false" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, 0, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (!force && !pc_cli_confirm ("WARNING! This will remove all non running containers.\n"
                                  "Are you sure you want to continue? [y/N] "))
    return 0;
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (PC_ENGINE_USERNS);
  if (e == NULL)
    return PC_EXIT_ERROR;
  struct pc_container **v = NULL;
  size_t n = 0;
  pc_error *err = NULL;
  if (pc_engine_list (e, &v, &n, &err) < 0)
    return pc_cli_fail (err);
  int rc = 0;
  for (size_t i = 0; i < n; i++)
    {
      if (v[i]->state.status != PC_STATUS_EXITED && v[i]->state.status != PC_STATUS_CREATED)
        continue;
      /* podman prunes no pod's containers: pod prune is for those. */
      if (pc_json_get_string (v[i]->rec, "Pod"))
        continue;
      if (pc_engine_remove (e, v[i], false, 0, &err) < 0)
        rc = pc_cli_fail (err), err = NULL;
      else
        printf ("%s\n", v[i]->id);
    }
  pc_container_list_free (v, n);
  return rc;
}

/* ---- rename / exists ---- */

int
pc_cmd_rename (const struct pc_command *cmd, int argc, char **argv)
{
  const struct pc_opt opts[] = { { NULL } };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 2, 2, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autoengine struct pc_engine *e = NULL;
  pc_autocontainer struct pc_container *c = NULL;
  int rc = pc_cli_open_container (0, args[0], 0, &e, &c);
  if (rc != 0)
    return rc;
  pc_error *err = NULL;
  if (pc_engine_rename (e, c, args[1], &err) < 0)
    return pc_cli_fail (err);
  return 0;
}

int
pc_cmd_container_exists (const struct pc_command *cmd, int argc, char **argv)
{
  const struct pc_opt opts[] = { { NULL } };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 1, 1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autoengine struct pc_engine *e = NULL;
  pc_autocontainer struct pc_container *c = NULL;
  return pc_cli_open_container (0, args[0], 1, &e, &c);
}

/* ---- pause / unpause ---- */

static int
pause_one (struct pc_engine *e, struct pc_container *c, void *data, pc_error **err)
{
  return *(bool *) data ? pc_engine_pause (e, c, err) : pc_engine_unpause (e, c, err);
}

static int
pause_cmd (const struct pc_command *cmd, int argc, char **argv, bool on)
{
  bool all = false, latest = false;
  pc_autostrv char **cidfiles = NULL;
  pc_autostrv char **filters = NULL;
  const struct pc_opt opts[] = {
    { "all", 'a', PC_OPT_BOOL, &all, NULL, on ? "Pause all running containers" : "Unpause all paused containers" },
    { "cidfile", 0, PC_OPT_STRV, &cidfiles, "stringArray", "Read the container ID from the file" },
    { "filter", 'f', PC_OPT_STRV, &filters, "strings", "Filter output based on conditions given" },
    { "latest", 'l', PC_OPT_BOOL, &latest, NULL, "Act on the latest container pc is aware of" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autostrv char **names = NULL;
  int nnames = 0;
  if (add_cidfiles (cidfiles, args, nargs, &names, &nnames) != 0)
    return PC_EXIT_ERROR;
  if (pc_cli_latest_check (latest, all, nargs, cidfiles != NULL) != 0)
    return PC_EXIT_ERROR;
  if (need_targets (cmd, nnames, all || latest, filters) < 0)
    return PC_EXIT_ERROR;
  /* podman 4.3 refuses unpause on a rootless cgroup v1 host before it
     looks at any name; pause looks at the container first: a missing one,
     then one that does not run ("created" is not running...), then the
     host. */
  const char *why = NULL;
  bool can = pc_engine_can_pause (&why);
  if (!can && !on)
    return pc_cli_errorf (PC_EXIT_ERROR, "unpause %s", why);
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (PC_ENGINE_USERNS);
  if (e == NULL)
    return PC_EXIT_ERROR;
  int lrc = pc_cli_latest_args (e, latest && !filters, 0, &names, &nnames, &names);
  if (lrc != 0)
    return lrc;
  for (int i = 0; i < nnames && !can; i++)
    {
      pc_autocontainer struct pc_container *c = NULL;
      pc_error *err = NULL;
      if (pc_engine_lookup (e, names[i], &c, &err) < 0)
        return pc_cli_fail (err);
      if (c->state.status != PC_STATUS_RUNNING)
        return pc_cli_errorf (PC_EXIT_ERROR, "\"%s\" is not running, can't pause: container state improper",
                              pc_container_status_name (c->state.status));
      if (strstr (why, "cgroupv1 rootless"))
        return pc_cli_errorf (PC_EXIT_ERROR, "can not pause containers on rootless containers with cgroup V1: "
                              "this container does not have a cgroup");
    }
  if (!can)
    return pc_cli_errorf (PC_EXIT_ERROR, "pause %s", why);
  struct each_opts eo = { .all = all, .print = true, .filters = filters, .want = on ? is_running : is_paused };
  return each_container (e, names, nnames, &eo, pause_one, &on);
}

int
pc_cmd_pause (const struct pc_command *cmd, int argc, char **argv)
{
  return pause_cmd (cmd, argc, argv, true);
}

int
pc_cmd_unpause (const struct pc_command *cmd, int argc, char **argv)
{
  return pause_cmd (cmd, argc, argv, false);
}
