/* Kubernetes YAML for pc: the documents `kube play` reads (Pod,
   Deployment, DaemonSet, Job, ConfigMap, Secret, PersistentVolumeClaim,
   Service, List) as plain C structs, and the Pod/Deployment/Service/PVC
   objects `kube generate` writes. Knows nothing of containers or stores:
   pkg/engine maps these to pods, containers and volumes (docs/kube.md).

   Field names, types and required fields are the Kubernetes API's
   (core/v1, apps/v1, batch/v1). A field of the wrong type is an error
   (class PC_ERR_INVALID, "FILE:LINE: Pod "x": spec.containers[0].image:
   expected a string, got integer"), as the API server refuses it; a field
   the API does not have, or one pc does not act on, is a warning in
   pc_kube_file.warnings, never silently dropped. */
#ifndef PC_PKG_KUBE_KUBE_H
#define PC_PKG_KUBE_KUBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"
#include "pkg/kube/yamldoc.h"

enum pc_kube_env_kind
{
  PC_KUBE_ENV_VALUE,
  PC_KUBE_ENV_CONFIGMAP,     /* valueFrom.configMapKeyRef */
  PC_KUBE_ENV_SECRET,        /* valueFrom.secretKeyRef */
  PC_KUBE_ENV_FIELD,         /* valueFrom.fieldRef (metadata.name, ...) */
};

struct pc_kube_env
{
  char *name;
  enum pc_kube_env_kind kind;
  char *value;               /* VALUE: the value; FIELD: the fieldPath */
  char *ref, *key;           /* CONFIGMAP/SECRET: object name and key */
  bool optional;
  unsigned line;
};

struct pc_kube_env_from
{
  bool secret;               /* secretRef, else configMapRef */
  char *name;
  char *prefix;
  bool optional;
  unsigned line;
};

struct pc_kube_port
{
  int64_t container_port;
  int64_t host_port;         /* 0: not published */
  char *protocol;            /* TCP (NULL), UDP, SCTP */
  char *host_ip;
};

struct pc_kube_mount
{
  char *name;
  char *mount_path;
  char *sub_path;
  bool read_only;
  unsigned line;
};

struct pc_kube_container
{
  char *name, *image;
  char **command, **args;    /* NULL when not given */
  char *working_dir;
  struct pc_kube_env *env;
  size_t nenv;
  struct pc_kube_env_from *env_from;
  size_t nenv_from;
  struct pc_kube_port *ports;
  size_t nports;
  struct pc_kube_mount *mounts;
  size_t nmounts;
  bool stdin_open, tty;
  char *pull_policy;         /* Always, IfNotPresent, Never */
  /* resources (Kubernetes quantities, as written) */
  char *limit_memory, *limit_cpu, *request_memory, *request_cpu;
  /* securityContext (the pod's fills what the container leaves) */
  bool has_run_as_user, has_run_as_group;
  int64_t run_as_user, run_as_group;
  char **cap_add, **cap_drop;
  bool read_only_root, privileged, allow_privilege_escalation_false;
  unsigned line;
};

enum pc_kube_volume_kind
{
  PC_KUBE_VOL_HOSTPATH,
  PC_KUBE_VOL_EMPTYDIR,
  PC_KUBE_VOL_CONFIGMAP,
  PC_KUBE_VOL_SECRET,
  PC_KUBE_VOL_PVC,
};

struct pc_kube_volume
{
  char *name;
  enum pc_kube_volume_kind kind;
  char *source;              /* hostPath path, configMap/secret name, claimName */
  char *hostpath_type;       /* "", Directory, DirectoryOrCreate, File, FileOrCreate, ... */
  bool optional, read_only;
  char **item_keys, **item_paths;  /* configMap/secret items (NULL: every key) */
  unsigned line;
};

struct pc_kube_pod
{
  char *kind;                /* the document's: Pod, Deployment, DaemonSet, Job */
  char *name;                /* the pod's (Deployment replicas get -pod-N later) */
  char *owner;               /* the Deployment/DaemonSet/Job's name, NULL for a Pod */
  int64_t replicas;
  char **labels, **annotations;  /* KEY=VAL */
  char *restart_policy;      /* Always, OnFailure, Never */
  char *hostname;
  bool host_network;
  bool share_pid;            /* shareProcessNamespace */
  int64_t stop_timeout;      /* terminationGracePeriodSeconds; -1 unset */
  char **add_hosts;          /* hostAliases as HOST:IP */
  char **dns, **dns_search, **dns_option;  /* dnsConfig */
  char **group_add;          /* securityContext.supplementalGroups, fsGroup */
  struct pc_kube_container *containers, *init_containers;
  size_t ncontainers, ninit_containers;
  struct pc_kube_volume *volumes;
  size_t nvolumes;
  unsigned line;
};

/* ConfigMap or Secret: data decoded (a Secret's data is base64 in the file). */
struct pc_kube_configmap
{
  char *name;
  bool secret;
  char **keys, **values;
  size_t *lens;              /* values may hold NULs (binaryData, secrets) */
  size_t n;
  unsigned line;
};

struct pc_kube_pvc
{
  char *name;
  char **labels;
  char *storage;             /* spec.resources.requests.storage, as written */
  unsigned line;
};

struct pc_kube_file
{
  struct pc_kube_pod *pods;
  size_t npods;
  struct pc_kube_configmap *configmaps;  /* ConfigMaps and Secrets */
  size_t nconfigmaps;
  struct pc_kube_pvc *pvcs;
  size_t npvcs;
  char **services;           /* names of the Services (not acted on) */
  char **warnings;           /* "FILE:LINE: ...": unknown or ignored fields */
};

/* Adds the documents of s to f (call once per file: the play file and
   each --configmap file). */
int pc_kube_parse (const struct pc_yaml_stream *s, struct pc_kube_file *f, pc_error **err);
void pc_kube_file_clear (struct pc_kube_file *f);

/* Lookups in a parsed file. */
const struct pc_kube_configmap *pc_kube_find_configmap (const struct pc_kube_file *f,
                                                        const char *name, bool secret);

/* A Kubernetes quantity ("512Mi", "1G", "0.5", "250m") in bytes or, with
   milli, thousandths ("250m" = 250, "2" = 2000). -1 when malformed. */
int64_t pc_kube_quantity (const char *q, bool milli);

/* DNS-1123 label: the names Kubernetes accepts for pods and containers. */
bool pc_kube_name_valid (const char *name);

/* Base64 (RFC 4648) decoding of a Secret's data; -1 when malformed. */
int pc_kube_base64_decode (const char *in, char **out, size_t *len);
char *pc_kube_base64_encode (const char *in, size_t len);

#endif
