/* --userns, --uidmap/--gidmap, --subuidname/--subgidname and --group-add:
   which user namespace a container gets (docs/userns.md).

   pc's own user namespace (rootless: 0 = the user, 1..N = the subuids) is
   where the store's files are owned: an image file of id X is pc-namespace
   id X on disk. A default container runs in it. keep-id, nomap, auto and an
   explicit map give the container a user namespace of its own, nested in
   pc's; its map is relative to pc's namespace (as podman's are to its
   rootless one), written by the runtime, which is root there. The image's
   files are then shown through fuse-overlayfs with the same map
   (pc_rootfs_mount_shift), so they keep their image ids in the container and
   nothing is copied or chowned. */
#include "pkg/engine/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/lock.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/rootless/rootless.h"
#include "pkg/storage/storage.h"

#define AUTO_MIN_SIZE 1024
#define NOBODY_ID 65534

static bool
is_rootful (void)
{
  return geteuid () == 0 && !pc_rootless_in_userns ();
}

static bool
parse_num (const char *s, uint32_t *out)
{
  if (*s < '0' || *s > '9')
    return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull (s, &end, 10);
  if (errno || *end || v > UINT32_MAX - 1)
    return false;
  *out = (uint32_t) v;
  return true;
}

/* "uid=N,gid=N" for keep-id, "size=N" for auto; `allowed` lists the keys. */
static int
parse_mode_opts (const char *mode, const char *opts, const char *const *allowed, uint32_t *vals,
                 bool *set, pc_error **err)
{
  pc_autofree char *copy = xstrdup (opts);
  char *save = NULL;
  for (char *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save))
    {
      char *eq = strchr (t, '=');
      size_t k;
      for (k = 0; allowed[k]; k++)
        if (eq && (size_t) (eq - t) == strlen (allowed[k]) && strncmp (t, allowed[k], strlen (allowed[k])) == 0)
          break;
      if (allowed[k] == NULL)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "unknown option \"%s\" for --userns=%s", t, mode);
      if (!parse_num (eq + 1, &vals[k]))
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid value \"%s\" for --userns=%s option %s",
                               eq + 1, mode, allowed[k]);
      set[k] = true;
    }
  return 0;
}

/* The mode's name ("keep-id", "auto", ...) and its options after ':'. */
static int
split_mode (const char *s, char **name, const char **opts, pc_error **err)
{
  const char *colon = strchr (s, ':');
  *name = colon ? xstrndup (s, (size_t) (colon - s)) : xstrdup (s);
  *opts = colon ? colon + 1 : "";
  static const char *const modes[] = { "", "host", "private", "keep-id", "nomap", "auto", NULL };
  for (const char *const *m = modes; *m; m++)
    if (strcmp (*name, *m) == 0)
      {
        if (*opts[0] && strcmp (*name, "keep-id") != 0 && strcmp (*name, "auto") != 0)
          break;
        return 0;
      }
  free (*name);
  *name = NULL;
  if (strncmp (s, "ns:", 3) == 0 || strcmp (s, "container") == 0 || strncmp (s, "container:", 10) == 0)
    return pc_error_makec (err, PC_ERR_UNSUPPORTED, EINVAL, "--userns=%s is not supported by pc", s);
  return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "unrecognized namespace mode %s passed", s);
}

int
eng_userns_check (const struct pc_create_opts *o, json_object *hc, pc_error **err)
{
  bool maps = (o->uidmap && o->uidmap[0]) || (o->gidmap && o->gidmap[0]) || o->subuidname || o->subgidname;
  const char *mode = o->userns ? o->userns : "";
  if (maps && *mode)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "--userns and --uidmap/--gidmap/--subuidname/--subgidname are mutually exclusive");
  pc_autofree char *name = NULL;
  const char *opts;
  if (split_mode (mode, &name, &opts, err) < 0)
    return -1;
  if (strcmp (name, "keep-id") == 0)
    {
      static const char *const keys[] = { "uid", "gid", NULL };
      uint32_t v[2];
      bool set[2] = { false, false };
      if (parse_mode_opts (name, opts, keys, v, set, err) < 0)
        return -1;
    }
  else if (strcmp (name, "auto") == 0)
    {
      static const char *const keys[] = { "size", NULL };
      uint32_t v[1];
      bool set[1] = { false };
      if (parse_mode_opts (name, opts, keys, v, set, err) < 0)
        return -1;
      if (set[0] && v[0] == 0)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "--userns=auto: size must be at least 1");
    }
  if ((strcmp (name, "keep-id") == 0 || strcmp (name, "nomap") == 0) && is_rootful ())
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s is only supported in rootless mode", name);
  for (char **s = o->uidmap; s && *s; s++)
    {
      struct pc_idmap_entry e;
      bool abs;
      if (pc_idmap_parse_entry (*s, &e, &abs, err) < 0)
        return pc_error_set_class (err, PC_ERR_INVALID), pc_error_wrap (err, "--uidmap");
    }
  for (char **s = o->gidmap; s && *s; s++)
    {
      struct pc_idmap_entry e;
      bool abs;
      if (pc_idmap_parse_entry (*s, &e, &abs, err) < 0)
        return pc_error_set_class (err, PC_ERR_INVALID), pc_error_wrap (err, "--gidmap");
    }
  bool keep_groups = false;
  json_object *ga = json_object_new_array ();
  for (char **g = o->group_add; g && *g; g++)
    {
      keep_groups |= strcmp (*g, "keep-groups") == 0;
      json_object_array_add (ga, json_object_new_string (*g));
    }
  json_object_object_add (hc, "GroupAdd", ga);
  if (keep_groups && json_object_array_length (ga) > 1)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "the '--group-add keep-groups' option is not allowed with any other --group-add options");
  json_object_object_add (hc, "UsernsMode", json_object_new_string (maps ? "private" : mode));
  return 0;
}

static json_object *
map_strings (const struct pc_idmap_entry *e, size_t n)
{
  json_object *a = json_object_new_array ();
  for (size_t i = 0; i < n; i++)
    {
      char buf[48];
      snprintf (buf, sizeof buf, "%" PRIu32 ":%" PRIu32 ":%" PRIu32, e[i].container_id, e[i].host_id, e[i].size);
      json_object_array_add (a, json_object_new_string (buf));
    }
  return a;
}

static bool
parse_map_string (const char *s, struct pc_idmap_entry *e)
{
  return sscanf (s, "%" SCNu32 ":%" SCNu32 ":%" SCNu32, &e->container_id, &e->host_id, &e->size) == 3;
}

/* The largest id the image's /etc/passwd and /etc/group name (nobody left
   out, as containers/storage does), + 1. */
static uint32_t
image_id_span (const struct pc_rootfs_mount *m)
{
  uint32_t top = 0;
  static const char *const files[] = { "etc/passwd", "etc/group", NULL };
  for (size_t f = 0; files[f]; f++)
    {
      pc_autofree char *text = eng_image_etc_file (m, files[f]);
      for (char *save = NULL, *line = text ? strtok_r (text, "\n", &save) : NULL; line;
           line = strtok_r (NULL, "\n", &save))
        {
          char *p = line;
          for (int k = 0; k < 2 && p; k++)
            p = strchr (p, ':') ? strchr (p, ':') + 1 : NULL;
          for (int k = 0; k < (f == 0 ? 2 : 1) && p; k++)
            {
              uint32_t id;
              char *end = strchr (p, ':');
              pc_autofree char *field = end ? xstrndup (p, (size_t) (end - p)) : xstrdup (p);
              if (parse_num (field, &id) && id < NOBODY_ID && id + 1 > top)
                top = id + 1;
              p = end ? end + 1 : NULL;
            }
        }
    }
  return top;
}

/* auto: the lowest free run of `size` ids in [lo, hi) that no other auto
   container holds (their records' IDMappings), under DATA/userns.lock so
   two creates cannot pick the same. */
static int
pick_auto_range (struct pc_engine *e, uint32_t lo, uint64_t hi, uint32_t size, uint32_t *start,
                 int *lock_fd, pc_error **err)
{
  int dfd = open (e->data_dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (dfd < 0)
    return pc_error_errno (err, errno, "open `%s`", e->data_dir);
  *lock_fd = pc_lock_open (dfd, "userns.lock", true, err);
  close (dfd);
  if (*lock_fd < 0)
    return -1;
  /* The records as they are: pc_engine_list would collect this create's
     own directory (its lock is ours, so it looks abandoned). */
  int cfd = dup (e->ctr_dfd);
  pc_autoclosedir DIR *d = cfd >= 0 ? fdopendir (cfd) : NULL;
  if (d == NULL)
    {
      if (cfd >= 0)
        close (cfd);
      return pc_error_errno (err, errno, "read the containers directory");
    }
  rewinddir (d);
  size_t cap = 64, nu = 0;
  struct pc_idmap_entry *used = xmalloc (cap * sizeof *used);
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (de->d_name[0] == '.' || strlen (de->d_name) != 64)
        continue;
      pc_autofree char *rp = xasprintf ("%s/container.json", de->d_name);
      pc_autoerror pc_error *rerr = NULL;
      pc_autojson json_object *rec = pc_json_read_file (e->ctr_dfd, rp, &rerr);
      json_object *hc = rec ? pc_json_get (rec, "HostConfig") : NULL;
      const char *mode = pc_json_get_string (hc, "UsernsMode");
      if (mode == NULL || strncmp (mode, "auto", 4) != 0)
        continue;
      json_object *um = pc_json_get (pc_json_get (hc, "IDMappings"), "UidMap");
      for (size_t k = 0; k < pc_json_array_len (um) && k < PC_IDMAP_MAX; k++)
        {
          if (nu == cap)
            used = xrealloc (used, (cap *= 2) * sizeof *used);
          if (pc_json_array_string_at (um, k) && parse_map_string (pc_json_array_string_at (um, k), &used[nu]))
            nu++;
        }
    }
  uint64_t cand = lo;
  for (bool moved = true; moved;)
    {
      moved = false;
      for (size_t k = 0; k < nu; k++)
        if (cand < (uint64_t) used[k].host_id + used[k].size && (uint64_t) used[k].host_id < cand + size)
          {
            cand = (uint64_t) used[k].host_id + used[k].size;
            moved = true;
          }
    }
  free (used);
  if (cand + size > hi)
    return pc_error_makec (err, PC_ERR_PERMISSION, ENOSPC,
                           "could not find enough available IDs: --userns=auto needs %u free ids and "
                           "the subordinate range has ids %u-%" PRIu64 " (other auto containers hold some)",
                           (unsigned) size, (unsigned) lo, hi - 1);
  *start = (uint32_t) cand;
  return 0;
}

/* --subuidname/--subgidname: the named ranges as "0:@START:COUNT" maps. */
static char **
subid_maps (const char *name, bool gid, pc_error **err)
{
  struct pc_subid_ranges r;
  if (pc_subid_read (pc_subid_path (gid), name, (uid_t) -1, &r, NULL, err) < 0)
    return NULL;
  if (r.n == 0)
    {
      pc_error_makec (err, PC_ERR_INVALID, ENOENT, "cannot find mappings for %s \"%s\" in %s",
                      gid ? "group" : "user", name, pc_subid_path (gid));
      return NULL;
    }
  char **v = NULL;
  uint32_t next = 0;
  for (size_t i = 0; i < r.n; i++)
    {
      pc_autofree char *s = xasprintf ("%u:@%u:%u", (unsigned) next, (unsigned) r.r[i].start, (unsigned) r.r[i].count);
      pc_strv_append (&v, s);
      next += r.r[i].count;
    }
  return v;
}

int
eng_userns_plan (struct pc_engine *e, json_object *rec, const struct pc_rootfs_mount *m,
                 struct eng_userns *ns, const struct pc_create_opts *o, pc_error **err)
{
  memset (ns, 0, sizeof *ns);
  ns->lock_fd = -1;
  json_object *hc = pc_json_get (rec, "HostConfig");
  const char *mode = pc_json_get_string (hc, "UsernsMode");
  pc_autofree char *name = NULL;
  const char *opts = "";
  if (split_mode (mode ? mode : "", &name, &opts, err) < 0)
    return -1;
  json_object *ga = pc_json_get (hc, "GroupAdd");
  ns->keep_groups = pc_json_array_len (ga) == 1 && strcmp (pc_json_array_string_at (ga, 0), "keep-groups") == 0;

  struct pc_idmap outer;
  if (pc_rootless_default_idmap (&outer, err) < 0)
    return -1;
  uint64_t tu = pc_idmap_size (outer.uid, outer.n_uid), tg = pc_idmap_size (outer.gid, outer.n_gid);
  if (strcmp (name, "keep-id") == 0)
    {
      static const char *const keys[] = { "uid", "gid", NULL };
      uint32_t v[2];
      bool set[2] = { false, false };
      if (parse_mode_opts (name, opts, keys, v, set, err) < 0)
        return -1;
      ns->keep_id = true;
      ns->uid = set[0] ? v[0] : pc_rootless_host_uid ();
      ns->gid = set[1] ? v[1] : pc_rootless_host_gid ();
      if (pc_rootless_keepid_idmap (ns->uid, ns->gid, &outer, &ns->map, err) < 0)
        return pc_error_set_class (err, PC_ERR_INVALID), -1;
    }
  else if (strcmp (name, "nomap") == 0)
    {
      /* Every id but pc's 0 (the user): container 0.. = the subuids. */
      if (tu < 2 || tg < 2)
        return pc_error_makec (err, PC_ERR_PERMISSION, EINVAL,
                               "--userns=nomap needs subordinate ids: see \"pc system check\"");
      ns->map.uid[0] = (struct pc_idmap_entry) { 0, 1, (uint32_t) (tu - 1) };
      ns->map.gid[0] = (struct pc_idmap_entry) { 0, 1, (uint32_t) (tg - 1) };
      ns->map.n_uid = ns->map.n_gid = 1;
    }
  else if (strcmp (name, "auto") == 0)
    {
      static const char *const keys[] = { "size", NULL };
      uint32_t v[1];
      bool set[1] = { false };
      if (parse_mode_opts (name, opts, keys, v, set, err) < 0)
        return -1;
      uint32_t size = set[0] ? v[0] : image_id_span (m);
      if (!set[0] && size < AUTO_MIN_SIZE)
        size = AUTO_MIN_SIZE;
      uint32_t lo = 1;
      uint64_t hi = tu < tg ? tu : tg;
      struct pc_subid_ranges r;
      if (is_rootful ())
        {
          /* As podman: the ranges of the user "containers" in /etc/subuid. */
          if (pc_subid_read (pc_subid_path (false), "containers", (uid_t) -1, &r, NULL, err) < 0)
            return -1;
          if (r.n == 0)
            return pc_error_makec (err, PC_ERR_PERMISSION, ENOENT,
                                   "--userns=auto as root needs a range for the user \"containers\" in %s "
                                   "(usermod --add-subuids 2147483647-2147549183 containers)",
                                   pc_subid_path (false));
          lo = r.r[0].start;
          hi = (uint64_t) r.r[0].start + r.r[0].count;
        }
      uint32_t start = 0;
      if (pick_auto_range (e, lo, hi, size, &start, &ns->lock_fd, err) < 0)
        return -1;
      ns->map.uid[0] = (struct pc_idmap_entry) { 0, start, size };
      ns->map.gid[0] = ns->map.uid[0];
      ns->map.n_uid = ns->map.n_gid = 1;
    }
  else if ((o->uidmap && o->uidmap[0]) || (o->gidmap && o->gidmap[0]) || o->subuidname || o->subgidname)
    {
      pc_autostrv char **us = o->subuidname ? subid_maps (o->subuidname, false, err) : NULL;
      if (o->subuidname && us == NULL)
        return -1;
      pc_autostrv char **gs = o->subgidname ? subid_maps (o->subgidname, true, err) : NULL;
      if (o->subgidname && gs == NULL)
        return -1;
      if (pc_rootless_explicit_idmap (us ? us : o->uidmap, gs ? gs : o->gidmap, &outer, &ns->map, err) < 0)
        return pc_error_set_class (err, PC_ERR_INVALID), -1;
    }
  else
    return 0;  /* "", host, private: pc's own namespace (rootful: none) */

  ns->nested = true;
  json_object *idm = json_object_new_object ();
  json_object_object_add (idm, "UidMap", map_strings (ns->map.uid, ns->map.n_uid));
  json_object_object_add (idm, "GidMap", map_strings (ns->map.gid, ns->map.n_gid));
  json_object_object_add (hc, "IDMappings", idm);
  /* keep-id: the process runs as the user unless -u says otherwise (podman). */
  json_object *cfg = pc_json_get (rec, "Config");
  if (ns->keep_id && (o->user == NULL || *o->user == '\0'))
    {
      pc_autofree char *u = xasprintf ("%u:%u", (unsigned) ns->uid, (unsigned) ns->gid);
      json_object_object_add (cfg, "User", json_object_new_string (u));
    }
  return 0;
}

void
eng_userns_clear (struct eng_userns *ns)
{
  pc_unlock (ns->lock_fd);
  ns->lock_fd = -1;
}

int
eng_userns_shift_rootfs (const struct eng_userns *ns, struct pc_rootfs_mount *m, pc_error **err)
{
  if (!ns->nested)
    return 0;
  pc_autofree char *um = pc_idmap_fuse_mapping (ns->map.uid, ns->map.n_uid);
  pc_autofree char *gm = pc_idmap_fuse_mapping (ns->map.gid, ns->map.n_gid);
  return pc_rootfs_mount_shift (m, um, gm, err);
}

/* --group-add GID|NAME: appended to the process's groups; a name must be in
   the image's /etc/group (podman's message otherwise). */
int
eng_userns_groups (json_object *rec, const struct pc_rootfs_mount *m, struct eng_user *u,
                   pc_error **err)
{
  json_object *ga = pc_json_get (pc_json_get (rec, "HostConfig"), "GroupAdd");
  pc_autofree char *group = NULL;
  for (size_t i = 0; i < pc_json_array_len (ga); i++)
    {
      const char *g = pc_json_array_string_at (ga, i);
      if (g == NULL || strcmp (g, "keep-groups") == 0)
        continue;
      uint32_t gid;
      bool found = parse_num (g, &gid);
      if (!found)
        {
          if (group == NULL)
            group = eng_image_etc_file (m, "etc/group");
          pc_autofree char *copy = group ? xstrdup (group) : NULL;
          for (char *save = NULL, *line = copy ? strtok_r (copy, "\n", &save) : NULL; line && !found;
               line = strtok_r (NULL, "\n", &save))
            {
              char *c1 = strchr (line, ':');
              char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
              if (c2 == NULL)
                continue;
              *c1 = '\0';
              char *c3 = strchr (c2 + 1, ':');
              if (c3)
                *c3 = '\0';
              if (strcmp (line, g) == 0 && parse_num (c2 + 1, &gid))
                found = true;
            }
        }
      if (!found)
        return pc_error_makec (err, PC_ERR_CANNOT_INVOKE, ENOENT,
                               "looking up supplemental groups for container: Unable to find group %s: "
                               "no matching entries in group file", g);
      bool dup = false;
      for (size_t k = 0; k < u->n_groups; k++)
        dup |= u->groups[k] == gid;
      if (!dup && u->n_groups < sizeof u->groups / sizeof *u->groups)
        u->groups[u->n_groups++] = gid;
    }
  return 0;
}

static bool
has_id (const char *text, uint32_t id)
{
  pc_autofree char *copy = text ? xstrdup (text) : NULL;
  for (char *save = NULL, *line = copy ? strtok_r (copy, "\n", &save) : NULL; line;
       line = strtok_r (NULL, "\n", &save))
    {
      char *c1 = strchr (line, ':');
      char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      if (c2 == NULL)
        continue;
      char *c3 = strchr (c2 + 1, ':');
      pc_autofree char *field = c3 ? xstrndup (c2 + 1, (size_t) (c3 - c2 - 1)) : xstrdup (c2 + 1);
      uint32_t v;
      if (parse_num (field, &v) && v == id)
        return true;
    }
  return false;
}

static int
write_etc (struct pc_engine *e, const char *id, const char *name, const char *base,
           const char *line, json_object *spec, pc_error **err)
{
  size_t bl = base ? strlen (base) : 0;
  pc_autofree char *text = xasprintf ("%s%s%s", base ? base : "", bl && base[bl - 1] != '\n' ? "\n" : "", line);
  pc_autofree char *rel = xasprintf ("%s/%s", id, name);
  if (eng_write_volatile (e->ctr_dfd, rel, text, strlen (text), err) < 0)
    return -1;
  pc_autofree char *src = xasprintf ("%s/containers/%s/%s", e->data_dir, id, name);
  pc_autofree char *dst = xasprintf ("/etc/%s", name);
  json_object *mo = json_object_new_object ();
  json_object_object_add (mo, "destination", json_object_new_string (dst));
  json_object_object_add (mo, "type", json_object_new_string ("bind"));
  json_object_object_add (mo, "source", json_object_new_string (src));
  json_object *op = json_object_new_array ();
  json_object_array_add (op, json_object_new_string ("bind"));
  json_object_array_add (op, json_object_new_string ("rprivate"));
  json_object_object_add (mo, "options", op);
  json_object_array_add (pc_json_get (spec, "mounts"), mo);
  return 0;
}

int
eng_userns_spec (struct pc_engine *e, const char *id, const struct eng_userns *ns,
                 const struct pc_rootfs_mount *m, json_object *spec, pc_error **err)
{
  json_object *lnx = pc_json_get (spec, "linux");
  if (ns->keep_groups)
    json_object_object_add (pc_json_get (spec, "annotations"), "run.oci.keep_original_groups",
                            json_object_new_string ("1"));
  if (!ns->nested)
    return 0;
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "type", json_object_new_string ("user"));
  json_object_array_add (pc_json_get (lnx, "namespaces"), o);
  const struct { const char *key; const struct pc_idmap_entry *e; size_t n; } maps[] = {
    { "uidMappings", ns->map.uid, ns->map.n_uid }, { "gidMappings", ns->map.gid, ns->map.n_gid },
  };
  for (size_t k = 0; k < 2; k++)
    {
      json_object *a = json_object_new_array ();
      for (size_t i = 0; i < maps[k].n; i++)
        {
          json_object *x = json_object_new_object ();
          json_object_object_add (x, "containerID", json_object_new_int64 (maps[k].e[i].container_id));
          json_object_object_add (x, "hostID", json_object_new_int64 (maps[k].e[i].host_id));
          json_object_object_add (x, "size", json_object_new_int64 (maps[k].e[i].size));
          json_object_array_add (a, x);
        }
      json_object_object_add (lnx, maps[k].key, a);
    }
  if (!ns->keep_id)
    return 0;
  /* keep-id: a passwd and a group entry for the user when the image has
     none, in copies bound over the image's (podman's entries). */
  pc_autofree char *passwd = eng_image_etc_file (m, "etc/passwd");
  pc_autofree char *group = eng_image_etc_file (m, "etc/group");
  const char *hname = pc_rootless_host_uid () == ns->uid ? pc_rootless_user_name () : NULL;
  pc_autofree char *uname = hname ? xstrdup (hname) : xasprintf ("%u", (unsigned) ns->uid);
  if (!has_id (passwd, ns->uid))
    {
      pc_autofree char *line = xasprintf ("%s:*:%u:%u:%s:/:/bin/sh\n", uname, (unsigned) ns->uid,
                                          (unsigned) ns->gid, hname ? "" : "container user");
      if (write_etc (e, id, "passwd", passwd, line, spec, err) < 0)
        return -1;
    }
  if (!has_id (group, ns->gid))
    {
      struct group *gr = pc_rootless_host_gid () == ns->gid ? getgrgid (ns->gid) : NULL;
      pc_autofree char *gname = gr ? xstrdup (gr->gr_name) : xasprintf ("%u", (unsigned) ns->gid);
      pc_autofree char *line = xasprintf ("%s:x:%u:%s\n", gname, (unsigned) ns->gid, uname);
      if (write_etc (e, id, "group", group, line, spec, err) < 0)
        return -1;
    }
  json_object_object_add (spec, "mounts", eng_mounts_by_depth (pc_json_get (spec, "mounts")));
  return 0;
}
