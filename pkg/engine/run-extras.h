/* run-extras.c: the smaller run/create flags (docs/containers.md). */
#ifndef PC_PKG_ENGINE_RUN_EXTRAS_H
#define PC_PKG_ENGINE_RUN_EXTRAS_H

#include <json-c/json.h>
#include <sys/types.h>

#include "lib/error.h"
#include "pkg/engine/engine.h"

/* Checks the flags (podman's messages) and records them in rec. */
int eng_extras_record (const struct pc_create_opts *o, json_object *rec, pc_error **err);
/* Annotations, oomScoreAdj, personality, the notify socket into the spec. */
int eng_extras_spec (json_object *rec, json_object *spec, pc_error **err);
/* passwd-extra.c: the /etc/passwd lines for a numeric user the image
   lacks and for --hostuser, from --passwd-entry's template. */
struct pc_rootfs_mount;
struct eng_user;
int eng_extras_passwd (struct pc_engine *e, const char *id, const struct pc_rootfs_mount *m,
                       const struct eng_user *u, json_object *rec, json_object *spec, pc_error **err);
/* --rootfs DIR[:O] (o->image is DIR): checked (podman's
   message for a missing one), the mount description for the monitor, and
   an empty image config for the record. */
int eng_rootfs_dir_check (const char *arg, pc_error **err);
int eng_rootfs_dir_mount (struct pc_engine *e, const char *id, const char *arg, struct pc_rootfs_mount *m,
                          pc_error **err);
json_object *eng_rootfs_dir_config (void);
/* After a start: the pid files (the container's in state_dir/pidfile
   without --pidfile, as podman's userdata/pidfile), READY=1 for --sdnotify=conmon. */
void eng_extras_started (json_object *rec, const char *state_dir, pid_t cpid, pid_t mpid);

#endif
