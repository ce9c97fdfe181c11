/* --sysctl and containers.conf's default_sysctls at create, as podman 4.3
   checks and joins them: HostConfig.Sysctls (docker's name; podman 4.3's
   inspect has no such field), which the spec's linux.sysctl takes and the
   runtime writes into the container's /proc/sys before its exec. */
#include "pkg/engine/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "pkg/engine/conf-api.h"

/* podman's namespaced sysctls: the IPC ones, fs.mqueue.* and net.*. */
static bool
allowed (const char *key, size_t n)
{
  static const char *const ipc[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                                     "kernel.shmall", "kernel.shmmax", "kernel.shmmni",
                                     "kernel.shm_rmid_forced", NULL };
  for (const char *const *k = ipc; *k; k++)
    if (strlen (*k) == n && strncmp (key, *k, n) == 0)
      return true;
  return (n > 10 && strncmp (key, "fs.mqueue.", 10) == 0) || (n > 4 && strncmp (key, "net.", 4) == 0);
}

int
eng_sysctl_check (const struct pc_create_opts *o, json_object *hc, pc_error **err)
{
  enum pc_net_kind kind;
  bool known = eng_network_kind (o, &kind);
  bool host_net = known && kind == PC_NET_HOST;
  /* A network namespace of its own (none, the default network): a pod
     member, container: or ns: joins one whose sysctls are its owner's. */
  bool own_net = known && (kind == PC_NET_NONE || kind == PC_NET_SLIRP);
  json_object *sysctls = json_object_new_object ();
  json_object_object_add (hc, "Sysctls", sysctls);
  /* The configuration's defaults first; a net.* one is for a network
     namespace of the container's own, else left out quietly. */
  for (char **d = pc_engine_conf ()->default_sysctls; d && *d; d++)
    {
      const char *eq = strchr (*d, '=');
      if (eq == NULL || eq == *d || (!own_net && strncmp (*d, "net.", 4) == 0))
        continue;
      pc_autofree char *key = strndup (*d, (size_t) (eq - *d));
      json_object_object_add (sysctls, key, json_object_new_string (eq + 1));
    }
  for (char **s = o->sysctls; s && *s; s++)
    {
      const char *eq = strchr (*s, '=');
      if (eq == NULL || eq == *s)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "%s is invalid, sysctl values must be in the form of KEY=VALUE", *s);
      size_t n = (size_t) (eq - *s);
      if (!allowed (*s, n))
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "sysctl '%.*s' is not allowed", (int) n, *s);
      if (host_net && strncmp (*s, "net.", 4) == 0)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "sysctl %s can't be set since Network Namespace set to host: invalid argument", *s);
      pc_autofree char *key = strndup (*s, n);
      json_object_object_add (sysctls, key, json_object_new_string (eq + 1));
    }
  return 0;
}
