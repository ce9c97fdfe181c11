/* Exec sessions the monitor owns (`pc exec -d`, `pc exec -t`). The monitor
   is root in the container's user namespace, holds the runtime's handle on
   the container and is a child subreaper: the process it execs is its child
   (the runtime's exec clones it with CLONE_PARENT from a middle process),
   so it reaps it like the container and records its end.

   Records: STATE_DIR/exec/ID.json, written atomically,
     {"ID":"64 hex","Pid":N,"Running":true|false,"ExitCode":N,"Detached":bool,
      "Terminal":bool,"Command":[...]}
   `pc inspect` lists them as ExecIDs. As podman: a detached session stays
   listed after it exited; an attached one is removed once its client got
   the exit code.

   An attached session with a terminal: the client gets the pty master and
   relays it itself; the monitor keeps a copy it does not read while the
   client is connected, and drains (discards) once the client left (detach
   keys, a killed pc), so the process never blocks on a full pty. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "lib/proc.h"
#include "lib/xalloc.h"
#include "pkg/monitor/internal.h"
#include "pkg/monitor/protocol.h"

struct exec_session
{
  char id[65];
  pid_t pid;
  struct pc_runtime_ctr *proc;
  int console_fd;    /* the monitor's copy of the pty master, or -1 */
  bool draining;     /* console_fd is in the loop */
  int client_fd;     /* an attached session's connection, or -1 */
  bool detached;
  bool terminal;
  json_object *command;
  struct exec_session *next;
};

static struct exec_session *sessions;

static struct exec_session *
session_by_fd (int fd, bool console)
{
  for (struct exec_session *s = sessions; s; s = s->next)
    if ((console ? s->console_fd : s->client_fd) == fd)
      return s;
  return NULL;
}

static void
session_free (struct exec_session *s)
{
  for (struct exec_session **p = &sessions; *p; p = &(*p)->next)
    if (*p == s)
      {
        *p = s->next;
        break;
      }
  json_object_put (s->command);
  free (s);
}

static void
write_record (struct pc_monitor *m, struct exec_session *s, bool running, int exit_code)
{
  if (mkdirat (m->dirfd, PC_MONITOR_EXEC_DIR, 0700) < 0 && errno != EEXIST)
    {
      pc_monitor_log ("record exec session %.12s: mkdir: %s", s->id, strerror (errno));
      return;
    }
  pc_autoclose int dfd = openat (m->dirfd, PC_MONITOR_EXEC_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (dfd < 0)
    return;
  pc_autojson json_object *o = json_object_new_object ();
  json_object_object_add (o, "ID", json_object_new_string (s->id));
  json_object_object_add (o, "Pid", json_object_new_int64 (s->pid));
  json_object_object_add (o, "Running", json_object_new_boolean (running));
  json_object_object_add (o, "ExitCode", json_object_new_int (exit_code));
  json_object_object_add (o, "Detached", json_object_new_boolean (s->detached));
  json_object_object_add (o, "Terminal", json_object_new_boolean (s->terminal));
  json_object_object_add (o, "Command", json_object_get (s->command));
  const char *text = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN);
  char name[80];
  snprintf (name, sizeof name, "%s.json", s->id);
  pc_error *err = NULL;
  if (pc_mon_write_file (dfd, name, text, strlen (text), &err) < 0)
    {
      pc_monitor_log_error (err, "record an exec session");
      pc_error_free (err);
    }
}

static void
remove_record (struct pc_monitor *m, struct exec_session *s)
{
  pc_autoclose int dfd = openat (m->dirfd, PC_MONITOR_EXEC_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  char name[80];
  snprintf (name, sizeof name, "%s.json", s->id);
  if (dfd >= 0)
    unlinkat (dfd, name, 0);
}

static void
console_close (struct pc_monitor *m, struct exec_session *s)
{
  if (s->console_fd < 0)
    return;
  if (s->draining)
    pc_mloop_remove (&m->loop, s->console_fd);
  close (s->console_fd);
  s->console_fd = -1;
  s->draining = false;
}

/* Nobody reads the pty any more: what the process writes is dropped. */
static void
drain_event (struct pc_mloop *l, int fd, short revents, void *data)
{
  struct pc_monitor *m = data;
  struct exec_session *s = session_by_fd (fd, true);
  if (s == NULL)
    return;
  char buf[4096];
  ssize_t r = read (fd, buf, sizeof buf);
  if (r < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (r <= 0)
    console_close (m, s);
}

static void
start_draining (struct pc_monitor *m, struct exec_session *s)
{
  if (s->console_fd < 0 || s->draining)
    return;
  pc_set_nonblock (s->console_fd, true);
  pc_mloop_add (&m->loop, s->console_fd, POLLIN, drain_event, m);
  s->draining = true;
}

static void
client_gone (struct pc_monitor *m, struct exec_session *s)
{
  pc_mloop_remove (&m->loop, s->client_fd);
  close (s->client_fd);
  s->client_fd = -1;
  /* The user detached: the session is a detached one now, as podman's. */
  s->detached = true;
  write_record (m, s, true, -1);
  start_draining (m, s);
}

static void
exec_client_event (struct pc_mloop *l, int fd, short revents, void *data)
{
  struct pc_monitor *m = data;
  struct exec_session *s = session_by_fd (fd, false);
  if (s == NULL)
    return;
  char pkt[PC_MONITOR_PKT_MAX];
  ssize_t r = recv (fd, pkt, sizeof pkt, MSG_DONTWAIT);
  if (r < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  /* EOF, an error, or PC_MSG_DETACH: the client leaves. */
  if (r <= 0 || pkt[0] == PC_MSG_DETACH)
    client_gone (m, s);
}

static int
send_result (int fd, const pc_error *e, const char *id, int pass_fd)
{
  char *pkt = xmalloc (PC_MONITOR_PKT_MAX);
  pkt[0] = PC_MSG_EXEC_RESULT;
  size_t len = pc_mon_start_result_encode (pkt + 1, e ? (e->status ? e->status : EIO) : 0,
                                           pc_error_class_of (e), e ? e->msg : id);
  struct iovec iov = { .iov_base = pkt, .iov_len = len + 1 };
  union
  {
    struct cmsghdr h;
    char buf[CMSG_SPACE (sizeof (int))];
  } cm;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
  if (pass_fd >= 0)
    {
      memset (&cm, 0, sizeof cm);
      msg.msg_control = cm.buf;
      msg.msg_controllen = sizeof cm.buf;
      struct cmsghdr *h = CMSG_FIRSTHDR (&msg);
      h->cmsg_level = SOL_SOCKET;
      h->cmsg_type = SCM_RIGHTS;
      h->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (h), &pass_fd, sizeof pass_fd);
    }
  ssize_t r;
  do
    r = sendmsg (fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  free (pkt);
  return r < 0 ? -1 : 0;
}

static json_object *
read_request (int memfd, pc_error **err)
{
  struct stat st;
  if (memfd < 0)
    {
      pc_error_makec (err, PC_ERR_INVALID, EINVAL, "exec request without its description");
      return NULL;
    }
  if (fstat (memfd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_size <= 0
      || st.st_size > PC_MONITOR_EXEC_REQ_MAX)
    {
      pc_error_makec (err, PC_ERR_INVALID, EINVAL, "malformed exec request");
      return NULL;
    }
  pc_autofree char *buf = xmalloc ((size_t) st.st_size);
  size_t got = 0;
  while (got < (size_t) st.st_size)
    {
      ssize_t r = pread (memfd, buf + got, (size_t) st.st_size - got, (off_t) got);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        {
          pc_error_makec (err, PC_ERR_INVALID, EINVAL, "malformed exec request");
          return NULL;
        }
      got += (size_t) r;
    }
  json_object *o = pc_json_parse (buf, got, err);
  if (o && (!json_object_is_type (o, json_type_object) || pc_json_get_object (o, "process") == NULL))
    {
      json_object_put (o);
      pc_error_makec (err, PC_ERR_INVALID, EINVAL, "malformed exec request: no process");
      return NULL;
    }
  return o;
}

/* Runs the request's process; 0 with the session, or -1. */
static int
run_session (struct pc_monitor *m, json_object *req, struct exec_session **out,
             struct pc_runtime_created *info, pc_error **err)
{
  if (!m->started || m->exited || m->ctr == NULL)
    return pc_error_makec (err, PC_ERR_STATE, EINVAL,
                           "can only create exec sessions on running containers: container state improper");
  json_object *process = pc_json_get_object (req, "process");
  bool terminal = pc_json_get_bool (process, "terminal", false);
  /* The runtime takes seccomp and its cache from a spec: a small one. */
  pc_autojson json_object *spec = json_object_new_object ();
  json_object *lnx = json_object_new_object ();
  json_object *sc = pc_json_get_object (req, "seccomp");
  if (sc)
    json_object_object_add (lnx, "seccomp", json_object_get (sc));
  json_object_object_add (spec, "linux", lnx);
  const char *cache = pc_json_get_string (req, "seccompCache");
  if (cache)
    {
      json_object *ann = json_object_new_object ();
      json_object_object_add (ann, "run.pc.seccomp-cache", json_object_new_string (cache));
      json_object_object_add (spec, "annotations", ann);
    }
  struct pc_runtime_io io = { -1, -1, -1, terminal };
  struct pc_runtime_ctr *proc = NULL;
  if (m->rt->exec (m->ctr, spec, process, &io, &proc, info, err) < 0)
    return -1;
  if (info->tap_fd >= 0)
    close (info->tap_fd);
  if (m->rt->start (proc, err) < 0)
    {
      m->rt->abort (proc);
      if (info->console_fd >= 0)
        close (info->console_fd);
      return -1;
    }
  struct exec_session *s = xmalloc0 (sizeof *s);
  if (pc_random_id (s->id, err) < 0)
    {
      /* Running already: it stays owned, under a fallback id. */
      pc_error_clear (err);
      snprintf (s->id, sizeof s->id, "%064x", (unsigned) info->pid);
    }
  s->pid = info->pid;
  s->proc = proc;
  s->console_fd = info->console_fd;
  s->client_fd = -1;
  s->terminal = terminal;
  s->detached = pc_json_get_bool (req, "detach", false);
  json_object *args = pc_json_get_array (process, "args");
  s->command = args ? json_object_get (args) : json_object_new_array ();
  s->next = sessions;
  sessions = s;
  *out = s;
  return 0;
}

void
pc_mon_exec_request (struct pc_monitor *m, struct pc_mon_client *c, int memfd)
{
  pc_error *err = NULL;
  pc_autojson json_object *req = read_request (memfd, &err);
  if (memfd >= 0)
    close (memfd);
  struct exec_session *s = NULL;
  struct pc_runtime_created info = { .pid = -1, .console_fd = -1, .tap_fd = -1 };
  if (req == NULL || run_session (m, req, &s, &info, &err) < 0 || s == NULL)
    {
      char *pkt = xmalloc (PC_MONITOR_PKT_MAX);
      pkt[0] = PC_MSG_EXEC_RESULT;
      size_t len = pc_mon_start_result_encode (pkt + 1, err && err->status ? err->status : EIO,
                                               pc_error_class_of (err), err ? err->msg : "exec failed");
      pc_mon_client_send (m, c, pkt, 1 + len);
      free (pkt);
      pc_error_free (err);
      return;
    }
  write_record (m, s, true, -1);
  if (s->detached)
    {
      /* Nothing to relay: the connection stays an ordinary client's. */
      start_draining (m, s);
      send_result (c->fd, NULL, s->id, -1);
      return;
    }
  int fd = pc_mon_client_take (m, c);
  if (send_result (fd, NULL, s->id, s->console_fd) < 0)
    {
      close (fd);
      s->detached = true;
      start_draining (m, s);
      return;
    }
  s->client_fd = fd;
  pc_mloop_add (&m->loop, fd, POLLIN, exec_client_event, m);
}

bool
pc_mon_exec_reaped (struct pc_monitor *m, pid_t pid, int status)
{
  struct exec_session *s = NULL;
  for (s = sessions; s; s = s->next)
    if (s->pid == pid)
      break;
  if (s == NULL)
    return false;
  int code = WIFEXITED (status) ? WEXITSTATUS (status) : WIFSIGNALED (status) ? 128 + WTERMSIG (status) : 255;
  pc_error *err = NULL;
  if (m->rt->delete (s->proc, &err) < 0)
    {
      pc_error_free (err);
      m->rt->abort (s->proc);
    }
  s->proc = NULL;
  if (s->client_fd >= 0)
    {
      char pkt[1 + sizeof (int32_t)];
      int32_t c32 = code;
      pkt[0] = PC_MSG_EXEC_EXIT;
      memcpy (pkt + 1, &c32, sizeof c32);
      bool told = send (s->client_fd, pkt, sizeof pkt, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t) sizeof pkt;
      pc_mloop_remove (&m->loop, s->client_fd);
      close (s->client_fd);
      s->client_fd = -1;
      if (told)
        remove_record (m, s);
      else
        write_record (m, s, false, code);
    }
  else
    write_record (m, s, false, code);
  console_close (m, s);
  session_free (s);
  return true;
}
