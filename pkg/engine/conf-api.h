/* Part of pkg/engine's interface, included by engine.h: the configuration. */
#ifndef PC_PKG_ENGINE_CONF_API_H
#define PC_PKG_ENGINE_CONF_API_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"

struct pc_engine_options;

/* containers.conf(5) and containers-storage.conf(5) as podman 4.3 reads
   them, with pc's own files ($XDG_CONFIG_HOME/pc/containers.conf and
   storage.conf, /etc/pc/ for root) read after them (conf.c; the keys in
   docs/config.md). Loaded once at the start of a command, before any user
   namespace; what is not set keeps podman's default. */
struct pc_engine_conf
{
  /* [containers] */
  char **env;
  bool env_host;
  bool http_proxy, http_proxy_set;   /* unset: true, podman's default */
  char **default_ulimits;
  char **default_sysctls;
  char **default_capabilities;
  bool default_capabilities_set;
  char *log_driver;
  int64_t log_size_max;      /* bytes, -1 = unlimited */
  int64_t pids_limit;
  char *tz, *umask;
  bool init;
  char *init_path, *userns;
  char **dns_servers, **dns_searches, **dns_options;
  bool no_hosts;
  char *seccomp_profile, *shm_size;
  bool label;
  /* [engine] */
  char *runtime;             /* the name asked for ("runc"); NULL = pc's own */
  char *runtime_path;        /* where that runtime is, when it is not pc's */
  json_object *runtimes;     /* [engine.runtimes] */
  char *events_logger, *image_default_transport, *cgroup_manager, *tmp_dir;
  char *events_logfile_path;
  int64_t events_logfile_max_size;  /* bytes, -1 = not set */
  /* storage.conf: pc's store root, run root and driver, NULL = default */
  char *graphroot, *runroot, *driver;
  char **files;              /* the containers.conf files read, in order */
};
/* Global flags that take the place of configuration keys. */
struct pc_engine_conf_flags
{
  const char *runtime, *events_backend, *cgroup_manager, *tmpdir;
  char *const *modules;      /* --module NAME|PATH: containers.conf.modules files */
  char *const *storage_opts; /* --storage-opt: overlay.mount_program=...fuse-overlayfs picks that driver */
};
#define PC_CONF_LOG_SIZE_MIN 8192
/* Errors (class PC_ERR_INVALID) name the file and line as podman's do:
   `reading system config "F": decode configuration F: toml: line N ...`. */
int pc_engine_conf_load (const struct pc_engine_conf_flags *flags, pc_error **err);
/* The loaded configuration (podman's defaults before a load). */
const struct pc_engine_conf *pc_engine_conf (void);
/* The containers.conf files podman would read, in order (modules: as
   --module gives them, read after the others, before
   CONTAINERS_CONF_OVERRIDE). */
int pc_engine_conf_files (char *const *modules, char ***out, pc_error **err);
/* "0022" -> 022; podman's error for anything else. out may be NULL. */
int pc_engine_conf_parse_umask (const char *s, unsigned *out, pc_error **err);
/* The OCI runtime a name means: NULL, "" or "pc" is pc's own; another name
   is looked up as podman does ([engine.runtimes], then $PATH), an absolute
   path taken as it is; a runtime that is not there is podman's "default
   OCI runtime "X" not found". pc runs containers with its own runtime
   still: a runtime found is noted (a warning when from_flag, debug from a
   file). Fills c->runtime_path. */
int pc_engine_conf_runtime (struct pc_engine_conf *c, bool from_flag, pc_error **err);
/* The storage driver the store uses (probing once, as a container
   create would); NULL when the store cannot be opened. malloc'd. */
char *pc_engine_storage_driver_name (const struct pc_engine_options *o);

#endif
