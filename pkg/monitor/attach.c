/* The client side of the attach socket: pc run / pc attach / pc start. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"
#include "pkg/monitor/internal.h"
#include "pkg/monitor/monitor.h"
#include "pkg/monitor/protocol.h"

#define DEFAULT_DETACH_KEYS "ctrl-p,ctrl-q"
#define MAX_DETACH_KEYS 16

static int
send_pkt (int fd, int type, const void *data, size_t len, pc_error **err)
{
  char pkt[PC_MONITOR_PKT_MAX];
  pkt[0] = (char) type;
  if (len)
    memcpy (pkt + 1, data, len);
  ssize_t r;
  do
    r = send (fd, pkt, len + 1, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return pc_error_errno (err, errno, "send to the container's monitor");
  return 0;
}

static bool
gone (int e)
{
  return e == ENOENT || e == ECONNREFUSED || e == ENOTDIR;
}

/* Waits for PC_MSG_START_RESULT; output arriving first is relayed. */
static int
wait_start (int fd, int out_fd, int err_fd, pc_error **err)
{
  char pkt[PC_MONITOR_PKT_MAX];
  for (;;)
    {
      ssize_t r = recv (fd, pkt, sizeof pkt, 0);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return pc_error_errno (err, errno, "read from the container's monitor");
      if (r == 0)
        return pc_error_make (err, EIO, "the container's monitor exited before it started the container");
      if (pkt[0] == PC_MSG_STDOUT && out_fd >= 0)
        pc_write_all (out_fd, pkt + 1, (size_t) r - 1, NULL);
      else if (pkt[0] == PC_MSG_STDERR && err_fd >= 0)
        pc_write_all (err_fd, pkt + 1, (size_t) r - 1, NULL);
      else if (pkt[0] == PC_MSG_START_RESULT)
        return pc_mon_start_result_decode (pkt + 1, (size_t) r - 1, err);
    }
}

int
pc_monitor_start (const char *state_dir, pc_error **err)
{
  pc_autoclose int fd = pc_mon_attach_connect (state_dir, err);
  if (fd < 0)
    return pc_error_wrap (err, "start container");
  if (send_pkt (fd, PC_MSG_START, NULL, 0, err) < 0)
    return -1;
  if (wait_start (fd, -1, -1, err) < 0)
    return -1;
  send_pkt (fd, PC_MSG_DETACH, NULL, 0, NULL);
  return 0;
}

struct attach
{
  int sock, in_fd, out_fd, err_fd, tty_fd;
  bool tty;
  unsigned char keys[MAX_DETACH_KEYS];
  size_t nkeys, matched;
  /* Input not sent yet. Sending never blocks: a client stuck in send while
     the container waits for its output to be read would deadlock. */
  char pkt[PC_MONITOR_PKT_MAX];
  size_t pkt_len;
  bool want_close;
  /* --sig-proxy: the monitor's pidfd, -1 when signals are not proxied. */
  int proxy_pidfd;
};

/* The signals pc proxies to the container, as podman's ProxySignals: every
   catchable one but SIGCHLD, SIGPIPE and SIGURG, which are pc's own, and
   SIGWINCH with a tty, which becomes a resize. glibc keeps the first two
   real-time signals for itself (sigaddset refuses them). */
static void
proxy_set (sigset_t *set, bool tty)
{
  sigemptyset (set);
  for (int s = 1; s < NSIG; s++)
    {
      if (s == SIGKILL || s == SIGSTOP || s == SIGCHLD || s == SIGPIPE || s == SIGURG)
        continue;
      if (s == SIGWINCH && tty)
        continue;
      sigaddset (set, s);
    }
}

void
pc_monitor_hold_proxy_signals (sigset_t *old)
{
  sigset_t set;
  proxy_set (&set, false);
  sigprocmask (SIG_BLOCK, &set, old);
}

static int
send_resize (struct attach *a, pc_error **err)
{
  struct winsize ws;
  if (a->tty_fd < 0 || ioctl (a->tty_fd, TIOCGWINSZ, &ws) < 0)
    return 0;
  struct pc_msg_resize rs = { .rows = ws.ws_row, .cols = ws.ws_col };
  return send_pkt (a->sock, PC_MSG_RESIZE, &rs, sizeof rs, err);
}

/* Drains the signalfd: SIGWINCH with a tty is a resize, the rest goes to
   the container through its monitor. A container that has exited can no
   longer take it; its exit packet is on its way. */
static void
relay_signals (struct attach *a, int sig_fd)
{
  struct signalfd_siginfo si;
  bool resize = false;
  while (read (sig_fd, &si, sizeof si) == (ssize_t) sizeof si)
    {
      int sig = (int) si.ssi_signo;
      if (sig == SIGWINCH && a->tty_fd >= 0)
        {
          resize = true;
          continue;
        }
      if (a->proxy_pidfd < 0)
        continue;
      pc_autoerror pc_error *err = NULL;
      if (pc_monitor_signal (a->proxy_pidfd, sig, &err) < 0)
        pc_debug ("signal %d not proxied: %s", sig, err->msg);
      else
        pc_debug ("proxied signal %d to the container", sig);
    }
  if (resize)
    send_resize (a, NULL);
}

/* Sends what input is pending, as far as the socket takes it. */
static int
flush_input (struct attach *a, pc_error **err)
{
  while (a->pkt_len || a->want_close)
    {
      char close_pkt = PC_MSG_STDIN_CLOSE;
      const char *p = a->pkt_len ? a->pkt : &close_pkt;
      size_t len = a->pkt_len ? a->pkt_len : 1;
      ssize_t r = send (a->sock, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0 && errno == EAGAIN)
        return 0;
      if (r < 0)
        return pc_error_errno (err, errno, "send to the container's monitor");
      if (a->pkt_len)
        a->pkt_len = 0;
      else
        a->want_close = false;
    }
  return 0;
}

/* Input -> a stdin packet, watching for the detach keys. Returns 1 on
   detach, 0 to go on, 2 at EOF, -1 on error. */
static int
relay_input (struct attach *a, pc_error **err)
{
  char in[PC_MONITOR_PKT_MAX - 1 - MAX_DETACH_KEYS];
  char *out = a->pkt + 1;
  ssize_t r = read (a->in_fd, in, sizeof in);
  if (r < 0 && (errno == EINTR || errno == EAGAIN))
    return 0;
  if (r < 0 && errno != EIO)
    return pc_error_errno (err, errno, "read input");
  if (r <= 0)
    {
      a->want_close = !a->tty;
      return flush_input (a, err) < 0 ? -1 : 2;
    }
  size_t n = 0;
  for (ssize_t i = 0; i < r; i++)
    {
      unsigned char b = (unsigned char) in[i];
      if (a->nkeys && b == a->keys[a->matched])
        {
          if (++a->matched == a->nkeys)
            {
              /* Best effort: the input typed before the keys. Closing the
                 connection is the detach. */
              if (n)
                {
                  a->pkt[0] = PC_MSG_STDIN;
                  a->pkt_len = n + 1;
                  flush_input (a, NULL);
                }
              return 1;
            }
          continue;
        }
      if (a->matched)
        {
          /* Not the detach sequence after all: the held keys are input. */
          memcpy (out + n, a->keys, a->matched);
          n += a->matched;
          a->matched = 0;
          if (a->nkeys && b == a->keys[0])
            {
              a->matched = 1;
              continue;
            }
        }
      out[n++] = (char) b;
    }
  if (n)
    {
      a->pkt[0] = PC_MSG_STDIN;
      a->pkt_len = n + 1;
    }
  return flush_input (a, err) < 0 ? -1 : 0;
}

/* Monitor packets -> out/err. Returns 1 at exit (code set), 0 to go on,
   2 when the monitor went away without saying, -1 on error. */
static int
relay_output (struct attach *a, int *exit_code, pc_error **err)
{
  char pkt[PC_MONITOR_PKT_MAX];
  ssize_t r = recv (a->sock, pkt, sizeof pkt, MSG_DONTWAIT);
  if (r < 0 && (errno == EINTR || errno == EAGAIN))
    return 0;
  if (r < 0 && errno != ECONNRESET)
    return pc_error_errno (err, errno, "read from the container's monitor");
  if (r <= 0)
    return 2;
  size_t len = (size_t) r - 1;
  switch (pkt[0])
    {
    case PC_MSG_STDOUT:
      if (a->out_fd >= 0 && pc_write_all (a->out_fd, pkt + 1, len, err) < 0)
        return -1;
      break;
    case PC_MSG_STDERR:
      if (a->err_fd >= 0 && pc_write_all (a->err_fd, pkt + 1, len, err) < 0)
        return -1;
      break;
    case PC_MSG_EXIT:
      if (len >= sizeof (int32_t))
        {
          int32_t code;
          memcpy (&code, pkt + 1, sizeof code);
          *exit_code = code;
          return 1;
        }
      break;
    default:
      break;
    }
  return 0;
}

/* The user's terminal while pc holds it raw, for a signal that ends pc:
   without --sig-proxy (which takes them into the signalfd) HUP, INT, TERM
   ... kill pc, and the shell that gets the terminal back must not get it
   raw. tcsetattr is async-signal-safe. */
static int raw_fd = -1;
static struct termios raw_saved;
static const int fatal_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM };
#define N_FATAL (sizeof fatal_signals / sizeof *fatal_signals)

static void
restore_and_die (int sig)
{
  if (raw_fd >= 0)
    tcsetattr (raw_fd, TCSANOW, &raw_saved);
  signal (sig, SIG_DFL);
  /* Blocked while this handler runs: delivered, with the default action,
     when it returns. */
  raise (sig);
}

/* Installs restore_and_die for the fatal signals that still have their
   default action (an ignored one stays ignored); old[] keeps what was. */
static void
fatal_handlers_install (struct sigaction old[N_FATAL], bool installed[N_FATAL])
{
  struct sigaction sa = { .sa_handler = restore_and_die };
  sigemptyset (&sa.sa_mask);
  for (size_t i = 0; i < N_FATAL; i++)
    {
      installed[i] = false;
      if (sigaction (fatal_signals[i], NULL, &old[i]) < 0 || old[i].sa_handler != SIG_DFL)
        continue;
      installed[i] = sigaction (fatal_signals[i], &sa, NULL) == 0;
    }
}

static void
fatal_handlers_remove (const struct sigaction old[N_FATAL], const bool installed[N_FATAL])
{
  for (size_t i = 0; i < N_FATAL; i++)
    if (installed[i])
      sigaction (fatal_signals[i], &old[i], NULL);
}

static int
attach_loop (struct attach *a, int sig_fd, int *exit_code, pc_error **err)
{
  bool input = a->in_fd >= 0;
  for (;;)
    {
      bool pending = a->pkt_len || a->want_close;
      struct pollfd p[3] = {
        { a->sock, (short) (POLLIN | (pending ? POLLOUT : 0)), 0 },
        { input && !pending ? a->in_fd : -1, POLLIN, 0 },
        { sig_fd, POLLIN, 0 },
      };
      if (poll (p, 3, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return pc_error_errno (err, errno, "poll");
        }
      if (pending && (p[0].revents & POLLOUT) && flush_input (a, err) < 0)
        {
          pc_error_clear (err);
          return 2;
        }
      if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
        {
          int r = relay_output (a, exit_code, err);
          if (r < 0)
            return -1;
          if (r == 1)
            return 0;
          if (r == 2)
            return 2;
        }
      if (p[1].revents)
        {
          int r = relay_input (a, err);
          if (r < 0)
            {
              /* The monitor may be gone with the container: its exit wins. */
              pc_error_clear (err);
              return 2;
            }
          if (r == 1)
            return 1;
          if (r == 2)
            input = false;
        }
      if (p[2].revents)
        relay_signals (a, sig_fd);
    }
}

int
pc_monitor_attach (const char *state_dir, int in_fd, int out_fd, int err_fd, bool tty, bool start,
                   const char *detach_keys, int proxy_pidfd, int *exit_code, pc_error **err)
{
  return pc_monitor_attach_conn (-1, state_dir, in_fd, out_fd, err_fd, tty, start, detach_keys,
                                 proxy_pidfd, exit_code, err);
}

int
pc_monitor_attach_conn (int conn, const char *state_dir, int in_fd, int out_fd, int err_fd, bool tty,
                        bool start, const char *detach_keys, int proxy_pidfd, int *exit_code,
                        pc_error **err)
{
  pc_autoclose int sock = conn;
  pc_autofree struct attach *ap = xmalloc0 (sizeof *ap);
  struct attach *a = ap;
  a->proxy_pidfd = proxy_pidfd;
  a->in_fd = in_fd;
  a->out_fd = out_fd;
  a->err_fd = err_fd;
  a->tty = tty;
  a->tty_fd = -1;
  if (pc_monitor_parse_detach_keys (detach_keys ? detach_keys : DEFAULT_DETACH_KEYS, a->keys,
                                    sizeof a->keys, &a->nkeys, err) < 0)
    return -1;
  uint32_t features;
  if (sock >= 0 && pc_mon_attach_hello (sock, &features, err) < 0)
    return -1;
  if (sock < 0)
    sock = pc_mon_attach_connect (state_dir, err);
  if (sock < 0)
    {
      if (!start && err && *err && gone ((*err)->status))
        {
          pc_autoerror pc_error *e2 = NULL;
          if (pc_monitor_read_exit (state_dir, exit_code, NULL, &e2) == 0)
            {
              pc_error_clear (err);
              return 0;
            }
        }
      return -1;
    }
  a->sock = sock;

  struct termios saved;
  bool raw = false;
  struct sigaction old_fatal[N_FATAL];
  bool fatal_set[N_FATAL] = { false };
  if (tty)
    {
      if (in_fd >= 0 && isatty (in_fd))
        a->tty_fd = in_fd;
      else if (out_fd >= 0 && isatty (out_fd))
        a->tty_fd = out_fd;
    }
  if (tty && in_fd >= 0 && isatty (in_fd) && tcgetattr (in_fd, &saved) == 0)
    {
      struct termios t = saved;
      cfmakeraw (&t);
      if (proxy_pidfd < 0)
        {
          /* Before the switch: no moment where a signal leaves it raw. */
          raw_fd = in_fd;
          raw_saved = saved;
          fatal_handlers_install (old_fatal, fatal_set);
        }
      raw = tcsetattr (in_fd, TCSADRAIN, &t) == 0;
    }
  /* Blocked from here, before the start: a signal that comes while the
     container starts waits in the signalfd for the loop to proxy it. */
  pc_autoclose int sig_fd = -1;
  sigset_t set, old;
  if (proxy_pidfd >= 0)
    proxy_set (&set, tty);
  else
    sigemptyset (&set);
  if (a->tty_fd >= 0)
    sigaddset (&set, SIGWINCH);
  bool masked = false;
  if (!sigisemptyset (&set))
    {
      masked = sigprocmask (SIG_BLOCK, &set, &old) == 0;
      sig_fd = signalfd (-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    }

  int ret = send_resize (a, err);
  if (ret == 0 && start)
    {
      pc_debug ("attached, asking the monitor to start the container");
      ret = send_pkt (sock, PC_MSG_START, NULL, 0, err);
      if (ret == 0)
        ret = wait_start (sock, out_fd, err_fd, err);
      if (ret == 0)
        pc_debug ("container process started");
    }
  if (ret == 0)
    {
      ret = attach_loop (a, sig_fd, exit_code, err);
      if (ret == 2)
        {
          /* Closed without an exit packet: the exit file says how it ended. */
          if (pc_monitor_read_exit (state_dir, exit_code, NULL, NULL) == 0)
            ret = 0;
          else
            ret = pc_error_make (err, EIO, "lost the connection to the container's monitor");
        }
    }

  if (raw)
    tcsetattr (in_fd, TCSADRAIN, &saved);
  fatal_handlers_remove (old_fatal, fatal_set);
  raw_fd = -1;
  if (masked)
    {
      struct signalfd_siginfo si;
      while (sig_fd >= 0 && read (sig_fd, &si, sizeof si) == (ssize_t) sizeof si)
        ;
      sigprocmask (SIG_SETMASK, &old, NULL);
    }
  return ret;
}
