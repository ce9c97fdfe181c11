/* pkg/runtime: OCI spec parsing (mount options, namespaces, rlimits, caps). */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "lib/cleanup.h"
#include "pkg/runtime/internal.h"
#include "tests/unit/tap.h"

static json_object *
J (const char *s)
{
  json_object *o = json_tokener_parse (s);
  if (o == NULL)
    {
      printf ("# bad JSON in test: %s\n", s);
      exit (2);
    }
  return o;
}

static void
test_mount_options (void)
{
  struct rt_mount m = { 0 };
  pc_error *err = NULL;
  json_object *o = J ("[\"rbind\",\"ro\",\"nosuid\",\"nodev\",\"noexec\",\"rslave\",\"noatime\",\"size=64m\",\"mode=1777\",\"z\"]");
  is_int (rt_mount_parse_options (o, &m, &err), 0, "mount options parse");
  ok (m.bind && m.recursive, "rbind is a recursive bind");
  is_int (m.attr_set & (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC),
          MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
          "ro nosuid nodev noexec become mount attributes");
  is_int (m.attr_set & MOUNT_ATTR__ATIME, MOUNT_ATTR_NOATIME, "noatime");
  ok (m.atime_set, "atime mode recorded");
  is_int (m.propagation, MS_SLAVE, "rslave propagation");
  ok (m.prop_recursive, "rslave is recursive");
  ok (m.data && m.data[0] && m.data[1] && !m.data[2], "two filesystem options");
  is_str (m.data ? m.data[0] : NULL, "size=64m", "size goes to the filesystem");
  is_str (m.data ? m.data[1] : NULL, "mode=1777", "mode goes to the filesystem");
  pc_strv_free (m.data);
  json_object_put (o);

  struct rt_mount m2 = { 0 };
  o = J ("[\"ro\",\"rw\",\"tmpcopyup\",\"private\"]");
  rt_mount_parse_options (o, &m2, &err);
  is_int (m2.attr_set & MOUNT_ATTR_RDONLY, 0, "rw after ro wins");
  ok (m2.attr_clr & MOUNT_ATTR_RDONLY, "rw clears read-only");
  ok (m2.tmpcopyup, "tmpcopyup recorded");
  ok (!m2.prop_recursive && m2.propagation == MS_PRIVATE, "private is not recursive");
  ok (m2.data == NULL, "no filesystem options");
  json_object_put (o);
}

static const char *base_spec =
  "{\"process\":{\"args\":[\"sh\"],\"cwd\":\"/w\",\"env\":[\"A=1\"],"
  "\"user\":{\"uid\":1000,\"gid\":100,\"additionalGids\":[10,20],\"umask\":18},"
  "\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\"],\"effective\":[\"CAP_KILL\"]},"
  "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1024,\"hard\":4096}],"
  "\"noNewPrivileges\":true,\"oomScoreAdj\":100},"
  "\"root\":{\"path\":\"/r\",\"readonly\":true},\"hostname\":\"h\","
  "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
  "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv\",\"options\":[\"rbind\",\"ro\"]}],"
  "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"uts\"},"
  "{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"}],"
  "\"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[\"/proc/sys\"],"
  "\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}}}";

static void
test_spec (void)
{
  struct rt_spec s;
  pc_error *err = NULL;
  json_object *o = J (base_spec);
  is_int (rt_spec_parse (o, &s, &err), 0, "spec parses");
  if (err)
    printf ("# %s\n", err->msg);
  is_int (s.clone_flags, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS, "namespaces to create");
  is_int (s.n_join, 1, "one namespace joined by path");
  is_str (s.join[0].path, "/proc/1/ns/net", "join path");
  is_str (s.proc.args[0], "sh", "args");
  is_str (s.proc.cwd, "/w", "cwd");
  is_int (s.proc.uid, 1000, "uid");
  is_int (s.proc.gid, 100, "gid");
  is_int (s.proc.n_groups, 2, "additional gids");
  is_int (s.proc.umask, 18, "umask");
  is_int (s.proc.caps.bounding, (1 << 0) | (1 << 5), "bounding CAP_CHOWN|CAP_KILL");
  is_int (s.proc.caps.effective, 1 << 5, "effective CAP_KILL");
  is_int (s.proc.caps.permitted, 0, "missing set is empty");
  is_int (s.proc.n_rlimits, 1, "one rlimit");
  is_int (s.proc.rlimits[0].resource, RLIMIT_NOFILE, "RLIMIT_NOFILE");
  is_int (s.proc.rlimits[0].lim.rlim_max, 4096, "hard limit");
  ok (s.proc.no_new_privs, "noNewPrivileges");
  ok (s.proc.has_oom_score_adj && s.proc.oom_score_adj == 100, "oomScoreAdj");
  ok (s.root_readonly, "root.readonly");
  is_int (s.n_mounts, 2, "two mounts");
  ok (s.mounts[1].bind && s.mounts[1].recursive && (s.mounts[1].attr_set & MOUNT_ATTR_RDONLY), "ro rbind");
  is_str (s.sysctl[0], "net.ipv4.ip_forward=1", "sysctl");
  is_int (s.root_propagation, MS_SLAVE | MS_REC, "default root propagation is rslave");
  rt_spec_clear (&s);
  json_object_put (o);
}

static void
expect_error (const char *json, const char *needle, const char *what)
{
  struct rt_spec s;
  pc_error *err = NULL;
  json_object *o = J (json);
  int r = rt_spec_parse (o, &s, &err);
  ok (r < 0 && err && strstr (err->msg, needle), "%s", what);
  if (err)
    printf ("#   message: %s\n", err->msg);
  pc_error_free (err);
  rt_spec_clear (&s);
  json_object_put (o);
}

#define ROOT "\"root\":{\"path\":\"/r\"}"
#define NS "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}"

static void
test_errors (void)
{
  expect_error ("{\"process\":{\"args\":[]}," ROOT "," NS "}", "process.args must not be empty", "empty args");
  expect_error ("{\"process\":{\"args\":[\"x\"],\"rlimits\":[{\"type\":\"RLIMIT_BOGUS\"}]}," ROOT "," NS "}",
                "unknown rlimit `RLIMIT_BOGUS`", "unknown rlimit");
  expect_error ("{\"process\":{\"args\":[\"x\"],\"capabilities\":{\"bounding\":[\"CAP_NOPE\"]}}," ROOT "," NS "}",
                "unknown capability `CAP_NOPE`", "unknown capability");
  expect_error ("{\"process\":{\"args\":[\"x\"]}," ROOT ",\"linux\":{\"namespaces\":[{\"type\":\"pid\"}]}}",
                "needs a mount namespace", "mount namespace required");
  expect_error ("{\"process\":{\"args\":[\"x\"]}," ROOT ",\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"bogus\"}]}}",
                "unknown namespace type `bogus`", "unknown namespace");
  expect_error ("{\"process\":{\"args\":[\"x\"]}," ROOT ",\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"user\"}]}}",
                "uidMappings", "user namespace without mappings");
  expect_error ("{\"process\":{\"args\":[\"x\"]}," ROOT "," NS ",\"mounts\":[{\"destination\":\"rel\",\"type\":\"tmpfs\"}]}",
                "destination must be an absolute path", "relative mount destination");
  expect_error ("{\"process\":{\"args\":[\"x\"]}," ROOT "," NS ",\"mounts\":[{\"destination\":\"/a\",\"type\":\"bind\",\"source\":\"/b\",\"options\":[\"size=1\"]}]}",
                "unsupported option `size=1`", "filesystem option on a bind mount");
  expect_error ("{\"process\":{\"args\":[\"x\"]}," ROOT "," NS ",\"hostname\":\"h\"}",
                "uts namespace", "hostname without uts namespace");
}

/* root.path is a root its caller mounted, as for runc: the engine's
   annotation saying how it mounts it is not the runtime's to read. */
static void
test_rootfs_annotation_ignored (void)
{
  struct rt_spec s;
  pc_error *err = NULL;
  json_object *o = J ("{\"process\":{\"args\":[\"x\"]},\"root\":{\"path\":\"/r\"}," NS ","
                      "\"annotations\":{\"run.pc.rootfs\":\"{\\\"driver\\\":\\\"zfs\\\"}\"}}");
  int r = rt_spec_parse (o, &s, &err);
  ok (r == 0 && err == NULL, "the runtime ignores the engine's rootfs annotation");
  is_str (s.root, "/r", "root.path is the root");
  pc_error_free (err);
  rt_spec_clear (&s);
  json_object_put (o);
}

static void
test_names (void)
{
  is_int (rt_cap_from_name ("CAP_SYS_ADMIN"), 21, "CAP_SYS_ADMIN is 21");
  is_int (rt_cap_from_name ("net_raw"), 13, "lower-case name without CAP_");
  is_int (rt_cap_from_name ("CAP_NOPE"), -1, "unknown capability");
  is_str (rt_cap_name (0), "CAP_CHOWN", "cap 0 name");
  is_int (rt_rlimit_from_name ("RLIMIT_NPROC"), RLIMIT_NPROC, "RLIMIT_NPROC");
  is_int (rt_rlimit_from_name ("RLIMIT_MEMLOCK"), RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK");
  is_int (rt_rlimit_from_name ("nofile"), -1, "rlimit names need the RLIMIT_ prefix");
  const char *const *d = pc_runtime_default_caps ();
  size_t n = 0;
  while (d[n])
    n++;
  is_int (n, 11, "podman's default set has 11 capabilities");
  is_str (d[0], "CAP_CHOWN", "first default capability");
}

int
main (void)
{
  test_mount_options ();
  test_spec ();
  test_errors ();
  test_rootfs_annotation_ignored ();
  test_names ();
  return done_testing ();
}
