/* pc info: the engine's host facts (as podman info's host section, plus the
   rootless prerequisites), store paths and version, printed as YAML,
   --format json or a Go template. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cmd/pc/commands.h"
#include "lib/cleanup.h"
#include "lib/format.h"
#include "lib/xalloc.h"
#include "pkg/engine/engine.h"

/* Templates name podman's Go struct fields (`{{.Host.Security.Rootless}}`,
   `{{.Store.GraphRoot}}`), not the JSON keys: a copy with those names. */
static json_object *
go_names (json_object *o)
{
  static const char *const special[][2] = {
    { "cgroupVersion", "CgroupsVersion" }, { "cpus", "CPUs" }, { "os", "OS" },
    { "idMappings", "IDMappings" }, { "uidmap", "UIDMap" }, { "gidmap", "GIDMap" },
    { "container_id", "ContainerID" }, { "host_id", "HostID" },
  };
  if (o == NULL)
    return NULL;
  if (json_object_is_type (o, json_type_array))
    {
      json_object *a = json_object_new_array ();
      for (size_t i = 0; i < json_object_array_length (o); i++)
        json_object_array_add (a, go_names (json_object_array_get_idx (o, i)));
      return a;
    }
  if (!json_object_is_type (o, json_type_object))
    return json_object_get (o);
  json_object *c = json_object_new_object ();
  json_object_object_foreach (o, k, v)
    {
      const char *name = NULL;
      for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        if (strcmp (k, special[i][0]) == 0)
          name = special[i][1];
      pc_autofree char *cap = xstrdup (k);
      if (cap[0] >= 'a' && cap[0] <= 'z')
        cap[0] = (char) (cap[0] - 'a' + 'A');
      json_object_object_add (c, name ? name : cap, go_names (v));
    }
  return c;
}

/* YAML as podman prints it: two-space indent, "- " for list items. */
static void
yaml (json_object *o, int indent, bool in_list)
{
  if (json_object_is_type (o, json_type_object))
    {
      bool first = true;
      json_object_object_foreach (o, k, v)
        {
          int ind = in_list && first ? 0 : indent;
          printf ("%*s%s:", ind, "", k);
          first = false;
          if (v && json_object_is_type (v, json_type_object) && json_object_object_length (v) > 0)
            {
              putchar ('\n');
              yaml (v, indent + 2, false);
            }
          else if (v && json_object_is_type (v, json_type_array) && json_object_array_length (v) > 0)
            {
              putchar ('\n');
              yaml (v, indent, false);
            }
          else if (v == NULL)
            printf (" null\n");
          else if (json_object_is_type (v, json_type_array))
            printf (" []\n");
          else if (json_object_is_type (v, json_type_object))
            printf (" {}\n");
          else
            {
              const char *s = json_object_get_string (v);
              bool quote = json_object_is_type (v, json_type_string)
                           && (*s == '\0' || strpbrk (s, ":#\"'{}[],&*!|>%@`") || s[0] == ' ');
              if (quote)
                {
                  printf (" '");
                  for (const char *c = s; *c; c++)
                    printf (*c == '\'' ? "''" : "%c", *c);
                  printf ("'\n");
                }
              else
                printf (" %s\n", s);
            }
        }
      return;
    }
  if (json_object_is_type (o, json_type_array))
    {
      size_t n = json_object_array_length (o);
      for (size_t i = 0; i < n; i++)
        {
          json_object *v = json_object_array_get_idx (o, i);
          printf ("%*s- ", indent, "");
          if (v && json_object_is_type (v, json_type_object))
            yaml (v, indent + 2, true);
          else
            printf ("%s\n", v ? json_object_get_string (v) : "null");
        }
    }
}

int
pc_cmd_info (const struct pc_command *cmd, int argc, char **argv)
{
  pc_autofree char *format = NULL;
  const struct pc_opt opts[] = {
    { "format", 'f', PC_OPT_STRING, &format, "string", "Change the output format to JSON or a Go template" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, 0, &args, &nargs, &exit_code) != 0)
    return exit_code;
  const struct pc_engine_options eo = { .root = pc_global.root, .runroot = pc_global.runroot };
  json_object *o = pc_engine_info (&eo);
  int ret = 0;
  if (format && strcmp (format, "json") == 0)
    puts (json_object_to_json_string_ext (o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                                                 | JSON_C_TO_STRING_NOSLASHESCAPE));
  else if (format)
    {
      json_object *g = go_names (o);
      pc_error *err = NULL;
      if (pc_format_template_one (stdout, format, g, &err) < 0)
        ret = pc_cli_fail (err);
      json_object_put (g);
    }
  else
    yaml (o, 0, false);
  json_object_put (o);
  return ret;
}
