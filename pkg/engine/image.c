/* The engine's image API: what cmd/ may do with the image store. Images
   belong to pkg/storage; the engine adds what ties them to containers (the
   in-use policy of rmi, the Containers count) and podman's shapes (list
   summaries, inspect objects, history rows). */
#include "pkg/engine/internal.h"
#include "pkg/engine/health.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"
#include "pkg/storage/storage.h"
#include "pkg/engine/events.h"

static struct pc_store *
store_of (struct pc_engine *e, pc_error **err)
{
  return pc_engine_store (e, err);
}

/* A store lookup: the store gives "not found" its class. */
static int
image_lookup (struct pc_engine *e, const char *ref, struct pc_image **img, pc_error **err)
{
  struct pc_store *s = store_of (e, err);
  if (s == NULL)
    return -1;
  return pc_store_image_lookup (s, ref, img, err);
}

char *
pc_engine_image_local_name (const char *n)
{
  const char *first = strchr (n, '/');
  if (first)
    {
      size_t len = (size_t) (first - n);
      if (memchr (n, '.', len) || memchr (n, ':', len)
          || (len == 9 && strncmp (n, "localhost", 9) == 0))
        return xstrdup (n);
    }
  return xasprintf ("localhost/%s", n);
}

static json_object *
repo_digests (json_object *rec)
{
  json_object *out = json_object_new_array ();
  json_object *names = pc_json_get_array (rec, "names");
  json_object *digests = pc_json_get_array (rec, "digests");
  for (size_t i = 0; i < pc_json_array_len (names); i++)
    {
      const char *n = pc_json_array_string_at (names, i);
      if (n == NULL)
        continue;
      const char *at = strrchr (n, '@');
      const char *slash = strrchr (n, '/');
      const char *colon = strrchr (slash ? slash : n, ':');
      size_t rl = at ? (size_t) (at - n) : colon ? (size_t) (colon - n) : strlen (n);
      for (size_t j = 0; j < pc_json_array_len (digests); j++)
        {
          if (pc_json_array_string_at (digests, j) == NULL)
            continue;
          pc_autofree char *rd = xasprintf ("%.*s@%s", (int) rl, n,
                                            pc_json_array_string_at (digests, j));
          bool dup = false;
          for (size_t k = 0; k < json_object_array_length (out); k++)
            if (strcmp (json_object_get_string (json_object_array_get_idx (out, k)), rd) == 0)
              dup = true;
          if (!dup)
            json_object_array_add (out, json_object_new_string (rd));
        }
    }
  return out;
}

/* An image record with its times parsed once for the sort (parsing them in
   each comparison cost n log n parses). */
struct sort_item
{
  json_object *rec;
  struct timespec created, loaded;
  const char *id;
};

static int
cmp_created (const void *a, const void *b)
{
  const struct sort_item *x = a, *y = b;
  if (x->created.tv_sec != y->created.tv_sec)
    return x->created.tv_sec < y->created.tv_sec ? 1 : -1;
  /* Same creation time (images built from one base, or re-saved): podman
     lists them in load order, the first loaded first. */
  if (x->loaded.tv_sec != y->loaded.tv_sec)
    return x->loaded.tv_sec < y->loaded.tv_sec ? -1 : 1;
  if (x->loaded.tv_nsec != y->loaded.tv_nsec)
    return x->loaded.tv_nsec < y->loaded.tv_nsec ? -1 : 1;
  return strcmp (x->id, y->id);
}

/* recs sorted newest first (cmp_created), in place. */
static void
sort_created (json_object *recs)
{
  size_t n = json_object_array_length (recs);
  struct sort_item *v = xmalloc0 ((n + 1) * sizeof *v);
  for (size_t i = 0; i < n; i++)
    {
      json_object *rec = json_object_array_get_idx (recs, i);
      const char *c = pc_json_get_string (rec, "created"), *l = pc_json_get_string (rec, "loaded");
      v[i].rec = json_object_get (rec);
      v[i].id = pc_json_get_string (rec, "id") ?: "";
      if (c)
        pc_time_parse_rfc3339 (c, &v[i].created, NULL);
      if (l)
        pc_time_parse_rfc3339 (l, &v[i].loaded, NULL);
    }
  qsort (v, n, sizeof *v, cmp_created);
  for (size_t i = 0; i < n; i++)
    json_object_array_put_idx (recs, i, v[i].rec);
  free (v);
}

/* RFC 3339 in UTC with the fraction trimmed, as podman 4.3's CreatedAt. */
static json_object *
created_at_json (const struct timespec *t)
{
  char at[64];
  struct tm tm;
  time_t ts = t->tv_sec;
  gmtime_r (&ts, &tm);
  size_t n = strftime (at, sizeof at, "%Y-%m-%dT%H:%M:%S", &tm);
  if (t->tv_nsec > 0)
    {
      n += (size_t) snprintf (at + n, sizeof at - n, ".%09ld", (long) t->tv_nsec);
      while (at[n - 1] == '0')
        at[--n] = '\0';
    }
  snprintf (at + n, sizeof at - n, "Z");
  return json_object_new_string (at);
}

/* An image's Labels: its config's, which its id (the config's digest)
   names for good, so they are kept in DATA/ps-cache/image-labels by id. */
static json_object *
image_labels (struct pc_store *s, json_object *rec, const char *id, struct eng_summary_index *ix)
{
  static const char key[] = "config";
  size_t len = 0;
  const char *cached = id ? eng_summary_index_get (ix, id, key, &len) : NULL;
  if (cached)
    {
      pc_autoerror pc_error *err = NULL;
      json_object *l = pc_json_parse (cached, len, &err);
      if (l && json_object_is_type (l, json_type_object))
        {
          eng_summary_index_keep (ix, id, key);
          if (json_object_object_length (l))
            return l;
          json_object_put (l);
          return NULL;
        }
      /* A damaged line: read the config again. */
      json_object_put (l);
    }
  json_object *labels = NULL;
  if (pc_store_image_record_labels (s, rec, &labels) == 0 && id)
    {
      pc_autojson json_object *none = labels ? NULL : json_object_new_object ();
      eng_summary_index_put (ix, id, key, labels ? labels : none);
    }
  return labels;
}

static json_object *
summary_json (struct pc_store *s, json_object *rec, json_object *users, struct eng_summary_index *ix)
{
  json_object *o = json_object_new_object ();
  const char *id = pc_json_get_string (rec, "id");
  json_object_object_add (o, "Id", json_object_new_string (id));
  json_object_object_add (o, "ParentId", json_object_new_string (""));
  json_object *names = pc_json_get_array (rec, "names");
  json_object_object_add (o, "RepoTags", pc_json_array_len (names) ? json_object_get (names) : NULL);
  json_object_object_add (o, "RepoDigests", repo_digests (rec));
  struct timespec t = { 0 };
  const char *created = pc_json_get_string (rec, "created");
  if (created)
    pc_time_parse_rfc3339 (created, &t, NULL);
  json_object_object_add (o, "Created", json_object_new_int64 (t.tv_sec));
  int64_t size = pc_json_get_int (rec, "size", 0);
  json_object_object_add (o, "Size", json_object_new_int64 (size));
  json_object_object_add (o, "SharedSize", json_object_new_int (0));
  json_object_object_add (o, "VirtualSize", json_object_new_int64 (size));
  json_object_object_add (o, "Labels", image_labels (s, rec, id, ix));
  json_object *n = NULL;
  json_object_object_add (o, "Containers", json_object_new_int (id && json_object_object_get_ex (users, id, &n)
                                                                ? json_object_get_int (n) : 0));
  if (pc_json_array_len (names))
    json_object_object_add (o, "Names", json_object_get (names));
  json_object_object_add (o, "Digest", json_object_new_string (pc_json_get_string (rec, "digest") ?: ""));
  json_object_object_add (o, "History", json_object_get (pc_json_get_array (rec, "names_history")));
  json_object_object_add (o, "CreatedAt", created_at_json (&t));
  return o;
}

int
pc_engine_image_list (struct pc_engine *e, json_object **out, pc_error **err)
{
  struct pc_store *s = store_of (e, err);
  if (s == NULL)
    return -1;
  pc_autojson json_object *recs = NULL;
  if (pc_store_list_images (s, &recs, err) < 0)
    return -1;
  sort_created (recs);
  pc_autojson json_object *users = pc_store_image_user_counts (s);
  json_object *list = json_object_new_array ();
  struct eng_summary_index *ix = eng_summary_index_open_named (e, "image-labels", "pc-image-labels-1");
  for (size_t i = 0; i < json_object_array_length (recs); i++)
    json_object_array_add (list, summary_json (s, json_object_array_get_idx (recs, i), users, ix));
  eng_summary_index_close (ix);
  *out = list;
  return 0;
}

int
pc_engine_image_ids (struct pc_engine *e, char ***out, pc_error **err)
{
  struct pc_store *s = store_of (e, err);
  if (s == NULL)
    return -1;
  pc_autojson json_object *recs = NULL;
  if (pc_store_list_images (s, &recs, err) < 0)
    return -1;
  char **ids = xmalloc0 (sizeof *ids);
  for (size_t i = 0; i < json_object_array_length (recs); i++)
    pc_strv_append (&ids, pc_json_get_string (json_object_array_get_idx (recs, i), "id"));
  *out = ids;
  return 0;
}

int
pc_engine_image_exists (struct pc_engine *e, const char *ref, pc_error **err)
{
  pc_autoimage struct pc_image *img = NULL;
  return image_lookup (e, ref, &img, err);
}

int
pc_engine_image_resolve (struct pc_engine *e, const char *ref, char **id, char ***names,
                         pc_error **err)
{
  pc_autoimage struct pc_image *img = NULL;
  if (image_lookup (e, ref, &img, err) < 0)
    return -1;
  if (id)
    *id = xstrdup (pc_image_id (img));
  if (names)
    *names = pc_strv_dup (pc_image_names (img));
  return 0;
}

/* Adds or removes names; a name typed without a registry is local. */
static int
tag_untag (struct pc_engine *e, const char *ref, char *const *names, bool untag, pc_error **err)
{
  pc_autoimage struct pc_image *img = NULL;
  if (image_lookup (e, ref, &img, err) < 0)
    return -1;
  struct pc_store *s = store_of (e, err);
  pc_autostrv char **v = pc_strv_dup (names ? (char **) names : pc_image_names (img));
  for (char **n = v; n && *n; n++)
    {
      pc_autofree char *name = pc_engine_image_local_name (*n);
      if ((untag ? pc_store_image_untag (s, pc_image_id (img), name, err)
                 : pc_store_image_tag (s, pc_image_id (img), name, err)) < 0)
        return -1;
      pc_engine_event_image (e, untag ? "untag" : "tag", pc_image_id (img), name);
    }
  return 0;
}

int
pc_engine_image_tag (struct pc_engine *e, const char *ref, char *const *names, pc_error **err)
{
  return tag_untag (e, ref, names, false, err);
}

int
pc_engine_image_untag (struct pc_engine *e, const char *ref, char *const *names, pc_error **err)
{
  return tag_untag (e, ref, names, true, err);
}

/* rmi -f: the containers using the image go first, as `pc rm -f` removes
   them. A container the engine does not know is left to the store. */
static int
remove_users (struct pc_engine *e, char **users, pc_error **err)
{
  for (char **u = users; u && *u; u++)
    {
      pc_autocontainer struct pc_container *c = NULL;
      if (pc_engine_lookup (e, *u, &c, err) < 0)
        {
          if (pc_error_class_of (*err) == PC_ERR_NOT_FOUND)
            {
              pc_error_clear (err);
              continue;
            }
          pc_error_wrap (err, "remove container %s", *u);
          return pc_error_set_class (err, PC_ERR_IN_USE);
        }
      if (pc_engine_remove (e, c, true, -1, err) < 0)
        {
          pc_error_wrap (err, "remove container %s", *u);
          return pc_error_set_class (err, PC_ERR_IN_USE);
        }
    }
  return 0;
}

void
pc_engine_rmi_result_clear (struct pc_engine_rmi_result *r)
{
  pc_strv_free (r->untagged);
  free (r->deleted);
  r->untagged = NULL;
  r->deleted = NULL;
}

int
pc_engine_image_remove (struct pc_engine *e, const char *ref, bool force, bool every_name,
                        struct pc_engine_rmi_result *out, pc_error **err)
{
  memset (out, 0, sizeof *out);
  pc_autoimage struct pc_image *img = NULL;
  if (image_lookup (e, ref, &img, err) < 0)
    return -1;
  struct pc_store *s = store_of (e, err);
  const char *id = pc_image_id (img);
  /* By name, an image with other names only loses that name. */
  pc_autofree char *norm = NULL;
  bool by_id = strncmp (id, ref, strlen (ref)) == 0
               || (strncmp (ref, "sha256:", 7) == 0 && strncmp (id, ref + 7, strlen (ref + 7)) == 0);
  char **names = pc_image_names (img);
  if (!by_id && pc_ref_normalize (ref, &norm, NULL) == 0 && !pc_strv_contains (names, norm))
    {
      /* A short name may have resolved to its localhost/ form. */
      pc_autofree char *local = pc_engine_image_local_name (ref);
      pc_autofree char *lnorm = NULL;
      if (pc_ref_normalize (local, &lnorm, NULL) == 0 && pc_strv_contains (names, lnorm))
        {
          free (norm);
          norm = steal_pointer (&lnorm);
        }
    }
  /* By ID, an image with several names goes only with --force (podman's
     refusal names them all). */
  if (by_id && !force && !every_name && pc_strv_len (names) > 1)
    {
      pc_autofree char *list = pc_strv_join (names, " ");
      return pc_error_make (err, EINVAL, "unable to delete image \"%s\" by %s with more than one tag ([%s]): please force removal",
                            id, strncmp (ref, "sha256:", 7) == 0 ? "digest" : "ID", list);
    }
  if (!by_id && norm && pc_strv_len (names) > 1 && pc_strv_contains (names, norm))
    {
      if (pc_store_image_untag (s, id, norm, err) < 0)
        return -1;
      pc_engine_event_image (e, "untag", id, norm);
      pc_strv_append (&out->untagged, norm);
      return 0;
    }
  /* Containers abandoned by a killed create use the image until collected. */
  if (eng_reconcile (e, err) < 0)
    return -1;
  pc_autostrv char **users = pc_store_image_users (s, id);
  /* A container whose storage a failed rm half removed still uses the
     image: its engine record says so. */
  struct pc_container **all = NULL;
  size_t n_all = 0;
  if (pc_engine_list (e, &all, &n_all, err) < 0)
    return -1;
  for (size_t i = 0; i < n_all; i++)
    {
      const char *img_id = pc_json_get_string (all[i]->rec, "Image");
      /* --mount type=image holds the image's layers too; podman 4.3 lets
         rmi remove such an image and its containers then fail. */
      if (((img_id && strcmp (img_id, id) == 0) || eng_image_mount_uses (all[i]->rec, id))
          && !pc_strv_contains (users, all[i]->id))
        pc_strv_append (&users, all[i]->id);
    }
  pc_container_list_free (all, n_all);
  if (users[0] && !force)
    return pc_error_makec (err, PC_ERR_IN_USE, EBUSY,
                           "image used by %s: image is in use by a container: consider listing external containers and force-removing image",
                           users[0]);
  if (users[0] && force && remove_users (e, users, err) < 0)
    return -1;
  if (pc_store_image_delete (s, id, err) < 0)
    {
      if (pc_error_class_of (*err) == PC_ERR_IN_USE)
        {
          pc_error_clear (err);
          return pc_error_makec (err, PC_ERR_IN_USE, EBUSY,
                                 "image used by %s: image is in use by a container: consider listing external containers and force-removing image",
                                 users[0] ? users[0] : "a container");
        }
      return -1;
    }
  out->untagged = pc_strv_dup (names);
  out->deleted = xstrdup (id);
  eng_events_image_removed (e, id, names, ref);
  return 0;
}

int
pc_engine_image_prune (struct pc_engine *e, bool all, char ***removed, pc_error **err)
{
  *removed = NULL;
  struct pc_store *s = store_of (e, err);
  if (s == NULL)
    return -1;
  if (eng_reconcile (e, err) < 0)
    return -1;
  pc_autojson json_object *recs = NULL;
  if (pc_store_list_images (s, &recs, err) < 0)
    return -1;
  /* Images a --mount type=image names stay, as the containers' own. */
  struct pc_container **ctrs = NULL;
  size_t n_ctrs = 0;
  if (pc_engine_list (e, &ctrs, &n_ctrs, err) < 0)
    return -1;
  /* Pruning removes images only: the containers' images, read once, hold. */
  pc_autojson json_object *users = pc_store_image_user_counts (s);
  int ret = 0;
  for (size_t i = 0; i < json_object_array_length (recs); i++)
    {
      json_object *rec = json_object_array_get_idx (recs, i);
      if (!all && pc_json_array_len (pc_json_get_array (rec, "names")) > 0)
        continue;
      const char *id = pc_json_get_string (rec, "id");
      bool mounted = id && json_object_object_get_ex (users, id, NULL);
      for (size_t k = 0; id && k < n_ctrs && !mounted; k++)
        mounted = eng_image_mount_uses (ctrs[k]->rec, id);
      if (mounted)
        continue;
      if (pc_store_image_delete (s, id, err) < 0)
        {
          ret = -1;
          break;
        }
      pc_strv_append (removed, id);
      eng_events_image_removed (e, id, NULL, id);
    }
  pc_container_list_free (ctrs, n_ctrs);
  return ret;
}

int
pc_engine_image_load (struct pc_engine *e, int fd, pc_engine_image_loaded_fn loaded, void *data,
                      pc_error **err)
{
  struct pc_store *s = store_of (e, err);
  if (s == NULL)
    return -1;
  return eng_events_image_archive (e, "loadfromarchive", fd, NULL, pc_store_load (s, fd, loaded, data, err));
}

int
pc_engine_image_save (struct pc_engine *e, char *const *refs, enum pc_engine_save_format format,
                      int out_fd, const char *dir_path, pc_error **err)
{
  struct pc_store *s = store_of (e, err);
  if (s == NULL)
    return -1;
  enum pc_save_format f = format == PC_ENGINE_SAVE_OCI_ARCHIVE ? PC_SAVE_OCI_ARCHIVE
                          : format == PC_ENGINE_SAVE_OCI_DIR   ? PC_SAVE_OCI_DIR
                                                               : PC_SAVE_DOCKER_ARCHIVE;
  return eng_events_image_archive (e, "save", dir_path ? -1 : out_fd, refs[0], pc_store_save (s, refs, f, out_fd, dir_path, err));
}

int
pc_engine_image_changes (char *const *changes, json_object **config, pc_error **err)
{
  pc_autojson json_object *cfg = json_object_new_object ();
  for (char *const *c = changes; c && *c; c++)
    if (pc_storage_apply_change (cfg, *c, err) < 0)
      return pc_error_set_class (err, PC_ERR_INVALID);
  *config = steal_pointer (&cfg);
  return 0;
}

int
pc_engine_image_import (struct pc_engine *e, int fd, json_object *config_changes,
                        const char *name, const char *message, char **new_id, pc_error **err)
{
  struct pc_store *s = store_of (e, err);
  if (s == NULL)
    return -1;
  return eng_events_image_tagged_rc (e, new_id, name, pc_store_import (s, fd, config_changes, name, message, new_id, err));
}

/* podman's `image inspect`, history and image mount. */

static json_object *
strv_json (char *const *v)
{
  json_object *a = json_object_new_array ();
  for (; v && *v; v++)
    json_object_array_add (a, json_object_new_string (*v));
  return a;
}

static json_object *
copy_or_null (json_object *o)
{
  return o ? json_object_get (o) : NULL;
}

static json_object *
inspect_json (struct pc_store *s, struct pc_image *img, json_object *repo_digests)
{
  json_object *rec = pc_image_record (img);
  json_object *cfg = pc_image_config (img);
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "Id", json_object_new_string (pc_image_id (img)));
  json_object_object_add (o, "Digest", json_object_new_string (pc_image_digest (img) ?: ""));
  json_object_object_add (o, "RepoTags", strv_json (pc_image_names (img)));
  json_object_object_add (o, "RepoDigests", repo_digests);
  json_object_object_add (o, "Parent", json_object_new_string (""));
  json_object_object_add (o, "Comment", json_object_new_string (pc_json_get_string (cfg, "comment") ?: ""));
  json_object_object_add (o, "Created", json_object_new_string (pc_json_get_string (cfg, "created")
                                                               ?: pc_json_get_string (rec, "created") ?: ""));
  json_object *config = pc_json_get (cfg, "config");
  json_object_object_add (o, "Config", config ? json_object_get (config) : json_object_new_object ());
  json_object_object_add (o, "Version", json_object_new_string (pc_json_get_string (cfg, "docker_version") ?: ""));
  json_object_object_add (o, "Author", json_object_new_string (pc_json_get_string (cfg, "author") ?: ""));
  json_object_object_add (o, "Architecture", json_object_new_string (pc_json_get_string (cfg, "architecture") ?: ""));
  json_object_object_add (o, "Os", json_object_new_string (pc_json_get_string (cfg, "os") ?: ""));
  int64_t size = pc_image_size (img);
  json_object_object_add (o, "Size", json_object_new_int64 (size));
  json_object_object_add (o, "VirtualSize", json_object_new_int64 (size));
  json_object *gd = json_object_new_object ();
  pc_error *err = NULL;
  const char *driver = pc_store_driver (s, &err);
  pc_error_clear (&err);
  json_object_object_add (gd, "Name", json_object_new_string (driver ? driver : "overlay"));
  json_object *gdd = json_object_new_object ();
  size_t n = pc_image_n_layers (img);
  if (n > 0)
    {
      const char *root = pc_store_root (s);
      const struct pc_image_layer *top = pc_image_layer (img, n - 1);
      pc_autofree char *upper = xasprintf ("%s/layers/%s/diff", root, top->chain_id + 7);
      json_object_object_add (gdd, "UpperDir", json_object_new_string (upper));
      if (n > 1)
        {
          pc_autofree char *lower = NULL;
          for (size_t i = n - 1; i > 0; i--)
            {
              char *l = xasprintf ("%s%s%s/layers/%s/diff", lower ? lower : "", lower ? ":" : "",
                                   root, pc_image_layer (img, i - 1)->chain_id + 7);
              free (lower);
              lower = l;
            }
          json_object_object_add (gdd, "LowerDir", json_object_new_string (lower));
        }
    }
  json_object_object_add (gd, "Data", gdd);
  json_object_object_add (o, "GraphDriver", gd);
  json_object *rootfs = json_object_new_object ();
  json_object_object_add (rootfs, "Type", json_object_new_string ("layers"));
  json_object *layers = json_object_new_array ();
  for (size_t i = 0; i < n; i++)
    json_object_array_add (layers, json_object_new_string (pc_image_layer (img, i)->diff_id));
  json_object_object_add (rootfs, "Layers", layers);
  json_object_object_add (o, "RootFS", rootfs);
  json_object *labels = config ? pc_json_get (config, "Labels") : NULL;
  json_object_object_add (o, "Labels", copy_or_null (labels));
  json_object_object_add (o, "Annotations", json_object_new_object ());
  json_object_object_add (o, "ManifestType", json_object_new_string (pc_json_get_string (rec, "manifest_type") ?: ""));
  json_object_object_add (o, "User", json_object_new_string (config ? pc_json_get_string (config, "User") ?: "" : ""));
  json_object_object_add (o, "History", copy_or_null (pc_json_get (cfg, "history")));
  json_object *nh = pc_json_get_array (rec, "names_history");
  json_object_object_add (o, "NamesHistory", pc_json_array_len (nh) ? json_object_get (nh) : NULL);
  /* podman 4.3 shows the image's HEALTHCHECK last, only when there is one. */
  json_object *hc = eng_health_image_json (config);
  if (hc)
    json_object_object_add (o, "Healthcheck", hc);
  return o;
}

int
pc_engine_image_inspect (struct pc_engine *e, const char *ref, json_object **out, pc_error **err)
{
  struct pc_store *s = NULL;
  pc_autoimage struct pc_image *img = NULL;
  if (image_lookup (e, ref, &img, err) < 0 || (s = store_of (e, err)) == NULL)
    return -1;
  *out = inspect_json (s, img, repo_digests (pc_image_record (img)));
  return 0;
}

int
pc_engine_image_history (struct pc_engine *e, const char *ref, json_object **out, pc_error **err)
{
  struct pc_store *s = NULL;
  pc_autoimage struct pc_image *img = NULL;
  if (image_lookup (e, ref, &img, err) < 0 || (s = store_of (e, err)) == NULL)
    return -1;
  json_object *hist = pc_json_get (pc_image_config (img), "history");
  size_t nh = hist && json_object_is_type (hist, json_type_array) ? json_object_array_length (hist) : 0;
  size_t nl = pc_image_n_layers (img);
  /* Non-empty history entries map to layers bottom-up; newest first out. */
  json_object *rows = json_object_new_array ();
  size_t layer = 0;
  json_object **tmp = xmalloc0 ((nh + 1) * sizeof *tmp);
  for (size_t i = 0; i < nh; i++)
    {
      json_object *h = json_object_array_get_idx (hist, i);
      bool empty = pc_json_get_bool (h, "empty_layer", false);
      int64_t size = 0;
      if (!empty && layer < nl)
        size = pc_image_layer (img, layer++)->diff_size;
      json_object *row = json_object_new_object ();
      bool top = i == nh - 1;
      json_object_object_add (row, "ID", json_object_new_string (top ? pc_image_id (img) : "<missing>"));
      json_object_object_add (row, "Created", json_object_new_string (pc_json_get_string (h, "created") ?: ""));
      json_object_object_add (row, "CreatedBy", json_object_new_string (pc_json_get_string (h, "created_by") ?: ""));
      json_object_object_add (row, "Size", json_object_new_int64 (size));
      json_object_object_add (row, "Comment", json_object_new_string (pc_json_get_string (h, "comment") ?: ""));
      tmp[i] = row;
    }
  for (size_t i = nh; i > 0; i--)
    json_object_array_add (rows, tmp[i - 1]);
  free (tmp);
  *out = rows;
  return 0;
}

int
pc_engine_image_mounts (struct pc_engine *e, json_object **out, pc_error **err)
{
  struct pc_store *s = store_of (e, err);
  if (s == NULL)
    return -1;
  pc_autojson json_object *recs = NULL;
  if (pc_store_list_images (s, &recs, err) < 0)
    return -1;
  json_object *list = json_object_new_array ();
  for (size_t i = 0; i < json_object_array_length (recs); i++)
    {
      pc_autoimage struct pc_image *img = NULL;
      pc_autoerror pc_error *e2 = NULL;
      if (pc_store_image_lookup (s, pc_json_get_string (json_object_array_get_idx (recs, i), "id"), &img, &e2) < 0)
        continue;
      pc_autofree char *p = pc_store_image_mounted (s, img);
      if (p == NULL)
        continue;
      json_object *m = json_object_new_object ();
      json_object_object_add (m, "Id", json_object_new_string (pc_image_id (img)));
      json_object_object_add (m, "Path", json_object_new_string (p));
      json_object_array_add (list, m);
    }
  *out = list;
  return 0;
}

int
pc_engine_image_mount (struct pc_engine *e, const char *ref, char **path, pc_error **err)
{
  struct pc_store *s = NULL;
  pc_autoimage struct pc_image *img = NULL;
  if (image_lookup (e, ref, &img, err) < 0 || (s = store_of (e, err)) == NULL)
    return -1;
  return pc_store_image_mount (s, img, path, err);
}

int
pc_engine_image_unmount (struct pc_engine *e, const char *ref, char **id, pc_error **err)
{
  struct pc_store *s = NULL;
  pc_autoimage struct pc_image *img = NULL;
  if (image_lookup (e, ref, &img, err) < 0 || (s = store_of (e, err)) == NULL)
    return -1;
  pc_autofree char *p = pc_store_image_mounted (s, img);
  if (p == NULL)
    return 1;
  if (pc_store_image_unmount (s, img, err) < 0)
    return -1;
  *id = xstrdup (pc_image_id (img));
  return 0;
}
