/* pc system: the `system` family. `check` reports every rootless
   prerequisite; df, prune, reset and migrate are in system-df.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cmd/pc/commands.h"
#include "cmd/pc/system.h"
#include "lib/cleanup.h"
#include "lib/format.h"
#include "pkg/engine/engine.h"

static const char *
str (json_object *o, const char *key)
{
  const char *s = json_object_get_string (json_object_object_get (o, key));
  return s ? s : "";
}

static void
print_checks (json_object *checks)
{
  size_t n = json_object_array_length (checks);
  size_t width = 0;
  for (size_t i = 0; i < n; i++)
    {
      size_t w = strlen (str (json_object_array_get_idx (checks, i), "Name"));
      if (w > width)
        width = w;
    }
  int fails = 0, warns = 0;
  for (size_t i = 0; i < n; i++)
    {
      json_object *c = json_object_array_get_idx (checks, i);
      const char *st = str (c, "Status");
      const char *value = str (c, "Value");
      const char *msg = str (c, "Message");
      const char *fix = str (c, "Fix");
      char tag[8];
      size_t k;
      for (k = 0; st[k] && k < sizeof tag - 1; k++)
        tag[k] = (char) (st[k] >= 'a' && st[k] <= 'z' ? st[k] - 32 : st[k]);
      tag[k] = '\0';
      if (strcmp (st, "fail") == 0)
        fails++;
      else if (strcmp (st, "warn") == 0)
        warns++;
      printf ("%-4s  %-*s  %s", tag, (int) width, str (c, "Name"), msg);
      if (*value && strstr (msg, value) == NULL)
        printf (" [%s]", value);
      putchar ('\n');
      if (*fix)
        printf ("      %-*s  fix: %s\n", (int) width, "", fix);
    }
  if (fails)
    printf ("\n%d required item%s missing, %d warning%s: pc cannot run containers properly until "
            "the failures are fixed\n", fails, fails == 1 ? "" : "s", warns, warns == 1 ? "" : "s");
  else if (warns)
    printf ("\nAll required items present; %d warning%s (pc runs, with less)\n", warns,
            warns == 1 ? "" : "s");
  else
    printf ("\nAll items present\n");
}

static int
cmd_system_check (const struct pc_command *cmd, int argc, char **argv)
{
  pc_autofree char *format = NULL;
  const struct pc_opt opts[] = {
    { "format", 'f', PC_OPT_STRING, &format, "string", "Change the output format to JSON or a Go template" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, 0, &args, &nargs, &exit_code) != 0)
    return exit_code;

  pc_error *err = NULL;
  const struct pc_engine_options eo = { .root = pc_global.root, .runroot = pc_global.runroot };
  json_object *checks = NULL;
  enum pc_engine_check_status worst;
  if (pc_engine_system_check (&eo, &checks, &worst, &err) < 0)
    return pc_cli_fail (err);
  if (format && strcmp (format, "json") != 0)
    {
      int r2 = pc_format_print (stdout, format, checks, NULL, &err);
      json_object_put (checks);
      if (r2 < 0)
        return pc_cli_fail (err);
    }
  else if (format)
    {
      json_object *o = json_object_new_object ();
      json_object_object_add (o, "Result", json_object_new_string (worst == PC_ENGINE_CHECK_FAIL ? "fail"
                                                                    : worst == PC_ENGINE_CHECK_WARN ? "warn"
                                                                    : "pass"));
      json_object_object_add (o, "Checks", checks);
      puts (json_object_to_json_string_ext (o, JSON_C_TO_STRING_PRETTY
                                                   | JSON_C_TO_STRING_SPACED
                                                   | JSON_C_TO_STRING_NOSLASHESCAPE));
      json_object_put (o);
    }
  else
    {
      print_checks (checks);
      json_object_put (checks);
    }
  return worst == PC_ENGINE_CHECK_FAIL ? 1 : 0;
}

const struct pc_command pc_system_commands[] = {
  { .name = "check", .summary = "Check the prerequisites for running rootless containers",
    .usage = "system check [options]", .run = cmd_system_check,
    .description = "Reports every rootless prerequisite (subordinate ids, newuidmap/newgidmap, user namespaces, overlay, fuse, tun, cgroups, XDG_RUNTIME_DIR, storage filesystem) with the exact fix for each problem. Exits 1 when something required is missing; warnings do not change the exit status." },
  { .name = "df", .summary = "Show pc disk usage",
    .usage = "system df [options]", .run = pc_cmd_system_df },
  { .name = "migrate", .summary = "Migrate containers",
    .usage = "system migrate [options]", .run = pc_cmd_system_migrate,
    .description = "pc never needs it: there is no pause process to restart and no state to move. It says so and exits 0." },
  { .name = "prune", .summary = "Remove unused data",
    .usage = "system prune [options]", .run = pc_cmd_system_prune },
  { .name = "reset", .summary = "Reset pc storage",
    .usage = "system reset [options]", .run = pc_cmd_system_reset,
    .description = "Reset pc storage back to default state: stops and removes every container, then removes the store root and the runroot with all images, volumes and state." },
  { .name = NULL },
};
