/* The container's network in the monitor: libslirp (pkg/network) as a hook
   of the poll loop, started once the container process (and its network
   namespace) exists and before it execs, released when it has exited,
   before its exit is recorded. Which network: the spec's annotation
   "run.pc.network" (pc_net_mode_format); none without it. */
#include <errno.h>
#include <string.h>

#include "lib/json.h"
#include "pkg/monitor/internal.h"
#include "pkg/network/network.h"

static int
add_pollfd (int fd, short events, void *data)
{
  struct pc_monitor *m = data;
  return pc_mloop_poll_add (&m->loop, fd, events);
}

static void
net_prepare (struct pc_mloop *l, int *timeout_ms, void *data)
{
  struct pc_monitor *m = data;
  if (m->net)
    pc_net_prepare (m->net, timeout_ms, add_pollfd, m);
}

static void
net_check (struct pc_mloop *l, const struct pollfd *pfd, size_t n, bool poll_failed, void *data)
{
  struct pc_monitor *m = data;
  if (m->net)
    pc_net_check (m->net, pfd, n, poll_failed);
}

int
pc_mon_net_start (struct pc_monitor *m, json_object *spec, int netns_fd, pc_error **err)
{
  const char *mode = pc_json_get_string (pc_json_get (spec, "annotations"), "run.pc.network");
  if (mode == NULL)
    return 0;
  struct pc_net_mode nm;
  if (pc_net_mode_parse (mode, &nm, err) < 0)
    return pc_error_wrap (err, "the container's network");
  if (nm.kind != PC_NET_SLIRP)
    return 0;
  if (netns_fd < 0)
    return pc_error_make (err, EINVAL, "the runtime gave no network namespace for the container's network");
  if (pc_net_start (netns_fd, &nm.slirp, &m->net, err) < 0)
    return -1;
  pc_mloop_add_hook (&m->loop, net_prepare, net_check, m);
  return 0;
}

void
pc_mon_net_stop (struct pc_monitor *m)
{
  if (m->net == NULL)
    return;
  pc_mloop_remove_hook (&m->loop, m);
  pc_net_free (m->net);
  m->net = NULL;
}
