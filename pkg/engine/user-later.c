/* -u NAME that the image's /etc/passwd lacks: podman 4.3 creates the
   container and fails each start with "unable to find user NAME: no
   matching entries in passwd file" (run: 126; the container stays
   created). pc resolves the user at create, where the spec is written, so
   it keeps the failure in the record and start reports it. */
#include <errno.h>

#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/engine/internal.h"

#define USER_ERROR_KEY "UserError"

int
eng_create_user (const struct pc_rootfs_mount *m, json_object *rec, struct eng_user *u, pc_error **err)
{
  const char *user = pc_json_get_string (pc_json_get (rec, "Config"), "User");
  if (eng_resolve_user (m, user, u, err) == 0)
    return 0;
  /* Only a name the image lacks waits for start; a damaged passwd file or
     an unreadable layer is create's error. */
  if (pc_error_class_of (*err) != PC_ERR_CANNOT_INVOKE || (*err)->status != ENOENT)
    return -1;
  json_object_object_add (rec, USER_ERROR_KEY, json_object_new_string ((*err)->msg));
  pc_error_clear (err);
  u->uid = 0;
  u->gid = 0;
  u->n_groups = 0;
  free (u->home);
  u->home = xstrdup ("/");
  return 0;
}

int
eng_start_user_check (const struct pc_container *c, pc_error **err)
{
  const char *why = pc_json_get_string (c->rec, USER_ERROR_KEY);
  if (why == NULL)
    return 0;
  return pc_error_makec (err, PC_ERR_CANNOT_INVOKE, ENOENT, "%s", why);
}
