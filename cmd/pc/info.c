/* pc info: host facts (as podman info's host section, plus the rootless
   prerequisites), store paths and version, as YAML or --format json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cmd/pc/commands.h"
#include "lib/cleanup.h"
#include "lib/format.h"
#include "lib/xalloc.h"
#include "pkg/rootless/rootless.h"
#include "pkg/storage/storage.h"

static json_object *
idmap_json (const struct pc_idmap_entry *e, size_t n)
{
  json_object *a = json_object_new_array ();
  for (size_t i = 0; i < n; i++)
    {
      json_object *o = json_object_new_object ();
      json_object_object_add (o, "container_id", json_object_new_int64 (e[i].container_id));
      json_object_object_add (o, "host_id", json_object_new_int64 (e[i].host_id));
      json_object_object_add (o, "size", json_object_new_int64 (e[i].size));
      json_object_array_add (a, o);
    }
  return a;
}

static json_object *
controllers (int version)
{
  json_object *a = json_object_new_array ();
  char buf[512];
  FILE *f = NULL;
  if (version == 2)
    {
      /* What this process may use: its own cgroup's controllers. */
      char path[4096] = "/sys/fs/cgroup/cgroup.controllers";
      pc_autofclose FILE *cg = fopen ("/proc/self/cgroup", "re");
      if (cg && fgets (buf, sizeof buf, cg) && strncmp (buf, "0::", 3) == 0)
        {
          buf[strcspn (buf, "\n")] = '\0';
          snprintf (path, sizeof path, "/sys/fs/cgroup%s/cgroup.controllers", buf + 3);
        }
      f = fopen (path, "re");
      if (f && fgets (buf, sizeof buf, f))
        for (char *s = NULL, *t = strtok_r (buf, " \n", &s); t; t = strtok_r (NULL, " \n", &s))
          json_object_array_add (a, json_object_new_string (t));
    }
  else if (version == 1 && geteuid () == 0 && !pc_rootless_in_userns ())
    {
      f = fopen ("/proc/cgroups", "re");
      while (f && fgets (buf, sizeof buf, f))
        {
          char name[64];
          int h, n, en;
          if (buf[0] != '#' && sscanf (buf, "%63s %d %d %d", name, &h, &n, &en) == 4 && en && h)
            json_object_array_add (a, json_object_new_string (name));
        }
    }
  if (f)
    fclose (f);
  return a;
}

static json_object *
host_json (const char *graph)
{
  json_object *h = json_object_new_object ();
  struct utsname u;
  uname (&u);
  bool rootless = !(geteuid () == 0 && !pc_rootless_in_userns ());
  int cgv = pc_cgroup_version ();

  json_object_object_add (h, "arch", json_object_new_string (strcmp (u.machine, "x86_64") == 0 ? "amd64"
                                                              : strcmp (u.machine, "aarch64") == 0 ? "arm64"
                                                              : u.machine));
  json_object_object_add (h, "cgroupControllers", controllers (cgv));
  json_object_object_add (h, "cgroupVersion", json_object_new_string (cgv == 2 ? "v2" : cgv == 1 ? "v1" : "unknown"));
  json_object_object_add (h, "cpus", json_object_new_int64 (sysconf (_SC_NPROCESSORS_ONLN)));
  json_object_object_add (h, "hostname", json_object_new_string (u.nodename));

  json_object *ids = json_object_new_object ();
  struct pc_idmap map;
  pc_error *err = NULL;
  if (rootless && pc_rootless_default_idmap (&map, &err) == 0)
    {
      json_object_object_add (ids, "gidmap", idmap_json (map.gid, map.n_gid));
      json_object_object_add (ids, "uidmap", idmap_json (map.uid, map.n_uid));
    }
  else
    {
      pc_error_free (err);
      json_object_object_add (ids, "gidmap", NULL);
      json_object_object_add (ids, "uidmap", NULL);
    }
  json_object_object_add (h, "idMappings", ids);
  json_object_object_add (h, "kernel", json_object_new_string (u.release));
  struct sysinfo si;
  if (sysinfo (&si) == 0)
    {
      json_object_object_add (h, "memFree", json_object_new_int64 ((int64_t) si.freeram * si.mem_unit));
      json_object_object_add (h, "memTotal", json_object_new_int64 ((int64_t) si.totalram * si.mem_unit));
    }
  json_object_object_add (h, "os", json_object_new_string ("linux"));

  err = NULL;
  json_object *checks = pc_rootless_check (graph, &err);
  if (checks == NULL)
    {
      pc_error_free (err);
      checks = json_object_new_array ();
    }
  json_object_object_add (h, "rootlessPrerequisites", checks);
  json_object *sec = json_object_new_object ();
  json_object_object_add (sec, "rootless", json_object_new_boolean (rootless));
  json_object_object_add (h, "security", sec);
  return h;
}

static json_object *
store_json (const char *graph)
{
  pc_autofree char *run = pc_global.runroot ? xstrdup (pc_global.runroot)
                                            : pc_storage_default_runroot ();
  json_object *s = json_object_new_object ();
  json_object_object_add (s, "graphRoot", json_object_new_string (graph));
  json_object *gs = json_object_new_object ();
  json_object_object_add (gs, "Backing Filesystem", json_object_new_string (pc_fs_type_name (graph)));
  json_object_object_add (s, "graphStatus", gs);
  json_object_object_add (s, "runRoot", json_object_new_string (run));
  return s;
}

/* Templates name podman's Go struct fields (`{{.Host.Security.Rootless}}`,
   `{{.Store.GraphRoot}}`), not the JSON keys: a copy with those names. */
static json_object *
go_names (json_object *o)
{
  static const char *const special[][2] = {
    { "cgroupVersion", "CgroupsVersion" }, { "cpus", "CPUs" }, { "os", "OS" },
    { "idMappings", "IDMappings" }, { "uidmap", "UIDMap" }, { "gidmap", "GIDMap" },
    { "container_id", "ContainerID" }, { "host_id", "HostID" },
  };
  if (o == NULL)
    return NULL;
  if (json_object_is_type (o, json_type_array))
    {
      json_object *a = json_object_new_array ();
      for (size_t i = 0; i < json_object_array_length (o); i++)
        json_object_array_add (a, go_names (json_object_array_get_idx (o, i)));
      return a;
    }
  if (!json_object_is_type (o, json_type_object))
    return json_object_get (o);
  json_object *c = json_object_new_object ();
  json_object_object_foreach (o, k, v)
    {
      const char *name = NULL;
      for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        if (strcmp (k, special[i][0]) == 0)
          name = special[i][1];
      pc_autofree char *cap = xstrdup (k);
      if (cap[0] >= 'a' && cap[0] <= 'z')
        cap[0] = (char) (cap[0] - 'a' + 'A');
      json_object_object_add (c, name ? name : cap, go_names (v));
    }
  return c;
}

/* YAML as podman prints it: two-space indent, "- " for list items. */
static void
yaml (json_object *o, int indent, bool in_list)
{
  if (json_object_is_type (o, json_type_object))
    {
      bool first = true;
      json_object_object_foreach (o, k, v)
        {
          int ind = in_list && first ? 0 : indent;
          printf ("%*s%s:", ind, "", k);
          first = false;
          if (v && json_object_is_type (v, json_type_object) && json_object_object_length (v) > 0)
            {
              putchar ('\n');
              yaml (v, indent + 2, false);
            }
          else if (v && json_object_is_type (v, json_type_array) && json_object_array_length (v) > 0)
            {
              putchar ('\n');
              yaml (v, indent, false);
            }
          else if (v == NULL)
            printf (" null\n");
          else if (json_object_is_type (v, json_type_array))
            printf (" []\n");
          else if (json_object_is_type (v, json_type_object))
            printf (" {}\n");
          else
            {
              const char *s = json_object_get_string (v);
              bool quote = json_object_is_type (v, json_type_string)
                           && (*s == '\0' || strpbrk (s, ":#\"'{}[],&*!|>%@`") || s[0] == ' ');
              if (quote)
                {
                  printf (" '");
                  for (const char *c = s; *c; c++)
                    printf (*c == '\'' ? "''" : "%c", *c);
                  printf ("'\n");
                }
              else
                printf (" %s\n", s);
            }
        }
      return;
    }
  if (json_object_is_type (o, json_type_array))
    {
      size_t n = json_object_array_length (o);
      for (size_t i = 0; i < n; i++)
        {
          json_object *v = json_object_array_get_idx (o, i);
          printf ("%*s- ", indent, "");
          if (v && json_object_is_type (v, json_type_object))
            yaml (v, indent + 2, true);
          else
            printf ("%s\n", v ? json_object_get_string (v) : "null");
        }
    }
}

int
pc_cmd_info (const struct pc_command *cmd, int argc, char **argv)
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
  pc_autofree char *graph = pc_global.root ? xstrdup (pc_global.root) : pc_storage_default_root ();
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "host", host_json (graph));
  json_object_object_add (o, "store", store_json (graph));
  json_object *v = json_object_new_object ();
  json_object_object_add (v, "Version", json_object_new_string (PC_VERSION));
  json_object_object_add (o, "version", v);
  int ret = 0;
  if (format && strcmp (format, "json") == 0)
    puts (json_object_to_json_string_ext (o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                                                 | JSON_C_TO_STRING_NOSLASHESCAPE));
  else if (format)
    {
      json_object *g = go_names (o);
      pc_error *err = NULL;
      if (pc_format_template_one (stdout, format, g, &err) < 0)
        ret = pc_cli_fail (err);
      json_object_put (g);
    }
  else
    yaml (o, 0, false);
  json_object_put (o);
  return ret;
}
