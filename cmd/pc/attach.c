/* pc attach: join a running container's stdio through its monitor, as
   many clients at once as like (the monitor sends its output to all). The
   command enters no user namespace: it talks to the monitor's socket, and
   signals travel through the monitor. */
#include <stdio.h>

#include "cmd/pc/container.h"
#include "cmd/pc/latest.h"
#include "lib/cleanup.h"

int
pc_cmd_attach (const struct pc_command *cmd, int argc, char **argv)
{
  bool no_stdin = false, sig_proxy = true, latest = false;
  pc_autofree char *detach_keys = NULL;
  const struct pc_opt opts[] = {
    { "detach-keys", 0, PC_OPT_STRING, &detach_keys, "[a-Z]", "Select the key sequence for detaching a container. Format is a single character [a-Z] or a comma separated sequence of `ctrl-<value>`, where `<value>` is one of: `a-z`, `@`, `^`, `[`, `\\`, `]`, `^` or `_` (default \"ctrl-p,ctrl-q\")" },
    { "latest", 'l', PC_OPT_BOOL, &latest, NULL, "Act on the latest container pc is aware of" },
    { "no-stdin", 0, PC_OPT_BOOL, &no_stdin, NULL, "Do not attach STDIN. The default is false" },
    { "sig-proxy", 0, PC_OPT_BOOL, &sig_proxy, NULL, "Proxy received signals to the process (default true)" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (pc_cli_latest_check (latest, false, nargs, false) != 0)
    return PC_EXIT_ERROR;
  pc_autostrv char **hold = NULL;
  int lrc = pc_cli_latest_args (NULL, latest, 0, &args, &nargs, &hold);
  if (lrc != 0)
    return lrc;
  if (nargs != 1)
    return pc_cli_errorf (PC_EXIT_ERROR, "attach requires the name or id of one running container or the latest flag");
  pc_error *err = NULL;
  if (pc_engine_check_detach_keys (detach_keys, &err) < 0)
    return pc_cli_fail (err);
  pc_autoengine struct pc_engine *e = NULL;
  pc_autocontainer struct pc_container *c = NULL;
  int rc = pc_cli_open_container (0, args[0], 0, &e, &c);
  if (rc != 0)
    return rc;
  struct pc_attach_opts ao = {
    .running_only = true,
    .in = !no_stdin,
    .out = true,
    .err = true,
    .detach_keys = detach_keys,
    .sig_proxy = sig_proxy,
  };
  fflush (stdout);
  int code = 0;
  int a = pc_engine_attach (e, c, &ao, &code, &err);
  if (a < 0)
    return pc_cli_fail (err);
  /* Detached: the container runs on. Else it exited while attached. */
  return a == 1 ? 0 : code;
}
