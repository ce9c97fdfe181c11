/* containers.conf and storage.conf as podman 4.3 reads them
   (containers.conf(5), containers-storage.conf(5)), plus pc's own files
   beside them. Read once, at the start of the command, before pc enters a
   user namespace; docs/config.md says which keys do what.

   Every file is outside data: a syntax error or a value of the wrong type
   is an error naming the file and the line, class PC_ERR_INVALID (the CLI
   exits 125), never a crash. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/toml.h"
#include "lib/xalloc.h"
#include "lib/parse.h"
#include "pkg/engine/engine.h"
#include "pkg/engine/events.h"
#include "pkg/storage/storage.h"

/* A configuration file is small; podman reads them with no limit. */
#define CONF_MAX (4 << 20)
#define PC_CONF_USR_SHARE "/usr/share/containers"
#define PC_CONF_ETC "/etc/containers"

static struct pc_engine_conf conf = { .log_size_max = -1, .pids_limit = 2048, .events_logfile_max_size = -1 };

/* The user's uid on the host, also inside pc's user namespace. */
static bool
rootless (void)
{
  return pc_storage_real_uid () != 0;
}

static char *
user_config_dir (void)
{
  const char *xdg = getenv ("XDG_CONFIG_HOME");
  if (xdg && xdg[0] == '/')
    return xstrdup (xdg);
  const char *home = getenv ("HOME");
  if (home && *home)
    return xasprintf ("%s/.config", home);
  return NULL;
}

/* Go's words for an errno: strerror in lower case. */
static const char *
go_strerror (int e, char *buf, size_t n)
{
  snprintf (buf, n, "%s", strerror (e));
  if (buf[0] >= 'A' && buf[0] <= 'Z')
    buf[0] = (char) (buf[0] - 'A' + 'a');
  return buf;
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The ".conf" files of dir, sorted, appended to *files (containers/common's
   addConfigs). */
static void
add_drop_ins (char ***files, const char *dir)
{
  pc_autoclosedir DIR *d = opendir (dir);
  if (d == NULL)
    return;
  pc_autostrv char **names = NULL;
  struct dirent *de;
  while ((de = readdir (d)))
    {
      size_t n = strlen (de->d_name);
      if (de->d_name[0] == '.' || n < 6 || strcmp (de->d_name + n - 5, ".conf") != 0)
        continue;
      pc_strv_append (&names, de->d_name);
    }
  if (names)
    qsort (names, pc_strv_len (names), sizeof *names, cmp_str);
  for (char **n = names; n && *n; n++)
    {
      pc_autofree char *p = xasprintf ("%s/%s", dir, *n);
      struct stat st;
      if (stat (p, &st) == 0 && !S_ISDIR (st.st_mode))
        pc_strv_append (files, p);
    }
}

static void
add_if_exists (char ***files, const char *path)
{
  if (access (path, F_OK) == 0)
    pc_strv_append (files, path);
}

/* containers.conf(5) MODULES: a path, or a name in the user's, /etc's or
   /usr/share's containers.conf.modules, the first found. */
static int
find_module (const char *m, char ***files, pc_error **err)
{
  if (m[0] == '/')
    {
      if (access (m, F_OK) < 0)
        return pc_error_errnoc (err, PC_ERR_INVALID, errno, "could not resolve module \"%s\"", m);
      pc_strv_append (files, m);
      return 0;
    }
  pc_autofree char *dir = rootless () ? user_config_dir () : NULL;
  pc_autofree char *user = dir ? xasprintf ("%s/containers/containers.conf.modules", dir) : NULL;
  const char *const dirs[] = { user ? user : PC_CONF_ETC "/containers.conf.modules",
                               PC_CONF_ETC "/containers.conf.modules",
                               PC_CONF_USR_SHARE "/containers.conf.modules", NULL };
  for (const char *const *d = dirs; *d; d++)
    {
      pc_autofree char *p = xasprintf ("%s/%s", *d, m);
      if (!strstr (m, "..") && access (p, F_OK) == 0)
        {
          pc_strv_append (files, p);
          return 0;
        }
    }
  return pc_error_makec (err, PC_ERR_INVALID, ENOENT,
                         "could not resolve module \"%s\": not in %s, %s or %s", m, dirs[0], dirs[1], dirs[2]);
}

int
pc_engine_conf_files (char *const *modules, char ***out, pc_error **err)
{
  pc_autostrv char **files = NULL;
  const char *env = getenv ("CONTAINERS_CONF");
  if (env && *env)
    {
      struct stat st;
      char b[128];
      if (stat (env, &st) < 0)
        return pc_error_makec (err, PC_ERR_INVALID, errno,
                               "finding config on system: CONTAINERS_CONF file: stat %s: %s", env,
                               go_strerror (errno, b, sizeof b));
      pc_strv_append (&files, env);
    }
  else
    {
      add_if_exists (&files, PC_CONF_USR_SHARE "/containers.conf");
      add_drop_ins (&files, PC_CONF_USR_SHARE "/containers.conf.d");
      add_if_exists (&files, PC_CONF_ETC "/containers.conf");
      add_drop_ins (&files, PC_CONF_ETC "/containers.conf.d");
      pc_autofree char *dir = rootless () ? user_config_dir () : NULL;
      if (dir)
        {
          pc_autofree char *u = xasprintf ("%s/containers/containers.conf", dir);
          pc_autofree char *ud = xasprintf ("%s/containers/containers.conf.d", dir);
          add_if_exists (&files, u);
          add_drop_ins (&files, ud);
        }
      /* pc's own file, read last: the same keys, for pc alone. */
      pc_autofree char *pcdir = rootless () ? dir ? xasprintf ("%s/pc", dir) : NULL : xstrdup ("/etc/pc");
      if (pcdir)
        {
          pc_autofree char *p = xasprintf ("%s/containers.conf", pcdir);
          add_if_exists (&files, p);
        }
    }
  for (char *const *m = modules; m && *m; m++)
    if (find_module (*m, &files, err) < 0)
      return -1;
  const char *ovr = getenv ("CONTAINERS_CONF_OVERRIDE");
  if (ovr && *ovr)
    {
      struct stat st;
      char b[128];
      if (stat (ovr, &st) < 0)
        return pc_error_makec (err, PC_ERR_INVALID, errno,
                               "finding config on system: CONTAINERS_CONF_OVERRIDE file: stat %s: %s", ovr,
                               go_strerror (errno, b, sizeof b));
      pc_strv_append (&files, ovr);
    }
  *out = steal_pointer (&files);
  return 0;
}

/* ---- typed reading, with BurntSushi toml's words for a wrong type ---- */

struct reader
{
  const char *path;
  const char *table;
  json_object *lines;
};

static const char *
toml_type (json_object *v)
{
  switch (json_object_get_type (v))
    {
    case json_type_string: return "string";
    case json_type_int: return "int64";
    case json_type_boolean: return "bool";
    case json_type_array: return "[]interface {}";
    case json_type_object: return "map[string]interface {}";
    default: return "nil";
    }
}

static int
type_error (const struct reader *r, const char *key, json_object *v, const char *want, pc_error **err)
{
  pc_autofree char *dotted = *r->table ? xasprintf ("%s.%s", r->table, key) : xstrdup (key);
  int line = (int) pc_json_get_int (r->lines, dotted, 0);
  return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                         "reading system config \"%s\": decode configuration %s: toml: line %d (last key \"%s\"): "
                         "incompatible types: TOML value has type %s; destination has type %s",
                         r->path, r->path, line, dotted, toml_type (v), want);
}

static int
get_string (const struct reader *r, json_object *t, const char *key, char **out, pc_error **err)
{
  json_object *v;
  if (!json_object_object_get_ex (t, key, &v))
    return 0;
  if (!json_object_is_type (v, json_type_string))
    return type_error (r, key, v, "string", err);
  free (*out);
  *out = xstrdup (json_object_get_string (v));
  return 0;
}

static int
get_bool (const struct reader *r, json_object *t, const char *key, bool *out, bool *set, pc_error **err)
{
  json_object *v;
  if (!json_object_object_get_ex (t, key, &v))
    return 0;
  if (!json_object_is_type (v, json_type_boolean))
    return type_error (r, key, v, "bool", err);
  *out = json_object_get_boolean (v);
  if (set)
    *set = true;
  return 0;
}

static int
get_int (const struct reader *r, json_object *t, const char *key, int64_t *out, pc_error **err)
{
  json_object *v;
  if (!json_object_object_get_ex (t, key, &v))
    return 0;
  if (!json_object_is_type (v, json_type_int))
    return type_error (r, key, v, "int64", err);
  *out = json_object_get_int64 (v);
  return 0;
}

/* A later file's array replaces an earlier one's, as decoding into the
   same Go struct does. */
static int
get_strv (const struct reader *r, json_object *t, const char *key, char ***out, bool *set, pc_error **err)
{
  json_object *v;
  if (!json_object_object_get_ex (t, key, &v))
    return 0;
  if (!json_object_is_type (v, json_type_array))
    return type_error (r, key, v, "slice", err);
  pc_autostrv char **list = NULL;
  for (size_t i = 0; i < json_object_array_length (v); i++)
    {
      json_object *e = json_object_array_get_idx (v, i);
      if (!json_object_is_type (e, json_type_string))
        return type_error (r, key, e, "string", err);
      pc_strv_append (&list, json_object_get_string (e));
    }
  pc_strv_free (*out);
  *out = steal_pointer (&list);
  if (set)
    *set = true;
  return 0;
}

static int
read_containers (const struct reader *r, json_object *t, struct pc_engine_conf *c, pc_error **err)
{
  if (get_strv (r, t, "env", &c->env, NULL, err) < 0
      || get_bool (r, t, "env_host", &c->env_host, NULL, err) < 0
      || get_bool (r, t, "http_proxy", &c->http_proxy, &c->http_proxy_set, err) < 0
      || get_strv (r, t, "default_ulimits", &c->default_ulimits, NULL, err) < 0
      || get_strv (r, t, "default_sysctls", &c->default_sysctls, NULL, err) < 0
      || get_strv (r, t, "default_capabilities", &c->default_capabilities, &c->default_capabilities_set, err) < 0
      || get_string (r, t, "log_driver", &c->log_driver, err) < 0
      || get_int (r, t, "log_size_max", &c->log_size_max, err) < 0
      || get_int (r, t, "pids_limit", &c->pids_limit, err) < 0
      || get_string (r, t, "tz", &c->tz, err) < 0
      || get_string (r, t, "umask", &c->umask, err) < 0
      || get_bool (r, t, "init", &c->init, NULL, err) < 0
      || get_string (r, t, "init_path", &c->init_path, err) < 0
      || get_string (r, t, "userns", &c->userns, err) < 0
      || get_strv (r, t, "dns_servers", &c->dns_servers, NULL, err) < 0
      || get_strv (r, t, "dns_searches", &c->dns_searches, NULL, err) < 0
      || get_strv (r, t, "dns_options", &c->dns_options, NULL, err) < 0
      || get_bool (r, t, "no_hosts", &c->no_hosts, NULL, err) < 0
      || get_string (r, t, "seccomp_profile", &c->seccomp_profile, err) < 0
      || get_string (r, t, "shm_size", &c->shm_size, err) < 0
      || get_bool (r, t, "label", &c->label, NULL, err) < 0)
    return -1;
  return 0;
}

static int
read_engine (const struct reader *r, json_object *t, struct pc_engine_conf *c, pc_error **err)
{
  if (get_string (r, t, "runtime", &c->runtime, err) < 0
      || get_string (r, t, "events_logger", &c->events_logger, err) < 0
      || get_string (r, t, "image_default_transport", &c->image_default_transport, err) < 0
      || get_string (r, t, "cgroup_manager", &c->cgroup_manager, err) < 0
      || get_string (r, t, "tmp_dir", &c->tmp_dir, err) < 0
      || get_string (r, t, "events_logfile_path", &c->events_logfile_path, err) < 0)
    return -1;
  /* A number of bytes, or a size with a unit ("1m"), as containers/common. */
  json_object *ms = NULL;
  if (json_object_object_get_ex (t, "events_logfile_max_size", &ms))
    {
      if (json_object_is_type (ms, json_type_int))
        c->events_logfile_max_size = json_object_get_int64 (ms);
      else if (!json_object_is_type (ms, json_type_string)
               || pc_parse_size (json_object_get_string (ms), &c->events_logfile_max_size, NULL) < 0)
        return type_error (r, "events_logfile_max_size", ms, "config.eventsLogMaxSize", err);
    }
  /* Runtimes by name: [engine.runtimes] NAME = ["/path", ...]. */
  json_object *rts = NULL;
  if (json_object_object_get_ex (t, "runtimes", &rts) && json_object_is_type (rts, json_type_object))
    {
      json_object_object_foreach (rts, name, paths)
        {
          if (!json_object_is_type (paths, json_type_array))
            {
              struct reader sub = { r->path, "engine.runtimes", r->lines };
              return type_error (&sub, name, paths, "slice", err);
            }
          if (c->runtimes == NULL)
            c->runtimes = json_object_new_object ();
          json_object_object_add (c->runtimes, name, json_object_get (paths));
        }
    }
  /* podman's remote connections and the like mean nothing to a tool without
     a service. */
  static const char *const ignored[] = { "active_service", "service_destinations", "remote", "remote_uri",
                                         "remote_identity", "service_timeout", NULL };
  for (const char *const *k = ignored; *k; k++)
    if (json_object_object_get_ex (t, *k, NULL))
      pc_debug ("%s: [engine] %s is ignored: pc has no service and no remote connections", r->path, *k);
  return 0;
}

static int
read_file (const char *path, struct pc_engine_conf *c, pc_error **err)
{
  pc_autofree char *buf = NULL;
  size_t len = 0;
  pc_autoerror pc_error *e = NULL;
  if (pc_read_file_max (AT_FDCWD, path, CONF_MAX, PC_READ_REGULAR, &buf, &len, &e) < 0)
    return pc_error_makec (err, PC_ERR_INVALID, e->status, "reading system config \"%s\": %s", path, e->msg);
  pc_autojson json_object *lines = NULL;
  pc_autojson json_object *root = pc_toml_parse_lines (buf, len, &lines, &e);
  if (root == NULL)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "reading system config \"%s\": decode configuration %s: %s",
                           path, path, e->msg);
  pc_debug ("reading configuration file %s", path);
  json_object *t;
  if (json_object_object_get_ex (root, "containers", &t))
    {
      struct reader r = { path, "containers", lines };
      if (!json_object_is_type (t, json_type_object))
        return type_error (&(struct reader) { path, "", lines }, "containers", t, "config.ContainersConfig", err);
      if (read_containers (&r, t, c, err) < 0)
        return -1;
    }
  if (json_object_object_get_ex (root, "engine", &t))
    {
      struct reader r = { path, "engine", lines };
      if (!json_object_is_type (t, json_type_object))
        return type_error (&(struct reader) { path, "", lines }, "engine", t, "config.EngineConfig", err);
      if (read_engine (&r, t, c, err) < 0)
        return -1;
    }
  return 0;
}

/* ---- storage.conf ---- */

static int
read_storage_file (const char *path, char **graphroot, char **runroot, char **driver, pc_error **err)
{
  pc_autofree char *buf = NULL;
  size_t len = 0;
  pc_autoerror pc_error *e = NULL;
  if (pc_read_file_max (AT_FDCWD, path, CONF_MAX, PC_READ_REGULAR, &buf, &len, &e) < 0)
    {
      if (e->status == ENOENT)
        return 0;
      return pc_error_makec (err, PC_ERR_INVALID, e->status, "reading storage config \"%s\": %s", path, e->msg);
    }
  pc_autojson json_object *lines = NULL;
  pc_autojson json_object *root = pc_toml_parse_lines (buf, len, &lines, &e);
  if (root == NULL)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "reading storage config \"%s\": %s", path, e->msg);
  pc_debug ("reading storage configuration file %s", path);
  json_object *t;
  if (!json_object_object_get_ex (root, "storage", &t))
    return 0;
  struct reader r = { path, "storage", lines };
  if (!json_object_is_type (t, json_type_object))
    return type_error (&(struct reader) { path, "", lines }, "storage", t, "tomlConfig.Storage", err);
  pc_autofree char *rsp = NULL;
  if (get_string (&r, t, "graphroot", graphroot, err) < 0 || get_string (&r, t, "runroot", runroot, err) < 0
      || get_string (&r, t, "driver", driver, err) < 0
      || get_string (&r, t, "rootless_storage_path", &rsp, err) < 0)
    return -1;
  if (rsp && *rsp && rootless ())
    {
      free (*graphroot);
      *graphroot = steal_pointer (&rsp);
    }
  /* overlay with mount_program = fuse-overlayfs ([storage.options.overlay],
     or [storage.options] as older files have it) is pc's fuse-overlayfs
     driver: the user asked for no native overlay. */
  json_object *opts = pc_json_get_object (t, "options");
  const char *mp = pc_json_get_string (pc_json_get_object (opts, "overlay"), "mount_program");
  if (mp == NULL)
    mp = pc_json_get_string (opts, "mount_program");
  if (mp && strstr (mp, "fuse-overlayfs") && *driver && strcmp (*driver, "overlay") == 0)
    {
      free (*driver);
      *driver = xstrdup ("fuse-overlayfs");
    }
  return 0;
}

/* containers-storage.conf(5): CONTAINERS_STORAGE_CONF, else the user's
   file (rootless) or /etc/containers/storage.conf. Its graphroot and
   runroot locate pc's store in a "pc" directory below them: the store's
   format is pc's own, and sharing podman's directory would let either
   tool's reset remove the other's images. pc's own storage.conf (same
   keys) names pc's store itself. */
static int
read_storage (struct pc_engine_conf *c, pc_error **err)
{
  pc_autofree char *gr = NULL, *rr = NULL, *drv = NULL;
  const char *env = getenv ("CONTAINERS_STORAGE_CONF");
  pc_autofree char *dir = rootless () ? user_config_dir () : NULL;
  pc_autofree char *path = NULL;
  if (env && *env)
    path = xstrdup (env);
  else if (dir)
    {
      path = xasprintf ("%s/containers/storage.conf", dir);
      if (access (path, F_OK) != 0)
        {
          free (path);
          path = NULL;
          /* The system file's driver applies to rootless users too; its
             paths are root's. */
          pc_autofree char *g = NULL, *r = NULL;
          if (read_storage_file (PC_CONF_ETC "/storage.conf", &g, &r, &drv, err) < 0)
            return -1;
        }
    }
  else
    path = xstrdup (PC_CONF_ETC "/storage.conf");
  if (path && read_storage_file (path, &gr, &rr, &drv, err) < 0)
    return -1;
  if (gr && *gr)
    c->graphroot = xasprintf ("%s/pc", gr);
  if (rr && *rr)
    c->runroot = xasprintf ("%s/pc", rr);
  if (drv && *drv && strcmp (drv, "overlay") != 0 && strcmp (drv, "vfs") != 0
      && strcmp (drv, "fuse-overlayfs") != 0)
    pc_debug ("storage.conf: driver \"%s\" is not one of pc's (overlay, fuse-overlayfs, vfs): ignored", drv);
  else
    c->driver = steal_pointer (&drv);

  pc_autofree char *own = rootless () ? dir ? xasprintf ("%s/pc/storage.conf", dir) : NULL
                                      : xstrdup ("/etc/pc/storage.conf");
  pc_autofree char *g = NULL, *r = NULL, *d = NULL;
  if (own && read_storage_file (own, &g, &r, &d, err) < 0)
    return -1;
  if (g && *g)
    free (c->graphroot), c->graphroot = steal_pointer (&g);
  if (r && *r)
    free (c->runroot), c->runroot = steal_pointer (&r);
  if (d && *d)
    free (c->driver), c->driver = steal_pointer (&d);
  if (c->driver && *c->driver == '\0')
    free (c->driver), c->driver = NULL;
  return 0;
}

/* ---- the OCI runtime ---- */

static bool
executable (const char *p)
{
  struct stat st;
  return stat (p, &st) == 0 && S_ISREG (st.st_mode) && access (p, X_OK) == 0;
}

int
pc_engine_conf_runtime (struct pc_engine_conf *c, bool from_flag, pc_error **err)
{
  free (c->runtime_path);
  c->runtime_path = NULL;
  const char *name = c->runtime;
  if (name == NULL || *name == '\0' || strcmp (name, "pc") == 0)
    return 0;
  pc_autofree char *found = NULL;
  if (name[0] == '/')
    found = executable (name) ? xstrdup (name) : NULL;
  else
    {
      json_object *paths = NULL;
      if (c->runtimes && json_object_object_get_ex (c->runtimes, name, &paths))
        for (size_t i = 0; found == NULL && i < pc_json_array_len (paths); i++)
          {
            const char *p = pc_json_array_string_at (paths, i);
            if (p && executable (p))
              found = xstrdup (p);
          }
      /* podman's default [engine.runtimes] list these directories. */
      static const char *const dirs[] = { "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin",
                                          "/sbin", "/bin", "/usr/lib/cri-o-runc/sbin", NULL };
      static const char *const known[] = { "runc", "crun", "crun-wasm", "kata", "runsc", "youki", "krun",
                                           "ocijail", NULL };
      bool is_known = false;
      for (const char *const *k = known; *k; k++)
        is_known |= strcmp (*k, name) == 0;
      for (const char *const *d = dirs; is_known && found == NULL && !strchr (name, '/') && *d; d++)
        {
          pc_autofree char *p = xasprintf ("%s/%s", *d, name);
          if (executable (p))
            found = steal_pointer (&p);
        }
    }
  if (found == NULL)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "default OCI runtime \"%s\" not found: invalid argument", name);
  if (from_flag)
    pc_warn ("pc runs containers with its own OCI runtime: --runtime %s (%s) is not used", name, found);
  else
    pc_debug ("pc runs containers with its own OCI runtime: runtime \"%s\" (%s) from containers.conf is not used",
              name, found);
  c->runtime_path = steal_pointer (&found);
  return 0;
}

/* ---- checks after all files, as podman validates its config ---- */

static int
validate (struct pc_engine_conf *c, pc_error **err)
{
  if (c->log_size_max >= 0 && c->log_size_max < PC_CONF_LOG_SIZE_MIN)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "validating containers config: log size max should be negative or >= %d",
                           PC_CONF_LOG_SIZE_MIN);
  if (c->events_logger && strcmp (c->events_logger, "file") != 0 && strcmp (c->events_logger, "journald") != 0
      && strcmp (c->events_logger, "none") != 0)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "configuring runtime: \"%s\" is not a valid events backend: invalid argument",
                           c->events_logger);
  if (c->cgroup_manager && strcmp (c->cgroup_manager, "cgroupfs") != 0 && strcmp (c->cgroup_manager, "systemd") != 0)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "configuring runtime: cgroup manager must be one of cgroupfs and systemd: invalid argument");
  if (c->umask && pc_engine_conf_parse_umask (c->umask, NULL, err) < 0)
    return -1;
  return 0;
}

int
pc_engine_conf_parse_umask (const char *s, unsigned *out, pc_error **err)
{
  char *end = NULL;
  unsigned long v = *s ? strtoul (s, &end, 8) : 0;
  if (*s == '\0' || *end || v > 0777 || strlen (s) > 4)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid umask string %s: invalid argument", s);
  if (out)
    *out = (unsigned) v;
  return 0;
}

static void
conf_clear (struct pc_engine_conf *c)
{
  pc_strv_free (c->env);
  pc_strv_free (c->default_ulimits);
  pc_strv_free (c->default_capabilities);
  pc_strv_free (c->default_sysctls);
  pc_strv_free (c->dns_servers);
  pc_strv_free (c->dns_searches);
  pc_strv_free (c->dns_options);
  free (c->log_driver);
  free (c->tz);
  free (c->umask);
  free (c->init_path);
  free (c->userns);
  free (c->seccomp_profile);
  free (c->shm_size);
  free (c->runtime);
  free (c->runtime_path);
  free (c->events_logger);
  free (c->image_default_transport);
  free (c->cgroup_manager);
  free (c->tmp_dir);
  free (c->events_logfile_path);
  free (c->graphroot);
  free (c->runroot);
  free (c->driver);
  pc_strv_free (c->files);
  if (c->runtimes)
    json_object_put (c->runtimes);
  memset (c, 0, sizeof *c);
  c->log_size_max = -1;
  c->pids_limit = 2048;
  c->events_logfile_max_size = -1;
}

int
pc_engine_conf_load (const struct pc_engine_conf_flags *flags, pc_error **err)
{
  struct pc_engine_conf c = { .log_size_max = -1, .pids_limit = 2048, .events_logfile_max_size = -1 };
  pc_autostrv char **files = NULL;
  if (pc_engine_conf_files (flags ? flags->modules : NULL, &files, err) < 0)
    return -1;
  for (char **f = files; f && *f; f++)
    if (read_file (*f, &c, err) < 0)
      {
        conf_clear (&c);
        return -1;
      }
  c.files = steal_pointer (&files);
  if (read_storage (&c, err) < 0)
    {
      conf_clear (&c);
      return -1;
    }
  if (flags)
    {
      if (flags->runtime)
        free (c.runtime), c.runtime = xstrdup (flags->runtime);
      if (flags->events_backend)
        free (c.events_logger), c.events_logger = xstrdup (flags->events_backend);
      if (flags->cgroup_manager)
        free (c.cgroup_manager), c.cgroup_manager = xstrdup (flags->cgroup_manager);
      if (flags->tmpdir)
        free (c.tmp_dir), c.tmp_dir = xstrdup (flags->tmpdir);
      for (char *const *o = flags->storage_opts; o && *o; o++)
        if ((strncmp (*o, "overlay.mount_program=", 22) == 0 || strncmp (*o, "mount_program=", 14) == 0)
            && strstr (*o, "fuse-overlayfs"))
          free (c.driver), c.driver = xstrdup ("fuse-overlayfs");
    }
  if (validate (&c, err) < 0 || pc_engine_conf_runtime (&c, flags && flags->runtime, err) < 0)
    {
      conf_clear (&c);
      return -1;
    }
  conf_clear (&conf);
  conf = c;
  pc_storage_set_config (conf.graphroot, conf.runroot, conf.driver);
  /* The events log reads events_logger itself; its file and size only
     when set, so the tests' PC_EVENTS_LOGFILE_MAX_SIZE still applies. */
  if (conf.events_logfile_path || conf.events_logfile_max_size >= 0)
    pc_engine_events_configure (conf.events_logger, conf.events_logfile_path, conf.events_logfile_max_size);
  return 0;
}

const struct pc_engine_conf *
pc_engine_conf (void)
{
  return &conf;
}


char *
pc_engine_storage_driver_name (const struct pc_engine_options *o)
{
  struct pc_store *s = NULL;
  pc_autoerror pc_error *err = NULL;
  if (pc_store_open (o ? o->root : NULL, o ? o->runroot : NULL, o ? o->storage_driver : NULL, &s, &err) < 0)
    return NULL;
  const char *d = pc_store_driver (s, &err);
  char *r = d ? xstrdup (d) : NULL;
  pc_store_close (s);
  return r;
}
