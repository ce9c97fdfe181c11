/* The egress bypass (--network slirp4netns:bypass=true): the container's
   connect(2) calls come to the monitor through a seccomp user-notification
   listener (the runtime's filter, annotation run.pc.seccomp-notify). For a
   TCP connection the rule allows (bypass-sock.c), the monitor makes a
   socket in its own network namespace, the host's, connects it and puts
   it in place of the container's fd (SECCOMP_IOCTL_NOTIF_ADDFD with
   SECCOMP_ADDFD_FLAG_SETFD): the bytes then go through the host's TCP
   stack alone, not through tap0 and libslirp. Everything else continues
   into the kernel as it was (SECCOMP_USER_NOTIF_FLAG_CONTINUE) and takes
   slirp's path.

   The decision is made on a copy of the address (process_vm_readv, then
   SECCOMP_IOCTL_NOTIF_ID_VALID so the pid still is the caller), and the
   monitor connects to that copy itself: a container that rewrites the
   memory afterwards changes nothing. A continued call may race with the
   container's own threads (another fd put on the number, the address
   rewritten), so what a continued call can reach must not depend on the
   check: the only host sockets a container ever holds are the bypass's,
   and each carries a locked filter that drops every packet not from its
   first peer.

   Never blocking the loop: the host connect is non-blocking; a blocking
   caller's notification stays pending (its thread waits in the kernel)
   while the socket is polled here, at most PENDING_MAX of them (beyond
   that a connect takes slirp's path); a non-blocking caller gets the
   socket at once and EINPROGRESS, as from its own connect. A pending
   connect lasts as long as the host's (its SYN retries and timeout): no
   time limit sends it to slirp's path, which would connect a second time
   to the same peer. Every RECHECK_MS the monitor asks the kernel whether
   each pending caller still waits, and drops those gone (killed,
   interrupted). At most
   BURST notifications are taken per wakeup, so a container that floods
   them shares the loop with everything else. */
#include "pkg/network/bypass.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <linux/sockios.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

#define PENDING_MAX 256
#define BURST 32
#define RECHECK_MS 1000

struct pending
{
  uint64_t id;
  int hfd;          /* the host socket, connecting */
  int target;       /* the container's fd number */
  bool cloexec, nonblock;
  double recheck;   /* then: does the caller still wait? */
};

static double
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

struct pc_net_bypass
{
  int listener;
  struct pc_net_slirp_opts opts;
  unsigned long netns_ino;
  struct seccomp_notif *req;
  struct seccomp_notif_resp *resp;
  size_t req_size, resp_size;
  struct pending *pend;
  size_t n_pend, cap_pend;
  size_t polled_pend;   /* pending entries this iteration's prepare polled */
  bool listener_polled;
  unsigned long n_bypassed, n_continued;
};

int
pc_net_bypass_new (int listener, int netns_fd, const struct pc_net_slirp_opts *o, struct pc_net_bypass **out,
                   pc_error **err)
{
  pc_autoclose int l = listener;
  struct seccomp_notif_sizes sizes;
  if (syscall (SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
    return pc_error_errno (err, errno, "egress bypass: seccomp notification sizes");
  struct stat st;
  if (fstat (netns_fd, &st) < 0)
    return pc_error_errno (err, errno, "egress bypass: the container's network namespace");
  struct pc_net_bypass *b = xmalloc0 (sizeof *b);
  b->listener = steal_fd (&l);
  b->opts = *o;
  b->netns_ino = (unsigned long) st.st_ino;
  b->req_size = sizes.seccomp_notif > sizeof *b->req ? sizes.seccomp_notif : sizeof *b->req;
  b->resp_size = sizes.seccomp_notif_resp > sizeof *b->resp ? sizes.seccomp_notif_resp : sizeof *b->resp;
  b->req = xmalloc0 (b->req_size);
  b->resp = xmalloc0 (b->resp_size);
  *out = b;
  return 0;
}

static void
respond (struct pc_net_bypass *b, uint64_t id, int error, bool cont)
{
  memset (b->resp, 0, b->resp_size);
  b->resp->id = id;
  b->resp->error = error;
  b->resp->flags = cont ? SECCOMP_USER_NOTIF_FLAG_CONTINUE : 0;
  if (cont)
    b->n_continued++;
  /* ENOENT: the caller is gone or was interrupted; nothing to answer. */
  (void) ioctl (b->listener, SECCOMP_IOCTL_NOTIF_SEND, b->resp);
}

/* Puts the connected host socket in place of the container's fd and
   answers the connect with success. */
static void
swap_in (struct pc_net_bypass *b, uint64_t id, int hfd, int target, bool cloexec, bool nonblock)
{
  int fl = fcntl (hfd, F_GETFL);
  if (!nonblock && fl >= 0)
    fcntl (hfd, F_SETFL, fl & ~O_NONBLOCK);
  struct seccomp_notif_addfd add = {
    .id = id,
    .flags = SECCOMP_ADDFD_FLAG_SETFD,
    .srcfd = (uint32_t) hfd,
    .newfd = (uint32_t) target,
    .newfd_flags = cloexec ? O_CLOEXEC : 0,
  };
  if (ioctl (b->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add) < 0)
    {
      /* Gone: nothing to answer. Else (EMFILE...) the container keeps its
         own socket and goes through slirp. */
      if (errno != ENOENT)
        respond (b, id, 0, true);
      return;
    }
  b->n_bypassed++;
  respond (b, id, 0, false);
}

static bool
fd_cloexec (pid_t pid, int fd)
{
  char path[64], buf[512];
  snprintf (path, sizeof path, "/proc/%d/fdinfo/%d", (int) pid, fd);
  pc_autoclose int f = open (path, O_RDONLY | O_CLOEXEC);
  if (f < 0)
    return false;
  ssize_t n = read (f, buf, sizeof buf - 1);
  if (n <= 0)
    return false;
  buf[n] = '\0';
  const char *p = strstr (buf, "flags:");
  return p && (strtoul (p + 6, NULL, 8) & O_CLOEXEC);
}

static bool
in_netns (int fd, unsigned long ino)
{
  pc_autoclose int ns = ioctl (fd, SIOCGSKNS);
  struct stat st;
  return ns >= 0 && fstat (ns, &st) == 0 && (unsigned long) st.st_ino == ino;
}

static bool
is_socket (int fd)
{
  struct stat st;
  return fstat (fd, &st) == 0 && S_ISSOCK (st.st_mode);
}

/* Answers the connect itself when it should not continue: through a host
   socket when the rule allows it, or EISCONN on a socket the bypass made
   (connected, it must stay so: no disconnect, no second destination).
   False: continue it. */
static bool
try_bypass (struct pc_net_bypass *b, const struct seccomp_notif *req)
{
  if (req->data.nr != __NR_connect || b->n_pend >= PENDING_MAX)
    return false;
  int target = (int) req->data.args[0];
  socklen_t len = (socklen_t) req->data.args[2];
  struct sockaddr_storage dst, host;
  socklen_t host_len = 0;
  if (target < 0 || len < sizeof (sa_family_t) || len > sizeof dst)
    return false;
  memset (&dst, 0, sizeof dst);
  struct iovec local = { .iov_base = &dst, .iov_len = len };
  struct iovec remote = { .iov_base = (void *) (uintptr_t) req->data.args[1], .iov_len = len };
  if (process_vm_readv (req->pid, &local, 1, &remote, 1, 0) != (ssize_t) len)
    return false;
  pc_autoclose int pidfd = (int) syscall (SYS_pidfd_open, req->pid, PIDFD_THREAD);
  if (pidfd < 0)
    return false;
  /* The pid read above and opened here still is the caller. */
  uint64_t id = req->id;
  if (ioctl (b->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0)
    return false;
  pc_autoclose int cfd = (int) syscall (SYS_pidfd_getfd, pidfd, target, 0);
  if (cfd < 0)
    return false;
  if (is_socket (cfd) && !in_netns (cfd, b->netns_ino))
    {
      respond (b, req->id, -EISCONN, false);
      return true;
    }
  if (!pc_net_bypass_dest (&b->opts, (struct sockaddr *) &dst, len, &host, &host_len)
      || !pc_net_bypass_eligible (cfd, dst.ss_family, b->netns_ino))
    return false;
  bool cloexec = fd_cloexec (req->pid, target);
  int cfl = fcntl (cfd, F_GETFL);
  bool nonblock = cfl >= 0 && (cfl & O_NONBLOCK);
  pc_autoclose int hfd = pc_net_bypass_host_socket (cfd, (struct sockaddr *) &host, host_len);
  if (hfd < 0)
    return false;
  if (connect (hfd, (struct sockaddr *) &host, host_len) == 0)
    swap_in (b, req->id, hfd, target, cloexec, nonblock);
  else if (errno == EINPROGRESS)
    {
      /* Swapped in once connected, never before: a host socket whose
         connect failed could be aimed elsewhere. */
      if (b->n_pend == b->cap_pend)
        {
          b->cap_pend = b->cap_pend ? 2 * b->cap_pend : 8;
          b->pend = xrealloc (b->pend, b->cap_pend * sizeof *b->pend);
        }
      b->pend[b->n_pend++] = (struct pending) { req->id, steal_fd (&hfd), target, cloexec, nonblock,
                                                now_ms () + RECHECK_MS };
    }
  else
    /* What the host said (refused, unreachable), as slirp would have. */
    respond (b, req->id, -errno, false);
  return true;
}

static void
take_notifications (struct pc_net_bypass *b)
{
  for (int k = 0; k < BURST; k++)
    {
      /* RECV blocks when nothing is there: look first (after the first,
         which poll reported). */
      if (k > 0)
        {
          struct pollfd p = { .fd = b->listener, .events = POLLIN };
          if (poll (&p, 1, 0) <= 0 || !(p.revents & POLLIN))
            return;
        }
      memset (b->req, 0, b->req_size);
      if (ioctl (b->listener, SECCOMP_IOCTL_NOTIF_RECV, b->req) < 0)
        {
          if (errno == ENOENT || errno == EINTR)
            continue;
          return;
        }
      if (!try_bypass (b, b->req))
        respond (b, b->req->id, 0, true);
    }
}

void
pc_net_bypass_prepare (struct pc_net_bypass *b, int *timeout_ms, pc_net_add_fn add, void *data)
{
  double now = now_ms ();
  for (size_t i = 0; i < b->n_pend; i++)
    {
      int left = b->pend[i].recheck > now ? (int) (b->pend[i].recheck - now) + 1 : 0;
      if (*timeout_ms < 0 || left < *timeout_ms)
        *timeout_ms = left;
    }
  b->listener_polled = b->listener >= 0;
  if (b->listener_polled)
    add (b->listener, POLLIN, data);
  for (size_t i = 0; i < b->n_pend; i++)
    add (b->pend[i].hfd, POLLOUT, data);
  b->polled_pend = b->n_pend;
}

void
pc_net_bypass_check (struct pc_net_bypass *b, const struct pollfd *pfd, size_t npfd)
{
  size_t base = b->listener_polled ? 1 : 0;
  bool any = false;
  for (size_t i = 0; i < b->polled_pend && base + i < npfd; i++)
    {
      struct pending *p = &b->pend[i];
      if (!(pfd[base + i].revents & (POLLOUT | POLLERR | POLLHUP)))
        {
          /* Still connecting: keep it while its caller waits. */
          double now = now_ms ();
          if (now < p->recheck)
            continue;
          uint64_t id = p->id;
          if (ioctl (b->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0)
            {
              p->recheck = now + RECHECK_MS;
              continue;
            }
          /* Its caller is gone: nothing to answer, the socket goes. */
        }
      else
        {
          int so_err = 0;
          socklen_t l = sizeof so_err;
          if (getsockopt (p->hfd, SOL_SOCKET, SO_ERROR, &so_err, &l) < 0)
            so_err = errno;
          if (so_err == 0)
            swap_in (b, p->id, p->hfd, p->target, p->cloexec, p->nonblock);
          else
            respond (b, p->id, -so_err, false);
        }
      close (p->hfd);
      p->hfd = -1;
      any = true;
    }
  if (any)
    {
      size_t w = 0;
      for (size_t i = 0; i < b->n_pend; i++)
        if (b->pend[i].hfd >= 0)
          b->pend[w++] = b->pend[i];
      b->n_pend = w;
    }
  if (b->listener_polled && npfd > 0)
    {
      if (pfd[0].revents & POLLIN)
        take_notifications (b);
      else if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))
        {
          /* Every task of the filter is gone: the container has exited. */
          close (b->listener);
          b->listener = -1;
        }
    }
}

void
pc_net_bypass_stats (const struct pc_net_bypass *b, unsigned long *bypassed, unsigned long *continued)
{
  *bypassed = b ? b->n_bypassed : 0;
  *continued = b ? b->n_continued : 0;
}

void
pc_net_bypass_free (struct pc_net_bypass *b)
{
  if (b == NULL)
    return;
  /* Closing the listener fails the calls still waiting (ENOSYS). */
  if (b->listener >= 0)
    close (b->listener);
  for (size_t i = 0; i < b->n_pend; i++)
    close (b->pend[i].hfd);
  free (b->pend);
  free (b->req);
  free (b->resp);
  free (b);
}
