/* Exec sessions through the container's monitor (pc exec -t, -d). */
#ifndef PC_PKG_ENGINE_EXEC_SESSION_H
#define PC_PKG_ENGINE_EXEC_SESSION_H

#include <json-c/json.h>

#include "lib/error.h"
#include "pkg/engine/engine.h"

/* spec: the container's config (its linux.seccomp and seccomp cache);
   process: the exec's OCI process. Returns 0 with *exit_code, 1 when the
   user detached (-t) or the session was started detached (-d). */
int eng_exec_session (const char *state_dir, json_object *spec, json_object *process,
                      const struct pc_exec_opts *o, int *exit_code, pc_error **err);

#endif
