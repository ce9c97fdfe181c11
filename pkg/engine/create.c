/* pc create: check the flags, resolve the image, reserve the name, make the
   container layer, merge image config and flags into the record (podman's
   inspect shape), build the runtime spec, and write both. */
#include "pkg/engine/internal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "pkg/engine/health.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "lib/parse.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"
#include "pkg/runtime/runtime.h"
#include "pkg/storage/storage.h"
#include "pkg/engine/events.h"
#include "pkg/engine/run-extras.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const struct
{
  const char *name, *rlimit;
} ulimit_names[] = {
  { "as", "RLIMIT_AS" }, { "core", "RLIMIT_CORE" }, { "cpu", "RLIMIT_CPU" },
  { "data", "RLIMIT_DATA" }, { "fsize", "RLIMIT_FSIZE" }, { "locks", "RLIMIT_LOCKS" },
  { "memlock", "RLIMIT_MEMLOCK" }, { "msgqueue", "RLIMIT_MSGQUEUE" }, { "nice", "RLIMIT_NICE" },
  { "nofile", "RLIMIT_NOFILE" }, { "nproc", "RLIMIT_NPROC" }, { "rss", "RLIMIT_RSS" },
  { "rtprio", "RLIMIT_RTPRIO" }, { "rttime", "RLIMIT_RTTIME" },
  { "sigpending", "RLIMIT_SIGPENDING" }, { "stack", "RLIMIT_STACK" },
};

static bool
parse_limit (const char *s, int64_t *v)
{
  if (strcmp (s, "-1") == 0 || strcmp (s, "unlimited") == 0)
    {
      *v = -1;
      return true;
    }
  char *end = NULL;
  errno = 0;
  long long n = strtoll (s, &end, 10);
  if (errno || end == s || *end || n < 0)
    return false;
  *v = n;
  return true;
}

json_object *
pc_engine_parse_ulimit (const char *s, pc_error **err)
{
  const char *eq = strchr (s, '=');
  if (eq == NULL)
    {
      pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid ulimit argument: %s", s);
      return NULL;
    }
  pc_autofree char *name = xstrndup (s, (size_t) (eq - s));
  const char *rl = NULL;
  for (size_t i = 0; i < sizeof ulimit_names / sizeof *ulimit_names; i++)
    if (strcmp (ulimit_names[i].name, name) == 0)
      rl = ulimit_names[i].rlimit;
  if (rl == NULL)
    {
      pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid ulimit type: %s", name);
      return NULL;
    }
  pc_autofree char *vals = xstrdup (eq + 1);
  char *colon = strchr (vals, ':');
  if (colon)
    *colon = '\0';
  int64_t soft, hard;
  if (!parse_limit (vals, &soft) || (colon && !parse_limit (colon + 1, &hard)))
    {
      pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid ulimit argument: %s", s);
      return NULL;
    }
  if (!colon)
    hard = soft;
  if (soft != -1 && hard != -1 && soft > hard)
    {
      pc_error_makec (err, PC_ERR_INVALID, EINVAL, "ulimit soft limit must be less than or equal to hard limit: %lld > %lld",
                     (long long) soft, (long long) hard);
      return NULL;
    }
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "Name", json_object_new_string (rl));
  json_object_object_add (o, "Soft", json_object_new_int64 (soft));
  json_object_object_add (o, "Hard", json_object_new_int64 (hard));
  return o;
}

/* Ordered KEY=VAL list where a later KEY replaces an earlier one. */
static void
env_set (char ***env, const char *kv)
{
  size_t klen = strcspn (kv, "=");
  for (char **p = *env; p && *p; p++)
    if (strncmp (*p, kv, klen) == 0 && ((*p)[klen] == '=' || (*p)[klen] == '\0'))
      {
        free (*p);
        *p = xstrdup (kv);
        return;
      }
  pc_strv_append (env, kv);
}

static bool
env_has (char **env, const char *key)
{
  size_t klen = strlen (key);
  for (char **p = env; p && *p; p++)
    if (strncmp (*p, key, klen) == 0 && (*p)[klen] == '=')
      return true;
  return false;
}

/* -e KEY=VAL; KEY alone takes the host's value (skipped when unset); KEY*
   takes every host variable with that prefix. */
void
eng_env_add_user (char ***env, const char *s)
{
  extern char **environ;
  if (strchr (s, '='))
    {
      env_set (env, s);
      return;
    }
  size_t n = strlen (s);
  if (n && s[n - 1] == '*')
    {
      for (char **p = environ; *p; p++)
        if (strncmp (*p, s, n - 1) == 0)
          env_set (env, *p);
      return;
    }
  const char *v = getenv (s);
  if (v)
    {
      pc_autofree char *kv = xasprintf ("%s=%s", s, v);
      env_set (env, kv);
    }
}

int
pc_engine_parse_env_file (const char *path, char ***env, pc_error **err)
{
  /* The kernel refuses an environment much over 2 MiB at exec anyway;
     1 MiB keeps --env-file /dev/zero from eating memory, and a FIFO or
     <(...) is still read, up to that. */
  pc_autofree char *buf = NULL;
  if (pc_read_file_max (AT_FDCWD, path, 1 << 20, 0, &buf, NULL, err) < 0)
    return pc_error_wrap (err, "env file");
  char *save = NULL;
  for (char *line = strtok_r (buf, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      size_t n = strlen (line);
      if (n && line[n - 1] == '\r')
        line[--n] = '\0';
      while (*line == ' ' || *line == '\t')
        line++;
      if (*line == '\0' || *line == '#')
        continue;
      if (*line == '=')
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid environment variable: \"%s\"", line);
      eng_env_add_user (env, line);
    }
  return 0;
}

static json_object *
strv_json (char *const *v)
{
  json_object *a = json_object_new_array ();
  for (; v && *v; v++)
    json_object_array_add (a, json_object_new_string (*v));
  return a;
}

/* Flag checks that need nothing on disk: fail before any work is done. */
int
eng_check_opts (const struct pc_create_opts *o, json_object *hc, pc_error **err)
{
  const char *ld = o->log_driver ? o->log_driver : "k8s-file";
  if (strcmp (ld, "k8s-file") != 0 && strcmp (ld, "none") != 0 && strcmp (ld, "passthrough") != 0)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "log driver \"%s\" is not supported: use k8s-file, none or passthrough", ld);
  if (eng_network_check (o, hc, err) < 0 || eng_sysctl_check (o, hc, err) < 0)
    return -1;
  for (char **s = o->security_opt; s && *s; s++)
    if (strcmp (*s, "no-new-privileges") != 0 && strcmp (*s, "no-new-privileges=true") != 0
        && strcmp (*s, "no-new-privileges=false") != 0 && strncmp (*s, "seccomp=", 8) != 0)
      return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid --security-opt 1: \"%s\"", *s);
  if (eng_mounts_check (o, hc, err) < 0)
    return -1;
  if (eng_userns_check (o, hc, err) < 0)
    return -1;
  if (eng_restart_check (o, hc, err) < 0)
    return -1;
  json_object *add = json_object_new_array (), *drop = json_object_new_array ();
  json_object_object_add (hc, "CapAdd", add);
  json_object_object_add (hc, "CapDrop", drop);
  for (int k = 0; k < 2; k++)
    for (char **c = k ? o->cap_drop : o->cap_add; c && *c; c++)
      {
        const char *canon = strcasecmp (*c, "all") == 0 ? "ALL" : pc_runtime_cap_canonical (*c);
        if (canon == NULL)
          return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "unknown capability \"%s\": invalid argument", *c);
        json_object_array_add (k ? drop : add, json_object_new_string (canon));
      }
  json_object_object_add (hc, "Init", json_object_new_boolean (o->init));
  if (o->init)
    {
      /* podman's check and words; the path is recorded absolute, for the
         monitor that binds it later. */
      const char *ip = o->init_path && *o->init_path ? o->init_path : PC_INIT_DEFAULT_BINARY;
      struct stat st;
      if (stat (ip, &st) < 0)
        {
          int e = errno;
          char why[128];
          snprintf (why, sizeof why, "%s", strerror (e));
          why[0] = (char) tolower ((unsigned char) why[0]);
          return pc_error_makec (err, PC_ERR_NOT_FOUND, e,
                                 "container-init binary not found on the host: stat %s: %s", ip, why);
        }
      if (!S_ISREG (st.st_mode))
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "container-init binary %s is not a regular file", ip);
      pc_autofree char *abs = realpath (ip, NULL);
      if (abs == NULL)
        return pc_error_errnoc (err, PC_ERR_NOT_FOUND, errno, "container-init binary %s", ip);
      json_object_object_add (hc, "InitPath", json_object_new_string (abs));
    }
  json_object *devs = json_object_new_array ();
  json_object_object_add (hc, "Devices", devs);
  for (char **d = o->devices; d && *d; d++)
    {
      json_object *x = eng_device_parse (*d, err);
      if (x == NULL)
        return -1;
      json_object_array_add (devs, x);
    }
  json_object *ul = json_object_new_array ();
  json_object_object_add (hc, "Ulimits", ul);
  for (char **u = o->ulimits; u && *u; u++)
    {
      json_object *x = pc_engine_parse_ulimit (*u, err);
      if (x == NULL)
        return -1;
      json_object_array_add (ul, x);
    }
  return 0;
}

static char *
image_display_name (struct pc_image *img, const char *ref)
{
  char **names = pc_image_names (img);
  pc_autofree char *norm = NULL;
  pc_autoerror pc_error *err = NULL;
  if (pc_ref_normalize (ref, &norm, &err) == 0)
    for (char **n = names; n && *n; n++)
      if (strcmp (*n, norm) == 0)
        return xstrdup (*n);
  for (char **n = names; n && *n; n++)
    {
      /* "busybox" typed for "localhost/busybox:latest" */
      const char *slash = strrchr (*n, '/');
      const char *base = slash ? slash + 1 : *n;
      size_t rl = strlen (ref);
      if (strncmp (base, ref, rl) == 0 && (base[rl] == '\0' || base[rl] == ':'))
        return xstrdup (*n);
    }
  if (names && names[0] && strncmp (pc_image_id (img), ref, strlen (ref)) != 0)
    return xstrdup (names[0]);
  return xstrdup (names && names[0] ? names[0] : pc_image_id (img));
}

int
eng_build_record (const struct eng_image *img, const struct pc_create_opts *o, const char *id,
                  const char *name, const char *data_dir, json_object *hc, json_object **out,
                  pc_error **err)
{
  if (pc_image_config_check (img->config, img->id, err) < 0)
    return pc_error_wrap (err, "image %s", img->name ? img->name : img->id);
  json_object *icfg = pc_json_get_object (img->config, "config");
  pc_autojson json_object *rec = json_object_new_object ();
  json_object *cfg = json_object_new_object ();
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  pc_autofree char *created = pc_time_format_rfc3339 (&now);
  const char *imgname = img->name;

  /* Entrypoint and Cmd: --entrypoint drops the image's Cmd, as podman does. */
  json_object *ep = NULL, *cmd = NULL;
  if (o->entrypoint)
    {
      pc_autoerror pc_error *jerr = NULL;
      json_object *j = o->entrypoint[0] == '[' ? pc_json_parse (o->entrypoint, strlen (o->entrypoint), &jerr) : NULL;
      if (pc_json_is_string_array (j))
        ep = j;
      else
        {
          if (j)
            json_object_put (j);
          ep = json_object_new_array ();
          if (*o->entrypoint)
            json_object_array_add (ep, json_object_new_string (o->entrypoint));
        }
    }
  else if (pc_json_get_array (icfg, "Entrypoint"))
    ep = json_object_get (pc_json_get_array (icfg, "Entrypoint"));
  if (o->command && o->command[0])
    cmd = strv_json (o->command);
  else if (!o->entrypoint && pc_json_get_array (icfg, "Cmd"))
    cmd = json_object_get (pc_json_get_array (icfg, "Cmd"));
  size_t nargs = (ep ? json_object_array_length (ep) : 0) + (cmd ? json_object_array_length (cmd) : 0);
  if (nargs == 0)
    {
      if (ep)
        json_object_put (ep);
      if (cmd)
        json_object_put (cmd);
      json_object_put (cfg);
      return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "no command or entrypoint provided, and no CMD or ENTRYPOINT from image");
    }
  json_object *first = ep && json_object_array_length (ep) ? ep : cmd;
  json_object_object_add (rec, "Path", json_object_get (json_object_array_get_idx (first, 0)));
  json_object *args = json_object_new_array ();
  for (int k = 0; k < 2; k++)
    {
      json_object *a = k ? cmd : ep;
      for (size_t i = 0; a && i < json_object_array_length (a); i++)
        if (!(a == first && i == 0))
          json_object_array_add (args, json_object_get (json_object_array_get_idx (a, i)));
    }

  /* Env: defaults < image < env files < -e, then podman's additions. */
  pc_autostrv char **env = NULL;
  pc_strv_append (&env, "PATH=" DEFAULT_PATH);
  /* As podman (since 4.7) and docker: TERM only for a terminal. */
  if (o->tty)
    pc_strv_append (&env, "TERM=xterm");
  eng_conf_env_base (o, &env);
  json_object *ienv = pc_json_get_array (icfg, "Env");
  for (size_t i = 0; i < pc_json_array_len (ienv); i++)
    if (pc_json_array_string_at (ienv, i))
      env_set (&env, pc_json_array_string_at (ienv, i));
  eng_conf_env_unset (o, &env);
  for (char **f = o->env_files; f && *f; f++)
    if (pc_engine_parse_env_file (*f, &env, err) < 0)
      {
        json_object_put (args);
        json_object_put (cfg);
        if (ep)
          json_object_put (ep);
        if (cmd)
          json_object_put (cmd);
        return -1;
      }
  for (char **v = o->env; v && *v; v++)
    eng_env_add_user (&env, *v);
  if (!env_has (env, "container"))
    pc_strv_append (&env, "container=pc");
  char shortid[13];
  memcpy (shortid, id, 12);
  shortid[12] = '\0';
  /* --network host: the host's name, as podman (its UTS namespace is
     still the container's own). */
  struct utsname host_uts;
  enum pc_net_kind kind;
  bool host_net = eng_network_kind (o, &kind) && kind == PC_NET_HOST && uname (&host_uts) == 0;
  const char *hostname = o->hostname && *o->hostname ? o->hostname : host_net ? host_uts.nodename : shortid;
  if (!env_has (env, "HOSTNAME"))
    {
      pc_autofree char *h = xasprintf ("HOSTNAME=%s", hostname);
      pc_strv_append (&env, h);
    }

  const char *user = o->user ? o->user : pc_json_get_string (icfg, "User");
  const char *wd = o->workdir ? o->workdir : pc_json_get_string (icfg, "WorkingDir");
  json_object *labels = json_object_new_object ();
  json_object *ilabels = pc_json_get_object (icfg, "Labels");
  if (ilabels)
    {
      json_object_object_foreach (ilabels, lk, lv)
        json_object_object_add (labels, lk, json_object_get (lv));
    }
  for (char **l = o->labels; l && *l; l++)
    {
      const char *eq = strchr (*l, '=');
      pc_autofree char *k = eq ? xstrndup (*l, (size_t) (eq - *l)) : xstrdup (*l);
      json_object_object_add (labels, k, json_object_new_string (eq ? eq + 1 : ""));
    }

  int stopsig = SIGTERM;
  const char *ss = o->stop_signal ? o->stop_signal : pc_json_get_string (icfg, "StopSignal");
  if (ss && *ss && pc_parse_signal (ss, &stopsig, err) < 0)
    {
      json_object_put (args);
      json_object_put (cfg);
      json_object_put (labels);
      if (ep)
        json_object_put (ep);
      if (cmd)
        json_object_put (cmd);
      return -1;
    }

  json_object_object_add (cfg, "Hostname", json_object_new_string (hostname));
  json_object_object_add (cfg, "Domainname", json_object_new_string (""));
  json_object_object_add (cfg, "User", json_object_new_string (user ? user : ""));
  json_object_object_add (cfg, "AttachStdin", json_object_new_boolean (o->interactive));
  json_object_object_add (cfg, "AttachStdout", json_object_new_boolean (false));
  json_object_object_add (cfg, "AttachStderr", json_object_new_boolean (false));
  json_object_object_add (cfg, "Tty", json_object_new_boolean (o->tty));
  json_object_object_add (cfg, "OpenStdin", json_object_new_boolean (o->interactive));
  json_object_object_add (cfg, "StdinOnce", json_object_new_boolean (false));
  json_object_object_add (cfg, "Env", strv_json (env));
  json_object_object_add (cfg, "Cmd", cmd ? cmd : NULL);
  json_object_object_add (cfg, "Image", json_object_new_string (imgname));
  json_object_object_add (cfg, "Volumes", NULL);
  json_object_object_add (cfg, "WorkingDir", json_object_new_string (wd && *wd ? wd : "/"));
  json_object_object_add (cfg, "Entrypoint", ep ? ep : json_object_new_array ());
  json_object_object_add (cfg, "OnBuild", NULL);
  json_object_object_add (cfg, "Labels", labels);
  json_object *annotations = json_object_new_object ();
  if (pc_json_get_bool (hc, "Init", false))
    json_object_object_add (annotations, "io.podman.annotations.init", json_object_new_string ("TRUE"));
  json_object_object_add (cfg, "Annotations", annotations);
  json_object_object_add (cfg, "StopSignal", json_object_new_int (stopsig));
  if (eng_health_record (icfg, o, cfg, err) < 0)
    {
      json_object_put (cfg);
      json_object_put (args);
      return -1;
    }
  json_object_object_add (cfg, "StopTimeout",
                          json_object_new_int (o->stop_timeout >= 0 ? o->stop_timeout : PC_DEFAULT_STOP_TIMEOUT));
  json_object_object_add (cfg, "Umask", json_object_new_string ("0022"));

  const char *ld = o->log_driver ? o->log_driver : "k8s-file";
  json_object *lc = json_object_new_object ();
  json_object_object_add (lc, "Type", json_object_new_string (ld));
  json_object_object_add (lc, "Config", NULL);
  pc_autofree char *logpath = xasprintf ("%s/containers/%s/ctr.log", data_dir, id);
  json_object_object_add (lc, "Path", json_object_new_string (strcmp (ld, "k8s-file") == 0 ? logpath : ""));
  json_object_object_add (lc, "Tag", json_object_new_string (""));
  json_object_object_add (lc, "Size", json_object_new_string ("0B"));
  pc_autofree char *netmode = eng_network_mode (o->network);
  json_object_object_add (hc, "NetworkMode", json_object_new_string (netmode));
  json_object_object_add (hc, "AutoRemove", json_object_new_boolean (o->rm));
  json_object_object_add (hc, "LogConfig", lc);
  json_object_object_add (hc, "Privileged", json_object_new_boolean (o->privileged));
  json_object_object_add (hc, "ReadonlyRootfs", json_object_new_boolean (o->read_only));
  json_object_object_add (hc, "ReadOnlyTmpfs", json_object_new_boolean (o->read_only_tmpfs));
  json_object_object_add (hc, "SecurityOpt", strv_json (o->security_opt));
  if (!json_object_object_get_ex (hc, "RestartPolicy", NULL))
    {
      json_object *rp = json_object_new_object ();
      json_object_object_add (rp, "Name", json_object_new_string (""));
      json_object_object_add (rp, "MaximumRetryCount", json_object_new_int (0));
      json_object_object_add (hc, "RestartPolicy", rp);
    }
  /* -p filled it at the check (eng_network_check); -P adds the image's
     exposed ports. */
  if (!json_object_object_get_ex (hc, "PortBindings", NULL))
    json_object_object_add (hc, "PortBindings", json_object_new_object ());
  json_object_object_add (hc, "PublishAllPorts", json_object_new_boolean (o->publish_all));
  if (o->publish_all && eng_network_publish_all (icfg, hc, err) < 0)
    return -1;

  json_object_object_add (rec, "Id", json_object_new_string (id));
  json_object_object_add (rec, "Created", json_object_new_string (created));
  if (pc_json_get_bool (hc, "Init", false))
    {
      /* podman shows the init as the container's Path, the command after
         "--" as its Args; the path of the binary moves to the record's
         top level, which inspect does not show. */
      json_object *iargs = json_object_new_array ();
      json_object_array_add (iargs, json_object_new_string ("--"));
      json_object_array_add (iargs, json_object_get (pc_json_get (rec, "Path")));
      for (size_t i = 0; i < json_object_array_length (args); i++)
        json_object_array_add (iargs, json_object_get (json_object_array_get_idx (args, i)));
      json_object_put (args);
      args = iargs;
      json_object_object_add (rec, "Path", json_object_new_string (PC_INIT_PATH));
      json_object_object_add (rec, "InitPath", json_object_get (pc_json_get (hc, "InitPath")));
      json_object_object_del (hc, "InitPath");
    }
  json_object_object_add (rec, "Args", args);
  json_object_object_add (rec, "Image", json_object_new_string (img->id));
  json_object_object_add (rec, "ImageName", json_object_new_string (imgname));
  json_object_object_add (rec, "Name", json_object_new_string (name));
  json_object_object_add (rec, "RestartCount", json_object_new_int (0));
  json_object_object_add (rec, "Driver", json_object_new_string (img->driver ? img->driver : ""));
  json_object_object_add (rec, "OCIRuntime", json_object_new_string ("pc"));
  json_object *user_mounts = pc_json_get_array (hc, ENG_MOUNTS_KEY);
  json_object_object_add (rec, "Mounts", user_mounts ? json_object_get (user_mounts) : json_object_new_array ());
  json_object_object_del (hc, ENG_MOUNTS_KEY);
  json_object_object_add (rec, "Config", cfg);
  json_object_object_add (rec, "HostConfig", json_object_get (hc));
  *out = steal_pointer (&rec);
  return 0;
}

void
eng_record_add_home (json_object *rec, const char *home)
{
  json_object *env = pc_json_get_array (pc_json_get_object (rec, "Config"), "Env");
  if (env == NULL)
    return;
  for (size_t i = 0; i < pc_json_array_len (env); i++)
    if (pc_json_array_string_at (env, i) && strncmp (pc_json_array_string_at (env, i), "HOME=", 5) == 0)
      return;
  pc_autofree char *h = xasprintf ("HOME=%s", home ? home : "/");
  json_object_array_add (env, json_object_new_string (h));
}

static void
undo_create (struct pc_engine *e, const char *id, const char *name, bool layer)
{
  pc_autoerror pc_error *err = NULL;
  if (layer && e->store)
    pc_store_container_remove (e->store, id, &err);
  pc_error_clear (&err);
  pc_rm_rf_at (e->ctr_dfd, id, &err);
  eng_name_release (e, name, id);
}

int
pc_engine_create (struct pc_engine *e, const struct pc_create_opts *o, struct pc_container **out,
                  pc_error **err)
{
  /* containers.conf's defaults where the user gave no flag. */
  __attribute__ ((cleanup (eng_conf_opts_clear))) struct eng_conf_opts conf_opts = { 0 };
  if (pc_engine_create_check_dns (o, err) < 0)
    return -1;
  o = eng_conf_create_opts (o, &conf_opts);
  /* --pod: the pod's namespaces, hostname and volumes (pod-member.c). */
  __attribute__ ((cleanup (eng_pod_member_clear))) struct eng_pod_member pod_member = { 0 };
  if (o->pod && eng_pod_member_opts (e, o, &pod_member, err) < 0)
    return -1;
  if (o->pod)
    o = &pod_member.o;
  pc_autojson json_object *hc = json_object_new_object ();
  if (eng_check_opts (o, hc, err) < 0)
    return -1;
  struct pc_store *store = pc_engine_store (e, err);
  if (store == NULL)
    return -1;
  pc_autoimage struct pc_image *img = NULL;
  pc_debug ("store open");
  if (o->rootfs ? eng_rootfs_dir_check (o->image, err) < 0 : pc_store_image_lookup (store, o->image, &img, err) < 0)
    return -1;

  char id[65];
  if (pc_random_id (id, err) < 0)
    return -1;
  /* The name, the storage record and the engine record are made durable
     together at the record's commit (lib/fileutil.h): one journal commit
     instead of one per file. A --rm container's are not synced at all: it
     is ephemeral (podman makes its storage volatile too), and what a
     crash leaves is what reconcile and rm -f already handle (a missing or
     damaged record, a name reserved for nobody). */
  pc_autosyncbatch struct pc_sync_batch sync = PC_SYNC_BATCH_INIT;
  sync.nosync = o->rm;
  pc_autofree char *name = NULL;
  if (o->name)
    {
      name = xstrdup (o->name);
      if (eng_name_reserve_batch (e, name, id, &sync, err) < 0)
        {
          if ((*err)->status != EEXIST || !o->replace)
            return -1;
          pc_error_clear (err);
          pc_autocontainer struct pc_container *old = NULL;
          if (pc_engine_lookup (e, name, &old, err) == 0
              && pc_engine_remove (e, old, true, -1, err) < 0)
            return pc_error_wrap (err, "replace container \"%s\"", name);
          pc_error_clear (err);
          if (eng_name_reserve_batch (e, name, id, &sync, err) < 0)
            return -1;
        }
    }
  else
    for (int attempt = 0;; attempt++)
      {
        free (name);
        name = pc_engine_random_name ();
        if (eng_name_reserve_batch (e, name, id, &sync, err) == 0)
          break;
        if ((*err)->status != EEXIST || attempt > 50)
          return -1;
        pc_error_clear (err);
      }

  if (mkdirat (e->ctr_dfd, id, 0700) < 0)
    {
      int saved = errno;
      undo_create (e, id, name, false);
      return pc_error_errno (err, saved, "create container directory");
    }
  /* Held until the record is written: a container without a record whose
     lock is free was abandoned by a killed create (reconcile.c). */
  int lock = eng_lock_container (e, id, err);
  if (lock < 0)
    {
      undo_create (e, id, name, false);
      return -1;
    }
  pc_debug ("image %s resolved, name reserved", img ? pc_image_id (img) : o->image);
  if (img && pc_store_container_create_batch (store, id, img, &sync, err) < 0)
    {
      undo_create (e, id, name, false);
      eng_unlock (lock);
      return pc_error_wrap (err, "creating container storage");
    }

  struct pc_rootfs_mount m = { 0 };
  pc_autojson json_object *rec = NULL;
  pc_autojson json_object *spec = NULL;
  struct eng_user u = { 0 };
  struct eng_userns ns = { .lock_fd = -1 };
  pc_autofree char *spath = xasprintf ("%s/config.json", id);
  pc_autofree char *imgname = img ? image_display_name (img, o->image) : xstrdup ("");
  pc_autojson json_object *dir_config = img ? NULL : eng_rootfs_dir_config ();
  pc_autoerror pc_error *derr = NULL;
  struct eng_image ei = {
    .config = img ? pc_image_config (img) : dir_config,
    .id = img ? pc_image_id (img) : "",
    .name = imgname,
    .driver = pc_store_driver (store, &derr),
  };
  int ret = -1;
  if (img ? pc_store_container_rootfs (store, id, &m, err) < 0 : eng_rootfs_dir_mount (e, id, o->image, &m, err) < 0)
    goto out;
  if (eng_build_record (&ei, o, id, name, e->data_dir, hc, &rec, err) < 0
      || eng_conf_record (e, o, rec, err) < 0
      || eng_extras_record (o, rec, err) < 0
      || eng_network_resolve (e, pc_json_get (rec, "HostConfig"), err) < 0
      || eng_volumes_attach (e, o, ei.config, rec, err) < 0)
    goto out;
  if (pod_member.pod)
    eng_pod_member_record (&pod_member, rec);
  if (eng_userns_plan (e, rec, &m, &ns, o, err) < 0 || eng_userns_shift_rootfs (&ns, &m, err) < 0)
    goto out;
  if (eng_create_user (&m, rec, &u, err) < 0 || eng_userns_groups (rec, &m, &u, err) < 0)
    goto out;
  eng_record_add_home (rec, u.home);
  spec = eng_build_spec (e->run_dir, id, &m, &u, rec, err);
  if (spec == NULL || eng_userns_spec (e, id, &ns, &m, spec, err) < 0)
    goto out;
  eng_volumes_annotate (e, rec, spec);
  if (eng_extras_spec (rec, spec, err) < 0 || eng_extras_passwd (e, id, &m, &u, rec, spec, err) < 0)
    goto out;
  if (eng_image_mounts (e, rec, spec, err) < 0)
    goto out;
  /* podman creates a missing WorkingDir of the image, but not one given with -w. */
  if (o->workdir)
    json_object_object_add (pc_json_get (spec, "annotations"), "run.pc.workdir-must-exist",
                            json_object_new_string ("true"));
  const char *s = json_object_to_json_string_ext (spec, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  if (eng_write_volatile (e->ctr_dfd, spath, s, strlen (s), err) < 0)
    goto out;

  struct pc_container *c = xmalloc0 (sizeof *c);
  memcpy (c->id, id, sizeof c->id);
  c->name = xstrdup (name);
  c->rec = steal_pointer (&rec);
  c->spec = json_object_get (spec);
  pc_time_parse_rfc3339 (pc_json_get_string (c->rec, "Created"), &c->created, err);
  pc_error_clear (err);
  /* The record is the commit point: from here on the container exists. */
  if (eng_record_commit (e, c, &sync, err) < 0)
    {
      pc_container_free (c);
      goto out;
    }
  c->state.status = PC_STATUS_CREATED;
  pc_debug ("container layer, record and OCI spec written");
  pc_engine_event_container (e, c, "create");
  *out = c;
  ret = 0;

out:
  free (u.home);
  eng_userns_clear (&ns);
  pc_rootfs_mount_clear (&m);
  if (ret < 0)
    {
      undo_create (e, id, name, true);
      pc_autoerror pc_error *verr = NULL;
      if (rec)
        pc_engine_container_remove_volumes (e, rec, &verr);
    }
  eng_unlock (lock);
  return ret;
}
