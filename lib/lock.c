#include "lib/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "lib/cleanup.h"

static int
lock_file (int dirfd, const char *path, bool exclusive, bool wait, pc_error **err)
{
  pc_autoclose int fd = openat (dirfd, path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
  if (fd < 0)
    return pc_error_errno (err, errno, "open lock `%s`", path);
  int op = (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB);
  while (flock (fd, op) < 0)
    {
      if (errno == EINTR)
        continue;
      if (errno == EWOULDBLOCK)
        return pc_error_make (err, EWOULDBLOCK, "lock `%s` is held by another process", path);
      return pc_error_errno (err, errno, "lock `%s`", path);
    }
  return steal_fd (&fd);
}

int
pc_lock_open (int dirfd, const char *path, bool exclusive, pc_error **err)
{
  return lock_file (dirfd, path, exclusive, true, err);
}

int
pc_lock_try (int dirfd, const char *path, bool exclusive, pc_error **err)
{
  return lock_file (dirfd, path, exclusive, false, err);
}

void
pc_unlock (int fd)
{
  if (fd < 0)
    return;
  int saved = errno;
  flock (fd, LOCK_UN);
  close (fd);
  errno = saved;
}
