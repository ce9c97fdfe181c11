/* The device policy of a container (linux.resources.devices), enforced by
   its cgroup as runc and crun do: on cgroup v1 the `devices` controller
   (devices.deny "a", then devices.allow lines), on cgroup v2 an eBPF
   program of type BPF_PROG_TYPE_CGROUP_DEVICE attached to the container's
   cgroup. The parent prepares the cgroup before the clone and hands the
   container process an fd of its cgroup.procs; the process moves itself
   in before anything else, so nothing it opens afterwards (a node shipped
   in an image layer, one made with CAP_MKNOD) escapes the rules.

   Only root in the initial user namespace manages cgroups. A rootless
   container lives in a user namespace, where the kernel neither lets it
   create device nodes nor honours the nodes of a filesystem mounted there:
   the rules are kept in the spec and not applied, as crun does. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"
#include "pkg/runtime/internal.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif

static json_object *
get (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (o == NULL || !json_object_is_type (o, json_type_object) || !json_object_object_get_ex (o, key, &v))
    return NULL;
  return v;
}

static int
parse_rule (json_object *r, size_t i, struct rt_dev_rule *out, pc_error **err)
{
  if (!json_object_is_type (r, json_type_object))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "linux.resources.devices[%zu]: expected an object", i);
  json_object *allow = get (r, "allow");
  if (allow == NULL || !json_object_is_type (allow, json_type_boolean))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "linux.resources.devices[%zu]: `allow` must be a boolean", i);
  out->allow = json_object_get_boolean (allow);
  out->type = 'a';
  json_object *type = get (r, "type");
  if (type)
    {
      const char *t = json_object_is_type (type, json_type_string) ? json_object_get_string (type) : "";
      if (strcmp (t, "a") != 0 && strcmp (t, "c") != 0 && strcmp (t, "b") != 0)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "linux.resources.devices[%zu]: type must be `a`, `c` or `b`", i);
      out->type = t[0];
    }
  const char *names[2] = { "major", "minor" };
  int64_t *nums[2] = { &out->major, &out->minor };
  for (int k = 0; k < 2; k++)
    {
      json_object *v = get (r, names[k]);
      *nums[k] = -1;
      if (v == NULL)
        continue;
      if (!json_object_is_type (v, json_type_int) || json_object_get_int64 (v) < -1
          || json_object_get_int64 (v) > 0xfffff)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "linux.resources.devices[%zu]: bad %s", i, names[k]);
      *nums[k] = json_object_get_int64 (v);
    }
  out->access = 0;
  json_object *access = get (r, "access");
  const char *a = access == NULL ? "rwm"
                  : json_object_is_type (access, json_type_string) ? json_object_get_string (access) : "?";
  for (; *a; a++)
    switch (*a)
      {
      case 'r': out->access |= RT_DEV_READ; break;
      case 'w': out->access |= RT_DEV_WRITE; break;
      case 'm': out->access |= RT_DEV_MKNOD; break;
      default:
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "linux.resources.devices[%zu]: access must be made of r, w and m", i);
      }
  return 0;
}

int
rt_cgroup_parse (json_object *lnx, struct rt_cgroup *out, pc_error **err)
{
  memset (out, 0, sizeof *out);
  json_object *path = get (lnx, "cgroupsPath");
  if (path)
    {
      const char *p = json_object_is_type (path, json_type_string) ? json_object_get_string (path) : NULL;
      if (p == NULL || *p == '\0' || strstr (p, "..") != NULL)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "linux.cgroupsPath: expected a path without `..`");
      while (*p == '/')
        p++;
      out->path = xstrdup (p);
    }
  json_object *devs = get (get (lnx, "resources"), "devices");
  if (devs == NULL)
    return 0;
  if (!json_object_is_type (devs, json_type_array))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "linux.resources.devices: expected an array");
  out->has_rules = true;
  out->n_rules = json_object_array_length (devs);
  out->rules = xmalloc0 ((out->n_rules + 1) * sizeof *out->rules);
  for (size_t i = 0; i < out->n_rules; i++)
    if (parse_rule (json_object_array_get_idx (devs, i), i, &out->rules[i], err) < 0)
      return -1;
  if (out->path == NULL || *out->path == '\0')
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "linux.resources.devices needs linux.cgroupsPath (the container's cgroup)");
  return 0;
}

void
rt_cgroup_clear (struct rt_cgroup *c)
{
  free (c->path);
  free (c->rules);
  memset (c, 0, sizeof *c);
}

/* Root of the initial user namespace: the only one that manages cgroups. */
static bool
manages_cgroups (void)
{
  if (geteuid () != 0)
    return false;
  char buf[128];
  pc_autoclose int fd = open ("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  ssize_t n = read (fd, buf, sizeof buf - 1);
  if (n <= 0)
    return false;
  buf[n] = '\0';
  unsigned long a, b, c;
  return sscanf (buf, "%lu %lu %lu", &a, &b, &c) == 3 && a == 0 && b == 0 && c == 4294967295UL;
}

static bool
fs_is (const char *path, long magic)
{
  struct statfs sf;
  return statfs (path, &sf) == 0 && (long) sf.f_type == magic;
}

/* Where the device policy lives on this host: a unified /sys/fs/cgroup
   (v2), the v1 devices controller, or on a hybrid host without it the v2
   hierarchy at /sys/fs/cgroup/unified. NULL when there is none. */
static const char *
policy_root (bool *v2)
{
  *v2 = true;
  if (fs_is ("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC))
    return "/sys/fs/cgroup";
  *v2 = false;
  if (fs_is ("/sys/fs/cgroup/devices", CGROUP_SUPER_MAGIC))
    return "/sys/fs/cgroup/devices";
  *v2 = true;
  if (fs_is ("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC))
    return "/sys/fs/cgroup/unified";
  return NULL;
}

static int
write_file (int dirfd, const char *dir, const char *file, const char *value, pc_error **err)
{
  pc_autoclose int fd = openat (dirfd, file, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return pc_error_errno (err, errno, "open `%s/%s`", dir, file);
  if (write (fd, value, strlen (value)) < 0)
    return pc_error_errno (err, errno, "write `%s` to `%s/%s`", value, dir, file);
  return 0;
}

static void
num_text (char *buf, size_t n, int64_t v)
{
  if (v < 0)
    snprintf (buf, n, "*");
  else
    snprintf (buf, n, "%lld", (long long) v);
}

int
rt_cgroup_devices_v1 (int dirfd, const char *dir, const struct rt_dev_rule *rules, size_t n,
                      pc_error **err)
{
  /* Nothing is allowed until a rule says so, whatever the list holds. */
  if (write_file (dirfd, dir, "devices.deny", "a", err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      const struct rt_dev_rule *r = &rules[i];
      char line[80], maj[24], min[24], acc[4];
      size_t k = 0;
      if (r->access & RT_DEV_READ)
        acc[k++] = 'r';
      if (r->access & RT_DEV_WRITE)
        acc[k++] = 'w';
      if (r->access & RT_DEV_MKNOD)
        acc[k++] = 'm';
      acc[k] = '\0';
      if (k == 0)
        continue;
      num_text (maj, sizeof maj, r->major);
      num_text (min, sizeof min, r->minor);
      if (r->type == 'a')
        snprintf (line, sizeof line, "a");
      else
        snprintf (line, sizeof line, "%c %s:%s %s", r->type, maj, min, acc);
      if (write_file (dirfd, dir, r->allow ? "devices.allow" : "devices.deny", line, err) < 0)
        return -1;
    }
  return 0;
}

/* The v2 program: rules last to first, the first that matches decides (so
   a later rule overrides an earlier one, as the OCI spec orders them);
   nothing matched is denied. Registers: r2 type, r3 access, r4 major,
   r5 minor (struct bpf_cgroup_dev_ctx). */
#define INSN(c, d, s, o, i) ((struct bpf_insn) { .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

size_t
rt_cgroup_devices_bpf (const struct rt_dev_rule *rules, size_t n, struct bpf_insn *out)
{
  size_t k = 0;
  out[k++] = INSN (BPF_LDX | BPF_W | BPF_MEM, 2, 1, 0, 0);
  out[k++] = INSN (BPF_ALU | BPF_AND | BPF_K, 2, 0, 0, 0xffff);
  out[k++] = INSN (BPF_LDX | BPF_W | BPF_MEM, 3, 1, 0, 0);
  out[k++] = INSN (BPF_ALU | BPF_RSH | BPF_K, 3, 0, 0, 16);
  out[k++] = INSN (BPF_LDX | BPF_W | BPF_MEM, 4, 1, 4, 0);
  out[k++] = INSN (BPF_LDX | BPF_W | BPF_MEM, 5, 1, 8, 0);
  for (size_t j = n; j-- > 0;)
    {
      const struct rt_dev_rule *r = &rules[j];
      size_t jumps[8];
      size_t nj = 0;
      unsigned acc = (r->access & RT_DEV_READ ? BPF_DEVCG_ACC_READ : 0)
                     | (r->access & RT_DEV_WRITE ? BPF_DEVCG_ACC_WRITE : 0)
                     | (r->access & RT_DEV_MKNOD ? BPF_DEVCG_ACC_MKNOD : 0);
      if (acc == 0)
        continue;   /* matches nothing */
      if (r->type != 'a')
        {
          jumps[nj++] = k;
          out[k++] = INSN (BPF_JMP | BPF_JNE | BPF_K, 2, 0, 0,
                           r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
        }
      if (acc != (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD))
        {
          /* Matches only when all that is asked is within the rule. */
          out[k++] = INSN (BPF_ALU | BPF_MOV | BPF_X, 1, 3, 0, 0);
          out[k++] = INSN (BPF_ALU | BPF_AND | BPF_K, 1, 0, 0, (int32_t) acc);
          jumps[nj++] = k;
          out[k++] = INSN (BPF_JMP | BPF_JNE | BPF_X, 1, 3, 0, 0);
        }
      if (r->major >= 0)
        {
          jumps[nj++] = k;
          out[k++] = INSN (BPF_JMP | BPF_JNE | BPF_K, 4, 0, 0, (int32_t) r->major);
        }
      if (r->minor >= 0)
        {
          jumps[nj++] = k;
          out[k++] = INSN (BPF_JMP | BPF_JNE | BPF_K, 5, 0, 0, (int32_t) r->minor);
        }
      out[k++] = INSN (BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, r->allow ? 1 : 0);
      out[k++] = INSN (BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
      for (size_t q = 0; q < nj; q++)
        out[jumps[q]].off = (int16_t) (k - jumps[q] - 1);
      /* A rule that matches everything decides alone: the verifier refuses
         code that cannot be reached after it. */
      if (nj == 0)
        return k;
    }
  out[k++] = INSN (BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
  out[k++] = INSN (BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
  return k;
}

/* The most instructions a rule list of n rules can take. */
#define BPF_MAX_INSNS(n) (8 + 8 * (n))

int
rt_cgroup_devices_v2 (int dirfd, const char *dir, const struct rt_dev_rule *rules, size_t n,
                      pc_error **err)
{
  pc_autofree struct bpf_insn *insns = xmalloc0 (BPF_MAX_INSNS (n) * sizeof *insns);
  size_t count = rt_cgroup_devices_bpf (rules, n, insns);
  char log[4096] = "";
  union bpf_attr load;
  memset (&load, 0, sizeof load);
  load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  load.insns = (uint64_t) (uintptr_t) insns;
  load.insn_cnt = (uint32_t) count;
  load.license = (uint64_t) (uintptr_t) "Apache";
  load.log_buf = (uint64_t) (uintptr_t) log;
  load.log_size = sizeof log;
  load.log_level = 1;
  pc_autoclose int prog = (int) syscall (SYS_bpf, BPF_PROG_LOAD, &load, sizeof load);
  if (prog < 0 && errno == ENOSPC)
    {
      /* The log did not fit; load again without one. */
      load.log_buf = 0;
      load.log_size = 0;
      load.log_level = 0;
      prog = (int) syscall (SYS_bpf, BPF_PROG_LOAD, &load, sizeof load);
    }
  if (prog < 0)
    return pc_error_errno (err, errno, "load the device program of `%s`%s%s", dir, *log ? ": " : "", log);
  union bpf_attr attach;
  memset (&attach, 0, sizeof attach);
  attach.target_fd = (uint32_t) dirfd;
  attach.attach_bpf_fd = (uint32_t) prog;
  attach.attach_type = BPF_CGROUP_DEVICE;
  /* No flags: one program per cgroup (a new one replaces the old), and no
     cgroup below may attach another. */
  attach.attach_flags = 0;
  if (syscall (SYS_bpf, BPF_PROG_ATTACH, &attach, sizeof attach) < 0)
    return pc_error_errno (err, errno, "attach the device program to `%s`", dir);
  return 0;
}

int
rt_cgroup_devices_apply (const char *dir, bool v2, const struct rt_dev_rule *rules, size_t n,
                         int *procs_fd, pc_error **err)
{
  *procs_fd = -1;
  /* A container started again gets a fresh cgroup: a leftover one (empty
     once its processes are gone) must not keep old rules or programs. */
  rmdir (dir);
  if (mkdir (dir, 0755) < 0 && errno != EEXIST)
    {
      if (errno != ENOENT)
        return pc_error_errno (err, errno, "create the cgroup `%s`", dir);
      pc_autofree char *parent = xstrdup (dir);
      *strrchr (parent, '/') = '\0';
      if (pc_mkdir_p (AT_FDCWD, parent, 0755, err) < 0)
        return pc_error_wrap (err, "create the cgroup `%s`", dir);
      if (mkdir (dir, 0755) < 0 && errno != EEXIST)
        return pc_error_errno (err, errno, "create the cgroup `%s`", dir);
    }
  pc_autoclose int dirfd = open (dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (dirfd < 0)
    return pc_error_errno (err, errno, "open the cgroup `%s`", dir);
  if ((v2 ? rt_cgroup_devices_v2 : rt_cgroup_devices_v1) (dirfd, dir, rules, n, err) < 0)
    return -1;
  *procs_fd = openat (dirfd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
  if (*procs_fd < 0)
    return pc_error_errno (err, errno, "open `%s/cgroup.procs`", dir);
  return 0;
}

int
rt_cgroup_prepare (const struct rt_cgroup *c, int *procs_fd, pc_error **err)
{
  *procs_fd = -1;
  if (!c->has_rules || !manages_cgroups ())
    return 0;
  bool v2;
  const char *root = policy_root (&v2);
  if (root == NULL)
    return pc_error_makec (err, PC_ERR_UNSUPPORTED, ENOTSUP,
                           "no device cgroup on this host (neither the cgroup v1 `devices` controller "
                           "nor cgroup v2 is mounted under /sys/fs/cgroup): a container run by root "
                           "could open any device node it finds or makes");
  pc_autofree char *dir = xasprintf ("%s/%s", root, c->path);
  if (rt_cgroup_devices_apply (dir, v2, c->rules, c->n_rules, procs_fd, err) < 0)
    return pc_error_wrap (err, "apply the device policy");
  return 0;
}

int
rt_cgroup_enter (int procs_fd, pc_error **err)
{
  if (procs_fd < 0)
    return 0;
  if (write (procs_fd, "0", 1) < 0)
    return pc_error_errno (err, errno, "move the container process into its cgroup");
  return 0;
}

int
rt_cgroup_open_of (pid_t pid, int *procs_fd, pc_error **err)
{
  *procs_fd = -1;
  if (!manages_cgroups ())
    return 0;
  bool v2;
  const char *root = policy_root (&v2);
  if (root == NULL)
    return 0;
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/cgroup", (int) pid);
  pc_autofree char *text = NULL;
  if (pc_read_file_max (AT_FDCWD, path, 1 << 16, 0, &text, NULL, err) < 0)
    return pc_error_wrap (err, "read the cgroups of the container process");
  /* "ID:CONTROLLERS:PATH" lines; v2's is "0::PATH". */
  char *save = NULL;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *ctl = strchr (line, ':');
      char *cpath = ctl ? strchr (ctl + 1, ':') : NULL;
      if (cpath == NULL)
        continue;
      *cpath++ = '\0';
      ctl++;
      bool match = false;
      if (v2)
        match = strcmp (line, "0") == 0 && *ctl == '\0';
      else
        {
          char *s2 = NULL;
          for (char *t = strtok_r (ctl, ",", &s2); t; t = strtok_r (NULL, ",", &s2))
            match = match || strcmp (t, "devices") == 0;
        }
      if (!match)
        continue;
      if (strstr (cpath, "..") != NULL || strcmp (cpath, "/") == 0)
        return 0;   /* the root cgroup: no policy to join */
      pc_autofree char *procs = xasprintf ("%s%s/cgroup.procs", root, cpath);
      *procs_fd = open (procs, O_WRONLY | O_CLOEXEC);
      if (*procs_fd < 0)
        return pc_error_errno (err, errno, "open `%s`", procs);
      return 0;
    }
  return 0;
}

void
pc_runtime_cgroup_remove (const char *cgroups_path)
{
  bool v2;
  const char *root = policy_root (&v2);
  while (cgroups_path && *cgroups_path == '/')
    cgroups_path++;
  if (root == NULL || cgroups_path == NULL || *cgroups_path == '\0' || strstr (cgroups_path, ".."))
    return;
  pc_autofree char *dir = xasprintf ("%s/%s", root, cgroups_path);
  rmdir (dir);
}
