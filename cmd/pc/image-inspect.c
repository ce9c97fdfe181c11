/* pc image inspect and pc image history, with podman's field names. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/pc/commands.h"
#include "cmd/pc/image.h"
#include "lib/cleanup.h"
#include "lib/format.h"
#include "lib/json.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

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

json_object *
pc_image_inspect_json (struct pc_store *s, struct pc_image *img)
{
  json_object *rec = pc_image_record (img);
  json_object *cfg = pc_image_config (img);
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "Id", json_object_new_string (pc_image_id (img)));
  json_object_object_add (o, "Digest", json_object_new_string (pc_image_digest (img) ?: ""));
  json_object_object_add (o, "RepoTags", strv_json (pc_image_names (img)));
  json_object_object_add (o, "RepoDigests", pc_image_repo_digests (rec));
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
  json_object *nh = pc_json_get (rec, "names_history");
  json_object_object_add (o, "NamesHistory", nh && json_object_array_length (nh) ? json_object_get (nh) : NULL);
  return o;
}

int
pc_cmd_image_inspect (const struct pc_command *cmd, int argc, char **argv)
{
  pc_autofree char *format = NULL;
  const struct pc_opt opts[] = {
    { "format", 'f', PC_OPT_STRING, &format, "string", "Format the output to a Go template or json" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 1, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autostore struct pc_store *s = pc_cli_open_store ();
  if (s == NULL)
    return PC_EXIT_ERROR;
  pc_autojson json_object *arr = json_object_new_array ();
  int status = 0;
  for (int i = 0; i < nargs; i++)
    {
      pc_error *err = NULL;
      pc_autoimage struct pc_image *img = NULL;
      if (pc_store_image_lookup (s, args[i], &img, &err) < 0)
        {
          status = pc_cli_fail (err);
          continue;
        }
      json_object_array_add (arr, pc_image_inspect_json (s, img));
    }
  if (format && strcmp (format, "json") != 0)
    {
      for (size_t i = 0; i < json_object_array_length (arr); i++)
        {
          pc_error *err = NULL;
          if (pc_format_template_one (stdout, format, json_object_array_get_idx (arr, i), &err) < 0)
            return pc_cli_fail (err);
        }
    }
  else
    {
      pc_autofree char *out = pc_json_to_string_pretty (arr);
      puts (out);
    }
  return status;
}

int
pc_cmd_image_history (const struct pc_command *cmd, int argc, char **argv)
{
  pc_autofree char *format = NULL;
  bool human = true, notrunc = false, quiet = false;
  const struct pc_opt opts[] = {
    { "format", 0, PC_OPT_STRING, &format, "string", "Change the output to JSON or a Go template" },
    { "human", 'H', PC_OPT_BOOL, &human, NULL, "Display sizes and dates in human readable format" },
    { "no-trunc", 0, PC_OPT_BOOL, &notrunc, NULL, "Do not truncate the output" },
    { "quiet", 'q', PC_OPT_BOOL, &quiet, NULL, "Display the numeric IDs only" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 1, 1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autostore struct pc_store *s = NULL;
  pc_autoimage struct pc_image *img = NULL;
  int rc = pc_cli_open_image (args[0], 0, &s, &img);
  if (rc != 0)
    return rc;
  pc_error *err = NULL;
  json_object *hist = pc_json_get (pc_image_config (img), "history");
  size_t nh = hist ? json_object_array_length (hist) : 0;
  size_t nl = pc_image_n_layers (img);
  /* Non-empty history entries map to layers bottom-up; newest printed first. */
  pc_autojson json_object *rows = json_object_new_array ();
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
      const char *id = pc_image_id (img);
      pc_autofree char *sid = top ? (notrunc ? xstrdup (id) : xstrndup (id, 12)) : xstrdup ("<missing>");
      json_object_object_add (row, "ID", json_object_new_string (sid));
      const char *created = pc_json_get_string (h, "created");
      struct timespec t = { 0 };
      if (created)
        pc_time_parse_rfc3339 (created, &t, NULL);
      pc_autofree char *since = pc_time_human_ago (&t);
      json_object_object_add (row, "Created", json_object_new_string (human ? since : created ?: ""));
      json_object_object_add (row, "CreatedAt", json_object_new_string (created ?: ""));
      json_object_object_add (row, "CreatedSince", json_object_new_string (since));
      const char *by = pc_json_get_string (h, "created_by") ?: "";
      pc_autofree char *cby = (!notrunc && strlen (by) > 45) ? xasprintf ("%.42s...", by) : xstrdup (by);
      json_object_object_add (row, "CreatedBy", json_object_new_string (cby));
      pc_autofree char *hs = pc_size_human (size);
      pc_autofree char *raw = xasprintf ("%lld", (long long) size);
      json_object_object_add (row, "Size", json_object_new_string (human ? hs : raw));
      json_object_object_add (row, "Comment", json_object_new_string (pc_json_get_string (h, "comment") ?: ""));
      tmp[i] = row;
    }
  for (size_t i = nh; i > 0; i--)
    json_object_array_add (rows, tmp[i - 1]);
  free (tmp);
  if (quiet)
    {
      for (size_t i = 0; i < json_object_array_length (rows); i++)
        puts (pc_json_get_string (json_object_array_get_idx (rows, i), "ID"));
      return 0;
    }
  static const struct pc_format_column cols[] = {
    { "ID", "ID" }, { "Created", "CREATED" }, { "CreatedBy", "CREATED BY" },
    { "Size", "SIZE" }, { "Comment", "COMMENT" }, { NULL, NULL },
  };
  if (pc_format_print (stdout, format, rows, cols, &err) < 0)
    return pc_cli_fail (err);
  return 0;
}
