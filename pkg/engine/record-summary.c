/* The summaries of container records that pc ps reads instead of the
   records: each is the record with only the fields ps, its filters, pods
   and health read (WANTED below), kept together in one index file,
   DATA/ps-cache/index, so that a listing reads one file and looks at each
   record with two cheap calls instead of reading it.

   The index is a first line naming its format (SUMMARY_VERSION, changed
   whenever WANTED changes) and one line per container: its ID, the key of
   the record the summary was made from, a tab and the summary's JSON.

   A record's key names the file it was made from: a record is only ever
   replaced whole (written to a temp file and renamed into place, as
   eng_record_save and any editor's "save" do), so each version of it is a
   new inode, and the file handle (inode number and generation, from
   name_to_handle_at) tells one inode from every other, also from a later
   one that reuses the number. Size, mtime and ctime are in the key too, so
   a record changed in place (which pc never does) misses as well. Where the
   file system has no file handles the key is the record's size and a 64-bit
   FNV-1a hash of its bytes, as the per-record files of pc-ps-1 had.

   An index that is missing, unreadable, damaged, too big or of another
   version is ignored, as is each line whose key does not match its record;
   a listing that missed any line or saw a container gone writes the whole
   index again (temp + rename, no fsync: a crash leaves the old index, none,
   or one whose keys do not match). Whoever can write the index can write
   the records, so it trusts no more than they do. The state of a container
   (created, running, exited) is never in it: it comes from the runtime
   files every time. */
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

/* Change the version when WANTED or the key changes: older indexes then miss. */
#define SUMMARY_VERSION "pc-ps-2"
/* A record bigger than this is left to the full load. */
#define RECORD_MAX (1024 * 1024)
/* An index bigger than this is ignored (about 100,000 containers). */
#define INDEX_MAX (64 * 1024 * 1024)
#define INDEX_NAME "index"
#define KEY_MAX 320

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

/* One line of the index: where its key and JSON are, in the index's bytes
   or (for a line made now) in its own allocation. */
struct line
{
  const char *id;         /* 64 bytes, not terminated */
  const char *key;
  size_t keylen;
  const char *json;
  size_t jsonlen;
  char *owned;            /* the whole line, for one made now */
};

struct eng_summary_index
{
  const char *name, *version;  /* the file in DATA/ps-cache, its first line */
  int dfd;                /* DATA/ps-cache, -1 when it cannot be opened */
  char *buf;              /* the index file as read */
  struct line *old;       /* its lines, by ID */
  size_t nold;
  struct line *now;       /* the lines of the containers listed now */
  size_t nnow, capnow;
  size_t hits;
  bool dirty;
  json_tokener *tok;
};

static int
cmp_line (const void *a, const void *b)
{
  return memcmp (((const struct line *) a)->id, ((const struct line *) b)->id, 64);
}

static bool
is_id (const char *s)
{
  for (size_t i = 0; i < 64; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return false;
  return true;
}

/* The lines of an index file; a damaged line is dropped (and the index
   written again), a wrong first line drops them all. */
static void
index_parse (struct eng_summary_index *ix, size_t len)
{
  size_t hl = strlen (ix->version);
  char *p = ix->buf, *end = ix->buf + len;
  if (len < hl + 1 || memcmp (p, ix->version, hl) != 0 || p[hl] != '\n')
    {
      ix->dirty = true;
      return;
    }
  p += hl + 1;
  size_t cap = 0;
  bool sorted = true;
  while (p < end)
    {
      char *nl = memchr (p, '\n', (size_t) (end - p));
      if (nl == NULL)
        {
          ix->dirty = true;
          break;
        }
      char *tab = memchr (p, '\t', (size_t) (nl - p));
      if (nl - p < 66 || p[64] != ' ' || !is_id (p) || tab == NULL || tab < p + 65
          || tab - (p + 65) > KEY_MAX)
        {
          ix->dirty = true;
          p = nl + 1;
          continue;
        }
      if (ix->nold == cap)
        ix->old = xrealloc (ix->old, (cap = cap ? cap * 2 : 256) * sizeof *ix->old);
      ix->old[ix->nold++] = (struct line) { .id = p, .key = p + 65, .keylen = (size_t) (tab - (p + 65)),
                                            .json = tab + 1, .jsonlen = (size_t) (nl - (tab + 1)) };
      if (ix->nold > 1 && memcmp (ix->old[ix->nold - 2].id, p, 64) >= 0)
        sorted = false;
      p = nl + 1;
    }
  if (!sorted)
    qsort (ix->old, ix->nold, sizeof *ix->old, cmp_line);
}

struct eng_summary_index *
eng_summary_index_open_named (struct pc_engine *e, const char *name, const char *version)
{
  struct eng_summary_index *ix = xmalloc0 (sizeof *ix);
  ix->name = name;
  ix->version = version;
  ix->tok = json_tokener_new ();
  if (ix->tok == NULL)
    abort ();
  json_tokener_set_flags (ix->tok, JSON_TOKENER_STRICT);
  pc_autofree char *path = xasprintf ("%s/ps-cache", e->data_dir);
  ix->dfd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (ix->dfd < 0 && errno == ENOENT && mkdir (path, 0700) == 0)
    ix->dfd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (ix->dfd < 0)
    return ix;
  pc_autoclose int fd = openat (ix->dfd, ix->name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  pc_autoerror pc_error *err = NULL;
  size_t len = 0;
  if (fd < 0 || pc_read_fd_max (fd, INDEX_MAX, &ix->buf, &len, &err) < 0)
    {
      ix->dirty = true;
      return ix;
    }
  index_parse (ix, len);
  return ix;
}

struct eng_summary_index *
eng_summary_index_open (struct pc_engine *e)
{
  return eng_summary_index_open_named (e, INDEX_NAME, SUMMARY_VERSION);
}

static const struct line *
find_line (struct eng_summary_index *ix, const char *id, const char *key)
{
  if (ix->nold == 0)
    return NULL;
  struct line want = { .id = id };
  const struct line *hit = bsearch (&want, ix->old, ix->nold, sizeof *ix->old, cmp_line);
  if (hit && (hit->keylen != strlen (key) || memcmp (hit->key, key, hit->keylen) != 0))
    hit = NULL;
  return hit;
}

const char *
eng_summary_index_get (struct eng_summary_index *ix, const char *id, const char *key, size_t *len)
{
  const struct line *hit = strlen (id) == 64 ? find_line (ix, id, key) : NULL;
  if (hit == NULL)
    return NULL;
  *len = hit->jsonlen;
  return hit->json;
}

/* The key of the record file: its handle and stat data, or "" when the file
   system has no handles (the caller then hashes the bytes). fd >= 0: that
   open record; else the path under dfd. -1 when it is not a regular file. */
static int
record_key (int dfd, const char *path, int fd, char *key, size_t size)
{
  struct stat sb;
  if ((fd >= 0 ? fstat (fd, &sb) : fstatat (dfd, path, &sb, AT_SYMLINK_NOFOLLOW)) < 0 || !S_ISREG (sb.st_mode))
    return -1;
  union
  {
    struct file_handle fh;
    char space[sizeof (struct file_handle) + 64];
  } h;
  h.fh.handle_bytes = 64;
  int mount_id;
  if ((fd >= 0 ? name_to_handle_at (fd, "", &h.fh, &mount_id, AT_EMPTY_PATH)
               : name_to_handle_at (dfd, path, &h.fh, &mount_id, 0)) < 0
      || h.fh.handle_bytes > 64)
    {
      *key = '\0';
      return 0;
    }
  int n = snprintf (key, size, "%llx %lld %lld.%09ld %lld.%09ld %x:", (unsigned long long) sb.st_ino,
                    (long long) sb.st_size, (long long) sb.st_mtim.tv_sec, (long) sb.st_mtim.tv_nsec,
                    (long long) sb.st_ctim.tv_sec, (long) sb.st_ctim.tv_nsec, (unsigned) h.fh.handle_type);
  for (unsigned i = 0; i < h.fh.handle_bytes && (size_t) n + 3 < size; i++)
    n += snprintf (key + n, size - (size_t) n, "%02x", (unsigned char) h.fh.f_handle[i]);
  return 0;
}

static json_object *
parse_object (json_tokener *tok, const char *s, size_t len)
{
  json_tokener_reset (tok);
  json_object *o = json_tokener_parse_ex (tok, s, (int) len);
  if (o && (json_tokener_get_error (tok) != json_tokener_success || json_tokener_get_parse_end (tok) != len
            || !json_object_is_type (o, json_type_object)))
    {
      json_object_put (o);
      o = NULL;
    }
  return o;
}

static void
add_now (struct eng_summary_index *ix, struct line l)
{
  if (ix->nnow == ix->capnow)
    ix->now = xrealloc (ix->now, (ix->capnow = ix->capnow ? ix->capnow * 2 : 256) * sizeof *ix->now);
  ix->now[ix->nnow++] = l;
}

void
eng_summary_index_keep (struct eng_summary_index *ix, const char *id, const char *key)
{
  const struct line *hit = find_line (ix, id, key);
  if (hit)
    {
      add_now (ix, *hit);
      ix->hits++;
    }
}

void
eng_summary_index_put (struct eng_summary_index *ix, const char *id, const char *key, json_object *value)
{
  const char *s = json_object_to_json_string_ext (value, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  size_t klen = strlen (key);
  if (strlen (id) != 64 || klen > KEY_MAX || strpbrk (key, "\t\n"))
    return;
  char *owned = xasprintf ("%.64s %s\t%s\n", id, key, s);
  add_now (ix, (struct line) { .id = owned, .key = owned + 65, .keylen = klen, .json = owned + 66 + klen,
                               .jsonlen = strlen (s), .owned = owned });
  ix->dirty = true;
}

/* The summary made from the record itself, and its index line. */
static json_object *
summary_from_record (struct pc_engine *e, struct eng_summary_index *ix, const char *id, const char *path,
                     const char *stat_key)
{
  pc_autoclose int fd = openat (e->ctr_dfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0)
    return NULL;
  /* The key of what is read now, from the open file: the record may have
     been replaced since the look by name. */
  char key[KEY_MAX + 1];
  if (stat_key && record_key (-1, NULL, fd, key, sizeof key) < 0)
    return NULL;
  pc_autofree char *buf = NULL;
  size_t len = 0;
  pc_autoerror pc_error *err = NULL;
  if (pc_read_fd_max (fd, RECORD_MAX, &buf, &len, &err) < 0)
    return NULL;
  if (stat_key == NULL || *key == '\0')
    snprintf (key, sizeof key, "h %zu %016llx", len, (unsigned long long) fnv1a64 (buf, len));
  /* A record that does not parse is left to the full load, which names its
     problem. */
  pc_autojson json_object *rec = parse_object (ix->tok, buf, len);
  if (rec == NULL)
    return NULL;
  json_object *sum = eng_record_summary (rec);
  eng_summary_index_put (ix, id, key, sum);
  return sum;
}

int
eng_summary_index_load (struct pc_engine *e, struct eng_summary_index *ix, const char *id,
                        struct pc_container **out)
{
  char path[96];
  snprintf (path, sizeof path, "%s/container.json", id);
  char key[KEY_MAX + 1];
  if (strlen (id) != 64 || record_key (e->ctr_dfd, path, -1, key, sizeof key) < 0)
    return -1;
  json_object *sum = NULL;
  const struct line *hit = NULL;
  if (*key && (hit = find_line (ix, id, key)) != NULL)
    sum = parse_object (ix->tok, hit->json, hit->jsonlen);
  if (sum)
    {
      add_now (ix, *hit);
      ix->hits++;
    }
  else if ((sum = summary_from_record (e, ix, id, path, *key ? key : NULL)) == NULL)
    return -1;
  struct pc_container *c = xmalloc0 (sizeof *c);
  memcpy (c->id, id, 65);
  c->rec = sum;
  c->name = xstrdup (pc_json_get_string (sum, "Name") ?: "");
  const char *created = pc_json_get_string (sum, "Created");
  pc_autoerror pc_error *err = NULL;
  if (created)
    pc_time_parse_rfc3339 (created, &c->created, &err);
  *out = c;
  return 0;
}

/* pc-ps-1 kept one file per container in the same directory. */
static void
drop_old_files (int dfd)
{
  int fd = dup (dfd);
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
    if (strlen (de->d_name) == 64 && is_id (de->d_name))
      unlinkat (dfd, de->d_name, 0);
  closedir (d);
}

void
eng_summary_index_close (struct eng_summary_index *ix)
{
  if (ix == NULL)
    return;
  /* A line not used now is a container gone. */
  if (ix->dfd >= 0 && (ix->dirty || ix->hits != ix->nold))
    {
      if (ix->nnow > 1)
        qsort (ix->now, ix->nnow, sizeof *ix->now, cmp_line);
      size_t total = strlen (ix->version) + 1;
      for (size_t i = 0; i < ix->nnow; i++)
        total += 66 + ix->now[i].keylen + ix->now[i].jsonlen + 1;
      pc_autofree char *body = xmalloc (total + 1);
      size_t n = (size_t) sprintf (body, "%s\n", ix->version);
      for (size_t i = 0; i < ix->nnow; i++)
        {
          const struct line *l = &ix->now[i];
          memcpy (body + n, l->id, 64);
          body[n + 64] = ' ';
          n += 65;
          memcpy (body + n, l->key, l->keylen);
          n += l->keylen;
          body[n++] = '\t';
          memcpy (body + n, l->json, l->jsonlen);
          n += l->jsonlen;
          body[n++] = '\n';
        }
      pc_autoerror pc_error *werr = NULL;
      eng_write_volatile (ix->dfd, ix->name, body, n, &werr);
      if (strcmp (ix->name, INDEX_NAME) == 0)
        drop_old_files (ix->dfd);
    }
  for (size_t i = 0; i < ix->nnow; i++)
    free (ix->now[i].owned);
  free (ix->now);
  free (ix->old);
  free (ix->buf);
  json_tokener_free (ix->tok);
  if (ix->dfd >= 0)
    close (ix->dfd);
  free (ix);
}
