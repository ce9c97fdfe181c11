/* The program libseccomp exports, reshaped before it is cached: for each
   architecture one binary search over the ranges of syscall numbers that
   end the same way, instead of libseccomp's tree over every number. The
   kernel JIT-compiles a filter when it is loaded and runs it for every
   syscall number of the native and the compat architecture to find the
   calls it always allows (seccomp_cache_prepare): both grow with the
   program, and the default profile's 1269 instructions took 0.29 ms of
   each container start and exec.

   The reshaped program decides exactly as libseccomp's. It is derived from
   libseccomp's program, not from the profile: the program is run (an
   emulator of classic BPF) on every class of inputs it can tell apart.
   A program compares the architecture only for equality and the syscall
   number only with ==, > and >= against constants, so its behaviour is the
   same for every architecture but the ones it names and for every number
   between two of its constants; running it on one input of each class,
   until no new constant shows up, gives its whole behaviour. Where a path
   reads the arguments (or the instruction pointer), what follows is copied
   unchanged: the copy's jumps only get shorter. The result is checked
   against the original on the classes' edges and on argument values made
   from the constants the copied code compares with; anything this does not
   understand, or any difference, keeps libseccomp's program. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/runtime/internal.h"

#define OFF_NR 0
#define OFF_ARCH 4
#define OFF_DATA 8    /* instruction pointer, then the arguments */
#define DATA_LEN 64   /* sizeof (struct seccomp_data) */
#define DATA_WORDS ((DATA_LEN - OFF_DATA) / 4)

struct u32set
{
  uint32_t *v;
  size_t n, cap;
};

static bool
u32set_add (struct u32set *s, uint32_t x)
{
  for (size_t i = 0; i < s->n; i++)
    if (s->v[i] == x)
      return false;
  if (s->n == s->cap)
    {
      s->cap = s->cap ? s->cap * 2 : 64;
      s->v = xrealloc (s->v, s->cap * sizeof *s->v);
    }
  s->v[s->n++] = x;
  return true;
}

static int
cmp_u32 (const void *a, const void *b)
{
  uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
  return x < y ? -1 : x > y;
}

/* One run of the program. The constants compared with the architecture
   and the number go into the sets; `data` is the index of the first load
   of the instruction pointer or an argument (-1: none on this path). */
struct run
{
  uint32_t ret;
  int data;
};

enum src { SRC_OTHER, SRC_NR, SRC_ARCH };

static int
emulate (const struct sock_fprog *p, uint32_t nr, uint32_t arch, const uint32_t words[DATA_WORDS],
         struct u32set *nr_k, struct u32set *arch_k, struct run *out)
{
  uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
  enum src as = SRC_OTHER, xs = SRC_OTHER;
  out->data = -1;
  for (unsigned pc = 0; pc < p->len; pc++)
    {
      const struct sock_filter *f = &p->filter[pc];
      uint16_t cls = BPF_CLASS (f->code);
      if (cls == BPF_RET)
        {
          if (f->code == (BPF_RET | BPF_K))
            out->ret = f->k;
          else if (f->code == (BPF_RET | BPF_A))
            out->ret = a;
          else
            return -1;
          return 0;
        }
      if (cls == BPF_JMP)
        {
          uint16_t op = BPF_OP (f->code);
          bool use_x = BPF_SRC (f->code) == BPF_X;
          if (op == BPF_JA)
            {
              if (use_x || (uint64_t) pc + 1 + f->k >= p->len)
                return -1;
              pc += f->k;
              continue;
            }
          if (pc + 1u + f->jt >= p->len || pc + 1u + f->jf >= p->len)
            return -1;
          if (use_x && (as != SRC_OTHER || xs != SRC_OTHER))
            return -1;
          uint32_t v = use_x ? x : f->k;
          bool t;
          switch (op)
            {
            case BPF_JEQ: t = a == v; break;
            case BPF_JGT: t = a > v; break;
            case BPF_JGE: t = a >= v; break;
            case BPF_JSET: t = (a & v) != 0; break;
            default: return -1;
            }
          if (as == SRC_NR)
            {
              if (op == BPF_JSET)
                return -1;
              if (nr_k)
                u32set_add (nr_k, v);
            }
          else if (as == SRC_ARCH)
            {
              if (op != BPF_JEQ)
                return -1;
              if (arch_k)
                u32set_add (arch_k, v);
            }
          pc += t ? f->jt : f->jf;
          continue;
        }
      switch (f->code)
        {
        case BPF_LD | BPF_W | BPF_ABS:
          if (f->k % 4 || f->k > DATA_LEN - 4)
            return -1;
          if (f->k == OFF_NR)
            a = nr, as = SRC_NR;
          else if (f->k == OFF_ARCH)
            a = arch, as = SRC_ARCH;
          else
            {
              a = words[(f->k - OFF_DATA) / 4];
              as = SRC_OTHER;
              if (out->data < 0)
                out->data = (int) pc;
            }
          break;
        case BPF_LD | BPF_W | BPF_LEN: a = DATA_LEN, as = SRC_OTHER; break;
        case BPF_LDX | BPF_W | BPF_LEN: x = DATA_LEN, xs = SRC_OTHER; break;
        case BPF_LD | BPF_IMM: a = f->k, as = SRC_OTHER; break;
        case BPF_LDX | BPF_IMM: x = f->k, xs = SRC_OTHER; break;
        case BPF_LD | BPF_MEM:
          if (f->k >= BPF_MEMWORDS)
            return -1;
          a = mem[f->k], as = SRC_OTHER;
          break;
        case BPF_LDX | BPF_MEM:
          if (f->k >= BPF_MEMWORDS)
            return -1;
          x = mem[f->k], xs = SRC_OTHER;
          break;
        case BPF_ST:
        case BPF_STX:
          /* What is stored is never followed: the number or the
             architecture may not go through memory. */
          if (f->k >= BPF_MEMWORDS || (f->code == BPF_ST ? as : xs) != SRC_OTHER)
            return -1;
          mem[f->k] = f->code == BPF_ST ? a : x;
          break;
        case BPF_MISC | BPF_TAX: x = a, xs = as; break;
        case BPF_MISC | BPF_TXA: a = x, as = xs; break;
        default:
          {
            if (cls != BPF_ALU || as != SRC_OTHER
                || (BPF_SRC (f->code) == BPF_X && xs != SRC_OTHER))
              return -1;
            uint32_t v = BPF_SRC (f->code) == BPF_X ? x : f->k;
            switch (BPF_OP (f->code))
              {
              case BPF_ADD: a += v; break;
              case BPF_SUB: a -= v; break;
              case BPF_MUL: a *= v; break;
              case BPF_DIV: if (v == 0) return -1; a /= v; break;
              case BPF_MOD: if (v == 0) return -1; a %= v; break;
              case BPF_AND: a &= v; break;
              case BPF_OR: a |= v; break;
              case BPF_XOR: a ^= v; break;
              case BPF_LSH: a = v < 32 ? a << v : 0; break;
              case BPF_RSH: a = v < 32 ? a >> v : 0; break;
              case BPF_NEG: a = -a; break;
              default: return -1;
              }
          }
        }
    }
  return -1;   /* fell off the end */
}

/* How a class of (architecture, number) ends: a return, or the copied
   code from a load of the arguments. */
struct outcome
{
  bool sub;
  uint32_t v;   /* the return value, or the index of the load */
};

struct range
{
  uint32_t start;   /* up to the next range's start - 1 */
  struct outcome o;
};

struct arch_class
{
  uint32_t arch;    /* the value run for it */
  bool other;       /* every architecture the program does not name */
  struct range *r;
  size_t n;
};

/* The program being written: instructions and the jumps to labels. */
struct fix
{
  size_t at;
  int label;
};

struct buf
{
  struct sock_filter *f;
  size_t n, cap;
  struct fix *fx;
  size_t nfx, capfx;
};

static size_t
emit (struct buf *b, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
  if (b->n == b->cap)
    {
      b->cap = b->cap ? b->cap * 2 : 256;
      b->f = xrealloc (b->f, b->cap * sizeof *b->f);
    }
  b->f[b->n] = (struct sock_filter) { code, jt, jf, k };
  return b->n++;
}

static void
emit_ja (struct buf *b, int label)
{
  if (b->nfx == b->capfx)
    {
      b->capfx = b->capfx ? b->capfx * 2 : 64;
      b->fx = xrealloc (b->fx, b->capfx * sizeof *b->fx);
    }
  b->fx[b->nfx++] = (struct fix) { emit (b, BPF_JMP | BPF_JA, 0, 0, 0), label };
}

static void
append (struct buf *b, const struct buf *c)
{
  size_t base = b->n;
  for (size_t i = 0; i < c->n; i++)
    emit (b, c->f[i].code, c->f[i].jt, c->f[i].jf, c->f[i].k);
  for (size_t i = 0; i < c->nfx; i++)
    {
      if (b->nfx == b->capfx)
        {
          b->capfx = b->capfx ? b->capfx * 2 : 64;
          b->fx = xrealloc (b->fx, b->capfx * sizeof *b->fx);
        }
      b->fx[b->nfx++] = (struct fix) { base + c->fx[i].at, c->fx[i].label };
    }
}

static void
buf_free (struct buf *b)
{
  free (b->f);
  free (b->fx);
  memset (b, 0, sizeof *b);
}

/* Labels of the copied code are the load indexes; -1 - i is arch block i. */
static void
emit_leaf (struct buf *b, const struct outcome *o)
{
  if (o->sub)
    emit_ja (b, (int) o->v);
  else
    emit (b, BPF_RET | BPF_K, 0, 0, o->v);
}

/* A binary search over r[0..n), the number in A: nr >= r[mid].start goes
   right, the rest falls through to the left half. */
static void
emit_tree (struct buf *b, const struct range *r, size_t n)
{
  if (n == 1)
    {
      emit_leaf (b, &r[0].o);
      return;
    }
  size_t mid = n / 2;
  struct buf left = { 0 };
  emit_tree (&left, r, mid);
  if (left.n <= 255)
    {
      emit (b, BPF_JMP | BPF_JGE | BPF_K, (uint8_t) left.n, 0, r[mid].start);
      append (b, &left);
    }
  else
    {
      /* Too far for a conditional jump: it skips a `ja` to the right half. */
      struct buf right = { 0 };
      emit_tree (&right, r + mid, n - mid);
      emit (b, BPF_JMP | BPF_JGE | BPF_K, 0, 1, r[mid].start);
      emit (b, BPF_JMP | BPF_JA, 0, 0, (uint32_t) left.n);
      append (b, &left);
      append (b, &right);
      buf_free (&right);
      buf_free (&left);
      return;
    }
  buf_free (&left);
  emit_tree (b, r + mid, n - mid);
}

/* The instructions reachable from `from`, in `in`. Only code that reads
   nothing but the data and the registers it set itself may be copied. */
static int
mark_reachable (const struct sock_fprog *p, unsigned from, bool *in)
{
  if (in[from])
    return 0;
  in[from] = true;
  const struct sock_filter *f = &p->filter[from];
  uint16_t cls = BPF_CLASS (f->code);
  if (cls == BPF_RET)
    return 0;
  if (cls == BPF_JMP)
    {
      if (BPF_SRC (f->code) == BPF_X)
        return -1;
      if (BPF_OP (f->code) == BPF_JA)
        return (uint64_t) from + 1 + f->k >= p->len ? -1 : mark_reachable (p, from + 1 + f->k, in);
      if (from + 1u + f->jt >= p->len || from + 1u + f->jf >= p->len)
        return -1;
      return mark_reachable (p, from + 1 + f->jt, in) < 0 ? -1 : mark_reachable (p, from + 1 + f->jf, in);
    }
  if (from + 1u >= p->len)
    return -1;
  switch (f->code)
    {
    case BPF_LD | BPF_W | BPF_ABS:
      if (f->k < OFF_DATA)
        return -1;
      break;
    case BPF_LD | BPF_IMM:
    case BPF_LD | BPF_W | BPF_LEN:
      break;
    default:
      if (cls != BPF_ALU || BPF_SRC (f->code) == BPF_X)
        return -1;
    }
  return mark_reachable (p, from + 1, in);
}

static bool
same (const struct outcome *a, const struct outcome *b)
{
  return a->sub == b->sub && a->v == b->v;
}

/* Outcome for one input class; -1 when the program is beyond us. */
static int
classify (const struct sock_fprog *p, uint32_t nr, uint32_t arch, struct u32set *nr_k, struct u32set *arch_k,
          struct outcome *o)
{
  static const uint32_t zero[DATA_WORDS];
  struct run r;
  if (emulate (p, nr, arch, zero, nr_k, arch_k, &r) < 0)
    return -1;
  o->sub = r.data >= 0;
  o->v = o->sub ? (uint32_t) r.data : r.ret;
  return 0;
}

/* An architecture value the program does not name. */
static uint32_t
unnamed_arch (const struct u32set *arch_k)
{
  for (uint32_t v = 0x12345678;; v++)
    {
      bool named = false;
      for (size_t i = 0; i < arch_k->n; i++)
        named = named || arch_k->v[i] == v;
      if (!named)
        return v;
    }
}

/* Compares the two programs on the classes' edges and, where arguments are
   read, on argument words made of the copied code's constants. */
static bool
equivalent (const struct sock_fprog *p, const struct sock_fprog *q, const struct arch_class *ac, size_t nac,
            const struct u32set *data_k)
{
  uint32_t words[DATA_WORDS];
  for (size_t c = 0; c < nac; c++)
    for (size_t i = 0; i < ac[c].n; i++)
      {
        uint32_t lo = ac[c].r[i].start;
        uint32_t hi = i + 1 < ac[c].n ? ac[c].r[i + 1].start - 1 : UINT32_MAX;
        uint32_t nrs[3] = { lo, hi, lo < hi ? lo + 1 : lo };
        for (int j = 0; j < 3; j++)
          {
            size_t nprobe = ac[c].r[i].o.sub ? 1 + (size_t) DATA_WORDS * data_k->n * 3 + data_k->n : 1;
            for (size_t t = 0; t < nprobe; t++)
              {
                memset (words, 0, sizeof words);
                if (t > 0 && t <= (size_t) DATA_WORDS * data_k->n * 3)
                  {
                    size_t u = t - 1;
                    uint32_t k = data_k->v[(u / 3) % data_k->n];
                    words[u / 3 / data_k->n] = k + (uint32_t) (u % 3) - 1;
                  }
                else if (t > 0)
                  for (size_t w = 0; w < DATA_WORDS; w++)
                    words[w] = data_k->v[t - 1 - (size_t) DATA_WORDS * data_k->n * 3];
                struct run a, b;
                if (emulate (p, nrs[j], ac[c].arch, words, NULL, NULL, &a) < 0
                    || emulate (q, nrs[j], ac[c].arch, words, NULL, NULL, &b) < 0 || a.ret != b.ret)
                  return false;
              }
          }
      }
  return true;
}

int
rt_seccomp_reshape (const struct sock_fprog *p, struct sock_fprog *out)
{
  int ret = -1;
  struct u32set nr_k = { 0 }, arch_k = { 0 }, data_k = { 0 };
  struct arch_class *ac = NULL;
  size_t nac = 0;
  struct buf b = { 0 }, sub = { 0 };
  bool *in = NULL;
  long *newpos = NULL;
  struct outcome o;
  if (p->len == 0 || p->len > BPF_MAXINSNS)
    return -1;

  /* The architectures and numbers the program tells apart, to a fixed
     point: every class is run, and its path may name new constants. */
  u32set_add (&nr_k, 0);
  for (size_t round = 0;; round++)
    {
      size_t before = nr_k.n + arch_k.n;
      if (round > 64)
        goto out;
      size_t na = arch_k.n;
      uint32_t *archs = xmalloc ((na + 1) * sizeof *archs);
      if (na > 0)
        memcpy (archs, arch_k.v, na * sizeof *archs);
      archs[na] = unnamed_arch (&arch_k);
      size_t nn = nr_k.n;
      uint32_t *pts = xmalloc (2 * nn * sizeof *pts);
      for (size_t i = 0; i < nn; i++)
        {
          pts[2 * i] = nr_k.v[i];
          pts[2 * i + 1] = nr_k.v[i] + 1;   /* 0 after UINT32_MAX: a start anyway */
        }
      bool bad = false;
      for (size_t a = 0; a <= na && !bad; a++)
        for (size_t i = 0; i < 2 * nn && !bad; i++)
          bad = classify (p, pts[i], archs[a], &nr_k, &arch_k, &o) < 0;
      free (archs);
      free (pts);
      if (bad)
        goto out;
      if (nr_k.n + arch_k.n == before)
        break;
    }

  /* Per architecture class: the numbers' ranges, merged where they end
     the same way. */
  qsort (arch_k.v, arch_k.n, sizeof *arch_k.v, cmp_u32);
  struct u32set starts = { 0 };
  u32set_add (&starts, 0);
  for (size_t i = 0; i < nr_k.n; i++)
    {
      u32set_add (&starts, nr_k.v[i]);
      if (nr_k.v[i] != UINT32_MAX)
        u32set_add (&starts, nr_k.v[i] + 1);
    }
  qsort (starts.v, starts.n, sizeof *starts.v, cmp_u32);
  nac = arch_k.n + 1;
  ac = xmalloc0 (nac * sizeof *ac);
  for (size_t c = 0; c < nac; c++)
    {
      ac[c].other = c == arch_k.n;
      ac[c].arch = ac[c].other ? unnamed_arch (&arch_k) : arch_k.v[c];
      ac[c].r = xmalloc (starts.n * sizeof *ac[c].r);
      for (size_t i = 0; i < starts.n; i++)
        {
          if (classify (p, starts.v[i], ac[c].arch, NULL, NULL, &o) < 0)
            {
              free (starts.v);
              goto out;
            }
          if (ac[c].n > 0 && same (&ac[c].r[ac[c].n - 1].o, &o))
            continue;
          ac[c].r[ac[c].n++] = (struct range) { starts.v[i], o };
        }
    }
  free (starts.v);

  /* The code copied from where arguments are read: every instruction
     reachable from those loads, in the original order. */
  in = xmalloc0 (p->len * sizeof *in);
  for (size_t c = 0; c < nac; c++)
    for (size_t i = 0; i < ac[c].n; i++)
      if (ac[c].r[i].o.sub && mark_reachable (p, ac[c].r[i].o.v, in) < 0)
        goto out;
  newpos = xmalloc (p->len * sizeof *newpos);
  for (unsigned i = 0; i < p->len; i++)
    {
      newpos[i] = -1;
      if (!in[i])
        continue;
      newpos[i] = (long) sub.n;
      emit (&sub, p->filter[i].code, p->filter[i].jt, p->filter[i].jf, p->filter[i].k);
      const struct sock_filter *f = &p->filter[i];
      if (BPF_CLASS (f->code) == BPF_JMP && BPF_OP (f->code) != BPF_JA)
        u32set_add (&data_k, f->k);
      else if (BPF_CLASS (f->code) == BPF_ALU)
        u32set_add (&data_k, f->k);
    }
  u32set_add (&data_k, 0);
  u32set_add (&data_k, UINT32_MAX);
  /* The copy's jumps: the same targets, fewer instructions between. */
  for (unsigned i = 0; i < p->len; i++)
    {
      if (!in[i] || BPF_CLASS (p->filter[i].code) != BPF_JMP)
        continue;
      struct sock_filter *f = &sub.f[newpos[i]];
      if (BPF_OP (f->code) == BPF_JA)
        f->k = (uint32_t) (newpos[i + 1 + p->filter[i].k] - newpos[i] - 1);
      else
        {
          f->jt = (uint8_t) (newpos[i + 1 + p->filter[i].jt] - newpos[i] - 1);
          f->jf = (uint8_t) (newpos[i + 1 + p->filter[i].jf] - newpos[i] - 1);
        }
    }

  /* ld arch; a jeq and a ja per named one; the rest falls into the block
     of the unnamed ones; then each named one's block; then the copy. */
  emit (&b, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_ARCH);
  for (size_t c = 0; c + 1 < nac; c++)
    {
      emit (&b, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, ac[c].arch);
      emit_ja (&b, -1 - (int) c);
    }
  long *block = xmalloc (nac * sizeof *block);
  for (size_t k = 0; k < nac; k++)
    {
      size_t c = (k + nac - 1) % nac;   /* the unnamed ones first */
      block[c] = (long) b.n;
      if (ac[c].n > 1)
        emit (&b, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_NR);
      emit_tree (&b, ac[c].r, ac[c].n);
    }
  size_t sub_at = b.n;
  for (size_t i = 0; i < sub.n; i++)
    emit (&b, sub.f[i].code, sub.f[i].jt, sub.f[i].jf, sub.f[i].k);
  for (size_t i = 0; i < b.nfx; i++)
    {
      long target = b.fx[i].label < 0 ? block[-1 - b.fx[i].label] : (long) sub_at + newpos[b.fx[i].label];
      b.f[b.fx[i].at].k = (uint32_t) (target - (long) b.fx[i].at - 1);
    }
  free (block);
  /* Shorter, or not worth it; and ending in a return, as the kernel's
     checker wants (it always does: the copy's last instruction has no
     successor, the last block ends in its rightmost leaf). */
  if (b.n >= p->len || b.n > BPF_MAXINSNS || BPF_CLASS (b.f[b.n - 1].code) != BPF_RET)
    goto out;

  struct sock_fprog q = { .len = (unsigned short) b.n, .filter = b.f };
  if (!equivalent (p, &q, ac, nac, &data_k))
    goto out;
  out->len = q.len;
  out->filter = steal_pointer (&b.f);
  ret = 0;
out:
  for (size_t c = 0; c < nac; c++)
    free (ac[c].r);
  free (ac);
  free (in);
  free (newpos);
  free (nr_k.v);
  free (arch_k.v);
  free (data_k.v);
  buf_free (&b);
  buf_free (&sub);
  return ret;
}
