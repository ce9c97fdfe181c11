/* Times and sizes as podman prints and parses them. */
#ifndef PC_LIB_TIMEUTIL_H
#define PC_LIB_TIMEUTIL_H

#include <stdint.h>
#include <time.h>

#include "lib/error.h"

/* Go RFC3339Nano in the local zone: 2026-11-23T03:40:44.123456789Z or ...+01:00
   (trailing zeros of the fraction dropped, as Go does). malloc'd. */
char *pc_time_format_rfc3339 (const struct timespec *t);
int pc_time_parse_rfc3339 (const char *s, struct timespec *t, pc_error **err);
/* "3 seconds ago", "About a minute ago", "2 hours ago" (podman's CREATED). */
char *pc_time_human_ago (const struct timespec *then);
/* podman's SIZE: "1.23 MB", "512 B", "4.1 kB" (decimal, 3 significant digits). */
char *pc_size_human (int64_t bytes);
/* --since/--until: RFC3339 (or a date), unix seconds[.nanos], or a duration
   before now ("10m"). */
int pc_parse_time_or_duration (const char *s, struct timespec *t, pc_error **err);
/* CLOCK_MONOTONIC in whole milliseconds: deadlines and intervals. */
int64_t pc_monotonic_ms (void);

#endif
