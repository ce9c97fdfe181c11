/* The blob-info cache of pushes (containers/image keeps one too,
   blob-info-cache-v1): {"compressed": {"DIFFID/gzip": {"digest", "size"}},
   "locations": {"DIGEST": ["host/repo", ...]}} in the store's root. A cache
   only: a missing, damaged or hostile file reads as empty, a lost write
   costs a compression or an upload next time, never a wrong image (every
   blob it names is checked with the registry before use). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/registry/push.h"
#include "pkg/storage/storage.h"

#define CACHE_FILE "blob-info-cache.json"
#define CACHE_MAX (4 << 20)
#define MAX_LOCATIONS 8

struct reg_blob_cache
{
  char *root;
  json_object *o;
  bool dirty;
};

static const char *
comp_name (int comp)
{
  return comp == REG_COMP_ZSTD ? "zstd" : "gzip";
}

static json_object *
section (json_object *o, const char *key)
{
  json_object *s = pc_json_get_object (o, key);
  if (s == NULL)
    {
      s = json_object_new_object ();
      json_object_object_add (o, key, s);
    }
  return s;
}

struct reg_blob_cache *
reg_blob_cache_open (struct pc_store *s)
{
  struct reg_blob_cache *bc = xmalloc0 (sizeof *bc);
  bc->root = xstrdup (pc_store_root (s));
  pc_autoclose int dfd = open (bc->root, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  pc_autoerror pc_error *e = NULL;
  if (dfd >= 0)
    bc->o = pc_json_read_file_max (dfd, CACHE_FILE, CACHE_MAX, &e);
  if (bc->o == NULL || !json_object_is_type (bc->o, json_type_object))
    {
      json_object_put (bc->o);
      bc->o = json_object_new_object ();
    }
  section (bc->o, "compressed");
  section (bc->o, "locations");
  return bc;
}

void
reg_blob_cache_close (struct reg_blob_cache *bc)
{
  if (bc == NULL)
    return;
  if (bc->dirty)
    {
      pc_autoclose int dfd = open (bc->root, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
      pc_autoerror pc_error *e = NULL;
      if (dfd < 0 || pc_json_write_file_atomic (dfd, CACHE_FILE, bc->o, 0600, &e) < 0)
        pc_debug ("blob-info cache not written: %s", e ? e->msg : "no store root");
    }
  json_object_put (bc->o);
  free (bc->root);
  free (bc);
}

const char *
reg_blob_cache_compressed (struct reg_blob_cache *bc, const char *diff_id, int comp)
{
  pc_autofree char *k = xasprintf ("%s/%s", diff_id, comp_name (comp));
  json_object *ent = pc_json_get_object (pc_json_get_object (bc->o, "compressed"), k);
  const char *d = ent ? pc_json_get_string (ent, "digest") : NULL;
  return d && strncmp (d, "sha256:", 7) == 0 && strlen (d) == 71 ? d : NULL;
}

int64_t
reg_blob_cache_size (struct reg_blob_cache *bc, const char *digest)
{
  json_object *comp = pc_json_get_object (bc->o, "compressed");
  json_object_object_foreach (comp, k, v)
    {
      (void) k;
      const char *d = pc_json_get_string (v, "digest");
      if (d && strcmp (d, digest) == 0)
        return pc_json_get_int (v, "size", -1);
    }
  return -1;
}

void
reg_blob_cache_set_compressed (struct reg_blob_cache *bc, const char *diff_id, int comp,
                               const char *digest, int64_t size)
{
  pc_autofree char *k = xasprintf ("%s/%s", diff_id, comp_name (comp));
  json_object *ent = json_object_new_object ();
  json_object_object_add (ent, "digest", json_object_new_string (digest));
  json_object_object_add (ent, "size", json_object_new_int64 (size));
  json_object_object_add (section (bc->o, "compressed"), k, ent);
  bc->dirty = true;
}

json_object *
reg_blob_cache_locations (struct reg_blob_cache *bc, const char *digest)
{
  json_object *l = pc_json_get_array (pc_json_get_object (bc->o, "locations"), digest);
  return pc_json_is_string_array (l) ? l : NULL;
}

void
reg_blob_cache_add_location (struct reg_blob_cache *bc, const char *digest, const char *location)
{
  json_object *old = reg_blob_cache_locations (bc, digest);
  json_object *l = json_object_new_array ();
  json_object_array_add (l, json_object_new_string (location));
  for (size_t i = 0; i < pc_json_array_len (old) && json_object_array_length (l) < MAX_LOCATIONS; i++)
    {
      const char *s = pc_json_array_string_at (old, i);
      if (strcmp (s, location) != 0)
        json_object_array_add (l, json_object_new_string (s));
    }
  json_object_object_add (section (bc->o, "locations"), digest, l);
  bc->dirty = true;
}
