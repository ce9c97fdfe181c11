/* An idle monitor gives back what setting up took: the heap's free pages
   (malloc_trim) and its references to file pages. The monitor is a fork of
   the CLI; setting a container up faults in most of libc and pc (and, with
   a network, GLib and libslirp), lazy binding walks every library's symbol
   tables, and fault-around maps 64 KiB around each fault: about 3 MiB of
   VmRSS (4.6 MiB with the network) of which an idle loop needs a few
   pages. MADV_DONTNEED on a private file mapping none of whose pages was
   ever written drops only this process's references: the pages stay in
   the page cache, shared with every other process, and the loop faults
   back the few it uses (minor faults), as after the kernel reclaimed them
   under memory pressure, which it may do at any time. A mapping with a
   written page (relocated data, RELRO, .data) is left alone.

   Done once, when the container has run for PC_MON_TRIM_DELAY_MS, so a
   short-lived container (pc run --rm IMG true) does not pay for the faults
   on its exit path.

   The heap: the monitor inherits the CLI's, some 250 KiB of which it needs
   a few KiB (the configuration's strings), the rest its garbage (the
   record's and the spec's JSON trees, freed chunks). Left alone, the
   monitor's own long-lived allocations (libslirp's and GLib's, the dlopen
   bookkeeping, the loop's) land in the holes all over it, and glibc's
   per-thread cache (tcache: up to 7 freed chunks of each of 64 sizes, which
   malloc_trim does not see) pins a chunk in most of the rest: 180 KiB of
   heap stay resident for ~40 KiB in use. So: once set up and reported, the
   monitor frees the spec and plugs the holes (pc_mon_heap_plug), which
   sends what it allocates from then on to the top of the heap; at idle
   the plugs are freed, the tcache is emptied into the ordinary bins
   (tcache_flush) and malloc_trim gives back every page that is free as a
   whole. (Plugging before the runtime and the network set up too saved
   nothing measurable and cost ~0.2 ms of copy-on-write faults before the
   report.) */
#include <errno.h>
#include <gnu/libc-version.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/timeutil.h"
#include "pkg/monitor/internal.h"

#define PC_MON_TRIM_DELAY_MS 200

/* Private file mappings none of whose pages was ever written (smaps'
   Anonymous: 0 kB): every resident page is the file's own page-cache page,
   so dropping our references loses nothing. A mapping with a written page
   (relocated data, RELRO, .data) keeps all of them. Single-threaded: no
   page of ours is written between the read of smaps and the madvise. */
#define TRIM_MAX 512

struct trim_ranges
{
  uintptr_t start[TRIM_MAX], end[TRIM_MAX];
  size_t n;
  /* The mapping whose fields are being read. */
  uintptr_t cur_start, cur_end;
  bool cur_file;
};

static void
trim_line (struct trim_ranges *t, const char *line)
{
  unsigned long start, end, inode, anon;
  char perms[5];
  if (sscanf (line, "%lx-%lx %4s %*x %*x:%*x %lu", &start, &end, perms, &inode) == 4)
    {
      t->cur_start = start;
      t->cur_end = end;
      /* Private, of a file (not the heap, stack, vdso or anonymous memory). */
      t->cur_file = inode != 0 && perms[3] == 'p' && end > start;
      return;
    }
  if (t->cur_file && sscanf (line, "Anonymous: %lu kB", &anon) == 1)
    {
      if (anon == 0 && t->n < TRIM_MAX)
        {
          t->start[t->n] = t->cur_start;
          t->end[t->n] = t->cur_end;
          t->n++;
        }
      t->cur_file = false;
    }
}

/* The plugs: chunks that fill the heap's holes until setting up is done,
   chained through their first word. */
static void *plugs;

/* Fills every free chunk below the top of the heap, so what is allocated
   next comes from the top: large plugs first, then each of the tcache's
   sizes (a tcache chunk is handed out only for its exact size), each until
   malloc answers from the top. A few hundred mallocs. Never more than
   the arena's free bytes below its top, and the most the tcache can hold
   (it counts as in use): an arena that is not one brk run (top is not
   where sbrk says) costs that much until the trim, not a runaway. */
void
pc_mon_heap_plug (void)
{
  struct mallinfo2 mi = mallinfo2 ();
  uintptr_t top = (uintptr_t) sbrk (0) - mi.keepcost;
  size_t budget = mi.fordblks - mi.keepcost + 7 * 64 * 1040;
  for (size_t i = 0; i < 3 + 64; i++)
    {
      size_t size = i < 3 ? (size_t) 65536 >> (2 * i) : 1032 - 16 * (i - 3);
      for (;;)
        {
          if (budget < size)
            return;
          budget -= size;
          void **p = malloc (size);
          if (p == NULL)
            return;
          if ((uintptr_t) p >= top)
            {
              free (p);
              break;
            }
          *p = plugs;
          plugs = p;
        }
    }
}

/* glibc's tcache (2.26 and later) is the main thread's first chunk, at the
   start of the heap: 0x290 bytes since 2.30, uint16_t counts[64] then
   entry pointers[64]. The chunks it holds are handed out by malloc (each
   size's count times) and freed again while every count reads as full,
   which sends them to the arena's bins, where malloc_trim consolidates
   them. Anything that does not look so (another layout, another
   allocator) is left alone. */
#define TC_BINS 64
struct tc_layout
{
  uint16_t counts[TC_BINS];
  void *entries[TC_BINS];
};

static uintptr_t
heap_start (void)
{
  pc_autofclose FILE *f = fopen ("/proc/self/maps", "re");
  char line[256];
  while (f && fgets (line, sizeof line, f))
    {
      unsigned long start, end;
      if (strstr (line, "[heap]") && sscanf (line, "%lx-%lx", &start, &end) == 2)
        return start;
    }
  return 0;
}

static void
tcache_flush (void)
{
  int major = 0, minor = 0;
  if (sscanf (gnu_get_libc_version (), "%d.%d", &major, &minor) != 2 || major != 2 || minor < 30)
    return;
  uintptr_t hs = heap_start ();
  uintptr_t he = (uintptr_t) sbrk (0);
  if (hs == 0 || he < hs + 0x290 || (*(size_t *) (hs + 8) & ~(size_t) 7) != 0x290)
    return;
  /* volatile: malloc and free change it behind the compiler's back. */
  volatile struct tc_layout *tc = (volatile struct tc_layout *) (hs + 16);
  for (int i = 0; i < TC_BINS; i++)
    {
      uintptr_t e = (uintptr_t) tc->entries[i];
      if (tc->counts[i] > 1000 || (tc->counts[i] == 0) != (e == 0) || (e != 0 && (e < hs || e >= he)))
        return;
    }
  void *taken = NULL;
  for (int i = 0; i < TC_BINS; i++)
    for (unsigned n = tc->counts[i]; n > 0 && tc->counts[i] > 0; n--)
      {
        /* The request size whose chunk is bin i's: 32 + 16 i bytes. */
        void **p = malloc (24 + 16 * (size_t) i);
        if (p == NULL)
          break;
        *p = taken;
        taken = p;
      }
  uint16_t saved[TC_BINS];
  for (int i = 0; i < TC_BINS; i++)
    {
      saved[i] = tc->counts[i];
      tc->counts[i] = UINT16_MAX;
    }
  while (taken)
    {
      void **p = taken;
      taken = *p;
      free (p);
    }
  for (int i = 0; i < TC_BINS; i++)
    tc->counts[i] = saved[i];
}

void
pc_mon_trim_now (void)
{
  while (plugs)
    {
      void **p = plugs;
      plugs = *p;
      free (p);
    }
  tcache_flush ();
  malloc_trim (0);
  int fd = open ("/proc/self/smaps", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  struct trim_ranges *t = calloc (1, sizeof *t);
  if (t == NULL)
    {
      close (fd);
      return;
    }
  char buf[8192];
  size_t have = 0;
  for (;;)
    {
      ssize_t r = read (fd, buf + have, sizeof buf - 1 - have);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      have += (size_t) r;
      buf[have] = '\0';
      char *line = buf, *nl;
      while ((nl = strchr (line, '\n')) != NULL)
        {
          *nl = '\0';
          trim_line (t, line);
          line = nl + 1;
        }
      have = strlen (line);
      if (have == sizeof buf - 1)
        have = 0;   /* a line longer than the buffer: a path; its header was parsed */
      memmove (buf, line, have);
    }
  close (fd);
  for (size_t i = 0; i < t->n; i++)
    madvise ((void *) t->start[i], t->end[i] - t->start[i], MADV_DONTNEED);
  free (t);
}

struct trim_state
{
  int64_t at;
};

static struct trim_state trim_state;

static void
trim_prepare (struct pc_mloop *l, int *timeout_ms, void *data)
{
  struct trim_state *t = data;
  int64_t left = t->at - pc_monotonic_ms ();
  if (left < 0)
    left = 0;
  if (*timeout_ms < 0 || left < *timeout_ms)
    *timeout_ms = (int) left;
}

static void
trim_check (struct pc_mloop *l, const struct pollfd *pfd, size_t n, bool poll_failed, void *data)
{
  struct trim_state *t = data;
  if (pc_monotonic_ms () < t->at)
    return;
  pc_mloop_remove_hook (l, t);
  pc_mon_trim_now ();
}

void
pc_mon_trim_arm (struct pc_monitor *m)
{
  malloc_trim (0);
  trim_state.at = pc_monotonic_ms () + PC_MON_TRIM_DELAY_MS;
  pc_mloop_add_hook (&m->loop, trim_prepare, trim_check, &trim_state);
}
