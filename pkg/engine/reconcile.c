/* What a killed `pc create` or `pc run` leaves behind, collected. Create
   reserves the name, makes the engine directory, creates the storage
   container and writes the record last (the commit point); a kill -9 in
   between leaves an engine directory without a record, a storage container
   without an engine record (which pinned its image for good: rmi said "image
   used by ..."), or a name reserved for nobody. The creator holds the
   container's lock from its directory's birth to the record, so a container
   without a record whose lock can be taken was abandoned. Commands that
   already hold the user namespace (they remove storage) call this before
   they decide what is in use. They also empty the trash entries of
   removals that were killed (trash.c). */
#include "pkg/engine/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/storage/storage.h"

static bool
is_id (const char *s)
{
  size_t n = 0;
  for (; s[n]; n++)
    if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
      return false;
  return n == 64;
}

static bool
has_record (struct pc_engine *e, const char *id)
{
  char path[96];
  snprintf (path, sizeof path, "%s/container.json", id);
  return faccessat (e->ctr_dfd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* The container's lock without waiting; -1 when its creator (or anyone)
   holds it. The directory may be gone: then nobody is creating it. */
static int
try_lock (struct pc_engine *e, const char *id, bool *no_dir)
{
  char path[80];
  snprintf (path, sizeof path, "%s/lock", id);
  int fd = openat (e->ctr_dfd, path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  *no_dir = fd < 0 && errno == ENOENT;
  if (fd < 0)
    return -1;
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  if (fcntl (fd, F_OFD_SETLK, &fl) < 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static void
collect (struct pc_engine *e, struct pc_store *s, const char *id)
{
  pc_autoerror pc_error *err = NULL;
  /* A record deleted while its container ran leaves a live monitor: it
     goes first, with the container and the root it mounted. */
  struct pc_container c = { 0 };
  memcpy (c.id, id, 64);
  eng_state_read (e, &c, false);
  if (eng_reap_monitors (e, &c, &err) < 0)
    {
      pc_warn ("collect abandoned container %.12s: %s", id, err->msg);
      return;
    }
  if (s && pc_store_container_remove (s, id, &err) < 0)
    {
      pc_warn ("collect the storage of abandoned container %.12s: %s", id, err->msg);
      return;
    }
  eng_names_release_id (e, id);
  int rfd = eng_run_dfd (e, &err);
  if (rfd >= 0)
    pc_rm_rf_at (rfd, id, &err);
  pc_error_clear (&err);
  if (pc_rm_rf_at (e->ctr_dfd, id, &err) < 0)
    pc_warn ("collect abandoned container %.12s: %s", id, err->msg);
  pc_debug ("collected container %.12s, abandoned by a killed create", id);
}

int
eng_reconcile (struct pc_engine *e, pc_error **err)
{
  struct pc_store *s = pc_engine_store (e, err);
  if (s == NULL)
    return -1;
  /* Trash whose remover died mid-delete (trash.c). */
  eng_trash_collect (e);
  pc_autostrv char **ids = pc_store_container_ids (s);
  /* Engine directories too: a kill before the storage container existed. */
  int fd = dup (e->ctr_dfd);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  if (d == NULL && fd >= 0)
    close (fd);
  struct dirent *de;
  while (d && (de = readdir (d)))
    if (is_id (de->d_name) && !pc_strv_contains (ids, de->d_name))
      pc_strv_append (&ids, de->d_name);
  if (d)
    closedir (d);
  for (char **id = ids; *id; id++)
    {
      if (!is_id (*id) || has_record (e, *id))
        continue;
      bool no_dir;
      int lock = try_lock (e, *id, &no_dir);
      if (lock < 0 && !no_dir)
        continue;   /* being created right now */
      /* Locked: a record written meanwhile means it is alive after all. */
      if (!has_record (e, *id))
        collect (e, s, *id);
      if (lock >= 0)
        close (lock);
    }
  return 0;
}
