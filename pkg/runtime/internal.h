/* Internal to pkg/runtime: the spec parsed into plain C (in the parent, before
   clone, so the child only executes and errors in the spec surface early). */
#ifndef PC_PKG_RUNTIME_INTERNAL_H
#define PC_PKG_RUNTIME_INTERNAL_H

#include <json-c/json.h>
#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "lib/error.h"
#include "pkg/runtime/runtime.h"

struct rt_mount
{
  char *dest;
  char *type;
  char *source;
  char *source_path;     /* the source as the spec names it, for messages, once
                            source became /proc/self/fd/N (create.c); else NULL */
  bool bind;             /* bind or rbind */
  bool recursive;        /* rbind */
  uint64_t attr_set;     /* MOUNT_ATTR_* */
  uint64_t attr_clr;
  bool atime_set;        /* attr_set holds an atime mode */
  unsigned long propagation;  /* MS_SHARED / MS_SLAVE / MS_PRIVATE / MS_UNBINDABLE or 0 */
  bool prop_recursive;
  bool tmpcopyup;
  bool chown;            /* podman's U: the source chowned to process.user first */
  bool overlay;          /* podman's O: a throwaway overlay over the source, not a bind */
  char *idmap;           /* podman's idmap: "" (the container's maps) or "uids=...;gids=...", NULL: none */
  int idmap_fd;          /* with idmap: the detached idmapped tree (idmap-mount.c) */
  char **data;           /* fs options "key=value" or "flag", for fsconfig */
};

struct rt_idmap
{
  char *uid_map;   /* "/proc/PID/uid_map" text, NULL when none */
  char *gid_map;
};

struct rt_rlimit
{
  int resource;
  struct rlimit lim;
};

struct rt_caps
{
  uint64_t bounding, effective, permitted, inheritable, ambient;
  bool present;   /* false: the spec has no capabilities object (keep all) */
};

struct rt_ns
{
  int flag;       /* CLONE_NEW* */
  char *path;     /* join this one instead of creating */
};

/* linux.devices: a node the container gets at `path`. With a type it is
   made with mknod by a runtime that may (root in the initial user
   namespace); otherwise, or when mknod is refused, the host's node at the
   same path is bound. */
struct rt_device
{
  char *path;
  char type;             /* 'c', 'b', or 0 when the spec gives none */
  unsigned major, minor;
  mode_t mode;           /* fileMode, permission bits */
  uid_t uid;
  gid_t gid;
};

/* linux.resources.devices: one rule of the device policy. */
enum
{
  RT_DEV_READ = 1,
  RT_DEV_WRITE = 2,
  RT_DEV_MKNOD = 4,
};
struct rt_dev_rule
{
  bool allow;
  char type;             /* 'a' (all), 'c', 'b' */
  int64_t major, minor;  /* -1: any */
  unsigned access;       /* RT_DEV_* */
};

struct rt_cgroup
{
  char *path;                 /* linux.cgroupsPath without its leading '/' */
  struct rt_dev_rule *rules;  /* linux.resources.devices, in order */
  size_t n_rules;
  bool has_rules;             /* the spec has linux.resources.devices */
};

struct rt_process
{
  bool terminal;
  unsigned short console_rows, console_cols;   /* process.consoleSize, 0 = unset */
  char **args;
  char **env;
  char *cwd;
  bool cwd_must_exist;   /* annotation run.pc.workdir-must-exist: a user's -w is not created */
  bool cwd_exec;         /* an exec's: must exist, runc's chdir messages */
  uid_t uid;
  gid_t gid;
  gid_t *groups;
  size_t n_groups;
  bool keep_groups;      /* annotation run.oci.keep_original_groups=1 (crun's): no setgroups */
  mode_t umask;
  bool has_umask;
  struct rt_caps caps;
  bool no_new_privs;
  struct rt_rlimit *rlimits;
  size_t n_rlimits;
  int oom_score_adj;
  bool has_oom_score_adj;
  unsigned long personality;  /* linux.personality: PER_LINUX32 */
  bool has_personality;
};

struct rt_seccomp
{
  struct sock_fprog prog;    /* prog.filter == NULL when there is no filter */
  unsigned int flags;        /* SECCOMP_FILTER_FLAG_* */
  struct sock_fprog notify;  /* annotation run.pc.seccomp-notify: a filter of
                                its own whose listener goes to the caller
                                (sync fd "seccomp"); filter NULL = none */
};

struct rt_spec
{
  struct rt_process proc;
  int clone_flags;           /* namespaces to create */
  struct rt_ns *join;        /* namespaces to join by path */
  size_t n_join;
  struct rt_idmap idmap;
  char *root;                /* root.path, absolute */
  bool root_readonly;
  unsigned long root_propagation;   /* MS_SLAVE etc., with MS_REC */
  bool root_propagation_set;        /* the spec gave rootfsPropagation */
  struct rt_mount *mounts;
  size_t n_mounts;
  char *overlay_dir;         /* O mounts' upper/work parent (mounts.c), NULL: none */
  int overlay_dir_fd;        /* opened again by the child, in its mount namespace; -1: none */
  struct rt_device *devices; /* linux.devices */
  size_t n_devices;
  struct rt_cgroup cgroup;   /* linux.cgroupsPath and the device policy */
  int cgroup_procs_fd;       /* the container process moves itself in here first (-1: none) */
  char **masked;
  char **readonly;
  char *hostname;
  char *domainname;
  char **sysctl;             /* key=value */
  struct rt_seccomp seccomp; /* compiled in the parent */
  double seccomp_ms;         /* time spent compiling (0 when cached) */
  double parse_ms;           /* rt_spec_parse, for the debug line */
};

/* spec.c */
int rt_spec_parse (json_object *spec, struct rt_spec *out, pc_error **err);
int rt_process_parse (json_object *process, struct rt_process *out, pc_error **err);
void rt_spec_clear (struct rt_spec *s);
void rt_process_clear (struct rt_process *p);
int rt_mount_parse_options (json_object *options, struct rt_mount *m, pc_error **err);
/* idmap-mount.c: made in the parent before the clone, moved into place by the child. */
int rt_idmap_mounts_prepare (struct rt_spec *s, pc_error **err);
void rt_idmap_mounts_close (struct rt_spec *s);
int rt_idmap_attach (const struct rt_mount *m, int destfd, pc_error **err);
/* mounts.c: the O mounts' directory on disk (annotation run.pc.overlay-mounts),
   emptied and opened in the parent before the clone. */
int rt_overlay_mounts_prepare (json_object *spec, struct rt_spec *s, pc_error **err);
int rt_overlay_mounts_open (struct rt_spec *s, pc_error **err);
void rt_overlay_mounts_close (struct rt_spec *s);

/* caps.c */
int rt_cap_from_name (const char *name);
const char *rt_cap_name (int cap);
int rt_caps_parse_list (json_object *list, uint64_t *mask, pc_error **err);
int rt_caps_apply_bounding (const struct rt_caps *c, pc_error **err);
int rt_caps_apply (const struct rt_caps *c, pc_error **err);
int rt_cap_last (void);

/* rlimits.c */
int rt_rlimit_from_name (const char *name);
int rt_rlimits_apply (const struct rt_rlimit *r, size_t n, pc_error **err);

/* seccomp.c */
/* cache_dir may be NULL; *compile_ms is 0 on a cache hit. */
int rt_seccomp_compile (json_object *seccomp, const char *cache_dir, struct rt_seccomp *out,
                        double *compile_ms, pc_error **err);
int rt_seccomp_load (const struct rt_seccomp *s, pc_error **err);
/* libseccomp's program for a linux.seccomp object, as it exports it (what
   rt_seccomp_compile reshapes and caches). */
int rt_seccomp_compile_libseccomp (json_object *seccomp, struct sock_fprog *out, pc_error **err);
/* seccomp-tree.c: libseccomp's program p as one that decides the same with
   fewer instructions (a binary search over ranges of syscall numbers per
   architecture); 0 and a malloc'd out->filter, or -1: keep p. */
int rt_seccomp_reshape (const struct sock_fprog *p, struct sock_fprog *out);
int rt_seccomp_notify_compile (const char *names, struct rt_seccomp *out, pc_error **err);
int rt_seccomp_notify_load (const struct rt_seccomp *s, pc_error **err);
/* "" once libseccomp is loaded (seccomp-lazy.c), else ": why not". */
const char *rt_seccomp_lib_error (void);


/* cgroup-devices.c */
int rt_cgroup_parse (json_object *lnx, struct rt_cgroup *out, pc_error **err);
void rt_cgroup_clear (struct rt_cgroup *c);
/* In the parent, before the clone: creates the container's cgroup with the
   device policy and opens its cgroup.procs (*procs_fd -1 when there is no
   policy to apply: no rules, or not root of the initial user namespace). */
int rt_cgroup_prepare (const struct rt_cgroup *c, int *procs_fd, pc_error **err);
/* In the container (or exec) process, before anything else: moves itself in. */
int rt_cgroup_enter (int procs_fd, pc_error **err);
/* For exec: cgroup.procs of the cgroup that holds pid's device policy
   (-1 when none). */
int rt_cgroup_open_of (pid_t pid, int *procs_fd, pc_error **err);
/* The pieces, for tests: dir is a cgroup directory of a v1 devices
   hierarchy or of cgroup v2. */
int rt_cgroup_devices_apply (const char *dir, bool v2, const struct rt_dev_rule *rules, size_t n,
                             int *procs_fd, pc_error **err);
struct bpf_insn;
/* Writes the v2 program to out (room for 8 + 8 * n); returns its length. */
size_t rt_cgroup_devices_bpf (const struct rt_dev_rule *rules, size_t n, struct bpf_insn *out);
int rt_cgroup_devices_v1 (int dirfd, const char *dir, const struct rt_dev_rule *rules, size_t n,
                          pc_error **err);
int rt_cgroup_devices_v2 (int dirfd, const char *dir, const struct rt_dev_rule *rules, size_t n,
                          pc_error **err);

/* mounts.c (child side) */
int rt_safe_open_dir_p (int rootfd, const char *path, pc_error **err);
int rt_safe_open_dest (int rootfd, const char *path, bool dir, pc_error **err);
int rt_mount_fs (const char *type, const char *source, char *const *data, uint64_t attrs, int destfd,
                 pc_error **err);
int rt_mount_bind (int srcfd, const char *src, bool recursive, uint64_t attr_set,
                   uint64_t attr_clr, int destfd, pc_error **err);
int rt_mount_all (const struct rt_spec *s, int rootfd, pc_error **err);
/* chown-walk.c: podman's U. rt_chown_tree walks below fd (a directory, its
   own owner already set; fd is consumed); rt_chown_source also chowns the
   source itself and refuses podman's list of host paths. */
int rt_chown_tree (int fd, uid_t uid, gid_t gid, pc_error **err);
struct stat;
int rt_chown_source (int srcfd, const struct stat *st, uid_t uid, gid_t gid, pc_error **err);
int rt_setup_dev (const struct rt_spec *s, int rootfd, pc_error **err);

/* rootfs.c (child side) */
int rt_mount_rootfs (const struct rt_spec *s, pc_error **err);
int rt_pivot_root (int rootfd, pc_error **err);
/* After the pivot: / gets the spec's rootfsPropagation. */
int rt_root_propagation (const struct rt_spec *s, pc_error **err);
int rt_mask_paths (const struct rt_spec *s, pc_error **err);
int rt_finish_rootfs (const struct rt_spec *s, pc_error **err);

/* copyup.c: olddirfd is O_PATH on the directory under the tmpfs newmfd. */
int rt_tmpcopyup (int olddirfd, int newmfd, pc_error **err);

/* terminal.c (child side): creates the pty in /dev/pts, makes it the
   controlling tty and stdio, returns the master fd. */
int rt_terminal_setup (const struct rt_process *p, pc_error **err);

/* child.c */
/* fds: RT_SYNC_FD__COUNT entries (console, tap, netns; -1 = none), sent with
   "ready" and closed here.
   Applies user, caps, no_new_privs, rlimits... waits for start, loads seccomp and execs. Never returns.
   timed: "ready" carries the setup's checkpoints (timing.c). */
void rt_child_finish (const struct rt_process *p, const struct rt_seccomp *seccomp, int sync_fd,
                      int *fds, bool timed)
  __attribute__ ((noreturn));
/* Reports the error on the sync socket and exits. The message's type is
   the error's class name ("error" when generic), so the parent keeps it. */
void rt_child_fail (int sync_fd, pc_error *e) __attribute__ ((noreturn));
int rt_setup_stdio (const struct pc_runtime_io *io, pc_error **err);

/* sync.c: one JSON object per SOCK_SEQPACKET message; fds ride along,
   each with its kind (an array indexed by kind, -1 = none). */
enum rt_sync_fd_kind
{
  RT_SYNC_FD_CONSOLE = 0,  /* pty master */
  RT_SYNC_FD_TAP,          /* tap device opened in the container's netns */
  RT_SYNC_FD_NETNS,        /* the container's new network namespace (nsfs) */
  RT_SYNC_FD_SECCOMP,      /* seccomp user-notification listener */
  RT_SYNC_FD__COUNT
};
#define RT_SYNC_MAX_FDS 4  /* per message, whatever the kinds */
void rt_sync_fds_init (int fds[RT_SYNC_FD__COUNT]);
void rt_sync_fds_close (int fds[RT_SYNC_FD__COUNT]);
/* fds may be NULL. */
int rt_sync_send_fds (int fd, const char *type, int errnum, const char *message,
                      const int fds[RT_SYNC_FD__COUNT], pc_error **err);
/* *type is malloc'd; on EOF returns 0 with *type == NULL. fds (may be NULL:
   whatever came is closed) gets what the message carried; on error none. */
int rt_sync_recv_fds (int fd, char **type, int *errnum, char **message, int fds[RT_SYNC_FD__COUNT],
                      pc_error **err);
/* The same with one console fd. */
int rt_sync_send (int fd, const char *type, int errnum, const char *message, int pass_fd,
                  pc_error **err);
int rt_sync_recv (int fd, char **type, int *errnum, char **message, int *recv_fd, pc_error **err);
int rt_sync_wait_for (int fd, const char *type, int *recv_fd, pc_error **err);
int rt_sync_recv_pid (int fd, pid_t middle, pid_t *pid, pc_error **err);
/* A middle process that clones with CLONE_PARENT reports the new pid on the
   sync socket it shares with that process, which must say nothing there
   before: the clone waits at a gate (a pipe) until the middle process has
   reported and released it (EOF). */
int rt_gate_open (int gate[2]);
void rt_gate_wait (int gate[2]);
void rt_gate_release (int gate[2]);

/* timing.c: the child's setup steps for the "ready" debug line. The parent
   calls rt_marks_begin just before the clone; the child marks each step. */
double rt_now_ms (void);
void rt_marks_begin (void);
void rt_mark (const char *name);
void rt_marks_format (char *buf, size_t size);

/* create.c */
/* Fills out->console_fd and out->tap_fd from the "ready" message. */
int rt_parent_wait_ready (int sync_fd, pid_t pid, struct pc_runtime_process *out,
                          pc_error **err);

#endif
