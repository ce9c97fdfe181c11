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
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_autojson json_object *arr = json_object_new_array ();
  int status = 0;
  for (int i = 0; i < nargs; i++)
    {
      pc_error *err = NULL;
      json_object *o = NULL;
      if (pc_engine_image_inspect (e, args[i], &o, &err) < 0)
        {
          status = pc_cli_fail (err);
          continue;
        }
      json_object_array_add (arr, o);
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
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  pc_autojson json_object *hist = NULL;
  if (pc_engine_image_history (e, args[0], &hist, &err) < 0)
    return pc_cli_fail (err);
  pc_autojson json_object *rows = json_object_new_array ();
  for (size_t i = 0; i < json_object_array_length (hist); i++)
    {
      json_object *h = json_object_array_get_idx (hist, i);
      json_object *row = json_object_new_object ();
      const char *id = pc_json_get_string (h, "ID") ?: "";
      bool missing = strcmp (id, "<missing>") == 0;
      pc_autofree char *sid = (missing || notrunc) ? xstrdup (id) : xstrndup (id, 12);
      json_object_object_add (row, "ID", json_object_new_string (sid));
      const char *created = pc_json_get_string (h, "Created");
      struct timespec t = { 0 };
      if (created && *created)
        pc_time_parse_rfc3339 (created, &t, NULL);
      pc_autofree char *since = pc_time_human_ago (&t);
      json_object_object_add (row, "Created", json_object_new_string (human ? since : created ?: ""));
      json_object_object_add (row, "CreatedAt", json_object_new_string (created ?: ""));
      json_object_object_add (row, "CreatedSince", json_object_new_string (since));
      const char *by = pc_json_get_string (h, "CreatedBy") ?: "";
      pc_autofree char *cby = (!notrunc && strlen (by) > 45) ? xasprintf ("%.42s...", by) : xstrdup (by);
      json_object_object_add (row, "CreatedBy", json_object_new_string (cby));
      int64_t size = pc_json_get_int (h, "Size", 0);
      pc_autofree char *hs = pc_size_human (size);
      pc_autofree char *raw = xasprintf ("%lld", (long long) size);
      json_object_object_add (row, "Size", json_object_new_string (human ? hs : raw));
      json_object_object_add (row, "Comment", json_object_new_string (pc_json_get_string (h, "Comment") ?: ""));
      json_object_array_add (rows, row);
    }
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
