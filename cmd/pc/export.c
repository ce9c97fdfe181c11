/* pc export: the container's filesystem as a tar archive. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/pc/container.h"
#include "lib/cleanup.h"

int
pc_cmd_export (const struct pc_command *cmd, int argc, char **argv)
{
  pc_autofree char *output = NULL;
  const struct pc_opt opts[] = {
    { "output", 'o', PC_OPT_STRING, &output, "string", "Write to a specified file (default: stdout, which must be redirected)" },
    { NULL },
  };
  char **args;
  int nargs, r;
  if ((r = pc_cli_parse (cmd, opts, argc, argv, &args, &nargs)) != 0)
    return pc_cli_parse_exit (r);
  if (pc_cli_check_args (cmd, nargs, 1, 1) < 0)
    return PC_EXIT_ERROR;
  if (output == NULL && isatty (1))
    return pc_cli_errorf (PC_EXIT_ERROR, "refusing to export to terminal. Use -o flag or redirect");
  pc_autoclose int fd = -1;
  if (output)
    {
      fd = open (output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0)
        return pc_cli_errorf (PC_EXIT_ERROR, "opening %s: %s", output, strerror (errno));
    }
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (PC_ENGINE_USERNS);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_autocontainer struct pc_container *c = NULL;
  pc_error *err = NULL;
  if (pc_engine_lookup (e, args[0], &c, &err) < 0
      || pc_engine_export (e, c, fd >= 0 ? fd : 1, &err) < 0)
    {
      if (output)
        unlink (output);
      return pc_cli_fail (err);
    }
  return 0;
}
