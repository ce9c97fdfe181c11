/* The monitors a container's state dir names, found, killed and waited
   for, each by a pidfd checked against its recorded start time: what rm
   and the collection of abandoned containers rely on to leave nothing of a
   container running. */
#include "pkg/engine/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"

/* The monitors the state dir names, alive (pid and start time checked once
   the pidfd is open): state.json's and monitor.pid's, which differ only
   when a pc was killed between the two. Returns how many pidfds it put in
   pfds (at most 2). */
size_t
eng_open_monitors (struct pc_engine *e, struct pc_container *c, int pfds[2], pid_t pids[2])
{
  pc_autoerror pc_error *err = NULL;
  int rfd = eng_run_dfd (e, &err);
  pid_t cand[2] = { 0, 0 };
  unsigned long long start[2] = { 0, 0 };
  cand[0] = c->state.monitor_pid;
  start[0] = c->state.monitor_start;
  if (rfd >= 0 && eng_monitor_pidfile (rfd, c->id, &cand[1], &start[1]) < 0)
    cand[1] = 0;
  size_t n = 0;
  for (size_t i = 0; i < 2; i++)
    {
      if (cand[i] <= 0 || start[i] == 0 || (i == 1 && cand[1] == cand[0] && start[1] == start[0]))
        continue;
      int fd = eng_pidfd_open (cand[i]);
      if (fd < 0)
        continue;
      if (eng_proc_start_time (cand[i]) != start[i])
        {
          close (fd);
          continue;
        }
      pfds[n] = fd;
      pids[n++] = cand[i];
    }
  return n;
}

/* Waits until every pidfd says its process has exited. true when they all
   have within timeout_ms. */
bool
eng_pidfds_wait (const int *pfds, size_t n, int64_t timeout_ms)
{
  int64_t deadline = eng_now_ms () + timeout_ms;
  for (size_t i = 0; i < n; i++)
    for (;;)
      {
        int64_t left = deadline - eng_now_ms ();
        struct pollfd p = { .fd = pfds[i], .events = POLLIN };
        int r = poll (&p, 1, left > 0 ? (int) left : 0);
        if (r == 1)
          break;
        if (r == 0 || (r < 0 && errno != EINTR))
          return false;
      }
  return true;
}

/* The children of pid (the container's pid 1, a fuse-overlayfs daemon) as
   pidfds, each checked to be pid's child once open. */
static size_t
open_children (pid_t pid, int *out, size_t max)
{
  char path[64], buf[4096];
  snprintf (path, sizeof path, "/proc/%d/task/%d/children", (int) pid, (int) pid);
  pc_autoclose int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  ssize_t len = read (fd, buf, sizeof buf - 1);
  if (len <= 0)
    return 0;
  buf[len] = '\0';
  size_t n = 0;
  char *save = NULL;
  for (char *t = strtok_r (buf, " \n", &save); t && n < max; t = strtok_r (NULL, " \n", &save))
    {
      pid_t child = (pid_t) atoi (t);
      int cfd = child > 0 ? eng_pidfd_open (child) : -1;
      if (cfd < 0)
        continue;
      char spath[64], st[512];
      snprintf (spath, sizeof spath, "%d/stat", (int) child);
      pc_autoclose int pdir = open ("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
      int sl = pdir >= 0 ? eng_read_small (pdir, spath, st, sizeof st) : -1;
      const char *rp = sl > 0 ? strrchr (st, ')') : NULL;
      int ppid = 0;
      if (rp == NULL || sscanf (rp + 1, " %*c %d", &ppid) != 1 || ppid != pid)
        {
          close (cfd);
          continue;
        }
      out[n++] = cfd;
    }
  return n;
}

/* rm's guarantee: nothing the records name runs on once the container is
   removed. A monitor still alive here (stopped, hung, or left by a pc
   killed before it recorded it) is killed with its children (the container
   dies with it by PDEATHSIG, its mounts with the last process of its mount
   namespace), and the removal waits, with a deadline, until they are gone. */
int
eng_reap_monitors (struct pc_engine *e, struct pc_container *c, pc_error **err)
{
  int pfds[2 + 2 * 16];
  pid_t mpids[2];
  size_t nm = eng_open_monitors (e, c, pfds, mpids);
  if (nm == 0)
    return 0;
  size_t n = nm;
  for (size_t i = 0; i < nm; i++)
    n += open_children (mpids[i], pfds + n, 16);
  pc_debug ("container %.12s: killing its monitor %d that is still there", c->id, (int) mpids[0]);
  for (size_t i = 0; i < n; i++)
    eng_pidfd_signal (pfds[i], SIGKILL);   /* a child as another uid may refuse: PDEATHSIG takes it */
  bool gone = eng_pidfds_wait (pfds, n, 10000);
  for (size_t i = 0; i < n; i++)
    close (pfds[i]);
  if (!gone)
    return pc_error_makec (err, PC_ERR_TIMEOUT, ETIMEDOUT,
                           "the monitor of container %s (pid %d) or its container is still there "
                           "10 seconds after SIGKILL", c->id, (int) mpids[0]);
  return 0;
}
