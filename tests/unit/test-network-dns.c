/* The container's resolv.conf and hosts (pkg/network/dns.c) and the
   --network values (mode.c), from given host files. */
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "pkg/network/network.h"
#include "tests/unit/tap.h"

static void
resolv (const char *host, const char *upstream, const struct pc_net_dns_opts *o, const char *want,
        const char *what)
{
  char *got = pc_net_resolv_conf (host, upstream, o);
  is_str (got, want, "resolv.conf: %s", what);
  free (got);
}

static void
mode (const char *arg, const char *want)
{
  struct pc_net_mode m;
  pc_error *err = NULL;
  if (pc_net_mode_parse (arg, &m, &err) < 0)
    {
      is_str (err->msg, want, "--network %s refused", arg);
      pc_error_free (err);
      return;
    }
  char *got = pc_net_mode_format (&m);
  is_str (got, want, "--network %s", arg ? arg : "(default)");
  free (got);
}

int
main (void)
{
  struct pc_net_dns_opts slirp = { .forwarder = "10.0.2.3" };
  resolv ("nameserver 10.255.255.53\n", NULL, &slirp, "nameserver 10.0.2.3\nnameserver 10.255.255.53\n",
          "the forwarder, then the host's servers (podman 4.3)");
  resolv ("# generated\nsearch a.example b.example\nnameserver 127.0.0.53\noptions edns0 trust-ad\n",
          "nameserver 192.0.2.53\nnameserver 2001:db8::53\nsearch x.example\n", &slirp,
          "search a.example b.example\nnameserver 10.0.2.3\nnameserver 192.0.2.53\noptions edns0 trust-ad\n",
          "a loopback resolver: systemd-resolved's upstream servers, no IPv6 ones without IPv6; the host's search and options");
  struct pc_net_dns_opts v6 = { .forwarder = "10.0.2.3", .ipv6 = true };
  resolv ("nameserver 127.0.0.53\n", "nameserver 192.0.2.53\nnameserver 2001:db8::53\n", &v6,
          "nameserver 10.0.2.3\nnameserver 192.0.2.53\nnameserver 2001:db8::53\n", "IPv6 servers with enable_ipv6");
  resolv ("nameserver 127.0.0.1\nnameserver ::1\n", NULL, &slirp, "nameserver 10.0.2.3\n",
          "only loopback servers and no upstream: the forwarder alone");
  char *dns[] = { (char *) "9.9.9.9", (char *) "2001:db8::1", NULL };
  char *search[] = { (char *) "example.com", NULL };
  char *opts[] = { (char *) "ndots:2", NULL };
  struct pc_net_dns_opts user = { .forwarder = "10.0.2.3", .servers = dns, .search = search, .options = opts };
  resolv ("search host.example\nnameserver 10.255.255.53\noptions rotate\n", NULL, &user,
          "search example.com\nnameserver 9.9.9.9\nnameserver 2001:db8::1\noptions ndots:2\n",
          "--dns, --dns-search, --dns-option replace the forwarder and the host's");
  char *dot[] = { (char *) ".", NULL };
  struct pc_net_dns_opts nosearch = { .forwarder = "10.0.2.3", .search = dot };
  resolv ("search host.example\nnameserver 10.255.255.53\n", NULL, &nosearch,
          "nameserver 10.0.2.3\nnameserver 10.255.255.53\n", "--dns-search . drops the search domains");
  struct pc_net_dns_opts none = { 0 };
  resolv (NULL, NULL, &none, "", "no host file, no network: empty");
  resolv ("domain one.example\nsearch two.example\nnameserver 10.1.1.1 # comment\n", NULL, &none,
          "search two.example\nnameserver 10.1.1.1\n", "the last search/domain wins; comments dropped");

  char *extra[] = { (char *) "foo:1.2.3.4", (char *) "six:2001:db8::6", NULL };
  struct pc_net_hosts_opts ho = { .extra = extra, .host_ip = "192.0.2.2", .ip = "10.0.2.100",
                                  .hostname = "hn", .name = "nm" };
  char *h = pc_net_hosts ("127.0.0.1 localhost\n127.0.0.1 vm", &ho);
  is_str (h, "1.2.3.4\tfoo\n2001:db8::6\tsix\n127.0.0.1\tlocalhost\n127.0.0.1\tvm\n"
             "192.0.2.2\thost.containers.internal\n10.0.2.100\thn nm\n",
          "hosts: --add-host first, the host's, host.containers.internal, the container (podman 4.3)");
  free (h);
  struct pc_net_hosts_opts host = { .host_ip = "192.0.2.2" };
  h = pc_net_hosts ("# The host's file\n127.0.0.1   localhost\n\n::1 localhost ip6-localhost\tip6-loopback # v6\n"
                    "ff02::1 ip6-allnodes\n10.1.1.1\n  # indented comment\n", &host);
  is_str (h, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nff02::1\tip6-allnodes\n"
             "192.0.2.2\thost.containers.internal\n",
          "hosts: the host's entries as podman rewrites them (comments, blank and name-less lines dropped, "
          "a tab after the address); no line of the container's own without an address (--network host)");
  free (h);
  struct pc_net_hosts_opts bare = { .ip = "127.0.0.1", .hostname = "abc", .name = "abc" };
  h = pc_net_hosts (NULL, &bare);
  is_str (h, "127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n"
             "::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n127.0.0.1\tabc\n",
          "hosts: localhost lines when the host has none; a name equal to the hostname once");
  free (h);

  pc_error *err = NULL;
  ok (pc_net_check_add_host ("h:::1", &err) == 0, "--add-host with an IPv6 address");
  ok (pc_net_check_add_host ("h:1.2.3", &err) < 0 && strstr (err->msg, "invalid IP address in add-host"),
      "--add-host with a bad address: podman's message");
  pc_error_clear (&err);
  ok (pc_net_check_add_host ("1.2.3.4", &err) < 0, "--add-host without a name");
  pc_error_clear (&err);
  ok (pc_net_check_dns_server ("1.2.3", &err) < 0 && strcmp (err->msg, "1.2.3 is not an ip address") == 0,
      "--dns with a bad address: podman's message");
  pc_error_clear (&err);

  mode (NULL, "slirp4netns");
  mode ("private", "slirp4netns");
  mode ("bridge", "slirp4netns");
  mode ("none", "none");
  mode ("host", "host");
  mode ("slirp4netns:mtu=1500,allow_host_loopback=true,enable_ipv6=false,cidr=10.9.0.1/16",
        "slirp4netns:allow_host_loopback=true,cidr=10.9.0.0/16,mtu=1500");
  mode ("slirp4netns:mtu=70000", "invalid mtu for slirp4netns: \"70000\" (1280 to 65520)");
  mode ("slirp4netns:cidr=10.0.0.0/26",
        "invalid cidr for slirp4netns: \"10.0.0.0/26\" (an IPv4 network such as 10.0.2.0/24, prefix at most 25)");
  mode ("slirp4netns:mtu", "invalid option for slirp4netns: \"mtu\" (KEY=VALUE)");
  mode ("bogus", "invalid network mode \"bogus\": use none, host, private or slirp4netns[:OPTIONS]");
  struct pc_net_mode m;
  pc_net_mode_parse ("slirp4netns:cidr=10.9.0.0/16", &m, &err);
  struct pc_net_addrs a;
  pc_net_slirp_addrs (&m.slirp, &a);
  ok (strcmp (a.gateway, "10.9.0.2") == 0 && strcmp (a.dns, "10.9.0.3") == 0
          && strcmp (a.guest, "10.9.0.100") == 0,
      "cidr 10.9.0.0/16: gateway .2, DNS .3, the container .100");
  struct pc_net_port *pv = NULL;
  size_t pn = 0;
  ok (pc_net_port_parse ("127.0.0.1:8080:80", &pv, &pn, &err) == 0 && pn == 1
          && strcmp (pv[0].host_ip, "127.0.0.1") == 0 && pv[0].host_port == 8080 && pv[0].ctr_port == 80
          && !pv[0].udp,
      "-p 127.0.0.1:8080:80");
  ok (pc_net_port_parse ("8000-8002:90-92/udp", &pv, &pn, &err) == 0 && pn == 4 && pv[1].host_port == 8000
          && pv[3].host_port == 8002 && pv[3].ctr_port == 92 && pv[3].udp && pv[1].host_ip[0] == '\0',
      "-p 8000-8002:90-92/udp: three bindings, appended");
  ok (pc_net_port_parse ("80", &pv, &pn, &err) == 0 && pn == 5 && pv[4].host_port == 0 && pv[4].ctr_port == 80,
      "-p 80: any host port");
  ok (pc_net_port_parse ("[::1]:8080:80", &pv, &pn, &err) == 0 && pn == 6 && strcmp (pv[5].host_ip, "::1") == 0,
      "-p [::1]:8080:80");
  ok (pc_net_port_parse ("127.0.0.1::80", &pv, &pn, &err) == 0 && pn == 7 && pv[6].host_port == 0,
      "-p 127.0.0.1::80: any host port on that address");
  ok (pc_net_port_parse ("9:99/sctp", &pv, &pn, &err) == 0 && pn == 8 && strcmp (pv[7].proto, "sctp") == 0
          && strcmp (pv[6].proto, "tcp") == 0 && strcmp (pv[3].proto, "udp") == 0 && !pv[7].udp,
      "-p 9:99/sctp parses (refused at start, as podman 4.3)");
  free (pv);
  pv = NULL;
  pn = 0;
  static const char *const badp[] = { "0", "70000", "80/icmp", "8080-8081:80", "a:b:c:d", "x:80", "1.2.3:80:80", NULL };
  for (const char *const *b = badp; *b; b++)
    {
      ok (pc_net_port_parse (*b, &pv, &pn, &err) < 0 && pn == 0, "-p %s refused", *b);
      pc_error_clear (&err);
    }
  free (pv);
  return done_testing ();
}
