/* pc export: the container's whole filesystem as a tar stream. Its root is
   mounted again in our own private mount namespace (gone when we exit), for
   a running container too: what the runtime mounts on top (/proc, /sys,
   /dev, the /etc files, tmpfs) is not part of it. */
#include "pkg/engine/internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/rootless/rootless.h"
#include "pkg/storage/storage.h"

static bool
skip_path (json_object *spec, const char *rel)
{
  /* rel: "proc", "etc/hosts"... compared with the spec's mount points. */
  json_object *mounts = pc_json_get (spec, "mounts");
  for (size_t i = 0; mounts && i < json_object_array_length (mounts); i++)
    {
      const char *d = pc_json_get_string (json_object_array_get_idx (mounts, i), "destination");
      if (d && strcmp (d + 1, rel) == 0)
        return true;
    }
  return false;
}

static int
archive_tree (const char *root, json_object *spec, bool skip_mounts, int out_fd, pc_error **err)
{
  struct archive *w = archive_write_new ();
  struct archive *r = archive_read_disk_new ();
  int ret = -1;
  archive_write_set_format_pax_restricted (w);
  archive_read_disk_set_standard_lookup (r);
  if (archive_write_open_fd (w, out_fd) != ARCHIVE_OK)
    {
      pc_error_make (err, EIO, "export: %s", archive_error_string (w));
      goto out;
    }
  if (archive_read_disk_open (r, root) != ARCHIVE_OK)
    {
      pc_error_make (err, EIO, "export: open `%s`: %s", root, archive_error_string (r));
      goto out;
    }
  size_t rootlen = strlen (root);
  while (rootlen > 1 && root[rootlen - 1] == '/')
    rootlen--;
  for (;;)
    {
      struct archive_entry *ent = archive_entry_new ();
      int rr = archive_read_next_header2 (r, ent);
      if (rr == ARCHIVE_EOF)
        {
          archive_entry_free (ent);
          break;
        }
      if (rr < ARCHIVE_WARN)
        {
          pc_error_make (err, EIO, "export: read: %s", archive_error_string (r));
          archive_entry_free (ent);
          goto out;
        }
      const char *p = archive_entry_pathname (ent);
      const char *rel = strlen (p) > rootlen ? p + rootlen + (p[rootlen] == '/') : "";
      bool is_mount = skip_mounts && *rel && skip_path (spec, rel);
      if (archive_entry_filetype (ent) == AE_IFDIR && !is_mount)
        archive_read_disk_descend (r);
      if (*rel == '\0')
        {
          archive_entry_free (ent);
          continue;
        }
      pc_autofree char *name = xstrdup (rel);
      archive_entry_copy_pathname (ent, name);
      if (is_mount)
        {
          /* Keep the mount point itself, not what is mounted there. */
          if (archive_entry_filetype (ent) != AE_IFDIR)
            {
              archive_entry_free (ent);
              continue;
            }
        }
      if (archive_write_header (w, ent) < ARCHIVE_WARN)
        {
          pc_error_make (err, EIO, "export: write `%s`: %s", name, archive_error_string (w));
          archive_entry_free (ent);
          goto out;
        }
      if (archive_entry_filetype (ent) == AE_IFREG && archive_entry_size (ent) > 0 && !is_mount)
        {
          char buf[65536];
          ssize_t n;
          while ((n = archive_read_data (r, buf, sizeof buf)) > 0)
            if (archive_write_data (w, buf, (size_t) n) < 0)
              {
                pc_error_make (err, EIO, "export: write: %s", archive_error_string (w));
                archive_entry_free (ent);
                goto out;
              }
        }
      archive_entry_free (ent);
    }
  if (archive_write_close (w) != ARCHIVE_OK)
    {
      pc_error_make (err, EIO, "export: %s", archive_error_string (w));
      goto out;
    }
  ret = 0;
out:
  archive_read_free (r);
  archive_write_free (w);
  return ret;
}

int
pc_engine_export (struct pc_engine *e, struct pc_container *c, int out_fd, pc_error **err)
{
  pc_autofree char *spath = xasprintf ("%s/config.json", c->id);
  pc_autojson json_object *spec = pc_json_read_file (e->ctr_dfd, spath, err);
  if (spec == NULL)
    return -1;
  struct pc_store *s = pc_engine_store (e, err);
  if (s == NULL)
    return -1;
  struct pc_rootfs_mount m = { 0 };
  if (pc_store_container_rootfs (s, c->id, &m, err) < 0)
    return -1;
  int ret = -1;
  /* Rootless, pc_rootless_enter gave us a private mount namespace; as root
     make one, so the mount never shows on the host. */
  if (!pc_rootless_in_userns ())
    {
      if (unshare (CLONE_NEWNS) < 0)
        {
          pc_error_errno (err, errno, "unshare mount namespace");
          goto out;
        }
      if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        {
          pc_error_errno (err, errno, "make mounts private");
          goto out;
        }
    }
  if (pc_storage_mount_rootfs (&m, err) < 0)
    goto out;
  ret = archive_tree (m.target, spec, false, out_fd, err);
  umount2 (m.target, MNT_DETACH);
out:
  pc_rootfs_mount_clear (&m);
  return ret;
}
