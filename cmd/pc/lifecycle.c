/* start, stop, kill, restart, rm, wait, rename, container exists/prune,
   pause, unpause: each applies to the containers named (or -a). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/pc/container.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/parse.h"
#include "lib/xalloc.h"
#include "pkg/engine/events.h"

/* 0 done (the name is printed), 1 nothing to do (not printed), -1 failed. */
typedef int (*ctr_fn) (struct pc_engine *e, struct pc_container *c, void *data, pc_error **err);

struct each_opts
{
  bool all;
  bool ignore_missing;   /* --ignore */
  bool print;            /* print the name given (full id with --all) */
  unsigned exit_kind;    /* PC_EXIT_REMOVES for rm's 1 and 2 */
};

static int
each_container (struct pc_engine *e, char **args, int nargs, const struct each_opts *eo, ctr_fn fn,
                void *data)
{
  int rc = 0;
  pc_error *err = NULL;
  if (eo->all)
    {
      struct pc_container **v = NULL;
      size_t n = 0;
      if (pc_engine_list (e, &v, &n, &err) < 0)
        return pc_cli_fail (err);
      for (size_t i = 0; i < n; i++)
        {
          int r = fn (e, v[i], data, &err);
          if (r < 0)
            {
              rc = pc_cli_fail_as (err, eo->exit_kind);
              err = NULL;
            }
          else if (r == 0 && eo->print)
            printf ("%s\n", v[i]->id);
        }
      pc_container_list_free (v, n);
      return rc;
    }
  for (int i = 0; i < nargs; i++)
    {
      pc_autocontainer struct pc_container *c = NULL;
      if (pc_engine_lookup (e, args[i], &c, &err) < 0)
        {
          if (eo->ignore_missing && pc_error_class_of (err) == PC_ERR_NOT_FOUND)
            {
              pc_error_clear (&err);
              continue;
            }
          rc = pc_cli_fail_as (err, eo->exit_kind);
          err = NULL;
          continue;
        }
      int r = fn (e, c, data, &err);
      if (r < 0)
        {
          rc = pc_cli_fail_as (err, eo->exit_kind);
          err = NULL;
        }
      else if (r == 0 && eo->print)
        printf ("%s\n", args[i]);
      fflush (stdout);
    }
  return rc;
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
      fprintf (stderr, "Error: you must provide at least one container name or ID\n");
      return -1;
    }
  return 0;
}

/* ---- start ---- */

/* podman reports only the containers it started: 1 (not printed) for one
   that was running already. */
static int
start_one (struct pc_engine *e, struct pc_container *c, void *data, pc_error **err)
{
  if (pc_engine_refresh (e, c, err) < 0)
    return -1;
  if (c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED)
    return 1;
  return pc_engine_start (e, c, false, NULL, err);
}

int
pc_cmd_start (const struct pc_command *cmd, int argc, char **argv)
{
  bool attach = false, interactive = false, all = false, sig_proxy = false, sig_proxy_set = false;
  pc_autofree char *detach_keys = NULL;
  const struct pc_opt opts[] = {
    { "all", 0, PC_OPT_BOOL, &all, NULL, "Start all containers regardless of their state or configuration" },
    { "attach", 'a', PC_OPT_BOOL, &attach, NULL, "Attach container's STDOUT and STDERR" },
    { "detach-keys", 0, PC_OPT_STRING, &detach_keys, "[a-Z]", "Override the key sequence for detaching a container (default \"ctrl-p,ctrl-q\")" },
    { "interactive", 'i', PC_OPT_BOOL, &interactive, NULL, "Make STDIN available to the contained process" },
    { "sig-proxy", 0, PC_OPT_BOOL, &sig_proxy, NULL, "Proxy received signals to the process (default true if attaching, false otherwise)", &sig_proxy_set },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (need_args (cmd, nargs, all) < 0)
    return PC_EXIT_ERROR;
  pc_error *kerr = NULL;
  if (pc_engine_check_detach_keys (detach_keys, &kerr) < 0)
    return pc_cli_fail (kerr);
  if (attach && (nargs != 1 || all))
    return pc_cli_errorf (PC_EXIT_ERROR, "you cannot start and attach multiple containers at once");
  if (!sig_proxy_set)
    sig_proxy = attach;
  if (sig_proxy && !attach)
    return pc_cli_errorf (PC_EXIT_ERROR, "you cannot use sig-proxy without --attach: invalid argument");
  /* A container with --network container:X starts from X's user namespace. */
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *uerr = NULL;
  if (pc_engine_enter_userns_net (e, NULL, args, (size_t) nargs, &uerr) < 0)
    return pc_cli_fail (uerr);
  if (!attach)
    {
      struct each_opts eo = { .all = all, .print = true };
      return each_container (e, args, nargs, &eo, start_one, NULL);
    }
  pc_autocontainer struct pc_container *c = NULL;
  pc_error *err = NULL;
  if (pc_engine_lookup (e, args[0], &c, &err) < 0)
    return pc_cli_fail (err);
  bool running = c->state.status == PC_STATUS_RUNNING;
  /* podman start -a exits 125 when the command cannot run, as start does. */
  if (!running && pc_engine_start (e, c, true, NULL, &err) < 0)
    return pc_cli_fail (err);
  /* podman: -a relays stdout and stderr, -i also stdin. */
  struct pc_attach_opts ao = {
    .start = !running,
    .in = interactive,
    .out = true,
    .err = true,
    .detach_keys = detach_keys,
    .sig_proxy = sig_proxy,
  };
  int code = 0;
  int a = pc_engine_attach (e, c, &ao, &code, &err);
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
    return pc_engine_start (e, c, false, NULL, err);
  return 0;
}

static int
stop_or_restart (const struct pc_command *cmd, int argc, char **argv, bool restart)
{
  bool all = false, ignore = false, tset = false;
  long timeout = -1;
  const struct pc_opt opts[] = {
    { "all", 'a', PC_OPT_BOOL, &all, NULL, restart ? "Restart all non-running containers" : "Stop all running containers" },
    { "ignore", 'i', PC_OPT_BOOL, &ignore, NULL, "Ignore errors when a specified container is missing" },
    { "time", 't', PC_OPT_UINT, &timeout, "uint", "Seconds to wait for stop before killing the container", &tset },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (need_args (cmd, nargs, all) < 0)
    return PC_EXIT_ERROR;
  /* Signals travel through the monitors: only restart needs the namespace. */
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (restart ? PC_ENGINE_USERNS : 0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  struct stop_data d = { .timeout = tset ? (int) timeout : -1, .restart = restart };
  struct each_opts eo = { .all = all, .ignore_missing = ignore, .print = true };
  return each_container (e, args, nargs, &eo, stop_one, &d);
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

int
pc_cmd_kill (const struct pc_command *cmd, int argc, char **argv)
{
  bool all = false;
  pc_autofree char *signal = NULL;
  const struct pc_opt opts[] = {
    { "all", 'a', PC_OPT_BOOL, &all, NULL, "Signal all running containers" },
    { "signal", 's', PC_OPT_STRING, &signal, "string", "Signal to send to the container (default \"KILL\")" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (need_args (cmd, nargs, all) < 0)
    return PC_EXIT_ERROR;
  int sig = 9;
  pc_error *err = NULL;
  if (signal && pc_parse_signal (signal, &sig, &err) < 0)
    return pc_cli_fail (err);
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  struct each_opts eo = { .all = all, .print = true };
  if (all)
    {
      /* --all means the running ones. */
      struct pc_container **v = NULL;
      size_t n = 0;
      if (pc_engine_list (e, &v, &n, &err) < 0)
        return pc_cli_fail (err);
      int rc = 0;
      for (size_t i = 0; i < n; i++)
        if (v[i]->state.status == PC_STATUS_RUNNING || v[i]->state.status == PC_STATUS_PAUSED)
          {
            if (pc_engine_kill (e, v[i], sig, &err) < 0)
              rc = pc_cli_fail (err), err = NULL;
            else
              printf ("%s\n", v[i]->id);
          }
      pc_container_list_free (v, n);
      return rc;
    }
  return each_container (e, args, nargs, &eo, kill_one, &sig);
}

/* ---- rm / prune ---- */

struct rm_data
{
  bool force;
  bool volumes;
  int timeout;
};

static int
rm_one (struct pc_engine *e, struct pc_container *c, void *data, pc_error **err)
{
  struct rm_data *d = data;
  if (pc_engine_remove (e, c, d->force, d->timeout, err) < 0)
    return -1;
  /* After the record is gone: a volume in use is not removed. */
  return d->volumes ? pc_engine_container_remove_volumes (e, c->rec, err) : 0;
}

int
pc_cmd_rm (const struct pc_command *cmd, int argc, char **argv)
{
  bool all = false, force = false, volumes = false, ignore = false, tset = false;
  long timeout = -1;
  const struct pc_opt opts[] = {
    { "all", 'a', PC_OPT_BOOL, &all, NULL, "Remove all containers" },
    { "force", 'f', PC_OPT_BOOL, &force, NULL, "Force removal of a running or unusable container" },
    { "ignore", 'i', PC_OPT_BOOL, &ignore, NULL, "Ignore errors when a specified container is missing" },
    { "time", 't', PC_OPT_UINT, &timeout, "uint", "Seconds to wait for stop before killing the container", &tset },
    { "volumes", 'v', PC_OPT_BOOL, &volumes, NULL, "Remove anonymous volumes associated with the container" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (need_args (cmd, nargs, all) < 0)
    return PC_EXIT_ERROR;
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (PC_ENGINE_USERNS);
  if (e == NULL)
    return PC_EXIT_ERROR;
  struct rm_data d = { .force = force, .volumes = volumes, .timeout = tset ? (int) timeout : -1 };
  /* podman: rm of a missing container exits 1, of a running one 2; with
     --force a missing container is no error. */
  struct each_opts eo = { .all = all, .ignore_missing = ignore || force, .print = true,
                          .exit_kind = PC_EXIT_REMOVES };
  return each_container (e, args, nargs, &eo, rm_one, &d);
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
      if (pc_engine_remove (e, v[i], false, 0, &err) < 0)
        rc = pc_cli_fail (err), err = NULL;
      else
        printf ("%s\n", v[i]->id);
    }
  pc_container_list_free (v, n);
  return rc;
}

/* ---- wait ---- */

/* podman's --condition words as pc states; "stopped" is podman's state
   between stop and cleanup, which pc containers pass straight through. */
static int
parse_conditions (char **words, unsigned *mask, pc_error **err)
{
  static const struct { const char *word; int status; } map[] = {
    { "configured", PC_STATUS_CREATED }, { "created", PC_STATUS_CREATED },
    { "initialized", PC_STATUS_CREATED }, { "running", PC_STATUS_RUNNING },
    { "paused", PC_STATUS_PAUSED }, { "exited", PC_STATUS_EXITED },
    { "stopped", PC_STATUS_EXITED },
  };
  *mask = 0;
  if (words == NULL || words[0] == NULL)
    {
      *mask = 1u << PC_STATUS_EXITED;
      return 0;
    }
  for (char **w = words; *w; w++)
    {
      size_t i;
      for (i = 0; i < sizeof map / sizeof *map; i++)
        if (strcmp (*w, map[i].word) == 0)
          break;
      if (i == sizeof map / sizeof *map)
        return pc_error_make (err, EINVAL, "unknown container state: %s: invalid argument", *w);
      *mask |= 1u << map[i].status;
    }
  return 0;
}

int
pc_cmd_wait (const struct pc_command *cmd, int argc, char **argv)
{
  bool ignore = false;
  pc_autostrv char **conditions = NULL;
  const struct pc_opt opts[] = {
    { "condition", 0, PC_OPT_STRV, &conditions, "strings",
      "Condition to wait on (created, running, paused, stopped, exited)" },
    { "ignore", 0, PC_OPT_BOOL, &ignore, NULL, "Ignore if a container does not exist" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (need_args (cmd, nargs, false) < 0)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  unsigned mask;
  if (parse_conditions (conditions, &mask, &err) < 0)
    return pc_cli_fail (err);
  /* podman: "stopped" and "exited" both wait for the exit and print its code. */
  bool exit_wanted = pc_strv_len (conditions) == 0 || pc_strv_contains (conditions, "exited")
                     || pc_strv_contains (conditions, "stopped");
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  /* As podman: every name must resolve before waiting on any. */
  struct pc_container **ctrs = xmalloc0 ((size_t) nargs * sizeof *ctrs);
  int rc = 0;
  for (int i = 0; i < nargs && rc == 0; i++)
    if (pc_engine_lookup (e, args[i], &ctrs[i], &err) < 0)
      {
        if (ignore && pc_error_class_of (err) == PC_ERR_NOT_FOUND)
          pc_error_clear (&err);
        else
          rc = pc_cli_fail (err);
      }
  for (int i = 0; i < nargs && rc == 0; i++)
    {
      if (ctrs[i] == NULL)
        continue;
      if (pc_engine_wait_state (e, ctrs[i], mask, -1, &err) < 0)
        {
          rc = pc_cli_fail (err);
          break;
        }
      /* podman prints -1 when a condition other than exit was met. */
      /* A container that never ran counts as exited, as podman's WaitForExit. */
      if (exit_wanted && (ctrs[i]->state.status == PC_STATUS_EXITED
                          || (ctrs[i]->state.status == PC_STATUS_CREATED && !(mask & (1u << PC_STATUS_CREATED)))))
        printf ("%d\n", ctrs[i]->state.exit_code);
      else
        printf ("-1\n");
      fflush (stdout);
    }
  for (int i = 0; i < nargs; i++)
    pc_container_free (ctrs[i]);
  free (ctrs);
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
  bool all = false;
  const struct pc_opt opts[] = {
    { "all", 'a', PC_OPT_BOOL, &all, NULL, on ? "Pause all running containers" : "Unpause all paused containers" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (need_args (cmd, nargs, all) < 0)
    return PC_EXIT_ERROR;
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (PC_ENGINE_USERNS);
  if (e == NULL)
    return PC_EXIT_ERROR;
  /* As podman: a name that does not exist is reported before the host's
     lack of a freezer. */
  for (int i = 0; i < nargs && !all; i++)
    {
      pc_autocontainer struct pc_container *c = NULL;
      pc_error *err = NULL;
      if (pc_engine_lookup (e, args[i], &c, &err) < 0)
        return pc_cli_fail (err);
    }
  const char *why = NULL;
  if (!pc_engine_can_pause (&why))
    return pc_cli_errorf (PC_EXIT_ERROR, "%s %s", on ? "pause" : "unpause", why);
  struct each_opts eo = { .all = all, .print = true };
  return each_container (e, args, nargs, &eo, pause_one, &on);
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
