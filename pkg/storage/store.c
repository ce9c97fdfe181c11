/* Opening the store, its lock, staging directories and blob paths. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "lib/lock.h"
#include "lib/log.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"
#include "pkg/storage/store-private.h"


static const char *const store_dirs[] = {
  "blobs", "blobs/sha256", "layers", "images", "names", "digests", "containers", "tmp", NULL,
};

int
pc_store_open (const char *root, const char *runroot, const char *driver,
               struct pc_store **out, pc_error **err)
{
  pc_autofree char *def_root = root ? NULL : pc_storage_default_root ();
  pc_autofree char *def_run = runroot ? NULL : pc_storage_default_runroot ();
  const char *r = root ? root : def_root;
  const char *rr = runroot ? runroot : def_run;

  if (r[0] != '/')
    return pc_error_make (err, EINVAL, "storage root `%s` must be an absolute path", r);
  if (driver && strcmp (driver, "overlay") != 0 && strcmp (driver, "fuse-overlayfs") != 0
      && strcmp (driver, "vfs") != 0)
    return pc_error_make (err, EINVAL,
                          "unknown storage driver \"%s\": choose overlay, fuse-overlayfs or vfs",
                          driver);
  if (pc_mkdir_p (AT_FDCWD, r, 0700, err) < 0)
    return pc_error_wrap (err, "create storage root");
  int fd = open (r, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return pc_error_errno (err, errno, "open storage root `%s`", r);
  for (const char *const *d = store_dirs; *d; d++)
    if (mkdirat (fd, *d, 0700) < 0 && errno != EEXIST)
      {
        int e = errno;
        close (fd);
        return pc_error_errno (err, e, "create `%s/%s`", r, *d);
      }
  struct pc_store *s = xmalloc0 (sizeof *s);
  s->root = xstrdup (r);
  s->runroot = xstrdup (rr);
  s->driver_opt = driver ? xstrdup (driver) : pc_storage_configured_driver ();
  s->root_fd = fd;
  s->lock_fd = -1;
  *out = s;
  return 0;
}

void
pc_store_close (struct pc_store *s)
{
  if (s == NULL)
    return;
  if (s->lock_fd >= 0)
    pc_unlock (s->lock_fd);
  if (s->root_fd >= 0)
    close (s->root_fd);
  free (s->root);
  free (s->runroot);
  free (s->driver_opt);
  free (s->driver);
  free (s);
}

const char *
pc_store_root (const struct pc_store *s)
{
  return s->root;
}

int
pc_store_lock (struct pc_store *s, pc_error **err)
{
  if (s->lock_depth++ > 0)
    return 0;
  s->lock_fd = pc_lock_open (s->root_fd, "store.lock", true, err);
  if (s->lock_fd < 0)
    {
      s->lock_depth = 0;
      return pc_error_wrap (err, "lock the store");
    }
  return 0;
}

void
pc_store_unlock (struct pc_store *s)
{
  if (s->lock_depth == 0 || --s->lock_depth > 0)
    return;
  pc_unlock (s->lock_fd);
  s->lock_fd = -1;
}

int
pc_store_require_userns (const char *op, pc_error **err)
{
  /* Inside pc's user namespace (or as root) the euid is 0. */
  if (geteuid () == 0)
    return 0;
  return pc_error_make (err, EPERM, "internal error: %s changes files owned by container ids and "
                        "needs pc's user namespace, which a pc command enters at its start", op);
}

/* digest "sha256:<hex>" -> "blobs/sha256/<hex>"; -1 for a malformed digest. */
int
pc_store_blob_path (const char *digest, char *buf, size_t len)
{
  if (digest == NULL || strncmp (digest, "sha256:", 7) != 0 || strlen (digest) != 71)
    return -1;
  for (const char *p = digest + 7; *p; p++)
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
      return -1;
  snprintf (buf, len, "blobs/sha256/%s", digest + 7);
  return 0;
}

int
pc_store_blob_read (struct pc_store *s, const char *digest, char **data, size_t *len,
                    pc_error **err)
{
  char path[128];
  if (pc_store_blob_path (digest, path, sizeof path) < 0)
    return pc_error_make (err, EINVAL, "invalid digest `%s`", digest ? digest : "");
  if (pc_read_file (s->root_fd, path, data, len, err) < 0)
    return pc_error_wrap (err, "read blob %s", digest);
  return 0;
}

int
pc_store_blob_open (struct pc_store *s, const char *digest, pc_error **err)
{
  char path[128];
  if (pc_store_blob_path (digest, path, sizeof path) < 0)
    return pc_error_make (err, EINVAL, "invalid digest `%s`", digest ? digest : "");
  int fd = openat (s->root_fd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return pc_error_errno (err, errno, "open blob %s", digest);
  return fd;
}

bool
pc_store_has_blob (struct pc_store *s, const char *digest)
{
  char path[128];
  if (pc_store_blob_path (digest, path, sizeof path) < 0)
    return false;
  return faccessat (s->root_fd, path, F_OK, 0) == 0;
}

bool
pc_store_has_layer (struct pc_store *s, const char *chain_id)
{
  if (chain_id == NULL || strncmp (chain_id, "sha256:", 7) != 0)
    return false;
  pc_autofree char *p = xasprintf ("layers/%s/layer.json", chain_id + 7);
  return faccessat (s->root_fd, p, F_OK, 0) == 0;
}

int
pc_staging_new (struct pc_store *s, const char *kind, struct pc_staging *st, pc_error **err)
{
  char rnd[65];
  if (pc_random_id (rnd, err) < 0)
    return -1;
  /* Every operation that stages (load, import, commit, a layer) first
     collects what killed ones left: their flock died with them. */
  pc_staging_cleanup_stale (s);
  st->name = xasprintf ("tmp/%s-%.16s", kind, rnd);
  st->dir_fd = -1;
  st->lock_fd = -1;
  /* Under the store lock, so a concurrent cleanup never sees the directory
     before its owner holds the flock on it. */
  if (pc_store_lock (s, err) < 0)
    goto fail;
  if (mkdirat (s->root_fd, st->name, 0700) < 0)
    {
      pc_error_errno (err, errno, "create staging directory `%s`", st->name);
      pc_store_unlock (s);
      goto fail;
    }
  st->dir_fd = openat (s->root_fd, st->name, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (st->dir_fd < 0 || flock (st->dir_fd, LOCK_EX | LOCK_NB) < 0)
    {
      pc_error_errno (err, errno, "lock staging directory `%s`", st->name);
      pc_store_unlock (s);
      goto fail;
    }
  pc_store_unlock (s);
  return 0;
fail:
  if (st->dir_fd >= 0)
    close (st->dir_fd);
  st->dir_fd = -1;
  free (st->name);
  st->name = NULL;
  return -1;
}

void
pc_staging_finish (struct pc_store *s, struct pc_staging *st)
{
  if (st->name == NULL)
    return;
  pc_autoerror pc_error *e = NULL;
  if (pc_rm_rf_at (s->root_fd, st->name, &e) < 0)
    pc_warn ("remove `%s/%s`: %s", s->root, st->name, e->msg);
  if (st->dir_fd >= 0)
    close (st->dir_fd);
  st->dir_fd = -1;
  free (st->name);
  st->name = NULL;
}

void
pc_staging_cleanup_stale (struct pc_store *s)
{
  pc_autoerror pc_error *e = NULL;
  if (pc_store_lock (s, &e) < 0)
    return;
  int tfd = openat (s->root_fd, "tmp", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  DIR *d = tfd >= 0 ? fdopendir (tfd) : NULL;
  if (d == NULL)
    {
      if (tfd >= 0)
        close (tfd);
      pc_store_unlock (s);
      return;
    }
  struct dirent *de;
  while ((de = readdir (d)))
    {
      if (de->d_name[0] == '.')
        continue;
      int fd = openat (dirfd (d), de->d_name, O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0)
        {
          unlinkat (dirfd (d), de->d_name, 0);
          continue;
        }
      if (flock (fd, LOCK_EX | LOCK_NB) == 0)
        {
          pc_autoerror pc_error *e2 = NULL;
          if (pc_rm_rf_at (dirfd (d), de->d_name, &e2) < 0)
            pc_debug ("remove stale `%s`: %s", de->d_name, e2->msg);
        }
      close (fd);
    }
  closedir (d);
  pc_store_unlock (s);
}

char *
pc_store_now_rfc3339 (void)
{
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  return pc_time_format_rfc3339 (&now);
}

json_object *
pc_json_strv (char *const *v)
{
  json_object *a = json_object_new_array ();
  for (; v && *v; v++)
    json_object_array_add (a, json_object_new_string (*v));
  return a;
}

char *
pc_chain_id (const char *parent_chain, const char *diff_id)
{
  if (parent_chain == NULL)
    return xstrdup (diff_id);
  pc_autofree char *s = xasprintf ("%s %s", parent_chain, diff_id);
  char hex[65];
  pc_sha256_hex (s, strlen (s), hex);
  return xasprintf ("sha256:%s", hex);
}
