/* One document: its kind and apiVersion, and the kinds that are data
   (ConfigMap, Secret, PersistentVolumeClaim) or only noted (Service). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/kube/internal.h"

int kube_parse_doc (struct kube_ctx *c, const struct pc_yaml_node *doc, int depth, pc_error **err);
int kube_parse_pod (struct kube_ctx *c, const struct pc_yaml_node *doc, const char *kind,
                    const char *name, pc_error **err);
int kube_parse_meta_name (struct kube_ctx *c, const struct pc_yaml_node *doc, char **name,
                          char ***labels, pc_error **err);

static const struct
{
  const char *kind;
  const char *api;
  const char *const *top;    /* the document's other keys */
} kinds[] = {
  { "Pod", "v1", (const char *const[]) { "spec", NULL } },
  { "Deployment", "apps/v1", (const char *const[]) { "spec", NULL } },
  { "DaemonSet", "apps/v1", (const char *const[]) { "spec", NULL } },
  { "Job", "batch/v1", (const char *const[]) { "spec", NULL } },
  { "ConfigMap", "v1", (const char *const[]) { "data", "binaryData", "immutable", NULL } },
  { "Secret", "v1", (const char *const[]) { "data", "stringData", "type", "immutable", NULL } },
  { "PersistentVolumeClaim", "v1", (const char *const[]) { "spec", NULL } },
  { "Service", "v1", (const char *const[]) { "spec", NULL } },
  { "List", "v1", (const char *const[]) { "items", NULL } },
};

static void
add_data (struct pc_kube_configmap *cm, const char *key, char *value, size_t len)
{
  for (size_t i = 0; i < cm->n; i++)
    if (strcmp (cm->keys[i], key) == 0)
      {
        free (cm->values[i]);
        cm->values[i] = value;
        cm->lens[i] = len;
        return;
      }
  pc_strv_append (&cm->keys, key);
  pc_strv_append_take (&cm->values, value);
  cm->lens = xrealloc (cm->lens, (cm->n + 1) * sizeof *cm->lens);
  cm->lens[cm->n++] = len;
}

static bool
key_valid (const char *k)
{
  if (*k == '\0' || strlen (k) > 253 || strcmp (k, ".") == 0 || strcmp (k, "..") == 0)
    return false;
  return k[strspn (k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")] == '\0';
}

static int
parse_configmap (struct kube_ctx *c, const struct pc_yaml_node *doc, bool secret, char *name,
                 pc_error **err)
{
  struct pc_kube_file *f = c->f;
  f->configmaps = xrealloc (f->configmaps, (f->nconfigmaps + 1) * sizeof *f->configmaps);
  struct pc_kube_configmap *cm = memset (&f->configmaps[f->nconfigmaps++], 0, sizeof *cm);
  cm->name = name;
  cm->secret = secret;
  cm->line = doc->line;
  for (size_t i = 0; i < doc->n; i++)
    {
      const char *key = doc->keys[i]->str;
      const struct pc_yaml_node *v = doc->items[i];
      bool b64 = strcmp (key, "binaryData") == 0 || (secret && strcmp (key, "data") == 0);
      if (strcmp (key, "type") == 0)
        {
          pc_autofree char *type = NULL;
          if (kube_str (c, v, key, &type, err) < 0)
            return -1;
          if (type && strcmp (type, "Opaque") != 0)
            kube_warn (c, v, key, "\"%s\": read as an Opaque secret", type);
          continue;
        }
      if (strcmp (key, "data") != 0 && strcmp (key, "binaryData") != 0
          && strcmp (key, "stringData") != 0)
        continue;
      if (kube_map (c, v, key, err) < 0)
        return -1;
      for (size_t j = 0; v && v->kind == PC_YAML_MAP && j < v->n; j++)
        {
          const char *k = v->keys[j]->str;
          pc_autofree char *p = xasprintf ("%s.%s", key, k);
          if (!key_valid (k))
            return kube_fail (c, v->keys[j], p, err,
                              "a key is made of letters, digits, '-', '_' and '.'");
          const struct pc_yaml_node *val = v->items[j];
          if (val == NULL || val->kind != PC_YAML_SCALAR || (val->type != PC_YAML_STR && val->type != PC_YAML_NULL))
            return kube_fail (c, val, p, err, "expected a string, got %s", pc_yaml_type_name (val));
          if (b64)
            {
              char *out;
              size_t len;
              if (pc_kube_base64_decode (val->str, &out, &len) < 0)
                return kube_fail (c, val, p, err, "not valid base64");
              add_data (cm, k, out, len);
            }
          else
            add_data (cm, k, xstrndup (val->str, val->len), val->len);
        }
    }
  return 0;
}

static int
parse_pvc (struct kube_ctx *c, const struct pc_yaml_node *doc, char *name, char **labels,
           pc_error **err)
{
  struct pc_kube_file *f = c->f;
  f->pvcs = xrealloc (f->pvcs, (f->npvcs + 1) * sizeof *f->pvcs);
  struct pc_kube_pvc *pvc = memset (&f->pvcs[f->npvcs++], 0, sizeof *pvc);
  pvc->name = name;
  pvc->labels = labels;
  pvc->line = doc->line;
  const struct pc_yaml_node *spec = pc_yaml_get (doc, "spec");
  if (kube_map (c, spec, "spec", err) < 0)
    return -1;
  for (size_t i = 0; spec && spec->kind == PC_YAML_MAP && i < spec->n; i++)
    {
      const char *key = spec->keys[i]->str;
      pc_autofree char *p = xasprintf ("spec.%s", key);
      const struct pc_yaml_node *v = spec->items[i];
      if (strcmp (key, "resources") == 0)
        {
          if (kube_map (c, v, p, err) < 0)
            return -1;
          const struct pc_yaml_node *req = pc_yaml_get (v, "requests");
          if (kube_map (c, req, "spec.resources.requests", err) < 0
              || kube_quantity_str (c, pc_yaml_get (req, "storage"), "spec.resources.requests.storage",
                                    &pvc->storage, err) < 0)
            return -1;
        }
      else if (strcmp (key, "accessModes") == 0)
        {
          pc_autostrv char **modes = NULL;
          if (kube_strv (c, v, p, &modes, err) < 0)
            return -1;
        }
      else
        kube_unknown (c, spec->keys[i], "spec",
                      (const char *const[]) { "storageClassName", "volumeMode", "volumeName",
                                              "selector", "dataSource", "dataSourceRef",
                                              "volumeAttributesClassName", NULL });
    }
  return 0;
}

int
kube_parse_doc (struct kube_ctx *c, const struct pc_yaml_node *doc, int depth, pc_error **err)
{
  if (doc->kind != PC_YAML_MAP)
    return kube_fail (c, doc, NULL, err, "a document must be a map, not a %s", pc_yaml_type_name (doc));
  pc_autofree char *kind = NULL, *api = NULL, *qname = NULL;
  if (kube_str (c, pc_yaml_get (doc, "kind"), "kind", &kind, err) < 0
      || kube_str (c, pc_yaml_get (doc, "apiVersion"), "apiVersion", &api, err) < 0)
    return -1;
  if (kind == NULL)
    return kube_fail (c, doc, NULL, err, "the document has no kind");
  const struct pc_yaml_node *meta = pc_yaml_get (doc, "metadata");
  if (kube_map (c, meta, "metadata", err) < 0
      || kube_str (c, pc_yaml_get (meta, "name"), "metadata.name", &qname, err) < 0)
    return -1;
  size_t i;
  for (i = 0; i < sizeof kinds / sizeof *kinds; i++)
    if (strcmp (kinds[i].kind, kind) == 0)
      break;
  free (c->what);
  c->what = qname ? xasprintf ("%s \"%s\"", kind, qname) : xstrdup (kind);
  if (i == sizeof kinds / sizeof *kinds)
    {
      kube_warn (c, doc, NULL, "kind %s is not supported by pc, skipped", kind);
      return 0;
    }
  if (api == NULL || strcmp (api, kinds[i].api) != 0)
    kube_warn (c, doc, "apiVersion", "\"%s\": Kubernetes serves %s as %s", api ? api : "",
               kind, kinds[i].api);
  for (size_t k = 0; k < doc->n; k++)
    {
      const char *key = doc->keys[k]->str;
      bool ok = strcmp (key, "kind") == 0 || strcmp (key, "apiVersion") == 0
                || strcmp (key, "metadata") == 0 || strcmp (key, "status") == 0;
      for (const char *const *t = kinds[i].top; !ok && *t; t++)
        ok = strcmp (*t, key) == 0;
      if (!ok)
        kube_unknown (c, doc->keys[k], "", NULL);
    }
  if (strcmp (kind, "List") == 0)
    {
      const struct pc_yaml_node *items = pc_yaml_get (doc, "items");
      if (depth > 0)
        return kube_fail (c, doc, NULL, err, "a List inside a List");
      if (kube_seq (c, items, "items", err) < 0)
        return -1;
      for (size_t k = 0; items && items->kind == PC_YAML_SEQ && k < items->n; k++)
        if (kube_parse_doc (c, items->items[k], depth + 1, err) < 0)
          return -1;
      return 0;
    }
  if (qname == NULL || !pc_kube_name_valid (qname))
    return kube_fail (c, meta ? meta : doc, "metadata.name", err,
                      "\"%s\": a name of lower case letters, digits, '-' and '.' is required",
                      qname ? qname : "");
  if (strcmp (kind, "Pod") == 0)
    return kube_parse_pod (c, doc, kind, qname, err);
  pc_autofree char *name = NULL;
  pc_autostrv char **labels = NULL;
  if (kube_parse_meta_name (c, doc, &name, &labels, err) < 0)
    return -1;
  if (strcmp (kind, "Deployment") == 0 || strcmp (kind, "DaemonSet") == 0
      || strcmp (kind, "Job") == 0)
    return kube_parse_pod (c, doc, kind, qname, err);
  if (strcmp (kind, "ConfigMap") == 0 || strcmp (kind, "Secret") == 0)
    return parse_configmap (c, doc, kind[0] == 'S', steal_pointer (&name), err);
  if (strcmp (kind, "PersistentVolumeClaim") == 0)
    return parse_pvc (c, doc, steal_pointer (&name), steal_pointer (&labels), err);
  /* Service: pc publishes a pod's ports from its containers' hostPorts. */
  pc_strv_append (&c->f->services, qname);
  kube_warn (c, doc, NULL, "a Service is not acted on by pc: publish ports with the containers' hostPort");
  return 0;
}
