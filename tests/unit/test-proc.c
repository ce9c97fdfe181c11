#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/fileutil.h"
#include "lib/proc.h"
#include "tests/unit/tap.h"

static char *
capture (const char *script, char **errout, int *status)
{
  char *argv[] = { (char *) "sh", (char *) "-c", (char *) script, NULL };
  char *out = NULL;
  pc_error *err = NULL;
  if (pc_run_capture (argv, &out, errout, status, &err) < 0)
    {
      printf ("# %s\n", err->msg);
      pc_error_free (err);
      return NULL;
    }
  return out;
}

int
main (void)
{
  /* Forked children must not repeat buffered TAP lines. */
  setvbuf (stdout, NULL, _IOLBF, 0);
  pc_error *err = NULL;
  int status = -1;
  char *errout = NULL;
  char *out = capture ("echo out; echo err >&2; exit 3", &errout, &status);
  is_str (out, "out\n", "stdout captured");
  is_str (errout, "err\n", "stderr captured");
  is_int (status, 3, "exit code");
  free (out);
  free (errout);

  out = capture ("kill -9 $$", NULL, &status);
  is_int (status, 128 + 9, "killed by a signal: 128+signal");
  free (out);

  /* 1 MB on each stream: a reader that drains one pipe only would deadlock. */
  out = capture ("head -c 1000000 /dev/zero | tr '\\0' a; head -c 1000000 /dev/zero | tr '\\0' b >&2",
                 &errout, &status);
  ok (out && strlen (out) == 1000000 && strspn (out, "a") == 1000000, "1 MB of stdout");
  ok (errout && strlen (errout) == 1000000 && strspn (errout, "b") == 1000000, "1 MB of stderr, no deadlock");
  free (out);
  free (errout);

  out = capture ("cat", NULL, &status);
  is_str (out, "", "stdin is /dev/null");
  free (out);

  /* Only 0, 1, 2 reach the child (plus the fd ls itself opens). */
  int leak = open ("/dev/null", O_RDONLY);
  if (dup2 (leak, 57) < 0)
    abort ();
  out = capture ("ls /proc/self/fd | tr '\\n' ' '", NULL, &status);
  is_str (out, "0 1 2 3 ", "no inherited fds beyond stdio");
  free (out);
  close (57);
  close (leak);

  /* Signal mask and ignored signals are reset. */
  sigset_t set;
  sigemptyset (&set);
  sigaddset (&set, SIGUSR1);
  sigprocmask (SIG_BLOCK, &set, NULL);
  signal (SIGTERM, SIG_IGN);
  out = capture ("grep -E '^Sig(Blk|Ign)' /proc/self/status | tr '\\t\\n' ' '", NULL, &status);
  is_str (out, "SigBlk: 0000000000000000 SigIgn: 0000000000000000 ", "child has no blocked or ignored signals");
  free (out);
  signal (SIGTERM, SIG_DFL);
  sigprocmask (SIG_UNBLOCK, &set, NULL);

  /* pc_spawn with explicit fds. */
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    abort ();
  char *argv[] = { (char *) "echo", (char *) "hello", NULL };
  pid_t pid;
  is_int (pc_spawn (argv, -1, p[1], -1, &pid, &err), 0, "spawn echo");
  close (p[1]);
  char *got = NULL;
  pc_read_fd_all (p[0], &got, NULL, &err);
  close (p[0]);
  is_str (got, "hello\n", "stdout on the given fd");
  free (got);
  is_int (pc_wait (pid, &status, &err), 0, "wait");
  is_int (status, 0, "exit 0");

  char *nope[] = { (char *) "pc-no-such-program", NULL };
  ok (pc_spawn (nope, -1, -1, -1, &pid, &err) < 0, "missing program fails in pc_spawn");
  ok (err && err->status == ENOENT, "with ENOENT");
  is_str (err ? err->msg : NULL,
          "executable file `pc-no-such-program` not found in $PATH: No such file or directory",
          "podman-like message");
  pc_error_clear (&err);
  char *noexec[] = { (char *) "/etc/passwd", NULL };
  ok (pc_spawn (noexec, -1, -1, -1, &pid, &err) < 0 && err && err->status == EACCES,
      "non-executable file: EACCES");
  pc_error_clear (&err);

  int fd = open ("/dev/null", O_RDONLY);
  is_int (pc_set_cloexec (fd, true), 0, "set cloexec");
  ok (fcntl (fd, F_GETFD) & FD_CLOEXEC, "cloexec on");
  pc_set_cloexec (fd, false);
  ok (!(fcntl (fd, F_GETFD) & FD_CLOEXEC), "cloexec off");
  is_int (pc_set_nonblock (fd, true), 0, "set nonblock");
  ok (fcntl (fd, F_GETFL) & O_NONBLOCK, "nonblock on");
  pc_set_nonblock (fd, false);
  ok (!(fcntl (fd, F_GETFL) & O_NONBLOCK), "nonblock off");
  close (fd);
  ok (pc_set_cloexec (fd, true) < 0 && errno == EBADF, "closed fd: -1/EBADF");
  return done_testing ();
}
