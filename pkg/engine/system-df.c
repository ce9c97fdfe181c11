/* pc system df, prune and reset: disk usage of images, containers and
   volumes as podman's `system df` counts it, and the two commands that
   give it back (pkg/engine/system.h). */
#define _XOPEN_SOURCE 700
#include "pkg/engine/system.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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
#include "pkg/engine/internal.h"
#include "pkg/storage/storage.h"

static int64_t du_total;

static int
du_one (const char *path, const struct stat *st, int flag, struct FTW *f)
{
  (void) path;
  (void) f;
  if (flag == FTW_F || flag == FTW_SL)
    du_total += (int64_t) st->st_size;
  return 0;
}

int64_t
pc_engine_du (const char *path)
{
  du_total = 0;
  if (nftw (path, du_one, 32, FTW_PHYS | FTW_MOUNT) < 0)
    return du_total;
  return du_total;
}

static char *
short_id (const char *id)
{
  const char *s = id && strncmp (id, "sha256:", 7) == 0 ? id + 7 : (id ? id : "");
  return xstrndup (s, 12);
}

static json_object *
image_rows (struct pc_engine *e, pc_error **err)
{
  pc_autojson json_object *imgs = NULL;
  if (pc_engine_image_list (e, &imgs, err) < 0)
    return NULL;
  json_object *rows = json_object_new_array ();
  for (size_t i = 0; i < pc_json_array_len (imgs); i++)
    {
      json_object *im = pc_json_array_object_at (imgs, i);
      const char *name = pc_json_array_string_at (pc_json_get_array (im, "Names"), 0);
      pc_autofree char *repo = NULL, *tag = NULL;
      const char *colon = name ? strrchr (name, ':') : NULL;
      if (colon && strchr (colon, '/') == NULL)
        {
          repo = xstrndup (name, (size_t) (colon - name));
          tag = xstrdup (colon + 1);
        }
      else
        {
          repo = xstrdup (name ? name : "<none>");
          tag = xstrdup ("<none>");
        }
      int64_t size = pc_json_get_int (im, "Size", 0), shared = pc_json_get_int (im, "SharedSize", 0);
      pc_autofree char *id = short_id (pc_json_get_string (im, "Id"));
      json_object *r = json_object_new_object ();
      json_object_object_add (r, "Repository", json_object_new_string (repo));
      json_object_object_add (r, "Tag", json_object_new_string (tag));
      json_object_object_add (r, "ImageID", json_object_new_string (id));
      json_object_object_add (r, "Created", json_object_new_int64 (pc_json_get_int (im, "Created", 0)));
      json_object_object_add (r, "Size", json_object_new_int64 (size));
      json_object_object_add (r, "SharedSize", json_object_new_int64 (shared));
      json_object_object_add (r, "UniqueSize", json_object_new_int64 (size - shared));
      json_object_object_add (r, "Containers", json_object_new_int64 (pc_json_get_int (im, "Containers", 0)));
      json_object_array_add (rows, r);
    }
  return rows;
}

static char *
command_of (json_object *rec)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream (&buf, &len);
  bool first = true;
  for (int k = 0; k < 2; k++)
    {
      json_object *a = pc_json_get (rec, k ? "Config.Cmd" : "Config.Entrypoint");
      for (size_t i = 0; i < pc_json_array_len (a); i++)
        {
          const char *s = pc_json_array_string_at (a, i);
          fprintf (m, "%s%s", first ? "" : " ", s ? s : "");
          first = false;
        }
    }
  fclose (m);
  return buf;
}

static json_object *
container_row (struct pc_engine *e, struct pc_container *c)
{
  int64_t rootfs = 0, rw = 0;
  pc_autoerror pc_error *serr = NULL;
  if (pc_engine_container_size (e, c, &rootfs, &rw, &serr) < 0)
    rw = 0;
  size_t vols = 0;
  json_object *mounts = pc_json_get_array (c->rec, "Mounts");
  for (size_t i = 0; i < pc_json_array_len (mounts); i++)
    {
      const char *t = pc_json_get_string (pc_json_array_object_at (mounts, i), "Type");
      if (t && strcmp (t, "volume") == 0)
        vols++;
    }
  pc_autofree char *id = short_id (c->id);
  pc_autofree char *img = short_id (pc_json_get_string (c->rec, "Image"));
  pc_autofree char *cmd = command_of (c->rec);
  bool running = c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED;
  json_object *r = json_object_new_object ();
  json_object_object_add (r, "ContainerID", json_object_new_string (id));
  json_object_object_add (r, "Image", json_object_new_string (img));
  json_object_object_add (r, "Command", json_object_new_string (cmd));
  json_object_object_add (r, "LocalVolumes", json_object_new_int64 ((int64_t) vols));
  json_object_object_add (r, "Size", json_object_new_int64 (rw));
  json_object_object_add (r, "Created", json_object_new_int64 (c->created.tv_sec));
  json_object_object_add (r, "Status", json_object_new_string (pc_container_status_name (c->state.status)));
  json_object_object_add (r, "Names", json_object_new_string (c->name));
  json_object_object_add (r, "Running", json_object_new_boolean (running));
  return r;
}

static json_object *
volume_rows (struct pc_engine *e, pc_error **err)
{
  pc_autojson json_object *vols = NULL;
  if (pc_engine_volume_list (e, &vols, err) < 0)
    return NULL;
  json_object *rows = json_object_new_array ();
  for (size_t i = 0; i < pc_json_array_len (vols); i++)
    {
      json_object *v = pc_json_array_object_at (vols, i);
      const char *mp = pc_json_get_string (v, "Mountpoint");
      const char *name = pc_json_get_string (v, "Name");
      json_object *r = json_object_new_object ();
      json_object_object_add (r, "VolumeName", json_object_new_string (name ? name : ""));
      /* Links: the containers whose records name it, running or not. */
      pc_autostrv char **ids = NULL;
      size_t running = 0;
      pc_autoerror pc_error *uerr = NULL;
      int users = name ? eng_volume_users (e, name, &ids, &running, &uerr) : 0;
      json_object_object_add (r, "Links", json_object_new_int64 (users > 0 ? users : 0));
      json_object_object_add (r, "Size", json_object_new_int64 (mp ? pc_engine_du (mp) : 0));
      json_object_array_add (rows, r);
    }
  return rows;
}

int
pc_engine_system_df (struct pc_engine *e, json_object **out, pc_error **err)
{
  pc_autojson json_object *o = json_object_new_object ();
  json_object *imgs = image_rows (e, err);
  if (imgs == NULL)
    return -1;
  json_object_object_add (o, "Images", imgs);
  struct pc_container **all = NULL;
  size_t n = 0;
  if (pc_engine_list (e, &all, &n, err) < 0)
    return -1;
  json_object *ctrs = json_object_new_array ();
  for (size_t i = 0; i < n; i++)
    json_object_array_add (ctrs, container_row (e, all[i]));
  pc_container_list_free (all, n);
  json_object_object_add (o, "Containers", ctrs);
  json_object *vols = volume_rows (e, err);
  if (vols == NULL)
    return -1;
  json_object_object_add (o, "Volumes", vols);
  *out = steal_pointer (&o);
  return 0;
}

/* ---- prune ---- */

void
pc_engine_prune_report_clear (struct pc_engine_prune_report *r)
{
  pc_strv_free (r->containers);
  pc_strv_free (r->volumes);
  pc_strv_free (r->images);
  memset (r, 0, sizeof *r);
}

/* label=K[=V] / label!=K[=V] against labels. */
static bool
label_match (json_object *labels, const char *kv)
{
  const char *eq = strchr (kv, '=');
  pc_autofree char *k = eq ? xstrndup (kv, (size_t) (eq - kv)) : xstrdup (kv);
  const char *have = pc_json_get_string (labels, k);
  return have && (eq == NULL || strcmp (have, eq + 1) == 0);
}

static bool
container_match (const struct pc_container *c, char *const *filters, const struct timespec *until)
{
  json_object *labels = pc_json_get (c->rec, "Config.Labels");
  for (size_t i = 0; filters && filters[i]; i++)
    {
      if (strncmp (filters[i], "label=", 6) == 0 && !label_match (labels, filters[i] + 6))
        return false;
      if (strncmp (filters[i], "label!=", 7) == 0 && label_match (labels, filters[i] + 7))
        return false;
    }
  return until->tv_sec == 0 || c->created.tv_sec < until->tv_sec;
}

static int
check_filters (char *const *filters, struct timespec *until, pc_error **err)
{
  memset (until, 0, sizeof *until);
  for (size_t i = 0; filters && filters[i]; i++)
    {
      const char *f = filters[i];
      if (strncmp (f, "label=", 6) == 0 || strncmp (f, "label!=", 7) == 0)
        continue;
      if (strncmp (f, "until=", 6) == 0)
        {
          if (pc_parse_time_or_duration (f + 6, until, err) < 0)
            return pc_error_set_class (err, PC_ERR_INVALID);
          continue;
        }
      const char *eq = strchr (f, '=');
      return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%.*s is an invalid filter",
                             (int) (eq ? (size_t) (eq - f) : strlen (f)), f);
    }
  return 0;
}

static int
prune_containers (struct pc_engine *e, char *const *filters, const struct timespec *until,
                  struct pc_engine_prune_report *r, pc_error **err)
{
  struct pc_container **all = NULL;
  size_t n = 0;
  if (pc_engine_list (e, &all, &n, err) < 0)
    return -1;
  int ret = 0;
  for (size_t i = 0; i < n && ret == 0; i++)
    {
      struct pc_container *c = all[i];
      if (c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED
          || !container_match (c, filters, until))
        continue;
      int64_t rootfs = 0, rw = 0;
      pc_autoerror pc_error *serr = NULL;
      if (pc_engine_container_size (e, c, &rootfs, &rw, &serr) < 0)
        rw = 0;
      pc_autoerror pc_error *rerr = NULL;
      if (pc_engine_remove (e, c, false, -1, &rerr) < 0)
        {
          /* Started meanwhile: it stays, as podman's prune leaves it. */
          if (pc_error_class_of (rerr) == PC_ERR_STATE)
            continue;
          *err = steal_pointer (&rerr);
          ret = -1;
          break;
        }
      pc_strv_append (&r->containers, c->id);
      r->reclaimed += rw;
    }
  pc_container_list_free (all, n);
  return ret;
}

/* The bytes of each volume, by name, measured before
   the prune takes them. */
static json_object *
unused_volume_sizes (struct pc_engine *e, pc_error **err)
{
  pc_autojson json_object *vols = NULL;
  if (pc_engine_volume_list (e, &vols, err) < 0)
    return NULL;
  json_object *sizes = json_object_new_object ();
  for (size_t i = 0; i < pc_json_array_len (vols); i++)
    {
      json_object *v = pc_json_array_object_at (vols, i);
      const char *n = pc_json_get_string (v, "Name");
      const char *mp = pc_json_get_string (v, "Mountpoint");
      if (n && mp)
        json_object_object_add (sizes, n, json_object_new_int64 (pc_engine_du (mp)));
    }
  return sizes;
}

/* With filters: the images no container uses (dangling only unless all)
   whose labels and creation match, one by one. */
static int
prune_images_filtered (struct pc_engine *e, bool all, char *const *filters, const struct timespec *until,
                       struct pc_engine_prune_report *r, pc_error **err)
{
  pc_autojson json_object *imgs = NULL;
  if (pc_engine_image_list (e, &imgs, err) < 0)
    return -1;
  for (size_t i = 0; i < pc_json_array_len (imgs); i++)
    {
      json_object *im = pc_json_array_object_at (imgs, i);
      const char *id = pc_json_get_string (im, "Id");
      if (id == NULL || pc_json_get_int (im, "Containers", 0) > 0
          || (!all && pc_json_array_len (pc_json_get_array (im, "Names")) > 0))
        continue;
      json_object *labels = pc_json_get_object (im, "Labels");
      bool m = until->tv_sec == 0 || pc_json_get_int (im, "Created", 0) < until->tv_sec;
      for (size_t k = 0; m && filters && filters[k]; k++)
        {
          if (strncmp (filters[k], "label=", 6) == 0)
            m = label_match (labels, filters[k] + 6);
          else if (strncmp (filters[k], "label!=", 7) == 0)
            m = !label_match (labels, filters[k] + 7);
        }
      if (!m)
        continue;
      struct pc_engine_rmi_result res;
      pc_autoerror pc_error *rerr = NULL;
      if (pc_engine_image_remove (e, id, false, true, &res, &rerr) < 0)
        {
          if (pc_error_class_of (rerr) == PC_ERR_IN_USE || pc_error_class_of (rerr) == PC_ERR_NOT_FOUND)
            continue;
          *err = steal_pointer (&rerr);
          return -1;
        }
      pc_engine_rmi_result_clear (&res);
      pc_strv_append (&r->images, id);
      r->reclaimed += pc_json_get_int (im, "Size", 0);
    }
  return 0;
}

int
pc_engine_system_prune (struct pc_engine *e, bool all, bool volumes, char *const *filters,
                        struct pc_engine_prune_report *r, pc_error **err)
{
  memset (r, 0, sizeof *r);
  struct timespec until;
  if (check_filters (filters, &until, err) < 0)
    return -1;
  if (prune_containers (e, filters, &until, r, err) < 0)
    return -1;
  if (volumes)
    {
      pc_autojson json_object *sizes = unused_volume_sizes (e, err);
      if (sizes == NULL || pc_engine_volume_prune (e, filters, &r->volumes, err) < 0)
        return -1;
      for (size_t i = 0; r->volumes && r->volumes[i]; i++)
        r->reclaimed += pc_json_get_int (sizes, r->volumes[i], 0);
    }
  if (filters && filters[0])
    return prune_images_filtered (e, all, filters, &until, r, err);
  pc_autojson json_object *imgs = NULL;
  if (pc_engine_image_list (e, &imgs, err) < 0)
    return -1;
  pc_autostrv char **removed = NULL;
  if (pc_engine_image_prune (e, all, &removed, err) < 0)
    return -1;
  for (size_t i = 0; removed && removed[i]; i++)
    {
      pc_strv_append (&r->images, removed[i]);
      for (size_t k = 0; k < pc_json_array_len (imgs); k++)
        {
          json_object *im = pc_json_array_object_at (imgs, k);
          const char *id = pc_json_get_string (im, "Id");
          if (id && strcmp (id, removed[i]) == 0)
            r->reclaimed += pc_json_get_int (im, "Size", 0);
        }
    }
  return 0;
}

/* ---- reset ---- */

void
pc_engine_system_dirs (const struct pc_engine_options *o, char **root, char **runroot)
{
  *root = o && o->root ? xstrdup (o->root) : pc_storage_default_root ();
  *runroot = o && o->runroot ? xstrdup (o->runroot) : pc_storage_default_runroot ();
}

static bool
too_precious (const char *path)
{
  char real[4096];
  const char *home = getenv ("HOME");
  if (realpath (path, real) == NULL)
    return false;
  if (strcmp (real, "/") == 0)
    return true;
  char rhome[4096];
  return home && realpath (home, rhome) && strcmp (real, rhome) == 0;
}

int
pc_engine_system_reset (const struct pc_engine_options *o, pc_error **err)
{
  pc_autofree char *root = NULL, *runroot = NULL;
  pc_engine_system_dirs (o, &root, &runroot);
  if (too_precious (root) || too_precious (runroot))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "refusing to remove %s: the store root and runroot must be directories of their own",
                           too_precious (root) ? root : runroot);
  struct pc_engine *e = NULL;
  if (pc_engine_open (o, PC_ENGINE_USERNS, &e, err) < 0)
    return -1;
  struct pc_container **all = NULL;
  size_t n = 0;
  int ret = pc_engine_list (e, &all, &n, err);
  for (size_t i = 0; ret == 0 && i < n; i++)
    {
      pc_autoerror pc_error *rerr = NULL;
      if (pc_engine_remove (e, all[i], true, -1, &rerr) < 0)
        pc_warn ("removing container %s: %s", all[i]->id, rerr->msg);
    }
  pc_container_list_free (all, n);
  pc_engine_close (e);
  if (ret < 0)
    return -1;
  /* Whatever is left (images, volumes, records, the events log) goes with
     the two directories. */
  if (pc_rm_rf_at (AT_FDCWD, root, err) < 0)
    return pc_error_wrap (err, "remove %s", root);
  if (pc_rm_rf_at (AT_FDCWD, runroot, err) < 0)
    return pc_error_wrap (err, "remove %s", runroot);
  return 0;
}
