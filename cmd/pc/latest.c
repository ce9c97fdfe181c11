/* --latest: one picking rule for every container command (ps's). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/pc/latest.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"

char *
pc_cli_latest_id (struct pc_engine *e, pc_error **err)
{
  struct pc_container **v = NULL;
  size_t n = 0;
  if (pc_engine_list (e, &v, &n, err) < 0)
    return NULL;
  char *id = n ? xstrdup (v[0]->id) : NULL;
  pc_container_list_free (v, n);
  if (id == NULL)
    pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "no such container");
  return id;
}

int
pc_cli_latest_check (bool latest, bool all, int nnames, bool cidfile)
{
  if (!latest)
    return 0;
  if (cidfile)
    return pc_cli_errorf (PC_EXIT_ERROR, "--all, --latest, and --cidfile cannot be used together");
  if (all)
    return pc_cli_errorf (PC_EXIT_ERROR, "--all and --latest cannot be used together");
  if (nnames > 0)
    return pc_cli_errorf (PC_EXIT_ERROR, "--latest and containers cannot be used together");
  return 0;
}

int
pc_cli_latest_args (struct pc_engine *e, bool latest, unsigned kind, char ***args, int *nargs, char ***hold)
{
  if (!latest)
    return 0;
  pc_autoengine struct pc_engine *own = NULL;
  if (e == NULL)
    {
      own = pc_cli_open_engine (0);
      if (own == NULL)
        return PC_EXIT_ERROR;
      e = own;
    }
  pc_error *err = NULL;
  char *id = pc_cli_latest_id (e, &err);
  if (id == NULL)
    return pc_cli_fail_as (err, kind);
  char **v = NULL;
  pc_strv_append_take (&v, id);
  for (int i = 0; i < *nargs; i++)
    pc_strv_append (&v, (*args)[i]);
  pc_strv_free (*hold);
  *hold = v;
  *args = v;
  *nargs += 1;
  return 0;
}
