/* pc port CTR [PORT[/PROTO]]: the container's published ports, as podman
   prints them ("80/tcp -> 0.0.0.0:8080"; with PORT only "0.0.0.0:8080"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/pc/container.h"
#include "cmd/pc/latest.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"

int
pc_cmd_port (const struct pc_command *cmd, int argc, char **argv)
{
  bool latest = false;
  const struct pc_opt opts[] = {
    { "latest", 'l', PC_OPT_BOOL, &latest, NULL, "Act on the latest container pc is aware of" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, 2, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (nargs == 0 && !latest)
    return pc_cli_errorf (PC_EXIT_ERROR, "you must supply a running container name or id");
  /* podman: with -l the one argument is the port. */
  pc_autostrv char **hold = NULL;
  int lrc = pc_cli_latest_args (NULL, latest, 0, &args, &nargs, &hold);
  if (lrc != 0)
    return lrc;
  pc_autoengine struct pc_engine *e = NULL;
  pc_autocontainer struct pc_container *c = NULL;
  int rc = pc_cli_open_container (0, args[0], 0, &e, &c);
  if (rc != 0)
    return rc;
  pc_autofree char *want = NULL;
  if (nargs > 1)
    want = strchr (args[1], '/') ? xstrdup (args[1]) : xasprintf ("%s/tcp", args[1]);
  json_object *pb = pc_json_get_object (pc_json_get (c->rec, "HostConfig"), "PortBindings");
  bool found = false;
  if (pb)
    {
      json_object_object_foreach (pb, key, arr)
        {
          if (want && strcmp (key, want) != 0)
            continue;
          for (size_t i = 0; i < pc_json_array_len (arr); i++)
            {
              json_object *b = pc_json_array_object_at (arr, i);
              const char *ip = pc_json_get_string (b, "HostIp");
              const char *hp = pc_json_get_string (b, "HostPort");
              if (ip == NULL || *ip == '\0')
                ip = "0.0.0.0";
              if (want)
                printf ("%s:%s\n", ip, hp ? hp : "");
              else
                printf ("%s -> %s:%s\n", key, ip, hp ? hp : "");
              found = true;
            }
        }
    }
  if (want && !found)
    return pc_cli_errorf (PC_EXIT_ERROR, "failed to find published port \"%s\"", args[1]);
  return 0;
}
