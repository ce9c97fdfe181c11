/* pc ps's filters (ps-filter.c), kept apart from its output (ps.c). */
#ifndef PC_CMD_PS_H
#define PC_CMD_PS_H

#include <stdbool.h>
#include <time.h>

#include "lib/error.h"
#include "pkg/engine/engine.h"

/* podman 4.3's `ps --filter` (pkg/domain/filters/containers.go): values of
   one key are alternatives, different keys must all hold, every label must
   hold. */
struct pc_ps_filters
{
  char **id, **name, **status, **label, **ancestor, **volume, **health, **pod, **network,
       **restart;
  int *exited;
  size_t nexited;
  bool has_before, has_since, has_until;
  struct timespec before, since, until;
  char **network_ctr;   /* container IDs named by network=container:X */
};

/* Parses --filter values (each may hold several, comma-separated, as
   podman's string-slice flags split them), looking up the containers
   before= and since= name. Errors are podman's messages, class invalid
   (or not found for a missing container). */
int pc_ps_filters_parse (struct pc_engine *e, char **in, struct pc_ps_filters *f, pc_error **err);
/* health: the container's healthcheck status, "" without one. */
bool pc_ps_filters_match (const struct pc_ps_filters *f, const struct pc_container *c, const char *health);
void pc_ps_filters_clear (struct pc_ps_filters *f);
#define pc_autopsfilters __attribute__ ((cleanup (pc_ps_filters_clear)))
/* True when the filters look at stopped containers by themselves (status=). */
bool pc_ps_filters_want_all (const struct pc_ps_filters *f);

/* The healthcheck status ("healthy", "unhealthy", "starting") at the end
   of the STATUS words the engine gives a ps row ("Up 3 seconds
   (healthy)"); "" without one. */
const char *pc_ps_health (const char *status);
/* The container's restart policy name, "" for none. */
const char *pc_ps_restart_policy (const struct pc_container *c);
/* The pod ID the container belongs to ("Pod" in its record), "" for none. */
const char *pc_ps_pod (const struct pc_container *c);

#endif
