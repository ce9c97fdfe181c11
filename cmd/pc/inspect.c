/* pc inspect, container inspect and image inspect: podman 4.3's
   cmd/podman/inspect/inspect.go (types, the order "all" tries, what is
   printed when something is missing), checked side by side on this machine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/pc/container.h"
#include "cmd/pc/latest.h"
#include "cmd/pc/image.h"
#include "lib/cleanup.h"
#include "lib/format.h"
#include "lib/json.h"
#include "lib/xalloc.h"

static int
print_results (json_object *arr, const char *format)
{
  pc_error *err = NULL;
  if (format && *format && !pc_format_is_json (format))
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
  /* podman 4.3's printJSON: five spaces, <, > and & as they are. */
  pc_autofree char *s = pc_json_to_string_indent (arr, 5, false);
  printf ("%s\n", s);
  return 0;
}

enum kind
{
  K_CONTAINER = 1 << 0,
  K_IMAGE = 1 << 1,
  K_VOLUME = 1 << 2,
  K_NETWORK = 1 << 3,
  K_POD = 1 << 4,
  K_ALL = K_CONTAINER | K_IMAGE | K_VOLUME | K_NETWORK | K_POD,
};

/* A lookup that failed for another reason than "no such object" (a
   damaged record, a store pc cannot read) is the error to show: the first
   one is kept in *real. */
static void
lookup_failed (pc_error **err, char **real)
{
  if (*real == NULL && pc_error_class_of (*err) != PC_ERR_NOT_FOUND)
    *real = xstrdup ((*err)->msg);
  pc_error_clear (err);
}

/* One object by name or ID, in podman's order for "all": container,
   image, volume, network, pod. NULL and *why (podman's words, or the real
   failure when a lookup failed for another reason) when none. */
static json_object *
inspect_one (struct pc_engine *e, const char *ref, unsigned kinds, bool size, char **why)
{
  pc_error *err = NULL;
  char *real = NULL;
  if (kinds & K_CONTAINER)
    {
      pc_autocontainer struct pc_container *c = NULL;
      if (pc_engine_lookup (e, ref, &c, &err) == 0)
        {
          json_object *o = pc_engine_inspect (e, c);
          if (size)
            {
              int64_t rootfs = 0, rw = 0;
              pc_error *serr = NULL;
              if (pc_engine_container_size (e, c, &rootfs, &rw, &serr) < 0)
                pc_error_clear (&serr);
              json_object_object_add (o, "SizeRw", json_object_new_int64 (rw));
              json_object_object_add (o, "SizeRootFs", json_object_new_int64 (rootfs));
            }
          return o;
        }
      lookup_failed (&err, &real);
    }
  if (kinds & K_IMAGE)
    {
      json_object *o = NULL;
      if (pc_engine_image_inspect (e, ref, &o, &err) == 0)
        return o;
      lookup_failed (&err, &real);
    }
  if (kinds & K_VOLUME)
    {
      json_object *o = NULL;
      if (pc_engine_volume_lookup (e, ref, &o, &err) == 0)
        return o;
      lookup_failed (&err, &real);
    }
  /* pc has no named networks: every network name is unknown. */
  if (kinds & K_POD)
    {
      pc_autopod struct pc_pod *p = NULL;
      if (pc_engine_pod_lookup (e, ref, &p, &err) == 0)
        return pc_engine_pod_inspect (e, p);
      lookup_failed (&err, &real);
    }
  if (real)
    *why = real;
  else if (kinds == K_ALL)
    *why = xasprintf ("no such object: \"%s\"", ref);
  else if (kinds == K_IMAGE)
    *why = xasprintf ("%s: image not known", ref);
  else if (kinds == K_VOLUME)
    *why = xasprintf ("no such volume %s", ref);
  else if (kinds == K_POD)
    *why = xasprintf ("no such pod %s", ref);
  else if (kinds == K_NETWORK)
    *why = xasprintf ("network %s: unable to find network with name or ID %s: network not found", ref, ref);
  else
    *why = xasprintf ("no such container %s", ref);
  return NULL;
}

int
pc_cli_inspect (const struct pc_command *cmd, int argc, char **argv, const char *fixed_type)
{
  pc_autofree char *format = NULL, *type = NULL;
  bool size = false, latest = false;
  const struct pc_opt opts[] = {
    { "format", 'f', PC_OPT_STRING, &format, "string", "Format the output to a Go template or json" },
    { "latest", 'l', PC_OPT_BOOL, &latest, NULL, "Act on the latest container pc is aware of" },
    { "size", 's', PC_OPT_BOOL, &size, NULL, "Display total file size" },
    { "type", 't', PC_OPT_STRING, &type, "string", "Specify inspect-object type" },
    { NULL },
  };
  /* container inspect and image inspect have no --type. */
  const struct pc_opt *use = opts;
  struct pc_opt fixed_opts[4];
  if (fixed_type)
    {
      size_t n = 0;
      for (const struct pc_opt *o = opts; o->name; o++)
        if (strcmp (o->name, "type") != 0
            && (strcmp (fixed_type, "image") != 0 || strcmp (o->name, "format") == 0))
          fixed_opts[n++] = *o;
      fixed_opts[n] = (struct pc_opt) { NULL };
      use = fixed_opts;
    }
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, use, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  const char *t = fixed_type ? fixed_type : type ? type : "all";
  unsigned kinds;
  if (strcmp (t, "all") == 0)
    kinds = K_ALL;
  else if (strcmp (t, "container") == 0)
    kinds = K_CONTAINER;
  else if (strcmp (t, "image") == 0)
    kinds = K_IMAGE;
  else if (strcmp (t, "volume") == 0)
    kinds = K_VOLUME;
  else if (strcmp (t, "network") == 0)
    kinds = K_NETWORK;
  else if (strcmp (t, "pod") == 0)
    kinds = K_POD;
  else
    return pc_cli_errorf (PC_EXIT_ERROR, "invalid type \"%s\": must be \"image\", \"container\", \"pod\", "
                          "\"network\", \"volume\", or \"all\"", t);
  if (!latest && nargs == 0)
    return pc_cli_errorf (PC_EXIT_ERROR, "must specify a container, image or other object to inspect");
  if (latest && nargs > 0)
    return pc_cli_errorf (PC_EXIT_ERROR, "--latest and arguments cannot be used together");
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_autofree char *latest_id = NULL;
  if (latest)
    {
      pc_error *err = NULL;
      latest_id = pc_cli_latest_id (e, &err);
      if (latest_id == NULL && pc_error_class_of (err) == PC_ERR_NOT_FOUND)
        {
          /* podman prints its empty result first, whatever --format. */
          pc_error_clear (&err);
          printf ("[]\n");
          fflush (stdout);
          return pc_cli_errorf (PC_EXIT_ERROR, "inspecting object: no containers to inspect: no such container");
        }
      if (latest_id == NULL)
        return pc_cli_fail (err);
      args = &latest_id;
      nargs = 1;
      /* -l works with --type=all: a container, as podman. */
      if (kinds == K_ALL)
        kinds = K_CONTAINER;
    }
  pc_autojson json_object *arr = json_object_new_array ();
  pc_autostrv char **errs = NULL;
  for (int i = 0; i < nargs; i++)
    {
      char *why = NULL;
      json_object *o = inspect_one (e, args[i], kinds, size, &why);
      if (o)
        json_object_array_add (arr, o);
      else
        pc_strv_append_take (&errs, why);
    }
  /* podman prints what it found ("[]" when nothing), then the second and
     later failures, then the first one as the command's error. */
  int pr = print_results (arr, format);
  fflush (stdout);
  if (pr)
    return pr;
  if (errs == NULL)
    return 0;
  for (char **w = errs + 1; *w; w++)
    fprintf (stderr, "error inspecting object: %s\n", *w);
  fprintf (stderr, "Error: inspecting object: %s\n", errs[0]);
  return PC_EXIT_ERROR;
}

int
pc_cmd_container_inspect (const struct pc_command *cmd, int argc, char **argv)
{
  return pc_cli_inspect (cmd, argc, argv, "container");
}

int
pc_cmd_inspect (const struct pc_command *cmd, int argc, char **argv)
{
  return pc_cli_inspect (cmd, argc, argv, NULL);
}
