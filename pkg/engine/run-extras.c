/* The smaller run/create flags podman scripts pass: --annotation,
   --oom-score-adj, --personality, --pidfile, --conmon-pidfile, --sdnotify,
   --systemd, --chrootdirs, --rootfs (docs/containers.md "More run flags"). They are
   checked and recorded at create (eng_extras_record), written into the OCI
   spec (eng_extras_spec) and acted on after a start (eng_extras_started). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/engine/internal.h"
#include "pkg/engine/run-extras.h"
#include "pkg/storage/storage.h"

static bool
one_of (const char *v, const char *const *set)
{
  for (; *set; set++)
    if (strcmp (v, *set) == 0)
      return true;
  return false;
}

/* podman's "strings" flags: each value is a comma-separated list. */
static json_object *
split_commas (char **v)
{
  json_object *a = json_object_new_array ();
  for (; v && *v; v++)
    {
      pc_autofree char *copy = xstrdup (*v);
      for (char *save = NULL, *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save))
        json_object_array_add (a, json_object_new_string (t));
    }
  return a;
}

static char *
absolute (const char *path)
{
  if (path[0] == '/')
    return xstrdup (path);
  pc_autofree char *cwd = getcwd (NULL, 0);
  return xasprintf ("%s/%s", cwd ? cwd : "", path);
}

int
eng_extras_record (const struct pc_create_opts *o, json_object *rec, pc_error **err)
{
  json_object *cfg = pc_json_get_object (rec, "Config");
  json_object *hc = pc_json_get_object (rec, "HostConfig");
  if (cfg == NULL || hc == NULL)
    return pc_error_make (err, EINVAL, "container record without Config");
  json_object *ann = pc_json_get_object (cfg, "Annotations");
  for (char **a = o->annotations; a && *a; a++)
    {
      const char *eq = strchr (*a, '=');
      if (eq == NULL)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "annotations must be formatted KEY=VALUE");
      pc_autofree char *k = xstrndup (*a, (size_t) (eq - *a));
      if (ann)
        json_object_object_add (ann, k, json_object_new_string (eq + 1));
    }
  int oom = 0;
  if (o->oom_score_adj)
    {
      char *end = NULL;
      errno = 0;
      long v = strtol (o->oom_score_adj, &end, 10);
      if (errno || end == o->oom_score_adj || *end)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "invalid argument \"%s\" for \"--oom-score-adj\" flag: strconv.ParseInt: "
                               "parsing \"%s\": invalid syntax", o->oom_score_adj, o->oom_score_adj);
      /* podman 4.3 takes any value and the runtime fails at start */
      if (v < -1000 || v > 1000)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "--oom-score-adj %ld: oom_score_adj must be between -1000 and 1000", v);
      oom = (int) v;
    }
  json_object_object_add (hc, "OomScoreAdj", json_object_new_int (oom));
  if (o->oom_score_adj)
    json_object_object_add (rec, "OomScoreAdjSet", json_object_new_boolean (true));
  if (o->personality)
    {
      static const char *const doms[] = { "LINUX", "LINUX32", NULL };
      if (!one_of (o->personality, doms))
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "invalid personality domain \"%s\": must be LINUX or LINUX32", o->personality);
      json_object_object_add (rec, "Personality", json_object_new_string (o->personality));
    }
  const char *sd = o->sdnotify ? o->sdnotify : "container";   /* podman 4.3's default */
  static const char *const sds[] = { "container", "conmon", "ignore", NULL };
  if (!one_of (sd, sds))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "invalid config provided: invalid argument: invalid sdnotify value \"%s\": "
                           "must be container, conmon or ignore", sd);
  json_object_object_add (cfg, "SdNotifyMode", json_object_new_string (sd));
  /* container: the socket pc was given, for the container to use. */
  const char *ns = getenv ("NOTIFY_SOCKET");
  if (ns && *ns)
    json_object_object_add (rec, "NotifySocket", json_object_new_string (ns));
  const char *sysd = o->systemd ? o->systemd : "true";
  static const char *const sysds[] = { "true", "false", "always", NULL };
  if (!one_of (sysd, sysds))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "invalid config provided: --systemd values must be one of \"true, false, always\": "
                           "invalid configuration");
  /* podman's SystemdMode: true only when systemd mode is in effect, which
     pc never enters (docs/podman-compat.md). */
  json_object_object_add (cfg, "SystemdMode", json_object_new_boolean (false));
  json_object_object_add (rec, "Systemd", json_object_new_string (sysd));
  if (o->chrootdirs)
    json_object_object_add (cfg, "ChrootDirs", split_commas (o->chrootdirs));
  if (o->passwd_entry)
    json_object_object_add (rec, "PasswdEntry", json_object_new_string (o->passwd_entry));
  if (o->hostuser)
    json_object_object_add (rec, "HostUsers", split_commas (o->hostuser));
  if (o->rootfs)
    {
      /* inspect's .Rootfs: the directory as given, without :O */
      size_t n = strlen (o->image);
      bool ov = n > 2 && strcmp (o->image + n - 2, ":O") == 0;
      pc_autofree char *dir = xstrndup (o->image, ov ? n - 2 : n);
      json_object_object_add (rec, "Rootfs", json_object_new_string (dir));
    }
  /* Absolute, as podman's: a later start runs elsewhere. */
  if (o->pidfile)
    {
      pc_autofree char *a = absolute (o->pidfile);
      json_object_object_add (rec, "PidFile", json_object_new_string (a));
    }
  if (o->conmon_pidfile)
    {
      pc_autofree char *a = absolute (o->conmon_pidfile);
      json_object_object_add (rec, "ConmonPidFile", json_object_new_string (a));
    }
  return 0;
}

int
eng_extras_spec (json_object *rec, json_object *spec, pc_error **err)
{
  (void) err;
  json_object *proc = pc_json_get_object (spec, "process");
  json_object *lnx = pc_json_get_object (spec, "linux");
  json_object *sann = pc_json_get_object (spec, "annotations");
  json_object *cfg = pc_json_get_object (rec, "Config");
  json_object *ann = pc_json_get_object (cfg, "Annotations");
  if (ann && sann)
    {
      json_object_object_foreach (ann, k, v)
        if (strncmp (k, "run.pc.", 7) != 0)
          json_object_object_add (sann, k, json_object_get (v));
    }
  if (proc && pc_json_get_bool (rec, "OomScoreAdjSet", false))
    json_object_object_add (proc, "oomScoreAdj",
                            json_object_new_int ((int) pc_json_get_int (pc_json_get (rec, "HostConfig"),
                                                                        "OomScoreAdj", 0)));
  /* the monitor rewrites it after a --restart (pkg/monitor/restart.c) */
  const char *pf = pc_json_get_string (rec, "PidFile");
  if (sann)
    json_object_object_add (sann, "run.pc.pidfile", json_object_new_string (pf ? pf : "pidfile"));
  const char *pers = pc_json_get_string (rec, "Personality");
  if (lnx && pers)
    {
      json_object *p = json_object_new_object ();
      json_object_object_add (p, "domain", json_object_new_string (pers));
      json_object_object_add (lnx, "personality", p);
    }
  /* --sdnotify=container: the socket at podman's path, for the container
     to say READY itself. */
  const char *mode = pc_json_get_string (cfg, "SdNotifyMode");
  const char *sock = pc_json_get_string (rec, "NotifySocket");
  json_object *mounts = pc_json_get_array (spec, "mounts");
  json_object *env = pc_json_get_array (proc, "env");
  if (mode && strcmp (mode, "container") == 0 && sock && sock[0] == '/' && mounts && env)
    {
      json_object *m = json_object_new_object ();
      json_object_object_add (m, "destination", json_object_new_string ("/run/notify/notify.sock"));
      json_object_object_add (m, "type", json_object_new_string ("bind"));
      json_object_object_add (m, "source", json_object_new_string (sock));
      json_object *opts = json_object_new_array ();
      json_object_array_add (opts, json_object_new_string ("bind"));
      json_object_object_add (m, "options", opts);
      json_object_array_add (mounts, m);
      json_object_array_add (env, json_object_new_string ("NOTIFY_SOCKET=/run/notify/notify.sock"));
    }
  return 0;
}

/* Written whole: a temporary beside it renamed over it, as podman does. */
static void
write_pid_file (const char *path, pid_t pid)
{
  pc_autoerror pc_error *err = NULL;
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%d", (int) pid);
  pc_autofree char *tmp = xasprintf ("%s.%d.tmp", path, (int) getpid ());
  pc_autoclose int fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0 || pc_write_all (fd, buf, (size_t) n, &err) < 0 || rename (tmp, path) < 0)
    {
      pc_warn ("cannot write pid file %s: %s", path, err ? err->msg : strerror (errno));
      unlinkat (AT_FDCWD, tmp, 0);
    }
}

/* systemd's sd_notify: one datagram to $NOTIFY_SOCKET (an abstract name
   when it starts with @). */
static void
sd_notify (const char *sock, const char *msg)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  size_t len = strlen (sock);
  if (len == 0 || len >= sizeof sa.sun_path)
    return;
  memcpy (sa.sun_path, sock, len);
  if (sa.sun_path[0] == '@')
    sa.sun_path[0] = '\0';
  pc_autoclose int fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return;
  if (sendto (fd, msg, strlen (msg), MSG_NOSIGNAL, (struct sockaddr *) &sa,
              (socklen_t) (offsetof (struct sockaddr_un, sun_path) + len)) < 0)
    pc_debug ("sd_notify to %s: %s", sock, strerror (errno));
}

void
eng_extras_started (json_object *rec, const char *state_dir, pid_t cpid, pid_t mpid)
{
  const char *pf = pc_json_get_string (rec, "PidFile");
  pc_autofree char *def = xasprintf ("%s/pidfile", state_dir);
  write_pid_file (pf && *pf ? pf : def, cpid);
  const char *mf = pc_json_get_string (rec, "ConmonPidFile");
  if (mf && *mf)
    write_pid_file (mf, mpid);
  /* --sdnotify: the service's main pid is the monitor; conmon: ready once
     the container runs; container: the container says READY itself (as
     podman 4.3 here, one datagram each). */
  const char *mode = pc_json_get_string (pc_json_get (rec, "Config"), "SdNotifyMode");
  const char *ns = getenv ("NOTIFY_SOCKET");
  if (ns && *ns && mode && strcmp (mode, "ignore") != 0)
    {
      char msg[64];
      snprintf (msg, sizeof msg, "MAINPID=%d%s", (int) mpid, strcmp (mode, "conmon") == 0 ? "\nREADY=1" : "");
      sd_notify (ns, msg);
    }
}

/* --rootfs: the first argument is a directory used as the container's root
   instead of an image, as podman's. DIR is bound as it is (writes land in
   it; the runtime makes the mount points /dev, /proc, /sys... in it as
   podman's does); DIR:O puts a throwaway overlay over it, its upper and
   work directories in the container's directory, so DIR never changes.
   Rootless the directory should belong to the user: the user is the
   container's root. */
/* DIR[:O] into an absolute, resolved directory and the overlay choice. */
static int
rootfs_parse (const char *arg, char **dir, bool *overlay, pc_error **err)
{
  size_t n = strlen (arg);
  *overlay = n > 2 && strcmp (arg + n - 2, ":O") == 0;
  pc_autofree char *path = xstrndup (arg, *overlay ? n - 2 : n);
  char *real = realpath (path, NULL);
  if (real == NULL)
    {
      /* podman's words, Go's lower-case errno text */
      int saved = errno;
      char msg[128];
      snprintf (msg, sizeof msg, "%s", strerror (saved));
      msg[0] = (char) tolower ((unsigned char) msg[0]);
      return pc_error_makec (err, saved == ENOENT ? PC_ERR_NOT_FOUND : PC_ERR_GENERIC, saved,
                             "running container create option: stat %s: %s", path, msg);
    }
  struct stat st;
  if (stat (real, &st) < 0 || !S_ISDIR (st.st_mode))
    {
      free (real);
      return pc_error_makec (err, PC_ERR_INVALID, ENOTDIR, "--rootfs %s: not a directory", path);
    }
  /* The overlay's option string cannot carry these. */
  if (*overlay && strpbrk (real, ",:") != NULL)
    {
      free (real);
      return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                             "--rootfs %s:O: a path with `,` or `:` cannot be an overlay's lower directory", path);
    }
  *dir = real;
  return 0;
}

json_object *
eng_rootfs_dir_config (void)
{
  json_object *c = json_object_new_object ();
  json_object_object_add (c, "config", json_object_new_object ());
  return c;
}

int
eng_rootfs_dir_check (const char *arg, pc_error **err)
{
  pc_autofree char *dir = NULL;
  bool overlay;
  return rootfs_parse (arg, &dir, &overlay, err);
}

int
eng_rootfs_dir_mount (struct pc_engine *e, const char *id, const char *arg, struct pc_rootfs_mount *m,
                      pc_error **err)
{
  pc_autofree char *dir = NULL;
  bool overlay;
  if (rootfs_parse (arg, &dir, &overlay, err) < 0)
    return -1;
  static const char *const subdirs[] = { "rootfs", "upper", "work", NULL };
  for (const char *const *s = subdirs; *s; s++)
    {
      pc_autofree char *rel = xasprintf ("%s/%s", id, *s);
      if (mkdirat (e->ctr_dfd, rel, 0700) < 0 && errno != EEXIST)
        return pc_error_errno (err, errno, "create %s for --rootfs", rel);
      if (!overlay)
        break;
    }
  pc_autofree char *cdir = xasprintf ("%s/containers/%s", e->data_dir, id);
  m->target = xasprintf ("%s/rootfs", cdir);
  if (overlay)
    {
      m->driver = xstrdup ("overlay");
      m->source = xasprintf ("lowerdir=%s,upperdir=%s/upper,workdir=%s/work,userxattr", dir, cdir, cdir);
    }
  else
    {
      m->driver = xstrdup ("vfs");
      m->source = steal_pointer (&dir);
    }
  return 0;
}
