/* The device policy (pkg/runtime/cgroup-devices.c): the cgroup v2 eBPF
   program's decisions, run through a small interpreter of the instructions
   it uses (any user, any host); then, as root, the real kernel: a process
   moved into a cgroup with the policy can make nodes but open only the
   allowed ones, on every hierarchy this host has (v1 devices, v2). */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/runtime/internal.h"
#include "tests/unit/tap.h"

/* podman's defaults as pkg/engine writes them, plus /dev/zero read-only
   for a partial access rule. */
static const struct rt_dev_rule rules[] = {
  { false, 'a', -1, -1, RT_DEV_READ | RT_DEV_WRITE | RT_DEV_MKNOD },
  { true, 'c', -1, -1, RT_DEV_MKNOD },
  { true, 'b', -1, -1, RT_DEV_MKNOD },
  { true, 'c', 1, 3, RT_DEV_READ | RT_DEV_WRITE | RT_DEV_MKNOD },
  { true, 'c', 1, 5, RT_DEV_READ },
  { true, 'c', 136, -1, RT_DEV_READ | RT_DEV_WRITE | RT_DEV_MKNOD },
};
#define N_RULES (sizeof rules / sizeof rules[0])

/* Runs the program on one access; -1 when it does something unexpected. */
static int
run_bpf (const struct bpf_insn *p, size_t n, unsigned type, unsigned access, unsigned maj, unsigned mnr)
{
  uint64_t r[11] = { 0 };
  uint32_t ctx[3] = { (access << 16) | type, maj, mnr };
  for (size_t pc = 0; pc < n; pc++)
    {
      const struct bpf_insn *i = &p[pc];
      uint64_t src = BPF_SRC (i->code) == BPF_X ? r[i->src_reg] : (uint64_t) (int64_t) i->imm;
      switch (i->code)
        {
        case BPF_LDX | BPF_W | BPF_MEM:
          if (i->src_reg != 1 || i->off < 0 || i->off > 8 || i->off % 4)
            return -1;
          r[i->dst_reg] = ctx[i->off / 4];
          break;
        case BPF_ALU | BPF_AND | BPF_K:
          r[i->dst_reg] = (uint32_t) (r[i->dst_reg] & (uint32_t) i->imm);
          break;
        case BPF_ALU | BPF_RSH | BPF_K:
          r[i->dst_reg] = (uint32_t) r[i->dst_reg] >> i->imm;
          break;
        case BPF_ALU | BPF_MOV | BPF_X:
          r[i->dst_reg] = (uint32_t) r[i->src_reg];
          break;
        case BPF_ALU64 | BPF_MOV | BPF_K:
          r[i->dst_reg] = (uint64_t) (int64_t) i->imm;
          break;
        case BPF_JMP | BPF_JNE | BPF_K:
        case BPF_JMP | BPF_JNE | BPF_X:
          if (r[i->dst_reg] != src)
            pc += (size_t) i->off;
          break;
        case BPF_JMP | BPF_EXIT:
          return (int) r[0];
        default:
          return -1;
        }
    }
  return -1;
}

static void
test_program (void)
{
  struct bpf_insn prog[8 + 8 * N_RULES];
  size_t n = rt_cgroup_devices_bpf (rules, N_RULES, prog);
  ok (n > 0 && n <= 8 + 8 * N_RULES, "the program fits its bound (%zu instructions)", n);
  const unsigned C = BPF_DEVCG_DEV_CHAR, B = BPF_DEVCG_DEV_BLOCK;
  const unsigned R = BPF_DEVCG_ACC_READ, W = BPF_DEVCG_ACC_WRITE, M = BPF_DEVCG_ACC_MKNOD;
  is_int (run_bpf (prog, n, C, R | W, 1, 3), 1, "/dev/null: read and write allowed");
  is_int (run_bpf (prog, n, C, R, 1, 5), 1, "/dev/zero: read allowed");
  is_int (run_bpf (prog, n, C, W, 1, 5), 0, "/dev/zero: write denied (the rule says r)");
  is_int (run_bpf (prog, n, C, R | W, 1, 5), 0, "/dev/zero: read+write denied");
  is_int (run_bpf (prog, n, C, R | W, 136, 7), 1, "a pty (136:*) allowed");
  is_int (run_bpf (prog, n, C, R, 10, 232), 0, "kvm (c 10:232) read denied");
  is_int (run_bpf (prog, n, C, M, 10, 232), 1, "kvm may be made (mknod)");
  is_int (run_bpf (prog, n, B, R, 8, 0), 0, "the first disk (b 8:0) read denied");
  is_int (run_bpf (prog, n, B, M, 8, 0), 1, "a block node may be made");
  is_int (run_bpf (prog, n, B, R | W, 1, 3), 0, "b 1:3 is not /dev/null");
  /* Later rules override earlier ones. */
  struct rt_dev_rule over[] = {
    { true, 'a', -1, -1, RT_DEV_READ | RT_DEV_WRITE | RT_DEV_MKNOD },
    { false, 'c', 10, -1, RT_DEV_READ | RT_DEV_WRITE | RT_DEV_MKNOD },
  };
  struct bpf_insn p2[8 + 8 * 2];
  size_t n2 = rt_cgroup_devices_bpf (over, 2, p2);
  is_int (run_bpf (p2, n2, C, R, 10, 237), 0, "a later deny overrides an earlier allow");
  is_int (run_bpf (p2, n2, C, R, 1, 3), 1, "and leaves the rest allowed");
  struct bpf_insn p3[8];
  size_t n3 = rt_cgroup_devices_bpf (NULL, 0, p3);
  is_int (run_bpf (p3, n3, C, R, 1, 3), 0, "no rules: everything denied");
}

static bool
fs_is (const char *path, long magic)
{
  struct statfs sf;
  return statfs (path, &sf) == 0 && (long) sf.f_type == magic;
}

/* In a child moved into the policy's cgroup: the result of opening each
   node, as a string ("ok" or the errno's name) per case. */
static void
kernel_case (const char *what, const char *root, bool v2)
{
  char dir[256];
  snprintf (dir, sizeof dir, "%s/pc-unit-devices-%d", root, (int) getpid ());
  pc_error *err = NULL;
  int procs = -1;
  int r = rt_cgroup_devices_apply (dir, v2, rules, N_RULES, &procs, &err);
  ok (r == 0, "%s: the policy is applied to %s%s%s", what, dir, err ? ": " : "", err ? err->msg : "");
  pc_error_clear (&err);
  if (r < 0)
    {
      rmdir (dir);
      return;
    }
  char tmp[] = "/tmp/pc-unit-devices.XXXXXX";
  if (mkdtemp (tmp) == NULL)
    {
      ok (0, "mkdtemp");
      return;
    }
  int pipefd[2];
  if (pipe (pipefd) < 0)
    return;
  pid_t pid = fork ();
  if (pid == 0)
    {
      close (pipefd[0]);
      char out[256] = "";
      if (rt_cgroup_enter (procs, &err) < 0)
        _exit (2);
      char node[300], node2[300];
      snprintf (node, sizeof node, "%s/lc", tmp);
      snprintf (node2, sizeof node2, "%s/disk", tmp);
      int made = mknod (node, S_IFCHR | 0600, makedev (10, 237)) == 0
                 && mknod (node2, S_IFBLK | 0600, makedev (7, 0)) == 0;
      struct
      {
        const char *path;
        int flags;
      } c[] = {
        { "/dev/null", O_RDWR }, { "/dev/zero", O_RDONLY }, { "/dev/zero", O_WRONLY },
        { "/dev/full", O_RDONLY }, { node, O_RDONLY }, { node2, O_RDONLY },
      };
      strcat (out, made ? "made" : "notmade");
      for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        {
          int fd = open (c[i].path, c[i].flags | O_CLOEXEC);
          strcat (out, fd >= 0 ? " ok" : errno == EPERM ? " EPERM" : " other");
          if (fd >= 0)
            close (fd);
        }
      if (write (pipefd[1], out, strlen (out)) < 0)
        _exit (3);
      _exit (0);
    }
  close (pipefd[1]);
  char buf[256] = "";
  ssize_t n = read (pipefd[0], buf, sizeof buf - 1);
  if (n > 0)
    buf[n] = '\0';
  close (pipefd[0]);
  int st = 0;
  waitpid (pid, &st, 0);
  close (procs);
  /* null rw, zero r, zero w refused, full refused, c 10:237 and b 7:0 made but refused */
  is_str (buf, "made ok ok EPERM EPERM EPERM EPERM", "%s: nodes are made; only the allowed ones open", what);
  char path[300];
  snprintf (path, sizeof path, "%s/lc", tmp);
  unlink (path);
  snprintf (path, sizeof path, "%s/disk", tmp);
  unlink (path);
  rmdir (tmp);
  ok (rmdir (dir) == 0, "%s: the empty cgroup is removed", what);
}

int
main (void)
{
  test_program ();
  if (geteuid () != 0)
    {
      printf ("ok %d # SKIP the kernel's side needs root\n", ++tap_count);
      return done_testing ();
    }
  bool any = false;
  if (fs_is ("/sys/fs/cgroup/devices", 0x27e0eb))
    {
      kernel_case ("cgroup v1 devices", "/sys/fs/cgroup/devices", false);
      any = true;
    }
  const char *v2 = fs_is ("/sys/fs/cgroup", 0x63677270) ? "/sys/fs/cgroup"
                   : fs_is ("/sys/fs/cgroup/unified", 0x63677270) ? "/sys/fs/cgroup/unified" : NULL;
  if (v2)
    {
      kernel_case ("cgroup v2 eBPF", v2, true);
      any = true;
    }
  if (!any)
    printf ("ok %d # SKIP no cgroup hierarchy here\n", ++tap_count);
  return done_testing ();
}
