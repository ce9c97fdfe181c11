/* The copier of pc cp: regular files, directories, symlinks and FIFOs
   written under a temporary name and renamed into place, each entry opened
   relative to its directory's fd with O_NOFOLLOW; tar streams in and out
   with libarchive. Which process runs it, and in which namespaces, is
   cp.c's business. */
#include "pkg/engine/cp-copy.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/log.h"
#include "lib/xalloc.h"

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
        ret = eng_cp_copy_tree (x, cfd, &cst, to, de->d_name, depth + 1, err);
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

int
eng_cp_copy_tree (const struct cp_ctx *x, int sfd, const struct stat *st, int dfd, const char *name,
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


int
eng_cp_untar_into (const struct cp_ctx *x, int in_fd, int dfd, pc_error **err)
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

int
eng_cp_tar_out (int sfd, const struct stat *st, const char *name, int out_fd, pc_error **err)
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

