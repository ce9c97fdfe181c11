/* Internal to pkg/engine. */
#ifndef PC_PKG_ENGINE_INTERNAL_H
#define PC_PKG_ENGINE_INTERNAL_H

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

#include "lib/error.h"
#include "pkg/engine/engine.h"
#include "pkg/network/network.h"
#include "pkg/rootless/rootless.h"

struct pc_engine
{
  char *root_dir;    /* the store root */
  char *data_dir;    /* ROOT/engine */
  char *run_dir;
  char *driver;
  int ctr_dfd;       /* DATA/containers */
  int names_dfd;     /* DATA/names */
  int run_dfd;       /* RUN/ctr, -1 until needed */
  struct pc_store *store;
  unsigned flags;
};

#define PC_DEFAULT_STOP_TIMEOUT 10
/* Where --init's binary is mounted in the container (podman's path), and
   the binary used when --init-path is not given (Debian's catatonit). */
#define PC_INIT_PATH "/run/podman-init"
#define PC_INIT_DEFAULT_BINARY "/usr/bin/catatonit"

/* engine.c */
int eng_run_dfd (struct pc_engine *e, pc_error **err);
/* An open file description lock (F_OFD_SETLKW) on DATA/containers/ID/lock,
   released when the fd is closed or we exit. Not a POSIX record lock: those
   belong to the process, so this process's own try-lock (reconcile during a
   create) would succeed and its close would drop the creator's lock. The
   monitor we fork closes every inherited fd. */
int eng_lock_container (struct pc_engine *e, const char *id, pc_error **err);
void eng_unlock (int fd);
/* Small runtime-state files: temp + rename, no fsync (RUN is volatile). */
int eng_write_volatile (int dirfd, const char *path, const char *data, size_t len,
                        pc_error **err);
int eng_read_small (int dirfd, const char *path, char *buf, size_t size);
/* record-summary.c: ps's summaries of records (pc_engine_list_summary),
   in the index DATA/ps-cache/index: opened once per listing (never NULL;
   an index that cannot be read is an empty one); a container from its
   summary, -1 when the record cannot be read or parsed (the caller then
   loads it in full); close writes the index again when it missed a line
   or holds containers that are gone. */
struct eng_summary_index;
json_object *eng_record_summary (json_object *rec);
struct eng_summary_index *eng_summary_index_open (struct pc_engine *e);
int eng_summary_index_load (struct pc_engine *e, struct eng_summary_index *ix, const char *id,
                            struct pc_container **out);
void eng_summary_index_close (struct eng_summary_index *ix);
/* The same kind of index for other listings: DATA/ps-cache/NAME, first
   line VERSION; the JSON of ID's line when its key is KEY (NULL if none);
   keep carries that line into the next write, put replaces it. */
struct eng_summary_index *eng_summary_index_open_named (struct pc_engine *e, const char *name,
                                                        const char *version);
const char *eng_summary_index_get (struct eng_summary_index *ix, const char *id, const char *key, size_t *len);
void eng_summary_index_keep (struct eng_summary_index *ix, const char *id, const char *key);
void eng_summary_index_put (struct eng_summary_index *ix, const char *id, const char *key, json_object *value);
/* Start time (clock ticks since boot) of a process, 0 when it does not exist. */
unsigned long long eng_proc_start_time (pid_t pid);

/* restart.c: --restart checked at create into hc's RestartPolicy
   (podman's messages, --rm refused with it); the policy for the monitor, as a
   spec annotation; the marker pc stop and kill leave
   before they signal; the restart count and that marker for the state. */
int eng_restart_check (const struct pc_create_opts *o, json_object *hc, pc_error **err);
/* The spec's PC_MONITOR_RESTART_ANNOTATION for hc's policy (malloc'd), NULL for none. */
char *eng_restart_annotation (json_object *hc);
void eng_mark_stopped_by_user (struct pc_engine *e, const struct pc_container *c);
void eng_restart_state_read (int run_dfd, const char *id, struct pc_container_state *st);
/* Whether the container's monitor may restart it (a --restart policy or
   --health-on-failure=restart). */
bool eng_restart_may (const struct pc_container *c);
/* An exited container whose monitor waits to restart it: marked stopped
   by the user, its monitor woken and waited for (5 s); true when there was
   one. */
bool eng_restart_cancel (struct pc_engine *e, struct pc_container *c);
/* pc stop's "stopping" marker in the state dir: written before it
   signals, removed when it returns; read: written by a pc that lives. */
void eng_stopping_begin (struct pc_engine *e, const struct pc_container *c);
void eng_stopping_end (struct pc_engine *e, const struct pc_container *c);
bool eng_stopping_read (int run_dfd, const char *id);
/* A failed start's reason (inspect's State.Error until the next start);
   read: malloc'd, NULL when there is none. */
void eng_start_error_record (struct pc_engine *e, const struct pc_container *c, const pc_error *why);
char *eng_start_error_read (struct pc_engine *e, const struct pc_container *c);

/* record.c */
int eng_record_load (struct pc_engine *e, const char *id, struct pc_container **out,
                     pc_error **err);
int eng_record_save (struct pc_engine *e, struct pc_container *c, pc_error **err);
struct pc_sync_batch;
/* eng_record_save as a commit point: what b gathered (name, storage
   record) is fsynced with the record, before its rename (b->nosync: none). */
int eng_record_commit (struct pc_engine *e, struct pc_container *c, struct pc_sync_batch *b,
                       pc_error **err);
int eng_state_read (struct pc_engine *e, struct pc_container *c, bool fix);
/* RUN/ctr/ID/monitor.pid as the monitor wrote it; -1 when absent or bad. */
int eng_monitor_pidfile (int run_dfd, const char *id, pid_t *pid, unsigned long long *start);
/* Releases every name reserved for id (a record that cannot be read). */
void eng_names_release_id (struct pc_engine *e, const char *id);
/* engine.c: a pidfd of pid (-1 with errno), a signal through one, and a
   monotonic clock in ms. */
int eng_pidfd_open (pid_t pid);
int eng_pidfd_signal (int pidfd, int sig);
int64_t eng_now_ms (void);

/* reap.c: the monitors c's state dir names (state.json's and monitor.pid's),
   alive, as pidfds (at most 2) opened then checked against their start
   times; a wait, with a deadline, until every pidfd's process has exited. */
size_t eng_open_monitors (struct pc_engine *e, struct pc_container *c, int pfds[2], pid_t pids[2]);
bool eng_pidfds_wait (const int *pfds, size_t n, int64_t timeout_ms);
/* rm-wait.c: for an --rm container, until the monitor has removed it (its
   directory gone) or the monitors exited; otherwise eng_pidfds_wait. */
void eng_monitors_or_removal_wait (struct pc_engine *e, struct pc_container *c, const int *pfds, size_t n,
                                   int64_t timeout_ms);
/* reap.c: kills the monitors c's state dir names (state.json's and
   monitor.pid's, start times checked) with their children, and waits, with
   a deadline, until they are gone. */
int eng_reap_monitors (struct pc_engine *e, struct pc_container *c, pc_error **err);
/* Reserves `name` for `id` (O_EXCL). EEXIST with podman's message when taken. */
int eng_name_reserve (struct pc_engine *e, const char *name, const char *id, pc_error **err);
/* eng_name_reserve whose fsyncs go to b (see pc_sync_batch). */
int eng_name_reserve_batch (struct pc_engine *e, const char *name, const char *id,
                            struct pc_sync_batch *b, pc_error **err);
void eng_name_release (struct pc_engine *e, const char *name, const char *id);
bool eng_name_valid (const char *name);

struct pc_rootfs_mount;

struct eng_user
{
  uid_t uid;
  gid_t gid;
  gid_t groups[64];
  size_t n_groups;
  char *home;      /* from passwd, NULL when unknown */
};

/* create.c: the parts of create that need no store, so tests can drive
   them with a made-up image. */
struct eng_image
{
  json_object *config;   /* the image's OCI config (its "config" member is used) */
  const char *id;
  const char *name;      /* as create shows it: "localhost/busybox:latest" */
  const char *driver;    /* storage driver for the record, NULL = "" */
};
/* Flag checks that touch nothing; fills hc's CapAdd, CapDrop, Ulimits. */
int eng_check_opts (const struct pc_create_opts *o, json_object *hc, pc_error **err);
/* binds.c: -v, --mount and --tmpfs into hc's Binds and Tmpfs, and the
   record's Mounts kept under ENG_MOUNTS_KEY until eng_build_record moves
   them; podman's errors for bad options and duplicate destinations. */
#define ENG_MOUNTS_KEY "PcMounts"
int eng_mounts_check (const struct pc_create_opts *o, json_object *hc, pc_error **err);
/* A destination cleaned as Go's filepath.Clean (binds.c). */
char *eng_mount_clean_path (const char *p);
/* One of the propagation words -v takes (shared, rslave...). */
bool eng_mount_propagation_valid (const char *p);
/* volume-use.c: volumes in containers. A record Mounts entry of Type
   "volume" in podman's inspect shape (Source filled by eng_volumes_attach),
   and its HostConfig.Binds string when binds is not NULL. */
void eng_volume_mount_record (const char *name, bool anonymous, const char *dst, bool ro, const char *prop,
                              char *const *flags, json_object *mounts, json_object *binds);
/* After eng_build_record: --volumes-from, the image's VOLUMEs (anonymous
   volumes), then every volume the record names found or created (first
   use) and its _data path set as Source. */
int eng_volumes_attach (struct pc_engine *e, const struct pc_create_opts *o, json_object *img_config,
                        json_object *rec, pc_error **err);
/* The spec's "run.pc.volumes" annotation: what eng_volumes_prepare does. */
void eng_volumes_annotate (struct pc_engine *e, json_object *rec, json_object *spec);
/* In the monitor's prepare hook, the container's root mounted at root:
   typed volumes mounted, first-mount chown and copy-up (volume.json's
   NeedsChown, NeedsCopyUp). */
int eng_volumes_prepare (json_object *spec, const char *root, pc_error **err);
/* The number of containers whose records name volume `name` (their ids in
   *ids, the running ones counted in *running), or -1. */
int eng_volume_users (struct pc_engine *e, const char *name, char ***ids, size_t *running,
                      pc_error **err);
/* MountCount of a volume object (or an array of them) from the
   containers; eng_volume_user_count then tells how many name it (-1 when
   not counted). */
int eng_volumes_usage (struct pc_engine *e, json_object *vols, pc_error **err);
int eng_volume_user_count (json_object *vol);
/* volume.c: pc_engine_volume_lookup without MountCount, which lists the
   containers (and so reconciles: not while a create holds its lock). */
int eng_volume_lookup (struct pc_engine *e, const char *name, json_object **out, pc_error **err);
/* volume.c: 64 random hex digits. */
char *eng_volume_random_name (pc_error **err);
/* image-mount.c: --mount type=image and type=devpts (docs/mounts.md). The
   record's Mounts entry (podman's shapes: Type "image" with the image as
   named; a devpts one as a "bind" of "devpts") and a devpts' Binds string. */
void eng_image_devpts_record (const char *image, const char *subpath, const char *dst, bool ro,
                              char *const *flags, json_object *mounts, json_object *binds);
bool eng_mount_is_devpts (json_object *m);
/* The spec's bind source of the record's n-th image mount. */
char *eng_image_mount_source (const char *run_dir, const char *id, size_t n);
/* At create, after the spec: each image mount's image looked up (podman's
   "creating image volume" error), its id kept in the record's ImageVolumes,
   its layers in the spec's "run.pc.image-mounts" annotation. */
int eng_image_mounts (struct pc_engine *e, json_object *rec, json_object *spec, pc_error **err);
/* The monitor's hooks: mount them (after the root) and detach them. */
int eng_image_mounts_prepare (json_object *spec, pc_error **err);
void eng_image_mounts_teardown (void);
/* Whether the record mounts image image_id (pc rmi refuses to remove it). */
bool eng_image_mount_uses (json_object *rec, const char *image_id);
/* A new array of OCI mounts ordered by the depth of their destination
   (stable: equal depths keep their order). */
json_object *eng_mounts_by_depth (json_object *mounts);
/* The record (podman's inspect shape): image config merged with the flags;
   takes a reference to hc (from eng_check_opts). data_dir: ROOT/engine. */
int eng_build_record (const struct eng_image *img, const struct pc_create_opts *o, const char *id,
                      const char *name, const char *data_dir, json_object *hc, json_object **out,
                      pc_error **err);
/* HOME from the image's passwd (home NULL: "/") unless the env has one. */
void eng_record_add_home (json_object *rec, const char *home);

/* conf-create.c: containers.conf at create. The options with the
   configuration's defaults where the user gave no flag (valid until
   eng_conf_opts_clear); the environment's base (env) before the image's,
   then --unsetenv and env_host after it; the record's Timezone, Umask, ShmSize, PidsLimit and the
   hidden TimezonePath, LogSizeMax, DefaultCapabilities. */
#define PC_DEFAULT_SHM_SIZE 65536000
struct eng_conf_opts
{
  struct pc_create_opts o;
  char **ulimits, **security_opt;
};
const struct pc_create_opts *eng_conf_create_opts (const struct pc_create_opts *o, struct eng_conf_opts *h);
void eng_conf_opts_clear (struct eng_conf_opts *h);
void eng_conf_env_base (const struct pc_create_opts *o, char ***env);
void eng_conf_env_unset (const struct pc_create_opts *o, char ***env);
int eng_conf_record (struct pc_engine *e, const struct pc_create_opts *o, json_object *rec, pc_error **err);
/* Where --tz's /etc/localtime is mounted: the target of the image's
   /etc/localtime when it is a symbolic link, else NULL. malloc'd. */
char *eng_conf_localtime_dest (const struct pc_rootfs_mount *m);

/* spec.c: the OCI spec of a record; run_dir: RUN (the generated /etc files
   and the seccomp cache live under it). */
/* --device HOST[:CONTAINER][:PERMS] -> HostConfig.Devices entry
   {PathOnHost, PathInContainer, CgroupPermissions}; the host path must be a
   device node. NULL with *err on a bad value. */
json_object *eng_device_parse (const char *arg, pc_error **err);
/* Removes the cgroup of the container's device policy (spec.c). */
void eng_spec_cgroup_remove (const char *id);
/* spec.c's mount entry, shared with spec-devices.c. */
void eng_spec_add_mount (json_object *mounts, const char *dest, const char *type, const char *source,
                         const char *const *options);
/* spec-devices.c: the device policy, --device nodes (bind mounts of them
   rootless, into mounts) and the cgroup path the policy lives in. */
int eng_spec_devices (json_object *hc, json_object *linux_, json_object *mounts, pc_error **err);
char *eng_spec_cgroups_path (const char *id);
json_object *eng_build_spec (const char *run_dir, const char *id, const struct pc_rootfs_mount *m,
                             const struct eng_user *u, json_object *rec, pc_error **err);
/* network.c: --network, --dns*, --add-host, --no-hosts at create (into
   hc: Dns, DnsSearch, DnsOptions, ExtraHosts, NoHosts); the canonical
   NetworkMode of the record (default slirp4netns, malloc'd); whether a
   record's network is libslirp's. */
int eng_network_check (const struct pc_create_opts *o, json_object *hc, pc_error **err);
/* The kind of network o asks for; false for a pod member (the pod's
   network) or a bad --network (eng_network_check says why). */
bool eng_network_kind (const struct pc_create_opts *o, enum pc_net_kind *kind);
/* sysctl.c: --sysctl and default_sysctls into hc's Sysctls, podman's checks. */
int eng_sysctl_check (const struct pc_create_opts *o, json_object *hc, pc_error **err);
/* The container keeps the image's /etc/resolv.conf: --dns none, or
   --network none (podman 4.3 writes none for either). */
bool eng_network_image_resolv_conf (json_object *hc);
char *eng_network_mode (const char *arg);
bool eng_network_is_slirp (json_object *hc);
/* Binds the record's published host ports (HostConfig.PortBindings) for
   the monitor, before the container starts: a busy port is podman's
   "rootlessport listen tcp ...: bind: address already in use" (class
   cannot invoke, 126) with nothing left bound. */
struct pc_net_forward;
int eng_network_bind (json_object *hc, struct pc_net_forward **out, size_t *n, pc_error **err);
void eng_network_forwards_free (struct pc_net_forward *f, size_t n);
/* -P: the image config's ExposedPorts not already published get free host
   ports in HostConfig.PortBindings. */
int eng_network_publish_all (json_object *icfg, json_object *hc, pc_error **err);
/* --network container:NAME: the record keeps container:ID (create). */
int eng_network_resolve (struct pc_engine *e, json_object *hc, pc_error **err);
/* At start, container:ID: the spec's network namespace is that running
   container's (/proc/PID/ns/net of its pid 1, start time checked). */
int eng_network_join_spec (struct pc_engine *e, struct pc_container *c, json_object *spec, pc_error **err);
/* etcfiles.c: hostname, hosts and resolv.conf in the state dir */
/* rootfs.c: the monitor's hooks mount and unmount the root filesystem the
   spec's "run.pc.rootfs" annotation describes (data: a pc_rootfs_mount). */
int eng_rootfs_from_spec (json_object *spec, struct pc_rootfs_mount *m, pc_error **err);
int eng_rootfs_prepare (void *data, pc_error **err);
void eng_rootfs_teardown (void *data);

int eng_write_etc_files (struct pc_container *c, int state_dfd, pc_error **err);
/* "name|uid[:group|gid]" against the image's /etc/passwd and /etc/group,
   read through the layers of m (upper first). */
int eng_resolve_user (const struct pc_rootfs_mount *m, const char *user, struct eng_user *out,
                      pc_error **err);
/* user-later.c: create resolves Config.User; a name the image lacks is
   kept in the record (root in the spec) and eng_start_user_check fails
   each start with it, as podman's. */
int eng_create_user (const struct pc_rootfs_mount *m, json_object *rec, struct eng_user *u, pc_error **err);
int eng_start_user_check (const struct pc_container *c, pc_error **err);
/* depend.c: podman's refusal to remove a container others depend on. */
int eng_depend_check (struct pc_engine *e, const struct pc_container *c, pc_error **err);

/* etcfiles.c: an /etc file of the image (path relative, "etc/passwd") read
   through the layers of m, capped; NULL when absent or not a regular file. */
char *eng_image_etc_file (const struct pc_rootfs_mount *m, const char *path);

/* userns.c: --userns, --uidmap/--gidmap, --subuidname/--subgidname,
   --group-add (docs/userns.md). */
struct eng_userns
{
  bool nested;             /* the container gets a user namespace of its own */
  bool keep_id;
  bool keep_groups;        /* --group-add keep-groups */
  uid_t uid;               /* keep-id: the container ids of the user */
  gid_t gid;
  struct pc_idmap map;     /* relative to pc's namespace */
  int lock_fd;             /* auto: held until the record is written */
};
/* Flag checks that touch nothing: HostConfig.UsernsMode and GroupAdd. */
int eng_userns_check (const struct pc_create_opts *o, json_object *hc, pc_error **err);
/* The container's map (in the process's user namespace), recorded as
   HostConfig.IDMappings; keep-id sets Config.User when -u was not given. */
int eng_userns_plan (struct pc_engine *e, json_object *rec, const struct pc_rootfs_mount *m,
                     struct eng_userns *ns, const struct pc_create_opts *o, pc_error **err);
void eng_userns_clear (struct eng_userns *ns);
/* A nested namespace sees the image through fuse-overlayfs' id shift. */
int eng_userns_shift_rootfs (const struct eng_userns *ns, struct pc_rootfs_mount *m, pc_error **err);
int eng_userns_groups (json_object *rec, const struct pc_rootfs_mount *m, struct eng_user *u,
                       pc_error **err);
/* The user namespace and its maps in the spec, keep-id's passwd and group. */
int eng_userns_spec (struct pc_engine *e, const char *id, const struct eng_userns *ns,
                     const struct pc_rootfs_mount *m, json_object *spec, pc_error **err);

/* create.c: -e KEY=VAL / KEY (the host's value) / KEY* (every host variable
   with that prefix) into an ordered list where a later KEY wins. */
void eng_env_add_user (char ***env, const char *s);

/* reconcile.c: collects what killed creates left (engine directories
   without a record, storage containers without an engine record, names
   reserved for them) when nobody holds their lock. Needs the user namespace. */
int eng_reconcile (struct pc_engine *e, pc_error **err);

/* trash.c: a removal's directories renamed into DATA/trash and RUN/trash
   (eng_trash_move, under the container's lock: the commit point), then
   deleted (eng_trash_empty, after the lock is released); eng_trash_collect
   deletes the entries whose remover died (reconcile). */
struct eng_trash
{
  int data_fd, data_trash;   /* DATA/trash/ID (flock()ed), DATA/trash */
  int run_fd, run_trash;     /* RUN/trash/ID (flock()ed), RUN/trash; -1: in place */
  bool storage_left;         /* the layer could not be moved: removed in place */
  char id[65];
};
void eng_trash_init (struct eng_trash *t);
/* 0 once the engine directory is in the trash; -1 (nothing moved) when it
   cannot be: the caller removes in place. */
int eng_trash_move (struct pc_engine *e, const char *id, struct eng_trash *t);
void eng_trash_empty (struct pc_engine *e, struct eng_trash *t);
void eng_trash_collect (struct pc_engine *e);

/* lifecycle.c */
int eng_wait_exit (struct pc_engine *e, struct pc_container *c, int64_t timeout_ms,
                   pc_error **err);
/* Removal under the container's lock: eng_remove_commit takes the container
   out of every listing and frees its name (its directories into the trash,
   t), eng_remove_finish deletes the trash once the lock is released;
   eng_remove_locked does both. */
struct eng_trash;
int eng_remove_commit (struct pc_engine *e, struct pc_container *c, struct eng_trash *t, pc_error **err);
void eng_remove_finish (struct pc_engine *e, struct pc_container *c, struct eng_trash *t);
int eng_remove_locked (struct pc_engine *e, struct pc_container *c, pc_error **err);
/* rm-wait.c: the wait of rm (run --rm's) for an --rm container's monitor,
   which holds the lock from before it tells the exit until the container is
   in the trash: 1 removed by it, 0 not (the caller goes on; a monitor that
   held the lock for 2 s was killed), -1 error. */
int eng_removal_by_monitor_wait (struct pc_engine *e, struct pc_container *c, pc_error **err);

/* pause.c: the freezer cgroup of a paused container, removed with it */
void eng_cgroup_remove (const char *id);
int eng_thaw_locked (struct pc_engine *e, struct pc_container *c, pc_error **err);

/* Pods (docs/pods.md): the hooks of create.c, lifecycle.c and network.c
   in pkg/engine/pod*.c (their own declarations: pod.h). */
struct pc_monitor_config;
/* pod-member.c: create.c's hooks. The options of a container joining
   o->pod: the pod's namespaces (NetworkMode container:INFRA unless
   --network was given), hostname, volumes; refusals as podman's. */
struct eng_pod_member
{
  struct pc_create_opts o;
  struct pc_pod *pod;
  char *network, *hostname;
  char **volumes_from;
};
int eng_pod_member_opts (struct pc_engine *e, const struct pc_create_opts *in, struct eng_pod_member *m,
                         pc_error **err);
/* The record's Pod, IpcMode, UTSMode, PidMode. */
void eng_pod_member_record (struct eng_pod_member *m, json_object *rec);
void eng_pod_member_clear (struct eng_pod_member *m);

/* lifecycle.c's hooks at start: the spec's ipc/uts/pid namespaces (and
   /dev/shm) are the infra's, which is started first when it does not run
   and it can be (as root); and the exit policy in the monitor's on_exit. */
int eng_pod_join_spec (struct pc_engine *e, struct pc_container *c, json_object *spec, pc_error **err);
void eng_pod_exit_hook (struct pc_engine *e, struct pc_container *c, struct pc_monitor_config *mc);
/* pc_engine_remove's check: the infra of an existing pod is removed only
   by the pod's removal (which sets ENG_POD_REMOVING on the engine), or
   with force as the pod's last container, which removes the pod (1). */
#define ENG_POD_REMOVING (1u << 30)
int eng_pod_remove_check (struct pc_engine *e, struct pc_container *c, bool force, int timeout, pc_error **err);

/* in-child.c: fn (e, data) in a forked child, after enter (e, data) when
   not NULL (it puts the child in the user namespace the step needs); the
   child's error comes back with its class and errno. what and acting name
   the step in the caller's own messages: "internal error: WHAT needs a
   single-threaded process" and "the process acting ACTING failed". */
struct eng_child_step
{
  const char *what;
  const char *acting;
  int (*enter) (struct pc_engine *e, void *data, pc_error **err);
  int (*fn) (struct pc_engine *e, void *data, pc_error **err);
  void *data;
};
int eng_in_child (struct pc_engine *e, const struct eng_child_step *s, pc_error **err);

/* pod-ns.c: the pod whose infra's user namespace a command that starts
   c must run in: 1 and *infra (running, started when it was not), 0 when
   c is no member sharing namespaces. */
int eng_pod_userns_target (struct pc_engine *e, const char *pod_ref, struct pc_container **infra, pc_error **err);
/* network.c: joins the user namespace of t's monitor from the initial one
   (a pidfd, its start time checked), then a private mount namespace. */
int eng_join_userns_of (struct pc_container *t, pc_error **err);

#endif
