/* kube down (and play --replace): the pods a file makes, stopped and
   removed; the volumes kube play made for its ConfigMaps, Secrets and
   emptyDirs; the PersistentVolumeClaims' volumes only when forced. */
#include "pkg/engine/internal.h"
#include "pkg/engine/kube.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"

void
pc_kube_down_report_clear (struct pc_kube_down_report *r)
{
  pc_strv_free (r->warnings);
  pc_strv_free (r->stopped);
  pc_strv_free (r->removed);
  pc_strv_free (r->volumes);
  memset (r, 0, sizeof *r);
}

int eng_kube_down_pods (struct pc_engine *e, const struct pc_kube_file *f, struct pc_kube_down_report *out,
                        pc_error **err);
int
eng_kube_down_pods (struct pc_engine *e, const struct pc_kube_file *f, struct pc_kube_down_report *out,
                    pc_error **err)
{
  struct pc_pod **pods = xmalloc0 (sizeof *pods);
  size_t n = 0;
  for (size_t i = 0; i < f->npods; i++)
    {
      pc_autostrv char **names = eng_kube_pod_names (&f->pods[i]);
      for (char **name = names; *name; name++)
        {
          struct pc_pod *p = NULL;
          pc_error *lerr = NULL;
          if (pc_engine_pod_lookup (e, *name, &p, &lerr) < 0)
            {
              /* Not there (never played, or already down): nothing to do. */
              if (pc_error_class_of (lerr) != PC_ERR_NOT_FOUND)
                {
                  *err = lerr;
                  pc_pod_list_free (pods, n);
                  return -1;
                }
              pc_error_free (lerr);
              continue;
            }
          /* A name the file gives twice is one pod. */
          bool seen = false;
          for (size_t k = 0; k < n && !seen; k++)
            seen = strcmp (pods[k]->id, p->id) == 0;
          if (seen)
            {
              pc_pod_free (p);
              continue;
            }
          pods = xrealloc (pods, (n + 1) * sizeof *pods);
          pods[n++] = p;
        }
    }
  int ret = 0;
  for (size_t i = 0; i < n && ret == 0; i++)
    {
      ret = pc_engine_pod_stop (e, pods[i], -1, err);
      if (ret == 0)
        pc_strv_append (&out->stopped, pods[i]->id);
    }
  for (size_t i = 0; i < n && ret == 0; i++)
    {
      ret = pc_engine_pod_remove (e, pods[i], true, 0, err);
      if (ret == 0)
        pc_strv_append (&out->removed, pods[i]->id);
    }
  pc_pod_list_free (pods, n);
  return ret;
}

static int
remove_volume (struct pc_engine *e, const char *name, const char *label, const char *value,
               struct pc_kube_down_report *out, pc_error **err)
{
  pc_autojson json_object *vol = NULL;
  pc_error *lerr = NULL;
  if (pc_engine_volume_lookup (e, name, &vol, &lerr) < 0)
    {
      pc_error_free (lerr);
      return 0;
    }
  if (label)
    {
      const char *have = pc_json_get_string (pc_json_get_object (vol, "Labels"), label);
      if (have == NULL || strcmp (have, value) != 0)
        return 0;
    }
  if (pc_strv_contains (out->volumes, name))
    return 0;
  if (pc_engine_volume_remove (e, name, false, 0, err) < 0)
    return -1;
  pc_strv_append (&out->volumes, name);
  return 0;
}

int
pc_engine_kube_down (struct pc_engine *e, const char *path, bool force, struct pc_kube_down_report *out,
                     pc_error **err)
{
  struct pc_kube_file f = { 0 };
  memset (out, 0, sizeof *out);
  int ret = -1;
  if (eng_kube_load (path, NULL, &f, err) < 0)
    goto done;
  out->warnings = steal_pointer (&f.warnings);
  if (eng_kube_down_pods (e, &f, out, err) < 0)
    goto done;
  for (size_t i = 0; i < f.npods; i++)
    {
      const struct pc_kube_pod *pod = &f.pods[i];
      pc_autostrv char **names = eng_kube_pod_names (pod);
      for (size_t v = 0; v < pod->nvolumes; v++)
        {
          const struct pc_kube_volume *vol = &pod->volumes[v];
          int r = 0;
          if (vol->kind == PC_KUBE_VOL_CONFIGMAP || vol->kind == PC_KUBE_VOL_SECRET)
            r = remove_volume (e, vol->source, vol->kind == PC_KUBE_VOL_SECRET ? KUBE_LABEL_SECRET : KUBE_LABEL_CONFIGMAP,
                               vol->source, out, err);
          else if (vol->kind == PC_KUBE_VOL_EMPTYDIR)
            for (char **n = names; *n && r == 0; n++)
              {
                pc_autofree char *vn = xasprintf ("%s-%s", *n, vol->name);
                r = remove_volume (e, vn, KUBE_LABEL_EMPTYDIR, *n, out, err);
              }
          else if (vol->kind == PC_KUBE_VOL_PVC && force)
            r = remove_volume (e, vol->source, NULL, NULL, out, err);
          if (r < 0)
            goto done;
        }
    }
  for (size_t i = 0; force && i < f.npvcs; i++)
    if (remove_volume (e, f.pvcs[i].name, NULL, NULL, out, err) < 0)
      goto done;
  ret = 0;
done:
  pc_kube_file_clear (&f);
  return ret;
}
