/* Shared between the files of the monitor process (not a public interface). */
#ifndef PC_PKG_MONITOR_INTERNAL_H
#define PC_PKG_MONITOR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "lib/error.h"
#include "pkg/monitor/k8slog.h"
#include "pkg/monitor/loop.h"
#include "pkg/monitor/monitor.h"
#include "pkg/network/network.h"
#include "pkg/runtime/runtime.h"

struct pc_mon_client
{
  int fd;
  struct pc_mon_client *next;
  char *pending;         /* one packet the socket had no room for */
  size_t pending_len;
};

struct pc_monitor
{
  const struct pc_monitor_config *cfg;
  struct pc_mloop loop;
  int dirfd;             /* state dir, O_PATH */
  int listen_fd;
  int sig_fd;
  int in_fd;             /* our end of the container's stdin pipe, or -1 */
  int out_fd, err_fd;    /* our ends of stdout/stderr; with a pty out_fd is the master */
  bool pty;
  char *in_pending;      /* stdin bytes the pipe/pty had no room for */
  size_t in_pending_len;
  const struct pc_runtime_ops *rt;   /* the runtime behind the container */
  struct pc_runtime_ctr *ctr;        /* its handle on the container, NULL before create */
  pid_t pid;                         /* the container process, the monitor's child */
  bool started, exited;
  int start_status;      /* errno of a failed exec, else 0 */
  enum pc_error_class start_class;   /* and its class */
  bool log_failing;      /* the last write to the container's log failed */
  unsigned long log_failures;
  int exit_code;
  struct pc_k8s_writer log;
  struct pc_mon_client *clients;
  int blocked_clients;   /* clients with a pending packet: output reading pauses */
  struct pc_net *net;    /* the container's libslirp network, or NULL (net.c) */
  char *net_mode;        /* its mode until it is up, NULL for none */
  int netns_fd;          /* the container's network namespace until then, or -1 */
  pc_error *net_err;     /* it failed to come up: the start fails with it */
  int seccomp_fd;        /* the runtime's seccomp listener until the bypass takes it, or -1 */
  struct pc_net_bypass *bypass;   /* the egress bypass (bypass.c), or NULL */
  struct pc_mon_restart *restart; /* --restart (restart.c), NULL for none */
};

/* sockpath.c: unix sockets under a dir fd, whatever the path length. */
int pc_mon_socket_bind (int dirfd, const char *name, pc_error **err);
int pc_mon_socket_connect (const char *dir, const char *name, pc_error **err);

/* state.c: the monitor's own error channel (see pc_monitor_log). */
#define PC_MONITOR_LOGFILE "monitor.log"
#define PC_MONITOR_LOGFILE_MAX (256 * 1024)
void pc_mon_log_open (int dirfd, const char *id);

/* state.c */
int pc_mon_write_pid_file (int dirfd, pc_error **err);
int pc_mon_write_exit_file (int dirfd, int exit_code, const struct timespec *t, pc_error **err);
/* The init and start events (and attach, for a start that came with the
   CLI's connection) of a start the monitor made itself. */
void pc_mon_write_start_events (int dirfd, bool attached);
int pc_mon_write_file (int dirfd, const char *name, const char *data, size_t len, pc_error **err);

/* server.c: the attach socket side. */
void pc_mon_server_start (struct pc_monitor *m);
/* A connected client (accepted, or the CLI's own from the spawn): it gets
   HELLO at once. The fd becomes non-blocking and the monitor's. */
void pc_mon_client_add (struct pc_monitor *m, int fd);
void pc_mon_broadcast (struct pc_monitor *m, int type, const void *data, size_t len);
void pc_mon_send_exit (struct pc_monitor *m);
void pc_mon_clients_pause (struct pc_monitor *m, bool pause);
/* Sends one packet to a client (kept when its socket is full); -1 when it
   is gone (dropped). */
int pc_mon_client_send (struct pc_monitor *m, struct pc_mon_client *c, const char *pkt, size_t len);
/* Takes a client out of the list and the loop; returns its fd, the caller's now. */
int pc_mon_client_take (struct pc_monitor *m, struct pc_mon_client *c);

/* exec.c: exec sessions the monitor owns. A PC_MSG_EXEC request with its
   memfd (closed here; -1 when none came); and the reaping of a child that
   is not the container: true when it was an exec session's process. */
void pc_mon_exec_request (struct pc_monitor *m, struct pc_mon_client *c, int memfd);
bool pc_mon_exec_reaped (struct pc_monitor *m, pid_t pid, int status);

/* health.c: the healthcheck (cfg->health). start: before the report
   (status "starting", the timer); reaped: true when pid was the check's
   process; request: a PC_MSG_HEALTHCHECK; restart: --health-on-failure=restart
   (restart.c's path). */
void pc_mon_health_start (struct pc_monitor *m);
bool pc_mon_health_reaped (struct pc_monitor *m, pid_t pid, int status);
void pc_mon_health_request (struct pc_monitor *m, struct pc_mon_client *c);
void pc_mon_health_restart (struct pc_monitor *m);
/* The restart policy started the container again: checks start over. */
void pc_mon_health_restarted (struct pc_monitor *m);

/* net.c: the container's network (spec annotation "run.pc.network").
   prepare after the create (takes *netns_fd when the network needs it),
   up before the container may exec, stop before the exit is recorded. */
int pc_mon_net_prepare (struct pc_monitor *m, json_object *spec, int *netns_fd, pc_error **err);
int pc_mon_net_up (struct pc_monitor *m, pc_error **err);
void pc_mon_net_stop (struct pc_monitor *m);

/* bypass.c: the egress bypass. spec: asks the runtime for the seccomp
   listener (before the create) when the network has bypass=true; up: from
   pc_mon_net_up, takes m->seccomp_fd; stop: from pc_mon_net_stop. */
void pc_mon_bypass_spec (json_object *spec);
int pc_mon_bypass_up (struct pc_monitor *m, const struct pc_net_slirp_opts *o, int netns_fd, pc_error **err);
void pc_mon_bypass_stop (struct pc_monitor *m);

/* trim.c: an idle monitor gives back the heap's free pages and its
   references to code pages, once the container has run a while. */
void pc_mon_trim_arm (struct pc_monitor *m);
void pc_mon_trim_now (void);
/* Fills the heap's free chunks until the next trim, so the monitor's own
   allocations are not spread over the CLI's pages. */
void pc_mon_heap_plug (void);

/* io.c: container stdio, the signalfd and the end of the container. */
void pc_mon_io_start (struct pc_monitor *m);
void pc_mon_stdin_write (struct pc_monitor *m, const char *data, size_t len);
void pc_mon_stdin_close (struct pc_monitor *m);
void pc_mon_output_pause (struct pc_monitor *m, bool pause);
int pc_mon_do_start (struct pc_monitor *m, pc_error **err);
/* The one exit path after the report: kills the container if it still
   runs, then teardown, exit file, EXIT to clients, on_exit. */
void pc_mon_finish_now (struct pc_monitor *m) __attribute__ ((noreturn));
/* The same end for a container that has exited and is drained. */
void pc_mon_finish (struct pc_monitor *m) __attribute__ ((noreturn));
/* Adds the container's stdio fds to the loop (after a restart made them). */
void pc_mon_io_add_stdio (struct pc_monitor *m);

/* restart.c: the restart policy (the spec's PC_MONITOR_RESTART_ANNOTATION).
   init: before the first create, keeps what a restart needs (the spec,
   the published ports); exited: the container has exited and is drained:
   true when it will be restarted (the exit is recorded, the backoff
   runs), false when the monitor should finish; waiting: in the backoff;
   signal: SIGTERM/SIGINT or a relayed signal while waiting ends the
   monitor when a pc stop or kill asked for it. */
void pc_mon_restart_init (struct pc_monitor *m, json_object *spec);
bool pc_mon_restart_exited (struct pc_monitor *m);
bool pc_mon_restart_waiting (const struct pc_monitor *m);
/* --health-on-failure=restart: the next exit restarts the container
   whatever the policy; false when there is no restart state. */
bool pc_mon_restart_force (struct pc_monitor *m);
void pc_mon_restart_signal (struct pc_monitor *m, int signo);

#endif
