/* pc info: the engine's host facts (as podman info's host section, plus the
   rootless prerequisites), store paths and version, printed as YAML,
   --format json or a Go template. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cmd/pc/commands.h"
#include "lib/cleanup.h"
#include "lib/format.h"
#include "lib/xalloc.h"
#include "pkg/engine/engine.h"

/* Templates name podman's Go struct fields (`{{.Host.Security.Rootless}}`,
   `{{.Store.GraphRoot}}`), not the JSON keys: a copy with those names. */
static json_object *
go_names (json_object *o)
{
  static const char *const special[][2] = {
    { "cgroupVersion", "CgroupsVersion" }, { "cpus", "CPUs" }, { "os", "OS" },
    { "idMappings", "IDMappings" }, { "uidmap", "UIDMap" }, { "gidmap", "GIDMap" },
    { "container_id", "ContainerID" }, { "host_id", "HostID" },
    { "ociRuntime", "OCIRuntime" }, { "APIVersion", "APIVersion" },
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

static char *
self_path (void)
{
  char buf[4096];
  ssize_t n = readlink ("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0)
    return xstrdup ("");
  buf[n] = '\0';
  return xstrdup (buf);
}

static json_object *
str (const char *s)
{
  return json_object_new_string (s ? s : "");
}

/* A copy of o's keys in podman's order (its Go struct's), the rest after. */
static void
reorder (json_object *parent, const char *key, const char *const *order)
{
  json_object *o = NULL;
  if (!json_object_object_get_ex (parent, key, &o) || !json_object_is_type (o, json_type_object))
    return;
  json_object *n = json_object_new_object ();
  for (const char *const *k = order; *k; k++)
    {
      json_object *v;
      if (json_object_object_get_ex (o, *k, &v))
        json_object_object_add (n, *k, json_object_get (v));
    }
  json_object_object_foreach (o, k, v)
    if (!json_object_object_get_ex (n, k, NULL))
      json_object_object_add (n, k, json_object_get (v));
  json_object_object_add (parent, key, n);
}

/* The fields tools read from podman info, for what pc is: its own OCI
   runtime and monitor (both the pc binary), built-in networking, the
   configured event logger and log driver, no service socket. */
static void
add_config_facts (json_object *o, const struct pc_engine_options *eo)
{
  const struct pc_engine_conf *c = pc_engine_conf ();
  json_object *host = NULL, *store = NULL, *ver = NULL;
  json_object_object_get_ex (o, "host", &host);
  json_object_object_get_ex (o, "store", &store);
  json_object_object_get_ex (o, "version", &ver);
  pc_autofree char *self = self_path ();
  pc_autofree char *version = xasprintf ("pc version %s", PC_VERSION);
  if (host)
    {
      json_object_object_add (host, "cgroupManager", str (c->cgroup_manager ? c->cgroup_manager : "cgroupfs"));
      json_object *conmon = json_object_new_object ();
      json_object_object_add (conmon, "package", str (""));
      json_object_object_add (conmon, "path", str (self));
      json_object_object_add (conmon, "version", str (version));
      json_object_object_add (host, "conmon", conmon);
      json_object_object_add (host, "eventLogger", str (c->events_logger ? c->events_logger : "file"));
      json_object_object_add (host, "logDriver", str (c->log_driver && *c->log_driver ? c->log_driver : "k8s-file"));
      json_object_object_add (host, "networkBackend", str ("pc"));
      json_object *rt = json_object_new_object ();
      json_object_object_add (rt, "name", str ("pc"));
      json_object_object_add (rt, "package", str (""));
      json_object_object_add (rt, "path", str (self));
      json_object_object_add (rt, "version", str (version));
      json_object_object_add (host, "ociRuntime", rt);
      json_object *sock = json_object_new_object ();
      json_object_object_add (sock, "path", str (""));
      json_object_object_add (sock, "exists", json_object_new_boolean (false));
      json_object_object_add (host, "remoteSocket", sock);
      json_object_object_add (host, "serviceIsRemote", json_object_new_boolean (false));
      static const char *const order[] = {
        "arch", "cgroupManager", "cgroupVersion", "cgroupControllers", "conmon", "cpus", "eventLogger",
        "hostname", "idMappings", "kernel", "logDriver", "memFree", "memTotal", "networkBackend",
        "ociRuntime", "os", "remoteSocket", "serviceIsRemote", "security", NULL,
      };
      reorder (o, "host", order);
    }
  if (store)
    {
      pc_autofree char *driver = pc_engine_storage_driver_name (eo);
      json_object_object_add (store, "graphDriverName", str (driver));
      static const char *const order[] = { "configFile", "graphDriverName", "graphRoot", "graphStatus",
                                           "runRoot", NULL };
      reorder (o, "store", order);
    }
  if (ver)
    {
      json_object_object_add (ver, "APIVersion", str (PC_VERSION));
      json_object_object_add (ver, "OsArch", str ("linux/amd64"));
      json_object_object_add (ver, "Os", str ("linux"));
      static const char *const order[] = { "APIVersion", "Version", "OsArch", "Os", NULL };
      reorder (o, "version", order);
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
  const struct pc_engine_options eo = { .root = pc_global.root, .runroot = pc_global.runroot,
                                        .storage_driver = pc_global.storage_driver };
  json_object *o = pc_engine_info (&eo);
  add_config_facts (o, &eo);
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
