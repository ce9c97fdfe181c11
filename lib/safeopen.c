/* pc_safe_openat: open a path as if rootfd were "/", so neither ".." nor a
   symlink (absolute or relative) can lead outside a container root. */
#include "lib/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

#define MAX_SYMLINKS 40
#define MAX_DEPTH 256

struct walk
{
  int fds[MAX_DEPTH];  /* fds[0] is the root, never closed here */
  int depth;
};

static void
walk_pop_all (struct walk *w)
{
  while (w->depth > 0)
    close (w->fds[w->depth--]);
}

static char *
read_link (int dirfd, const char *name)
{
  char buf[PATH_MAX];
  ssize_t n = readlinkat (dirfd, name, buf, sizeof buf - 1);
  if (n < 0)
    return NULL;
  buf[n] = '\0';
  return xstrdup (buf);
}

/* Component walk for kernels without openat2: every step is O_NOFOLLOW and
   symlinks are expanded by hand, absolute ones from the root. */
int
pc_safe_openat_walk (int rootfd, const char *path, int flags, mode_t mode, pc_error **err)
{
  if (*path == '\0')
    return pc_error_errno (err, ENOENT, "open `%s`", path);
  struct walk w = { .fds = { rootfd }, .depth = 0 };
  pc_autofree char *rest = xstrdup (path);
  int links = 0;
  char *p = rest;

  for (;;)
    {
      while (*p == '/')
        p++;
      char *slash = strchr (p, '/');
      char *next = slash ? slash + 1 : p + strlen (p);
      if (slash)
        *slash = '\0';
      while (*next == '/')
        next++;
      bool last = *next == '\0';
      int cur = w.fds[w.depth];

      if (*p == '\0' || strcmp (p, ".") == 0 || strcmp (p, "..") == 0)
        {
          if (strcmp (p, "..") == 0 && w.depth > 0)
            close (w.fds[w.depth--]);
          if (last)
            {
              int fd = openat (w.fds[w.depth], ".", (flags & ~(O_CREAT | O_EXCL)) | O_CLOEXEC);
              int e = errno;
              walk_pop_all (&w);
              if (fd < 0)
                return pc_error_errno (err, e, "open `%s`", path);
              return fd;
            }
          p = next;
          continue;
        }

      int fd;
      if (last)
        fd = openat (cur, p, flags | O_NOFOLLOW | O_CLOEXEC, mode);
      else
        fd = openat (cur, p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      /* O_PATH | O_NOFOLLOW opens a symlink itself: follow it by hand
         unless the caller asked for O_NOFOLLOW, as openat2 does. */
      if (fd >= 0 && last && (flags & O_PATH) && !(flags & O_NOFOLLOW))
        {
          struct stat st;
          if (fstat (fd, &st) == 0 && S_ISLNK (st.st_mode))
            {
              close (fd);
              fd = -1;
              errno = ELOOP;
            }
        }
      if (fd >= 0)
        {
          if (last)
            {
              walk_pop_all (&w);
              return fd;
            }
          if (w.depth + 1 >= MAX_DEPTH)
            {
              close (fd);
              walk_pop_all (&w);
              return pc_error_make (err, ENAMETOOLONG, "open `%s`: path too deep", path);
            }
          w.fds[++w.depth] = fd;
          p = next;
          continue;
        }

      int e = errno;
      pc_autofree char *target = NULL;
      /* O_NOFOLLOW reports a symlink as ELOOP (or ENOTDIR with O_DIRECTORY|O_PATH);
         a caller's own O_NOFOLLOW on the last component is respected. */
      if ((e == ELOOP || e == ENOTDIR || e == EEXIST)
          && !(last && (flags & O_NOFOLLOW)))
        target = read_link (cur, p);
      if (target == NULL)
        {
          walk_pop_all (&w);
          return pc_error_errno (err, e, "open `%s`", path);
        }
      if (++links > MAX_SYMLINKS)
        {
          walk_pop_all (&w);
          return pc_error_errno (err, ELOOP, "open `%s`", path);
        }
      if (target[0] == '/')
        walk_pop_all (&w);
      char *joined = xasprintf ("%s/%s", target, next);
      free (rest);
      rest = joined;
      p = rest;
    }
}

int
pc_safe_openat (int rootfd, const char *path, int flags, mode_t mode, pc_error **err)
{
  struct open_how how = {
    .flags = (uint64_t) (flags | O_CLOEXEC),
    .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode & 07777 : 0,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  for (int attempt = 0;; attempt++)
    {
      long fd = syscall (SYS_openat2, rootfd, path, &how, sizeof how);
      if (fd >= 0)
        return (int) fd;
      /* EAGAIN: a concurrent rename raced with ".." resolution; try again. */
      if (errno == EAGAIN && attempt < 16)
        continue;
      if (errno == ENOSYS)
        return pc_safe_openat_walk (rootfd, path, flags, mode, err);
      return pc_error_errno (err, errno, "open `%s`", path);
    }
}
