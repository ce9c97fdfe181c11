/* --network values: none, host, slirp4netns[:OPTIONS], podman's names
   for the default network (private, bridge), container:NAME|ID and
   ns:PATH. */
#include "pkg/network/network.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

static void
slirp_defaults (struct pc_net_slirp_opts *o)
{
  memset (o, 0, sizeof *o);
  o->mtu = PC_NET_DEFAULT_MTU;
  inet_pton (AF_INET, "10.0.2.0", &o->net);
  o->prefix = 24;
  o->mask.s_addr = htonl (0xffffff00u);
}

static int
parse_bool (const char *key, const char *v, bool *out, pc_error **err)
{
  if (strcmp (v, "true") == 0)
    *out = true;
  else if (strcmp (v, "false") == 0)
    *out = false;
  else
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "invalid value of %s for slirp4netns: \"%s\" (true or false)", key, v);
  return 0;
}

/* A.B.C.D/N: the network libslirp emulates. Room is needed for .2, .3,
   .15 (DHCP) and .100, as slirp4netns requires (prefix at most 25). */
static int
parse_cidr (const char *v, struct pc_net_slirp_opts *o, pc_error **err)
{
  const char *slash = strchr (v, '/');
  char ip[INET_ADDRSTRLEN];
  char *end = NULL;
  long prefix = slash ? strtol (slash + 1, &end, 10) : -1;
  if (slash == NULL || (size_t) (slash - v) >= sizeof ip || end == slash + 1 || *end != '\0'
      || prefix < 1 || prefix > 25)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "invalid cidr for slirp4netns: \"%s\" (an IPv4 network such as 10.0.2.0/24, prefix at most 25)", v);
  memcpy (ip, v, (size_t) (slash - v));
  ip[slash - v] = '\0';
  struct in_addr a;
  if (inet_pton (AF_INET, ip, &a) != 1)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid cidr for slirp4netns: \"%s\"", v);
  uint32_t mask = prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
  o->mask.s_addr = htonl (mask);
  o->net.s_addr = a.s_addr & o->mask.s_addr;
  o->prefix = (unsigned) prefix;
  return 0;
}

static int
parse_slirp_opts (const char *s, struct pc_net_slirp_opts *o, pc_error **err)
{
  pc_autofree char *copy = xstrdup (s);
  char *save = NULL;
  for (char *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save))
    {
      char *eq = strchr (t, '=');
      if (eq == NULL)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid option for slirp4netns: \"%s\" (KEY=VALUE)", t);
      *eq = '\0';
      const char *v = eq + 1;
      if (strcmp (t, "mtu") == 0)
        {
          char *end = NULL;
          errno = 0;
          long mtu = strtol (v, &end, 10);
          if (errno || end == v || *end || mtu < 1280 || mtu > 65520)
            return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                                   "invalid mtu for slirp4netns: \"%s\" (1280 to 65520)", v);
          o->mtu = (unsigned) mtu;
        }
      else if (strcmp (t, "cidr") == 0)
        {
          if (parse_cidr (v, o, err) < 0)
            return -1;
        }
      else if (strcmp (t, "allow_host_loopback") == 0)
        {
          if (parse_bool (t, v, &o->allow_host_loopback, err) < 0)
            return -1;
        }
      else if (strcmp (t, "enable_ipv6") == 0)
        {
          if (parse_bool (t, v, &o->enable_ipv6, err) < 0)
            return -1;
        }
      else if (strcmp (t, "bypass") == 0)
        {
          if (parse_bool (t, v, &o->bypass, err) < 0)
            return -1;
        }
      else if (strcmp (t, "port_handler") == 0 || strcmp (t, "outbound_addr") == 0
               || strcmp (t, "outbound_addr6") == 0)
        return pc_error_makec (err, PC_ERR_UNSUPPORTED, ENOTSUP,
                               "slirp4netns option %s is not supported by pc", t);
      else
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "unknown option for slirp4netns: \"%s\"", t);
    }
  return 0;
}

int
pc_net_mode_parse (const char *arg, struct pc_net_mode *out, pc_error **err)
{
  memset (out, 0, sizeof *out);
  slirp_defaults (&out->slirp);
  out->kind = PC_NET_SLIRP;
  if (arg == NULL || *arg == '\0' || strcmp (arg, "private") == 0 || strcmp (arg, "bridge") == 0
      || strcmp (arg, "slirp4netns") == 0)
    return 0;
  if (strncmp (arg, "slirp4netns:", 12) == 0)
    return parse_slirp_opts (arg + 12, &out->slirp, err);
  if (strcmp (arg, "none") == 0)
    {
      out->kind = PC_NET_NONE;
      return 0;
    }
  if (strcmp (arg, "host") == 0)
    {
      out->kind = PC_NET_HOST;
      return 0;
    }
  if (strncmp (arg, "container:", 10) == 0 || strncmp (arg, "ns:", 3) == 0)
    {
      bool ctr = arg[0] == 'c';
      const char *t = arg + (ctr ? 10 : 3);
      if (*t == '\0' || strlen (t) >= sizeof out->target || (!ctr && *t != '/'))
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, ctr ? "invalid network mode \"%s\": container:NAME or ID"
                               : "invalid network mode \"%s\": ns:PATH, an absolute path", arg);
      out->kind = ctr ? PC_NET_CONTAINER : PC_NET_NS;
      memcpy (out->target, t, strlen (t) + 1);
      return 0;
    }
  if (strcmp (arg, "pasta") == 0 || strncmp (arg, "pasta:", 6) == 0)
    return pc_error_makec (err, PC_ERR_UNSUPPORTED, ENOTSUP,
                           "network mode \"%s\" is not supported yet: use none, host or slirp4netns", arg);
  return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                         "invalid network mode \"%s\": use none, host, private or slirp4netns[:OPTIONS]", arg);
}

const char *
pc_net_kind_name (enum pc_net_kind k)
{
  switch (k)
    {
    case PC_NET_NONE:
      return "none";
    case PC_NET_HOST:
      return "host";
    case PC_NET_CONTAINER:
      return "container";
    case PC_NET_NS:
      return "ns";
    case PC_NET_SLIRP:
    default:
      return "slirp4netns";
    }
}

char *
pc_net_mode_format (const struct pc_net_mode *m)
{
  if (m->kind == PC_NET_CONTAINER || m->kind == PC_NET_NS)
    return xasprintf ("%s:%s", pc_net_kind_name (m->kind), m->target);
  if (m->kind != PC_NET_SLIRP)
    return xstrdup (pc_net_kind_name (m->kind));
  struct pc_net_slirp_opts d;
  slirp_defaults (&d);
  const struct pc_net_slirp_opts *o = &m->slirp;
  char buf[256];
  size_t len = 0;
  buf[0] = '\0';
#define ADD(...) len += (size_t) snprintf (buf + len, sizeof buf - len, __VA_ARGS__)
  if (o->allow_host_loopback)
    ADD (",allow_host_loopback=true");
  if (o->net.s_addr != d.net.s_addr || o->prefix != d.prefix)
    {
      char ip[INET_ADDRSTRLEN];
      inet_ntop (AF_INET, &o->net, ip, sizeof ip);
      ADD (",cidr=%s/%u", ip, o->prefix);
    }
  if (o->bypass)
    ADD (",bypass=true");
  if (o->enable_ipv6)
    ADD (",enable_ipv6=true");
  if (o->mtu != d.mtu)
    ADD (",mtu=%u", o->mtu);
#undef ADD
  return len ? xasprintf ("slirp4netns:%s", buf + 1) : xstrdup ("slirp4netns");
}

void
pc_net_slirp_addrs (const struct pc_net_slirp_opts *o, struct pc_net_addrs *out)
{
  uint32_t net = ntohl (o->net.s_addr);
  struct in_addr a;
  a.s_addr = htonl (net + 2);
  inet_ntop (AF_INET, &a, out->gateway, sizeof out->gateway);
  a.s_addr = htonl (net + 3);
  inet_ntop (AF_INET, &a, out->dns, sizeof out->dns);
  a.s_addr = htonl (net + 100);
  inet_ntop (AF_INET, &a, out->guest, sizeof out->guest);
}
