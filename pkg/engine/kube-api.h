/* Part of pkg/engine's interface, included by engine.h: Kubernetes YAML. */
#ifndef PC_PKG_ENGINE_KUBE_API_H
#define PC_PKG_ENGINE_KUBE_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct pc_engine;

/* Kubernetes YAML (pkg/engine/kube-*.c over pkg/kube; docs/kube.md).
   Files are read capped (16 MiB), "-" is stdin; malformed YAML and fields
   of the wrong type fail with class PC_ERR_INVALID naming FILE:LINE;
   unknown and ignored fields come back as warnings. */
struct pc_kube_play_opts
{
  char **configmaps;         /* --configmap FILE: more ConfigMap/Secret documents */
  bool no_start;             /* --start=false: pods and containers created, not started */
  bool replace;              /* --replace: the pods of the file are removed first */
};
struct pc_kube_play_pod
{
  char *id, *name;
  char **containers, **init_containers;  /* ids */
};
struct pc_kube_play_report
{
  char **warnings;           /* "FILE:LINE: ...", for cmd/ to print */
  char **volumes;            /* volumes created for PersistentVolumeClaims */
  struct pc_kube_play_pod *pods;
  size_t npods;
};
void pc_kube_play_report_clear (struct pc_kube_play_report *r);
/* Pods as podman 4.3 makes them: a Pod's name, a Deployment's replicas
   NAME-pod-0..N-1, a DaemonSet's or Job's NAME-pod; containers POD-CTR.
   From the initial user namespace (an engine opened without
   PC_ENGINE_USERNS): each pod's members are made in its namespace. */
int pc_engine_kube_play (struct pc_engine *e, const char *path, const struct pc_kube_play_opts *o,
                         struct pc_kube_play_report *out, pc_error **err);
struct pc_kube_down_report
{
  char **warnings;
  char **stopped, **removed; /* pod ids */
  char **volumes;            /* volumes removed */
};
void pc_kube_down_report_clear (struct pc_kube_down_report *r);
/* Stops and removes the pods the file makes (those that exist), and the
   volumes made for its ConfigMaps, Secrets and emptyDirs; the
   PersistentVolumeClaims' volumes (user data) only with force. In pc's
   user namespace (PC_ENGINE_USERNS). */
int pc_engine_kube_down (struct pc_engine *e, const char *path, bool force,
                         struct pc_kube_down_report *out, pc_error **err);
struct pc_kube_generate_opts
{
  bool service;              /* -s: a Service for the published ports */
  bool deployment;           /* --type deployment */
  int64_t replicas;          /* --replicas, for a Deployment (0: 1) */
};
/* A Pod (or Deployment) of the containers or pods named (one pod, or
   containers outside pods), PVCs for their named volumes, and a Service
   with -s; *yaml malloc'd. */
int pc_engine_kube_generate (struct pc_engine *e, char *const *refs,
                             const struct pc_kube_generate_opts *o, char **yaml, pc_error **err);

#endif
