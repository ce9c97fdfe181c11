/* Published ports: the monitor accepts on the host sockets pc bound before
   the container started, opens a socket inside the container's network
   namespace for each connection (a short clone task that setns'es there:
   the socket keeps that namespace), connects it to the container's
   address on its network (10.0.2.100:PORT) and relays both directions
   with splice(2) through a pipe each, in the monitor's poll loop. The
   bytes never pass through libslirp's TCP stack nor through user space.
   As with podman 4.3's rootlessport, the container sees connections from
   its own address, not the client's, and a service listening on 127.0.0.1
   only is not published. UDP ports go to udpfwd.c's flow table. */
#include "pkg/network/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/xalloc.h"

#define PIPE_SIZE (256 * 1024)

struct conn
{
  struct conn *next;
  int fd[2];             /* 0: the host's client, 1: inside the container */
  int pipe[2][2];        /* pipe[d]: bytes read from fd[d], for fd[!d] */
  size_t queued[2];
  bool eof[2];           /* fd[d] said EOF */
  bool shut[2];          /* fd[d]'s write side is shut down */
  bool connecting;       /* fd[1]'s connect is under way */
  bool dead;
  int idx[2];            /* this iteration's pollfd indexes, -1 none */
};

struct listener
{
  int fd;
  unsigned ctr_port;
  int idx;
};

struct pc_net_fwd
{
  int netns_fd;
  struct listener *l;
  size_t nl;
  struct conn *conns;
  struct pc_net_udp *udp;   /* /udp ports (udpfwd.c), or NULL */
  struct in_addr to;        /* the container's address */
};

struct pc_net_fwd *
pc_net_fwd_new (int netns_fd, struct in_addr to, struct pc_net_forward *fwd, size_t nfwd)
{
  struct pc_net_fwd *f = xmalloc0 (sizeof *f);
  f->netns_fd = fcntl (netns_fd, F_DUPFD_CLOEXEC, 3);
  f->to = to;
  f->l = xmalloc0 ((nfwd ? nfwd : 1) * sizeof *f->l);
  for (size_t i = 0; i < nfwd; i++)
    {
      if (fwd[i].udp)
        {
          if (f->udp == NULL)
            f->udp = pc_net_udp_new (f->netns_fd, to);
          pc_net_udp_add (f->udp, fwd[i].fd, fwd[i].ctr_port);
          continue;
        }
      f->l[f->nl++] = (struct listener) { .fd = fwd[i].fd, .ctr_port = fwd[i].ctr_port, .idx = -1 };
    }
  return f;
}

struct sock_job
{
  int netns_fd;
  int type;
  int fd;
  int err;
};

static int
sock_child (void *arg)
{
  struct sock_job *j = arg;
  if (setns (j->netns_fd, CLONE_NEWNET) < 0)
    {
      j->err = errno;
      return 1;
    }
  j->fd = socket (AF_INET, j->type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (j->fd < 0)
    j->err = errno;
  return j->fd < 0;
}

int
pc_net_socket_in (int netns_fd, int type, int *err)
{
  struct sock_job j = { .netns_fd = netns_fd, .type = type, .fd = -1 };
  if (netns_fd < 0)
    j.err = EBADF;
  else if (pc_net_run_in_clone (sock_child, &j) != 0 && j.err == 0)
    j.err = errno ? errno : EIO;
  *err = j.err;
  return j.fd;
}

static void
conn_close (struct conn *c)
{
  for (int d = 0; d < 2; d++)
    {
      if (c->fd[d] >= 0)
        close (c->fd[d]);
      for (int k = 0; k < 2; k++)
        if (c->pipe[d][k] >= 0)
          close (c->pipe[d][k]);
    }
  free (c);
}

/* A refused connection inside the container: the client gets a reset, as
   from a closed port. */
static void
reset (int fd)
{
  struct linger lg = { .l_onoff = 1, .l_linger = 0 };
  setsockopt (fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

static void
accept_one (struct pc_net_fwd *f, struct listener *l)
{
  int client = accept4 (l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (client < 0)
    return;
  int serr = 0;
  int inner = pc_net_socket_in (f->netns_fd, SOCK_STREAM, &serr);
  if (inner < 0)
    {
      pc_debug ("published port %u: no socket in the container: %s", l->ctr_port, strerror (serr));
      reset (client);
      close (client);
      return;
    }
  struct conn *c = xmalloc0 (sizeof *c);
  c->fd[0] = client;
  c->fd[1] = inner;
  for (int d = 0; d < 2; d++)
    {
      c->idx[d] = -1;
      if (pipe2 (c->pipe[d], O_NONBLOCK | O_CLOEXEC) < 0)
        {
          c->pipe[d][0] = c->pipe[d][1] = -1;
          c->dead = true;
        }
      else
        fcntl (c->pipe[d][1], F_SETPIPE_SZ, PIPE_SIZE);
    }
  int one = 1;
  setsockopt (c->fd[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt (c->fd[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) l->ctr_port),
                            .sin_addr = f->to };
  if (connect (c->fd[1], (struct sockaddr *) &to, sizeof to) < 0)
    {
      if (errno == EINPROGRESS)
        c->connecting = true;
      else
        {
          reset (client);
          c->dead = true;
        }
    }
  c->next = f->conns;
  f->conns = c;
}

void
pc_net_fwd_prepare (struct pc_net_fwd *f, pc_net_add_fn add, void *data)
{
  for (size_t i = 0; i < f->nl; i++)
    f->l[i].idx = add (f->l[i].fd, POLLIN, data);
  if (f->udp)
    pc_net_udp_prepare (f->udp, add, data);
  for (struct conn *c = f->conns; c; c = c->next)
    for (int d = 0; d < 2; d++)
      {
        short ev = 0;
        if (c->connecting)
          ev = d == 1 ? POLLOUT : 0;
        else
          {
            if (!c->eof[d] && c->queued[d] < PIPE_SIZE)
              ev |= POLLIN;
            if (c->queued[!d] > 0)
              ev |= POLLOUT;
          }
        c->idx[d] = add (c->fd[d], ev, data);
      }
}

/* Moves what it can from fd[d] to fd[!d]. */
static void
pump (struct conn *c, int d)
{
  int src = c->fd[d], dst = c->fd[!d];
  for (int round = 0; round < 16 && !c->dead; round++)
    {
      bool progress = false;
      if (!c->eof[d] && c->queued[d] < PIPE_SIZE)
        {
          ssize_t r = splice (src, NULL, c->pipe[d][1], NULL, PIPE_SIZE - c->queued[d],
                              SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
          if (r > 0)
            {
              c->queued[d] += (size_t) r;
              progress = true;
            }
          else if (r == 0)
            c->eof[d] = true;
          else if (errno != EAGAIN && errno != EINTR)
            c->dead = true;
        }
      if (c->queued[d] > 0 && !c->dead)
        {
          ssize_t w = splice (c->pipe[d][0], NULL, dst, NULL, c->queued[d],
                              SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
          if (w > 0)
            {
              c->queued[d] -= (size_t) w;
              progress = true;
            }
          else if (w < 0 && errno != EAGAIN && errno != EINTR)
            c->dead = true;
        }
      if (!progress)
        break;
    }
  if (c->eof[d] && c->queued[d] == 0 && !c->shut[!d])
    {
      shutdown (dst, SHUT_WR);
      c->shut[!d] = true;
    }
}

void
pc_net_fwd_check (struct pc_net_fwd *f, const struct pollfd *pfd, size_t npfd)
{
  for (size_t i = 0; i < f->nl; i++)
    if (f->l[i].idx >= 0 && (size_t) f->l[i].idx < npfd && (pfd[f->l[i].idx].revents & POLLIN))
      accept_one (f, &f->l[i]);
  if (f->udp)
    pc_net_udp_check (f->udp, pfd, npfd);
  for (struct conn **p = &f->conns, *c; (c = *p) != NULL;)
    {
      short rev[2] = { 0, 0 };
      for (int d = 0; d < 2; d++)
        if (c->idx[d] >= 0 && (size_t) c->idx[d] < npfd)
          rev[d] = pfd[c->idx[d]].revents;
      if (c->connecting && rev[1])
        {
          int soerr = 0;
          socklen_t sl = sizeof soerr;
          getsockopt (c->fd[1], SOL_SOCKET, SO_ERROR, &soerr, &sl);
          if (soerr)
            {
              reset (c->fd[0]);
              c->dead = true;
            }
          else
            c->connecting = false;
        }
      if (!c->connecting && !c->dead && (rev[0] || rev[1]))
        {
          pump (c, 0);
          pump (c, 1);
        }
      bool done = c->eof[0] && c->eof[1] && c->queued[0] == 0 && c->queued[1] == 0;
      if (c->dead || done)
        {
          *p = c->next;
          conn_close (c);
          continue;
        }
      p = &c->next;
    }
}

void
pc_net_fwd_free (struct pc_net_fwd *f)
{
  if (f == NULL)
    return;
  while (f->conns)
    {
      struct conn *c = f->conns;
      f->conns = c->next;
      conn_close (c);
    }
  for (size_t i = 0; i < f->nl; i++)
    close (f->l[i].fd);
  pc_net_udp_free (f->udp);
  if (f->netns_fd >= 0)
    close (f->netns_fd);
  free (f->l);
  free (f);
}
