/* The client side of pc healthcheck run: asks the container's monitor to
   run the healthcheck now (pkg/monitor/health.c) and waits for its
   outcome. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
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
