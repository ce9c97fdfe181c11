/* containers.conf's [containers] keys at create: podman makes them the
   defaults of run's flags, so a flag the user gives wins, and the rest of
   the configuration reaches the record (docs/config.md). */
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
#include "lib/parse.h"
#include "lib/xalloc.h"
#include "pkg/engine/internal.h"
#include "pkg/runtime/runtime.h"
#include "pkg/storage/storage.h"

extern char **environ;

void
eng_conf_opts_clear (struct eng_conf_opts *h)
{
  pc_strv_free (h->ulimits);
  pc_strv_free (h->security_opt);
  memset (h, 0, sizeof *h);
}

static bool
ulimit_named (char *const *list, const char *u)
{
  size_t n = strcspn (u, "=");
  for (; list && *list; list++)
    if (strncmp (*list, u, n) == 0 && (*list)[n] == '=')
      return true;
  return false;
}

const struct pc_create_opts *
eng_conf_create_opts (const struct pc_create_opts *o, struct eng_conf_opts *h)
{
  const struct pc_engine_conf *c = pc_engine_conf ();
  h->o = *o;
  struct pc_create_opts *x = &h->o;
  if (x->log_driver == NULL && c->log_driver && *c->log_driver)
    x->log_driver = c->log_driver;
  if (!x->init_set)
    x->init = x->init || c->init;
  if (x->init_path == NULL && c->init_path && *c->init_path)
    x->init_path = c->init_path;
  if (x->userns == NULL && c->userns && *c->userns)
    x->userns = c->userns;
  if (x->dns == NULL)
    x->dns = c->dns_servers;
  if (x->dns_search == NULL)
    x->dns_search = c->dns_searches;
  if (x->dns_option == NULL)
    x->dns_option = c->dns_options;
  if (!x->no_hosts_set)
    x->no_hosts = x->no_hosts || c->no_hosts;
  if (!x->env_host_set)
    x->env_host = c->env_host;
  if (!x->http_proxy_set)
    x->http_proxy = c->http_proxy_set ? c->http_proxy : true;
  if (x->tz == NULL && c->tz && *c->tz)
    x->tz = c->tz;
  if (x->umask == NULL && c->umask && *c->umask)
    x->umask = c->umask;
  /* --ulimit NAME=... replaces the configuration's NAME. */
  for (char **u = c->default_ulimits; u && *u; u++)
    if (!ulimit_named (o->ulimits, *u))
      pc_strv_append (&h->ulimits, *u);
  if (h->ulimits)
    {
      for (char **u = o->ulimits; u && *u; u++)
        pc_strv_append (&h->ulimits, *u);
      x->ulimits = h->ulimits;
    }
  /* seccomp_profile is the default profile: --security-opt seccomp= wins. */
  bool has_seccomp = false;
  for (char **s = o->security_opt; s && *s; s++)
    has_seccomp |= strncmp (*s, "seccomp=", 8) == 0;
  if (!has_seccomp && !o->privileged && c->seccomp_profile && *c->seccomp_profile)
    {
      h->security_opt = pc_strv_dup (o->security_opt);
      pc_autofree char *s = xasprintf ("seccomp=%s", c->seccomp_profile);
      pc_strv_append (&h->security_opt, s);
      x->security_opt = h->security_opt;
    }
  return x;
}

/* "KEY=VAL" into env, replacing KEY. */
static void
env_put (char ***env, const char *kv)
{
  size_t n = strcspn (kv, "=");
  for (char **e = *env; e && *e; e++)
    if (strncmp (*e, kv, n) == 0 && (*e)[n] == '=')
      {
        free (*e);
        *e = xstrdup (kv);
        return;
      }
  pc_strv_append (env, kv);
}

void
eng_conf_env_base (const struct pc_create_opts *o, char ***env)
{
  const struct pc_engine_conf *c = pc_engine_conf ();
  for (char **e = c->env; e && *e; e++)
    if (strchr (*e, '=') && **e != '=')
      env_put (env, *e);
}

/* --env-host, else --http-proxy (containers.conf's http_proxy, default
   true: the host's proxy variables that are set): over the configuration's
   and the image's variables, and after --unsetenv; --env-file and -e still
   win. podman 4.3 joins them so (checked on this machine). */
static void
env_host (const struct pc_create_opts *o, char ***env)
{
  if (o->env_host)
    {
      /* pc's own variables (the user namespace's marker) are not the host's. */
      for (char **e = environ; e && *e; e++)
        if (strchr (*e, '=') && **e != '=' && strncmp (*e, "_PC_", 4) != 0)
          env_put (env, *e);
      return;
    }
  if (!o->http_proxy)
    return;
  static const char *const proxy[] = { "http_proxy", "https_proxy", "ftp_proxy", "no_proxy",
                                       "HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", NULL };
  for (const char *const *p = proxy; *p; p++)
    {
      const char *v = getenv (*p);
      if (v)
        {
          pc_autofree char *kv = xasprintf ("%s=%s", *p, v);
          env_put (env, kv);
        }
    }
}

void
eng_conf_env_unset (const struct pc_create_opts *o, char ***env)
{
  if (o->unsetenv_all)
    {
      pc_strv_free (*env);
      *env = NULL;
      env_host (o, env);
      return;
    }
  for (char **u = o->unsetenv; u && *u; u++)
    {
      size_t n = strlen (*u);
      char **w = *env;
      for (char **e = *env; e && *e; e++)
        if (strncmp (*e, *u, n) == 0 && (*e)[n] == '=')
          free (*e);
        else
          *w++ = *e;
      if (w)
        *w = NULL;
    }
  env_host (o, env);
}

/* podman: /usr/share/zoneinfo/NAME, or the host's own for "local". */
static int
tz_path (const char *tz, char **out, pc_error **err)
{
  if (strcmp (tz, "local") == 0)
    {
      char *p = realpath ("/etc/localtime", NULL);
      if (p == NULL)
        return pc_error_errnoc (err, PC_ERR_INVALID, errno, "finding local timezone for container");
      *out = p;
      return 0;
    }
  /* A zone name, never a path out of the zoneinfo directory (podman
     cleans "../" away as filepath.Join does; pc refuses it). */
  pc_autofree char *p = xasprintf ("/usr/share/zoneinfo/%s", tz);
  if (*tz == '/' || strstr (tz, "..") || strlen (tz) > 255)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "stat %s: not a time zone name", p);
  struct stat st;
  if (stat (p, &st) < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        return pc_error_makec (err, PC_ERR_INVALID, errno, "stat %s: no such file or directory", p);
      return pc_error_errnoc (err, PC_ERR_INVALID, errno, "stat %s", p);
    }
  if (!S_ISREG (st.st_mode))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "stat %s: not a time zone file", p);
  *out = steal_pointer (&p);
  return 0;
}

/* containers.conf's shm_size as podman reads it: "64m" is 64,000,000
   bytes (decimal units, docker's FromHumanSize). */
static int
shm_bytes (const char *s, int64_t *out, pc_error **err)
{
  char *end = NULL;
  errno = 0;
  double v = strtod (s, &end);
  double mult = 1;
  if (end != s && *end)
    {
      switch (*end | 0x20)
        {
        case 'k': mult = 1e3; break;
        case 'm': mult = 1e6; break;
        case 'g': mult = 1e9; break;
        case 't': mult = 1e12; break;
        case 'b': mult = 1; end--; break;
        default: mult = 0; break;
        }
      end++;
      if (*end == 'b' || *end == 'B')
        end++;
    }
  if (end == s || *end || errno || mult == 0 || !(v > 0) || v * mult > 9e18)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid shm_size \"%s\" in containers.conf", s);
  *out = (int64_t) (v * mult);
  return 0;
}

/* podman copies the zone's file into the container's own directory: the
   container sees it owned by its root, and a later change on the host
   does not reach it. */
static int
tz_copy (struct pc_engine *e, const char *id, const char *src, char **out, pc_error **err)
{
  pc_autofree char *buf = NULL;
  size_t len = 0;
  if (pc_read_file_max (AT_FDCWD, src, 1 << 20, PC_READ_REGULAR, &buf, &len, err) < 0)
    return pc_error_wrap (err, "running container create option: timezone");
  pc_autofree char *rel = xasprintf ("%s/localtime", id);
  if (pc_write_file_atomic (e->ctr_dfd, rel, buf, len, 0644, err) < 0)
    return pc_error_wrap (err, "running container create option: timezone");
  *out = xasprintf ("%s/containers/%s", e->data_dir, rel);
  return 0;
}

int
eng_conf_record (struct pc_engine *e, const struct pc_create_opts *o, json_object *rec, pc_error **err)
{
  const struct pc_engine_conf *c = pc_engine_conf ();
  json_object *cfg = pc_json_get_object (rec, "Config");
  json_object *hc = pc_json_get_object (rec, "HostConfig");
  if (cfg == NULL || hc == NULL)
    return 0;
  if (o->tz && *o->tz)
    {
      pc_autofree char *src = NULL, *p = NULL;
      const char *id = pc_json_get_string (rec, "Id");
      if (tz_path (o->tz, &src, err) < 0)
        return pc_error_wrap (err, "running container create option");
      if (id == NULL || tz_copy (e, id, src, &p, err) < 0)
        return -1;
      json_object_object_add (cfg, "Timezone", json_object_new_string (o->tz));
      /* Where /etc/localtime comes from; not shown by inspect. */
      json_object_object_add (rec, "TimezonePath", json_object_new_string (p));
    }
  if (o->umask)
    {
      unsigned m;
      if (pc_engine_conf_parse_umask (o->umask, &m, err) < 0)
        return pc_error_wrap (err, "running container create option");
      char s[8];
      snprintf (s, sizeof s, "%04o", m);
      json_object_object_add (cfg, "Umask", json_object_new_string (s));
    }
  int64_t shm = PC_DEFAULT_SHM_SIZE;
  if (o->shm_size)
    {
      /* The flag: podman's units.RAMInBytes (binary units); 0 is no limit. */
      if (pc_parse_size (o->shm_size, &shm, err) < 0)
        return pc_error_wrap (err, "unable to translate --shm-size");
    }
  else if (c->shm_size && *c->shm_size && shm_bytes (c->shm_size, &shm, err) < 0)
    return -1;
  json_object_object_add (hc, "ShmSize", json_object_new_int64 (shm));
  /* pc puts no container in a cgroup of its own: no pids limit is
     enforced, and 0 says so, as podman's rootless inspect on cgroups v1. */
  json_object_object_add (hc, "PidsLimit", json_object_new_int64 (0));
  if (c->log_size_max > 0)
    json_object_object_add (rec, "LogSizeMax", json_object_new_int64 (c->log_size_max));
  if (c->default_capabilities_set)
    {
      json_object *a = json_object_new_array ();
      for (char **k = c->default_capabilities; k && *k; k++)
        {
          const char *canon = pc_runtime_cap_canonical (*k);
          if (canon == NULL)
            {
              json_object_put (a);
              return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                                     "unknown capability \"%s\" in containers.conf default_capabilities", *k);
            }
          json_object_array_add (a, json_object_new_string (canon));
        }
      json_object_object_add (rec, "DefaultCapabilities", a);
    }
  return 0;
}

/* Where /etc/localtime goes for --tz: an image whose /etc/localtime is a
   symbolic link (Debian's, to /usr/share/zoneinfo/Etc/UTC; or one that
   dangles) gets the zone on the link's target, which the runtime creates
   when it is missing, as runc follows the link inside the root. Read from
   the layers, topmost first; the link's text is cleaned so it stays inside
   the root. NULL: /etc/localtime itself. */
char *
eng_conf_localtime_dest (const struct pc_rootfs_mount *m)
{
  pc_autostrv char **dirs = NULL;
  if (m == NULL || m->source == NULL)
    return NULL;
  if (m->driver && strcmp (m->driver, "vfs") == 0)
    pc_strv_append (&dirs, m->source);
  else
    {
      pc_autofree char *copy = xstrdup (m->source);
      pc_autofree char *lower = NULL;
      char *save = NULL;
      for (char *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save))
        if (strncmp (t, "upperdir=", 9) == 0)
          pc_strv_append (&dirs, t + 9);
        else if (strncmp (t, "lowerdir=", 9) == 0)
          lower = xstrdup (t + 9);
      char *s2 = NULL;
      for (char *t = lower ? strtok_r (lower, ":", &s2) : NULL; t; t = strtok_r (NULL, ":", &s2))
        pc_strv_append (&dirs, t);
    }
  for (char **d = dirs; d && *d; d++)
    {
      pc_autofree char *p = xasprintf ("%s/etc/localtime", *d);
      pc_autofree char *wh = xasprintf ("%s/etc/.wh.localtime", *d);
      struct stat st;
      if (lstat (wh, &st) == 0)
        return NULL;
      if (lstat (p, &st) < 0)
        continue;
      if (!S_ISLNK (st.st_mode))
        return NULL;  /* a file, or a whiteout (char 0/0): /etc/localtime */
      char link[4096];
      ssize_t n = readlink (p, link, sizeof link - 1);
      if (n <= 0)
        return NULL;
      link[n] = '\0';
      pc_autofree char *joined = link[0] == '/' ? xstrdup (link) : xasprintf ("/etc/%s", link);
      return eng_mount_clean_path (joined);
    }
  return NULL;
}
