/* pc wait: until each container meets a condition (podman's words). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/pc/container.h"
#include "cmd/pc/latest.h"
#include "lib/cleanup.h"
#include "lib/parse.h"
#include "lib/xalloc.h"

/* podman's --condition words as pc states; "stopped" is podman's state
   between stop and cleanup, which pc containers pass straight through;
   "stopping" is a running container a pc stop waits for. Each value may
   hold several, comma-separated, as podman's string slices. */
struct wait_conditions
{
  unsigned mask;         /* 1u << PC_STATUS_* */
  bool stopping;
  bool exit;             /* exited or stopped: the exit code is printed */
};

static int
parse_conditions (char **words, struct wait_conditions *wc, pc_error **err)
{
  static const struct { const char *word; int status; } map[] = {
    { "configured", PC_STATUS_CREATED }, { "created", PC_STATUS_CREATED },
    { "initialized", PC_STATUS_CREATED }, { "running", PC_STATUS_RUNNING },
    { "paused", PC_STATUS_PAUSED }, { "exited", PC_STATUS_EXITED },
    { "stopped", PC_STATUS_EXITED }, { "stopping", -1 },
  };
  memset (wc, 0, sizeof *wc);
  if (words == NULL || words[0] == NULL)
    {
      wc->mask = 1u << PC_STATUS_EXITED;
      wc->exit = true;
      return 0;
    }
  for (char **w = words; *w; w++)
    {
      pc_autofree char *copy = xstrdup (*w);
      char *save = NULL;
      for (char *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save))
        {
          size_t i;
          for (i = 0; i < sizeof map / sizeof *map; i++)
            if (strcmp (t, map[i].word) == 0)
              break;
          if (i == sizeof map / sizeof *map)
            return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "unknown container state: %s: invalid argument", t);
          if (map[i].status < 0)
            wc->stopping = true;
          else
            wc->mask |= 1u << map[i].status;
          if (map[i].status == PC_STATUS_EXITED)
            wc->exit = true;
        }
    }
  return 0;
}

int
pc_cmd_wait (const struct pc_command *cmd, int argc, char **argv)
{
  bool ignore = false, latest = false;
  pc_autostrv char **conditions = NULL;
  pc_autofree char *interval = NULL;
  const struct pc_opt opts[] = {
    { "condition", 0, PC_OPT_STRV, &conditions, "strings",
      "Condition to wait on (created, running, paused, stopping, stopped, exited)" },
    { "ignore", 0, PC_OPT_BOOL, &ignore, NULL, "Ignore if a container does not exist" },
    { "interval", 'i', PC_OPT_STRING, &interval, "string",
      "Time Interval to wait before polling for completion (default \"250ms\")" },
    { "latest", 'l', PC_OPT_BOOL, &latest, NULL, "Act on the latest container pc is aware of" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (pc_cli_latest_check (latest, false, nargs, false) != 0)
    return PC_EXIT_ERROR;
  if (nargs == 0 && !latest)
    return pc_cli_errorf (PC_EXIT_ERROR, "you must provide at least one name or id");
  pc_error *err = NULL;
  struct wait_conditions wc;
  if (parse_conditions (conditions, &wc, &err) < 0)
    return pc_cli_fail (err);
  /* podman polls every --interval (a Go duration, or milliseconds); pc
     waits on the state files' events, so it is only checked. */
  if (interval)
    {
      char *end;
      int64_t ns;
      strtol (interval, &end, 10);
      if ((*interval == '\0' || *end != '\0') && pc_parse_duration (interval, &ns, &err) < 0)
        return pc_cli_fail (err);
    }
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_autostrv char **hold = NULL;
  int lrc = pc_cli_latest_args (e, latest, 0, &args, &nargs, &hold);
  if (lrc != 0)
    return lrc;
  /* As podman: every name must resolve before waiting on any; with
     --ignore a missing one prints -1. */
  struct pc_container **ctrs = xmalloc0 (((size_t) nargs + 1) * sizeof *ctrs);
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
        {
          printf ("-1\n");
          fflush (stdout);
          continue;
        }
      int code = 0;
      int r = pc_engine_wait_condition (e, ctrs[i], wc.mask, wc.stopping, -1, &code, &err);
      if (r < 0)
        {
          rc = pc_cli_fail (err);
          break;
        }
      /* podman prints -1 when a condition other than an exit was met; a
         container that never ran counts as exited (its WaitForExit). */
      printf ("%d\n", r == 2 && wc.exit ? code : -1);
      fflush (stdout);
    }
  for (int i = 0; i < nargs; i++)
    pc_container_free (ctrs[i]);
  free (ctrs);
  return rc;
}
