/* The per-container monitor (conmon's job): one process per container,
   forked by the CLI and surviving it. It owns the container's stdio or pty,
   writes the k8s-file log, serves attach clients over a unix socket and
   records the exit status. A single poll loop, no threads.

   Files the monitor keeps in cfg->state_dir:
     attach       SOCK_SEQPACKET socket, protocol in pkg/monitor/protocol.h
     monitor.pid  "PID STARTTIME\n" (STARTTIME = field 22 of /proc/PID/stat),
                  present while the monitor runs
     exit         {"exitCode":N,"finishedAt":"RFC3339Nano"}, written atomically
                  once the container is reaped (128+signal when killed)
     monitor.log  the monitor's own errors after the CLI got its report (a
                  log file that cannot be written, a failed teardown...),
                  one "RFC3339 message" line each; also sent to syslog
                  (the journal) as "pc-monitor[PID]: ID12: message"

   Order at the end, the monitor's one exit path: the container is reaped
   (its output drained) -> teardown -> exit file -> attach clients get EXIT
   -> on_exit -> the monitor exits. */
#ifndef PC_PKG_MONITOR_H
#define PC_PKG_MONITOR_H

#include <json-c/json.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "lib/error.h"
#include "pkg/network/network.h"

/* What the container's --health-on-failure does once it is unhealthy. */
enum pc_health_on_failure
{
  PC_HEALTH_ON_FAILURE_NONE = 0,
  PC_HEALTH_ON_FAILURE_KILL,
  PC_HEALTH_ON_FAILURE_RESTART,
  PC_HEALTH_ON_FAILURE_STOP,
};

/* A healthcheck the monitor runs on its own timer (pkg/monitor/health.c).
   Results go to DIR/health.json, podman's .State.Health object, written
   atomically. */
struct pc_monitor_health
{
  char **argv;               /* run in the container (CMD-SHELL is already /bin/sh -c) */
  int64_t interval_ns;       /* 0: only on request (pc healthcheck run) */
  int64_t timeout_ns;
  int64_t start_period_ns;
  int retries;
  enum pc_health_on_failure on_failure;
  int stop_signal;           /* on_failure stop and restart: as pc stop */
  int stop_timeout;          /* seconds */
  const char *spec_path;     /* the container's config.json: the check runs as its process
                                (user, env, cwd, capabilities, seccomp) with argv */
  const char *dir;           /* the container's data dir, where health.json lives */
};

struct pc_monitor_config
{
  const char *id;            /* container id (64 hex) */
  const char *state_dir;     /* existing dir for this container's runtime state */
  const char *log_driver;    /* "k8s-file" (default when NULL), "none", "passthrough" */
  const char *log_path;      /* k8s-file log path, NULL for none */
  int64_t log_max_size;      /* bytes, 0 = unlimited; when a write would pass it the
                                log is truncated and starts over (conmon's log-size-max) */
  json_object *spec;         /* OCI spec given to pc_runtime_create; borrowed: the
                                caller's reference stays valid. In the monitor process
                                its copy is released after the create, so on_exit must
                                not use it. */
  bool start_now;            /* false for `pc create`: exec waits for a start request */
  bool stdin_open;           /* -i: a stdin pipe the attach clients write to */
  bool terminal;             /* -t: pty (from pc_runtime) instead of pipes */
  int passthrough_fds[3];    /* log driver passthrough: container gets these directly; else -1 */
  /* Runs in the monitor, inside a mount namespace of its own (the monitor
     unshares CLONE_NEWNS and makes / a recursive slave before calling it),
     before the container is created. The engine mounts the container's root
     filesystem at the spec's root.path here, so the mount lives and dies with
     the monitor and the container, and helper daemons (fuse-overlayfs) run
     outside the container's pid namespace. A failure is reported to the CLI
     like a runtime failure, with its class. */
  int (*prepare) (void *data, pc_error **err);
  /* Runs in the monitor once the container is reaped, before the exit file
     is written: releases what prepare took and what must be free by the time
     `pc wait` returns (mounts, published ports). */
  void (*teardown) (void *data);
  void *hook_data;
  /* Runs in the monitor after the exit status is recorded (e.g. --rm cleanup).
     The monitor is a fork of the CLI: the callback and its data are valid there. */
  void (*on_exit) (void *data, int exit_code);
  void *on_exit_data;
  /* Published ports (-p): host sockets the engine bound; with the default
     network the monitor relays them into the container (pkg/network),
     otherwise it closes them. The fds are the monitor's. */
  struct pc_net_forward *forwards;
  size_t n_forwards;
  /* The container's healthcheck, NULL for none (nothing is allocated then). */
  const struct pc_monitor_health *health;
};

/* For code that runs in the monitor (the hooks above): records an error
   where the user finds it once the CLI has returned (monitor.log in the
   state dir and syslog). Before the monitor reports to the CLI, errors
   should be returned instead. */
void pc_monitor_log (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void pc_monitor_log_error (const pc_error *e, const char *context);

/* Double fork + setsid; the monitor creates the container via pkg/runtime and
   reports the pid or the runtime's error over a sync pipe. Returns once the
   container exists (and has exec'd if start_now) and the attach socket is
   listening. Errors carry the runtime's status (ENOENT -> 127, EACCES -> 126
   in cmd). When a start_now exec fails the monitor still records an exit file
   (127/126) and runs on_exit; when the create itself fails it records nothing. */
int pc_monitor_spawn (const struct pc_monitor_config *cfg, pid_t *container_pid,
                      pid_t *monitor_pid, pc_error **err);
/* The same, and *client_fd is an attach connection to the new monitor made
   with it (a socketpair, no connect), for pc_monitor_attach_conn: the
   HELLO is already waiting on it, so an attached start saves the connect
   and a round trip. Closing it unused is a detach. */
int pc_monitor_spawn_attached (const struct pc_monitor_config *cfg, pid_t *container_pid,
                               pid_t *monitor_pid, int *client_fd, pc_error **err);

/* Client side (CLI). */

/* Starts a created container; returns after the exec (or with its error,
   status ENOENT/EACCES as from pc_runtime_start). Starting a running
   container is a no-op. */
int pc_monitor_start (const char *state_dir, pc_error **err);

/* Relays stdio until the container exits (*exit_code set, returns 0) or the
   user detaches with the detach keys (default "ctrl-p,ctrl-q", "" disables;
   returns 1). in_fd < 0: no stdin is relayed. With tty and a terminal on
   in_fd, it is put in raw mode (restored on return) and SIGWINCH becomes
   resize requests. With start, attaches first then starts, so no output is
   lost (pc run, pc start -a). When the container already exited (no socket)
   the exit file gives *exit_code. proxy_pidfd >= 0 (--sig-proxy): the
   monitor's pidfd; the signals this process gets while attached go to the
   container through it (pc_monitor_signal), as podman proxies them. */
int pc_monitor_attach (const char *state_dir, int in_fd, int out_fd, int err_fd, bool tty,
                       bool start, const char *detach_keys, int proxy_pidfd, int *exit_code,
                       pc_error **err);
/* The same over conn, a connection from pc_monitor_spawn_attached (taken
   over: closed on return); conn < 0 connects to state_dir's socket. */
int pc_monitor_attach_conn (int conn, const char *state_dir, int in_fd, int out_fd, int err_fd,
                            bool tty, bool start, const char *detach_keys, int proxy_pidfd,
                            int *exit_code, pc_error **err);
/* Blocks the signals an attach without a terminal proxies, for the moments
   between the spawn of a container that runs at once and the attach:
   pc_monitor_attach_conn's loop relays what came meanwhile. *old: the mask
   to put back after the attach. */
void pc_monitor_hold_proxy_signals (sigset_t *old);

/* Sends `sig` to the container through its monitor (pidfd of the monitor,
   checked by the caller against its recorded start time): works from any
   user namespace of the user, for processes of any container uid. */
int pc_monitor_signal (int monitor_pidfd, int sig, pc_error **err);
/* The real-time signal the monitor takes relayed signals on. */
int pc_monitor_relay_signo (void);

/* ENOENT when the container has not exited (no exit file). finished may be NULL. */
int pc_monitor_read_exit (const char *state_dir, int *exit_code, struct timespec *finished,
                          pc_error **err);

/* Log reading for `pc logs`: k8s-file lines
   "2026-11-23T03:40:44.123456789+00:00 stdout F text". stdout lines go to
   out_fd, stderr lines to err_fd; partial (P) lines are joined. log_path NULL:
   fails with ENODATA "this container is not logging output" (the caller adds
   "this container is using the 'none' log driver, cannot read logs: "). */
struct pc_log_options
{
  bool follow;
  bool timestamps;
  int64_t tail;                 /* -1 all */
  struct timespec since, until; /* zero = unset */
  const char *prefix;           /* "PREFIX " before each line (podman's logs of several
                                   containers: the short id or, with --names, the name) */
};
int pc_monitor_logs (const char *log_path, const struct pc_log_options *o, int out_fd, int err_fd,
                     const char *state_dir /* for follow: stop when the container exited */,
                     pc_error **err);

/* Exec sessions the monitor owns (pc exec -d / -t; pkg/monitor/exec.c).
   request: {"process": OCI process object, "seccomp": OCI linux.seccomp or
   null, "seccompCache": dir or null, "detach": bool}. The monitor runs the
   process in the container, reaps it and records it in STATE_DIR/exec/.
   On success *id is the session's id (64 hex, malloc'd). Attached (not
   detach): *conn is the connection the exit code comes on
   (pc_monitor_exec_exit) and, for a terminal process, *console_fd the pty
   master (else -1). A monitor too old for exec sessions is a
   PC_ERR_UNSUPPORTED error. */
int pc_monitor_exec (const char *state_dir, json_object *request, char **id, int *conn,
                     int *console_fd, pc_error **err);
/* After conn polled readable: 1 with *exit_code once the session's process
   exited, 0 to go on, -1 when the connection ended without it (the monitor
   is gone: pc_monitor_exec_record says what is known). */
int pc_monitor_exec_exit (int conn, int *exit_code);
/* The session's record: *running, and *exit_code once it exited. ENOENT
   (PC_ERR_NOT_FOUND) when there is none. */
int pc_monitor_exec_record (const char *state_dir, const char *id, bool *running, int *exit_code,
                            pc_error **err);
/* The ids of the recorded sessions (inspect's ExecIDs), sorted; a
   NULL-terminated vector, NULL when none. */
char **pc_monitor_exec_list (const char *state_dir);

/* pc healthcheck run: the monitor runs the healthcheck now. 0 with
   *healthy for this check's outcome; a check past its timeout is a
   PC_ERR_TIMEOUT error, a monitor too old for healthchecks
   PC_ERR_UNSUPPORTED, a container that exits meanwhile PC_ERR_STATE. */
int pc_monitor_healthcheck (const char *state_dir, bool *healthy, pc_error **err);
/* Waits on a connection to the monitor of state_dir until it says the
   container exited (the exit file is written then) or goes away: 0. 1 at
   the timeout (ms, < 0: none), -1 when it cannot be reached or answers
   unlike a monitor (the caller waits its own way). */
int pc_monitor_wait_exit (const char *state_dir, int64_t timeout_ms);

/* Additions beyond API.md. */

/* Reads state_dir/monitor.pid. ENOENT when there is none. */
int pc_monitor_read_pid (const char *state_dir, pid_t *pid, unsigned long long *start_time,
                         pc_error **err);
/* True when state_dir/monitor.pid names a live process with the same start
   time (guards against pid reuse). */
bool pc_monitor_alive (const char *state_dir);
/* Start time (field 22 of /proc/PID/stat, clock ticks after boot); 0 when gone. */
unsigned long long pc_monitor_proc_start_time (pid_t pid);
/* podman's --detach-keys syntax: "ctrl-p,ctrl-q", "a,ctrl-@", "" (none).
   Writes up to out_size bytes, sets *len. EINVAL with a message when invalid. */
int pc_monitor_parse_detach_keys (const char *keys, unsigned char *out, size_t out_size,
                                  size_t *len, pc_error **err);

/* --restart (pkg/monitor/restart.c): the spec's annotation says the
   policy ("always", "unless-stopped", "on-failure" or "on-failure:N"); the
   monitor runs the container again, from the same spec, when it exits,
   unless a pc stop or kill left PC_MONITOR_STOPPED_FILE first. */
#define PC_MONITOR_RESTART_ANNOTATION "run.pc.restart"
/* In the state dir: written by pc stop and pc kill before they signal
   (podman's StoppedByUser: no restart); and the number of restarts so far,
   "N\n", written by the monitor (inspect's RestartCount). Both go with
   the state dir at the next pc start. */
#define PC_MONITOR_STOPPED_FILE "stopped-by-user"
#define PC_MONITOR_RESTARTS_FILE "restarts"

#endif
