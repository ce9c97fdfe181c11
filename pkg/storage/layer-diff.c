/* A container's changes as an OCI layer tar (pc commit / pc export's diff):
   the overlay upper directory is walked through fds; overlay whiteouts
   (char 0/0) become `.wh.NAME`, opaque directories get `.wh..wh..opq`. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/storage/store-private.h"

static bool
is_overlay_xattr (const char *n)
{
  return strncmp (n, "user.overlay.", 13) == 0 || strncmp (n, "trusted.overlay.", 16) == 0
         || strncmp (n, "user.fuseoverlayfs.", 19) == 0;
}

static bool
is_opaque (int fd)
{
  static const char *const names[] = { "user.overlay.opaque", "trusted.overlay.opaque",
                                       "user.fuseoverlayfs.opaque", NULL };
  for (const char *const *n = names; *n; n++)
    {
      char v[4];
      ssize_t r = fgetxattr (fd, *n, v, sizeof v);
      if (r == 1 && v[0] == 'y')
        return true;
    }
  return false;
}

static void
add_xattrs (struct archive_entry *e, int fd)
{
  char names[4096];
  ssize_t n = flistxattr (fd, names, sizeof names);
  for (ssize_t off = 0; n > 0 && off < n; off += (ssize_t) strlen (names + off) + 1)
    {
      const char *name = names + off;
      if (is_overlay_xattr (name))
        continue;
      char val[4096];
      ssize_t vl = fgetxattr (fd, name, val, sizeof val);
      if (vl >= 0)
        archive_entry_xattr_add_entry (e, name, val, (size_t) vl);
    }
}

static int
write_entry (struct pc_layer_writer *w, struct archive_entry *e, int data_fd, pc_error **err)
{
  if (archive_write_header (w->w, e) != ARCHIVE_OK)
    return pc_error_make (err, EIO, "write layer entry `%s`: %s", archive_entry_pathname (e),
                          archive_error_string (w->w));
  if (data_fd >= 0 && archive_entry_size (e) > 0)
    {
      char buf[65536];
      ssize_t n;
      while ((n = read (data_fd, buf, sizeof buf)) > 0)
        if (archive_write_data (w->w, buf, (size_t) n) != n)
          return pc_error_make (err, EIO, "write layer data: %s", archive_error_string (w->w));
      if (n < 0)
        return pc_error_errno (err, errno, "read `%s`", archive_entry_pathname (e));
    }
  return 0;
}

static void
fill_stat (struct archive_entry *e, const struct stat *st)
{
  archive_entry_set_uid (e, st->st_uid);
  archive_entry_set_gid (e, st->st_gid);
  archive_entry_set_perm (e, st->st_mode & 07777);
  archive_entry_set_mtime (e, st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
}

int
pc_layer_writer_whiteout (struct pc_layer_writer *w, const char *dir, const char *name, const struct stat *st, pc_error **err)
{
  struct archive_entry *e = archive_entry_new ();
  pc_autofree char *p = xasprintf ("%s%s.wh.%s", dir, *dir ? "/" : "", name);
  archive_entry_set_pathname (e, p);
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_size (e, 0);
  fill_stat (e, st);
  archive_entry_set_perm (e, 0);
  int r = write_entry (w, e, -1, err);
  archive_entry_free (e);
  return r;
}

static int
cmp_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

char **
pc_dir_sorted_names (int dfd, const char *rel, size_t *n_out, pc_error **err)
{
  int dup_fd = fcntl (dfd, F_DUPFD_CLOEXEC, 3);
  DIR *d = dup_fd >= 0 ? fdopendir (dup_fd) : NULL;
  if (d == NULL)
    {
      pc_error_errno (err, errno, "read `%s`", *rel ? rel : ".");
      if (dup_fd >= 0)
        close (dup_fd);
      return NULL;
    }
  rewinddir (d);
  size_t n = 0;
  struct dirent *de;
  char **names = xmalloc0 (sizeof (char *));
  while ((de = readdir (d)))
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      {
        pc_strv_append (&names, de->d_name);
        n++;
      }
  closedir (d);
  /* Sorted, so the same changes give the same tar. */
  if (n > 1)
    qsort (names, n, sizeof (char *), cmp_names);
  *n_out = n;
  return names;
}

int
pc_layer_writer_add (struct pc_layer_writer *w, int dfd, const char *name, const char *path,
                     const struct stat *st, pc_error **err)
{
  if (S_ISSOCK (st->st_mode))
    return 0; /* sockets are not layer content */
  struct archive_entry *e = archive_entry_new ();
  archive_entry_set_pathname (e, path);
  fill_stat (e, st);
  int ret = 0;
  if (S_ISREG (st->st_mode))
    {
      archive_entry_set_filetype (e, AE_IFREG);
      bool linked = false;
      if (st->st_nlink > 1)
        {
          for (size_t k = 0; k < w->n_links; k++)
            if (w->links[k].dev == st->st_dev && w->links[k].ino == st->st_ino)
              {
                archive_entry_set_hardlink (e, w->links[k].path);
                archive_entry_set_size (e, 0);
                linked = true;
                break;
              }
          if (!linked)
            {
              w->links = xrealloc (w->links, (w->n_links + 1) * sizeof *w->links);
              w->links[w->n_links].dev = st->st_dev;
              w->links[w->n_links].ino = st->st_ino;
              w->links[w->n_links].path = xstrdup (path);
              w->n_links++;
            }
        }
      pc_autoclose int fd = -1;
      if (!linked)
        {
          fd = openat (dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
          if (fd < 0)
            {
              archive_entry_free (e);
              return pc_error_errno (err, errno, "open `%s`", path);
            }
          archive_entry_set_size (e, st->st_size);
          add_xattrs (e, fd);
        }
      ret = write_entry (w, e, fd, err);
    }
  else if (S_ISDIR (st->st_mode))
    {
      archive_entry_set_filetype (e, AE_IFDIR);
      pc_autoclose int fd = openat (dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        {
          archive_entry_free (e);
          return pc_error_errno (err, errno, "open `%s`", path);
        }
      add_xattrs (e, fd);
      ret = write_entry (w, e, -1, err);
    }
  else if (S_ISLNK (st->st_mode))
    {
      char target[4096];
      ssize_t tl = readlinkat (dfd, name, target, sizeof target - 1);
      target[tl > 0 ? tl : 0] = '\0';
      archive_entry_set_filetype (e, AE_IFLNK);
      archive_entry_set_symlink (e, target);
      ret = write_entry (w, e, -1, err);
    }
  else
    {
      archive_entry_set_filetype (e, S_ISCHR (st->st_mode)   ? AE_IFCHR
                                     : S_ISBLK (st->st_mode) ? AE_IFBLK
                                                             : AE_IFIFO);
      archive_entry_set_rdev (e, st->st_rdev);
      ret = write_entry (w, e, -1, err);
    }
  archive_entry_free (e);
  return ret;
}

static int
walk_dir (struct pc_layer_writer *w, int dfd, const char *rel, pc_error **err)
{
  if (*rel && is_opaque (dfd))
    {
      struct stat st;
      fstat (dfd, &st);
      if (pc_layer_writer_whiteout (w, rel, ".wh..opq", &st, err) < 0)
        return -1;
    }
  size_t n = 0;
  pc_autostrv char **names = pc_dir_sorted_names (dfd, rel, &n, err);
  if (names == NULL)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      const char *name = names[i];
      struct stat st;
      if (fstatat (dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      pc_autofree char *path = *rel ? xasprintf ("%s/%s", rel, name) : xstrdup (name);
      if (S_ISCHR (st.st_mode) && major (st.st_rdev) == 0 && minor (st.st_rdev) == 0)
        {
          if (pc_layer_writer_whiteout (w, rel, name, &st, err) < 0)
            return -1;
          continue;
        }
      if (pc_layer_writer_add (w, dfd, name, path, &st, err) < 0)
        return -1;
      if (S_ISDIR (st.st_mode))
        {
          pc_autoclose int fd = openat (dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (fd < 0)
            return pc_error_errno (err, errno, "open `%s`", path);
          if (walk_dir (w, fd, path, err) < 0)
            return -1;
        }
    }
  return 0;
}

int
pc_layer_writer_open (struct pc_layer_writer *w, int out_fd, pc_error **err)
{
  memset (w, 0, sizeof *w);
  w->w = archive_write_new ();
  archive_write_set_format_pax_restricted (w->w);
  archive_write_set_bytes_in_last_block (w->w, 1);
  if (archive_write_open_fd (w->w, out_fd) != ARCHIVE_OK)
    return pc_error_make (err, EIO, "write layer: %s", archive_error_string (w->w));
  return 0;
}

int
pc_layer_writer_close (struct pc_layer_writer *w, pc_error **err)
{
  if (archive_write_close (w->w) != ARCHIVE_OK)
    return pc_error_make (err, EIO, "write layer: %s", archive_error_string (w->w));
  return 0;
}

void
pc_layer_writer_free (struct pc_layer_writer *w)
{
  if (w->w)
    archive_write_free (w->w);
  for (size_t i = 0; i < w->n_links; i++)
    free (w->links[i].path);
  free (w->links);
  memset (w, 0, sizeof *w);
}

int
pc_storage_dir_to_tar (int dirfd, int out_fd, pc_error **err)
{
  struct pc_layer_writer w;
  int r = pc_layer_writer_open (&w, out_fd, err);
  if (r == 0)
    r = walk_dir (&w, dirfd, "", err);
  if (r == 0)
    r = pc_layer_writer_close (&w, err);
  pc_layer_writer_free (&w);
  return r;
}

int
pc_storage_diff_tar (struct pc_store *s, const char *cid, int out_fd, pc_error **err)
{
  pc_autofree char *p = xasprintf ("containers/%s/container.json", cid);
  pc_autojson json_object *rec = pc_json_read_file (s->root_fd, p, err);
  if (rec == NULL)
    return pc_error_wrap (err, "container storage %s", cid);
  const char *driver = pc_json_get_string (rec, "driver");
  if (driver && strcmp (driver, "vfs") == 0)
    return pc_storage_vfs_diff_tar (s, cid, rec, out_fd, err);
  pc_autofree char *up = xasprintf ("containers/%s/diff", cid);
  pc_autoclose int dfd = openat (s->root_fd, up, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (dfd < 0)
    return pc_error_errno (err, errno, "open the upper dir of %s", cid);
  return pc_storage_dir_to_tar (dfd, out_fd, err);
}
