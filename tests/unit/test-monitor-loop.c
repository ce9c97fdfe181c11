/* The monitor's poll loop: dispatch, pausing, removal during a round, hooks
   in libslirp's fill/poll model (per-iteration pollfds, timers, any number). */
#include <errno.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pkg/monitor/loop.h"
#include "tests/unit/tap.h"

struct ctx
{
  int a[2], b[2];
  int calls_a, calls_b, rounds;
  bool remove_b;
};

static void
on_a (struct pc_mloop *l, int fd, short revents, void *data)
{
  struct ctx *c = data;
  char buf[16];
  if (read (fd, buf, sizeof buf) > 0)
    c->calls_a++;
  if (c->remove_b)
    pc_mloop_remove (l, c->b[0]);
}

static void
on_b (struct pc_mloop *l, int fd, short revents, void *data)
{
  struct ctx *c = data;
  char buf[16];
  if (read (fd, buf, sizeof buf) > 0)
    c->calls_b++;
}

static void
prepare_zero (struct pc_mloop *l, int *timeout, void *data)
{
  *timeout = 0;
}

static void
quit_after (struct pc_mloop *l, const struct pollfd *pfd, size_t n, bool failed, void *data)
{
  struct ctx *c = data;
  if (++c->rounds >= 2)
    pc_mloop_quit (l);
}

/* A hook that polls its own pipe in every iteration, as libslirp's
   slirp_pollfds_fill/slirp_pollfds_poll do, and a timer. */
struct phook
{
  int p[2];
  int idx;           /* what pc_mloop_poll_add returned this iteration */
  int prepared, checked, readable, bytes, bad_n;
  long long deadline_ms; /* 0: no timer */
  bool timer_fired;
  int quit_at_bytes;
};

static long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
ph_prepare (struct pc_mloop *l, int *timeout, void *data)
{
  struct phook *h = data;
  h->prepared++;
  h->idx = h->p[0] >= 0 ? pc_mloop_poll_add (l, h->p[0], POLLIN) : -1;
  if (h->deadline_ms)
    {
      long long left = h->deadline_ms - now_ms ();
      if (left < 0)
        left = 0;
      if (*timeout < 0 || left < *timeout)
        *timeout = (int) left;
    }
}

static void
ph_check (struct pc_mloop *l, const struct pollfd *pfd, size_t n, bool failed, void *data)
{
  struct phook *h = data;
  h->checked++;
  if (h->idx >= 0 && (n != 1 || pfd[h->idx].fd != h->p[0]))
    h->bad_n++;
  if (h->idx >= 0 && n == 1 && (pfd[h->idx].revents & POLLIN))
    {
      char buf[64];
      ssize_t r = read (h->p[0], buf, sizeof buf);
      h->readable++;
      if (r > 0)
        h->bytes += (int) r;
    }
  if (h->deadline_ms && now_ms () >= h->deadline_ms)
    {
      h->timer_fired = true;
      h->deadline_ms = 0;
    }
  if ((h->quit_at_bytes && h->bytes >= h->quit_at_bytes) || h->timer_fired)
    pc_mloop_quit (l);
}

static int hook_order[16];
static int n_hook_order;

static void
order_check (struct pc_mloop *l, const struct pollfd *pfd, size_t n, bool failed, void *data)
{
  int id = (int) (long) data;
  if (n_hook_order < 16)
    hook_order[n_hook_order++] = id;
  if (pfd != NULL || n != 0)
    hook_order[0] = -100;   /* a hook that added nothing sees nothing */
  if (id == 9)
    pc_mloop_quit (l);
}

static void
add_hook_prepare (struct pc_mloop *l, int *timeout, void *data)
{
  /* Adding hooks from inside a prepare moves the table. */
  for (int i = 0; i < 8; i++)
    pc_mloop_add_hook (l, NULL, NULL, NULL);
  int *got = data;
  *got = pc_mloop_poll_add (l, 0, 0);
  *timeout = 0;
}

static void
removed_check (struct pc_mloop *l, const struct pollfd *pfd, size_t n, bool failed, void *data)
{
  int *calls = data;
  ++*calls;
}

int
main (void)
{
  struct ctx c = { 0 };
  if (pipe (c.a) < 0 || pipe (c.b) < 0)
    return 1;
  struct pc_mloop l;
  pc_mloop_init (&l);
  pc_mloop_add (&l, c.a[0], POLLIN, on_a, &c);
  pc_mloop_add (&l, c.b[0], POLLIN, on_b, &c);
  pc_mloop_add_hook (&l, prepare_zero, quit_after, &c);
  ok (pc_mloop_has (&l, c.a[0]) && pc_mloop_has (&l, c.b[0]), "sources registered");

  if (write (c.a[1], "x", 1) != 1 || write (c.b[1], "y", 1) != 1)
    return 1;
  is_int (pc_mloop_run (&l), 0, "loop runs until quit");
  is_int (c.calls_a, 1, "ready source a dispatched once");
  is_int (c.calls_b, 1, "ready source b dispatched once");
  is_int (c.rounds, 2, "check hook runs after every poll (prepare gave a zero timeout)");

  /* Paused: data waits. */
  pc_mloop_set_events (&l, c.b[0], 0);
  if (write (c.b[1], "y", 1) != 1)
    return 1;
  l.quit = false;
  c.rounds = 0;
  pc_mloop_run (&l);
  is_int (c.calls_b, 1, "a paused source is not dispatched");
  pc_mloop_set_events (&l, c.b[0], POLLIN);
  l.quit = false;
  c.rounds = 0;
  pc_mloop_run (&l);
  is_int (c.calls_b, 2, "resumed source gets its data");

  /* a removes b in the same round: b's handler must not run. */
  c.remove_b = true;
  if (write (c.a[1], "x", 1) != 1 || write (c.b[1], "y", 1) != 1)
    return 1;
  l.quit = false;
  c.rounds = 0;
  pc_mloop_run (&l);
  is_int (c.calls_a, 2, "a dispatched");
  is_int (c.calls_b, 2, "b removed by a's handler is not dispatched");
  ok (!pc_mloop_has (&l, c.b[0]), "b is gone after the round");
  ok (pc_mloop_has (&l, c.a[0]), "a stays");

  pc_mloop_free (&l);

  /* Per-iteration pollfds: the hook adds its pipe in every prepare, gets
     exactly that pollfd back in check, and the loop sleeps until the pipe
     is written (no source of its own). */
  struct phook h1 = { .quit_at_bytes = 3 };
  struct phook h2 = { .p = { -1, -1 } };
  if (pipe (h1.p) < 0)
    return 1;
  pc_mloop_init (&l);
  pc_mloop_add (&l, c.a[0], POLLIN, on_a, &c);
  pc_mloop_add_hook (&l, ph_prepare, ph_check, &h2);   /* adds nothing */
  pc_mloop_add_hook (&l, ph_prepare, ph_check, &h1);
  ok (pc_mloop_poll_add (&l, h1.p[0], POLLIN) < 0, "poll_add outside a prepare is refused");
  if (write (c.a[1], "x", 1) != 1 || write (h1.p[1], "abc", 3) != 3)
    return 1;
  is_int (pc_mloop_run (&l), 0, "loop with a pollfd hook runs until quit");
  is_int (h1.bytes, 3, "the hook read its pipe through the revents it was given");
  is_int (h1.bad_n, 0, "check got exactly the pollfds its prepare added, at the returned index");
  is_int (h1.prepared, h1.checked, "prepare and check run once per iteration");
  is_int (h2.bad_n, 0, "a hook that added no pollfd gets none");
  is_int (h1.idx, 0, "the first pollfd of the second hook has index 0 in its own check");
  is_int (c.calls_a, 3, "sources are still dispatched next to hook pollfds");

  /* A pipe that becomes readable only in the next iteration is still seen:
     the hook re-adds it every time. */
  h1.bytes = 0;
  h1.quit_at_bytes = 1;
  h1.readable = 0;
  l.quit = false;
  pid_t w = fork ();
  if (w == 0)
    {
      usleep (50000);
      if (write (h1.p[1], "z", 1) != 1)
        _exit (1);
      _exit (0);
    }
  pc_mloop_run (&l);
  is_int (h1.readable, 1, "a hook pollfd woke the loop from an infinite poll");
  while (waitpid (w, NULL, 0) < 0 && errno == EINTR)
    ;

  /* Timers: a prepare lowers the timeout; nothing is readable; the loop
     wakes up at the deadline. */
  h1.quit_at_bytes = 0;
  l.quit = false;
  long long t0 = now_ms ();
  h1.deadline_ms = t0 + 100;
  h1.timer_fired = false;
  pc_mloop_run (&l);
  long long took = now_ms () - t0;
  ok (h1.timer_fired, "the timer hook fired");
  ok (took >= 100 && took < 2000, "the loop slept until the timer's deadline (%lld ms)", took);
  pc_mloop_free (&l);

  /* More than four hooks, in order; hooks added and pollfds added while a
     prepare runs; removed hooks stop running. */
  pc_mloop_init (&l);
  for (long i = 0; i < 10; i++)
    pc_mloop_add_hook (&l, i == 5 ? prepare_zero : NULL, order_check, (void *) i);
  pc_mloop_run (&l);
  is_int (n_hook_order, 10, "ten hooks all ran");
  bool in_order = true;
  for (int i = 0; i < 10; i++)
    in_order &= hook_order[i] == i;
  ok (in_order, "hooks ran in the order they were added, and saw no pollfds");
  pc_mloop_free (&l);

  int got_idx = -5, removed_calls = 0, iterations = 0;
  pc_mloop_init (&l);
  pc_mloop_add_hook (&l, add_hook_prepare, NULL, &got_idx);
  pc_mloop_add_hook (&l, NULL, removed_check, &removed_calls);
  pc_mloop_add_hook (&l, NULL, removed_check, &iterations);
  l.quit = false;
  pc_mloop_remove_hook (&l, &removed_calls);
  struct phook stop = { .p = { -1, -1 }, .deadline_ms = 1 };
  pc_mloop_add_hook (&l, ph_prepare, ph_check, &stop);
  pc_mloop_run (&l);
  is_int (got_idx, 0, "a prepare that added hooks (moving the table) still gets its index");
  is_int (removed_calls, 0, "a removed hook does not run");
  ok (iterations >= 1, "the other hooks ran");
  ok (l.n_hooks >= 11, "hooks added from a prepare are kept (%zu)", l.n_hooks);
  pc_mloop_free (&l);
  return done_testing ();
}
