/* pc system df, prune, reset and migrate, as podman 4.3 prints them
   (compared side by side on this machine; differences in
   docs/podman-compat.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "cmd/pc/commands.h"
#include "cmd/pc/system.h"
#include "lib/cleanup.h"
#include "lib/format.h"
#include "lib/json.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

/* go-units' HumanSize: 4 significant digits, decimal units, no space
   ("2.844MB", "702.6kB", "12B"). */
static char *
human_size (int64_t bytes)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB" };
  double v = (double) bytes;
  size_t i = 0;
  while (v >= 1000 && i < sizeof units / sizeof *units - 1)
    {
      v /= 1000;
      i++;
    }
  return xasprintf ("%.4g%s", v, units[i]);
}

/* go-units' HumanDuration, as podman's df CREATED: "2 years". */
static char *
human_since (int64_t unix_time)
{
  struct timespec t = { .tv_sec = (time_t) unix_time };
  char *ago = pc_time_human_ago (&t);
  size_t n = strlen (ago);
  if (n > 4 && strcmp (ago + n - 4, " ago") == 0)
    ago[n - 4] = '\0';
  return ago;
}

static json_object *
summary_row (const char *type, int64_t total, int64_t active, int64_t size, int64_t reclaimable)
{
  json_object *r = json_object_new_object ();
  json_object_object_add (r, "Type", json_object_new_string (type));
  json_object_object_add (r, "Total", json_object_new_int64 (total));
  json_object_object_add (r, "Active", json_object_new_int64 (active));
  json_object_object_add (r, "RawSize", json_object_new_int64 (size));
  json_object_object_add (r, "RawReclaimable", json_object_new_int64 (reclaimable));
  json_object_object_add (r, "TotalCount", json_object_new_int64 (total));
  pc_autofree char *s = human_size (size);
  pc_autofree char *rs = human_size (reclaimable);
  /* Rounded by hand (both are >= 0): lround was pc's only use of libm, a
     library every pc command then mapped at exec. */
  int percent = size > 0 ? (int) ((double) reclaimable / (double) size * 100 + 0.5) : 0;
  pc_autofree char *rc = xasprintf ("%s (%d%%)", rs, percent);
  json_object_object_add (r, "Size", json_object_new_string (s));
  json_object_object_add (r, "Reclaimable", json_object_new_string (rc));
  return r;
}

/* podman's three rows: images used by a container are active, the others
   reclaimable; running containers active, the others' writable layers
   reclaimable; volumes a container names active. */
static json_object *
summary (json_object *df)
{
  json_object *rows = json_object_new_array ();
  int64_t total = 0, active = 0, size = 0, recl = 0;
  json_object *a = pc_json_get_array (df, "Images");
  for (size_t i = 0; i < pc_json_array_len (a); i++)
    {
      json_object *o = pc_json_array_object_at (a, i);
      int64_t s = pc_json_get_int (o, "Size", 0);
      total++;
      size += s;
      if (pc_json_get_int (o, "Containers", 0) > 0)
        active++;
      else
        recl += s;
    }
  json_object_array_add (rows, summary_row ("Images", total, active, size, recl));
  total = active = size = recl = 0;
  a = pc_json_get_array (df, "Containers");
  for (size_t i = 0; i < pc_json_array_len (a); i++)
    {
      json_object *o = pc_json_array_object_at (a, i);
      int64_t s = pc_json_get_int (o, "Size", 0);
      total++;
      size += s;
      if (pc_json_get_bool (o, "Running", false))
        active++;
      else
        recl += s;
    }
  json_object_array_add (rows, summary_row ("Containers", total, active, size, recl));
  total = active = size = recl = 0;
  a = pc_json_get_array (df, "Volumes");
  for (size_t i = 0; i < pc_json_array_len (a); i++)
    {
      json_object *o = pc_json_array_object_at (a, i);
      int64_t s = pc_json_get_int (o, "Size", 0);
      total++;
      size += s;
      if (pc_json_get_int (o, "Links", 0) > 0)
        active++;
      else
        recl += s;
    }
  json_object_array_add (rows, summary_row ("Local Volumes", total, active, size, recl));
  return rows;
}

/* The -v tables' text columns from the raw rows. */
static void
humanize (json_object *rows, const char *const *size_keys, bool created)
{
  for (size_t i = 0; i < pc_json_array_len (rows); i++)
    {
      json_object *o = pc_json_array_object_at (rows, i);
      for (const char *const *k = size_keys; *k; k++)
        {
          pc_autofree char *h = human_size (pc_json_get_int (o, *k, 0));
          pc_autofree char *key = xasprintf ("%sHuman", *k);
          json_object_object_add (o, key, json_object_new_string (h));
        }
      if (created)
        {
          pc_autofree char *c = human_since (pc_json_get_int (o, "Created", 0));
          json_object_object_add (o, "CreatedHuman", json_object_new_string (c));
        }
    }
}

static int
print_verbose (json_object *df, pc_error **err)
{
  static const char *const isizes[] = { "Size", "SharedSize", "UniqueSize", NULL };
  static const char *const csizes[] = { "Size", NULL };
  static const struct pc_format_column icols[] = {
    { "Repository", "REPOSITORY" }, { "Tag", "TAG" }, { "ImageID", "IMAGE ID" },
    { "CreatedHuman", "CREATED" }, { "SizeHuman", "SIZE" }, { "SharedSizeHuman", "SHARED SIZE" },
    { "UniqueSizeHuman", "UNIQUE SIZE" }, { "Containers", "CONTAINERS" }, { NULL, NULL },
  };
  static const struct pc_format_column ccols[] = {
    { "ContainerID", "CONTAINER ID" }, { "Image", "IMAGE" }, { "Command", "COMMAND" },
    { "LocalVolumes", "LOCAL VOLUMES" }, { "SizeHuman", "SIZE" }, { "CreatedHuman", "CREATED" },
    { "Status", "STATUS" }, { "Names", "NAMES" }, { NULL, NULL },
  };
  static const struct pc_format_column vcols[] = {
    { "VolumeName", "VOLUME NAME" }, { "Links", "LINKS" }, { "SizeHuman", "SIZE" }, { NULL, NULL },
  };
  json_object *imgs = pc_json_get_array (df, "Images");
  json_object *ctrs = pc_json_get_array (df, "Containers");
  json_object *vols = pc_json_get_array (df, "Volumes");
  humanize (imgs, isizes, true);
  humanize (ctrs, csizes, true);
  humanize (vols, csizes, false);
  printf ("Images space usage:\n\n");
  if (pc_format_print (stdout, NULL, imgs, icols, err) < 0)
    return -1;
  printf ("\nContainers space usage:\n\n");
  if (pc_format_print (stdout, NULL, ctrs, ccols, err) < 0)
    return -1;
  printf ("\nLocal Volumes space usage:\n\n");
  return pc_format_print (stdout, NULL, vols, vcols, err);
}

int
pc_cmd_system_df (const struct pc_command *cmd, int argc, char **argv)
{
  pc_autofree char *format = NULL;
  bool verbose = false;
  const struct pc_opt opts[] = {
    { "format", 0, PC_OPT_STRING, &format, "string", "Pretty-print images using a Go template" },
    { "verbose", 'v', PC_OPT_BOOL, &verbose, NULL, "Show detailed information on disk usage" },
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
  pc_autojson json_object *df = NULL;
  if (pc_engine_system_df (e, &df, &err) < 0)
    return pc_cli_fail (err);
  if (verbose)
    {
      if (format && strcmp (format, "json") == 0)
        {
          pc_autofree char *s = pc_json_to_string_pretty (df);
          puts (s);
          return 0;
        }
      return print_verbose (df, &err) < 0 ? pc_cli_fail (err) : 0;
    }
  static const struct pc_format_column cols[] = {
    { "Type", "TYPE" }, { "Total", "TOTAL" }, { "Active", "ACTIVE" },
    { "Size", "SIZE" }, { "Reclaimable", "RECLAIMABLE" }, { NULL, NULL },
  };
  pc_autojson json_object *rows = summary (df);
  if (pc_format_print (stdout, format, rows, cols, &err) < 0)
    return pc_cli_fail (err);
  return 0;
}

static void
print_list (const char *title, char **v)
{
  if (v == NULL || v[0] == NULL)
    return;
  printf ("%s\n", title);
  for (size_t i = 0; v[i]; i++)
    printf ("%s\n", v[i]);
}

int
pc_cmd_system_prune (const struct pc_command *cmd, int argc, char **argv)
{
  bool all = false, force = false, volumes = false;
  pc_autostrv char **filters = NULL;
  const struct pc_opt opts[] = {
    { "all", 'a', PC_OPT_BOOL, &all, NULL, "Remove all unused data" },
    { "filter", 0, PC_OPT_STRV, &filters, "stringArray", "Provide filter values (e.g. 'label=<key>=<value>')" },
    { "force", 'f', PC_OPT_BOOL, &force, NULL, "Do not prompt for confirmation.  The default is false" },
    { "volumes", 0, PC_OPT_BOOL, &volumes, NULL, "Prune volumes" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, 0, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (!force)
    {
      printf ("WARNING! This command removes:\n"
              "\t- all stopped containers\n"
              "\t- all networks not used by at least one container\n");
      if (volumes)
        printf ("\t- all volumes not used by at least one container\n");
      printf (all ? "\t- all images without at least one container associated with them\n"
                    "\t- all build cache\n"
                  : "\t- all dangling images\n"
                    "\t- all dangling build cache\n");
      if (!pc_cli_confirm ("\nAre you sure you want to continue? [y/N] "))
        return 0;
    }
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (PC_ENGINE_USERNS);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  struct pc_engine_prune_report r;
  int rc = pc_engine_system_prune (e, all, volumes, filters, &r, &err);
  /* What went before a failure is reported, as podman does. */
  print_list ("Deleted Containers", r.containers);
  print_list ("Deleted Volumes", r.volumes);
  print_list ("Deleted Images", r.images);
  if (rc == 0)
    {
      pc_autofree char *s = human_size (r.reclaimed);
      printf ("Total reclaimed space: %s\n", s);
    }
  pc_engine_prune_report_clear (&r);
  return rc < 0 ? pc_cli_fail (err) : 0;
}

int
pc_cmd_system_reset (const struct pc_command *cmd, int argc, char **argv)
{
  bool force = false;
  const struct pc_opt opts[] = {
    { "force", 'f', PC_OPT_BOOL, &force, NULL, "Do not prompt for confirmation" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, 0, &args, &nargs, &exit_code) != 0)
    return exit_code;
  const struct pc_engine_options eo = { .root = pc_global.root, .runroot = pc_global.runroot,
                                        .storage_driver = pc_global.storage_driver };
  if (!force)
    {
      pc_autofree char *root = NULL, *run = NULL;
      pc_engine_system_dirs (&eo, &root, &run);
      printf ("WARNING! This will remove:\n"
              "        - all containers\n"
              "        - all pods\n"
              "        - all images\n"
              "        - all networks\n"
              "        - all build cache\n"
              "        - all machines\n"
              "        - all volumes\n"
              "        - the graphRoot directory: \"%s\"\n"
              "        - the runRoot directory: \"%s\"\n",
              root, run);
      if (!pc_cli_confirm ("Are you sure you want to continue? [y/N] "))
        return 0;
    }
  pc_error *err = NULL;
  if (pc_engine_system_reset (&eo, &err) < 0)
    return pc_cli_fail (err);
  return 0;
}

int
pc_cmd_system_migrate (const struct pc_command *cmd, int argc, char **argv)
{
  pc_autofree char *runtime = NULL;
  const struct pc_opt opts[] = {
    { "new-runtime", 0, PC_OPT_STRING, &runtime, "string", "Specify a new runtime for all containers" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, 0, &args, &nargs, &exit_code) != 0)
    return exit_code;
  printf ("pc never needs a migration: it runs no pause process and keeps no state that a new "
          "version or a changed user namespace would have to move; nothing was changed.\n");
  if (runtime)
    printf ("--new-runtime: pc picks the runtime when a container starts (--runtime); "
            "existing containers were left as they are.\n");
  return 0;
}
