/* Probes used by check.c (pkg/rootless internal). */
#ifndef PC_PKG_ROOTLESS_PROBE_H
#define PC_PKG_ROOTLESS_PROBE_H

#include <stdbool.h>
#include <sys/types.h>

const char *pc_fs_type_name_magic (unsigned long magic);
/* malloc'd */
char *pc_probe_existing_parent (const char *path);
bool pc_probe_read (const char *path, char *buf, size_t size);
/* Space-separated controller list (malloc'd); *found = user@UID.service exists. */
char *pc_cgroup_delegated_controllers (uid_t uid, bool *found);
/* Mounts overlay in a throwaway mount namespace (and user namespace when
   `userns`) under store_dir; 0 = works. *msg (malloc'd) says what happened. */
int pc_probe_overlay (const char *store_dir, bool userns, char **msg);

/* The kernel features pc relies on (docs/rootless.md, "Kernel"). */
struct pc_kernel_features
{
  bool clone3;        /* 5.3 */
  bool openat2;       /* 5.6; without it: lib's component walk */
  bool mount_api;     /* fsopen/fsconfig/fsmount, open_tree, move_mount: 5.2 */
  bool mount_setattr; /* 5.12 */
  bool pidfd_open;    /* 5.3 */
  bool pidfd_setns;   /* setns on a pidfd: 5.8 */
  bool close_range;   /* with CLOSE_RANGE_CLOEXEC: 5.11; without: /proc/self/fd */
};
void pc_probe_kernel (struct pc_kernel_features *f);

#endif
