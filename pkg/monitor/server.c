/* The attach socket in the monitor: accepting clients, their requests, and
   sending output to all of them. A client whose socket is full keeps one
   packet pending; while any has one, the container's output is not read
   (backpressure instead of unbounded buffering). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "pkg/monitor/internal.h"
#include "pkg/monitor/protocol.h"

static void client_event (struct pc_mloop *l, int fd, short revents, void *data);

static void
client_drop (struct pc_monitor *m, struct pc_mon_client *c)
{
  for (struct pc_mon_client **p = &m->clients; *p; p = &(*p)->next)
    if (*p == c)
      {
        *p = c->next;
        break;
      }
  if (c->pending)
    {
      m->blocked_clients--;
      if (m->blocked_clients == 0)
        pc_mon_output_pause (m, false);
    }
  pc_mloop_remove (&m->loop, c->fd);
  close (c->fd);
  free (c->pending);
  free (c);
}

static struct pc_mon_client *
client_find (struct pc_monitor *m, int fd)
{
  for (struct pc_mon_client *c = m->clients; c; c = c->next)
    if (c->fd == fd)
      return c;
  return NULL;
}

/* Sends one packet; keeps it when the socket is full. Returns -1 when the
   client is gone (and dropped). */
static int
client_send (struct pc_monitor *m, struct pc_mon_client *c, const char *pkt, size_t len)
{
  ssize_t r;
  do
    r = send (c->fd, pkt, len, MSG_DONTWAIT | MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r >= 0)
    return 0;
  if (errno == EAGAIN)
    {
      c->pending = xmalloc (len);
      memcpy (c->pending, pkt, len);
      c->pending_len = len;
      if (m->blocked_clients++ == 0)
        pc_mon_output_pause (m, true);
      pc_mloop_set_events (&m->loop, c->fd, POLLOUT);
      return 0;
    }
  client_drop (m, c);
  return -1;
}

void
pc_mon_broadcast (struct pc_monitor *m, int type, const void *data, size_t len)
{
  if (m->clients == NULL)
    return;
  char pkt[PC_MONITOR_PKT_MAX];
  while (len > 0)
    {
      size_t n = len < sizeof pkt - 1 ? len : sizeof pkt - 1;
      pkt[0] = (char) type;
      memcpy (pkt + 1, data, n);
      for (struct pc_mon_client *c = m->clients, *next; c; c = next)
        {
          next = c->next;
          if (c->pending == NULL)
            client_send (m, c, pkt, n + 1);
        }
      data = (const char *) data + n;
      len -= n;
    }
}

void
pc_mon_send_exit (struct pc_monitor *m)
{
  char pkt[5];
  int32_t code = m->exit_code;
  pkt[0] = PC_MSG_EXIT;
  memcpy (pkt + 1, &code, sizeof code);
  while (m->clients)
    {
      struct pc_mon_client *c = m->clients;
      /* A client that cannot take it reads the exit file after the EOF. */
      if (c->pending)
        send (c->fd, c->pending, c->pending_len, MSG_DONTWAIT | MSG_NOSIGNAL);
      send (c->fd, pkt, sizeof pkt, MSG_DONTWAIT | MSG_NOSIGNAL);
      client_drop (m, c);
    }
}

void
pc_mon_clients_pause (struct pc_monitor *m, bool pause)
{
  for (struct pc_mon_client *c = m->clients; c; c = c->next)
    if (c->pending == NULL)
      pc_mloop_set_events (&m->loop, c->fd, pause ? 0 : POLLIN);
}

static void
send_start_result (struct pc_monitor *m, struct pc_mon_client *c, const pc_error *e)
{
  char *pkt = xmalloc (PC_MONITOR_PKT_MAX);
  pkt[0] = PC_MSG_START_RESULT;
  size_t len = pc_mon_start_result_encode (pkt + 1, e ? (e->status ? e->status : EIO) : 0,
                                           pc_error_class_of (e), e ? e->msg : NULL);
  client_send (m, c, pkt, 1 + len);
  free (pkt);
}

/* One packet and at most one fd passed with it (the exec request's memfd);
   any other fds are closed. */
static ssize_t
recv_with_fd (int fd, char *pkt, size_t size, int *passed)
{
  union
  {
    struct cmsghdr h;
    char buf[CMSG_SPACE (4 * sizeof (int))];
  } cm;
  struct iovec iov = { .iov_base = pkt, .iov_len = size };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf,
                        .msg_controllen = sizeof cm.buf };
  ssize_t r = recvmsg (fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  if (r < 0)
    return r;
  for (struct cmsghdr *h = CMSG_FIRSTHDR (&msg); h; h = CMSG_NXTHDR (&msg, h))
    if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
      {
        size_t n = (h->cmsg_len - CMSG_LEN (0)) / sizeof (int);
        for (size_t i = 0; i < n; i++)
          {
            int f;
            memcpy (&f, CMSG_DATA (h) + i * sizeof (int), sizeof f);
            if (*passed < 0)
              *passed = f;
            else
              close (f);
          }
      }
  return r;
}

/* Takes c out of the clients: its fd is the caller's from now on (an
   attached exec session's connection, pkg/monitor/exec.c). */
int
pc_mon_client_take (struct pc_monitor *m, struct pc_mon_client *c)
{
  int fd = c->fd;
  if (c->pending)
    {
      /* Nothing but the exec result can be queued on a new connection. */
      free (c->pending);
      c->pending = NULL;
      m->blocked_clients--;
      if (m->blocked_clients == 0)
        pc_mon_output_pause (m, false);
    }
  for (struct pc_mon_client **p = &m->clients; *p; p = &(*p)->next)
    if (*p == c)
      {
        *p = c->next;
        break;
      }
  pc_mloop_remove (&m->loop, fd);
  free (c);
  return fd;
}

int
pc_mon_client_send (struct pc_monitor *m, struct pc_mon_client *c, const char *pkt, size_t len)
{
  return client_send (m, c, pkt, len);
}

static void
handle_packet (struct pc_monitor *m, struct pc_mon_client *c, const char *pkt, size_t len, int passed)
{
  if (pkt[0] == PC_MSG_EXEC)
    {
      pc_mon_exec_request (m, c, passed);
      return;
    }
  if (passed >= 0)
    close (passed);
  switch (pkt[0])
    {
    case PC_MSG_STDIN:
      pc_mon_stdin_write (m, pkt + 1, len - 1);
      break;
    case PC_MSG_STDIN_CLOSE:
      pc_mon_stdin_close (m);
      break;
    case PC_MSG_RESIZE:
      if (m->pty && len >= 1 + sizeof (struct pc_msg_resize))
        {
          struct pc_msg_resize rs;
          memcpy (&rs, pkt + 1, sizeof rs);
          struct winsize ws = { .ws_row = rs.rows, .ws_col = rs.cols };
          ioctl (m->out_fd, TIOCSWINSZ, &ws);
        }
      break;
    case PC_MSG_START:
      {
        pc_error *err = NULL;
        if (pc_mon_do_start (m, &err) < 0 && err == NULL)
          pc_error_make (&err, EIO, "the container failed to start");
        send_start_result (m, c, err);
        pc_error_free (err);
        break;
      }
    case PC_MSG_DETACH:
      client_drop (m, c);
      break;
    case PC_MSG_HEALTHCHECK:
      pc_mon_health_request (m, c);
      break;
    default:
      break;
    }
}

static void
client_event (struct pc_mloop *l, int fd, short revents, void *data)
{
  struct pc_monitor *m = data;
  struct pc_mon_client *c = client_find (m, fd);
  if (c == NULL)
    return;
  if (c->pending && (revents & (POLLOUT | POLLERR | POLLHUP)))
    {
      ssize_t r = send (fd, c->pending, c->pending_len, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (r < 0 && errno == EAGAIN)
        return;
      if (r < 0)
        {
          client_drop (m, c);
          return;
        }
      free (c->pending);
      c->pending = NULL;
      pc_mloop_set_events (l, fd, m->in_pending ? 0 : POLLIN);
      if (--m->blocked_clients == 0)
        pc_mon_output_pause (m, false);
      return;
    }
  if (revents & POLLIN)
    {
      char pkt[PC_MONITOR_PKT_MAX];
      int passed = -1;
      ssize_t r = recv_with_fd (fd, pkt, sizeof pkt, &passed);
      if (r < 0 && (errno == EAGAIN || errno == EINTR))
        return;
      if (r <= 0)
        {
          if (passed >= 0)
            close (passed);
          client_drop (m, c);
          return;
        }
      handle_packet (m, c, pkt, (size_t) r, passed);
      return;
    }
  if (revents & (POLLHUP | POLLERR | POLLNVAL))
    client_drop (m, c);
}

void
pc_mon_client_add (struct pc_monitor *m, int cfd)
{
  struct pc_mon_client *c = xmalloc0 (sizeof *c);
  c->fd = cfd;
  c->next = m->clients;
  m->clients = c;
  pc_mloop_add (&m->loop, cfd, m->in_pending ? 0 : POLLIN, client_event, m);
  /* Before anything else: which protocol this monitor speaks. */
  char hello[1 + 2 * sizeof (uint32_t)];
  uint32_t v = PC_MONITOR_PROTOCOL_VERSION, features = PC_MONITOR_FEATURES;
  hello[0] = PC_MSG_HELLO;
  memcpy (hello + 1, &v, sizeof v);
  memcpy (hello + 1 + sizeof v, &features, sizeof features);
  client_send (m, c, hello, sizeof hello);
}

static void
listen_event (struct pc_mloop *l, int fd, short revents, void *data)
{
  int cfd = accept4 (fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (cfd >= 0)
    pc_mon_client_add (data, cfd);
}

void
pc_mon_server_start (struct pc_monitor *m)
{
  pc_mloop_add (&m->loop, m->listen_fd, POLLIN, listen_event, m);
}
