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
   on its exit path. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "pkg/monitor/internal.h"

#define PC_MON_TRIM_DELAY_MS 200

static int64_t
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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

void
pc_mon_trim_now (void)
{
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
  int64_t left = t->at - now_ms ();
  if (left < 0)
    left = 0;
  if (*timeout_ms < 0 || left < *timeout_ms)
    *timeout_ms = (int) left;
}

static void
trim_check (struct pc_mloop *l, const struct pollfd *pfd, size_t n, bool poll_failed, void *data)
{
  struct trim_state *t = data;
  if (now_ms () < t->at)
    return;
  pc_mloop_remove_hook (l, t);
  pc_mon_trim_now ();
}

void
pc_mon_trim_arm (struct pc_monitor *m)
{
  malloc_trim (0);
  trim_state.at = now_ms () + PC_MON_TRIM_DELAY_MS;
  pc_mloop_add_hook (&m->loop, trim_prepare, trim_check, &trim_state);
}
