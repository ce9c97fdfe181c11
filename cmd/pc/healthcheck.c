/* pc healthcheck run CTR: the container's monitor runs its healthcheck now
   (docs/healthcheck.md). As podman 4.3: nothing printed and 0 when the
   check passes; "unhealthy" and 1 when it fails; 125 with the reason when
   it cannot run (no healthcheck, not running, past its timeout). */
#include <stdio.h>

#include "cmd/pc/container.h"
#include "lib/cleanup.h"

static int
pc_cmd_healthcheck_run (const struct pc_command *cmd, int argc, char **argv)
{
  const struct pc_opt opts[] = { { NULL } };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 1, 1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_autocontainer struct pc_container *c = NULL;
  pc_error *err = NULL;
  if (pc_engine_lookup (e, args[0], &c, &err) < 0)
    {
      pc_error_wrap (&err, "unable to look up %s to perform a health check", args[0]);
      return pc_cli_fail (err);
    }
  bool healthy = false;
  if (pc_engine_healthcheck_run (e, c, &healthy, &err) < 0)
    return pc_cli_fail (err);
  if (healthy)
    return 0;
  printf ("unhealthy\n");
  return 1;
}

const struct pc_command pc_healthcheck_commands[] = {
  { .name = "run", .summary = "Run the health check of a container",
    .usage = "healthcheck run CONTAINER", .run = pc_cmd_healthcheck_run },
  { NULL },
};
