/* pc system df, prune and reset (pkg/engine/system-df.c). */
#ifndef PC_PKG_ENGINE_SYSTEM_H
#define PC_PKG_ENGINE_SYSTEM_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"

struct pc_engine;
struct pc_engine_options;

/* podman's disk usage rows (new reference in *out):
   {"Images": [{Repository, Tag, ImageID, Created (unix), Size, SharedSize,
   UniqueSize, Containers}], "Containers": [{ContainerID, Image (image id),
   Command, LocalVolumes, Size (the writable layer), Created, Status,
   Names, Running}], "Volumes": [{VolumeName, Links (containers using it),
   Size (bytes under _data)}]}. Needs pc's user namespace (entered). */
int pc_engine_system_df (struct pc_engine *e, json_object **out, pc_error **err);

/* pc system prune: the containers that do not run, then (volumes) the
   volumes no container uses, then the dangling images (all: every image no
   container uses). Filters as podman's: label=K[=V], label!=K[=V],
   until=T; another key is PC_ERR_INVALID "KEY is an invalid filter". */
struct pc_engine_prune_report
{
  char **containers;   /* ids removed */
  char **volumes;      /* names removed */
  char **images;       /* ids removed */
  int64_t reclaimed;   /* bytes */
};
void pc_engine_prune_report_clear (struct pc_engine_prune_report *r);
int pc_engine_system_prune (struct pc_engine *e, bool all, bool volumes, char *const *filters,
                            struct pc_engine_prune_report *r, pc_error **err);

/* pc system reset: every container removed (running ones stopped as pc
   rm -f does, each with its stop timeout), then the store root and the
   runroot removed whole. Refuses a root of "/" or the home directory
   itself. From the initial user namespace: enters pc's own. */
int pc_engine_system_reset (const struct pc_engine_options *o, pc_error **err);
/* The two directories reset removes (malloc'd), for its prompt. */
void pc_engine_system_dirs (const struct pc_engine_options *o, char **root, char **runroot);

/* Bytes of the regular files and symlinks under path (not following
   links, not crossing into other file systems), 0 when it is missing. */
int64_t pc_engine_du (const char *path);

#endif
