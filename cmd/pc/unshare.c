/* pc unshare: run a command inside pc's user namespace, as `podman unshare`
   does, so a user can chown or remove the files of their store. The engine
   enters the namespace and execs; this returns only when that failed. */
#include <stddef.h>

#include "cmd/pc/commands.h"
#include "pkg/engine/engine.h"

int
pc_cmd_unshare (const struct pc_command *cmd, int argc, char **argv)
{
  const struct pc_opt opts[] = {
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;

  const struct pc_engine_options eo = { .root = pc_global.root, .runroot = pc_global.runroot };
  pc_error *err = NULL;
  pc_engine_unshare (&eo, nargs > 0 ? args : NULL, &err);
  /* The root check and entering the namespace fail as pc (125); the
     command's own failure as podman's run does (127, 126). */
  return pc_cli_fail_as (err, PC_EXIT_INVOKES);
}
