/* pc logs: the container's k8s-file log, stdout lines to stdout and stderr
   lines to stderr, read by the engine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/pc/container.h"
#include "cmd/pc/latest.h"
#include "lib/cleanup.h"
#include "lib/parse.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

/* podman's ParseInputTime(until, false): a time, unix seconds, or a
   duration counted forward from now ("--until 3s" is three seconds from
   now; --since counts back). */
static int
parse_until (const char *s, struct timespec *t, pc_error **err)
{
  if (pc_parse_time_or_duration (s, t, err) < 0)
    return -1;
  char *end = NULL;
  (void) strtod (s, &end);
  int64_t ns = 0;
  pc_autoerror pc_error *derr = NULL;
  if (end != NULL && *end != '\0' && pc_parse_duration (s, &ns, &derr) == 0)
    {
      struct timespec now;
      clock_gettime (CLOCK_REALTIME, &now);
      int64_t total = (int64_t) now.tv_sec * 1000000000LL + now.tv_nsec + ns;
      t->tv_sec = (time_t) (total / 1000000000LL);
      t->tv_nsec = (long) (total % 1000000000LL);
      if (t->tv_nsec < 0)
        {
          t->tv_sec--;
          t->tv_nsec += 1000000000L;
        }
    }
  return 0;
}

int
pc_cmd_logs (const struct pc_command *cmd, int argc, char **argv)
{
  bool follow = false, timestamps = false, tail_set = false, names = false, latest = false;
  long tail = -1;
  pc_autofree char *since = NULL, *until = NULL;
  const struct pc_opt opts[] = {
    { "follow", 'f', PC_OPT_BOOL, &follow, NULL, "Follow log output.  The default is false" },
    { "latest", 'l', PC_OPT_BOOL, &latest, NULL, "Act on the latest container pc is aware of" },
    { "names", 'n', PC_OPT_BOOL, &names, NULL, "Output the container name in the log" },
    { "since", 0, PC_OPT_STRING, &since, "string", "Show logs since TIMESTAMP" },
    { "tail", 0, PC_OPT_INT, &tail, "int", "Output the specified number of LINES at the end of the logs.  Defaults to -1, which prints all lines", &tail_set },
    { "timestamps", 't', PC_OPT_BOOL, &timestamps, NULL, "Output the timestamps in the log" },
    { "until", 0, PC_OPT_STRING, &until, "string", "Show logs until TIMESTAMP" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (pc_cli_latest_check (latest, false, nargs, false) != 0)
    return PC_EXIT_ERROR;
  if (nargs == 0 && !latest)
    return pc_cli_errorf (PC_EXIT_ERROR, "specify at least one container name or ID to log");
  struct pc_engine_log_opts lo = { .follow = follow, .timestamps = timestamps, .tail = tail_set ? tail : -1 };
  pc_error *err = NULL;
  if (since && pc_parse_time_or_duration (since, &lo.since, &err) < 0)
    return pc_cli_fail (err);
  if (until && parse_until (until, &lo.until, &err) < 0)
    return pc_cli_fail (err);
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_autostrv char **hold = NULL;
  int lrc = pc_cli_latest_args (e, latest, 0, &args, &nargs, &hold);
  if (lrc != 0)
    return lrc;
  /* As podman: every name resolves before any log is printed. */
  struct pc_container **ctrs = xmalloc0 (((size_t) nargs + 1) * sizeof *ctrs);
  int rc = 0;
  for (int i = 0; i < nargs && rc == 0; i++)
    if (pc_engine_lookup (e, args[i], &ctrs[i], &err) < 0)
      rc = pc_cli_fail (err);
  for (int i = 0; i < nargs && rc == 0; i++)
    {
      /* podman: the logs of several containers have each line prefixed
         with the short id, or the name with --names. */
      char id12[13];
      snprintf (id12, sizeof id12, "%.12s", ctrs[i]->id);
      lo.prefix = nargs < 2 ? NULL : names ? ctrs[i]->name : id12;
      fflush (stdout);
      if (pc_engine_logs (e, ctrs[i], &lo, 1, 2, &err) < 0)
        {
          rc = pc_cli_fail (err);
          err = NULL;
        }
    }
  for (int i = 0; i < nargs; i++)
    pc_container_free (ctrs[i]);
  free (ctrs);
  return rc;
}
