/* pc container inspect, and pc inspect (containers first, then images). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/pc/container.h"
#include "cmd/pc/image.h"
#include "lib/cleanup.h"
#include "lib/format.h"
#include "lib/json.h"
#include "lib/xalloc.h"

static int
print_results (json_object *arr, const char *format)
{
  pc_error *err = NULL;
  if (format && *format && strcmp (format, "json") != 0)
    {
      for (size_t i = 0; i < json_object_array_length (arr); i++)
        {
          json_object *o = json_object_array_get_idx (arr, i), *h;
          /* podman 4.3's templates know .State.Healthcheck (a method, not
             in its JSON): the same object as .State.Health. */
          json_object *st = pc_json_get_object (o, "State");
          if (st && json_object_object_get_ex (st, "Health", &h))
            json_object_object_add (st, "Healthcheck", json_object_get (h));
          if (pc_format_template_one (stdout, format, o, &err) < 0)
            return pc_cli_fail (err);
        }
      return 0;
    }
  if (json_object_array_length (arr) == 0)
    {
      printf ("[]\n");
      return 0;
    }
  pc_autofree char *s = pc_json_to_string_pretty (arr);
  printf ("%s\n", s);
  return 0;
}

static int
inspect (const struct pc_command *cmd, int argc, char **argv, bool images_too)
{
  pc_autofree char *format = NULL, *type = NULL;
  bool size = false, latest = false;
  const struct pc_opt opts[] = {
    { "format", 'f', PC_OPT_STRING, &format, "string", "Format the output to a Go template or json" },
    { "latest", 'l', PC_OPT_BOOL, &latest, NULL, "Act on the latest container pc is aware of" },
    { "size", 's', PC_OPT_BOOL, &size, NULL, "Display total file size (not computed by pc: SizeRw/SizeRootFs are absent)" },
    { "type", 't', PC_OPT_STRING, &type, "string", "Specify inspect-object type (\"image\", \"container\" or \"all\")" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (size)
    return pc_cli_errorf (PC_EXIT_ERROR, "--size is not supported by pc yet");
  bool want_ctr = true, want_img = images_too;
  if (type)
    {
      if (strcmp (type, "container") == 0)
        want_img = false;
      else if (strcmp (type, "image") == 0)
        want_ctr = false;
      else if (strcmp (type, "all") != 0)
        return pc_cli_errorf (PC_EXIT_ERROR, "invalid type \"%s\": must be \"image\", \"container\" or \"all\"", type);
    }
  if (!latest && nargs == 0)
    return pc_cli_errorf (PC_EXIT_ERROR, "must specify a container, image or other object to inspect");
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_autojson json_object *arr = json_object_new_array ();
  int rc = 0;
  pc_autofree char *first_missing = NULL;
  pc_autofree char *latest_id = NULL;
  if (latest)
    {
      struct pc_container **v = NULL;
      size_t n = 0;
      pc_error *err = NULL;
      if (pc_engine_list (e, &v, &n, &err) < 0)
        return pc_cli_fail (err);
      if (n)
        latest_id = xstrdup (v[0]->id);
      pc_container_list_free (v, n);
      if (latest_id == NULL)
        return pc_cli_errorf (PC_EXIT_ERROR, "no containers to inspect: no such container");
      args = &latest_id;
      nargs = 1;
    }
  for (int i = 0; i < nargs; i++)
    {
      pc_error *err = NULL;
      pc_autocontainer struct pc_container *c = NULL;
      if (want_ctr && pc_engine_lookup (e, args[i], &c, &err) == 0)
        {
          json_object_array_add (arr, pc_engine_inspect (e, c));
          continue;
        }
      pc_error_clear (&err);
      if (want_img)
        {
          json_object *o = NULL;
          if (pc_engine_image_inspect (e, args[i], &o, &err) == 0)
            {
              json_object_array_add (arr, o);
              continue;
            }
          pc_error_clear (&err);
        }
      /* As podman: the first failure is the command's error, the others
         are reported before it. */
      pc_autofree char *why = NULL;
      if (want_img && want_ctr)
        why = xasprintf ("no such object: \"%s\"", args[i]);
      else if (want_img)
        why = xasprintf ("%s: image not known", args[i]);
      else
        why = xasprintf ("no such container %s", args[i]);
      if (first_missing == NULL)
        first_missing = steal_pointer (&why);
      else
        fprintf (stderr, "error inspecting object: %s\n", why);
      rc = PC_EXIT_ERROR;
    }
  /* podman prints what it found ("[]" when nothing), then fails. */
  int pr = print_results (arr, format);
  if (pr)
    return pr;
  if (first_missing)
    fprintf (stderr, "Error: inspecting object: %s\n", first_missing);
  return rc;
}

int
pc_cmd_container_inspect (const struct pc_command *cmd, int argc, char **argv)
{
  return inspect (cmd, argc, argv, false);
}

int
pc_cmd_inspect (const struct pc_command *cmd, int argc, char **argv)
{
  return inspect (cmd, argc, argv, true);
}
