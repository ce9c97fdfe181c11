/* The last steps of the container process, shared by create and exec:
   rlimits, user, capabilities, no_new_privs, cwd, then wait for "start",
   load seccomp and exec with a PATH lookup inside the container. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fileutil.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/runtime/internal.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

void
rt_child_fail (int sync_fd, pc_error *e)
{
  rt_sync_send (sync_fd, pc_error_class_name (pc_error_class_of (e)), e ? e->status : EIO,
                e ? e->msg : "unknown error", -1, NULL);
  _exit (1);
}

static int
move_above_2 (int fd)
{
  if (fd < 0 || fd > 2)
    return fd;
  return fcntl (fd, F_DUPFD_CLOEXEC, 3);
}

/* The caller's fds become 0/1/2; -1 means /dev/null (opened before pivot_root). */
int
rt_setup_stdio (const struct pc_runtime_io *io, pc_error **err)
{
  int fds[3] = { io->stdin_fd, io->stdout_fd, io->stderr_fd };
  for (int i = 0; i < 3; i++)
    {
      if (fds[i] == i)
        continue;
      if (fds[i] < 0)
        {
          fds[i] = open ("/dev/null", (i == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
          if (fds[i] < 0)
            return pc_error_errno (err, errno, "open /dev/null");
        }
      fds[i] = move_above_2 (fds[i]);
      if (fds[i] < 0)
        return pc_error_errno (err, errno, "dup stdio");
    }
  for (int i = 0; i < 3; i++)
    {
      if (fds[i] == i)
        {
          if (fcntl (i, F_SETFD, 0) < 0)
            return pc_error_errno (err, errno, "stdio fd %d", i);
          continue;
        }
      if (dup2 (fds[i], i) < 0)
        return pc_error_errno (err, errno, "dup2 stdio fd %d", i);
    }
  return 0;
}

static const char *
env_get (char *const *env, const char *name)
{
  size_t len = strlen (name);
  for (; env && *env; env++)
    if (strncmp (*env, name, len) == 0 && (*env)[len] == '=')
      return *env + len + 1;
  return NULL;
}

/* Returns errno: ENOENT when nothing matched, EACCES when something matched
   but could not be executed (as execvp reports it). */
static int
exec_path (const struct rt_process *p)
{
  const char *file = p->args[0];
  if (strchr (file, '/') != NULL)
    {
      execve (file, p->args, p->env);
      return errno;
    }
  const char *path = env_get (p->env, "PATH");
  if (path == NULL)
    path = DEFAULT_PATH;
  int result = ENOENT;
  size_t flen = strlen (file);
  while (*path)
    {
      const char *colon = strchrnul (path, ':');
      size_t dlen = (size_t) (colon - path);
      char buf[4096];
      if (dlen + flen + 2 <= sizeof buf)
        {
          if (dlen == 0)
            memcpy (buf, file, flen + 1);
          else
            {
              memcpy (buf, path, dlen);
              buf[dlen] = '/';
              memcpy (buf + dlen + 1, file, flen + 1);
            }
          execve (buf, p->args, p->env);
          if (errno == EACCES || errno == EPERM || errno == ENOEXEC)
            result = errno == EPERM ? EACCES : errno;
          else if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP && errno != ENAMETOOLONG)
            return errno;
        }
      path = *colon ? colon + 1 : colon;
    }
  return result;
}

static int
switch_user (const struct rt_process *p, pc_error **err)
{
  if (!p->keep_groups && setgroups (p->n_groups, p->groups) < 0 && !(errno == EPERM && p->n_groups == 0))
    return pc_error_errno (err, errno, "setgroups");
  if (setresgid (p->gid, p->gid, p->gid) < 0)
    return pc_error_errno (err, errno, "setgid %u (is the gid mapped in the user namespace?)",
                           (unsigned) p->gid);
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return pc_error_errno (err, errno, "keep capabilities");
  if (setresuid (p->uid, p->uid, p->uid) < 0)
    return pc_error_errno (err, errno, "setuid %u (is the uid mapped in the user namespace?)",
                           (unsigned) p->uid);
  return 0;
}

static void
reset_signals (void)
{
  sigset_t all;
  sigemptyset (&all);
  for (int i = 1; i < NSIG; i++)
    if (i != SIGKILL && i != SIGSTOP)
      signal (i, SIG_DFL);
  sigprocmask (SIG_SETMASK, &all, NULL);
}

void
rt_child_finish (const struct rt_process *p, const struct rt_seccomp *seccomp, int sync_fd,
                 int *fds, bool timed)
{
  pc_error *err = NULL;
  if (rt_rlimits_apply (p->rlimits, p->n_rlimits, &err) < 0)
    rt_child_fail (sync_fd, err);
  rt_mark ("rlimits");
  if (p->has_personality && personality (p->personality) < 0)
    {
      pc_error_errno (&err, errno, "set personality %#lx", p->personality);
      rt_child_fail (sync_fd, err);
    }
  if (p->has_oom_score_adj)
    {
      char buf[32];
      int n = snprintf (buf, sizeof buf, "%d", p->oom_score_adj);
      int fd = open ("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
      /* Lowering the score needs CAP_SYS_RESOURCE in the initial namespace:
         rootless, the start fails, as podman's (runc's) does here. */
      if (fd >= 0)
        {
          if (write (fd, buf, (size_t) n) < 0)
            {
              if (errno == EACCES || errno == EPERM)
                pc_error_errnoc (&err, PC_ERR_CANNOT_INVOKE, errno, "set oom_score_adj to %d: only a privileged "
                                 "user can lower it below the value it inherits", p->oom_score_adj);
              else
                pc_error_errno (&err, errno, "set oom_score_adj to %d", p->oom_score_adj);
              rt_child_fail (sync_fd, err);
            }
          close (fd);
        }
    }
  if (p->cwd && strcmp (p->cwd, "/") != 0)
    {
      /* Created as root if missing, as podman does for the image's
         WorkingDir; a directory the user named with -w must exist. */
      pc_autoclose int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
      pc_autoclose int d = -1;
      if (root < 0)
        pc_error_errno (&err, errno, "open /");
      else if (p->cwd_must_exist)
        {
          d = pc_safe_openat (root, p->cwd, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, &err);
          if (d < 0 && err && (err->status == ENOENT || err->status == ENOTDIR))
            {
              /* podman's two messages; the caller adds the container
                 ("... on container ID", ", but is not a directory": the
                 status EEXIST says which, ENOTDIR is an exec's). */
              pc_error_clear (&err);
              pc_autoerror pc_error *serr = NULL;
              pc_autoclose int f = pc_safe_openat (root, p->cwd, O_PATH | O_CLOEXEC, 0, &serr);
              if (p->cwd_exec)
                /* podman exec -w: runc's words, 127 for a missing one. */
                pc_error_makec (&err, f >= 0 ? PC_ERR_CANNOT_INVOKE : PC_ERR_CMD_NOT_FOUND, f >= 0 ? ENOTDIR : ENOENT,
                                "unable to start container process: chdir to cwd (\"%s\") set in config.json failed: %s",
                                p->cwd, f >= 0 ? "not a directory" : "no such file or directory");
              else if (f >= 0)
                pc_error_makec (&err, PC_ERR_CANNOT_INVOKE, EEXIST, "workdir \"%s\" exists", p->cwd);
              else
                pc_error_makec (&err, PC_ERR_CANNOT_INVOKE, ENOENT, "workdir \"%s\" does not exist", p->cwd);
            }
        }
      else
        d = rt_safe_open_dir_p (root, p->cwd, &err);
      if (d < 0)
        rt_child_fail (sync_fd, err);
    }
  /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN, which the
     container usually does not keep: load it while we still have it. */
  bool seccomp_early = seccomp && seccomp->prog.filter && !p->no_new_privs;
  rt_mark ("cwd");
  if (seccomp_early && rt_seccomp_load (seccomp, &err) < 0)
    rt_child_fail (sync_fd, err);
  rt_mark ("seccomp");
  /* Nothing from here to the exec makes the calls it traps (connect). */
  if (seccomp && seccomp->notify.filter
      && (fds[RT_SYNC_FD_SECCOMP] = rt_seccomp_notify_load (seccomp, &err)) < 0)
    rt_child_fail (sync_fd, err);
  if (rt_caps_apply_bounding (&p->caps, &err) < 0 || switch_user (p, &err) < 0
      || rt_caps_apply (&p->caps, &err) < 0)
    rt_child_fail (sync_fd, err);
  rt_mark ("caps+user");
  if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    {
      pc_error_errno (&err, errno, "reset keep-capabilities");
      rt_child_fail (sync_fd, err);
    }
  if (p->has_umask)
    umask (p->umask);
  if (chdir (p->cwd) < 0)
    {
      pc_error_errno (&err, errno, "chdir to `%s`", p->cwd);
      rt_child_fail (sync_fd, err);
    }
  if (p->no_new_privs && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    {
      pc_error_errno (&err, errno, "set no_new_privs");
      rt_child_fail (sync_fd, err);
    }
  reset_signals ();
  /* A container must not outlive its monitor. Set here, after the last
     credential change (which clears it); a parent that died before this
     point shows up as EOF on the sync socket below. */
  if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
    {
      pc_error_errno (&err, errno, "set the parent-death signal");
      rt_child_fail (sync_fd, err);
    }

  rt_mark ("signals");
  char info[512];
  if (timed)
    rt_marks_format (info, sizeof info);
  if (rt_sync_send_fds (sync_fd, "ready", 0, timed ? info : NULL, fds, &err) < 0)
    _exit (1);
  rt_sync_fds_close (fds);
  if (rt_sync_wait_for (sync_fd, "start", NULL, &err) < 0)
    _exit (1);   /* pc went away or aborted: nobody to report to */

  if (!seccomp_early && seccomp && seccomp->prog.filter && rt_seccomp_load (seccomp, &err) < 0)
    rt_child_fail (sync_fd, err);
  int e = exec_path (p);
  const char *name = p->args[0];
  char *msg;
  /* runc's words, which podman 4.3 on this machine shows (after its
     "runc: runc create failed: "); the suffix is podman's for the class. */
  if (e == ENOENT && strchr (name, '/') == NULL)
    msg = xasprintf ("unable to start container process: exec: \"%s\": executable file not found in $PATH: "
                     "OCI runtime attempted to invoke a command that was not found", name);
  else if (e == ENOENT)
    msg = xasprintf ("unable to start container process: exec: \"%s\": stat %s: no such file or directory: "
                     "OCI runtime attempted to invoke a command that was not found", name, name);
  else if (e == EACCES)
    msg = xasprintf ("unable to start container process: exec: \"%s\": permission denied: OCI permission denied", name);
  else
    {
      /* Go's errno strings start in lower case ("exec format error"). */
      char reason[128];
      snprintf (reason, sizeof reason, "%s", strerror (e));
      if (reason[0] >= 'A' && reason[0] <= 'Z')
        reason[0] = (char) (reason[0] - 'A' + 'a');
      msg = xasprintf ("unable to start container process: exec: \"%s\": %s", name, reason);
    }
  enum pc_error_class cls = e == ENOENT ? PC_ERR_CMD_NOT_FOUND : PC_ERR_CANNOT_INVOKE;
  rt_sync_send (sync_fd, pc_error_class_name (cls), e, msg, -1, NULL);
  _exit (e == ENOENT ? 127 : 126);
}
