/* pc top: the processes of a running container. */
#include <stdio.h>

#include "cmd/pc/container.h"
#include "lib/cleanup.h"

int
pc_cmd_top (const struct pc_command *cmd, int argc, char **argv)
{
  const struct pc_opt opts[] = { { NULL } };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (nargs < 1)
    return pc_cli_errorf (PC_EXIT_ERROR, "you must provide the name or id of a running container");
  pc_autoengine struct pc_engine *e = NULL;
  pc_autocontainer struct pc_container *c = NULL;
  int rc = pc_cli_open_container (0, args[0], 0, &e, &c);
  if (rc != 0)
    return rc;
  pc_error *err = NULL;
  if (pc_engine_top (e, c, nargs > 1 ? args + 1 : NULL, stdout, &err) < 0)
    return pc_cli_fail (err);
  return 0;
}
