/* pc history / pc image history: podman 4.3's columns, flags and JSON
   (cmd/podman/images/history.go over containers/common's Image.History),
   checked side by side on this machine. */
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

/* Local images whose top layer is layer k of layers (their layers are a
   prefix of it): libimage names a history row after the first such image
   not named already, as its layer tree does. *out[k] holds the image IDs
   (list order); a NULL-terminated strv per layer. */
static char ***
layer_images (struct pc_engine *e, json_object *layers)
{
  size_t n = pc_json_array_len (layers);
  char ***out = xmalloc0 ((n + 1) * sizeof *out);
  pc_autojson json_object *list = NULL;
  pc_autoerror pc_error *err = NULL;
  if (pc_engine_image_list (e, &list, &err) < 0)
    return out;
  for (size_t i = 0; i < json_object_array_length (list); i++)
    {
      const char *id = pc_json_get_string (json_object_array_get_idx (list, i), "Id");
      pc_autojson json_object *insp = NULL;
      pc_autoerror pc_error *ierr = NULL;
      if (id == NULL || pc_engine_image_inspect (e, id, &insp, &ierr) < 0)
        continue;
      json_object *theirs = pc_json_get_array (pc_json_get (insp, "RootFS"), "Layers");
      size_t m = pc_json_array_len (theirs);
      if (m == 0 || m > n)
        continue;
      bool prefix = true;
      for (size_t k = 0; k < m && prefix; k++)
        prefix = strcmp (json_object_get_string (json_object_array_get_idx (theirs, k)) ?: "",
                         json_object_get_string (json_object_array_get_idx (layers, k)) ?: "") == 0;
      if (prefix)
        pc_strv_append (&out[m - 1], id);
    }
  return out;
}

static void
layer_images_free (char ***v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    pc_strv_free (v[i]);
  free (v);
}

/* podman's size words: units.HumanSizeWithPrecision (x, 3) with a space
   before the unit ("0 B", "10.2 kB", "2.14 MB"). */
static char *
size_words (int64_t bytes)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB" };
  double size = (double) bytes;
  size_t i = 0;
  while (size >= 1000 && i < sizeof units / sizeof *units - 1)
    {
      size /= 1000;
      i++;
    }
  return xasprintf ("%.3g %s", size, units[i]);
}

int
pc_cmd_image_history (const struct pc_command *cmd, int argc, char **argv)
{
  pc_autofree char *format = NULL;
  bool human = true, notrunc = false, quiet = false, format_set = false;
  const struct pc_opt opts[] = {
    { "format", 0, PC_OPT_STRING, &format, "string", "Change the output to JSON or a Go template", &format_set },
    { "human", 'H', PC_OPT_BOOL, &human, NULL, "Display sizes and dates in human readable format" },
    { "no-trunc", 0, PC_OPT_BOOL, &notrunc, NULL, "Do not truncate the output" },
    { "quiet", 'q', PC_OPT_BOOL, &quiet, NULL, "Display the numeric IDs only" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 1, 1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  pc_autojson json_object *hist = NULL, *insp = NULL;
  if (pc_engine_image_history (e, args[0], &hist, &err) < 0)
    return pc_cli_fail (err);
  if (pc_engine_image_inspect (e, args[0], &insp, &err) < 0)
    return pc_cli_fail (err);

  /* The config's history, newest first, beside the engine's rows (same
     entries, same order): which entries add a layer. */
  json_object *config_hist = pc_json_get_array (insp, "History");
  json_object *layers = pc_json_get_array (pc_json_get (insp, "RootFS"), "Layers");
  size_t nh = json_object_array_length (hist), nl = pc_json_array_len (layers);
  char ***named = layer_images (e, layers);
  pc_autojson json_object *used = json_object_new_object ();
  size_t layer = nl;  /* 1 + the layer the next row stands on; 0: none left */

  pc_autojson json_object *rows = json_object_new_array ();
  pc_autojson json_object *jrows = json_object_new_array ();
  for (size_t i = 0; i < nh; i++)
    {
      json_object *h = json_object_array_get_idx (hist, i);
      size_t ci = pc_json_array_len (config_hist) == nh ? nh - 1 - i : (size_t) -1;
      bool empty = ci != (size_t) -1
                   && pc_json_get_bool (pc_json_array_object_at (config_hist, ci), "empty_layer", false);
      const char *id = i == 0 ? pc_json_get_string (insp, "Id") : "<missing>";
      if (layer > 0)
        {
          /* "always use the first one", once */
          const char *first = named[layer - 1] ? named[layer - 1][0] : NULL;
          if (first && !json_object_object_get_ex (used, first, NULL))
            {
              json_object_object_add (used, first, NULL);
              id = first;
            }
          if (!empty)
            layer--;
        }
      const char *created = pc_json_get_string (h, "Created") ?: "";
      const char *by = pc_json_get_string (h, "CreatedBy") ?: "";
      const char *comment = pc_json_get_string (h, "Comment") ?: "";
      int64_t size = pc_json_get_int (h, "Size", 0);

      json_object *j = json_object_new_object ();
      json_object_object_add (j, "id", json_object_new_string (id));
      if (*created)
        json_object_object_add (j, "created", json_object_new_string (created));
      if (*by)
        json_object_object_add (j, "CreatedBy", json_object_new_string (by));
      json_object_object_add (j, "size", json_object_new_int64 (size));
      if (*comment)
        json_object_object_add (j, "comment", json_object_new_string (comment));
      json_object_object_add (j, "Created", json_object_new_string (created));
      json_object_array_add (jrows, j);

      struct timespec t = { 0 };
      if (*created)
        pc_time_parse_rfc3339 (created, &t, NULL);
      json_object *row = json_object_new_object ();
      size_t idl = strlen (id);
      json_object_object_add (row, "ID", json_object_new_string_len (id, !notrunc && idl >= 12 ? 12 : (int) idl));
      pc_autofree char *since = pc_time_human_ago (&t);
      json_object_object_add (row, "Created", json_object_new_string (human ? since : created));
      json_object_object_add (row, "CreatedSince", json_object_new_string (human ? since : created));
      char at[96];
      struct timespec whole = { .tv_sec = t.tv_sec };
      pc_format_go_time (&whole, true, at, sizeof at);
      json_object_object_add (row, "CreatedAt", json_object_new_string (at));
      pc_autofree char *cby = (!notrunc && strlen (by) > 45) ? xasprintf ("%.42s...", by) : xstrdup (by);
      json_object_object_add (row, "CreatedBy", json_object_new_string (cby));
      pc_autofree char *hs = size_words (size);
      json_object_object_add (row, "Size", json_object_new_string (hs));
      json_object_object_add (row, "Comment", json_object_new_string (comment));
      json_object_object_add (row, "Tags", json_object_new_array ());
      json_object_array_add (rows, row);
    }
  layer_images_free (named, nl);

  if (pc_format_is_json (format))
    {
      /* podman writes this one with json.Encoder: one line, no indent. */
      pc_autofree char *s = pc_json_to_string_compact (jrows);
      puts (s);
      return 0;
    }
  static const struct pc_format_column cols[] = {
    { "ID", "ID" }, { "Created", "CREATED" }, { "CreatedBy", "CREATED BY" },
    { "Size", "SIZE" }, { "Comment", "COMMENT" }, { NULL, NULL },
  };
  const char *tmpl = quiet ? "{{.ID}}" : format_set ? format : NULL;
  if (pc_format_print (stdout, tmpl, rows, cols, &err) < 0)
    return pc_cli_fail (err);
  return 0;
}
