/* Internal to pkg/engine's kube files (kube-play.c, kube-volumes.c,
   kube-down.c, kube-generate.c, kube-record.c). */
#ifndef PC_PKG_ENGINE_KUBE_H
#define PC_PKG_ENGINE_KUBE_H

#include "pkg/engine/engine.h"
#include "pkg/kube/kube.h"

/* Labels on what kube play makes, so kube down removes only its own and
   a user's volume of the same name is never written over. */
#define KUBE_LABEL_CONFIGMAP "io.pc.kube.configmap"
#define KUBE_LABEL_SECRET "io.pc.kube.secret"
#define KUBE_LABEL_EMPTYDIR "io.pc.kube.emptydir"

/* The file (and --configmap files) parsed; warnings into *warnings. */
int eng_kube_load (const char *path, char *const *configmaps, struct pc_kube_file *f, pc_error **err);
/* The names of the pods a document makes (replicas as NAME-pod-N). */
char **eng_kube_pod_names (const struct pc_kube_pod *pod);

/* kube-volumes.c: the pod's volumes made ready (ConfigMap and Secret
   volumes written, emptyDirs made, hostPaths checked or created); per
   volume its source for -v (a volume name or an absolute path; NULL for
   a memory emptyDir, a tmpfs) and whether it is read-only. */
struct kube_vols
{
  char **src;
  bool *ro;
  size_t n;
};
int eng_kube_volumes (struct pc_engine *e, const struct pc_kube_file *f, const struct pc_kube_pod *pod,
                      const char *podname, struct kube_vols *out, pc_error **err);
void eng_kube_vols_clear (struct kube_vols *v);
/* A container's -v and --tmpfs for its volumeMounts. */
int eng_kube_mounts (struct pc_engine *e, const struct pc_kube_pod *pod, const struct kube_vols *v,
                     const struct pc_kube_container *k, char ***volumes, char ***tmpfs, pc_error **err);
/* A container's environment (envFrom, then env) as KEY=VAL. */
int eng_kube_env (const struct pc_kube_file *f, const struct pc_kube_pod *pod, const char *podname,
                  const struct pc_kube_container *k, char ***env, char ***warnings, pc_error **err);

/* kube-generate.c's YAML for one pod (kube-record.c). */
struct pc_yaml_node;

#endif
