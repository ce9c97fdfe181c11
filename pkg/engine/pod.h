/* Internal to pkg/engine's pod files (pod.c, pod-infra.c, pod-life.c,
   pod-member.c, pod-ns.c); their hooks for create.c, lifecycle.c and
   network.c are in internal.h. */
#ifndef PC_PKG_ENGINE_POD_H
#define PC_PKG_ENGINE_POD_H

#include <json-c/json.h>
#include <stdbool.h>

#include "lib/error.h"
#include "pkg/engine/engine.h"
#include "pkg/engine/internal.h"

/* pod.c */
/* DATA/pods or DATA/pod-names (which), opened (made on first use). */
int eng_pod_dir (struct pc_engine *e, const char *which, pc_error **err);
int eng_pod_lock (struct pc_engine *e, const char *id, pc_error **err);
int eng_pod_save (struct pc_engine *e, struct pc_pod *p, pc_error **err);
int eng_pod_name_reserve (struct pc_engine *e, const char *name, const char *id, pc_error **err);
void eng_pod_name_release (struct pc_engine *e, const char *name, const char *id);
/* Whether a pod holds name (a live reservation): containers and pods
   share one namespace of names, as podman's. */
bool eng_pod_name_taken (struct pc_engine *e, const char *name);
/* Whether the pod shares ns ("net", "ipc", "uts", "pid", "cgroup"). */
bool eng_pod_shares (struct pc_pod *p, const char *ns);
/* Whether c joined any of the infra's namespaces. */
bool eng_pod_member_shares (struct pc_pod *p, struct pc_container *c);

/* pod-infra.c: the infra container's record and spec (no image: a
   minimal root with the host's catatonit bound in). *id: its ID. */
int eng_pod_infra_create (struct pc_engine *e, struct pc_pod *p, const struct pc_pod_opts *o, char id[65],
                          pc_error **err);
/* The size of a pod's /dev/shm when --shm-size is not given (podman's). */
#define PC_POD_SHM_SIZE ((int64_t) 65536 * 1024)
/* Unmounts the pod's shm tmpfs at dir where this mount namespace has it. */
void eng_pod_shm_umount (const char *dir);
/* pod-infra-image.c: the infra as a container of --infra-image. */
int eng_pod_infra_create_image (struct pc_engine *e, struct pc_pod *p, const struct pc_pod_opts *o, char id[65],
                                pc_error **err);
/* RUN/pods/ID/shm: the /dev/shm the members sharing ipc bind (malloc'd). */
char *eng_pod_shm_dir (struct pc_engine *e, const char *pod_id);

/* pod-ns.c: starts the infra (in a child that enters a fresh user
   namespace when the caller is in the initial one). */
int eng_pod_start_infra (struct pc_engine *e, struct pc_pod *p, pc_error **err);

#endif
