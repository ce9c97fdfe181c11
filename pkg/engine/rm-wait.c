/* run --rm's wait for the monitor's own removal of the container: the
   monitor removes an --rm container once it has exited (rm_on_exit in
   lifecycle.c), its last step the removal of DATA/containers/ID. Waiting
   for that directory to go (inotify) instead of for the monitor's exit
   spares the time the kernel takes to tear the monitor's namespaces down
   after it is done: nothing of the container is left by then (its name,
   record, storage, state, cgroup and anonymous volumes are gone, its
   network and mounts were released before its exit was recorded). */
#include "pkg/engine/internal.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"

static int64_t
now_ms (void)
{
  struct timespec t;
  clock_gettime (CLOCK_MONOTONIC, &t);
  return (int64_t) t.tv_sec * 1000 + t.tv_nsec / 1000000;
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
  if (inotify_add_watch (ifd, dir, IN_DELETE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW) < 0)
    return errno == ENOENT;
  struct pollfd p[3] = { { .fd = ifd, .events = POLLIN } };
  for (size_t i = 0; i < n && i < 2; i++)
    p[i + 1] = (struct pollfd) { .fd = pfds[i], .events = POLLIN };
  size_t np = 1 + (n < 2 ? n : 2), alive = np - 1;
  int64_t deadline = now_ms () + timeout_ms;
  for (;;)
    {
      int64_t left = deadline - now_ms ();
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
              if (ev->mask & (IN_DELETE_SELF | IN_IGNORED))
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
