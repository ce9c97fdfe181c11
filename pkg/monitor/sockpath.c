/* sun_path holds 108 bytes, state dirs can be longer: both sides reach the
   socket through /proc/self/fd/N of a dir fd, as conmon does. Also the
   attach protocol's version check and START_RESULT packets, which both
   sides share. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "pkg/monitor/internal.h"
#include "pkg/monitor/protocol.h"

static void
fd_path (struct sockaddr_un *sa, int dirfd, const char *name)
{
  memset (sa, 0, sizeof *sa);
  sa->sun_family = AF_UNIX;
  snprintf (sa->sun_path, sizeof sa->sun_path, "/proc/self/fd/%d/%s", dirfd, name);
}

int
pc_mon_socket_bind (int dirfd, const char *name, pc_error **err)
{
  struct sockaddr_un sa;
  pc_autoclose int fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return pc_error_errno (err, errno, "create attach socket");
  fd_path (&sa, dirfd, name);
  /* A socket left by a monitor that was killed. */
  if (unlinkat (dirfd, name, 0) < 0 && errno != ENOENT)
    return pc_error_errno (err, errno, "remove stale attach socket");
  if (bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    return pc_error_errno (err, errno, "bind attach socket");
  if (listen (fd, 16) < 0)
    return pc_error_errno (err, errno, "listen on attach socket");
  return steal_fd (&fd);
}

int
pc_mon_socket_connect (const char *dir, const char *name, pc_error **err)
{
  pc_autoclose int dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return pc_error_errno (err, errno, "open state directory `%s`", dir);
  pc_autoclose int fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return pc_error_errno (err, errno, "create socket");
  struct sockaddr_un sa;
  fd_path (&sa, dirfd, name);
  if (connect (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    return pc_error_errno (err, errno, "connect to the container's monitor");
  return steal_fd (&fd);
}

static int
version_mismatch (pc_error **err, uint32_t theirs)
{
  return pc_error_makec (err, PC_ERR_UNSUPPORTED, EPROTO,
                         "the container's monitor speaks protocol %u, this pc speaks %d: the container "
                         "was started by another version of pc; stop it and start it again with this one",
                         (unsigned) theirs, PC_MONITOR_PROTOCOL_VERSION);
}

int
pc_mon_attach_connect (const char *state_dir, pc_error **err)
{
  uint32_t features;
  return pc_mon_attach_connect_features (state_dir, &features, err);
}

int
pc_mon_attach_connect_features (const char *state_dir, uint32_t *features, pc_error **err)
{
  *features = 0;
  pc_autoclose int fd = pc_mon_socket_connect (state_dir, PC_MONITOR_SOCKET, err);
  if (fd < 0)
    return -1;
  if (pc_mon_attach_hello (fd, features, err) < 0)
    return -1;
  return steal_fd (&fd);
}

int
pc_mon_attach_hello (int fd, uint32_t *features, pc_error **err)
{
  *features = 0;
  struct pollfd p = { .fd = fd, .events = POLLIN };
  int r;
  do
    r = poll (&p, 1, PC_MONITOR_HELLO_TIMEOUT_MS);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return pc_error_errno (err, errno, "wait for the container's monitor");
  if (r == 0)
    return version_mismatch (err, 0);
  char pkt[PC_MONITOR_PKT_MAX];
  ssize_t n;
  do
    n = recv (fd, pkt, sizeof pkt, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return pc_error_errno (err, errno, "read from the container's monitor");
  if (n == 0)
    /* It is finishing: the caller sees the exit file. */
    return pc_error_make (err, ECONNREFUSED, "the container's monitor closed the connection");
  if (pkt[0] != PC_MSG_HELLO || n < 1 + (ssize_t) sizeof (uint32_t))
    return version_mismatch (err, 0);
  uint32_t v;
  memcpy (&v, pkt + 1, sizeof v);
  if (v != PC_MONITOR_PROTOCOL_VERSION)
    return version_mismatch (err, v);
  if (n >= 1 + 2 * (ssize_t) sizeof (uint32_t))
    memcpy (features, pkt + 1 + sizeof v, sizeof *features);
  return 0;
}

size_t
pc_mon_start_result_encode (char *buf, int status, enum pc_error_class cls, const char *msg)
{
  int32_t st = status;
  const char *name = pc_error_class_name (cls);
  size_t nl = strlen (name) + 1;
  memcpy (buf, &st, sizeof st);
  memcpy (buf + sizeof st, name, nl);
  size_t off = sizeof st + nl;
  size_t ml = msg ? strlen (msg) : 0;
  if (ml > PC_MONITOR_PKT_MAX - 1 - off)
    ml = PC_MONITOR_PKT_MAX - 1 - off;
  if (ml)
    memcpy (buf + off, msg, ml);
  return off + ml;
}

int
pc_mon_start_result_decode (const char *payload, size_t len, pc_error **err)
{
  int32_t st;
  if (len < sizeof st)
    return pc_error_make (err, EPROTO, "malformed start result from the container's monitor");
  memcpy (&st, payload, sizeof st);
  if (st == 0)
    return 0;
  const char *name = payload + sizeof st;
  const char *nul = memchr (name, '\0', len - sizeof st);
  if (nul == NULL)
    return pc_error_make (err, EPROTO, "malformed start result from the container's monitor");
  const char *msg = nul + 1;
  return pc_error_makec (err, pc_error_class_from_name (name), st, "%.*s",
                         (int) (len - (size_t) (msg - payload)), msg);
}
