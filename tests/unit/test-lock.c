#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/fileutil.h"
#include "lib/lock.h"
#include "tests/unit/tap.h"

struct holder
{
  pid_t pid;
  int release;  /* write end: closing it lets the child go */
};

/* A child takes the lock, says so, and holds it until `release` closes. */
static struct holder
hold_in_child (int dfd, const char *path, bool exclusive)
{
  int ready[2], go[2];
  if (pipe2 (ready, O_CLOEXEC) < 0 || pipe2 (go, O_CLOEXEC) < 0)
    abort ();
  pid_t pid = fork ();
  if (pid == 0)
    {
      close (ready[0]);
      close (go[1]);
      int fd = pc_lock_open (dfd, path, exclusive, NULL);
      char c = fd >= 0 ? 'L' : 'E';
      if (write (ready[1], &c, 1) != 1)
        _exit (2);
      if (read (go[0], &c, 1) < 0)
        _exit (3);
      pc_unlock (fd);
      _exit (fd >= 0 ? 0 : 1);
    }
  close (ready[1]);
  close (go[0]);
  char c = 0;
  if (read (ready[0], &c, 1) != 1 || c != 'L')
    abort ();
  close (ready[0]);
  return (struct holder) { pid, go[1] };
}

static int
release (struct holder h)
{
  close (h.release);
  int st = 0;
  waitpid (h.pid, &st, 0);
  return WIFEXITED (st) ? WEXITSTATUS (st) : -1;
}

int
main (void)
{
  /* Forked children must not repeat buffered TAP lines. */
  setvbuf (stdout, NULL, _IOLBF, 0);
  char dir[] = "/tmp/pc-test-lock-XXXXXX";
  if (mkdtemp (dir) == NULL)
    abort ();
  int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  pc_error *err = NULL;

  int fd = pc_lock_try (dfd, "l", true, &err);
  ok (fd >= 0, "uncontended exclusive try succeeds and creates the file");
  ok (faccessat (dfd, "l", F_OK, 0) == 0, "lock file exists");
  ok (fd >= 0 && (fcntl (fd, F_GETFD) & FD_CLOEXEC), "lock fd is close-on-exec");
  pc_unlock (fd);

  struct holder h = hold_in_child (dfd, "l", true);
  fd = pc_lock_try (dfd, "l", true, &err);
  ok (fd < 0, "exclusive lock held by a child: exclusive try fails");
  ok (err && err->status == EWOULDBLOCK, "with EWOULDBLOCK");
  ok (err && err->msg && *err->msg, "and a message: %s", err ? err->msg : "");
  pc_error_clear (&err);
  fd = pc_lock_try (dfd, "l", false, &err);
  ok (fd < 0 && err && err->status == EWOULDBLOCK, "exclusive held: shared try fails too");
  pc_error_clear (&err);
  is_int (release (h), 0, "child released its lock");
  fd = pc_lock_try (dfd, "l", true, &err);
  ok (fd >= 0, "after release the exclusive try succeeds");
  pc_unlock (fd);

  h = hold_in_child (dfd, "s", false);
  fd = pc_lock_try (dfd, "s", false, &err);
  ok (fd >= 0, "shared locks coexist");
  int fd2 = pc_lock_try (dfd, "s", true, &err);
  ok (fd2 < 0 && err && err->status == EWOULDBLOCK, "exclusive try fails while shared locks are held");
  pc_error_clear (&err);
  pc_unlock (fd);
  release (h);
  fd = pc_lock_try (dfd, "s", true, &err);
  ok (fd >= 0, "exclusive succeeds once all shared holders are gone");
  pc_unlock (fd);

  /* A lock dies with its holder (kill -9), and pc_lock_open blocks until then. */
  h = hold_in_child (dfd, "k", true);
  kill (h.pid, SIGKILL);
  waitpid (h.pid, NULL, 0);
  close (h.release);
  fd = pc_lock_try (dfd, "k", true, &err);
  ok (fd >= 0, "lock of a killed holder is free");
  pc_unlock (fd);

  h = hold_in_child (dfd, "b", true);
  pid_t releaser = fork ();
  if (releaser == 0)
    {
      usleep (200000);
      _exit (0);
    }
  /* The releaser's exit is our cue: release the holder once it is gone. */
  waitpid (releaser, NULL, 0);
  close (h.release);
  fd = pc_lock_open (dfd, "b", true, &err);
  ok (fd >= 0, "pc_lock_open waits for the holder and then gets the lock");
  waitpid (h.pid, NULL, 0);
  pc_unlock (fd);

  ok (pc_lock_open (dfd, "nodir/x", true, &err) < 0 && err && err->status == ENOENT,
      "lock in a missing dir fails with ENOENT");
  pc_error_clear (&err);
  close (dfd);
  pc_rm_rf_at (AT_FDCWD, dir, &err);
  return done_testing ();
}
