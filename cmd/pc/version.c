#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <json-c/json.h>

#include "cmd/pc/commands.h"
#include "lib/cleanup.h"

int
pc_cmd_version (const struct pc_command *cmd, int argc, char **argv)
{
  pc_autofree char *format = NULL;
  const struct pc_opt opts[] = {
    { "format", 'f', PC_OPT_STRING, &format, "string", "Change the output format to JSON" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, 0, &args, &nargs, &exit_code) != 0)
    return exit_code;

  struct utsname u;
  uname (&u);
  char osarch[160];
  snprintf (osarch, sizeof osarch, "%s/%s", strcmp (u.sysname, "Linux") == 0 ? "linux" : u.sysname,
            strcmp (u.machine, "x86_64") == 0 ? "amd64" : u.machine);
  if (format && strcmp (format, "json") == 0)
    {
      json_object *o = json_object_new_object ();
      json_object *client = json_object_new_object ();
      json_object_object_add (client, "Version", json_object_new_string (PC_VERSION));
      json_object_object_add (client, "OsArch", json_object_new_string (osarch));
      json_object_object_add (o, "Client", client);
      puts (json_object_to_json_string_ext (o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
      json_object_put (o);
    }
  else
    {
      printf ("Version:      %s\n", PC_VERSION);
      printf ("Built:        %s %s\n", __DATE__, __TIME__);
      printf ("OS/Arch:      %s\n", osarch);
    }
  return 0;
}
