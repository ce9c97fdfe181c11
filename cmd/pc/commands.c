/* The command table: what `pc --help` lists is exactly what is here. */
#include "cmd/pc/commands.h"

#include <stddef.h>

static const struct pc_command root_subcommands[] = {
  { .name = "help", .summary = "Help about any command",
    .usage = "help [command]", .run = pc_cmd_help },
  { .name = "version", .summary = "Display the pc version information",
    .usage = "version [options]", .run = pc_cmd_version },
  { .name = NULL },
};

const struct pc_command pc_root_command = {
  .name = "pc",
  .summary = "Manage containers and images, rootless and without a daemon",
  .usage = "[options] [command]",
  .subcommands = root_subcommands,
};
