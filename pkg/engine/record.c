/* Container records: load, save, names, lookup, listing, and the status
   derived from the runtime-state files. */
#include "pkg/engine/internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"
#include "pkg/engine/events.h"
#include "pkg/engine/pod.h"

const char *
pc_container_status_name (enum pc_container_status s)
{
  switch (s)
    {
    case PC_STATUS_CREATED:
      return "created";
    case PC_STATUS_RUNNING:
      return "running";
    case PC_STATUS_PAUSED:
      return "paused";
    case PC_STATUS_EXITED:
      return "exited";
    }
  return "unknown";
}

void
pc_container_free (struct pc_container *c)
{
  if (c == NULL)
    return;
  free (c->name);
  free (c->problem);
  if (c->rec)
    json_object_put (c->rec);
  if (c->spec)
    json_object_put (c->spec);
  free (c);
}

void
pc_container_list_free (struct pc_container **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    pc_container_free (v[i]);
  free (v);
}

static bool
is_hex (const char *s)
{
  if (*s == '\0')
    return false;
  for (; *s; s++)
    if (!isxdigit ((unsigned char) *s) || isupper ((unsigned char) *s))
      return false;
  return true;
}

bool
eng_name_valid (const char *name)
{
  if (!isalnum ((unsigned char) name[0]))
    return false;
  for (const char *p = name + 1; *p; p++)
    if (!isalnum ((unsigned char) *p) && *p != '_' && *p != '.' && *p != '-')
      return false;
  return strlen (name) < 254;
}

static void
parse_state_json (const char *buf, size_t len, struct pc_container_state *st,
                  unsigned long long *mon_start, unsigned long long *pid_start)
{
  pc_autoerror pc_error *err = NULL;
  pc_autojson json_object *o = pc_json_parse (buf, len, &err);
  if (o == NULL)
    return;
  st->pid = (pid_t) pc_json_get_int (o, "Pid", 0);
  st->monitor_pid = (pid_t) pc_json_get_int (o, "MonitorPid", 0);
  *mon_start = (unsigned long long) pc_json_get_int (o, "MonitorStart", 0);
  *pid_start = (unsigned long long) pc_json_get_int (o, "PidStart", 0);
  const char *s = pc_json_get_string (o, "StartedAt");
  if (s)
    pc_time_parse_rfc3339 (s, &st->started_at, &err);
}

static bool
read_exit (int dfd, const char *id, struct pc_container_state *st)
{
  char path[80], buf[512];
  snprintf (path, sizeof path, "%s/exit", id);
  int n = eng_read_small (dfd, path, buf, sizeof buf);
  if (n <= 0)
    return false;
  pc_autoerror pc_error *err = NULL;
  pc_autojson json_object *o = pc_json_parse (buf, (size_t) n, &err);
  if (o == NULL)
    return false;
  st->exit_code = (int) pc_json_get_int (o, "exitCode", 0);
  const char *f = pc_json_get_string (o, "finishedAt");
  if (f)
    pc_time_parse_rfc3339 (f, &st->finished_at, &err);
  return true;
}

/* A monitor that vanished leaves no exit file; the container died with it
   (PDEATHSIG SIGKILL). Record that once so every later look agrees. */
static void
record_lost (int dfd, const char *id, struct pc_container_state *st)
{
  clock_gettime (CLOCK_REALTIME, &st->finished_at);
  st->exit_code = 128 + SIGKILL;
  st->monitor_lost = true;
  pc_autofree char *when = pc_time_format_rfc3339 (&st->finished_at);
  pc_autofree char *body = xasprintf ("{\"exitCode\":%d,\"finishedAt\":\"%s\",\"monitorLost\":true}",
                                      st->exit_code, when);
  pc_autofree char *path = xasprintf ("%s/exit", id);
  pc_autoerror pc_error *err = NULL;
  eng_write_volatile (dfd, path, body, strlen (body), &err);
  eng_events_died_lost (dfd, id, st->exit_code, &st->finished_at);
}

int
eng_monitor_pidfile (int run_dfd, const char *id, pid_t *pid, unsigned long long *start)
{
  char path[96], buf[128];
  snprintf (path, sizeof path, "%s/monitor.pid", id);
  int n = eng_read_small (run_dfd, path, buf, sizeof buf);
  if (n <= 0)
    return -1;
  int p = 0;
  unsigned long long st = 0;
  if (sscanf (buf, "%d %llu", &p, &st) != 2 || p <= 0 || st == 0)
    return -1;
  *pid = p;
  *start = st;
  return 0;
}

int
eng_state_read (struct pc_engine *e, struct pc_container *c, bool fix)
{
  struct pc_container_state *st = &c->state;
  memset (st, 0, sizeof *st);
  st->status = PC_STATUS_CREATED;
  pc_autoerror pc_error *err = NULL;
  int dfd = eng_run_dfd (e, &err);
  if (dfd < 0)
    return 0;
  char path[96], buf[1024];
  snprintf (path, sizeof path, "%s/state.json", c->id);
  int n = eng_read_small (dfd, path, buf, sizeof buf);
  unsigned long long mon_start = 0, pid_start = 0;
  if (n > 0)
    parse_state_json (buf, (size_t) n, st, &mon_start, &pid_start);
  if (st->monitor_pid <= 0 || mon_start == 0)
    {
      /* No state.json (its pc was killed between the monitor's report and
         writing it) or a damaged one: the monitor's own pid file still
         names it. A live monitor means a container that is up or waits
         for its start; either way it is not "created", and rm -f must
         find it. */
      pid_t mp;
      unsigned long long ms;
      if (eng_monitor_pidfile (dfd, c->id, &mp, &ms) == 0 && eng_proc_start_time (mp) == ms)
        {
          st->monitor_pid = mp;
          mon_start = ms;
          st->pid = 0;
          n = n > 0 ? n : 1;
          /* The monitor wrote its pid file as it set the container up. */
          struct stat sb;
          snprintf (path, sizeof path, "%s/monitor.pid", c->id);
          if (st->started_at.tv_sec == 0 && fstatat (dfd, path, &sb, 0) == 0)
            st->started_at = sb.st_mtim;
        }
    }
  if (n <= 0)
    return 0;
  st->pid_start = pid_start;
  st->monitor_start = mon_start;
  eng_restart_state_read (dfd, c->id, st);
  if (read_exit (dfd, c->id, st))
    {
      st->status = PC_STATUS_EXITED;
      st->pid = 0;
      return 0;
    }
  if (st->monitor_pid > 0 && eng_proc_start_time (st->monitor_pid) == mon_start && mon_start)
    {
      snprintf (path, sizeof path, "%s/paused", c->id);
      st->status = faccessat (dfd, path, F_OK, 0) == 0 ? PC_STATUS_PAUSED : PC_STATUS_RUNNING;
      st->stopping = eng_stopping_read (dfd, c->id);
      return 0;
    }
  /* The monitor may have written the exit file just before going away. */
  st->status = PC_STATUS_EXITED;
  /* Without its monitor nobody relays, logs or reaps for the container:
     take down a pid 1 that outlived it (same pid and start time). */
  if (fix && st->pid > 0 && pid_start && eng_proc_start_time (st->pid) == pid_start)
    kill (st->pid, SIGKILL);
  st->pid = 0;
  if (read_exit (dfd, c->id, st))
    return 0;
  if (fix)
    record_lost (dfd, c->id, st);
  else
    {
      clock_gettime (CLOCK_REALTIME, &st->finished_at);
      st->exit_code = 128 + SIGKILL;
      st->monitor_lost = true;
    }
  return 0;
}

int
pc_engine_refresh (struct pc_engine *e, struct pc_container *c, pc_error **err)
{
  return eng_state_read (e, c, true);
}

int
eng_record_load (struct pc_engine *e, const char *id, struct pc_container **out, pc_error **err)
{
  pc_autofree char *path = xasprintf ("%s/container.json", id);
  pc_autofree char *buf = NULL;
  size_t len = 0;
  int fd = openat (e->ctr_dfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "no container with name or ID \"%s\" found: no such container", id);
      return pc_error_errno (err, errno, "open record of container %s", id);
    }
  int r = pc_read_fd_all (fd, &buf, &len, err);
  close (fd);
  if (r < 0)
    return -1;
  json_object *rec = pc_json_parse (buf, len, err);
  if (rec == NULL)
    return pc_error_wrap (err, "record of container %s", id);
  if (!json_object_is_type (rec, json_type_object))
    {
      json_object_put (rec);
      return pc_error_make (err, EINVAL, "record of container %s is not a JSON object", id);
    }
  struct pc_container *c = xmalloc0 (sizeof *c);
  snprintf (c->id, sizeof c->id, "%s", id);
  c->rec = rec;
  const char *name = pc_json_get_string (rec, "Name");
  c->name = xstrdup (name ? name : "");
  const char *created = pc_json_get_string (rec, "Created");
  pc_autoerror pc_error *terr = NULL;
  if (created)
    pc_time_parse_rfc3339 (created, &c->created, &terr);
  *out = c;
  return 0;
}

/* The record, or when it exists but cannot be read (garbage, truncated,
   empty, a directory, a symlink) a stand-in that names the problem: the
   container is still listed and rm -f still stops it and frees its name.
   ENOENT when there is no record at all (being created, or removed). */
static int
record_load_any (struct pc_engine *e, const char *id, struct pc_container **out, pc_error **err)
{
  pc_autoerror pc_error *lerr = NULL;
  if (eng_record_load (e, id, out, &lerr) == 0)
    return 0;
  char path[96];
  snprintf (path, sizeof path, "%s/container.json", id);
  struct stat sb;
  if (fstatat (e->ctr_dfd, path, &sb, AT_SYMLINK_NOFOLLOW) < 0)
    return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "no container with name or ID \"%s\" found: no such container", id);
  struct pc_container *c = xmalloc0 (sizeof *c);
  snprintf (c->id, sizeof c->id, "%s", id);
  c->rec = json_object_new_object ();
  c->name = xstrdup ("");
  c->problem = xasprintf ("%s/containers/%s: %s", e->data_dir, path,
                          S_ISLNK (sb.st_mode) ? "is a symbolic link"
                          : S_ISDIR (sb.st_mode) ? "is a directory"
                          : lerr && lerr->msg ? lerr->msg : "cannot be read");
  c->created.tv_sec = sb.st_mtim.tv_sec;
  c->created.tv_nsec = sb.st_mtim.tv_nsec;
  *out = c;
  return 0;
}

/* Every name reserved for `id` (a reservation's content is the id): what
   a record that cannot be read no longer says. */
void
eng_names_release_id (struct pc_engine *e, const char *id)
{
  int fd = dup (e->names_dfd);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  if (d == NULL)
    {
      if (fd >= 0)
        close (fd);
      return;
    }
  rewinddir (d);
  struct dirent *de;
  while ((de = readdir (d)))
    {
      char buf[80];
      if (de->d_name[0] != '.' && eng_read_small (e->names_dfd, de->d_name, buf, sizeof buf) >= 64
          && memcmp (buf, id, 64) == 0)
        eng_name_release (e, de->d_name, id);
    }
  closedir (d);
}

int
eng_record_save (struct pc_engine *e, struct pc_container *c, pc_error **err)
{
  return eng_record_commit (e, c, NULL, err);
}

int
eng_record_commit (struct pc_engine *e, struct pc_container *c, struct pc_sync_batch *b,
                   pc_error **err)
{
  pc_autofree char *path = xasprintf ("%s/container.json", c->id);
  const char *s = json_object_to_json_string_ext (c->rec, JSON_C_TO_STRING_PLAIN
                                                             | JSON_C_TO_STRING_NOSLASHESCAPE);
  /* The record lives in the data dir and must survive a crash: temp file,
     fsync (with what b gathered), rename, fsync of the directory. */
  return pc_write_file_commit (e->ctr_dfd, path, s, strlen (s), 0644, b, err);
}

static int
name_lookup (struct pc_engine *e, const char *name, char id[65])
{
  char buf[80];
  int n = eng_read_small (e->names_dfd, name, buf, sizeof buf);
  if (n < 64)
    return -1;
  memcpy (id, buf, 64);
  id[64] = '\0';
  return 0;
}

/* A reservation whose creator died before writing the record: nobody holds
   the lock on it and the record does not exist. */
static bool
name_is_stale (struct pc_engine *e, const char *name)
{
  pc_autoclose int fd = openat (e->names_dfd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return false;
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  if (fcntl (fd, F_OFD_SETLK, &fl) < 0)
    return false;
  char id[65];
  if (name_lookup (e, name, id) < 0)
    return true;
  char path[96];
  snprintf (path, sizeof path, "%s/container.json", id);
  return faccessat (e->ctr_dfd, path, F_OK, 0) < 0 && errno == ENOENT;
}

int
eng_name_reserve (struct pc_engine *e, const char *name, const char *id, pc_error **err)
{
  return eng_name_reserve_batch (e, name, id, NULL, err);
}

int
eng_name_reserve_batch (struct pc_engine *e, const char *name, const char *id,
                        struct pc_sync_batch *b, pc_error **err)
{
  if (!eng_name_valid (name))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
  if (eng_pod_name_taken (e, name))
    return pc_error_makec (err, PC_ERR_EXISTS, EEXIST, "name \"%s\" is in use: pod already exists", name);
  /* The reservation appears complete and locked at once: a temp file that
     is locked and written first, then linked into place (link fails with
     EEXIST atomically). The lock (an open file description lock: held by
     this fd alone, so no other open/close of the file in this process can
     release or share it; the monitor we fork closes it) lives as long
     as this process, so a creator that died mid-way leaves a reservation
     others can tell is stale. */
  char tmp[80];
  snprintf (tmp, sizeof tmp, ".tmp-%.64s", id);
  int fd = openat (e->names_dfd, tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return pc_error_errno (err, errno, "reserve name \"%s\"", name);
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  pc_autoerror pc_error *werr = NULL;
  if (fcntl (fd, F_OFD_SETLK, &fl) < 0 || pc_write_all (fd, id, 64, &werr) < 0
      || (b ? pc_sync_batch_add (b, fd, &werr) : fsync (fd)) < 0)
    {
      close (fd);
      unlinkat (e->names_dfd, tmp, 0);
      return pc_error_make (err, EIO, "reserve name \"%s\": cannot write the reservation", name);
    }
  for (int attempt = 0;; attempt++)
    {
      if (linkat (e->names_dfd, tmp, e->names_dfd, name, 0) == 0)
        {
          unlinkat (e->names_dfd, tmp, 0);
          /* The name must survive a crash as the record does: the data
             was synced before the link (or gathered in b, synced before
             the record's commit), the directory entry now (or with b). */
          if (b)
            pc_sync_batch_add (b, e->names_dfd, &werr);
          else
            fsync (e->names_dfd);
          /* fd stays open: the lock must outlive this call. */
          return 0;
        }
      if (errno != EEXIST)
        {
          int saved = errno;
          close (fd);
          unlinkat (e->names_dfd, tmp, 0);
          return pc_error_errno (err, saved, "reserve name \"%s\"", name);
        }
      if (attempt < 3 && name_is_stale (e, name))
        {
          unlinkat (e->names_dfd, name, 0);
          continue;
        }
      char other[65] = "";
      name_lookup (e, name, other);
      close (fd);
      unlinkat (e->names_dfd, tmp, 0);
      return pc_error_makec (err, PC_ERR_EXISTS, EEXIST,
                            "the container name \"%s\" is already in use by %s. You have to remove "
                            "that container to be able to reuse that name: that name is already in use",
                            name, other);
    }
}

void
eng_name_release (struct pc_engine *e, const char *name, const char *id)
{
  char cur[65];
  if (name == NULL || *name == '\0')
    return;
  if (name_lookup (e, name, cur) == 0 && strcmp (cur, id) != 0)
    return;
  unlinkat (e->names_dfd, name, 0);
}

int
pc_engine_lookup (struct pc_engine *e, const char *ref, struct pc_container **out, pc_error **err)
{
  char id[65];
  struct pc_container *c = NULL;
  if (eng_name_valid (ref) && name_lookup (e, ref, id) == 0)
    {
      pc_autoerror pc_error *lerr = NULL;
      if (record_load_any (e, id, &c, &lerr) == 0)
        goto found;
    }
  if (is_hex (ref) && strlen (ref) <= 64)
    {
      if (strlen (ref) == 64)
        {
          pc_autoerror pc_error *lerr = NULL;
          if (record_load_any (e, ref, &c, &lerr) == 0)
            goto found;
        }
      else
        {
          int dfd = dup (e->ctr_dfd);
          if (dfd < 0)
            return pc_error_errno (err, errno, "dup");
          pc_autoclosedir DIR *d = fdopendir (dfd);
          if (d == NULL)
            {
              close (dfd);
              return pc_error_errno (err, errno, "read containers");
            }
          /* The dup shares its offset with ctr_dfd: start from the top. */
          rewinddir (d);
          size_t rl = strlen (ref);
          int matches = 0;
          struct dirent *de;
          while ((de = readdir (d)))
            if (de->d_name[0] != '.' && strlen (de->d_name) == 64 && strncmp (de->d_name, ref, rl) == 0)
              {
                char path[96];
                snprintf (path, sizeof path, "%s/container.json", de->d_name);
                if (faccessat (e->ctr_dfd, path, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
                  continue;
                memcpy (id, de->d_name, 65);
                matches++;
              }
          if (matches > 1)
            return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                                  "more than one result for container ID prefix \"%s\": use more characters of the ID", ref);
          if (matches == 1 && record_load_any (e, id, &c, err) < 0)
            return -1;
          if (c)
            goto found;
        }
    }
  return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "no container with name or ID \"%s\" found: no such container", ref);

found:
  eng_state_read (e, c, true);
  *out = c;
  return 0;
}

static int
cmp_created_desc (const void *a, const void *b)
{
  const struct pc_container *x = *(struct pc_container *const *) a;
  const struct pc_container *y = *(struct pc_container *const *) b;
  if (x->created.tv_sec != y->created.tv_sec)
    return x->created.tv_sec < y->created.tv_sec ? 1 : -1;
  if (x->created.tv_nsec != y->created.tv_nsec)
    return x->created.tv_nsec < y->created.tv_nsec ? 1 : -1;
  return strcmp (x->id, y->id);
}

static int
cmp_id64 (const void *a, const void *b)
{
  return memcmp (a, b, 64);
}

/* The IDs that have a directory in RUN/ctr, sorted, 64 bytes each; NULL
   when it cannot be read (every container is then looked at). A container
   without one has never had a monitor since boot: it is "created", with
   nothing more to read. */
static char *
run_ids (struct pc_engine *e, size_t *n)
{
  pc_autoerror pc_error *err = NULL;
  int rfd = eng_run_dfd (e, &err);
  int fd = rfd >= 0 ? dup (rfd) : -1;
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  if (d == NULL)
    {
      if (fd >= 0)
        close (fd);
      return NULL;
    }
  rewinddir (d);
  size_t cap = 16, len = 0;
  char *v = xmalloc (cap * 64);
  struct dirent *de;
  while ((de = readdir (d)))
    {
      if (strlen (de->d_name) != 64)
        continue;
      if (len == cap)
        v = xrealloc (v, (cap *= 2) * 64);
      memcpy (v + len++ * 64, de->d_name, 64);
    }
  closedir (d);
  qsort (v, len, 64, cmp_id64);
  *n = len;
  return v;
}

static int
list_records (struct pc_engine *e, bool summary, struct pc_container ***out, size_t *n, pc_error **err)
{
  /* A command in the user namespace (rm -a, container prune) can collect
     what killed creates left; ps, outside it, lists records only. */
  if (e->flags & PC_ENGINE_USERNS)
    {
      pc_autoerror pc_error *rerr = NULL;
      if (eng_reconcile (e, &rerr) < 0)
        pc_debug ("collecting abandoned containers: %s", rerr->msg);
    }
  int dfd = dup (e->ctr_dfd);
  if (dfd < 0)
    return pc_error_errno (err, errno, "dup");
  pc_autoclosedir DIR *d = fdopendir (dfd);
  if (d == NULL)
    {
      close (dfd);
      return pc_error_errno (err, errno, "read containers");
    }
  rewinddir (d);
  struct eng_summary_index *ix = summary ? eng_summary_index_open (e) : NULL;
  size_t cap = 16, len = 0;
  struct pc_container **v = xmalloc (cap * sizeof *v);
  struct dirent *de;
  while ((de = readdir (d)))
    {
      if (de->d_name[0] == '.' || strlen (de->d_name) != 64)
        continue;
      struct pc_container *c = NULL;
      pc_autoerror pc_error *lerr = NULL;
      /* Records being created or removed right now are not there yet / any
         more; one that cannot be read is listed with its problem. */
      if ((!summary || eng_summary_index_load (e, ix, de->d_name, &c) < 0)
          && record_load_any (e, de->d_name, &c, &lerr) < 0)
        continue;
      if (len == cap)
        v = xrealloc (v, (cap *= 2) * sizeof *v);
      v[len++] = c;
    }
  /* The states after the records, as each was read right after its record
     before: what a listed container's state says is never older than it. */
  size_t nrun = 0;
  pc_autofree char *run = run_ids (e, &nrun);
  for (size_t i = 0; i < len; i++)
    if (run == NULL || bsearch (v[i]->id, run, nrun, 64, cmp_id64))
      eng_state_read (e, v[i], true);
    else
      {
        memset (&v[i]->state, 0, sizeof v[i]->state);
        v[i]->state.status = PC_STATUS_CREATED;
      }
  qsort (v, len, sizeof *v, cmp_created_desc);
  eng_summary_index_close (ix);
  *out = v;
  *n = len;
  return 0;
}

int
pc_engine_list (struct pc_engine *e, struct pc_container ***out, size_t *n, pc_error **err)
{
  return list_records (e, false, out, n, err);
}

int
pc_engine_list_summary (struct pc_engine *e, struct pc_container ***out, size_t *n, pc_error **err)
{
  return list_records (e, true, out, n, err);
}
