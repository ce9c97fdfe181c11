/* pc volume create|ls|inspect|rm|prune|exists|export|import|mount|unmount:
   podman's volume commands. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/pc/commands.h"
#include "cmd/pc/container.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/format.h"
#include "lib/json.h"
#include "lib/xalloc.h"

static int
cmd_create (const struct pc_command *cmd, int argc, char **argv)
{
  pc_autofree char *driver = NULL;
  pc_autostrv char **labels = NULL, **opts_v = NULL;
  bool ignore = false;
  const struct pc_opt opts[] = {
    { "driver", 'd', PC_OPT_STRING, &driver, "DRIVER", "Specify volume driver name (default \"local\")" },
    { "ignore", 0, PC_OPT_BOOL, &ignore, NULL, "Don't fail if volume already exists" },
    { "label", 'l', PC_OPT_STRV, &labels, "KEY=VAL", "Set metadata for a volume (e.g. --label mykey=value)" },
    { "opt", 'o', PC_OPT_STRV, &opts_v, "OPT=VAL", "Set driver specific options (type=tmpfs|bind, device=, o=)" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, 1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  struct pc_volume_create_opts o = {
    .name = nargs ? args[0] : NULL, .driver = driver, .labels = labels, .opts = opts_v,
    .ignore = ignore,
  };
  pc_error *err = NULL;
  pc_autojson json_object *v = NULL;
  if (pc_engine_volume_create (e, &o, &v, &err) < 0)
    return pc_cli_fail (err);
  puts (pc_json_get_string (v, "Name"));
  return 0;
}

/* The volumes filters select, into *out. */
static int
filtered (struct pc_engine *e, char *const *filters, json_object **out, pc_error **err)
{
  pc_autojson json_object *all = NULL;
  if (pc_engine_volume_list (e, &all, err) < 0)
    return -1;
  json_object *rows = json_object_new_array ();
  for (size_t i = 0; i < pc_json_array_len (all); i++)
    {
      json_object *v = pc_json_array_object_at (all, i);
      bool m;
      if (pc_engine_volume_filter (v, filters, &m, err) < 0)
        {
          json_object_put (rows);
          return -1;
        }
      if (m)
        json_object_array_add (rows, json_object_get (v));
    }
  *out = rows;
  return 0;
}

static int
cmd_ls (const struct pc_command *cmd, int argc, char **argv)
{
  pc_autofree char *format = NULL;
  pc_autostrv char **filters = NULL;
  bool quiet = false, noheading = false;
  const struct pc_opt opts[] = {
    { "filter", 'f', PC_OPT_STRV, &filters, "FILTER", "Filter volume output (name, driver, scope, label, label!, opt, dangling, until)" },
    { "format", 0, PC_OPT_STRING, &format, "FORMAT", "Format volume output using JSON or a Go template" },
    { "noheading", 'n', PC_OPT_BOOL, &noheading, NULL, "Do not print headers" },
    { "quiet", 'q', PC_OPT_BOOL, &quiet, NULL, "Print volume output in quiet mode" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, 0, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  pc_autojson json_object *rows = NULL;
  if (filtered (e, filters, &rows, &err) < 0)
    return pc_cli_fail (err);
  if (quiet)
    {
      for (size_t i = 0; i < pc_json_array_len (rows); i++)
        puts (pc_json_get_string (pc_json_array_object_at (rows, i), "Name"));
      return 0;
    }
  static const struct pc_format_column cols[] = {
    { "Driver", "DRIVER" }, { "Name", "VOLUME NAME" }, { NULL, NULL },
  };
  /* podman 4.3 prints nothing at all, not even a heading, when there is
     no volume (but [] for --format json). */
  if (pc_json_array_len (rows) == 0 && !(format && strcmp (format, "json") == 0))
    return 0;
  if (pc_format_print_ex (stdout, format, rows, cols, noheading, &err) < 0)
    return pc_cli_fail (err);
  return 0;
}

static int
cmd_inspect (const struct pc_command *cmd, int argc, char **argv)
{
  pc_autofree char *format = NULL;
  bool all = false;
  const struct pc_opt opts[] = {
    { "all", 'a', PC_OPT_BOOL, &all, NULL, "Inspect all volumes" },
    { "format", 'f', PC_OPT_STRING, &format, "FORMAT", "Format volume output using JSON or a Go template" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (all && nargs > 0)
    return pc_cli_errorf (PC_EXIT_ERROR, "provide one or more volume names or use --all");
  if (!all && nargs == 0)
    return pc_cli_errorf (PC_EXIT_ERROR, "provide one or more volume names or use --all");
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  pc_autojson json_object *arr = NULL;
  pc_error *missing = NULL;
  if (all)
    {
      if (pc_engine_volume_list (e, &arr, &err) < 0)
        return pc_cli_fail (err);
    }
  else
    {
      arr = json_object_new_array ();
      for (int i = 0; i < nargs; i++)
        {
          json_object *v = NULL;
          if (pc_engine_volume_lookup (e, args[i], &v, &err) < 0)
            {
              if (pc_error_class_of (err) != PC_ERR_NOT_FOUND)
                {
                  pc_error_free (missing);
                  return pc_cli_fail (err);
                }
              /* podman prints the ones it found, then the first missing one. */
              if (missing == NULL)
                pc_error_makec (&missing, PC_ERR_NOT_FOUND, 0, "inspecting object: no such volume %s", args[i]);
              pc_error_clear (&err);
              continue;
            }
          json_object_array_add (arr, v);
        }
    }
  if (format && *format && strcmp (format, "json") != 0)
    {
      for (size_t i = 0; i < pc_json_array_len (arr); i++)
        if (pc_format_template_one (stdout, format, json_object_array_get_idx (arr, i), &err) < 0)
          {
            pc_error_free (missing);
            return pc_cli_fail (err);
          }
    }
  else
    {
      pc_autofree char *out = pc_json_to_string_pretty (arr);
      puts (out);
    }
  fflush (stdout);  /* podman's order: what was found, then the error */
  if (missing)
    return pc_cli_fail (missing);
  return 0;
}

static int
cmd_rm (const struct pc_command *cmd, int argc, char **argv)
{
  bool all = false, force = false;
  long timeout = -1;
  const struct pc_opt opts[] = {
    { "all", 'a', PC_OPT_BOOL, &all, NULL, "Remove all volumes" },
    { "force", 'f', PC_OPT_BOOL, &force, NULL, "Remove a volume by force, even if it is being used by a container" },
    { "time", 't', PC_OPT_INT, &timeout, "SECONDS", "Seconds to wait for running containers to stop before killing the container" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if ((all && nargs > 0) || (!all && nargs == 0))
    return pc_cli_errorf (PC_EXIT_ERROR, "choose either one or more volumes or all");
  /* A volume's data may belong to subuids a container wrote as: removed in
     pc's user namespace. */
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (PC_ENGINE_USERNS);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  pc_autostrv char **names = NULL;
  if (all)
    {
      pc_autojson json_object *list = NULL;
      if (pc_engine_volume_list (e, &list, &err) < 0)
        return pc_cli_fail (err);
      for (size_t i = 0; i < pc_json_array_len (list); i++)
        pc_strv_append (&names, pc_json_get_string (pc_json_array_object_at (list, i), "Name"));
    }
  else
    names = pc_strv_dup (args);
  int status = 0;
  for (char **n = names; n && *n; n++)
    {
      if (pc_engine_volume_remove (e, *n, force, (int) timeout, &err) < 0)
        {
          enum pc_error_class cls = pc_error_class_of (err);
          /* podman 4.3: -f ignores volumes that do not exist. */
          if (force && cls == PC_ERR_NOT_FOUND)
            {
              pc_error_clear (&err);
              continue;
            }
          int code = pc_cli_fail_as (err, PC_EXIT_REMOVES);
          err = NULL;
          if (status == 0 || cls != PC_ERR_NOT_FOUND)
            status = code;
          continue;
        }
      puts (*n);
    }
  return status;
}

static int
cmd_prune (const struct pc_command *cmd, int argc, char **argv)
{
  bool force = false;
  pc_autostrv char **filters = NULL;
  const struct pc_opt opts[] = {
    { "filter", 0, PC_OPT_STRV, &filters, "FILTER", "Provide filter values (e.g. 'label=<key>=<value>')" },
    { "force", 'f', PC_OPT_BOOL, &force, NULL, "Do not prompt for confirmation" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, 0, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (PC_ENGINE_USERNS);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  if (!force)
    {
      pc_autojson json_object *rows = NULL;
      pc_autostrv char **f = pc_strv_dup (filters);
      pc_strv_append (&f, "dangling=true");
      for (char **p = filters; p && *p; p++)
        if (strncmp (*p, "label=", 6) != 0 && strncmp (*p, "label!=", 7) != 0
            && strncmp (*p, "until=", 6) != 0)
          return pc_cli_errorf (PC_EXIT_ERROR, "%s is an invalid filter", *p);
      if (filtered (e, f, &rows, &err) < 0)
        return pc_cli_fail (err);
      puts ("WARNING! This will remove all volumes not used by at least one container. "
            "The following volumes will be removed:");
      if (pc_json_array_len (rows) == 0)
        {
          puts ("No dangling volumes found");
          return 0;
        }
      for (size_t i = 0; i < pc_json_array_len (rows); i++)
        puts (pc_json_get_string (pc_json_array_object_at (rows, i), "Name"));
      fflush (stdout);
      if (!pc_cli_confirm ("Are you sure you want to continue? [y/N] "))
        return 0;
    }
  pc_autostrv char **removed = NULL;
  int rc = pc_engine_volume_prune (e, filters, &removed, &err);
  for (char **n = removed; n && *n; n++)
    puts (*n);
  if (rc < 0)
    return pc_cli_fail (err);
  return 0;
}

static int
cmd_exists (const struct pc_command *cmd, int argc, char **argv)
{
  const struct pc_opt opts[] = { { NULL } };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 1, 1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  pc_autojson json_object *v = NULL;
  if (pc_engine_volume_lookup (e, args[0], &v, &err) < 0)
    return pc_cli_fail_lookup (err, 1);
  return 0;
}

/* 0 when the volume exists; else the exit code, with podman's message for a
   missing one (export and import). */
static int
require_volume (struct pc_engine *e, const char *name)
{
  pc_error *err = NULL;
  pc_autojson json_object *v = NULL;
  if (pc_engine_volume_lookup (e, name, &v, &err) == 0)
    return 0;
  if (pc_error_class_of (err) == PC_ERR_NOT_FOUND)
    {
      pc_error_free (err);
      return pc_cli_errorf (PC_EXIT_ERROR, "no such volume %s", name);
    }
  return pc_cli_fail (err);
}

static int
cmd_export (const struct pc_command *cmd, int argc, char **argv)
{
  pc_autofree char *output = NULL;
  const struct pc_opt opts[] = {
    { "output", 'o', PC_OPT_STRING, &output, "string", "Write to a specified file (default: stdout, which must be redirected)" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 1, 1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  /* The files may belong to the container's subordinate ids: read in pc's
     user namespace, where they show the ids the container sees. */
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (PC_ENGINE_USERNS);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  /* The volume first: a typo must leave the output alone. */
  int rc = require_volume (e, args[0]);
  if (rc != 0)
    return rc;
  pc_autooutput struct pc_output out = PC_OUTPUT_INIT;
  if (output && pc_output_open (output, 0, &out, &err) < 0)
    return pc_cli_fail (err);
  if (pc_engine_volume_export (e, args[0], output ? out.fd : 1, &err) < 0)
    return pc_cli_fail (err);
  if (output && pc_output_commit (&out, &err) < 0)
    return pc_cli_fail (err);
  return 0;
}

static int
cmd_import (const struct pc_command *cmd, int argc, char **argv)
{
  const struct pc_opt opts[] = { { NULL } };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 2, 2, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (PC_ENGINE_USERNS);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  int rc = require_volume (e, args[0]);
  if (rc != 0)
    return rc;
  pc_autoclose int fd = -1;
  if (strcmp (args[1], "-") == 0)
    fd = dup (0);
  else
    fd = open (args[1], O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return pc_cli_errorf (PC_EXIT_ERROR, "open %s: %s", args[1], strerror (errno));
  if (pc_engine_volume_import (e, args[0], fd, &err) < 0)
    return pc_cli_fail (err);
  return 0;
}

/* podman mounts only volumes that need it (type=...), as root; a plain
   local volume's mountpoint is its _data. */
static int
cmd_mount (const struct pc_command *cmd, int argc, char **argv)
{
  const struct pc_opt opts[] = { { NULL } };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 1, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (geteuid () != 0)
    return pc_cli_errorf (PC_EXIT_ERROR, "cannot run command \"pc volume mount\" in rootless mode, "
                          "must execute `pc unshare` first");
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  int status = 0;
  for (int i = 0; i < nargs; i++)
    {
      pc_error *err = NULL;
      pc_autojson json_object *v = NULL;
      if (pc_engine_volume_lookup (e, args[i], &v, &err) < 0)
        {
          status = pc_cli_fail (err);
          continue;
        }
      puts (pc_json_get_string (v, "Mountpoint"));
    }
  return status;
}

static int
cmd_unmount (const struct pc_command *cmd, int argc, char **argv)
{
  const struct pc_opt opts[] = { { NULL } };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 1, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  int status = 0;
  for (int i = 0; i < nargs; i++)
    {
      pc_error *err = NULL;
      pc_autojson json_object *v = NULL;
      if (pc_engine_volume_lookup (e, args[i], &v, &err) < 0)
        {
          status = pc_cli_fail (err);
          continue;
        }
      puts (args[i]);
    }
  return status;
}

const struct pc_command pc_volume_commands[] = {
  { .name = "create", .summary = "Create a new volume",
    .usage = "volume create [options] [NAME]", .run = cmd_create },
  { .name = "exists", .summary = "Check if volume exists",
    .usage = "volume exists VOLUME", .run = cmd_exists },
  { .name = "export", .summary = "Export volumes",
    .usage = "volume export [options] VOLUME", .run = cmd_export },
  { .name = "import", .summary = "Import a tarball contents into a podman volume",
    .usage = "volume import VOLUME [SOURCE]", .run = cmd_import },
  { .name = "inspect", .summary = "Display detailed information on one or more volumes",
    .usage = "volume inspect [options] VOLUME [VOLUME...]", .run = cmd_inspect },
  { .name = "ls", .alias = "list", .summary = "List volumes",
    .usage = "volume ls [options]", .run = cmd_ls },
  { .name = "mount", .summary = "Mount volume",
    .usage = "volume mount VOLUME [VOLUME...]", .run = cmd_mount },
  { .name = "prune", .summary = "Remove all unused volumes",
    .usage = "volume prune [options]", .run = cmd_prune },
  { .name = "rm", .alias = "remove", .summary = "Remove one or more volumes",
    .usage = "volume rm [options] VOLUME [VOLUME...]", .run = cmd_rm },
  { .name = "unmount", .alias = "umount", .summary = "Unmount volume",
    .usage = "volume unmount VOLUME [VOLUME...]", .run = cmd_unmount },
  { .name = NULL },
};
