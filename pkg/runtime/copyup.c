/* "tmpcopyup": a tmpfs mounted over an image directory starts with a copy of
   that directory's content (podman's default for --tmpfs), so /tmp-style
   mounts keep what the image put there. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "pkg/runtime/internal.h"


static int copy_dir (int from, int to, int depth, pc_error **err);

static int
copy_entry (int from, int to, const char *name, int depth, pc_error **err)
{
  struct stat st;
  if (fstatat (from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return pc_error_errno (err, errno, "tmpcopyup: stat `%s`", name);
  if (S_ISDIR (st.st_mode))
    {
      if (mkdirat (to, name, st.st_mode & 07777) < 0 && errno != EEXIST)
        return pc_error_errno (err, errno, "tmpcopyup: mkdir `%s`", name);
      pc_autoclose int sub_from = openat (from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      pc_autoclose int sub_to = openat (to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub_from < 0 || sub_to < 0)
        return pc_error_errno (err, errno, "tmpcopyup: open `%s`", name);
      if (copy_dir (sub_from, sub_to, depth + 1, err) < 0)
        return -1;
    }
  else if (S_ISREG (st.st_mode))
    {
      pc_autoclose int in = openat (from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      pc_autoclose int out = openat (to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                     st.st_mode & 07777);
      if (in < 0 || out < 0)
        return pc_error_errno (err, errno, "tmpcopyup: copy `%s`", name);
      off_t left = st.st_size;
      while (left > 0)
        {
          ssize_t n = sendfile (out, in, NULL, (size_t) left);
          if (n <= 0)
            {
              if (n < 0 && errno == EINTR)
                continue;
              return pc_error_errno (err, n < 0 ? errno : EIO, "tmpcopyup: copy `%s`", name);
            }
          left -= n;
        }
    }
  else if (S_ISLNK (st.st_mode))
    {
      char target[4096];
      ssize_t n = readlinkat (from, name, target, sizeof target - 1);
      if (n < 0)
        return pc_error_errno (err, errno, "tmpcopyup: readlink `%s`", name);
      target[n] = '\0';
      if (symlinkat (target, to, name) < 0)
        return pc_error_errno (err, errno, "tmpcopyup: symlink `%s`", name);
    }
  else
    return 0;   /* device nodes, fifos, sockets: not copied, as a user namespace cannot mknod */
  if (fchownat (to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EINVAL)
    return pc_error_errno (err, errno, "tmpcopyup: chown `%s`", name);
  if (!S_ISLNK (st.st_mode) && fchmodat (to, name, st.st_mode & 07777, 0) < 0)
    return pc_error_errno (err, errno, "tmpcopyup: chmod `%s`", name);
  return 0;
}

static int
copy_dir (int from, int to, int depth, pc_error **err)
{
  if (depth > 64)
    return pc_error_make (err, ELOOP, "tmpcopyup: directories nested too deep");
  int dfd = dup (from);
  if (dfd < 0)
    return pc_error_errno (err, errno, "tmpcopyup: dup");
  pc_autoclosedir DIR *d = fdopendir (dfd);
  if (d == NULL)
    {
      close (dfd);
      return pc_error_errno (err, errno, "tmpcopyup: opendir");
    }
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (copy_entry (from, to, de->d_name, depth, err) < 0)
        return -1;
    }
  return 0;
}

/* olddirfd: O_PATH on the directory under the new mount; newmfd: the tmpfs. */
int
rt_tmpcopyup (int olddirfd, int newmfd, pc_error **err)
{
  pc_autoclose int from = openat (olddirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (from < 0)
    return pc_error_errno (err, errno, "tmpcopyup: open the image directory");
  pc_autoclose int to = openat (newmfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (to < 0)
    return pc_error_errno (err, errno, "tmpcopyup: open the tmpfs");
  struct stat st;
  if (fstat (from, &st) == 0)
    {
      if (fchown (to, st.st_uid, st.st_gid) < 0 && errno != EINVAL)
        return pc_error_errno (err, errno, "tmpcopyup: chown the tmpfs root");
    }
  return copy_dir (from, to, 0, err);
}
