/* pc exec: run a process in a running container. The command enters no
   user namespace of its own: the engine joins the container's through its
   pid 1 (see pkg/engine/exec.c). */
#include <stdio.h>

#include "cmd/pc/container.h"
#include "lib/cleanup.h"

int
pc_cmd_exec (const struct pc_command *cmd, int argc, char **argv)
{
  bool interactive = false;
  pc_autostrv char **env = NULL;
  pc_autostrv char **env_files = NULL;
  pc_autofree char *user = NULL;
  pc_autofree char *workdir = NULL;
  const struct pc_opt opts[] = {
    { "env", 'e', PC_OPT_STRV, &env, "stringArray", "Set environment variables" },
    { "env-file", 0, PC_OPT_STRV, &env_files, "file", "Read in a file of environment variables" },
    { "interactive", 'i', PC_OPT_BOOL, &interactive, NULL, "Keep STDIN open even if not attached" },
    { "user", 'u', PC_OPT_STRING, &user, "user", "Sets the username or UID used and optionally the groupname or GID for the specified command" },
    { "workdir", 'w', PC_OPT_STRING, &workdir, "string", "Working directory inside the container" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (nargs < 1)
    return pc_cli_errorf (PC_EXIT_ERROR, "exec requires the name or ID of a container or the --latest flag");
  if (nargs < 2)
    return pc_cli_errorf (PC_EXIT_ERROR, "must provide a non-empty command to start an exec session: invalid argument");
  pc_autoengine struct pc_engine *e = NULL;
  pc_autocontainer struct pc_container *c = NULL;
  int rc = pc_cli_open_container (0, args[0], 0, &e, &c);
  if (rc != 0)
    return rc;
  struct pc_exec_opts o = {
    .command = args + 1,
    .env = env,
    .env_files = env_files,
    .user = user,
    .workdir = workdir,
    .interactive = interactive,
  };
  pc_error *err = NULL;
  fflush (stdout);
  if (pc_engine_exec (e, c, &o, &exit_code, &err) < 0)
    return pc_cli_fail_as (err, PC_EXIT_INVOKES);
  return exit_code;
}
