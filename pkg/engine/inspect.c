/* What users read: podman's `container inspect` object, `ps --format json`
   rows, and the STATUS words. */
#include "pkg/engine/internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"
#include "pkg/monitor/monitor.h"
#include "pkg/storage/storage.h"

/* The exec sessions the container's monitor recorded (pc exec -d, -t). */
static json_object *
exec_ids (struct pc_engine *e, struct pc_container *c)
{
  json_object *a = json_object_new_array ();
  pc_autofree char *dir = pc_container_state_dir (e, c);
  pc_autostrv char **ids = pc_monitor_exec_list (dir);
  for (char **i = ids; i && *i; i++)
    json_object_array_add (a, json_object_new_string (*i));
  return a;
}

static json_object *
time_json (const struct timespec *t)
{
  if (t->tv_sec == 0 && t->tv_nsec == 0)
    return json_object_new_string ("0001-01-01T00:00:00Z");
  pc_autofree char *s = pc_time_format_rfc3339 (t);
  return json_object_new_string (s);
}

static void
copy_key (json_object *to, json_object *from, const char *key)
{
  json_object *v = NULL;
  if (json_object_object_get_ex (from, key, &v))
    json_object_object_add (to, key, json_object_get (v));
  else
    json_object_object_add (to, key, NULL);
}

static json_object *
caps_json (json_object *spec, const char *which)
{
  json_object *caps = pc_json_get (pc_json_get (pc_json_get (spec, "process"), "capabilities"), which);
  return caps ? json_object_get (caps) : json_object_new_array ();
}

/* podman's GraphDriver: the container layer's directories, from the
   spec's note of how its root is mounted (pkg/engine/rootfs.c). pc's
   fuse-overlayfs is podman's overlay with a mount_program; vfs has no
   layers to show. */
static json_object *
graph_driver (json_object *spec)
{
  pc_autoerror pc_error *err = NULL;
  struct pc_rootfs_mount m;
  if (eng_rootfs_from_spec (spec, &m, &err) < 0)
    return NULL;
  json_object *g = json_object_new_object ();
  bool overlay = strcmp (m.driver, "overlay") == 0 || strcmp (m.driver, "fuse-overlayfs") == 0;
  json_object_object_add (g, "Name", json_object_new_string (overlay ? "overlay" : m.driver));
  json_object *data = NULL;
  if (overlay)
    {
      data = json_object_new_object ();
      static const struct
      {
        const char *opt, *key;
      } keys[] = { { "lowerdir=", "LowerDir" }, { "upperdir=", "UpperDir" }, { "workdir=", "WorkDir" } };
      pc_autofree char *src = xstrdup (m.source);
      char *save = NULL;
      for (char *o = strtok_r (src, ",", &save); o; o = strtok_r (NULL, ",", &save))
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
          if (strncmp (o, keys[i].opt, strlen (keys[i].opt)) == 0)
            json_object_object_add (data, keys[i].key, json_object_new_string (o + strlen (keys[i].opt)));
      json_object_object_add (data, "MergedDir", json_object_new_string (m.target));
    }
  json_object_object_add (g, "Data", data);
  pc_rootfs_mount_clear (&m);
  return g;
}

json_object *
pc_engine_inspect (struct pc_engine *e, struct pc_container *c)
{
  const struct pc_container_state *st = &c->state;
  json_object *o = json_object_new_object ();
  json_object *rec = c->rec;
  copy_key (o, rec, "Id");
  copy_key (o, rec, "Created");
  copy_key (o, rec, "Path");
  copy_key (o, rec, "Args");

  json_object *s = json_object_new_object ();
  json_object_object_add (s, "OciVersion", json_object_new_string ("1.0.2-dev"));
  json_object_object_add (s, "Status", json_object_new_string (pc_container_status_name (st->status)));
  json_object_object_add (s, "Running", json_object_new_boolean (st->status == PC_STATUS_RUNNING));
  json_object_object_add (s, "Paused", json_object_new_boolean (st->status == PC_STATUS_PAUSED));
  json_object_object_add (s, "Restarting", json_object_new_boolean (false));
  json_object_object_add (s, "OOMKilled", json_object_new_boolean (false));
  json_object_object_add (s, "Dead", json_object_new_boolean (false));
  bool alive = st->status == PC_STATUS_RUNNING || st->status == PC_STATUS_PAUSED;
  json_object_object_add (s, "Pid", json_object_new_int (alive ? st->pid : 0));
  json_object_object_add (s, "ConmonPid", json_object_new_int (alive ? st->monitor_pid : 0));
  json_object_object_add (s, "ExitCode", json_object_new_int (st->status == PC_STATUS_EXITED ? st->exit_code : 0));
  json_object_object_add (s, "Error", json_object_new_string (st->monitor_lost ? "container monitor exited unexpectedly" : ""));
  json_object_object_add (s, "StartedAt", time_json (&st->started_at));
  json_object_object_add (s, "FinishedAt", time_json (&st->finished_at));
  /* Templates also know .State.Healthcheck, as podman's (cmd/pc/inspect.c). */
  json_object_object_add (s, "Health", pc_engine_health_state (e, c));
  json_object_object_add (s, "CheckpointedAt", json_object_new_string ("0001-01-01T00:00:00Z"));
  json_object_object_add (s, "RestoredAt", json_object_new_string ("0001-01-01T00:00:00Z"));
  json_object_object_add (o, "State", s);

  copy_key (o, rec, "Image");
  copy_key (o, rec, "ImageName");
  json_object_object_add (o, "Rootfs", json_object_new_string (""));
  json_object_object_add (o, "Pod", json_object_new_string (pc_json_get_string (rec, "Pod") ?: ""));
  pc_autofree char *sdir = pc_container_state_dir (e, c);
  pc_autofree char *resolv = xasprintf ("%s/resolv.conf", sdir);
  pc_autofree char *hostname = xasprintf ("%s/hostname", sdir);
  pc_autofree char *hosts = xasprintf ("%s/hosts", sdir);
  pc_autofree char *static_dir = xasprintf ("%s/containers/%s", e->data_dir, c->id);
  pc_autofree char *oci = xasprintf ("%s/config.json", static_dir);
  pc_autofree char *oci_rel = xasprintf ("%s/config.json", c->id);
  pc_autofree char *pidfile = xasprintf ("%s/monitor.pid", sdir);
  bool started = st->status != PC_STATUS_CREATED;
  json_object_object_add (o, "ResolvConfPath",
                          json_object_new_string (started && !eng_network_image_resolv_conf (pc_json_get (rec, "HostConfig"))
                                                  ? resolv : ""));
  json_object_object_add (o, "HostnamePath", json_object_new_string (started ? hostname : ""));
  json_object_object_add (o, "HostsPath", json_object_new_string (started ? hosts : ""));
  json_object_object_add (o, "StaticDir", json_object_new_string (static_dir));
  json_object_object_add (o, "OCIConfigPath", json_object_new_string (oci));
  copy_key (o, rec, "OCIRuntime");
  /* --conmon-pidfile, --pidfile, or where pc writes them (run-extras.c) */
  pc_autofree char *ctr_pidfile = xasprintf ("%s/pidfile", sdir);
  const char *upf = pc_json_get_string (rec, "ConmonPidFile"), *ucf = pc_json_get_string (rec, "PidFile");
  json_object_object_add (o, "ConmonPidFile", json_object_new_string (upf ? upf : pidfile));
  json_object_object_add (o, "PidFile", json_object_new_string (ucf ? ucf : ctr_pidfile));
  /* --rootfs DIR (run-extras.c) */
  if (pc_json_get_string (rec, "Rootfs"))
    json_object_object_add (o, "Rootfs", json_object_get (pc_json_get (rec, "Rootfs")));
  copy_key (o, rec, "Name");
  /* Restarts since the last pc start (the monitor counts them; podman
     too starts over at a start); a pc stop that waits makes podman's
     "stopping", which is not running; podman 5's StoppedByUser. */
  json_object_object_add (o, "RestartCount", json_object_new_int (st->restart_count));
  if (st->stopping)
    {
      json_object_object_add (s, "Status", json_object_new_string ("stopping"));
      json_object_object_add (s, "Running", json_object_new_boolean (false));
    }
  json_object_object_add (s, "StoppedByUser", json_object_new_boolean (st->stopped_by_user));
  pc_autofree char *start_error = st->status == PC_STATUS_EXITED ? eng_start_error_read (e, c) : NULL;
  if (start_error)
    json_object_object_add (s, "Error", json_object_new_string (start_error));
  copy_key (o, rec, "Driver");
  json_object_object_add (o, "MountLabel", json_object_new_string (""));
  json_object_object_add (o, "ProcessLabel", json_object_new_string (""));
  json_object_object_add (o, "AppArmorProfile", json_object_new_string (""));
  pc_autoerror pc_error *serr = NULL;
  pc_autojson json_object *spec = pc_json_read_file (e->ctr_dfd, oci_rel, &serr);
  json_object_object_add (o, "EffectiveCaps", caps_json (spec, "effective"));
  json_object_object_add (o, "BoundingCaps", caps_json (spec, "bounding"));
  json_object_object_add (o, "ExecIDs", exec_ids (e, c));
  json_object *gd = spec ? graph_driver (spec) : NULL;
  if (gd)
    json_object_object_add (o, "GraphDriver", gd);
  copy_key (o, rec, "Mounts");
  json_object_object_add (o, "Dependencies", json_object_new_array ());
  json_object *ns = json_object_new_object ();
  json_object_object_add (ns, "Networks", json_object_new_object ());
  /* Published ports (-p), in podman's shape. */
  json_object *pb = pc_json_get_object (pc_json_get (rec, "HostConfig"), "PortBindings");
  json_object_object_add (ns, "Ports", pb ? json_object_get (pb) : json_object_new_object ());
  json_object_object_add (o, "NetworkSettings", ns);
  json_object_object_add (o, "Namespace", json_object_new_string (""));
  json_object_object_add (o, "IsInfra", json_object_new_boolean (false));
  json_object_object_add (o, "IsService", json_object_new_boolean (false));
  copy_key (o, rec, "Config");
  json_object *cfg = pc_json_get (o, "Config");
  if (cfg)
    {
      /* podman shows the creation time in Config too. */
      copy_key (cfg, rec, "Created");
    }
  copy_key (o, rec, "HostConfig");
  return o;
}

static int64_t
unix_or_go_zero (const struct timespec *t)
{
  /* Go's zero time.Time as unix seconds, what podman prints for "never". */
  return t->tv_sec == 0 ? INT64_C (-62135596800) : (int64_t) t->tv_sec;
}

/* podman's ps --format json "Ports": [{host_ip, container_port, host_port,
   range, protocol}], null when there are none. */
static json_object *
ps_ports (json_object *hc)
{
  json_object *pb = pc_json_get_object (hc, "PortBindings");
  if (pb == NULL || json_object_object_length (pb) == 0)
    return NULL;
  json_object *a = json_object_new_array ();
  json_object_object_foreach (pb, key, arr)
    for (size_t i = 0; i < pc_json_array_len (arr); i++)
      {
        json_object *b = pc_json_array_object_at (arr, i);
        const char *hp = pc_json_get_string (b, "HostPort");
        const char *slash = strchr (key, '/');
        json_object *p = json_object_new_object ();
        json_object_object_add (p, "host_ip", json_object_new_string (pc_json_get_string (b, "HostIp") ?: ""));
        json_object_object_add (p, "container_port", json_object_new_int (atoi (key)));
        json_object_object_add (p, "host_port", json_object_new_int (hp ? atoi (hp) : 0));
        json_object_object_add (p, "range", json_object_new_int (1));
        json_object_object_add (p, "protocol", json_object_new_string (slash ? slash + 1 : "tcp"));
        json_object_array_add (a, p);
      }
  return a;
}

json_object *
pc_engine_ps_row (struct pc_engine *e, struct pc_container *c)
{
  const struct pc_container_state *st = &c->state;
  json_object *rec = c->rec;
  json_object *cfg = pc_json_get (rec, "Config");
  json_object *hc = pc_json_get (rec, "HostConfig");
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "AutoRemove", json_object_new_boolean (pc_json_get_bool (hc, "AutoRemove", false)));
  json_object *cmd = json_object_new_array ();
  json_object *ep = pc_json_get (cfg, "Entrypoint");
  json_object *cm = pc_json_get (cfg, "Cmd");
  for (int k = 0; k < 2; k++)
    {
      json_object *a = k ? cm : ep;
      for (size_t i = 0; a && json_object_is_type (a, json_type_array) && i < json_object_array_length (a); i++)
        json_object_array_add (cmd, json_object_get (json_object_array_get_idx (a, i)));
    }
  json_object_object_add (o, "Command", cmd);
  pc_autofree char *ago = pc_time_human_ago (&c->created);
  json_object_object_add (o, "CreatedAt", json_object_new_string (ago));
  json_object_object_add (o, "Exited", json_object_new_boolean (st->status == PC_STATUS_EXITED));
  json_object_object_add (o, "ExitedAt", json_object_new_int64 (st->status == PC_STATUS_EXITED ? unix_or_go_zero (&st->finished_at) : INT64_C (-62135596800)));
  json_object_object_add (o, "ExitCode", json_object_new_int (st->status == PC_STATUS_EXITED ? st->exit_code : 0));
  json_object_object_add (o, "Id", json_object_new_string (c->id));
  json_object_object_add (o, "Image", json_object_new_string (pc_json_get_string (rec, "ImageName") ?: ""));
  json_object_object_add (o, "ImageID", json_object_new_string (pc_json_get_string (rec, "Image") ?: ""));
  json_object_object_add (o, "IsInfra", json_object_new_boolean (false));
  json_object *labels = pc_json_get (cfg, "Labels");
  json_object_object_add (o, "Labels", labels && json_object_object_length (labels) ? json_object_get (labels) : NULL);
  json_object_object_add (o, "Mounts", json_object_new_array ());
  json_object *names = json_object_new_array ();
  json_object_array_add (names, json_object_new_string (c->name));
  json_object_object_add (o, "Names", names);
  json_object_object_add (o, "Namespaces", json_object_new_object ());
  json_object_object_add (o, "Networks", json_object_new_array ());
  bool alive = st->status == PC_STATUS_RUNNING || st->status == PC_STATUS_PAUSED;
  json_object_object_add (o, "Pid", json_object_new_int (alive ? st->pid : 0));
  json_object_object_add (o, "Pod", json_object_new_string (""));
  json_object_object_add (o, "PodName", json_object_new_string (""));
  /* A pod's member shows the pod's ports (its infra's), as podman's ps. */
  pc_autocontainer struct pc_container *infra = NULL;
  const char *netmode = pc_json_get_string (hc, "NetworkMode");
  pc_autoerror pc_error *ierr = NULL;
  if (pc_json_get_string (rec, "Pod") && netmode && strncmp (netmode, "container:", 10) == 0
      && strlen (netmode + 10) == 64 && eng_record_load (e, netmode + 10, &infra, &ierr) == 0)
    json_object_object_add (o, "Ports", ps_ports (pc_json_get (infra->rec, "HostConfig")));
  else
    json_object_object_add (o, "Ports", ps_ports (hc));
  json_object_object_add (o, "Size", NULL);
  json_object_object_add (o, "StartedAt", json_object_new_int64 (st->started_at.tv_sec));
  /* podman's ps JSON says "stopping" while a stop waits. */
  json_object_object_add (o, "State", json_object_new_string (st->stopping ? "stopping"
                                                              : pc_container_status_name (st->status)));
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  pc_autofree char *status = pc_engine_status_human (st, &now);
  pc_autofree char *health = st->status == PC_STATUS_CREATED ? NULL : pc_engine_health_status (e, c);
  if (health && *health)
    {
      /* podman's "Up 3 seconds (healthy)", also once exited. */
      char *s = xasprintf ("%s (%s)", status, health);
      free (status);
      status = s;
    }
  json_object_object_add (o, "Status", json_object_new_string (status));
  json_object_object_add (o, "Created", json_object_new_int64 (c->created.tv_sec));
  return o;
}

/* podman's duration words ("3 seconds", "About a minute") for then..now:
   the words of pc_time_human_ago, which only knows the current time. */
static char *
human_duration (const struct timespec *then, const struct timespec *now)
{
  double d = (double) (now->tv_sec - then->tv_sec) + (double) (now->tv_nsec - then->tv_nsec) / 1e9;
  long seconds = (long) d;
  long minutes = (long) (d / 60);
  long hours = (long) (d / 3600 + 0.5);
  if (seconds < 1)
    return xstrdup ("Less than a second");
  if (seconds == 1)
    return xstrdup ("1 second");
  if (seconds < 60)
    return xasprintf ("%ld seconds", seconds);
  if (minutes == 1)
    return xstrdup ("About a minute");
  if (minutes < 60)
    return xasprintf ("%ld minutes", minutes);
  if (hours == 1)
    return xstrdup ("About an hour");
  if (hours < 48)
    return xasprintf ("%ld hours", hours);
  if (hours < 24 * 7 * 2)
    return xasprintf ("%ld days", hours / 24);
  if (hours < 24 * 30 * 2)
    return xasprintf ("%ld weeks", hours / 24 / 7);
  if (hours < 24 * 365 * 2)
    return xasprintf ("%ld months", hours / 24 / 30);
  return xasprintf ("%ld years", (long) (d / 3600 / 24 / 365));
}

char *
pc_engine_status_human (const struct pc_container_state *st, const struct timespec *now)
{
  switch (st->status)
    {
    case PC_STATUS_CREATED:
      return xstrdup ("Created");
    case PC_STATUS_RUNNING:
    case PC_STATUS_PAUSED:
      if (st->stopping)
        return xstrdup ("Stopping");
      {
        pc_autofree char *d = human_duration (&st->started_at, now);
        return xasprintf ("Up %s%s", d, st->status == PC_STATUS_PAUSED ? " (Paused)" : "");
      }
    case PC_STATUS_EXITED:
      {
        pc_autofree char *d = human_duration (&st->finished_at, now);
        return xasprintf ("Exited (%d) %s ago", st->exit_code, d);
      }
    }
  return xstrdup ("Unknown");
}

/* `ps --size`: a container's writable layer and the image layers under it,
   counted as containers/storage's directory.Usage counts them (podman's
   RwSize and RootFsSize): the sizes of everything but directories, a hard
   link once. */
struct du
{
  int64_t size;
  struct { dev_t dev; ino_t ino; } *links;
  size_t nlinks;
};

static bool
seen_link (struct du *d, const struct stat *st)
{
  for (size_t i = 0; i < d->nlinks; i++)
    if (d->links[i].dev == st->st_dev && d->links[i].ino == st->st_ino)
      return true;
  d->links = xrealloc (d->links, (d->nlinks + 1) * sizeof *d->links);
  d->links[d->nlinks].dev = st->st_dev;
  d->links[d->nlinks].ino = st->st_ino;
  d->nlinks++;
  return false;
}

/* Takes dfd. A directory the user cannot read (a subordinate id's 0700)
   counts as empty: ps shows what it can see rather than failing. */
static void
du_dir (struct du *d, int dfd, int depth)
{
  DIR *dir = fdopendir (dfd);
  if (dir == NULL)
    {
      close (dfd);
      return;
    }
  struct dirent *de;
  while ((de = readdir (dir)))
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      struct stat st;
      if (fstatat (dirfd (dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (S_ISDIR (st.st_mode))
        {
          if (depth >= 512)
            continue;
          int sub = openat (dirfd (dir), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (sub >= 0)
            du_dir (d, sub, depth + 1);
          continue;
        }
      if (st.st_nlink > 1 && seen_link (d, &st))
        continue;
      d->size += st.st_size;
    }
  closedir (dir);
}

static int64_t
du_path (const char *path)
{
  struct du d = { 0 };
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  du_dir (&d, fd, 0);
  free (d.links);
  return d.size;
}

/* The value of key=... in overlay's comma-separated options. */
static char *
mount_opt (const char *source, const char *key)
{
  size_t kl = strlen (key);
  for (const char *p = source; p && *p;)
    {
      const char *comma = strchr (p, ',');
      size_t len = comma ? (size_t) (comma - p) : strlen (p);
      if (len > kl && strncmp (p, key, kl) == 0 && p[kl] == '=')
        return xstrndup (p + kl + 1, len - kl - 1);
      p = comma ? comma + 1 : NULL;
    }
  return NULL;
}

int
pc_engine_container_size (struct pc_engine *e, const struct pc_container *c, int64_t *rootfs,
                          int64_t *rw, pc_error **err)
{
  *rootfs = *rw = 0;
  struct pc_store *s = pc_engine_store (e, err);
  if (s == NULL)
    return -1;
  struct pc_rootfs_mount m = { 0 };
  if (pc_store_container_rootfs (s, c->id, &m, err) < 0)
    return -1;
  if (m.driver && strcmp (m.driver, "vfs") == 0)
    {
      /* vfs copies the image into the container: everything is its own. */
      *rw = du_path (m.source);
      *rootfs = *rw;
    }
  else
    {
      pc_autofree char *upper = mount_opt (m.source, "upperdir");
      pc_autofree char *lower = mount_opt (m.source, "lowerdir");
      if (upper)
        *rw = du_path (upper);
      char *save = NULL;
      for (char *l = lower ? strtok_r (lower, ":", &save) : NULL; l; l = strtok_r (NULL, ":", &save))
        *rootfs += du_path (l);
    }
  pc_rootfs_mount_clear (&m);
  return 0;
}
