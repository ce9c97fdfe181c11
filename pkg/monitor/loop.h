/* The monitor's event loop: a small table of fd + handler, run by poll().
   Sources are added and removed while the loop runs (the network code adds
   libslirp's fds the same way); hooks let a source lower the poll timeout
   (timers) and look at the world after every wakeup. No threads. */
#ifndef PC_PKG_MONITOR_LOOP_H
#define PC_PKG_MONITOR_LOOP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

struct pc_mloop;
typedef void (*pc_mloop_fn) (struct pc_mloop *l, int fd, short revents, void *data);
/* Called before each poll; may lower *timeout_ms (-1 = none). */
typedef void (*pc_mloop_prepare_fn) (struct pc_mloop *l, int *timeout_ms, void *data);
/* Called after each poll, whatever woke it. */
typedef void (*pc_mloop_check_fn) (struct pc_mloop *l, void *data);

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
};

struct pc_mloop
{
  struct pc_mloop_source *src;
  size_t n, cap;
  struct pollfd *pfd;
  size_t pfd_cap;
  struct pc_mloop_hook hooks[4];
  size_t n_hooks;
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
void pc_mloop_add_hook (struct pc_mloop *l, pc_mloop_prepare_fn prepare, pc_mloop_check_fn check,
                        void *data);
/* Runs until pc_mloop_quit; returns -1 with errno when poll fails. */
int pc_mloop_run (struct pc_mloop *l);
void pc_mloop_quit (struct pc_mloop *l);

#endif
