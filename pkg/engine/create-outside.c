/* pc create without pc's user namespace (docs/namespaces.md, "Which
   commands enter which namespace").

   In pc's default mapping container root is the user, so every file a
   plain create writes (its name, the container layer's empty upper and
   work dirs, the records, the spec, a passwd copy) has the same owner made
   from either side, and the files it reads (records, image configs, the
   image's /etc/passwd and /etc/group) are readable from both. Entering the
   namespace costs a setuid newuidmap and newgidmap (about 2 ms of the 6-8
   a create takes here), and a create that needs nothing of it skips it.
   The decision is made once, before any write, from the options with
   containers.conf's defaults: anything that chowns, copies an image's
   content, mounts, joins another container or could pull stays in the
   namespace as before. pc start enters a fresh one and sees the same
   files. */
#include <string.h>
#include <strings.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "pkg/engine/internal.h"
#include "pkg/rootless/rootless.h"
#include "pkg/storage/storage.h"

static bool
plain_network (const char *n)
{
  return n == NULL || *n == '\0' || strcmp (n, "none") == 0 || strcmp (n, "host") == 0
         || strcmp (n, "private") == 0 || strcmp (n, "bridge") == 0 || strncmp (n, "slirp4netns", 11) == 0;
}

/* A pull extracts layers with the image's owners; --replace removes a
   container's layer; volumes are chowned and filled from the image;
   another user namespace or map is made or joined; --rootfs is a host
   directory whose owners are checked. */
static bool
plain_opts (const struct pc_create_opts *o, const char *pull)
{
  if (pull && strcasecmp (pull, "missing") != 0 && strcasecmp (pull, "never") != 0)
    return false;
  return !(o->pod || o->rootfs || o->replace || o->volumes || o->mounts || o->volumes_from || o->uidmap
           || o->gidmap || o->subuidname || o->subgidname || (o->userns && *o->userns)
           || !plain_network (o->network));
}

bool
pc_engine_create_outside_userns (struct pc_engine *e, const struct pc_create_opts *given, const char *pull)
{
  if (!pc_rootless_is_rootless () || pc_rootless_in_userns () || !plain_opts (given, pull))
    return false;
  __attribute__ ((cleanup (eng_conf_opts_clear))) struct eng_conf_opts conf = { 0 };
  const struct pc_create_opts *o = eng_conf_create_opts (given, &conf);
  if (!plain_opts (o, pull))
    return false;
  pc_autoerror pc_error *err = NULL;
  struct pc_store *store = pc_engine_store (e, &err);
  const char *driver = store ? pc_store_driver (store, &err) : NULL;
  /* vfs copies the image's files into each container. */
  if (driver == NULL || strcmp (driver, "vfs") == 0)
    return false;
  pc_autoimage struct pc_image *img = NULL;
  if (pc_store_image_lookup (store, o->image, &img, &err) < 0)
    return false;
  /* An image VOLUME is an anonymous volume, filled from the image. */
  json_object *vols = pc_json_get_object (pc_json_get_object (pc_image_config (img), "config"), "Volumes");
  return vols == NULL || json_object_object_length (vols) == 0;
}

