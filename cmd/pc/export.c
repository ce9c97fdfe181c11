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
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 1, 1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (output == NULL && isatty (1))
    return pc_cli_errorf (PC_EXIT_ERROR, "refusing to export to terminal. Use -o flag or redirect");
  pc_autoclose int fd = -1;
  if (output)
    {
      fd = open (output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0)
        return pc_cli_errorf (PC_EXIT_ERROR, "opening %s: %s", output, strerror (errno));
    }
  pc_autoengine struct pc_engine *e = NULL;
  pc_autocontainer struct pc_container *c = NULL;
  int rc = pc_cli_open_container (PC_ENGINE_USERNS, args[0], 0, &e, &c);
  if (rc != 0)
    {
      /* A missing container removes the output file; a store that does
         not open leaves it. */
      if (e && output)
        unlink (output);
      return rc;
    }
  pc_error *err = NULL;
  if (pc_engine_export (e, c, fd >= 0 ? fd : 1, &err) < 0)
    {
      if (output)
        unlink (output);
      return pc_cli_fail (err);
    }
  return 0;
}
