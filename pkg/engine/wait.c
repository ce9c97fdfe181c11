/* Waiting for a container's state: pc wait (--condition), and the waits
   of start, stop and rm. Event-driven: inotify on the state directory
   (files appear or go at start, pause, stop, exit) and a pidfd of the
   monitor; never a polling loop. */
#include "pkg/engine/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"
#include "pkg/monitor/monitor.h"

#define IN_STATES(st, mask) (((mask) & (1u << (st))) != 0)

/* podman's WaitForExit: a container that never ran counts as exited (its
   exit code, 0 unless a failed start recorded one), so waiting for an exit
   of a created container returns at once instead of blocking until
   someone else starts it. */
/* A pseudo-state for the mask: "stopping" (running, a pc stop waits). */
#define WAIT_STOPPING (1u << 31)

static bool
reached (const struct pc_container *c, unsigned states)
{
  /* podman's "stopping" is its own state, not running. */
  if (c->state.stopping && (c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED))
    return (states & WAIT_STOPPING) != 0;
  if (IN_STATES (c->state.status, states))
    return true;
  return c->state.status == PC_STATUS_CREATED && IN_STATES (PC_STATUS_EXITED, states);
}

/* How long a container's pid 1 may be a zombie, its exit unrecorded, before
   pc wait stops waiting for its monitor (stopped, hung) to record it. */
#define ZOMBIE_GRACE_MS 5000

/* The exit status of the container's pid 1 while it is a zombie its
   monitor has not reaped (field 52 of /proc/PID/stat, a wait status; the
   owner of the container's user namespace may read it). -1 when it is not
   a zombie or cannot be read. */
static int
zombie_exit_code (pid_t pid)
{
  char path[64], buf[1024];
  snprintf (path, sizeof path, "%d/stat", (int) pid);
  pc_autoclose int pdir = open ("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int n = pdir >= 0 ? eng_read_small (pdir, path, buf, sizeof buf) : -1;
  const char *p = n > 0 ? strrchr (buf, ')') : NULL;
  if (p == NULL || p[1] != ' ' || p[2] != 'Z')
    return -1;
  /* The space at p + 1 comes before field 3; 49 more before field 52. */
  p++;
  for (int field = 3; field < 52 && p; field++)
    p = strchr (p + 1, ' ');
  if (p == NULL)
    return -1;
  int status = atoi (p + 1);
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return -1;
}

/* The container exited but its monitor does not record it (SIGSTOPped,
   hung): wait records what the zombie says, as the monitor would have.
   Its monitor, mounts included, stays until it runs again or rm -f kills
   it. */
static bool
record_zombie_exit (struct pc_engine *e, struct pc_container *c, pid_t pid)
{
  int code = zombie_exit_code (pid);
  if (code < 0)
    return false;
  pc_autoerror pc_error *err = NULL;
  int rfd = eng_run_dfd (e, &err);
  if (rfd < 0)
    return false;
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  pc_autofree char *when = pc_time_format_rfc3339 (&now);
  pc_autofree char *body = xasprintf ("{\"exitCode\":%d,\"finishedAt\":\"%s\",\"monitorStuck\":true}",
                                      code, when);
  pc_autofree char *path = xasprintf ("%s/exit", c->id);
  pc_warn ("container %s exited (%d) but its monitor (pid %d) does not record it: recorded by wait",
           c->id, code, (int) c->state.monitor_pid);
  return eng_write_volatile (rfd, path, body, strlen (body), &err) == 0;
}

static int wait_state (struct pc_engine *e, struct pc_container *c, unsigned states,
                       int64_t timeout_ms, bool zombie_ok, pc_error **err);

/* Waits until the container is in one of `states` (bits 1 << PC_STATUS_*):
   inotify on its state directory for files appearing or going (start,
   pause, exit), and a pidfd on its monitor. 0 when it is, 1 on timeout.
   Waiting for an exit also watches the container's pid 1: if it exited
   and its monitor has not recorded that ZOMBIE_GRACE_MS later (stopped,
   hung), the exit is recorded from the zombie, so `pc wait` returns. */
int
pc_engine_wait_state (struct pc_engine *e, struct pc_container *c, unsigned states,
                      int64_t timeout_ms, pc_error **err)
{
  return wait_state (e, c, states, timeout_ms, IN_STATES (PC_STATUS_EXITED, states), err);
}

static int
wait_state (struct pc_engine *e, struct pc_container *c, unsigned states, int64_t timeout_ms,
            bool zombie_ok, pc_error **err)
{
  eng_state_read (e, c, true);
  if (reached (c, states))
    return 0;
  int rfd = eng_run_dfd (e, err);
  if (rfd < 0)
    return -1;
  pc_autoclose int ino = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
  if (ino < 0)
    return pc_error_errno (err, errno, "inotify_init");
  pc_autofree char *run = xasprintf ("%s/ctr", e->run_dir);
  pc_autofree char *dir = xasprintf ("%s/ctr/%s", e->run_dir, c->id);
  /* A created container: first wait for its state directory to appear. */
  inotify_add_watch (ino, run, IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
  int64_t deadline = timeout_ms >= 0 ? eng_now_ms () + timeout_ms : -1;
  int64_t zombie_since = -1;
  for (;;)
    {
      inotify_add_watch (ino, dir, IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_DELETE_SELF | IN_ONLYDIR);
      eng_state_read (e, c, true);
      if (reached (c, states))
        return 0;
      pc_autoclose int pfd = -1;
      pc_autoclose int cfd = -1;
      if (c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED)
        {
          pfd = eng_pidfd_open (c->state.monitor_pid);
          pid_t cpid = c->state.pid;
          unsigned long long cstart = c->state.pid_start;
          if (zombie_ok && cpid > 0 && cstart)
            cfd = eng_pidfd_open (cpid);
          /* Opened after the start-time check: re-check it now. */
          eng_state_read (e, c, true);
          if (reached (c, states))
            return 0;
          /* A zombie's start time too (eng_proc_start_time counts it gone). */
          if (cfd >= 0 && pc_monitor_proc_start_time (cpid) != cstart)
            {
              close (cfd);
              cfd = -1;
            }
          struct pollfd z = { .fd = cfd, .events = POLLIN };
          if (cfd >= 0 && poll (&z, 1, 0) == 1)
            {
              if (zombie_since < 0)
                zombie_since = eng_now_ms ();
              else if (eng_now_ms () - zombie_since >= ZOMBIE_GRACE_MS && record_zombie_exit (e, c, cpid))
                {
                  eng_state_read (e, c, true);
                  if (reached (c, states))
                    return 0;
                }
              close (cfd);
              cfd = -1;
            }
        }
      else
        {
          /* Record removed (--rm) while waiting? */
          char path[96];
          snprintf (path, sizeof path, "%s/container.json", c->id);
          if (faccessat (e->ctr_dfd, path, F_OK, 0) < 0)
            return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "no container with ID \"%s\" found: no such container", c->id);
        }
      struct pollfd p[3] = { { .fd = ino, .events = POLLIN }, { .fd = pfd, .events = POLLIN },
                             { .fd = cfd, .events = POLLIN } };
      int wait = -1;
      if (deadline >= 0)
        {
          int64_t left = deadline - eng_now_ms ();
          if (left <= 0)
            return 1;
          wait = (int) (left > 1000000 ? 1000000 : left);
        }
      if (zombie_since >= 0)
        {
          int64_t left = zombie_since + ZOMBIE_GRACE_MS - eng_now_ms ();
          left = left < 0 ? 0 : left;
          if (wait < 0 || left < wait)
            wait = (int) left + 1;
        }
      int r = poll (p, pfd < 0 ? 1 : cfd < 0 ? 2 : 3, wait);
      if (r < 0 && errno != EINTR)
        return pc_error_errno (err, errno, "poll");
      char buf[4096];
      while (read (ino, buf, sizeof buf) > 0)
        ;
    }
}

/* Waits until the container has exited (exit file, or its monitor gone).
   0 when it has, 1 on timeout. */
int
eng_wait_exit (struct pc_engine *e, struct pc_container *c, int64_t timeout_ms, pc_error **err)
{
  int64_t deadline = timeout_ms >= 0 ? eng_now_ms () + timeout_ms : -1;
  /* A running container's exit comes from its monitor, over a connection
     (pc_monitor_wait_exit): closing the inotify instance wait_state
     watches with waits for an SRCU grace period, 0.2-12 ms. What it cannot
     settle (no monitor to connect to, one that went without recording the
     exit) is wait_state's. */
  eng_state_read (e, c, true);
  if (c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED)
    {
      pc_autofree char *dir = pc_container_state_dir (e, c);
      int r = pc_monitor_wait_exit (dir, timeout_ms);
      if (r == 1)
        return 1;
      eng_state_read (e, c, true);
      if (reached (c, 1u << PC_STATUS_EXITED))
        return 0;
      if (deadline >= 0)
        {
          timeout_ms = deadline - eng_now_ms ();
          if (timeout_ms < 0)
            timeout_ms = 0;
        }
    }
  /* stop and rm -f: a monitor that does not act is killed, not waited past. */
  return wait_state (e, c, 1u << PC_STATUS_EXITED, timeout_ms, false, err);
}

int
pc_engine_wait (struct pc_engine *e, struct pc_container *c, int64_t timeout_ms, int *exit_code,
                pc_error **err)
{
  int r = eng_wait_exit (e, c, timeout_ms, err);
  if (r == 0)
    *exit_code = c->state.exit_code;
  return r;
}


int
pc_engine_wait_condition (struct pc_engine *e, struct pc_container *c, unsigned states, bool stopping,
                          int64_t timeout_ms, int *exit_code, pc_error **err)
{
  unsigned mask = states | (stopping ? WAIT_STOPPING : 0);
  int r = wait_state (e, c, mask, timeout_ms, IN_STATES (PC_STATUS_EXITED, states), err);
  if (r != 0)
    return r;
  bool exited = c->state.status == PC_STATUS_EXITED
                || (c->state.status == PC_STATUS_CREATED && !IN_STATES (PC_STATUS_CREATED, states));
  if (IN_STATES (PC_STATUS_EXITED, states) && exited)
    {
      *exit_code = c->state.exit_code;
      return 2;
    }
  return 0;
}
