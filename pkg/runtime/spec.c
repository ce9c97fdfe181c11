/* OCI runtime spec (json-c) -> struct rt_spec. Runs in the parent, so a bad
   spec fails before any process exists. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/runtime/internal.h"

static json_object *
get (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (o == NULL || !json_object_object_get_ex (o, key, &v))
    return NULL;
  return v;
}

static const char *
get_str (json_object *o, const char *key)
{
  json_object *v = get (o, key);
  return v && json_object_is_type (v, json_type_string) ? json_object_get_string (v) : NULL;
}

static int
strv_from_array (json_object *a, const char *what, char ***out, pc_error **err)
{
  *out = NULL;
  if (a == NULL)
    return 0;
  if (!json_object_is_type (a, json_type_array))
    return pc_error_make (err, EINVAL, "%s: expected an array of strings", what);
  size_t n = json_object_array_length (a);
  char **v = xmalloc0 ((n + 1) * sizeof *v);
  for (size_t i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (a, i);
      if (!json_object_is_type (e, json_type_string))
        {
          pc_strv_free (v);
          return pc_error_make (err, EINVAL, "%s[%zu]: expected a string", what, i);
        }
      v[i] = xstrdup (json_object_get_string (e));
    }
  *out = v;
  return 0;
}

static const struct
{
  const char *name;
  uint64_t set, clr;
} attr_options[] = {
  { "ro", MOUNT_ATTR_RDONLY, 0 },
  { "rw", 0, MOUNT_ATTR_RDONLY },
  { "nosuid", MOUNT_ATTR_NOSUID, 0 },
  { "suid", 0, MOUNT_ATTR_NOSUID },
  { "nodev", MOUNT_ATTR_NODEV, 0 },
  { "dev", 0, MOUNT_ATTR_NODEV },
  { "noexec", MOUNT_ATTR_NOEXEC, 0 },
  { "exec", 0, MOUNT_ATTR_NOEXEC },
  { "nodiratime", MOUNT_ATTR_NODIRATIME, 0 },
  { "diratime", 0, MOUNT_ATTR_NODIRATIME },
  { "nosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0 },
  { "symfollow", 0, MOUNT_ATTR_NOSYMFOLLOW },
};

static const struct
{
  const char *name;
  unsigned long prop;
  bool rec;
} prop_options[] = {
  { "private", MS_PRIVATE, false },   { "rprivate", MS_PRIVATE, true },
  { "shared", MS_SHARED, false },     { "rshared", MS_SHARED, true },
  { "slave", MS_SLAVE, false },       { "rslave", MS_SLAVE, true },
  { "unbindable", MS_UNBINDABLE, false }, { "runbindable", MS_UNBINDABLE, true },
};

/* Options are mount(8) names; what is not a per-mount attribute or a
   propagation goes to the filesystem (fsconfig), e.g. "size=64m", "mode=1777". */
int
rt_mount_parse_options (json_object *options, struct rt_mount *m, pc_error **err)
{
  pc_autostrv char **opts = NULL;
  if (strv_from_array (options, "mount options", &opts, err) < 0)
    return -1;
  for (char **p = opts; p && *p; p++)
    {
      const char *o = *p;
      bool done = false;
      for (size_t i = 0; !done && i < sizeof attr_options / sizeof attr_options[0]; i++)
        if (strcmp (o, attr_options[i].name) == 0)
          {
            m->attr_set = (m->attr_set | attr_options[i].set) & ~attr_options[i].clr;
            m->attr_clr = (m->attr_clr | attr_options[i].clr) & ~attr_options[i].set;
            done = true;
          }
      for (size_t i = 0; !done && i < sizeof prop_options / sizeof prop_options[0]; i++)
        if (strcmp (o, prop_options[i].name) == 0)
          {
            m->propagation = prop_options[i].prop;
            m->prop_recursive = prop_options[i].rec;
            done = true;
          }
      if (done)
        continue;
      if (strcmp (o, "noatime") == 0 || strcmp (o, "relatime") == 0 || strcmp (o, "strictatime") == 0
          || strcmp (o, "norelatime") == 0 || strcmp (o, "atime") == 0)
        {
          m->attr_set &= ~(uint64_t) MOUNT_ATTR__ATIME;
          if (strcmp (o, "noatime") == 0)
            m->attr_set |= MOUNT_ATTR_NOATIME;
          else if (strcmp (o, "strictatime") == 0 || strcmp (o, "norelatime") == 0 || strcmp (o, "atime") == 0)
            m->attr_set |= MOUNT_ATTR_STRICTATIME;
          m->atime_set = true;
        }
      else if (strcmp (o, "bind") == 0)
        m->bind = true;
      else if (strcmp (o, "rbind") == 0)
        m->bind = m->recursive = true;
      else if (strcmp (o, "tmpcopyup") == 0)
        m->tmpcopyup = true;
      else if (strcmp (o, "notmpcopyup") == 0)
        m->tmpcopyup = false;
      else if (strcmp (o, "U") == 0)
        m->chown = true;
      else if (strcmp (o, "O") == 0)
        m->overlay = true;
      else if (strcmp (o, "idmap") == 0 || strncmp (o, "idmap=", 6) == 0)
        {
          free (m->idmap);
          m->idmap = xstrdup (o[5] == '=' ? o + 6 : "");
          m->idmap_fd = -1;
        }
      /* SELinux relabeling: without SELinux there is no label to apply. */
      else if (strcmp (o, "z") == 0 || strcmp (o, "Z") == 0 || strcmp (o, "defaults") == 0)
        ;
      else
        pc_strv_append (&m->data, o);
    }
  return 0;
}

static int
parse_mounts (json_object *mounts, struct rt_spec *s, pc_error **err)
{
  if (mounts == NULL)
    return 0;
  size_t n = json_object_array_length (mounts);
  s->mounts = xmalloc0 ((n + 1) * sizeof *s->mounts);
  for (size_t i = 0; i < n; i++)
    {
      json_object *jm = json_object_array_get_idx (mounts, i);
      struct rt_mount *m = &s->mounts[s->n_mounts++];
      const char *dest = get_str (jm, "destination");
      if (dest == NULL || dest[0] != '/')
        return pc_error_make (err, EINVAL, "mounts[%zu]: destination must be an absolute path", i);
      m->dest = xstrdup (dest);
      const char *type = get_str (jm, "type");
      m->type = xstrdup (type ? type : "none");
      const char *src = get_str (jm, "source");
      m->source = src ? xstrdup (src) : NULL;
      if (rt_mount_parse_options (get (jm, "options"), m, err) < 0)
        return pc_error_wrap (err, "mount `%s`", dest);
      if (strcmp (m->type, "bind") == 0)
        m->bind = true;
      if (m->bind && (m->source == NULL || m->source[0] != '/'))
        return pc_error_make (err, EINVAL, "bind mount `%s`: source must be an absolute path", dest);
      if (m->bind && m->data != NULL)
        return pc_error_make (err, EINVAL, "bind mount `%s`: unsupported option `%s`", dest, m->data[0]);
    }
  return 0;
}

static const struct
{
  const char *name;
  int flag;
} ns_types[] = {
  { "pid", CLONE_NEWPID },     { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },
  { "ipc", CLONE_NEWIPC },     { "uts", CLONE_NEWUTS },     { "user", CLONE_NEWUSER },
  { "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};

static char *
idmap_text (json_object *a, const char *what, pc_error **err)
{
  if (a == NULL || json_object_array_length (a) == 0)
    return NULL;
  size_t n = json_object_array_length (a);
  char *text = xstrdup ("");
  for (size_t i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (a, i);
      int64_t c = json_object_get_int64 (get (e, "containerID"));
      int64_t h = json_object_get_int64 (get (e, "hostID"));
      int64_t sz = json_object_get_int64 (get (e, "size"));
      if (c < 0 || h < 0 || sz <= 0)
        {
          free (text);
          pc_error_make (err, EINVAL, "%s[%zu]: invalid mapping", what, i);
          return NULL;
        }
      char *t = xasprintf ("%s%lld %lld %lld\n", text, (long long) c, (long long) h, (long long) sz);
      free (text);
      text = t;
    }
  return text;
}

static int
parse_namespaces (json_object *lnx, struct rt_spec *s, pc_error **err)
{
  json_object *nss = get (lnx, "namespaces");
  size_t n = nss ? json_object_array_length (nss) : 0;
  s->join = xmalloc0 ((n + 1) * sizeof *s->join);
  for (size_t i = 0; i < n; i++)
    {
      json_object *ns = json_object_array_get_idx (nss, i);
      const char *type = get_str (ns, "type");
      int flag = 0;
      for (size_t j = 0; type && j < sizeof ns_types / sizeof ns_types[0]; j++)
        if (strcmp (type, ns_types[j].name) == 0)
          flag = ns_types[j].flag;
      if (flag == 0)
        return pc_error_make (err, EINVAL, "unknown namespace type `%s`", type ? type : "");
      const char *path = get_str (ns, "path");
      if (path && *path)
        {
          s->join[s->n_join].flag = flag;
          s->join[s->n_join++].path = xstrdup (path);
        }
      else
        s->clone_flags |= flag;
    }
  if (s->clone_flags & CLONE_NEWUSER)
    {
      s->idmap.uid_map = idmap_text (get (lnx, "uidMappings"), "uidMappings", err);
      if (err && *err)
        return -1;
      s->idmap.gid_map = idmap_text (get (lnx, "gidMappings"), "gidMappings", err);
      if (err && *err)
        return -1;
      if (s->idmap.uid_map == NULL || s->idmap.gid_map == NULL)
        return pc_error_make (err, EINVAL, "a new user namespace needs uidMappings and gidMappings");
    }
  return 0;
}

int
rt_process_parse (json_object *process, struct rt_process *p, pc_error **err)
{
  memset (p, 0, sizeof *p);
  if (process == NULL)
    return pc_error_make (err, EINVAL, "the spec has no `process`");
  p->terminal = json_object_get_boolean (get (process, "terminal"));
  json_object *cs = get (process, "consoleSize");
  if (cs)
    {
      p->console_rows = (unsigned short) json_object_get_int (get (cs, "height"));
      p->console_cols = (unsigned short) json_object_get_int (get (cs, "width"));
    }
  if (strv_from_array (get (process, "args"), "process.args", &p->args, err) < 0)
    return -1;
  if (p->args == NULL || p->args[0] == NULL)
    return pc_error_make (err, EINVAL, "process.args must not be empty");
  if (strv_from_array (get (process, "env"), "process.env", &p->env, err) < 0)
    return -1;
  if (p->env == NULL)
    p->env = xmalloc0 (sizeof *p->env);
  const char *cwd = get_str (process, "cwd");
  p->cwd = xstrdup (cwd && *cwd ? cwd : "/");
  if (p->cwd[0] != '/')
    return pc_error_make (err, EINVAL, "process.cwd `%s` must be an absolute path", p->cwd);

  json_object *user = get (process, "user");
  p->uid = (uid_t) json_object_get_int64 (get (user, "uid"));
  p->gid = (gid_t) json_object_get_int64 (get (user, "gid"));
  json_object *um = get (user, "umask");
  if (um)
    {
      p->umask = (mode_t) json_object_get_int (um);
      p->has_umask = true;
    }
  json_object *groups = get (user, "additionalGids");
  if (groups)
    {
      p->n_groups = json_object_array_length (groups);
      p->groups = xmalloc0 ((p->n_groups + 1) * sizeof *p->groups);
      for (size_t i = 0; i < p->n_groups; i++)
        p->groups[i] = (gid_t) json_object_get_int64 (json_object_array_get_idx (groups, i));
    }

  json_object *caps = get (process, "capabilities");
  if (caps)
    {
      p->caps.present = true;
      if (rt_caps_parse_list (get (caps, "bounding"), &p->caps.bounding, err) < 0
          || rt_caps_parse_list (get (caps, "effective"), &p->caps.effective, err) < 0
          || rt_caps_parse_list (get (caps, "permitted"), &p->caps.permitted, err) < 0
          || rt_caps_parse_list (get (caps, "inheritable"), &p->caps.inheritable, err) < 0
          || rt_caps_parse_list (get (caps, "ambient"), &p->caps.ambient, err) < 0)
        return pc_error_wrap (err, "process.capabilities");
    }
  p->no_new_privs = json_object_get_boolean (get (process, "noNewPrivileges"));

  json_object *rl = get (process, "rlimits");
  size_t n = rl ? json_object_array_length (rl) : 0;
  p->rlimits = xmalloc0 ((n + 1) * sizeof *p->rlimits);
  for (size_t i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (rl, i);
      const char *type = get_str (e, "type");
      int res = type ? rt_rlimit_from_name (type) : -1;
      if (res < 0)
        return pc_error_make (err, EINVAL, "unknown rlimit `%s`", type ? type : "");
      p->rlimits[p->n_rlimits].resource = res;
      p->rlimits[p->n_rlimits].lim.rlim_cur = (rlim_t) json_object_get_uint64 (get (e, "soft"));
      p->rlimits[p->n_rlimits].lim.rlim_max = (rlim_t) json_object_get_uint64 (get (e, "hard"));
      if (p->rlimits[p->n_rlimits].lim.rlim_cur > p->rlimits[p->n_rlimits].lim.rlim_max)
        return pc_error_make (err, EINVAL, "rlimit `%s`: soft limit above the hard limit", type);
      p->n_rlimits++;
    }
  json_object *oom = get (process, "oomScoreAdj");
  if (oom)
    {
      p->oom_score_adj = json_object_get_int (oom);
      p->has_oom_score_adj = true;
    }
  return 0;
}

static int
parse_devices (json_object *devs, struct rt_spec *s, pc_error **err)
{
  if (devs == NULL)
    return 0;
  if (!json_object_is_type (devs, json_type_array))
    return pc_error_make (err, EINVAL, "linux.devices: expected an array");
  size_t n = json_object_array_length (devs);
  s->devices = xmalloc0 ((n + 1) * sizeof *s->devices);
  for (size_t i = 0; i < n; i++)
    {
      json_object *d = json_object_array_get_idx (devs, i);
      const char *path = get_str (d, "path");
      if (path == NULL || path[0] != '/' || strstr (path, "..") != NULL)
        return pc_error_make (err, EINVAL, "linux.devices[%zu]: path must be absolute", i);
      struct rt_device *o = &s->devices[s->n_devices++];
      o->path = xstrdup (path);
      const char *type = get_str (d, "type");
      if (type == NULL)
        continue;   /* the host's node at the same path, bound */
      if (strcmp (type, "c") != 0 && strcmp (type, "b") != 0 && strcmp (type, "u") != 0)
        return pc_error_make (err, EINVAL, "linux.devices[%zu]: type must be `c`, `b` or `u`", i);
      o->type = type[0] == 'b' ? 'b' : 'c';
      const char *keys[] = { "major", "minor", "fileMode", "uid", "gid" };
      int64_t v[5] = { 0, 0, 0666, 0, 0 };
      for (size_t k = 0; k < 5; k++)
        {
          json_object *x = get (d, keys[k]);
          if (x == NULL)
            continue;
          if (!json_object_is_type (x, json_type_int) || json_object_get_int64 (x) < 0
              || json_object_get_int64 (x) > (int64_t) UINT32_MAX)
            return pc_error_make (err, EINVAL, "linux.devices[%zu]: bad %s", i, keys[k]);
          v[k] = json_object_get_int64 (x);
        }
      o->major = (unsigned) v[0];
      o->minor = (unsigned) v[1];
      o->mode = (mode_t) v[2] & 07777;
      o->uid = (uid_t) v[3];
      o->gid = (gid_t) v[4];
    }
  return 0;
}

int
rt_spec_parse (json_object *spec, struct rt_spec *s, pc_error **err)
{
  memset (s, 0, sizeof *s);
  s->overlay_dir_fd = -1;
  s->cgroup_procs_fd = -1;
  if (rt_process_parse (get (spec, "process"), &s->proc, err) < 0)
    return -1;
  const char *must = get_str (get (spec, "annotations"), "run.pc.workdir-must-exist");
  s->proc.cwd_must_exist = must && strcmp (must, "true") == 0;
  const char *keep = get_str (get (spec, "annotations"), "run.oci.keep_original_groups");
  s->proc.keep_groups = keep && strcmp (keep, "1") == 0;
  json_object *root = get (spec, "root");
  const char *rp = get_str (root, "path");
  if (rp)
    s->root = xstrdup (rp);
  s->root_readonly = json_object_get_boolean (get (root, "readonly"));
  if (s->root == NULL || s->root[0] != '/')
    return pc_error_make (err, EINVAL, "root.path must be an absolute path");

  json_object *lnx = get (spec, "linux");
  const char *dom = get_str (get (lnx, "personality"), "domain");
  if (dom)
    {
      if (strcmp (dom, "LINUX") != 0 && strcmp (dom, "LINUX32") != 0)
        return pc_error_make (err, EINVAL, "linux.personality: unknown domain `%s`", dom);
      s->proc.personality = strcmp (dom, "LINUX32") == 0 ? PER_LINUX32 : PER_LINUX;
      s->proc.has_personality = true;
    }
  if (parse_namespaces (lnx, s, err) < 0)
    return -1;
  if (!(s->clone_flags & CLONE_NEWNS))
    return pc_error_make (err, EINVAL, "the container needs a mount namespace");

  s->root_propagation = MS_SLAVE | MS_REC;
  const char *prop = get_str (lnx, "rootfsPropagation");
  if (prop)
    {
      bool found = false;
      for (size_t i = 0; i < sizeof prop_options / sizeof prop_options[0]; i++)
        if (strcmp (prop, prop_options[i].name) == 0)
          {
            s->root_propagation = prop_options[i].prop | (prop_options[i].rec ? MS_REC : 0);
            s->root_propagation_set = found = true;
          }
      if (!found)
        return pc_error_make (err, EINVAL, "unknown rootfsPropagation `%s`", prop);
    }

  if (parse_mounts (get (spec, "mounts"), s, err) < 0)
    return -1;
  if (parse_devices (get (lnx, "devices"), s, err) < 0
      || rt_cgroup_parse (lnx, &s->cgroup, err) < 0)
    return -1;
  if (strv_from_array (get (lnx, "maskedPaths"), "linux.maskedPaths", &s->masked, err) < 0
      || strv_from_array (get (lnx, "readonlyPaths"), "linux.readonlyPaths", &s->readonly, err) < 0)
    return -1;

  const char *h = get_str (spec, "hostname");
  s->hostname = h ? xstrdup (h) : NULL;
  const char *d = get_str (spec, "domainname");
  s->domainname = d ? xstrdup (d) : NULL;
  if ((s->hostname || s->domainname) && !(s->clone_flags & CLONE_NEWUTS))
    return pc_error_make (err, EINVAL, "setting the hostname needs a new uts namespace");

  json_object *sysctl = get (lnx, "sysctl");
  if (sysctl)
    {
      json_object_object_foreach (sysctl, key, val)
        pc_strv_append_take (&s->sysctl, xasprintf ("%s=%s", key, json_object_get_string (val)));
    }
  return 0;
}

void
rt_process_clear (struct rt_process *p)
{
  pc_strv_free (p->args);
  pc_strv_free (p->env);
  free (p->cwd);
  free (p->groups);
  free (p->rlimits);
  memset (p, 0, sizeof *p);
}

void
rt_spec_clear (struct rt_spec *s)
{
  rt_process_clear (&s->proc);
  for (size_t i = 0; i < s->n_join; i++)
    free (s->join[i].path);
  free (s->join);
  free (s->idmap.uid_map);
  free (s->idmap.gid_map);
  free (s->root);
  for (size_t i = 0; i < s->n_mounts; i++)
    {
      free (s->mounts[i].dest);
      free (s->mounts[i].type);
      free (s->mounts[i].source);
      pc_strv_free (s->mounts[i].data);
      free (s->mounts[i].idmap);
    }
  free (s->mounts);
  for (size_t i = 0; i < s->n_devices; i++)
    free (s->devices[i].path);
  free (s->devices);
  rt_cgroup_clear (&s->cgroup);
  if (s->cgroup_procs_fd >= 0)
    close (s->cgroup_procs_fd);
  pc_strv_free (s->masked);
  pc_strv_free (s->readonly);
  free (s->hostname);
  free (s->domainname);
  pc_strv_free (s->sysctl);
  free (s->seccomp.prog.filter);
  free (s->seccomp.notify.filter);
  memset (s, 0, sizeof *s);
  s->cgroup_procs_fd = -1;
}
