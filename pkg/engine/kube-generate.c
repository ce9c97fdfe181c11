/* kube generate: containers or a pod as a Kubernetes Pod (or Deployment),
   PersistentVolumeClaims for their named volumes and a Service with -s,
   from the records. What kube play of the output makes is an equivalent
   pod: names (without the POD- prefix kube play adds), images, commands
   and args where they differ from the image's, env beyond the image's,
   the pod's published ports, volumes (named as PVCs, binds as hostPath,
   tmpfs as memory emptyDirs), securityContext and resources. */
#include "pkg/engine/internal.h"
#include "pkg/engine/kube.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/xalloc.h"

#define Y_STR pc_yaml_new_str
#define SET pc_yaml_map_set

struct gen
{
  struct pc_engine *e;
  struct pc_yaml_node *containers, *volumes;
  char **claims;             /* named volumes as PVCs */
  char **seen;               /* named volumes seen */
  char **hostpaths;          /* host paths seen (index = volume suffix) */
  struct pc_yaml_node *svc_ports;
  const char *pod_name;
  struct pc_yaml_node **data_docs;  /* ConfigMaps and Secrets, from kube play's volumes */
  size_t ndata;
};

/* A volume kube play made for a ConfigMap or Secret goes back as that
   object (its files as data), one for an emptyDir as an emptyDir: the
   round trip keeps them what they were. NULL: a plain named volume. */
static struct pc_yaml_node *
data_volume (struct gen *g, const char *name, const char *vname)
{
  pc_autojson json_object *vol = NULL;
  pc_error *lerr = NULL;
  if (pc_engine_volume_lookup (g->e, name, &vol, &lerr) < 0)
    {
      pc_error_free (lerr);
      return NULL;
    }
  json_object *labels = pc_json_get_object (vol, "Labels");
  const char *cm = pc_json_get_string (labels, KUBE_LABEL_CONFIGMAP);
  const char *sec = pc_json_get_string (labels, KUBE_LABEL_SECRET);
  struct pc_yaml_node *v = pc_yaml_new_map ();
  SET (v, "name", Y_STR (vname));
  if (pc_json_get_string (labels, KUBE_LABEL_EMPTYDIR))
    {
      SET (v, "emptyDir", pc_yaml_new_map ());
      return v;
    }
  if (cm == NULL && sec == NULL)
    {
      pc_yaml_node_free (v);
      return NULL;
    }
  const char *obj = cm ? cm : sec;
  if (cm)
    SET (SET (v, "configMap", pc_yaml_new_map ()), "name", Y_STR (obj));
  else
    SET (SET (v, "secret", pc_yaml_new_map ()), "secretName", Y_STR (obj));
  pc_autofree char *path = NULL;
  if (pc_engine_volume_path (g->e, name, false, &path, &lerr) < 0)
    {
      pc_error_free (lerr);
      return v;
    }
  struct pc_yaml_node *doc = pc_yaml_new_map ();
  SET (doc, "apiVersion", Y_STR ("v1"));
  SET (doc, "kind", Y_STR (cm ? "ConfigMap" : "Secret"));
  SET (SET (doc, "metadata", pc_yaml_new_map ()), "name", Y_STR (obj));
  struct pc_yaml_node *data = SET (doc, "data", pc_yaml_new_map ());
  pc_autoclosedir DIR *d = opendir (path);
  struct dirent *de;
  size_t total = 0;
  while (d && (de = readdir (d)) != NULL)
    {
      if (de->d_name[0] == '.')
        continue;
      pc_autofree char *buf = NULL;
      size_t len = 0;
      /* Kubernetes caps a ConfigMap at 1 MiB. */
      if (pc_read_file_max (dirfd (d), de->d_name, 1 << 20, PC_READ_REGULAR, &buf, &len, &lerr) < 0)
        {
          pc_error_clear (&lerr);
          continue;
        }
      total += len;
      if (total > (1u << 20))
        break;
      if (cm && strlen (buf) == len)
        SET (data, de->d_name, Y_STR (buf));
      else
        {
          pc_autofree char *b64 = pc_kube_base64_encode (buf, len);
          if (cm)
            SET (pc_yaml_map_obj (doc, "binaryData"), de->d_name, Y_STR (b64));
          else
            SET (data, de->d_name, Y_STR (b64));
        }
    }
  g->data_docs = xrealloc (g->data_docs, (g->ndata + 1) * sizeof *g->data_docs);
  g->data_docs[g->ndata++] = doc;
  return v;
}

static bool
json_strv_equal (json_object *a, json_object *b)
{
  size_t na = pc_json_array_len (a), nb = pc_json_array_len (b);
  if (na != nb)
    return false;
  for (size_t i = 0; i < na; i++)
    {
      const char *x = pc_json_array_string_at (a, i), *y = pc_json_array_string_at (b, i);
      if (!x || !y || strcmp (x, y) != 0)
        return false;
    }
  return true;
}

static struct pc_yaml_node *
yaml_strv (json_object *a)
{
  struct pc_yaml_node *s = pc_yaml_new_seq ();
  for (size_t i = 0; i < pc_json_array_len (a); i++)
    pc_yaml_seq_add (s, Y_STR (pc_json_array_string_at (a, i) ?: ""));
  return s;
}

/* A DNS-1123 label from anything: lower case, others as '-'. */
static char *
dns_name (const char *s, const char *suffix)
{
  pc_autofree char *n = xasprintf ("%s%s", s, suffix);
  size_t k = 0;
  for (const char *p = n; *p; p++)
    {
      char ch = *p >= 'A' && *p <= 'Z' ? (char) (*p + 32) : *p;
      if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')))
        ch = '-';
      if (ch == '-' && (k == 0 || n[k - 1] == '-'))
        continue;
      n[k++] = ch;
    }
  while (k > 0 && n[k - 1] == '-')
    k--;
  n[k] = '\0';
  if (k > 63)
    n[63] = '\0';
  return xstrdup (*n ? n : "x");
}

static bool
env_in (json_object *env, const char *kv)
{
  for (size_t i = 0; i < pc_json_array_len (env); i++)
    {
      const char *s = pc_json_array_string_at (env, i);
      if (s && strcmp (s, kv) == 0)
        return true;
    }
  return false;
}

static void
gen_env (struct pc_yaml_node *ctr, json_object *cfg, json_object *icfg)
{
  json_object *env = pc_json_get_array (cfg, "Env");
  json_object *ienv = pc_json_get_array (icfg, "Env");
  struct pc_yaml_node *out = NULL;
  for (size_t i = 0; i < pc_json_array_len (env); i++)
    {
      const char *kv = pc_json_array_string_at (env, i);
      const char *eq = kv ? strchr (kv, '=') : NULL;
      if (eq == NULL || env_in (ienv, kv) || strncmp (kv, "HOSTNAME=", 9) == 0
          || strncmp (kv, "container=", 10) == 0 || strncmp (kv, "HOME=", 5) == 0
          || strcmp (kv, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") == 0
          || (strcmp (kv, "TERM=xterm") == 0 && pc_json_get_bool (cfg, "Tty", false)))
        continue;
      if (out == NULL)
        out = SET (ctr, "env", pc_yaml_new_seq ());
      struct pc_yaml_node *e = pc_yaml_seq_add (out, pc_yaml_new_map ());
      pc_autofree char *name = xstrndup (kv, (size_t) (eq - kv));
      SET (e, "name", Y_STR (name));
      SET (e, "value", Y_STR (eq + 1));
    }
}

static void
gen_security (struct pc_yaml_node *ctr, json_object *cfg, json_object *hc)
{
  struct pc_yaml_node *sc = pc_yaml_new_map ();
  json_object *add = pc_json_get_array (hc, "CapAdd"), *drop = pc_json_get_array (hc, "CapDrop");
  if (pc_json_array_len (add) || pc_json_array_len (drop))
    {
      struct pc_yaml_node *caps = SET (sc, "capabilities", pc_yaml_new_map ());
      for (int w = 0; w < 2; w++)
        {
          json_object *a = w ? drop : add;
          if (pc_json_array_len (a) == 0)
            continue;
          struct pc_yaml_node *s = SET (caps, w ? "drop" : "add", pc_yaml_new_seq ());
          for (size_t i = 0; i < pc_json_array_len (a); i++)
            {
              const char *c = pc_json_array_string_at (a, i) ?: "";
              pc_yaml_seq_add (s, Y_STR (strncmp (c, "CAP_", 4) == 0 ? c + 4 : c));
            }
        }
    }
  if (pc_json_get_bool (hc, "Privileged", false))
    SET (sc, "privileged", pc_yaml_new_bool (true));
  if (pc_json_get_bool (hc, "ReadonlyRootfs", false))
    SET (sc, "readOnlyRootFilesystem", pc_yaml_new_bool (true));
  json_object *so = pc_json_get_array (hc, "SecurityOpt");
  for (size_t i = 0; i < pc_json_array_len (so); i++)
    {
      const char *s = pc_json_array_string_at (so, i);
      if (s && (strcmp (s, "no-new-privileges") == 0 || strcmp (s, "no-new-privileges:true") == 0))
        SET (sc, "allowPrivilegeEscalation", pc_yaml_new_bool (false));
    }
  const char *user = pc_json_get_string (cfg, "User");
  if (user && *user)
    {
      char *end;
      long long u = strtoll (user, &end, 10);
      if (end != user && (*end == '\0' || *end == ':') && u >= 0)
        {
          SET (sc, "runAsUser", pc_yaml_new_int (u));
          if (*end == ':')
            {
              char *gend;
              long long g = strtoll (end + 1, &gend, 10);
              if (gend != end + 1 && *gend == '\0' && g >= 0)
                SET (sc, "runAsGroup", pc_yaml_new_int (g));
            }
        }
    }
  if (sc->n)
    SET (ctr, "securityContext", sc);
  else
    pc_yaml_node_free (sc);
}

static void
gen_mounts (struct gen *g, struct pc_yaml_node *ctr, json_object *rec, json_object *hc)
{
  struct pc_yaml_node *vm = NULL;
  json_object *mounts = pc_json_get_array (rec, "Mounts");
  for (size_t i = 0; i < pc_json_array_len (mounts); i++)
    {
      json_object *m = pc_json_array_object_at (mounts, i);
      const char *type = pc_json_get_string (m, "Type") ?: "";
      const char *dst = pc_json_get_string (m, "Destination");
      if (dst == NULL)
        continue;
      pc_autofree char *vname = NULL;
      if (strcmp (type, "volume") == 0)
        {
          const char *name = pc_json_get_string (m, "Name");
          if (name == NULL)
            continue;
          vname = dns_name (name, "-pvc");
          if (!pc_strv_contains (g->claims, name) && !pc_strv_contains (g->seen, name))
            {
              pc_strv_append (&g->seen, name);
              struct pc_yaml_node *v = data_volume (g, name, vname);
              if (v == NULL)
                {
                  pc_strv_append (&g->claims, name);
                  v = pc_yaml_new_map ();
                  SET (v, "name", Y_STR (vname));
                  SET (SET (v, "persistentVolumeClaim", pc_yaml_new_map ()), "claimName", Y_STR (name));
                }
              pc_yaml_seq_add (g->volumes, v);
            }
        }
      else if (strcmp (type, "bind") == 0)
        {
          const char *src = pc_json_get_string (m, "Source");
          if (src == NULL)
            continue;
          size_t idx = pc_strv_len (g->hostpaths);
          for (size_t k = 0; g->hostpaths && g->hostpaths[k]; k++)
            if (strcmp (g->hostpaths[k], src) == 0)
              idx = k;
          pc_autofree char *suffix = xasprintf ("-host-%zu", idx);
          vname = dns_name (src, suffix);
          if (idx == pc_strv_len (g->hostpaths))
            {
              pc_strv_append (&g->hostpaths, src);
              struct pc_yaml_node *v = pc_yaml_seq_add (g->volumes, pc_yaml_new_map ());
              SET (v, "name", Y_STR (vname));
              struct pc_yaml_node *hp = SET (v, "hostPath", pc_yaml_new_map ());
              SET (hp, "path", Y_STR (src));
              struct stat st;
              if (stat (src, &st) == 0)
                SET (hp, "type", Y_STR (S_ISDIR (st.st_mode) ? "Directory" : "File"));
            }
        }
      else
        continue;
      if (vm == NULL)
        vm = SET (ctr, "volumeMounts", pc_yaml_new_seq ());
      struct pc_yaml_node *e = pc_yaml_seq_add (vm, pc_yaml_new_map ());
      SET (e, "mountPath", Y_STR (dst));
      SET (e, "name", Y_STR (vname));
      if (!pc_json_get_bool (m, "RW", true))
        SET (e, "readOnly", pc_yaml_new_bool (true));
    }
  json_object *tmpfs = pc_json_get_object (hc, "Tmpfs");
  if (tmpfs == NULL)
    return;
  json_object_object_foreach (tmpfs, path, val)
    {
      (void) val;
      pc_autofree char *vname = dns_name (path, "-tmpfs");
      struct pc_yaml_node *v = pc_yaml_seq_add (g->volumes, pc_yaml_new_map ());
      SET (v, "name", Y_STR (vname));
      SET (SET (v, "emptyDir", pc_yaml_new_map ()), "medium", Y_STR ("Memory"));
      if (vm == NULL)
        vm = SET (ctr, "volumeMounts", pc_yaml_new_seq ());
      struct pc_yaml_node *e = pc_yaml_seq_add (vm, pc_yaml_new_map ());
      SET (e, "mountPath", Y_STR (path));
      SET (e, "name", Y_STR (vname));
    }
}

/* hc's PortBindings as the container's ports (and the Service's). */
static void
gen_ports (struct gen *g, struct pc_yaml_node *ctr, json_object *hc)
{
  json_object *pb = pc_json_get_object (hc, "PortBindings");
  if (pb == NULL)
    return;
  struct pc_yaml_node *ports = NULL;
  json_object_object_foreach (pb, key, binds)
  {
    int cport = atoi (key);
    const char *slash = strchr (key, '/');
    pc_autofree char *proto = xstrdup (slash ? slash + 1 : "tcp");
    for (char *c = proto; *c; c++)
      *c = (char) (*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
    for (size_t i = 0; i < pc_json_array_len (binds) || i == 0; i++)
      {
        json_object *b = pc_json_array_object_at (binds, i);
        const char *hp = pc_json_get_string (b, "HostPort");
        const char *hip = pc_json_get_string (b, "HostIp");
        if (ports == NULL)
          ports = SET (ctr, "ports", pc_yaml_new_seq ());
        struct pc_yaml_node *p = pc_yaml_seq_add (ports, pc_yaml_new_map ());
        SET (p, "containerPort", pc_yaml_new_int (cport));
        if (hp && atoi (hp) > 0)
          SET (p, "hostPort", pc_yaml_new_int (atoi (hp)));
        if (hip && *hip && strcmp (hip, "0.0.0.0") != 0)
          SET (p, "hostIP", Y_STR (hip));
        if (strcmp (proto, "TCP") != 0)
          SET (p, "protocol", Y_STR (proto));
        if (g->svc_ports)
          {
            struct pc_yaml_node *sp = pc_yaml_seq_add (g->svc_ports, pc_yaml_new_map ());
            /* podman 4.3 names a port by its number. */
            pc_autofree char *pname = strcmp (proto, "TCP") == 0 ? xasprintf ("%d", cport)
                                                                 : xasprintf ("%d-%s", cport, proto);
            for (char *c = pname; *c; c++)
              *c = (char) (*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
            SET (sp, "name", Y_STR (pname));
            SET (sp, "port", pc_yaml_new_int (cport));
            if (strcmp (proto, "TCP") != 0)
              SET (sp, "protocol", Y_STR (proto));
            SET (sp, "targetPort", pc_yaml_new_int (cport));
          }
        if (b == NULL)
          break;
      }
  }
}

static int
gen_container (struct gen *g, struct pc_container *c, json_object *port_hc, pc_error **err)
{
  json_object *rec = c->rec;
  json_object *cfg = pc_json_get_object (rec, "Config");
  json_object *hc = pc_json_get_object (rec, "HostConfig");
  pc_autojson json_object *iinfo = NULL;
  json_object *icfg = NULL;
  const char *image_id = pc_json_get_string (rec, "Image");
  pc_error *ierr = NULL;
  if (image_id && pc_engine_image_inspect (g->e, image_id, &iinfo, &ierr) == 0)
    icfg = pc_json_get_object (iinfo, "Config");
  pc_error_free (ierr);
  struct pc_yaml_node *ctr = pc_yaml_seq_add (g->containers, pc_yaml_new_map ());
  const char *name = c->name;
  size_t pl = g->pod_name ? strlen (g->pod_name) : 0;
  if (pl && strncmp (name, g->pod_name, pl) == 0 && name[pl] == '-' && name[pl + 1])
    name = name + pl + 1;
  pc_autofree char *cname = dns_name (name, "");
  SET (ctr, "name", Y_STR (cname));
  SET (ctr, "image", Y_STR (pc_json_get_string (cfg, "Image") ?: image_id ?: ""));
  json_object *ep = pc_json_get_array (cfg, "Entrypoint"), *cmd = pc_json_get_array (cfg, "Cmd");
  json_object *iep = pc_json_get_array (icfg, "Entrypoint"), *icmd = pc_json_get_array (icfg, "Cmd");
  if (!json_strv_equal (ep, iep))
    {
      if (pc_json_array_len (ep))
        {
          SET (ctr, "command", yaml_strv (ep));
          if (pc_json_array_len (cmd))
            SET (ctr, "args", yaml_strv (cmd));
        }
      else if (pc_json_array_len (cmd))
        SET (ctr, "command", yaml_strv (cmd));
    }
  else if (!json_strv_equal (cmd, icmd) && pc_json_array_len (cmd))
    SET (ctr, "args", yaml_strv (cmd));
  gen_env (ctr, cfg, icfg);
  const char *wd = pc_json_get_string (cfg, "WorkingDir");
  const char *iwd = pc_json_get_string (icfg, "WorkingDir");
  if (wd && *wd && strcmp (wd, "/") != 0 && !(iwd && strcmp (wd, iwd) == 0))
    SET (ctr, "workingDir", Y_STR (wd));
  if (port_hc)
    gen_ports (g, ctr, port_hc);
  int64_t mem = pc_json_get_int (hc, "Memory", 0), cpus = pc_json_get_int (hc, "NanoCpus", 0);
  if (mem > 0 || cpus > 0)
    {
      struct pc_yaml_node *lim = SET (SET (ctr, "resources", pc_yaml_new_map ()), "limits", pc_yaml_new_map ());
      if (mem > 0)
        SET (lim, "memory", pc_yaml_new_int (mem));
      if (cpus > 0)
        {
          pc_autofree char *q = xasprintf ("%lldm", (long long) (cpus / 1000000));
          SET (lim, "cpu", Y_STR (q));
        }
    }
  gen_security (ctr, cfg, hc);
  gen_mounts (g, ctr, rec, hc);
  if (pc_json_get_bool (cfg, "OpenStdin", false))
    SET (ctr, "stdin", pc_yaml_new_bool (true));
  if (pc_json_get_bool (cfg, "Tty", false))
    SET (ctr, "tty", pc_yaml_new_bool (true));
  return 0;
}

static struct pc_yaml_node *
labels_map (json_object *labels)
{
  struct pc_yaml_node *m = pc_yaml_new_map ();
  if (!json_object_is_type (labels, json_type_object))
    return m;
  json_object_object_foreach (labels, k, v)
  {
    if (json_object_is_type (v, json_type_string))
      SET (m, k, Y_STR (json_object_get_string (v)));
  }
  return m;
}

int
pc_engine_kube_generate (struct pc_engine *e, char *const *refs, const struct pc_kube_generate_opts *o,
                         char **yaml, pc_error **err)
{
  struct gen g = { .e = e, .containers = pc_yaml_new_seq (), .volumes = pc_yaml_new_seq () };
  struct pc_yaml_node **docs = NULL;
  size_t ndocs = 0;
  struct pc_container **ctrs = NULL;
  size_t nctrs = 0;
  pc_autopod struct pc_pod *pod = NULL;
  pc_autojson json_object *port_src = NULL;  /* the record whose PortBindings are the pod's */
  pc_autofree char *gen_name = NULL, *pname = NULL, *dname = NULL, *body = NULL;
  int ret = -1;
  if (o->service)
    g.svc_ports = pc_yaml_new_seq ();
  for (char *const *r = refs; r && *r; r++)
    {
      struct pc_container *c = NULL;
      pc_error *lerr = NULL;
      if (pc_engine_lookup (e, *r, &c, &lerr) == 0)
        {
          if (pc_json_get_bool (c->rec, "IsInfra", false))
            {
              pc_container_free (c);
              continue;
            }
          ctrs = xrealloc (ctrs, (nctrs + 1) * sizeof *ctrs);
          ctrs[nctrs++] = c;
          continue;
        }
      pc_autoerror pc_error *perr = NULL;
      if (pc_error_class_of (lerr) != PC_ERR_NOT_FOUND || pod != NULL
          || pc_engine_pod_lookup (e, *r, &pod, &perr) < 0)
        {
          if (pod != NULL && pc_error_class_of (lerr) == PC_ERR_NOT_FOUND)
            pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s: kube generate makes one pod at a time", *r);
          else
            {
              *err = lerr;
              lerr = NULL;
              if (pc_error_class_of (*err) == PC_ERR_NOT_FOUND)
                {
                  pc_error_free (*err);
                  *err = NULL;
                  pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "name or ID \"%s\" not found", *r);
                }
            }
          pc_error_free (lerr);
          goto out;
        }
      pc_error_free (lerr);
      struct pc_container **members = NULL;
      size_t nm = 0;
      if (pc_engine_pod_members (e, pod, &members, &nm, err) < 0)
        goto out;
      for (size_t i = 0; i < nm; i++)
        {
          if (pc_json_get_bool (members[i]->rec, "IsInfra", false))
            {
              port_src = json_object_get (pc_json_get_object (members[i]->rec, "HostConfig"));
              pc_container_free (members[i]);
              continue;
            }
          ctrs = xrealloc (ctrs, (nctrs + 1) * sizeof *ctrs);
          ctrs[nctrs++] = members[i];
        }
      free (members);
    }
  if (nctrs == 0)
    {
      pc_error_makec (err, PC_ERR_INVALID, EINVAL, "no containers to generate YAML for");
      goto out;
    }
  /* Oldest first: the order they were made in. */
  for (size_t i = 0; i < nctrs / 2; i++)
    {
      struct pc_container *t = ctrs[i];
      ctrs[i] = ctrs[nctrs - 1 - i];
      ctrs[nctrs - 1 - i] = t;
    }
  if (pod)
    g.pod_name = pod->name;
  else
    g.pod_name = gen_name = xasprintf ("%s-pod", ctrs[0]->name);
  pname = dns_name (g.pod_name, "");
  for (size_t i = 0; i < nctrs; i++)
    {
      /* Ports: the pod's, on its first container (as podman 4.3); a
         container outside a pod has its own. */
      json_object *phc = pod ? (i == 0 ? port_src : NULL) : pc_json_get_object (ctrs[i]->rec, "HostConfig");
      if (gen_container (&g, ctrs[i], phc, err) < 0)
        goto out;
    }
  struct pc_yaml_node *podspec = pc_yaml_new_map ();
  SET (podspec, "containers", g.containers);
  g.containers = NULL;
  if (g.volumes->n)
    SET (podspec, "volumes", g.volumes);
  else
    pc_yaml_node_free (g.volumes);
  g.volumes = NULL;
  const char *rp = pc_json_get_string (pc_json_get (ctrs[0]->rec, "HostConfig.RestartPolicy"), "Name");
  SET (podspec, "restartPolicy",
       Y_STR (rp && strcmp (rp, "always") == 0 ? "Always" : rp && strcmp (rp, "on-failure") == 0 ? "OnFailure" : "Never"));
  const char *hostname = pod ? pc_json_get_string (pod->rec, "Hostname") : NULL;
  if (hostname && *hostname && strcmp (hostname, pod->name) != 0)
    SET (podspec, "hostname", Y_STR (hostname));
  struct pc_yaml_node *labels = labels_map (pod ? pc_json_get_object (pod->rec, "Labels") : NULL);
  if (labels->n == 0)
    SET (labels, "app", Y_STR (pname));
  docs = xrealloc (docs, (g.ndata + 1) * sizeof *docs);
  for (size_t i = 0; i < g.ndata; i++)
    docs[ndocs++] = g.data_docs[i];
  g.ndata = 0;
  for (size_t i = 0; g.claims && g.claims[i]; i++)
    {
      docs = xrealloc (docs, (ndocs + 3) * sizeof *docs);
      struct pc_yaml_node *pvc = docs[ndocs++] = pc_yaml_new_map ();
      SET (pvc, "apiVersion", Y_STR ("v1"));
      SET (pvc, "kind", Y_STR ("PersistentVolumeClaim"));
      SET (SET (pvc, "metadata", pc_yaml_new_map ()), "name", Y_STR (g.claims[i]));
      struct pc_yaml_node *spec = SET (pvc, "spec", pc_yaml_new_map ());
      pc_yaml_seq_add (SET (spec, "accessModes", pc_yaml_new_seq ()), Y_STR ("ReadWriteOnce"));
      SET (SET (SET (spec, "resources", pc_yaml_new_map ()), "requests", pc_yaml_new_map ()), "storage",
           Y_STR ("1Gi"));
    }
  docs = xrealloc (docs, (ndocs + 2) * sizeof *docs);
  if (g.svc_ports && g.svc_ports->n)
    {
      struct pc_yaml_node *svc = docs[ndocs++] = pc_yaml_new_map ();
      SET (svc, "apiVersion", Y_STR ("v1"));
      SET (svc, "kind", Y_STR ("Service"));
      struct pc_yaml_node *md = SET (svc, "metadata", pc_yaml_new_map ());
      SET (md, "name", Y_STR (pname));
      SET (SET (md, "labels", pc_yaml_new_map ()), "app", Y_STR (pname));
      struct pc_yaml_node *spec = SET (svc, "spec", pc_yaml_new_map ());
      SET (spec, "ports", g.svc_ports);
      g.svc_ports = NULL;
      SET (spec, "selector", labels_map (pod ? pc_json_get_object (pod->rec, "Labels") : NULL));
      struct pc_yaml_node *sel = pc_yaml_get (spec, "selector");
      if (sel->n == 0)
        SET (sel, "app", Y_STR (pname));
      SET (spec, "type", Y_STR ("NodePort"));
    }
  struct pc_yaml_node *main_doc = docs[ndocs++] = pc_yaml_new_map ();
  struct pc_yaml_node *md = pc_yaml_new_map ();
  dname = xasprintf ("%s-deployment", pname);
  SET (md, "name", Y_STR (o->deployment ? dname : pname));
  if (o->deployment)
    {
      SET (main_doc, "apiVersion", Y_STR ("apps/v1"));
      SET (main_doc, "kind", Y_STR ("Deployment"));
      SET (md, "labels", labels_map (NULL));
      SET (pc_yaml_get (md, "labels"), "app", Y_STR (pname));
      SET (main_doc, "metadata", md);
      struct pc_yaml_node *spec = SET (main_doc, "spec", pc_yaml_new_map ());
      SET (spec, "replicas", pc_yaml_new_int (o->replicas > 0 ? o->replicas : 1));
      struct pc_yaml_node *ml = SET (SET (spec, "selector", pc_yaml_new_map ()), "matchLabels", pc_yaml_new_map ());
      SET (ml, "app", Y_STR (pname));
      struct pc_yaml_node *tmpl = SET (spec, "template", pc_yaml_new_map ());
      struct pc_yaml_node *tmd = SET (tmpl, "metadata", pc_yaml_new_map ());
      SET (labels, "app", Y_STR (pname));
      SET (tmd, "labels", labels);
      SET (podspec, "restartPolicy", Y_STR ("Always"));
      SET (tmpl, "spec", podspec);
    }
  else
    {
      SET (main_doc, "apiVersion", Y_STR ("v1"));
      SET (main_doc, "kind", Y_STR ("Pod"));
      SET (md, "labels", labels);
      SET (main_doc, "metadata", md);
      SET (main_doc, "spec", podspec);
    }
  for (size_t i = 0; i < ndocs; i++)
    pc_yaml_sort_keys (docs[i]);
  if (pc_yaml_emit (docs, ndocs, &body, NULL, err) < 0)
    goto out;
  *yaml = xasprintf ("# Save the output of this file and use kubectl create -f to import\n"
                     "# it into Kubernetes.\n#\n# Created with pc-%s\n%s",
                     PC_VERSION, body);
  ret = 0;
out:
  for (size_t i = 0; i < ndocs; i++)
    pc_yaml_node_free (docs[i]);
  free (docs);
  pc_yaml_node_free (g.containers);
  pc_yaml_node_free (g.volumes);
  pc_yaml_node_free (g.svc_ports);
  pc_strv_free (g.claims);
  pc_strv_free (g.seen);
  for (size_t i = 0; i < g.ndata; i++)
    pc_yaml_node_free (g.data_docs[i]);
  free (g.data_docs);
  pc_strv_free (g.hostpaths);
  pc_container_list_free (ctrs, nctrs);
  return ret;
}
