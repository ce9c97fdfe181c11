/* The client side of pc healthcheck run: asks the container's monitor to
   run the healthcheck now (pkg/monitor/health.c) and waits for its
   outcome. And a client that only waits for the container's exit. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/monitor/internal.h"
#include "pkg/monitor/monitor.h"
#include "pkg/monitor/protocol.h"

int
pc_monitor_healthcheck (const char *state_dir, bool *healthy, pc_error **err)
{
  uint32_t features = 0;
  pc_autoclose int sock = pc_mon_attach_connect_features (state_dir, &features, err);
  if (sock < 0)
    {
      if (*err && ((*err)->status == ENOENT || (*err)->status == ECONNREFUSED))
        pc_error_set_class (err, PC_ERR_STATE);
      return -1;
    }
  if (!(features & PC_MONITOR_FEATURE_HEALTH))
    return pc_error_makec (err, PC_ERR_UNSUPPORTED, ENOTSUP,
                           "the container's monitor predates healthchecks: stop the container "
                           "and start it again with this pc");
  char type = PC_MSG_HEALTHCHECK;
  ssize_t r;
  do
    r = send (sock, &type, 1, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return pc_error_errno (err, errno, "send the healthcheck request to the container's monitor");
  /* The container's output comes to every client: skipped. The check has
     its own deadline in the monitor, so this wait ends. */
  /* Allocated, not a static array: .bss that big spreads pc's small
     variables over more pages in every process. */
  pc_autofree char *pkt = xmalloc (PC_MONITOR_PKT_MAX);
  for (;;)
    {
      do
        r = recv (sock, pkt, PC_MONITOR_PKT_MAX, 0);
      while (r < 0 && errno == EINTR);
      if (r < 0)
        return pc_error_errno (err, errno, "read from the container's monitor");
      if (r == 0 || pkt[0] == PC_MSG_EXIT)
        return pc_error_makec (err, PC_ERR_STATE, ESRCH, "the container exited during its healthcheck");
      if (pkt[0] != PC_MSG_HEALTHCHECK_RESULT)
        continue;
      if (pc_mon_start_result_decode (pkt + 1, (size_t) r - 1, err) < 0)
        return -1;
      /* Status 0: int32, the class name and its NUL, then the message:
         this check's outcome. */
      const char *p = pkt + 1 + sizeof (int32_t), *end = pkt + r;
      const char *nul = p < end ? memchr (p, '\0', (size_t) (end - p)) : NULL;
      const char *msg = nul ? nul + 1 : end;
      *healthy = (size_t) (end - msg) == 7 && memcmp (msg, "healthy", 7) == 0;
      return 0;
    }
}

/* The exit, from the monitor itself: it sends EXIT to every client right
   after it writes the exit file (also before a restart), and closes the
   connection of any client when it goes. A waiter on this connection costs
   nothing when it is done, where closing an inotify instance with a watch
   waits for an SRCU grace period: 0.2-12 ms of each `pc stop`, measured. */
int
pc_monitor_wait_exit (const char *state_dir, int64_t timeout_ms)
{
  pc_autoerror pc_error *err = NULL;
  pc_autoclose int sock = pc_mon_socket_connect (state_dir, PC_MONITOR_SOCKET, &err);
  if (sock < 0)
    return -1;
  struct timespec t0;
  clock_gettime (CLOCK_MONOTONIC, &t0);
  bool hello = false;
  /* The container's output comes to every client: skipped. */
  pc_autofree char *pkt = xmalloc (PC_MONITOR_PKT_MAX);
  for (;;)
    {
      int wait = -1;
      if (timeout_ms >= 0)
        {
          struct timespec t;
          clock_gettime (CLOCK_MONOTONIC, &t);
          int64_t gone = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
          wait = gone >= timeout_ms ? 0 : (int) (timeout_ms - gone > 1000000 ? 1000000 : timeout_ms - gone);
        }
      struct pollfd p = { .fd = sock, .events = POLLIN };
      int r = poll (&p, 1, wait);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -1;
      if (r == 0)
        return 1;
      ssize_t n = recv (sock, pkt, PC_MONITOR_PKT_MAX, MSG_DONTWAIT);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n <= 0)
        return hello ? 0 : -1;
      if (!hello)
        {
          /* Not a monitor that says HELLO first: the caller's own way. */
          if (pkt[0] != PC_MSG_HELLO)
            return -1;
          hello = true;
          continue;
        }
      if (pkt[0] == PC_MSG_EXIT)
        return 0;
    }
}
