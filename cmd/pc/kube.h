/* pc kube (kube.c): NULL-name terminated subcommand tables. */
#ifndef PC_CMD_KUBE_H
#define PC_CMD_KUBE_H

#include "cmd/pc/cli.h"

extern const struct pc_command pc_kube_commands[];
/* podman's older spellings: `play kube`, `generate kube`. */
extern const struct pc_command pc_play_commands[];
extern const struct pc_command pc_generate_commands[];

#endif
