/* Writing the events log (pkg/engine/events.h, docs/events.md). */
#include "pkg/engine/events.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/parse.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"
#include "pkg/engine/internal.h"
#include "pkg/storage/storage.h"

static struct
{
  bool configured;
  bool none;
  char *path;
  int64_t max_size;
} cfg = { .max_size = -1 };

void
pc_engine_events_configure (const char *logger, const char *path, int64_t max_size)
{
  cfg.configured = true;
  cfg.none = logger && strcmp (logger, "none") == 0;
  free (cfg.path);
  cfg.path = path && *path ? xstrdup (path) : NULL;
  cfg.max_size = max_size;
}

static int64_t
max_size (void)
{
  if (cfg.max_size >= 0)
    return cfg.max_size;
  const char *s = getenv ("PC_EVENTS_LOGFILE_MAX_SIZE");
  if (!cfg.configured && s && *s)
    {
      char *end = NULL;
      long long v = strtoll (s, &end, 10);
      if (end != s && *end == '\0' && v >= 0)
        return v;
    }
  return PC_EVENTS_DEFAULT_MAX_SIZE;
}

/* Without a pc_engine_events_configure call: containers.conf's
   events_logger (or --events-backend) as conf.c loaded it; "journald"
   writes the file, pc having no journal writer. */
static bool
logger_none (void)
{
  if (cfg.configured)
    return cfg.none;
  const struct pc_engine_conf *c = pc_engine_conf ();
  return c && c->events_logger && strcmp (c->events_logger, "none") == 0;
}

char *
pc_engine_events_path (const struct pc_engine *e)
{
  if (logger_none ())
    return NULL;
  if (cfg.path)
    return xstrdup (cfg.path);
  return xasprintf ("%s/%s/%s", pc_engine_run_dir (e), PC_EVENTS_DIR, PC_EVENTS_FILE);
}

static void
add_str (json_object *o, const char *key, const char *v)
{
  if (v && *v)
    json_object_object_add (o, key, json_object_new_string (v));
}

json_object *
pc_event_to_json (const struct pc_event *ev, const struct timespec *t)
{
  struct timespec now;
  if (t == NULL)
    {
      clock_gettime (CLOCK_REALTIME, &now);
      t = &now;
    }
  json_object *o = json_object_new_object ();
  if (ev->exit_code)
    json_object_object_add (o, "ContainerExitCode", json_object_new_int (ev->exit_code));
  add_str (o, "ID", ev->id);
  add_str (o, "Image", ev->image);
  add_str (o, "Name", ev->name);
  add_str (o, "Network", ev->network);
  add_str (o, "Status", ev->status);
  pc_autofree char *ts = pc_time_format_rfc3339 (t);
  json_object_object_add (o, "Time", json_object_new_string (ts));
  add_str (o, "Type", ev->type);
  add_str (o, "PodID", ev->pod_id);
  json_object_object_add (o, "Attributes", ev->attributes ? json_object_get (ev->attributes) : NULL);
  return o;
}

/* podman's truncate(): the later half of the file, from the line after
   the middle, replaces it (temp file + rename, under the lock). Copied
   through a fixed buffer: the log may have grown to any size. */
static int
rotate (int dirfd, const char *name, int fd, off_t size, pc_error **err)
{
  enum { CHUNK = 64 * 1024 };
  pc_autofree char *buf = xmalloc (CHUNK);
  off_t from = size / 2;
  while (from < size)
    {
      ssize_t n = pread (fd, buf, (size_t) (size - from < CHUNK ? size - from : CHUNK), from);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return pc_error_errno (err, errno, "read the events log");
      if (n == 0)
        {
          from = size;
          break;
        }
      char *nl = memchr (buf, '\n', (size_t) n);
      from += nl ? (nl - buf) + 1 : n;
      if (nl)
        break;
    }
  pc_autofree char *tmp = xasprintf (".%s.%d.tmp", name, (int) getpid ());
  pc_autoclose int tfd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (tfd < 0)
    return pc_error_errno (err, errno, "create `%s`", tmp);
  while (from < size)
    {
      ssize_t n = pread (fd, buf, (size_t) (size - from < CHUNK ? size - from : CHUNK), from);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      if (pc_write_all (tfd, buf, (size_t) n, err) < 0)
        {
          unlinkat (dirfd, tmp, 0);
          return -1;
        }
      from += n;
    }
  if (renameat (dirfd, tmp, dirfd, name) < 0)
    {
      int saved = errno;
      unlinkat (dirfd, tmp, 0);
      return pc_error_errno (err, saved, "rename `%s`", tmp);
    }
  return 0;
}

/* One write: a reader never sees half a line from a writer that is alive. */
static int
write_line (int fd, const char *line, size_t len, pc_error **err)
{
  /* A last line left without its newline (a writer killed mid-write,
     a full disk) is ended first, or this line would be glued to it and
     lost to every reader. */
  struct stat st;
  char last = '\n';
  pc_autofree char *ended = NULL;
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_size > 0
      && pread (fd, &last, 1, st.st_size - 1) == 1 && last != '\n')
    {
      ended = xmalloc (len + 1);
      ended[0] = '\n';
      memcpy (ended + 1, line, len);
      line = ended;
      len++;
    }
  ssize_t w = write (fd, line, len);
  if (w < 0)
    return pc_error_errno (err, errno, "write the events log");
  if ((size_t) w != len)
    return pc_error_make (err, EIO, "short write to the events log");
  return 0;
}

static int
open_log (const char *path, pc_error **err)
{
  /* O_NONBLOCK and the type check: a FIFO put there would take lines
     until its buffer filled, then block every command that records an
     event. */
  int fd = open (path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
  if (fd < 0)
    return pc_error_errno (err, errno, "open the events log `%s`", path);
  struct stat st;
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return pc_error_make (err, EINVAL, "the events log `%s` is not a regular file", path);
    }
  return fd;
}

int
pc_events_append (const char *path, const char *line, int64_t limit, pc_error **err)
{
  pc_autofree char *lockpath = xasprintf ("%s.lock", path);
  pc_autoclose int lfd = open (lockpath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (lfd < 0 && errno == ENOENT)
    {
      /* The first event: RUN/events does not exist yet. */
      pc_autofree char *dir = xstrdup (path);
      char *slash = strrchr (dir, '/');
      if (slash && slash != dir)
        {
          *slash = '\0';
          if (pc_mkdir_p (AT_FDCWD, dir, 0700, err) < 0)
            return -1;
        }
      lfd = open (lockpath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    }
  if (lfd < 0)
    return pc_error_errno (err, errno, "open `%s`", lockpath);
  while (flock (lfd, LOCK_EX) < 0)
    if (errno != EINTR)
      return pc_error_errno (err, errno, "lock `%s`", lockpath);

  pc_autofree char *buf = xasprintf ("%s\n", line);
  size_t len = strlen (buf);
  pc_autoclose int fd = open_log (path, err);
  if (fd < 0)
    return -1;
  struct stat st;
  if (limit > 0 && fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && (int64_t) st.st_size + (int64_t) len >= limit)
    {
      pc_autofree char *dir = xstrdup (path);
      char *slash = strrchr (dir, '/');
      const char *name = slash ? path + (slash - dir) + 1 : path;
      if (slash)
        *slash = '\0';
      pc_autoclose int dirfd = open (slash ? (*dir ? dir : "/") : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (dirfd < 0)
        return pc_error_errno (err, errno, "open the directory of `%s`", path);
      if (rotate (dirfd, name, fd, st.st_size, err) < 0)
        return -1;
      close (fd);
      fd = open_log (path, err);
      if (fd < 0)
        return -1;
      struct pc_event rev = { .type = "system", .status = "log-rotation", .name = path };
      pc_autojson json_object *r = pc_event_to_json (&rev, NULL);
      pc_autofree char *rl = xasprintf ("%s\n", json_object_to_json_string_ext (r, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
      if (write_line (fd, rl, strlen (rl), err) < 0)
        return -1;
    }
  return write_line (fd, buf, len, err);
}

void
pc_engine_event (struct pc_engine *e, const struct pc_event *ev)
{
  pc_autofree char *path = pc_engine_events_path (e);
  if (path == NULL)
    return;
  pc_autojson json_object *o = pc_event_to_json (ev, NULL);
  const char *line = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  pc_autoerror pc_error *err = NULL;
  if (pc_events_append (path, line, max_size (), &err) < 0)
    pc_debug ("event %s %s not recorded: %s", ev->type, ev->status, err->msg);
}

/* A container's event as podman fills it: Image, Name, the labels as
   Attributes, the pod. */
static void
container_event (const struct pc_container *c, const char *status, struct pc_event *ev)
{
  json_object *labels = pc_json_get (c->rec, "Config.Labels");
  *ev = (struct pc_event) {
    .type = "container",
    .status = status,
    .id = c->id,
    .name = c->name,
    .image = pc_json_get_string (c->rec, "ImageName"),
    .pod_id = pc_json_get_string (c->rec, "Pod"),
    .attributes = labels && json_object_is_type (labels, json_type_object) ? labels : NULL,
  };
}

void
pc_engine_event_container (struct pc_engine *e, const struct pc_container *c, const char *status)
{
  struct pc_event ev;
  container_event (c, status, &ev);
  json_object *empty = NULL;
  if (ev.attributes == NULL)
    ev.attributes = empty = json_object_new_object ();
  pc_engine_event (e, &ev);
  json_object_put (empty);
}

void
pc_engine_event_image (struct pc_engine *e, const char *status, const char *id, const char *name)
{
  const char *bare = id && strncmp (id, "sha256:", 7) == 0 ? id + 7 : id;
  struct pc_event ev = { .type = "image", .status = status, .id = bare, .name = name };
  pc_engine_event (e, &ev);
}

void
pc_engine_event_volume (struct pc_engine *e, const char *status, const char *name)
{
  struct pc_event ev = { .type = "volume", .status = status, .name = name };
  pc_engine_event (e, &ev);
}

void
pc_engine_event_pod (struct pc_engine *e, const char *status, const char *pod_id, const char *pod_name)
{
  struct pc_event ev = { .type = "pod", .status = status, .id = pod_id, .name = pod_name };
  pc_engine_event (e, &ev);
}

void
eng_events_image_removed (struct pc_engine *e, const char *id, char *const *names, const char *ref)
{
  for (size_t i = 0; names && names[i]; i++)
    pc_engine_event_image (e, "untag", id, names[i]);
  pc_engine_event_image (e, "remove", id, ref);
}

int
eng_events_image_archive (struct pc_engine *e, const char *status, int fd, const char *ref, int rc)
{
  if (rc < 0)
    return rc;
  char link[64], path[4096] = "";
  snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = fd >= 0 ? readlink (link, path, sizeof path - 1) : -1;
  path[n > 0 ? n : 0] = '\0';
  /* save -o writes a temp file beside the target (lib/output.c's
     ".NAME.pc-tmp-HEX") and renames it: the event names the target. */
  char *base = strrchr (path, '/');
  char *tmp = base ? strstr (base, ".pc-tmp-") : NULL;
  if (tmp && base[1] == '.' && strlen (tmp) == 8 + 16 && strspn (tmp + 8, "0123456789abcdef") == 16)
    {
      *tmp = '\0';
      memmove (base + 1, base + 2, strlen (base + 2) + 1);
    }
  pc_autofree char *id = NULL;
  pc_autoerror pc_error *err = NULL;
  if (ref && pc_engine_image_resolve (e, ref, &id, NULL, &err) < 0)
    id = NULL;
  pc_engine_event_image (e, status, id, path[0] == '/' ? path : NULL);
  return rc;
}

int
eng_events_container_rc (struct pc_engine *e, const struct pc_container *c, const char *status, int rc)
{
  if (rc == 0)
    pc_engine_event_container (e, c, status);
  return rc;
}

int
eng_events_pod_rc (struct pc_engine *e, const struct pc_pod *p, const char *status, int rc)
{
  if (rc == 0)
    pc_engine_event_pod (e, status, p->id, p->name);
  return rc;
}

int
eng_events_image_tagged_rc (struct pc_engine *e, char **id, const char *name, int rc)
{
  if (rc == 0 && name && *name && id && *id)
    {
      pc_autofree char *full = NULL;
      pc_autofree char *local = pc_engine_image_local_name (name);
      if (pc_ref_normalize (local, &full, NULL) < 0)
        full = NULL;
      pc_engine_event_image (e, "tag", *id, full ? full : local);
    }
  return rc;
}

void
eng_events_prepare_died (struct pc_engine *e, const struct pc_container *c, int state_dfd)
{
  pc_autofree char *path = pc_engine_events_path (e);
  if (path == NULL)
    {
      unlinkat (state_dfd, PC_EVENTS_DIED_FILE, 0);
      return;
    }
  struct pc_event ev;
  container_event (c, "died", &ev);
  json_object *empty = NULL;
  if (ev.attributes == NULL)
    ev.attributes = empty = json_object_new_object ();
  pc_autojson json_object *o = pc_event_to_json (&ev, NULL);
  json_object_put (empty);
  json_object_object_del (o, "Time");
  pc_autofree char *data = xasprintf ("%s\n%s\n", path,
                                      json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  pc_autoerror pc_error *err = NULL;
  if (eng_write_volatile (state_dfd, PC_EVENTS_DIED_FILE, data, strlen (data), &err) < 0)
    pc_debug ("the died event of %s will not be recorded: %s", c->id, err->msg);
}

void
eng_events_died_lost (int run_dfd, const char *id, int exit_code, const struct timespec *t)
{
  pc_autofree char *file = xasprintf ("%s/%s", id, PC_EVENTS_DIED_FILE);
  pc_autofree char *data = NULL;
  pc_autoerror pc_error *err = NULL;
  if (pc_read_file_max (run_dfd, file, 65536, 0, &data, NULL, &err) < 0)
    return;
  char *nl = strchr (data, '\n');
  if (nl == NULL || data[0] != '/')
    return;
  *nl = '\0';
  pc_autojson json_object *tmpl = json_tokener_parse (nl + 1);
  if (tmpl == NULL || !json_object_is_type (tmpl, json_type_object))
    return;
  /* podman's order: ContainerExitCode first, Time after Status. */
  pc_autojson json_object *ev = json_object_new_object ();
  if (exit_code)
    json_object_object_add (ev, "ContainerExitCode", json_object_new_int (exit_code));
  pc_autofree char *ts = pc_time_format_rfc3339 (t);
  json_object_object_foreach (tmpl, k, v)
    {
      json_object_object_add (ev, k, json_object_get (v));
      if (strcmp (k, "Status") == 0)
        json_object_object_add (ev, "Time", json_object_new_string (ts));
    }
  const char *line = json_object_to_json_string_ext (ev, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  if (pc_events_append (data, line, max_size (), &err) < 0)
    pc_debug ("the died event of %s was not recorded: %s", id, err->msg);
}
