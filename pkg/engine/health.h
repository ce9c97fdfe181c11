/* Healthchecks inside the engine (pkg/engine/health.c); the public part is
   in engine.h. */
#ifndef PC_PKG_ENGINE_HEALTH_H
#define PC_PKG_ENGINE_HEALTH_H

#include <json-c/json.h>

#include "lib/error.h"
#include "pkg/engine/engine.h"
#include "pkg/monitor/monitor.h"

/* Config.Healthcheck and Config.HealthcheckOnFailureAction of a new
   record, as podman 4.3 builds them: --health-* flags with --health-cmd,
   else {"Test":["NONE"]} for --no-healthcheck, else the image's
   HEALTHCHECK (icfg: the image config's "config"). Checks the flags with
   podman's messages (PC_ERR_INVALID). */
int eng_health_record (json_object *icfg, const struct pc_create_opts *o, json_object *cfg,
                       pc_error **err);
/* image inspect's Healthcheck: the image config's ("config" object) in
   podman's field order (Test, StartPeriod, Interval, Timeout, Retries; zeros
   left out), NULL without one. */
json_object *eng_health_image_json (json_object *icfg);
/* What the monitor of container c runs, NULL when it has no healthcheck.
   Static storage, read by the forked monitor (as the start hooks). */
const struct pc_monitor_health *eng_health_monitor (struct pc_engine *e, const struct pc_container *c);

#endif
