/* The command table: what `pc --help` lists is exactly what is here. */
#include "cmd/pc/commands.h"

#include <stddef.h>

static const struct pc_command root_subcommands[] = {
  { .name = "help", .summary = "Help about any command",
    .usage = "help [command]", .run = pc_cmd_help },
  { .name = "image", .summary = "Manage images",
    .usage = "image [command]", .subcommands = pc_image_commands },
  { .name = "images", .summary = "List images in local storage",
    .usage = "images [options] [IMAGE]", .run = pc_cmd_images },
  { .name = "import", .summary = "Import a tarball to create a filesystem image",
    .usage = "import [options] PATH [REFERENCE]", .run = pc_cmd_import },
  { .name = "info", .summary = "Display pc related system information",
    .usage = "info [options]", .run = pc_cmd_info },
  { .name = "load", .summary = "Load image(s) from a tar archive",
    .usage = "load [options]", .run = pc_cmd_load },
  { .name = "rmi", .summary = "Remove one or more images from local storage",
    .usage = "rmi [options] IMAGE [IMAGE...]", .run = pc_cmd_rmi },
  { .name = "save", .summary = "Save image(s) to an archive",
    .usage = "save [options] IMAGE [IMAGE...]", .run = pc_cmd_save },
  { .name = "system", .summary = "Manage pc",
    .usage = "system [command]", .subcommands = pc_system_commands },
  { .name = "tag", .summary = "Add an additional name to a local image",
    .usage = "tag IMAGE TARGET_NAME [TARGET_NAME...]", .run = pc_cmd_tag },
  { .name = "untag", .summary = "Remove a name from a local image",
    .usage = "untag IMAGE [IMAGE...]", .run = pc_cmd_untag },
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
