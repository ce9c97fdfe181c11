/* The egress bypass's pieces (bypass.c answers the notifications,
   bypass-sock.c decides and builds the host socket). Private to
   pkg/network; tests/unit/test-network-bypass.c checks the rule. */
#ifndef PC_PKG_NETWORK_BYPASS_H
#define PC_PKG_NETWORK_BYPASS_H

#include <stdbool.h>
#include <sys/socket.h>

#include "pkg/network/network.h"

/* The rule: may a container connect to dst (a copy of what it passed)
   through a host socket? Yes for an address slirp would reach through a
   socket of the monitor anyway: not the container's own loopback, not its
   own network (gateway, DNS forwarder, itself) except the gateway with
   allow_host_loopback, which becomes the host's 127.0.0.1; IPv6 only with
   enable_ipv6 and never ::1, link-local, multicast, v4-mapped or slirp's
   fd00::/64. On yes, *host is where the host socket connects. */
bool pc_net_bypass_dest (const struct pc_net_slirp_opts *o, const struct sockaddr *dst, socklen_t len,
                         struct sockaddr_storage *host, socklen_t *host_len);

/* cfd: the container's socket (a pidfd_getfd copy). True when it is an
   unbound, unconnected TCP socket of the container's network namespace
   (netns_ino) whose family is `family`. */
bool pc_net_bypass_eligible (int cfd, int family, unsigned long netns_ino);

/* A non-blocking, close-on-exec TCP socket in the caller's (the host's)
   network namespace carrying the options the container set on cfd, and a
   locked socket filter that drops every packet not from `peer`: whatever
   the container does with it later (connect again after a reset, listen,
   io_uring), it can talk to that peer alone. -1 with errno. */
int pc_net_bypass_host_socket (int cfd, const struct sockaddr *peer, socklen_t peer_len);

#endif
