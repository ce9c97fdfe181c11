/* Parsing of the values users type on the command line, as podman does. */
#ifndef PC_LIB_PARSE_H
#define PC_LIB_PARSE_H

#include <stdint.h>

#include "lib/error.h"

/* "512", "10k", "64m", "1g", "1.5GiB" as docker's RAMInBytes (binary units). */
int pc_parse_size (const char *s, int64_t *bytes, pc_error **err);
/* Go time.ParseDuration: "10s", "1m30s", "250ms", "2h", "-1.5h", "0". */
int pc_parse_duration (const char *s, int64_t *nsec, pc_error **err);
/* "TERM", "SIGTERM", "sigterm", "15", "RTMIN+3", "SIGRTMAX-1". */
int pc_parse_signal (const char *s, int *sig, pc_error **err);
/* "SIGTERM", "SIGRTMIN+3"; NULL for an invalid number. */
const char *pc_signal_name (int sig);

#endif
