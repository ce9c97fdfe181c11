/* The `pc system` subcommands of system-df.c, for system.c's table. */
#ifndef PC_CMD_SYSTEM_H
#define PC_CMD_SYSTEM_H

#include "cmd/pc/cli.h"

int pc_cmd_system_df (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_system_prune (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_system_reset (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_system_migrate (const struct pc_command *cmd, int argc, char **argv);

#endif
