/* pc exec: run a process in a running container. The command enters no
   user namespace of its own: the engine joins the container's through its
   pid 1 (see pkg/engine/exec.c). */
#include <fcntl.h>
#include <stdio.h>

#include "cmd/pc/container.h"
#include "cmd/pc/latest.h"
#include "lib/cleanup.h"

int
pc_cmd_exec (const struct pc_command *cmd, int argc, char **argv)
{
  bool interactive = false, tty = false, detach = false, privileged = false, latest = false;
  long preserve_fds = 0;
  pc_autofree char *detach_keys = NULL;
  pc_autostrv char **env = NULL;
  pc_autostrv char **env_files = NULL;
  pc_autofree char *user = NULL;
  pc_autofree char *workdir = NULL;
  pc_autofree char *session_id = NULL;
  const struct pc_opt opts[] = {
    { "detach", 'd', PC_OPT_BOOL, &detach, NULL, "Run the exec session in detached mode (backgrounded)" },
    { "detach-keys", 0, PC_OPT_STRING, &detach_keys, "string", "Select the key sequence for detaching a container. Format is a single character [a-Z] or ctrl-<value> where <value> is one of: a-z, @, ^, [, , or _" },
    { "env", 'e', PC_OPT_STRV, &env, "stringArray", "Set environment variables" },
    { "env-file", 0, PC_OPT_STRV, &env_files, "file", "Read in a file of environment variables" },
    { "interactive", 'i', PC_OPT_BOOL, &interactive, NULL, "Keep STDIN open even if not attached" },
    { "latest", 'l', PC_OPT_BOOL, &latest, NULL, "Act on the latest container pc is aware of" },
    { "preserve-fds", 0, PC_OPT_UINT, &preserve_fds, "uint", "Pass N additional file descriptors to the container" },
    { "privileged", 0, PC_OPT_BOOL, &privileged, NULL, "Give the process extended Linux capabilities inside the container" },
    { "tty", 't', PC_OPT_BOOL, &tty, NULL, "Allocate a pseudo-TTY. The default is false" },
    { "user", 'u', PC_OPT_STRING, &user, "user", "Sets the username or UID used and optionally the groupname or GID for the specified command" },
    { "workdir", 'w', PC_OPT_STRING, &workdir, "string", "Working directory inside the container" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (nargs < 1 && !latest)
    return pc_cli_errorf (PC_EXIT_ERROR, "exec requires the name or ID of a container or the --latest flag");
  /* podman: with -l the arguments are the command. */
  pc_autostrv char **hold = NULL;
  int lrc = pc_cli_latest_args (NULL, latest, 0, &args, &nargs, &hold);
  if (lrc != 0)
    return lrc;
  if (nargs < 2)
    return pc_cli_errorf (PC_EXIT_EXEC, "must provide a non-empty command to start an exec session: invalid argument");
  /* Before pc opens anything: the fds passed on must be the caller's, not
     ones pc opened into a gap. */
  for (long fd = 3; fd < 3 + preserve_fds; fd++)
    if (fcntl ((int) fd, F_GETFD) < 0)
      return pc_cli_errorf (PC_EXIT_ERROR, "--preserve-fds %ld: file descriptor %ld is not open", preserve_fds, fd);
  if (preserve_fds > 0 && (tty || detach))
    return pc_cli_errorf (PC_EXIT_ERROR, "--preserve-fds cannot be used with --tty or --detach: those sessions are started by the container's monitor");
  pc_error *err = NULL;
  if (detach_keys && pc_engine_check_detach_keys (detach_keys, &err) < 0)
    return pc_cli_fail_as (err, PC_EXIT_ERROR);
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
    .tty = tty,
    .detach = detach,
    .privileged = privileged,
    .preserve_fds = (int) preserve_fds,
    .detach_keys = detach_keys,
    .session_id = &session_id,
  };
  fflush (stdout);
  int r = pc_engine_exec (e, c, &o, &exit_code, &err);
  /* podman 4.3: the command's 127 and 126; the container gone, 125; any
     other failure to set up an attached session (a container that is not
     running, a user that does not exist), 255 (125 with -d). */
  if (r < 0)
    {
      enum pc_error_class cls = pc_error_class_of (err);
      if (detach || cls == PC_ERR_CMD_NOT_FOUND || cls == PC_ERR_CANNOT_INVOKE || cls == PC_ERR_NOT_FOUND)
        return pc_cli_fail_as (err, PC_EXIT_INVOKES);
      return pc_cli_fail_code (err, PC_EXIT_EXEC);
    }
  if (r == 1)
    {
      /* -d prints the session's id, as podman; the detach keys print nothing. */
      if (session_id)
        printf ("%s\n", session_id);
      return 0;
    }
  return exit_code;
}
