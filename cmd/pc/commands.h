/* Entry points of the command families, one file each. */
#ifndef PC_CMD_COMMANDS_H
#define PC_CMD_COMMANDS_H

#include "cmd/pc/cli.h"
#include "cmd/pc/container.h"

int pc_cmd_version (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_help (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_unshare (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_info (const struct pc_command *cmd, int argc, char **argv);
/* events.c */
int pc_cmd_events (const struct pc_command *cmd, int argc, char **argv);
/* completion.c */
int pc_cmd_completion (const struct pc_command *cmd, int argc, char **argv);
/* images (image.c, image-io.c, image-inspect.c) */
int pc_cmd_images (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_load (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_pull (const struct pc_command *cmd, int argc, char **argv);
/* push.c */
int pc_cmd_push (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_search (const struct pc_command *cmd, int argc, char **argv);
extern const struct pc_command pc_manifest_commands[];
/* login.c */
int pc_cmd_login (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_logout (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_save (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_import (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_tag (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_untag (const struct pc_command *cmd, int argc, char **argv);
/* history.c (also `pc image history`) */
int pc_cmd_image_history (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_rmi (const struct pc_command *cmd, int argc, char **argv);
extern const struct pc_command pc_image_commands[];
/* `pc system` subcommands (system.c); NULL-name terminated. */
extern const struct pc_command pc_system_commands[];
/* `pc healthcheck` subcommands (healthcheck.c); NULL-name terminated. */
extern const struct pc_command pc_healthcheck_commands[];
/* `pc volume` subcommands (volume.c); NULL-name terminated. */
extern const struct pc_command pc_volume_commands[];
/* `pc pod` subcommands (pod.c, pod-life.c, pod-ps.c); NULL-name terminated. */
extern const struct pc_command pc_pod_commands[];

#endif
