#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <stdio.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>
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

  /* pc_lock_open blocks while another process holds the lock: proven by the
     order of two writes to one pipe, not by timing. The holder writes 'R'
     just before it unlocks, the waiter 'G' just after its pc_lock_open
     returns; the holder is released only once the kernel lists the waiter
     as blocked on the lock. "RG" means the call waited; "GR" that it did
     not. */
  {
    int log[2], go[2], ready[2];
    if (pipe2 (log, O_CLOEXEC) < 0 || pipe2 (go, O_CLOEXEC) < 0 || pipe2 (ready, O_CLOEXEC) < 0)
      abort ();
    pid_t holder = fork ();
    if (holder == 0)
      {
        close (go[1]);
        int lfd = pc_lock_open (dfd, "b", true, NULL);
        char c = lfd >= 0 ? 'L' : 'E';
        if (write (ready[1], &c, 1) != 1 || read (go[0], &c, 1) < 0)
          _exit (2);
        if (write (log[1], "R", 1) != 1)
          _exit (3);
        pc_unlock (lfd);
        _exit (0);
      }
    close (ready[1]);
    char c = 0;
    if (read (ready[0], &c, 1) != 1 || c != 'L')
      abort ();
    pid_t waiter = fork ();
    if (waiter == 0)
      {
        close (go[1]);
        int lfd = pc_lock_open (dfd, "b", true, NULL);
        if (write (log[1], lfd >= 0 ? "G" : "E", 1) != 1)
          _exit (2);
        pc_unlock (lfd);
        _exit (0);
      }
    close (log[1]);
    /* Wait (bounded) until the kernel shows a blocked lock request: the
       waiter is inside pc_lock_open. */
    struct stat lst;
    if (fstatat (dfd, "b", &lst, 0) < 0)
      abort ();
    char ino[32];
    snprintf (ino, sizeof ino, ":%lu ", (unsigned long) lst.st_ino);
    bool blocked = false;
    for (int i = 0; i < 1000 && !blocked; i++)
      {
        FILE *f = fopen ("/proc/locks", "re");
        char line[256];
        while (f && fgets (line, sizeof line, f))
          if (strstr (line, "->") != NULL && strstr (line, ino) != NULL)
            blocked = true;
        if (f)
          fclose (f);
        if (!blocked)
          {
            /* Or the waiter did not wait at all: its 'G' is already there. */
            struct pollfd p = { log[0], POLLIN, 0 };
            if (poll (&p, 1, 10) > 0)
              break;
          }
      }
    ok (blocked, "the second pc_lock_open is blocked in the kernel while the lock is held");
    close (go[1]);
    char order[3] = { 0 };
    size_t n = 0;
    ssize_t r;
    while (n < 2 && (r = read (log[0], order + n, 2 - n)) > 0)
      n += (size_t) r;
    is_str (order, "RG", "pc_lock_open returned only after the holder released the lock");
    waitpid (holder, NULL, 0);
    waitpid (waiter, NULL, 0);
    close (log[0]);
    close (go[0]);
    close (ready[0]);
  }

  ok (pc_lock_open (dfd, "nodir/x", true, &err) < 0 && err && err->status == ENOENT,
      "lock in a missing dir fails with ENOENT");
  pc_error_clear (&err);
  close (dfd);
  pc_rm_rf_at (AT_FDCWD, dir, &err);
  return done_testing ();
}
