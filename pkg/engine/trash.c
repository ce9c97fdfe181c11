/* Removal through a trash directory. A container's directories go, each by
   one rename, into a trash directory on their own filesystem: the engine
   directory (record, spec, log, lock) to DATA/trash/ID, the container layer
   into it as DATA/trash/ID/.storage, the state dir to RUN/trash/ID. The
   engine directory's rename is the commit point: from then on no listing,
   lookup or name sees the container, and its name is stale for the next
   reservation. What the remover then waits for (run --rm's CLI, the
   container's lock) ends there; deleting the trash's content comes after,
   off that path.

   Each trash entry is flock()ed by its remover from before its rename until
   it is deleted, so a locked entry is being emptied and one that can be
   locked was left by a remover that died (kill -9 of the monitor between the
   rename and the end of the delete): eng_trash_collect (reconcile) deletes
   those. A remover that cannot rename (another filesystem, a name in the
   way) removes in place, as before the trash existed. */
#include "pkg/engine/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/storage/storage.h"

#define STORAGE_NAME ".storage"

/* BASE/trash, created when missing; -1 when it cannot be opened. */
static int
open_trash (const char *base)
{
  pc_autofree char *p = xasprintf ("%s/trash", base);
  int fd = open (p, O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd >= 0 || errno != ENOENT)
    return fd;
  if (mkdir (p, 0700) < 0 && errno != EEXIST)
    return -1;
  return open (p, O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
}

/* dfd/id opened and flock()ed, ready to be renamed away; -1 when absent. */
static int
open_locked (int dfd, const char *id)
{
  int fd = openat (dfd, id, O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return -1;
  if (flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

void
eng_trash_init (struct eng_trash *t)
{
  memset (t, 0, sizeof *t);
  t->data_fd = t->data_trash = t->run_fd = t->run_trash = -1;
}

int
eng_trash_move (struct pc_engine *e, const char *id, struct eng_trash *t)
{
  pc_autoerror pc_error *err = NULL;
  eng_trash_init (t);
  snprintf (t->id, sizeof t->id, "%s", id);
  t->data_trash = open_trash (e->data_dir);
  if (t->data_trash < 0)
    return -1;
  t->data_fd = open_locked (e->ctr_dfd, id);
  if (t->data_fd < 0)
    goto fail;
  /* The commit point: the container is gone for everyone after this. */
  if (renameat (e->ctr_dfd, id, t->data_trash, id) < 0)
    goto fail;
  /* The state dir next, before the layer: a reconcile that sees the layer
     without a record must find no monitor named in a state dir. */
  int rfd = eng_run_dfd (e, &err);
  int sfd = rfd >= 0 ? open_locked (rfd, id) : -1;
  if (sfd >= 0)
    {
      t->run_trash = open_trash (e->run_dir);
      if (t->run_trash >= 0 && renameat (rfd, id, t->run_trash, id) == 0)
        t->run_fd = sfd;
      else
        close (sfd);   /* removed in place by eng_trash_empty */
    }
  int m = pc_store_container_move (e->root_dir, id, t->data_fd, STORAGE_NAME, &err);
  t->storage_left = m < 0;
  if (m < 0)
    pc_debug ("container %.12s: %s; removing it in place", id, err->msg);
  return 0;

fail:
  pc_closep (&t->data_fd);
  pc_closep (&t->data_trash);
  return -1;
}

void
eng_trash_empty (struct pc_engine *e, struct eng_trash *t)
{
  pc_autoerror pc_error *err = NULL;
  if (t->run_fd >= 0)
    pc_rm_rf_at (t->run_trash, t->id, &err);
  else
    {
      int rfd = eng_run_dfd (e, &err);
      if (rfd >= 0)
        pc_rm_rf_at (rfd, t->id, &err);
    }
  pc_error_clear (&err);
  if (t->storage_left)
    {
      struct pc_store *s = pc_engine_store (e, &err);
      if (s == NULL || pc_store_container_remove (s, t->id, &err) < 0)
        pc_warn ("remove the storage of container %.12s: %s", t->id, err->msg);
      pc_error_clear (&err);
    }
  if (t->data_fd >= 0 && pc_rm_rf_at (t->data_trash, t->id, &err) < 0)
    pc_warn ("empty the trash of container %.12s: %s (the next pc command that "
             "removes containers deletes it)", t->id, err->msg);
  pc_closep (&t->run_fd);
  pc_closep (&t->run_trash);
  pc_closep (&t->data_fd);
  pc_closep (&t->data_trash);
}

/* Every entry of base/trash that can be locked: its remover is gone. */
static size_t
collect_in (const char *base)
{
  pc_autoclose int tfd = -1;
  pc_autofree char *p = xasprintf ("%s/trash", base);
  tfd = open (p, O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (tfd < 0)
    return 0;
  int dfd = dup (tfd);
  DIR *d = dfd >= 0 ? fdopendir (dfd) : NULL;
  if (d == NULL)
    {
      if (dfd >= 0)
        close (dfd);
      return 0;
    }
  size_t n = 0;
  struct dirent *de;
  while ((de = readdir (d)))
    {
      if (de->d_name[0] == '.')
        continue;
      pc_autoclose int fd = open_locked (tfd, de->d_name);
      if (fd < 0)
        continue;   /* its remover is at work (or it is nothing of ours) */
      pc_autoerror pc_error *err = NULL;
      if (pc_rm_rf_at (tfd, de->d_name, &err) < 0)
        pc_warn ("empty the trash `%s/%s`: %s", p, de->d_name, err->msg);
      else
        n++;
    }
  closedir (d);
  return n;
}

void
eng_trash_collect (struct pc_engine *e)
{
  size_t n = collect_in (e->data_dir) + collect_in (e->run_dir);
  if (n > 0)
    pc_debug ("collected %zu trash entries left by removals that were killed", n);
}
