/* Shared by the image command files (cmd/pc/image*.c). They reach images
   only through the engine (pkg/engine/engine.h). */
#ifndef PC_CMD_IMAGE_H
#define PC_CMD_IMAGE_H

#include "cmd/pc/cli.h"
#include "cmd/pc/container.h"
#include "pkg/engine/engine.h"

/* The images a command acts on: with all, the ID of every image; else a
   copy of args. Returns 0, or prints the error and returns 125. */
int pc_cli_image_refs (struct pc_engine *e, bool all, char **args, char ***refs);

/* inspect.c: pc inspect with the type fixed ("image", "container") or
   given by --type (fixed_type NULL). */
int pc_cli_inspect (const struct pc_command *cmd, int argc, char **argv, const char *fixed_type);
int pc_cmd_image_inspect (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_image_history (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_image_mount (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_image_unmount (const struct pc_command *cmd, int argc, char **argv);

#endif
