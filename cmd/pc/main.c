/* pc: parse the global flags, then hand the words to the command table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/pc/cli.h"
#include "cmd/pc/commands.h"
#include "lib/log.h"
#include "lib/xalloc.h"

static const struct pc_opt global_opts[] = {
  { "root", 0, PC_OPT_STRING, &pc_global.root, "string", "Path to the root directory in which data, including images, is stored" },
  { "runroot", 0, PC_OPT_STRING, &pc_global.runroot, "string", "Path to the 'run directory' where all state information is stored" },
  { "storage-driver", 0, PC_OPT_STRING, &pc_global.storage_driver, "string", "Select which storage driver is used to manage storage of images and containers (overlay, fuse-overlayfs, vfs)" },
  { "log-level", 0, PC_OPT_STRING, &pc_global.log_level, "string", "Log messages above specified level (debug, info, warn, error)" },
  { NULL },
};

int
pc_cmd_help (const struct pc_command *cmd, int argc, char **argv)
{
  if (argc < 2)
    {
      pc_cli_print_help (&pc_root_command, global_opts);
      return 0;
    }
  /* `pc help image ls` == `pc image ls --help`: rebuild argv as
     {"pc", "image", "ls", "--help"} and dispatch from the root. */
  char **v = xmalloc ((size_t) (argc + 2) * sizeof (char *));
  v[0] = (char *) "pc";
  for (int i = 1; i < argc; i++)
    v[i] = argv[i];
  v[argc] = (char *) "--help";
  v[argc + 1] = NULL;
  int r = pc_cli_dispatch (&pc_root_command, NULL, argc + 1, v);
  free (v);
  return r;
}

int
main (int argc, char **argv)
{
  int i = 1;
  /* Global flags come before the command word, as with podman. */
  for (; i < argc && argv[i][0] == '-'; i++)
    {
      const char *a = argv[i];
      if (strcmp (a, "--version") == 0 || strcmp (a, "-v") == 0)
        {
          printf ("pc version %s\n", PC_VERSION);
          return 0;
        }
      if (strcmp (a, "--help") == 0 || strcmp (a, "-h") == 0)
        {
          pc_cli_print_help (&pc_root_command, global_opts);
          return 0;
        }
      const struct pc_opt *o = NULL;
      const char *eq = strchr (a, '=');
      size_t len = eq ? (size_t) (eq - a - 2) : strlen (a) - 2;
      for (const struct pc_opt *g = global_opts; g->name && a[1] == '-'; g++)
        if (strlen (g->name) == len && strncmp (g->name, a + 2, len) == 0)
          o = g;
      if (o == NULL)
        {
          fprintf (stderr, "Error: unknown flag: %s\nSee 'pc --help'\n", a);
          return PC_EXIT_ERROR;
        }
      const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
      if (value == NULL)
        {
          fprintf (stderr, "Error: flag needs an argument: %s\n", a);
          return PC_EXIT_ERROR;
        }
      free (*(char **) o->value);
      *(char **) o->value = xstrdup (value);
    }

  if (pc_global.log_level)
    {
      int level = pc_log_level_from_name (pc_global.log_level);
      if (level < 0)
        {
          fprintf (stderr, "Error: log level \"%s\" is not supported, choose from: debug, info, warn, error\n",
                   pc_global.log_level);
          return PC_EXIT_ERROR;
        }
      pc_log_set_level ((enum pc_log_level) level);
    }

  if (i >= argc)
    {
      pc_cli_print_help (&pc_root_command, global_opts);
      fprintf (stderr, "Error: missing command 'pc COMMAND'\n");
      return PC_EXIT_ERROR;
    }

  /* Re-enter the table with argv[0] = "pc" so families and leaves share one path. */
  argv[i - 1] = (char *) "pc";
  struct pc_command root = pc_root_command;
  root.path = NULL;
  return pc_cli_dispatch (&root, NULL, argc - i + 1, argv + i - 1);
}
