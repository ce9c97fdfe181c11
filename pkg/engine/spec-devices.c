/* The container's devices in its spec: podman's default device policy
   (linux.resources.devices), --device nodes (linux.devices, or bind mounts
   of the host's nodes rootless), --device parsing, and the cgroup the
   device policy lives in. Split from spec.c. */
#include "pkg/engine/internal.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/rootless/rootless.h"
#include "pkg/runtime/runtime.h"

/* podman's default device policy (runc's and crun's list): every device is
   denied, then the usual nodes may be read and written and any node may be
   made (CAP_MKNOD allows mknod) but not opened. A node shipped in an image
   layer or made in the container is just that: a node nobody may open. */
static const struct
{
  char type;
  int64_t major, minor;   /* -1: any */
} default_devices[] = {
  { 'c', 1, 3 },     /* /dev/null */
  { 'c', 1, 5 },     /* /dev/zero */
  { 'c', 1, 7 },     /* /dev/full */
  { 'c', 1, 8 },     /* /dev/random */
  { 'c', 1, 9 },     /* /dev/urandom */
  { 'c', 5, 0 },     /* /dev/tty */
  { 'c', 5, 1 },     /* /dev/console */
  { 'c', 5, 2 },     /* /dev/ptmx */
  { 'c', 136, -1 },  /* /dev/pts/N */
  { 'c', 10, 200 },  /* /dev/net/tun: interfaces in the container's own netns */
};

static json_object *
dev_rule (bool allow, char type, int64_t major, int64_t minor, const char *access)
{
  json_object *r = json_object_new_object ();
  json_object_object_add (r, "allow", json_object_new_boolean (allow));
  if (type)
    {
      char t[2] = { type, '\0' };
      json_object_object_add (r, "type", json_object_new_string (t));
    }
  if (major >= 0)
    json_object_object_add (r, "major", json_object_new_int64 (major));
  if (minor >= 0)
    json_object_object_add (r, "minor", json_object_new_int64 (minor));
  json_object_object_add (r, "access", json_object_new_string (access));
  return r;
}

static bool
valid_device_mode (const char *m)
{
  if (*m == '\0' || strlen (m) > 3)
    return false;
  for (const char *c = m; *c; c++)
    if (strchr ("rwm", *c) == NULL || strchr (c + 1, *c) != NULL)
      return false;
  return true;
}

/* The host node of a --device, followed through symlinks as podman does. */
static int
stat_device (const char *host, struct stat *st, pc_error **err)
{
  if (stat (host, st) < 0)
    return pc_error_errnoc (err, errno == ENOENT ? PC_ERR_NOT_FOUND : PC_ERR_GENERIC, errno,
                            "stat %s", host);
  if (S_ISDIR (st->st_mode))
    return pc_error_makec (err, PC_ERR_UNSUPPORTED, ENOTSUP,
                           "--device %s: a directory of devices is not supported: name each device", host);
  if (!S_ISCHR (st->st_mode) && !S_ISBLK (st->st_mode))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "--device %s: not a device node", host);
  return 0;
}

json_object *
eng_device_parse (const char *arg, pc_error **err)
{
  /* HOST[:CONTAINER][:PERMS], podman's ParseDevice. */
  pc_autostrv char **part = NULL;
  pc_autofree char *copy = xstrdup (arg);
  size_t n = 0;
  for (char *p = copy, *c; ; p = c + 1)
    {
      c = strchr (p, ':');
      if (c)
        *c = '\0';
      pc_strv_append (&part, p);
      n++;
      if (c == NULL)
        break;
    }
  const char *host = part[0], *ctr = NULL, *perms = "rwm";
  if (n == 3)
    {
      if (!valid_device_mode (part[2]))
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid device mode: %s", part[2]), NULL;
      ctr = part[1];
      perms = part[2];
    }
  else if (n == 2)
    {
      if (valid_device_mode (part[1]))
        perms = part[1];
      else if (part[1][0] == '/')
        ctr = part[1];
      else
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid device mode: %s", part[1]), NULL;
    }
  else if (n != 1)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid device specification: %s", arg), NULL;
  if (ctr == NULL || *ctr == '\0')
    ctr = host;
  if (host[0] != '/' || ctr[0] != '/')
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid device specification %s: paths must be absolute", arg), NULL;
  if (strstr (ctr, "/../") || (strlen (ctr) >= 3 && strcmp (ctr + strlen (ctr) - 3, "/..") == 0)
      || ctr[strlen (ctr) - 1] == '/')
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid device path in the container: %s", ctr), NULL;
  struct stat st;
  if (stat_device (host, &st, err) < 0)
    return NULL;
  json_object *d = json_object_new_object ();
  json_object_object_add (d, "PathOnHost", json_object_new_string (host));
  json_object_object_add (d, "PathInContainer", json_object_new_string (ctr));
  json_object_object_add (d, "CgroupPermissions", json_object_new_string (perms));
  return d;
}

/* A rootful container is in no user namespace and the kernel lets it make
   and open nodes: the device policy is what stops it. A rootless one is
   (pc's own namespace): there the runtime cannot apply the policy, and
   needs none. */
static bool
spec_rootless (void)
{
  return geteuid () != 0 || pc_rootless_in_userns ();
}

/* The same cgroup that pause.c freezes on v2 (pc-ID at the top), so a pause
   never moves the container out of its device program; on v1 the devices
   hierarchy has its own pc/ID. */
char *
eng_spec_cgroups_path (const char *id)
{
  struct statfs sf;
  if (statfs ("/sys/fs/cgroup", &sf) == 0 && sf.f_type == 0x63677270 /* CGROUP2_SUPER_MAGIC */)
    return xasprintf ("/pc-%s", id);
  return xasprintf ("/pc/%s", id);
}

void
eng_spec_cgroup_remove (const char *id)
{
  pc_autofree char *p = eng_spec_cgroups_path (id);
  pc_runtime_cgroup_remove (p);
}

/* linux.resources.devices, linux.devices and (rootless) the bind mounts of
   --device nodes. */
int
eng_spec_devices (json_object *hc, json_object *linux_, json_object *mounts, pc_error **err)
{
  bool rootless = spec_rootless ();
  json_object *rules = json_object_new_array ();
  json_object *res = json_object_new_object ();
  json_object_object_add (res, "devices", rules);
  json_object_object_add (linux_, "resources", res);
  if (pc_json_get_bool (hc, "Privileged", false))
    json_object_array_add (rules, dev_rule (true, 0, -1, -1, "rwm"));
  else
    {
      json_object_array_add (rules, dev_rule (false, 0, -1, -1, "rwm"));
      json_object_array_add (rules, dev_rule (true, 'c', -1, -1, "m"));
      json_object_array_add (rules, dev_rule (true, 'b', -1, -1, "m"));
      for (size_t i = 0; i < sizeof default_devices / sizeof default_devices[0]; i++)
        json_object_array_add (rules, dev_rule (true, default_devices[i].type, default_devices[i].major,
                                                default_devices[i].minor, "rwm"));
    }
  json_object *devs = pc_json_get_array (hc, "Devices");
  json_object *nodes = json_object_new_array ();
  json_object_object_add (linux_, "devices", nodes);
  for (size_t i = 0; i < pc_json_array_len (devs); i++)
    {
      json_object *d = pc_json_array_object_at (devs, i);
      const char *host = pc_json_get_string (d, "PathOnHost");
      const char *ctr = pc_json_get_string (d, "PathInContainer");
      const char *perms = pc_json_get_string (d, "CgroupPermissions");
      if (host == NULL || ctr == NULL)
        continue;
      struct stat st;
      if (stat_device (host, &st, err) < 0)
        return -1;
      char type = S_ISBLK (st.st_mode) ? 'b' : 'c';
      json_object_array_add (rules, dev_rule (true, type, major (st.st_rdev), minor (st.st_rdev),
                                              perms && valid_device_mode (perms) ? perms : "rwm"));
      if (rootless)
        {
          /* No mknod in a user namespace: the host's node, bound (podman
             does the same); the user must be allowed to open it. */
          static const char *const dev_bind_o[] = { "bind", "rprivate", "nosuid", "noexec", NULL };
          eng_spec_add_mount (mounts, ctr, "bind", host, dev_bind_o);
          continue;
        }
      json_object *n = json_object_new_object ();
      char t[2] = { type, '\0' };
      json_object_object_add (n, "path", json_object_new_string (ctr));
      json_object_object_add (n, "type", json_object_new_string (t));
      json_object_object_add (n, "major", json_object_new_int64 (major (st.st_rdev)));
      json_object_object_add (n, "minor", json_object_new_int64 (minor (st.st_rdev)));
      json_object_object_add (n, "fileMode", json_object_new_int (st.st_mode & 0777));
      json_object_object_add (n, "uid", json_object_new_int64 (st.st_uid));
      json_object_object_add (n, "gid", json_object_new_int64 (st.st_gid));
      json_object_array_add (nodes, n);
    }
  return 0;
}
