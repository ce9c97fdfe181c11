/* The monitor's event loop: a table of fd + handler, run by poll(), plus
   hooks in libslirp's fill/poll model. Sources are added and removed while
   the loop runs. A hook's prepare runs before every poll: it may lower the
   timeout (timers) and add pollfds for this one iteration
   (pc_mloop_poll_add, which returns an index, as slirp_pollfds_fill's
   add_poll callback does); its check runs after every poll and gets the
   revents of exactly the pollfds its prepare added (the get_revents side of
   slirp_pollfds_poll). Any number of sources and hooks. No threads. */
#ifndef PC_PKG_MONITOR_LOOP_H
#define PC_PKG_MONITOR_LOOP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

struct pc_mloop;
typedef void (*pc_mloop_fn) (struct pc_mloop *l, int fd, short revents, void *data);
/* Called before each poll; may lower *timeout_ms (-1 = none) and add this
   iteration's pollfds with pc_mloop_poll_add. */
typedef void (*pc_mloop_prepare_fn) (struct pc_mloop *l, int *timeout_ms, void *data);
/* Called after each poll, whatever woke it. pfd[i] is the pollfd for which
   this hook's prepare got index i in this iteration, with its revents; n is
   how many it added (pfd is NULL when none). poll_failed: poll was
   interrupted (EINTR) and no revents are meaningful (libslirp's
   select_error). */
typedef void (*pc_mloop_check_fn) (struct pc_mloop *l, const struct pollfd *pfd, size_t n,
                                   bool poll_failed, void *data);

struct pc_mloop_source
{
  int fd;          /* -1: slot being removed */
  short events;
  pc_mloop_fn fn;
  void *data;
};

struct pc_mloop_hook
{
  pc_mloop_prepare_fn prepare;
  pc_mloop_check_fn check;
  void *data;
  bool removed;
  size_t pfd_base, pfd_n;   /* this iteration's pollfds, relative to the hooks' part */
};

struct pc_mloop
{
  struct pc_mloop_source *src;
  size_t n, cap;
  struct pollfd *pfd;        /* sources' pollfds, then the hooks' */
  size_t pfd_cap;
  struct pollfd *hpfd;       /* hooks' pollfds while they are being added */
  size_t n_hpfd, hpfd_cap;
  struct pc_mloop_hook *hooks;
  size_t n_hooks, hooks_cap;
  bool preparing;            /* a prepare hook runs */
  size_t preparing_base;     /* its first pollfd in hpfd */
  bool quit;
};

void pc_mloop_init (struct pc_mloop *l);
void pc_mloop_free (struct pc_mloop *l);
void pc_mloop_add (struct pc_mloop *l, int fd, short events, pc_mloop_fn fn, void *data);
/* Changes what fd waits for; 0 pauses it. */
void pc_mloop_set_events (struct pc_mloop *l, int fd, short events);
/* Safe from inside a handler. Does not close fd. */
void pc_mloop_remove (struct pc_mloop *l, int fd);
bool pc_mloop_has (struct pc_mloop *l, int fd);
/* Hooks run in the order they were added. Safe from inside a handler or
   hook (a hook added during an iteration first runs in the next one). */
void pc_mloop_add_hook (struct pc_mloop *l, pc_mloop_prepare_fn prepare, pc_mloop_check_fn check,
                        void *data);
/* Removes every hook with this data; safe from inside a handler or hook. */
void pc_mloop_remove_hook (struct pc_mloop *l, void *data);
/* Only from a prepare hook: polls fd for events in this iteration; returns
   the index of its pollfd in the hook's check (0, 1, ... in call order), or
   -1 when called outside a prepare. */
int pc_mloop_poll_add (struct pc_mloop *l, int fd, short events);
/* Runs until pc_mloop_quit; returns -1 with errno when poll fails. */
int pc_mloop_run (struct pc_mloop *l);
void pc_mloop_quit (struct pc_mloop *l);

#endif
