/* The OCI runtime spec of a container, built from its record (the image
   config merged with the flags, see create.c) and podman's defaults. */
#include "pkg/engine/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/runtime/runtime.h"
#include "pkg/storage/storage.h"

/* podman reads a seccomp profile whole, with no limit; the default profile
   is 16 KB, so 4 MiB leaves room for any real one and keeps a profile of
   /dev/zero from eating memory. */
#define PC_SECCOMP_PROFILE_MAX (4 << 20)

static const char *const masked_paths[] = {
  "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
  "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
  "/sys/fs/selinux", "/sys/dev/block", NULL,
};

static const char *const readonly_paths[] = {
  "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
  NULL,
};

/* The highest capability this kernel knows, within the runtime's table. */
static size_t
last_cap (size_t n_all)
{
  char buf[16];
  if (eng_read_small (AT_FDCWD, "/proc/sys/kernel/cap_last_cap", buf, sizeof buf) > 0)
    {
      int n = atoi (buf);
      if (n > 0 && (size_t) n < n_all)
        return (size_t) n;
    }
  return n_all - 1;
}

static json_object *
strv_to_json (const char *const *v, size_t n)
{
  json_object *a = json_object_new_array ();
  for (size_t i = 0; i < n; i++)
    json_object_array_add (a, json_object_new_string (v[i]));
  return a;
}

static bool
json_array_has (json_object *a, const char *s)
{
  size_t n = pc_json_array_len (a);
  for (size_t i = 0; i < n; i++)
    if (pc_json_array_string_at (a, i) && strcasecmp (pc_json_array_string_at (a, i), s) == 0)
      return true;
  return false;
}

/* podman's set, minus --cap-drop, plus --cap-add; ALL on either side.
   Returns the names (static strings) in kernel order, NULL-terminated. */
static const char **
effective_caps (json_object *hc, json_object *conf_default, size_t *n_out)
{
  size_t n_all = 0;
  const char *const *all = pc_runtime_all_caps (&n_all);
  json_object *add = pc_json_get_array (hc, "CapAdd");
  json_object *drop = pc_json_get_array (hc, "CapDrop");
  bool privileged = pc_json_get_bool (hc, "Privileged", false);
  size_t last = last_cap (n_all);
  pc_autofree bool *set = xmalloc0 (n_all * sizeof *set);
  if (privileged || json_array_has (add, "ALL"))
    for (size_t i = 0; i <= last; i++)
      set[i] = true;
  else if (conf_default)  /* containers.conf's default_capabilities */
    {
      for (size_t k = 0; k < pc_json_array_len (conf_default); k++)
        {
          const char *c = pc_json_array_string_at (conf_default, k);
          for (size_t j = 0; c && j < n_all; j++)
            if (strcmp (all[j], c) == 0)
              set[j] = true;
        }
    }
  else
    for (const char *const *d = pc_runtime_default_caps (); d && *d; d++)
      for (size_t i = 0; i < n_all; i++)
        if (strcmp (all[i], *d) == 0)
          set[i] = true;
  if (json_array_has (drop, "ALL") && !privileged)
    memset (set, 0, n_all * sizeof *set);
  for (size_t k = 0; k < pc_json_array_len (add); k++)
    {
      const char *a = pc_json_array_string_at (add, k);
      const char *c = a ? pc_runtime_cap_canonical (a) : NULL;
      for (size_t i = 0; c && i < n_all; i++)
        if (strcmp (all[i], c) == 0)
          set[i] = true;
    }
  for (size_t k = 0; k < pc_json_array_len (drop); k++)
    {
      const char *d = pc_json_array_string_at (drop, k);
      const char *c = d ? pc_runtime_cap_canonical (d) : NULL;
      for (size_t i = 0; c && i < n_all; i++)
        if (strcmp (all[i], c) == 0 && !json_array_has (add, c))
          set[i] = false;
    }
  const char **v = xmalloc0 ((n_all + 1) * sizeof *v);
  size_t n = 0;
  for (size_t i = 0; i < n_all && i <= last; i++)
    if (set[i])
      v[n++] = all[i];
  *n_out = n;
  return v;
}

void
eng_spec_add_mount (json_object *mounts, const char *dest, const char *type, const char *source,
                    const char *const *options)
{
  json_object *m = json_object_new_object ();
  json_object_object_add (m, "destination", json_object_new_string (dest));
  json_object_object_add (m, "type", json_object_new_string (type));
  json_object_object_add (m, "source", json_object_new_string (source));
  json_object *o = json_object_new_array ();
  for (; options && *options; options++)
    json_object_array_add (o, json_object_new_string (*options));
  json_object_object_add (m, "options", o);
  json_object_array_add (mounts, m);
}

static void
add_tmpfs (json_object *mounts, const char *dest, const char *opts)
{
  pc_autostrv char **o = NULL;
  if (opts && *opts)
    {
      pc_autofree char *copy = xstrdup (opts);
      char *save = NULL;
      for (char *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save))
        pc_strv_append (&o, t);
    }
  else
    pc_strv_append (&o, "rw");
  /* As podman: nosuid and nodev unless the user asked otherwise; exec is
     allowed by default. */
  if (!pc_strv_contains (o, "suid") && !pc_strv_contains (o, "nosuid"))
    pc_strv_append (&o, "nosuid");
  if (!pc_strv_contains (o, "dev") && !pc_strv_contains (o, "nodev"))
    pc_strv_append (&o, "nodev");
  if (!pc_strv_contains (o, "notmpcopyup") && !pc_strv_contains (o, "tmpcopyup"))
    pc_strv_append (&o, "tmpcopyup");
  /* notmpcopyup is podman's word for "do not", not a mount option. */
  size_t w = 0;
  for (size_t r = 0; o[r]; r++)
    if (strcmp (o[r], "notmpcopyup") == 0)
      free (o[r]);
    else
      o[w++] = o[r];
  o[w] = NULL;
  eng_spec_add_mount (mounts, dest, "tmpfs", "tmpfs", (const char *const *) o);
}

static bool
has_mount (json_object *mounts, const char *dest)
{
  for (size_t i = 0; i < pc_json_array_len (mounts); i++)
    if (strcmp (pc_json_get_string (json_object_array_get_idx (mounts, i), "destination") ?: "", dest) == 0)
      return true;
  return false;
}

/* The record's Mounts (podman's inspect shape) as OCI bind mounts; a
   volume is its _data (Source), its copy words are no mount options. An
   image mount binds what the monitor mounted for it (image-mount.c); a
   devpts one is a new devpts instance with the user's options. */
static void
add_user_binds (json_object *mounts, json_object *user, const char *run_dir, const char *id)
{
  size_t n_image = 0;
  for (size_t i = 0; i < pc_json_array_len (user); i++)
    {
      json_object *u = pc_json_array_object_at (user, i);
      const char *type = pc_json_get_string (u, "Type");
      const char *src = pc_json_get_string (u, "Source");
      const char *dst = pc_json_get_string (u, "Destination");
      if (type && dst && strcmp (type, "image") == 0)
        {
          static const char *const image_o[] = { "bind", "rprivate", NULL };
          static const char *const image_ro_o[] = { "bind", "rprivate", "ro", NULL };
          pc_autofree char *isrc = eng_image_mount_source (run_dir, id, n_image++);
          eng_spec_add_mount (mounts, dst, "bind", isrc, pc_json_get_bool (u, "RW", false) ? image_o : image_ro_o);
          continue;
        }
      if (dst && eng_mount_is_devpts (u))
        {
          pc_autostrv char **o = NULL;
          json_object *uo = pc_json_get_array (u, "Options");
          for (size_t k = 0; k < pc_json_array_len (uo); k++)
            if (pc_json_array_string_at (uo, k))
              pc_strv_append (&o, pc_json_array_string_at (uo, k));
          eng_spec_add_mount (mounts, dst, "devpts", "devpts", (const char *const *) o);
          continue;
        }
      if (type == NULL || (strcmp (type, "bind") != 0 && strcmp (type, "volume") != 0) || src == NULL
          || *src == '\0' || dst == NULL)
        continue;
      pc_autostrv char **o = NULL;
      json_object *uo = pc_json_get_array (u, "Options");
      for (size_t k = 0; k < pc_json_array_len (uo); k++)
        if (pc_json_array_string_at (uo, k) && strcmp (pc_json_array_string_at (uo, k), "nocopy") != 0
            && strcmp (pc_json_array_string_at (uo, k), "copy") != 0)
          pc_strv_append (&o, pc_json_array_string_at (uo, k));
      pc_strv_append (&o, pc_json_get_string (u, "Propagation") ?: "rprivate");
      if (!pc_json_get_bool (u, "RW", true))
        pc_strv_append (&o, "ro");
      eng_spec_add_mount (mounts, dst, "bind", src, (const char *const *) o);
    }
}

static json_object *
build_mounts (const char *run_dir, const char *id, json_object *hc, json_object *user,
              bool host_net, bool read_only_tmpfs)
{
  json_object *mounts = json_object_new_array ();
  static const char *const proc_o[] = { "nosuid", "noexec", "nodev", NULL };
  /* noexec as podman 4.3 mounts it (runc's default has none). */
  static const char *const dev_o[] = { "nosuid", "noexec", "strictatime", "mode=755", "size=65536k", NULL };
  static const char *const pts_o[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666",
                                       "mode=0620", "gid=5", NULL };
  static const char *const mq_o[] = { "nosuid", "noexec", "nodev", NULL };
  static const char *const sys_o[] = { "nosuid", "noexec", "nodev", "ro", NULL };
  static const char *const sysbind_o[] = { "rbind", "nosuid", "noexec", "nodev", "ro", NULL };
  static const char *const shm_o[] = { "nosuid", "noexec", "nodev", "mode=1777", "size=64000k", NULL };
  static const char *const bind_o[] = { "bind", "rprivate", NULL };
  /* --read-only: podman 4.3 binds its files nosuid,nodev,noexec too. */
  static const char *const bind_ro_o[] = { "bind", "rprivate", "ro", "nosuid", "nodev", "noexec", NULL };
  eng_spec_add_mount (mounts, "/proc", "proc", "proc", proc_o);
  eng_spec_add_mount (mounts, "/dev", "tmpfs", "tmpfs", dev_o);
  /* A --mount type=devpts on /dev/pts replaces this one, as in podman. */
  bool user_pts = false;
  for (size_t i = 0; i < pc_json_array_len (user); i++)
    user_pts |= eng_mount_is_devpts (pc_json_array_object_at (user, i))
                && strcmp (pc_json_get_string (pc_json_array_object_at (user, i), "Destination") ?: "", "/dev/pts") == 0;
  if (!user_pts)
    eng_spec_add_mount (mounts, "/dev/pts", "devpts", "devpts", pts_o);
  eng_spec_add_mount (mounts, "/dev/mqueue", "mqueue", "mqueue", mq_o);
  /* sysfs can only be mounted by the owner of the network namespace. */
  if (host_net)
    eng_spec_add_mount (mounts, "/sys", "bind", "/sys", sysbind_o);
  else
    eng_spec_add_mount (mounts, "/sys", "sysfs", "sysfs", sys_o);
  /* --shm-size, containers.conf's shm_size (conf-create.c); 0 is a tmpfs
     without a limit, as podman's size=0. A record without the key has
     the default. */
  int64_t shm = pc_json_get_int (hc, "ShmSize", PC_DEFAULT_SHM_SIZE);
  if (shm >= 0 && shm != PC_DEFAULT_SHM_SIZE)
    {
      char size[48];
      snprintf (size, sizeof size, "size=%lld", (long long) shm);
      const char *const o[] = { "nosuid", "noexec", "nodev", "mode=1777", size, NULL };
      eng_spec_add_mount (mounts, "/dev/shm", "tmpfs", "shm", o);
    }
  else
    eng_spec_add_mount (mounts, "/dev/shm", "tmpfs", "shm", shm_o);

  json_object *tmpfs = pc_json_get_object (hc, "Tmpfs");
  if (tmpfs)
    {
      json_object_object_foreach (tmpfs, dest, opts)
        if (opts && json_object_is_type (opts, json_type_string))
          add_tmpfs (mounts, dest, json_object_get_string (opts));
    }
  add_user_binds (mounts, user, run_dir, id);
  if (read_only_tmpfs)
    {
      static const char *const rot[] = { "/tmp", "/var/tmp", "/run", NULL };
      static const char *const rot_o[] = { "rw", "rprivate", "nosuid", "nodev", "tmpcopyup", NULL };
      for (const char *const *d = rot; *d; d++)
        if (!has_mount (mounts, *d))
          eng_spec_add_mount (mounts, *d, "tmpfs", "tmpfs", rot_o);
    }

  static const char *const files[] = { "hostname", "resolv.conf", "hosts", NULL };
  for (const char *const *f = files; *f; f++)
    {
      pc_autofree char *dest = xasprintf ("/etc/%s", *f);
      pc_autofree char *src = xasprintf ("%s/ctr/%s/%s", run_dir, id, *f);
      /* --no-hosts: the image's own /etc/hosts. */
      if (strcmp (*f, "hosts") == 0 && pc_json_get_bool (hc, "NoHosts", false))
        continue;
      /* --dns none, --network none: the image's own /etc/resolv.conf. */
      if (strcmp (*f, "resolv.conf") == 0 && eng_network_image_resolv_conf (hc))
        continue;
      if (!has_mount (mounts, dest))
        eng_spec_add_mount (mounts, dest, "bind", src, pc_json_get_bool (hc, "ReadonlyRootfs", false) ? bind_ro_o : bind_o);
    }
  /* podman's /run/.containerenv, unless something other than a tmpfs is
     mounted over /run. */
  bool run_mounted = false;
  for (size_t i = 0; i < pc_json_array_len (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      if (strcmp (pc_json_get_string (m, "destination") ?: "", "/run") == 0
          && strcmp (pc_json_get_string (m, "type") ?: "", "tmpfs") != 0)
        run_mounted = true;
    }
  if (!run_mounted && !has_mount (mounts, "/run/.containerenv"))
    {
      pc_autofree char *src = xasprintf ("%s/ctr/%s/containerenv", run_dir, id);
      eng_spec_add_mount (mounts, "/run/.containerenv", "bind", src,
                 pc_json_get_bool (hc, "ReadonlyRootfs", false) ? bind_ro_o : bind_o);
    }
  return mounts;
}

static json_object *
build_rlimits (json_object *hc)
{
  json_object *out = json_object_new_array ();
  json_object *ul = pc_json_get_array (hc, "Ulimits");
  bool have_nofile = false, have_nproc = false;
  for (size_t i = 0; i < pc_json_array_len (ul); i++)
    {
      json_object *u = pc_json_array_object_at (ul, i);
      const char *name = pc_json_get_string (u, "Name");
      if (name == NULL)
        continue;
      json_object *r = json_object_new_object ();
      json_object_object_add (r, "type", json_object_new_string (name));
      json_object_object_add (r, "hard", json_object_new_uint64 ((uint64_t) pc_json_get_int (u, "Hard", 0)));
      json_object_object_add (r, "soft", json_object_new_uint64 ((uint64_t) pc_json_get_int (u, "Soft", 0)));
      json_object_array_add (out, r);
      have_nofile |= strcmp (name, "RLIMIT_NOFILE") == 0;
      have_nproc |= strcmp (name, "RLIMIT_NPROC") == 0;
    }
  /* podman raises nofile and nproc to what the user may have. */
  struct rlimit rl;
  if (!have_nofile && getrlimit (RLIMIT_NOFILE, &rl) == 0)
    {
      json_object *r = json_object_new_object ();
      json_object_object_add (r, "type", json_object_new_string ("RLIMIT_NOFILE"));
      json_object_object_add (r, "hard", json_object_new_uint64 (rl.rlim_max));
      json_object_object_add (r, "soft", json_object_new_uint64 (rl.rlim_max));
      json_object_array_add (out, r);
    }
  if (!have_nproc && getrlimit (RLIMIT_NPROC, &rl) == 0)
    {
      json_object *r = json_object_new_object ();
      json_object_object_add (r, "type", json_object_new_string ("RLIMIT_NPROC"));
      json_object_object_add (r, "hard", json_object_new_uint64 (rl.rlim_max));
      json_object_object_add (r, "soft", json_object_new_uint64 (rl.rlim_max));
      json_object_array_add (out, r);
    }
  return out;
}

static int
build_seccomp (json_object *hc, const char *const *caps, json_object **out, pc_error **err)
{
  *out = NULL;
  json_object *so = pc_json_get_array (hc, "SecurityOpt");
  const char *profile_path = NULL;
  for (size_t i = 0; i < pc_json_array_len (so); i++)
    {
      const char *s = pc_json_array_string_at (so, i);
      if (s && strncmp (s, "seccomp=", 8) == 0)
        profile_path = s + 8;
    }
  if (pc_json_get_bool (hc, "Privileged", false) && profile_path == NULL)
    return 0;
  if (profile_path && strcmp (profile_path, "unconfined") == 0)
    return 0;
  pc_autofree char *text = NULL;
  if (profile_path
      && pc_read_file_max (AT_FDCWD, profile_path, PC_SECCOMP_PROFILE_MAX, 0, &text, NULL, err) < 0)
    return pc_error_wrap (err, "opening seccomp profile failed");
  *out = pc_runtime_seccomp_to_oci (text, caps, err);
  if (*out == NULL)
    return pc_error_wrap (err, "seccomp profile %s", profile_path ? profile_path : "(default)");
  return 0;
}

static bool
security_opt_has (json_object *hc, const char *opt)
{
  json_object *so = pc_json_get_array (hc, "SecurityOpt");
  for (size_t i = 0; i < pc_json_array_len (so); i++)
    {
      const char *s = pc_json_array_string_at (so, i);
      if (s == NULL)
        continue;
      if (strcmp (s, opt) == 0 || (strncmp (s, opt, strlen (opt)) == 0 && strcmp (s + strlen (opt), "=true") == 0))
        return true;
    }
  return false;
}

json_object *
eng_build_spec (const char *run_dir, const char *id, const struct pc_rootfs_mount *m,
                const struct eng_user *u, json_object *rec, pc_error **err)
{
  json_object *cfg = pc_json_get_object (rec, "Config");
  json_object *hc = pc_json_get_object (rec, "HostConfig");
  pc_autojson json_object *spec = json_object_new_object ();
  json_object_object_add (spec, "ociVersion", json_object_new_string ("1.0.2-dev"));

  /* process */
  json_object *proc = json_object_new_object ();
  json_object_object_add (proc, "terminal", json_object_new_boolean (pc_json_get_bool (cfg, "Tty", false)));
  json_object *user = json_object_new_object ();
  json_object_object_add (user, "uid", json_object_new_int64 (u->uid));
  json_object_object_add (user, "gid", json_object_new_int64 (u->gid));
  /* --umask / containers.conf's umask, checked at create */
  const char *umask = pc_json_get_string (cfg, "Umask");
  unsigned um = 022;
  if (umask && pc_engine_conf_parse_umask (umask, &um, NULL) < 0)
    um = 022;
  json_object_object_add (user, "umask", json_object_new_int ((int) um));
  if (u->n_groups)
    {
      json_object *g = json_object_new_array ();
      for (size_t i = 0; i < u->n_groups; i++)
        json_object_array_add (g, json_object_new_int64 (u->groups[i]));
      json_object_object_add (user, "additionalGids", g);
    }
  json_object_object_add (proc, "user", user);
  json_object *args = json_object_new_array ();
  if (pc_json_get_bool (hc, "Init", false))
    {
      json_object_array_add (args, json_object_new_string (PC_INIT_PATH));
      json_object_array_add (args, json_object_new_string ("--"));
    }
  json_object *ep = pc_json_get_array (cfg, "Entrypoint");
  json_object *cmd = pc_json_get_array (cfg, "Cmd");
  for (size_t i = 0; i < pc_json_array_len (ep); i++)
    if (pc_json_array_string_at (ep, i))
      json_object_array_add (args, json_object_get (json_object_array_get_idx (ep, i)));
  for (size_t i = 0; i < pc_json_array_len (cmd); i++)
    if (pc_json_array_string_at (cmd, i))
      json_object_array_add (args, json_object_get (json_object_array_get_idx (cmd, i)));
  json_object_object_add (proc, "args", args);
  json_object *env = json_object_new_array ();
  json_object *renv = pc_json_get_array (cfg, "Env");
  for (size_t i = 0; i < pc_json_array_len (renv); i++)
    if (pc_json_array_string_at (renv, i))
      json_object_array_add (env, json_object_get (json_object_array_get_idx (renv, i)));
  json_object_object_add (proc, "env", env);
  const char *wd = pc_json_get_string (cfg, "WorkingDir");
  json_object_object_add (proc, "cwd", json_object_new_string (wd && *wd ? wd : "/"));

  size_t ncaps = 0;
  pc_autofree const char **caps = effective_caps (hc, pc_json_get_array (rec, "DefaultCapabilities"), &ncaps);
  json_object *capo = json_object_new_object ();
  json_object_object_add (capo, "bounding", strv_to_json (caps, ncaps));
  /* A non-root user gets only what was added explicitly, as in podman. */
  if (u->uid == 0)
    {
      json_object_object_add (capo, "effective", strv_to_json (caps, ncaps));
      json_object_object_add (capo, "permitted", strv_to_json (caps, ncaps));
    }
  else
    {
      json_object *add = pc_json_get_array (hc, "CapAdd");
      pc_autofree const char **added = xmalloc0 ((ncaps + 1) * sizeof *added);
      size_t na = 0;
      for (size_t i = 0; i < ncaps; i++)
        if (json_array_has (add, caps[i]) || json_array_has (add, caps[i] + 4))
          added[na++] = caps[i];
      json_object_object_add (capo, "effective", strv_to_json (added, na));
      json_object_object_add (capo, "permitted", strv_to_json (added, na));
      json_object_object_add (capo, "ambient", strv_to_json (added, na));
      json_object_object_add (capo, "inheritable", strv_to_json (added, na));
    }
  json_object_object_add (proc, "capabilities", capo);
  json_object_object_add (proc, "rlimits", build_rlimits (hc));
  json_object_object_add (proc, "noNewPrivileges", json_object_new_boolean (security_opt_has (hc, "no-new-privileges")));
  json_object_object_add (spec, "process", proc);

  /* root */
  json_object *root = json_object_new_object ();
  json_object_object_add (root, "path", json_object_new_string (m->target));
  bool ro = pc_json_get_bool (hc, "ReadonlyRootfs", false);
  json_object_object_add (root, "readonly", json_object_new_boolean (ro));
  json_object_object_add (spec, "root", root);
  const char *hostname = pc_json_get_string (cfg, "Hostname");
  json_object_object_add (spec, "hostname", json_object_new_string (hostname ? hostname : ""));

  const char *netmode = pc_json_get_string (hc, "NetworkMode");
  bool host_net = netmode && strcmp (netmode, "host") == 0;
  /* ns:PATH may be owned by a user namespace that is not the container's:
     /sys bound as with the host's. container:ID's path is set at start. */
  const char *ns_path = netmode && strncmp (netmode, "ns:", 3) == 0 ? netmode + 3 : NULL;
  json_object *mounts = build_mounts (run_dir, id, hc, pc_json_get_array (rec, "Mounts"), host_net || ns_path,
                                     ro && pc_json_get_bool (hc, "ReadOnlyTmpfs", true));
  json_object_object_add (spec, "mounts", mounts);
  /* --tz: the zone's file as /etc/localtime, as podman. */
  const char *tzp = pc_json_get_string (rec, "TimezonePath");
  if (tzp && !has_mount (mounts, "/etc/localtime"))
    {
      static const char *const tz_o[] = { "bind", "rprivate", "ro", NULL };
      pc_autofree char *dest = eng_conf_localtime_dest (m);
      eng_spec_add_mount (mounts, dest ? dest : "/etc/localtime", "bind", tzp, tz_o);
    }
  /* --init: the init binary read-only at podman's path, as pid 1. */
  const char *init_path = pc_json_get_string (rec, "InitPath");
  if (pc_json_get_bool (hc, "Init", false) && init_path)
    {
      static const char *const init_o[] = { "bind", "ro", "nosuid", "nodev", NULL };
      eng_spec_add_mount (mounts, PC_INIT_PATH, "bind", init_path, init_o);
    }

  /* linux */
  json_object *linux_ = json_object_new_object ();
  json_object *ns = json_object_new_array ();
  static const char *const nss[] = { "pid", "network", "ipc", "uts", "mount", NULL };
  for (const char *const *n = nss; *n; n++)
    {
      if (host_net && strcmp (*n, "network") == 0)
        continue;
      json_object *o = json_object_new_object ();
      json_object_object_add (o, "type", json_object_new_string (*n));
      if (ns_path && strcmp (*n, "network") == 0)
        json_object_object_add (o, "path", json_object_new_string (ns_path));
      json_object_array_add (ns, o);
    }
  json_object_object_add (linux_, "namespaces", ns);
  bool privileged = pc_json_get_bool (hc, "Privileged", false);
  if (!privileged)
    {
      json_object *mp = json_object_new_array ();
      for (const char *const *p = masked_paths; *p; p++)
        json_object_array_add (mp, json_object_new_string (*p));
      json_object_object_add (linux_, "maskedPaths", mp);
      json_object *rp = json_object_new_array ();
      for (const char *const *p = readonly_paths; *p; p++)
        json_object_array_add (rp, json_object_new_string (*p));
      json_object_object_add (linux_, "readonlyPaths", rp);
    }
  /* --sysctl and default_sysctls (sysctl.c); the record's, values as strings. */
  json_object *sysctls = pc_json_get_object (hc, "Sysctls");
  if (sysctls && json_object_object_length (sysctls) > 0)
    {
      json_object *sc = json_object_new_object ();
      json_object_object_foreach (sysctls, key, val)
        if (json_object_is_type (val, json_type_string))
          json_object_object_add (sc, key, json_object_new_string (json_object_get_string (val)));
      json_object_object_add (linux_, "sysctl", sc);
    }
  json_object_object_add (spec, "linux", linux_);
  pc_autofree char *cgpath = eng_spec_cgroups_path (id);
  json_object_object_add (linux_, "cgroupsPath", json_object_new_string (cgpath));
  if (eng_spec_devices (hc, linux_, mounts, err) < 0)
    return NULL;
  /* Parents before what is mounted inside them, as podman sorts them. */
  json_object_object_add (spec, "mounts", eng_mounts_by_depth (mounts));
  json_object *seccomp = NULL;
  if (build_seccomp (hc, caps, &seccomp, err) < 0)
    return NULL;
  if (seccomp)
    json_object_object_add (linux_, "seccomp", seccomp);

  /* annotations: how to mount the root, where to cache compiled seccomp */
  json_object *ann = json_object_new_object ();
  json_object *rfs = json_object_new_object ();
  json_object_object_add (rfs, "driver", json_object_new_string (m->driver));
  json_object_object_add (rfs, "source", json_object_new_string (m->source));
  json_object_object_add (rfs, "target", json_object_new_string (m->target));
  json_object_object_add (ann, "run.pc.rootfs",
                          json_object_new_string (json_object_to_json_string_ext (
                            rfs, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)));
  json_object_put (rfs);
  pc_autofree char *cache = xasprintf ("%s/seccomp", run_dir);
  json_object_object_add (ann, "run.pc.seccomp-cache", json_object_new_string (cache));
  json_object_object_add (ann, "io.container.manager", json_object_new_string ("pc"));
  /* The monitor starts libslirp on a tap device for this one (pkg/monitor/net.c). */
  if (eng_network_is_slirp (hc))
    json_object_object_add (ann, "run.pc.network", json_object_new_string (pc_json_get_string (hc, "NetworkMode")));
  /* --restart: the monitor runs it (pkg/monitor/restart.c). */
  pc_autofree char *restart = eng_restart_annotation (hc);
  if (restart)
    json_object_object_add (ann, "run.pc.restart", json_object_new_string (restart));
  json_object_object_add (spec, "annotations", ann);
  return steal_pointer (&spec);
}
