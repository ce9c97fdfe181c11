/* Reading the events log: podman 4.3's filters, --since/--until, and
   following new lines with inotify (docs/events.md). The log is outside
   data: lines that are not JSON objects with a Time are skipped. */
#include "pkg/engine/events.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"
#include "pkg/engine/internal.h"

enum fkey
{
  F_CONTAINER,
  F_EVENT,
  F_IMAGE,
  F_LABEL,
  F_POD,
  F_TYPE,
  F_VOLUME,
  F_SINCE,
  F_UNTIL,
  F_NKEYS,
};

static const char *const fkey_names[F_NKEYS] = {
  "container", "event", "image", "label", "pod", "type", "volume", "since", "until",
};

struct pc_events_filter
{
  char **values[F_NKEYS];
  struct timespec since, until;
};

void
pc_events_filter_free (struct pc_events_filter *f)
{
  if (f == NULL)
    return;
  for (int k = 0; k < F_NKEYS; k++)
    pc_strv_free (f->values[k]);
  free (f);
}

int
pc_events_filter_parse (char *const *filters, struct pc_events_filter **out, pc_error **err)
{
  struct pc_events_filter *f = xmalloc0 (sizeof *f);
  for (size_t i = 0; filters && filters[i]; i++)
    {
      const char *s = filters[i];
      const char *eq = strchr (s, '=');
      int key = -1;
      for (int k = 0; eq && k < F_NKEYS; k++)
        if (strlen (fkey_names[k]) == (size_t) (eq - s) && strncasecmp (s, fkey_names[k], (size_t) (eq - s)) == 0)
          key = k;
      /* podman takes "status" for "event". */
      if (eq && key < 0 && (size_t) (eq - s) == 6 && strncasecmp (s, "status", 6) == 0)
        key = F_EVENT;
      if (key < 0)
        {
          pc_events_filter_free (f);
          return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s is an invalid filter", s);
        }
      if (key == F_SINCE || key == F_UNTIL)
        {
          struct timespec t;
          if (pc_parse_time_or_duration (eq + 1, &t, err) < 0)
            {
              pc_events_filter_free (f);
              pc_error_set_class (err, PC_ERR_INVALID);
              return -1;
            }
          if (key == F_SINCE)
            f->since = t;
          else
            f->until = t;
          continue;
        }
      pc_strv_append (&f->values[key], eq + 1);
    }
  *out = f;
  return 0;
}

static const char *
sget (json_object *ev, const char *key)
{
  const char *s = pc_json_get_string (ev, key);
  return s ? s : "";
}

static bool
name_or_id (json_object *ev, const char *type, const char *v)
{
  if (strcmp (sget (ev, "Type"), type) != 0)
    return false;
  if (strcmp (sget (ev, "Name"), v) == 0)
    return true;
  const char *id = sget (ev, "ID");
  return *id && strncmp (id, v, strlen (v)) == 0;
}

/* podman 4.3: label=KEY=VALUE against the Attributes; a bare KEY matches
   nothing. */
static bool
label_match (json_object *ev, const char *v)
{
  const char *eq = strchr (v, '=');
  json_object *attrs = pc_json_get_object (ev, "Attributes");
  if (eq == NULL || attrs == NULL)
    return false;
  pc_autofree char *key = xstrndup (v, (size_t) (eq - v));
  const char *have = pc_json_get_string (attrs, key);
  return have && strcmp (have, eq + 1) == 0;
}

static bool
one_match (int key, json_object *ev, const char *v)
{
  switch (key)
    {
    case F_CONTAINER:
      return name_or_id (ev, "container", v);
    case F_IMAGE:
      return name_or_id (ev, "image", v);
    case F_POD:
      return name_or_id (ev, "pod", v);
    case F_VOLUME:
      return name_or_id (ev, "volume", v);
    case F_EVENT:
      return strcmp (sget (ev, "Status"), v) == 0;
    case F_TYPE:
      return strcmp (sget (ev, "Type"), v) == 0;
    case F_LABEL:
      return label_match (ev, v);
    default:
      return false;
    }
}

static bool
ts_set (const struct timespec *t)
{
  return t->tv_sec != 0 || t->tv_nsec != 0;
}

static int
ts_cmp (const struct timespec *a, const struct timespec *b)
{
  if (a->tv_sec != b->tv_sec)
    return a->tv_sec < b->tv_sec ? -1 : 1;
  return a->tv_nsec < b->tv_nsec ? -1 : a->tv_nsec > b->tv_nsec;
}

bool
pc_events_filter_match (const struct pc_events_filter *f, json_object *ev)
{
  if (f == NULL)
    return true;
  for (int k = 0; k < F_NKEYS; k++)
    {
      if (f->values[k] == NULL)
        continue;
      bool any = false;
      for (size_t i = 0; f->values[k][i] && !any; i++)
        any = one_match (k, ev, f->values[k][i]);
      if (!any)
        return false;
    }
  return true;
}

struct reader
{
  const struct pc_events_read_opts *o;
  struct timespec since, until;
  char *partial;           /* an incomplete last line */
  size_t plen;
  char *last;              /* the last whole line read: where to go on after a rotation */
  bool skipping;           /* inside a line longer than EVENTS_LINE_MAX */
};

#define EVENTS_LINE_MAX (1024 * 1024)
#define EVENTS_REOPEN_MAX ((size_t) 256 * 1024 * 1024)

/* <0: stop (emit said so), 0: go on. */
static int
one_line (struct reader *r, const char *line, size_t len)
{
  free (r->last);
  r->last = xstrndup (line, len);
  pc_autojson json_object *ev = json_tokener_parse (r->last);
  if (ev == NULL || !json_object_is_type (ev, json_type_object))
    return 0;
  const char *ts = pc_json_get_string (ev, "Time");
  struct timespec t;
  pc_autoerror pc_error *perr = NULL;
  if (ts == NULL || pc_time_parse_rfc3339 (ts, &t, &perr) < 0)
    return 0;
  if (ts_set (&r->since) && ts_cmp (&t, &r->since) < 0)
    return 0;
  if (ts_set (&r->until) && ts_cmp (&t, &r->until) > 0)
    return 0;
  if (!pc_events_filter_match (r->o->filter, ev))
    return 0;
  return r->o->emit (ev, &t, r->o->data) < 0 ? -1 : 0;
}

static int
feed (struct reader *r, const char *buf, size_t n)
{
  r->partial = xrealloc (r->partial, r->plen + n + 1);
  memcpy (r->partial + r->plen, buf, n);
  r->plen += n;
  size_t start = 0;
  for (size_t i = 0; i < r->plen; i++)
    if (r->partial[i] == '\n')
      {
        if (r->skipping)
          r->skipping = false;
        else if (i > start && one_line (r, r->partial + start, i - start) < 0)
          return -1;
        start = i + 1;
      }
  memmove (r->partial, r->partial + start, r->plen - start);
  r->plen -= start;
  /* The log is data like any other: a "line" past the cap is dropped
     up to its end rather than held. */
  if (r->plen > EVENTS_LINE_MAX)
    {
      r->plen = 0;
      r->skipping = true;
    }
  return 0;
}

static int
drain (struct reader *r, int fd, pc_error **err)
{
  char buf[65536];
  for (;;)
    {
      ssize_t n = read (fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return pc_error_errno (err, errno, "read the events log");
      if (n == 0)
        return 0;
      if (feed (r, buf, (size_t) n) < 0)
        return 1;
    }
}

/* After a rotation (a new file in the place): skips what was already read,
   up to and including the last line seen, when the new file still holds it. */
static int
reopen (struct reader *r, int dirfd, const char *name, int *fd, pc_error **err)
{
  int nfd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (nfd < 0)
    return errno == ENOENT ? 0 : pc_error_errno (err, errno, "open the events log");
  struct stat st;
  if (fstat (nfd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      close (nfd);
      return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "the events log `%s` is not a regular file", name);
    }
  if (*fd >= 0)
    {
      /* Whatever the old file got before it was replaced. */
      int d = drain (r, *fd, err);
      close (*fd);
      *fd = -1;
      if (d != 0)
        {
          close (nfd);
          return d;
        }
    }
  *fd = nfd;
  r->plen = 0;
  if (r->last == NULL)
    return 0;
  pc_autofree char *data = NULL;
  size_t len = 0;
  pc_autoerror pc_error *rerr = NULL;
  if (pc_read_fd_max (nfd, EVENTS_REOPEN_MAX, &data, &len, &rerr) < 0)
    return 0;
  size_t ll = strlen (r->last);
  size_t from = 0;
  for (size_t i = 0; i + ll < len; i++)
    if ((i == 0 || data[i - 1] == '\n') && data[i + ll] == '\n' && memcmp (data + i, r->last, ll) == 0)
      from = i + ll + 1;
  return feed (r, data + from, len - from) < 0 ? 1 : 0;
}

static int64_t
ms_until (const struct timespec *until)
{
  if (!ts_set (until))
    return -1;
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  int64_t ms = (int64_t) (until->tv_sec - now.tv_sec) * 1000 + (until->tv_nsec - now.tv_nsec) / 1000000;
  return ms < 0 ? 0 : ms + 1;
}

static int
follow (struct reader *r, int dirfd, const char *dir, const char *name, int *fd, int ino,
        pc_error **err)
{
  (void) dir;
  for (;;)
    {
      int64_t ms = ms_until (&r->until);
      if (ms == 0)
        return 0;
      struct pollfd p[2] = { { .fd = ino, .events = POLLIN }, { .fd = r->o->hangup_fd, .events = 0 } };
      int pr = poll (p, r->o->hangup_fd > 0 ? 2 : 1, ms > 1000000 ? 1000000 : (int) ms);
      if (pr < 0 && errno == EINTR)
        continue;
      if (pr < 0)
        return pc_error_errno (err, errno, "poll");
      if (r->o->hangup_fd > 0 && (p[1].revents & (POLLERR | POLLHUP | POLLNVAL)))
        return 0;
      if (!(p[0].revents & POLLIN))
        continue;
      char buf[4096] __attribute__ ((aligned (__alignof__ (struct inotify_event))));
      ssize_t n = read (ino, buf, sizeof buf);
      if (n <= 0)
        continue;
      bool replaced = false, modified = false;
      for (char *q = buf; q < buf + n;)
        {
          struct inotify_event *ie = (struct inotify_event *) q;
          if (ie->len && strcmp (ie->name, name) == 0)
            {
              if (ie->mask & (IN_CREATE | IN_MOVED_TO))
                replaced = true;
              if (ie->mask & IN_MODIFY)
                modified = true;
            }
          q += sizeof *ie + ie->len;
        }
      int d = 0;
      if (replaced)
        d = reopen (r, dirfd, name, fd, err);
      else if (modified && *fd >= 0)
        d = drain (r, *fd, err);
      if (d < 0)
        return -1;
      if (d > 0)
        return 0;
    }
}

int
pc_engine_events_read (struct pc_engine *e, const struct pc_events_read_opts *o, pc_error **err)
{
  pc_autofree char *path = pc_engine_events_path (e);
  if (path == NULL)
    return pc_error_makec (err, PC_ERR_UNSUPPORTED, ENOTSUP, "cannot read events with the \"none\" backend");
  pc_autofree char *dir = xstrdup (path);
  char *slash = strrchr (dir, '/');
  const char *name = slash ? path + (slash - dir) + 1 : path;
  if (slash)
    *slash = '\0';
  if (o->stream && pc_mkdir_p (AT_FDCWD, dir, 0700, err) < 0)
    return -1;
  pc_autoclose int dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0 && errno == ENOENT)
    return 0;
  if (dirfd < 0)
    return pc_error_errno (err, errno, "open `%s`", dir);

  struct reader r = { .o = o, .since = o->since, .until = o->until };
  if (o->filter && ts_set (&o->filter->since))
    r.since = o->filter->since;
  if (o->filter && ts_set (&o->filter->until))
    r.until = o->filter->until;

  /* Watched before the first read, so no line falls between. */
  pc_autoclose int ino = -1;
  if (o->stream)
    {
      ino = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
      if (ino < 0)
        return pc_error_errno (err, errno, "inotify_init");
      if (inotify_add_watch (ino, dir, IN_CREATE | IN_MOVED_TO | IN_MODIFY | IN_ONLYDIR) < 0)
        return pc_error_errno (err, errno, "watch `%s`", dir);
    }
  int fd = -1;
  int rc = reopen (&r, dirfd, name, &fd, err);
  if (rc == 0 && fd >= 0)
    rc = drain (&r, fd, err);
  if (rc == 0 && o->stream)
    rc = follow (&r, dirfd, dir, name, &fd, ino, err);
  if (fd >= 0)
    close (fd);
  free (r.partial);
  free (r.last);
  return rc < 0 ? -1 : 0;
}
