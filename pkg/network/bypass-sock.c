/* The egress bypass: which connections may leave through a host socket,
   and that socket (see bypass.h, docs/network.md "Egress bypass"). */
#include "pkg/network/bypass.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "lib/cleanup.h"

static bool
v4_dest (const struct pc_net_slirp_opts *o, const struct sockaddr_in *in, struct sockaddr_storage *host,
         socklen_t *host_len)
{
  uint32_t a = ntohl (in->sin_addr.s_addr);
  uint32_t net = ntohl (o->net.s_addr), mask = ntohl (o->mask.s_addr);
  if (in->sin_port == 0 || a == 0 || (a >> 24) == 127 || (a >> 28) == 0xe || a == 0xffffffffu)
    return false;
  struct sockaddr_in out = *in;
  if ((a & mask) == net)
    {
      /* The gateway is the host; the rest of the network is slirp's own
         (the DNS forwarder) or the container itself. */
      if (a != net + 2 || !o->allow_host_loopback)
        return false;
      out.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    }
  memset (host, 0, sizeof *host);
  memcpy (host, &out, sizeof out);
  *host_len = sizeof out;
  return true;
}

static bool
v6_dest (const struct pc_net_slirp_opts *o, const struct sockaddr_in6 *in6, struct sockaddr_storage *host,
         socklen_t *host_len)
{
  const struct in6_addr *a = &in6->sin6_addr;
  static const uint8_t slirp_prefix[8] = { 0xfd, 0x00 };
  if (!o->enable_ipv6 || in6->sin6_port == 0 || in6->sin6_scope_id != 0
      || IN6_IS_ADDR_UNSPECIFIED (a) || IN6_IS_ADDR_LOOPBACK (a) || IN6_IS_ADDR_LINKLOCAL (a)
      || IN6_IS_ADDR_SITELOCAL (a) || IN6_IS_ADDR_MULTICAST (a) || IN6_IS_ADDR_V4MAPPED (a)
      || IN6_IS_ADDR_V4COMPAT (a) || memcmp (a->s6_addr, slirp_prefix, 8) == 0)
    return false;
  struct sockaddr_in6 out = *in6;
  out.sin6_flowinfo = 0;
  memset (host, 0, sizeof *host);
  memcpy (host, &out, sizeof out);
  *host_len = sizeof out;
  return true;
}

bool
pc_net_bypass_dest (const struct pc_net_slirp_opts *o, const struct sockaddr *dst, socklen_t len,
                    struct sockaddr_storage *host, socklen_t *host_len)
{
  if (len >= (socklen_t) sizeof (struct sockaddr_in) && dst->sa_family == AF_INET)
    {
      struct sockaddr_in in;
      memcpy (&in, dst, sizeof in);
      return v4_dest (o, &in, host, host_len);
    }
  if (len >= (socklen_t) sizeof (struct sockaddr_in6) && dst->sa_family == AF_INET6)
    {
      struct sockaddr_in6 in6;
      memcpy (&in6, dst, sizeof in6);
      return v6_dest (o, &in6, host, host_len);
    }
  return false;
}

static int
sockopt_int (int fd, int level, int name)
{
  int v = -1;
  socklen_t l = sizeof v;
  if (getsockopt (fd, level, name, &v, &l) < 0)
    return -1;
  return v;
}

bool
pc_net_bypass_eligible (int cfd, int family, unsigned long netns_ino)
{
  if (sockopt_int (cfd, SOL_SOCKET, SO_DOMAIN) != family || sockopt_int (cfd, SOL_SOCKET, SO_TYPE) != SOCK_STREAM
      || sockopt_int (cfd, SOL_SOCKET, SO_PROTOCOL) != IPPROTO_TCP
      || sockopt_int (cfd, SOL_SOCKET, SO_ACCEPTCONN) != 0)
    return false;
  /* A socket the application bound chose its own address or port: the
     host has neither, so it stays on slirp. */
  struct sockaddr_storage ss;
  socklen_t l = sizeof ss;
  if (getsockname (cfd, (struct sockaddr *) &ss, &l) < 0)
    return false;
  if ((family == AF_INET && ((struct sockaddr_in *) &ss)->sin_port != 0)
      || (family == AF_INET6 && ((struct sockaddr_in6 *) &ss)->sin6_port != 0))
    return false;
  l = sizeof ss;
  if (getpeername (cfd, (struct sockaddr *) &ss, &l) == 0 || errno != ENOTCONN)
    return false;
  /* Only a socket of the container's own namespace: one the bypass made
     (a host socket, which SIOCGSKNS refuses to the monitor) is never
     bypassed again. */
  pc_autoclose int ns = ioctl (cfd, SIOCGSKNS);
  struct stat st;
  return ns >= 0 && fstat (ns, &st) == 0 && (unsigned long) st.st_ino == netns_ino;
}

/* Options an application may have set before connect; each is copied when
   the container's socket differs from a fresh one. */
static const struct
{
  int level, name;
  bool doubled;   /* the kernel reports twice what was set */
} copied[] = {
  { SOL_SOCKET, SO_REUSEADDR, false },   { SOL_SOCKET, SO_KEEPALIVE, false },
  { SOL_SOCKET, SO_RCVBUF, true },       { SOL_SOCKET, SO_SNDBUF, true },
  { SOL_SOCKET, SO_OOBINLINE, false },   { SOL_SOCKET, SO_PRIORITY, false },
  { SOL_SOCKET, SO_RCVLOWAT, false },    { SOL_SOCKET, SO_LINGER, false },
  { SOL_SOCKET, SO_RCVTIMEO, false },   { SOL_SOCKET, SO_SNDTIMEO, false },
  { IPPROTO_TCP, TCP_NODELAY, false },   { IPPROTO_TCP, TCP_KEEPIDLE, false },
  { IPPROTO_TCP, TCP_KEEPINTVL, false }, { IPPROTO_TCP, TCP_KEEPCNT, false },
  { IPPROTO_TCP, TCP_USER_TIMEOUT, false }, { IPPROTO_TCP, TCP_MAXSEG, false },
  { IPPROTO_TCP, TCP_CORK, false },      { IPPROTO_TCP, TCP_NOTSENT_LOWAT, false },
  { IPPROTO_TCP, TCP_SYNCNT, false },    { IPPROTO_TCP, TCP_WINDOW_CLAMP, false },
  { IPPROTO_TCP, TCP_CONGESTION, false }, { IPPROTO_TCP, TCP_QUICKACK, false },
};

static void
copy_options (int cfd, int hfd, int family)
{
  for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++)
    {
      char a[64], b[64];
      socklen_t la = sizeof a, lb = sizeof b;
      memset (a, 0, sizeof a);
      memset (b, 0, sizeof b);
      if (getsockopt (cfd, copied[i].level, copied[i].name, a, &la) < 0
          || getsockopt (hfd, copied[i].level, copied[i].name, b, &lb) < 0
          || (la == lb && memcmp (a, b, la) == 0))
        continue;
      if (copied[i].doubled && la == sizeof (int))
        {
          int v;
          memcpy (&v, a, sizeof v);
          v /= 2;
          memcpy (a, &v, sizeof v);
        }
      /* Best effort: an option the host refuses (a congestion control
         not allowed to the user) leaves the default. */
      (void) setsockopt (hfd, copied[i].level, copied[i].name, a, la);
    }
  int level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
  int names4[] = { IP_TOS, IP_TTL };
  int names6[] = { IPV6_V6ONLY, IPV6_TCLASS, IPV6_UNICAST_HOPS };
  int *names = family == AF_INET ? names4 : names6;
  size_t n = family == AF_INET ? 2 : 3;
  for (size_t i = 0; i < n; i++)
    {
      int v = sockopt_int (cfd, level, names[i]);
      if (v >= 0 && v != sockopt_int (hfd, level, names[i]))
        (void) setsockopt (hfd, level, names[i], &v, sizeof v);
    }
}

/* Accepts a packet only from the peer's address and port. A TCP socket's
   filter sees the skb from the TCP header on (source port at 0); the IP
   header is reached through SKF_NET_OFF. */
static int
attach_peer_filter (int fd, const struct sockaddr *peer)
{
  struct sock_filter prog[12];
  size_t n = 0;
  uint16_t port;
  if (peer->sa_family == AF_INET)
    {
      const struct sockaddr_in *in = (const struct sockaddr_in *) peer;
      prog[n++] = (struct sock_filter) BPF_STMT (BPF_LD | BPF_W | BPF_ABS, SKF_NET_OFF + 12);
      prog[n++] = (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, ntohl (in->sin_addr.s_addr), 0, 3);
      port = ntohs (in->sin_port);
    }
  else
    {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) peer;
      for (unsigned w = 0; w < 4; w++)
        {
          uint32_t word;
          memcpy (&word, in6->sin6_addr.s6_addr + 4 * w, sizeof word);
          prog[n++] = (struct sock_filter) BPF_STMT (BPF_LD | BPF_W | BPF_ABS, SKF_NET_OFF + 8 + 4 * w);
          prog[n++] = (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, ntohl (word), 0,
                                                     (uint8_t) (9 - 2 * w));
        }
      port = ntohs (in6->sin6_port);
    }
  prog[n++] = (struct sock_filter) BPF_STMT (BPF_LD | BPF_H | BPF_ABS, 0);
  prog[n++] = (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, port, 0, 1);
  prog[n++] = (struct sock_filter) BPF_STMT (BPF_RET | BPF_K, 0xffffffffu);
  prog[n++] = (struct sock_filter) BPF_STMT (BPF_RET | BPF_K, 0);
  struct sock_fprog fp = { .len = (unsigned short) n, .filter = prog };
  int one = 1;
  if (setsockopt (fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp) < 0
      || setsockopt (fd, SOL_SOCKET, SO_LOCK_FILTER, &one, sizeof one) < 0)
    return -1;
  return 0;
}

int
pc_net_bypass_host_socket (int cfd, const struct sockaddr *peer, socklen_t peer_len)
{
  (void) peer_len;
  int family = peer->sa_family;
  pc_autoclose int hfd = socket (family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (hfd < 0)
    return -1;
  copy_options (cfd, hfd, family);
  /* Some kernels refuse socket filters on TCP sockets to users without
     CAP_BPF (EPERM, this VM's 6.18): then the socket goes without it, and
     the other guards hold (docs/network.md). */
  if (attach_peer_filter (hfd, peer) < 0 && errno != EPERM)
    return -1;
  return steal_fd (&hfd);
}
