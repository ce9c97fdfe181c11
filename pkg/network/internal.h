/* Shared between the files of pkg/network (not a public interface). */
#ifndef PC_PKG_NETWORK_INTERNAL_H
#define PC_PKG_NETWORK_INTERNAL_H

#include "pkg/network/network.h"

/* tap.c: creates and configures tap0 (and lo) in the network namespace
   netns_fd names; returns the tap fd (non-blocking, CLOEXEC) or -1. */
int pc_net_tap_create (int netns_fd, const struct pc_net_slirp_opts *o, pc_error **err);
/* Runs fn(arg) in a task that shares the caller's memory and fd table
   (CLONE_VM | CLONE_FILES | CLONE_VFORK), so it may setns without moving
   the caller; returns fn's result, or -1 with errno when the clone failed.
   fn: raw syscalls only, results through arg. */
int pc_net_run_in_clone (int (*fn) (void *), void *arg);

/* portfwd.c: published ports (pc_net_add_forwards); slirp.c calls these
   from its prepare/check and free. */
struct pc_net_fwd;
void pc_net_fwd_prepare (struct pc_net_fwd *f, pc_net_add_fn add, void *data);
void pc_net_fwd_check (struct pc_net_fwd *f, const struct pollfd *pfd, size_t npfd);
void pc_net_fwd_free (struct pc_net_fwd *f);
/* to: the container's address on its network (10.0.2.100), where each
   published connection is made, as podman's rootlessport does. */
struct pc_net_fwd *pc_net_fwd_new (int netns_fd, struct in_addr to, struct pc_net_forward *fwd, size_t nfwd);
/* A socket of type (SOCK_STREAM, SOCK_DGRAM; AF_INET, non-blocking,
   CLOEXEC) made in the network namespace netns_fd names; -1 and *err. */
int pc_net_socket_in (int netns_fd, int type, int *err);

/* udpfwd.c: published UDP ports, a flow table per client address; the
   caller (portfwd.c) keeps netns_fd open as long as the table lives. */
struct pc_net_udp;
struct pc_net_udp *pc_net_udp_new (int netns_fd, struct in_addr to);
void pc_net_udp_add (struct pc_net_udp *u, int fd, unsigned ctr_port);
void pc_net_udp_prepare (struct pc_net_udp *u, pc_net_add_fn add, void *data);
void pc_net_udp_check (struct pc_net_udp *u, const struct pollfd *pfd, size_t npfd);
void pc_net_udp_free (struct pc_net_udp *u);

#endif
