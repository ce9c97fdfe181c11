/* pc commit: a new image from a container's changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/pc/container.h"
#include "lib/cleanup.h"

int
pc_cmd_commit (const struct pc_command *cmd, int argc, char **argv)
{
  pc_autofree char *author = NULL, *message = NULL;
  pc_autostrv char **changes = NULL;
  bool pause = false, quiet = false;
  const struct pc_opt opts[] = {
    { "author", 'a', PC_OPT_STRING, &author, "string", "Set the author for the image committed" },
    { "change", 'c', PC_OPT_STRV, &changes, "stringArray", "Apply the following possible instructions to the created image (default []): CMD | ENTRYPOINT | ENV | EXPOSE | LABEL | STOPSIGNAL | USER | WORKDIR" },
    { "message", 'm', PC_OPT_STRING, &message, "string", "Set commit message for imported image" },
    { "pause", 'p', PC_OPT_BOOL, &pause, NULL, "Pause container during commit" },
    { "quiet", 'q', PC_OPT_BOOL, &quiet, NULL, "Suppress output (pc prints only the image ID either way)" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 1, 2, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autoengine struct pc_engine *e = NULL;
  pc_autocontainer struct pc_container *c = NULL;
  int rc = pc_cli_open_container (PC_ENGINE_USERNS, args[0], 0, &e, &c);
  if (rc != 0)
    return rc;
  pc_error *err = NULL;
  pc_autofree char *id = NULL;
  struct pc_commit_opts o = { .author = author, .message = message, .changes = changes, .pause = pause };
  if (pc_engine_commit (e, c, nargs > 1 ? args[1] : NULL, &o, &id, &err) < 0)
    return pc_cli_fail (err);
  printf ("%s\n", id);
  return 0;
}
