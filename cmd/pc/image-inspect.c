/* pc image inspect, with podman's field names (history: history.c). */
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
