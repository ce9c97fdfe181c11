/* Kubernetes documents into pc_kube_file: the kinds `kube play` acts on,
   their metadata, PodSpecs and volumes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/kube/internal.h"

#define FOR_KEYS(X) for (size_t _k = 0; (X) != NULL && (X)->kind == PC_YAML_MAP && _k < (X)->n; _k++)
#define KEY(X) ((X)->keys[_k]->str)
#define VAL(X) ((X)->items[_k])
#define KEYNODE(X) ((X)->keys[_k])
#define SUB(fmt, ...) pc_autofree char *sub = xasprintf (fmt, __VA_ARGS__)

/* Fields the API server fills: fine to find in a file (kube generate's
   output has some), nothing to do with them. */
static bool
output_only (const char *key)
{
  static const char *const keys[] = { "creationTimestamp", "resourceVersion", "uid", "generation",
                                      "selfLink", "managedFields", NULL };
  for (const char *const *k = keys; *k; k++)
    if (strcmp (*k, key) == 0)
      return true;
  return false;
}

struct meta
{
  char *name;
  char **labels, **annotations;
};

static void
meta_clear (struct meta *m)
{
  free (m->name);
  pc_strv_free (m->labels);
  pc_strv_free (m->annotations);
}

static int
parse_meta (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path, struct meta *m,
            pc_error **err)
{
  if (kube_map (c, n, path, err) < 0)
    return -1;
  FOR_KEYS (n)
  {
    SUB ("%s.%s", path, KEY (n));
    int r = 0;
    if (strcmp (KEY (n), "name") == 0)
      r = kube_str (c, VAL (n), sub, &m->name, err);
    else if (strcmp (KEY (n), "labels") == 0)
      r = kube_str_map (c, VAL (n), sub, &m->labels, err);
    else if (strcmp (KEY (n), "annotations") == 0)
      r = kube_str_map (c, VAL (n), sub, &m->annotations, err);
    else if (!output_only (KEY (n)))
      kube_unknown (c, KEYNODE (n), path,
                    (const char *const[]) { "namespace", "generateName", "ownerReferences",
                                            "finalizers", "deletionTimestamp",
                                            "deletionGracePeriodSeconds", NULL });
    if (r < 0)
      return -1;
  }
  return 0;
}

static int
parse_volume (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path,
              struct pc_kube_volume *vol, pc_error **err)
{
  if (kube_map (c, n, path, err) < 0)
    return -1;
  vol->line = n ? n->line : 0;
  int sources = 0;
  FOR_KEYS (n)
  {
    SUB ("%s.%s", path, KEY (n));
    const char *key = KEY (n);
    const struct pc_yaml_node *v = VAL (n);
    if (strcmp (key, "name") == 0)
      {
        if (kube_str (c, v, sub, &vol->name, err) < 0)
          return -1;
        continue;
      }
    static const struct
    {
      const char *key;
      enum pc_kube_volume_kind kind;
      const char *source;
    } kinds[] = {
      { "hostPath", PC_KUBE_VOL_HOSTPATH, "path" },
      { "emptyDir", PC_KUBE_VOL_EMPTYDIR, "medium" },
      { "configMap", PC_KUBE_VOL_CONFIGMAP, "name" },
      { "secret", PC_KUBE_VOL_SECRET, "secretName" },
      { "persistentVolumeClaim", PC_KUBE_VOL_PVC, "claimName" },
    };
    size_t i;
    for (i = 0; i < sizeof kinds / sizeof *kinds; i++)
      if (strcmp (kinds[i].key, key) == 0)
        break;
    if (i == sizeof kinds / sizeof *kinds)
      {
        /* Another source Kubernetes has (nfs, csi, ...): the container
           would run without its data. */
        if (n->keys[_k]->str[0] >= 'a' && n->keys[_k]->str[0] <= 'z')
          return pc_error_makec (err, PC_ERR_UNSUPPORTED, ENOTSUP,
                                 "%s:%u: %s: %s: volume source \"%s\" is not supported by pc "
                                 "(hostPath, emptyDir, configMap, secret, persistentVolumeClaim)",
                                 c->s->source, KEYNODE (n)->line, c->what, path, key);
        kube_unknown (c, KEYNODE (n), path, NULL);
        continue;
      }
    sources++;
    vol->kind = kinds[i].kind;
    if (kube_map (c, v, sub, err) < 0)
      return -1;
    for (size_t j = 0; v && v->kind == PC_YAML_MAP && j < v->n; j++)
      {
        const char *k2 = v->keys[j]->str;
        pc_autofree char *p2 = xasprintf ("%s.%s", sub, k2);
        int r = 0;
        int64_t mode = 0;
        if (strcmp (k2, kinds[i].source) == 0)
          r = kube_str (c, v->items[j], p2, &vol->source, err);
        else if (vol->kind == PC_KUBE_VOL_HOSTPATH && strcmp (k2, "type") == 0)
          r = kube_str (c, v->items[j], p2, &vol->hostpath_type, err);
        else if ((vol->kind == PC_KUBE_VOL_CONFIGMAP || vol->kind == PC_KUBE_VOL_SECRET)
                 && strcmp (k2, "optional") == 0)
          r = kube_bool (c, v->items[j], p2, &vol->optional, err);
        else if ((vol->kind == PC_KUBE_VOL_CONFIGMAP || vol->kind == PC_KUBE_VOL_SECRET)
                 && strcmp (k2, "defaultMode") == 0)
          {
            r = kube_int (c, v->items[j], p2, &mode, err);
            if (r == 0 && mode != 0644)
              kube_warn (c, v->items[j], p2, "files are written 0644, ignored");
          }
        else if (vol->kind == PC_KUBE_VOL_PVC && strcmp (k2, "readOnly") == 0)
          r = kube_bool (c, v->items[j], p2, &vol->read_only, err);
        else if ((vol->kind == PC_KUBE_VOL_CONFIGMAP || vol->kind == PC_KUBE_VOL_SECRET)
                 && strcmp (k2, "items") == 0)
          {
            const struct pc_yaml_node *items = v->items[j];
            r = kube_seq (c, items, p2, err);
            for (size_t m = 0; r == 0 && items && items->kind == PC_YAML_SEQ && m < items->n; m++)
              {
                pc_autofree char *p3 = xasprintf ("%s[%zu]", p2, m);
                pc_autofree char *ikey = NULL, *ipath = NULL;
                const struct pc_yaml_node *it = items->items[m];
                if ((r = kube_map (c, it, p3, err)) < 0)
                  break;
                for (size_t q = 0; it && q < it->n && r == 0; q++)
                  {
                    pc_autofree char *p4 = xasprintf ("%s.%s", p3, it->keys[q]->str);
                    if (strcmp (it->keys[q]->str, "key") == 0)
                      r = kube_str (c, it->items[q], p4, &ikey, err);
                    else if (strcmp (it->keys[q]->str, "path") == 0)
                      r = kube_str (c, it->items[q], p4, &ipath, err);
                    else
                      kube_unknown (c, it->keys[q], p3, (const char *const[]) { "mode", NULL });
                  }
                if (r == 0 && (ikey == NULL || ipath == NULL || ipath[0] == '/' || strstr (ipath, "..")))
                  r = kube_fail (c, it, p3, err, "key and a relative path without \"..\" are required");
                if (r == 0)
                  {
                    pc_strv_append (&vol->item_keys, ikey);
                    pc_strv_append (&vol->item_paths, ipath);
                  }
              }
          }
        else
          kube_unknown (c, v->keys[j], sub, (const char *const[]) { "sizeLimit", NULL });
        if (r < 0)
          return -1;
      }
    if (vol->kind == PC_KUBE_VOL_HOSTPATH && (vol->source == NULL || vol->source[0] != '/'))
      return kube_fail (c, v, sub, err, "an absolute path is required");
    if ((vol->kind == PC_KUBE_VOL_CONFIGMAP || vol->kind == PC_KUBE_VOL_SECRET
         || vol->kind == PC_KUBE_VOL_PVC)
        && vol->source == NULL)
      return kube_fail (c, v, sub, err, "%s is required", kinds[i].source);
  }
  if (vol->name == NULL)
    return kube_fail (c, n, path, err, "name is required");
  if (sources != 1)
    return kube_fail (c, n, path, err, "exactly one volume source is required");
  return 0;
}

static const char *const podspec_ignored[] = {
  "activeDeadlineSeconds", "affinity", "automountServiceAccountToken", "dnsPolicy",
  "enableServiceLinks", "ephemeralContainers", "hostIPC", "hostPID", "hostUsers",
  "imagePullSecrets", "nodeName", "nodeSelector", "os", "overhead", "preemptionPolicy",
  "priority", "priorityClassName", "readinessGates", "runtimeClassName", "schedulerName",
  "serviceAccount", "serviceAccountName", "setHostnameAsFQDN", "subdomain", "tolerations",
  "topologySpreadConstraints", "resourceClaims", "schedulingGates", NULL,
};

static int
parse_containers (struct kube_ctx *c, const struct pc_yaml_node *v, const char *path,
                  struct pc_kube_container **out, size_t *n, pc_error **err)
{
  if (kube_seq (c, v, path, err) < 0)
    return -1;
  for (size_t i = 0; v && v->kind == PC_YAML_SEQ && i < v->n; i++)
    {
      pc_autofree char *p = xasprintf ("%s[%zu]", path, i);
      *out = xrealloc (*out, (*n + 1) * sizeof **out);
      struct pc_kube_container *k = memset (&(*out)[(*n)++], 0, sizeof **out);
      if (kube_parse_container (c, v->items[i], p, k, err) < 0)
        return -1;
    }
  return 0;
}

static int
parse_dns (struct kube_ctx *c, const struct pc_yaml_node *v, const char *path,
           struct pc_kube_pod *pod, pc_error **err)
{
  if (kube_map (c, v, path, err) < 0)
    return -1;
  FOR_KEYS (v)
  {
    SUB ("%s.%s", path, KEY (v));
    int r = 0;
    if (strcmp (KEY (v), "nameservers") == 0)
      r = kube_strv (c, VAL (v), sub, &pod->dns, err);
    else if (strcmp (KEY (v), "searches") == 0)
      r = kube_strv (c, VAL (v), sub, &pod->dns_search, err);
    else if (strcmp (KEY (v), "options") == 0)
      {
        const struct pc_yaml_node *o = VAL (v);
        r = kube_seq (c, o, sub, err);
        for (size_t i = 0; r == 0 && o && o->kind == PC_YAML_SEQ && i < o->n; i++)
          {
            pc_autofree char *p = xasprintf ("%s[%zu]", sub, i);
            pc_autofree char *name = NULL, *value = NULL;
            if ((r = kube_map (c, o->items[i], p, err)) < 0)
              break;
            r = kube_str (c, pc_yaml_get (o->items[i], "name"), p, &name, err);
            if (r == 0)
              r = kube_str (c, pc_yaml_get (o->items[i], "value"), p, &value, err);
            if (r == 0 && name)
              pc_strv_append_take (&pod->dns_option,
                                   value ? xasprintf ("%s:%s", name, value) : xstrdup (name));
          }
      }
    else
      kube_unknown (c, KEYNODE (v), path, NULL);
    if (r < 0)
      return -1;
  }
  return 0;
}

static int
parse_podspec (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path,
               struct pc_kube_pod *pod, pc_error **err)
{
  if (kube_map (c, n, path, err) < 0)
    return -1;
  if (n == NULL || n->kind != PC_YAML_MAP)
    return kube_fail (c, n, path, err, "spec is required");
  struct kube_pod_security sec = { 0 };
  FOR_KEYS (n)
  {
    SUB ("%s.%s", path, KEY (n));
    const char *key = KEY (n);
    const struct pc_yaml_node *v = VAL (n);
    int r = 0;
    if (strcmp (key, "containers") == 0)
      r = parse_containers (c, v, sub, &pod->containers, &pod->ncontainers, err);
    else if (strcmp (key, "initContainers") == 0)
      r = parse_containers (c, v, sub, &pod->init_containers, &pod->ninit_containers, err);
    else if (strcmp (key, "volumes") == 0)
      {
        r = kube_seq (c, v, sub, err);
        for (size_t i = 0; r == 0 && v && v->kind == PC_YAML_SEQ && i < v->n; i++)
          {
            pc_autofree char *p = xasprintf ("%s[%zu]", sub, i);
            pod->volumes = xrealloc (pod->volumes, (pod->nvolumes + 1) * sizeof *pod->volumes);
            struct pc_kube_volume *vol = memset (&pod->volumes[pod->nvolumes++], 0, sizeof *vol);
            r = parse_volume (c, v->items[i], p, vol, err);
          }
      }
    else if (strcmp (key, "restartPolicy") == 0)
      {
        r = kube_str (c, v, sub, &pod->restart_policy, err);
        if (r == 0 && pod->restart_policy && strcmp (pod->restart_policy, "Always") != 0
            && strcmp (pod->restart_policy, "OnFailure") != 0
            && strcmp (pod->restart_policy, "Never") != 0)
          return kube_fail (c, v, sub, err, "\"%s\": must be Always, OnFailure or Never",
                            pod->restart_policy);
      }
    else if (strcmp (key, "hostname") == 0)
      r = kube_str (c, v, sub, &pod->hostname, err);
    else if (strcmp (key, "hostNetwork") == 0)
      r = kube_bool (c, v, sub, &pod->host_network, err);
    else if (strcmp (key, "shareProcessNamespace") == 0)
      r = kube_bool (c, v, sub, &pod->share_pid, err);
    else if (strcmp (key, "terminationGracePeriodSeconds") == 0)
      r = kube_int (c, v, sub, &pod->stop_timeout, err);
    else if (strcmp (key, "dnsConfig") == 0)
      r = parse_dns (c, v, sub, pod, err);
    else if (strcmp (key, "securityContext") == 0)
      r = kube_parse_security (c, v, sub, NULL, &sec, &pod->group_add, err);
    else if (strcmp (key, "hostAliases") == 0)
      {
        r = kube_seq (c, v, sub, err);
        for (size_t i = 0; r == 0 && v && v->kind == PC_YAML_SEQ && i < v->n; i++)
          {
            pc_autofree char *p = xasprintf ("%s[%zu]", sub, i);
            pc_autofree char *ip = NULL;
            pc_autostrv char **names = NULL;
            if ((r = kube_map (c, v->items[i], p, err)) < 0)
              break;
            r = kube_str (c, pc_yaml_get (v->items[i], "ip"), p, &ip, err);
            if (r == 0)
              r = kube_strv (c, pc_yaml_get (v->items[i], "hostnames"), p, &names, err);
            for (char **h = names; r == 0 && ip && h && *h; h++)
              pc_strv_append_take (&pod->add_hosts, xasprintf ("%s:%s", *h, ip));
          }
      }
    else
      kube_unknown (c, KEYNODE (n), path, podspec_ignored);
    if (r < 0)
      return -1;
  }
  if (pod->ncontainers == 0)
    return kube_fail (c, n, path, err, "containers: at least one container is required");
  for (size_t i = 0; i < pod->ncontainers + pod->ninit_containers; i++)
    {
      struct pc_kube_container *k = i < pod->ncontainers ? &pod->containers[i]
                                                         : &pod->init_containers[i - pod->ncontainers];
      if (!k->has_run_as_user && sec.has_run_as_user)
        k->has_run_as_user = true, k->run_as_user = sec.run_as_user;
      if (!k->has_run_as_group && sec.has_run_as_group)
        k->has_run_as_group = true, k->run_as_group = sec.run_as_group;
      for (size_t j = 0; j < k->nmounts; j++)
        {
          size_t v;
          for (v = 0; v < pod->nvolumes; v++)
            if (strcmp (pod->volumes[v].name, k->mounts[j].name) == 0)
              break;
          if (v == pod->nvolumes)
            return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                                   "%s:%u: %s: container \"%s\": volumeMount \"%s\" names no volume of the pod",
                                   c->s->source, k->mounts[j].line, c->what, k->name, k->mounts[j].name);
        }
      for (size_t j = 0; j < i; j++)
        {
          struct pc_kube_container *o = j < pod->ncontainers ? &pod->containers[j]
                                                             : &pod->init_containers[j - pod->ncontainers];
          if (strcmp (o->name, k->name) == 0)
            return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                                   "%s:%u: %s: two containers named \"%s\"", c->s->source, k->line,
                                   c->what, k->name);
        }
    }
  return 0;
}

static void
pod_clear (struct pc_kube_pod *p)
{
  free (p->kind);
  free (p->name);
  free (p->owner);
  pc_strv_free (p->labels);
  pc_strv_free (p->annotations);
  free (p->restart_policy);
  free (p->hostname);
  pc_strv_free (p->add_hosts);
  pc_strv_free (p->dns);
  pc_strv_free (p->dns_search);
  pc_strv_free (p->dns_option);
  pc_strv_free (p->group_add);
  for (size_t i = 0; i < p->ncontainers; i++)
    kube_container_clear (&p->containers[i]);
  free (p->containers);
  for (size_t i = 0; i < p->ninit_containers; i++)
    kube_container_clear (&p->init_containers[i]);
  free (p->init_containers);
  for (size_t i = 0; i < p->nvolumes; i++)
    {
      free (p->volumes[i].name);
      free (p->volumes[i].source);
      free (p->volumes[i].hostpath_type);
      pc_strv_free (p->volumes[i].item_keys);
      pc_strv_free (p->volumes[i].item_paths);
    }
  free (p->volumes);
}

/* kube-docs.c */
int kube_parse_doc (struct kube_ctx *c, const struct pc_yaml_node *doc, int depth, pc_error **err);

static struct pc_kube_pod *
new_pod (struct pc_kube_file *f)
{
  f->pods = xrealloc (f->pods, (f->npods + 1) * sizeof *f->pods);
  struct pc_kube_pod *p = memset (&f->pods[f->npods++], 0, sizeof *f->pods);
  p->replicas = 1;
  p->stop_timeout = -1;
  return p;
}

/* A Pod, or a workload's spec.template. */
int kube_parse_pod (struct kube_ctx *c, const struct pc_yaml_node *doc, const char *kind,
                    const char *name, pc_error **err);
int
kube_parse_pod (struct kube_ctx *c, const struct pc_yaml_node *doc, const char *kind,
                const char *name, pc_error **err)
{
  struct meta m = { 0 };
  struct pc_kube_pod *pod = new_pod (c->f);
  pod->kind = xstrdup (kind);
  pod->line = doc->line;
  int ret = -1;
  bool is_pod = strcmp (kind, "Pod") == 0;
  const struct pc_yaml_node *spec = pc_yaml_get (doc, "spec");
  const struct pc_yaml_node *tmeta = NULL, *tspec = spec;
  if (!is_pod)
    {
      pod->owner = xstrdup (name);
      if (kube_map (c, spec, "spec", err) < 0)
        goto out;
      if (spec == NULL)
        {
          kube_fail (c, doc, "spec", err, "spec is required");
          goto out;
        }
      const struct pc_yaml_node *tmpl = NULL;
      FOR_KEYS (spec)
      {
        SUB ("spec.%s", KEY (spec));
        if (strcmp (KEY (spec), "template") == 0)
          tmpl = VAL (spec);
        else if (strcmp (KEY (spec), "replicas") == 0 && strcmp (kind, "Deployment") == 0)
          {
            if (kube_int (c, VAL (spec), sub, &pod->replicas, err) < 0)
              goto out;
            if (pod->replicas < 0 || pod->replicas > 100)
              {
                kube_fail (c, VAL (spec), sub, err, "%lld replicas: pc makes 0 to 100",
                           (long long) pod->replicas);
                goto out;
              }
          }
        else if (strcmp (KEY (spec), "selector") != 0)
          kube_unknown (c, KEYNODE (spec), "spec",
                        (const char *const[]) { "strategy", "minReadySeconds", "revisionHistoryLimit",
                                                "progressDeadlineSeconds", "paused", "updateStrategy",
                                                "backoffLimit", "completions", "parallelism",
                                                "activeDeadlineSeconds", "ttlSecondsAfterFinished",
                                                "manualSelector", "suspend", "completionMode",
                                                "podFailurePolicy", "backoffLimitPerIndex",
                                                "maxFailedIndexes", "podReplacementPolicy", NULL });
      }
      if (tmpl == NULL || kube_map (c, tmpl, "spec.template", err) < 0)
        {
          if (tmpl == NULL)
            kube_fail (c, spec, "spec", err, "template is required");
          goto out;
        }
      FOR_KEYS (tmpl)
      if (strcmp (KEY (tmpl), "metadata") != 0 && strcmp (KEY (tmpl), "spec") != 0)
        kube_unknown (c, KEYNODE (tmpl), "spec.template", NULL);
      tmeta = pc_yaml_get (tmpl, "metadata");
      tspec = pc_yaml_get (tmpl, "spec");
      if (tmeta && parse_meta (c, tmeta, "spec.template.metadata", &m, err) < 0)
        goto out;
    }
  else
    {
      if (parse_meta (c, pc_yaml_get (doc, "metadata"), "metadata", &m, err) < 0)
        goto out;
    }
  pod->name = xstrdup (name);
  pod->labels = steal_pointer (&m.labels);
  pod->annotations = steal_pointer (&m.annotations);
  if (parse_podspec (c, tspec, is_pod ? "spec" : "spec.template.spec", pod, err) < 0)
    goto out;
  if (strcmp (kind, "Job") == 0 && pod->restart_policy == NULL)
    {
      kube_fail (c, tspec, "spec.template.spec.restartPolicy", err,
                 "a Job's pods need restartPolicy Never or OnFailure");
      goto out;
    }
  ret = 0;
out:
  meta_clear (&m);
  return ret;
}

void
pc_kube_file_clear (struct pc_kube_file *f)
{
  for (size_t i = 0; i < f->npods; i++)
    pod_clear (&f->pods[i]);
  free (f->pods);
  for (size_t i = 0; i < f->nconfigmaps; i++)
    {
      free (f->configmaps[i].name);
      pc_strv_free (f->configmaps[i].keys);
      pc_strv_free (f->configmaps[i].values);
      free (f->configmaps[i].lens);
    }
  free (f->configmaps);
  for (size_t i = 0; i < f->npvcs; i++)
    {
      free (f->pvcs[i].name);
      pc_strv_free (f->pvcs[i].labels);
      free (f->pvcs[i].storage);
    }
  free (f->pvcs);
  pc_strv_free (f->services);
  pc_strv_free (f->warnings);
  memset (f, 0, sizeof *f);
}

int
pc_kube_parse (const struct pc_yaml_stream *s, struct pc_kube_file *f, pc_error **err)
{
  struct kube_ctx c = { .s = s, .f = f };
  for (size_t i = 0; i < s->ndocs; i++)
    {
      int r = kube_parse_doc (&c, s->docs[i], 0, err);
      free (c.what);
      c.what = NULL;
      if (r < 0)
        return -1;
    }
  return 0;
}

const struct pc_kube_configmap *
pc_kube_find_configmap (const struct pc_kube_file *f, const char *name, bool secret)
{
  for (size_t i = f->nconfigmaps; i-- > 0;)
    if (f->configmaps[i].secret == secret && strcmp (f->configmaps[i].name, name) == 0)
      return &f->configmaps[i];
  return NULL;
}

/* For kube-docs.c. */
int kube_parse_meta_name (struct kube_ctx *c, const struct pc_yaml_node *doc, char **name,
                          char ***labels, pc_error **err);
int
kube_parse_meta_name (struct kube_ctx *c, const struct pc_yaml_node *doc, char **name,
                      char ***labels, pc_error **err)
{
  struct meta m = { 0 };
  if (parse_meta (c, pc_yaml_get (doc, "metadata"), "metadata", &m, err) < 0)
    {
      meta_clear (&m);
      return -1;
    }
  *name = steal_pointer (&m.name);
  if (labels)
    *labels = steal_pointer (&m.labels);
  meta_clear (&m);
  return 0;
}
