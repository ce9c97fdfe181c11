/* pc export: the container's filesystem as a tar archive. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/pc/container.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"

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
  /* The container first: a typo must leave the output alone. */
  pc_autoengine struct pc_engine *e = NULL;
  pc_autocontainer struct pc_container *c = NULL;
  int rc = pc_cli_open_container (PC_ENGINE_USERNS, args[0], 0, &e, &c);
  if (rc != 0)
    return rc;
  pc_error *err = NULL;
  pc_autooutput struct pc_output out = PC_OUTPUT_INIT;
  if (output && pc_output_open (output, 0, &out, &err) < 0)
    return pc_cli_fail (err);
  if (pc_engine_export (e, c, output ? out.fd : 1, &err) < 0)
    return pc_cli_fail (err);
  if (output && pc_output_commit (&out, &err) < 0)
    return pc_cli_fail (err);
  return 0;
}
