#include "pkg/monitor/loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

void
pc_mloop_init (struct pc_mloop *l)
{
  memset (l, 0, sizeof *l);
}

void
pc_mloop_free (struct pc_mloop *l)
{
  free (l->src);
  free (l->pfd);
  memset (l, 0, sizeof *l);
}

static struct pc_mloop_source *
find (struct pc_mloop *l, int fd)
{
  for (size_t i = 0; i < l->n; i++)
    if (l->src[i].fd == fd)
      return &l->src[i];
  return NULL;
}

void
pc_mloop_add (struct pc_mloop *l, int fd, short events, pc_mloop_fn fn, void *data)
{
  if (l->n == l->cap)
    {
      l->cap = l->cap ? l->cap * 2 : 8;
      l->src = xrealloc (l->src, l->cap * sizeof *l->src);
    }
  l->src[l->n++] = (struct pc_mloop_source) { .fd = fd, .events = events, .fn = fn, .data = data };
}

void
pc_mloop_set_events (struct pc_mloop *l, int fd, short events)
{
  struct pc_mloop_source *s = find (l, fd);
  if (s)
    s->events = events;
}

void
pc_mloop_remove (struct pc_mloop *l, int fd)
{
  struct pc_mloop_source *s = find (l, fd);
  /* Compacted after the dispatch round, so indexes stay valid meanwhile. */
  if (s)
    s->fd = -1;
}

bool
pc_mloop_has (struct pc_mloop *l, int fd)
{
  return fd >= 0 && find (l, fd) != NULL;
}

void
pc_mloop_add_hook (struct pc_mloop *l, pc_mloop_prepare_fn prepare, pc_mloop_check_fn check,
                   void *data)
{
  if (l->n_hooks == sizeof l->hooks / sizeof l->hooks[0])
    abort ();
  l->hooks[l->n_hooks++] = (struct pc_mloop_hook) { prepare, check, data };
}

void
pc_mloop_quit (struct pc_mloop *l)
{
  l->quit = true;
}

static void
compact (struct pc_mloop *l)
{
  size_t j = 0;
  for (size_t i = 0; i < l->n; i++)
    if (l->src[i].fd >= 0)
      l->src[j++] = l->src[i];
  l->n = j;
}

int
pc_mloop_run (struct pc_mloop *l)
{
  while (!l->quit)
    {
      int timeout = -1;
      for (size_t h = 0; h < l->n_hooks; h++)
        if (l->hooks[h].prepare)
          l->hooks[h].prepare (l, &timeout, l->hooks[h].data);

      if (l->pfd_cap < l->n)
        {
          l->pfd_cap = l->cap;
          l->pfd = xrealloc (l->pfd, l->pfd_cap * sizeof *l->pfd);
        }
      /* Handlers may add sources while we dispatch: only the first n polled. */
      size_t n = l->n;
      for (size_t i = 0; i < n; i++)
        {
          l->pfd[i].fd = l->src[i].events ? l->src[i].fd : -1;
          l->pfd[i].events = l->src[i].events;
          l->pfd[i].revents = 0;
        }
      int r = poll (l->pfd, n, timeout);
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          return -1;
        }
      for (size_t i = 0; i < n && !l->quit; i++)
        {
          short rev = l->pfd[i].revents;
          /* A slot removed and reused in this round has a different fd. */
          if (rev == 0 || l->src[i].fd < 0 || l->src[i].fd != l->pfd[i].fd)
            continue;
          l->src[i].fn (l, l->src[i].fd, rev, l->src[i].data);
        }
      compact (l);
      for (size_t h = 0; h < l->n_hooks && !l->quit; h++)
        if (l->hooks[h].check)
          l->hooks[h].check (l, l->hooks[h].data);
    }
  return 0;
}
