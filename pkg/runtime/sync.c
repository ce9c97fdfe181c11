/* The sync socket between pc and the container process: a SOCK_SEQPACKET
   socketpair carrying one JSON object per message,
     {"type":"mapped"}          parent -> child: id maps written
     {"type":"ready","fds":["console","tap","netns","seccomp"]}
                                child -> parent: stopped before exec, with the
                                fds it passes (pty master, tap device, its
                                new network namespace, the listener of its
                                seccomp notification filter)
     {"type":"start"}           parent -> child: exec now
     {"type":"error","errno":N,"message":"..."}   child -> parent
   Any message may carry up to RT_SYNC_MAX_FDS fds over SCM_RIGHTS; "fds"
   names the kind of each, in the order they travel. A receiver closes fds
   of a kind it does not know, so a newer child can pass more.
   The child's end is close-on-exec, so EOF after "start" means exec worked. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/runtime/internal.h"

#define RT_SYNC_MAX 8192
#define RT_SYNC_MESSAGE_MAX 1024

static const char *const fd_kind_names[RT_SYNC_FD__COUNT] = {
  [RT_SYNC_FD_CONSOLE] = "console",
  [RT_SYNC_FD_TAP] = "tap",
  [RT_SYNC_FD_NETNS] = "netns",
  [RT_SYNC_FD_SECCOMP] = "seccomp",
};

void
rt_sync_fds_init (int fds[RT_SYNC_FD__COUNT])
{
  for (int i = 0; i < RT_SYNC_FD__COUNT; i++)
    fds[i] = -1;
}

void
rt_sync_fds_close (int fds[RT_SYNC_FD__COUNT])
{
  for (int i = 0; i < RT_SYNC_FD__COUNT; i++)
    if (fds[i] >= 0)
      {
        close (fds[i]);
        fds[i] = -1;
      }
}

int
rt_sync_send_fds (int fd, const char *type, int errnum, const char *message,
                  const int fds[RT_SYNC_FD__COUNT], pc_error **err)
{
  int pass[RT_SYNC_MAX_FDS];
  size_t n = 0;
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "type", json_object_new_string (type));
  if (errnum)
    json_object_object_add (o, "errno", json_object_new_int (errnum));
  if (message)
    {
      /* Cut before encoding, so the message stays whole JSON: 1 KiB even
         escaped six-fold (\u00XX) fits RT_SYNC_MAX with the rest. */
      size_t mlen = strlen (message);
      if (mlen > RT_SYNC_MESSAGE_MAX)
        {
          /* Its head and its tail: the cause (strerror) comes last. */
          pc_autofree char *cut = xasprintf ("%.*s...%s", RT_SYNC_MESSAGE_MAX / 2, message,
                                             message + mlen - RT_SYNC_MESSAGE_MAX / 2);
          json_object_object_add (o, "message", json_object_new_string (cut));
        }
      else
        json_object_object_add (o, "message", json_object_new_string (message));
    }
  if (fds)
    {
      json_object *kinds = json_object_new_array ();
      for (int k = 0; k < RT_SYNC_FD__COUNT && n < RT_SYNC_MAX_FDS; k++)
        if (fds[k] >= 0)
          {
            pass[n++] = fds[k];
            json_object_array_add (kinds, json_object_new_string (fd_kind_names[k]));
          }
      json_object_object_add (o, "fds", kinds);
    }
  const char *s = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN);
  size_t len = strlen (s);
  if (len > RT_SYNC_MAX)
    len = RT_SYNC_MAX;

  struct iovec iov = { .iov_base = (void *) s, .iov_len = len };
  union
  {
    char buf[CMSG_SPACE (sizeof (int) * RT_SYNC_MAX_FDS)];
    struct cmsghdr align;
  } ctl;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
  if (n > 0)
    {
      memset (&ctl, 0, sizeof ctl);
      msg.msg_control = ctl.buf;
      msg.msg_controllen = CMSG_SPACE (sizeof (int) * n);
      struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN (sizeof (int) * n);
      memcpy (CMSG_DATA (c), pass, sizeof (int) * n);
    }
  ssize_t r;
  do
    r = sendmsg (fd, &msg, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  int saved = errno;
  json_object_put (o);
  if (r < 0)
    return pc_error_errno (err, saved, "send `%s` on the sync socket", type);
  return 0;
}

int
rt_sync_send (int fd, const char *type, int errnum, const char *message, int pass_fd,
              pc_error **err)
{
  int fds[RT_SYNC_FD__COUNT];
  rt_sync_fds_init (fds);
  fds[RT_SYNC_FD_CONSOLE] = pass_fd;
  return rt_sync_send_fds (fd, type, errnum, message, pass_fd >= 0 ? fds : NULL, err);
}

static int
fd_kind_from_name (const char *name)
{
  for (int k = 0; k < RT_SYNC_FD__COUNT; k++)
    if (strcmp (fd_kind_names[k], name) == 0)
      return k;
  return -1;
}

/* Gives each received fd its kind from the message's "fds"; closes what
   has no known kind. A count that does not match is a malformed message. */
static int
assign_fds (json_object *o, int *got, size_t n_got, int fds[RT_SYNC_FD__COUNT], pc_error **err)
{
  json_object *kinds = NULL;
  size_t n_kinds = 0;
  if (json_object_object_get_ex (o, "fds", &kinds))
    {
      if (!json_object_is_type (kinds, json_type_array))
        return pc_error_make (err, EPROTO, "malformed message on the sync socket: \"fds\" is not an array");
      n_kinds = json_object_array_length (kinds);
    }
  if (n_kinds != n_got)
    return pc_error_make (err, EPROTO, "the sync message names %zu fds but carries %zu", n_kinds, n_got);
  for (size_t i = 0; i < n_got; i++)
    {
      json_object *k = json_object_array_get_idx (kinds, i);
      int kind = json_object_is_type (k, json_type_string) ? fd_kind_from_name (json_object_get_string (k)) : -1;
      if (kind < 0 || fds[kind] >= 0)
        continue;
      fds[kind] = got[i];
      got[i] = -1;
    }
  return 0;
}

int
rt_sync_recv_fds (int fd, char **type, int *errnum, char **message, int fds[RT_SYNC_FD__COUNT],
                  pc_error **err)
{
  char buf[RT_SYNC_MAX + 1];
  union
  {
    /* Room for more than we take: a message with too many is refused
       whole instead of cut (MSG_CTRUNC would drop fds unseen). */
    char buf[CMSG_SPACE (sizeof (int) * RT_SYNC_MAX_FDS * 2)];
    struct cmsghdr align;
  } ctl;
  struct iovec iov = { .iov_base = buf, .iov_len = RT_SYNC_MAX };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
  int got[RT_SYNC_MAX_FDS * 2];
  size_t n_got = 0;
  *type = NULL;
  if (errnum)
    *errnum = 0;
  if (message)
    *message = NULL;
  int local[RT_SYNC_FD__COUNT];
  if (fds == NULL)
    fds = local;
  rt_sync_fds_init (fds);

  ssize_t r;
  do
    r = recvmsg (fd, &msg, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return pc_error_errno (err, errno, "read from the sync socket");

  for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c; c = CMSG_NXTHDR (&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      {
        size_t n = (c->cmsg_len - CMSG_LEN (0)) / sizeof (int);
        for (size_t i = 0; i < n; i++)
          {
            int one;
            memcpy (&one, CMSG_DATA (c) + i * sizeof (int), sizeof one);
            if (n_got < sizeof got / sizeof got[0])
              got[n_got++] = one;
            else
              close (one);
          }
      }
  int ret = 0;
  json_object *o = NULL;
  if (r == 0)
    goto out;
  buf[r] = '\0';

  json_tokener *tok = json_tokener_new ();
  o = json_tokener_parse_ex (tok, buf, (int) r);
  json_tokener_free (tok);
  json_object *t = NULL;
  if (o == NULL || !json_object_object_get_ex (o, "type", &t) || !json_object_is_type (t, json_type_string))
    {
      ret = pc_error_make (err, EPROTO, "malformed message on the sync socket: %.200s", buf);
      goto out;
    }
  if (n_got > RT_SYNC_MAX_FDS)
    {
      ret = pc_error_make (err, EPROTO, "the sync message carries %zu fds, at most %d are allowed",
                           n_got, RT_SYNC_MAX_FDS);
      goto out;
    }
  if (assign_fds (o, got, n_got, fds, err) < 0)
    {
      ret = -1;
      goto out;
    }
  *type = xstrdup (json_object_get_string (t));
  json_object *v = NULL;
  if (errnum && json_object_object_get_ex (o, "errno", &v))
    *errnum = json_object_get_int (v);
  if (message && json_object_object_get_ex (o, "message", &v))
    *message = xstrdup (json_object_get_string (v));

out:
  json_object_put (o);
  for (size_t i = 0; i < n_got; i++)
    if (got[i] >= 0)
      close (got[i]);
  if (ret < 0 || fds == local)
    rt_sync_fds_close (fds);
  return ret;
}

int
rt_sync_recv (int fd, char **type, int *errnum, char **message, int *recv_fd, pc_error **err)
{
  int fds[RT_SYNC_FD__COUNT];
  if (recv_fd)
    *recv_fd = -1;
  if (rt_sync_recv_fds (fd, type, errnum, message, fds, err) < 0)
    return -1;
  if (recv_fd)
    *recv_fd = steal_fd (&fds[RT_SYNC_FD_CONSOLE]);
  rt_sync_fds_close (fds);
  return 0;
}

/* Waits for `type`; an "error" message or EOF becomes the error. */
int
rt_sync_wait_for (int fd, const char *type, int *recv_fd, pc_error **err)
{
  pc_autofree char *got = NULL;
  pc_autofree char *message = NULL;
  int errnum = 0;
  if (rt_sync_recv (fd, &got, &errnum, &message, recv_fd, err) < 0)
    return -1;
  if (got == NULL)
    return pc_error_make (err, EPIPE, "the other end of the sync socket closed before `%s`", type);
  if (strcmp (got, "error") == 0)
    return pc_error_make (err, errnum, "%s", message ? message : "unknown error");
  if (strcmp (got, type) != 0)
    return pc_error_make (err, EPROTO, "expected `%s` on the sync socket, got `%s`", type, got);
  return 0;
}

/* The middle process of a pid namespace join reports the real child's pid
   ("pid" message), then exits; it is reaped here. */
int
rt_sync_recv_pid (int fd, pid_t middle, pid_t *pid, pc_error **err)
{
  pc_autofree char *type = NULL;
  pc_autofree char *message = NULL;
  int errnum = 0, status = 0;
  int r = rt_sync_recv (fd, &type, &errnum, &message, NULL, err);
  while (waitpid (middle, &status, 0) < 0 && errno == EINTR)
    ;
  if (r < 0)
    return -1;
  if (type != NULL && strcmp (type, "pid") == 0 && message != NULL)
    {
      *pid = (pid_t) atoi (message);
      return 0;
    }
  if (type != NULL && strcmp (type, "error") == 0)
    return pc_error_make (err, errnum, "%s", message ? message : "setup failed");
  return pc_error_make (err, EIO, "the helper process that joins the pid namespace failed (status %d)",
                        WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
}

int
rt_gate_open (int gate[2])
{
  return pipe2 (gate, O_CLOEXEC);
}

void
rt_gate_wait (int gate[2])
{
  char c;
  close (gate[1]);
  while (read (gate[0], &c, 1) < 0 && errno == EINTR)
    ;
  close (gate[0]);
}

void
rt_gate_release (int gate[2])
{
  close (gate[0]);
  close (gate[1]);
}
