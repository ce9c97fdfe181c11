/* The attach protocol between the monitor and its clients (pc attach, pc run,
   pc start [-a]).

   Transport: the unix socket STATE_DIR/attach, type SOCK_SEQPACKET, so
   message boundaries are kept by the kernel. Paths to it can be longer than
   sun_path: both sides open the state dir (O_PATH) and use
   "/proc/self/fd/N/attach".

   Every packet is one type byte followed by its payload; a packet is at most
   PC_MONITOR_PKT_MAX bytes.

   Versions: the monitor outlives the pc that started it, and a newer pc may
   attach to it. The monitor's first packet on every connection is
   PC_MSG_HELLO with the protocol version it speaks; a client that speaks
   another one says so and stops (pc_mon_attach_connect). A monitor that
   says nothing within PC_MONITOR_HELLO_TIMEOUT_MS predates versions (0). Integers are in host byte order (both ends run on
   the same machine). Any number of clients may be connected at once: output
   goes to all of them, input from any of them goes to the container.

   client -> monitor
     PC_MSG_STDIN        bytes for the container's stdin (or the pty); dropped
                         when the container has no stdin (-i not given)
     PC_MSG_STDIN_CLOSE  no payload: close the container's stdin (EOF on the
                         client's input); ignored with a pty
     PC_MSG_RESIZE       struct pc_msg_resize: TIOCSWINSZ on the pty master
     PC_MSG_START        no payload: let a created container exec; answered by
                         PC_MSG_START_RESULT (also when it already runs)
     PC_MSG_DETACH       no payload: the client leaves; the container runs on
     PC_MSG_EXEC         a memfd in SCM_RIGHTS holding one JSON object (at most
                         PC_MONITOR_EXEC_REQ_MAX bytes): {"process": OCI process,
                         "seccomp": OCI linux.seccomp or null, "seccompCache":
                         dir or null, "detach": bool}. The monitor runs the
                         process in the container (pkg/monitor/exec.c), owns
                         and reaps it; answered by PC_MSG_EXEC_RESULT. Only to
                         a monitor whose HELLO has PC_MONITOR_FEATURE_EXEC.

   monitor -> client
     PC_MSG_HELLO        uint32 protocol version, then (since exec sessions)
                         uint32 feature bits PC_MONITOR_FEATURE_*; first packet
                         of a connection. Older monitors send no feature bits.
     PC_MSG_STDOUT       container stdout bytes (all pty output with -t)
     PC_MSG_STDERR       container stderr bytes
     PC_MSG_START_RESULT int32 status (0, or the errno of the failure: ENOENT,
                         EACCES, ...), the error's class name
                         (pc_error_class_name) with its NUL, then the error
                         message (no NUL)
     PC_MSG_EXIT         int32 exit code (128+signal when killed); last packet,
                         the monitor closes the connection after it
     PC_MSG_EXEC_RESULT  as START_RESULT; on success the message is the exec
                         session's id (64 hex) and, for a terminal process
                         that is not detached, the pty master comes in
                         SCM_RIGHTS. A detached session's connection is an
                         ordinary client's from then on; an attached one's
                         carries only PC_MSG_EXEC_EXIT (and the client's
                         PC_MSG_DETACH): the monitor drains the pty once the
                         client is gone, so the process never blocks on it.
     PC_MSG_EXEC_EXIT    int32 exit code of the exec session's process; then
                         the monitor closes the connection

   healthchecks (pkg/monitor/health.c; only to a monitor whose HELLO has
   PC_MONITOR_FEATURE_HEALTH):
     PC_MSG_HEALTHCHECK  client -> monitor, no payload: run the container's
                         healthcheck now (or wait for the one running)
     PC_MSG_HEALTHCHECK_RESULT  monitor -> client, as START_RESULT: status 0
                         and the message "healthy" or "unhealthy" (this
                         check's outcome), or the error (a timeout is class
                         PC_ERR_TIMEOUT). Output packets may come before it. */
#ifndef PC_PKG_MONITOR_PROTOCOL_H
#define PC_PKG_MONITOR_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

#define PC_MONITOR_PKT_MAX (32 * 1024)
/* Bump on any change to a packet's layout or meaning. 1: HELLO, START_RESULT
   with a class. */
#define PC_MONITOR_PROTOCOL_VERSION 1
#define PC_MONITOR_HELLO_TIMEOUT_MS 5000
/* The monitor's report to the CLI that spawned it (pkg/monitor/spawn.c). */
#define PC_MONITOR_SYNC_VERSION 1
#define PC_MONITOR_SOCKET "attach"
#define PC_MONITOR_PIDFILE "monitor.pid"
#define PC_MONITOR_EXITFILE "exit"

enum pc_monitor_msg
{
  PC_MSG_STDIN = 1,
  PC_MSG_STDOUT = 2,
  PC_MSG_STDERR = 3,
  PC_MSG_STDIN_CLOSE = 4,
  PC_MSG_RESIZE = 5,
  PC_MSG_START = 6,
  PC_MSG_START_RESULT = 7,
  PC_MSG_EXIT = 8,
  PC_MSG_DETACH = 9,
  PC_MSG_HELLO = 10,
  PC_MSG_EXEC = 11,
  PC_MSG_EXEC_RESULT = 12,
  PC_MSG_EXEC_EXIT = 13,
  PC_MSG_HEALTHCHECK = 14,
  PC_MSG_HEALTHCHECK_RESULT = 15,
};

/* Feature bits after the version in HELLO: message types added without a
   change to any existing packet, so older clients keep working. */
#define PC_MONITOR_FEATURE_EXEC 1u
#define PC_MONITOR_FEATURE_HEALTH 2u
#define PC_MONITOR_FEATURES (PC_MONITOR_FEATURE_EXEC | PC_MONITOR_FEATURE_HEALTH)
#define PC_MONITOR_EXEC_REQ_MAX (4 * 1024 * 1024)
/* Exec session records in the state dir: exec/ID.json, see pkg/monitor/exec.c. */
#define PC_MONITOR_EXEC_DIR "exec"

struct pc_msg_resize
{
  uint16_t rows;
  uint16_t cols;
};

/* Connects to STATE_DIR/attach and checks the monitor's HELLO: a monitor of
   another protocol version gives an error that names both versions. */
int pc_mon_attach_connect (const char *state_dir, pc_error **err);
/* The same, with the monitor's feature bits (0 from an older monitor). */
int pc_mon_attach_connect_features (const char *state_dir, uint32_t *features, pc_error **err);
/* The HELLO check on a connection made otherwise (pc_monitor_spawn_attached). */
int pc_mon_attach_hello (int fd, uint32_t *features, pc_error **err);
/* PC_MSG_START_RESULT payload (after the type byte): encoded into buf (at
   least PC_MONITOR_PKT_MAX - 1 bytes), returns its length; decoded into 0
   or the error it carries, with its status and class. */
size_t pc_mon_start_result_encode (char *buf, int status, enum pc_error_class cls, const char *msg);
int pc_mon_start_result_decode (const char *payload, size_t len, pc_error **err);

#endif
