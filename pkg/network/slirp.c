/* libslirp in the monitor's poll loop: frames from tap0 go to slirp_input,
   frames libslirp sends go to tap0, its sockets and timers are polled with
   the monitor's other fds (slirp_pollfds_fill / slirp_pollfds_poll).

   libslirp (and GLib and PCRE2 under it) is not linked into pc: the
   monitor of a container with this network loads it when it starts the
   network. Every other pc process (pc ps, inspect, the CLI of pc run, a
   --network none monitor) then neither maps nor relocates them. */
#include "pkg/network/internal.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libslirp.h>

#include "lib/dl.h"
#include "lib/log.h"
#include "lib/xalloc.h"

static struct
{
  __typeof__ (slirp_new) *new_;
  __typeof__ (slirp_input) *input;
  __typeof__ (slirp_pollfds_fill) *pollfds_fill;
  __typeof__ (slirp_pollfds_poll) *pollfds_poll;
  __typeof__ (slirp_cleanup) *cleanup;
} lib;

/* In the struct's order. */
static const char names[][PC_DL_NAME_MAX] = {
  "slirp_new", "slirp_input", "slirp_pollfds_fill", "slirp_pollfds_poll", "slirp_cleanup",
};

/* The major version of libslirp's ABI (Debian's libslirp0); its header,
   checked at build time, gives the types. Loaded once for the process's
   life (GLib does not support unloading). */
static struct pc_dl libslirp = PC_DL_INIT ("libslirp.so.0", "libslirp0", names, lib, RTLD_LAZY);

static int
load_libslirp (pc_error **err)
{
  if (pc_dl_load (&libslirp))
    return 0;
  if (libslirp.missing == NULL)
    return pc_error_makec (err, PC_ERR_UNSUPPORTED, ENOENT,
                           "load %s for the container's network: %s: install libslirp (Debian: %s), "
                           "or run the container with --network none", libslirp.soname,
                           libslirp.dlerr[0] ? libslirp.dlerr : "not found", libslirp.package);
  return pc_error_makec (err, PC_ERR_UNSUPPORTED, ENOENT, "load %s for the container's network: no %s (%s)",
                         libslirp.soname, libslirp.missing, libslirp.dlerr[0] ? libslirp.dlerr : "missing");
}

struct net_timer
{
  struct net_timer *next;
  SlirpTimerCb cb;
  void *cb_opaque;
  int64_t expire_ms;     /* -1: not armed */
};

struct pc_net
{
  Slirp *slirp;
  int tap_fd;
  unsigned mtu;
  struct net_timer *timers;
  /* This iteration's pollfds (for get_revents). */
  const struct pollfd *pfd;
  size_t npfd;
  pc_net_add_fn add;
  void *add_data;
  int tap_idx;           /* the tap's pollfd index in this iteration, -1 none */
  uint8_t *frame;        /* one frame: mtu + the ethernet header */
  struct pc_net_slirp_opts opts;
  bool slirp_failed;     /* pc_net_start_slirp failed: the tap stays unread */
  struct pc_net_fwd *fwd;   /* published ports, or NULL */
};

static int64_t
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static ssize_t
cb_send_packet (const void *buf, size_t len, void *opaque)
{
  struct pc_net *n = opaque;
  ssize_t r;
  do
    r = write (n->tap_fd, buf, len);
  while (r < 0 && errno == EINTR);
  /* A full tap queue drops the frame: TCP retransmits, as libslirp expects. */
  if (r < 0 && errno == EAGAIN)
    return (ssize_t) len;
  return r;
}

static void
cb_guest_error (const char *msg, void *opaque)
{
  pc_debug ("slirp: guest error: %s", msg);
}

static int64_t
cb_clock_get_ns (void *opaque)
{
  return now_ns ();
}

static void *
cb_timer_new (SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
  struct pc_net *n = opaque;
  struct net_timer *t = xmalloc0 (sizeof *t);
  t->cb = cb;
  t->cb_opaque = cb_opaque;
  t->expire_ms = -1;
  t->next = n->timers;
  n->timers = t;
  return t;
}

static void
cb_timer_free (void *timer, void *opaque)
{
  struct pc_net *n = opaque;
  for (struct net_timer **p = &n->timers; *p; p = &(*p)->next)
    if (*p == timer)
      {
        *p = (*p)->next;
        free (timer);
        return;
      }
}

static void
cb_timer_mod (void *timer, int64_t expire_ms, void *opaque)
{
  ((struct net_timer *) timer)->expire_ms = expire_ms;
}

static void
cb_register_poll_fd (int fd, void *opaque)
{
}

static void
cb_unregister_poll_fd (int fd, void *opaque)
{
}

static void
cb_notify (void *opaque)
{
  /* One thread: the next iteration's fill sees what changed. */
}

static const SlirpCb callbacks = {
  .send_packet = cb_send_packet,
  .guest_error = cb_guest_error,
  .clock_get_ns = cb_clock_get_ns,
  .timer_new = cb_timer_new,
  .timer_free = cb_timer_free,
  .timer_mod = cb_timer_mod,
  .register_poll_fd = cb_register_poll_fd,
  .unregister_poll_fd = cb_unregister_poll_fd,
  .notify = cb_notify,
};

int
pc_net_start (int netns_fd, const struct pc_net_slirp_opts *o, struct pc_net **out, pc_error **err)
{
  int tap = pc_net_tap_create (netns_fd, o, err);
  if (tap < 0)
    return -1;
  struct pc_net *n = xmalloc0 (sizeof *n);
  n->tap_fd = tap;
  n->mtu = o->mtu;
  n->tap_idx = -1;
  n->opts = *o;
  *out = n;
  return 0;
}

bool
pc_net_slirp_pending (const struct pc_net *n)
{
  return n != NULL && n->slirp == NULL && !n->slirp_failed;
}

int
pc_net_start_slirp (struct pc_net *n, pc_error **err)
{
  if (n->slirp != NULL)
    return 0;
  if (n->slirp_failed)
    return pc_error_make (err, EIO, "the container's network (libslirp) failed to start");
  n->slirp_failed = true;
  if (load_libslirp (err) < 0)
    return -1;
  const struct pc_net_slirp_opts *o = &n->opts;
  uint32_t net = ntohl (o->net.s_addr);
  SlirpConfig cfg = {
    .version = 4,
    .in_enabled = true,
    .vnetwork = o->net,
    .vnetmask = o->mask,
    .vhost.s_addr = htonl (net + 2),
    .vdhcp_start.s_addr = htonl (net + 15),
    .vnameserver.s_addr = htonl (net + 3),
    .in6_enabled = o->enable_ipv6,
    .vprefix_len = 64,
    .if_mtu = o->mtu,
    .if_mru = o->mtu,
    .disable_host_loopback = !o->allow_host_loopback,
  };
  inet_pton (AF_INET6, "fd00::", &cfg.vprefix_addr6);
  inet_pton (AF_INET6, "fd00::2", &cfg.vhost6);
  inet_pton (AF_INET6, "fd00::3", &cfg.vnameserver6);
  n->slirp = lib.new_ (&cfg, &callbacks, n);
  if (n->slirp == NULL)
    return pc_error_make (err, EIO, "start the container's network (libslirp)");
  n->frame = xmalloc (o->mtu + 14 + 4);
  n->slirp_failed = false;
  return 0;
}

static short
to_poll (int ev)
{
  short e = 0;
  if (ev & SLIRP_POLL_IN)
    e |= POLLIN;
  if (ev & SLIRP_POLL_OUT)
    e |= POLLOUT;
  if (ev & SLIRP_POLL_PRI)
    e |= POLLPRI;
  if (ev & SLIRP_POLL_ERR)
    e |= POLLERR;
  if (ev & SLIRP_POLL_HUP)
    e |= POLLHUP;
  return e;
}

static int
cb_add_poll (int fd, int events, void *opaque)
{
  struct pc_net *n = opaque;
  return n->add (fd, to_poll (events), n->add_data);
}

static int
cb_get_revents (int idx, void *opaque)
{
  struct pc_net *n = opaque;
  if (idx < 0 || (size_t) idx >= n->npfd)
    return 0;
  short r = n->pfd[idx].revents;
  int e = 0;
  if (r & POLLIN)
    e |= SLIRP_POLL_IN;
  if (r & POLLOUT)
    e |= SLIRP_POLL_OUT;
  if (r & POLLPRI)
    e |= SLIRP_POLL_PRI;
  if (r & (POLLERR | POLLNVAL))
    e |= SLIRP_POLL_ERR;
  if (r & POLLHUP)
    e |= SLIRP_POLL_HUP;
  return e;
}

void
pc_net_prepare (struct pc_net *n, int *timeout_ms, pc_net_add_fn add, void *data)
{
  n->add = add;
  n->add_data = data;
  n->tap_idx = -1;
  if (n->fwd)
    pc_net_fwd_prepare (n->fwd, add, data);
  /* Until libslirp runs, the container's frames wait in tap0's queue. */
  if (n->slirp == NULL)
    return;
  n->tap_idx = add (n->tap_fd, POLLIN, data);
  uint32_t t = *timeout_ms < 0 ? UINT32_MAX : (uint32_t) *timeout_ms;
  int64_t now_ms = now_ns () / 1000000;
  for (struct net_timer *k = n->timers; k; k = k->next)
    if (k->expire_ms >= 0)
      {
        int64_t left = k->expire_ms - now_ms;
        if (left < 0)
          left = 0;
        if ((uint64_t) left < t)
          t = (uint32_t) left;
      }
  lib.pollfds_fill (n->slirp, &t, cb_add_poll, n);
  *timeout_ms = t == UINT32_MAX ? -1 : (t > INT_MAX ? INT_MAX : (int) t);
}

static void
read_tap (struct pc_net *n)
{
  /* A bounded batch, so the container's stdio is not starved. */
  for (int i = 0; i < 64; i++)
    {
      ssize_t r = read (n->tap_fd, n->frame, n->mtu + 14 + 4);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return;
      lib.input (n->slirp, n->frame, (int) r);
    }
}

static void
run_timers (struct pc_net *n)
{
  int64_t now_ms = now_ns () / 1000000;
  bool again = true;
  /* A callback may free or re-arm timers: start over after each one. */
  while (again)
    {
      again = false;
      for (struct net_timer *k = n->timers; k; k = k->next)
        if (k->expire_ms >= 0 && k->expire_ms <= now_ms)
          {
            k->expire_ms = -1;
            k->cb (k->cb_opaque);
            again = true;
            break;
          }
    }
}

void
pc_net_check (struct pc_net *n, const struct pollfd *pfd, size_t npfd, bool poll_failed)
{
  n->pfd = pfd;
  n->npfd = npfd;
  if (!poll_failed && n->tap_idx >= 0 && (size_t) n->tap_idx < npfd
      && (pfd[n->tap_idx].revents & POLLIN))
    read_tap (n);
  if (n->fwd && !poll_failed)
    pc_net_fwd_check (n->fwd, pfd, npfd);
  if (n->slirp == NULL)
    {
      n->pfd = NULL;
      n->npfd = 0;
      return;
    }
  lib.pollfds_poll (n->slirp, poll_failed, cb_get_revents, n);
  run_timers (n);
  n->pfd = NULL;
  n->npfd = 0;
}

void
pc_net_add_forwards (struct pc_net *n, int netns_fd, struct pc_net_forward *fwd, size_t nfwd)
{
  if (nfwd == 0)
    return;
  /* The container's address: net + 100 (pc_net_slirp_addrs). */
  struct in_addr to = { .s_addr = htonl (ntohl (n->opts.net.s_addr) + 100) };
  n->fwd = pc_net_fwd_new (netns_fd, to, fwd, nfwd);
}

void
pc_net_free (struct pc_net *n)
{
  if (n == NULL)
    return;
  /* The host ports first: free for another container at once. */
  pc_net_fwd_free (n->fwd);
  if (n->slirp)
    lib.cleanup (n->slirp);
  while (n->timers)
    {
      struct net_timer *t = n->timers;
      n->timers = t->next;
      free (t);
    }
  if (n->tap_fd >= 0)
    close (n->tap_fd);
  free (n->frame);
  free (n);
}
