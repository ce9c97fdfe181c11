/* podman's --latest (-l) for the container commands. */
#ifndef PC_CMD_LATEST_H
#define PC_CMD_LATEST_H

#include <stdbool.h>

#include "cmd/pc/container.h"

/* The newest container pc knows, as `ps --latest` picks it: the first of
   pc_engine_list (newest created first). Its full id, or NULL and an error
   of class PC_ERR_NOT_FOUND, "no such container", as podman's. */
char *pc_cli_latest_id (struct pc_engine *e, pc_error **err);

/* podman's refusals before anything is looked up, for a command whose
   arguments are containers: names (or --cidfile) with --latest, --all
   with --latest. Prints podman's message and returns 125, or 0. */
int pc_cli_latest_check (bool latest, bool all, int nnames, bool cidfile);

/* With latest, *args becomes the newest container's id followed by the
   arguments given (top, port, exec take theirs after it); the new vector
   replaces *hold (freed first; it may be args itself) for the caller to free. e NULL: an engine is opened
   for the look-up. Returns 0, or prints the
   error and returns the exit code for kind (pc_cli_fail_as). */
int pc_cli_latest_args (struct pc_engine *e, bool latest, unsigned kind, char ***args, int *nargs,
                        char ***hold);

#endif
