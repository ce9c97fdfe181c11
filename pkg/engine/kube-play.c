/* kube play: each pod of the file as a pc pod (pc_engine_pod_create),
   its containers made and started in the pod's user namespace
   (pc_engine_pod_run_in), init containers run to completion first. The
   ids come back from that child through a pipe. */
#include "pkg/engine/internal.h"
#include "pkg/engine/kube.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/proc.h"
#include "lib/xalloc.h"

int
eng_kube_load (const char *path, char *const *configmaps, struct pc_kube_file *f, pc_error **err)
{
  pc_autoyaml struct pc_yaml_stream *s = NULL;
  if (pc_yaml_parse_file (path, &s, err) < 0 || pc_kube_parse (s, f, err) < 0)
    return -1;
  for (char *const *c = configmaps; c && *c; c++)
    {
      pc_autoyaml struct pc_yaml_stream *cs = NULL;
      size_t before = f->npods;
      if (pc_yaml_parse_file (*c, &cs, err) < 0 || pc_kube_parse (cs, f, err) < 0)
        return pc_error_wrap (err, "--configmap %s", *c);
      if (f->npods != before)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "--configmap %s: only ConfigMap and Secret documents belong there", *c);
    }
  return 0;
}

char **
eng_kube_pod_names (const struct pc_kube_pod *pod)
{
  char **v = xmalloc0 (sizeof *v);
  if (strcmp (pod->kind, "Pod") == 0)
    pc_strv_append (&v, pod->name);
  else if (strcmp (pod->kind, "Deployment") == 0)
    for (int64_t i = 0; i < pod->replicas; i++)
      pc_strv_append_take (&v, xasprintf ("%s-pod-%lld", pod->name, (long long) i));
  else
    pc_strv_append_take (&v, xasprintf ("%s-pod", pod->name));
  return v;
}

void
pc_kube_play_report_clear (struct pc_kube_play_report *r)
{
  pc_strv_free (r->warnings);
  pc_strv_free (r->volumes);
  for (size_t i = 0; i < r->npods; i++)
    {
      free (r->pods[i].id);
      free (r->pods[i].name);
      pc_strv_free (r->pods[i].containers);
      pc_strv_free (r->pods[i].init_containers);
    }
  free (r->pods);
  memset (r, 0, sizeof *r);
}

/* A fresh user namespace for the child of eng_kube_in_child, when pc is
   rootless and still in the initial one. */
static int
enter_fresh_userns (struct pc_engine *e, void *data, pc_error **err)
{
  if (!pc_rootless_is_rootless () || pc_rootless_in_userns ())
    return 0;
  int r = pc_engine_enter_userns (e, err);
  e->flags |= PC_ENGINE_USERNS;
  return r;
}

/* fn in a forked child (in a fresh user namespace when rootless and
   fresh); its error comes back with its class. */
typedef int (*kube_child_fn) (struct pc_engine *e, void *data, pc_error **err);
int eng_kube_in_child (struct pc_engine *e, bool fresh, kube_child_fn fn, void *data, pc_error **err);
int
eng_kube_in_child (struct pc_engine *e, bool fresh, kube_child_fn fn, void *data, pc_error **err)
{
  struct eng_child_step step = { .what = "kube play", .acting = "for kube play",
                                 .enter = fresh ? enter_fresh_userns : NULL, .fn = fn, .data = data };
  return eng_in_child (e, &step, err);
}

/* One container to make: its options and the strings they point to. */
struct member
{
  struct pc_create_opts o;
  char *name, *entrypoint, *user, *pull_policy;
  char **command, **env, **volumes, **tmpfs, **security_opt;
  bool init;
};

struct plan
{
  struct member *m;
  size_t n;
  const char *pod_id;
  bool start;
  int out_fd;                /* "C ID" / "I ID" lines for the parent */
};

static void
plan_clear (struct plan *p)
{
  for (size_t i = 0; i < p->n; i++)
    {
      struct member *m = &p->m[i];
      free (m->name);
      free (m->entrypoint);
      free (m->user);
      free (m->pull_policy);
      pc_strv_free (m->command);
      pc_strv_free (m->env);
      pc_strv_free (m->volumes);
      pc_strv_free (m->tmpfs);
      pc_strv_free (m->security_opt);
    }
  free (p->m);
}

static char *
json_strv (char *const *v)
{
  json_object *a = json_object_new_array ();
  for (char *const *s = v; s && *s; s++)
    json_object_array_add (a, json_object_new_string (*s));
  char *r = xstrdup (json_object_to_json_string_ext (a, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (a);
  return r;
}

static int
plan_member (struct pc_engine *e, const struct pc_kube_file *f, const struct pc_kube_pod *pod,
             const char *podname, const struct kube_vols *vols, const struct pc_kube_container *k,
             bool init, struct member *m, char ***warnings, pc_error **err)
{
  memset (m, 0, sizeof *m);
  m->init = init;
  m->name = xasprintf ("%s-%s", podname, k->name);
  m->o.name = m->name;
  m->o.image = k->image;
  m->o.read_only_tmpfs = true;
  m->o.stop_timeout = pod->stop_timeout >= 0 && pod->stop_timeout <= 3600 ? (int) pod->stop_timeout : -1;
  if (k->command)
    {
      m->entrypoint = json_strv (k->command);
      m->o.entrypoint = m->entrypoint;
    }
  if (k->args)
    m->command = pc_strv_dup (k->args);
  m->o.command = m->command;
  if (eng_kube_env (f, pod, podname, k, &m->env, warnings, err) < 0
      || eng_kube_mounts (e, pod, vols, k, &m->volumes, &m->tmpfs, err) < 0)
    return pc_error_wrap (err, "pod %s", podname);
  m->o.env = m->env;
  m->o.volumes = m->volumes;
  m->o.tmpfs = m->tmpfs;
  m->o.workdir = k->working_dir;
  if (k->has_run_as_user)
    m->user = k->has_run_as_group ? xasprintf ("%lld:%lld", (long long) k->run_as_user, (long long) k->run_as_group)
                                  : xasprintf ("%lld", (long long) k->run_as_user);
  else if (k->has_run_as_group)
    pc_strv_append_take (warnings, xasprintf ("pod %s: container %s: runAsGroup without runAsUser is ignored",
                                              podname, k->name));
  m->o.user = m->user;
  m->o.cap_add = k->cap_add;
  m->o.cap_drop = k->cap_drop;
  m->o.privileged = k->privileged;
  m->o.read_only = k->read_only_root;
  if (k->allow_privilege_escalation_false)
    pc_strv_append (&m->security_opt, "no-new-privileges");
  m->o.security_opt = m->security_opt;
  m->o.group_add = pod->group_add;
  /* Kubernetes' default is Always; init containers run once. */
  const char *rp = pod->restart_policy ? pod->restart_policy : "Always";
  if (!init)
    m->o.restart = strcmp (rp, "Always") == 0 ? "always" : strcmp (rp, "OnFailure") == 0 ? "on-failure" : NULL;
  m->o.interactive = k->stdin_open;
  m->o.tty = k->tty;
  m->pull_policy = xstrdup (k->pull_policy ? k->pull_policy : "IfNotPresent");
  if (k->limit_memory || k->limit_cpu || k->request_memory || k->request_cpu)
    pc_strv_append_take (warnings, xasprintf ("pod %s: container %s: resources are not applied: pc sets no cgroup limits "
                                              "(rootless, cgroups v1 here)",
                                              podname, k->name));
  return 0;
}

static int
pull_if_needed (struct pc_engine *e, const struct member *m, pc_error **err)
{
  pc_error *lerr = NULL;
  int have = pc_engine_image_exists (e, m->o.image, &lerr);
  if (have < 0 && pc_error_class_of (lerr) != PC_ERR_NOT_FOUND)
    {
      *err = lerr;
      return -1;
    }
  pc_error_free (lerr);
  if (strcmp (m->pull_policy, "Never") == 0 || (have == 0 && strcmp (m->pull_policy, "Always") != 0))
    return 0;
  struct pc_engine_pull_opts po = { .retries = -1 };
  pc_autofree char *id = NULL;
  return pc_engine_image_pull (e, m->o.image, &po, &id, err);
}

static void
report_id (int fd, char kind, const char *id)
{
  pc_autofree char *line = xasprintf ("%c %s\n", kind, id);
  pc_autoerror pc_error *werr = NULL;
  pc_write_all (fd, line, strlen (line), &werr);
}

static int
make_members (struct pc_engine *e, struct plan *p, pc_error **err)
{
  for (size_t i = 0; i < p->n; i++)
    {
      struct member *m = &p->m[i];
      if (m->init && !p->start)
        continue;
      m->o.pod = p->pod_id;
      if (pull_if_needed (e, m, err) < 0)
        return pc_error_wrap (err, "container %s", m->name);
      pc_autocontainer struct pc_container *c = NULL;
      if (pc_engine_create (e, &m->o, &c, err) < 0)
        return pc_error_wrap (err, "container %s", m->name);
      report_id (p->out_fd, m->init ? 'I' : 'C', c->id);
      if (!p->start)
        continue;
      if (pc_engine_start (e, c, NULL, NULL, err) < 0)
        return pc_error_wrap (err, "starting container %s", m->name);
      if (!m->init)
        continue;
      /* An init container runs to completion before the next one. */
      int code = 0;
      if (pc_engine_wait (e, c, -1, &code, err) < 0)
        return -1;
      if (code != 0)
        return pc_error_makec (err, PC_ERR_GENERIC, 0, "init container %s exited with %d", m->name, code);
      if (pc_engine_remove (e, c, false, 0, err) < 0)
        return -1;
    }
  return 0;
}

static int
members_in_pod (struct pc_engine *e, struct pc_pod *pod, void *data, pc_error **err)
{
  return make_members (e, data, err);
}

static int
members_fresh (struct pc_engine *e, void *data, pc_error **err)
{
  return make_members (e, data, err);
}

static int
remove_pod (struct pc_engine *e, void *data, pc_error **err)
{
  pc_autopod struct pc_pod *p = NULL;
  if (pc_engine_pod_lookup (e, data, &p, err) < 0)
    return -1;
  return pc_engine_pod_remove (e, p, true, 0, err);
}

static void
read_ids (int fd, struct pc_kube_play_pod *rp)
{
  pc_autofree char *buf = NULL;
  size_t len = 0;
  pc_autoerror pc_error *rerr = NULL;
  if (pc_read_fd_max (fd, 1 << 20, &buf, &len, &rerr) < 0)
    return;
  for (char *line = strtok (buf, "\n"); line; line = strtok (NULL, "\n"))
    if (strlen (line) > 2)
      pc_strv_append (line[0] == 'I' ? &rp->init_containers : &rp->containers, line + 2);
}

static int
play_pod (struct pc_engine *e, const struct pc_kube_file *f, const struct pc_kube_pod *pod,
          const char *podname, const struct pc_kube_play_opts *o, struct pc_kube_play_report *out,
          pc_error **err)
{
  struct kube_vols vols = { 0 };
  struct plan plan = { .start = !o->no_start, .out_fd = -1 };
  pc_autostrv char **publish = NULL;
  pc_autostrv char **labels = pc_strv_dup (pod->labels);
  pc_autopod struct pc_pod *p = NULL;
  pc_autofree char *share = NULL;
  int ret = -1;
  int pfd[2] = { -1, -1 };
  if (eng_kube_volumes (e, f, pod, podname, &vols, err) < 0)
    goto out;
  size_t total = pod->ninit_containers + pod->ncontainers;
  plan.m = xmalloc0 ((total + 1) * sizeof *plan.m);
  for (size_t i = 0; i < total; i++)
    {
      plan.n = i + 1;  /* plan_clear frees what a failing plan_member made too */
      bool init = i < pod->ninit_containers;
      const struct pc_kube_container *k = init ? &pod->init_containers[i]
                                               : &pod->containers[i - pod->ninit_containers];
      if (plan_member (e, f, pod, podname, &vols, k, init, &plan.m[i], &out->warnings, err) < 0)
        goto out;
      for (size_t j = 0; j < k->nports; j++)
        if (k->ports[j].host_port > 0)
          {
            const struct pc_kube_port *pt = &k->ports[j];
            pc_autofree char *proto = xstrdup (pt->protocol ? pt->protocol : "tcp");
            for (char *c = proto; *c; c++)
              *c = (char) (*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
            pc_autofree char *spec = xasprintf ("%s%s%lld:%lld/%s", pt->host_ip ? pt->host_ip : "",
                                                pt->host_ip ? ":" : "", (long long) pt->host_port,
                                                (long long) pt->container_port, proto);
            if (!pc_strv_contains (publish, spec))
              pc_strv_append (&publish, spec);
          }
    }
  if (o->no_start && pod->ninit_containers)
    pc_strv_append_take (&out->warnings, xasprintf ("pod %s: --start=false: init containers are not made", podname));
  share = xstrdup (pod->share_pid ? "net,ipc,uts,pid" : "net,ipc,uts");
  struct pc_pod_opts po = {
    .name = podname,
    .labels = labels,
    .hostname = pod->hostname ? pod->hostname : podname,
    .share = share,
    .publish = publish,
    .network = pod->host_network ? "host" : NULL,
    .dns = pod->dns,
    .dns_search = pod->dns_search,
    .dns_option = pod->dns_option,
    .add_host = pod->add_hosts,
  };
  if (pc_engine_pod_create (e, &po, &p, err) < 0)
    goto out;
  plan.pod_id = p->id;
  if (pipe2 (pfd, O_CLOEXEC) < 0)
    {
      pc_error_errno (err, errno, "pipe");
      goto fail_pod;
    }
  fcntl (pfd[1], F_SETPIPE_SZ, 1 << 20);
  plan.out_fd = pfd[1];
  int r = o->no_start ? eng_kube_in_child (e, true, members_fresh, &plan, err)
                      : pc_engine_pod_run_in (e, p, members_in_pod, &plan, err);
  close (pfd[1]);
  pfd[1] = -1;
  out->pods = xrealloc (out->pods, (out->npods + 1) * sizeof *out->pods);
  struct pc_kube_play_pod *rp = memset (&out->pods[out->npods++], 0, sizeof *out->pods);
  rp->id = xstrdup (p->id);
  rp->name = xstrdup (podname);
  read_ids (pfd[0], rp);
  if (r < 0)
    {
      out->npods--;
      free (rp->id);
      free (rp->name);
      pc_strv_free (rp->containers);
      pc_strv_free (rp->init_containers);
      goto fail_pod;
    }
  ret = 0;
  goto out;
fail_pod:
  {
    /* Nothing of a pod that could not be made whole is left behind. */
    pc_autoerror pc_error *rerr = NULL;
    eng_kube_in_child (e, true, remove_pod, p->id, &rerr);
    pc_error_wrap (err, "pod %s", podname);
  }
out:
  if (pfd[0] >= 0)
    close (pfd[0]);
  if (pfd[1] >= 0)
    close (pfd[1]);
  plan_clear (&plan);
  eng_kube_vols_clear (&vols);
  return ret;
}

int eng_kube_down_pods (struct pc_engine *e, const struct pc_kube_file *f, struct pc_kube_down_report *out,
                        pc_error **err);

static int
replace_pods (struct pc_engine *e, void *data, pc_error **err)
{
  struct pc_kube_down_report r = { 0 };
  int ret = eng_kube_down_pods (e, data, &r, err);
  pc_kube_down_report_clear (&r);
  return ret;
}

int
pc_engine_kube_play (struct pc_engine *e, const char *path, const struct pc_kube_play_opts *o,
                     struct pc_kube_play_report *out, pc_error **err)
{
  struct pc_kube_file f = { 0 };
  int ret = -1;
  memset (out, 0, sizeof *out);
  if (eng_kube_load (path, o->configmaps, &f, err) < 0)
    goto done;
  out->warnings = steal_pointer (&f.warnings);
  if (f.npods == 0 && f.npvcs == 0 && f.nconfigmaps == 0)
    {
      pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s: no Pod, Deployment, DaemonSet, Job, ConfigMap, "
                                                   "Secret or PersistentVolumeClaim in the file",
                      strcmp (path, "-") == 0 ? "stdin" : path);
      goto done;
    }
  if (o->replace && eng_kube_in_child (e, true, replace_pods, &f, err) < 0)
    goto done;
  for (size_t i = 0; i < f.npvcs; i++)
    {
      pc_autojson json_object *vol = NULL;
      pc_error *lerr = NULL;
      if (pc_engine_volume_lookup (e, f.pvcs[i].name, &vol, &lerr) == 0)
        continue;
      pc_error_free (lerr);
      struct pc_volume_create_opts vo = { .name = f.pvcs[i].name, .labels = f.pvcs[i].labels, .ignore = true };
      pc_autojson json_object *made = NULL;
      if (pc_engine_volume_create (e, &vo, &made, err) < 0)
        goto done;
      pc_strv_append (&out->volumes, f.pvcs[i].name);
    }
  for (size_t i = 0; i < f.npods; i++)
    {
      pc_autostrv char **names = eng_kube_pod_names (&f.pods[i]);
      for (char **n = names; *n; n++)
        if (play_pod (e, &f, &f.pods[i], *n, o, out, err) < 0)
          goto done;
    }
  ret = 0;
done:
  pc_kube_file_clear (&f);
  return ret;
}
