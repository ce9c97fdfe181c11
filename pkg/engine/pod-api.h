/* Part of pkg/engine's interface, included by engine.h: pods. */
#ifndef PC_PKG_ENGINE_POD_API_H
#define PC_PKG_ENGINE_POD_API_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "lib/error.h"

struct pc_engine;
struct pc_container;

/* Pods (pkg/engine/pod*.c, docs/pods.md). A pod is a record
   ROOT/engine/pods/ID/pod.json (podman's `pod inspect` names; written
   temp + fsync + rename) with an OFD lock ROOT/engine/pods/ID/lock and a
   name ROOT/engine/pod-names/NAME; its members are the containers whose
   record has "Pod": ID (never listed in pod.json: the container records
   are the truth). The infra container (record "IsInfra": true) runs the
   host's catatonit -P in a minimal root; its monitor holds the pod's user
   namespace, the shared namespaces, the slirp loop and the published
   ports. Members join it from the initial user namespace (as --network
   container:X does). Missing pod: class PC_ERR_NOT_FOUND and podman's
   `no pod with name or ID X found: no such pod`. */
struct pc_pod_opts
{
  const char *name;          /* NULL = generated adjective_name */
  char **labels;             /* KEY=VAL */
  const char *hostname;      /* NULL = the pod's name */
  const char *share;         /* --share: "net,ipc,uts" (NULL: that), "+pid" adds, "" none;
                                of net, ipc, uts, pid, cgroup */
  bool share_parent;         /* --share-parent (recorded; cgroups v1 here) */
  bool no_infra;             /* --infra=false: no infra, nothing shared */
  const char *infra_command; /* NULL = catatonit's -P (the infra's command, as a string) */
  const char *infra_name;    /* NULL = the first 12 of the pod's ID + "-infra" */
  const char *infra_image;   /* NULL: catatonit in a minimal root; else the infra is a container of it */
  char **publish;            /* -p on the infra (the pod's ports) */
  const char *network;       /* as --network of create; NULL = the default */
  char **dns, **dns_search, **dns_option;
  char **add_host;
  bool no_hosts;
  char **volumes;            /* -v on the infra, inherited by every member */
  const char *userns;        /* --userns for the infra (and so the pod) */
  const char *exit_policy;   /* "continue" (NULL) or "stop" */
  const char *shm_size;      /* --shm-size of the pod's /dev/shm (podman's units); NULL = 64 MiB */
  const char *create_command; /* the command line, for CreateCommand (may be NULL) */
};

struct pc_pod
{
  char id[65];
  char *name;
  json_object *rec;          /* pod.json (owned) */
  char *infra_id;            /* NULL without an infra container */
  struct timespec created;
};
void pc_pod_free (struct pc_pod *p);
static inline void
pc_pod_freep (struct pc_pod **p)
{
  pc_pod_free (*p);
}
#define pc_autopod __attribute__ ((cleanup (pc_pod_freep)))
void pc_pod_list_free (struct pc_pod **v, size_t n);

/* Records only: the pod and its infra container (created, not started);
   no user namespace needed. Name taken: class PC_ERR_EXISTS. */
int pc_engine_pod_create (struct pc_engine *e, const struct pc_pod_opts *o, struct pc_pod **out,
                          pc_error **err);
/* By full ID, unique ID prefix or name. */
int pc_engine_pod_lookup (struct pc_engine *e, const char *ref, struct pc_pod **out, pc_error **err);
/* Every pod, newest first. */
int pc_engine_pod_list (struct pc_engine *e, struct pc_pod ***out, size_t *n, pc_error **err);
/* The pod's containers, the infra first, each with its state; a dead
   infra monitor (kill -9) is reported here once and the members it left
   without a network are stopped (docs/pods.md). */
int pc_engine_pod_members (struct pc_engine *e, struct pc_pod *p, struct pc_container ***out, size_t *n,
                           pc_error **err);
/* podman's pod states: "Created", "Running", "Degraded", "Paused",
   "Exited", "Stopped" from the members (pc_engine_pod_members). */
const char *pc_engine_pod_status (struct pc_container *const *members, size_t n);
/* Runs fn in a forked child that has joined the pod's user namespace from
   the initial one (the infra started first when it does not run, from a
   fresh user namespace in a further child): there fn can create members
   (pc_create_opts.pod) and start them. fn's error comes back with its
   class. Call it single-threaded, from an engine opened without
   PC_ENGINE_USERNS. As root, fn runs in the child without any namespace. */
typedef int (*pc_engine_pod_fn) (struct pc_engine *e, struct pc_pod *p, void *data, pc_error **err);
int pc_engine_pod_run_in (struct pc_engine *e, struct pc_pod *p, pc_engine_pod_fn fn, void *data,
                          pc_error **err);
/* The infra, then every member (pc_engine_pod_run_in itself: call from the
   initial user namespace). Already running: nothing to do. */
int pc_engine_pod_start (struct pc_engine *e, struct pc_pod *p, pc_error **err);
/* The members (timeout as pc_engine_stop's), then the infra. No namespace needed. */
int pc_engine_pod_stop (struct pc_engine *e, struct pc_pod *p, int timeout, pc_error **err);
/* sig to every running container of the pod, the infra last. */
int pc_engine_pod_kill (struct pc_engine *e, struct pc_pod *p, int sig, pc_error **err);
int pc_engine_pod_pause (struct pc_engine *e, struct pc_pod *p, pc_error **err);
int pc_engine_pod_unpause (struct pc_engine *e, struct pc_pod *p, pc_error **err);
/* A pod with running members is refused (PC_ERR_STATE, podman's
   message) unless force, which stops them (timeout) first; every member
   and the infra are removed, then the pod. In pc's user namespace
   (PC_ENGINE_USERNS). */
int pc_engine_pod_remove (struct pc_engine *e, struct pc_pod *p, bool force, int timeout,
                          pc_error **err);
/* podman's `pod inspect` object (new reference). */
json_object *pc_engine_pod_inspect (struct pc_engine *e, struct pc_pod *p);

#endif
