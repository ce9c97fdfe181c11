/* Extracting a layer tar into a directory, through fds only. Entries are
   normalised and checked before anything is written: absolute names, `..`,
   writes through a symlink and hard links to something the layer does not
   contain are refused. OCI whiteouts become overlay whiteouts (char 0/0,
   user.overlay.opaque=y), or deletions for the vfs driver.

   The layer is read front to back and never seeked, so it may come from a
   pipe or a socket while it downloads: the compression is sniffed from the
   first bytes read, and the compressed blob is hashed (and copied to a tee
   fd when asked) on the way in, the tar on the way out. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/storage/store-private.h"

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"
#define READ_BLOCK (128 * 1024)

struct apply
{
  int root;
  bool vfs;
  bool warned_chown, warned_dev, warned_xattr;
  struct archive *outer;
  struct pc_sha256 *hash;
  int64_t diff_size;
  char *buf;
  /* The compressed side: fd read sequentially, what was sniffed first,
     the blob hash, an optional copy. */
  int in_fd;
  unsigned char prefix[8];
  size_t prefix_len;
  bool in_eof;
  char *in_buf;
  struct pc_sha256 *blob_hash;
  int64_t blob_size;
  int tee_fd;
  /* Cache of the last parent directory. */
  char *cached_path;
  int cached_fd;
  /* Directories whose times are set at the end (children change them). */
  char **dirs;
  struct timespec *dir_times;
  size_t n_dirs, cap_dirs;
  /* vfs: paths this layer created (whiteouts apply to lower layers only). */
  char **created;
  size_t n_created, cap_created;
};

static void
cache_drop (struct apply *a)
{
  if (a->cached_fd >= 0)
    close (a->cached_fd);
  a->cached_fd = -1;
  free (a->cached_path);
  a->cached_path = NULL;
}

/* "./a//b/" -> "a/b"; "" for the root. Refuses absolute names and `..`. */
static int
normalize (const char *in, char **out, const char *what, pc_error **err)
{
  if (in == NULL)
    return pc_error_make (err, EINVAL, "layer entry without a name");
  if (in[0] == '/')
    return pc_error_make (err, EPERM, "refusing layer: %s `%s` is an absolute path", what, in);
  char *o = xmalloc (strlen (in) + 1);
  size_t n = 0;
  const char *p = in;
  while (*p)
    {
      while (*p == '/')
        p++;
      const char *e = strchrnul (p, '/');
      size_t len = (size_t) (e - p);
      if (len == 0 || (len == 1 && p[0] == '.'))
        {
          p = e;
          continue;
        }
      if (len == 2 && p[0] == '.' && p[1] == '.')
        {
          free (o);
          return pc_error_make (err, EPERM, "refusing layer: %s `%s` contains `..`", what, in);
        }
      if (n)
        o[n++] = '/';
      memcpy (o + n, p, len);
      n += len;
      p = e;
    }
  o[n] = '\0';
  *out = o;
  return 0;
}

/* Opens directory `rel` under the root without following any symlink;
   creates missing components when `create`. Returns a new fd. */
static int
open_dir (struct apply *a, const char *rel, bool create, const char *entry, pc_error **err)
{
  if (*rel == '\0')
    return fcntl (a->root, F_DUPFD_CLOEXEC, 3);
  if (a->cached_path && strcmp (a->cached_path, rel) == 0)
    return fcntl (a->cached_fd, F_DUPFD_CLOEXEC, 3);
  int cur = fcntl (a->root, F_DUPFD_CLOEXEC, 3);
  pc_autofree char *copy = xstrdup (rel);
  char *save = NULL;
  for (char *c = strtok_r (copy, "/", &save); c; c = strtok_r (NULL, "/", &save))
    {
      int fd = openat (cur, c, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT && create)
        {
          if (mkdirat (cur, c, 0755) < 0 && errno != EEXIST)
            {
              int e = errno;
              close (cur);
              return pc_error_errno (err, e, "create directory for `%s`", entry);
            }
          fd = openat (cur, c, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        }
      if (fd < 0)
        {
          int e = errno;
          struct stat st;
          bool link = fstatat (cur, c, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK (st.st_mode);
          close (cur);
          if (link)
            return pc_error_make (err, EPERM,
                                  "refusing layer: entry `%s` goes through the symbolic link `%s`",
                                  entry, c);
          if (e == ENOENT && !create)
            return pc_error_errno (err, e, "`%s`", entry);
          return pc_error_errno (err, e, "layer entry `%s`", entry);
        }
      close (cur);
      cur = fd;
    }
  cache_drop (a);
  a->cached_path = xstrdup (rel);
  a->cached_fd = fcntl (cur, F_DUPFD_CLOEXEC, 3);
  return cur;
}

static void
split (const char *path, char **parent, const char **base)
{
  const char *slash = strrchr (path, '/');
  *parent = slash ? xstrndup (path, (size_t) (slash - path)) : xstrdup ("");
  *base = slash ? slash + 1 : path;
}

static int
remove_existing (struct apply *a, int pfd, const char *base, bool keep_dir, bool *kept,
                 pc_error **err)
{
  struct stat st;
  *kept = false;
  if (fstatat (pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return 0;
  if (S_ISDIR (st.st_mode))
    {
      if (keep_dir)
        {
          *kept = true;
          return 0;
        }
      cache_drop (a);
      return pc_rm_rf_at (pfd, base, err);
    }
  if (unlinkat (pfd, base, 0) < 0)
    return pc_error_errno (err, errno, "remove `%s`", base);
  return 0;
}

static void
note_created (struct apply *a, const char *path)
{
  if (!a->vfs)
    return;
  if (a->n_created == a->cap_created)
    {
      a->cap_created = a->cap_created ? a->cap_created * 2 : 256;
      a->created = xrealloc (a->created, a->cap_created * sizeof (char *));
    }
  a->created[a->n_created++] = xstrdup (path);
}

static bool
was_created (struct apply *a, const char *path)
{
  for (size_t i = 0; i < a->n_created; i++)
    if (strcmp (a->created[i], path) == 0)
      return true;
  return false;
}

static void
set_owner (struct apply *a, int fd, const char *base, int flags, struct archive_entry *e)
{
  uid_t uid = (uid_t) archive_entry_uid (e);
  gid_t gid = (gid_t) archive_entry_gid (e);
  if (fchownat (fd, base, uid, gid, flags) == 0)
    return;
  if ((errno == EPERM || errno == EINVAL) && !a->warned_chown)
    {
      /* Single-id user namespace: podman's ignore_chown_errors. */
      a->warned_chown = true;
      pc_warn ("cannot set the owner %u:%u of `%s` (%s); ignoring ownership in this layer",
               (unsigned) uid, (unsigned) gid, archive_entry_pathname (e), strerror (errno));
    }
}

static void
set_xattrs (struct apply *a, int fd, struct archive_entry *e)
{
  const char *name;
  const void *value;
  size_t size;
  archive_entry_xattr_reset (e);
  while (archive_entry_xattr_next (e, &name, &value, &size) == ARCHIVE_OK)
    {
      /* Overlay's own attributes would let a layer forge whiteouts or redirects. */
      if (strncmp (name, "trusted.overlay.", 16) == 0 || strncmp (name, "user.overlay.", 13) == 0
          || strncmp (name, "user.fuseoverlayfs.", 19) == 0)
        continue;
      if (fsetxattr (fd, name, value, size, 0) < 0 && !a->warned_xattr)
        {
          a->warned_xattr = true;
          pc_warn ("cannot set extended attribute %s on `%s`: %s", name,
                   archive_entry_pathname (e), strerror (errno));
        }
    }
}

static void
entry_times (struct archive_entry *e, struct timespec ts[2])
{
  ts[1].tv_sec = archive_entry_mtime (e);
  ts[1].tv_nsec = archive_entry_mtime_nsec (e);
  if (archive_entry_atime_is_set (e))
    {
      ts[0].tv_sec = archive_entry_atime (e);
      ts[0].tv_nsec = archive_entry_atime_nsec (e);
    }
  else
    ts[0] = ts[1];
}

static int
apply_whiteout (struct apply *a, const char *path, const char *parent, const char *base,
                pc_error **err)
{
  pc_autoclose int pfd = open_dir (a, parent, true, path, err);
  if (pfd < 0)
    return -1;
  bool opaque = strcmp (base, WH_OPAQUE) == 0;
  const char *name = base + strlen (WH_PREFIX);
  if (!opaque && (*name == '\0' || strcmp (name, ".") == 0 || strcmp (name, "..") == 0))
    return pc_error_make (err, EPERM, "refusing layer: invalid whiteout `%s`", path);
  if (a->vfs)
    {
      if (!opaque)
        {
          pc_autofree char *victim = *parent ? xasprintf ("%s/%s", parent, name) : xstrdup (name);
          if (was_created (a, victim))
            return 0;
          cache_drop (a);
          return pc_rm_rf_at (pfd, name, err);
        }
      /* Opaque: drop what lower layers put in this directory. */
      int dfd = fcntl (pfd, F_DUPFD_CLOEXEC, 3);
      DIR *d = fdopendir (dfd);
      if (d == NULL)
        {
          close (dfd);
          return pc_error_errno (err, errno, "read `%s`", parent);
        }
      struct dirent *de;
      char **victims = NULL;
      while ((de = readdir (d)))
        {
          if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
            continue;
          pc_autofree char *child = *parent ? xasprintf ("%s/%s", parent, de->d_name) : xstrdup (de->d_name);
          if (!was_created (a, child))
            pc_strv_append (&victims, de->d_name);
        }
      closedir (d);
      cache_drop (a);
      int r = 0;
      for (char **v = victims; v && *v && r == 0; v++)
        r = pc_rm_rf_at (pfd, *v, err);
      pc_strv_free (victims);
      return r;
    }
  if (opaque)
    {
      if (fsetxattr (pfd, "user.overlay.opaque", "y", 1, 0) < 0)
        return pc_error_errno (err, errno, "mark `%s` opaque", *parent ? parent : "/");
      return 0;
    }
  struct stat st;
  if (fstatat (pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    return 0; /* this layer has the file itself: the whiteout only hides lower ones */
  if (mknodat (pfd, name, S_IFCHR | 0000, makedev (0, 0)) < 0)
    return pc_error_errno (err, errno, "create whiteout for `%s`", path);
  return 0;
}

static int
write_data (struct apply *a, struct archive *ar, int fd, struct archive_entry *e, pc_error **err)
{
  const void *buf;
  size_t size;
  la_int64_t offset;
  int r;
  while ((r = archive_read_data_block (ar, &buf, &size, &offset)) == ARCHIVE_OK)
    {
      const char *p = buf;
      while (size > 0)
        {
          ssize_t w = pwrite (fd, p, size, offset);
          if (w < 0)
            {
              if (errno == EINTR)
                continue;
              return pc_error_errno (err, errno, "write `%s`", archive_entry_pathname (e));
            }
          p += w;
          size -= (size_t) w;
          offset += w;
        }
    }
  if (r != ARCHIVE_EOF)
    return pc_error_make (err, EIO, "refusing layer: truncated or corrupt data in `%s`: %s",
                          archive_entry_pathname (e), archive_error_string (ar));
  if (archive_entry_size_is_set (e) && ftruncate (fd, archive_entry_size (e)) < 0)
    return pc_error_errno (err, errno, "size `%s`", archive_entry_pathname (e));
  return 0;
}

static int
apply_entry (struct apply *a, struct archive *ar, struct archive_entry *e, pc_error **err)
{
  pc_autofree char *path = NULL;
  if (normalize (archive_entry_pathname (e), &path, "entry", err) < 0)
    return -1;
  mode_t type = archive_entry_filetype (e);
  const char *hardlink = archive_entry_hardlink (e);
  mode_t mode = archive_entry_perm (e) & 07777;
  struct timespec ts[2];
  entry_times (e, ts);

  if (*path == '\0')
    {
      if (type != AE_IFDIR)
        return pc_error_make (err, EPERM, "refusing layer: the root entry is not a directory");
      set_owner (a, a->root, "", AT_EMPTY_PATH, e);
      fchmod (a->root, mode);
      return 0;
    }
  pc_autofree char *parent = NULL;
  const char *base;
  split (path, &parent, &base);
  if (strncmp (base, WH_PREFIX, strlen (WH_PREFIX)) == 0)
    return apply_whiteout (a, path, parent, base, err);

  pc_autoclose int pfd = open_dir (a, parent, true, path, err);
  if (pfd < 0)
    return -1;
  bool kept;
  if (remove_existing (a, pfd, base, type == AE_IFDIR && hardlink == NULL, &kept, err) < 0)
    return -1;
  note_created (a, path);

  if (hardlink)
    {
      pc_autofree char *target = NULL;
      if (normalize (hardlink, &target, "hard link target of", err) < 0)
        return -1;
      pc_autofree char *tparent = NULL;
      const char *tbase;
      split (target, &tparent, &tbase);
      pc_autoerror pc_error *e2 = NULL;
      pc_autoclose int tfd = *target ? open_dir (a, tparent, false, target, &e2) : -1;
      struct stat st;
      if (tfd < 0 || fstatat (tfd, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISDIR (st.st_mode))
        {
          if (e2 && e2->status == EPERM)
            return pc_error_make (err, EPERM, "%s", e2->msg);
          return pc_error_make (err, EPERM,
                                "refusing layer: hard link `%s` points to `%s`, which is not in the layer",
                                path, hardlink);
        }
      if (linkat (tfd, tbase, pfd, base, 0) < 0)
        return pc_error_errno (err, errno, "hard link `%s` to `%s`", path, target);
      return 0;
    }

  switch (type)
    {
    case AE_IFREG:
      {
        pc_autoclose int fd = openat (pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
          return pc_error_errno (err, errno, "create `%s`", path);
        if (write_data (a, ar, fd, e, err) < 0)
          return -1;
        set_owner (a, fd, "", AT_EMPTY_PATH, e);
        if (fchmod (fd, mode) < 0)
          return pc_error_errno (err, errno, "chmod `%s`", path);
        set_xattrs (a, fd, e);
        futimens (fd, ts);
        return 0;
      }
    case AE_IFDIR:
      {
        if (!kept && mkdirat (pfd, base, 0700) < 0)
          return pc_error_errno (err, errno, "mkdir `%s`", path);
        pc_autoclose int fd = openat (pfd, base, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
          return pc_error_errno (err, errno, "open `%s`", path);
        set_owner (a, fd, "", AT_EMPTY_PATH, e);
        if (fchmod (fd, mode) < 0)
          return pc_error_errno (err, errno, "chmod `%s`", path);
        set_xattrs (a, fd, e);
        if (a->n_dirs == a->cap_dirs)
          {
            a->cap_dirs = a->cap_dirs ? a->cap_dirs * 2 : 64;
            a->dirs = xrealloc (a->dirs, a->cap_dirs * sizeof (char *));
            a->dir_times = xrealloc (a->dir_times, a->cap_dirs * 2 * sizeof (struct timespec));
          }
        a->dirs[a->n_dirs] = xstrdup (path);
        a->dir_times[a->n_dirs * 2] = ts[0];
        a->dir_times[a->n_dirs * 2 + 1] = ts[1];
        a->n_dirs++;
        return 0;
      }
    case AE_IFLNK:
      {
        const char *target = archive_entry_symlink (e);
        if (target == NULL || *target == '\0')
          return pc_error_make (err, EINVAL, "refusing layer: symbolic link `%s` has no target", path);
        if (symlinkat (target, pfd, base) < 0)
          return pc_error_errno (err, errno, "symlink `%s`", path);
        set_owner (a, pfd, base, AT_SYMLINK_NOFOLLOW, e);
        utimensat (pfd, base, ts, AT_SYMLINK_NOFOLLOW);
        return 0;
      }
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
      {
        mode_t t = type == AE_IFCHR ? S_IFCHR : type == AE_IFBLK ? S_IFBLK : S_IFIFO;
        if (mknodat (pfd, base, t | mode, archive_entry_rdev (e)) < 0)
          {
            if (errno == EPERM && t != S_IFIFO)
              {
                if (!a->warned_dev)
                  {
                    a->warned_dev = true;
                    pc_warn ("skipping device node `%s`: creating devices is not permitted here", path);
                  }
                return 0;
              }
            return pc_error_errno (err, errno, "mknod `%s`", path);
          }
        set_owner (a, pfd, base, AT_SYMLINK_NOFOLLOW, e);
        if (fchmodat (pfd, base, mode, 0) < 0)
          return pc_error_errno (err, errno, "chmod `%s`", path);
        utimensat (pfd, base, ts, AT_SYMLINK_NOFOLLOW);
        return 0;
      }
    default:
      pc_warn ("skipping `%s`: unsupported entry type %o", path, (unsigned) type);
      return 0;
    }
}

/* Outer reader callback: the bytes of fd as they come (the sniffed prefix
   first), hashed and copied to the tee fd on the way. */
static la_ssize_t
outer_read (struct archive *ar, void *data, const void **buf)
{
  struct apply *a = data;
  size_t n = 0;
  if (a->prefix_len > 0)
    {
      memcpy (a->in_buf, a->prefix, a->prefix_len);
      n = a->prefix_len;
      a->prefix_len = 0;
    }
  else if (!a->in_eof)
    {
      ssize_t r;
      do
        r = read (a->in_fd, a->in_buf, READ_BLOCK);
      while (r < 0 && errno == EINTR);
      if (r < 0)
        {
          archive_set_error (ar, errno, "read layer: %s", strerror (errno));
          return -1;
        }
      if (r == 0)
        a->in_eof = true;
      n = (size_t) r;
    }
  if (n > 0)
    {
      pc_sha256_update (a->blob_hash, a->in_buf, n);
      a->blob_size += (int64_t) n;
      if (a->tee_fd >= 0)
        {
          pc_autoerror pc_error *e = NULL;
          if (pc_write_all (a->tee_fd, a->in_buf, n, &e) < 0)
            {
              archive_set_error (ar, EIO, "copy layer blob: %s", e->msg);
              return -1;
            }
        }
    }
  *buf = a->in_buf;
  return (la_ssize_t) n;
}

/* Inner reader callback: the decompressed stream, hashed on the way. */
static la_ssize_t
inner_read (struct archive *ar, void *data, const void **buf)
{
  struct apply *a = data;
  la_ssize_t n = archive_read_data (a->outer, a->buf, READ_BLOCK);
  if (n < 0)
    {
      archive_set_error (ar, EIO, "%s", archive_error_string (a->outer));
      return -1;
    }
  pc_sha256_update (a->hash, a->buf, (size_t) n);
  a->diff_size += n;
  *buf = a->buf;
  return n;
}

static int
sniff_bytes (const unsigned char *m, size_t n, pc_error **err)
{
  if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
    return PC_COMP_GZIP;
  if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
    return PC_COMP_ZSTD;
  const char *what = NULL;
  if (n >= 3 && memcmp (m, "BZh", 3) == 0)
    what = "bzip2";
  else if (n >= 6 && memcmp (m, "\xfd" "7zXZ", 5) == 0)
    what = "xz";
  else if (n >= 4 && memcmp (m, "\x04\x22\x4d\x18", 4) == 0)
    what = "lz4";
  else if (n >= 2 && m[0] == 0x1f && m[1] == 0x9d)
    what = "compress (.Z)";
  else if (n >= 3 && m[0] == 0x5d && m[1] == 0 && m[2] == 0)
    what = "lzma";
  if (what)
    return pc_error_makec (err, PC_ERR_INVALID, ENOTSUP,
                           "refusing layer: unsupported compression %s (supported: gzip, zstd, none)",
                           what);
  return PC_COMP_NONE;
}

int
pc_sniff_compression (int fd, pc_error **err)
{
  unsigned char m[6] = { 0 };
  ssize_t n = pread (fd, m, sizeof m, 0);
  if (n < 0)
    return pc_error_errno (err, errno, "read layer");
  return sniff_bytes (m, (size_t) n, err);
}

int
pc_storage_layer_apply (int fd, int dirfd, const struct pc_layer_apply_opts *opts,
                        char diff_id_out[72], pc_error **err)
{
  return pc_storage_layer_apply_stream (fd, dirfd, opts, NULL, diff_id_out, err);
}

int
pc_storage_layer_apply_stream (int fd, int dirfd, const struct pc_layer_apply_opts *opts,
                               struct pc_layer_blob *blob, char diff_id_out[72], pc_error **err)
{
  struct apply a = { .root = dirfd, .vfs = opts && opts->vfs, .cached_fd = -1, .in_fd = fd,
                     .tee_fd = blob ? blob->tee_fd : -1 };
  /* The first bytes say the compression; they are handed on afterwards. */
  while (a.prefix_len < 6)
    {
      ssize_t r = read (fd, a.prefix + a.prefix_len, 6 - a.prefix_len);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return pc_error_errno (err, errno, "read layer");
      if (r == 0)
        {
          a.in_eof = true;
          break;
        }
      a.prefix_len += (size_t) r;
    }
  int comp = sniff_bytes (a.prefix, a.prefix_len, err);
  if (comp < 0)
    return -1;
  a.buf = xmalloc (READ_BLOCK);
  a.in_buf = xmalloc (READ_BLOCK);
  a.hash = pc_sha256_new ();
  a.blob_hash = pc_sha256_new ();
  a.outer = archive_read_new ();
  struct archive *inner = archive_read_new ();
  struct archive_entry *e;
  int ret = -1, r;

  if (comp == PC_COMP_GZIP)
    archive_read_support_filter_gzip (a.outer);
  else if (comp == PC_COMP_ZSTD)
    archive_read_support_filter_zstd (a.outer);
  archive_read_support_format_raw (a.outer);
  if (archive_read_open (a.outer, &a, NULL, outer_read, NULL) != ARCHIVE_OK
      || archive_read_next_header (a.outer, &e) != ARCHIVE_OK)
    {
      pc_error_make (err, EIO, "refusing layer: cannot read it: %s", archive_error_string (a.outer));
      goto out;
    }
  archive_read_support_format_tar (inner);
  if (archive_read_open (inner, &a, NULL, inner_read, NULL) != ARCHIVE_OK)
    {
      pc_error_make (err, EIO, "refusing layer: not a tar archive: %s", archive_error_string (inner));
      goto out;
    }
  while ((r = archive_read_next_header (inner, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN)
    {
      if (apply_entry (&a, inner, e, err) < 0)
        goto out;
    }
  if (r != ARCHIVE_EOF)
    {
      pc_error_make (err, EIO, "refusing layer: truncated or not a tar archive: %s",
                     archive_error_string (inner));
      goto out;
    }
  if (a.diff_size == 0)
    {
      pc_error_make (err, EIO, "refusing layer: empty data is not a tar archive");
      goto out;
    }
  /* The digest covers the padding after the end-of-archive blocks too. */
  const void *dummy;
  la_ssize_t n;
  while ((n = inner_read (inner, &a, &dummy)) > 0)
    ;
  if (n < 0)
    {
      pc_error_make (err, EIO, "refusing layer: %s", archive_error_string (a.outer));
      goto out;
    }
  /* The blob digest covers every byte of the stream, also what follows
     the compressed data. */
  while (!a.in_eof)
    {
      const void *b;
      if (outer_read (a.outer, &a, &b) < 0)
        {
          pc_error_make (err, EIO, "refusing layer: %s", archive_error_string (a.outer));
          goto out;
        }
    }
  /* Directory times last: creating children changed them. */
  for (size_t i = 0; i < a.n_dirs; i++)
    {
      pc_autoerror pc_error *e2 = NULL;
      int dfd = open_dir (&a, a.dirs[i], false, a.dirs[i], &e2);
      if (dfd >= 0)
        {
          futimens (dfd, &a.dir_times[i * 2]);
          close (dfd);
        }
    }
  char hex[65];
  pc_sha256_final_hex (a.hash, hex);
  snprintf (diff_id_out, 72, "sha256:%s", hex);
  if (opts && opts->diff_size)
    *opts->diff_size = a.diff_size;
  if (blob)
    {
      pc_sha256_final_hex (a.blob_hash, hex);
      snprintf (blob->digest, sizeof blob->digest, "sha256:%s", hex);
      blob->size = a.blob_size;
      blob->compression = comp;
    }
  ret = 0;
out:
  archive_read_free (inner);
  archive_read_free (a.outer);
  pc_sha256_free (a.hash);
  pc_sha256_free (a.blob_hash);
  free (a.in_buf);
  cache_drop (&a);
  for (size_t i = 0; i < a.n_dirs; i++)
    free (a.dirs[i]);
  free (a.dirs);
  free (a.dir_times);
  for (size_t i = 0; i < a.n_created; i++)
    free (a.created[i]);
  free (a.created);
  free (a.buf);
  return ret;
}
