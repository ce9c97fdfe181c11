/* The engine's side of --network: the value checked at create, kept
   canonical in the record's HostConfig.NetworkMode, and handed to the
   monitor in the spec's "run.pc.network" annotation (pkg/monitor/net.c). */
#include "pkg/engine/internal.h"

#include <errno.h>
#include <string.h>

#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/network/network.h"

static json_object *
strv_array (char *const *v)
{
  json_object *a = json_object_new_array ();
  for (; v && *v; v++)
    json_object_array_add (a, json_object_new_string (*v));
  return a;
}

int
eng_network_check (const struct pc_create_opts *o, json_object *hc, pc_error **err)
{
  struct pc_net_mode nm;
  if (pc_net_mode_parse (o->network, &nm, err) < 0)
    return -1;
  for (char **s = o->dns; s && *s; s++)
    if (pc_net_check_dns_server (*s, err) < 0)
      return -1;
  for (char **s = o->add_host; s && *s; s++)
    if (pc_net_check_add_host (*s, err) < 0)
      return -1;
  if (o->no_hosts && o->add_host && o->add_host[0])
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "--no-hosts and --add-host cannot be set together");
  /* podman's inspect names; NoHosts is pc's. */
  json_object_object_add (hc, "Dns", strv_array (o->dns));
  json_object_object_add (hc, "DnsOptions", strv_array (o->dns_option));
  json_object_object_add (hc, "DnsSearch", strv_array (o->dns_search));
  json_object_object_add (hc, "ExtraHosts", strv_array (o->add_host));
  if (o->no_hosts)
    json_object_object_add (hc, "NoHosts", json_object_new_boolean (true));
  return 0;
}

char *
eng_network_mode (const char *arg)
{
  struct pc_net_mode nm;
  pc_autoerror pc_error *err = NULL;
  if (pc_net_mode_parse (arg, &nm, &err) < 0)
    return xstrdup (arg);
  return pc_net_mode_format (&nm);
}

bool
eng_network_is_slirp (json_object *hc)
{
  const char *mode = pc_json_get_string (hc, "NetworkMode");
  struct pc_net_mode nm;
  pc_autoerror pc_error *err = NULL;
  /* A record without one predates networking: it had none. */
  return mode && pc_net_mode_parse (mode, &nm, &err) == 0 && nm.kind == PC_NET_SLIRP;
}
