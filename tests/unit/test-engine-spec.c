/* The record and OCI spec create writes, from a made-up image config and the
   flags: no store, no files, only the JSON a container would get. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/engine/engine.h"
#include "pkg/engine/internal.h"
#include "pkg/runtime/runtime.h"
#include "pkg/storage/storage.h"
#include "tests/unit/tap.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char image_config[] =
  "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{"
  "\"Env\":[\"PATH=/img/bin\",\"IMG=1\",\"KEEP=image\"],"
  "\"Entrypoint\":[\"/entry\",\"--flag\"],"
  "\"Cmd\":[\"sh\",\"-c\",\"echo hi\"],"
  "\"WorkingDir\":\"/imgwd\","
  "\"User\":\"img\","
  "\"StopSignal\":\"SIGQUIT\","
  "\"Labels\":{\"from\":\"image\",\"over\":\"image\"}}}";

/* A NULL-terminated vector of copies (never NULL itself). */
static char **
sv (const char *first, ...)
{
  char **v = xmalloc0 (sizeof *v);
  va_list ap;
  va_start (ap, first);
  for (const char *s = first; s; s = va_arg (ap, const char *))
    pc_strv_append (&v, s);
  va_end (ap);
  return v;
}

/* create's steps after the store: check, record, HOME, spec. */
static int
build (const struct pc_create_opts *o, const struct eng_user *u, json_object **rec_out,
       json_object **spec_out, pc_error **err)
{
  pc_autojson json_object *icfg = pc_json_parse (image_config, strlen (image_config), err);
  if (icfg == NULL)
    return -1;
  struct eng_image img = { .config = icfg, .id = "feedface", .name = "localhost/fake:latest",
                           .driver = "overlay" };
  pc_autojson json_object *hc = json_object_new_object ();
  if (eng_check_opts (o, hc, err) < 0)
    return -1;
  pc_autojson json_object *rec = NULL;
  if (eng_build_record (&img, o, ID, o->name ? o->name : "gen_name", "/data/engine", hc, &rec,
                        err) < 0)
    return -1;
  eng_record_add_home (rec, u->home);
  struct pc_rootfs_mount m = { .driver = (char *) "overlay", .source = (char *) "lowerdir=/l",
                               .target = (char *) "/merged/" ID };
  *spec_out = eng_build_spec ("/run/pc", ID, &m, u, rec, err);
  if (*spec_out == NULL)
    return -1;
  *rec_out = steal_pointer (&rec);
  return 0;
}

/* Dotted paths: "process.cwd". */
static const char *
jstr (json_object *o, const char *path)
{
  json_object *v = pc_json_get (o, path);
  return v && json_object_is_type (v, json_type_string) ? json_object_get_string (v) : NULL;
}

static int64_t
jint (json_object *o, const char *path, int64_t def)
{
  json_object *v = pc_json_get (o, path);
  return v && json_object_is_type (v, json_type_int) ? json_object_get_int64 (v) : def;
}

/* The array's strings joined with "|" (or "(none)"). */
static char *
arr (json_object *spec, const char *path)
{
  json_object *a = pc_json_get (spec, path);
  if (a == NULL || !json_object_is_type (a, json_type_array))
    return xstrdup ("(none)");
  size_t len = 1;
  for (size_t i = 0; i < json_object_array_length (a); i++)
    len += strlen (json_object_get_string (json_object_array_get_idx (a, i))) + 1;
  char *s = xmalloc0 (len);
  for (size_t i = 0; i < json_object_array_length (a); i++)
    {
      if (i)
        strcat (s, "|");
      strcat (s, json_object_get_string (json_object_array_get_idx (a, i)));
    }
  return s;
}

static json_object *
find_mount (json_object *spec, const char *dest)
{
  json_object *mounts = pc_json_get (spec, "mounts");
  for (size_t i = 0; mounts && i < json_object_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      if (strcmp (pc_json_get_string (m, "destination"), dest) == 0)
        return m;
    }
  return NULL;
}

static size_t
count_mounts (json_object *spec, const char *dest)
{
  size_t n = 0;
  json_object *mounts = pc_json_get (spec, "mounts");
  for (size_t i = 0; mounts && i < json_object_array_length (mounts); i++)
    n += strcmp (pc_json_get_string (json_object_array_get_idx (mounts, i), "destination"), dest) == 0;
  return n;
}

static json_object *
find_rlimit (json_object *spec, const char *type, size_t *count)
{
  json_object *rl = pc_json_get (spec, "process.rlimits"), *found = NULL;
  *count = 0;
  for (size_t i = 0; rl && i < json_object_array_length (rl); i++)
    {
      json_object *r = json_object_array_get_idx (rl, i);
      if (strcmp (pc_json_get_string (r, "type"), type) == 0)
        {
          found = r;
          (*count)++;
        }
    }
  return found;
}

static bool
arr_has (json_object *spec, const char *path, const char *s)
{
  json_object *a = pc_json_get (spec, path);
  for (size_t i = 0; a && i < json_object_array_length (a); i++)
    if (strcmp (json_object_get_string (json_object_array_get_idx (a, i)), s) == 0)
      return true;
  return false;
}

/* podman's default set, in the kernel's order as the spec lists them. */
#define DEFAULT_CAPS                                                                    \
  "CAP_CHOWN|CAP_DAC_OVERRIDE|CAP_FOWNER|CAP_FSETID|CAP_KILL|CAP_SETGID|CAP_SETUID|"    \
  "CAP_SETPCAP|CAP_NET_BIND_SERVICE|CAP_SYS_CHROOT|CAP_SETFCAP"

static void
test_image_defaults (void)
{
  struct pc_create_opts o = { .image = "fake", .stop_timeout = -1, .read_only_tmpfs = true };
  struct eng_user u = { .uid = 0, .gid = 0, .home = (char *) "/root" };
  pc_autojson json_object *rec = NULL, *spec = NULL;
  pc_error *err = NULL;
  is_int (build (&o, &u, &rec, &spec, &err), 0, "image only: record and spec built");
  if (err)
    printf ("# %s\n", err->msg);
  pc_error_clear (&err);
  if (spec == NULL)
    return;
  pc_autofree char *args = arr (spec, "process.args");
  is_str (args, "/entry|--flag|sh|-c|echo hi", "process.args = Entrypoint + Cmd");
  pc_autofree char *env = arr (spec, "process.env");
  is_str (env, "PATH=/img/bin|IMG=1|KEEP=image|container=pc|HOSTNAME=0123456789ab|HOME=/root",
          "process.env: the image's PATH replaces the default in place, podman's additions after");
  is_str (jstr (spec, "process.cwd"), "/imgwd", "process.cwd from WorkingDir");
  is_str (pc_json_get_string (spec, "hostname"), "0123456789ab", "hostname: the short id");
  is_str (jstr (rec, "Config.User"), "img", "Config.User from the image");
  is_int (jint (rec, "Config.StopSignal", 0), 3, "Config.StopSignal: SIGQUIT is 3");
  is_str (jstr (rec, "Config.Labels.from"), "image", "image labels kept");
  is_str (pc_json_get_string (rec, "Path"), "/entry", "Path is the first word");
  pc_autofree char *bounding = arr (spec, "process.capabilities.bounding");
  is_str (bounding, DEFAULT_CAPS, "root gets podman's default capability set");
  pc_autofree char *effective = arr (spec, "process.capabilities.effective");
  is_str (effective, DEFAULT_CAPS, "root: effective = bounding");
  ok (json_object_get_boolean (pc_json_get (spec, "root.readonly")) == 0, "root is writable");
  is_str (jstr (spec, "root.path"), "/merged/" ID, "root.path is the merged dir");
  ok (find_mount (spec, "/tmp") == NULL, "no tmpfs on /tmp without --read-only");
  ok (arr_has (spec, "linux.maskedPaths", "/proc/kcore"), "linux.maskedPaths has /proc/kcore");
  ok (arr_has (spec, "linux.readonlyPaths", "/proc/sys"), "linux.readonlyPaths has /proc/sys");
  ok (json_object_get_boolean (pc_json_get (spec, "process.noNewPrivileges")) == 0,
      "noNewPrivileges off by default");
  ok (pc_json_get (spec, "linux.seccomp") != NULL, "the default seccomp profile is in");
  json_object *hn = find_mount (spec, "/etc/hostname");
  is_str (pc_json_get_string (hn, "source"), "/run/pc/ctr/" ID "/hostname",
          "/etc/hostname is bound from the state dir");
  size_t n;
  ok (find_rlimit (spec, "RLIMIT_NOFILE", &n) && n == 1, "nofile raised to the hard limit");
}

static void
test_flags (void)
{
  pc_autostrv char **env = sv ("KEEP=flag", "NEW=2", NULL);
  pc_autostrv char **command = sv ("/bin/true", "arg", NULL);
  pc_autostrv char **cap_add = sv ("net_admin", NULL);
  pc_autostrv char **cap_drop = sv ("CAP_CHOWN", "kill", NULL);
  pc_autostrv char **tmpfs = sv ("/scratch:size=1m,mode=1777", "/tmp", NULL);
  pc_autostrv char **secopt = sv ("no-new-privileges", NULL);
  pc_autostrv char **ulimits = sv ("nofile=1024:2048", "nproc=512", NULL);
  pc_autostrv char **labels = sv ("over=flag", NULL);
  struct pc_create_opts o = {
    .image = "fake",
    .command = command,
    .name = "named",
    .env = env,
    .entrypoint = "",
    .workdir = "/work",
    .user = "1000:1000",
    .hostname = "myhost",
    .labels = labels,
    .read_only = true,
    .read_only_tmpfs = true,
    .tmpfs = tmpfs,
    .cap_add = cap_add,
    .cap_drop = cap_drop,
    .security_opt = secopt,
    .ulimits = ulimits,
    .stop_signal = "SIGUSR1",
    .stop_timeout = 3,
  };
  gid_t groups[] = { 1000, 10 };
  struct eng_user u = { .uid = 1000, .gid = 1000, .n_groups = 2, .home = NULL };
  memcpy (u.groups, groups, sizeof groups);
  pc_autojson json_object *rec = NULL, *spec = NULL;
  pc_error *err = NULL;
  is_int (build (&o, &u, &rec, &spec, &err), 0, "flags: record and spec built");
  if (err)
    printf ("# %s\n", err->msg);
  pc_error_clear (&err);
  if (spec == NULL)
    return;
  pc_autofree char *args = arr (spec, "process.args");
  is_str (args, "/bin/true|arg", "--entrypoint '' clears the entrypoint and the image's Cmd");
  pc_autofree char *penv = arr (spec, "process.env");
  is_str (penv, "PATH=/img/bin|IMG=1|KEEP=flag|NEW=2|container=pc|HOSTNAME=myhost|HOME=/",
          "process.env: -e overrides the image's value in place, new keys after");
  is_str (jstr (spec, "process.cwd"), "/work", "process.cwd from --workdir");
  is_str (jstr (rec, "Config.User"), "1000:1000", "Config.User from --user");
  is_int (jint (spec, "process.user.uid", -1), 1000, "process.user.uid");
  is_int (jint (spec, "process.user.gid", -1), 1000, "process.user.gid");
  json_object *ag = pc_json_get (spec, "process.user.additionalGids");
  ok (ag && json_object_array_length (ag) == 2
          && json_object_get_int (json_object_array_get_idx (ag, 1)) == 10,
      "process.user.additionalGids");
  is_str (pc_json_get_string (spec, "hostname"), "myhost", "hostname from --hostname");
  is_int (jint (rec, "Config.StopSignal", 0), 10, "--stop-signal beats the image's");
  is_int (jint (rec, "Config.StopTimeout", 0), 3, "--stop-timeout recorded");
  is_str (jstr (rec, "Config.Labels.over"), "flag", "-l overrides an image label");

  pc_autofree char *bounding = arr (spec, "process.capabilities.bounding");
  is_str (bounding,
          "CAP_DAC_OVERRIDE|CAP_FOWNER|CAP_FSETID|CAP_SETGID|CAP_SETUID|CAP_SETPCAP|"
          "CAP_NET_BIND_SERVICE|CAP_NET_ADMIN|CAP_SYS_CHROOT|CAP_SETFCAP",
          "bounding: defaults minus --cap-drop plus --cap-add");
  pc_autofree char *eff = arr (spec, "process.capabilities.effective");
  is_str (eff, "CAP_NET_ADMIN", "a non-root user gets only the added caps as effective");
  pc_autofree char *amb = arr (spec, "process.capabilities.ambient");
  is_str (amb, "CAP_NET_ADMIN", "... and ambient");

  ok (json_object_get_boolean (pc_json_get (spec, "root.readonly")), "--read-only: root.readonly");
  json_object *scratch = find_mount (spec, "/scratch");
  is_str (pc_json_get_string (scratch, "type"), "tmpfs", "--tmpfs /scratch is a tmpfs mount");
  pc_autofree char *sopts = NULL;
  if (scratch)
    sopts = arr (scratch, "options");
  is_str (sopts, "size=1m|mode=1777|nosuid|nodev|tmpcopyup",
          "--tmpfs options kept, nosuid, nodev and tmpcopyup added as podman");
  is_int (count_mounts (spec, "/tmp"), 1, "--tmpfs /tmp is not doubled by --read-only's tmpfs");
  ok (find_mount (spec, "/var/tmp") && find_mount (spec, "/run"),
      "--read-only adds tmpfs on /var/tmp and /run");
  json_object *hn = find_mount (spec, "/etc/hostname");
  pc_autofree char *hopts = hn ? arr (hn, "options") : NULL;
  is_str (hopts, "bind|rprivate|ro|nosuid|nodev|noexec", "--read-only: /etc/hostname bound read-only, nosuid, nodev, noexec (podman 4.3)");

  ok (json_object_get_boolean (pc_json_get (spec, "process.noNewPrivileges")),
      "--security-opt no-new-privileges");
  size_t n;
  json_object *nofile = find_rlimit (spec, "RLIMIT_NOFILE", &n);
  is_int (n, 1, "one RLIMIT_NOFILE");
  is_int (pc_json_get_int (nofile, "soft", 0), 1024, "--ulimit nofile soft");
  is_int (pc_json_get_int (nofile, "hard", 0), 2048, "--ulimit nofile hard");
  json_object *nproc = find_rlimit (spec, "RLIMIT_NPROC", &n);
  is_int (n, 1, "one RLIMIT_NPROC");
  is_int (pc_json_get_int (nproc, "soft", 0), 512, "--ulimit nproc soft");
  is_int (pc_json_get_int (nproc, "hard", 0), 512, "--ulimit nproc hard = soft");
  ok (arr_has (spec, "linux.maskedPaths", "/proc/kcore"), "linux.maskedPaths has /proc/kcore");
}

static void
test_privileged_and_errors (void)
{
  pc_autostrv char **add_all = sv ("ALL", NULL);
  struct pc_create_opts o = { .image = "fake", .stop_timeout = -1, .privileged = true };
  struct eng_user u = { 0 };
  pc_autojson json_object *rec = NULL, *spec = NULL;
  pc_error *err = NULL;
  is_int (build (&o, &u, &rec, &spec, &err), 0, "--privileged builds");
  pc_error_clear (&err);
  ok (pc_json_get (spec, "linux.maskedPaths") == NULL, "--privileged: no masked paths");
  ok (pc_json_get (spec, "linux.seccomp") == NULL, "--privileged: no seccomp");
  ok (arr_has (spec, "process.capabilities.bounding", "CAP_SYS_ADMIN"), "--privileged: CAP_SYS_ADMIN");

  struct pc_create_opts o2 = { .image = "fake", .stop_timeout = -1, .cap_add = add_all };
  pc_autojson json_object *rec2 = NULL, *spec2 = NULL;
  is_int (build (&o2, &u, &rec2, &spec2, &err), 0, "--cap-add ALL builds");
  pc_error_clear (&err);
  ok (arr_has (spec2, "process.capabilities.bounding", "CAP_SYS_ADMIN"), "--cap-add ALL: CAP_SYS_ADMIN");
  ok (pc_json_get (spec2, "linux.maskedPaths") != NULL, "--cap-add ALL keeps masked paths");

  pc_autostrv char **bad_cap = sv ("CAP_BOGUS", NULL);
  struct pc_create_opts o3 = { .image = "fake", .stop_timeout = -1, .cap_drop = bad_cap };
  pc_autojson json_object *rec3 = NULL, *spec3 = NULL;
  is_int (build (&o3, &u, &rec3, &spec3, &err), -1, "an unknown capability is refused");
  ok (err && strstr (err->msg, "unknown capability \"CAP_BOGUS\""), "with podman's words: %s",
      err ? err->msg : "(none)");
  pc_error_clear (&err);

  pc_autostrv char **no_cmd = sv (NULL);
  struct pc_create_opts o4 = { .image = "fake", .stop_timeout = -1, .entrypoint = "", .command = no_cmd };
  pc_autojson json_object *rec4 = NULL, *spec4 = NULL;
  is_int (build (&o4, &u, &rec4, &spec4, &err), -1, "--entrypoint '' and no command: nothing to run");
  ok (err && strstr (err->msg, "no command or entrypoint provided"), "podman's message: %s",
      err ? err->msg : "(none)");
  pc_error_clear (&err);

  pc_autostrv char **bad_ul = sv ("nofile=9:1", NULL);
  struct pc_create_opts o5 = { .image = "fake", .stop_timeout = -1, .ulimits = bad_ul };
  pc_autojson json_object *rec5 = NULL, *spec5 = NULL;
  is_int (build (&o5, &u, &rec5, &spec5, &err), -1, "a bad --ulimit is refused");
  pc_error_clear (&err);

  pc_autostrv char **bad_profile = sv ("seccomp=/nonexistent/pc-profile.json", NULL);
  struct pc_create_opts o7 = { .image = "fake", .stop_timeout = -1, .security_opt = bad_profile };
  pc_autojson json_object *rec7 = NULL, *spec7 = NULL;
  is_int (build (&o7, &u, &rec7, &spec7, &err), -1, "a missing seccomp profile fails the spec");
  ok (err && err->status == ENOENT && strstr (err->msg, "opening seccomp profile failed"),
      "with the file's error: %s", err ? err->msg : "(none)");
  pc_error_clear (&err);

  struct pc_create_opts o6 = { .image = "fake", .stop_timeout = -1, .entrypoint = "[\"/a\",\"b\"]" };
  pc_autojson json_object *rec6 = NULL, *spec6 = NULL;
  is_int (build (&o6, &u, &rec6, &spec6, &err), 0, "--entrypoint as a JSON array builds");
  pc_error_clear (&err);
  pc_autofree char *args6 = arr (spec6, "process.args");
  is_str (args6, "/a|b", "--entrypoint JSON array is the whole command (the image's Cmd dropped)");
}

/* The capability table the engine takes from pkg/runtime. */
static void
test_cap_names (void)
{
  size_t n = 0;
  const char *const *all = pc_runtime_all_caps (&n);
  ok (n >= 41, "the runtime knows at least the 41 capabilities of Linux 5.9 (%zu)", n);
  is_str (all[0], "CAP_CHOWN", "indexed by number: 0 is CAP_CHOWN");
  is_str (all[21], "CAP_SYS_ADMIN", "21 is CAP_SYS_ADMIN");
  is_str (pc_runtime_cap_canonical ("net_admin"), "CAP_NET_ADMIN", "net_admin");
  is_str (pc_runtime_cap_canonical ("Cap_Sys_Time"), "CAP_SYS_TIME", "any case");
  ok (pc_runtime_cap_canonical ("bogus") == NULL, "an unknown name is NULL");
  ok (pc_runtime_cap_canonical ("all") == NULL, "\"all\" is no capability name");
}

int
main (void)
{
  test_cap_names ();
  test_image_defaults ();
  test_flags ();
  test_privileged_and_errors ();
  return done_testing ();
}
