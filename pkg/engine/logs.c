/* `pc logs`: a container's k8s-file log through pkg/monitor's reader, with
   the engine's rules on top (which log drivers can be read, a container
   that never started has no log yet). */
#include "pkg/engine/internal.h"

#include <errno.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "pkg/monitor/monitor.h"

int
pc_engine_logs (struct pc_engine *e, struct pc_container *c, const struct pc_engine_log_opts *o,
                int out_fd, int err_fd, pc_error **err)
{
  const char *driver = pc_json_get_string (pc_json_get (pc_json_get (c->rec, "HostConfig"), "LogConfig"),
                                           "Type");
  if (driver && strcmp (driver, "k8s-file") != 0)
    return pc_error_makec (err, PC_ERR_UNSUPPORTED, ENODATA,
                           "this container is using the '%s' log driver, cannot read logs: "
                           "this container is not logging output", driver);
  struct pc_log_options lo = {
    .follow = o->follow,
    .timestamps = o->timestamps,
    .tail = o->tail,
    .since = o->since,
    .until = o->until,
    .prefix = o->prefix,
  };
  pc_autofree char *log = pc_container_log_path (e, c);
  pc_autofree char *state = pc_container_state_dir (e, c);
  if (pc_monitor_logs (log, &lo, out_fd, err_fd, state, err) < 0)
    {
      if ((*err)->status != ENOENT)
        return -1;
      pc_error_clear (err);   /* never started: no log yet */
    }
  return 0;
}
