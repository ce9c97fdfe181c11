/* The container lock against this process's own reconcile: a create holds
   the lock on a container that has no record yet, and anything in the same
   process that collects abandoned containers (eng_reconcile, run by listing
   in the user namespace) must see it as taken, and must not release it by
   opening and closing the lock file itself. With POSIX record locks both
   failed: they belong to the process, not to the fd. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"
#include "pkg/engine/internal.h"
#include "tests/unit/tap.h"

static const char id[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/* In a child: can a fresh open of the lock be locked? 1 yes, 0 no. */
static int
lockable_elsewhere (struct pc_engine *e)
{
  pid_t pid = fork ();
  if (pid == 0)
    {
      char path[80];
      snprintf (path, sizeof path, "%s/lock", id);
      int fd = openat (e->ctr_dfd, path, O_RDWR | O_CLOEXEC);
      struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
      _exit (fd >= 0 && fcntl (fd, F_OFD_SETLK, &fl) == 0 ? 1 : 0);
    }
  int status = 0;
  if (pid < 0 || waitpid (pid, &status, 0) != pid || !WIFEXITED (status))
    return -1;
  return WEXITSTATUS (status);
}

int
main (void)
{
  char root[] = "/tmp/pc-test-locks.XXXXXX";
  if (mkdtemp (root) == NULL)
    return 1;
  pc_autofree char *runroot = xasprintf ("%s/run", root);
  pc_autofree char *store = xasprintf ("%s/store", root);
  struct pc_engine_options o = { .root = store, .runroot = runroot, .storage_driver = "vfs" };
  struct pc_engine *e = NULL;
  pc_autoerror pc_error *err = NULL;
  if (pc_engine_open (&o, 0, &e, &err) < 0)
    {
      printf ("1..0 # SKIP open an engine: %s\n", err->msg);
      return 0;
    }
  printf ("1..5\n");
  ok (mkdirat (e->ctr_dfd, id, 0700) == 0, "a container directory without a record (a create in progress)");
  int lock = eng_lock_container (e, id, &err);
  ok (lock >= 0, "the creator takes the container's lock");
  ok (lockable_elsewhere (e) == 0, "another process cannot take it");
  ok (eng_reconcile (e, &err) == 0, "this process collects abandoned containers");
  struct stat st;
  ok (fstatat (e->ctr_dfd, id, &st, 0) == 0 && lockable_elsewhere (e) == 0,
      "the container being created is left alone and still locked");
  eng_unlock (lock);
  pc_engine_close (e);
  pc_error_clear (&err);
  pc_rm_rf_at (AT_FDCWD, root, &err);
  return tap_failed ? 1 : 0;
}
