/* pkg/runtime: seccomp profiles (docker/podman format -> OCI) and compiling them. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/hash.h"
#include "pkg/runtime/internal.h"
#include "tests/unit/tap.h"

/* Action the OCI object gives `name` (first rule that lists it), or NULL. */
static const char *
action_for (json_object *oci, const char *name, json_object **rule)
{
  json_object *sc = json_object_object_get (oci, "syscalls");
  for (size_t i = 0; i < json_object_array_length (sc); i++)
    {
      json_object *r = json_object_array_get_idx (sc, i);
      json_object *names = json_object_object_get (r, "names");
      for (size_t j = 0; j < json_object_array_length (names); j++)
        if (strcmp (json_object_get_string (json_object_array_get_idx (names, j)), name) == 0)
          {
            if (rule)
              *rule = r;
            return json_object_get_string (json_object_object_get (r, "action"));
          }
    }
  return NULL;
}

/* Runs a classic BPF seccomp program on `d` as the kernel does; returns the
   number of instructions it took (-1: malformed), the action in *ret. */
static int
bpf_steps (const struct sock_fprog *p, const struct seccomp_data *d, uint32_t *ret)
{
  uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
  int steps = 0;
  for (unsigned pc = 0; pc < p->len; pc++)
    {
      const struct sock_filter *f = &p->filter[pc];
      steps++;
      switch (f->code)
        {
        case BPF_LD | BPF_W | BPF_ABS:
          if (f->k > sizeof *d - 4 || f->k % 4)
            return -1;
          memcpy (&a, (const char *) d + f->k, 4);
          break;
        case BPF_LD | BPF_IMM: a = f->k; break;
        case BPF_LDX | BPF_IMM: x = f->k; break;
        case BPF_LD | BPF_MEM: a = mem[f->k % BPF_MEMWORDS]; break;
        case BPF_LDX | BPF_MEM: x = mem[f->k % BPF_MEMWORDS]; break;
        case BPF_ST: mem[f->k % BPF_MEMWORDS] = a; break;
        case BPF_STX: mem[f->k % BPF_MEMWORDS] = x; break;
        case BPF_ALU | BPF_AND | BPF_K: a &= f->k; break;
        case BPF_ALU | BPF_OR | BPF_K: a |= f->k; break;
        case BPF_MISC | BPF_TAX: x = a; break;
        case BPF_MISC | BPF_TXA: a = x; break;
        case BPF_JMP | BPF_JA: pc += f->k; break;
        case BPF_JMP | BPF_JEQ | BPF_K: pc += a == f->k ? f->jt : f->jf; break;
        case BPF_JMP | BPF_JGT | BPF_K: pc += a > f->k ? f->jt : f->jf; break;
        case BPF_JMP | BPF_JGE | BPF_K: pc += a >= f->k ? f->jt : f->jf; break;
        case BPF_JMP | BPF_JSET | BPF_K: pc += (a & f->k) ? f->jt : f->jf; break;
        case BPF_RET | BPF_K: *ret = f->k; return steps;
        case BPF_RET | BPF_A: *ret = a; return steps;
        default: return -1;
        }
    }
  return -1;
}

/* The kernel runs the program for every syscall number of every
   architecture when it is loaded (to cache what is always allowed): as a
   linear list the default profile took ~1 ms of each container start. */
static void
test_default_profile_is_a_tree (const struct sock_fprog *p)
{
  int max = 0, bad = 0;
  for (int nr = 0; nr < 512; nr++)
    {
      struct seccomp_data d = { .nr = nr, .arch = AUDIT_ARCH_X86_64 };
      uint32_t ret = 0;
      int n = bpf_steps (p, &d, &ret);
      if (n < 0)
        bad++;
      else if (n > max)
        max = n;
    }
  is_int (bad, 0, "the program runs to a return for every syscall number");
  ok (max <= 64, "no syscall number takes more than 64 instructions (%d): a binary tree", max);
  struct seccomp_data d = { .nr = 1 /* write */, .arch = AUDIT_ARCH_X86_64 };
  uint32_t ret = 0;
  ok (bpf_steps (p, &d, &ret) > 0 && ret == SECCOMP_RET_ALLOW, "write is allowed");
  d.nr = 250;   /* keyctl */
  ok (bpf_steps (p, &d, &ret) > 0 && ret == (SECCOMP_RET_ERRNO | EPERM), "keyctl gets EPERM");
}

static void
test_default_profile (void)
{
  pc_error *err = NULL;
  const char *text = pc_runtime_default_seccomp_json ();
  ok (text && strstr (text, "\"archMap\""), "default profile is embedded in docker format");
  json_object *oci = pc_runtime_seccomp_to_oci (NULL, pc_runtime_default_caps (), &err);
  ok (oci != NULL, "default profile converts");
  if (oci == NULL)
    return;
  is_str (json_object_get_string (json_object_object_get (oci, "defaultAction")), "SCMP_ACT_ERRNO",
          "default action is an errno");
  is_int (json_object_get_int (json_object_object_get (oci, "defaultErrnoRet")), EPERM, "EPERM");
  json_object *arches = json_object_object_get (oci, "architectures");
  is_str (json_object_get_string (json_object_array_get_idx (arches, 0)), "SCMP_ARCH_X86_64",
          "native architecture first");
  is_str (action_for (oci, "read", NULL), "SCMP_ACT_ALLOW", "read allowed");
  is_str (action_for (oci, "openat2", NULL), "SCMP_ACT_ALLOW", "openat2 allowed (no EPERM for new libc calls)");
  is_str (action_for (oci, "chroot", NULL), "SCMP_ACT_ALLOW", "chroot allowed with CAP_SYS_CHROOT");
  is_str (action_for (oci, "ptrace", NULL), "SCMP_ACT_ALLOW", "ptrace allowed on kernels >= 4.8");
  is_str (action_for (oci, "keyctl", NULL), "SCMP_ACT_ERRNO", "keyctl denied");
  ok (action_for (oci, "mount", NULL) == NULL, "mount not allowed without CAP_SYS_ADMIN");
  ok (action_for (oci, "kexec_load", NULL) == NULL || strcmp (action_for (oci, "kexec_load", NULL), "SCMP_ACT_ERRNO") == 0,
      "kexec_load denied");
  json_object *rule = NULL;
  is_str (action_for (oci, "clone", &rule), "SCMP_ACT_ALLOW", "clone allowed...");
  ok (rule && json_object_object_get (rule, "args") != NULL, "...only without namespace flags");
  is_str (action_for (oci, "clone3", &rule), "SCMP_ACT_ERRNO", "clone3 refused...");
  is_int (json_object_get_int (json_object_object_get (rule, "errnoRet")), ENOSYS, "...with ENOSYS so libc falls back");

  struct rt_seccomp prog;
  double ms = 0;
  is_int (rt_seccomp_compile (oci, NULL, &prog, &ms, &err), 0, "default profile compiles");
  ok (prog.prog.filter != NULL && prog.prog.len > 100, "a real BPF program (%u instructions, %.1f ms)",
      prog.prog.len, ms);
  test_default_profile_is_a_tree (&prog.prog);
  free (prog.prog.filter);

  char dir[] = "/tmp/pc-test-seccomp.XXXXXX";
  ok (mkdtemp (dir) != NULL, "cache dir");
  pc_autofree char *cache = NULL;
  if (asprintf (&cache, "%s/cache", dir) < 0)
    abort ();
  struct rt_seccomp a, b;
  double ms1 = -1, ms2 = -1;
  is_int (rt_seccomp_compile (oci, cache, &a, &ms1, &err), 0, "compile with a cache");
  is_int (rt_seccomp_compile (oci, cache, &b, &ms2, &err), 0, "second compile");
  ok (ms1 > 0 && ms2 == 0, "second one came from the cache");
  ok (a.prog.len == b.prog.len && memcmp (a.prog.filter, b.prog.filter, a.prog.len * 8) == 0,
      "cached program is identical");
  free (a.prog.filter);
  free (b.prog.filter);
  pc_autofree char *cmd = NULL;
  if (asprintf (&cmd, "rm -rf '%s'", dir) < 0 || system (cmd) != 0)
    abort ();
  json_object_put (oci);

  const char *admin[] = { "CAP_SYS_ADMIN", NULL };
  oci = pc_runtime_seccomp_to_oci (NULL, admin, &err);
  is_str (action_for (oci, "mount", NULL), "SCMP_ACT_ALLOW", "mount allowed with CAP_SYS_ADMIN");
  is_str (action_for (oci, "clone3", NULL), "SCMP_ACT_ALLOW", "clone3 allowed with CAP_SYS_ADMIN");
  ok (action_for (oci, "chroot", NULL) == NULL, "chroot not allowed without CAP_SYS_CHROOT");
  json_object_put (oci);
}

static void
test_custom_profiles (void)
{
  pc_error *err = NULL;
  const char *profile = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
    "\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13},"
    "{\"name\":\"chmod\",\"action\":\"SCMP_ACT_KILL\",\"excludes\":{\"arches\":[\"amd64\"]}},"
    "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"},{\"index\":0,\"value\":9,\"op\":\"SCMP_CMP_EQ\"}]}]}";
  json_object *oci = pc_runtime_seccomp_to_oci (profile, pc_runtime_default_caps (), &err);
  ok (oci != NULL, "custom profile converts");
  is_str (action_for (oci, "mkdirat", NULL), "SCMP_ACT_ERRNO", "names kept");
  ok (action_for (oci, "chmod", NULL) == NULL, "excludes.arches drops the rule here");
  struct rt_seccomp prog;
  double ms;
  is_int (rt_seccomp_compile (oci, NULL, &prog, &ms, &err), 0, "same-argument alternatives compile");
  free (prog.prog.filter);
  json_object_put (oci);

  oci = pc_runtime_seccomp_to_oci ("{\"defaultAction\":\"SCMP_ACT_BOGUS\"}", NULL, &err);
  ok (oci != NULL, "conversion does not judge actions");
  is_int (rt_seccomp_compile (oci, NULL, &prog, &ms, &err), -1, "unknown action fails to compile");
  ok (err && strstr (err->msg, "unsupported action `SCMP_ACT_BOGUS`"), "error names the action");
  pc_error_clear (&err);
  json_object_put (oci);

  ok (pc_runtime_seccomp_to_oci ("{not json", NULL, &err) == NULL && err
      && strstr (err->msg, "invalid JSON"), "invalid JSON is reported");
  pc_error_clear (&err);
  ok (pc_runtime_seccomp_to_oci ("{\"syscalls\":[]}", NULL, &err) == NULL && err
      && strstr (err->msg, "defaultAction"), "missing defaultAction is reported");
  pc_error_clear (&err);
}

int
main (void)
{
  test_default_profile ();
  test_custom_profiles ();
  return done_testing ();
}
