/* The sync socket between pc and the container process: a SOCK_SEQPACKET
   socketpair carrying one JSON object per message,
     {"type":"mapped"}          parent -> child: id maps written
     {"type":"ready"}           child -> parent: stopped before exec (+ pty master fd)
     {"type":"start"}           parent -> child: exec now
     {"type":"error","errno":N,"message":"..."}   child -> parent
   The child's end is close-on-exec, so EOF after "start" means exec worked. */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/runtime/internal.h"

#define RT_SYNC_MAX 8192

int
rt_sync_send (int fd, const char *type, int errnum, const char *message, int pass_fd,
              pc_error **err)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "type", json_object_new_string (type));
  if (errnum)
    json_object_object_add (o, "errno", json_object_new_int (errnum));
  if (message)
    json_object_object_add (o, "message", json_object_new_string (message));
  const char *s = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN);
  size_t len = strlen (s);
  if (len > RT_SYNC_MAX)
    len = RT_SYNC_MAX;

  struct iovec iov = { .iov_base = (void *) s, .iov_len = len };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } ctl;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
  if (pass_fd >= 0)
    {
      memset (&ctl, 0, sizeof ctl);
      msg.msg_control = ctl.buf;
      msg.msg_controllen = sizeof ctl.buf;
      struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (c), &pass_fd, sizeof (int));
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
rt_sync_recv (int fd, char **type, int *errnum, char **message, int *recv_fd, pc_error **err)
{
  char buf[RT_SYNC_MAX + 1];
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } ctl;
  struct iovec iov = { .iov_base = buf, .iov_len = RT_SYNC_MAX };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
  *type = NULL;
  if (errnum)
    *errnum = 0;
  if (message)
    *message = NULL;
  if (recv_fd)
    *recv_fd = -1;

  ssize_t r;
  do
    r = recvmsg (fd, &msg, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return pc_error_errno (err, errno, "read from the sync socket");

  for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c; c = CMSG_NXTHDR (&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      {
        int got;
        memcpy (&got, CMSG_DATA (c), sizeof got);
        if (recv_fd && *recv_fd < 0)
          *recv_fd = got;
        else
          close (got);
      }
  if (r == 0)
    return 0;
  buf[r] = '\0';

  json_tokener *tok = json_tokener_new ();
  json_object *o = json_tokener_parse_ex (tok, buf, (int) r);
  json_tokener_free (tok);
  json_object *t = NULL;
  if (o == NULL || !json_object_object_get_ex (o, "type", &t) || !json_object_is_type (t, json_type_string))
    {
      json_object_put (o);
      if (recv_fd && *recv_fd >= 0)
        {
          close (*recv_fd);
          *recv_fd = -1;
        }
      return pc_error_make (err, EPROTO, "malformed message on the sync socket: %.200s", buf);
    }
  *type = xstrdup (json_object_get_string (t));
  json_object *v = NULL;
  if (errnum && json_object_object_get_ex (o, "errno", &v))
    *errnum = json_object_get_int (v);
  if (message && json_object_object_get_ex (o, "message", &v))
    *message = xstrdup (json_object_get_string (v));
  json_object_put (o);
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
