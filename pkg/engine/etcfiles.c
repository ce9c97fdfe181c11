/* Files the container sees under /etc that pc generates (hostname, hosts,
   resolv.conf), and users and groups resolved from the image's own
   /etc/passwd and /etc/group, read through the layers without mounting. */
#include "pkg/engine/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/network/network.h"
#include "pkg/rootless/rootless.h"
#include "pkg/storage/storage.h"

/* /run/.containerenv as podman writes it: empty, except for a privileged
   container, which is told its engine, name, id, image and whether it runs
   rootless (podman's graphRootMounted=1 needs a volume over the store,
   which pc does not mount). Values quoted as Go's %q does for them. */
static char *
go_quote (const char *s)
{
  size_t n = strlen (s);
  char *out = xmalloc (4 * n + 3), *o = out;
  *o++ = '"';
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    if (*p == '"' || *p == '\\')
      {
        *o++ = '\\';
        *o++ = (char) *p;
      }
    else if (*p < 0x20 || *p == 0x7f)
      o += sprintf (o, "\\x%02x", *p);
    else
      *o++ = (char) *p;
  *o++ = '"';
  *o = '\0';
  return out;
}

static int
write_containerenv (struct pc_container *c, int state_dfd, pc_error **err)
{
  json_object *hc = pc_json_get (c->rec, "HostConfig");
  pc_autofree char *env = NULL;
  if (pc_json_get_bool (hc, "Privileged", false))
    {
      const char *vals[] = { c->name, c->id, pc_json_get_string (c->rec, "ImageName"),
                             pc_json_get_string (c->rec, "Image") };
      char *q[4];
      for (size_t i = 0; i < 4; i++)
        q[i] = go_quote (vals[i] ? vals[i] : "");
      env = xasprintf ("engine=\"pc-%s\"\nname=%s\nid=%s\nimage=%s\nimageid=%s\nrootless=%d\n",
                       PC_VERSION, q[0], q[1], q[2], q[3], pc_rootless_host_uid () != 0);
      for (size_t i = 0; i < 4; i++)
        free (q[i]);
    }
  else
    env = xstrdup ("");
  return eng_write_volatile (state_dfd, "containerenv", env, strlen (env), err);
}

/* A host file the container's copy is made from: NULL when it cannot be
   read (a missing /etc/hosts is no error), is not a regular file, is
   larger than 1 MiB or holds a NUL. */
static char *
read_host_file (const char *path)
{
  pc_autofree char *text = NULL;
  size_t len = 0;
  pc_autoerror pc_error *err = NULL;
  if (pc_read_file_max (AT_FDCWD, path, 1024 * 1024, PC_READ_REGULAR, &text, &len, &err) < 0
      || memchr (text, '\0', len) != NULL)
    return NULL;
  return steal_pointer (&text);
}

static char **
strv_of (json_object *hc, const char *key)
{
  char **v = NULL;
  json_object *a = pc_json_get_array (hc, key);
  for (size_t i = 0; i < pc_json_array_len (a); i++)
    if (pc_json_array_string_at (a, i))
      pc_strv_append (&v, pc_json_array_string_at (a, i));
  return v;
}

/* /etc/hosts and /etc/resolv.conf as podman writes them for the network
   mode (docs/network.md): the host's files are the base. */
static int
write_dns_files (struct pc_container *c, const char *hostname, int state_dfd, pc_error **err)
{
  json_object *hc = pc_json_get (c->rec, "HostConfig");
  struct pc_net_mode nm;
  pc_autoerror pc_error *merr = NULL;
  if (pc_net_mode_parse (pc_json_get_string (hc, "NetworkMode"), &nm, &merr) < 0)
    nm.kind = PC_NET_NONE;
  pc_autostrv char **dns = strv_of (hc, "Dns");
  pc_autostrv char **search = strv_of (hc, "DnsSearch");
  pc_autostrv char **options = strv_of (hc, "DnsOptions");
  pc_autostrv char **extra = strv_of (hc, "ExtraHosts");
  if (nm.kind == PC_NET_CONTAINER && strlen (nm.target) == 64 && strspn (nm.target, "0123456789abcdef") == 64)
    {
      /* podman: that container's files (its state dir is a sibling), with
         this container's names added on 127.0.0.1. */
      pc_autofree char *hp = xasprintf ("../%s/hosts", nm.target);
      pc_autofree char *rp = xasprintf ("../%s/resolv.conf", nm.target);
      pc_autofree char *th = NULL, *tr = NULL;
      pc_autoerror pc_error *rerr = NULL;
      if (pc_read_file_max (state_dfd, hp, 1024 * 1024, PC_READ_REGULAR, &th, NULL, &rerr) == 0
          && pc_read_file_max (state_dfd, rp, 1024 * 1024, PC_READ_REGULAR, &tr, NULL, &rerr) == 0)
        {
          pc_autofree char *joined = xasprintf ("%s%s127.0.0.1\t%s %s\n", th, *th && th[strlen (th) - 1] != '\n' ? "\n" : "",
                                                hostname, c->name);
          if (eng_write_volatile (state_dfd, "hosts", joined, strlen (joined), err) < 0)
            return -1;
          return eng_write_volatile (state_dfd, "resolv.conf", tr, strlen (tr), err);
        }
    }
  pc_autofree char *host_hosts = read_host_file ("/etc/hosts");
  pc_autofree char *host_resolv = read_host_file ("/etc/resolv.conf");

  pc_autofree char *hosts = NULL;
  {
    struct pc_net_addrs addrs;
    char host_ip[INET_ADDRSTRLEN];
    struct pc_net_hosts_opts ho = { .extra = extra, .hostname = hostname, .name = c->name };
    /* podman 4.3: host.containers.internal is the host's own address in
       every mode but container:, which takes its target's file. */
    bool have_host_ip = pc_net_host_ipv4 (host_ip);
    if (have_host_ip)
      ho.host_ip = host_ip;
    if (nm.kind == PC_NET_SLIRP)
      {
        pc_net_slirp_addrs (&nm.slirp, &addrs);
        ho.ip = addrs.guest;
        /* slirp reaches the host's address without allow_host_loopback;
           10.0.2.2 when the host has none. */
        if (!have_host_ip && nm.slirp.allow_host_loopback)
          ho.host_ip = addrs.gateway;
      }
    else if (nm.kind == PC_NET_NONE || nm.kind == PC_NET_NS || nm.kind == PC_NET_CONTAINER)
      ho.ip = "127.0.0.1";
    /* --network host: the host's names are the container's; no line of
       its own. */
    hosts = pc_net_hosts (host_hosts, &ho);
  }
  if (eng_write_volatile (state_dfd, "hosts", hosts, strlen (hosts), err) < 0)
    return -1;

  pc_autofree char *resolv = NULL;
  if (eng_network_image_resolv_conf (hc))
    return 0;   /* the image's own is used: nothing to bind */
  if (nm.kind == PC_NET_HOST && dns == NULL && search == NULL && options == NULL)
    /* The host's own resolver (127.0.0.53 too) is reachable from there. */
    resolv = xstrdup (host_resolv ? host_resolv : "");
  else
    {
      struct pc_net_addrs addrs;
      struct pc_net_dns_opts ro = { .servers = dns, .search = search, .options = options };
      if (nm.kind == PC_NET_SLIRP)
        {
          pc_net_slirp_addrs (&nm.slirp, &addrs);
          ro.forwarder = addrs.dns;
          ro.ipv6 = nm.slirp.enable_ipv6;
        }
      pc_autofree char *upstream = read_host_file ("/run/systemd/resolve/resolv.conf");
      resolv = pc_net_resolv_conf (host_resolv, upstream, &ro);
    }
  return eng_write_volatile (state_dfd, "resolv.conf", resolv, strlen (resolv), err);
}

int
eng_write_etc_files (struct pc_container *c, int state_dfd, pc_error **err)
{
  json_object *cfg = pc_json_get (c->rec, "Config");
  const char *hostname = pc_json_get_string (cfg, "Hostname");
  if (hostname == NULL || *hostname == '\0')
    hostname = c->id;
  pc_autofree char *hn = xasprintf ("%s\n", hostname);
  if (eng_write_volatile (state_dfd, "hostname", hn, strlen (hn), err) < 0)
    return -1;
  if (write_dns_files (c, hostname, state_dfd, err) < 0)
    return -1;
  return write_containerenv (c, state_dfd, err);
}

/* The layer directories of a rootfs, topmost first. */
static char **
layer_dirs (const struct pc_rootfs_mount *m)
{
  char **v = NULL;
  if (m->driver && strcmp (m->driver, "vfs") == 0)
    {
      pc_strv_append (&v, m->source);
      return v;
    }
  pc_autofree char *upper = NULL, *lower = NULL;
  pc_autofree char *copy = xstrdup (m->source ? m->source : "");
  char *save = NULL;
  for (char *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save))
    {
      if (strncmp (t, "upperdir=", 9) == 0)
        upper = xstrdup (t + 9);
      else if (strncmp (t, "lowerdir=", 9) == 0)
        lower = xstrdup (t + 9);
    }
  if (upper)
    pc_strv_append (&v, upper);
  if (lower)
    {
      char *s2 = NULL;
      for (char *t = strtok_r (lower, ":", &s2); t; t = strtok_r (NULL, ":", &s2))
        pc_strv_append (&v, t);
    }
  return v;
}

/* The image's /etc/passwd and /etc/group are outside data: a FIFO would
   block the reader, a device could do anything when opened, and a huge file
   would be read whole. Only a regular file of at most this size is read;
   anything else is ignored with a warning, as if the image had none. */
#define PC_ETC_FILE_MAX (4 * 1024 * 1024)

/* An overlay whiteout (char 0/0), or fuse-overlayfs' `.wh.NAME` beside it. */
static bool
is_whiteout (int dfd, const char *name, const struct stat *st)
{
  if (st && S_ISCHR (st->st_mode) && st->st_rdev == makedev (0, 0))
    return true;
  char wh[NAME_MAX + 1];
  if (snprintf (wh, sizeof wh, ".wh.%s", name) >= (int) sizeof wh)
    return false;
  struct stat ws;
  return fstatat (dfd, wh, &ws, AT_SYMLINK_NOFOLLOW) == 0;
}

static bool
is_opaque (int dfd)
{
  static const char *const names[] = { "user.overlay.opaque", "trusted.overlay.opaque",
                                       "user.fuseoverlayfs.opaque", NULL };
  char v[2];
  for (const char *const *n = names; *n; n++)
    if (fgetxattr (dfd, *n, v, sizeof v) == 1 && v[0] == 'y')
      return true;
  struct stat st;
  return fstatat (dfd, ".wh..wh..opq", &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Reads an open regular file of at most PC_ETC_FILE_MAX bytes. */
static char *
read_capped (int fd, const char *path)
{
  struct stat st;
  if (fstat (fd, &st) < 0)
    return NULL;
  if (!S_ISREG (st.st_mode) || st.st_size > PC_ETC_FILE_MAX)
    {
      pc_warn ("ignoring the image's /%s: %s", path,
               S_ISREG (st.st_mode) ? "larger than 4 MiB" : "not a regular file");
      return NULL;
    }
  size_t cap = (size_t) st.st_size + 1, len = 0;
  char *buf = xmalloc (cap + 1);
  for (;;)
    {
      ssize_t n = read (fd, buf + len, cap - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      len += (size_t) n;
      if (len == cap)
        {
          /* It grew while read: whatever it is now, it is not what fstat saw. */
          free (buf);
          pc_warn ("ignoring the image's /%s: it changed while read", path);
          return NULL;
        }
    }
  buf[len] = '\0';
  return buf;
}

/* Reads etc/NAME as the merged root shows it: from the topmost layer that
   has it, unless a whiteout in a higher layer deleted it or an opaque etc/
   hid the lower ones. NULL when the root has none (or none worth reading). */
/* path inside one layer, symlinks resolved in it, read only when what it
   names is a regular file: the type is checked on an O_PATH fd first, since
   opening a device node (root's layers have real ones) can act by itself. */
static char *
read_regular_in_layer (int lfd, const char *path)
{
  pc_autoerror pc_error *err = NULL;
  pc_autoclose int pfd = pc_safe_openat (lfd, path, O_PATH | O_CLOEXEC, 0, &err);
  struct stat st;
  if (pfd < 0 || fstat (pfd, &st) < 0)
    return NULL;
  if (!S_ISREG (st.st_mode))
    {
      pc_warn ("ignoring the image's /%s: not a regular file", path);
      return NULL;
    }
  char proc[64];
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", pfd);
  pc_autoclose int fd = open (proc, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  return fd >= 0 ? read_capped (fd, path) : NULL;
}

static char *
read_layered (char **dirs, const char *path)
{
  const char *slash = strchr (path, '/');
  pc_autofree char *dir = xstrndup (path, (size_t) (slash - path));
  const char *name = slash + 1;
  for (char **d = dirs; d && *d; d++)
    {
      pc_autoclose int lfd = open (*d, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
      if (lfd < 0)
        continue;
      struct stat st;
      if (fstatat (lfd, dir, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          if (is_whiteout (lfd, dir, NULL))
            return NULL;
          continue;
        }
      if (is_whiteout (lfd, dir, &st))
        return NULL;
      if (!S_ISDIR (st.st_mode))
        {
          /* etc/ a symlink: resolve it inside this layer, as before. */
          char *text = read_regular_in_layer (lfd, path);
          if (text)
            return text;
          continue;
        }
      pc_autoclose int dfd = openat (lfd, dir, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      if (dfd < 0)
        continue;
      bool opaque = is_opaque (dfd);
      if (fstatat (dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          if (opaque || is_whiteout (dfd, name, NULL))
            return NULL;
          continue;
        }
      if (is_whiteout (dfd, name, &st))
        return NULL;
      if (S_ISLNK (st.st_mode))
        {
          char *text = read_regular_in_layer (lfd, path);
          if (text || opaque)
            return text;
          continue;
        }
      if (!S_ISREG (st.st_mode))
        {
          /* Never opened: opening a device can act, a FIFO can block. */
          pc_warn ("ignoring the image's /%s: not a regular file", path);
          return NULL;
        }
      pc_autoclose int fd = openat (dfd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
      if (fd < 0)
        return NULL;
      return read_capped (fd, path);
    }
  return NULL;
}

char *
eng_image_etc_file (const struct pc_rootfs_mount *m, const char *path)
{
  pc_autostrv char **dirs = layer_dirs (m);
  return read_layered (dirs, path);
}

static bool
parse_id (const char *s, unsigned long *out)
{
  char *end = NULL;
  if (*s < '0' || *s > '9')
    return false;
  errno = 0;
  *out = strtoul (s, &end, 10);
  return errno == 0 && *end == '\0' && *out <= 0xffffffffUL;
}

/* Splits a colon-separated line into at most n fields (in place). */
static size_t
split_fields (char *line, char **f, size_t n)
{
  size_t k = 0;
  f[k++] = line;
  for (char *p = line; *p && k < n; p++)
    if (*p == ':')
      {
        *p = '\0';
        f[k++] = p + 1;
      }
  return k;
}

/* Fills uid, gid, home (and *uname when the user is in /etc/passwd). */
static int
lookup_passwd (char **dirs, const char *u, struct eng_user *out, char **uname, pc_error **err)
{
  pc_autofree char *passwd = read_layered (dirs, "etc/passwd");
  unsigned long num = 0;
  bool numeric = parse_id (u, &num);
  for (char *save = NULL, *line = passwd ? strtok_r (passwd, "\n", &save) : NULL; line;
       line = strtok_r (NULL, "\n", &save))
    {
      char *f[7];
      if (split_fields (line, f, 7) < 7)
        continue;
      unsigned long uid, gid;
      if (!parse_id (f[2], &uid) || !parse_id (f[3], &gid))
        continue;
      if (numeric ? uid == num : strcmp (f[0], u) == 0)
        {
          out->uid = (uid_t) uid;
          out->gid = (gid_t) gid;
          out->home = xstrdup (f[5]);
          *uname = xstrdup (f[0]);
          return 0;
        }
    }
  if (!numeric)
    return pc_error_makec (err, PC_ERR_CANNOT_INVOKE, ENOENT, "unable to find user %s: no matching entries in passwd file", u);
  out->uid = (uid_t) num;
  out->gid = 0;
  out->home = xstrdup ("/");
  return 0;
}

int
eng_resolve_user (const struct pc_rootfs_mount *m, const char *user, struct eng_user *out,
                  pc_error **err)
{
  memset (out, 0, sizeof *out);
  pc_autostrv char **dirs = NULL;
  pc_autofree char *uname = NULL;
  char *grp = NULL;
  pc_autofree char *u = NULL;
  if (user == NULL || *user == '\0' || strcmp (user, "root") == 0 || strcmp (user, "0") == 0)
    {
      /* root needs no passwd lookup, only its group memberships. */
      out->home = xstrdup ("/root");
      uname = xstrdup ("root");
      dirs = layer_dirs (m);
    }
  else if (strcmp (user, "0:0") == 0 || strcmp (user, "root:root") == 0)
    {
      out->home = xstrdup ("/root");
      out->groups[out->n_groups++] = 0;
      return 0;
    }
  else
    {
      u = xstrdup (user);
      grp = strchr (u, ':');
      if (grp)
        *grp++ = '\0';
      dirs = layer_dirs (m);
      if (lookup_passwd (dirs, u, out, &uname, err) < 0)
        return -1;
    }

  pc_autofree char *group = (grp || uname) ? read_layered (dirs, "etc/group") : NULL;
  if (grp)
    {
      unsigned long g;
      bool gnum = parse_id (grp, &g);
      bool gfound = gnum;
      pc_autofree char *copy = group ? xstrdup (group) : NULL;
      for (char *save = NULL, *line = copy && !gnum ? strtok_r (copy, "\n", &save) : NULL; line;
           line = strtok_r (NULL, "\n", &save))
        {
          char *f[4];
          unsigned long gid;
          if (split_fields (line, f, 4) >= 3 && strcmp (f[0], grp) == 0 && parse_id (f[2], &gid))
            {
              g = gid;
              gfound = true;
              break;
            }
        }
      if (!gfound)
        return pc_error_makec (err, PC_ERR_CANNOT_INVOKE, ENOENT, "unable to find group %s: no matching entries in group file", grp);
      out->gid = (gid_t) g;
    }
  /* As podman: the primary group is a supplementary one when a user was
     named (-u, the image's User; without one root has none), and a user
     with a name and no explicit group gets the groups listing it. */
  bool named = user && *user;
  if (named)
    out->groups[out->n_groups++] = out->gid;
  if (!grp && uname && group)
    for (char *save = NULL, *line = strtok_r (group, "\n", &save); line;
         line = strtok_r (NULL, "\n", &save))
      {
        char *f[4];
        unsigned long gid;
        if (split_fields (line, f, 4) < 4 || !parse_id (f[2], &gid) || (named && gid == out->gid))
          continue;
        char *s3 = NULL;
        for (char *mem = strtok_r (f[3], ",", &s3); mem; mem = strtok_r (NULL, ",", &s3))
          if (strcmp (mem, uname) == 0 && out->n_groups < sizeof out->groups / sizeof *out->groups)
            out->groups[out->n_groups++] = (gid_t) gid;
      }
  return 0;
}
