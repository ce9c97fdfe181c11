/* The summaries of container records that pc ps reads instead of the
   records: each is the record with only the fields ps, its filters, pods
   and health read (WANTED below), cached in DATA/ps-cache/ID.

   A cache file is a first line naming the record it was made from (its
   size and a 64-bit FNV-1a hash of its bytes, and the version of WANTED)
   and the summary's JSON after it. Reading one costs a read and a hash of
   the record (cheap) and a parse of a few hundred bytes instead of the
   whole record (what made ps -a slow with many containers). A cache file
   that is missing, unreadable, damaged or made from other bytes is
   ignored and written again from the record (temp + rename, no fsync: a
   crash leaves the old file, none, or one whose key does not match).
   Whoever can write the cache can write the records, so it trusts no
   more than they do. */
#include "pkg/engine/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

/* Change the version when WANTED changes: older cache files then miss. */
#define SUMMARY_VERSION "pc-ps-1"
#define SUMMARY_MAX (1024 * 1024)

/* Top-level keys copied whole, and the keys kept of Config and HostConfig. */
static const char *const wanted_top[] = { "Name", "Created", "Image", "ImageName", "Pod", "PodName",
                                          "IsInfra", "Mounts", NULL };
static const char *const wanted_config[] = { "Entrypoint", "Cmd", "Labels", "Healthcheck", NULL };
static const char *const wanted_hostconfig[] = { "AutoRemove", "NetworkMode", "PortBindings",
                                                 "RestartPolicy", NULL };

static void
copy_keys (json_object *to, json_object *from, const char *const *keys)
{
  for (size_t i = 0; keys[i]; i++)
    {
      json_object *v;
      if (json_object_object_get_ex (from, keys[i], &v))
        json_object_object_add (to, keys[i], json_object_get (v));
    }
}

json_object *
eng_record_summary (json_object *rec)
{
  json_object *o = json_object_new_object ();
  copy_keys (o, rec, wanted_top);
  static const struct
  {
    const char *key;
    const char *const *keys;
  } subs[] = { { "Config", wanted_config }, { "HostConfig", wanted_hostconfig } };
  for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
    {
      json_object *from = pc_json_get_object (rec, subs[i].key);
      if (from == NULL)
        continue;
      json_object *to = json_object_new_object ();
      copy_keys (to, from, subs[i].keys);
      json_object_object_add (o, subs[i].key, to);
    }
  return o;
}

static uint64_t
fnv1a64 (const char *p, size_t n)
{
  uint64_t h = UINT64_C (0xcbf29ce484222325);
  for (size_t i = 0; i < n; i++)
    {
      h ^= (unsigned char) p[i];
      h *= UINT64_C (0x100000001b3);
    }
  return h;
}

int
eng_summary_cache_open (struct pc_engine *e)
{
  pc_autofree char *path = xasprintf ("%s/ps-cache", e->data_dir);
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT && mkdir (path, 0700) == 0)
    fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  return fd;
}

static int
read_all_at (int dfd, const char *path, char **buf, size_t *len)
{
  pc_autoerror pc_error *err = NULL;
  int fd = openat (dfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0)
    return -1;
  int r = pc_read_fd_max (fd, SUMMARY_MAX, buf, len, &err);
  close (fd);
  return r;
}

int
eng_record_load_summary (struct pc_engine *e, int cache_dfd, const char *id, struct pc_container **out)
{
  char path[96];
  snprintf (path, sizeof path, "%s/container.json", id);
  pc_autofree char *buf = NULL;
  size_t len = 0;
  if (read_all_at (e->ctr_dfd, path, &buf, &len) < 0)
    return -1;
  char key[96];
  int klen = snprintf (key, sizeof key, SUMMARY_VERSION " %zu %016llx\n", len,
                       (unsigned long long) fnv1a64 (buf, len));
  pc_autoerror pc_error *err = NULL;
  json_object *sum = NULL;
  pc_autofree char *cached = NULL;
  size_t clen = 0;
  if (cache_dfd >= 0 && read_all_at (cache_dfd, id, &cached, &clen) == 0 && clen > (size_t) klen
      && memcmp (cached, key, (size_t) klen) == 0)
    {
      sum = pc_json_parse (cached + klen, clen - (size_t) klen, &err);
      if (sum && !json_object_is_type (sum, json_type_object))
        {
          json_object_put (sum);
          sum = NULL;
        }
      pc_error_clear (&err);
    }
  if (sum == NULL)
    {
      /* A record that does not parse is left to the full load, which
         names its problem. */
      pc_autojson json_object *rec = pc_json_parse (buf, len, &err);
      if (rec == NULL || !json_object_is_type (rec, json_type_object))
        return -1;
      sum = eng_record_summary (rec);
      if (cache_dfd >= 0)
        {
          const char *s = json_object_to_json_string_ext (sum, JSON_C_TO_STRING_PLAIN
                                                                  | JSON_C_TO_STRING_NOSLASHESCAPE);
          pc_autofree char *body = xasprintf ("%s%s", key, s);
          pc_autoerror pc_error *werr = NULL;
          eng_write_volatile (cache_dfd, id, body, strlen (body), &werr);
        }
    }
  struct pc_container *c = xmalloc0 (sizeof *c);
  snprintf (c->id, sizeof c->id, "%s", id);
  c->rec = sum;
  c->name = xstrdup (pc_json_get_string (sum, "Name") ?: "");
  const char *created = pc_json_get_string (sum, "Created");
  if (created)
    pc_time_parse_rfc3339 (created, &c->created, &err);
  *out = c;
  return 0;
}

static int
cmp_id (const void *a, const void *b)
{
  return strcmp ((*(struct pc_container *const *) a)->id, (*(struct pc_container *const *) b)->id);
}

void
eng_summary_cache_sweep (int cache_dfd, struct pc_container **v, size_t n)
{
  /* Files of containers no longer listed (removed ones): a container
     created meanwhile only loses its cache file, written again next time. */
  struct pc_container **sorted = xmalloc ((n + 1) * sizeof *v);
  if (n)
    memcpy (sorted, v, n * sizeof *v);
  qsort (sorted, n, sizeof *sorted, cmp_id);
  int fd = dup (cache_dfd);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  if (d == NULL)
    {
      if (fd >= 0)
        close (fd);
      free (sorted);
      return;
    }
  rewinddir (d);
  struct dirent *de;
  while ((de = readdir (d)))
    {
      if (strlen (de->d_name) != 64)
        continue;
      struct pc_container key, *kp = &key;
      snprintf (key.id, sizeof key.id, "%s", de->d_name);
      if (bsearch (&kp, sorted, n, sizeof *sorted, cmp_id) == NULL)
        unlinkat (cache_dfd, de->d_name, 0);
    }
  closedir (d);
  free (sorted);
}
