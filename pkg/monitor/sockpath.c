/* sun_path holds 108 bytes, state dirs can be longer: both sides reach the
   socket through /proc/self/fd/N of a dir fd, as conmon does. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "pkg/monitor/internal.h"

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
