/* Containers as records and the lifecycle that ties storage, runtime spec
   and monitor together: create = image + name + record + spec; start =
   monitor spawn; stop/kill/rm/wait; state derived from files, never cached.

   Layout (ROOT = --root or the store's default root, as podman's graph
   root; RUN = --runroot or the store's default runroot):
     ROOT/engine/containers/ID/container.json  the record, podman's inspect shape
     ROOT/engine/containers/ID/config.json     the OCI runtime spec
     ROOT/engine/containers/ID/ctr.log         k8s-file log
     ROOT/engine/containers/ID/lock            fcntl lock serialising lifecycle changes
     ROOT/engine/names/NAME              the name reservation (content: ID)
     RUN/ctr/ID/                         state.json (pids, StartedAt), the monitor's
                                         exit / attach / monitor.pid, hosts,
                                         resolv.conf, hostname
   Status: no state.json -> created; exit file -> exited; monitor alive (pid
   and start time match) -> running (paused with a "paused" marker); monitor
   gone without an exit file -> exited (137, recorded on first sight). */
#ifndef PC_PKG_ENGINE_H
#define PC_PKG_ENGINE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "lib/error.h"

struct pc_store;
struct pc_engine;

struct pc_engine_options
{
  const char *root;           /* --root: the store root; NULL = default */
  const char *runroot;        /* --runroot; NULL = default */
  const char *storage_driver; /* NULL = auto */
};

enum
{
  PC_ENGINE_USERNS = 1 << 0,  /* enter pc's user namespace (rootless) */
  PC_ENGINE_STORE = 1 << 1,   /* open the image store now */
};

int pc_engine_open (const struct pc_engine_options *o, unsigned flags, struct pc_engine **out,
                    pc_error **err);
void pc_engine_close (struct pc_engine *e);
/* Lazily opened image store (enters nothing). */
struct pc_store *pc_engine_store (struct pc_engine *e, pc_error **err);
int pc_engine_enter_userns (struct pc_engine *e, pc_error **err);
/* As pc_engine_enter_userns, but a command that creates (network: the
   --network value) or starts (names) a container with --network
   container:X joins X's user namespace instead of a fresh one: only from
   there may the new container's runtime join X's network namespace
   (docs/network.md). Open the engine without PC_ENGINE_USERNS first. */
int pc_engine_enter_userns_net (struct pc_engine *e, const char *network, char **names, size_t nnames,
                                pc_error **err);
/* The same for a container of a pod: pod (--pod NAME|ID at create), or
   the records of names, make the command join the pod's infra's user
   namespace, the infra started first when it does not run (docs/pods.md). */
int pc_engine_enter_userns_ctr (struct pc_engine *e, const char *network, const char *pod, char **names,
                                size_t nnames, pc_error **err);
/* Which user namespace starting the container ref takes (the rootless
   command can be in one only): "pod:ID" for a pod member, "ctr:ID" for
   --network container:ID, "" for a fresh one; NULL and err when ref does
   not resolve. Equal keys may share one command (docs/pods.md). */
char *pc_engine_userns_key (struct pc_engine *e, const char *ref, pc_error **err);
const char *pc_engine_data_dir (const struct pc_engine *e);
const char *pc_engine_run_dir (const struct pc_engine *e);

enum pc_container_status
{
  PC_STATUS_CREATED,
  PC_STATUS_RUNNING,
  PC_STATUS_PAUSED,
  PC_STATUS_EXITED,
};
/* podman's words: "created", "running", "paused", "exited". */
const char *pc_container_status_name (enum pc_container_status s);

struct pc_container_state
{
  enum pc_container_status status;
  pid_t pid;                 /* container pid 1 on the host, 0 when not running */
  pid_t monitor_pid;
  int exit_code;
  bool monitor_lost;         /* exited because the monitor vanished */
  struct timespec started_at, finished_at;  /* zero when never */
  unsigned long long pid_start, monitor_start;  /* start times of pid and monitor_pid */
  int restart_count;         /* --restart: restarts since the last pc start */
  bool stopped_by_user;      /* pc stop or kill ended it (podman's StoppedByUser) */
  bool stopping;             /* running, and a pc stop waits for its exit */
};

struct pc_container
{
  char id[65];
  char *name;
  json_object *rec;          /* container.json (owned) */
  struct pc_container_state state;
  struct timespec created;
  char *problem;             /* the record cannot be read: path and why (rec is then
                                an empty object, name ""); NULL when it is fine */
  json_object *spec;         /* the OCI spec pc_engine_create wrote (owned), for the
                                pc_engine_start of the same command: not read back */
};

void pc_container_free (struct pc_container *c);
static inline void
pc_container_freep (struct pc_container **c)
{
  pc_container_free (*c);
}
#define pc_autocontainer __attribute__ ((cleanup (pc_container_freep)))

/* By full id, unique id prefix or name. Not found: status ENOENT and
   podman's `no container with name or ID "x" found: no such container`. */
int pc_engine_lookup (struct pc_engine *e, const char *ref, struct pc_container **out,
                      pc_error **err);
/* Every container, newest first; state filled. */
int pc_engine_list (struct pc_engine *e, struct pc_container ***out, size_t *n, pc_error **err);
/* The same list, each c->rec holding only the fields ps and its filters
   read (pkg/engine/record-summary.c), from a cache keyed by the record's
   bytes: for listings of many containers. */
int pc_engine_list_summary (struct pc_engine *e, struct pc_container ***out, size_t *n, pc_error **err);
void pc_container_list_free (struct pc_container **v, size_t n);
/* The ids of the containers that need container id (its --network
   container:ID joiners), in id order; NULL when none (depend.c). */
int pc_engine_dependents (struct pc_engine *e, const char *id, char ***out, pc_error **err);
/* Re-derives c->state from the files. */
int pc_engine_refresh (struct pc_engine *e, struct pc_container *c, pc_error **err);
/* RUN/containers/ID and DATA/containers/ID/ctr.log; malloc'd. */
char *pc_container_state_dir (const struct pc_engine *e, const struct pc_container *c);
char *pc_container_log_path (const struct pc_engine *e, const struct pc_container *c);

/* podman's healthcheck flags (pkg/engine/health.c); NULL / false: not given. */
struct pc_health_opts
{
  char *cmd;                 /* --health-cmd: for /bin/sh -c, or a JSON array */
  char *interval;            /* --health-interval: a Go duration or "disable" */
  char *timeout, *start_period;
  char *on_failure;          /* --health-on-failure: none, kill, restart, stop */
  long retries;              /* --health-retries */
  bool retries_set;
  bool none;                 /* --no-healthcheck */
};
void pc_health_opts_clear (struct pc_health_opts *h);

/* What `pc create` / `pc run` take from the command line. */
struct pc_create_opts
{
  const char *image;
  char **command;            /* after the image; NULL = the image's Cmd */
  const char *name;          /* NULL = generated adjective_name */
  char **env;                /* -e KEY=VAL / KEY (from the host) */
  char **env_files;
  const char *entrypoint;    /* set: replaces the image's ("" = none) */
  const char *workdir;
  const char *user;
  const char *hostname;
  char **labels;             /* KEY=VAL */
  bool read_only;
  bool read_only_tmpfs;      /* --read-only-tmpfs (default true) */
  /* The flags behind containers.conf keys (conf-create.c fills what the
     user did not give from the configuration). */
  bool init_set, no_hosts_set;   /* --init / --no-hosts given (true or false) */
  bool env_host, env_host_set;   /* --env-host: the host's environment */
  bool http_proxy, http_proxy_set; /* --http-proxy (default true): the host's proxy variables */
  char **unsetenv;           /* --unsetenv NAME: not from the image or defaults */
  bool unsetenv_all;         /* --unsetenv-all */
  const char *tz;            /* --tz NAME|local */
  const char *umask;         /* --umask, octal */
  const char *shm_size;      /* --shm-size NUMBER[UNIT], binary units; 0 = no limit */
  char **tmpfs;              /* /path[:options] */
  char **volumes;            /* -v HOST:CTR[:OPTIONS] */
  char **mounts;             /* --mount type=bind|tmpfs,... */
  char **volumes_from;       /* --volumes-from CTR[:ro|rw|z] */
  char **cap_add, **cap_drop;
  bool privileged;
  char **security_opt;
  char **ulimits;            /* name=soft[:hard] */
  char **sysctls;            /* --sysctl KEY=VALUE */
  char **devices;            /* --device HOST[:CONTAINER][:PERMS] */
  const char *stop_signal;
  const char *restart;       /* --restart no|on-failure[:N]|always|unless-stopped */
  int stop_timeout;          /* seconds; -1 = default (10) */
  const char *log_driver;    /* k8s-file (default), none, passthrough */
  const char *network;       /* slirp4netns[:OPTS] (default; private, bridge), none, host */
  char **dns, **dns_search, **dns_option;   /* --dns, --dns-search, --dns-option */
  char **add_host;           /* --add-host HOST:IP */
  bool no_hosts;             /* --no-hosts: the image's /etc/hosts */
  char **publish;            /* -p [IP:][HOSTPORT:]CTRPORT[/PROTO] */
  bool publish_all;          /* -P: the image's ExposedPorts to free host ports */
  bool rm;
  bool interactive;
  bool tty;
  bool replace;
  bool init;                 /* --init: catatonit as pid 1 */
  const char *init_path;     /* --init-path; NULL = the default */
  const char *userns;        /* --userns: keep-id[:uid=N,gid=N], nomap, auto[:size=N], host, private */
  char **uidmap, **gidmap;   /* --uidmap/--gidmap CONTAINER:HOST:SIZE */
  const char *subuidname, *subgidname;
  char **group_add;          /* --group-add GID|NAME|keep-groups */
  struct pc_health_opts health;
  const char *pod;           /* --pod NAME|ID: a member of that pod (docs/pods.md) */
  /* run-extras.c (docs/containers.md "More run flags") */
  char **annotations;        /* --annotation KEY=VAL */
  const char *oom_score_adj; /* --oom-score-adj N */
  const char *pidfile, *conmon_pidfile;   /* --pidfile, --conmon-pidfile */
  const char *sdnotify;      /* --sdnotify container|conmon|ignore */
  const char *systemd;       /* --systemd true|false|always */
  const char *personality;   /* --personality LINUX|LINUX32 */
  char **chrootdirs;         /* --chrootdirs */
  const char *passwd_entry;  /* --passwd-entry TEMPLATE */
  char **hostuser;           /* --hostuser NAME|UID */
  bool rootfs;               /* --rootfs: image is a directory, DIR[:O] (run-extras.c) */
};

/* The --dns* flags the user gave (not containers.conf's): each server's
   form, and podman's "conflicting options" error with --network none or
   container:X, checked before anything is looked up (pc_engine_create
   checks again). */
int pc_engine_create_check_dns (const struct pc_create_opts *o, pc_error **err);
int pc_engine_create (struct pc_engine *e, const struct pc_create_opts *o,
                      struct pc_container **out, pc_error **err);
/* True when `pc create` with o (and --pull policy pull, NULL: missing)
   does all its work outside pc's user namespace, entering none: the
   default mapping, a local image without VOLUMEs, no volumes, pod,
   --replace or --rootfs (create-outside.c). Decided before any write. */
bool pc_engine_create_outside_userns (struct pc_engine *e, const struct pc_create_opts *o, const char *pull);

/* Healthchecks (pkg/engine/health.c, docs/healthcheck.md). run: the
   container's monitor runs the check now; 0 with *healthy for its outcome.
   state: podman's .State.Health ({"Status","FailingStreak","Log"}), its
   empty form for a container without a result. status: "healthy",
   "unhealthy", "starting", "" before a first start; NULL without a
   healthcheck (malloc'd). */
int pc_engine_healthcheck_run (struct pc_engine *e, struct pc_container *c, bool *healthy,
                               pc_error **err);
json_object *pc_engine_health_state (struct pc_engine *e, const struct pc_container *c);
char *pc_engine_health_status (struct pc_engine *e, const struct pc_container *c);

struct pc_attach_opts;
/* Spawns the monitor. attach (NULL: detached): the pc_engine_attach that
   follows, with the same options, relays stdio; the monitor keeps output
   for it from the start. Without a terminal the container runs at once, as
   a detached one does, and the signals an attach with sig_proxy relays are
   held (blocked) from the spawn to the attach, which relays those that came
   meanwhile; with a terminal it waits for the attach's start request, made
   once pc's terminal is raw and the container's has its size.
   passthrough: the container's stdio (log driver passthrough). An exited
   container is started again from its layer. */
int pc_engine_start (struct pc_engine *e, struct pc_container *c, const struct pc_attach_opts *attach,
                     const int passthrough_fds[3], pc_error **err);
/* What pc_engine_attach relays. */
struct pc_attach_opts
{
  bool start;                /* after pc_engine_start with these options: attach to the
                                container it started (or that waits for the start
                                request: attach first, then start it) */
  bool running_only;         /* pc attach: a container that does not run is refused with
                                podman's "you can only attach to running containers" */
  bool in;                   /* pc's stdin to the container's (when it was made with -i) */
  bool out, err;             /* its stdout, stderr to pc's (podman's run --attach) */
  const char *detach_keys;   /* podman's syntax, NULL for ctrl-p,ctrl-q, "" for none */
  bool sig_proxy;            /* the signals pc gets meanwhile go to the container */
};
/* Attach for run, start -a, attach: relays stdio until the container exits
   (returns 0, *exit_code set) or the user detaches (returns 1). */
int pc_engine_attach (struct pc_engine *e, struct pc_container *c, const struct pc_attach_opts *o,
                      int *exit_code, pc_error **err);
/* Validates --detach-keys before anything is created or started. */
int pc_engine_check_detach_keys (const char *detach_keys, pc_error **err);
/* Stop signal, then SIGKILL after timeout seconds (-1 = the container's). */
int pc_engine_stop (struct pc_engine *e, struct pc_container *c, int timeout, pc_error **err);
int pc_engine_kill (struct pc_engine *e, struct pc_container *c, int sig, pc_error **err);
/* timeout_ms < 0: forever. Returns 0 with *exit_code, or 1 on timeout. */
int pc_engine_wait (struct pc_engine *e, struct pc_container *c, int64_t timeout_ms,
                    int *exit_code, pc_error **err);
/* Waits until the container's status is one of `states`, a mask of
   1u << PC_STATUS_*. timeout_ms < 0: forever. 0 when it is, 1 on timeout. */
int pc_engine_wait_state (struct pc_engine *e, struct pc_container *c, unsigned states,
                          int64_t timeout_ms, pc_error **err);
/* pc wait --condition: states as for pc_engine_wait_state, plus podman's
   "stopping" (a pc stop waits for it). 2 when an exit met it (*exit_code
   set; a container that never ran counts as exited, 0 or the code a failed
   start recorded), 0 for another state, 1 on timeout. */
int pc_engine_wait_condition (struct pc_engine *e, struct pc_container *c, unsigned states, bool stopping,
                              int64_t timeout_ms, int *exit_code, pc_error **err);
/* force: stop a running container first (timeout as for stop). */
int pc_engine_remove (struct pc_engine *e, struct pc_container *c, bool force, int timeout,
                      pc_error **err);
int pc_engine_rename (struct pc_engine *e, struct pc_container *c, const char *new_name,
                      pc_error **err);
int pc_engine_pause (struct pc_engine *e, struct pc_container *c, pc_error **err);
int pc_engine_unpause (struct pc_engine *e, struct pc_container *c, pc_error **err);
/* Is pause possible here? false with podman's message for the CLI. */
bool pc_engine_can_pause (const char **why);

/* `pc exec`: a process in a running container, joined from the caller's
   user namespace (the initial one: a command that execs enters no namespace
   of its own) through a pidfd of the container's pid 1. Its stdin (with
   interactive), stdout and stderr are relayed from and to the caller's 0, 1
   and 2; returns 0 with *exit_code once it exited (126/127 come back as
   errors of class PC_ERR_CANNOT_INVOKE / PC_ERR_CMD_NOT_FOUND). */
struct pc_exec_opts
{
  char **command;
  char **env;                /* -e, as for create */
  char **env_files;
  const char *user;          /* -u USER[:GROUP]; NULL = the container's */
  const char *workdir;       /* -w; NULL = the container's */
  bool interactive;          /* -i */
  bool tty;                  /* -t: a pty of its own, sized as the caller's terminal */
  bool detach;               /* -d: owned and reaped by the container's monitor */
  bool privileged;           /* every capability, no seccomp */
  int preserve_fds;          /* the caller's fds 3..3+N-1 passed on (not with -t/-d) */
  const char *detach_keys;   /* -t: podman's syntax; NULL = ctrl-p,ctrl-q, "" = none */
  char **session_id;         /* -d: set to the session's id (malloc'd) */
};
/* -t and -d run through the container's monitor (pkg/monitor/exec.c): it
   owns the process and reaps it, so the detach keys leave it running as a
   detached session; with -t the caller relays the pty master the monitor
   hands over, in raw mode. Returns 1 when the user detached. */
int pc_engine_exec (struct pc_engine *e, struct pc_container *c, const struct pc_exec_opts *o,
                    int *exit_code, pc_error **err);

/* podman's `container inspect` object (new reference). */
json_object *pc_engine_inspect (struct pc_engine *e, struct pc_container *c);
/* One `ps --format json` row (new reference). */
json_object *pc_engine_ps_row (struct pc_engine *e, struct pc_container *c);

/* `pc cp` between the host and one container (podman's rules for
   trailing "/" and "/.", existing or missing destinations). host_path "-":
   a tar stream from stdin into the container directory, or the container
   path as a tar stream to stdout. archive (podman's default): what is
   copied in belongs to the container's main user; otherwise it keeps the
   source's ids as the container's user namespace maps them. What is copied
   out belongs to the user who runs pc. A running container is joined
   through its pid 1 (pc must not have entered a user namespace of its
   own); a stopped one is mounted in pc's user namespace, entered here. */
struct pc_cp_opts
{
  bool to_container;         /* host -> container; else container -> host */
  const char *ctr_path;
  const char *host_path;
  bool archive;              /* -a, --archive (default true) */
  bool overwrite;            /* a directory may replace a non-directory and the reverse */
};
int pc_engine_cp (struct pc_engine *e, struct pc_container *c, const struct pc_cp_opts *o,
                  pc_error **err);

/* The container's whole filesystem as a tar stream. */
int pc_engine_export (struct pc_engine *e, struct pc_container *c, int out_fd, pc_error **err);

struct pc_commit_opts
{
  const char *author;
  const char *message;
  char **changes;            /* --change "CMD ...", "ENV K=V", ... */
  bool pause;
};
int pc_engine_commit (struct pc_engine *e, struct pc_container *c, const char *name,
                      const struct pc_commit_opts *o, char **new_id, pc_error **err);

/* `pc top`: rows of the container's processes for the given descriptors
   (NULL = podman's default set). Prints a table to out. */
int pc_engine_top (struct pc_engine *e, struct pc_container *c, char *const *descriptors,
                   FILE *out, pc_error **err);

/* Generated names, docker style: "adjective_surname". */
char *pc_engine_random_name (void);

/* Parsing helpers shared with tests. */
/* "KEY=VAL" lines of an env file appended to *env; KEY alone takes the host's. */
int pc_engine_parse_env_file (const char *path, char ***env, pc_error **err);
/* "nofile=1024:2048" -> OCI rlimit object. */
json_object *pc_engine_parse_ulimit (const char *s, pc_error **err);
/* Status column of ps: "Up 3 seconds", "Exited (0) 2 seconds ago", "Created". */
char *pc_engine_status_human (const struct pc_container_state *st, const struct timespec *now);
/* ps --size: bytes in the container's writable layer (rw) and in the image
   layers under it (rootfs), as podman's RwSize and RootFsSize (inspect.c). */
int pc_engine_container_size (struct pc_engine *e, const struct pc_container *c, int64_t *rootfs,
                              int64_t *rw, pc_error **err);

/* Images (pkg/engine/image.c): everything cmd/ does with the image store
   goes through here. A ref is a name, a short or full id, sha256:ID or
   name@sha256:DIGEST; one that matches nothing fails with class
   PC_ERR_NOT_FOUND and podman's "REF: image not known". */

/* podman's image summaries (`images --format json`: Id, RepoTags,
   RepoDigests, Created, Size, Labels, Containers, Names, Digest, History,
   CreatedAt...), newest first; images created at the same time in load
   order. New reference in *out. */
int pc_engine_image_list (struct pc_engine *e, json_object **out, pc_error **err);
/* The id of every image, in the store's order. NULL-terminated, malloc'd. */
int pc_engine_image_ids (struct pc_engine *e, char ***out, pc_error **err);
int pc_engine_image_exists (struct pc_engine *e, const char *ref, pc_error **err);
/* The image's full id and names (each optional, malloc'd). */
int pc_engine_image_resolve (struct pc_engine *e, const char *ref, char **id, char ***names,
                             pc_error **err);
/* podman qualifies a name typed without a registry as local for tag and
   untag: "foo/bb:1" is localhost/foo/bb:1. malloc'd. */
char *pc_engine_image_local_name (const char *name);
/* Adds each name (qualified as above). */
int pc_engine_image_tag (struct pc_engine *e, const char *ref, char *const *names,
                         pc_error **err);
/* Removes each name, or every name of the image when names is NULL. */
int pc_engine_image_untag (struct pc_engine *e, const char *ref, char *const *names,
                           pc_error **err);

/* What rmi did: the names removed, and the id when the image went too
   (NULL when ref was one of several names and only lost that name). */
struct pc_engine_rmi_result
{
  char **untagged;
  char *deleted;
};
void pc_engine_rmi_result_clear (struct pc_engine_rmi_result *r);
/* The in-use policy: an image a container uses is refused (PC_ERR_IN_USE,
   podman's "image used by ID: image is in use by a container...") unless
   force, which first removes the containers using it as `pc rm -f` does
   (podman 4.3's `rmi -f`). By ID an image with several names is refused
   unless force or every_name (rmi -a, image prune: podman's --all removes
   them). */
int pc_engine_image_remove (struct pc_engine *e, const char *ref, bool force, bool every_name,
                            struct pc_engine_rmi_result *out, pc_error **err);
/* Removes dangling images (all: every image) no container uses; *removed
   gets their ids (NULL-terminated, malloc'd, NULL when none). */
int pc_engine_image_prune (struct pc_engine *e, bool all, char ***removed, pc_error **err);

/* docker-archive or oci-archive (auto-detected, compressed too) from fd;
   each new or re-tagged image reported through loaded (name, or
   sha256:ID without one). */
typedef void (*pc_engine_image_loaded_fn) (const char *name_or_id, void *data);
int pc_engine_image_load (struct pc_engine *e, int fd, pc_engine_image_loaded_fn loaded,
                          void *data, pc_error **err);
enum pc_engine_save_format
{
  PC_ENGINE_SAVE_DOCKER_ARCHIVE,
  PC_ENGINE_SAVE_OCI_ARCHIVE,
  PC_ENGINE_SAVE_OCI_DIR,
};
/* refs as the user gave them (the archive's tags); out_fd for the
   archives, dir_path for oci-dir. */
int pc_engine_image_save (struct pc_engine *e, char *const *refs,
                          enum pc_engine_save_format format, int out_fd, const char *dir_path,
                          pc_error **err);
/* The config `--change` values make (CMD, ENV, LABEL, ...); class
   PC_ERR_INVALID for a bad one. New reference in *config. */
int pc_engine_image_changes (char *const *changes, json_object **config, pc_error **err);
/* A rootfs tar (gzip/zstd/plain) as a one-layer image; name may be NULL. */
int pc_engine_image_import (struct pc_engine *e, int fd, json_object *config_changes,
                            const char *name, const char *message, char **new_id,
                            pc_error **err);
/* Pull from a registry (pkg/engine/pull.c over pkg/registry): each layer
   is applied while it downloads (pc_store_layer_apply_stream). Events in
   the order podman prints them; kinds as pkg/registry's. */
enum pc_engine_pull_event_kind
{
  PC_PULL_EV_TRYING,       /* name */
  PC_PULL_EV_SIGNATURES,
  PC_PULL_EV_BLOB_START,   /* digest, total, is_config */
  PC_PULL_EV_BLOB_SKIP,    /* digest */
  PC_PULL_EV_BLOB_PROGRESS,/* digest, done, total */
  PC_PULL_EV_BLOB_DONE,
  PC_PULL_EV_MANIFEST,
  PC_PULL_EV_STORED,
  PC_PULL_EV_RESOLVED,     /* name: podman's "Resolved "x" as an alias (F)" line */
};
struct pc_engine_pull_event
{
  enum pc_engine_pull_event_kind kind;
  const char *name;
  const char *digest;
  int64_t done, total;
  bool is_config;
};
struct pc_engine_pull_opts
{
  bool tls_verify_off;       /* --tls-verify=false */
  const char *cert_dir;
  const char *authfile;
  const char *creds;         /* --creds USER[:PASSWORD] */
  const char *os, *arch, *variant;
  int retries;               /* --retry; <0: default (3) */
  int retry_delay_ms;        /* --retry-delay; 0: 1s doubling */
  bool all_tags;             /* --all-tags: every tag of the repository (the
                                name's tag ignored, as podman 4.3); *id_out
                                the ids, one line per tag */
  void (*event) (const struct pc_engine_pull_event *ev, void *data);
  void *event_data;
};
/* name as the user typed it (short names resolved through registries.conf);
   every candidate is tried in turn. *id_out: the image id. A failure
   leaves no image; the error names the image and the reason (class
   NOT_FOUND for an unknown image, PERMISSION for 401/403). */
int pc_engine_image_pull (struct pc_engine *e, const char *name, const struct pc_engine_pull_opts *o,
                          char **id_out, pc_error **err);

/* pc login / logout (pkg/engine/login.c over auth.json). */
struct pc_engine_login_opts
{
  const char *authfile;   /* --authfile (else REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/...) */
  const char *cert_dir;   /* --cert-dir */
  bool tls_verify_off;    /* --tls-verify=false */
};
/* The REGISTRY argument as podman reads it (a URL gives its host;
   host/ns/repo allowed); NULL: the first unqualified-search registry. */
int pc_engine_login_key (const char *arg, char **key, char **host, pc_error **err);
/* Stored credentials for key: 1 with *user (and *password when asked;
   *token when an identity token is stored), 0 none. */
int pc_engine_login_stored (const char *authfile, const char *key, char **user, char **password,
                            bool *token, pc_error **err);
/* user/password against host's /v2/: 0 accepted; class PC_ERR_PERMISSION
   "logging into "KEY": invalid username/password" when refused. */
int pc_engine_login_check (const char *key, const char *host, const char *user,
                           const char *password, const struct pc_engine_login_opts *o,
                           pc_error **err);
int pc_engine_login_store (const char *authfile, const char *key, const char *user,
                           const char *password, pc_error **err);
/* key NULL: every login (-a). Not logged in: class PC_ERR_NOT_FOUND. */
int pc_engine_logout (const char *authfile, const char *key, pc_error **err);

/* pc push (pkg/engine/push.c over pkg/registry): progress through
   reg.event with the pull's kinds. */
struct pc_engine_push_opts
{
  struct pc_engine_pull_opts reg; /* registry options and events (os/arch unused) */
  const char *format;             /* --format oci|v2s2, NULL: the stored manifest's */
  const char *compression;        /* --compression-format gzip|zstd, NULL: gzip */
};
/* image: a stored image; dest: docker://REF or REF (NULL: image's own
   name); other transports refused (class UNSUPPORTED). *digest_out: the
   manifest digest pushed. */
int pc_engine_image_push (struct pc_engine *e, const char *image, const char *dest,
                          const struct pc_engine_push_opts *o, char **digest_out, pc_error **err);
/* pc search REGISTRY/TERM: rows with podman's fields (Index, Name,
   Description, Stars, Official, Automated, Tag) from /v2/_catalog, or one
   row per tag with list_tags. */
struct pc_engine_search_opts
{
  struct pc_engine_pull_opts reg;
  int limit;                      /* 0: 25 */
  bool list_tags;
};
int pc_engine_search (const char *arg, const struct pc_engine_search_opts *o, json_object **out,
                      pc_error **err);
/* pc manifest inspect: the manifest or index as the registry serves it. */
int pc_engine_manifest_inspect (const char *ref, const struct pc_engine_pull_opts *o, char **body,
                                size_t *len, pc_error **err);

/* podman's `image inspect` object; history rows newest first (ID: the
   image id on the top entry, "<missing>" below; Created: RFC 3339;
   CreatedBy; Size in bytes; Comment). New references in *out. */
int pc_engine_image_inspect (struct pc_engine *e, const char *ref, json_object **out,
                             pc_error **err);
int pc_engine_image_history (struct pc_engine *e, const char *ref, json_object **out,
                             pc_error **err);
/* `image mount`: a read-only view that outlives the command; *path. */
int pc_engine_image_mount (struct pc_engine *e, const char *ref, char **path, pc_error **err);
/* 0 and *id when unmounted, 1 when it was not mounted. */
int pc_engine_image_unmount (struct pc_engine *e, const char *ref, char **id, pc_error **err);
/* Mounted images: array of {"Id", "Path"}. */
int pc_engine_image_mounts (struct pc_engine *e, json_object **out, pc_error **err);

/* `pc logs` (pkg/engine/logs.c). */
struct pc_engine_log_opts
{
  bool follow;                  /* until the container exits (or until passes) */
  bool timestamps;              /* podman's RFC3339Nano prefix */
  int64_t tail;                 /* the last N lines; -1 all */
  struct timespec since, until; /* zero = unset */
  const char *prefix;           /* before each line (logs of several containers), or NULL */
};
/* The container's log: stdout lines to out_fd, stderr lines to err_fd. A
   container that never started has none yet: 0, nothing printed. A log
   driver other than k8s-file fails with class PC_ERR_UNSUPPORTED and
   podman's "this container is using the 'none' log driver, cannot read
   logs: ...". */
int pc_engine_logs (struct pc_engine *e, struct pc_container *c, const struct pc_engine_log_opts *o,
                    int out_fd, int err_fd, pc_error **err);

/* The host (pkg/engine/system.c). These take the options, not an open
   engine: they create no records and work where pc never ran. */

/* `pc info`: podman's info shape, {"host": {arch, cgroupControllers,
   cgroupVersion, cpus, hostname, idMappings, kernel, memFree, memTotal, os,
   rootlessPrerequisites, security}, "store": {graphRoot, graphStatus,
   runRoot}, "version": {Version}}. New reference. */
json_object *pc_engine_info (const struct pc_engine_options *o);

enum pc_engine_check_status
{
  PC_ENGINE_CHECK_PASS,
  PC_ENGINE_CHECK_WARN,  /* pc runs without it, with less */
  PC_ENGINE_CHECK_FAIL,  /* needed */
};
/* `pc system check`: every rootless prerequisite (pkg/rootless's probes),
   as a JSON array of {"Name", "Status": "pass"|"warn"|"fail",
   "Value", "Message", "Fix"} (new reference in *checks), and the worst
   status. The overlay probe runs on the store's filesystem. */
int pc_engine_system_check (const struct pc_engine_options *o, json_object **checks,
                            enum pc_engine_check_status *worst, pc_error **err);

/* `pc unshare`: enters pc's user namespace (rootless only: as root it fails
   with class PC_ERR_INVALID) and execs argv (NULL or empty: $SHELL, else
   /bin/sh) with PC_GRAPHROOT, PC_RUNROOT and PC_ROOTLESS_UID set. Returns
   only on failure: class PC_ERR_CMD_NOT_FOUND for a command that does not
   exist, PC_ERR_CANNOT_INVOKE for one that cannot run. */
int pc_engine_unshare (const struct pc_engine_options *o, char **argv, pc_error **err);

/* Named volumes (pkg/engine/volume.c): ROOT/volumes/NAME/{volume.json,_data}
   as podman lays them out, each created whole (temp + rename under the
   lock ROOT/volumes/.lock) and listed sorted by name. Objects are podman's
   `volume inspect` shape: Name, Driver, Mountpoint, CreatedAt, Labels,
   Scope, Options, UID/GID (when set), MountCount, NeedsCopyUp, NeedsChown.
   A missing volume fails with class PC_ERR_NOT_FOUND and podman's
   "no volume with name "x" found: no such volume". */
struct pc_volume_create_opts
{
  const char *name;          /* NULL or "": a generated 64-hex name */
  const char *driver;        /* NULL = "local", the only one */
  char **labels;             /* KEY=VAL or KEY */
  char **opts;               /* type=tmpfs|bind, device=, o=, size=, uid=, gid= ... */
  bool ignore;               /* an existing volume is no error (returned as it is) */
  bool anonymous;            /* made for a container (-v /path, image VOLUME): rm -v removes it */
};
/* podman's [a-zA-Z0-9][a-zA-Z0-9_.-]* */
bool pc_engine_volume_name_valid (const char *name);
int pc_engine_volume_create (struct pc_engine *e, const struct pc_volume_create_opts *o,
                             json_object **out, pc_error **err);
int pc_engine_volume_lookup (struct pc_engine *e, const char *name, json_object **out,
                             pc_error **err);
/* Every volume, sorted by name; new reference in *out. */
int pc_engine_volume_list (struct pc_engine *e, json_object **out, pc_error **err);
/* podman's volume filters ("key=value": name (regexp), driver, scope, label,
   label!, opt, dangling, until); one key's values ORed (label's ANDed),
   keys ANDed. */
int pc_engine_volume_filter (json_object *vol, char *const *filters, bool *match,
                             pc_error **err);
/* A volume a container names is refused (class PC_ERR_IN_USE, podman's
   message) unless force, which removes those containers first (stopped
   as by pc rm -f -t timeout; -1: each container's own). */
int pc_engine_volume_remove (struct pc_engine *e, const char *name, bool force, int timeout,
                             pc_error **err);
/* Removes the unused volumes matching filters (label, label!, until);
   *removed gets their names (NULL-terminated, malloc'd, NULL when none). */
int pc_engine_volume_prune (struct pc_engine *e, char *const *filters, char ***removed,
                            pc_error **err);
/* The volume's _data as a tar stream to out_fd (podman's volume export),
   or a tar stream from in_fd unpacked into it (import). In pc's user
   namespace: the files keep their owners. */
int pc_engine_volume_export (struct pc_engine *e, const char *name, int out_fd, pc_error **err);
int pc_engine_volume_import (struct pc_engine *e, const char *name, int in_fd, pc_error **err);
/* Removes the anonymous volumes a removed container's record names (rm -v,
   run --rm), except those another container still uses. */
int pc_engine_container_remove_volumes (struct pc_engine *e, json_object *rec, pc_error **err);
/* For the container side (-v NAME:/path): the host path of the volume's
   _data, creating the volume first when create_if_missing. malloc'd. */
int pc_engine_volume_path (struct pc_engine *e, const char *name, bool create_if_missing,
                           char **path, pc_error **err);

/* Pods, Kubernetes YAML, the configuration, the events log and the system
   commands have headers of their own; they are part of this interface
   (cmd/ includes only engine.h). */
#include "pkg/engine/pod-api.h"
#include "pkg/engine/kube-api.h"
#include "pkg/engine/conf-api.h"
#include "pkg/engine/events.h"
#include "pkg/engine/system.h"

#endif
