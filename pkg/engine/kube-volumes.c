/* kube play's volumes and environment: ConfigMap and Secret data as
   named volumes of files (as podman 4.3 makes ConfigMap volumes) and as
   environment, emptyDir as a volume of the pod, hostPath checked or
   created by its type, persistentVolumeClaim as the named volume. */
#include "pkg/engine/internal.h"
#include "pkg/engine/kube.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/xalloc.h"

void
eng_kube_vols_clear (struct kube_vols *v)
{
  for (size_t i = 0; i < v->n; i++)
    free (v->src[i]);
  free (v->src);
  free (v->ro);
  memset (v, 0, sizeof *v);
}

/* A volume kube play owns (label key=value), made when missing; one of
   the same name the user made is refused, never written over. */
static int
own_volume (struct pc_engine *e, const char *name, const char *label, const char *value,
            char **path, pc_error **err)
{
  pc_autojson json_object *vol = NULL;
  pc_error *lerr = NULL;
  if (pc_engine_volume_lookup (e, name, &vol, &lerr) < 0)
    {
      if (pc_error_class_of (lerr) != PC_ERR_NOT_FOUND)
        {
          *err = lerr;
          return -1;
        }
      pc_error_free (lerr);
      pc_autofree char *l = xasprintf ("%s=%s", label, value);
      char *labels[] = { l, NULL };
      struct pc_volume_create_opts vo = { .name = name, .labels = labels, .ignore = true };
      if (pc_engine_volume_create (e, &vo, &vol, err) < 0)
        return -1;
    }
  const char *have = pc_json_get_string (pc_json_get_object (vol, "Labels"), label);
  if (have == NULL || strcmp (have, value) != 0)
    return pc_error_makec (err, PC_ERR_EXISTS, EEXIST,
                           "volume \"%s\" exists and was not made by kube play for %s: "
                           "remove or rename it first",
                           name, value);
  return pc_engine_volume_path (e, name, false, path, err);
}

/* The data of cm as files in dir: every key, or only items. What an
   earlier play left goes first. */
static int
write_data (const char *dir, const struct pc_kube_configmap *cm, const struct pc_kube_volume *v,
            pc_error **err)
{
  pc_autoclose int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (dfd < 0)
    return pc_error_errno (err, errno, "open %s", dir);
  pc_autoclosedir DIR *d = fdopendir (dup (dfd));
  if (d == NULL)
    return pc_error_errno (err, errno, "read %s", dir);
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0
        && pc_rm_rf_at (dfd, de->d_name, err) < 0)
      return -1;
  if (cm == NULL)
    return 0;
  size_t n = v->item_keys ? pc_strv_len (v->item_keys) : cm->n;
  for (size_t i = 0; i < n; i++)
    {
      const char *key = v->item_keys ? v->item_keys[i] : cm->keys[i];
      const char *path = v->item_keys ? v->item_paths[i] : cm->keys[i];
      size_t j;
      for (j = 0; j < cm->n; j++)
        if (strcmp (cm->keys[j], key) == 0)
          break;
      if (j == cm->n)
        return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "%s \"%s\" has no key \"%s\"",
                               cm->secret ? "Secret" : "ConfigMap", cm->name, key);
      const char *slash = strrchr (path, '/');
      if (slash)
        {
          pc_autofree char *parent = xstrndup (path, (size_t) (slash - path));
          if (pc_mkdir_p (dfd, parent, 0755, err) < 0)
            return -1;
        }
      if (pc_write_file_atomic (dfd, path, cm->values[j], cm->lens[j], 0644, err) < 0)
        return -1;
    }
  return 0;
}

static int
host_path (const struct pc_kube_volume *v, pc_error **err)
{
  const char *t = v->hostpath_type ? v->hostpath_type : "";
  struct stat st;
  if (strcmp (t, "DirectoryOrCreate") == 0)
    return pc_mkdir_p (AT_FDCWD, v->source, 0755, err);
  if (strcmp (t, "FileOrCreate") == 0)
    {
      int fd = open (v->source, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
      if (fd < 0)
        return pc_error_errnoc (err, PC_ERR_NOT_FOUND, errno, "hostPath %s", v->source);
      close (fd);
      return 0;
    }
  if (*t == '\0')
    return 0;
  if (stat (v->source, &st) < 0)
    return pc_error_errnoc (err, PC_ERR_NOT_FOUND, errno, "hostPath %s (type %s)", v->source, t);
  mode_t want = strcmp (t, "Directory") == 0 ? S_IFDIR
                : strcmp (t, "File") == 0 ? S_IFREG
                : strcmp (t, "Socket") == 0 ? S_IFSOCK
                : strcmp (t, "CharDevice") == 0 ? S_IFCHR
                : strcmp (t, "BlockDevice") == 0 ? S_IFBLK : 0;
  if (want == 0)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "hostPath %s: unknown type \"%s\"", v->source, t);
  if ((st.st_mode & S_IFMT) != want)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "hostPath %s is not a %s", v->source, t);
  return 0;
}

int
eng_kube_volumes (struct pc_engine *e, const struct pc_kube_file *f, const struct pc_kube_pod *pod,
                  const char *podname, struct kube_vols *out, pc_error **err)
{
  memset (out, 0, sizeof *out);
  out->src = xmalloc0 ((pod->nvolumes + 1) * sizeof *out->src);
  out->ro = xmalloc0 ((pod->nvolumes + 1) * sizeof *out->ro);
  out->n = pod->nvolumes;
  for (size_t i = 0; i < pod->nvolumes; i++)
    {
      const struct pc_kube_volume *v = &pod->volumes[i];
      pc_autofree char *path = NULL;
      switch (v->kind)
        {
        case PC_KUBE_VOL_HOSTPATH:
          if (host_path (v, err) < 0)
            return pc_error_wrap (err, "volume \"%s\" of pod %s", v->name, podname);
          out->src[i] = xstrdup (v->source);
          break;
        case PC_KUBE_VOL_PVC:
          if (pc_engine_volume_path (e, v->source, true, &path, err) < 0)
            return pc_error_wrap (err, "volume \"%s\" of pod %s", v->name, podname);
          out->src[i] = xstrdup (v->source);
          out->ro[i] = v->read_only;
          break;
        case PC_KUBE_VOL_EMPTYDIR:
          if (v->source && strcmp (v->source, "Memory") == 0)
            break;
          out->src[i] = xasprintf ("%s-%s", podname, v->name);
          if (own_volume (e, out->src[i], KUBE_LABEL_EMPTYDIR, podname, &path, err) < 0
              || write_data (path, NULL, v, err) < 0)
            return pc_error_wrap (err, "emptyDir \"%s\" of pod %s", v->name, podname);
          break;
        case PC_KUBE_VOL_CONFIGMAP:
        case PC_KUBE_VOL_SECRET:
          {
            bool secret = v->kind == PC_KUBE_VOL_SECRET;
            const struct pc_kube_configmap *cm = pc_kube_find_configmap (f, v->source, secret);
            if (cm == NULL && !v->optional)
              return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT,
                                     "volume \"%s\" of pod %s: no %s \"%s\" in the file or the --configmap files",
                                     v->name, podname, secret ? "Secret" : "ConfigMap", v->source);
            out->src[i] = xstrdup (v->source);
            out->ro[i] = true;
            if (own_volume (e, v->source, secret ? KUBE_LABEL_SECRET : KUBE_LABEL_CONFIGMAP, v->source,
                            &path, err) < 0
                || write_data (path, cm, v, err) < 0)
              return pc_error_wrap (err, "volume \"%s\" of pod %s", v->name, podname);
          }
          break;
        }
    }
  return 0;
}

/* subPath below base, walked a component at a time without following a
   symbolic link in any of them (what a container wrote into its volume
   must not point the mount, or the directories made for it, outside);
   missing directories are made when create. */
static int
sub_path_check (const char *base, const struct pc_kube_mount *m, bool create, pc_error **err)
{
  int fd = open (base, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return pc_error_errno (err, errno, "volumeMount %s: open %s", m->name, base);
  pc_autofree char *copy = xstrdup (m->sub_path);
  char *save = NULL;
  for (char *c = strtok_r (copy, "/", &save); c; c = strtok_r (NULL, "/", &save))
    {
      if (strcmp (c, ".") == 0)
        continue;
      int next = openat (fd, c, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0 && errno == ENOENT && create)
        {
          if (mkdirat (fd, c, 0755) < 0 && errno != EEXIST)
            {
              int saved = errno;
              close (fd);
              return pc_error_errno (err, saved, "volumeMount %s: subPath %s: mkdir %s", m->name, m->sub_path, c);
            }
          next = openat (fd, c, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        }
      int saved = errno;
      close (fd);
      if (next < 0)
        {
          if (saved == ENOENT)
            return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "volumeMount %s: subPath %s: no such key",
                                   m->name, m->sub_path);
          return pc_error_errno (err, saved, "volumeMount %s: subPath %s", m->name, m->sub_path);
        }
      fd = next;
      struct stat st;
      if (fstat (fd, &st) < 0 || S_ISLNK (st.st_mode))
        {
          close (fd);
          return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "volumeMount %s: subPath %s: %s is a symbolic link",
                                 m->name, m->sub_path, c);
        }
    }
  close (fd);
  return 0;
}

int
eng_kube_mounts (struct pc_engine *e, const struct pc_kube_pod *pod, const struct kube_vols *v,
                 const struct pc_kube_container *k, char ***volumes, char ***tmpfs, pc_error **err)
{
  for (size_t i = 0; i < k->nmounts; i++)
    {
      const struct pc_kube_mount *m = &k->mounts[i];
      size_t j;
      for (j = 0; j < pod->nvolumes; j++)
        if (strcmp (pod->volumes[j].name, m->name) == 0)
          break;
      if (j == pod->nvolumes)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "volumeMount %s names no volume", m->name);
      bool ro = m->read_only || v->ro[j];
      if (v->src[j] == NULL)
        {
          pc_strv_append (tmpfs, m->mount_path);
          continue;
        }
      pc_autofree char *src = xstrdup (v->src[j]);
      if (m->sub_path && *m->sub_path)
        {
          pc_autofree char *base = NULL;
          if (src[0] == '/')
            base = xstrdup (src);
          else if (pc_engine_volume_path (e, src, true, &base, err) < 0)
            return -1;
          free (src);
          src = xasprintf ("%s/%s", base, m->sub_path);
          bool keys = pod->volumes[j].kind == PC_KUBE_VOL_CONFIGMAP || pod->volumes[j].kind == PC_KUBE_VOL_SECRET;
          if (sub_path_check (base, m, !keys, err) < 0)
            return -1;
        }
      pc_strv_append_take (volumes, xasprintf ("%s:%s%s", src, m->mount_path, ro ? ":ro" : ""));
    }
  return 0;
}

static bool
env_name_ok (const char *k)
{
  return *k && strchr (k, '=') == NULL && strlen (k) < 4096;
}

/* fieldRef paths a pod has here. */
static char *
field_value (const struct pc_kube_pod *pod, const char *podname, const char *path)
{
  if (strcmp (path, "metadata.name") == 0 || strcmp (path, "spec.nodeName") == 0)
    return xstrdup (podname);
  if (strcmp (path, "metadata.namespace") == 0)
    return xstrdup ("default");
  if (strcmp (path, "status.podIP") == 0 || strcmp (path, "status.hostIP") == 0)
    return xstrdup ("127.0.0.1");
  bool labels = strncmp (path, "metadata.labels['", 17) == 0;
  bool annots = strncmp (path, "metadata.annotations['", 22) == 0;
  if (labels || annots)
    {
      const char *k = path + (labels ? 17 : 22);
      size_t kl = strcspn (k, "'");
      for (char **l = labels ? pod->labels : pod->annotations; l && *l; l++)
        if (strncmp (*l, k, kl) == 0 && (*l)[kl] == '=')
          return xstrdup (*l + kl + 1);
      return xstrdup ("");
    }
  return NULL;
}

int
eng_kube_env (const struct pc_kube_file *f, const struct pc_kube_pod *pod, const char *podname,
              const struct pc_kube_container *k, char ***env, char ***warnings, pc_error **err)
{
  for (size_t i = 0; i < k->nenv_from; i++)
    {
      const struct pc_kube_env_from *ef = &k->env_from[i];
      const struct pc_kube_configmap *cm = pc_kube_find_configmap (f, ef->name, ef->secret);
      if (cm == NULL)
        {
          if (ef->optional)
            continue;
          return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT,
                                 "container %s: envFrom: no %s \"%s\" in the file or the --configmap files",
                                 k->name, ef->secret ? "Secret" : "ConfigMap", ef->name);
        }
      for (size_t j = 0; j < cm->n; j++)
        {
          pc_autofree char *key = xasprintf ("%s%s", ef->prefix ? ef->prefix : "", cm->keys[j]);
          if (!env_name_ok (key) || strlen (cm->values[j]) != cm->lens[j])
            {
              pc_strv_append_take (warnings, xasprintf ("container %s: envFrom %s: key \"%s\" skipped: not a valid environment variable",
                                                        k->name, ef->name, cm->keys[j]));
              continue;
            }
          pc_strv_append_take (env, xasprintf ("%s=%s", key, cm->values[j]));
        }
    }
  for (size_t i = 0; i < k->nenv; i++)
    {
      const struct pc_kube_env *ev = &k->env[i];
      pc_autofree char *value = NULL;
      if (ev->kind == PC_KUBE_ENV_VALUE)
        value = xstrdup (ev->value);
      else if (ev->kind == PC_KUBE_ENV_FIELD)
        {
          value = field_value (pod, podname, ev->value);
          if (value == NULL)
            {
              pc_strv_append_take (warnings, xasprintf ("container %s: env %s: fieldRef %s is not known to pc, left empty",
                                                        k->name, ev->name, ev->value));
              value = xstrdup ("");
            }
        }
      else
        {
          bool secret = ev->kind == PC_KUBE_ENV_SECRET;
          const struct pc_kube_configmap *cm = pc_kube_find_configmap (f, ev->ref ? ev->ref : "", secret);
          for (size_t j = 0; cm && j < cm->n && value == NULL; j++)
            if (strcmp (cm->keys[j], ev->key) == 0)
              value = xstrndup (cm->values[j], cm->lens[j]);
          if (value == NULL)
            {
              if (ev->optional)
                continue;
              return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT,
                                     "container %s: env %s: %s \"%s\" %s", k->name, ev->name,
                                     secret ? "Secret" : "ConfigMap", ev->ref ? ev->ref : "",
                                     cm ? "has no such key" : "is not in the file or the --configmap files");
            }
        }
      pc_strv_append_take (env, xasprintf ("%s=%s", ev->name, value));
    }
  return 0;
}
