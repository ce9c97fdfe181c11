/* The engine's host-facing commands: `pc info`'s facts, `pc system check`'s
   prerequisites and `pc unshare`'s user namespace. None opens the engine's
   records: they work on a machine (or a --root) where pc never ran. */
#include "pkg/engine/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/rootless/rootless.h"
#include "pkg/storage/storage.h"

static char *
graph_root (const struct pc_engine_options *o)
{
  return o && o->root ? xstrdup (o->root) : pc_storage_default_root ();
}

static char *
run_root (const struct pc_engine_options *o)
{
  return o && o->runroot ? xstrdup (o->runroot) : pc_storage_default_runroot ();
}

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
store_json (const char *graph, const char *run)
{
  json_object *s = json_object_new_object ();
  json_object_object_add (s, "graphRoot", json_object_new_string (graph));
  json_object *gs = json_object_new_object ();
  json_object_object_add (gs, "Backing Filesystem", json_object_new_string (pc_fs_type_name (graph)));
  json_object_object_add (s, "graphStatus", gs);
  json_object_object_add (s, "runRoot", json_object_new_string (run));
  return s;
}

json_object *
pc_engine_info (const struct pc_engine_options *o)
{
  pc_autofree char *graph = graph_root (o);
  pc_autofree char *run = run_root (o);
  json_object *info = json_object_new_object ();
  json_object_object_add (info, "host", host_json (graph));
  json_object_object_add (info, "store", store_json (graph, run));
  json_object *v = json_object_new_object ();
  json_object_object_add (v, "Version", json_object_new_string (PC_VERSION));
  json_object_object_add (info, "version", v);
  return info;
}

int
pc_engine_system_check (const struct pc_engine_options *o, json_object **checks,
                        enum pc_engine_check_status *worst, pc_error **err)
{
  pc_autofree char *graph = graph_root (o);
  json_object *c = pc_rootless_check (graph, err);
  if (c == NULL)
    return -1;
  switch (pc_rootless_check_worst (c))
    {
    case PC_CHECK_PASS:
      *worst = PC_ENGINE_CHECK_PASS;
      break;
    case PC_CHECK_WARN:
      *worst = PC_ENGINE_CHECK_WARN;
      break;
    default:
      *worst = PC_ENGINE_CHECK_FAIL;
      break;
    }
  *checks = c;
  return 0;
}

/* podman sets CONTAINERS_GRAPHROOT / CONTAINERS_RUNROOT for the command;
   pc's equivalents are the store's directories. */
static void
export_paths (const struct pc_engine_options *o, uid_t host_uid)
{
  pc_autofree char *graph = graph_root (o);
  pc_autofree char *run = run_root (o);
  setenv ("PC_GRAPHROOT", graph, 1);
  setenv ("PC_RUNROOT", run, 1);
  char buf[16];
  snprintf (buf, sizeof buf, "%u", (unsigned) host_uid);
  setenv ("PC_ROOTLESS_UID", buf, 1);
}

/* execvp reports EACCES for a missing command when some $PATH entry is
   unreadable; look first so "not found" says so, as podman does. */
static bool
in_path (const char *name)
{
  const char *path = getenv ("PATH");
  pc_autofree char *dirs = xstrdup (path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
  char *save = NULL;
  for (char *d = strtok_r (dirs, ":", &save); d; d = strtok_r (NULL, ":", &save))
    {
      pc_autofree char *p = xasprintf ("%s/%s", *d ? d : ".", name);
      if (access (p, F_OK) == 0)
        return true;
    }
  return false;
}

int
pc_engine_unshare (const struct pc_engine_options *o, char **argv, pc_error **err)
{
  if (!pc_rootless_in_userns ())
    {
      if (geteuid () == 0)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "please use unshare with rootless");
      /* Not pc_engine_enter_userns: its context would change the message. */
      if (pc_rootless_enter (err) < 0)
        {
          /* Those two classes stand for the user's command here (127, 126),
             never for pc's own helpers (newuidmap...). */
          enum pc_error_class cls = pc_error_class_of (*err);
          if (cls == PC_ERR_CMD_NOT_FOUND || cls == PC_ERR_CANNOT_INVOKE)
            pc_error_set_class (err, PC_ERR_GENERIC);
          return -1;
        }
    }
  export_paths (o, pc_rootless_host_uid ());

  char *shell_argv[2] = { NULL, NULL };
  char **args = argv;
  if (args == NULL || args[0] == NULL)
    {
      const char *sh = getenv ("SHELL");
      shell_argv[0] = (char *) (sh && *sh ? sh : "/bin/sh");
      args = shell_argv;
    }
  fflush (NULL);
  if (strchr (args[0], '/') == NULL && !in_path (args[0]))
    return pc_error_makec (err, PC_ERR_CMD_NOT_FOUND, ENOENT,
                           "exec: \"%s\": executable file not found in $PATH", args[0]);
  execvp (args[0], args);
  int e = errno;
  if (args == shell_argv && strcmp (shell_argv[0], "/bin/sh") != 0)
    {
      shell_argv[0] = (char *) "/bin/sh";
      execv (shell_argv[0], shell_argv);
      e = errno;
    }
  if (e == ENOENT)
    return pc_error_makec (err, PC_ERR_CMD_NOT_FOUND, e,
                           "exec: \"%s\": executable file not found in $PATH", args[0]);
  return pc_error_makec (err, e == EACCES ? PC_ERR_CANNOT_INVOKE : PC_ERR_GENERIC, e,
                         "exec: \"%s\": %s", args[0], strerror (e));
}
