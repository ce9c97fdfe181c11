/* The container's network in the monitor: libslirp (pkg/network) as a hook
   of the poll loop. Which network: the spec's annotation "run.pc.network"
   (pc_net_mode_format); none without it. pc_mon_net_prepare, right after
   the create, keeps the mode and the runtime's fd of the container's
   network namespace; pc_mon_net_up makes tap0 (and the published ports and
   the bypass), which must happen before the container execs, but not before
   the CLI has its report: for an attached run the start request comes
   later, so it runs while the CLI connects, and a failure is the start's
   (pc_mon_net_start_error). libslirp itself (dlopen, slirp_new) starts
   once the container has started, in the loop (slirp_due). Released when
   the container has exited, before its exit is recorded. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/monitor/internal.h"
#include "pkg/monitor/protocol.h"
#include "pkg/network/network.h"

static int
add_pollfd (int fd, short events, void *data)
{
  struct pc_monitor *m = data;
  return pc_mloop_poll_add (&m->loop, fd, events);
}

/* libslirp starts once the container has started (its start reported to
   the clients, in the same loop iteration): loading it and slirp_new are
   off the start's path, done while the container execs; its first frames
   wait in tap0 until then. A failure takes the container down. */
static bool
slirp_due (struct pc_monitor *m)
{
  return m->net && m->started && m->start_status == 0 && !m->exited && pc_net_slirp_pending (m->net);
}

static void
start_slirp (struct pc_monitor *m)
{
  struct timespec t0, t1;
  clock_gettime (CLOCK_MONOTONIC, &t0);
  pc_error *err = NULL;
  if (pc_net_start_slirp (m->net, &err) < 0)
    {
      pc_monitor_log_error (err, "the container's network");
      /* Attached clients see why their container is taken down. */
      char *msg = xasprintf ("Error: the container's network: %s\n", err->msg);
      pc_mon_broadcast (m, PC_MSG_STDERR, msg, strlen (msg));
      free (msg);
      pc_error_free (err);
      if (m->ctr)
        m->rt->kill (m->ctr, SIGKILL, NULL);
      return;
    }
  clock_gettime (CLOCK_MONOTONIC, &t1);
  pc_debug ("libslirp up in %.3f ms",
            (double) (t1.tv_sec - t0.tv_sec) * 1e3 + (double) (t1.tv_nsec - t0.tv_nsec) / 1e6);
}

/* The hooks' data is &m->net, so that removing them leaves the monitor's
   other hooks (data m: the end of the container) in place: a restart
   (restart.c) stops the network and goes on. */
static struct pc_monitor *
net_monitor (void *data)
{
  return (struct pc_monitor *) ((char *) data - offsetof (struct pc_monitor, net));
}

static void
net_prepare (struct pc_mloop *l, int *timeout_ms, void *data)
{
  struct pc_monitor *m = net_monitor (data);
  if (slirp_due (m))
    *timeout_ms = 0;
  if (m->net)
    pc_net_prepare (m->net, timeout_ms, add_pollfd, m);
}

static void
net_check (struct pc_mloop *l, const struct pollfd *pfd, size_t n, bool poll_failed, void *data)
{
  struct pc_monitor *m = net_monitor (data);
  if (m->net)
    pc_net_check (m->net, pfd, n, poll_failed);
  if (slirp_due (m))
    start_slirp (m);
}

int
pc_mon_net_prepare (struct pc_monitor *m, json_object *spec, int *netns_fd, pc_error **err)
{
  m->netns_fd = -1;
  const char *mode = pc_json_get_string (pc_json_get (spec, "annotations"), "run.pc.network");
  if (mode == NULL)
    return 0;
  struct pc_net_mode nm;
  if (pc_net_mode_parse (mode, &nm, err) < 0)
    return pc_error_wrap (err, "the container's network");
  if (nm.kind != PC_NET_SLIRP)
    {
      for (size_t i = 0; i < m->cfg->n_forwards; i++)
        close (m->cfg->forwards[i].fd);
      return 0;
    }
  if (*netns_fd < 0)
    return pc_error_make (err, EINVAL, "the runtime gave no network namespace for the container's network");
  m->net_mode = xstrdup (mode);
  m->netns_fd = *netns_fd;
  *netns_fd = -1;
  return 0;
}

int
pc_mon_net_up (struct pc_monitor *m, pc_error **err)
{
  if (m->net_mode == NULL || m->net != NULL)
    return 0;
  struct pc_net_mode nm;
  if (pc_net_mode_parse (m->net_mode, &nm, err) < 0)
    return -1;
  struct timespec t0, t1;
  clock_gettime (CLOCK_MONOTONIC, &t0);
  int r = pc_net_start (m->netns_fd, &nm.slirp, &m->net, err);
  if (r == 0)
    pc_net_add_forwards (m->net, m->netns_fd, m->cfg->forwards, m->cfg->n_forwards);
  if (r == 0 && (r = pc_mon_bypass_up (m, &nm.slirp, m->netns_fd, err)) < 0)
    {
      pc_net_free (m->net);
      m->net = NULL;
    }
  close (m->netns_fd);
  m->netns_fd = -1;
  if (r < 0)
    return -1;
  clock_gettime (CLOCK_MONOTONIC, &t1);
  pc_debug ("network %s: tap0 up in %.3f ms", m->net_mode,
            (double) (t1.tv_sec - t0.tv_sec) * 1e3 + (double) (t1.tv_nsec - t0.tv_nsec) / 1e6);
  pc_mloop_add_hook (&m->loop, net_prepare, net_check, &m->net);
  return 0;
}

void
pc_mon_net_stop (struct pc_monitor *m)
{
  if (m->netns_fd >= 0)
    close (m->netns_fd);
  m->netns_fd = -1;
  free (m->net_mode);
  m->net_mode = NULL;
  pc_mon_bypass_stop (m);
  if (m->net == NULL)
    return;
  pc_mloop_remove_hook (&m->loop, &m->net);
  pc_net_free (m->net);
  m->net = NULL;
}
