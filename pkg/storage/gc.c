/* Removing images and whatever only they used. What is still referenced is
   computed from the records each time (images + containers), so a crash
   half-way through a removal is repaired by the next one. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/storage/store-private.h"

struct strset
{
  char **v;
  size_t n, cap;
};

static void
set_add (struct strset *s, const char *x)
{
  if (x == NULL)
    return;
  if (s->n == s->cap)
    {
      s->cap = s->cap ? s->cap * 2 : 64;
      s->v = xrealloc (s->v, s->cap * sizeof (char *));
    }
  s->v[s->n++] = xstrdup (x);
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static bool
set_has (struct strset *s, const char *x)
{
  /* An empty set has no array, and bsearch's base must not be NULL. */
  return s->n > 0 && bsearch (&x, s->v, s->n, sizeof (char *), cmp_str) != NULL;
}

static void
set_free (struct strset *s)
{
  for (size_t i = 0; i < s->n; i++)
    free (s->v[i]);
  free (s->v);
}

static DIR *
open_sub (struct pc_store *s, const char *name)
{
  int fd = openat (s->root_fd, name, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  DIR *d = fdopendir (fd);
  if (d == NULL)
    close (fd);
  return d;
}

/* hex of every layer and blob the records reference */
static void
collect_refs (struct pc_store *s, struct strset *layers, struct strset *blobs)
{
  pc_autoerror pc_error *e = NULL;
  json_object *all = NULL;
  if (pc_store_list_images (s, &all, &e) == 0)
    {
      for (size_t i = 0; i < json_object_array_length (all); i++)
        {
          json_object *r = json_object_array_get_idx (all, i);
          const char *id = pc_json_get_string (r, "id");
          set_add (blobs, id);
          json_object *ds = pc_json_get (r, "digests");
          for (size_t j = 0; ds && j < json_object_array_length (ds); j++)
            {
              const char *d = json_object_get_string (json_object_array_get_idx (ds, j));
              if (d && strlen (d) == 71)
                set_add (blobs, d + 7);
            }
          json_object *ls = pc_json_get (r, "layers");
          for (size_t j = 0; ls && j < json_object_array_length (ls); j++)
            {
              json_object *l = json_object_array_get_idx (ls, j);
              const char *c = pc_json_get_string (l, "chain_id");
              const char *b = pc_json_get_string (l, "blob");
              if (c && strlen (c) == 71)
                set_add (layers, c + 7);
              if (b && strlen (b) == 71)
                set_add (blobs, b + 7);
            }
        }
      json_object_put (all);
    }
  DIR *d = open_sub (s, "containers");
  struct dirent *de;
  while (d && (de = readdir (d)))
    {
      if (de->d_name[0] == '.')
        continue;
      pc_autofree char *p = xasprintf ("%s/container.json", de->d_name);
      pc_autoerror pc_error *e2 = NULL;
      pc_autojson json_object *c = pc_json_read_file (dirfd (d), p, &e2);
      json_object *ls = c ? pc_json_get (c, "layers") : NULL;
      for (size_t j = 0; ls && j < json_object_array_length (ls); j++)
        {
          const char *x = json_object_get_string (json_object_array_get_idx (ls, j));
          if (x && strlen (x) == 71)
            set_add (layers, x + 7);
        }
    }
  if (d)
    closedir (d);
  /* qsort wants a non-NULL base even for zero elements. */
  if (layers->n > 0)
    qsort (layers->v, layers->n, sizeof (char *), cmp_str);
  if (blobs->n > 0)
    qsort (blobs->v, blobs->n, sizeof (char *), cmp_str);
}

int
pc_store_gc (struct pc_store *s, pc_error **err)
{
  struct strset layers = { 0 }, blobs = { 0 };
  /* Staging dirs of killed operations go with the rest of the garbage. */
  pc_staging_cleanup_stale (s);
  collect_refs (s, &layers, &blobs);
  int r = 0;
  DIR *d = open_sub (s, "layers");
  struct dirent *de;
  while (d && (de = readdir (d)))
    {
      if (de->d_name[0] == '.' || set_has (&layers, de->d_name))
        continue;
      /* layer.json first: a half-removed layer is never taken as present. */
      pc_autofree char *rec = xasprintf ("%s/layer.json", de->d_name);
      unlinkat (dirfd (d), rec, 0);
      if (pc_rm_rf_at (dirfd (d), de->d_name, err) < 0)
        {
          r = pc_error_wrap (err, "remove layer %s", de->d_name);
          break;
        }
    }
  if (d)
    closedir (d);
  d = r == 0 ? open_sub (s, "blobs/sha256") : NULL;
  while (d && (de = readdir (d)))
    {
      if (de->d_name[0] == '.' || set_has (&blobs, de->d_name))
        continue;
      unlinkat (dirfd (d), de->d_name, 0);
    }
  if (d)
    closedir (d);
  /* Containers directories without a record are remains of a crash. */
  d = r == 0 ? open_sub (s, "containers") : NULL;
  while (d && (de = readdir (d)))
    {
      if (de->d_name[0] == '.')
        continue;
      pc_autofree char *p = xasprintf ("%s/container.json", de->d_name);
      if (faccessat (dirfd (d), p, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
        {
          pc_autoerror pc_error *e = NULL;
          pc_rm_rf_at (dirfd (d), de->d_name, &e);
        }
    }
  if (d)
    closedir (d);
  set_free (&layers);
  set_free (&blobs);
  return r;
}

char **
pc_store_image_users (struct pc_store *s, const char *id)
{
  char **users = xmalloc0 (sizeof (char *));
  DIR *d = open_sub (s, "containers");
  struct dirent *de;
  while (d && (de = readdir (d)))
    {
      if (de->d_name[0] == '.')
        continue;
      pc_autofree char *p = xasprintf ("%s/container.json", de->d_name);
      pc_autoerror pc_error *e = NULL;
      pc_autojson json_object *c = pc_json_read_file (dirfd (d), p, &e);
      const char *img = c ? pc_json_get_string (c, "image") : NULL;
      if (img && strcmp (img, id) == 0)
        pc_strv_append (&users, de->d_name);
    }
  if (d)
    closedir (d);
  return users;
}

json_object *
pc_store_image_user_counts (struct pc_store *s)
{
  json_object *counts = json_object_new_object ();
  DIR *d = open_sub (s, "containers");
  struct dirent *de;
  while (d && (de = readdir (d)))
    {
      if (de->d_name[0] == '.')
        continue;
      pc_autofree char *p = xasprintf ("%s/container.json", de->d_name);
      pc_autoerror pc_error *e = NULL;
      pc_autojson json_object *c = pc_json_read_file (dirfd (d), p, &e);
      const char *img = c ? pc_json_get_string (c, "image") : NULL;
      json_object *n = NULL;
      if (img && json_object_object_get_ex (counts, img, &n))
        json_object_set_int (n, json_object_get_int (n) + 1);
      else if (img)
        json_object_object_add (counts, img, json_object_new_int (1));
    }
  if (d)
    closedir (d);
  return counts;
}

/* Drops every names/ and digests/ link pointing at id. */
static void
drop_links (struct pc_store *s, const char *dir, const char *id)
{
  DIR *d = open_sub (s, dir);
  struct dirent *de;
  while (d && (de = readdir (d)))
    {
      if (de->d_name[0] == '.')
        continue;
      char target[128];
      ssize_t n = readlinkat (dirfd (d), de->d_name, target, sizeof target - 1);
      if (n > 0)
        {
          target[n] = '\0';
          if (strcmp (target, id) == 0)
            unlinkat (dirfd (d), de->d_name, 0);
        }
    }
  if (d)
    closedir (d);
}

int
pc_store_image_delete (struct pc_store *s, const char *id, pc_error **err)
{
  if (pc_store_require_userns (__func__, err) < 0)
    return -1;
  if (pc_store_lock (s, err) < 0)
    return -1;
  int r = -1;
  pc_autofree char *p = xasprintf ("images/%s.json", id);
  pc_autoerror pc_error *e = NULL;
  pc_autojson json_object *rec = NULL;
  pc_autostrv char **users = pc_store_image_users (s, id);
  if (users[0])
    {
      pc_error_makec (err, PC_ERR_IN_USE, EBUSY, "image used by %s: image is in use by a container: consider listing external containers and force-removing image", users[0]);
      goto out;
    }
  rec = pc_json_read_file (s->root_fd, p, &e);
  json_object *names = rec ? pc_json_get (rec, "names") : NULL;
  for (size_t i = 0; names && i < json_object_array_length (names); i++)
    {
      pc_autofree char *esc = pc_name_escape (json_object_get_string (json_object_array_get_idx (names, i)));
      pc_autofree char *lp = xasprintf ("names/%s", esc);
      char target[128];
      ssize_t n = readlinkat (s->root_fd, lp, target, sizeof target - 1);
      if (n == 64 && strncmp (target, id, 64) == 0)
        unlinkat (s->root_fd, lp, 0);
    }
  json_object *ds = rec ? pc_json_get (rec, "digests") : NULL;
  for (size_t i = 0; ds && i < json_object_array_length (ds); i++)
    {
      const char *dg = json_object_get_string (json_object_array_get_idx (ds, i));
      if (dg == NULL || strlen (dg) != 71)
        continue;
      pc_autofree char *lp = xasprintf ("digests/%s", dg + 7);
      char target[128];
      ssize_t n = readlinkat (s->root_fd, lp, target, sizeof target - 1);
      if (n == 64 && strncmp (target, id, 64) == 0)
        unlinkat (s->root_fd, lp, 0);
    }
  if (rec == NULL)
    {
      /* No record: remove dangling links (slow path). */
      drop_links (s, "names", id);
      drop_links (s, "digests", id);
    }
  if (unlinkat (s->root_fd, p, 0) < 0 && errno != ENOENT)
    {
      pc_error_errno (err, errno, "remove image record %s", id);
      goto out;
    }
  r = pc_store_gc (s, err);
out:
  pc_store_unlock (s);
  return r;
}
