/* pc pod start|stop|restart|kill|pause|unpause|rm|prune|exists: each acts
   on the pods named (or --all, --latest, --pod-id-file) in turn and prints
   the ID of each it acted on, as podman does. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/pc/container.h"
#include "cmd/pc/pod.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/parse.h"
#include "lib/xalloc.h"

enum pod_action
{
  POD_START,
  POD_STOP,
  POD_RESTART,
  POD_KILL,
  POD_PAUSE,
  POD_UNPAUSE,
  POD_RM,
};

struct pod_args
{
  bool all, latest, ignore, force;
  long timeout;
  char *signal;
  char **id_files;
};

/* The refs the command acts on: args, every pod (-a), the newest (-l) or
   the IDs the --pod-id-file files hold. */
static int
targets (struct pc_engine *e, const struct pod_args *a, char **args, int nargs, char ***out)
{
  *out = NULL;
  if (a->all || a->latest)
    {
      struct pc_pod **v = NULL;
      size_t n = 0;
      pc_error *err = NULL;
      if (pc_engine_pod_list (e, &v, &n, &err) < 0)
        return pc_cli_fail (err);
      for (size_t i = 0; i < n && (a->all || i < 1); i++)
        pc_strv_append (out, v[i]->id);
      pc_pod_list_free (v, n);
      return 0;
    }
  for (int i = 0; i < nargs; i++)
    pc_strv_append (out, args[i]);
  for (char **f = a->id_files; f && *f; f++)
    {
      pc_autofree char *buf = NULL;
      pc_autoerror pc_error *err = NULL;
      if (pc_read_file_max (AT_FDCWD, *f, 4096, 0, &buf, NULL, &err) < 0)
        {
          if (a->ignore)
            continue;
          return pc_cli_errorf (PC_EXIT_ERROR, "reading pod ID from file %s: %s", *f, err->msg);
        }
      buf[strcspn (buf, " \t\r\n")] = '\0';
      pc_strv_append (out, buf);
    }
  return 0;
}

static int
act (struct pc_engine *e, enum pod_action what, const struct pod_args *a, struct pc_pod *p, int sig,
     pc_error **err)
{
  switch (what)
    {
    case POD_START:
      return pc_engine_pod_start (e, p, err);
    case POD_STOP:
      return pc_engine_pod_stop (e, p, (int) a->timeout, err);
    case POD_RESTART:
      if (pc_engine_pod_stop (e, p, -1, err) < 0)
        return -1;
      return pc_engine_pod_start (e, p, err);
    case POD_KILL:
      return pc_engine_pod_kill (e, p, sig, err);
    case POD_PAUSE:
      return pc_engine_pod_pause (e, p, err);
    case POD_UNPAUSE:
      return pc_engine_pod_unpause (e, p, err);
    case POD_RM:
      return pc_engine_pod_remove (e, p, a->force, (int) a->timeout, err);
    }
  return 0;
}

static int
run_action (const struct pc_command *cmd, int argc, char **argv, enum pod_action what)
{
  struct pod_args a = { .timeout = -1 };
  bool timeout_set = false;
  pc_autoengine struct pc_engine *e = NULL;
  pc_autostrv char **refs = NULL;
  const struct pc_opt all_opts[] = {
    { "all", 'a', PC_OPT_BOOL, &a.all, NULL, what == POD_RM ? "Remove all running pods" : "Act on all pods" },
    { "force", 'f', PC_OPT_BOOL, &a.force, NULL, "Force removal of a running pod by first stopping all containers, then removing all containers in the pod.  The default is false" },
    { "ignore", 'i', PC_OPT_BOOL, &a.ignore, NULL, "Ignore errors when a specified pod is missing" },
    { "latest", 'l', PC_OPT_BOOL, &a.latest, NULL, "Act on the latest pod podman is aware of" },
    { "pod-id-file", 0, PC_OPT_STRV, &a.id_files, "stringArray", "Read the pod ID from the file" },
    { "signal", 's', PC_OPT_STRING, &a.signal, "string", "signal to send to the container processes in the pod (default \"KILL\")" },
    { "time", 't', PC_OPT_UINT, &a.timeout, "uint", "Seconds to wait for pod stop before killing the container (default 10)", &timeout_set },
  };
  /* Each command takes podman's subset. */
  static const char *const wanted[][6] = {
    [POD_START] = { "all", "latest", "pod-id-file", NULL },
    [POD_STOP] = { "all", "ignore", "latest", "pod-id-file", "time", NULL },
    [POD_RESTART] = { "all", "latest", NULL },
    [POD_KILL] = { "all", "latest", "signal", NULL },
    [POD_PAUSE] = { "all", "latest", NULL },
    [POD_UNPAUSE] = { "all", "latest", NULL },
    [POD_RM] = { "all", "force", "ignore", "latest", "pod-id-file", "time" },
  };
  struct pc_opt opts[8];
  size_t k = 0;
  for (size_t i = 0; i < sizeof all_opts / sizeof *all_opts; i++)
    for (size_t j = 0; j < 6 && wanted[what][j]; j++)
      if (strcmp (all_opts[i].name, wanted[what][j]) == 0)
        opts[k++] = all_opts[i];
  opts[k] = (struct pc_opt) { NULL };
  char **args;
  int nargs, exit_code;
  int ret = 0;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    {
      ret = exit_code;
      goto out;
    }
  if (!timeout_set)
    a.timeout = -1;
  if ((a.all || a.latest) && (nargs > 0 || a.id_files))
    {
      ret = pc_cli_errorf (PC_EXIT_ERROR, "--all, --latest and --pod-id-file cannot be used together with pod names");
      goto out;
    }
  if (!a.all && !a.latest && nargs == 0 && a.id_files == NULL)
    {
      ret = pc_cli_errorf (PC_EXIT_ERROR, "you must provide at least one name or id");
      goto out;
    }
  int sig = SIGKILL;
  if (a.signal)
    {
      pc_error *serr = NULL;
      if (pc_parse_signal (a.signal, &sig, &serr) < 0)
        {
          ret = pc_cli_fail (serr);
          goto out;
        }
    }
  if (what == POD_PAUSE)
    {
      const char *why = NULL;
      if (!pc_engine_can_pause (&why))
        {
          ret = pc_cli_errorf (PC_EXIT_ERROR, "can not pause pods containing rootless containers with cgroup V1: "
                               "this container does not have a cgroup");
          goto out;
        }
    }
  /* rm removes files owned by subordinate ids; start joins (in a child)
     the pod's user namespace from the initial one. */
  e = pc_cli_open_engine (what == POD_RM ? PC_ENGINE_USERNS : 0);
  if (e == NULL)
    {
      ret = PC_EXIT_ERROR;
      goto out;
    }
  ret = targets (e, &a, args, nargs, &refs);
  if (ret != 0)
    goto out;
  for (char **r = refs; r && *r; r++)
    {
      pc_error *err = NULL;
      pc_autopod struct pc_pod *p = NULL;
      if (pc_engine_pod_lookup (e, *r, &p, &err) < 0)
        {
          /* podman: rm --force also passes over a missing pod (exit 0). */
          if ((a.ignore || (what == POD_RM && a.force)) && pc_error_class_of (err) == PC_ERR_NOT_FOUND)
            {
              pc_error_free (err);
              continue;
            }
          /* podman: a missing pod is 1 for rm, 125 for the others. */
          int code = pc_cli_fail_as (err, what == POD_RM ? PC_EXIT_REMOVES : 0);
          if (ret == 0 || code != 1)
            ret = code;
          continue;
        }
      if (act (e, what, &a, p, sig, &err) < 0)
        {
          ret = pc_cli_fail (err);
          continue;
        }
      puts (p->id);
    }

out:
  free (a.signal);
  pc_strv_free (a.id_files);
  return ret;
}

int
pc_cmd_pod_start (const struct pc_command *cmd, int argc, char **argv)
{
  return run_action (cmd, argc, argv, POD_START);
}

int
pc_cmd_pod_stop (const struct pc_command *cmd, int argc, char **argv)
{
  return run_action (cmd, argc, argv, POD_STOP);
}

int
pc_cmd_pod_restart (const struct pc_command *cmd, int argc, char **argv)
{
  return run_action (cmd, argc, argv, POD_RESTART);
}

int
pc_cmd_pod_kill (const struct pc_command *cmd, int argc, char **argv)
{
  return run_action (cmd, argc, argv, POD_KILL);
}

int
pc_cmd_pod_pause (const struct pc_command *cmd, int argc, char **argv)
{
  return run_action (cmd, argc, argv, POD_PAUSE);
}

int
pc_cmd_pod_unpause (const struct pc_command *cmd, int argc, char **argv)
{
  return run_action (cmd, argc, argv, POD_UNPAUSE);
}

int
pc_cmd_pod_rm (const struct pc_command *cmd, int argc, char **argv)
{
  return run_action (cmd, argc, argv, POD_RM);
}

int
pc_cmd_pod_exists (const struct pc_command *cmd, int argc, char **argv)
{
  const struct pc_opt opts[] = { { NULL } };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 1, 1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  pc_autopod struct pc_pod *p = NULL;
  if (pc_engine_pod_lookup (e, args[0], &p, &err) < 0)
    return pc_cli_fail_lookup (err, 1);
  return 0;
}

/* podman removes the pods whose containers all exited (state Exited). */
int
pc_cmd_pod_prune (const struct pc_command *cmd, int argc, char **argv)
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
  if (!force && !pc_cli_confirm ("WARNING! This will remove all stopped/exited pods..\n"
                                 "Are you sure you want to continue? [y/N] "))
    return 0;
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (PC_ENGINE_USERNS);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  struct pc_pod **v = NULL;
  size_t n = 0;
  if (pc_engine_pod_list (e, &v, &n, &err) < 0)
    return pc_cli_fail (err);
  int ret = 0;
  for (size_t i = 0; i < n; i++)
    {
      struct pc_container **m = NULL;
      size_t nm = 0;
      if (pc_engine_pod_members (e, v[i], &m, &nm, &err) < 0)
        {
          ret = pc_cli_fail (err);
          continue;
        }
      bool exited = nm > 0 && strcmp (pc_engine_pod_status (m, nm), "Exited") == 0;
      pc_container_list_free (m, nm);
      if (!exited)
        continue;
      if (pc_engine_pod_remove (e, v[i], false, -1, &err) < 0)
        {
          ret = pc_cli_fail (err);
          continue;
        }
      puts (v[i]->id);
    }
  pc_pod_list_free (v, n);
  return ret;
}
