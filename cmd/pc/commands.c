/* The command table: what `pc --help` lists is exactly what is here. */
#include "cmd/pc/commands.h"

#include <stddef.h>

static const struct pc_command root_subcommands[] = {
  { .name = "help", .summary = "Help about any command",
    .usage = "help [command]", .run = pc_cmd_help },
  { .name = "info", .summary = "Display pc related system information",
    .usage = "info [options]", .run = pc_cmd_info },
  { .name = "system", .summary = "Manage pc",
    .usage = "system [command]", .subcommands = pc_system_commands },
  { .name = "unshare", .summary = "Run a command in a modified user namespace",
    .usage = "unshare [options] [COMMAND [ARG...]]", .run = pc_cmd_unshare,
    .description = "Runs a command in pc's user namespace (container root = you, 1..N = your subuid ranges), as containers see the store. Without a command, runs $SHELL (else /bin/sh).",
    .flags = PC_CMD_STOP_AT_POSITIONAL },
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
