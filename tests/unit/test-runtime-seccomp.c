/* pkg/runtime: seccomp profiles (docker/podman format -> OCI) and compiling them. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdint.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sched.h>

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


/* bpf_steps' verdict, or a value no program returns when it fails. */
static uint32_t
verdict (const struct sock_fprog *p, uint32_t arch, uint32_t nr, const uint64_t args[6])
{
  struct seccomp_data d = { .nr = (int) nr, .arch = arch };
  if (args)
    memcpy (d.args, args, sizeof d.args);
  uint32_t ret = 0;
  return bpf_steps (p, &d, &ret) < 0 ? 0xdeadbeef : ret;
}

/* libseccomp's program and the reshaped one decide the same for every
   architecture named and one that is not, every number up to 1100 and the
   same above the x32 bit, the largest numbers, and arguments made of the
   constants the profile compares with (this test's own emulator). */
static void
check_reshape (json_object *oci, const char *what, const uint64_t *consts, size_t nconsts)
{
  pc_error *err = NULL;
  struct sock_fprog p = { 0 }, q = { 0 };
  if (rt_seccomp_compile_libseccomp (oci, &p, &err) < 0)
    {
      ok (0, "%s: libseccomp compiles it: %s", what, err->msg);
      pc_error_clear (&err);
      return;
    }
  is_int (rt_seccomp_reshape (&p, &q), 0, "%s: reshaped", what);
  if (q.filter == NULL)
    {
      free (p.filter);
      return;
    }
  ok (q.len < p.len, "%s: %u instructions instead of libseccomp's %u", what, q.len, p.len);
  static const uint32_t arches[] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64, 0, 0x40000004 };
  size_t diffs = 0, runs = 0;
  for (size_t a = 0; a < sizeof arches / sizeof arches[0]; a++)
    for (uint32_t base = 0; base <= 0x40000000u; base += 0x40000000u)
      for (uint32_t nr = base; nr < base + 1100; nr++)
        {
          runs++;
          diffs += verdict (&p, arches[a], nr, NULL) != verdict (&q, arches[a], nr, NULL);
          for (size_t i = 0; i < nconsts; i++)
            for (int arg = 0; arg < 6; arg++)
              {
                uint64_t args[6] = { 0 };
                args[arg] = consts[i];
                runs++;
                diffs += verdict (&p, arches[a], nr, args) != verdict (&q, arches[a], nr, args);
              }
        }
  static const uint32_t far[] = { 0x3fffffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff };
  for (size_t a = 0; a < sizeof arches / sizeof arches[0]; a++)
    for (size_t i = 0; i < sizeof far / sizeof far[0]; i++, runs++)
      diffs += verdict (&p, arches[a], far[i], NULL) != verdict (&q, arches[a], far[i], NULL);
  is_int ((int) diffs, 0, "%s: the same verdict in all %zu runs", what, runs);
  free (p.filter);
  free (q.filter);
}

/* seccomp(2) itself answers (valgrind 3.19 does not know it: libseccomp
   then finds no action but the oldest, and no filter can be loaded). */
static bool
seccomp_syscall_works (void)
{
  uint32_t action = SECCOMP_RET_KILL_PROCESS;
  return syscall (SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

/* The kernel takes the reshaped default program, and a process under it
   gets what the profile says. */
static void
test_reshaped_in_the_kernel (json_object *oci)
{
  if (!seccomp_syscall_works ())
    {
      printf ("ok %d # SKIP no seccomp(2) here (valgrind?)\n", ++tap_count);
      return;
    }
  struct rt_seccomp s;
  double ms;
  pc_error *err = NULL;
  if (rt_seccomp_compile (oci, NULL, &s, &ms, &err) < 0)
    {
      ok (0, "compile: %s", err->msg);
      pc_error_clear (&err);
      return;
    }
  pid_t pid = fork ();
  if (pid == 0)
    {
      int bits = 0;
      if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || rt_seccomp_load (&s, NULL) < 0)
        _exit (100);
      if (syscall (SYS_getpid) == getpid ())
        bits |= 1;
      if (syscall (SYS_keyctl, 0, 0, 0, 0, 0) < 0 && errno == EPERM)
        bits |= 2;
      if (syscall (SYS_personality, 0xffffffffUL) >= 0)
        bits |= 4;
      if (syscall (SYS_personality, 0x0400000UL) < 0 && errno == EPERM)
        bits |= 8;
      if (syscall (SYS_unshare, CLONE_NEWNS) < 0 && errno == EPERM)
        bits |= 16;
      if (syscall (SYS_clone3, NULL, 0) < 0 && errno == ENOSYS)
        bits |= 32;
      _exit (bits);
    }
  int st = 0;
  waitpid (pid, &st, 0);
  ok (WIFEXITED (st) && WEXITSTATUS (st) != 100, "the kernel loads the reshaped program (%u instructions)",
      s.prog.len);
  is_int (WIFEXITED (st) ? WEXITSTATUS (st) : -1, 63,
          "under it getpid works, keyctl and personality(READ_IMPLIES_EXEC) get EPERM, "
          "personality(0xffffffff) works, unshare(CLONE_NEWNS) gets EPERM, clone3 ENOSYS");
  free (s.prog.filter);
}

static void
test_reshape (void)
{
  pc_error *err = NULL;
  json_object *oci = pc_runtime_seccomp_to_oci (NULL, pc_runtime_default_caps (), &err);
  ok (oci != NULL, "default profile converts");
  if (oci == NULL)
    return;
  static const uint64_t dflt[] = { 0, 8, 0x20000, 0x20008, 0xffffffff, 0x7e020000, 0x10000000,
                                   0x100000000ULL, 0xffffffff00000000ULL, 1 };
  check_reshape (oci, "default profile", dflt, sizeof dflt / sizeof dflt[0]);
  test_reshaped_in_the_kernel (oci);
  json_object_put (oci);

  /* The default profile and rules with every other action, conditions on
     two arguments and on 64-bit values, alternatives on one argument, for
     calls the default profile refuses. (A sparse allow list is no use: its
     ranges are single numbers, and the reshaper keeps libseccomp's
     program, which is smaller then.) */
  oci = pc_runtime_seccomp_to_oci (NULL, pc_runtime_default_caps (), &err);
  json_object *more = json_tokener_parse (
    "[{\"names\":[\"reboot\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"},"
    "{\"names\":[\"syslog\"],\"action\":\"SCMP_ACT_TRAP\"},"
    "{\"names\":[\"acct\"],\"action\":\"SCMP_ACT_LOG\"},"
    "{\"names\":[\"mbind\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38},"
    "{\"names\":[\"setns\"],\"action\":\"SCMP_ACT_ALLOW\","
    " \"args\":[{\"index\":1,\"value\":0,\"op\":\"SCMP_CMP_NE\"},{\"index\":0,\"value\":3,\"op\":\"SCMP_CMP_LT\"}]},"
    "{\"names\":[\"kcmp\"],\"action\":\"SCMP_ACT_ALLOW\","
    " \"args\":[{\"index\":1,\"value\":9,\"op\":\"SCMP_CMP_EQ\"},{\"index\":1,\"value\":15,\"op\":\"SCMP_CMP_EQ\"}]},"
    "{\"names\":[\"quotactl\"],\"action\":\"SCMP_ACT_ALLOW\","
    " \"args\":[{\"index\":3,\"value\":4294967296,\"op\":\"SCMP_CMP_GE\"}]},"
    "{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ALLOW\","
    " \"args\":[{\"index\":2,\"value\":4,\"valueTwo\":4,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]");
  ok (oci != NULL && more != NULL, "default profile with more rules");
  if (!seccomp_syscall_works ())
    printf ("ok %d # SKIP libseccomp needs seccomp(2) for these actions (valgrind?)\n", ++tap_count);
  else if (oci && more)
    {
      json_object *sc = json_object_object_get (oci, "syscalls");
      for (size_t i = 0; i < json_object_array_length (more); i++)
        json_object_array_add (sc, json_object_get (json_object_array_get_idx (more, i)));
      static const uint64_t c[] = { 0, 1, 2, 3, 4, 5, 9, 15, 16, 0x100000000ULL, 0xffffffffULL,
                                    0xffffffffffffffffULL, 0x20008, 0x7e020000 };
      check_reshape (oci, "profile with every action", c, sizeof c / sizeof c[0]);
    }
  json_object_put (more);
  json_object_put (oci);
  pc_error_clear (&err);

  /* A program that tests bits of the syscall number is beyond the reshaper:
     it keeps the original. */
  struct sock_filter bits[] = {
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, 0),
    BPF_JUMP (BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
  };
  struct sock_fprog bp = { sizeof bits / sizeof bits[0], bits }, out = { 0 };
  is_int (rt_seccomp_reshape (&bp, &out), -1, "a bit test on the number keeps the original program");
}

int
main (void)
{
  test_default_profile ();
  test_custom_profiles ();
  test_reshape ();
  return done_testing ();
}
