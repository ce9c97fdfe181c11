#include "lib/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

int
pc_write_all (int fd, const void *buf, size_t len, pc_error **err)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t r = write (fd, p, len);
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          return pc_error_errno (err, errno, "write");
        }
      p += r;
      len -= (size_t) r;
    }
  return 0;
}

int
pc_read_file (int dirfd, const char *path, char **out, size_t *len, pc_error **err)
{
  pc_autoclose int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return pc_error_errno (err, errno, "open `%s`", path);
  if (pc_read_fd_all (fd, out, len, err) < 0)
    return pc_error_wrap (err, "`%s`", path);
  return 0;
}

static const char *
size_words (size_t n, char *buf, size_t sz)
{
  if (n >= (1 << 20) && n % (1 << 20) == 0)
    snprintf (buf, sz, "%zu MiB", n >> 20);
  else if (n >= 1024 && n % 1024 == 0)
    snprintf (buf, sz, "%zu KiB", n >> 10);
  else
    snprintf (buf, sz, "%zu bytes", n);
  return buf;
}

int
pc_read_fd_max (int fd, size_t max, char **out, size_t *len, pc_error **err)
{
  char words[32];
  struct stat st;
  size_t cap = 4096, n = 0;
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode))
    {
      if ((uintmax_t) st.st_size > max)
        return pc_error_makec (err, PC_ERR_INVALID, EFBIG, "larger than the limit of %s",
                               size_words (max, words, sizeof words));
      cap = (size_t) st.st_size + 2;
    }
  pc_autofree char *buf = xmalloc (cap);
  for (;;)
    {
      if (cap - n < 2)
        {
          cap = cap * 2 > max + 2 ? max + 2 : cap * 2;
          buf = xrealloc (buf, cap);
        }
      ssize_t r = read (fd, buf + n, cap - n - 1);
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          return pc_error_errno (err, errno, "read");
        }
      if (r == 0)
        break;
      n += (size_t) r;
      if (n > max)
        return pc_error_makec (err, PC_ERR_INVALID, EFBIG, "larger than the limit of %s",
                               size_words (max, words, sizeof words));
    }
  buf[n] = '\0';
  if (len)
    *len = n;
  *out = steal_pointer (&buf);
  return 0;
}

int
pc_read_fd_all (int fd, char **out, size_t *len, pc_error **err)
{
  /* No limit but what memory allows: one reading loop for both. */
  return pc_read_fd_max (fd, SIZE_MAX / 2, out, len, err);
}

int
pc_read_file_max (int dirfd, const char *path, size_t max, int flags, char **out, size_t *len,
                  pc_error **err)
{
  pc_autoclose int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    return pc_error_errno (err, errno, "open `%s`", path);
  struct stat st;
  if (fstat (fd, &st) < 0)
    return pc_error_errno (err, errno, "stat `%s`", path);
  if (S_ISDIR (st.st_mode))
    return pc_error_makec (err, PC_ERR_INVALID, EISDIR, "`%s` is a directory, not a file", path);
  if (!S_ISREG (st.st_mode))
    {
      if (flags & PC_READ_REGULAR)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "`%s` is not a regular file", path);
      /* A pipe or device the user named: read it, blocking, up to max. */
      int fl = fcntl (fd, F_GETFL);
      if (fl < 0 || fcntl (fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
        return pc_error_errno (err, errno, "fcntl `%s`", path);
    }
  if (pc_read_fd_max (fd, max, out, len, err) < 0)
    return pc_error_wrap (err, "`%s`", path);
  return 0;
}

/* Splits path into an open directory fd and the last component. */
static int
open_parent (int dirfd, const char *path, int *parent, const char **base, pc_error **err)
{
  const char *slash = strrchr (path, '/');
  if (slash == NULL)
    {
      *parent = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      *base = path;
    }
  else
    {
      pc_autofree char *dir = xstrndup (path, slash == path ? 1 : (size_t) (slash - path));
      *parent = openat (dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      *base = slash + 1;
    }
  if (*parent < 0)
    return pc_error_errno (err, errno, "open directory of `%s`", path);
  if (**base == '\0')
    {
      close (*parent);
      *parent = -1;
      return pc_error_make (err, EISDIR, "`%s` names a directory, not a file", path);
    }
  return 0;
}

int
pc_sync_batch_add (struct pc_sync_batch *b, int fd, pc_error **err)
{
  if (b->nosync)
    return 0;
  struct stat st;
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode))
    sync_file_range (fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  if (b->n == PC_SYNC_BATCH_MAX)
    {
      if (fsync (fd) < 0 && errno != EINVAL)
        return pc_error_errno (err, errno, "fsync");
      return 0;
    }
  int d = fcntl (fd, F_DUPFD_CLOEXEC, 3);
  if (d < 0)
    return pc_error_errno (err, errno, "dup");
  b->fds[b->n++] = d;
  return 0;
}

int
pc_sync_batch_flush (struct pc_sync_batch *b, pc_error **err)
{
  int ret = 0;
  for (size_t i = 0; i < b->n; i++)
    {
      /* EINVAL: a directory or file system that cannot sync. */
      if (ret == 0 && fsync (b->fds[i]) < 0 && errno != EINVAL)
        ret = pc_error_errno (err, errno, "fsync");
      close (b->fds[i]);
    }
  b->n = 0;
  return ret;
}

void
pc_sync_batch_clear (struct pc_sync_batch *b)
{
  for (size_t i = 0; i < b->n; i++)
    close (b->fds[i]);
  b->n = 0;
}

/* Creates the temporary file beside base in dfd, written whole. */
static int
write_temp (int dfd, const char *base, const char *path, const void *data, size_t len,
            mode_t mode, char **tmp_out, pc_error **err)
{
  pc_autofree char *tmp = NULL;
  pc_autoclose int fd = -1;
  for (int attempt = 0; fd < 0; attempt++)
    {
      uint64_t r = 0;
      if (getrandom (&r, sizeof r, 0) != sizeof r)
        r = ((uint64_t) getpid () << 32) ^ (uint64_t) attempt ^ (uint64_t) (uintptr_t) &r;
      free (tmp);
      tmp = xasprintf (".%s.tmp-%016llx", base, (unsigned long long) r);
      fd = openat (dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode & 07777);
      if (fd < 0 && (errno != EEXIST || attempt > 100))
        return pc_error_errno (err, errno, "create temporary file for `%s`", path);
    }
  if (fchmod (fd, mode & 07777) < 0)
    pc_error_errno (err, errno, "chmod temporary file for `%s`", path);
  else if (pc_write_all (fd, data, len, err) < 0)
    pc_error_wrap (err, "write `%s`", path);
  else
    {
      *tmp_out = steal_pointer (&tmp);
      return steal_fd (&fd);
    }
  unlinkat (dfd, tmp, 0);
  return -1;
}

static int
write_atomic (int dirfd, const char *path, const void *data, size_t len, mode_t mode,
              struct pc_sync_batch *b, bool commit, pc_error **err)
{
  pc_autoclose int dfd = -1;
  const char *base = NULL;
  if (open_parent (dirfd, path, &dfd, &base, err) < 0)
    return -1;
  pc_autofree char *tmp = NULL;
  pc_autoclose int fd = write_temp (dfd, base, path, data, len, mode, &tmp, err);
  if (fd < 0)
    return -1;

  int ret = -1;
  if (b == NULL || commit)
    {
      /* The content is durable before the name points at it. */
      if (b && (pc_sync_batch_add (b, fd, err) < 0 || pc_sync_batch_flush (b, err) < 0))
        pc_error_wrap (err, "`%s`", path);
      else if (b == NULL && fsync (fd) < 0)
        pc_error_errno (err, errno, "fsync `%s`", path);
      else
        ret = 0;
    }
  else if (pc_sync_batch_add (b, fd, err) < 0)
    pc_error_wrap (err, "`%s`", path);
  else
    ret = 0;
  if (ret == 0 && renameat (dfd, tmp, dfd, base) < 0)
    ret = pc_error_errno (err, errno, "rename into `%s`", path);
  if (ret < 0)
    {
      unlinkat (dfd, tmp, 0);
      return -1;
    }
  /* The rename is durable only once the directory is. */
  if (b && !commit)
    return pc_sync_batch_add (b, dfd, err);
  if ((b == NULL || !b->nosync) && fsync (dfd) < 0 && errno != EINVAL)
    return pc_error_errno (err, errno, "fsync directory of `%s`", path);
  return 0;
}

int
pc_write_file_atomic (int dirfd, const char *path, const void *data, size_t len, mode_t mode,
                      pc_error **err)
{
  return write_atomic (dirfd, path, data, len, mode, NULL, false, err);
}

int
pc_write_file_atomic_batch (int dirfd, const char *path, const void *data, size_t len,
                            mode_t mode, struct pc_sync_batch *b, pc_error **err)
{
  return write_atomic (dirfd, path, data, len, mode, b, false, err);
}

int
pc_write_file_commit (int dirfd, const char *path, const void *data, size_t len, mode_t mode,
                      struct pc_sync_batch *b, pc_error **err)
{
  return write_atomic (dirfd, path, data, len, mode, b, true, err);
}

int
pc_mkdir_p (int dirfd, const char *path, mode_t mode, pc_error **err)
{
  if (*path == '\0')
    return pc_error_make (err, EINVAL, "mkdir: empty path");
  pc_autofree char *p = xstrdup (path);
  size_t n = strlen (p);
  while (n > 1 && p[n - 1] == '/')
    p[--n] = '\0';
  for (char *s = p + 1;; s++)
    {
      bool last = *s == '\0';
      if (*s != '/' && !last)
        continue;
      *s = '\0';
      if (s[-1] != '/' && mkdirat (dirfd, p, mode) < 0 && errno != EEXIST)
        return pc_error_errno (err, errno, "mkdir `%s`", p);
      if (last)
        break;
      *s = '/';
    }
  struct stat st;
  if (fstatat (dirfd, p, &st, 0) < 0)
    return pc_error_errno (err, errno, "stat `%s`", p);
  if (!S_ISDIR (st.st_mode))
    return pc_error_make (err, ENOTDIR, "mkdir `%s`: exists and is not a directory", p);
  return 0;
}
