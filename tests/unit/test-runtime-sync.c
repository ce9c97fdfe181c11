/* The runtime's sync messages: several typed fds per message (console and
   tap travel together), unknown kinds closed, malformed fd lists refused
   without leaking what came with them. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pkg/runtime/internal.h"
#include "tests/unit/tap.h"

static int
count_fds (void)
{
  DIR *d = opendir ("/proc/self/fd");
  int n = 0;
  if (d == NULL)
    return -1;
  while (readdir (d))
    n++;
  closedir (d);
  return n;
}

/* True when writing into w comes out of r. */
static bool
same_pipe (int r, int w)
{
  char c = 0;
  return write (w, "k", 1) == 1 && read (r, &c, 1) == 1 && c == 'k';
}

/* Sends raw JSON with n fds, as a child of another version might. */
static void
send_raw (int sock, const char *json, const int *fds, size_t n)
{
  struct iovec iov = { .iov_base = (void *) json, .iov_len = strlen (json) };
  union
  {
    char buf[CMSG_SPACE (sizeof (int) * 8)];
    struct cmsghdr align;
  } ctl;
  memset (&ctl, 0, sizeof ctl);
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                        .msg_controllen = CMSG_SPACE (sizeof (int) * n) };
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int) * n);
  memcpy (CMSG_DATA (c), fds, sizeof (int) * n);
  if (sendmsg (sock, &msg, 0) < 0)
    abort ();
}

int
main (void)
{
  int sv[2], con[2], tap[2], extra[2];
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 || pipe (con) < 0
      || pipe (tap) < 0 || pipe (extra) < 0)
    return 1;
  int base = count_fds ();

  /* console and tap in one message */
  int fds[RT_SYNC_FD__COUNT];
  rt_sync_fds_init (fds);
  fds[RT_SYNC_FD_CONSOLE] = con[0];
  fds[RT_SYNC_FD_TAP] = tap[0];
  pc_error *err = NULL;
  is_int (rt_sync_send_fds (sv[1], "ready", 0, "info", fds, &err), 0, "send ready with console and tap");
  char *type = NULL, *message = NULL;
  int errnum = -1, got[RT_SYNC_FD__COUNT];
  is_int (rt_sync_recv_fds (sv[0], &type, &errnum, &message, got, &err), 0, "receive it");
  is_str (type, "ready", "type");
  is_str (message, "info", "message");
  ok (got[RT_SYNC_FD_CONSOLE] >= 0 && same_pipe (got[RT_SYNC_FD_CONSOLE], con[1]),
      "the console fd arrives as the console");
  ok (got[RT_SYNC_FD_TAP] >= 0 && same_pipe (got[RT_SYNC_FD_TAP], tap[1]), "the tap fd arrives as the tap");
  rt_sync_fds_close (got);
  free (type);
  free (message);

  /* only a tap: the console slot stays empty */
  rt_sync_fds_init (fds);
  fds[RT_SYNC_FD_TAP] = tap[0];
  rt_sync_send_fds (sv[1], "ready", 0, NULL, fds, NULL);
  rt_sync_recv_fds (sv[0], &type, NULL, NULL, got, NULL);
  ok (got[RT_SYNC_FD_CONSOLE] == -1 && got[RT_SYNC_FD_TAP] >= 0
      && same_pipe (got[RT_SYNC_FD_TAP], tap[1]), "a tap alone is a tap, not a console");
  rt_sync_fds_close (got);
  free (type);

  /* the one-fd wrappers still work against each other */
  rt_sync_send (sv[1], "ready", 0, NULL, con[0], NULL);
  int one = -1;
  is_int (rt_sync_recv (sv[0], &type, NULL, NULL, &one, NULL), 0, "rt_sync_recv takes a console");
  ok (one >= 0 && same_pipe (one, con[1]), "the single fd is the console");
  close (one);
  free (type);

  /* a kind this side does not know is closed; the known one is kept */
  int two[2] = { con[0], extra[0] };
  send_raw (sv[1], "{\"type\":\"ready\",\"fds\":[\"console\",\"mystery\"]}", two, 2);
  is_int (rt_sync_recv_fds (sv[0], &type, NULL, NULL, got, &err), 0, "unknown fd kind is not an error");
  ok (got[RT_SYNC_FD_CONSOLE] >= 0 && got[RT_SYNC_FD_TAP] == -1, "the console is kept, the unknown one dropped");
  rt_sync_fds_close (got);
  free (type);
  is_int (count_fds (), base, "no fd left open after an unknown kind");

  /* names and fds that do not match are refused, and nothing leaks */
  send_raw (sv[1], "{\"type\":\"ready\",\"fds\":[\"console\"]}", two, 2);
  is_int (rt_sync_recv_fds (sv[0], &type, NULL, NULL, got, &err), -1, "two fds for one name are refused");
  ok (err && err->status == EPROTO, "with EPROTO");
  pc_error_clear (&err);
  ok (type == NULL && got[0] == -1 && got[1] == -1, "and nothing handed out");
  is_int (count_fds (), base, "no fd leaked from a refused message");

  int many[6] = { con[0], con[0], con[0], tap[0], tap[0], tap[0] };
  send_raw (sv[1], "{\"type\":\"ready\",\"fds\":[\"console\",\"tap\",\"a\",\"b\",\"c\",\"d\"]}", many, 6);
  is_int (rt_sync_recv_fds (sv[0], &type, NULL, NULL, got, &err), -1, "more than RT_SYNC_MAX_FDS are refused");
  pc_error_clear (&err);
  is_int (count_fds (), base, "no fd leaked from too many");

  /* a message without fds, receiver not asking for any */
  rt_sync_send_fds (sv[1], "start", 0, NULL, NULL, NULL);
  is_int (rt_sync_recv_fds (sv[0], &type, NULL, NULL, NULL, NULL), 0, "plain message");
  is_str (type, "start", "its type");
  free (type);
  send_raw (sv[1], "{\"type\":\"ready\",\"fds\":[\"console\"]}", two, 1);
  rt_sync_recv_fds (sv[0], &type, NULL, NULL, NULL, NULL);
  free (type);
  is_int (count_fds (), base, "fds sent to a receiver that wants none are closed");

  /* EOF */
  close (sv[1]);
  is_int (rt_sync_recv_fds (sv[0], &type, NULL, NULL, got, NULL), 0, "EOF is not an error");
  ok (type == NULL, "EOF gives no type");
  return done_testing ();
}
