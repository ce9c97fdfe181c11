/* Output files the user names (-o, --cidfile): nothing the user named is
   truncated, renamed over or unlinked before the operation has succeeded.
   A regular file (or a new one) is written to a temporary file beside it
   and renamed into place by pc_output_commit; anything else (a character
   device such as /dev/null, a FIFO, a socket) is written in place and never
   replaced or removed. */
#include "lib/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

void
pc_output_init (struct pc_output *out)
{
  memset (out, 0, sizeof *out);
  out->fd = -1;
  out->dirfd = -1;
}

static int
open_temp_beside (struct pc_output *out, const char *target, const struct stat *old,
                  pc_error **err)
{
  const char *slash = strrchr (target, '/');
  pc_autofree char *dir = NULL;
  const char *base = target;
  if (slash)
    {
      dir = xstrndup (target, slash == target ? 1 : (size_t) (slash - target));
      base = slash + 1;
    }
  if (*base == '\0')
    return pc_error_makec (err, PC_ERR_INVALID, EISDIR, "`%s` names a directory, not a file",
                           out->path);
  out->dirfd = open (dir ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (out->dirfd < 0)
    return pc_error_errno (err, errno, "open the directory of `%s`", out->path);
  out->base = xstrdup (base);
  for (int attempt = 0; out->fd < 0; attempt++)
    {
      uint64_t r = 0;
      if (getrandom (&r, sizeof r, GRND_NONBLOCK) != sizeof r)
        r = ((uint64_t) getpid () << 32) ^ (uint64_t) attempt;
      free (out->tmp);
      out->tmp = xasprintf (".%.200s.pc-tmp-%016llx", base, (unsigned long long) r);
      out->fd = openat (out->dirfd, out->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                        0644);
      if (out->fd < 0 && (errno != EEXIST || attempt > 100))
        {
          int e = errno;
          free (out->tmp);
          out->tmp = NULL;
          return pc_error_errno (err, e, "create a temporary file beside `%s`", out->path);
        }
    }
  if (old)
    {
      /* Replacing a file keeps its mode and (when we may) its owner, as
         writing into it would have. */
      if (fchown (out->fd, old->st_uid, old->st_gid) < 0)
        (void) 0;
      (void) fchmod (out->fd, old->st_mode & 07777);
    }
  return 0;
}

int
pc_output_open (const char *path, int flags, struct pc_output *out, pc_error **err)
{
  pc_output_init (out);
  out->flags = flags;
  if (path == NULL || *path == '\0')
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "the output path is empty");
  out->path = xstrdup (path);
  struct stat st;
  if (stat (path, &st) < 0)
    {
      if (errno != ENOENT)
        {
          pc_error_errno (err, errno, "stat `%s`", path);
          goto fail;
        }
      /* New file (or a dangling link, replaced by the file on success). */
      if (open_temp_beside (out, path, NULL, err) < 0)
        goto fail;
      return 0;
    }
  if (flags & PC_OUTPUT_EXCL)
    {
      pc_error_makec (err, PC_ERR_EXISTS, EEXIST, "`%s` exists", path);
      goto fail;
    }
  if (S_ISDIR (st.st_mode))
    {
      pc_error_makec (err, PC_ERR_INVALID, EISDIR, "`%s` is a directory, not a file", path);
      goto fail;
    }
  if (S_ISREG (st.st_mode))
    {
      /* Through a symlink the link stays and its target is replaced. */
      pc_autofree char *real = realpath (path, NULL);
      if (real == NULL)
        {
          pc_error_errno (err, errno, "resolve `%s`", path);
          goto fail;
        }
      if (open_temp_beside (out, real, &st, err) < 0)
        goto fail;
      return 0;
    }
  /* A device, FIFO or socket: written in place, never replaced. Opening a
     FIFO waits for its reader, as any writer's would. */
  out->fd = open (path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (out->fd < 0)
    {
      pc_error_errno (err, errno, "open `%s`", path);
      goto fail;
    }
  if (fstat (out->fd, &st) < 0)
    {
      pc_error_errno (err, errno, "stat `%s`", path);
      goto fail;
    }
  if (S_ISREG (st.st_mode) || S_ISDIR (st.st_mode))
    {
      /* Swapped for a file between the stat and the open: writing in place
         would overwrite it before success. */
      pc_error_makec (err, PC_ERR_INVALID, EAGAIN, "`%s` changed while it was opened", path);
      goto fail;
    }
  return 0;
fail:
  pc_output_abort (out);
  return -1;
}

int
pc_output_commit (struct pc_output *out, pc_error **err)
{
  int ret = 0;
  if (out->tmp)
    {
      if (fsync (out->fd) < 0)
        ret = pc_error_errno (err, errno, "fsync `%s`", out->path);
      else if ((out->flags & PC_OUTPUT_EXCL)
                   ? renameat2 (out->dirfd, out->tmp, out->dirfd, out->base, RENAME_NOREPLACE)
                   : renameat (out->dirfd, out->tmp, out->dirfd, out->base))
        {
          if (errno == EEXIST)
            ret = pc_error_makec (err, PC_ERR_EXISTS, EEXIST, "`%s` exists", out->path);
          else
            ret = pc_error_errno (err, errno, "rename into `%s`", out->path);
        }
      else
        {
          free (out->tmp);
          out->tmp = NULL;
          if (fsync (out->dirfd) < 0 && errno != EINVAL)
            ret = pc_error_errno (err, errno, "fsync the directory of `%s`", out->path);
        }
    }
  pc_output_abort (out);
  return ret;
}

void
pc_output_abort (struct pc_output *out)
{
  /* Only our temporary file goes; what the user named stays as it was. */
  if (out->tmp && out->dirfd >= 0)
    unlinkat (out->dirfd, out->tmp, 0);
  if (out->fd >= 0)
    close (out->fd);
  if (out->dirfd >= 0)
    close (out->dirfd);
  free (out->tmp);
  free (out->base);
  free (out->path);
  pc_output_init (out);
}
