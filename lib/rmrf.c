/* pc_rm_rf_at: removal that never follows a symlink, so a container root
   full of hostile links can be deleted safely. */
#include "lib/fileutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"

static int rm_entry (int dirfd, const char *name, const char *path, pc_error **err);

static int
open_dir_nofollow (int dirfd, const char *name)
{
  int fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == EACCES)
    {
      /* Not readable/searchable by us: we own it (or are root), so fix the mode. */
      if (fchmodat (dirfd, name, 0700, 0) == 0)
        fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      else
        errno = EACCES;
    }
  return fd;
}

static int
empty_dir (int fd, const char *path, pc_error **err)
{
  struct stat st;
  if (fstat (fd, &st) < 0)
    return pc_error_errno (err, errno, "stat `%s`", path);
  if ((st.st_mode & 0700) != 0700 && fchmod (fd, (st.st_mode & 07777) | 0700) < 0)
    return pc_error_errno (err, errno, "make `%s` writable", path);

  int dup_fd = fcntl (fd, F_DUPFD_CLOEXEC, 3);
  if (dup_fd < 0)
    return pc_error_errno (err, errno, "dup");
  pc_autoclosedir DIR *d = fdopendir (dup_fd);
  if (d == NULL)
    {
      int e = errno;
      close (dup_fd);
      return pc_error_errno (err, e, "opendir `%s`", path);
    }
  for (;;)
    {
      errno = 0;
      struct dirent *de = readdir (d);
      if (de == NULL)
        {
          if (errno != 0)
            return pc_error_errno (err, errno, "readdir `%s`", path);
          break;
        }
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (rm_entry (fd, de->d_name, path, err) < 0)
        return -1;
    }
  return 0;
}

static int
rm_entry (int dirfd, const char *name, const char *path, pc_error **err)
{
  /* Try the cheap case first: anything that is not a directory. */
  if (unlinkat (dirfd, name, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return pc_error_errno (err, errno, "remove `%s/%s`", path, name);

  pc_autoclose int fd = open_dir_nofollow (dirfd, name);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return 0;
      if (errno == ELOOP || errno == ENOTDIR)
        {
          /* Replaced by a non-directory under our feet: remove that instead. */
          if (unlinkat (dirfd, name, 0) == 0 || errno == ENOENT)
            return 0;
        }
      return pc_error_errno (err, errno, "open `%s/%s`", path, name);
    }
  if (empty_dir (fd, name, err) < 0)
    return pc_error_wrap (err, "in `%s`", path);
  if (unlinkat (dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return pc_error_errno (err, errno, "remove directory `%s/%s`", path, name);
  return 0;
}

int
pc_rm_rf_at (int dirfd, const char *path, pc_error **err)
{
  if (path == NULL || *path == '\0')
    return pc_error_make (err, EINVAL, "rm -rf: empty path");
  return rm_entry (dirfd, path, ".", err);
}
