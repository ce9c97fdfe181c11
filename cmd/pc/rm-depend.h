/* rm --depend (cmd/pc/rm-depend.c). */
#ifndef PC_CMD_RM_DEPEND_H
#define PC_CMD_RM_DEPEND_H

#include "cmd/pc/container.h"

struct pc_cli_rm_opts
{
  bool force;
  bool volumes;
  int timeout;
};

/* Removes, depth first, every container that depends on container id
   (pc_engine_dependents), printing each full id; not id itself. */
int pc_cli_rm_dependents (struct pc_engine *e, const char *id, const struct pc_cli_rm_opts *o, int depth,
                          pc_error **err);

#endif
