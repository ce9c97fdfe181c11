/* Containers that need another one: pc's dependency is a joiner's
   `--network container:X` (HostConfig.NetworkMode "container:ID"); a pod's
   members and its infra are the pod code's (pod-life.c). As podman, X is
   not removed while a joiner exists; `rm --depend` removes the joiners
   first (cmd/pc/lifecycle.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/engine/internal.h"

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

int
pc_engine_dependents (struct pc_engine *e, const char *id, char ***out, pc_error **err)
{
  struct pc_container **v = NULL;
  size_t n = 0;
  if (pc_engine_list_summary (e, &v, &n, err) < 0)
    return -1;
  pc_autofree char *want = xasprintf ("container:%s", id);
  char **ids = NULL;
  for (size_t i = 0; i < n; i++)
    {
      const char *mode = pc_json_get_string (pc_json_get (v[i]->rec, "HostConfig"), "NetworkMode");
      if (mode && strcmp (mode, want) == 0 && strcmp (v[i]->id, id) != 0)
        pc_strv_append (&ids, v[i]->id);
    }
  pc_container_list_free (v, n);
  /* podman lists them in id order. */
  if (ids)
    qsort (ids, pc_strv_len (ids), sizeof *ids, cmp_str);
  *out = ids;
  return 0;
}

int
eng_depend_check (struct pc_engine *e, const struct pc_container *c, pc_error **err)
{
  if ((e->flags & ENG_POD_REMOVING) || pc_json_get_bool (c->rec, "IsInfra", false))
    return 0;
  pc_autostrv char **ids = NULL;
  if (pc_engine_dependents (e, c->id, &ids, err) < 0)
    return -1;
  if (ids == NULL)
    return 0;
  pc_autofree char *list = pc_strv_join (ids, ", ");
  return pc_error_makec (err, PC_ERR_EXISTS, EEXIST,
                         "container %s has dependent containers which must be removed before it: %s: "
                         "container already exists", c->id, list);
}
