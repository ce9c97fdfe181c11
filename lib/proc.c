#include "lib/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

int
pc_set_cloexec (int fd, bool on)
{
  int fl = fcntl (fd, F_GETFD);
  if (fl < 0)
    return -1;
  int nfl = on ? (fl | FD_CLOEXEC) : (fl & ~FD_CLOEXEC);
  return nfl == fl ? 0 : fcntl (fd, F_SETFD, nfl);
}

int
pc_set_nonblock (int fd, bool on)
{
  int fl = fcntl (fd, F_GETFL);
  if (fl < 0)
    return -1;
  int nfl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
  return nfl == fl ? 0 : fcntl (fd, F_SETFL, nfl);
}

/* Only async-signal-safe calls from here on: the parent may have threads. */
static void __attribute__ ((noreturn))
child_exec (char *const argv[], const int src[3], int report_fd)
{
  struct sigaction sa;
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++)
    sigaction (sig, &sa, NULL);
  sigset_t none;
  sigemptyset (&none);

  int tmp[3];
  for (int i = 0; i < 3; i++)
    {
      tmp[i] = fcntl (src[i], F_DUPFD_CLOEXEC, 3);
      if (tmp[i] < 0)
        goto fail;
    }
  for (int i = 0; i < 3; i++)
    if (dup2 (tmp[i], i) < 0)
      goto fail;
  if (syscall (SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    {
      long max = sysconf (_SC_OPEN_MAX);
      if (max < 0 || max > 65536)
        max = 65536;
      for (int fd = 3; fd < max; fd++)
        fcntl (fd, F_SETFD, FD_CLOEXEC);
    }
  sigprocmask (SIG_SETMASK, &none, NULL);
  execvp (argv[0], argv);

 fail:;
  int e = errno;
  ssize_t r = write (report_fd, &e, sizeof e);
  (void) r;
  _exit (127);
}

int
pc_spawn (char *const argv[], int in_fd, int out_fd, int err_fd, pid_t *pid, pc_error **err)
{
  if (argv == NULL || argv[0] == NULL)
    return pc_error_make (err, EINVAL, "spawn: empty command");

  pc_autoclose int devnull = -1;
  if (in_fd < 0 || out_fd < 0 || err_fd < 0)
    {
      devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);
      if (devnull < 0)
        return pc_error_errno (err, errno, "open /dev/null");
    }
  int src[3] = { in_fd < 0 ? devnull : in_fd, out_fd < 0 ? devnull : out_fd,
                 err_fd < 0 ? devnull : err_fd };

  int report[2];
  if (pipe2 (report, O_CLOEXEC) < 0)
    return pc_error_errno (err, errno, "pipe");

  /* Block signals so no handler of ours runs in the child before it resets them. */
  sigset_t all, old;
  sigfillset (&all);
  sigprocmask (SIG_SETMASK, &all, &old);
  pid_t child = fork ();
  if (child == 0)
    {
      close (report[0]);
      child_exec (argv, src, report[1]);
    }
  int fork_errno = errno;
  sigprocmask (SIG_SETMASK, &old, NULL);
  close (report[1]);
  pc_autoclose int rfd = report[0];
  if (child < 0)
    return pc_error_errno (err, fork_errno, "fork");

  int child_errno = 0;
  ssize_t n;
  do
    n = read (rfd, &child_errno, sizeof child_errno);
  while (n < 0 && errno == EINTR);
  if (n == (ssize_t) sizeof child_errno)
    {
      while (waitpid (child, NULL, 0) < 0 && errno == EINTR)
        ;
      if (child_errno == ENOENT && strchr (argv[0], '/') == NULL)
        return pc_error_errno (err, ENOENT, "executable file `%s` not found in $PATH", argv[0]);
      return pc_error_errno (err, child_errno, "exec `%s`", argv[0]);
    }
  *pid = child;
  return 0;
}

int
pc_wait (pid_t pid, int *exit_status, pc_error **err)
{
  int st;
  while (waitpid (pid, &st, 0) < 0)
    {
      if (errno != EINTR)
        return pc_error_errno (err, errno, "waitpid %d", (int) pid);
    }
  if (WIFEXITED (st))
    *exit_status = WEXITSTATUS (st);
  else if (WIFSIGNALED (st))
    *exit_status = 128 + WTERMSIG (st);
  else
    *exit_status = 255;
  return 0;
}

struct sink
{
  int fd;
  char *buf;
  size_t len, cap;
};

static int
sink_read (struct sink *s, pc_error **err)
{
  if (s->cap - s->len < 4096)
    {
      s->cap = s->cap ? s->cap * 2 : 8192;
      s->buf = xrealloc (s->buf, s->cap);
    }
  ssize_t r = read (s->fd, s->buf + s->len, s->cap - s->len - 1);
  if (r < 0)
    {
      if (errno == EINTR || errno == EAGAIN)
        return 0;
      return pc_error_errno (err, errno, "read child output");
    }
  if (r == 0)
    {
      close (s->fd);
      s->fd = -1;
      return 0;
    }
  s->len += (size_t) r;
  return 0;
}

int
pc_run_capture (char *const argv[], char **out, char **errout, int *exit_status,
                pc_error **err)
{
  struct sink sinks[2] = { { .fd = -1 }, { .fd = -1 } };
  int wr[2] = { -1, -1 };
  char **dest[2] = { out, errout };
  int ret = -1;
  pid_t pid;

  for (int i = 0; i < 2; i++)
    if (dest[i] != NULL)
      {
        int p[2];
        if (pipe2 (p, O_CLOEXEC) < 0)
          {
            pc_error_errno (err, errno, "pipe");
            goto out;
          }
        sinks[i].fd = p[0];
        wr[i] = p[1];
      }
  if (pc_spawn (argv, -1, wr[0], wr[1], &pid, err) < 0)
    goto out;
  for (int i = 0; i < 2; i++)
    if (wr[i] >= 0)
      {
        close (wr[i]);
        wr[i] = -1;
      }

  int rc = 0;
  while (sinks[0].fd >= 0 || sinks[1].fd >= 0)
    {
      struct pollfd pfd[2] = { { .fd = sinks[0].fd, .events = POLLIN },
                               { .fd = sinks[1].fd, .events = POLLIN } };
      if (poll (pfd, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          rc = pc_error_errno (err, errno, "poll");
          break;
        }
      for (int i = 0; i < 2 && rc == 0; i++)
        if (pfd[i].fd >= 0 && pfd[i].revents)
          rc = sink_read (&sinks[i], err);
      if (rc < 0)
        break;
    }
  /* Reap even after a read error so no zombie is left. */
  int status = 0;
  if (pc_wait (pid, &status, rc < 0 ? NULL : err) < 0 || rc < 0)
    goto out;
  *exit_status = status;
  for (int i = 0; i < 2; i++)
    if (dest[i] != NULL)
      {
        if (sinks[i].buf == NULL)
          sinks[i].buf = xmalloc (1);
        sinks[i].buf[sinks[i].len] = '\0';
        *dest[i] = sinks[i].buf;
        sinks[i].buf = NULL;
      }
  ret = 0;

 out:
  for (int i = 0; i < 2; i++)
    {
      if (wr[i] >= 0)
        close (wr[i]);
      if (sinks[i].fd >= 0)
        close (sinks[i].fd);
      free (sinks[i].buf);
    }
  return ret;
}

int
pc_fds_cloexec_from (unsigned from)
{
  if (syscall (SYS_close_range, from, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
    return 0;
  /* Older kernels (or a seccomp filter) refuse it: walk the open fds. */
  int dfd = open ("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return -1;
  DIR *d = fdopendir (dfd);
  if (d == NULL)
    {
      int saved = errno;
      close (dfd);
      errno = saved;
      return -1;
    }
  struct dirent *de;
  int ret = 0;
  while ((de = readdir (d)) != NULL)
    {
      char *end;
      long fd = strtol (de->d_name, &end, 10);
      if (*end != '\0' || de->d_name[0] == '\0' || fd < (long) from || fd == dfd)
        continue;
      if (pc_set_cloexec ((int) fd, true) < 0 && errno != EBADF)
        ret = -1;
    }
  closedir (d);
  return ret;
}

int
pc_require_single_threaded (const char *what, pc_error **err)
{
  char buf[1024];
  pc_autoclose int fd = open ("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;   /* no /proc: nothing to check with */
  ssize_t r = read (fd, buf, sizeof buf - 1);
  if (r <= 0)
    return 0;
  buf[r] = '\0';
  /* num_threads is field 20; fields resume after comm's last ')'. */
  char *p = strrchr (buf, ')');
  int field = 2;
  for (; p && *p && field < 20; p++)
    if (*p == ' ')
      field++;
  long n = p && field == 20 ? strtol (p, NULL, 10) : 1;
  if (n != 1)
    return pc_error_make (err, EDEADLK, "internal error: %s needs a single-threaded process, "
                          "this one has %ld threads", what, n);
  return 0;
}
