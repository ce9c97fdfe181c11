/* The pod's namespaces. The infra's monitor holds the pod's user
   namespace: the infra is started from a fresh one (in a forked child when
   the caller must stay in the initial namespace), and every command that
   starts a member joins the infra's monitor's user namespace from the
   initial one, as --network container:X does (network.c,
   eng_join_userns_of). At start a member's spec names the infra's pid 1's
   ipc, uts and pid namespaces, and /dev/shm is the pod's shm directory. */
#include "pkg/engine/internal.h"
#include "pkg/engine/pod.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/rootless/rootless.h"

/* A pod's steps in a child (eng_in_child), in its messages. */
#define POD_STEP_WHAT "running a pod step in a child"
#define POD_STEP_ACTING "on the pod"

/* The pod's /dev/shm: a tmpfs of the pod's size on RUN/pods/ID/shm, so a
   member cannot fill $XDG_RUNTIME_DIR (or /run) beyond it. As root it is
   in the host's mount namespace; rootless in this process's, which the
   infra's monitor copies when it forks: members' commands then join that
   monitor's mount namespace with its user namespace (eng_join_userns_of). */
static int
mount_shm (const char *dir, int64_t size, pc_error **err)
{
  pc_autofree char *opts = xasprintf ("mode=1777,size=%lld", (long long) size);
  if (mount ("shm", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
    return pc_error_errno (err, errno, "mount a tmpfs on `%s`", dir);
  return 0;
}

void
eng_pod_shm_umount (const char *dir)
{
  for (int i = 0; i < 8 && umount2 (dir, MNT_DETACH | UMOUNT_NOFOLLOW) == 0; i++)
    ;
}

struct infra_start
{
  struct pc_pod *p;
};

static int
start_infra_here (struct pc_engine *e, void *data, pc_error **err)
{
  struct infra_start *s = data;
  if (pc_rootless_is_rootless () && !pc_rootless_in_userns () && pc_engine_enter_userns (e, err) < 0)
    return -1;
  pc_autocontainer struct pc_container *infra = NULL;
  if (pc_engine_lookup (e, s->p->infra_id, &infra, err) < 0)
    return pc_error_wrap (err, "the infra container of pod %s", s->p->name);
  if (infra->state.status == PC_STATUS_RUNNING || infra->state.status == PC_STATUS_PAUSED)
    return 0;
  /* A fresh /dev/shm for the pod: what the last run left goes. Under the
     infra's lock, and only while it does not run: a second pc starting the
     pod at the same time cannot empty it under members already started. */
  int lock = eng_lock_container (e, infra->id, err);
  if (lock < 0)
    return -1;
  eng_state_read (e, infra, true);
  if (infra->state.status != PC_STATUS_RUNNING && infra->state.status != PC_STATUS_PAUSED)
    {
      pc_autofree char *shm = eng_pod_shm_dir (e, s->p->id);
      eng_pod_shm_umount (shm);
      if (pc_rm_rf_at (AT_FDCWD, shm, err) < 0 || pc_mkdir_p (AT_FDCWD, shm, 0700, err) < 0
          || mount_shm (shm, pc_json_get_int (s->p->rec, "ShmSize", PC_POD_SHM_SIZE), err) < 0)
        {
          eng_unlock (lock);
          return pc_error_wrap (err, "the /dev/shm of pod %s", s->p->name);
        }
    }
  eng_unlock (lock);
  if (pc_engine_start (e, infra, NULL, NULL, err) < 0)
    return pc_error_wrap (err, "starting the infra container of pod %s", s->p->name);
  return 0;
}

int
eng_pod_start_infra (struct pc_engine *e, struct pc_pod *p, pc_error **err)
{
  if (p->infra_id == NULL)
    return 0;
  struct infra_start s = { .p = p };
  /* Its monitor must hold a user namespace of its own, made for it: from
     the initial namespace that takes a child, which enters one. */
  struct eng_child_step step = { .what = POD_STEP_WHAT, .acting = POD_STEP_ACTING,
                                 .fn = start_infra_here, .data = &s };
  if (pc_rootless_is_rootless () && !pc_rootless_in_userns ())
    return eng_in_child (e, &step, err);
  return start_infra_here (e, &s, err);
}

int
eng_pod_userns_target (struct pc_engine *e, const char *pod_ref, struct pc_container **infra, pc_error **err)
{
  *infra = NULL;
  pc_autopod struct pc_pod *p = NULL;
  if (pc_engine_pod_lookup (e, pod_ref, &p, err) < 0)
    return -1;
  if (p->infra_id == NULL)
    return 0;
  pc_autocontainer struct pc_container *t = NULL;
  if (eng_record_load (e, p->infra_id, &t, err) < 0)
    return pc_error_wrap (err, "the infra container of pod %s", p->name);
  eng_state_read (e, t, true);
  if (t->state.status != PC_STATUS_RUNNING && t->state.status != PC_STATUS_PAUSED)
    {
      if (eng_pod_start_infra (e, p, err) < 0)
        return -1;
      eng_state_read (e, t, true);
      if (t->state.status != PC_STATUS_RUNNING && t->state.status != PC_STATUS_PAUSED)
        return pc_error_makec (err, PC_ERR_STATE, ESRCH, "the infra container of pod %s exited as it started", p->name);
    }
  *infra = steal_pointer (&t);
  return 1;
}

struct run_in
{
  struct pc_pod *p;
  pc_engine_pod_fn fn;
  void *data;
};

/* The child's user namespace: the infra's monitor's (a fresh one when the
   pod has no infra). */
static int
join_pod_userns (struct pc_engine *e, void *data, pc_error **err)
{
  struct run_in *r = data;
  pc_autocontainer struct pc_container *infra = NULL;
  int t = eng_pod_userns_target (e, r->p->id, &infra, err);
  if (t < 0)
    return -1;
  if (pc_rootless_is_rootless () && !pc_rootless_in_userns ())
    {
      if (t > 0 ? eng_join_userns_of (infra, err) < 0 : pc_engine_enter_userns (e, err) < 0)
        return -1;
    }
  e->flags |= PC_ENGINE_USERNS;
  return 0;
}

static int
run_in_pod (struct pc_engine *e, void *data, pc_error **err)
{
  struct run_in *r = data;
  return r->fn (e, r->p, r->data, err);
}

int
pc_engine_pod_run_in (struct pc_engine *e, struct pc_pod *p, pc_engine_pod_fn fn, void *data, pc_error **err)
{
  struct run_in r = { .p = p, .fn = fn, .data = data };
  struct eng_child_step step = { .what = POD_STEP_WHAT, .acting = POD_STEP_ACTING,
                                 .enter = join_pod_userns, .fn = run_in_pod, .data = &r };
  return eng_in_child (e, &step, err);
}

/* Joins ns (spec type) at /proc/PID/ns/file. */
static void
set_ns_path (json_object *spec, const char *type, const char *file, pid_t pid)
{
  json_object *ns = pc_json_get_array (pc_json_get (spec, "linux"), "namespaces");
  pc_autofree char *path = xasprintf ("/proc/%d/ns/%s", (int) pid, file);
  for (size_t i = 0; i < pc_json_array_len (ns); i++)
    {
      json_object *o = pc_json_array_object_at (ns, i);
      const char *t = pc_json_get_string (o, "type");
      if (t && strcmp (t, type) == 0)
        {
          json_object_object_add (o, "path", json_object_new_string (path));
          return;
        }
    }
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "type", json_object_new_string (type));
  json_object_object_add (o, "path", json_object_new_string (path));
  json_object_array_add (ns, o);
}

/* /dev/shm: the pod's directory bound instead of a tmpfs of its own. */
static void
bind_shm (json_object *spec, const char *dir)
{
  json_object *mounts = pc_json_get_array (spec, "mounts");
  for (size_t i = 0; i < pc_json_array_len (mounts); i++)
    {
      json_object *m = pc_json_array_object_at (mounts, i);
      const char *d = pc_json_get_string (m, "destination");
      if (d == NULL || strcmp (d, "/dev/shm") != 0)
        continue;
      json_object_object_add (m, "type", json_object_new_string ("bind"));
      json_object_object_add (m, "source", json_object_new_string (dir));
      json_object *o = json_object_new_array ();
      static const char *const opts[] = { "rbind", "nosuid", "noexec", "nodev", NULL };
      for (const char *const *s = opts; *s; s++)
        json_object_array_add (o, json_object_new_string (*s));
      json_object_object_add (m, "options", o);
    }
}

int
eng_pod_join_spec (struct pc_engine *e, struct pc_container *c, json_object *spec, pc_error **err)
{
  const char *pod = pc_json_get_string (c->rec, "Pod");
  if (pod == NULL || pc_json_get_bool (c->rec, "IsInfra", false))
    return 0;
  pc_autopod struct pc_pod *p = NULL;
  if (pc_engine_pod_lookup (e, pod, &p, err) < 0)
    return pc_error_wrap (err, "the pod of container %s", c->id);
  if (p->infra_id == NULL || !eng_pod_member_shares (p, c))
    return 0;
  pc_autocontainer struct pc_container *t = NULL;
  if (eng_record_load (e, p->infra_id, &t, err) < 0)
    return pc_error_wrap (err, "the infra container of pod %s", p->name);
  eng_state_read (e, t, true);
  if (t->state.status != PC_STATUS_RUNNING && t->state.status != PC_STATUS_PAUSED)
    {
      /* As root any process can start it; rootless the command joined its
         user namespace first (pc_engine_enter_userns_ctr). */
      if (pc_rootless_is_rootless ())
        return pc_error_makec (err, PC_ERR_STATE, ESRCH,
                               "the infra container of pod %s is not running: start the pod (pc pod start %s)",
                               p->name, p->name);
      if (eng_pod_start_infra (e, p, err) < 0)
        return -1;
      eng_state_read (e, t, true);
    }
  if (eng_proc_start_time (t->state.pid) != t->state.pid_start)
    return pc_error_makec (err, PC_ERR_STATE, ESRCH, "the infra container of pod %s exited", p->name);
  json_object *hc = pc_json_get (c->rec, "HostConfig");
  pc_autofree char *want = xasprintf ("container:%s", p->infra_id);
  static const struct
  {
    const char *key, *type, *file;
  } modes[] = { { "IpcMode", "ipc", "ipc" }, { "UTSMode", "uts", "uts" }, { "PidMode", "pid", "pid" } };
  for (size_t i = 0; i < sizeof modes / sizeof *modes; i++)
    {
      const char *m = pc_json_get_string (hc, modes[i].key);
      if (m && strcmp (m, want) == 0)
        set_ns_path (spec, modes[i].type, modes[i].file, t->state.pid);
    }
  /* The pod's hostname is the infra's uts namespace's: set there, once. */
  const char *uts = pc_json_get_string (hc, "UTSMode");
  if (uts && strcmp (uts, want) == 0)
    json_object_object_del (spec, "hostname");
  /* A pod with --userns: the infra's pid 1 is in a user namespace of its
     own below the monitor's, which owns its other namespaces; a member
     made with the same mode joins that one instead of making its own. */
  const char *userns = pc_json_get_string (p->rec, "Userns");
  json_object *lnx = pc_json_get (spec, "linux");
  if (userns && *userns && strcmp (userns, pc_json_get_string (hc, "UsernsMode") ?: "") == 0)
    {
      json_object *nsa = pc_json_get_array (lnx, "namespaces");
      for (size_t i = 0; i < pc_json_array_len (nsa); i++)
        {
          const char *ty = pc_json_get_string (pc_json_array_object_at (nsa, i), "type");
          if (ty && strcmp (ty, "user") == 0)
            {
              set_ns_path (spec, "user", "user", t->state.pid);
              json_object_object_del (lnx, "uidMappings");
              json_object_object_del (lnx, "gidMappings");
              break;
            }
        }
    }
  const char *ipc = pc_json_get_string (hc, "IpcMode");
  if (ipc && strcmp (ipc, want) == 0)
    {
      pc_autofree char *shm = eng_pod_shm_dir (e, p->id);
      bind_shm (spec, shm);
    }
  return 0;
}

char *
pc_engine_userns_key (struct pc_engine *e, const char *ref, pc_error **err)
{
  pc_autocontainer struct pc_container *c = NULL;
  if (pc_engine_lookup (e, ref, &c, err) < 0)
    return NULL;
  /* As pc_engine_enter_userns_ctr picks the target: the pod first; as
     root, or in a user namespace already, there is nothing to join. */
  if (!pc_rootless_is_rootless () || pc_rootless_in_userns ())
    return xstrdup ("");
  const char *pod = pc_json_get_string (c->rec, "Pod");
  if (pod && !pc_json_get_bool (c->rec, "IsInfra", false))
    return xasprintf ("pod:%s", pod);
  const char *net = pc_json_get_string (pc_json_get (c->rec, "HostConfig"), "NetworkMode");
  if (net && strncmp (net, "container:", 10) == 0)
    return xasprintf ("ctr:%s", net + 10);
  return xstrdup ("");
}
