/* Volumes in containers: the record's Mounts entries of Type "volume"
   (podman's inspect shape), the volumes made on first use and the
   anonymous ones (-v /path, --mount type=volume without source, the image's
   VOLUMEs), --volumes-from, and the copy-up of the image's content into a
   new volume, which the monitor's prepare hook runs in pc's user namespace
   with the container's root mounted (the files keep the image's ids, which
   are the container's subordinate ids on the host).

   A container names its volumes in its record and nowhere else: "in use"
   is found by reading the records (volume rm, prune, dangling=,
   MountCount). */
#include "pkg/engine/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/lock.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/engine/cp-copy.h"

#define ANON_KEY "PcAnonymous"
#define VOLUMES_ANNOTATION "run.pc.volumes"

static json_object *
string_take (char *s)
{
  json_object *o = json_object_new_string (s);
  free (s);
  return o;
}

static bool
is_default_opt (const char *o)
{
  return strcmp (o, "nosuid") == 0 || strcmp (o, "nodev") == 0 || strcmp (o, "rbind") == 0;
}

static bool
strv_has (char *const *v, const char *s)
{
  for (; v && *v; v++)
    if (strcmp (*v, s) == 0)
      return true;
  return false;
}

/* podman's HostConfig.Binds string of a volume entry:
   NAME:DST:ro|rw,<user options>,rprivate,nosuid,nodev,rbind */
static char *
volume_bind_string (json_object *m)
{
  /* Sized as it grows: the parts come from records, which may be edited. */
  json_object *o = pc_json_get_array (m, "Options");
  pc_autostrv char **parts = NULL;
  pc_autofree char *head = xasprintf ("%s:%s:%s", pc_json_get_string (m, "Name") ?: "",
                                      pc_json_get_string (m, "Destination") ?: "",
                                      pc_json_get_bool (m, "RW", true) ? "rw" : "ro");
  pc_strv_append (&parts, head);
  for (int pass = 0; pass < 2; pass++)
    {
      if (pass == 1)
        pc_strv_append (&parts, pc_json_get_string (m, "Propagation") ?: "rprivate");
      for (size_t i = 0; i < pc_json_array_len (o); i++)
        {
          const char *x = pc_json_array_string_at (o, i);
          if (x && is_default_opt (x) == (pass == 1))
            pc_strv_append (&parts, x);
        }
    }
  return pc_strv_join (parts, ",");
}

void
eng_volume_mount_record (const char *name, bool anonymous, const char *dst, bool ro, const char *prop,
                         char *const *flags, json_object *mounts, json_object *binds)
{
  json_object *m = json_object_new_object ();
  json_object_object_add (m, "Type", json_object_new_string ("volume"));
  json_object_object_add (m, "Name", json_object_new_string (name));
  json_object_object_add (m, "Source", json_object_new_string (""));
  json_object_object_add (m, "Destination", json_object_new_string (dst));
  json_object_object_add (m, "Driver", json_object_new_string ("local"));
  json_object_object_add (m, "Mode", json_object_new_string (""));
  json_object *oa = json_object_new_array ();
  for (char *const *f = flags; f && *f; f++)
    json_object_array_add (oa, json_object_new_string (*f));
  /* podman adds nosuid and nodev to every volume unless told otherwise. */
  if (!strv_has (flags, "suid"))
    json_object_array_add (oa, json_object_new_string ("nosuid"));
  if (!strv_has (flags, "dev"))
    json_object_array_add (oa, json_object_new_string ("nodev"));
  json_object_array_add (oa, json_object_new_string ("rbind"));
  json_object_object_add (m, "Options", oa);
  json_object_object_add (m, "RW", json_object_new_boolean (!ro));
  json_object_object_add (m, "Propagation", json_object_new_string (prop ? prop : "rprivate"));
  if (anonymous)
    json_object_object_add (m, ANON_KEY, json_object_new_boolean (true));
  json_object_array_add (mounts, m);
  if (binds)
    json_object_array_add (binds, string_take (volume_bind_string (m)));
}

static json_object *
mount_at (json_object *mounts, const char *dst, size_t *idx)
{
  for (size_t i = 0; i < pc_json_array_len (mounts); i++)
    {
      json_object *m = pc_json_array_object_at (mounts, i);
      if (m && strcmp (pc_json_get_string (m, "Destination") ?: "", dst) == 0)
        {
          if (idx)
            *idx = i;
          return m;
        }
    }
  return NULL;
}

static bool
dest_taken (json_object *mounts, json_object *tmpfs, const char *dst)
{
  return mount_at (mounts, dst, NULL) != NULL || (tmpfs && json_object_object_get_ex (tmpfs, dst, NULL));
}

/* One --volumes-from CTR[:ro|rw|z]: the container's binds and volumes
   (volumes shared, not copied), at destinations no -v, --mount or --tmpfs
   took; a later --volumes-from wins over an earlier one. A mode replaces
   the options (podman's rule: :rw makes a read-only source writable). */
static int
volumes_from (struct pc_engine *e, const char *arg, char *const *user_dests, json_object *mounts,
              json_object *tmpfs, pc_error **err)
{
  const char *colon = strchr (arg, ':');
  pc_autofree char *ref = colon ? xstrndup (arg, (size_t) (colon - arg)) : xstrdup (arg);
  int mode = -1;   /* -1 keep, 0 ro, 1 rw */
  if (colon)
    {
      pc_autofree char *opts = xstrdup (colon + 1);
      bool set_z = false;
      char *save = NULL;
      for (char *t = strtok_r (opts, ",", &save); t; t = strtok_r (NULL, ",", &save))
        {
          if (strcmp (t, "z") == 0)
            {
              if (set_z)
                return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "cannot set :z more than once in mount options");
              set_z = true;
            }
          else if (strcmp (t, "ro") == 0 || strcmp (t, "rw") == 0)
            {
              if (mode != -1)
                return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "cannot set ro or rw options more than once");
              mode = t[1] == 'w';
            }
          else
            return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                                   "invalid option \"%s\" specified - volumes from another container can only use z,ro,rw options", t);
        }
    }
  pc_autocontainer struct pc_container *c = NULL;
  if (pc_engine_lookup (e, ref, &c, err) < 0)
    return pc_error_wrap (err, "looking up container \"%s\" for volumes-from", ref);
  json_object *theirs = pc_json_get_array (c->rec, "Mounts");
  for (size_t i = 0; i < pc_json_array_len (theirs); i++)
    {
      json_object *m = pc_json_array_object_at (theirs, i);
      const char *type = pc_json_get_string (m, "Type");
      const char *dst = pc_json_get_string (m, "Destination");
      if (m == NULL || type == NULL || dst == NULL
          || (strcmp (type, "volume") != 0 && strcmp (type, "bind") != 0))
        continue;
      if (strv_has (user_dests, dst) || (tmpfs && json_object_object_get_ex (tmpfs, dst, NULL)))
        continue;
      /* The record is a file: what it says goes into our spec only if it
         is something -v could have said. */
      const char *prop = pc_json_get_string (m, "Propagation");
      if (prop && *prop && !eng_mount_propagation_valid (prop))
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "container %s: the mount on %s has an invalid propagation in its record", ref, dst);
      json_object *copy = NULL;
      if (json_object_deep_copy (m, &copy, NULL) < 0 || copy == NULL)
        return pc_error_make (err, ENOMEM, "copy the mounts of %s", ref);
      json_object_object_del (copy, ANON_KEY);
      /* A devpts instance (recorded as podman's "bind" of "devpts") keeps
         its own options: ro/rw and rbind mean nothing to it. */
      if (mode != -1 && !eng_mount_is_devpts (m))
        {
          bool vol = strcmp (type, "volume") == 0;
          json_object *oa = json_object_new_array ();
          if (vol)
            {
              json_object_array_add (oa, json_object_new_string ("nosuid"));
              json_object_array_add (oa, json_object_new_string ("nodev"));
            }
          json_object_array_add (oa, json_object_new_string ("rbind"));
          json_object_object_add (copy, "Options", oa);
          json_object_object_add (copy, "RW", json_object_new_boolean (mode == 1));
        }
      size_t at;
      if (mount_at (mounts, dst, &at))
        json_object_array_put_idx (mounts, at, copy);
      else
        json_object_array_add (mounts, copy);
    }
  return 0;
}

/* HostConfig.Binds gets the entries added after the flags were parsed
   (--volumes-from, image volumes): Mounts from index `from` on. */
static void
append_binds (json_object *mounts, size_t from, json_object *hc)
{
  json_object *binds = pc_json_get_array (hc, "Binds");
  if (binds == NULL)
    {
      binds = json_object_new_array ();
      json_object_object_add (hc, "Binds", binds);
    }
  for (size_t i = from; i < pc_json_array_len (mounts); i++)
    {
      json_object *m = pc_json_array_object_at (mounts, i);
      const char *type = pc_json_get_string (m, "Type") ?: "";
      if (strcmp (type, "volume") == 0)
        json_object_array_add (binds, string_take (volume_bind_string (m)));
      else if (strcmp (type, "bind") == 0)
        {
          json_object *o = pc_json_get_array (m, "Options");
          pc_autofree char *s = xasprintf ("%s:%s:%s,%s", pc_json_get_string (m, "Source") ?: "",
                                           pc_json_get_string (m, "Destination") ?: "",
                                           pc_json_get_bool (m, "RW", true) ? "rw" : "ro",
                                           pc_json_get_string (m, "Propagation") ?: "rprivate");
          for (size_t k = 0; k < pc_json_array_len (o); k++)
            {
              char *t = xasprintf ("%s,%s", s, pc_json_array_string_at (o, k) ?: "");
              free (s);
              s = t;
            }
          json_object_array_add (binds, json_object_new_string (s));
        }
    }
}

int
eng_volumes_attach (struct pc_engine *e, const struct pc_create_opts *o, json_object *img_config,
                    json_object *rec, pc_error **err)
{
  json_object *mounts = pc_json_get_array (rec, "Mounts");
  json_object *hc = pc_json_get_object (rec, "HostConfig");
  if (mounts == NULL || hc == NULL)
    return 0;
  json_object *tmpfs = pc_json_get_object (hc, "Tmpfs");
  bool changed = false;
  pc_autostrv char **user_dests = NULL;
  for (size_t i = 0; i < pc_json_array_len (mounts); i++)
    pc_strv_append (&user_dests, pc_json_get_string (pc_json_array_object_at (mounts, i), "Destination") ?: "");
  for (char **v = o->volumes_from; v && *v; v++)
    {
      if (volumes_from (e, *v, user_dests, mounts, tmpfs, err) < 0)
        return -1;
      changed = true;
    }
  /* The image's VOLUMEs: an anonymous volume each, where nothing else is
     mounted (podman's lowest precedence). */
  json_object *ivols = pc_json_get_object (pc_json_get_object (img_config, "config"), "Volumes");
  if (ivols)
    {
      json_object_object_foreach (ivols, path, unused)
        {
          (void) unused;
          if (path[0] != '/')
            continue;
          pc_autofree char *dst = eng_mount_clean_path (path);
          if (dest_taken (mounts, tmpfs, dst))
            continue;
          pc_autofree char *name = eng_volume_random_name (err);
          if (name == NULL)
            return -1;
          eng_volume_mount_record (name, true, dst, false, NULL, NULL, mounts, NULL);
          changed = true;
        }
      json_object *cfg = pc_json_get_object (rec, "Config");
      json_object *copy = NULL;
      if (cfg && json_object_deep_copy (ivols, &copy, NULL) == 0)
        json_object_object_add (cfg, "Volumes", copy);
    }
  /* -v and --mount made one Binds string per Mounts entry; volumes-from
     never replaces those (it skips their destinations). */
  if (changed)
    append_binds (mounts, pc_strv_len (user_dests), hc);

  for (size_t i = 0; i < pc_json_array_len (mounts); i++)
    {
      json_object *m = pc_json_array_object_at (mounts, i);
      if (strcmp (pc_json_get_string (m, "Type") ?: "", "volume") != 0)
        continue;
      const char *name = pc_json_get_string (m, "Name");
      if (name == NULL)
        continue;
      bool anon = pc_json_get_bool (m, ANON_KEY, false);
      pc_autojson json_object *v = NULL;
      if (eng_volume_lookup (e, name, &v, err) < 0)
        {
          if (pc_error_class_of (*err) != PC_ERR_NOT_FOUND)
            return -1;
          pc_error_clear (err);
          struct pc_volume_create_opts vo = { .name = name, .ignore = true, .anonymous = anon };
          if (pc_engine_volume_create (e, &vo, &v, err) < 0)
            return -1;
        }
      json_object_object_add (m, "Source", json_object_new_string (pc_json_get_string (v, "Mountpoint") ?: ""));
      json_object_object_del (m, ANON_KEY);
    }
  return 0;
}

void
eng_volumes_annotate (struct pc_engine *e, json_object *rec, json_object *spec)
{
  json_object *mounts = pc_json_get_array (rec, "Mounts");
  json_object *list = json_object_new_array ();
  for (size_t i = 0; i < pc_json_array_len (mounts); i++)
    {
      json_object *m = pc_json_array_object_at (mounts, i);
      if (strcmp (pc_json_get_string (m, "Type") ?: "", "volume") != 0)
        continue;
      bool nocopy = false;
      json_object *oa = pc_json_get_array (m, "Options");
      for (size_t k = 0; k < pc_json_array_len (oa); k++)
        if (strcmp (pc_json_array_string_at (oa, k) ?: "", "nocopy") == 0)
          nocopy = true;
      const char *name = pc_json_get_string (m, "Name") ?: "";
      json_object *j = json_object_new_object ();
      json_object_object_add (j, "name", json_object_new_string (name));
      json_object_object_add (j, "dir", string_take (xasprintf ("%s/volumes/%s", e->root_dir, name)));
      json_object_object_add (j, "dest", json_object_new_string (pc_json_get_string (m, "Destination") ?: "/"));
      json_object_object_add (j, "nocopy", json_object_new_boolean (nocopy));
      json_object_array_add (list, j);
    }
  json_object *ann = pc_json_get_object (spec, "annotations");
  if (ann && pc_json_array_len (list) > 0)
    json_object_object_add (ann, VOLUMES_ANNOTATION,
                            json_object_new_string (json_object_to_json_string_ext (
                              list, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)));
  json_object_put (list);
}

static bool
dir_is_empty (int dfd)
{
  int fd = openat (dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return false;
  pc_autoclosedir DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return false;
    }
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      return false;
  return true;
}

/* tmpfs or bind volumes (volume create --opt type=...): their device
   mounted on _data in the monitor's mount namespace, as podman mounts them
   on the host, and the container binds _data as for any volume. */
static int
mount_typed (json_object *vrec, const char *name, int data_fd, pc_error **err)
{
  json_object *opts = pc_json_get_object (vrec, "Options");
  const char *type = pc_json_get_string (opts, "type");
  if (type == NULL || *type == '\0' || strcmp (type, "none") == 0)
    return 0;
  const char *device = pc_json_get_string (opts, "device");
  const char *o = pc_json_get_string (opts, "o");
  char target[64];
  snprintf (target, sizeof target, "/proc/self/fd/%d", data_fd);
  unsigned long flags = 0;
  pc_autofree char *data = NULL;
  /* mount(8)'s flag words become flags, the rest the filesystem's data. */
  if (o && *o)
    {
      pc_autofree char *copy = xstrdup (o);
      char *save = NULL;
      for (char *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save))
        {
          if (strcmp (t, "ro") == 0)
            flags |= MS_RDONLY;
          else if (strcmp (t, "nosuid") == 0)
            flags |= MS_NOSUID;
          else if (strcmp (t, "nodev") == 0)
            flags |= MS_NODEV;
          else if (strcmp (t, "noexec") == 0)
            flags |= MS_NOEXEC;
          else if (strcmp (t, "bind") == 0 || strcmp (t, "rbind") == 0 || strcmp (t, "rw") == 0)
            ;
          else
            {
              char *n = data ? xasprintf ("%s,%s", data, t) : xstrdup (t);
              free (data);
              data = n;
            }
        }
    }
  int r;
  if (strcmp (type, "tmpfs") == 0)
    r = mount ("tmpfs", target, "tmpfs", flags, data);
  else if (strcmp (type, "bind") == 0 && device && *device == '/')
    {
      /* By fds: the clone gets its flags before it is attached onto _data
         (a remount through /proc/self/fd/N would reach the covered _data,
         not the new mount, and fail). */
      pc_autoclose int tfd = open_tree (AT_FDCWD, device, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
      struct mount_attr attr = {
        .attr_set = ((flags & MS_RDONLY) ? MOUNT_ATTR_RDONLY : 0) | ((flags & MS_NOSUID) ? MOUNT_ATTR_NOSUID : 0)
                    | ((flags & MS_NODEV) ? MOUNT_ATTR_NODEV : 0) | ((flags & MS_NOEXEC) ? MOUNT_ATTR_NOEXEC : 0),
      };
      r = tfd < 0 ? -1 : 0;
      if (r == 0 && attr.attr_set)
        r = mount_setattr (tfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr);
      if (r == 0)
        r = move_mount (tfd, "", data_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
    }
  else
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "volume %s: cannot mount type=%s", name, type);
  if (r < 0)
    return pc_error_errno (err, errno, "mount volume %s (type=%s)", name, type);
  return 1;
}

/* First mount: _data gets the owner and mode of the directory it covers
   (or the container's user), and an empty volume the image's content
   there (podman's NeedsChown and NeedsCopyUp, each done once). */
static int
prepare_one (json_object *j, int rootfd, uid_t uid, gid_t gid, pc_error **err)
{
  const char *name = pc_json_get_string (j, "name") ?: "";
  const char *dir = pc_json_get_string (j, "dir");
  const char *dest = pc_json_get_string (j, "dest") ?: "/";
  if (dir == NULL)
    return 0;
  pc_autofree char *parent = xstrdup (dir);
  char *slash = strrchr (parent, '/');
  if (slash == NULL)
    return 0;
  *slash = '\0';
  pc_autoclose int pfd = open (parent, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (pfd < 0)
    return pc_error_errno (err, errno, "open `%s`", parent);
  int lk = pc_lock_open (pfd, ".lock", true, err);
  if (lk < 0)
    return -1;
  int ret = -1;
  pc_autoclose int vfd = openat (pfd, slash + 1, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  pc_autoclose int dfd = vfd >= 0 ? openat (vfd, "_data", O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
  pc_autojson json_object *vrec = NULL;
  pc_autoclose int sfd = -1;
  if (dfd < 0)
    {
      pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "volume %s is gone: no such volume", name);
      goto out;
    }
  vrec = pc_json_read_file_max (vfd, "volume.json", 1024 * 1024, err);
  if (vrec == NULL || !json_object_is_type (vrec, json_type_object))
    {
      if (vrec)
        pc_error_makec (err, PC_ERR_INVALID, EINVAL, "volume %s: volume.json is not an object", name);
      goto out;
    }
  int typed = mount_typed (vrec, name, dfd, err);
  if (typed < 0)
    goto out;
  if (typed)
    {
      ret = 0;
      goto out;
    }
  bool save = false;
  struct stat dst_st;
  sfd = pc_safe_openat (rootfd, dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK, 0, err);
  if (sfd < 0)
    pc_error_clear (err);   /* nothing there: nothing to copy or match */
  if (sfd >= 0 && fstat (sfd, &dst_st) < 0)
    {
      close (sfd);
      sfd = -1;
    }
  if (pc_json_get_bool (vrec, "NeedsChown", true))
    {
      json_object *u = NULL, *g = NULL;
      uid_t cu = json_object_object_get_ex (vrec, "UID", &u) ? (uid_t) json_object_get_int64 (u) : uid;
      gid_t cg = json_object_object_get_ex (vrec, "GID", &g) ? (gid_t) json_object_get_int64 (g) : gid;
      if (sfd >= 0 && S_ISDIR (dst_st.st_mode) && u == NULL && g == NULL)
        {
          cu = dst_st.st_uid;
          cg = dst_st.st_gid;
          (void) !fchmod (dfd, dst_st.st_mode & 07777);
        }
      if (fchown (dfd, cu, cg) < 0)
        pc_warn ("volume %s: chown to %u:%u: %s", name, (unsigned) cu, (unsigned) cg, strerror (errno));
      json_object_object_add (vrec, "NeedsChown", json_object_new_boolean (false));
      save = true;
    }
  bool nocopy = pc_json_get_bool (j, "nocopy", false)
                || json_object_object_get_ex (pc_json_get_object (vrec, "Options"), "nocopy", NULL);
  if (!nocopy && pc_json_get_bool (vrec, "NeedsCopyUp", true) && sfd >= 0 && S_ISDIR (dst_st.st_mode)
      && !dir_is_empty (sfd))
    {
      /* Done once, as podman: later mounts keep what the volume holds. */
      json_object_object_add (vrec, "NeedsCopyUp", json_object_new_boolean (false));
      save = true;
      if (dir_is_empty (dfd))
        {
          struct cp_ctx x = { .owner = OWNER_SOURCE, .overwrite = true };
          if (eng_cp_copy_tree (&x, sfd, &dst_st, dfd, NULL, 0, err) < 0)
            {
              pc_error_wrap (err, "copy the image's %s into volume %s", dest, name);
              goto out;
            }
          pc_debug ("volume %s: copied up %s", name, dest);
        }
    }
  if (save && pc_json_write_file_atomic (vfd, "volume.json", vrec, 0600, err) < 0)
    goto out;
  ret = 0;
out:
  pc_unlock (lk);
  return ret;
}

int
eng_volumes_prepare (json_object *spec, const char *root, pc_error **err)
{
  const char *a = pc_json_get_string (pc_json_get (spec, "annotations"), VOLUMES_ANNOTATION);
  if (a == NULL)
    return 0;
  pc_autojson json_object *list = pc_json_parse (a, strlen (a), err);
  if (list == NULL)
    return pc_error_wrap (err, "annotation " VOLUMES_ANNOTATION);
  json_object *user = pc_json_get (pc_json_get (spec, "process"), "user");
  uid_t uid = (uid_t) pc_json_get_int (user, "uid", 0);
  gid_t gid = (gid_t) pc_json_get_int (user, "gid", 0);
  pc_autoclose int rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return pc_error_errno (err, errno, "open the container's root `%s`", root);
  for (size_t i = 0; i < pc_json_array_len (list); i++)
    {
      json_object *j = pc_json_array_object_at (list, i);
      if (j && prepare_one (j, rootfd, uid, gid, err) < 0)
        return -1;
    }
  return 0;
}

/* The names of the volumes rec mounts. */
static bool
rec_uses (json_object *rec, const char *name)
{
  json_object *mounts = pc_json_get_array (rec, "Mounts");
  for (size_t i = 0; i < pc_json_array_len (mounts); i++)
    {
      json_object *m = pc_json_array_object_at (mounts, i);
      if (strcmp (pc_json_get_string (m, "Type") ?: "", "volume") == 0
          && strcmp (pc_json_get_string (m, "Name") ?: "", name) == 0)
        return true;
    }
  return false;
}

int
eng_volume_users (struct pc_engine *e, const char *name, char ***ids, size_t *running, pc_error **err)
{
  struct pc_container **v = NULL;
  size_t n = 0;
  if (ids)
    *ids = NULL;
  if (running)
    *running = 0;
  if (pc_engine_list (e, &v, &n, err) < 0)
    return -1;
  size_t users = 0;
  for (size_t i = 0; i < n; i++)
    if (rec_uses (v[i]->rec, name))
      {
        users++;
        if (ids)
          pc_strv_append (ids, v[i]->id);
        if (running && (v[i]->state.status == PC_STATUS_RUNNING || v[i]->state.status == PC_STATUS_PAUSED))
          (*running)++;
      }
  pc_container_list_free (v, n);
  return (int) users;
}

int
pc_engine_container_remove_volumes (struct pc_engine *e, json_object *rec, pc_error **err)
{
  json_object *mounts = pc_json_get_array (rec, "Mounts");
  for (size_t i = 0; i < pc_json_array_len (mounts); i++)
    {
      json_object *m = pc_json_array_object_at (mounts, i);
      const char *name = pc_json_get_string (m, "Name");
      if (strcmp (pc_json_get_string (m, "Type") ?: "", "volume") != 0 || name == NULL)
        continue;
      pc_autojson json_object *v = NULL;
      pc_autoerror pc_error *lerr = NULL;
      if (eng_volume_lookup (e, name, &v, &lerr) < 0 || !pc_json_get_bool (v, "Anonymous", false))
        continue;
      pc_autoerror pc_error *rerr = NULL;
      /* One another container still uses (--volumes-from) stays. */
      if (pc_engine_volume_remove (e, name, false, -1, &rerr) < 0)
        {
          enum pc_error_class k = pc_error_class_of (rerr);
          if (k == PC_ERR_IN_USE || k == PC_ERR_NOT_FOUND)
            continue;
          *err = steal_pointer (&rerr);
          return pc_error_wrap (err, "remove anonymous volume %s", name);
        }
    }
  return 0;
}

/* Counts each volume's users in one pass over the containers: MountCount
   is the running ones; the number of all of them rides along as the
   object's userdata (not part of its JSON) for the dangling= filter. */
int
eng_volumes_usage (struct pc_engine *e, json_object *vols, pc_error **err)
{
  struct pc_container **v = NULL;
  size_t n = 0;
  if (pc_engine_list (e, &v, &n, err) < 0)
    return -1;
  size_t nv = json_object_is_type (vols, json_type_array) ? pc_json_array_len (vols) : 1;
  for (size_t k = 0; k < nv; k++)
    {
      json_object *vol = json_object_is_type (vols, json_type_array) ? pc_json_array_object_at (vols, k) : vols;
      const char *name = pc_json_get_string (vol, "Name");
      if (name == NULL)
        continue;
      size_t users = 0, running = 0;
      for (size_t i = 0; i < n; i++)
        if (rec_uses (v[i]->rec, name))
          {
            users++;
            if (v[i]->state.status == PC_STATUS_RUNNING || v[i]->state.status == PC_STATUS_PAUSED)
              running++;
          }
      json_object_object_add (vol, "MountCount", json_object_new_int ((int) running));
      json_object_set_userdata (vol, (void *) (uintptr_t) (users + 1), NULL);
    }
  pc_container_list_free (v, n);
  return 0;
}

int
eng_volume_user_count (json_object *vol)
{
  uintptr_t u = (uintptr_t) json_object_get_userdata (vol);
  return u == 0 ? -1 : (int) (u - 1);
}
