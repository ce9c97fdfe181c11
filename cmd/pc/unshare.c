/* pc unshare: run a command inside pc's user namespace, as `podman unshare`
   does, so a user can chown or remove the files of their store. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/pc/commands.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/rootless/rootless.h"
#include "pkg/storage/storage.h"

/* podman sets CONTAINERS_GRAPHROOT / CONTAINERS_RUNROOT for the command;
   pc's equivalents are the store's directories. */
static void
export_paths (uid_t host_uid)
{
  pc_autofree char *graph = pc_global.root ? xstrdup (pc_global.root) : pc_storage_default_root ();
  pc_autofree char *runroot = pc_global.runroot ? xstrdup (pc_global.runroot)
                                                : pc_storage_default_runroot ();
  setenv ("PC_GRAPHROOT", graph, 1);
  setenv ("PC_RUNROOT", runroot, 1);
  char buf[16];
  snprintf (buf, sizeof buf, "%u", (unsigned) host_uid);
  setenv ("PC_ROOTLESS_UID", buf, 1);
}

/* execvp reports EACCES for a missing command when some $PATH entry is
   unreadable; look first so "not found" says so, as podman does. */
static bool
in_path (const char *name)
{
  const char *path = getenv ("PATH");
  pc_autofree char *dirs = xstrdup (path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
  char *save = NULL;
  for (char *d = strtok_r (dirs, ":", &save); d; d = strtok_r (NULL, ":", &save))
    {
      pc_autofree char *p = xasprintf ("%s/%s", *d ? d : ".", name);
      if (access (p, F_OK) == 0)
        return true;
    }
  return false;
}

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

  if (!pc_rootless_in_userns ())
    {
      if (geteuid () == 0)
        return pc_cli_errorf (PC_EXIT_ERROR, "please use unshare with rootless");
      pc_error *err = NULL;
      if (pc_rootless_enter (&err) < 0)
        return pc_cli_fail (err);
    }
  export_paths (pc_rootless_host_uid ());

  char *shell_argv[2] = { NULL, NULL };
  if (nargs == 0)
    {
      const char *sh = getenv ("SHELL");
      shell_argv[0] = (char *) (sh && *sh ? sh : "/bin/sh");
      args = shell_argv;
    }
  fflush (NULL);
  pc_error *xerr = NULL;
  if (strchr (args[0], '/') == NULL && !in_path (args[0]))
    {
      pc_error_makec (&xerr, PC_ERR_CMD_NOT_FOUND, ENOENT,
                      "exec: \"%s\": executable file not found in $PATH", args[0]);
      return pc_cli_fail_as (xerr, PC_EXIT_INVOKES);
    }
  execvp (args[0], args);
  int e = errno;
  if (args == shell_argv && strcmp (shell_argv[0], "/bin/sh") != 0)
    {
      shell_argv[0] = (char *) "/bin/sh";
      execv (shell_argv[0], shell_argv);
      e = errno;
    }
  if (e == ENOENT)
    pc_error_makec (&xerr, PC_ERR_CMD_NOT_FOUND, e, "exec: \"%s\": executable file not found in $PATH",
                    args[0]);
  else
    pc_error_makec (&xerr, e == EACCES ? PC_ERR_CANNOT_INVOKE : PC_ERR_GENERIC, e, "exec: \"%s\": %s",
                    args[0], strerror (e));
  return pc_cli_fail_as (xerr, PC_EXIT_INVOKES);
}
