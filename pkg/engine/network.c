/* The engine's side of --network: the value checked at create, kept
   canonical in the record's HostConfig.NetworkMode, and handed to the
   monitor in the spec's "run.pc.network" annotation (pkg/monitor/net.c). */
#include "pkg/engine/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/proc.h"
#include "pkg/rootless/rootless.h"

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/network/network.h"

static int ports_record (const struct pc_create_opts *o, const struct pc_net_mode *nm, json_object *hc,
                         pc_error **err);
static int add_binding (json_object *pb, struct pc_net_port *p, pc_error **err);

static json_object *
strv_array (char *const *v)
{
  json_object *a = json_object_new_array ();
  for (; v && *v; v++)
    json_object_array_add (a, json_object_new_string (*v));
  return a;
}

/* IP ("" = every IPv4 address, an IPv6 one without brackets) and port as
   a socket address; -1 for a bad address. */
static int
host_sockaddr (const char *ip, unsigned port, struct sockaddr_storage *ss, socklen_t *len)
{
  memset (ss, 0, sizeof *ss);
  if (ip && strchr (ip, ':'))
    {
      struct sockaddr_in6 *a = (struct sockaddr_in6 *) ss;
      a->sin6_family = AF_INET6;
      a->sin6_port = htons ((uint16_t) port);
      *len = sizeof *a;
      return inet_pton (AF_INET6, ip, &a->sin6_addr) == 1 ? 0 : -1;
    }
  struct sockaddr_in *a = (struct sockaddr_in *) ss;
  a->sin_family = AF_INET;
  a->sin_port = htons ((uint16_t) port);
  *len = sizeof *a;
  return ip == NULL || *ip == '\0' || inet_pton (AF_INET, ip, &a->sin_addr) == 1 ? 0 : -1;
}

int
eng_network_check (const struct pc_create_opts *o, json_object *hc, pc_error **err)
{
  struct pc_net_mode nm;
  if (pc_net_mode_parse (o->network, &nm, err) < 0)
    return -1;
  /* --dns none: no /etc/resolv.conf from pc, the image's own stays
     (podman's UseImageResolvConf), alone and without search or options. */
  bool image_resolv = false;
  for (char **s = o->dns; s && *s; s++)
    if (strcmp (*s, "none") == 0)
      {
        if (o->dns[1] != NULL)
          return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                                 "none is not allowed to be specified with other DNS ip addresses");
        image_resolv = true;
      }
    else if (pc_net_check_dns_server (*s, err) < 0)
      return -1;
  if (image_resolv && o->dns_search && o->dns_search[0])
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "invalid config provided: UseImageResolvConf and DNSSearch are mutually exclusive options");
  if (image_resolv && o->dns_option && o->dns_option[0])
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "invalid config provided: UseImageResolvConf and DNSOption are mutually exclusive options");
  for (char **s = o->add_host; s && *s; s++)
    if (pc_net_check_add_host (*s, err) < 0)
      return -1;
  if (o->no_hosts && o->add_host && o->add_host[0])
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "--no-hosts and --add-host cannot be set together");
  /* podman's inspect names; NoHosts and NoResolvConf are pc's. */
  json_object_object_add (hc, "Dns", strv_array (image_resolv ? NULL : o->dns));
  json_object_object_add (hc, "DnsOptions", strv_array (o->dns_option));
  json_object_object_add (hc, "DnsSearch", strv_array (o->dns_search));
  json_object_object_add (hc, "ExtraHosts", strv_array (o->add_host));
  if (o->no_hosts)
    json_object_object_add (hc, "NoHosts", json_object_new_boolean (true));
  if (image_resolv)
    json_object_object_add (hc, "NoResolvConf", json_object_new_boolean (true));
  return ports_record (o, &nm, hc, err);
}

/* A free host port of the protocol now (podman picks -p CTRPORT's host
   port at create too). */
static int
free_port (const char *ip, bool udp, unsigned *port, pc_error **err)
{
  struct sockaddr_storage ss;
  socklen_t al = 0;
  if (host_sockaddr (ip, 0, &ss, &al) < 0)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid host address \"%s\"", ip);
  pc_autoclose int s = socket (ss.ss_family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
  if (s < 0 || bind (s, (struct sockaddr *) &ss, al) < 0 || getsockname (s, (struct sockaddr *) &ss, &al) < 0)
    return pc_error_errno (err, errno, "find a free host port");
  *port = ntohs (ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *) &ss)->sin6_port
                                          : ((struct sockaddr_in *) &ss)->sin_port);
  return 0;
}

/* -p into HostConfig.PortBindings, podman's shape:
   {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}. */
static int
ports_record (const struct pc_create_opts *o, const struct pc_net_mode *nm, json_object *hc, pc_error **err)
{
  pc_autofree struct pc_net_port *ports = NULL;
  size_t n = 0;
  for (char **p = o->publish; p && *p; p++)
    if (pc_net_port_parse (*p, &ports, &n, err) < 0)
      return -1;
  json_object *pb = json_object_new_object ();
  json_object_object_add (hc, "PortBindings", pb);
  if (n && nm->kind != PC_NET_SLIRP)
    {
      /* podman's warning; the ports are not kept. */
      pc_warn ("port mappings have been discarded as one of the Host, Container, Pod, and None network modes are in use");
      return 0;
    }
  for (size_t i = 0; i < n; i++)
    if (add_binding (pb, &ports[i], err) < 0)
      return -1;
  return 0;
}

static int
add_binding (json_object *pb, struct pc_net_port *p, pc_error **err)
{
  if (p->host_port == 0 && free_port (p->host_ip, strcmp (p->proto, "udp") == 0, &p->host_port, err) < 0)
    return -1;
  char key[32], hp[16];
  snprintf (key, sizeof key, "%u/%s", p->ctr_port, p->proto);
  snprintf (hp, sizeof hp, "%u", p->host_port);
  json_object *arr = pc_json_get_array (pb, key);
  if (arr == NULL)
    {
      arr = json_object_new_array ();
      json_object_object_add (pb, key, arr);
    }
  json_object *b = json_object_new_object ();
  json_object_object_add (b, "HostIp", json_object_new_string (p->host_ip));
  json_object_object_add (b, "HostPort", json_object_new_string (hp));
  json_object_array_add (arr, b);
  return 0;
}

int
eng_network_publish_all (json_object *icfg, json_object *hc, pc_error **err)
{
  json_object *ep = pc_json_get_object (icfg, "ExposedPorts");
  json_object *pb = pc_json_get_object (hc, "PortBindings");
  if (ep == NULL || pb == NULL || !eng_network_is_slirp (hc))
    return 0;
  json_object_object_foreach (ep, key, val)
    {
      (void) val;
      /* The image's "80/tcp", "53/udp", "80": -p's syntax; a bad one is
         the image's fault, left out as podman does with a warning. */
      pc_autofree struct pc_net_port *v = NULL;
      size_t nv = 0;
      pc_autoerror pc_error *perr = NULL;
      if (pc_net_port_parse (key, &v, &nv, &perr) < 0)
        {
          pc_warn ("the image's exposed port \"%s\" is not valid: %s", key, perr->msg);
          continue;
        }
      for (size_t i = 0; i < nv; i++)
        {
          char k[32];
          snprintf (k, sizeof k, "%u/%s", v[i].ctr_port, v[i].proto);
          if (pc_json_get_array (pb, k) == NULL && add_binding (pb, &v[i], err) < 0)
            return -1;
        }
    }
  return 0;
}

void
eng_network_forwards_free (struct pc_net_forward *f, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (f[i].fd >= 0)
      close (f[i].fd);
  free (f);
}

int
eng_network_bind (json_object *hc, struct pc_net_forward **out, size_t *nout, pc_error **err)
{
  *out = NULL;
  *nout = 0;
  json_object *pb = pc_json_get_object (hc, "PortBindings");
  if (pb == NULL || !eng_network_is_slirp (hc))
    return 0;
  json_object_object_foreach (pb, key, arr)
    {
      char *end = NULL;
      unsigned ctr = (unsigned) strtoul (key, &end, 10);
      const char *proto = *end == '/' ? end + 1 : "tcp";
      bool udp = strcmp (proto, "udp") == 0;
      if (!udp && strcmp (proto, "tcp") != 0)
        {
          /* podman 4.3's rootlessport takes no sctp (run: 126, start: 125). */
          eng_network_forwards_free (*out, *nout);
          *out = NULL;
          *nout = 0;
          return pc_error_makec (err, PC_ERR_CANNOT_INVOKE, EPROTONOSUPPORT, "rootlessport spec was not validated?");
        }
      for (size_t i = 0; i < pc_json_array_len (arr); i++)
        {
          json_object *b = pc_json_array_object_at (arr, i);
          const char *ip = pc_json_get_string (b, "HostIp");
          const char *hp = pc_json_get_string (b, "HostPort");
          unsigned port = hp ? (unsigned) strtoul (hp, NULL, 10) : 0;
          struct sockaddr_storage ss;
          socklen_t al;
          if (ctr == 0 || ctr > 65535 || port == 0 || port > 65535 || host_sockaddr (ip, port, &ss, &al) < 0)
            continue;
          int s = socket (ss.ss_family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
          int one = 1;
          if (s >= 0 && !udp)
            setsockopt (s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
          if (s >= 0 && ss.ss_family == AF_INET6)
            setsockopt (s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
          if (s < 0 || bind (s, (struct sockaddr *) &ss, al) < 0 || (!udp && listen (s, 128) < 0))
            {
              int saved = errno;
              if (s >= 0)
                close (s);
              eng_network_forwards_free (*out, *nout);
              *out = NULL;
              *nout = 0;
              /* podman's words (its rootlessport's), exit 126. */
              return pc_error_makec (err, PC_ERR_CANNOT_INVOKE, saved, "rootlessport listen %s %s:%u: bind: %s",
                                     udp ? "udp" : "tcp", ip && *ip ? ip : "0.0.0.0", port,
                                     saved == EADDRINUSE ? "address already in use" : strerror (saved));
            }
          *out = xrealloc (*out, (*nout + 1) * sizeof **out);
          (*out)[(*nout)++] = (struct pc_net_forward) { .fd = s, .ctr_port = ctr, .udp = udp };
        }
    }
  return 0;
}

char *
eng_network_mode (const char *arg)
{
  struct pc_net_mode nm;
  pc_autoerror pc_error *err = NULL;
  if (pc_net_mode_parse (arg, &nm, &err) < 0)
    return xstrdup (arg);
  return pc_net_mode_format (&nm);
}

bool
eng_network_kind (const struct pc_create_opts *o, enum pc_net_kind *kind)
{
  struct pc_net_mode nm;
  pc_autoerror pc_error *err = NULL;
  if (o->pod || pc_net_mode_parse (o->network, &nm, &err) < 0)
    return false;
  *kind = nm.kind;
  return true;
}

int
pc_engine_create_check_dns (const struct pc_create_opts *o, pc_error **err)
{
  /* podman's order: each server's form, then the network mode. */
  for (char **s = o->dns; s && *s; s++)
    if (strcmp (*s, "none") != 0 && pc_net_check_dns_server (*s, err) < 0)
      return -1;
  bool dns = (o->dns && o->dns[0]) || (o->dns_search && o->dns_search[0]) || (o->dns_option && o->dns_option[0]);
  enum pc_net_kind kind;
  /* A bad --network is the full check's error. */
  if (dns && eng_network_kind (o, &kind) && (kind == PC_NET_NONE || kind == PC_NET_CONTAINER))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "conflicting options: dns and the network mode: %s",
                           kind == PC_NET_NONE ? "none" : "container");
  return 0;
}

bool
eng_network_image_resolv_conf (json_object *hc)
{
  if (pc_json_get_bool (hc, "NoResolvConf", false))
    return true;
  struct pc_net_mode nm;
  pc_autoerror pc_error *err = NULL;
  return pc_net_mode_parse (pc_json_get_string (hc, "NetworkMode"), &nm, &err) == 0 && nm.kind == PC_NET_NONE;
}

bool
eng_network_is_slirp (json_object *hc)
{
  const char *mode = pc_json_get_string (hc, "NetworkMode");
  struct pc_net_mode nm;
  pc_autoerror pc_error *err = NULL;
  /* A record without one predates networking: it had none. */
  return mode && pc_net_mode_parse (mode, &nm, &err) == 0 && nm.kind == PC_NET_SLIRP;
}

/* --network container:X: the container it names, running. */
static int
net_target (struct pc_engine *e, json_object *hc, const char *network, struct pc_container **out, pc_error **err)
{
  *out = NULL;
  struct pc_net_mode nm;
  pc_autoerror pc_error *merr = NULL;
  const char *mode = network ? network : pc_json_get_string (hc, "NetworkMode");
  if (mode == NULL || pc_net_mode_parse (mode, &nm, &merr) < 0 || nm.kind != PC_NET_CONTAINER)
    return 0;
  if (pc_engine_lookup (e, nm.target, out, err) < 0)
    return pc_error_wrap (err, "looking up container to share net namespace with");
  eng_state_read (e, *out, true);
  if ((*out)->state.status != PC_STATUS_RUNNING && (*out)->state.status != PC_STATUS_PAUSED)
    {
      pc_error_makec (err, PC_ERR_STATE, EINVAL, "cannot join the network namespace of container %s: it is not running",
                      nm.target);
      pc_container_free (*out);
      *out = NULL;
      return -1;
    }
  return 1;
}

int
eng_network_resolve (struct pc_engine *e, json_object *hc, pc_error **err)
{
  pc_autocontainer struct pc_container *t = NULL;
  const char *mode = pc_json_get_string (hc, "NetworkMode");
  struct pc_net_mode nm;
  pc_autoerror pc_error *merr = NULL;
  if (mode == NULL || pc_net_mode_parse (mode, &nm, &merr) < 0 || nm.kind != PC_NET_CONTAINER)
    return 0;
  /* podman records the ID; the target need not run yet. */
  if (pc_engine_lookup (e, nm.target, &t, err) < 0)
    return pc_error_wrap (err, "looking up container to share net namespace with");
  pc_autofree char *canon = xasprintf ("container:%s", t->id);
  json_object_object_add (hc, "NetworkMode", json_object_new_string (canon));
  return 0;
}

int
eng_network_join_spec (struct pc_engine *e, struct pc_container *c, json_object *spec, pc_error **err)
{
  pc_autocontainer struct pc_container *t = NULL;
  int r = net_target (e, pc_json_get (c->rec, "HostConfig"), NULL, &t, err);
  if (r <= 0)
    return r;
  if (eng_proc_start_time (t->state.pid) != t->state.pid_start)
    return pc_error_makec (err, PC_ERR_STATE, ESRCH, "cannot join the network namespace of container %s: it exited",
                           t->id);
  json_object *ns = pc_json_get_array (pc_json_get (spec, "linux"), "namespaces");
  for (size_t i = 0; i < pc_json_array_len (ns); i++)
    {
      json_object *o = pc_json_array_object_at (ns, i);
      const char *type = pc_json_get_string (o, "type");
      if (type && strcmp (type, "network") == 0)
        {
          pc_autofree char *p = xasprintf ("/proc/%d/ns/net", (int) t->state.pid);
          json_object_object_add (o, "path", json_object_new_string (p));
        }
    }
  return 0;
}

/* The user namespace of the target's monitor, joined from the initial one
   (the user owns it) as pc_rootless_enter would make a fresh one: then a
   private mount namespace, / a recursive slave, ids 0. */
int
eng_join_userns_of (struct pc_container *t, pc_error **err)
{
  if (pc_require_single_threaded ("joining a container's user namespace", err) < 0)
    return -1;
  pc_autoclose int pfd = (int) syscall (SYS_pidfd_open, t->state.monitor_pid, 0);
  if (pfd < 0 || eng_proc_start_time (t->state.monitor_pid) != t->state.monitor_start)
    return pc_error_makec (err, PC_ERR_STATE, ESRCH, "cannot join the network namespace of container %s: "
                           "its monitor is gone", t->id);
  /* A pod's infra: its monitor's mount namespace too, whose copy has the
     pod's /dev/shm tmpfs (pod-ns.c); the working directory is kept. */
  bool infra = pc_json_get_bool (t->rec, "IsInfra", false);
  pc_autoclose int cwd = infra ? open (".", O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
  if (setns (pfd, CLONE_NEWUSER | (infra ? CLONE_NEWNS : 0)) < 0)
    return pc_error_errno (err, errno, "join the user namespace of container %s", t->id);
  if (cwd >= 0 && fchdir (cwd) < 0)
    return pc_error_errno (err, errno, "return to the working directory");
  if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
    return pc_error_errno (err, errno, "become root in the user namespace of container %s", t->id);
  if (unshare (CLONE_NEWNS) < 0)
    return pc_error_errno (err, errno, "create a mount namespace");
  if (mount ("none", "/", "none", MS_REC | MS_SLAVE, NULL) < 0)
    return pc_error_errno (err, errno, "make / a recursive slave mount");
  pc_rootless_joined ();
  pc_debug ("joined the user namespace of container %s", t->id);
  return 0;
}

int
pc_engine_enter_userns_net (struct pc_engine *e, const char *network, char **names, size_t nnames, pc_error **err)
{
  return pc_engine_enter_userns_ctr (e, network, NULL, names, nnames, err);
}

int
pc_engine_enter_userns_ctr (struct pc_engine *e, const char *network, const char *pod, char **names, size_t nnames,
                            pc_error **err)
{
  if (pc_rootless_is_rootless () && !pc_rootless_in_userns ())
    {
      pc_autocontainer struct pc_container *t = NULL;
      int r = 0;
      /* A pod member's target is its pod's infra, started when it does
         not run (pod-ns.c); --network container:X's is X, running. */
      if (pod)
        r = eng_pod_userns_target (e, pod, &t, err);
      if (r == 0 && network)
        r = net_target (e, NULL, network, &t, err);
      for (size_t i = 0; r == 0 && i < nnames; i++)
        {
          pc_autocontainer struct pc_container *c = NULL;
          pc_autoerror pc_error *lerr = NULL;
          if (pc_engine_lookup (e, names[i], &c, &lerr) < 0)
            continue;
          const char *cpod = pc_json_get_string (c->rec, "Pod");
          if (cpod && !pc_json_get_bool (c->rec, "IsInfra", false))
            r = eng_pod_userns_target (e, cpod, &t, err);
          if (r == 0)
            r = net_target (e, pc_json_get (c->rec, "HostConfig"), NULL, &t, err);
        }
      if (r < 0)
        return -1;
      if (r > 0)
        {
          if (eng_join_userns_of (t, err) < 0)
            return -1;
          e->flags |= PC_ENGINE_USERNS;
          return 0;
        }
    }
  e->flags |= PC_ENGINE_USERNS;
  return pc_engine_enter_userns (e, err);
}
