/* pc exec: another process in a running container. The pc process stays in
   the initial user namespace (it enters none of its own), holds a pidfd of
   the container's pid 1 checked against its recorded start time, and the
   runtime's exec process joins every namespace of the container through
   that pidfd, its user namespace included. The process's stdio are pipes
   pc relays: it never holds one of the user's own fds (a terminal could be
   driven from inside with TIOCSTI). */
#include "pkg/engine/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/xalloc.h"
#include "pkg/engine/exec-session.h"
#include "pkg/monitor/monitor.h"
#include "pkg/runtime/runtime.h"
#include "pkg/storage/storage.h"
#include "pkg/engine/events.h"

static json_object *
strv_json (char **v)
{
  json_object *a = json_object_new_array ();
  for (; v && *v; v++)
    json_object_array_add (a, json_object_new_string (*v));
  return a;
}

/* The container's process object with the exec's changes. */
static json_object *
exec_process_spec (json_object *spec, const struct pc_exec_opts *o, pc_error **err)
{
  json_object *src = pc_json_get (spec, "process");
  if (src == NULL || !json_object_is_type (src, json_type_object))
    {
      pc_error_make (err, EINVAL, "the container's config.json has no process");
      return NULL;
    }
  pc_autojson json_object *p = NULL;
  if (json_object_deep_copy (src, &p, NULL) < 0)
    {
      pc_error_make (err, ENOMEM, "copy the container's process");
      return NULL;
    }
  json_object_object_add (p, "args", strv_json (o->command));
  json_object_object_add (p, "terminal", json_object_new_boolean (o->tty));
  json_object_object_del (p, "consoleSize");
  struct winsize ws;
  if (o->tty && (ioctl (0, TIOCGWINSZ, &ws) == 0 || ioctl (1, TIOCGWINSZ, &ws) == 0)
      && ws.ws_row > 0 && ws.ws_col > 0)
    {
      json_object *cs = json_object_new_object ();
      json_object_object_add (cs, "height", json_object_new_int (ws.ws_row));
      json_object_object_add (cs, "width", json_object_new_int (ws.ws_col));
      json_object_object_add (p, "consoleSize", cs);
    }

  pc_autostrv char **env = NULL;
  json_object *cenv = pc_json_get (p, "env");
  for (size_t i = 0; cenv && json_object_is_type (cenv, json_type_array)
                     && i < json_object_array_length (cenv); i++)
    {
      const char *kv = json_object_get_string (json_object_array_get_idx (cenv, i));
      if (kv && strchr (kv, '='))
        eng_env_add_user (&env, kv);
    }
  for (char **f = o->env_files; f && *f; f++)
    if (pc_engine_parse_env_file (*f, &env, err) < 0)
      return NULL;
  for (char **v = o->env; v && *v; v++)
    eng_env_add_user (&env, *v);
  /* As podman: TERM for a terminal, unless the user set one. */
  bool has_term = false;
  for (char **v = env; v && *v; v++)
    has_term |= strncmp (*v, "TERM=", 5) == 0;
  if (o->tty && !has_term)
    eng_env_add_user (&env, "TERM=xterm");
  json_object_object_add (p, "env", strv_json (env));
  if (o->workdir)
    json_object_object_add (p, "cwd", json_object_new_string (o->workdir));

  if (o->user)
    {
      struct pc_rootfs_mount m;
      if (eng_rootfs_from_spec (spec, &m, err) < 0)
        return NULL;
      struct eng_user u;
      int r = eng_resolve_user (&m, o->user, &u, err);
      pc_rootfs_mount_clear (&m);
      /* An exec's user that is not there is not a command that cannot be
         invoked: podman's exec fails it as it does a stopped container. */
      if (r < 0)
        {
          if (pc_error_class_of (*err) == PC_ERR_CANNOT_INVOKE)
            pc_error_set_class (err, PC_ERR_INVALID);
          return NULL;
        }
      free (u.home);
      json_object *user = json_object_new_object ();
      json_object_object_add (user, "uid", json_object_new_int64 (u.uid));
      json_object_object_add (user, "gid", json_object_new_int64 (u.gid));
      json_object *groups = json_object_new_array ();
      for (size_t i = 0; i < u.n_groups; i++)
        json_object_array_add (groups, json_object_new_int64 (u.groups[i]));
      json_object_object_add (user, "additionalGids", groups);
      json_object *old = pc_json_get (pc_json_get (src, "user"), "umask");
      if (old)
        json_object_object_add (user, "umask", json_object_get (old));
      json_object_object_add (p, "user", user);
      /* As for the container's own user: a non-root user keeps no
         capabilities but the bounding set. */
      json_object *caps = pc_json_get (p, "capabilities");
      if (u.uid != 0 && caps && json_object_is_type (caps, json_type_object))
        {
          static const char *const sets[] = { "effective", "permitted", "inheritable", "ambient" };
          for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
            json_object_object_add (caps, sets[i], json_object_new_array ());
        }
    }
  if (o->privileged)
    {
      /* podman's exec --privileged: every capability (of the container's
         user namespace, rootless), and no seccomp filter (the caller drops
         linux.seccomp). */
      size_t n;
      const char *const *all = pc_runtime_all_caps (&n);
      json_object *caps = json_object_new_object ();
      static const char *const sets[] = { "bounding", "effective", "permitted" };
      for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        {
          json_object *a = json_object_new_array ();
          for (size_t k = 0; k < n; k++)
            if (all[k])
              json_object_array_add (a, json_object_new_string (all[k]));
          json_object_object_add (caps, sets[i], a);
        }
      json_object_object_add (p, "capabilities", caps);
    }
  return steal_pointer (&p);
}

/* One direction of the relay. Reads only when what was read before is
   written out, and never blocks on the write: the process may be filling
   its stdout while it is not reading its stdin. */
struct relay
{
  int from, to;
  bool open;
  char buf[65536];
  size_t off, len;
};

/* false at EOF or when the other end is gone. */
static bool
relay_read (struct relay *r)
{
  ssize_t n = read (r->from, r->buf, sizeof r->buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return true;
  if (n <= 0)
    return false;
  r->off = 0;
  r->len = (size_t) n;
  return true;
}

static bool
relay_write (struct relay *r)
{
  while (r->off < r->len)
    {
      ssize_t n = write (r->to, r->buf + r->off, r->len - r->off);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return true;
      if (n <= 0)
        return false;
      r->off += (size_t) n;
    }
  r->off = r->len = 0;
  return true;
}

static int
wait_status (pid_t pid)
{
  int status = 0;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return 125;
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return 128 + WTERMSIG (status);
}

/* Relays stdin (when given), stdout and stderr until the process has exited
   and its output is drained; returns its exit code. */
static int
relay_until_exit (pid_t pid, int in_w, int out_r, int err_r)
{
  pc_autoclose int pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  /* 192 KiB of buffers: allocated (mmap'd by malloc, given back after), not
     static, where a .bss array would spread pc's small variables over more
     pages in every process, monitors included. */
  pc_autofree struct relay *r = xmalloc0 (3 * sizeof *r);
  r[0].from = 0, r[0].to = in_w, r[0].open = in_w >= 0;
  r[1].from = out_r, r[1].to = 1, r[1].open = true;
  r[2].from = err_r, r[2].to = 2, r[2].open = true;
  if (in_w >= 0)
    pc_set_nonblock (in_w, true);
  bool exited = pidfd < 0;
  while (r[1].open || r[2].open)
    {
      struct pollfd pf[4];
      int idx[4];
      nfds_t n = 0;
      for (int i = 0; i < 3; i++)
        if (r[i].open)
          {
            bool pending = r[i].len > 0;
            pf[n] = (struct pollfd) { .fd = pending ? r[i].to : r[i].from,
                                      .events = pending ? POLLOUT : POLLIN };
            idx[n++] = i;
          }
      if (!exited)
        {
          pf[n] = (struct pollfd) { .fd = pidfd, .events = POLLIN };
          idx[n++] = -1;
        }
      /* Once it has exited, output left in the pipes is drained, but a
         background child that keeps them open is not waited for. */
      int k = poll (pf, n, exited ? 0 : -1);
      if (k < 0 && errno == EINTR)
        continue;
      if (k <= 0)
        break;
      for (nfds_t i = 0; i < n; i++)
        {
          if (!(pf[i].revents & (POLLIN | POLLOUT | POLLHUP | POLLERR)))
            continue;
          if (idx[i] < 0)
            {
              exited = true;
              continue;
            }
          struct relay *x = &r[idx[i]];
          bool ok = x->len > 0 ? relay_write (x) : relay_read (x) && relay_write (x);
          if (!ok)
            {
              x->open = false;
              if (idx[i] == 0)
                {
                  close (in_w);   /* EOF for the process */
                  in_w = -1;
                }
            }
        }
    }
  if (in_w >= 0)
    close (in_w);
  return wait_status (pid);
}

int
pc_engine_exec (struct pc_engine *e, struct pc_container *c, const struct pc_exec_opts *o,
                int *exit_code, pc_error **err)
{
  if (o->command == NULL || o->command[0] == NULL)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "must provide a non-empty command to start an exec session: invalid argument");
  eng_state_read (e, c, true);
  if (c->state.status != PC_STATUS_RUNNING)
    return pc_error_makec (err, PC_ERR_STATE, EINVAL,
                           "can only create exec sessions on running containers: container state improper");
  pc_autoclose int pidfd = (int) syscall (SYS_pidfd_open, c->state.pid, 0);
  /* Checked once the pidfd is open: if pid 1 still has its recorded start
     time, the pidfd is the container's and no reused pid can slip in. */
  if (pidfd < 0 || c->state.pid_start == 0
      || eng_proc_start_time (c->state.pid) != c->state.pid_start)
    return pc_error_makec (err, PC_ERR_STATE, ESRCH,
                           "can only create exec sessions on running containers: container state improper");

  pc_autofree char *spath = xasprintf ("%s/config.json", c->id);
  pc_autojson json_object *spec = pc_json_read_file (e->ctr_dfd, spath, err);
  if (spec == NULL)
    return pc_error_wrap (err, "container %s", c->id);
  pc_autojson json_object *process = exec_process_spec (spec, o, err);
  if (process == NULL)
    return -1;
  pc_engine_event_container (e, c, "exec");
  json_object *lnx = pc_json_get_object (spec, "linux");
  if (o->privileged && lnx)
    json_object_object_del (lnx, "seccomp");
  if (o->tty || o->detach)
    {
      pc_autofree char *state_dir = pc_container_state_dir (e, c);
      return eng_exec_session (state_dir, spec, process, o, exit_code, err);
    }

  int in_p[2] = { -1, -1 }, out_p[2], err_p[2];
  if ((o->interactive && pipe2 (in_p, O_CLOEXEC) < 0) || pipe2 (out_p, O_CLOEXEC) < 0)
    return pc_error_errno (err, errno, "pipe");
  if (pipe2 (err_p, O_CLOEXEC) < 0)
    {
      int saved = errno;
      close (out_p[0]);
      close (out_p[1]);
      return pc_error_errno (err, saved, "pipe");
    }
  struct pc_runtime_io io = { in_p[0], out_p[1], err_p[1], false, o->preserve_fds };
  /* The container's runtime; an external one would be named in its record. */
  const struct pc_runtime_ops *rt = pc_runtime_builtin ();
  struct pc_runtime_ctr *ctr = NULL, *proc = NULL;
  struct pc_runtime_created info;
  int r = rt->open (c->id, pidfd, c->state.pid, &ctr, err);
  if (r == 0)
    r = rt->exec (ctr, spec, process, &io, &proc, &info, err);
  /* The process holds its ends now. */
  pc_closep (&in_p[0]);
  pc_closep (&out_p[1]);
  pc_closep (&err_p[1]);
  if (ctr != NULL)
    rt->delete (ctr, NULL);   /* a handle from open: only released */
  if (r == 0)
    pc_debug ("exec process %d created in container %s", (int) info.pid, c->id);
  if (r == 0 && rt->start (proc, err) < 0)
    {
      /* The exec failed (not found, cannot invoke): the process is gone. */
      rt->abort (proc);
      r = -1;
    }
  if (r < 0)
    {
      if (in_p[1] >= 0)
        close (in_p[1]);
      close (out_p[0]);
      close (err_p[0]);
      return -1;
    }
  pc_set_nonblock (out_p[0], true);
  pc_set_nonblock (err_p[0], true);
  *exit_code = relay_until_exit (info.pid, in_p[1], out_p[0], err_p[0]);
  close (out_p[0]);
  close (err_p[0]);
  if (info.console_fd >= 0)
    close (info.console_fd);
  if (info.tap_fd >= 0)
    close (info.tap_fd);
  /* Reaped by relay_until_exit: the handle only goes. */
  if (rt->delete (proc, NULL) < 0)
    rt->abort (proc);
  return 0;
}
