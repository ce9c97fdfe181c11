/* The egress bypass in the monitor (docs/network.md): with
   slirp4netns:bypass=true the runtime is asked for a seccomp notification
   filter on connect, io_uring refused (annotation run.pc.seccomp-notify on the monitor's
   copy of the spec, before the create), its listener comes back with the
   created container, and pkg/network's bypass answers it as a hook of the
   poll loop once the network is up. */
#include <string.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/log.h"
#include "pkg/monitor/internal.h"
#include "pkg/network/network.h"

static bool
wants_bypass (json_object *spec, struct pc_net_mode *nm)
{
  const char *mode = pc_json_get_string (pc_json_get (spec, "annotations"), "run.pc.network");
  pc_error *err = NULL;
  if (mode == NULL || pc_net_mode_parse (mode, nm, &err) < 0)
    {
      pc_error_free (err);
      return false;
    }
  return nm->kind == PC_NET_SLIRP && nm->slirp.bypass;
}

void
pc_mon_bypass_spec (json_object *spec)
{
  struct pc_net_mode nm;
  json_object *ann = pc_json_get (spec, "annotations");
  if (ann != NULL && json_object_is_type (ann, json_type_object) && wants_bypass (spec, &nm))
    json_object_object_add (ann, "run.pc.seccomp-notify", json_object_new_string ("connect,!io_uring_setup"));
}

static int
add_pollfd (int fd, short events, void *data)
{
  return pc_mloop_poll_add (data, fd, events);
}

/* data: &m->bypass */
static void
bypass_prepare (struct pc_mloop *l, int *timeout_ms, void *data)
{
  struct pc_net_bypass **b = data;
  if (*b)
    pc_net_bypass_prepare (*b, timeout_ms, add_pollfd, l);
}

static void
bypass_check (struct pc_mloop *l, const struct pollfd *pfd, size_t n, bool poll_failed, void *data)
{
  struct pc_net_bypass **b = data;
  if (*b && !poll_failed)
    pc_net_bypass_check (*b, pfd, n);
}

int
pc_mon_bypass_up (struct pc_monitor *m, const struct pc_net_slirp_opts *o, int netns_fd, pc_error **err)
{
  if (m->seccomp_fd < 0 || m->bypass != NULL)
    return 0;
  int fd = m->seccomp_fd;
  m->seccomp_fd = -1;
  if (pc_net_bypass_new (fd, netns_fd, o, &m->bypass, err) < 0)
    return -1;
  /* Its hook's data is the bypass, so net.c's hook (data m) is removed
     apart from it. */
  pc_mloop_add_hook (&m->loop, bypass_prepare, bypass_check, &m->bypass);
  return 0;
}

void
pc_mon_bypass_stop (struct pc_monitor *m)
{
  if (m->seccomp_fd >= 0)
    close (m->seccomp_fd);
  m->seccomp_fd = -1;
  if (m->bypass == NULL)
    return;
  unsigned long bypassed, continued;
  pc_net_bypass_stats (m->bypass, &bypassed, &continued);
  pc_debug ("egress bypass: %lu connections through host sockets, %lu calls continued", bypassed, continued);
  pc_mloop_remove_hook (&m->loop, &m->bypass);
  pc_net_bypass_free (m->bypass);
  m->bypass = NULL;
}
