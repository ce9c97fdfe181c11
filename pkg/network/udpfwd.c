/* Published UDP ports: a small flow table in the monitor. A datagram a
   client sends to the host socket pc bound goes out of a socket opened
   inside the container's network namespace for that client (its address
   and port), connected to the container's address (10.0.2.100:PORT) there,
   as podman's rootlessport does; what the container answers
   on that socket goes back to the client from the host socket, so the
   client sees the replies come from the address and port it sent to. A
   flow that carried nothing for FLOW_IDLE_S is closed; when the table is
   full the least recently used flow makes room. The container sees the
   datagrams coming from its own address, one source port per client. */
#include "pkg/network/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/xalloc.h"

#define FLOW_IDLE_S 60
#define FLOWS_MAX 128
/* Datagrams moved per socket and iteration, so a flood does not starve
   the monitor's other work. */
#define BATCH 64

struct flow
{
  struct flow *next;
  struct sockaddr_storage client;
  socklen_t client_len;
  int fd;                 /* inside the container, connected */
  size_t port;            /* index of the published port */
  time_t last;
  int idx;
};

struct udp_port
{
  int fd;                 /* the host's socket */
  unsigned ctr_port;
  int idx;
};

struct pc_net_udp
{
  int netns_fd;
  struct in_addr to;     /* the container's address */
  struct udp_port *p;
  size_t np;
  struct flow *flows;
  size_t nflows;
  unsigned char buf[65536];
};

struct pc_net_udp *
pc_net_udp_new (int netns_fd, struct in_addr to)
{
  struct pc_net_udp *u = xmalloc0 (sizeof *u);
  u->netns_fd = netns_fd;
  u->to = to;
  return u;
}

void
pc_net_udp_add (struct pc_net_udp *u, int fd, unsigned ctr_port)
{
  u->p = xrealloc (u->p, (u->np + 1) * sizeof *u->p);
  u->p[u->np++] = (struct udp_port) { .fd = fd, .ctr_port = ctr_port, .idx = -1 };
}

static time_t
now_s (void)
{
  struct timespec t;
  clock_gettime (CLOCK_MONOTONIC, &t);
  return t.tv_sec;
}

static void
flow_drop (struct pc_net_udp *u, struct flow **link)
{
  struct flow *f = *link;
  *link = f->next;
  close (f->fd);
  free (f);
  u->nflows--;
}

static struct flow *
flow_find (struct pc_net_udp *u, size_t port, const struct sockaddr_storage *a, socklen_t al)
{
  for (struct flow *f = u->flows; f; f = f->next)
    if (f->port == port && f->client_len == al && memcmp (&f->client, a, al) == 0)
      return f;
  return NULL;
}

static struct flow *
flow_open (struct pc_net_udp *u, size_t port, const struct sockaddr_storage *a, socklen_t al)
{
  if (u->nflows >= FLOWS_MAX)
    {
      struct flow **oldest = &u->flows;
      for (struct flow **l = &u->flows; *l; l = &(*l)->next)
        if ((*l)->last < (*oldest)->last)
          oldest = l;
      flow_drop (u, oldest);
    }
  int err = 0;
  int fd = pc_net_socket_in (u->netns_fd, SOCK_DGRAM, &err);
  if (fd < 0)
    {
      pc_debug ("published port %u/udp: no socket in the container: %s", u->p[port].ctr_port, strerror (err));
      return NULL;
    }
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) u->p[port].ctr_port),
                            .sin_addr = u->to };
  if (connect (fd, (struct sockaddr *) &to, sizeof to) < 0)
    {
      close (fd);
      return NULL;
    }
  struct flow *f = xmalloc0 (sizeof *f);
  memcpy (&f->client, a, al);
  f->client_len = al;
  f->fd = fd;
  f->port = port;
  f->idx = -1;
  f->next = u->flows;
  u->flows = f;
  u->nflows++;
  return f;
}

void
pc_net_udp_prepare (struct pc_net_udp *u, pc_net_add_fn add, void *data)
{
  for (size_t i = 0; i < u->np; i++)
    u->p[i].idx = add (u->p[i].fd, POLLIN, data);
  for (struct flow *f = u->flows; f; f = f->next)
    f->idx = add (f->fd, POLLIN, data);
}

static bool
ready (const struct pollfd *pfd, size_t npfd, int idx)
{
  return idx >= 0 && (size_t) idx < npfd && (pfd[idx].revents & (POLLIN | POLLERR | POLLHUP));
}

/* Client -> container. */
static void
from_host (struct pc_net_udp *u, size_t port, time_t now)
{
  for (int i = 0; i < BATCH; i++)
    {
      struct sockaddr_storage a;
      socklen_t al = sizeof a;
      ssize_t r = recvfrom (u->p[port].fd, u->buf, sizeof u->buf, MSG_DONTWAIT, (struct sockaddr *) &a, &al);
      if (r < 0)
        return;
      struct flow *f = flow_find (u, port, &a, al);
      if (f == NULL)
        f = flow_open (u, port, &a, al);
      if (f == NULL)
        continue;
      f->last = now;
      /* A full socket buffer drops the datagram, as the network would. */
      if (send (f->fd, u->buf, (size_t) r, MSG_DONTWAIT) < 0)
        pc_debug ("published port %u/udp: %s", u->p[port].ctr_port, strerror (errno));
    }
}

/* Container -> client, from the host socket the client sent to. */
static void
to_host (struct pc_net_udp *u, struct flow *f, time_t now)
{
  for (int i = 0; i < BATCH; i++)
    {
      ssize_t r = recv (f->fd, u->buf, sizeof u->buf, MSG_DONTWAIT);
      if (r < 0)
        {
          /* ECONNREFUSED: nothing listens inside (an ICMP error); the
             flow stays until it expires. */
          return;
        }
      f->last = now;
      sendto (u->p[f->port].fd, u->buf, (size_t) r, MSG_DONTWAIT, (struct sockaddr *) &f->client, f->client_len);
    }
}

void
pc_net_udp_check (struct pc_net_udp *u, const struct pollfd *pfd, size_t npfd)
{
  time_t now = now_s ();
  /* Replies first: flows opened below have no pollfd this iteration. */
  for (struct flow *f = u->flows; f; f = f->next)
    if (ready (pfd, npfd, f->idx))
      to_host (u, f, now);
  for (size_t i = 0; i < u->np; i++)
    if (ready (pfd, npfd, u->p[i].idx))
      from_host (u, i, now);
  for (struct flow **l = &u->flows; *l;)
    if (now - (*l)->last > FLOW_IDLE_S)
      flow_drop (u, l);
    else
      l = &(*l)->next;
}

void
pc_net_udp_free (struct pc_net_udp *u)
{
  if (u == NULL)
    return;
  while (u->flows)
    flow_drop (u, &u->flows);
  for (size_t i = 0; i < u->np; i++)
    close (u->p[i].fd);
  free (u->p);
  free (u);
}
