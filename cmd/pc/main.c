/* pc: parse the global flags, then hand the words to the command table. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/pc/cli.h"
#include "cmd/pc/commands.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/engine/engine.h"

/* Global flags podman users' scripts pass that only main() reads. */
static struct
{
  char *runtime, *events_backend, *cgroup_manager, *tmpdir, *out;
  char **storage_opts, **modules;
  bool noout, syslog;
} g;

static const struct pc_opt global_opts[] = {
  { "cgroup-manager", 0, PC_OPT_STRING, &g.cgroup_manager, "string", "Cgroup manager to use (\"cgroupfs\"|\"systemd\"); pc places no container in a cgroup of its own, so it changes nothing" },
  { "events-backend", 0, PC_OPT_STRING, &g.events_backend, "string", "Events backend to use (\"file\"|\"journald\"|\"none\") (default \"file\")" },
  { "log-level", 0, PC_OPT_STRING, &pc_global.log_level, "string", "Log messages above specified level (trace, debug, info, warn, warning, error, fatal, panic) (default \"warn\")" },
  { "module", 0, PC_OPT_STRV, &g.modules, "stringArray", "Load the containers.conf(5) module" },
  { "noout", 0, PC_OPT_BOOL, &g.noout, NULL, "do not output to stdout" },
  { "out", 0, PC_OPT_STRING, &g.out, "string", "Send output (stdout) from pc to a file" },
  { "root", 0, PC_OPT_STRING, &pc_global.root, "string", "Path to the root directory in which data, including images, is stored" },
  { "runroot", 0, PC_OPT_STRING, &pc_global.runroot, "string", "Path to the 'run directory' where all state information is stored" },
  { "runtime", 0, PC_OPT_STRING, &g.runtime, "string", "Path to the OCI-compatible binary used to run containers (pc always uses its own runtime)" },
  { "storage-driver", 0, PC_OPT_STRING, &pc_global.storage_driver, "string", "Select which storage driver is used to manage storage of images and containers (overlay, fuse-overlayfs, vfs)" },
  { "storage-opt", 0, PC_OPT_STRV, &g.storage_opts, "stringArray", "Used to pass an option to the storage driver" },
  { "syslog", 0, PC_OPT_BOOL, &g.syslog, NULL, "Output logging information to syslog as well as the console (default false)" },
  { "tmpdir", 0, PC_OPT_STRING, &g.tmpdir, "string", "Path to the tmp directory for libpod state content" },
  { NULL },
};

/* stdout to a file (--out) or nowhere (--noout), for the whole command. */
static int
redirect_stdout (void)
{
  const char *path = g.noout ? "/dev/null" : g.out;
  if (path == NULL)
    return 0;
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      fprintf (stderr, "Error: open %s: %s\n", path, strerror (errno));
      return -1;
    }
  fflush (stdout);
  if (dup2 (fd, STDOUT_FILENO) < 0)
    {
      fprintf (stderr, "Error: redirect stdout to %s: %s\n", path, strerror (errno));
      close (fd);
      return -1;
    }
  close (fd);
  return 0;
}

/* The global flags that mean little here, said once at the right level. */
static void
note_flags (void)
{
  if (g.cgroup_manager && strcmp (g.cgroup_manager, "systemd") == 0)
    pc_warn ("--cgroup-manager systemd: pc places no container in a cgroup of its own (no systemd scope); the flag changes nothing");
  else if (g.cgroup_manager)
    pc_debug ("--cgroup-manager %s: pc places no container in a cgroup of its own", g.cgroup_manager);
  for (char **o = g.storage_opts; o && *o; o++)
    if (!strstr (*o, "mount_program="))
      pc_debug ("--storage-opt %s: pc's storage drivers take no options; ignored", *o);
  if (g.tmpdir)
    pc_debug ("--tmpdir %s: pc keeps its state in the run root (--runroot); ignored", g.tmpdir);
  if (g.syslog)
    pc_debug ("--syslog: pc writes its messages to stderr only");
}

/* After the global flags are parsed (again when some follow the command
   word): the log level, containers.conf and storage.conf (before any user
   namespace), stdout. Prints the error and returns -1. */
static int
apply_globals (void)
{
  if (pc_global.log_level)
    {
      int level = pc_log_level_from_name (pc_global.log_level);
      if (level < 0)
        {
          fprintf (stderr, "Error: log level \"%s\" is not supported, choose from: trace, debug, info, warn, warning, error, fatal, panic\n",
                   pc_global.log_level);
          return -1;
        }
      pc_log_set_level ((enum pc_log_level) level);
    }
  const struct pc_engine_conf_flags cf = {
    .runtime = g.runtime,
    .events_backend = g.events_backend,
    .cgroup_manager = g.cgroup_manager,
    .tmpdir = g.tmpdir,
    .modules = g.modules,
    .storage_opts = g.storage_opts,
  };
  pc_error *err = NULL;
  if (pc_engine_conf_load (&cf, &err) < 0)
    {
      pc_cli_fail (err);
      return -1;
    }
  note_flags ();
  return redirect_stdout ();
}

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
      for (const struct pc_opt *gl = global_opts; gl->name && a[1] == '-'; gl++)
        if (strlen (gl->name) == len && strncmp (gl->name, a + 2, len) == 0)
          o = gl;
      if (o == NULL)
        {
          fprintf (stderr, "Error: unknown flag: %s\nSee 'pc --help'\n", a);
          return PC_EXIT_ERROR;
        }
      if (o->type == PC_OPT_BOOL)
        {
          bool v = true;
          if (eq && strcmp (eq + 1, "true") != 0 && strcmp (eq + 1, "false") != 0)
            {
              fprintf (stderr, "Error: invalid argument \"%s\" for \"--%s\" flag: strconv.ParseBool: parsing \"%s\": invalid syntax\n",
                       eq + 1, o->name, eq + 1);
              return PC_EXIT_ERROR;
            }
          if (eq)
            v = strcmp (eq + 1, "true") == 0;
          *(bool *) o->value = v;
          continue;
        }
      const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
      if (value == NULL)
        {
          fprintf (stderr, "Error: flag needs an argument: %s\n", a);
          return PC_EXIT_ERROR;
        }
      if (o->type == PC_OPT_STRV)
        pc_strv_append ((char ***) o->value, value);
      else
        {
          free (*(char **) o->value);
          *(char **) o->value = xstrdup (value);
        }
    }

  pc_cli_global_opts = global_opts;
  pc_cli_globals_hook = apply_globals;
  if (apply_globals () < 0)
    return PC_EXIT_ERROR;

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
