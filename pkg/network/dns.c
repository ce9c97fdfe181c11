/* The container's /etc/resolv.conf and /etc/hosts, as podman 4.3 writes
   them for its slirp4netns mode. Pure text in, text out: the engine reads
   the host's files and writes the results (pkg/engine/etcfiles.c). */
#include "pkg/network/network.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

struct resolv
{
  char **servers, **search, **options;
};

static void
resolv_clear (struct resolv *r)
{
  pc_strv_free (r->servers);
  pc_strv_free (r->search);
  pc_strv_free (r->options);
}

/* nameserver, search/domain (the last one wins, as in resolv.conf(5)),
   options; comments and anything else ignored. */
static void
resolv_parse (const char *text, struct resolv *r)
{
  memset (r, 0, sizeof *r);
  if (text == NULL)
    return;
  pc_autofree char *copy = xstrdup (text);
  char *save = NULL;
  for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *s2 = NULL;
      char *key = strtok_r (line, " \t\r", &s2);
      if (key == NULL || *key == '#' || *key == ';')
        continue;
      bool is_search = strcmp (key, "search") == 0 || strcmp (key, "domain") == 0;
      if (is_search)
        {
          pc_strv_free (r->search);
          r->search = NULL;
        }
      for (char *v = strtok_r (NULL, " \t\r", &s2); v; v = strtok_r (NULL, " \t\r", &s2))
        {
          if (*v == '#' || *v == ';')
            break;
          if (strcmp (key, "nameserver") == 0)
            {
              pc_strv_append (&r->servers, v);
              break;
            }
          if (is_search)
            pc_strv_append (&r->search, v);
          else if (strcmp (key, "options") == 0)
            pc_strv_append (&r->options, v);
        }
    }
}

bool
pc_net_ip_is_loopback (const char *ip)
{
  struct in_addr a;
  struct in6_addr a6;
  if (inet_pton (AF_INET, ip, &a) == 1)
    return (ntohl (a.s_addr) >> 24) == 127;
  if (inet_pton (AF_INET6, ip, &a6) == 1)
    return IN6_IS_ADDR_LOOPBACK (&a6);
  return false;
}

static bool
is_ipv6 (const char *ip)
{
  return strchr (ip, ':') != NULL;
}

static void
append (char **buf, size_t *len, const char *s)
{
  size_t n = strlen (s);
  *buf = xrealloc (*buf, *len + n + 1);
  memcpy (*buf + *len, s, n + 1);
  *len += n;
}

static void
append_line (char **buf, size_t *len, const char *key, char *const *v)
{
  if (v == NULL || *v == NULL)
    return;
  append (buf, len, key);
  for (; *v; v++)
    {
      append (buf, len, " ");
      append (buf, len, *v);
    }
  append (buf, len, "\n");
}

char *
pc_net_resolv_conf (const char *host, const char *upstream, const struct pc_net_dns_opts *o)
{
  struct resolv h, u;
  resolv_parse (host, &h);
  resolv_parse (upstream, &u);
  pc_autostrv char **servers = NULL;
  if (o->servers && o->servers[0])
    /* The user's servers trump all, the forwarder included (podman). */
    for (char *const *s = o->servers; *s; s++)
      pc_strv_append (&servers, *s);
  else
    {
      if (o->forwarder)
        pc_strv_append (&servers, o->forwarder);
      /* A loopback server (systemd-resolved's 127.0.0.53, dnsmasq) is the
         host's own, not the container's: the host's real ones are behind
         it (/run/systemd/resolve/resolv.conf). */
      char **from = h.servers;
      bool any = false;
      for (char **s = from; s && *s; s++)
        any |= !pc_net_ip_is_loopback (*s);
      if (!any)
        from = u.servers;
      for (char **s = from; s && *s; s++)
        if (!pc_net_ip_is_loopback (*s) && (o->ipv6 || !is_ipv6 (*s)))
          pc_strv_append (&servers, *s);
    }
  char *out = xstrdup ("");
  size_t len = 0;
  if (o->search && o->search[0])
    {
      /* "." alone: no search domains at all. */
      if (!(strcmp (o->search[0], ".") == 0 && o->search[1] == NULL))
        append_line (&out, &len, "search", o->search);
    }
  else
    append_line (&out, &len, "search", h.search);
  for (char **s = servers; s && *s; s++)
    {
      char *const one[] = { *s, NULL };
      append_line (&out, &len, "nameserver", one);
    }
  append_line (&out, &len, "options", o->options && o->options[0] ? o->options : h.options);
  resolv_clear (&h);
  resolv_clear (&u);
  return out;
}

/* True when a hosts line names `name` (after its address). */
static bool
names_host (const char *text, const char *name)
{
  if (text == NULL)
    return false;
  pc_autofree char *copy = xstrdup (text);
  char *save = NULL;
  for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *s2 = NULL;
      char *addr = strtok_r (line, " \t\r", &s2);
      if (addr == NULL || *addr == '#')
        continue;
      for (char *n = strtok_r (NULL, " \t\r", &s2); n && *n != '#'; n = strtok_r (NULL, " \t\r", &s2))
        if (strcmp (n, name) == 0)
          return true;
    }
  return false;
}

char *
pc_net_hosts (const char *base, const struct pc_net_hosts_opts *o)
{
  char *out = xstrdup ("");
  size_t len = 0;
  /* --add-host first: the resolver takes the first match. */
  for (char *const *e = o->extra; e && *e; e++)
    {
      const char *colon = strchr (*e, ':');
      if (colon == NULL)
        continue;
      pc_autofree char *line = xasprintf ("%s\t%.*s\n", colon + 1, (int) (colon - *e), *e);
      append (&out, &len, line);
    }
  /* The base file's entries as podman writes them: comments and lines
     without a name dropped, "IP<TAB>NAME NAME...". */
  pc_autofree char *copy = xstrdup (base ? base : "");
  char *save = NULL;
  for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      line[strcspn (line, "#")] = '\0';
      char *fsave = NULL;
      const char *ip = strtok_r (line, " \t\r", &fsave);
      const char *name = ip ? strtok_r (NULL, " \t\r", &fsave) : NULL;
      if (name == NULL)
        continue;
      append (&out, &len, ip);
      for (const char *sep = "\t"; name; name = strtok_r (NULL, " \t\r", &fsave), sep = " ")
        {
          append (&out, &len, sep);
          append (&out, &len, name);
        }
      append (&out, &len, "\n");
    }
  if (!names_host (base, "localhost"))
    append (&out, &len,
            "127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n"
            "::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n");
  if (o->host_ip)
    {
      pc_autofree char *line = xasprintf ("%s\thost.containers.internal\n", o->host_ip);
      append (&out, &len, line);
    }
  if (o->ip && o->hostname)
    {
      pc_autofree char *line = o->name && strcmp (o->name, o->hostname) != 0
                                   ? xasprintf ("%s\t%s %s\n", o->ip, o->hostname, o->name)
                                   : xasprintf ("%s\t%s\n", o->ip, o->hostname);
      append (&out, &len, line);
    }
  return out;
}

bool
pc_net_host_ipv4 (char out[INET_ADDRSTRLEN])
{
  struct ifaddrs *ifa = NULL;
  if (getifaddrs (&ifa) < 0)
    return false;
  bool found = false;
  for (struct ifaddrs *i = ifa; i && !found; i = i->ifa_next)
    if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && (i->ifa_flags & IFF_UP)
        && !(i->ifa_flags & IFF_LOOPBACK))
      found = inet_ntop (AF_INET, &((struct sockaddr_in *) i->ifa_addr)->sin_addr, out,
                         INET_ADDRSTRLEN) != NULL;
  freeifaddrs (ifa);
  return found;
}

int
pc_net_check_dns_server (const char *s, pc_error **err)
{
  struct in_addr a;
  struct in6_addr a6;
  if (inet_pton (AF_INET, s, &a) == 1 || inet_pton (AF_INET6, s, &a6) == 1)
    return 0;
  return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s is not an ip address", s);
}

int
pc_net_check_add_host (const char *s, pc_error **err)
{
  const char *colon = strchr (s, ':');
  if (colon == NULL || colon == s)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid value \"%s\" for --add-host: use HOST:IP", s);
  struct in_addr a;
  struct in6_addr a6;
  const char *ip = colon + 1;
  if (inet_pton (AF_INET, ip, &a) != 1 && inet_pton (AF_INET6, ip, &a6) != 1)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid IP address in add-host: \"%s\"", ip);
  for (const char *p = s; p < colon; p++)
    if (isspace ((unsigned char) *p))
      return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid value \"%s\" for --add-host: use HOST:IP", s);
  return 0;
}
