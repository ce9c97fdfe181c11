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

#endif
