/* pc tag, untag, rmi, image exists, image prune, and the
   `pc image` family table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/pc/commands.h"
#include "cmd/pc/image.h"
#include "lib/cleanup.h"
#include "lib/format.h"
#include "lib/json.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

int
pc_cli_image_refs (struct pc_engine *e, bool all, char **args, char ***refs)
{
  if (!all)
    {
      *refs = pc_strv_dup (args);
      return 0;
    }
  pc_error *err = NULL;
  if (pc_engine_image_ids (e, refs, &err) < 0)
    return pc_cli_fail (err);
  return 0;
}

/* tag adds each TARGET_NAME; untag removes each name given, or all of them. */
static int
tag_or_untag (const struct pc_command *cmd, int argc, char **argv, bool untag)
{
  const struct pc_opt opts[] = { { NULL } };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, untag ? 1 : 2, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  char *const *names = nargs == 1 ? NULL : args + 1;
  if ((untag ? pc_engine_image_untag (e, args[0], names, &err)
             : pc_engine_image_tag (e, args[0], names, &err)) < 0)
    return pc_cli_fail (err);
  return 0;
}

int
pc_cmd_tag (const struct pc_command *cmd, int argc, char **argv)
{
  return tag_or_untag (cmd, argc, argv, false);
}

int
pc_cmd_untag (const struct pc_command *cmd, int argc, char **argv)
{
  return tag_or_untag (cmd, argc, argv, true);
}

int
pc_cmd_rmi (const struct pc_command *cmd, int argc, char **argv)
{
  bool all = false, force = false, ignore = false;
  const struct pc_opt opts[] = {
    { "all", 'a', PC_OPT_BOOL, &all, NULL, "Remove all images" },
    { "force", 'f', PC_OPT_BOOL, &force, NULL, "Force Removal of the image (removes containers using it first)" },
    { "ignore", 'i', PC_OPT_BOOL, &ignore, NULL, "Ignore errors if a specified image does not exist" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (all && nargs > 0)
    return pc_cli_errorf (PC_EXIT_ERROR, "when using the --all switch, you may not pass any images names or IDs");
  if (!all && nargs == 0)
    return pc_cli_errorf (PC_EXIT_ERROR, "image name or ID must be specified");
  /* Removing files owned by container ids: in pc's user namespace. */
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (PC_ENGINE_USERNS);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_autostrv char **refs = NULL;
  int rc = pc_cli_image_refs (e, all, args, &refs);
  if (rc != 0)
    return rc;
  int status = 0;
  for (char **ref = refs; ref && *ref; ref++)
    {
      pc_error *err = NULL;
      struct pc_engine_rmi_result r;
      if (pc_engine_image_remove (e, *ref, force, all, &r, &err) < 0)
        {
          enum pc_error_class cls = pc_error_class_of (err);
          /* podman 4.3: --force also ignores images that do not exist (exit 0). */
          if ((ignore || force) && cls == PC_ERR_NOT_FOUND)
            {
              pc_error_free (err);
              continue;
            }
          int code = pc_cli_fail_as (err, PC_EXIT_REMOVES);
          if (status == 0 || cls != PC_ERR_NOT_FOUND)
            status = code;
          continue;
        }
      for (char **n = r.untagged; n && *n; n++)
        printf ("Untagged: %s\n", *n);
      if (r.deleted)
        printf ("Deleted: %s\n", r.deleted);
      pc_engine_rmi_result_clear (&r);
    }
  return status;
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
  if (pc_engine_image_exists (e, args[0], &err) < 0)
    return pc_cli_fail_lookup (err, 1);
  return 0;
}

static int
cmd_prune (const struct pc_command *cmd, int argc, char **argv)
{
  bool all = false, force = false;
  const struct pc_opt opts[] = {
    { "all", 'a', PC_OPT_BOOL, &all, NULL, "Remove all images not in use by containers, not just dangling ones" },
    { "force", 'f', PC_OPT_BOOL, &force, NULL, "Do not prompt for confirmation" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, 0, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (!force && !pc_cli_confirm ("WARNING! This command removes all %s images.\n"
                                  "Are you sure you want to continue? [y/N] ",
                                  all ? "unused" : "dangling"))
    return 0;
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (PC_ENGINE_USERNS);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  pc_autostrv char **removed = NULL;
  int rc = pc_engine_image_prune (e, all, &removed, &err);
  /* What went before a failure is reported too. */
  for (char **id = removed; id && *id; id++)
    puts (*id);
  if (rc < 0)
    return pc_cli_fail (err);
  return 0;
}

const struct pc_command pc_image_commands[] = {
  { .name = "exists", .summary = "Check if an image exists in local storage",
    .usage = "image exists IMAGE", .run = cmd_exists },
  { .name = "history", .summary = "Show history of a specified image",
    .usage = "image history [options] IMAGE", .run = pc_cmd_image_history },
  { .name = "import", .summary = "Import a tarball to create a filesystem image",
    .usage = "image import [options] PATH [REFERENCE]", .run = pc_cmd_import },
  { .name = "inspect", .summary = "Display the configuration of an image",
    .usage = "image inspect [options] IMAGE [IMAGE...]", .run = pc_cmd_image_inspect },
  { .name = "list", .alias = "ls", .summary = "List images in local storage",
    .usage = "image list [options] [IMAGE]", .run = pc_cmd_images },
  { .name = "load", .summary = "Load image(s) from a tar archive",
    .usage = "image load [options]", .run = pc_cmd_load },
  { .name = "pull", .summary = "Pull an image from a registry",
    .usage = "image pull [options] IMAGE", .run = pc_cmd_pull },
  { .name = "push", .summary = "Push an image to a specified destination",
    .usage = "image push [options] IMAGE [DESTINATION]", .run = pc_cmd_push },
  { .name = "mount", .summary = "Mount an image's root filesystem",
    .usage = "image mount [options] [IMAGE...]", .run = pc_cmd_image_mount },
  { .name = "prune", .summary = "Remove unused images",
    .usage = "image prune [options]", .run = cmd_prune },
  { .name = "rm", .summary = "Remove one or more images from local storage",
    .usage = "image rm [options] IMAGE [IMAGE...]", .run = pc_cmd_rmi },
  { .name = "save", .summary = "Save image(s) to an archive",
    .usage = "image save [options] IMAGE [IMAGE...]", .run = pc_cmd_save },
  { .name = "tag", .summary = "Add an additional name to a local image",
    .usage = "image tag IMAGE TARGET_NAME [TARGET_NAME...]", .run = pc_cmd_tag },
  { .name = "unmount", .alias = "umount", .summary = "Unmount an image's root filesystem",
    .usage = "image unmount [options] IMAGE [IMAGE...]", .run = pc_cmd_image_unmount },
  { .name = "untag", .summary = "Remove a name from a local image",
    .usage = "image untag IMAGE [IMAGE...]", .run = pc_cmd_untag },
  { .name = NULL },
};
