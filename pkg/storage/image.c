/* Image records (images/<id>.json), the name index (names/) and lookups.
   Readers take no lock: every file is replaced atomically. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/storage/store-private.h"

/* pc writes these records; a far larger one was not written by pc. */
#define PC_IMAGE_RECORD_MAX (16 << 20)

static bool
is_hex_str (const char *s, size_t min, size_t max)
{
  size_t n = strlen (s);
  if (n < min || n > max)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return false;
  return true;
}

char *
pc_name_escape (const char *name)
{
  size_t n = strlen (name);
  char *out = xmalloc (n * 3 + 1), *o = out;
  for (const char *p = name; *p; p++)
    {
      if (*p == '/' || *p == '%')
        o += sprintf (o, "%%%02X", (unsigned char) *p);
      else
        *o++ = *p;
    }
  *o = '\0';
  return out;
}

char *
pc_name_unescape (const char *esc)
{
  char *out = xmalloc (strlen (esc) + 1), *o = out;
  for (const char *p = esc; *p; p++)
    {
      unsigned v;
      if (*p == '%' && sscanf (p + 1, "%2X", &v) == 1)
        {
          *o++ = (char) v;
          p += 2;
        }
      else
        *o++ = *p;
    }
  *o = '\0';
  return out;
}

static void
layer_clear (struct pc_image_layer *l)
{
  free (l->chain_id);
  free (l->diff_id);
  free (l->blob);
  free (l->media_type);
}

void
pc_image_free (struct pc_image *img)
{
  if (img == NULL)
    return;
  free (img->id);
  pc_strv_free (img->names);
  if (img->record)
    json_object_put (img->record);
  if (img->config)
    json_object_put (img->config);
  for (size_t i = 0; i < img->n_layers; i++)
    layer_clear (&img->layers[i]);
  free (img->layers);
  free (img);
}

static char *
dup_or_null (const char *s)
{
  return s ? xstrdup (s) : NULL;
}

/* An image record (images/<id>.json) as pc writes it; one that holds other
   types was damaged or written by someone else and is refused whole. */
static int
check_image_record (json_object *rec, pc_error **err)
{
  if (rec == NULL || !json_object_is_type (rec, json_type_object))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "not a JSON object");
  if (pc_json_get_string (rec, "id") == NULL)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "no string `id`");
  static const char *const strs[] = { "id", "digest", "created", "loaded", NULL };
  for (size_t i = 0; strs[i]; i++)
    if (pc_json_check_type (rec, strs[i], json_type_string, "image record", err) < 0)
      return -1;
  if (pc_json_check_strings (rec, "names", "image record", err) < 0
      || pc_json_check_strings (rec, "names_history", "image record", err) < 0
      || pc_json_check_strings (rec, "digests", "image record", err) < 0
      || pc_json_check_type (rec, "layers", json_type_array, "image record", err) < 0)
    return -1;
  json_object *layers = pc_json_get_array (rec, "layers");
  for (size_t i = 0; i < pc_json_array_len (layers); i++)
    {
      json_object *l = json_object_array_get_idx (layers, i);
      if (l == NULL || !json_object_is_type (l, json_type_object))
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "image record: `layers[%zu]` is not an object", i);
      static const char *const lstrs[] = { "chain_id", "diff_id", "blob", "media_type", NULL };
      for (size_t k = 0; lstrs[k]; k++)
        if (pc_json_check_type (l, lstrs[k], json_type_string, "image record layer", err) < 0)
          return -1;
    }
  return 0;
}

/* Reads and checks an image record; the error names the file. */
static json_object *
read_image_record (int dirfd, const char *path, pc_error **err)
{
  pc_autojson json_object *rec = pc_json_read_file_max (dirfd, path, PC_IMAGE_RECORD_MAX, err);
  if (rec == NULL)
    return NULL;
  if (check_image_record (rec, err) < 0)
    {
      pc_error_wrap (err, "corrupt image record `%s`", path);
      return NULL;
    }
  return steal_pointer (&rec);
}

int
pc_image_from_record (struct pc_store *s, json_object *rec, struct pc_image **out,
                      pc_error **err)
{
  if (check_image_record (rec, err) < 0)
    return pc_error_wrap (err, "corrupt image record");
  const char *id = pc_json_get_string (rec, "id");
  if (id == NULL || !is_hex_str (id, 64, 64))
    return pc_error_make (err, EINVAL, "corrupt image record: no id");
  struct pc_image *img = xmalloc0 (sizeof *img);
  img->id = xstrdup (id);
  img->store = s;
  img->record = json_object_get (rec);
  img->names = xmalloc0 (sizeof (char *));
  json_object *names = pc_json_get_array (rec, "names");
  size_t nn = pc_json_array_len (names);
  for (size_t i = 0; i < nn; i++)
    pc_strv_append (&img->names, pc_json_array_string_at (names, i));
  json_object *layers = pc_json_get_array (rec, "layers");
  size_t nl = pc_json_array_len (layers);
  img->layers = xmalloc0 ((nl + 1) * sizeof *img->layers);
  img->n_layers = nl;
  for (size_t i = 0; i < nl; i++)
    {
      json_object *l = json_object_array_get_idx (layers, i);
      struct pc_image_layer *L = &img->layers[i];
      L->chain_id = dup_or_null (pc_json_get_string (l, "chain_id"));
      L->diff_id = dup_or_null (pc_json_get_string (l, "diff_id"));
      L->blob = dup_or_null (pc_json_get_string (l, "blob"));
      L->media_type = dup_or_null (pc_json_get_string (l, "media_type"));
      L->blob_size = pc_json_get_int (l, "blob_size", 0);
      L->diff_size = pc_json_get_int (l, "diff_size", 0);
      if (L->chain_id == NULL || L->diff_id == NULL)
        {
          pc_image_free (img);
          return pc_error_make (err, EINVAL, "corrupt image record %s: layer %zu", id, i);
        }
    }
  *out = img;
  return 0;
}

int
pc_store_image_read (struct pc_store *s, const char *id, struct pc_image **out, pc_error **err)
{
  if (!is_hex_str (id, 64, 64))
    return pc_error_make (err, EINVAL, "invalid image id `%s`", id);
  pc_autofree char *p = xasprintf ("images/%s.json", id);
  pc_autojson json_object *rec = read_image_record (s->root_fd, p, err);
  if (rec == NULL)
    return pc_error_wrap (err, "%s", s->root);
  return pc_image_from_record (s, rec, out, err);
}

const char *
pc_image_id (const struct pc_image *img)
{
  return img->id;
}

json_object *
pc_image_config (const struct pc_image *cimg)
{
  struct pc_image *img = (struct pc_image *) cimg;
  if (img->config == NULL)
    {
      pc_autoerror pc_error *e = NULL;
      pc_autofree char *digest = xasprintf ("sha256:%s", img->id);
      pc_autofree char *data = NULL;
      size_t len;
      if (pc_store_blob_read (img->store, digest, &data, &len, &e) == 0)
        img->config = pc_json_parse (data, len, &e);
      if (img->config == NULL)
        img->config = json_object_new_object ();
    }
  return img->config;
}

char **
pc_image_names (const struct pc_image *img)
{
  return img->names;
}

const char *
pc_image_digest (const struct pc_image *img)
{
  return pc_json_get_string (img->record, "digest");
}

size_t
pc_image_n_layers (const struct pc_image *img)
{
  return img->n_layers;
}

const struct pc_image_layer *
pc_image_layer (const struct pc_image *img, size_t i)
{
  return i < img->n_layers ? &img->layers[i] : NULL;
}

int64_t
pc_image_size (const struct pc_image *img)
{
  return pc_json_get_int (img->record, "size", 0);
}

json_object *
pc_image_record (const struct pc_image *img)
{
  return img->record;
}

/* names/<escaped> -> id, verified against the record (a crash between the
   record and the link must not resolve a name the image no longer has). */
static int
lookup_name (struct pc_store *s, const char *norm, struct pc_image **out)
{
  pc_autofree char *esc = pc_name_escape (norm);
  char target[128];
  pc_autofree char *lp = xasprintf ("names/%s", esc);
  ssize_t n = readlinkat (s->root_fd, lp, target, sizeof target - 1);
  if (n <= 0)
    return -1;
  target[n] = '\0';
  pc_autoerror pc_error *e = NULL;
  struct pc_image *img = NULL;
  if (pc_store_image_read (s, target, &img, &e) < 0)
    return -1;
  if (!pc_strv_contains (img->names, norm))
    {
      pc_image_free (img);
      return -1;
    }
  *out = img;
  return 0;
}

static int
lookup_id_prefix (struct pc_store *s, const char *prefix, struct pc_image **out, pc_error **err)
{
  int fd = openat (s->root_fd, "images", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 1;
  DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return 1;
    }
  size_t plen = strlen (prefix);
  char found[65] = "";
  int matches = 0;
  struct dirent *de;
  while ((de = readdir (d)))
    {
      size_t n = strlen (de->d_name);
      if (n != 69 || strcmp (de->d_name + 64, ".json") != 0)
        continue;
      if (strncmp (de->d_name, prefix, plen) == 0)
        {
          if (matches++ == 0)
            memcpy (found, de->d_name, 64);
        }
    }
  closedir (d);
  if (matches == 0)
    return 1;
  if (matches > 1)
    return pc_error_make (err, EINVAL, "%s: image id is ambiguous (%d images)", prefix, matches);
  return pc_store_image_read (s, found, out, err);
}

/* name@digest: an image holding that manifest digest (digests/<hex> -> id). */
static int
lookup_digest (struct pc_store *s, const char *digest, struct pc_image **out)
{
  pc_autofree char *lp = xasprintf ("digests/%s", digest + 7);
  char target[128];
  ssize_t n = readlinkat (s->root_fd, lp, target, sizeof target - 1);
  if (n <= 0)
    return -1;
  target[n] = '\0';
  pc_autoerror pc_error *e = NULL;
  return pc_store_image_read (s, target, out, &e);
}

/* A short name ("busybox", "ns/x:tag") matches any stored name whose
   repository ends in "/<path>" with the same tag, as podman's local lookup. */
static int
lookup_short_scan (struct pc_store *s, const char *path_tag, struct pc_image **out)
{
  int fd = openat (s->root_fd, "names", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return -1;
    }
  pc_autofree char *suffix = xasprintf ("/%s", path_tag);
  size_t sl = strlen (suffix);
  struct dirent *de;
  int r = -1;
  while ((de = readdir (d)))
    {
      if (de->d_name[0] == '.')
        continue;
      pc_autofree char *name = pc_name_unescape (de->d_name);
      size_t n = strlen (name);
      if (n > sl && strcmp (name + n - sl, suffix) == 0 && lookup_name (s, name, out) == 0)
        {
          r = 0;
          break;
        }
    }
  closedir (d);
  return r;
}

int
pc_store_image_lookup (struct pc_store *s, const char *ref, struct pc_image **out, pc_error **err)
{
  *out = NULL;
  if (ref == NULL || *ref == '\0')
    return pc_error_make (err, EINVAL, "image name must not be empty");
  const char *id = ref;
  if (strncmp (id, "sha256:", 7) == 0 && strchr (ref, '/') == NULL)
    id += 7;
  if (is_hex_str (id, 64, 64))
    {
      pc_autoerror pc_error *e = NULL;
      if (pc_store_image_read (s, id, out, &e) == 0)
        return 0;
      /* A record that is there but damaged is that error, not "not known". */
      if (e && e->status != ENOENT)
        {
          if (err)
            *err = steal_pointer (&e);
          return -1;
        }
    }
  else if (is_hex_str (id, 3, 63))
    {
      int r = lookup_id_prefix (s, id, out, err);
      if (r <= 0)
        return r;
    }

  pc_autofree char *norm = NULL;
  if (pc_ref_normalize (ref, &norm, NULL) < 0)
    return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "%s: image not known", ref);
  if (strchr (norm, '@'))
    {
      pc_autofree char *repo = NULL, *digest = NULL;
      pc_ref_split (norm, &repo, NULL, &digest);
      if (lookup_digest (s, digest, out) == 0)
        return 0;
      return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "%s: image not known", ref);
    }
  if (lookup_name (s, norm, out) == 0)
    return 0;
  if (pc_ref_is_short (ref))
    {
      /* localhost/NAME first (what pc import/commit/build produce), then
         any registry's NAME. */
      const char *path_tag = norm + strlen ("docker.io/");
      if (strncmp (path_tag, "library/", 8) == 0 && strchr (ref, '/') == NULL)
        path_tag += 8;
      pc_autofree char *local = xasprintf ("localhost/%s", path_tag);
      if (lookup_name (s, local, out) == 0)
        return 0;
      if (lookup_short_scan (s, path_tag, out) == 0)
        return 0;
    }
  return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "%s: image not known", ref);
}

int
pc_store_list_images (struct pc_store *s, json_object **out, pc_error **err)
{
  int fd = openat (s->root_fd, "images", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return pc_error_errno (err, errno, "open `%s/images`", s->root);
  DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return pc_error_errno (err, errno, "read `%s/images`", s->root);
    }
  json_object *arr = json_object_new_array ();
  struct dirent *de;
  while ((de = readdir (d)))
    {
      size_t n = strlen (de->d_name);
      if (n != 69 || strcmp (de->d_name + 64, ".json") != 0)
        continue;
      pc_autoerror pc_error *e = NULL;
      pc_autofree char *p = xasprintf ("images/%s", de->d_name);
      json_object *rec = read_image_record (s->root_fd, p, &e);
      if (rec)
        json_object_array_add (arr, rec);
      else
        pc_warn ("skipping an image of %s: %s", s->root, e->msg);
    }
  closedir (d);
  *out = arr;
  return 0;
}

int
pc_store_image_record_labels (struct pc_store *s, json_object *rec, json_object **labels)
{
  *labels = NULL;
  pc_autoimage struct pc_image *img = NULL;
  pc_autoerror pc_error *e = NULL;
  if (pc_image_from_record (s, rec, &img, &e) < 0)
    return -1;
  /* pc_image_config, whose {} for a config it cannot read would be taken
     for one without labels. */
  pc_autofree char *digest = xasprintf ("sha256:%s", img->id);
  pc_autofree char *data = NULL;
  size_t len;
  if (pc_store_blob_read (s, digest, &data, &len, &e) < 0)
    return -1;
  pc_autojson json_object *config = pc_json_parse (data, len, &e);
  if (config == NULL || !json_object_is_type (config, json_type_object))
    return -1;
  json_object *l = pc_json_get_object (pc_json_get_object (config, "config"), "Labels");
  if (l && json_object_object_length (l))
    *labels = json_object_get (l);
  return 0;
}

int
pc_store_image_write_record (struct pc_store *s, json_object *rec, pc_error **err)
{
  pc_autofree char *p = xasprintf ("images/%s.json", pc_json_get_string (rec, "id"));
  return pc_json_write_file_atomic (s->root_fd, p, rec, 0600, err);
}

static int
set_link (struct pc_store *s, const char *dir, const char *key, const char *target, pc_error **err)
{
  pc_autofree char *lp = xasprintf ("%s/%s", dir, key);
  pc_autofree char *tmp = xasprintf ("%s/.tmp-%d-%s", dir, (int) getpid (), key);
  unlinkat (s->root_fd, tmp, 0);
  if (symlinkat (target, s->root_fd, tmp) < 0)
    return pc_error_errno (err, errno, "create `%s`", lp);
  if (renameat (s->root_fd, tmp, s->root_fd, lp) < 0)
    {
      int e = errno;
      unlinkat (s->root_fd, tmp, 0);
      return pc_error_errno (err, e, "rename `%s`", lp);
    }
  return 0;
}

/* Removes `name` from the record of image `id` (lock held). */
static int
record_drop_name (struct pc_store *s, const char *id, const char *name, pc_error **err)
{
  pc_autofree char *p = xasprintf ("images/%s.json", id);
  pc_autoerror pc_error *e = NULL;
  pc_autojson json_object *rec = read_image_record (s->root_fd, p, &e);
  if (rec == NULL)
    return 0;
  json_object *names = pc_json_get_array (rec, "names");
  json_object *nn = json_object_new_array ();
  bool changed = false;
  for (size_t i = 0; i < pc_json_array_len (names); i++)
    {
      const char *n = pc_json_array_string_at (names, i);
      if (n == NULL || strcmp (n, name) == 0)
        changed = true;
      else
        json_object_array_add (nn, json_object_new_string (n));
    }
  if (!changed)
    {
      json_object_put (nn);
      return 0;
    }
  json_object_object_add (rec, "names", nn);
  return pc_store_image_write_record (s, rec, err);
}

static void
add_history (json_object *rec, const char *name)
{
  json_object *h = pc_json_get (rec, "names_history");
  if (h == NULL || !json_object_is_type (h, json_type_array))
    {
      h = json_object_new_array ();
      json_object_object_add (rec, "names_history", h);
    }
  for (size_t i = 0; i < json_object_array_length (h); i++)
    if (pc_json_array_string_at (h, i) && strcmp (pc_json_array_string_at (h, i), name) == 0)
      {
        json_object_array_del_idx (h, i, 1);
        break;
      }
  /* Newest first, as podman's NamesHistory. */
  json_object_array_put_idx (h, json_object_array_length (h), NULL);
  for (size_t i = json_object_array_length (h) - 1; i > 0; i--)
    json_object_array_put_idx (h, i, json_object_get (json_object_array_get_idx (h, i - 1)));
  json_object_array_put_idx (h, 0, json_object_new_string (name));
}

/* Points names/<name> at id; the image that held the name before loses it. */
int
pc_store_name_set (struct pc_store *s, const char *id, const char *name, pc_error **err)
{
  pc_autofree char *esc = pc_name_escape (name);
  pc_autofree char *lp = xasprintf ("names/%s", esc);
  char prev[128];
  ssize_t n = readlinkat (s->root_fd, lp, prev, sizeof prev - 1);
  if (set_link (s, "names", esc, id, err) < 0)
    return -1;
  if (n > 0)
    {
      prev[n] = '\0';
      if (strcmp (prev, id) != 0 && record_drop_name (s, prev, name, err) < 0)
        return -1;
    }
  return 0;
}

int
pc_store_image_tag (struct pc_store *s, const char *id, const char *name, pc_error **err)
{
  pc_autofree char *norm = NULL;
  if (pc_ref_normalize (name, &norm, err) < 0)
    return -1;
  if (strchr (norm, '@'))
    return pc_error_make (err, EINVAL, "tag %s: cannot tag with a digest", name);
  if (pc_store_lock (s, err) < 0)
    return -1;
  int r = -1;
  pc_autofree char *p = xasprintf ("images/%s.json", id);
  pc_autojson json_object *rec = read_image_record (s->root_fd, p, err);
  if (rec == NULL)
    goto out;
  json_object *names = pc_json_get_array (rec, "names");
  if (names == NULL)
    {
      names = json_object_new_array ();
      json_object_object_add (rec, "names", names);
    }
  bool have = false;
  for (size_t i = 0; i < pc_json_array_len (names); i++)
    if (pc_json_array_string_at (names, i) && strcmp (pc_json_array_string_at (names, i), norm) == 0)
      have = true;
  if (!have)
    {
      json_object_array_add (names, json_object_new_string (norm));
      add_history (rec, norm);
      if (pc_store_image_write_record (s, rec, err) < 0)
        goto out;
    }
  r = pc_store_name_set (s, id, norm, err);
out:
  pc_store_unlock (s);
  return r;
}

int
pc_store_image_untag (struct pc_store *s, const char *id, const char *name, pc_error **err)
{
  pc_autofree char *norm = NULL;
  if (pc_ref_normalize (name, &norm, err) < 0)
    return -1;
  pc_autofree char *esc = pc_name_escape (norm);
  pc_autofree char *lp = xasprintf ("names/%s", esc);
  if (pc_store_lock (s, err) < 0)
    return -1;
  int r = -1;
  pc_autofree char *p = xasprintf ("images/%s.json", id);
  pc_autojson json_object *rec = read_image_record (s->root_fd, p, err);
  if (rec == NULL)
    goto out;
  json_object *names = pc_json_get_array (rec, "names");
  bool have = false;
  for (size_t i = 0; i < pc_json_array_len (names); i++)
    if (pc_json_array_string_at (names, i) && strcmp (pc_json_array_string_at (names, i), norm) == 0)
      have = true;
  if (!have)
    {
      pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "%s: tag not known", norm);
      goto out;
    }
  if (record_drop_name (s, id, norm, err) < 0)
    goto out;
  unlinkat (s->root_fd, lp, 0);
  r = 0;
out:
  pc_store_unlock (s);
  return r;
}

int
pc_store_image_register (struct pc_store *s, const struct pc_new_image *ni, pc_error **err)
{
  const char *id = ni->config_digest + 7;
  pc_autofree char *p = xasprintf ("images/%s.json", id);
  pc_autoerror pc_error *e = NULL;
  pc_autojson json_object *rec = read_image_record (s->root_fd, p, &e);
  if (rec == NULL)
    {
      rec = json_object_new_object ();
      json_object_object_add (rec, "id", json_object_new_string (id));
      json_object_object_add (rec, "names", json_object_new_array ());
      json_object_object_add (rec, "digest", json_object_new_string (ni->manifest_digest));
      json_object *digests = json_object_new_array ();
      json_object_array_add (digests, json_object_new_string (ni->manifest_digest));
      json_object_object_add (rec, "digests", digests);
      json_object_object_add (rec, "manifest_type", json_object_new_string (ni->manifest_type));
      json_object_object_add (rec, "config_digest", json_object_new_string (ni->config_digest));
      json_object *layers = json_object_new_array ();
      int64_t size = 0;
      for (size_t i = 0; i < ni->n_layers; i++)
        {
          const struct pc_image_layer *L = &ni->layers[i];
          json_object *l = json_object_new_object ();
          json_object_object_add (l, "chain_id", json_object_new_string (L->chain_id));
          json_object_object_add (l, "diff_id", json_object_new_string (L->diff_id));
          json_object_object_add (l, "blob", json_object_new_string (L->blob));
          json_object_object_add (l, "media_type", json_object_new_string (L->media_type));
          json_object_object_add (l, "blob_size", json_object_new_int64 (L->blob_size));
          json_object_object_add (l, "diff_size", json_object_new_int64 (L->diff_size));
          json_object_array_add (layers, l);
          size += L->diff_size;
        }
      json_object_object_add (rec, "layers", layers);
      json_object_object_add (rec, "size", json_object_new_int64 (size));
      const char *created = pc_json_get_string (ni->config, "created");
      pc_autofree char *now = pc_store_now_rfc3339 ();
      json_object_object_add (rec, "created", json_object_new_string (created ? created : now));
      json_object_object_add (rec, "loaded", json_object_new_string (now));
      json_object_object_add (rec, "names_history", json_object_new_array ());
    }
  else
    {
      /* Same config loaded again, maybe from another manifest: remember the digest. */
      json_object *digests = pc_json_get_array (rec, "digests");
      bool have = false;
      for (size_t i = 0; i < pc_json_array_len (digests); i++)
        if (pc_json_array_string_at (digests, i)
            && strcmp (pc_json_array_string_at (digests, i), ni->manifest_digest) == 0)
          have = true;
      if (!have && digests)
        json_object_array_add (digests, json_object_new_string (ni->manifest_digest));
    }
  json_object *names = pc_json_get_array (rec, "names");
  if (names == NULL)
    {
      names = json_object_new_array ();
      json_object_object_add (rec, "names", names);
    }
  for (char **n = ni->names; n && *n; n++)
    {
      bool have = false;
      for (size_t i = 0; i < pc_json_array_len (names); i++)
        if (pc_json_array_string_at (names, i) && strcmp (pc_json_array_string_at (names, i), *n) == 0)
          have = true;
      if (!have)
        {
          json_object_array_add (names, json_object_new_string (*n));
          add_history (rec, *n);
        }
    }
  if (pc_store_image_write_record (s, rec, err) < 0)
    return -1;
  for (char **n = ni->names; n && *n; n++)
    if (pc_store_name_set (s, id, *n, err) < 0)
      return -1;
  return set_link (s, "digests", ni->manifest_digest + 7, id, err);
}
