/* pc top: the processes of a running container. */
#include <stdio.h>

#include "cmd/pc/container.h"
#include "lib/cleanup.h"

int
pc_cmd_top (const struct pc_command *cmd, int argc, char **argv)
{
  char **args;
  int nargs, r;
  const struct pc_opt opts[] = { { NULL } };
  if ((r = pc_cli_parse (cmd, opts, argc, argv, &args, &nargs)) != 0)
    return pc_cli_parse_exit (r);
  if (nargs < 1)
    return pc_cli_errorf (PC_EXIT_ERROR, "you must provide the name or id of a running container");
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_autocontainer struct pc_container *c = NULL;
  pc_error *err = NULL;
  if (pc_engine_lookup (e, args[0], &c, &err) < 0
      || pc_engine_top (e, c, nargs > 1 ? args + 1 : NULL, stdout, &err) < 0)
    return pc_cli_fail (err);
  return 0;
}
