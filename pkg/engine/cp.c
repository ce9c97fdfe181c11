/* pc cp: files between the host and a container, podman's rules.

   Everything inside the container is resolved from an fd of its root with
   RESOLVE_IN_ROOT (pc_safe_openat), and below the top-level path every
   entry is opened relative to its directory's fd with O_NOFOLLOW: a symlink
   in the container, absolute or full of "..", can neither lead a read out
   to the host nor a write out of the root. Host paths are resolved before
   anything joins the container; below them the same fd walk applies.

   A running container: a helper process, non-dumpable, joins the user and
   mount namespaces of the container's pid 1 through a pidfd checked against
   its recorded start time (as exec does), so it sees the container's root
   as "/" with its mounts and writes with the container's ids. A stopped
   one: its root is mounted in a private mount namespace of pc's own user
   namespace (as export does), under the container's lock, so it cannot
   start meanwhile. Either way the same copier runs in one process. */
#include "pkg/engine/internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/rootless/rootless.h"
#include "pkg/storage/storage.h"

#define CP_MAX_DEPTH 512

enum cp_owner
{
  OWNER_WRITER,   /* files belong to whoever writes them (to the host) */
  OWNER_FIXED,    /* the container's main user (--archive, the default) */
  OWNER_SOURCE,   /* the source's ids as this process sees them */
};

struct cp_ctx
{
  enum cp_owner owner;
  uid_t uid;
  gid_t gid;
  bool overwrite;
  bool strip_suid;   /* real root writing onto the host */
  bool to_host;
};

/* What the copier needs, prepared before any namespace is joined. */
struct cp_job
{
  const struct pc_cp_opts *o;
  const char *ctr_name;
  struct cp_ctx ctx;
  /* host side */
  int host_fd;          /* to a container: the source; from one: the directory to write in */
  struct stat host_st;
  char *host_name;      /* the source's name, or the entry to create in host_fd (NULL: the source's) */
  bool host_dest_exists;
  bool dot;             /* the source path ends in "/." */
  int stream_fd;        /* "-": stdin or stdout */
};

/* The last component of a path the user typed, trailing slashes ignored;
   "." when it names a directory's contents. */
static char *
path_base (const char *p, bool *dot)
{
  size_t n = strlen (p);
  while (n > 1 && p[n - 1] == '/')
    n--;
  pc_autofree char *copy = xstrndup (p, n);
  *dot = n >= 2 && strcmp (copy + n - 2, "/.") == 0;
  if (strcmp (copy, ".") == 0)
    *dot = true;
  return xstrdup (basename (copy));
}

static bool
ends_with_slash (const char *p)
{
  size_t n = strlen (p);
  return n > 0 && p[n - 1] == '/';
}

static void
set_owner (const struct cp_ctx *x, int fd, const char *name, const struct stat *src, bool nofollow)
{
  uid_t u;
  gid_t g;
  switch (x->owner)
    {
    case OWNER_WRITER:
      return;
    case OWNER_FIXED:
      u = x->uid;
      g = x->gid;
      break;
    default:
      u = src->st_uid;
      g = src->st_gid;
    }
  /* An id the namespace does not map cannot be set: podman ignores it too. */
  (void) !fchownat (fd, name ? name : "", u, g,
                   name ? (nofollow ? AT_SYMLINK_NOFOLLOW : 0) : AT_EMPTY_PATH);
}

static mode_t
file_mode (const struct cp_ctx *x, mode_t m)
{
  m &= 07777;
  if (x->strip_suid)
    m &= ~(mode_t) (S_ISUID | S_ISGID);
  return m;
}

/* Makes room for a new entry `name` of kind is_dir in dfd: an existing
   directory stays for a directory; anything else is replaced, a directory
   by a non-directory (or the reverse) only with --overwrite. 1 when a
   directory is already there. */
static int
make_room (const struct cp_ctx *x, int dfd, const char *name, bool is_dir, pc_error **err)
{
  struct stat st;
  if (fstatat (dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      if (errno == ENOENT)
        return 0;
      return pc_error_errno (err, errno, "stat `%s`", name);
    }
  bool was_dir = S_ISDIR (st.st_mode);
  if (was_dir && is_dir)
    return 1;
  if (!x->overwrite)
    {
      if (was_dir)
        return pc_error_makec (err, PC_ERR_EXISTS, EISDIR,
                               "cannot overwrite directory \"%s\" with non-directory: use --overwrite", name);
      if (is_dir)
        return pc_error_makec (err, PC_ERR_EXISTS, ENOTDIR,
                               "cannot overwrite non-directory \"%s\" with directory: use --overwrite", name);
      return 0;  /* a file replaces a file */
    }
  if (was_dir)
    return pc_rm_rf_at (dfd, name, err);
  if (is_dir && unlinkat (dfd, name, 0) < 0)
    return pc_error_errno (err, errno, "remove `%s`", name);
  return 0;
}

/* A temporary name in dfd, created by mk (0 on success). */
static char *
tmp_name (void)
{
  static unsigned n;
  return xasprintf (".pc-cp-%d-%u", (int) getpid (), n++);
}

typedef ssize_t (*cp_read_fn) (void *src, void *buf, size_t len);

static ssize_t
read_fd (void *src, void *buf, size_t len)
{
  ssize_t n;
  do
    n = read (*(int *) src, buf, len);
  while (n < 0 && errno == EINTR);
  return n;
}

static ssize_t
read_archive (void *src, void *buf, size_t len)
{
  la_ssize_t n = archive_read_data ((struct archive *) src, buf, len);
  if (n < 0)
    errno = EIO;
  return n < 0 ? -1 : n;
}

/* A regular file written to a temporary name and renamed over `name`. */
static int
put_file (const struct cp_ctx *x, int dfd, const char *name, const struct stat *st, cp_read_fn rd,
          void *src, pc_error **err)
{
  if (make_room (x, dfd, name, false, err) < 0)
    return -1;
  pc_autofree char *tmp = tmp_name ();
  pc_autoclose int fd = openat (dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return pc_error_errno (err, errno, "create `%s`", name);
  char buf[65536];
  for (;;)
    {
      ssize_t n = rd (src, buf, sizeof buf);
      if (n < 0)
        {
          pc_error_errno (err, errno, "read `%s`", name);
          goto fail;
        }
      if (n == 0)
        break;
      if (pc_write_all (fd, buf, (size_t) n, err) < 0)
        {
          pc_error_wrap (err, "write `%s`", name);
          goto fail;
        }
    }
  set_owner (x, fd, NULL, st, false);
  if (fchmod (fd, file_mode (x, st->st_mode)) < 0)
    {
      pc_error_errno (err, errno, "chmod `%s`", name);
      goto fail;
    }
  struct timespec ts[2] = { st->st_atim, st->st_mtim };
  (void) futimens (fd, ts);
  if (renameat (dfd, tmp, dfd, name) < 0)
    {
      pc_error_errno (err, errno, "rename into `%s`", name);
      goto fail;
    }
  return 0;
fail:
  unlinkat (dfd, tmp, 0);
  return -1;
}

/* A symlink or FIFO, made under a temporary name and renamed over `name`. */
static int
put_special (const struct cp_ctx *x, int dfd, const char *name, const struct stat *st,
             const char *link_target, pc_error **err)
{
  if (make_room (x, dfd, name, false, err) < 0)
    return -1;
  pc_autofree char *tmp = tmp_name ();
  int r = S_ISLNK (st->st_mode) ? symlinkat (link_target, dfd, tmp) : mkfifoat (dfd, tmp, 0600);
  if (r < 0)
    return pc_error_errno (err, errno, "create `%s`", name);
  set_owner (x, dfd, tmp, st, true);
  if (S_ISFIFO (st->st_mode))
    (void) !fchmodat (dfd, tmp, file_mode (x, st->st_mode), 0);
  struct timespec ts[2] = { st->st_atim, st->st_mtim };
  (void) utimensat (dfd, tmp, ts, AT_SYMLINK_NOFOLLOW);
  if (renameat (dfd, tmp, dfd, name) < 0)
    {
      int e = errno;
      unlinkat (dfd, tmp, 0);
      return pc_error_errno (err, e, "rename into `%s`", name);
    }
  return 0;
}

/* A directory `name` in dfd (kept when there), opened without following. */
static int
put_dir (const struct cp_ctx *x, int dfd, const char *name, pc_error **err)
{
  int r = make_room (x, dfd, name, true, err);
  if (r < 0)
    return -1;
  if (r == 0 && mkdirat (dfd, name, 0700) < 0 && errno != EEXIST)
    return pc_error_errno (err, errno, "create directory `%s`", name);
  int fd = openat (dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return pc_error_errno (err, errno, "open directory `%s`", name);
  return fd;
}

static void
finish_dir (const struct cp_ctx *x, int fd, const struct stat *st)
{
  set_owner (x, fd, NULL, st, false);
  (void) !fchmod (fd, file_mode (x, st->st_mode));
  struct timespec ts[2] = { st->st_atim, st->st_mtim };
  (void) futimens (fd, ts);
}

static int copy_tree (const struct cp_ctx *x, int sfd, const struct stat *st, int dfd,
                      const char *name, int depth, pc_error **err);

/* The entries of directory sfd into directory fd `to`. */
static int
copy_children (const struct cp_ctx *x, int sfd, int to, int depth, pc_error **err)
{
  int dup_fd = fcntl (sfd, F_DUPFD_CLOEXEC, 0);
  DIR *d = dup_fd >= 0 ? fdopendir (dup_fd) : NULL;
  if (d == NULL)
    {
      if (dup_fd >= 0)
        close (dup_fd);
      return pc_error_errno (err, errno, "read directory");
    }
  int ret = 0;
  struct dirent *de;
  while (ret == 0 && (errno = 0, de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      struct stat cst;
      if (fstatat (sfd, de->d_name, &cst, AT_SYMLINK_NOFOLLOW) < 0)
        {
          ret = pc_error_errno (err, errno, "stat `%s`", de->d_name);
          break;
        }
      int cfd = -1;
      if (S_ISDIR (cst.st_mode) || S_ISREG (cst.st_mode))
        {
          cfd = openat (sfd, de->d_name,
                        O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC
                          | (S_ISDIR (cst.st_mode) ? O_DIRECTORY : 0));
          struct stat now;
          /* Swapped since the stat: skipped rather than followed. */
          if (cfd < 0 || fstat (cfd, &now) < 0 || now.st_ino != cst.st_ino
              || now.st_dev != cst.st_dev)
            {
              if (cfd >= 0)
                close (cfd);
              continue;
            }
        }
      pc_autofree char *target = NULL;
      if (S_ISLNK (cst.st_mode))
        {
          char buf[PATH_MAX];
          ssize_t n = readlinkat (sfd, de->d_name, buf, sizeof buf - 1);
          if (n < 0)
            continue;
          buf[n] = '\0';
          target = xstrdup (buf);
          ret = put_special (x, to, de->d_name, &cst, target, err);
        }
      else if (S_ISFIFO (cst.st_mode))
        ret = put_special (x, to, de->d_name, &cst, NULL, err);
      else if (cfd >= 0)
        ret = copy_tree (x, cfd, &cst, to, de->d_name, depth + 1, err);
      /* Devices and sockets are skipped, as podman's IgnoreDevices. */
      if (cfd >= 0)
        close (cfd);
      if (ret < 0)
        pc_error_wrap (err, "%s", de->d_name);
    }
  if (ret == 0 && errno != 0)
    ret = pc_error_errno (err, errno, "read directory");
  closedir (d);
  return ret;
}

/* sfd (open O_RDONLY, a directory or a regular file) as `name` in dfd;
   name NULL: a directory's contents straight into dfd. */
static int
copy_tree (const struct cp_ctx *x, int sfd, const struct stat *st, int dfd, const char *name,
           int depth, pc_error **err)
{
  if (depth > CP_MAX_DEPTH)
    return pc_error_makec (err, PC_ERR_UNSUPPORTED, ELOOP, "more than %d levels of directories", CP_MAX_DEPTH);
  if (S_ISREG (st->st_mode))
    {
      int fd = sfd;
      return put_file (x, dfd, name, st, read_fd, &fd, err);
    }
  if (name == NULL)
    return copy_children (x, sfd, dfd, depth, err);
  pc_autoclose int to = put_dir (x, dfd, name, err);
  if (to < 0)
    return -1;
  if (copy_children (x, sfd, to, depth, err) < 0)
    return -1;
  finish_dir (x, to, st);
  return 0;
}

/* Opens path in the container, following symlinks inside its root only:
   a directory or regular file for reading. */
static int
open_source_in_root (int rootfd, const char *path, struct stat *st, pc_error **err)
{
  pc_autoclose int p = pc_safe_openat (rootfd, path, O_PATH, 0, err);
  if (p < 0)
    return -1;
  if (fstat (p, st) < 0)
    return pc_error_errno (err, errno, "stat `%s`", path);
  if (!S_ISDIR (st->st_mode) && !S_ISREG (st->st_mode))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "\"%s\" must be a directory or a regular file", path);
  int fd = pc_safe_openat (rootfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0, err);
  if (fd < 0)
    return -1;
  struct stat now;
  if (fstat (fd, &now) < 0 || now.st_ino != st->st_ino || now.st_dev != st->st_dev)
    {
      close (fd);
      return pc_error_makec (err, PC_ERR_STATE, EAGAIN, "\"%s\" changed while it was opened", path);
    }
  return fd;
}

/* The directory a new entry goes in, and its name, for a container path
   that may be a symlink (followed inside the root, as podman does) or not
   exist yet. *exists, *is_dir describe what path resolves to. */
static int
resolve_dest_in_root (int rootfd, const char *path, char **name, bool *exists, bool *is_dir,
                      pc_error **err)
{
  pc_autofree char *cur = xstrdup (*path ? path : "/");
  for (int links = 0;; links++)
    {
      pc_autoerror pc_error *e = NULL;
      pc_autoclose int fd = pc_safe_openat (rootfd, cur, O_PATH | O_NOFOLLOW, 0, &e);
      struct stat st;
      if (fd >= 0 && fstat (fd, &st) == 0 && S_ISLNK (st.st_mode) && links < 40)
        {
          char buf[PATH_MAX];
          ssize_t n = readlinkat (fd, "", buf, sizeof buf - 1);
          if (n < 0)
            return pc_error_errno (err, errno, "readlink `%s`", cur);
          buf[n] = '\0';
          pc_autofree char *copy = xstrdup (cur);
          char *next = buf[0] == '/' ? xstrdup (buf) : xasprintf ("%s/%s", dirname (copy), buf);
          free (cur);
          cur = next;
          continue;
        }
      *exists = fd >= 0;
      *is_dir = fd >= 0 && S_ISDIR (st.st_mode);
      if (*is_dir)
        {
          *name = NULL;
          pc_closep (&fd);
          return pc_safe_openat (rootfd, cur, O_RDONLY | O_DIRECTORY, 0, err);
        }
      if (fd < 0 && e->status != ENOENT)
        {
          *err = steal_pointer (&e);
          return -1;
        }
      bool dot;
      *name = path_base (cur, &dot);
      pc_autofree char *copy = xstrdup (cur);
      int dir = pc_safe_openat (rootfd, dirname (copy), O_RDONLY | O_DIRECTORY, 0, err);
      return dir;
    }
}

/* A tar stream read into directory dfd: each entry's parent is resolved
   with dfd as its root, so nothing in the stream or the tree reaches out. */
static int
untar_into (const struct cp_ctx *x, int in_fd, int dfd, pc_error **err)
{
  struct archive *a = archive_read_new ();
  archive_read_support_filter_all (a);
  archive_read_support_format_tar (a);
  int ret = -1;
  if (archive_read_open_fd (a, in_fd, 65536) != ARCHIVE_OK)
    {
      pc_error_makec (err, PC_ERR_INVALID, EINVAL, "source must be a (compressed) tar archive when copying from stdin: %s",
                      archive_error_string (a));
      goto out;
    }
  struct archive_entry *ent;
  int r;
  while ((r = archive_read_next_header (a, &ent)) == ARCHIVE_OK || r == ARCHIVE_WARN)
    {
      const char *p = archive_entry_pathname (ent);
      while (p && (*p == '/' || (p[0] == '.' && p[1] == '/')))
        p += *p == '/' ? 1 : 2;
      if (p == NULL || *p == '\0' || strcmp (p, ".") == 0)
        continue;
      pc_autofree char *path = xstrdup (p);
      size_t n = strlen (path);
      while (n > 1 && path[n - 1] == '/')
        path[--n] = '\0';
      pc_autofree char *copy = xstrdup (path);
      pc_autofree char *copy2 = xstrdup (path);
      const char *parent = dirname (copy), *base = basename (copy2);
      if (strcmp (base, "..") == 0 || strcmp (base, ".") == 0)
        continue;
      /* Missing parents are made, each step below dfd as root. */
      pc_autoclose int pfd = -1;
      {
        pc_autofree char *walk = xstrdup (parent);
        pc_autofree char *acc = xstrdup ("");
        char *save = NULL;
        for (char *t = strtok_r (walk, "/", &save); t; t = strtok_r (NULL, "/", &save))
          {
            char *next = xasprintf ("%s/%s", acc, t);
            free (acc);
            acc = next;
            pc_autoclose int q = pc_safe_openat (dfd, acc, O_PATH | O_DIRECTORY, 0, NULL);
            if (q < 0)
              {
                pc_autofree char *c3 = xstrdup (acc);
                pc_autoclose int pp = pc_safe_openat (dfd, dirname (c3), O_PATH | O_DIRECTORY, 0, err);
                if (pp < 0 || (mkdirat (pp, t, 0755) < 0 && errno != EEXIST))
                  {
                    if (pp >= 0)
                      pc_error_errno (err, errno, "create directory `%s`", acc);
                    goto out;
                  }
              }
          }
        pfd = pc_safe_openat (dfd, parent, O_RDONLY | O_DIRECTORY, 0, err);
        if (pfd < 0)
          goto out;
      }
      struct stat st = *archive_entry_stat (ent);
      int k = 0;
      const char *hl = archive_entry_hardlink (ent);
      if (hl)
        {
          pc_autofree char *h = xstrdup (hl), *h2 = xstrdup (hl);
          pc_autoclose int tfd = pc_safe_openat (dfd, dirname (h), O_PATH | O_DIRECTORY, 0, err);
          if (tfd < 0 || make_room (x, pfd, base, false, err) < 0)
            goto out;
          unlinkat (pfd, base, 0);
          if (linkat (tfd, basename (h2), pfd, base, 0) < 0)
            {
              pc_error_errno (err, errno, "link `%s`", path);
              goto out;
            }
        }
      else if (S_ISREG (st.st_mode))
        k = put_file (x, pfd, base, &st, read_archive, a, err);
      else if (S_ISDIR (st.st_mode))
        {
          int dfd2 = put_dir (x, pfd, base, err);
          k = dfd2 < 0 ? -1 : 0;
          if (dfd2 >= 0)
            {
              finish_dir (x, dfd2, &st);
              close (dfd2);
            }
        }
      else if (S_ISLNK (st.st_mode))
        k = put_special (x, pfd, base, &st, archive_entry_symlink (ent) ?: "", err);
      else if (S_ISFIFO (st.st_mode))
        k = put_special (x, pfd, base, &st, NULL, err);
      else
        pc_warn ("%s: a device or socket is not copied", path);
      if (k < 0)
        {
          pc_error_wrap (err, "%s", path);
          goto out;
        }
    }
  if (r != ARCHIVE_EOF)
    {
      pc_error_makec (err, PC_ERR_INVALID, EIO, "read the tar stream: %s", archive_error_string (a));
      goto out;
    }
  ret = 0;
out:
  archive_read_free (a);
  return ret;
}

/* sfd as `name` (NULL: a directory's contents) in the tar stream w. */
static int
tar_tree (struct archive *w, int sfd, const struct stat *st, const char *name, int depth,
          pc_error **err)
{
  if (depth > CP_MAX_DEPTH)
    return pc_error_makec (err, PC_ERR_UNSUPPORTED, ELOOP, "more than %d levels of directories", CP_MAX_DEPTH);
  if (name)
    {
      struct archive_entry *ent = archive_entry_new ();
      archive_entry_copy_stat (ent, st);
      archive_entry_copy_pathname (ent, name);
      if (S_ISLNK (st->st_mode))
        {
          char buf[PATH_MAX];
          ssize_t n = readlinkat (sfd, "", buf, sizeof buf - 1);
          buf[n < 0 ? 0 : n] = '\0';
          archive_entry_copy_symlink (ent, buf);
        }
      if (!S_ISREG (st->st_mode))
        archive_entry_set_size (ent, 0);
      if (archive_write_header (w, ent) < ARCHIVE_WARN)
        {
          archive_entry_free (ent);
          return pc_error_make (err, EIO, "write `%s`: %s", name, archive_error_string (w));
        }
      archive_entry_free (ent);
      if (S_ISREG (st->st_mode))
        {
          char buf[65536];
          ssize_t n;
          while ((n = read (sfd, buf, sizeof buf)) > 0)
            if (archive_write_data (w, buf, (size_t) n) < 0)
              return pc_error_make (err, EIO, "write `%s`: %s", name, archive_error_string (w));
          if (n < 0)
            return pc_error_errno (err, errno, "read `%s`", name);
        }
    }
  if (!S_ISDIR (st->st_mode))
    return 0;
  int dup_fd = fcntl (sfd, F_DUPFD_CLOEXEC, 0);
  DIR *d = dup_fd >= 0 ? fdopendir (dup_fd) : NULL;
  if (d == NULL)
    {
      if (dup_fd >= 0)
        close (dup_fd);
      return pc_error_errno (err, errno, "read directory `%s`", name ? name : ".");
    }
  int ret = 0;
  struct dirent *de;
  while (ret == 0 && (de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      struct stat cst;
      if (fstatat (sfd, de->d_name, &cst, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (!S_ISDIR (cst.st_mode) && !S_ISREG (cst.st_mode) && !S_ISLNK (cst.st_mode)
          && !S_ISFIFO (cst.st_mode))
        continue;
      int flags = S_ISLNK (cst.st_mode) || S_ISFIFO (cst.st_mode)
                    ? O_PATH | O_NOFOLLOW
                    : O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
      pc_autoclose int cfd = openat (sfd, de->d_name, flags | O_CLOEXEC);
      struct stat now;
      if (cfd < 0 || fstat (cfd, &now) < 0 || now.st_ino != cst.st_ino || now.st_dev != cst.st_dev)
        continue;
      pc_autofree char *child = name ? xasprintf ("%s/%s", name, de->d_name) : xstrdup (de->d_name);
      ret = tar_tree (w, cfd, &cst, child, depth + 1, err);
    }
  closedir (d);
  return ret;
}

static int
tar_out (int sfd, const struct stat *st, const char *name, int out_fd, pc_error **err)
{
  struct archive *w = archive_write_new ();
  archive_write_set_format_pax_restricted (w);
  int ret = -1;
  if (archive_write_open_fd (w, out_fd) != ARCHIVE_OK)
    pc_error_make (err, EIO, "write the tar stream: %s", archive_error_string (w));
  else if (tar_tree (w, sfd, st, name, 0, err) == 0)
    {
      if (archive_write_close (w) != ARCHIVE_OK)
        pc_error_make (err, EIO, "write the tar stream: %s", archive_error_string (w));
      else
        ret = 0;
    }
  archive_write_free (w);
  return ret;
}

static int
not_found_in_ctr (const struct cp_job *j, pc_error **err)
{
  const char *why = *err ? strerror ((*err)->status) : "no such file or directory";
  pc_autofree char *w = xstrdup (why);
  w[0] = (char) (w[0] >= 'A' && w[0] <= 'Z' ? w[0] - 'A' + 'a' : w[0]);
  pc_error_clear (err);
  return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "\"%s\" could not be found on container %s: %s",
                         j->o->ctr_path, j->ctr_name, w);
}

/* The copy itself, with rootfd the container's root. */
static int
cp_run (struct cp_job *j, int rootfd, pc_error **err)
{
  const struct pc_cp_opts *o = j->o;
  if (o->to_container)
    {
      pc_autofree char *name = NULL;
      bool exists = false, is_dir = false;
      pc_autoclose int dfd = resolve_dest_in_root (rootfd, o->ctr_path, &name, &exists, &is_dir, err);
      if (dfd < 0)
        return (*err)->status == ENOENT ? not_found_in_ctr (j, err) : -1;
      if (j->stream_fd >= 0)
        {
          if (!is_dir)
            return pc_error_makec (err, PC_ERR_INVALID, ENOTDIR,
                                   "destination must be a directory when copying from stdin");
          return untar_into (&j->ctx, j->stream_fd, dfd, err);
        }
      struct stat st;
      if (fstat (j->host_fd, &st) < 0)
        return pc_error_errno (err, errno, "stat `%s`", o->host_path);
      bool src_dir = S_ISDIR (st.st_mode);
      if (!exists && ends_with_slash (o->ctr_path))
        {
          pc_error_errno (err, ENOENT, "stat");
          return not_found_in_ctr (j, err);
        }
      if (exists && !is_dir && src_dir)
        return pc_error_makec (err, PC_ERR_INVALID, ENOTDIR,
                               "destination must be a directory when copying a directory");
      const char *as = exists && is_dir ? (j->dot && src_dir ? NULL : j->host_name) : name;
      return copy_tree (&j->ctx, j->host_fd, &st, dfd, as, 0, err);
    }

  struct stat st;
  pc_autoclose int sfd = open_source_in_root (rootfd, o->ctr_path, &st, err);
  if (sfd < 0)
    return (*err)->status == ENOENT ? not_found_in_ctr (j, err) : -1;
  bool dot;
  pc_autofree char *sname = path_base (o->ctr_path, &dot);
  if (strcmp (sname, "/") == 0)
    dot = true;
  if (j->stream_fd >= 0)
    return tar_out (sfd, &st, dot && S_ISDIR (st.st_mode) ? NULL : sname, j->stream_fd, err);
  bool src_dir = S_ISDIR (st.st_mode);
  if (j->host_dest_exists && j->host_name && src_dir)
    return pc_error_makec (err, PC_ERR_INVALID, ENOTDIR,
                           "destination must be a directory when copying a directory");
  const char *as = j->host_name ? j->host_name : (dot && src_dir ? NULL : sname);
  return copy_tree (&j->ctx, sfd, &st, j->host_fd, as, 0, err);
}

/* Host side, resolved before anything is joined. */
static int
prepare_host (struct cp_job *j, pc_error **err)
{
  const struct pc_cp_opts *o = j->o;
  j->host_fd = -1;
  j->stream_fd = -1;
  if (strcmp (o->host_path, "-") == 0)
    {
      j->stream_fd = o->to_container ? 0 : 1;
      return 0;
    }
  struct stat st;
  if (o->to_container)
    {
      if (stat (o->host_path, &st) < 0)
        return pc_error_errnoc (err, PC_ERR_NOT_FOUND, errno, "\"%s\" could not be found on the host",
                                o->host_path);
      if (!S_ISDIR (st.st_mode) && !S_ISREG (st.st_mode))
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "\"%s\" must be a directory or a regular file",
                               o->host_path);
      j->host_fd = open (o->host_path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
      struct stat now;
      if (j->host_fd < 0 || fstat (j->host_fd, &now) < 0 || now.st_ino != st.st_ino)
        return pc_error_errno (err, j->host_fd < 0 ? errno : EAGAIN, "open `%s`", o->host_path);
      j->host_name = path_base (o->host_path, &j->dot);
      return 0;
    }
  if (stat (o->host_path, &st) == 0)
    {
      j->host_dest_exists = true;
      if (S_ISDIR (st.st_mode))
        {
          j->host_fd = open (o->host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          if (j->host_fd < 0)
            return pc_error_errno (err, errno, "open `%s`", o->host_path);
          return 0;
        }
      if (!S_ISREG (st.st_mode))
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "invalid destination: \"%s\" must be a directory or a regular file", o->host_path);
      /* A symlink to a file: the file it names is written, as podman. */
      pc_autofree char *real = realpath (o->host_path, NULL);
      if (real == NULL)
        return pc_error_errno (err, errno, "resolve `%s`", o->host_path);
      pc_autofree char *c1 = xstrdup (real), *c2 = xstrdup (real);
      j->host_fd = open (dirname (c1), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (j->host_fd < 0)
        return pc_error_errno (err, errno, "open `%s`", c1);
      j->host_name = xstrdup (basename (c2));
      return 0;
    }
  int e = errno;
  if (e != ENOENT || ends_with_slash (o->host_path))
    return pc_error_errnoc (err, PC_ERR_NOT_FOUND, e, "\"%s\" could not be found on the host", o->host_path);
  pc_autofree char *c1 = xstrdup (o->host_path);
  bool dot;
  j->host_name = path_base (o->host_path, &dot);
  j->host_fd = open (dirname (c1), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (j->host_fd < 0)
    return pc_error_errnoc (err, PC_ERR_NOT_FOUND, e, "\"%s\" could not be found on the host", o->host_path);
  return 0;
}

/* The container's main user (Config.User), as the owner of what is copied
   in with --archive. */
static int
main_user (struct pc_engine *e, struct pc_container *c, uid_t *uid, gid_t *gid, pc_error **err)
{
  *uid = 0;
  *gid = 0;
  const char *user = pc_json_get_string (pc_json_get (c->rec, "Config"), "User");
  if (user == NULL || *user == '\0')
    return 0;
  pc_autofree char *spath = xasprintf ("%s/config.json", c->id);
  pc_autojson json_object *spec = pc_json_read_file (e->ctr_dfd, spath, err);
  if (spec == NULL)
    return -1;
  struct pc_rootfs_mount m;
  if (eng_rootfs_from_spec (spec, &m, err) < 0)
    return -1;
  struct eng_user u;
  int r = eng_resolve_user (&m, user, &u, err);
  pc_rootfs_mount_clear (&m);
  if (r < 0)
    return -1;
  free (u.home);
  *uid = u.uid;
  *gid = u.gid;
  return 0;
}

/* A running container: the helper joins its user and mount namespaces. */
static int
cp_running (struct cp_job *j, struct pc_container *c, pc_error **err)
{
  pc_autoclose int pidfd = (int) syscall (SYS_pidfd_open, c->state.pid, 0);
  if (pidfd < 0 || c->state.pid_start == 0 || eng_proc_start_time (c->state.pid) != c->state.pid_start)
    return pc_error_makec (err, PC_ERR_STATE, ESRCH, "container %s is not running any more", j->ctr_name);
  struct stat mine, theirs;
  pc_autofree char *uns = xasprintf ("/proc/%d/ns/user", (int) c->state.pid);
  int nstype = CLONE_NEWNS;
  if (stat ("/proc/self/ns/user", &mine) == 0 && stat (uns, &theirs) == 0 && mine.st_ino != theirs.st_ino)
    nstype |= CLONE_NEWUSER;
  int ep[2];
  if (pipe2 (ep, O_CLOEXEC) < 0)
    return pc_error_errno (err, errno, "pipe");
  pid_t pid = fork ();
  if (pid < 0)
    {
      close (ep[0]);
      close (ep[1]);
      return pc_error_errno (err, errno, "fork");
    }
  if (pid == 0)
    {
      close (ep[0]);
      pc_error *cerr = NULL;
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      /* Nothing in the container may reach into us once we are in. */
      if (prctl (PR_SET_DUMPABLE, 0) < 0)
        pc_error_errno (&cerr, errno, "prctl");
      else if (setns (pidfd, nstype) < 0)
        pc_error_errnoc (&cerr, PC_ERR_PERMISSION, errno, "join the namespaces of container %s", j->ctr_name);
      else
        {
          int rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
          if (rootfd < 0)
            pc_error_errno (&cerr, errno, "open the container's root");
          else
            cp_run (j, rootfd, &cerr);
        }
      if (cerr)
        {
          pc_autofree char *msg = xasprintf ("%s\n%d\n%s", pc_error_class_name (pc_error_class_of (cerr)),
                                             cerr->status, cerr->msg);
          (void) !write (ep[1], msg, strlen (msg));
          _exit (1);
        }
      _exit (0);
    }
  close (ep[1]);
  char buf[4096];
  size_t len = 0;
  ssize_t n;
  while (len < sizeof buf - 1 && ((n = read (ep[0], buf + len, sizeof buf - 1 - len)) > 0 || (n < 0 && errno == EINTR)))
    if (n > 0)
      len += (size_t) n;
  buf[len] = '\0';
  close (ep[0]);
  int status = 0;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  if (len == 0)
    return pc_error_make (err, EIO, "the copying process died (status %d)", status);
  char *nl1 = strchr (buf, '\n');
  char *nl2 = nl1 ? strchr (nl1 + 1, '\n') : NULL;
  if (nl2 == NULL)
    return pc_error_make (err, EIO, "%s", buf);
  *nl1 = *nl2 = '\0';
  return pc_error_makec (err, pc_error_class_from_name (buf), atoi (nl1 + 1), "%s", nl2 + 1);
}

/* A container that is not running: its root mounted here, under its lock. */
static int
cp_stopped (struct pc_engine *e, struct cp_job *j, struct pc_container *c, pc_error **err)
{
  if (pc_engine_enter_userns (e, err) < 0)
    return -1;
  int lock = eng_lock_container (e, c->id, err);
  if (lock < 0)
    return -1;
  int ret = -1;
  struct pc_rootfs_mount m = { 0 };
  eng_state_read (e, c, true);
  if (c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED)
    {
      pc_error_makec (err, PC_ERR_STATE, EBUSY, "container %s started meanwhile: try again", j->ctr_name);
      goto out;
    }
  struct pc_store *s = pc_engine_store (e, err);
  if (s == NULL || pc_store_container_rootfs (s, c->id, &m, err) < 0)
    goto out;
  if (!pc_rootless_in_userns ()
      && (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0))
    {
      pc_error_errno (err, errno, "private mount namespace");
      goto out;
    }
  if (pc_storage_mount_rootfs (&m, err) < 0)
    goto out;
  {
    pc_autoclose int rootfd = open (m.target, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
      pc_error_errno (err, errno, "open `%s`", m.target);
    else
      ret = cp_run (j, rootfd, err);
  }
  umount2 (m.target, MNT_DETACH);
out:
  pc_rootfs_mount_clear (&m);
  eng_unlock (lock);
  return ret;
}

int
pc_engine_cp (struct pc_engine *e, struct pc_container *c, const struct pc_cp_opts *o, pc_error **err)
{
  struct cp_job j = { .o = o, .ctr_name = *c->name ? c->name : c->id, .host_fd = -1, .stream_fd = -1 };
  int ret = -1;
  eng_state_read (e, c, true);
  bool running = c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED;
  if (o->to_container)
    {
      j.ctx.owner = o->archive ? OWNER_FIXED : OWNER_SOURCE;
      if (o->archive && main_user (e, c, &j.ctx.uid, &j.ctx.gid, err) < 0)
        return -1;
    }
  else
    {
      j.ctx.owner = OWNER_WRITER;
      j.ctx.to_host = true;
      j.ctx.strip_suid = geteuid () == 0 && !pc_rootless_in_userns ();
    }
  j.ctx.overwrite = o->overwrite;
  if (prepare_host (&j, err) < 0)
    goto out;
  ret = running ? cp_running (&j, c, err) : cp_stopped (e, &j, c, err);
out:
  if (j.host_fd >= 0)
    close (j.host_fd);
  free (j.host_name);
  return ret;
}
