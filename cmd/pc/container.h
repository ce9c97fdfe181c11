/* Shared by the container command files (run.c, ps.c, lifecycle.c, ...). */
#ifndef PC_CMD_CONTAINER_H
#define PC_CMD_CONTAINER_H

#include "cmd/pc/cli.h"
#include "pkg/engine/engine.h"

/* Opens the engine from the global flags (PC_ENGINE_* flags); prints the
   error and returns NULL. */
struct pc_engine *pc_cli_open_engine (unsigned flags);

/* Opens the engine and looks up ref, into *e and *c (callers hold them with
   pc_autoengine and pc_autocontainer, NULL first). Returns 0, or prints the
   error and returns the exit code: 125, or missing_code without a message
   for a container that does not exist when missing_code is not 0. */
int pc_cli_open_container (unsigned flags, const char *ref, int missing_code,
                           struct pc_engine **e, struct pc_container **c);

static inline void
pc_engine_closep (struct pc_engine **e)
{
  pc_engine_close (*e);
}
#define pc_autoengine __attribute__ ((cleanup (pc_engine_closep)))

/* The `pc container` family and its members, for the root table. */
extern const struct pc_command pc_container_commands[];

int pc_cmd_run (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_create (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_start (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_stop (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_kill (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_restart (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_rm (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_wait (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_rename (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_container_exists (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_container_prune (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_pause (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_unpause (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_ps (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_container_inspect (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_inspect (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_logs (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_cp (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_export (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_commit (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_top (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_port (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_exec (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_attach (const struct pc_command *cmd, int argc, char **argv);

#endif
