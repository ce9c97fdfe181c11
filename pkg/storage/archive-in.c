/* Reading an image archive (docker-archive or oci-archive, possibly
   compressed, possibly a pipe) into a staging directory: every regular
   file becomes a staged file with its sha256 and size, so blobs are hashed
   exactly once, while they stream in. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/hash.h"
#include "lib/xalloc.h"
#include "pkg/storage/archive-in.h"

void
pc_archive_files_free (struct pc_archive_files *f)
{
  for (size_t i = 0; i < f->n; i++)
    {
      free (f->v[i].path);
      free (f->v[i].link);
    }
  free (f->v);
  f->v = NULL;
  f->n = 0;
}

static char *
clean_path (const char *p)
{
  while (p[0] == '.' && p[1] == '/')
    p += 2;
  while (*p == '/')
    p++;
  char *c = xstrdup (p);
  size_t n = strlen (c);
  while (n > 0 && c[n - 1] == '/')
    c[--n] = '\0';
  return c;
}

const struct pc_archive_file *
pc_archive_find (const struct pc_archive_files *f, const char *path)
{
  pc_autofree char *want = clean_path (path);
  for (int depth = 0; depth < 8; depth++)
    {
      const struct pc_archive_file *hit = NULL;
      for (size_t i = 0; i < f->n; i++)
        if (strcmp (f->v[i].path, want) == 0)
          hit = &f->v[i];
      if (hit == NULL || hit->link == NULL)
        return hit;
      /* Old docker save writes layer.tar symlinks to other layers' files. */
      char *slash = strrchr (want, '/');
      char *next = hit->link[0] == '/' || slash == NULL
                   ? clean_path (hit->link)
                   : xasprintf ("%.*s/%s", (int) (slash - want), want, hit->link);
      /* resolve "a/../b" */
      char *dd;
      while ((dd = strstr (next, "/../")))
        {
          char *start = dd;
          while (start > next && start[-1] != '/')
            start--;
          memmove (start, dd + 4, strlen (dd + 4) + 1);
        }
      if (strncmp (next, "../", 3) == 0)
        {
          free (next);
          return NULL;
        }
      free (want);
      want = next;
    }
  return NULL;
}

int
pc_archive_stage (int fd, int stage_dirfd, struct pc_archive_files *files, pc_error **err)
{
  struct archive *a = archive_read_new ();
  archive_read_support_filter_gzip (a);
  archive_read_support_filter_zstd (a);
  archive_read_support_filter_xz (a);
  archive_read_support_filter_bzip2 (a);
  archive_read_support_format_tar (a);
  pc_autofree char *buf = xmalloc (256 * 1024);
  struct archive_entry *e;
  int ret = -1, r;
  memset (files, 0, sizeof *files);
  if (archive_read_open_fd (a, fd, 256 * 1024) != ARCHIVE_OK)
    {
      pc_error_make (err, EIO, "read archive: %s", archive_error_string (a));
      goto out;
    }
  while ((r = archive_read_next_header (a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN)
    {
      mode_t t = archive_entry_filetype (e);
      if (t != AE_IFREG && t != AE_IFLNK)
        continue;
      const char *name = archive_entry_pathname (e);
      if (name == NULL)
        continue;
      pc_autofree char *path = clean_path (name);
      if (strstr (path, "..") && (strncmp (path, "../", 3) == 0 || strstr (path, "/../")))
        {
          pc_error_make (err, EPERM, "refusing archive: entry `%s` contains `..`", name);
          goto out;
        }
      files->v = xrealloc (files->v, (files->n + 1) * sizeof *files->v);
      struct pc_archive_file *f = &files->v[files->n];
      memset (f, 0, sizeof *f);
      f->path = steal_pointer (&path);
      files->n++;
      if (t == AE_IFLNK || archive_entry_hardlink (e))
        {
          const char *l = t == AE_IFLNK ? archive_entry_symlink (e) : archive_entry_hardlink (e);
          f->link = xstrdup (l ? l : "");
          if (archive_entry_hardlink (e))
            {
              free (f->link);
              f->link = clean_path (archive_entry_hardlink (e));
              /* a hard link names a path from the archive root */
              char *abs = xasprintf ("/%s", f->link);
              free (f->link);
              f->link = abs;
            }
          continue;
        }
      snprintf (f->staged, sizeof f->staged, "f%zu", files->n - 1);
      pc_autoclose int out = openat (stage_dirfd, f->staged, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (out < 0)
        {
          pc_error_errno (err, errno, "stage `%s`", name);
          goto out;
        }
      struct pc_sha256 *h = pc_sha256_new ();
      la_ssize_t n;
      while ((n = archive_read_data (a, buf, 256 * 1024)) > 0)
        {
          pc_sha256_update (h, buf, (size_t) n);
          f->size += n;
          if (pc_write_all (out, buf, (size_t) n, err) < 0)
            {
              pc_sha256_free (h);
              goto out;
            }
        }
      char hex[65];
      pc_sha256_final_hex (h, hex);
      pc_sha256_free (h);
      if (n < 0)
        {
          pc_error_make (err, EIO, "read archive entry `%s`: truncated or corrupt: %s", name,
                         archive_error_string (a));
          goto out;
        }
      snprintf (f->digest, sizeof f->digest, "sha256:%s", hex);
    }
  if (r != ARCHIVE_EOF)
    {
      pc_error_make (err, EIO, "read archive: truncated or not a tar archive: %s",
                     archive_error_string (a));
      goto out;
    }
  if (files->n == 0)
    {
      pc_error_make (err, EINVAL, "the archive is empty: not a docker-archive or oci-archive");
      goto out;
    }
  ret = 0;
out:
  archive_read_free (a);
  return ret;
}
