/* The monitor's poll loop: dispatch, pausing, removal during a round, hooks. */
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
quit_after (struct pc_mloop *l, void *data)
{
  struct ctx *c = data;
  if (++c->rounds >= 2)
    pc_mloop_quit (l);
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
  return done_testing ();
}
