/* The engine's side of --network: the value checked at create, kept
   canonical in the record's HostConfig.NetworkMode, and handed to the
   monitor in the spec's "run.pc.network" annotation (pkg/monitor/net.c). */
#include "pkg/engine/internal.h"

#include <string.h>

#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/network/network.h"

int
eng_network_check (const char *arg, pc_error **err)
{
  struct pc_net_mode nm;
  return pc_net_mode_parse (arg, &nm, err);
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
