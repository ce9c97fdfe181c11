/* pc top: the processes of a running container. */
#include <stdio.h>

#include "cmd/pc/container.h"
#include "cmd/pc/latest.h"
#include "lib/cleanup.h"

int
pc_cmd_top (const struct pc_command *cmd, int argc, char **argv)
{
  bool latest = false;
  const struct pc_opt opts[] = {
    { "latest", 'l', PC_OPT_BOOL, &latest, NULL, "Act on the latest container pc is aware of" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (nargs < 1 && !latest)
    return pc_cli_errorf (PC_EXIT_ERROR, "you must provide the name or id of a running container");
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  /* podman: with -l every argument is a descriptor; a container not
     found is "unable to look up requested container" either way. */
  pc_error *err = NULL;
  pc_autofree char *id = latest ? pc_cli_latest_id (e, &err) : NULL;
  pc_autocontainer struct pc_container *c = NULL;
  if ((latest && id == NULL) || pc_engine_lookup (e, latest ? id : args[0], &c, &err) < 0)
    {
      pc_error_wrap (&err, "unable to look up requested container");
      return pc_cli_fail (err);
    }
  char **descs = latest ? args : args + 1;
  int ndescs = latest ? nargs : nargs - 1;
  if (pc_engine_top (e, c, ndescs > 0 ? descs : NULL, stdout, &err) < 0)
    return pc_cli_fail (err);
  return 0;
}
