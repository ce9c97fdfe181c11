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
struct pc_net_fwd *pc_net_fwd_new (int netns_fd, struct pc_net_forward *fwd, size_t nfwd);

#endif
