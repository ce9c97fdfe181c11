/* rm --depend: the containers that need the one removed go first, each
   after those that need it, as podman (its joiners in id order, each
   printed by full id). */
#include <errno.h>
#include <stdio.h>

#include "cmd/pc/rm-depend.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"

/* Joiners of joiners; a chain longer than this is a damaged store. */
#define DEPEND_MAX_DEPTH 64

int
pc_cli_rm_dependents (struct pc_engine *e, const char *id, const struct pc_cli_rm_opts *o, int depth,
                      pc_error **err)
{
  if (depth > DEPEND_MAX_DEPTH)
    return pc_error_makec (err, PC_ERR_INVALID, ELOOP, "container %s: dependencies nested deeper than %d",
                           id, DEPEND_MAX_DEPTH);
  pc_autostrv char **deps = NULL;
  if (pc_engine_dependents (e, id, &deps, err) < 0)
    return -1;
  for (char **p = deps; p && *p; p++)
    {
      if (pc_cli_rm_dependents (e, *p, o, depth + 1, err) < 0)
        return -1;
      pc_autocontainer struct pc_container *c = NULL;
      if (pc_engine_lookup (e, *p, &c, err) < 0)
        {
          if (pc_error_class_of (*err) != PC_ERR_NOT_FOUND)
            return -1;
          pc_error_clear (err);   /* removed meanwhile */
          continue;
        }
      if (pc_engine_remove (e, c, o->force, o->timeout, err) < 0)
        return -1;
      printf ("%s\n", c->id);
      fflush (stdout);
      if (o->volumes && pc_engine_container_remove_volumes (e, c->rec, err) < 0)
        return -1;
    }
  return 0;
}
