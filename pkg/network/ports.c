/* -p values, podman's syntax: [IP:][HOSTPORT:]CTRPORT[/PROTO], where a port
   may be a range (8000-8010:80-90, the same length on both sides) and IP
   an IPv4 address or an IPv6 one in brackets. */
#include "pkg/network/network.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

static int
bad (pc_error **err, const char *arg, const char *why)
{
  return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid port mapping \"%s\": %s", arg, why);
}

/* N or N-M; *count = M-N+1. */
static bool
parse_range (const char *s, unsigned *first, unsigned *count)
{
  char *end = NULL;
  errno = 0;
  unsigned long a = strtoul (s, &end, 10);
  if (errno || end == s || a < 1 || a > 65535)
    return false;
  unsigned long b = a;
  if (*end == '-')
    {
      const char *t = end + 1;
      b = strtoul (t, &end, 10);
      if (errno || end == t || b < a || b > 65535)
        return false;
    }
  if (*end != '\0' || *s == '-' || *s == '+')
    return false;
  *first = (unsigned) a;
  *count = (unsigned) (b - a + 1);
  return true;
}

int
pc_net_port_parse (const char *arg, struct pc_net_port **v, size_t *n, pc_error **err)
{
  pc_autofree char *s = xstrdup (arg);
  const char *proto = "tcp";
  char *slash = strrchr (s, '/');
  if (slash)
    {
      *slash = '\0';
      if (strcmp (slash + 1, "udp") == 0 || strcmp (slash + 1, "sctp") == 0)
        proto = slash + 1;
      else if (strcmp (slash + 1, "tcp") != 0)
        return bad (err, arg, "the protocol must be tcp, udp or sctp");
    }
  char ip[INET6_ADDRSTRLEN] = "";
  char *rest = s;
  if (*rest == '[')
    {
      char *close = strchr (rest, ']');
      if (close == NULL || close[1] != ':' || (size_t) (close - rest - 1) >= sizeof ip)
        return bad (err, arg, "an IPv6 address in brackets must be followed by a colon");
      memcpy (ip, rest + 1, (size_t) (close - rest - 1));
      ip[close - rest - 1] = '\0';
      struct in6_addr a6;
      if (inet_pton (AF_INET6, ip, &a6) != 1)
        return bad (err, arg, "invalid IPv6 address");
      rest = close + 2;
    }
  char *parts[3];
  size_t np = 0;
  parts[np++] = rest;
  for (char *p = rest; *p; p++)
    if (*p == ':')
      {
        if (np == 3)
          return bad (err, arg, "too many colons");
        *p = '\0';
        parts[np++] = p + 1;
      }
  const char *host = NULL, *ctr = parts[np - 1];
  if (np == 3)
    {
      if (ip[0])
        return bad (err, arg, "too many colons");
      struct in_addr a;
      if (parts[0][0] && inet_pton (AF_INET, parts[0], &a) != 1)
        return bad (err, arg, "invalid IP address");
      snprintf (ip, sizeof ip, "%s", parts[0]);
      host = parts[1];
    }
  else if (np == 2)
    host = parts[0];
  unsigned cfirst, ccount, hfirst = 0, hcount = 0;
  if (!parse_range (ctr, &cfirst, &ccount))
    return bad (err, arg, "the container port must be a number or range in 1-65535");
  if (host && *host)
    {
      if (!parse_range (host, &hfirst, &hcount))
        return bad (err, arg, "the host port must be a number or range in 1-65535");
      if (hcount != ccount)
        return bad (err, arg, "the host and container port ranges differ in length");
    }
  for (unsigned i = 0; i < ccount; i++)
    {
      *v = xrealloc (*v, (*n + 1) * sizeof **v);
      struct pc_net_port *p = &(*v)[(*n)++];
      memset (p, 0, sizeof *p);
      snprintf (p->host_ip, sizeof p->host_ip, "%s", ip);
      p->host_port = hcount ? hfirst + i : 0;
      p->ctr_port = cfirst + i;
      p->udp = strcmp (proto, "udp") == 0;
      snprintf (p->proto, sizeof p->proto, "%s", proto);
    }
  return 0;
}
