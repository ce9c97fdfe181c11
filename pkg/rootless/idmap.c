/* Id mappings: the default rootless one (as podman builds it), keep-id,
   explicit --uidmap/--gidmap, and reading the current namespace's maps. */
#include "pkg/rootless/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/xalloc.h"

uint64_t
pc_idmap_size (const struct pc_idmap_entry *e, size_t n)
{
  uint64_t t = 0;
  for (size_t i = 0; i < n; i++)
    t += e[i].size;
  return t;
}

bool
pc_idmap_to_host (const struct pc_idmap_entry *e, size_t n, uint32_t id, uint32_t *host)
{
  for (size_t i = 0; i < n; i++)
    if (id >= e[i].container_id && (uint64_t) id < (uint64_t) e[i].container_id + e[i].size)
      {
        *host = e[i].host_id + (id - e[i].container_id);
        return true;
      }
  return false;
}

char *
pc_idmap_format (const struct pc_idmap_entry *e, size_t n)
{
  size_t cap = n * 36 + 1, len = 0;
  char *s = xmalloc (cap);
  s[0] = '\0';
  for (size_t i = 0; i < n; i++)
    len += (size_t) snprintf (s + len, cap - len, "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n",
                              e[i].container_id, e[i].host_id, e[i].size);
  return s;
}

char *
pc_idmap_fuse_mapping (const struct pc_idmap_entry *e, size_t n)
{
  size_t cap = n * 36 + 1, len = 0;
  char *s = xmalloc (cap);
  s[0] = '\0';
  for (size_t i = 0; i < n; i++)
    len += (size_t) snprintf (s + len, cap - len, "%s%" PRIu32 ":%" PRIu32 ":%" PRIu32, i ? ":" : "",
                              e[i].container_id, e[i].host_id, e[i].size);
  return s;
}

const char *
pc_rootless_user_name (void)
{
  static bool done;
  static char *name;
  if (!done)
    {
      struct passwd *pw = getpwuid (pc_rootless_host_uid ());
      name = pw ? xstrdup (pw->pw_name) : NULL;
      done = true;
    }
  return name;
}

static bool
find_helper_uncached (const char *name, char *out)
{
  const char *path = getenv ("PATH");
  pc_autofree char *dirs = xasprintf ("%s:/usr/bin:/usr/sbin:/bin:/sbin", path ? path : "");
  char *save = NULL;
  for (char *d = strtok_r (dirs, ":", &save); d; d = strtok_r (NULL, ":", &save))
    {
      if (*d != '/')
        continue;
      if ((size_t) snprintf (out, PATH_MAX, "%s/%s", d, name) >= PATH_MAX)
        continue;
      if (access (out, X_OK) == 0)
        return true;
    }
  out[0] = '\0';
  return false;
}

/* Remembered for the process: entering the namespace looks newuidmap and
   newgidmap up twice (the mapping's check, then the spawn), each a walk of
   $PATH with access(). */
bool
pc_rootless_find_helper (const char *name, char *out)
{
  static struct
  {
    char *name;
    char *path;  /* NULL: not found */
  } seen[4];
  for (size_t i = 0; i < sizeof seen / sizeof *seen && seen[i].name; i++)
    if (strcmp (seen[i].name, name) == 0)
      {
        snprintf (out, PATH_MAX, "%s", seen[i].path ? seen[i].path : "");
        return seen[i].path != NULL;
      }
  bool found = find_helper_uncached (name, out);
  for (size_t i = 0; i < sizeof seen / sizeof *seen; i++)
    if (seen[i].name == NULL)
      {
        seen[i].name = xstrdup (name);
        seen[i].path = found ? xstrdup (out) : NULL;
        break;
      }
  return found;
}

/* 0 = the user, then the ranges from container id 1 on. A range holding the
   user's own id is split around it: the kernel refuses a host id twice. */
static void
fill_ranges (struct pc_idmap_entry *e, size_t *n, uint32_t self, const struct pc_subid_ranges *r)
{
  uint32_t next = 1;
  e[0] = (struct pc_idmap_entry) { 0, self, 1 };
  *n = 1;
  for (size_t i = 0; i < r->n && *n < PC_IDMAP_MAX; i++)
    {
      uint32_t s = r->r[i].start, c = r->r[i].count;
      if (self >= s && (uint64_t) self < (uint64_t) s + c)
        {
          if (self > s && *n < PC_IDMAP_MAX)
            {
              e[(*n)++] = (struct pc_idmap_entry) { next, s, self - s };
              next += self - s;
            }
          c = (uint32_t) ((uint64_t) s + c - self - 1);
          s = self + 1;
          if (c == 0)
            continue;
        }
      if (*n < PC_IDMAP_MAX)
        {
          e[(*n)++] = (struct pc_idmap_entry) { next, s, c };
          next += c;
        }
    }
}

static char *
fallback_text (const char *user, uid_t uid, gid_t gid, bool no_uid, bool no_gid,
               const char *missing_helpers)
{
  const char *upath = pc_subid_path (false), *gpath = pc_subid_path (true);
  pc_autofree char *who = user ? xasprintf ("user \"%s\"", user) : xasprintf ("uid %u", (unsigned) uid);
  const char *uname = user ? user : "USER";
  pc_autofree char *cause = NULL;
  pc_autofree char *fix = NULL;
  if (missing_helpers)
    {
      cause = xasprintf ("%s not found (or not executable) in $PATH, /usr/bin or /usr/sbin", missing_helpers);
      fix = xstrdup ("install them (Debian/Ubuntu: \"apt-get install uidmap\", Fedora: \"dnf install shadow-utils\")");
    }
  else
    {
      uint32_t us = pc_subid_suggest_start ("/etc/subuid"), gs = pc_subid_suggest_start ("/etc/subgid");
      pc_autofree char *ufix = xasprintf ("\"usermod --add-subuids %u-%u %s\"", us, us + 65535, uname);
      pc_autofree char *gfix = xasprintf ("\"usermod --add-subgids %u-%u %s\"", gs, gs + 65535, uname);
      if (no_uid && no_gid)
        {
          cause = xasprintf ("there is no range for %s in %s and %s", who, upath, gpath);
          fix = xasprintf ("ask an administrator to run %s and %s", ufix, gfix);
        }
      else
        {
          cause = xasprintf ("%s has no range for %s", no_uid ? upath : gpath, who);
          fix = xasprintf ("ask an administrator to run %s", no_uid ? ufix : gfix);
        }
    }
  return xasprintf ("%s: using a single-id user namespace (only uid %u and gid %u, as root): "
                    "images and containers that use other users or groups will fail "
                    "(chown, files owned by other ids); to fix, %s, or see \"pc system check\"",
                    cause, (unsigned) uid, (unsigned) gid, fix);
}

int
pc_rootless_compute_default (struct pc_idmap *map, bool *single, char **why, pc_error **err)
{
  uid_t uid = getuid ();
  gid_t gid = getgid ();
  const char *user = pc_rootless_user_name ();
  struct pc_subid_ranges ur, gr;

  *single = false;
  *why = NULL;
  if (pc_subid_read (pc_subid_path (false), user, uid, &ur, NULL, err) < 0)
    return -1;
  if (pc_subid_read (pc_subid_path (true), user, uid, &gr, NULL, err) < 0)
    return -1;

  char path[PATH_MAX];
  bool have_u = pc_rootless_find_helper ("newuidmap", path);
  bool have_g = pc_rootless_find_helper ("newgidmap", path);
  const char *missing = !have_u && !have_g ? "newuidmap and newgidmap"
                        : !have_u ? "newuidmap" : !have_g ? "newgidmap" : NULL;

  if (ur.n == 0 || gr.n == 0 || missing)
    {
      *single = true;
      *why = fallback_text (user, uid, gid, ur.n == 0, gr.n == 0, missing);
      map->uid[0] = (struct pc_idmap_entry) { 0, uid, 1 };
      map->gid[0] = (struct pc_idmap_entry) { 0, gid, 1 };
      map->n_uid = map->n_gid = 1;
      return 0;
    }
  fill_ranges (map->uid, &map->n_uid, uid, &ur);
  fill_ranges (map->gid, &map->n_gid, gid, &gr);
  return 0;
}

void
pc_rootless_warn_single (const char *why)
{
  static bool warned;
  if (!warned)
    pc_warn ("%s", why);
  warned = true;
}

int
pc_rootless_default_idmap (struct pc_idmap *map, pc_error **err)
{
  memset (map, 0, sizeof *map);
  if (pc_rootless_in_userns ())
    return pc_rootless_current_idmap (map, err);
  if (geteuid () == 0)
    {
      map->uid[0] = (struct pc_idmap_entry) { 0, 0, UINT32_MAX };
      map->gid[0] = (struct pc_idmap_entry) { 0, 0, UINT32_MAX };
      map->n_uid = map->n_gid = 1;
      return 0;
    }
  bool single;
  pc_autofree char *why = NULL;
  if (pc_rootless_compute_default (map, &single, &why, err) < 0)
    return -1;
  if (single)
    pc_rootless_warn_single (why);
  return 0;
}

static int
read_map_file (const char *path, struct pc_idmap_entry *e, size_t *n, pc_error **err)
{
  pc_autofclose FILE *f = fopen (path, "re");
  if (f == NULL)
    return pc_error_errno (err, errno, "open `%s`", path);
  *n = 0;
  uint32_t a, b, c;
  while (fscanf (f, "%" SCNu32 " %" SCNu32 " %" SCNu32, &a, &b, &c) == 3)
    {
      if (*n >= PC_IDMAP_MAX)
        return pc_error_make (err, E2BIG, "`%s` has more than %d lines", path, PC_IDMAP_MAX);
      e[(*n)++] = (struct pc_idmap_entry) { a, b, c };
    }
  return 0;
}

int
pc_rootless_current_idmap (struct pc_idmap *map, pc_error **err)
{
  memset (map, 0, sizeof *map);
  if (read_map_file ("/proc/self/uid_map", map->uid, &map->n_uid, err) < 0)
    return -1;
  return read_map_file ("/proc/self/gid_map", map->gid, &map->n_gid, err);
}

/* keep-id for one kind of id: `id` -> 0 (the user), 0..id-1 -> 1..id, the
   rest -> itself. Ids beyond the outer namespace stay unmapped. */
static int
keepid_one (uint32_t id, uint64_t total, struct pc_idmap_entry *e, size_t *n,
            const char *what, pc_error **err)
{
  if (total == 0)
    return pc_error_make (err, EINVAL, "keep-id: pc's user namespace maps no %ss", what);
  if (total == 1)
    {
      /* Single-id namespace: only the user exists; root stays unmapped. */
      e[0] = (struct pc_idmap_entry) { id, 0, 1 };
      *n = 1;
      return 0;
    }
  if ((uint64_t) id >= total)
    return pc_error_make (err, EINVAL,
                          "keep-id: %s %u is outside the %" PRIu64 " ids of pc's user namespace "
                          "(needs a subordinate range larger than %u, see \"pc system check\")",
                          what, (unsigned) id, total, (unsigned) id);
  *n = 0;
  if (id > 0)
    e[(*n)++] = (struct pc_idmap_entry) { 0, 1, id };
  e[(*n)++] = (struct pc_idmap_entry) { id, 0, 1 };
  if ((uint64_t) id + 1 < total)
    e[(*n)++] = (struct pc_idmap_entry) { id + 1, id + 1, (uint32_t) (total - id - 1) };
  return 0;
}

int
pc_rootless_keepid_idmap (uid_t uid, gid_t gid, const struct pc_idmap *outer,
                          struct pc_idmap *map, pc_error **err)
{
  memset (map, 0, sizeof *map);
  if (keepid_one (uid, pc_idmap_size (outer->uid, outer->n_uid), map->uid, &map->n_uid, "uid", err) < 0)
    return -1;
  return keepid_one (gid, pc_idmap_size (outer->gid, outer->n_gid), map->gid, &map->n_gid, "gid", err);
}

static bool
parse_u32 (const char *s, const char **end, uint32_t *out)
{
  if (*s < '0' || *s > '9')
    return false;
  char *e;
  errno = 0;
  unsigned long long v = strtoull (s, &e, 10);
  if (errno || v > UINT32_MAX)
    return false;
  *out = (uint32_t) v;
  *end = e;
  return true;
}

int
pc_idmap_parse_entry (const char *spec, struct pc_idmap_entry *out, bool *host_absolute,
                      pc_error **err)
{
  const char *p = spec;
  uint32_t v[3];
  *host_absolute = false;
  for (int i = 0; i < 3; i++)
    {
      if (i == 1 && *p == '@')
        {
          *host_absolute = true;
          p++;
        }
      if (!parse_u32 (p, &p, &v[i]) || *p != (i < 2 ? ':' : '\0'))
        return pc_error_make (err, EINVAL,
                              "invalid mapping \"%s\": expected CONTAINER_ID:HOST_ID:SIZE", spec);
      if (i < 2)
        p++;
    }
  if (v[2] == 0)
    return pc_error_make (err, EINVAL, "invalid mapping \"%s\": size must be at least 1", spec);
  if ((uint64_t) v[0] + v[2] > UINT32_MAX || (uint64_t) v[1] + v[2] > UINT32_MAX)
    return pc_error_make (err, EINVAL, "invalid mapping \"%s\": range goes past the largest id", spec);
  *out = (struct pc_idmap_entry) { v[0], v[1], v[2] };
  return 0;
}

static bool
overlaps (uint32_t a, uint32_t an, uint32_t b, uint32_t bn)
{
  return (uint64_t) a < (uint64_t) b + bn && (uint64_t) b < (uint64_t) a + an;
}

/* Appends one parsed entry, translating "@host" ids into pc-namespace ids. */
static int
add_explicit (const char *spec, const struct pc_idmap_entry *outer, size_t n_outer,
              struct pc_idmap_entry *e, size_t *n, pc_error **err)
{
  struct pc_idmap_entry ent;
  bool absolute;
  if (pc_idmap_parse_entry (spec, &ent, &absolute, err) < 0)
    return -1;
  uint64_t total = pc_idmap_size (outer, n_outer);
  if (!absolute)
    {
      if ((uint64_t) ent.host_id + ent.size > total)
        return pc_error_make (err, EINVAL,
                              "invalid mapping \"%s\": pc's user namespace has only %" PRIu64
                              " ids (0-%" PRIu64 "); host ids are relative to it",
                              spec, total, total ? total - 1 : 0);
      if (*n >= PC_IDMAP_MAX)
        return pc_error_make (err, E2BIG, "too many id mappings (at most %d)", PC_IDMAP_MAX);
      e[(*n)++] = ent;
      return 0;
    }
  /* Walk the host range through the outer entries, which may split it. */
  uint32_t cid = ent.container_id, hid = ent.host_id, left = ent.size;
  while (left > 0)
    {
      size_t i;
      for (i = 0; i < n_outer; i++)
        if (hid >= outer[i].host_id && (uint64_t) hid < (uint64_t) outer[i].host_id + outer[i].size)
          break;
      if (i == n_outer)
        return pc_error_make (err, EINVAL,
                              "invalid mapping \"%s\": host id %u is not mapped into pc's user namespace",
                              spec, (unsigned) hid);
      uint32_t off = hid - outer[i].host_id;
      uint32_t chunk = outer[i].size - off < left ? outer[i].size - off : left;
      if (*n >= PC_IDMAP_MAX)
        return pc_error_make (err, E2BIG, "too many id mappings (at most %d)", PC_IDMAP_MAX);
      e[(*n)++] = (struct pc_idmap_entry) { cid, outer[i].container_id + off, chunk };
      cid += chunk;
      hid += chunk;
      left -= chunk;
    }
  return 0;
}

static int
check_disjoint (const struct pc_idmap_entry *e, size_t n, const char *flag, pc_error **err)
{
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      {
        if (overlaps (e[i].container_id, e[i].size, e[j].container_id, e[j].size))
          return pc_error_make (err, EINVAL, "%s: container ranges %u:%u and %u:%u overlap", flag,
                                (unsigned) e[i].container_id, (unsigned) e[i].size,
                                (unsigned) e[j].container_id, (unsigned) e[j].size);
        if (overlaps (e[i].host_id, e[i].size, e[j].host_id, e[j].size))
          return pc_error_make (err, EINVAL, "%s: host ranges %u:%u and %u:%u overlap", flag,
                                (unsigned) e[i].host_id, (unsigned) e[i].size,
                                (unsigned) e[j].host_id, (unsigned) e[j].size);
      }
  return 0;
}

int
pc_rootless_explicit_idmap (char *const *uidmaps, char *const *gidmaps,
                            const struct pc_idmap *outer, struct pc_idmap *map, pc_error **err)
{
  memset (map, 0, sizeof *map);
  bool have_u = uidmaps && uidmaps[0], have_g = gidmaps && gidmaps[0];
  if (!have_u && !have_g)
    return pc_error_make (err, EINVAL, "no --uidmap or --gidmap given");
  /* As podman: one of the two alone applies to both. */
  char *const *us = have_u ? uidmaps : gidmaps;
  char *const *gs = have_g ? gidmaps : uidmaps;
  for (char *const *s = us; *s; s++)
    if (add_explicit (*s, outer->uid, outer->n_uid, map->uid, &map->n_uid, err) < 0)
      return pc_error_wrap (err, "--uidmap");
  for (char *const *s = gs; *s; s++)
    if (add_explicit (*s, outer->gid, outer->n_gid, map->gid, &map->n_gid, err) < 0)
      return pc_error_wrap (err, "--gidmap");
  if (check_disjoint (map->uid, map->n_uid, "--uidmap", err) < 0)
    return -1;
  return check_disjoint (map->gid, map->n_gid, "--gidmap", err);
}
