/* The events log (docs/events.md): podman's file events backend
   (events_logger="file"). One JSON object per line, podman 4.3's field
   names and order: ContainerExitCode (omitted when 0), ID, Image, Name,
   Network, Status, Time (RFC 3339 with nanoseconds, local zone), Type,
   HealthStatus, PodID, Attributes (labels, or null).

   Where: RUN/events/events.log (RUN = --runroot or the default runroot),
   lock RUN/events/events.log.lock. Every writer takes the lock (flock)
   for the rotation check and its one write(2) with O_APPEND; the monitor
   writes its `died` line the same way (pkg/monitor/state.c, from a small
   file the engine leaves in the container's state dir). Past the size
   limit the file keeps its later half (from a line boundary) and a
   `system log-rotation` line, as podman's events_logfile_max_size. */
#ifndef PC_PKG_ENGINE_EVENTS_H
#define PC_PKG_ENGINE_EVENTS_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "lib/error.h"

struct pc_engine;
struct pc_container;

/* Defaults as podman's containers.conf: logger "file", 1 MB. */
#define PC_EVENTS_DEFAULT_MAX_SIZE 1000000
#define PC_EVENTS_DIR "events"
#define PC_EVENTS_FILE "events.log"
/* In the container's state dir: what the monitor needs to write `died`
   (line 1: the log path, line 2: the event object without Time and
   ContainerExitCode). */
#define PC_EVENTS_DIED_FILE "died-event"

/* The configuration hook (containers.conf's [engine] events_logger,
   events_logfile_path, events_logfile_max_size, or --events-backend):
   logger "file" (default) or "none" (nothing written; `pc events` fails
   as podman does); path NULL: RUN/events/events.log; max_size 0: no
   limit, < 0: the default. Call before the first event. Without a call,
   PC_EVENTS_LOGFILE_MAX_SIZE in the environment sets the limit (tests). */
void pc_engine_events_configure (const char *logger, const char *path, int64_t max_size);
/* The log's path for the engine's runroot (malloc'd), NULL when the
   logger is "none". */
char *pc_engine_events_path (const struct pc_engine *e);

/* One event. Unset strings are omitted; attributes (borrowed) is an
   object of strings or NULL. */
struct pc_event
{
  const char *type;      /* container, image, volume, pod, system */
  const char *status;    /* create, start, died, pull, ... */
  const char *id;
  const char *name;
  const char *image;
  const char *pod_id;
  const char *network;
  int exit_code;         /* ContainerExitCode, when not 0 */
  json_object *attributes;
};
/* The line as podman writes it (new reference); t NULL: now. */
json_object *pc_event_to_json (const struct pc_event *ev, const struct timespec *t);

/* Appends one event. Best effort, as podman: a log that cannot be written
   is a debug message, never the command's failure. */
void pc_engine_event (struct pc_engine *e, const struct pc_event *ev);
/* The usual shapes: a container's (its name, image, labels, pod), an
   image's (id, name), a volume's (name), a pod's (id, name): the hook the
   pod code calls for pod create/start/stop/remove ... */
void pc_engine_event_container (struct pc_engine *e, const struct pc_container *c,
                                const char *status);
void pc_engine_event_image (struct pc_engine *e, const char *status, const char *id,
                            const char *name);
void pc_engine_event_volume (struct pc_engine *e, const char *status, const char *name);
void pc_engine_event_pod (struct pc_engine *e, const char *status, const char *pod_id,
                          const char *pod_name);
/* At start: leaves PC_EVENTS_DIED_FILE in the state dir (dirfd) for the
   monitor's `died` event. */
void eng_events_prepare_died (struct pc_engine *e, const struct pc_container *c, int state_dfd);

/* rmi: an untag per name, then remove (Name: the ref asked for). */
void eng_events_image_removed (struct pc_engine *e, const char *id, char *const *names,
                               const char *ref);
/* load and save: status with the archive's path (from fd; -1: none) as
   Name and ref's id; passes rc through, and records nothing when rc < 0. */
int eng_events_image_archive (struct pc_engine *e, const char *status, int fd, const char *ref,
                              int rc);

/* Pass rc through, recording the event when it is 0: a container's
   status (commit, rename), or an import's "tag" of *id as name (podman
   4.3 writes no import event; nothing without a name). */
int eng_events_container_rc (struct pc_engine *e, const struct pc_container *c, const char *status,
                             int rc);
struct pc_pod;
int eng_events_pod_rc (struct pc_engine *e, const struct pc_pod *p, const char *status, int rc);
int eng_events_image_tagged_rc (struct pc_engine *e, char **id, const char *name, int rc);

/* The `died` of a container whose monitor vanished (record.c records its
   137 on first sight): the line the monitor would have written, from
   RUN/ctr/ID/died-event (run_dfd: RUN/ctr). */
void eng_events_died_lost (int run_dfd, const char *id, int exit_code, const struct timespec *t);

/* Appends a line (no newline in it) under the lock, rotating first past
   max_size (0: no limit). Shared with the monitor's writer. */
int pc_events_append (const char *path, const char *line, int64_t max_size, pc_error **err);

/* Reading (events-read.c). Filters are podman's "key=value": container,
   event (status), image, label (key=value), pod, type, volume; one key's
   values ORed, keys ANDed. */
struct pc_events_filter;
int pc_events_filter_parse (char *const *filters, struct pc_events_filter **out, pc_error **err);
void pc_events_filter_free (struct pc_events_filter *f);
bool pc_events_filter_match (const struct pc_events_filter *f, json_object *ev);

struct pc_events_read_opts
{
  const struct pc_events_filter *filter;
  struct timespec since, until;   /* zero: unset */
  bool stream;                    /* follow new lines (inotify) until until */
  int hangup_fd;                  /* > 0: the stream also ends when this fd (stdout)
                                     reports an error or hangup: its reader went away */
  /* Each matching event (the line's object, borrowed) and its time;
     a negative return stops the read (e.g. stdout closed). */
  int (*emit) (json_object *ev, const struct timespec *t, void *data);
  void *data;
};
int pc_engine_events_read (struct pc_engine *e, const struct pc_events_read_opts *o,
                           pc_error **err);

#endif
