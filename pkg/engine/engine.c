/* Opening the engine: where records live, entering the user namespace,
   the image store, and the small file and lock helpers the rest shares. */
#include "pkg/engine/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"
#include "pkg/rootless/rootless.h"
#include "pkg/storage/storage.h"

const char *
pc_engine_data_dir (const struct pc_engine *e)
{
  return e->data_dir;
}

const char *
pc_engine_run_dir (const struct pc_engine *e)
{
  return e->run_dir;
}

static int
open_dir_p (const char *path, pc_error **err)
{
  int fd = open (path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (fd >= 0)
    return fd;
  if (errno != ENOENT)
    return pc_error_errno (err, errno, "open `%s`", path);
  if (pc_mkdir_p (AT_FDCWD, path, 0700, err) < 0)
    return -1;
  fd = open (path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return pc_error_errno (err, errno, "open `%s`", path);
  return fd;
}

int
pc_engine_open (const struct pc_engine_options *o, unsigned flags, struct pc_engine **out,
                pc_error **err)
{
  struct pc_engine *e = xmalloc0 (sizeof *e);
  e->ctr_dfd = e->names_dfd = e->run_dfd = -1;
  e->flags = flags;
  e->root_dir = o && o->root ? xstrdup (o->root) : pc_storage_default_root ();
  e->data_dir = xasprintf ("%s/engine", e->root_dir);
  e->run_dir = o && o->runroot ? xstrdup (o->runroot) : pc_storage_default_runroot ();
  e->driver = o && o->storage_driver ? xstrdup (o->storage_driver) : NULL;

  pc_autofree char *cdir = xasprintf ("%s/containers", e->data_dir);
  pc_autofree char *ndir = xasprintf ("%s/names", e->data_dir);
  e->names_dfd = open_dir_p (ndir, err);
  if (e->names_dfd < 0)
    goto fail;
  e->ctr_dfd = open_dir_p (cdir, err);
  if (e->ctr_dfd < 0)
    goto fail;
  if ((flags & PC_ENGINE_USERNS) && pc_engine_enter_userns (e, err) < 0)
    goto fail;
  if ((flags & PC_ENGINE_STORE) && pc_engine_store (e, err) == NULL)
    goto fail;
  *out = e;
  return 0;

fail:
  pc_engine_close (e);
  return -1;
}

void
pc_engine_close (struct pc_engine *e)
{
  if (e == NULL)
    return;
  if (e->store)
    pc_store_close (e->store);
  pc_closep (&e->ctr_dfd);
  pc_closep (&e->names_dfd);
  pc_closep (&e->run_dfd);
  free (e->root_dir);
  free (e->data_dir);
  free (e->run_dir);
  free (e->driver);
  free (e);
}

int
pc_engine_enter_userns (struct pc_engine *e, pc_error **err)
{
  if (!pc_rootless_is_rootless ())
    return 0;
  if (pc_rootless_enter (err) < 0)
    return pc_error_wrap (err, "enter the user namespace");
  pc_debug ("entered the user namespace");
  return 0;
}

struct pc_store *
pc_engine_store (struct pc_engine *e, pc_error **err)
{
  if (e->store)
    return e->store;
  if (pc_store_open (e->root_dir, e->run_dir, e->driver, &e->store, err) < 0)
    return NULL;
  return e->store;
}

int
eng_run_dfd (struct pc_engine *e, pc_error **err)
{
  if (e->run_dfd >= 0)
    return e->run_dfd;
  pc_autofree char *p = xasprintf ("%s/ctr", e->run_dir);
  e->run_dfd = open_dir_p (p, err);
  return e->run_dfd;
}

char *
pc_container_state_dir (const struct pc_engine *e, const struct pc_container *c)
{
  return xasprintf ("%s/ctr/%s", e->run_dir, c->id);
}

char *
pc_container_log_path (const struct pc_engine *e, const struct pc_container *c)
{
  return xasprintf ("%s/containers/%s/ctr.log", e->data_dir, c->id);
}

int
eng_lock_container (struct pc_engine *e, const char *id, pc_error **err)
{
  pc_autofree char *p = xasprintf ("%s/lock", id);
  int fd = openat (e->ctr_dfd, p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "no container with ID \"%s\" found: no such container", id);
      return pc_error_errno (err, errno, "open lock of container %s", id);
    }
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  while (fcntl (fd, F_OFD_SETLKW, &fl) < 0)
    {
      if (errno == EINTR)
        continue;
      int saved = errno;
      close (fd);
      return pc_error_errno (err, saved, "lock container %s", id);
    }
  return fd;
}

void
eng_unlock (int fd)
{
  if (fd >= 0)
    close (fd);
}

int
eng_write_volatile (int dirfd, const char *path, const char *data, size_t len, pc_error **err)
{
  /* Atomic (temp + rename) but no fsync: the runtime directory is a tmpfs
     ($XDG_RUNTIME_DIR or /run) whose content a crash or reboot takes away
     anyway, and state.json, the etc files and the pause marker are written
     on every start. What must survive a crash (container.json, names) goes
     through pc_write_file_atomic, which syncs. */
  pc_autofree char *tmp = xasprintf ("%s.tmp-%d", path, (int) getpid ());
  pc_autoclose int fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                                0644);
  if (fd < 0)
    return pc_error_errno (err, errno, "create `%s`", tmp);
  if (pc_write_all (fd, data, len, err) < 0)
    {
      unlinkat (dirfd, tmp, 0);
      return pc_error_wrap (err, "write `%s`", path);
    }
  if (renameat (dirfd, tmp, dirfd, path) < 0)
    {
      int saved = errno;
      unlinkat (dirfd, tmp, 0);
      return pc_error_errno (err, saved, "rename into `%s`", path);
    }
  return 0;
}

/* Reads up to size-1 bytes, NUL-terminated; returns the length or -1. */
int
eng_read_small (int dirfd, const char *path, char *buf, size_t size)
{
  int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return -1;
  size_t off = 0;
  while (off + 1 < size)
    {
      ssize_t r = read (fd, buf + off, size - 1 - off);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      off += (size_t) r;
    }
  close (fd);
  buf[off] = '\0';
  return (int) off;
}

unsigned long long
eng_proc_start_time (pid_t pid)
{
  if (pid <= 0)
    return 0;
  char path[64], buf[1024];
  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  if (eng_read_small (AT_FDCWD, path, buf, sizeof buf) <= 0)
    return 0;
  /* comm may hold spaces and parens: fields resume after the last ')'. */
  char *p = strrchr (buf, ')');
  if (p == NULL)
    return 0;
  p++;
  /* state is field 3; starttime is field 22. */
  int field = 2;
  for (; *p && field < 22; p++)
    if (*p == ' ')
      field++;
  if (field != 22)
    return 0;
  /* A zombie has exited: count it as gone. */
  const char *st = strrchr (buf, ')') + 2;
  if (*st == 'Z' || *st == 'X')
    return 0;
  return strtoull (p, NULL, 10);
}

int
eng_pidfd_open (pid_t pid)
{
  return (int) syscall (SYS_pidfd_open, pid, 0);
}

int
eng_pidfd_signal (int pidfd, int sig)
{
  return (int) syscall (SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

int64_t
eng_now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
