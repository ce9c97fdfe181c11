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
  free (l->hpfd);
  free (l->hooks);
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
  if (l->n_hooks == l->hooks_cap)
    {
      /* Hooks are reached by index while they run, never by a pointer kept
         across a call, so moving them is safe. */
      l->hooks_cap = l->hooks_cap ? l->hooks_cap * 2 : 4;
      l->hooks = xrealloc (l->hooks, l->hooks_cap * sizeof *l->hooks);
    }
  l->hooks[l->n_hooks++] = (struct pc_mloop_hook) { .prepare = prepare, .check = check, .data = data };
}

void
pc_mloop_remove_hook (struct pc_mloop *l, void *data)
{
  for (size_t h = 0; h < l->n_hooks; h++)
    if (l->hooks[h].data == data)
      l->hooks[h].removed = true;
}

int
pc_mloop_poll_add (struct pc_mloop *l, int fd, short events)
{
  if (!l->preparing)
    {
      errno = EINVAL;
      return -1;
    }
  if (l->n_hpfd == l->hpfd_cap)
    {
      l->hpfd_cap = l->hpfd_cap ? l->hpfd_cap * 2 : 8;
      l->hpfd = xrealloc (l->hpfd, l->hpfd_cap * sizeof *l->hpfd);
    }
  l->hpfd[l->n_hpfd++] = (struct pollfd) { .fd = fd, .events = events };
  return (int) (l->n_hpfd - 1 - l->preparing_base);
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
  j = 0;
  for (size_t h = 0; h < l->n_hooks; h++)
    if (!l->hooks[h].removed)
      l->hooks[j++] = l->hooks[h];
  l->n_hooks = j;
}

/* Runs every hook's prepare; returns the timeout. */
static int
prepare_hooks (struct pc_mloop *l, size_t n_hooks)
{
  int timeout = -1;
  l->n_hpfd = 0;
  for (size_t h = 0; h < n_hooks; h++)
    {
      l->hooks[h].pfd_base = l->n_hpfd;
      l->hooks[h].pfd_n = 0;
      if (l->hooks[h].removed || l->hooks[h].prepare == NULL)
        continue;
      l->preparing = true;
      l->preparing_base = l->n_hpfd;
      /* Indexes only: the table moves when prepare adds a hook. */
      l->hooks[h].prepare (l, &timeout, l->hooks[h].data);
      l->preparing = false;
      l->hooks[h].pfd_n = l->n_hpfd - l->hooks[h].pfd_base;
    }
  return timeout;
}

int
pc_mloop_run (struct pc_mloop *l)
{
  while (!l->quit)
    {
      /* Hooks added from here on wait for the next iteration. */
      size_t n_hooks = l->n_hooks;
      int timeout = prepare_hooks (l, n_hooks);

      /* Handlers may add sources while we dispatch: only the first n polled. */
      size_t n = l->n;
      size_t total = n + l->n_hpfd;
      if (l->pfd_cap < total)
        {
          l->pfd_cap = total * 2;
          l->pfd = xrealloc (l->pfd, l->pfd_cap * sizeof *l->pfd);
        }
      for (size_t i = 0; i < n; i++)
        {
          l->pfd[i].fd = l->src[i].events ? l->src[i].fd : -1;
          l->pfd[i].events = l->src[i].events;
          l->pfd[i].revents = 0;
        }
      for (size_t i = 0; i < l->n_hpfd; i++)
        {
          l->pfd[n + i] = l->hpfd[i];
          l->pfd[n + i].revents = 0;
        }
      int r = poll (l->pfd, total, timeout);
      bool interrupted = false;
      if (r < 0)
        {
          if (errno != EINTR)
            return -1;
          interrupted = true;
        }
      for (size_t i = 0; i < n && !l->quit && !interrupted; i++)
        {
          short rev = l->pfd[i].revents;
          /* A slot removed and reused in this round has a different fd. */
          if (rev == 0 || l->src[i].fd < 0 || l->src[i].fd != l->pfd[i].fd)
            continue;
          l->src[i].fn (l, l->src[i].fd, rev, l->src[i].data);
        }
      for (size_t h = 0; h < n_hooks && !l->quit; h++)
        {
          struct pc_mloop_hook *k = &l->hooks[h];
          if (k->removed || k->check == NULL)
            continue;
          k->check (l, k->pfd_n ? l->pfd + n + k->pfd_base : NULL, k->pfd_n, interrupted, k->data);
        }
      compact (l);
    }
  return 0;
}
