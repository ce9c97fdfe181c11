/* pod create --infra-image IMG: the infra is an ordinary container of the
   image (its storage, its entrypoint and command, or --infra-command
   instead of them), made by pc_engine_create with the pod's network,
   ports, hostname, DNS, hosts, volumes and userns, then marked as the
   pod's infra. The store is in pc's user namespace: a rootless pod create
   enters a fresh one (any shows the same store). */
#include "pkg/engine/internal.h"
#include "pkg/engine/pod.h"

#include <errno.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/rootless/rootless.h"

int
eng_pod_infra_create_image (struct pc_engine *e, struct pc_pod *p, const struct pc_pod_opts *o, char id[65],
                            pc_error **err)
{
  if (pc_rootless_is_rootless () && !pc_rootless_in_userns () && pc_engine_enter_userns (e, err) < 0)
    return -1;
  /* podman: --infra-command replaces the image's entrypoint; its words
     are the infra's Path and Args. */
  pc_autostrv char **argv = NULL;
  if (o->infra_command && *o->infra_command)
    {
      pc_autofree char *copy = xstrdup (o->infra_command);
      char *save = NULL;
      for (char *t = strtok_r (copy, " \t", &save); t; t = strtok_r (NULL, " \t", &save))
        pc_strv_append (&argv, t);
    }
  pc_autofree char *name = o->infra_name && *o->infra_name ? xstrdup (o->infra_name) : xasprintf ("%.12s-infra", p->id);
  struct pc_create_opts io = {
    .image = o->infra_image,
    .command = argv,
    .entrypoint = argv ? "" : NULL,
    .name = name,
    .hostname = o->hostname && *o->hostname ? o->hostname : p->name,
    .volumes = o->volumes,
    .stop_timeout = -1,
    .network = o->network,
    .dns = o->dns,
    .dns_search = o->dns_search,
    .dns_option = o->dns_option,
    .add_host = o->add_host,
    .no_hosts = o->no_hosts,
    .publish = o->publish,
    .userns = o->userns,
  };
  pc_autocontainer struct pc_container *c = NULL;
  if (pc_engine_create (e, &io, &c, err) < 0)
    return -1;
  int lock = eng_lock_container (e, c->id, err);
  if (lock < 0)
    goto fail;
  json_object_object_add (c->rec, "Pod", json_object_new_string (p->id));
  json_object_object_add (c->rec, "PodName", json_object_new_string (p->name));
  json_object_object_add (c->rec, "IsInfra", json_object_new_boolean (true));
  int r = eng_record_save (e, c, err);
  eng_unlock (lock);
  if (r < 0)
    goto fail;
  memcpy (id, c->id, 65);
  return 0;

fail:;
  pc_autoerror pc_error *rerr = NULL;
  pc_engine_remove (e, c, true, 0, &rerr);
  return -1;
}
