/* pc images / image ls, tag, untag, rmi, image exists, image prune, and the
   `pc image` family table. */
#include <errno.h>
#include <fnmatch.h>
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

/* Splits "docker.io/library/busybox:latest" into repository and tag. */
static void
split_name (const char *n, char **repo, char **tag)
{
  const char *slash = strrchr (n, '/');
  const char *colon = strrchr (slash ? slash : n, ':');
  *repo = colon ? xstrndup (n, (size_t) (colon - n)) : xstrdup (n);
  *tag = colon ? xstrdup (colon + 1) : xstrdup ("<none>");
}

struct images_filter
{
  char **reference;
  int dangling; /* -1 any, 0 false, 1 true */
  char **labels;
};

static void
images_filter_clear (struct images_filter *f)
{
  pc_strv_free (f->reference);
  pc_strv_free (f->labels);
  f->reference = f->labels = NULL;
}
#define pc_autofilter __attribute__ ((cleanup (images_filter_clear)))

static int
parse_filters (char **filters, struct images_filter *f)
{
  f->dangling = -1;
  for (char **p = filters; p && *p; p++)
    {
      const char *eq = strchr (*p, '=');
      if (eq == NULL)
        return pc_cli_errorf (PC_EXIT_ERROR, "invalid filter \"%s\": bad format", *p);
      size_t kl = (size_t) (eq - *p);
      const char *v = eq + 1;
      if (kl == 9 && strncmp (*p, "reference", 9) == 0)
        pc_strv_append (&f->reference, v);
      else if (kl == 8 && strncmp (*p, "dangling", 8) == 0)
        {
          if (strcmp (v, "true") == 0)
            f->dangling = 1;
          else if (strcmp (v, "false") == 0)
            f->dangling = 0;
          else
            return pc_cli_errorf (PC_EXIT_ERROR, "invalid filter: dangling must be true or false, not \"%s\"", v);
        }
      else if (kl == 5 && strncmp (*p, "label", 5) == 0)
        pc_strv_append (&f->labels, v);
      else
        return pc_cli_errorf (PC_EXIT_ERROR, "unsupported image filter \"%.*s\"", (int) kl, *p);
    }
  return 0;
}

/* podman's reference filter: a glob against the full name, the
   repository, or the familiar short name. */
static bool
reference_matches (const char *pattern, const char *name)
{
  pc_autofree char *repo = NULL, *tag = NULL;
  split_name (name, &repo, &tag);
  if (fnmatch (pattern, name, 0) == 0 || fnmatch (pattern, repo, 0) == 0)
    return true;
  const char *shorts[] = { "docker.io/library/", "docker.io/", "localhost/", NULL };
  for (const char **sp = shorts; *sp; sp++)
    if (strncmp (name, *sp, strlen (*sp)) == 0)
      {
        if (fnmatch (pattern, name + strlen (*sp), 0) == 0 || fnmatch (pattern, repo + strlen (*sp), 0) == 0)
          return true;
      }
  /* "busybox" matches ".../busybox" repositories */
  const char *last = strrchr (repo, '/');
  if (strchr (pattern, '/') == NULL && last)
    {
      pc_autofree char *lt = xasprintf ("%s:%s", last + 1, tag);
      if (fnmatch (pattern, last + 1, 0) == 0 || fnmatch (pattern, lt, 0) == 0)
        return true;
    }
  return false;
}

static bool
labels_match (json_object *summary, char **labels)
{
  if (labels == NULL)
    return true;
  json_object *l = pc_json_get (summary, "Labels");
  bool ok = true;
  for (char **p = labels; *p && ok; p++)
    {
      const char *eq = strchr (*p, '=');
      pc_autofree char *k = eq ? xstrndup (*p, (size_t) (eq - *p)) : xstrdup (*p);
      const char *v = l ? pc_json_get_string (l, k) : NULL;
      ok = v != NULL && (eq == NULL || strcmp (v, eq + 1) == 0);
    }
  return ok;
}

int
pc_cmd_images (const struct pc_command *cmd, int argc, char **argv)
{
  bool all = false, quiet = false, digests = false, noheading = false, notrunc = false;
  pc_autofree char *format = NULL;
  pc_autostrv char **filters = NULL;
  const struct pc_opt opts[] = {
    /* pc keeps no intermediate images, so -a lists what the default lists
       (docs/storage.md, "pc images -a"). */
    { "all", 'a', PC_OPT_BOOL, &all, NULL, "Show all images (default hides intermediate images)" },
    { "digests", 0, PC_OPT_BOOL, &digests, NULL, "Show digests" },
    { "filter", 'f', PC_OPT_STRV, &filters, "filter", "Filter output based on conditions provided (reference=, dangling=, label=)" },
    { "format", 0, PC_OPT_STRING, &format, "string", "Change the output format to JSON or a Go template" },
    { "noheading", 'n', PC_OPT_BOOL, &noheading, NULL, "Do not print column headings" },
    { "no-trunc", 0, PC_OPT_BOOL, &notrunc, NULL, "Do not truncate output" },
    { "quiet", 'q', PC_OPT_BOOL, &quiet, NULL, "Display only image IDs" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, 1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autofilter struct images_filter f = { 0 };
  if (parse_filters (filters, &f) != 0)
    return PC_EXIT_ERROR;
  if (nargs == 1)
    pc_strv_append (&f.reference, args[0]);
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  pc_autojson json_object *list = NULL;
  if (pc_engine_image_list (e, &list, &err) < 0)
    return pc_cli_fail (err);

  pc_autojson json_object *rows = json_object_new_array ();
  pc_autojson json_object *summaries = json_object_new_array ();
  for (size_t i = 0; i < json_object_array_length (list); i++)
    {
      json_object *sum = json_object_array_get_idx (list, i);
      const char *id = pc_json_get_string (sum, "Id");
      json_object *names = pc_json_get (sum, "Names");
      size_t nn = names ? json_object_array_length (names) : 0;
      if (f.dangling == 1 && nn > 0)
        continue;
      if (f.dangling == 0 && nn == 0)
        continue;
      if (!labels_match (sum, f.labels))
        continue;
      struct timespec t = { 0 };
      const char *created = pc_json_get_string (sum, "CreatedAt");
      if (created)
        pc_time_parse_rfc3339 (created, &t, NULL);
      pc_autofree char *since = pc_time_human_ago (&t);
      int64_t size = pc_json_get_int (sum, "Size", 0);
      pc_autofree char *hsize = pc_size_human (size);
      char created_at[96];
      pc_format_go_time (&t, true, created_at, sizeof created_at);
      bool any = false;
      for (size_t j = 0; j < (nn ? nn : 1); j++)
        {
          const char *name = nn ? json_object_get_string (json_object_array_get_idx (names, j)) : NULL;
          if (f.reference)
            {
              bool m = false;
              for (char **p = f.reference; *p && name; p++)
                m = m || reference_matches (*p, name);
              if (!m)
                continue;
            }
          any = true;
          pc_autofree char *repo = NULL, *tag = NULL;
          if (name)
            split_name (name, &repo, &tag);
          json_object *row = json_object_new_object ();
          pc_autofree char *fullid = notrunc ? xasprintf ("sha256:%s", id) : xstrndup (id, 12);
          json_object_object_add (row, "ID", json_object_new_string (fullid));
          json_object_object_add (row, "Id", json_object_new_string (id));
          json_object_object_add (row, "Repository", json_object_new_string (repo ? repo : "<none>"));
          json_object_object_add (row, "Tag", json_object_new_string (tag ? tag : "<none>"));
          json_object_object_add (row, "Digest", json_object_new_string (pc_json_get_string (sum, "Digest") ?: ""));
          json_object_object_add (row, "CreatedSince", json_object_new_string (since));
          json_object_object_add (row, "CreatedAt", json_object_new_string (created_at));
          /* podman's images template: .Created is the human "2 years ago"
             (as .CreatedSince), .CreatedAt the time; JSON has the number. */
          json_object_object_add (row, "Created", json_object_new_string (since));
          json_object_object_add (row, "Size", json_object_new_string (hsize));
          json_object_object_add (row, "VirtualSize", json_object_new_string (hsize));
          json_object_object_add (row, "SharedSize", json_object_new_string ("0 B"));
          json_object_object_add (row, "UniqueSize", json_object_new_string (hsize));
          json_object_object_add (row, "Containers", json_object_get (pc_json_get (sum, "Containers")));
          json_object_object_add (row, "ReadOnly", json_object_new_boolean (false));
          json_object_object_add (row, "Dangling", json_object_new_boolean (nn == 0));
          json_object_object_add (row, "Names", names ? json_object_get (names) : json_object_new_array ());
          json_object_array_add (rows, row);
        }
      if (any || (f.reference == NULL))
        json_object_array_add (summaries, json_object_get (sum));
    }
  if (format && strcmp (format, "json") == 0)
    {
      pc_autofree char *out = pc_json_to_string_pretty (summaries);
      puts (out);
      return 0;
    }
  if (quiet)
    {
      json_object *seen = json_object_new_object ();
      for (size_t i = 0; i < json_object_array_length (rows); i++)
        {
          const char *id = pc_json_get_string (json_object_array_get_idx (rows, i), "ID");
          if (json_object_object_get_ex (seen, id, NULL))
            continue;
          json_object_object_add (seen, id, NULL);
          puts (id);
        }
      json_object_put (seen);
      return 0;
    }
  static const struct pc_format_column cols[] = {
    { "Repository", "REPOSITORY" }, { "Tag", "TAG" }, { "ID", "IMAGE ID" },
    { "CreatedSince", "CREATED" }, { "Size", "SIZE" }, { NULL, NULL },
  };
  static const struct pc_format_column dcols[] = {
    { "Repository", "REPOSITORY" }, { "Tag", "TAG" }, { "Digest", "DIGEST" }, { "ID", "IMAGE ID" },
    { "CreatedSince", "CREATED" }, { "Size", "SIZE" }, { NULL, NULL },
  };
  /* --noheading drops the header of a table; a plain template has none. */
  if (pc_format_print_ex (stdout, format, rows, digests ? dcols : cols, noheading, &err) < 0)
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
      if (pc_engine_image_remove (e, *ref, force, &r, &err) < 0)
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
