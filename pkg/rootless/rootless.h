/* Everything about running as an unprivileged user: subordinate id ranges,
   id mappings, entering pc's user namespace, and the prerequisite checks.

   Terms: "host" ids are ids of the initial user namespace. "pc namespace" is
   the user namespace an unprivileged pc enters once per invocation: its 0 is
   the invoking user, its 1..N the user's subuid ranges. */
#ifndef PC_PKG_ROOTLESS_H
#define PC_PKG_ROOTLESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "lib/error.h"

/* ---- id mappings ---- */

struct pc_idmap_entry
{
  uint32_t container_id, host_id, size;
};

#define PC_IDMAP_MAX 16

struct pc_idmap
{
  struct pc_idmap_entry uid[PC_IDMAP_MAX];
  size_t n_uid;
  struct pc_idmap_entry gid[PC_IDMAP_MAX];
  size_t n_gid;
};

/* geteuid() != 0 and not already inside pc's namespace. */
bool pc_rootless_is_rootless (void);
/* True when this process runs inside a pc user namespace (entered by this
   process or inherited from a parent pc: env _PC_USERNS=1 and a uid_map
   that is not the initial namespace's). */
bool pc_rootless_in_userns (void);
/* This process has joined a pc user namespace another process made (a
   monitor's, from the initial namespace): pc_rootless_in_userns is true
   from now on, though it said false before the join. */
void pc_rootless_joined (void);
/* The invoking user's uid/gid on the host: getuid() outside, the host id
   behind container 0 inside pc's namespace. */
uid_t pc_rootless_host_uid (void);
gid_t pc_rootless_host_gid (void);

/* The invoking user's name (NULL when the uid has no passwd entry); cached. */
const char *pc_rootless_user_name (void);

/* Default rootless mapping, host-relative: 0 = the user, 1..N = the subuid /
   subgid ranges. Without ranges or without newuidmap/newgidmap: the single-id
   mapping (0 = the user only) and one warning per process saying what is lost
   and how to fix it. Inside pc's namespace: the namespace's current mapping.
   As root (rootful): the identity mapping of the whole id space. */
int pc_rootless_default_idmap (struct pc_idmap *map, pc_error **err);

/* Enter pc's user namespace (+ a private mount namespace whose mounts do not
   propagate back to the host) in the CALLING process with the default mapping.
   newuidmap and newgidmap run concurrently from two forked helpers that wait
   until we have unshared. No-op when root or already inside. Afterwards
   getuid() == getgid() == 0 with full capabilities in the namespace, and env
   _PC_USERNS=1 tells children (and nested pc invocations) they are inside. */
int pc_rootless_enter (pc_error **err);

/* Write the maps of process `pid` (which has just unshared/cloned a new user
   namespace). From inside pc's namespace or as root, host ids are relative to
   the caller's namespace and /proc/PID/{uid,gid}_map are written directly;
   an unprivileged caller outside uses newuidmap/newgidmap (concurrently). */
int pc_rootless_write_idmap (pid_t pid, const struct pc_idmap *map, pc_error **err);

/* podman's --userns keep-id, nested inside pc's namespace: container uid/gid
   `uid`/`gid` = pc-namespace 0 (the user on the host), container 0..uid-1 =
   pc-namespace 1..uid, container uid+1.. = the rest. `outer` is pc's mapping
   (host-relative, as from pc_rootless_current_idmap); the result is relative
   to pc's namespace, ready for pc_rootless_write_idmap from inside. Files the
   container writes as `uid` belong to the user on the host. */
int pc_rootless_keepid_idmap (uid_t uid, gid_t gid, const struct pc_idmap *outer,
                              struct pc_idmap *map, pc_error **err);

/* podman's --uidmap/--gidmap "container:host:size" (repeatable). Host ids are
   relative to pc's namespace, as podman's are to its rootless namespace; a
   host id written "@N" is a host id of the initial namespace, translated
   through `outer`. With only --uidmap, the gid mapping is the same. Checks
   ranges for overlaps and against `outer`'s size. */
int pc_idmap_parse_entry (const char *spec, struct pc_idmap_entry *out, bool *host_absolute,
                          pc_error **err);
int pc_rootless_explicit_idmap (char *const *uidmaps, char *const *gidmaps,
                                const struct pc_idmap *outer, struct pc_idmap *map,
                                pc_error **err);

/* The mapping of the calling process's user namespace, read from
   /proc/self/{uid,gid}_map (container ids of this namespace -> ids of its parent). */
int pc_rootless_current_idmap (struct pc_idmap *map, pc_error **err);

/* Number of ids covered (sum of sizes). */
uint64_t pc_idmap_size (const struct pc_idmap_entry *e, size_t n);
/* Maps a container id through entries; returns false when unmapped. */
bool pc_idmap_to_host (const struct pc_idmap_entry *e, size_t n, uint32_t id, uint32_t *host);
/* "0 1000 1\n1 100000 65536\n", the uid_map file format; malloc'd. */
char *pc_idmap_format (const struct pc_idmap_entry *e, size_t n);
/* "0:1:1000:1000:0:1:1001:1001:64536": the entries joined with ':', the value
   of fuse-overlayfs's uidmapping=/gidmapping= options. For a nested namespace
   (keep-id, --uidmap) over an image extracted in pc's namespace, mounting the
   rootfs with fuse-overlayfs and these options makes a file owned by image id
   X appear as container id X (root-owned files stay root's): the kernel cannot
   idmap an overlay mount, and rootless pc cannot idmap the store's ext4/xfs. */
char *pc_idmap_fuse_mapping (const struct pc_idmap_entry *e, size_t n);

/* ---- /etc/subuid and /etc/subgid ---- */

struct pc_subid_range
{
  uint32_t start, count;
};

#define PC_SUBID_MAX (PC_IDMAP_MAX - 1)

struct pc_subid_ranges
{
  struct pc_subid_range r[PC_SUBID_MAX];
  size_t n;
};

/* /etc/subuid (gid: /etc/subgid), or $PC_SUBUID_FILE / $PC_SUBGID_FILE, a
   test and diagnostic override (newuidmap still checks the real files). */
const char *pc_subid_path (bool gid);

/* Parses the "owner:start:count" format; owner is a user name or a numeric
   uid. Ranges of `user` / `uid` in file order; overlapping ranges are merged,
   zero-size and malformed lines skipped. Every skipped or odd line appends a
   message "PATH:LINE: ..." to *warnings (may be NULL). Never fails. */
void pc_subid_parse (const char *buf, size_t len, const char *path, const char *user,
                     uid_t uid, struct pc_subid_ranges *out, char ***warnings);
/* Reads and parses a file, printing the warnings with pc_warn. A missing file
   is no error: *out is empty and *missing (may be NULL) is set. */
int pc_subid_read (const char *path, const char *user, uid_t uid,
                   struct pc_subid_ranges *out, bool *missing, pc_error **err);

/* ---- prerequisite checks: `pc system check`, `pc info` ---- */

enum pc_check_status
{
  PC_CHECK_PASS = 0,
  PC_CHECK_WARN = 1,  /* pc runs without it, with less */
  PC_CHECK_FAIL = 2,  /* needed */
};

/* Runs every probe. Returns a JSON array of
   {"Name","Status":"pass"|"warn"|"fail","Value","Message","Fix"} objects
   (Fix empty when nothing to do). `store_dir` is where pc keeps its store (the
   overlay probe runs on its filesystem; created if missing); NULL = default. */
json_object *pc_rootless_check (const char *store_dir, pc_error **err);
/* The worst status in a check array. */
enum pc_check_status pc_rootless_check_worst (json_object *checks);

/* Small facts for `pc info`'s host section. */
/* "overlayfs", "ext2/ext3", "tmpfs", ... for the filesystem holding path. */
const char *pc_fs_type_name (const char *path);
/* 1 or 2; 0 when unknown. */
int pc_cgroup_version (void);

#endif
