/* run --rm's wait for the monitor's own removal of the container. The
   monitor of an --rm container takes the container's lock in its teardown,
   before it records and tells the exit, and lets go of it once the
   container's directories are in the trash (trash.c; rm_on_exit in
   lifecycle.c): by then its record, name, state and storage are gone from
   where anyone looks, its network and mounts were released before its exit
   was recorded, and the trash is deleted after, off this wait. A blocking
   wait for the lock (with a deadline) is woken as the monitor releases it:
   no inotify watch, whose teardown at close waits for an SRCU grace period
   of the fsnotify marks (measured here: 7.7 ms for a watch still in place;
   for one whose directory was deleted, 0.1 ms most times and up to 15 ms in
   a third of the runs on a busy machine: the slow mode of run --rm before).
   Polling the lock instead (200 us steps) lost 3 ms and more per run to
   the late wakeups of timers on a busy machine.

   When the monitor could not take the lock first (a start held it, as
   run -d's does while its container may already have exited), the caller
   waits as before: for DATA/containers/ID to go (deleted or renamed into the
   trash) or for the monitors to exit. */
#include "pkg/engine/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "lib/timeutil.h"

static bool
record_gone (struct pc_engine *e, const char *id)
{
  char path[96];
  snprintf (path, sizeof path, "%s/container.json", id);
  return faccessat (e->ctr_dfd, path, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT;
}

static volatile sig_atomic_t alarm_rang;

static void
on_alarm (int sig)
{
  (void) sig;
  alarm_rang = 1;
}

/* The container's lock within timeout_ms: a blocking wait (the kernel wakes
   us as the monitor lets go of it, or dies) that a timer signal ends, with
   this process's SIGALRM disposition, mask and timer put back after. -1
   with errno: ENOENT (no lock file: its directory is gone), ETIMEDOUT, or
   the failure. */
static int
lock_within (struct pc_engine *e, const char *id, int64_t timeout_ms)
{
  char path[80];
  snprintf (path, sizeof path, "%s/lock", id);
  pc_autoclose int fd = openat (e->ctr_dfd, path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return -1;
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  if (fcntl (fd, F_OFD_SETLK, &fl) == 0)
    return steal_fd (&fd);
  if (errno != EAGAIN && errno != EACCES)
    return -1;
  struct sigaction sa = { .sa_handler = on_alarm }, old_sa;   /* no SA_RESTART */
  sigemptyset (&sa.sa_mask);
  sigset_t alrm, old_mask;
  sigemptyset (&alrm);
  sigaddset (&alrm, SIGALRM);
  struct itimerval it = { .it_value = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 } };
  struct itimerval old_it, off = { 0 };
  alarm_rang = 0;
  sigaction (SIGALRM, &sa, &old_sa);
  sigprocmask (SIG_UNBLOCK, &alrm, &old_mask);
  setitimer (ITIMER_REAL, &it, &old_it);
  int r;
  while ((r = fcntl (fd, F_OFD_SETLKW, &fl)) < 0 && errno == EINTR && !alarm_rang)
    ;
  int saved = errno;
  setitimer (ITIMER_REAL, &off, NULL);
  sigaction (SIGALRM, &old_sa, NULL);
  sigprocmask (SIG_SETMASK, &old_mask, NULL);
  if (old_it.it_value.tv_sec || old_it.it_value.tv_usec)
    setitimer (ITIMER_REAL, &old_it, NULL);
  if (r == 0)
    return steal_fd (&fd);
  errno = saved == EINTR ? ETIMEDOUT : saved;
  return -1;
}

int
eng_removal_by_monitor_wait (struct pc_engine *e, struct pc_container *c, pc_error **err)
{
  if (!pc_json_get_bool (pc_json_get (c->rec, "HostConfig"), "AutoRemove", false))
    return 0;
  int lock = lock_within (e, c->id, 2000);
  int saved = errno;
  bool gone = record_gone (e, c->id);
  if (lock >= 0)
    eng_unlock (lock);
  else if (saved == ETIMEDOUT && !gone)
    {
      /* A monitor that holds the lock and does not move (stopped, hung)
         goes as rm's would after the 2 s, with what it runs. */
      pc_debug ("container %.12s: its monitor holds the lock for more than 2 s", c->id);
      if (eng_reap_monitors (e, c, err) < 0)
        return -1;
    }
  if (gone)
    pc_debug ("container %.12s removed by its monitor", c->id);
  return gone ? 1 : 0;
}

/* true once DATA/containers/ID is gone; false when it cannot tell (the
   caller then waits for the monitors) or on timeout. */
static bool
wait_dir_gone (struct pc_engine *e, const char *id, const int *pfds, size_t n, int64_t timeout_ms)
{
  pc_autoclose int ifd = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
  if (ifd < 0)
    return false;
  pc_autofree char *dir = xasprintf ("%s/containers/%s", e->data_dir, id);
  if (inotify_add_watch (ifd, dir, IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW) < 0)
    return errno == ENOENT;
  struct pollfd p[3] = { { .fd = ifd, .events = POLLIN } };
  for (size_t i = 0; i < n && i < 2; i++)
    p[i + 1] = (struct pollfd) { .fd = pfds[i], .events = POLLIN };
  size_t np = 1 + (n < 2 ? n : 2), alive = np - 1;
  int64_t deadline = pc_monotonic_ms () + timeout_ms;
  for (;;)
    {
      int64_t left = deadline - pc_monotonic_ms ();
      if (left <= 0)
        return false;
      int r = poll (p, np, (int) left);
      if (r < 0 && errno != EINTR)
        return false;
      if (r <= 0)
        continue;
      if (p[0].revents)
        {
          char buf[4096] __attribute__ ((aligned (__alignof__ (struct inotify_event))));
          ssize_t len = read (ifd, buf, sizeof buf);
          for (ssize_t off = 0; off + (ssize_t) sizeof (struct inotify_event) <= len;)
            {
              const struct inotify_event *ev = (const struct inotify_event *) (buf + off);
              if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))
                return true;
              off += (ssize_t) sizeof *ev + ev->len;
            }
        }
      /* A monitor gone without removing it: the caller removes it. */
      for (size_t i = 1; i < np; i++)
        if (p[i].fd >= 0 && p[i].revents)
          {
            p[i].fd = -1;
            alive--;
          }
      if (alive == 0)
        return false;
    }
}

void
eng_monitors_or_removal_wait (struct pc_engine *e, struct pc_container *c, const int *pfds, size_t n,
                              int64_t timeout_ms)
{
  if (n > 0 && pc_json_get_bool (pc_json_get (c->rec, "HostConfig"), "AutoRemove", false)
      && wait_dir_gone (e, c->id, pfds, n, timeout_ms))
    {
      pc_debug ("container %.12s removed by its monitor", c->id);
      return;
    }
  eng_pidfds_wait (pfds, n, timeout_ms);
}
