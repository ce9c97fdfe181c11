/* A client of the monitor that only waits for the container's exit (pc
   stop, rm -f, pod stop, kube play: eng_wait_exit). The monitor sends EXIT
   to every client right after it writes the exit file (also before a
   restart), and a client's connection ends when the monitor goes. A waiter
   on this connection costs nothing when it is done, where closing an
   inotify instance with a watch waits for an SRCU grace period: 0.2-12 ms
   of each `pc stop`, measured. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "lib/timeutil.h"
#include "pkg/monitor/internal.h"
#include "pkg/monitor/monitor.h"
#include "pkg/monitor/protocol.h"

int
pc_monitor_wait_exit (const char *state_dir, int64_t timeout_ms)
{
  pc_autoerror pc_error *err = NULL;
  pc_autoclose int sock = pc_mon_socket_connect (state_dir, PC_MONITOR_SOCKET, &err);
  if (sock < 0)
    return -1;
  int64_t deadline = timeout_ms >= 0 ? pc_monotonic_ms () + timeout_ms : -1;
  bool hello = false;
  /* The container's output comes to every client: skipped. */
  pc_autofree char *pkt = xmalloc (PC_MONITOR_PKT_MAX);
  for (;;)
    {
      int wait = -1;
      if (deadline >= 0)
        {
          int64_t left = deadline - pc_monotonic_ms ();
          wait = left <= 0 ? 0 : left > 1000000 ? 1000000 : (int) left;
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
