/* pc pod: podman's pod commands (pod.c, pod-life.c, pod-ps.c). */
#ifndef PC_CMD_POD_H
#define PC_CMD_POD_H

#include "cmd/pc/cli.h"
#include "cmd/pc/commands.h"
#include "pkg/engine/engine.h"

/* pod-life.c */
int pc_cmd_pod_start (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_pod_stop (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_pod_restart (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_pod_kill (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_pod_pause (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_pod_unpause (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_pod_rm (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_pod_prune (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_pod_exists (const struct pc_command *cmd, int argc, char **argv);
/* pod-ps.c */
int pc_cmd_pod_ps (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_pod_inspect (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_pod_top (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_pod_logs (const struct pc_command *cmd, int argc, char **argv);

/* For run/create --pod new:NAME (pod.c): a pod with defaults and the
   given ports; *id its ID (malloc'd). Prints the error; 0 or the exit code. */
int pc_cli_pod_new (struct pc_engine *e, const char *name, char **publish, char **id);

#endif
