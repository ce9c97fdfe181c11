/* pc's networking: the default rootless network (libslirp linked into the
   container's monitor, a tap device in the container's network namespace),
   the --network modes, and the DNS files.

   The monitor calls pc_net_start once the container process exists (its
   network namespace with it) and before it execs; then, in every
   iteration of its poll loop, pc_net_prepare before poll and pc_net_check
   after it (libslirp's fill/poll model); pc_net_free when the container
   has exited, before its exit is recorded. No thread, no process. */
#ifndef PC_PKG_NETWORK_H
#define PC_PKG_NETWORK_H

#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/error.h"

/* podman's slirp4netns mode: 10.0.2.0/24, gateway (the host) 10.0.2.2,
   DNS forwarder 10.0.2.3, the container 10.0.2.100, fd00::/64. */
#define PC_NET_DEFAULT_MTU 65520
#define PC_NET_TAP_NAME "tap0"

struct pc_net_slirp_opts
{
  unsigned mtu;                 /* 1280..65520 */
  struct in_addr net, mask;     /* cidr=, default 10.0.2.0/24 */
  unsigned prefix;              /* the mask's length */
  bool allow_host_loopback;     /* 10.0.2.2 reaches the host's 127.0.0.1 */
  bool enable_ipv6;             /* fd00::/64 by router advertisement */
  bool bypass;                  /* bypass=true: TCP connections out go through
                                   host sockets (pkg/network/bypass.c) */
};

enum pc_net_kind
{
  PC_NET_NONE,                  /* a network namespace with lo alone */
  PC_NET_HOST,                  /* the host's */
  PC_NET_SLIRP,                 /* slirp4netns (private, bridge when rootless) */
  PC_NET_CONTAINER,             /* container:NAME|ID, another container's */
  PC_NET_NS,                    /* ns:PATH, an existing namespace file */
};

struct pc_net_mode
{
  enum pc_net_kind kind;
  struct pc_net_slirp_opts slirp;
  char target[4096];            /* container: its name or ID; ns: the path */
};

/* --network VALUE: none, host, slirp4netns[:OPT=V,...], private, bridge
   (private and bridge are the default network, slirp4netns). NULL or "" is
   the default. Bad values are PC_ERR_INVALID, known podman modes pc lacks
   PC_ERR_UNSUPPORTED. */
int pc_net_mode_parse (const char *arg, struct pc_net_mode *out, pc_error **err);
/* "none", "host", or "slirp4netns" followed by the options that differ
   from the defaults (":allow_host_loopback=true,mtu=1500"); parses back to
   the same mode. malloc'd. */
char *pc_net_mode_format (const struct pc_net_mode *m);
/* The kind alone: "none", "host", "slirp4netns" (podman's NetworkMode). */
const char *pc_net_kind_name (enum pc_net_kind k);

/* Addresses of a slirp network: the host (gateway), the DNS forwarder and
   the container, as dotted quads. */
struct pc_net_addrs
{
  char gateway[INET_ADDRSTRLEN], dns[INET_ADDRSTRLEN], guest[INET_ADDRSTRLEN];
};
void pc_net_slirp_addrs (const struct pc_net_slirp_opts *o, struct pc_net_addrs *out);

/* /etc/resolv.conf: search, nameserver and options lines, as podman. The
   user's servers (--dns) alone when given; else the forwarder (10.0.2.3,
   NULL when there is none) and the host's servers, where loopback ones
   are dropped and, when the host has only loopback ones (a local
   resolver), `upstream`'s are taken (/run/systemd/resolve/resolv.conf);
   IPv6 servers only with ipv6. search: --dns-search ("." alone: none),
   else the host's; options: --dns-option, else the host's. host and
   upstream may be NULL. malloc'd. */
struct pc_net_dns_opts
{
  const char *forwarder;
  bool ipv6;
  char **servers, **search, **options;
};
char *pc_net_resolv_conf (const char *host, const char *upstream, const struct pc_net_dns_opts *o);
/* /etc/hosts: --add-host entries ("HOST:IP") first, then base (the host's
   /etc/hosts, NULL for none), localhost lines when base has none, then
   host_ip host.containers.internal and ip hostname name (each when not
   NULL). malloc'd. */
struct pc_net_hosts_opts
{
  char **extra;
  const char *host_ip;
  const char *ip, *hostname, *name;
};
char *pc_net_hosts (const char *base, const struct pc_net_hosts_opts *o);
bool pc_net_ip_is_loopback (const char *ip);
/* The host's first non-loopback IPv4 address of an interface that is up
   (podman's host.containers.internal). */
bool pc_net_host_ipv4 (char out[INET_ADDRSTRLEN]);
/* --dns IP and --add-host HOST:IP; PC_ERR_INVALID with podman's messages. */
int pc_net_check_dns_server (const char *s, pc_error **err);
int pc_net_check_add_host (const char *s, pc_error **err);

/* -p [IP:][HOSTPORT:]CTRPORT[/tcp|/udp|/sctp], ports or equal-length
   ranges (8000-8010:80-90), IP an IPv4 address or an IPv6 one in
   brackets. host_port 0: any free port (chosen at create). */
struct pc_net_port
{
  char host_ip[INET6_ADDRSTRLEN];   /* "" = all IPv4 addresses */
  unsigned host_port, ctr_port;
  bool udp;
  char proto[8];                    /* "tcp", "udp", "sctp" */
};
/* Appends the bindings of one -p value to *v (*n of them). */
int pc_net_port_parse (const char *arg, struct pc_net_port **v, size_t *n, pc_error **err);

/* A published port the monitor relays: a host socket pc bound (listening
   for TCP) before the container started, and the container's port. */
struct pc_net_forward
{
  int fd;
  unsigned ctr_port;
  bool udp;
};

struct pc_net;

/* In the network namespace netns_fd names (an nsfs fd, from the runtime:
   a container process that switched uids is not dumpable, so its
   /proc/PID/ns/net is closed to the monitor): brings lo up, creates tap0
   with the container's address, MTU and default route. The caller needs
   CAP_NET_ADMIN and CAP_SYS_ADMIN over that namespace (the monitor, root
   in the user namespace that owns it). netns_fd stays the caller's.
   libslirp is not running yet: pc_net_start_slirp. */
int pc_net_start (int netns_fd, const struct pc_net_slirp_opts *o, struct pc_net **out,
                  pc_error **err);
/* Loads libslirp (dlopen) and starts it on tap0, in the caller's own
   network namespace. Until then the container's frames wait in tap0's
   queue, so the monitor does it once the container has started, off the
   start's critical path. Once: a failure stays (pending is false). */
int pc_net_start_slirp (struct pc_net *n, pc_error **err);
bool pc_net_slirp_pending (const struct pc_net *n);
/* Relays connections accepted on fwd[i].fd to a socket opened in the
   container's network namespace (a dup of netns_fd is kept), connected to
   127.0.0.1:ctr_port there, with splice(2): the host side never goes
   through libslirp. Takes the fds. */
void pc_net_add_forwards (struct pc_net *n, int netns_fd, struct pc_net_forward *fwd, size_t nfwd);
/* Poll loop glue. add(fd, events, data) registers a pollfd for this
   iteration and returns its index; check gets those pollfds back in the
   same order. */
typedef int (*pc_net_add_fn) (int fd, short events, void *data);
void pc_net_prepare (struct pc_net *n, int *timeout_ms, pc_net_add_fn add, void *data);
void pc_net_check (struct pc_net *n, const struct pollfd *pfd, size_t npfd, bool poll_failed);
/* Closes every socket libslirp holds and the tap device. NULL is fine. */
void pc_net_free (struct pc_net *n);

/* The egress bypass (slirp4netns:bypass=true, bypass.c): answers the
   container's connect(2) calls that the runtime's seccomp filter sends to
   `listener` (taken); TCP connections the rule allows leave through a
   host socket swapped into the container, the rest continue into slirp.
   netns_fd (not taken) names the container's network namespace. Poll it
   with prepare/check as libslirp; free when the container has exited. */
struct pc_net_bypass;
int pc_net_bypass_new (int listener, int netns_fd, const struct pc_net_slirp_opts *o,
                       struct pc_net_bypass **out, pc_error **err);
void pc_net_bypass_prepare (struct pc_net_bypass *b, int *timeout_ms, pc_net_add_fn add, void *data);
void pc_net_bypass_check (struct pc_net_bypass *b, const struct pollfd *pfd, size_t npfd);
void pc_net_bypass_stats (const struct pc_net_bypass *b, unsigned long *bypassed, unsigned long *continued);
void pc_net_bypass_free (struct pc_net_bypass *b);

#endif
