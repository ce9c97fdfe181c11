/* Named volumes: ROOT/volumes/NAME/{volume.json,_data}, podman's layout.

   A volume appears whole or not at all: it is built in a temporary
   directory (".tmp-*", a name no volume can have) and renamed into place,
   and removal first renames it away (".rm-*") and then deletes it, all under
   the exclusive lock ROOT/volumes/.lock. Readers list only entries with a
   valid name and skip leftovers of a pc killed half-way (the next create or
   remove deletes them). volume.json holds what the user chose (Name,
   Driver, CreatedAt, Labels, Options, Scope, UID, GID); Mountpoint is
   derived from where the store is now. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/regex-go.h"
#include "lib/lock.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"
#include "pkg/engine/cp-copy.h"
#include "pkg/engine/internal.h"
#include "pkg/engine/events.h"

#define VOL_RECORD "volume.json"
#define VOL_LOCK ".lock"
#define VOL_RECORD_MAX (1024 * 1024)

static json_object *
string_take (char *s)
{
  json_object *o = json_object_new_string (s);
  free (s);
  return o;
}

bool
pc_engine_volume_name_valid (const char *name)
{
  /* podman's [a-zA-Z0-9][a-zA-Z0-9_.-]*, and a length a directory can have. */
  size_t n = strlen (name);
  if (n == 0 || n > 200)
    return false;
  for (size_t i = 0; i < n; i++)
    {
      char c = name[i];
      bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
        return false;
    }
  return true;
}

static int
check_name (const char *name, pc_error **err)
{
  if (pc_engine_volume_name_valid (name))
    return 0;
  return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                         "volume name \"%s\": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*",
                         name);
}

static int
vol_dir (struct pc_engine *e, pc_error **err)
{
  pc_autofree char *path = xasprintf ("%s/volumes", e->root_dir);
  if (pc_mkdir_p (AT_FDCWD, path, 0700, err) < 0)
    return -1;
  int fd = open (path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return pc_error_errno (err, errno, "open `%s`", path);
  return fd;
}

static int
no_such_volume (const char *name, pc_error **err)
{
  return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT,
                         "no volume with name \"%s\" found: no such volume", name);
}

/* Deletes what a pc killed half-way left (held lock). */
static void
sweep_leftovers (int dfd)
{
  int fd = dup (dfd);
  if (fd < 0)
    return;
  pc_autoclosedir DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return;
    }
  struct dirent *de;
  pc_autostrv char **gone = NULL;
  while ((de = readdir (d)) != NULL)
    if (strncmp (de->d_name, ".tmp-", 5) == 0 || strncmp (de->d_name, ".rm-", 4) == 0)
      pc_strv_append (&gone, de->d_name);
  for (char **g = gone; g && *g; g++)
    {
      pc_autoerror pc_error *ignored = NULL;
      pc_rm_rf_at (dfd, *g, &ignored);
    }
}

/* The inspect object of the record in DIR/name (new reference). */
static json_object *
load_volume (struct pc_engine *e, int dfd, const char *name, pc_error **err)
{
  pc_autofree char *rpath = xasprintf ("%s/" VOL_RECORD, name);
  pc_autojson json_object *rec = pc_json_read_file_max (dfd, rpath, VOL_RECORD_MAX, err);
  if (rec == NULL)
    {
      if ((*err)->status == ENOENT)
        {
          pc_error_clear (err);
          return no_such_volume (name, err), NULL;
        }
      return pc_error_wrap (err, "volume %s", name), NULL;
    }
  if (!json_object_is_type (rec, json_type_object))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "volume %s: %s is not an object",
                           name, VOL_RECORD), NULL;
  json_object *v = json_object_new_object ();
  json_object_object_add (v, "Name", json_object_new_string (name));
  const char *driver = pc_json_get_string (rec, "Driver");
  json_object_object_add (v, "Driver", json_object_new_string (driver ? driver : "local"));
  json_object_object_add (v, "Mountpoint",
                          string_take (xasprintf ("%s/volumes/%s/_data",
                                                                  e->root_dir, name)));
  const char *created = pc_json_get_string (rec, "CreatedAt");
  json_object_object_add (v, "CreatedAt", json_object_new_string (created ? created : ""));
  /* Labels and Options: string maps only, whatever the file says. */
  static const char *const maps[] = { "Labels", "Scope", "Options" };
  for (size_t i = 0; i < 3; i++)
    {
      if (strcmp (maps[i], "Scope") == 0)
        {
          json_object_object_add (v, "Scope", json_object_new_string ("local"));
          continue;
        }
      json_object *m = json_object_new_object ();
      json_object *src = pc_json_get_object (rec, maps[i]);
      if (src)
        {
          json_object_object_foreach (src, k, val)
            if (json_object_is_type (val, json_type_string))
              json_object_object_add (m, k, json_object_new_string (json_object_get_string (val)));
        }
      json_object_object_add (v, maps[i], m);
    }
  json_object *uid, *gid;
  if (json_object_object_get_ex (rec, "UID", &uid) && json_object_is_type (uid, json_type_int))
    json_object_object_add (v, "UID", json_object_new_int64 (json_object_get_int64 (uid)));
  if (json_object_object_get_ex (rec, "GID", &gid) && json_object_is_type (gid, json_type_int))
    json_object_object_add (v, "GID", json_object_new_int64 (json_object_get_int64 (gid)));
  /* podman's omitempty fields: shown only when true. MountCount is
     counted from the containers by the callers (eng_volumes_usage). */
  if (pc_json_get_bool (rec, "Anonymous", false))
    json_object_object_add (v, "Anonymous", json_object_new_boolean (true));
  json_object_object_add (v, "MountCount", json_object_new_int (0));
  if (pc_json_get_bool (rec, "NeedsCopyUp", true))
    json_object_object_add (v, "NeedsCopyUp", json_object_new_boolean (true));
  if (pc_json_get_bool (rec, "NeedsChown", true))
    json_object_object_add (v, "NeedsChown", json_object_new_boolean (true));
  return v;
}

char *
eng_volume_random_name (pc_error **err)
{
  unsigned char r[32];
  if (getrandom (r, sizeof r, 0) != sizeof r)
    return pc_error_errno (err, errno, "getrandom"), NULL;
  char *s = xmalloc (65);
  for (size_t i = 0; i < 32; i++)
    snprintf (s + 2 * i, 3, "%02x", r[i]);
  return s;
}

static const char *const local_opts[] = { "type", "device", "o", "size", "inodes", "uid",
                                          "gid", "copy", "nocopy", NULL };

static int
parse_id (const char *key, const char *val, int64_t *out, pc_error **err)
{
  char *end;
  errno = 0;
  long long n = strtoll (val, &end, 10);
  if (errno || end == val || *end || n < 0 || n > 0xfffffffeLL)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "cannot convert %s %s to integer", key, val);
  *out = n;
  return 0;
}

int
pc_engine_volume_create (struct pc_engine *e, const struct pc_volume_create_opts *o,
                         json_object **out, pc_error **err)
{
  const char *driver = o->driver && *o->driver ? o->driver : "local";
  if (strcmp (driver, "local") != 0)
    return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT,
                           "volume plugin %s (specified for volume %s) not found: no such volume plugin (pc has only the local driver)",
                           driver, o->name ? o->name : "");
  pc_autofree char *name = NULL;
  if (o->name && *o->name)
    {
      if (check_name (o->name, err) < 0)
        return -1;
      name = xstrdup (o->name);
    }
  else if ((name = eng_volume_random_name (err)) == NULL)
    return -1;

  pc_autojson json_object *rec = json_object_new_object ();
  json_object_object_add (rec, "Name", json_object_new_string (name));
  json_object_object_add (rec, "Driver", json_object_new_string (driver));
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  json_object_object_add (rec, "CreatedAt", string_take (pc_time_format_rfc3339 (&now)));
  if (o->anonymous)
    json_object_object_add (rec, "Anonymous", json_object_new_boolean (true));
  json_object *labels = json_object_new_object ();
  json_object_object_add (rec, "Labels", labels);
  for (char *const *l = o->labels; l && *l; l++)
    {
      const char *eq = strchr (*l, '=');
      pc_autofree char *k = eq ? xstrndup (*l, (size_t) (eq - *l)) : xstrdup (*l);
      if (*k == '\0')
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid label \"%s\": empty key", *l);
      json_object_object_add (labels, k, json_object_new_string (eq ? eq + 1 : ""));
    }
  json_object *opts = json_object_new_object ();
  json_object_object_add (rec, "Options", opts);
  for (char *const *p = o->opts; p && *p; p++)
    {
      /* podman splits --opt on the first '=' ("o=uid=1000,size=1m" keeps its value). */
      const char *eq = strchr (*p, '=');
      pc_autofree char *k = eq ? xstrndup (*p, (size_t) (eq - *p)) : xstrdup (*p);
      const char *val = eq ? eq + 1 : "";
      if (!pc_strv_contains ((char *const *) local_opts, k))
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "invalid mount option %s for driver 'local': invalid argument", k);
      if (strcmp (k, "type") == 0 && *val && strcmp (val, "tmpfs") != 0
          && strcmp (val, "bind") != 0 && strcmp (val, "none") != 0)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "volume type %s: pc can mount type=tmpfs or type=bind", val);
      if (strcmp (k, "uid") == 0 || strcmp (k, "gid") == 0)
        {
          int64_t id = 0;
          if (parse_id (k, val, &id, err) < 0)
            return -1;
          json_object_object_add (rec, strcmp (k, "uid") == 0 ? "UID" : "GID", json_object_new_int64 (id));
          continue;
        }
      json_object_object_add (opts, k, json_object_new_string (val));
    }
  const char *type = pc_json_get_string (opts, "type");
  const char *device = pc_json_get_string (opts, "device");
  if (type && strcmp (type, "bind") == 0 && (device == NULL || *device != '/'))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "a volume of type=bind needs an absolute device=PATH");

  pc_autoclose int dfd = vol_dir (e, err);
  if (dfd < 0)
    return -1;
  int lk = pc_lock_open (dfd, VOL_LOCK, true, err);
  if (lk < 0)
    return -1;
  sweep_leftovers (dfd);
  struct stat st;
  if (fstatat (dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      pc_unlock (lk);
      if (o->ignore)
        {
          *out = load_volume (e, dfd, name, err);
          return *out ? 0 : -1;
        }
      return pc_error_makec (err, PC_ERR_EXISTS, EEXIST,
                             "volume with name %s already exists: volume already exists", name);
    }
  pc_autofree char *tmp = xasprintf (".tmp-%s", name);
  pc_autofree char *data = xasprintf ("%s/_data", tmp);
  pc_autofree char *rpath = xasprintf ("%s/" VOL_RECORD, tmp);
  int rc = -1;
  if (mkdirat (dfd, tmp, 0700) < 0)
    {
      pc_error_errno (err, errno, "create volume %s", name);
      goto out;
    }
  /* podman's mode for _data: 0755 (the volume dir itself 0700). */
  if (mkdirat (dfd, data, 0755) < 0 || fchmodat (dfd, data, 0755, 0) < 0)
    {
      pc_error_errno (err, errno, "create volume %s", name);
      goto out;
    }
  if (pc_json_write_file_atomic (dfd, rpath, rec, 0600, err) < 0)
    goto out;
  if (renameat2 (dfd, tmp, dfd, name, RENAME_NOREPLACE) < 0)
    {
      pc_error_errno (err, errno, "create volume %s", name);
      goto out;
    }
  fsync (dfd);
  rc = 0;
  pc_engine_event_volume (e, "create", name);
out:
  if (rc < 0)
    {
      pc_autoerror pc_error *ignored = NULL;
      pc_rm_rf_at (dfd, tmp, &ignored);
      pc_unlock (lk);
      return -1;
    }
  pc_unlock (lk);
  *out = load_volume (e, dfd, name, err);
  return *out ? 0 : -1;
}

int
eng_volume_lookup (struct pc_engine *e, const char *name, json_object **out, pc_error **err)
{
  if (!pc_engine_volume_name_valid (name))
    return no_such_volume (name, err);
  pc_autoclose int dfd = vol_dir (e, err);
  if (dfd < 0)
    return -1;
  *out = load_volume (e, dfd, name, err);
  return *out ? 0 : -1;
}

int
pc_engine_volume_lookup (struct pc_engine *e, const char *name, json_object **out, pc_error **err)
{
  if (eng_volume_lookup (e, name, out, err) < 0)
    return -1;
  if (eng_volumes_usage (e, *out, err) < 0)
    {
      json_object_put (steal_pointer (out));
      return -1;
    }
  return 0;
}

static int
cmp_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

int
pc_engine_volume_list (struct pc_engine *e, json_object **out, pc_error **err)
{
  pc_autoclose int dfd = vol_dir (e, err);
  if (dfd < 0)
    return -1;
  int fd = dup (dfd);
  if (fd < 0)
    return pc_error_errno (err, errno, "list volumes");
  pc_autoclosedir DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return pc_error_errno (err, errno, "list volumes");
    }
  pc_autostrv char **names = NULL;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    if (pc_engine_volume_name_valid (de->d_name))
      pc_strv_append (&names, de->d_name);
  size_t n = pc_strv_len (names);
  if (n)
    qsort (names, n, sizeof *names, cmp_names);
  json_object *arr = json_object_new_array ();
  for (size_t i = 0; i < n; i++)
    {
      pc_autoerror pc_error *skip = NULL;
      /* One that went away meanwhile, or a bad record: not listed. */
      json_object *v = load_volume (e, dfd, names[i], &skip);
      if (v)
        json_object_array_add (arr, v);
    }
  if (eng_volumes_usage (e, arr, err) < 0)
    {
      json_object_put (arr);
      return -1;
    }
  *out = arr;
  return 0;
}

int
pc_engine_volume_path (struct pc_engine *e, const char *name, bool create_if_missing,
                       char **path, pc_error **err)
{
  pc_autojson json_object *v = NULL;
  if (eng_volume_lookup (e, name, &v, err) < 0)
    {
      if (!create_if_missing || pc_error_class_of (*err) != PC_ERR_NOT_FOUND
          || !pc_engine_volume_name_valid (name))
        return -1;
      pc_error_clear (err);
      struct pc_volume_create_opts o = { .name = name, .ignore = true };
      if (pc_engine_volume_create (e, &o, &v, err) < 0)
        return -1;
    }
  *path = xstrdup (pc_json_get_string (v, "Mountpoint"));
  return 0;
}

/* Refused with podman's words when a container names the volume; with
   force those containers are removed first (outside the volumes lock: an
   --rm container's removal takes it for its anonymous volumes). */
static int
check_in_use (struct pc_engine *e, const char *name, bool force, int timeout, pc_error **err)
{
  pc_autostrv char **ids = NULL;
  int users = eng_volume_users (e, name, &ids, NULL, err);
  if (users <= 0)
    return users;
  if (!force)
    {
      size_t len = 1;
      for (char **i = ids; *i; i++)
        len += strlen (*i) + 1;
      pc_autofree char *list = xmalloc0 (len);
      for (char **i = ids; *i; i++)
        {
          if (i != ids)
            strcat (list, ",");
          strcat (list, *i);
        }
      return pc_error_makec (err, PC_ERR_IN_USE, EBUSY,
                             "volume %s is being used by the following container(s): %s: volume is being used",
                             name, list);
    }
  for (char **i = ids; *i; i++)
    {
      pc_autocontainer struct pc_container *c = NULL;
      pc_autoerror pc_error *lerr = NULL;
      if (pc_engine_lookup (e, *i, &c, &lerr) < 0)
        continue;   /* gone meanwhile */
      if (pc_engine_remove (e, c, true, timeout, err) < 0)
        return pc_error_wrap (err, "remove container %s that uses volume %s", *i, name);
    }
  return 0;
}

int
pc_engine_volume_remove (struct pc_engine *e, const char *name, bool force, int timeout,
                         pc_error **err)
{
  if (!pc_engine_volume_name_valid (name))
    return no_such_volume (name, err);
  pc_autoclose int dfd = vol_dir (e, err);
  if (dfd < 0)
    return -1;
  pc_autofree char *rpath = xasprintf ("%s/" VOL_RECORD, name);
  struct stat st;
  if (fstatat (dfd, rpath, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return no_such_volume (name, err);
  if (check_in_use (e, name, force, timeout, err) < 0)
    return -1;
  int lk = pc_lock_open (dfd, VOL_LOCK, true, err);
  if (lk < 0)
    return -1;
  if (fstatat (dfd, rpath, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      pc_unlock (lk);
      return no_such_volume (name, err);
    }
  /* Again under the lock: a container made meanwhile is refused too. */
  if (check_in_use (e, name, false, timeout, err) < 0)
    {
      pc_unlock (lk);
      return -1;
    }
  pc_autofree char *gone = xasprintf (".rm-%s", name);
  if (renameat (dfd, name, dfd, gone) < 0)
    {
      int saved = errno;
      pc_unlock (lk);
      return pc_error_errno (err, saved, "remove volume %s", name);
    }
  int rc = pc_rm_rf_at (dfd, gone, err);
  pc_unlock (lk);
  if (rc < 0)
    return pc_error_wrap (err, "remove volume %s", name);
  pc_engine_event_volume (e, "remove", name);
  return 0;
}

/* One filter "key=value" against a volume; *match. */
static int
match_one (json_object *v, const char *filter, bool *match, pc_error **err)
{
  const char *eq = strchr (filter, '=');
  if (eq == NULL)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid filter \"%s\": want key=value", filter);
  pc_autofree char *key = xstrndup (filter, (size_t) (eq - filter));
  const char *val = eq + 1;
  if (strcmp (key, "name") == 0)
    {
      regex_t re;
      if (!pc_regex_go_compile (&re, val))
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid name filter %s", val);
      *match = regexec (&re, pc_json_get_string (v, "Name"), 0, NULL, 0) == 0;
      regfree (&re);
    }
  else if (strcmp (key, "driver") == 0 || strcmp (key, "scope") == 0)
    {
      const char *have = pc_json_get_string (v, strcmp (key, "driver") == 0 ? "Driver" : "Scope");
      *match = have && strcmp (have, val) == 0;
    }
  else if (strcmp (key, "label") == 0 || strcmp (key, "label!") == 0
           || strcmp (key, "opt") == 0)
    {
      json_object *m = pc_json_get_object (v, strcmp (key, "opt") == 0 ? "Options" : "Labels");
      const char *veq = strchr (val, '=');
      pc_autofree char *k = veq ? xstrndup (val, (size_t) (veq - val)) : xstrdup (val);
      json_object *have = NULL;
      bool found = m && json_object_object_get_ex (m, k, &have);
      if (found && veq)
        found = strcmp (json_object_get_string (have), veq + 1) == 0;
      *match = strcmp (key, "label!") == 0 ? !found : found;
    }
  else if (strcmp (key, "dangling") == 0)
    {
      bool want;
      if (strcmp (val, "true") == 0 || strcmp (val, "1") == 0)
        want = true;
      else if (strcmp (val, "false") == 0 || strcmp (val, "0") == 0)
        want = false;
      else
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s is not a valid value for the \"dangling\" filter - must be true or false", val);
      /* Counted by eng_volumes_usage when the volume was listed. */
      *match = (eng_volume_user_count (v) <= 0) == want;
    }
  else if (strcmp (key, "until") == 0)
    {
      struct timespec until, created;
      if (pc_parse_time_or_duration (val, &until, err) < 0)
        return pc_error_set_class (err, PC_ERR_INVALID);
      pc_autoerror pc_error *bad = NULL;
      const char *c = pc_json_get_string (v, "CreatedAt");
      *match = c && pc_time_parse_rfc3339 (c, &created, &bad) == 0
               && (created.tv_sec < until.tv_sec
                   || (created.tv_sec == until.tv_sec && created.tv_nsec < until.tv_nsec));
    }
  else
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s is an invalid filter", key);
  return 0;
}

int
pc_engine_volume_filter (json_object *v, char *const *filters, bool *match, pc_error **err)
{
  /* podman: values of one key are ORed, different keys ANDed, except label
     (and label!), whose values must all match. */
  *match = true;
  for (size_t i = 0; filters && filters[i]; i++)
    {
      const char *eq = strchr (filters[i], '=');
      size_t klen = eq ? (size_t) (eq - filters[i]) : strlen (filters[i]);
      if (strncmp (filters[i], "label", 5) == 0 && (klen == 5 || klen == 6))
        {
          bool m = false;
          if (match_one (v, filters[i], &m, err) < 0)
            return -1;
          if (!m)
            *match = false;
          continue;
        }
      bool seen_before = false;
      for (size_t j = 0; j < i; j++)
        if (strncmp (filters[j], filters[i], klen) == 0 && filters[j][klen] == '=')
          seen_before = true;
      if (seen_before)
        continue;
      bool any = false;
      for (size_t j = i; filters[j]; j++)
        {
          if (j != i && !(strncmp (filters[j], filters[i], klen) == 0 && filters[j][klen] == '='))
            continue;
          bool m = false;
          if (match_one (v, filters[j], &m, err) < 0)
            return -1;
          any = any || m;
        }
      if (!any)
        *match = false;
    }
  return 0;
}

int
pc_engine_volume_prune (struct pc_engine *e, char *const *filters, char ***removed, pc_error **err)
{
  *removed = NULL;
  for (size_t i = 0; filters && filters[i]; i++)
    if (strncmp (filters[i], "label=", 6) != 0 && strncmp (filters[i], "label!=", 7) != 0
        && strncmp (filters[i], "until=", 6) != 0)
      return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s is an invalid filter", filters[i]);
  pc_autojson json_object *all = NULL;
  if (pc_engine_volume_list (e, &all, err) < 0)
    return -1;
  for (size_t i = 0; i < pc_json_array_len (all); i++)
    {
      json_object *v = pc_json_array_object_at (all, i);
      bool m;
      if (pc_engine_volume_filter (v, filters, &m, err) < 0)
        return -1;
      /* Only volumes no container uses. */
      if (!m || eng_volume_user_count (v) > 0)
        continue;
      const char *name = pc_json_get_string (v, "Name");
      pc_autoerror pc_error *gone = NULL;
      if (pc_engine_volume_remove (e, name, false, -1, &gone) < 0)
        {
          /* Gone meanwhile, or taken by a container made meanwhile. */
          if (pc_error_class_of (gone) == PC_ERR_NOT_FOUND || pc_error_class_of (gone) == PC_ERR_IN_USE)
            continue;
          *err = steal_pointer (&gone);
          return -1;
        }
      pc_strv_append (removed, name);
      pc_engine_event_volume (e, "prune", name);
    }
  return 0;
}

static int
open_data (struct pc_engine *e, const char *name, pc_error **err)
{
  pc_autojson json_object *v = NULL;
  if (eng_volume_lookup (e, name, &v, err) < 0)
    {
      if (pc_error_class_of (*err) == PC_ERR_NOT_FOUND)
        {
          pc_error_clear (err);
          return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "no such volume %s", name);
        }
      return -1;
    }
  pc_autoclose int dfd = vol_dir (e, err);
  if (dfd < 0)
    return -1;
  pc_autofree char *data = xasprintf ("%s/_data", name);
  int fd = openat (dfd, data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return pc_error_errno (err, errno, "open volume %s", name);
  return fd;
}

int
pc_engine_volume_export (struct pc_engine *e, const char *name, int out_fd, pc_error **err)
{
  pc_autoclose int fd = open_data (e, name, err);
  if (fd < 0)
    return -1;
  struct stat st;
  if (fstat (fd, &st) < 0)
    return pc_error_errno (err, errno, "stat volume %s", name);
  if (eng_cp_tar_out (fd, &st, NULL, out_fd, err) < 0)
    return pc_error_wrap (err, "export volume %s", name);
  return 0;
}

int
pc_engine_volume_import (struct pc_engine *e, const char *name, int in_fd, pc_error **err)
{
  pc_autoclose int fd = open_data (e, name, err);
  if (fd < 0)
    return -1;
  struct cp_ctx x = { .owner = OWNER_SOURCE, .overwrite = true };
  if (eng_cp_untar_into (&x, in_fd, fd, err) < 0)
    return pc_error_wrap (err, "import into volume %s", name);
  return 0;
}
