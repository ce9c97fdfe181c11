/* pc exec -t and -d: the process is started by the container's monitor,
   which owns and reaps it (pkg/monitor/exec.c), so detaching (-d, or the
   detach keys with -t) leaves it running with an owner that records its
   end. With -t pc gets the pty master from the monitor and relays it
   itself: the user's terminal in raw mode (restored on every way out: the
   process's exit, detach, the container's end, a signal to pc), its window
   size at the start and on SIGWINCH (TIOCSWINSZ on the master). */
#include "pkg/engine/exec-session.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "pkg/monitor/monitor.h"

#define MAX_KEYS 16

struct tty_relay
{
  int master, conn, in_fd, tty_fd;
  bool master_open, in_open;
  unsigned char keys[MAX_KEYS];
  size_t nkeys, matched;
  char pending[4096 + MAX_KEYS];
  size_t off, len;
};

static json_object *
session_request (json_object *spec, json_object *process, bool detach)
{
  json_object *req = json_object_new_object ();
  json_object_object_add (req, "process", json_object_get (process));
  json_object *sc = pc_json_get_object (pc_json_get_object (spec, "linux"), "seccomp");
  json_object_object_add (req, "seccomp", sc ? json_object_get (sc) : NULL);
  json_object *ann = pc_json_get_object (spec, "annotations");
  const char *cache = pc_json_get_string (ann, "run.pc.seccomp-cache");
  json_object_object_add (req, "seccompCache", cache ? json_object_new_string (cache) : NULL);
  json_object_object_add (req, "detach", json_object_new_boolean (detach));
  return req;
}

/* Input bytes -> pending, holding back a detach sequence. true on detach. */
static bool
take_input (struct tty_relay *t, const char *in, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      unsigned char b = (unsigned char) in[i];
      if (t->nkeys && b == t->keys[t->matched])
        {
          if (++t->matched == t->nkeys)
            return true;
          continue;
        }
      if (t->matched)
        {
          memcpy (t->pending + t->len, t->keys, t->matched);
          t->len += t->matched;
          t->matched = 0;
          if (t->nkeys && b == t->keys[0])
            {
              t->matched = 1;
              continue;
            }
        }
      t->pending[t->len++] = (char) b;
    }
  return false;
}

static void
flush_pending (struct tty_relay *t)
{
  while (t->off < t->len)
    {
      ssize_t w = write (t->master, t->pending + t->off, t->len - t->off);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0 && errno == EAGAIN)
        return;
      if (w <= 0)
        {
          /* The pty is gone: input is dropped. */
          t->off = t->len;
          break;
        }
      t->off += (size_t) w;
    }
  t->off = t->len = 0;
}

/* Copies what the process wrote; false once the pty has no slave left. */
static bool
copy_output (struct tty_relay *t, bool drain)
{
  char buf[65536];
  for (;;)
    {
      ssize_t r = read (t->master, buf, sizeof buf);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0 && errno == EAGAIN)
        return true;
      if (r <= 0)
        return false;
      pc_write_all (1, buf, (size_t) r, NULL);
      if (!drain)
        return true;
    }
}

static void
resize (struct tty_relay *t)
{
  struct winsize ws;
  if (t->tty_fd >= 0 && ioctl (t->tty_fd, TIOCGWINSZ, &ws) == 0)
    ioctl (t->master, TIOCSWINSZ, &ws);
}

/* 0 with *exit_code when the process exited; 1 on detach; -1 on error. */
static int
relay (struct tty_relay *t, int sig_fd, const char *state_dir, const char *id, int *exit_code,
       pc_error **err)
{
  for (;;)
    {
      bool pending = t->off < t->len;
      struct pollfd p[4] = {
        { t->conn, POLLIN, 0 },
        { t->master_open ? t->master : -1, (short) (POLLIN | (pending ? POLLOUT : 0)), 0 },
        { t->in_open && !pending ? t->in_fd : -1, POLLIN, 0 },
        { sig_fd, POLLIN, 0 },
      };
      if (poll (p, 4, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return pc_error_errno (err, errno, "poll");
        }
      if (p[1].revents & POLLOUT)
        flush_pending (t);
      if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
        t->master_open = copy_output (t, false);
      if (p[2].revents)
        {
          char buf[4096];
          ssize_t r = read (t->in_fd, buf, sizeof buf);
          if (r <= 0 && !(r < 0 && (errno == EINTR || errno == EAGAIN)))
            t->in_open = false;
          else if (r > 0 && take_input (t, buf, (size_t) r))
            {
              /* What was typed before the keys still goes (best effort). */
              if (t->master_open)
                flush_pending (t);
              return 1;
            }
          if (t->master_open)
            flush_pending (t);
        }
      if (p[3].revents)
        {
          struct signalfd_siginfo si;
          while (read (sig_fd, &si, sizeof si) == (ssize_t) sizeof si)
            {
              if (si.ssi_signo == SIGWINCH)
                resize (t);
              else
                {
                  /* pc is being stopped: the session goes on, owned by
                     the monitor, as after the detach keys. */
                  *exit_code = 128 + (int) si.ssi_signo;
                  return 0;
                }
            }
        }
      if (p[0].revents)
        {
          int r = pc_monitor_exec_exit (t->conn, exit_code);
          if (r == 0)
            continue;
          if (t->master_open)
            copy_output (t, true);
          if (r == 1)
            return 0;
          /* The monitor went away without a word: its record may say. */
          bool running = true;
          pc_autoerror pc_error *e2 = NULL;
          if (pc_monitor_exec_record (state_dir, id, &running, exit_code, &e2) == 0 && !running)
            return 0;
          return pc_error_makec (err, PC_ERR_STATE, EIO,
                                 "lost the connection to the container's monitor during exec");
        }
    }
}

int
eng_exec_session (const char *state_dir, json_object *spec, json_object *process,
                  const struct pc_exec_opts *o, int *exit_code, pc_error **err)
{
  struct tty_relay t = { .master = -1, .conn = -1, .in_fd = -1, .tty_fd = -1 };
  if (o->tty && !o->detach
      && pc_monitor_parse_detach_keys (o->detach_keys ? o->detach_keys : "ctrl-p,ctrl-q", t.keys,
                                       sizeof t.keys, &t.nkeys, err) < 0)
    return pc_error_set_class (err, PC_ERR_INVALID);
  pc_autojson json_object *req = session_request (spec, process, o->detach);
  pc_autofree char *id = NULL;
  pc_autoclose int conn = -1;
  pc_autoclose int master = -1;
  if (pc_monitor_exec (state_dir, req, &id, &conn, &master, err) < 0)
    return -1;
  if (o->detach)
    {
      if (o->session_id)
        *o->session_id = steal_pointer (&id);
      return 1;
    }
  pc_debug ("exec session %s started", id);
  t.conn = conn;
  t.master = master;
  t.master_open = master >= 0;
  t.in_fd = o->interactive ? 0 : -1;
  t.in_open = o->interactive;
  if (isatty (0))
    t.tty_fd = 0;
  else if (isatty (1))
    t.tty_fd = 1;
  if (master >= 0)
    pc_set_nonblock (master, true);

  struct termios saved;
  bool raw = false;
  if (o->interactive && isatty (0) && tcgetattr (0, &saved) == 0)
    {
      struct termios r = saved;
      cfmakeraw (&r);
      raw = tcsetattr (0, TCSADRAIN, &r) == 0;
    }
  /* Signals that would end pc with the terminal raw become events. */
  sigset_t set, old;
  sigemptyset (&set);
  sigaddset (&set, SIGWINCH);
  sigaddset (&set, SIGINT);
  sigaddset (&set, SIGTERM);
  sigaddset (&set, SIGHUP);
  sigaddset (&set, SIGQUIT);
  bool masked = sigprocmask (SIG_BLOCK, &set, &old) == 0;
  pc_autoclose int sig_fd = signalfd (-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  /* The size may have changed since the request was built. */
  if (master >= 0)
    resize (&t);
  int ret = relay (&t, sig_fd, state_dir, id, exit_code, err);
  if (raw)
    tcsetattr (0, TCSADRAIN, &saved);
  if (masked)
    {
      struct signalfd_siginfo si;
      while (sig_fd >= 0 && read (sig_fd, &si, sizeof si) == (ssize_t) sizeof si)
        ;
      sigprocmask (SIG_SETMASK, &old, NULL);
    }
  return ret;
}
