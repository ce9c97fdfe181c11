/* A container joining a pod (`--pod`), at create: the pod's namespaces as
   the record's container:INFRA modes (podman's shape), the pod's hostname,
   its volumes through --volumes-from the infra, and podman's refusals. */
#include "pkg/engine/internal.h"
#include "pkg/engine/pod.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"

int
eng_pod_member_opts (struct pc_engine *e, const struct pc_create_opts *in, struct eng_pod_member *m,
                     pc_error **err)
{
  memset (m, 0, sizeof *m);
  m->o = *in;
  if (pc_engine_pod_lookup (e, in->pod, &m->pod, err) < 0)
    return -1;
  struct pc_pod *p = m->pod;
  if (p->infra_id == NULL)
    return 0;
  bool net = eng_pod_shares (p, "net");
  if (net && (in->network == NULL || *in->network == '\0') && ((in->publish && *in->publish) || in->publish_all))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "invalid config provided: published or exposed ports must be defined when the pod is "
                           "created: network cannot be configured when it is shared with a pod");
  if (eng_pod_shares (p, "uts") && in->hostname && *in->hostname)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "invalid config provided: cannot set hostname when joining the pod UTS namespace: "
                           "invalid configuration");
  if (net && (in->network == NULL || *in->network == '\0'))
    {
      /* A pod on the host's network: its members are too (the host's
         network namespace is not the infra's to share: a rootless member
         could not join it by path). */
      pc_autocontainer struct pc_container *infra = NULL;
      const char *imode = NULL;
      if (eng_record_load (e, p->infra_id, &infra, err) < 0)
        return pc_error_wrap (err, "the infra container of pod %s", p->name);
      imode = pc_json_get_string (pc_json_get (infra->rec, "HostConfig"), "NetworkMode");
      m->network = imode && strcmp (imode, "host") == 0 ? xstrdup ("host") : xasprintf ("container:%s", p->infra_id);
      m->o.network = m->network;
    }
  if (eng_pod_shares (p, "uts"))
    {
      const char *h = pc_json_get_string (p->rec, "Hostname");
      m->hostname = xstrdup (h && *h ? h : p->name);
      m->o.hostname = m->hostname;
    }
  /* The pod's --userns: the member's root is seen through the same id
     shift, and at start it joins the infra's user namespace. */
  const char *userns = pc_json_get_string (p->rec, "Userns");
  if (userns && *userns && (in->userns == NULL || *in->userns == '\0'))
    m->o.userns = userns;
  if (pc_json_array_len (pc_json_get_array (p->rec, "Volumes")))
    {
      m->volumes_from = pc_strv_dup (in->volumes_from);
      pc_strv_append (&m->volumes_from, p->infra_id);
      m->o.volumes_from = m->volumes_from;
    }
  return 0;
}

void
eng_pod_member_record (struct eng_pod_member *m, json_object *rec)
{
  struct pc_pod *p = m->pod;
  json_object_object_add (rec, "Pod", json_object_new_string (p->id));
  json_object_object_add (rec, "PodName", json_object_new_string (p->name));
  if (p->infra_id == NULL)
    return;
  json_object *hc = pc_json_get (rec, "HostConfig");
  pc_autofree char *mode = xasprintf ("container:%s", p->infra_id);
  static const struct
  {
    const char *ns, *key;
  } modes[] = { { "ipc", "IpcMode" }, { "uts", "UTSMode" }, { "pid", "PidMode" }, { "cgroup", "CgroupnsMode" } };
  for (size_t i = 0; i < sizeof modes / sizeof *modes; i++)
    if (eng_pod_shares (p, modes[i].ns))
      json_object_object_add (hc, modes[i].key, json_object_new_string (mode));
}

void
eng_pod_member_clear (struct eng_pod_member *m)
{
  pc_pod_free (m->pod);
  free (m->network);
  free (m->hostname);
  pc_strv_free (m->volumes_from);
  memset (m, 0, sizeof *m);
}
