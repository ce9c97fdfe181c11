/* pc pod create: the pod's record and its infra container. The infra has
   no image: its root is an empty directory beside its record, into which
   the host's catatonit (Debian's package) is bound read-only and run as
   `catatonit -P` (pause mode). Its monitor then holds the pod's user
   namespace, the shared namespaces, the slirp loop and the pod's ports. */
#include "pkg/engine/internal.h"
#include "pkg/engine/pod.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/parse.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"
#include "pkg/storage/storage.h"
#include "pkg/engine/events.h"

#define INFRA_BINARY "/usr/bin/catatonit"
#define INFRA_PATH "/catatonit"

char *
eng_pod_shm_dir (struct pc_engine *e, const char *pod_id)
{
  return xasprintf ("%s/pods/%s/shm", e->run_dir, pod_id);
}

static json_object *
strv_json (char *const *v)
{
  json_object *a = json_object_new_array ();
  for (; v && *v; v++)
    json_object_array_add (a, json_object_new_string (*v));
  return a;
}

static json_object *
strv_json_or_null (char *const *v)
{
  return v && *v ? strv_json (v) : NULL;
}

/* --share: podman's words and order (cgroup, uts, pid, ipc, net). */
static int
parse_share (const char *share, bool shared[5], pc_error **err)
{
  static const char *const names[] = { "cgroup", "uts", "pid", "ipc", "net" };
  bool plus = share && *share == '+';
  for (int i = 0; i < 5; i++)
    shared[i] = share == NULL || plus ? (i == 1 || i == 3 || i == 4) : false;
  if (share == NULL)
    return 0;
  pc_autofree char *copy = xstrdup (plus ? share + 1 : share);
  char *save = NULL;
  for (char *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save))
    {
      if (strcmp (t, "none") == 0)
        {
          memset (shared, 0, 5 * sizeof *shared);
          continue;
        }
      int k = -1;
      for (int i = 0; i < 5; i++)
        if (strcmp (t, names[i]) == 0)
          k = i;
      if (k < 0)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "invalid kernel namespace to share: %s. Options are: cgroup, ipc, net, pid, uts or none", t);
      shared[k] = true;
    }
  return 0;
}

/* The infra's command: catatonit -P, or --infra-command split on blanks,
   whose program (absolute) is bound from the host into the root. */
static int
infra_command (const struct pc_pod_opts *o, char ***argv, char **host_bin, pc_error **err)
{
  *argv = NULL;
  *host_bin = NULL;
  if (o->infra_command == NULL || *o->infra_command == '\0')
    {
      pc_strv_append (argv, INFRA_PATH);
      pc_strv_append (argv, "-P");
      *host_bin = xstrdup (INFRA_BINARY);
    }
  else
    {
      pc_autofree char *copy = xstrdup (o->infra_command);
      char *save = NULL;
      for (char *t = strtok_r (copy, " \t", &save); t; t = strtok_r (NULL, " \t", &save))
        pc_strv_append (argv, t);
      if (*argv == NULL || (*argv)[0][0] != '/')
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "--infra-command must name a program by its absolute path on the host "
                               "(pc has no infra image: the program is bound into the infra's root)");
      *host_bin = xstrdup ((*argv)[0]);
      if (strcmp ((*argv)[0], INFRA_PATH) == 0)
        {
          free (*host_bin);
          *host_bin = xstrdup (INFRA_BINARY);
        }
    }
  struct stat st;
  if (stat (*host_bin, &st) < 0 || !S_ISREG (st.st_mode))
    return pc_error_errnoc (err, PC_ERR_NOT_FOUND, errno ? errno : EINVAL,
                            "the pod's infra program %s is missing on the host (Debian: apt-get install catatonit)",
                            *host_bin);
  return 0;
}

static void
undo_infra (struct pc_engine *e, const char *id, const char *name)
{
  pc_autoerror pc_error *err = NULL;
  pc_rm_rf_at (e->ctr_dfd, id, &err);
  eng_name_release (e, name, id);
}

int
eng_pod_infra_create (struct pc_engine *e, struct pc_pod *p, const struct pc_pod_opts *o, char id[65],
                      pc_error **err)
{
  if (o->infra_image && *o->infra_image)
    return eng_pod_infra_create_image (e, p, o, id, err);
  pc_autostrv char **argv = NULL;
  pc_autofree char *host_bin = NULL;
  if (infra_command (o, &argv, &host_bin, err) < 0)
    return -1;
  const char *hostname = o->hostname && *o->hostname ? o->hostname : p->name;
  struct pc_create_opts io = {
    .image = "",
    .command = argv,
    .entrypoint = "",
    .hostname = hostname,
    .read_only_tmpfs = true,
    .volumes = o->volumes,
    .stop_timeout = -1,
    .network = o->network,
    .dns = o->dns,
    .dns_search = o->dns_search,
    .dns_option = o->dns_option,
    .add_host = o->add_host,
    .no_hosts = o->no_hosts,
    .publish = o->publish,
    .userns = o->userns,
  };
  pc_autojson json_object *hc = json_object_new_object ();
  if (eng_check_opts (&io, hc, err) < 0)
    return -1;
  if (pc_random_id (id, err) < 0)
    return -1;
  pc_autofree char *name = o->infra_name && *o->infra_name ? xstrdup (o->infra_name) : xasprintf ("%.12s-infra", p->id);
  if (eng_name_reserve (e, name, id, err) < 0)
    return -1;
  if (mkdirat (e->ctr_dfd, id, 0700) < 0)
    {
      int saved = errno;
      eng_name_release (e, name, id);
      return pc_error_errno (err, saved, "create container directory");
    }
  int lock = eng_lock_container (e, id, err);
  if (lock < 0)
    {
      undo_infra (e, id, name);
      return -1;
    }
  int ret = -1;
  struct pc_rootfs_mount m = { 0 };
  struct eng_userns ns = { .lock_fd = -1 };
  struct eng_user u = { 0 };
  pc_autojson json_object *rec = NULL;
  pc_autojson json_object *spec = NULL;
  pc_autofree char *spath = xasprintf ("%s/config.json", id);
  pc_autofree char *rootdir = xasprintf ("%s/rootfs", id);
  pc_autofree char *mergeddir = xasprintf ("%s/merged", id);
  if (mkdirat (e->ctr_dfd, rootdir, 0755) < 0 || mkdirat (e->ctr_dfd, mergeddir, 0755) < 0)
    {
      pc_error_errno (err, errno, "create the infra container's root");
      goto out;
    }
  m.driver = xstrdup ("vfs");
  m.source = xasprintf ("%s/containers/%s/rootfs", e->data_dir, id);
  m.target = xasprintf ("%s/containers/%s/merged", e->data_dir, id);
  {
    /* The image config of an image that does not exist: what
       eng_build_record merges the flags into. */
    pc_autojson json_object *icfg = json_object_new_object ();
    json_object *c = json_object_new_object ();
    json_object_object_add (icfg, "architecture", json_object_new_string ("amd64"));
    json_object_object_add (icfg, "os", json_object_new_string ("linux"));
    json_object_object_add (c, "Labels", json_object_new_object ());
    json_object_object_add (icfg, "config", c);
    json_object *rfs = json_object_new_object ();
    json_object_object_add (rfs, "type", json_object_new_string ("layers"));
    json_object_object_add (rfs, "diff_ids", json_object_new_array ());
    json_object_object_add (icfg, "rootfs", rfs);
    json_object_object_add (icfg, "history", json_object_new_array ());
    struct eng_image ei = { .config = icfg, .id = "", .name = "", .driver = "vfs" };
    if (eng_build_record (&ei, &io, id, name, e->data_dir, hc, &rec, err) < 0
        || eng_volumes_attach (e, &io, icfg, rec, err) < 0)
      goto out;
  }
  json_object_object_add (rec, "Pod", json_object_new_string (p->id));
  json_object_object_add (rec, "PodName", json_object_new_string (p->name));
  json_object_object_add (rec, "IsInfra", json_object_new_boolean (true));
  if (eng_userns_plan (e, rec, &m, &ns, &io, err) < 0 || eng_userns_shift_rootfs (&ns, &m, err) < 0)
    goto out;
  if (eng_resolve_user (&m, "0:0", &u, err) < 0)
    goto out;
  spec = eng_build_spec (e->run_dir, id, &m, &u, rec, err);
  if (spec == NULL || eng_userns_spec (e, id, &ns, &m, spec, err) < 0)
    goto out;
  eng_volumes_annotate (e, rec, spec);
  {
    json_object *mounts = pc_json_get_array (spec, "mounts");
    json_object *b = json_object_new_object ();
    json_object_object_add (b, "destination", json_object_new_string (argv[0]));
    json_object_object_add (b, "type", json_object_new_string ("bind"));
    json_object_object_add (b, "source", json_object_new_string (host_bin));
    json_object *bo = json_object_new_array ();
    static const char *const opts[] = { "bind", "ro", "nosuid", "nodev", NULL };
    for (const char *const *s = opts; *s; s++)
      json_object_array_add (bo, json_object_new_string (*s));
    json_object_object_add (b, "options", bo);
    json_object_array_add (mounts, b);
    json_object_object_add (pc_json_get (spec, "annotations"), "run.pc.pod", json_object_new_string (p->id));
  }
  const char *s = json_object_to_json_string_ext (spec, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  if (eng_write_volatile (e->ctr_dfd, spath, s, strlen (s), err) < 0)
    goto out;
  {
    struct pc_container c = { 0 };
    memcpy (c.id, id, sizeof c.id);
    c.name = name;
    c.rec = rec;
    if (eng_record_save (e, &c, err) < 0)
      goto out;
  }
  ret = 0;

out:
  free (u.home);
  eng_userns_clear (&ns);
  pc_rootfs_mount_clear (&m);
  if (ret < 0)
    undo_infra (e, id, name);
  eng_unlock (lock);
  return ret;
}

static void
labels_json (json_object *o, char *const *labels)
{
  json_object *l = json_object_new_object ();
  for (; labels && *labels; labels++)
    {
      const char *eq = strchr (*labels, '=');
      pc_autofree char *k = eq ? xstrndup (*labels, (size_t) (eq - *labels)) : xstrdup (*labels);
      json_object_object_add (l, k, json_object_new_string (eq ? eq + 1 : ""));
    }
  json_object_object_add (o, "Labels", l);
}

/* podman's InfraConfig, from the flags. */
static json_object *
infra_config (const struct pc_pod_opts *o, json_object *infra_rec)
{
  json_object *ic = json_object_new_object ();
  json_object *hc = pc_json_get (infra_rec, "HostConfig");
  json_object *pb = pc_json_get_object (hc, "PortBindings");
  json_object_object_add (ic, "PortBindings", pb ? json_object_get (pb) : json_object_new_object ());
  json_object_object_add (ic, "HostNetwork", json_object_new_boolean (o->network && strcmp (o->network, "host") == 0));
  json_object_object_add (ic, "StaticIP", json_object_new_string (""));
  json_object_object_add (ic, "StaticMAC", json_object_new_string (""));
  json_object_object_add (ic, "NoManageResolvConf", json_object_new_boolean (false));
  json_object_object_add (ic, "DNSServer", strv_json_or_null (o->dns));
  json_object_object_add (ic, "DNSSearch", strv_json_or_null (o->dns_search));
  json_object_object_add (ic, "DNSOption", strv_json_or_null (o->dns_option));
  json_object_object_add (ic, "NoManageHosts", json_object_new_boolean (o->no_hosts));
  json_object_object_add (ic, "HostAdd", strv_json_or_null (o->add_host));
  json_object_object_add (ic, "Networks", NULL);
  json_object_object_add (ic, "NetworkOptions", NULL);
  json_object_object_add (ic, "pid_ns", json_object_new_string ("private"));
  const char *um = pc_json_get_string (hc, "UsernsMode");
  json_object_object_add (ic, "userns", json_object_new_string (um && *um ? um : "host"));
  json_object_object_add (ic, "uts_ns", json_object_new_string ("private"));
  return ic;
}

int
pc_engine_pod_create (struct pc_engine *e, const struct pc_pod_opts *o, struct pc_pod **out, pc_error **err)
{
  const char *policy = o->exit_policy ? o->exit_policy : "continue";
  if (strcmp (policy, "continue") != 0 && strcmp (policy, "stop") != 0)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "running pod create option: invalid pod exit policy: \"%s\"", policy);
  bool shared[5];
  if (parse_share (o->share, shared, err) < 0)
    return -1;
  /* podman's units.RAMInBytes, default 65536k. */
  int64_t shm = PC_POD_SHM_SIZE;
  if (o->shm_size && pc_parse_size (o->shm_size, &shm, err) < 0)
    return -1;
  if (shm <= 0)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid --shm-size %s: it must be more than 0", o->shm_size);
  if (o->no_infra && (o->publish || o->network || o->dns || o->add_host || o->volumes || o->infra_command
                      || o->infra_name || o->infra_image))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "the pod's network, ports, volumes and infra options need an infra container: "
                           "drop --infra=false");
  if (shared[0] && !o->no_infra)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "cannot define the pod as the cgroup parent at the same time "
                           "as joining the infra container's cgroupNS: invalid argument");
  struct pc_pod *p = xmalloc0 (sizeof *p);
  pc_autopod struct pc_pod *pod = p;
  if (pc_random_id (p->id, err) < 0)
    return -1;
  p->name = o->name && *o->name ? xstrdup (o->name) : pc_engine_random_name ();
  pc_autoclose int pdfd = eng_pod_dir (e, "pods", err);
  if (pdfd < 0)
    return -1;
  if (mkdirat (pdfd, p->id, 0700) < 0)
    return pc_error_errno (err, errno, "create pod directory");
  /* Held until pod.json exists: a reservation whose pod has no record and
     no holder of this lock was left by a killed create. */
  int lock = eng_pod_lock (e, p->id, err);
  if (lock < 0)
    {
      pc_rm_rf_at (pdfd, p->id, err);
      return -1;
    }
  int ret = -1;
  char infra_id[65] = "";
  bool reserved = false;
  pc_autofree char *created = NULL;
  for (int attempt = 0;; attempt++)
    {
      if (eng_pod_name_reserve (e, p->name, p->id, err) == 0)
        {
          reserved = true;
          break;
        }
      if (o->name || (*err)->status != EEXIST || attempt > 50)
        goto out;
      pc_error_clear (err);
      free (p->name);
      p->name = pc_engine_random_name ();
    }
  clock_gettime (CLOCK_REALTIME, &p->created);
  created = pc_time_format_rfc3339 (&p->created);
  p->rec = json_object_new_object ();
  json_object *r = p->rec;
  json_object_object_add (r, "Id", json_object_new_string (p->id));
  json_object_object_add (r, "Name", json_object_new_string (p->name));
  json_object_object_add (r, "Created", json_object_new_string (created));
  json_object *cc = json_object_new_array ();
  if (o->create_command)
    {
      pc_autofree char *copy = xstrdup (o->create_command);
      char *save = NULL;
      for (char *t = strtok_r (copy, " ", &save); t; t = strtok_r (NULL, " ", &save))
        json_object_array_add (cc, json_object_new_string (t));
    }
  json_object_object_add (r, "CreateCommand", cc);
  json_object_object_add (r, "ExitPolicy", json_object_new_string (policy));
  json_object_object_add (r, "Hostname", json_object_new_string (o->hostname ? o->hostname : ""));
  labels_json (r, o->labels);
  json_object_object_add (r, "CreateCgroup", json_object_new_boolean (false));
  json_object_object_add (r, "CgroupParent", json_object_new_string (""));
  json_object_object_add (r, "ShareParent", json_object_new_boolean (o->share_parent));
  json_object_object_add (r, "CreateInfra", json_object_new_boolean (!o->no_infra));
  static const char *const names[] = { "cgroup", "uts", "pid", "ipc", "net" };
  json_object *sh = json_object_new_array ();
  for (int i = 0; i < 5; i++)
    if (shared[i] && !o->no_infra)
      json_object_array_add (sh, json_object_new_string (names[i]));
  json_object_object_add (r, "SharedNamespaces", sh);
  json_object_object_add (r, "Volumes", strv_json (o->volumes));
  json_object_object_add (r, "Userns", json_object_new_string (o->userns ? o->userns : ""));
  json_object_object_add (r, "ShmSize", json_object_new_int64 (shm));
  if (!o->no_infra)
    {
      if (eng_pod_infra_create (e, p, o, infra_id, err) < 0)
        goto out;
      pc_autocontainer struct pc_container *infra = NULL;
      if (eng_record_load (e, infra_id, &infra, err) < 0)
        goto out;
      json_object_object_add (r, "InfraContainerID", json_object_new_string (infra_id));
      json_object_object_add (r, "InfraConfig", infra_config (o, infra->rec));
      p->infra_id = xstrdup (infra_id);
    }
  /* The record is the commit point. */
  if (eng_pod_save (e, p, err) < 0)
    goto out;
  ret = 0;
  pc_engine_event_pod (e, "create", p->id, p->name);
  *out = steal_pointer (&pod);

out:
  if (ret < 0)
    {
      if (*infra_id)
        {
          pc_autocontainer struct pc_container *infra = NULL;
          pc_autoerror pc_error *ierr = NULL;
          if (eng_record_load (e, infra_id, &infra, &ierr) == 0)
            {
              int l = eng_lock_container (e, infra_id, &ierr);
              unlinkat (e->ctr_dfd, "container.json", 0);
              undo_infra (e, infra_id, infra->name);
              eng_unlock (l);
            }
        }
      if (reserved)
        eng_pod_name_release (e, p->name, p->id);
      pc_autoerror pc_error *rerr = NULL;
      pc_rm_rf_at (pdfd, p->id, &rerr);
    }
  eng_unlock (lock);
  return ret;
}
