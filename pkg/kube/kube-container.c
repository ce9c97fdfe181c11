/* A Container of a PodSpec (core/v1 Container): the fields pc acts on,
   the ones it knowingly ignores, and every other key reported. */
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

static const char *const container_ignored[] = {
  "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "terminationMessagePath",
  "terminationMessagePolicy", "volumeDevices", "stdinOnce", "resizePolicy", "restartPolicy",
  NULL,
};

static int
parse_env_ref (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path,
               struct pc_kube_env *e, pc_error **err)
{
  if (kube_map (c, n, path, err) < 0)
    return -1;
  FOR_KEYS (n)
  {
    SUB ("%s.%s", path, KEY (n));
    const struct pc_yaml_node *v = VAL (n);
    if (strcmp (KEY (n), "configMapKeyRef") == 0 || strcmp (KEY (n), "secretKeyRef") == 0)
      {
        e->kind = KEY (n)[0] == 'c' ? PC_KUBE_ENV_CONFIGMAP : PC_KUBE_ENV_SECRET;
        if (kube_map (c, v, sub, err) < 0)
          return -1;
        for (size_t j = 0; v && j < v->n; j++)
          {
            pc_autofree char *p2 = xasprintf ("%s.%s", sub, v->keys[j]->str);
            const char *k = v->keys[j]->str;
            int r = 0;
            if (strcmp (k, "name") == 0)
              r = kube_str (c, v->items[j], p2, &e->ref, err);
            else if (strcmp (k, "key") == 0)
              r = kube_str (c, v->items[j], p2, &e->key, err);
            else if (strcmp (k, "optional") == 0)
              r = kube_bool (c, v->items[j], p2, &e->optional, err);
            else
              kube_unknown (c, v->keys[j], sub, NULL);
            if (r < 0)
              return -1;
          }
        if (e->key == NULL)
          return kube_fail (c, v, sub, err, "key is required");
      }
    else if (strcmp (KEY (n), "fieldRef") == 0)
      {
        e->kind = PC_KUBE_ENV_FIELD;
        if (kube_map (c, v, sub, err) < 0)
          return -1;
        for (size_t j = 0; v && j < v->n; j++)
          {
            pc_autofree char *p2 = xasprintf ("%s.%s", sub, v->keys[j]->str);
            if (strcmp (v->keys[j]->str, "fieldPath") == 0)
              {
                if (kube_str (c, v->items[j], p2, &e->value, err) < 0)
                  return -1;
              }
            else if (strcmp (v->keys[j]->str, "apiVersion") != 0)
              kube_unknown (c, v->keys[j], sub, NULL);
          }
        if (e->value == NULL)
          return kube_fail (c, v, sub, err, "fieldPath is required");
      }
    else
      kube_unknown (c, KEYNODE (n), path, (const char *const[]) { "resourceFieldRef", NULL });
  }
  return 0;
}

static int
parse_env (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path,
           struct pc_kube_container *k, pc_error **err)
{
  if (kube_seq (c, n, path, err) < 0)
    return -1;
  for (size_t i = 0; n && n->kind == PC_YAML_SEQ && i < n->n; i++)
    {
      const struct pc_yaml_node *it = n->items[i];
      pc_autofree char *p = xasprintf ("%s[%zu]", path, i);
      if (kube_map (c, it, p, err) < 0)
        return -1;
      k->env = xrealloc (k->env, (k->nenv + 1) * sizeof *k->env);
      struct pc_kube_env *e = memset (&k->env[k->nenv++], 0, sizeof *k->env);
      e->line = it->line;
      FOR_KEYS (it)
      {
        SUB ("%s.%s", p, KEY (it));
        int r = 0;
        if (strcmp (KEY (it), "name") == 0)
          r = kube_str (c, VAL (it), sub, &e->name, err);
        else if (strcmp (KEY (it), "value") == 0)
          r = kube_str (c, VAL (it), sub, &e->value, err);
        else if (strcmp (KEY (it), "valueFrom") == 0)
          r = parse_env_ref (c, VAL (it), sub, e, err);
        else
          kube_unknown (c, KEYNODE (it), p, NULL);
        if (r < 0)
          return -1;
      }
      if (e->name == NULL || *e->name == '\0')
        return kube_fail (c, it, p, err, "name is required");
      /* NAME=VALUE is what the process gets: a name holding '=' would
         set another variable than the one named. */
      for (const char *ch = e->name; *ch; ch++)
        if (*ch == '=' || (unsigned char) *ch < ' ' || (unsigned char) *ch > '~')
          return kube_fail (c, it, p, err, "name \"%s\": a valid environment variable name must "
                            "consist only of printable ASCII characters other than '='", e->name);
      if (e->kind == PC_KUBE_ENV_VALUE && e->value == NULL)
        e->value = xstrdup ("");
    }
  return 0;
}

static int
parse_env_from (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path,
                struct pc_kube_container *k, pc_error **err)
{
  if (kube_seq (c, n, path, err) < 0)
    return -1;
  for (size_t i = 0; n && n->kind == PC_YAML_SEQ && i < n->n; i++)
    {
      const struct pc_yaml_node *it = n->items[i];
      pc_autofree char *p = xasprintf ("%s[%zu]", path, i);
      if (kube_map (c, it, p, err) < 0)
        return -1;
      k->env_from = xrealloc (k->env_from, (k->nenv_from + 1) * sizeof *k->env_from);
      struct pc_kube_env_from *e = memset (&k->env_from[k->nenv_from++], 0, sizeof *k->env_from);
      e->line = it->line;
      bool ref = false;
      FOR_KEYS (it)
      {
        SUB ("%s.%s", p, KEY (it));
        const struct pc_yaml_node *v = VAL (it);
        if (strcmp (KEY (it), "prefix") == 0)
          {
            if (kube_str (c, v, sub, &e->prefix, err) < 0)
              return -1;
          }
        else if (strcmp (KEY (it), "configMapRef") == 0 || strcmp (KEY (it), "secretRef") == 0)
          {
            ref = true;
            e->secret = KEY (it)[0] == 's';
            if (kube_map (c, v, sub, err) < 0)
              return -1;
            for (size_t j = 0; v && j < v->n; j++)
              {
                pc_autofree char *p2 = xasprintf ("%s.%s", sub, v->keys[j]->str);
                int r = 0;
                if (strcmp (v->keys[j]->str, "name") == 0)
                  r = kube_str (c, v->items[j], p2, &e->name, err);
                else if (strcmp (v->keys[j]->str, "optional") == 0)
                  r = kube_bool (c, v->items[j], p2, &e->optional, err);
                else
                  kube_unknown (c, v->keys[j], sub, NULL);
                if (r < 0)
                  return -1;
              }
          }
        else
          kube_unknown (c, KEYNODE (it), p, NULL);
      }
      if (!ref || e->name == NULL)
        return kube_fail (c, it, p, err, "configMapRef or secretRef with a name is required");
    }
  return 0;
}

static int
parse_ports (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path,
             struct pc_kube_container *k, pc_error **err)
{
  if (kube_seq (c, n, path, err) < 0)
    return -1;
  for (size_t i = 0; n && n->kind == PC_YAML_SEQ && i < n->n; i++)
    {
      const struct pc_yaml_node *it = n->items[i];
      pc_autofree char *p = xasprintf ("%s[%zu]", path, i);
      if (kube_map (c, it, p, err) < 0)
        return -1;
      k->ports = xrealloc (k->ports, (k->nports + 1) * sizeof *k->ports);
      struct pc_kube_port *pt = memset (&k->ports[k->nports++], 0, sizeof *k->ports);
      pc_autofree char *name = NULL;
      FOR_KEYS (it)
      {
        SUB ("%s.%s", p, KEY (it));
        int r = 0;
        if (strcmp (KEY (it), "containerPort") == 0)
          r = kube_int (c, VAL (it), sub, &pt->container_port, err);
        else if (strcmp (KEY (it), "hostPort") == 0)
          r = kube_int (c, VAL (it), sub, &pt->host_port, err);
        else if (strcmp (KEY (it), "protocol") == 0)
          r = kube_str (c, VAL (it), sub, &pt->protocol, err);
        else if (strcmp (KEY (it), "hostIP") == 0)
          r = kube_str (c, VAL (it), sub, &pt->host_ip, err);
        else if (strcmp (KEY (it), "name") == 0)
          r = kube_str (c, VAL (it), sub, &name, err);
        else
          kube_unknown (c, KEYNODE (it), p, NULL);
        if (r < 0)
          return -1;
      }
      if (pt->container_port < 1 || pt->container_port > 65535)
        return kube_fail (c, it, p, err, "containerPort must be between 1 and 65535");
      if (pt->host_port < 0 || pt->host_port > 65535)
        return kube_fail (c, it, p, err, "hostPort must be between 1 and 65535");
      if (pt->protocol && strcmp (pt->protocol, "TCP") != 0 && strcmp (pt->protocol, "UDP") != 0
          && strcmp (pt->protocol, "SCTP") != 0)
        return kube_fail (c, it, p, err, "protocol \"%s\": must be TCP, UDP or SCTP", pt->protocol);
    }
  return 0;
}

static int
parse_mounts (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path,
              struct pc_kube_container *k, pc_error **err)
{
  if (kube_seq (c, n, path, err) < 0)
    return -1;
  for (size_t i = 0; n && n->kind == PC_YAML_SEQ && i < n->n; i++)
    {
      const struct pc_yaml_node *it = n->items[i];
      pc_autofree char *p = xasprintf ("%s[%zu]", path, i);
      if (kube_map (c, it, p, err) < 0)
        return -1;
      k->mounts = xrealloc (k->mounts, (k->nmounts + 1) * sizeof *k->mounts);
      struct pc_kube_mount *m = memset (&k->mounts[k->nmounts++], 0, sizeof *k->mounts);
      m->line = it->line;
      FOR_KEYS (it)
      {
        SUB ("%s.%s", p, KEY (it));
        int r = 0;
        if (strcmp (KEY (it), "name") == 0)
          r = kube_str (c, VAL (it), sub, &m->name, err);
        else if (strcmp (KEY (it), "mountPath") == 0)
          r = kube_str (c, VAL (it), sub, &m->mount_path, err);
        else if (strcmp (KEY (it), "subPath") == 0)
          r = kube_str (c, VAL (it), sub, &m->sub_path, err);
        else if (strcmp (KEY (it), "readOnly") == 0)
          r = kube_bool (c, VAL (it), sub, &m->read_only, err);
        else
          kube_unknown (c, KEYNODE (it), p,
                        (const char *const[]) { "mountPropagation", "subPathExpr", NULL });
        if (r < 0)
          return -1;
      }
      if (m->name == NULL || m->mount_path == NULL || m->mount_path[0] != '/')
        return kube_fail (c, it, p, err, "name and an absolute mountPath are required");
      if (m->sub_path && (m->sub_path[0] == '/' || strstr (m->sub_path, "..")))
        return kube_fail (c, it, p, err, "subPath must be a relative path without \"..\"");
    }
  return 0;
}

static int
parse_resources (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path,
                 struct pc_kube_container *k, pc_error **err)
{
  if (kube_map (c, n, path, err) < 0)
    return -1;
  FOR_KEYS (n)
  {
    SUB ("%s.%s", path, KEY (n));
    bool limits = strcmp (KEY (n), "limits") == 0;
    if (!limits && strcmp (KEY (n), "requests") != 0)
      {
        kube_unknown (c, KEYNODE (n), path, (const char *const[]) { "claims", NULL });
        continue;
      }
    const struct pc_yaml_node *v = VAL (n);
    if (kube_map (c, v, sub, err) < 0)
      return -1;
    for (size_t j = 0; v && j < v->n; j++)
      {
        pc_autofree char *p2 = xasprintf ("%s.%s", sub, v->keys[j]->str);
        char **dst = NULL;
        if (strcmp (v->keys[j]->str, "memory") == 0)
          dst = limits ? &k->limit_memory : &k->request_memory;
        else if (strcmp (v->keys[j]->str, "cpu") == 0)
          dst = limits ? &k->limit_cpu : &k->request_cpu;
        pc_autofree char *other = NULL;
        if (kube_quantity_str (c, v->items[j], p2, dst ? dst : &other, err) < 0)
          return -1;
        if (dst == NULL)
          kube_warn (c, v->keys[j], p2, "resource not supported by pc, ignored");
      }
  }
  return 0;
}

int
kube_parse_security (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path,
                     struct pc_kube_container *k, struct kube_pod_security *pod, char ***group_add,
                     pc_error **err)
{
  if (kube_map (c, n, path, err) < 0)
    return -1;
  FOR_KEYS (n)
  {
    SUB ("%s.%s", path, KEY (n));
    const char *key = KEY (n);
    const struct pc_yaml_node *v = VAL (n);
    int r = 0;
    int64_t id = -1;
    if (strcmp (key, "runAsUser") == 0 || strcmp (key, "runAsGroup") == 0)
      {
        r = kube_int (c, v, sub, &id, err);
        if (r == 0 && (id < 0 || id > 4294967294LL))
          return kube_fail (c, v, sub, err, "must be between 0 and 4294967294");
        bool user = key[5] == 'U';
        if (k)
          {
            *(user ? &k->has_run_as_user : &k->has_run_as_group) = true;
            *(user ? &k->run_as_user : &k->run_as_group) = id;
          }
        else
          {
            *(user ? &pod->has_run_as_user : &pod->has_run_as_group) = true;
            *(user ? &pod->run_as_user : &pod->run_as_group) = id;
          }
      }
    else if (k && strcmp (key, "capabilities") == 0)
      {
        if (kube_map (c, v, sub, err) < 0)
          return -1;
        for (size_t j = 0; v && j < v->n; j++)
          {
            pc_autofree char *p2 = xasprintf ("%s.%s", sub, v->keys[j]->str);
            if (strcmp (v->keys[j]->str, "add") == 0)
              r = kube_strv (c, v->items[j], p2, &k->cap_add, err);
            else if (strcmp (v->keys[j]->str, "drop") == 0)
              r = kube_strv (c, v->items[j], p2, &k->cap_drop, err);
            else
              kube_unknown (c, v->keys[j], sub, NULL);
            if (r < 0)
              return -1;
          }
      }
    else if (k && strcmp (key, "readOnlyRootFilesystem") == 0)
      r = kube_bool (c, v, sub, &k->read_only_root, err);
    else if (k && strcmp (key, "privileged") == 0)
      r = kube_bool (c, v, sub, &k->privileged, err);
    else if (k && strcmp (key, "allowPrivilegeEscalation") == 0)
      {
        bool b = true;
        r = kube_bool (c, v, sub, &b, err);
        k->allow_privilege_escalation_false = !b;
      }
    else if (!k && (strcmp (key, "fsGroup") == 0 || strcmp (key, "supplementalGroups") == 0))
      {
        if (key[0] == 'f')
          {
            r = kube_int (c, v, sub, &id, err);
            if (r == 0 && id >= 0)
              pc_strv_append_take (group_add, xasprintf ("%lld", (long long) id));
          }
        else if ((r = kube_seq (c, v, sub, err)) == 0)
          for (size_t j = 0; v && v->kind == PC_YAML_SEQ && j < v->n && r == 0; j++)
            {
              pc_autofree char *p2 = xasprintf ("%s[%zu]", sub, j);
              r = kube_int (c, v->items[j], p2, &id, err);
              if (r == 0)
                pc_strv_append_take (group_add, xasprintf ("%lld", (long long) id));
            }
      }
    else
      kube_unknown (c, KEYNODE (n), path,
                    (const char *const[]) { "runAsNonRoot", "seLinuxOptions", "seccompProfile",
                                            "procMount", "windowsOptions", "sysctls",
                                            "fsGroupChangePolicy", "appArmorProfile", NULL });
    if (r < 0)
      return -1;
  }
  return 0;
}

int
kube_parse_container (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path,
                      struct pc_kube_container *k, pc_error **err)
{
  if (kube_map (c, n, path, err) < 0)
    return -1;
  k->line = n ? n->line : 0;
  FOR_KEYS (n)
  {
    SUB ("%s.%s", path, KEY (n));
    const char *key = KEY (n);
    const struct pc_yaml_node *v = VAL (n);
    int r = 0;
    if (strcmp (key, "name") == 0)
      r = kube_str (c, v, sub, &k->name, err);
    else if (strcmp (key, "image") == 0)
      r = kube_str (c, v, sub, &k->image, err);
    else if (strcmp (key, "command") == 0)
      r = kube_strv (c, v, sub, &k->command, err);
    else if (strcmp (key, "args") == 0)
      r = kube_strv (c, v, sub, &k->args, err);
    else if (strcmp (key, "workingDir") == 0)
      r = kube_str (c, v, sub, &k->working_dir, err);
    else if (strcmp (key, "env") == 0)
      r = parse_env (c, v, sub, k, err);
    else if (strcmp (key, "envFrom") == 0)
      r = parse_env_from (c, v, sub, k, err);
    else if (strcmp (key, "ports") == 0)
      r = parse_ports (c, v, sub, k, err);
    else if (strcmp (key, "volumeMounts") == 0)
      r = parse_mounts (c, v, sub, k, err);
    else if (strcmp (key, "resources") == 0)
      r = parse_resources (c, v, sub, k, err);
    else if (strcmp (key, "securityContext") == 0)
      r = kube_parse_security (c, v, sub, k, NULL, NULL, err);
    else if (strcmp (key, "stdin") == 0)
      r = kube_bool (c, v, sub, &k->stdin_open, err);
    else if (strcmp (key, "tty") == 0)
      r = kube_bool (c, v, sub, &k->tty, err);
    else if (strcmp (key, "imagePullPolicy") == 0)
      {
        r = kube_str (c, v, sub, &k->pull_policy, err);
        if (r == 0 && k->pull_policy && strcmp (k->pull_policy, "Always") != 0
            && strcmp (k->pull_policy, "IfNotPresent") != 0 && strcmp (k->pull_policy, "Never") != 0)
          return kube_fail (c, v, sub, err, "\"%s\": must be Always, IfNotPresent or Never",
                            k->pull_policy);
      }
    else
      kube_unknown (c, KEYNODE (n), path, container_ignored);
    if (r < 0)
      return -1;
  }
  if (k->name == NULL || !pc_kube_name_valid (k->name) || strchr (k->name, '.'))
    return kube_fail (c, n, path, err, "name \"%s\": a container needs a name of lower case letters, digits and '-'",
                      k->name ? k->name : "");
  if (k->image == NULL || *k->image == '\0')
    return kube_fail (c, n, path, err, "image is required");
  return 0;
}

void
kube_container_clear (struct pc_kube_container *k)
{
  free (k->name);
  free (k->image);
  pc_strv_free (k->command);
  pc_strv_free (k->args);
  free (k->working_dir);
  for (size_t i = 0; i < k->nenv; i++)
    {
      free (k->env[i].name);
      free (k->env[i].value);
      free (k->env[i].ref);
      free (k->env[i].key);
    }
  free (k->env);
  for (size_t i = 0; i < k->nenv_from; i++)
    {
      free (k->env_from[i].name);
      free (k->env_from[i].prefix);
    }
  free (k->env_from);
  for (size_t i = 0; i < k->nports; i++)
    {
      free (k->ports[i].protocol);
      free (k->ports[i].host_ip);
    }
  free (k->ports);
  for (size_t i = 0; i < k->nmounts; i++)
    {
      free (k->mounts[i].name);
      free (k->mounts[i].mount_path);
      free (k->mounts[i].sub_path);
    }
  free (k->mounts);
  free (k->pull_policy);
  free (k->limit_memory);
  free (k->limit_cpu);
  free (k->request_memory);
  free (k->request_cpu);
  pc_strv_free (k->cap_add);
  pc_strv_free (k->cap_drop);
}
