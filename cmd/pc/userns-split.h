/* Commands that start several containers (start, restart): a rootless
   command is in one user namespace, and a pod member starts only from its
   pod's (a --network container:X joiner from X's), so the containers are
   split by the namespace they need (pc_engine_userns_key). */
#ifndef PC_CMD_USERNS_SPLIT_H
#define PC_CMD_USERNS_SPLIT_H

#include "cmd/pc/container.h"

/* Acts on names[0..n): listed says names are the expansion of --all (or
   --filter without names) rather than the names given. Returns an exit
   code. */
typedef int (*pc_cli_group_fn) (struct pc_engine *e, char **names, int n, bool listed, void *data);

struct pc_cli_split_opts
{
  bool all;             /* --all, or --filter without names: every container */
  bool ignore_missing;  /* --ignore: a missing name is dropped */
  bool (*want) (const struct pc_container *c); /* narrows --all */
};

/* fn once with the names given when they all need one namespace (or a
   name is missing: fn reports it, nothing is done); else fn once per run
   of consecutive names that need the same one, each in a forked child,
   in order. The exit code is the last non-zero one. */
int pc_cli_each_userns (struct pc_engine *e, char **names, int n, const struct pc_cli_split_opts *o,
                        pc_cli_group_fn fn, void *data);

#endif
