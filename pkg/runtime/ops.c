/* The runtime interface (struct pc_runtime_ops) and the built-in runtime
   behind it. A handle holds a pidfd of the process it was made for, taken
   while the process is still the caller's unreaped child (or, for open,
   checked by the caller), so kill and state never reach a reused pid. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/runtime/runtime.h"

struct pc_runtime_ctr
{
  struct pc_runtime_process proc;   /* proc.sync_fd >= 0 until started */
  int pidfd;
  pid_t pid;
  bool opened;                      /* from open: another process's child */
};

static void
ctr_free (struct pc_runtime_ctr *c)
{
  if (c->pidfd >= 0)
    close (c->pidfd);
  if (c->proc.sync_fd >= 0)
    close (c->proc.sync_fd);
  free (c);
}

/* Wraps what pc_runtime_create / _exec returned into a handle; on failure
   the process is killed and reaped. */
static int
wrap_process (struct pc_runtime_process *p, struct pc_runtime_ctr **out,
              struct pc_runtime_created *info, pc_error **err)
{
  /* Still our unreaped child: the pid cannot have been reused. */
  int pidfd = (int) syscall (SYS_pidfd_open, p->pid, 0);
  if (pidfd < 0)
    {
      int saved = errno;
      pc_runtime_abort (p);
      return pc_error_errno (err, saved, "open a pidfd of the container process");
    }
  struct pc_runtime_ctr *c = xmalloc (sizeof *c);
  c->proc = *p;
  c->pidfd = pidfd;
  c->pid = p->pid;
  c->opened = false;
  info->pid = p->pid;
  info->console_fd = steal_fd (&c->proc.console_fd);
  info->tap_fd = steal_fd (&c->proc.tap_fd);
  info->netns_fd = steal_fd (&c->proc.netns_fd);
  info->seccomp_fd = steal_fd (&c->proc.seccomp_fd);
  *out = c;
  return 0;
}

static void
created_init (struct pc_runtime_ctr **out, struct pc_runtime_created *info)
{
  *out = NULL;
  info->pid = -1;
  info->console_fd = -1;
  info->tap_fd = -1;
  info->netns_fd = -1;
  info->seccomp_fd = -1;
}

static int
builtin_create (json_object *spec, const struct pc_runtime_io *io, struct pc_runtime_ctr **out,
                struct pc_runtime_created *info, pc_error **err)
{
  created_init (out, info);
  struct pc_runtime_process p;
  if (pc_runtime_create (spec, io, &p, err) < 0)
    return -1;
  return wrap_process (&p, out, info, err);
}

static int
builtin_open (const char *id, int pidfd, pid_t pid, struct pc_runtime_ctr **out, pc_error **err)
{
  (void) id;
  *out = NULL;
  if (pidfd < 0 || pid <= 0)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "the built-in runtime needs a pidfd of the container's process");
  int fd = fcntl (pidfd, F_DUPFD_CLOEXEC, 3);
  if (fd < 0)
    return pc_error_errno (err, errno, "duplicate the container's pidfd");
  struct pc_runtime_ctr *c = xmalloc (sizeof *c);
  c->proc = (struct pc_runtime_process) { .pid = pid, .console_fd = -1, .tap_fd = -1, .netns_fd = -1, .seccomp_fd = -1, .sync_fd = -1 };
  c->pidfd = fd;
  c->pid = pid;
  c->opened = true;
  *out = c;
  return 0;
}

static bool
has_exited (const struct pc_runtime_ctr *c)
{
  /* A pidfd polls readable once its process has exited, reaped or not. */
  struct pollfd pf = { .fd = c->pidfd, .events = POLLIN };
  int r;
  do
    r = poll (&pf, 1, 0);
  while (r < 0 && errno == EINTR);
  return r > 0;
}

static int
builtin_start (struct pc_runtime_ctr *c, pc_error **err)
{
  if (c->opened || c->proc.sync_fd < 0)
    return pc_error_makec (err, PC_ERR_STATE, EINVAL, "the container process %d was already started",
                           (int) c->pid);
  return pc_runtime_start (&c->proc, err);
}

static int
builtin_kill (struct pc_runtime_ctr *c, int sig, pc_error **err)
{
  if (sig <= 0 || sig >= 65)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid signal %d", sig);
  if (syscall (SYS_pidfd_send_signal, c->pidfd, sig, NULL, 0) < 0)
    {
      if (errno == ESRCH)
        return pc_error_errnoc (err, PC_ERR_STATE, errno, "the container process %d has exited",
                                (int) c->pid);
      return pc_error_errno (err, errno, "send signal %d to the container process %d", sig,
                             (int) c->pid);
    }
  return 0;
}

static int
builtin_state (struct pc_runtime_ctr *c, struct pc_runtime_state *st, pc_error **err)
{
  (void) err;
  st->pid = c->pid;
  if (has_exited (c))
    st->status = PC_RUNTIME_STOPPED;
  else if (c->proc.sync_fd >= 0)
    st->status = PC_RUNTIME_CREATED;
  else
    st->status = PC_RUNTIME_RUNNING;
  return 0;
}

static int
builtin_delete (struct pc_runtime_ctr *c, pc_error **err)
{
  if (!c->opened && !has_exited (c))
    return pc_error_makec (err, PC_ERR_STATE, EBUSY,
                           "cannot delete the container process %d: it is %s, kill it first", (int) c->pid,
                           c->proc.sync_fd >= 0 ? "created" : "running");
  ctr_free (c);
  return 0;
}

static int
builtin_exec (struct pc_runtime_ctr *c, json_object *spec, json_object *process,
              const struct pc_runtime_io *io, struct pc_runtime_ctr **out,
              struct pc_runtime_created *info, pc_error **err)
{
  created_init (out, info);
  json_object *lnx = NULL, *seccomp = NULL, *ann = NULL, *cache = NULL;
  if (json_object_object_get_ex (spec, "linux", &lnx) && json_object_is_type (lnx, json_type_object))
    json_object_object_get_ex (lnx, "seccomp", &seccomp);
  if (json_object_object_get_ex (spec, "annotations", &ann) && json_object_is_type (ann, json_type_object))
    json_object_object_get_ex (ann, "run.pc.seccomp-cache", &cache);
  const char *cache_dir = cache && json_object_is_type (cache, json_type_string)
                          ? json_object_get_string (cache) : NULL;
  struct pc_runtime_process p;
  if (pc_runtime_exec_pidfd (c->pidfd, c->pid, process, seccomp, cache_dir, io, &p, err) < 0)
    return -1;
  return wrap_process (&p, out, info, err);
}

static void
builtin_abort (struct pc_runtime_ctr *c)
{
  if (c == NULL)
    return;
  if (!c->opened)
    {
      syscall (SYS_pidfd_send_signal, c->pidfd, SIGKILL, NULL, 0);
      /* By pidfd: if the caller reaped it already, this is ECHILD, never
         another process's status. */
      siginfo_t si;
      while (waitid (P_PIDFD, (id_t) c->pidfd, &si, WEXITED) < 0 && errno == EINTR)
        ;
    }
  ctr_free (c);
}

static const struct pc_runtime_ops builtin_ops = {
  .name = "pc",
  .create = builtin_create,
  .open = builtin_open,
  .start = builtin_start,
  .kill = builtin_kill,
  .state = builtin_state,
  .delete = builtin_delete,
  .exec = builtin_exec,
  .abort = builtin_abort,
};

const struct pc_runtime_ops *
pc_runtime_builtin (void)
{
  return &builtin_ops;
}

const struct pc_runtime_ops *
pc_runtime_find (const char *name, pc_error **err)
{
  if (name == NULL || strcmp (name, builtin_ops.name) == 0)
    return &builtin_ops;
  if (*name == '\0')
    {
      pc_error_makec (err, PC_ERR_INVALID, EINVAL, "the OCI runtime name is empty");
      return NULL;
    }
  pc_error_makec (err, PC_ERR_UNSUPPORTED, ENOTSUP,
                  "OCI runtime `%s` is not supported: this pc runs containers with its built-in "
                  "runtime (\"pc\") only; adapters for external runtimes (runc, crun, runsc) come later",
                  name);
  return NULL;
}
