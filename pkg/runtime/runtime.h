/* pc's OCI runtime: executes an OCI runtime-spec config (json-c object) the
   way `runc create` + `runc start` do, in-process, without a helper binary.

   The caller must be single-threaded when it calls pc_runtime_create or
   pc_runtime_exec: the container process is cloned without fork handlers. */
#ifndef PC_PKG_RUNTIME_H
#define PC_PKG_RUNTIME_H

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

#include "lib/error.h"

struct pc_runtime_io
{
  int stdin_fd, stdout_fd, stderr_fd;   /* used when !terminal; -1 = /dev/null */
  bool terminal;                        /* spec.process.terminal: child creates a pty in its devpts */
  int preserve_fds;                     /* exec only: the caller's fds 3..3+N-1 are passed
                                           on (runc exec --preserve-fds); the caller makes
                                           sure they are the ones it means */
};

struct pc_runtime_process
{
  pid_t pid;          /* in the caller's pid namespace */
  int console_fd;     /* pty master when terminal, else -1 */
  int tap_fd;         /* tap device the container opened in its network
                         namespace (passed with the console on the sync
                         socket), else -1 */
  int netns_fd;       /* the container's new network namespace (an nsfs
                         fd for setns), else -1 */
  int seccomp_fd;     /* listener of the seccomp notification filter
                         (annotation run.pc.seccomp-notify), else -1 */
  int sync_fd;        /* internal */
};

/* Creates the container from an OCI runtime spec, stopped right before exec,
   like `runc create`. root.path is a root filesystem the caller has mounted
   (or a plain directory), as runc expects; namespaces (a user namespace is
   created with the spec's mappings or joined by path), /proc /sys
   /dev, devpts, shm, mqueue, bind mounts, pivot_root, masked/readonly paths,
   hostname, rlimits, oom_score_adj, sysctl, user, cwd, env. Capabilities,
   no_new_privs and seccomp are applied by the child right before exec.
   Optional annotation "run.pc.seccomp-cache" names a directory where the
   compiled BPF of each profile is cached by sha256 (e.g. RUNROOT/seccomp).
   On failure no process is left behind. */
int pc_runtime_create (json_object *spec, const struct pc_runtime_io *io,
                       struct pc_runtime_process *out, pc_error **err);

/* Lets the process exec; returns when exec succeeded or failed. exec failures
   come back as errors with status ENOENT (-> exit 127) or EACCES (-> 126). The
   process is not reaped: the caller waits for out->pid as usual. */
int pc_runtime_start (struct pc_runtime_process *p, pc_error **err);

/* Releases what pc_runtime_create returned without starting (kills and reaps
   the process, closes the fds). */
void pc_runtime_abort (struct pc_runtime_process *p);

/* Exec an additional process in a running container: joins the namespaces of
   container_pid, then applies process_spec (the "process" object of an OCI
   spec: args, env, cwd, user, capabilities, noNewPrivileges, rlimits,
   terminal) and `seccomp` (OCI linux.seccomp object, may be NULL). The new
   process is stopped before exec like pc_runtime_create's; call
   pc_runtime_start. */
int pc_runtime_exec (pid_t container_pid, json_object *process_spec, const struct pc_runtime_io *io,
                     struct pc_runtime_process *out, pc_error **err);
/* The same for a container process the caller holds a pidfd of (opened,
   then checked against the recorded start time, so that the pid cannot have
   been reused). The calling process may be in the initial user namespace:
   the exec process joins the container's user namespace with the others.
   It is made non-dumpable before it joins. seccomp_cache: as the
   annotation "run.pc.seccomp-cache" of pc_runtime_create, or NULL. */
int pc_runtime_exec_pidfd (int pidfd, pid_t container_pid, json_object *process_spec,
                           json_object *seccomp, const char *seccomp_cache,
                           const struct pc_runtime_io *io,
                           struct pc_runtime_process *out, pc_error **err);
int pc_runtime_exec_seccomp (pid_t container_pid, json_object *process_spec, json_object *seccomp,
                             const struct pc_runtime_io *io, struct pc_runtime_process *out,
                             pc_error **err);

/* The runtime interface: one operations table, the commands of the OCI
   runtime command line (runtime-spec runtime.md: create, start, kill,
   state, delete; runc's exec). The monitor and `pc exec` call a runtime
   only through it, so an external OCI runtime (runc, crun, runsc) can be
   put behind it later without touching them. The built-in runtime is the
   functions above, in-process. docs/runtime.md says what an adapter for an
   external runtime has to do.

   Every operation on a container or exec process takes its handle, opaque
   and owned by the runtime. create and exec return the process stopped
   right before exec, as `runc create` does; start lets it exec. The caller
   of create or exec is the parent of the process and reaps it itself
   (waitpid); kill and state act on the process the handle was made for
   (the built-in runtime keeps a pidfd, so a reused pid is never hit), and
   delete releases the handle once the process has exited. */
struct pc_runtime_ctr;

/* OCI runtime state "status" */
enum pc_runtime_status
{
  PC_RUNTIME_CREATING = 0,
  PC_RUNTIME_CREATED,    /* stopped before exec: start has not run */
  PC_RUNTIME_RUNNING,
  PC_RUNTIME_STOPPED,    /* exited (reaped or not) */
};

struct pc_runtime_state
{
  enum pc_runtime_status status;
  pid_t pid;             /* in the caller's pid namespace */
};

/* What create and exec hand to their caller besides the handle. */
struct pc_runtime_created
{
  pid_t pid;             /* in the caller's pid namespace; the caller reaps it */
  int console_fd;        /* pty master when terminal, else -1; the caller's to close */
  int tap_fd;            /* tap device opened in the container's network
                            namespace, else -1; the caller's to close */
  int netns_fd;          /* the container's new network namespace (nsfs, for
                            setns), else -1; the caller's to close */
  int seccomp_fd;        /* seccomp user-notification listener (annotation
                            run.pc.seccomp-notify), else -1; the caller's */
};

struct pc_runtime_ops
{
  const char *name;      /* "pc" for the built-in runtime */
  /* `runc create`: the spec is a complete OCI config whose root.path is a
     root filesystem the caller has mounted (or a plain directory). The
     caller must be single-threaded. On failure nothing is left running. */
  int (*create) (json_object *spec, const struct pc_runtime_io *io, struct pc_runtime_ctr **out,
                 struct pc_runtime_created *info, pc_error **err);
  /* A handle on a running container that another process created (pc
     exec runs beside the container's monitor): `id` names the container
     for a runtime that keeps state by id; the built-in runtime takes a
     pidfd of its pid 1, which the caller has checked against the recorded
     start time, and keeps a duplicate. Such a handle takes exec, kill and
     state; delete only releases it. */
  int (*open) (const char *id, int pidfd, pid_t pid, struct pc_runtime_ctr **out, pc_error **err);
  /* `runc start`: returns when exec succeeded, or with its error (class
     PC_ERR_CMD_NOT_FOUND / PC_ERR_CANNOT_INVOKE). Starting twice is a
     PC_ERR_STATE error. */
  int (*start) (struct pc_runtime_ctr *c, pc_error **err);
  /* `runc kill`: signal 1..64 to the process; ESRCH (PC_ERR_STATE) once it
     has exited. */
  int (*kill) (struct pc_runtime_ctr *c, int sig, pc_error **err);
  /* `runc state` */
  int (*state) (struct pc_runtime_ctr *c, struct pc_runtime_state *st, pc_error **err);
  /* `runc delete`: frees the handle of a stopped process (or one from
     open); refuses (PC_ERR_STATE, handle kept) while the process is
     created or running. */
  int (*delete) (struct pc_runtime_ctr *c, pc_error **err);
  /* `runc exec` without the start: another process in the running
     container c, stopped before exec; call start on *out. spec is the
     container's own config (its linux.seccomp and the seccomp cache
     annotation apply; an external runtime keeps its own copy and may
     ignore it); process is the OCI "process" object to run. */
  int (*exec) (struct pc_runtime_ctr *c, json_object *spec, json_object *process,
               const struct pc_runtime_io *io, struct pc_runtime_ctr **out,
               struct pc_runtime_created *info, pc_error **err);
  /* `runc delete --force` of a created or failed process: kills and reaps
     it, frees the handle. NULL is a no-op. */
  void (*abort) (struct pc_runtime_ctr *c);
};

/* The built-in runtime. */
const struct pc_runtime_ops *pc_runtime_builtin (void);
/* By name: NULL or "pc" is the built-in runtime; any other name is a
   PC_ERR_UNSUPPORTED error (external runtimes are not there yet). */
const struct pc_runtime_ops *pc_runtime_find (const char *name, pc_error **err);

/* Removes the cgroup that held a container's device policy
   (linux.cgroupsPath), once its processes are gone; errors are ignored. */
void pc_runtime_cgroup_remove (const char *cgroups_path);

/* The default seccomp profile, docker/podman JSON format, embedded at build time. */
const char *pc_runtime_default_seccomp_json (void);

/* Converts a docker/podman seccomp profile (JSON text: archMap, includes/
   excludes with caps/arches/minKernel) or an OCI linux.seccomp object into the
   OCI linux.seccomp form for a container with capability set `caps`
   (NULL-terminated "CAP_..."), as podman does when it writes config.json.
   profile == NULL means the default profile. */
json_object *pc_runtime_seccomp_to_oci (const char *profile, const char *const *caps,
                                        pc_error **err);

/* Podman's default capability set, NULL-terminated "CAP_CHOWN", ... */
const char *const *pc_runtime_default_caps (void);
/* Every capability name pc knows, indexed by the kernel's number
   ("CAP_CHOWN" is 0); *n is the count. */
const char *const *pc_runtime_all_caps (size_t *n);
/* "net_admin", "CAP_NET_ADMIN" (any case) -> "CAP_NET_ADMIN"; NULL when unknown. */
const char *pc_runtime_cap_canonical (const char *name);

#endif
