/* Shared between the files of pkg/network (not a public interface). */
#ifndef PC_PKG_NETWORK_INTERNAL_H
#define PC_PKG_NETWORK_INTERNAL_H

#include "pkg/network/network.h"

/* tap.c: creates and configures tap0 (and lo) in the network namespace
   netns_fd names; returns the tap fd (non-blocking, CLOEXEC) or -1. */
int pc_net_tap_create (int netns_fd, const struct pc_net_slirp_opts *o, pc_error **err);

#endif
