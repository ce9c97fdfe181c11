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
};

struct pc_runtime_process
{
  pid_t pid;          /* in the caller's pid namespace */
  int console_fd;     /* pty master when terminal, else -1 */
  int tap_fd;         /* tap device the container opened in its network
                         namespace (passed with the console on the sync
                         socket), else -1 */
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
