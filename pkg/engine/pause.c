/* pause / unpause through the freezer: cgroup v1 freezer.state, or
   cgroup.freeze on v2. Only root can make freezer cgroups on a v1 host;
   rootless there gets podman's refusal. */
#include "pkg/engine/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"
#include "pkg/rootless/rootless.h"
#include "pkg/engine/events.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static bool
cgroup2_unified (void)
{
  struct statfs sf;
  return statfs ("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

static bool
rootless (void)
{
  return geteuid () != 0 || pc_rootless_in_userns ();
}

bool
pc_engine_can_pause (const char **why)
{
  if (rootless () && !cgroup2_unified ())
    {
      *why = "is not supported for cgroupv1 rootless containers";
      return false;
    }
  return true;
}

static char *
cgroup_dir (const char *id)
{
  if (cgroup2_unified ())
    return xasprintf ("/sys/fs/cgroup/pc-%s", id);
  return xasprintf ("/sys/fs/cgroup/freezer/pc/%s", id);
}

void
eng_cgroup_remove (const char *id)
{
  pc_autofree char *d = cgroup_dir (id);
  rmdir (d);
  eng_spec_cgroup_remove (id);
}

static int
write_str (const char *dir, const char *file, const char *value, pc_error **err)
{
  pc_autofree char *p = xasprintf ("%s/%s", dir, file);
  pc_autoclose int fd = open (p, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return pc_error_errno (err, errno, "open `%s`", p);
  if (write (fd, value, strlen (value)) < 0)
    return pc_error_errno (err, errno, "write `%s` to `%s`", value, p);
  return 0;
}

/* Moves every process of the container's pid namespace into dir. */
static int
move_processes (pid_t pid1, const char *dir, pc_error **err)
{
  char path[300];
  struct stat ns1;
  snprintf (path, sizeof path, "/proc/%d/ns/pid", (int) pid1);
  if (stat (path, &ns1) < 0)
    return pc_error_errno (err, errno, "stat `%s`", path);
  pc_autoclosedir DIR *d = opendir ("/proc");
  if (d == NULL)
    return pc_error_errno (err, errno, "open /proc");
  struct dirent *de;
  while ((de = readdir (d)))
    {
      if (de->d_name[0] < '1' || de->d_name[0] > '9')
        continue;
      struct stat st;
      snprintf (path, sizeof path, "/proc/%s/ns/pid", de->d_name);
      if (stat (path, &st) < 0 || st.st_ino != ns1.st_ino || st.st_dev != ns1.st_dev)
        continue;
      pc_autoerror pc_error *werr = NULL;
      /* Processes may exit meanwhile: not an error. */
      write_str (dir, "cgroup.procs", de->d_name, &werr);
    }
  return 0;
}

static int
freeze_locked (struct pc_engine *e, struct pc_container *c, bool on, pc_error **err)
{
  int ret = -1;
  pc_autofree char *dir = cgroup_dir (c->id);
  pc_autofree char *marker = xasprintf ("%s/paused", c->id);
  eng_state_read (e, c, true);
  if (on && c->state.status != PC_STATUS_RUNNING)
    {
      pc_error_makec (err, PC_ERR_STATE, EINVAL, "\"%s\" is not running, can't pause: container state improper", c->id);
      goto out;
    }
  if (!on && c->state.status != PC_STATUS_PAUSED)
    {
      pc_error_makec (err, PC_ERR_STATE, EINVAL, "\"%s\" is not paused, can't unpause: container state improper", c->id);
      goto out;
    }
  bool v2 = cgroup2_unified ();
  if (on)
    {
      if (pc_mkdir_p (AT_FDCWD, dir, 0755, err) < 0)
        goto out;
      if (move_processes (c->state.pid, dir, err) < 0)
        goto out;
    }
  if (write_str (dir, v2 ? "cgroup.freeze" : "freezer.state", on ? (v2 ? "1" : "FROZEN") : (v2 ? "0" : "THAWED"), err) < 0)
    goto out;
  if (on && !v2)
    {
      /* FREEZING until every task stopped; the kernel gives no event for it. */
      pc_autofree char *p = xasprintf ("%s/freezer.state", dir);
      for (int i = 0; i < 1000; i++)
        {
          char buf[32];
          if (eng_read_small (AT_FDCWD, p, buf, sizeof buf) > 0 && strncmp (buf, "FROZEN", 6) == 0)
            break;
          struct timespec ts = { 0, 1000000 };
          nanosleep (&ts, NULL);
        }
    }
  int rfd = eng_run_dfd (e, err);
  if (rfd < 0)
    goto out;
  if (on)
    {
      if (eng_write_volatile (rfd, marker, "", 0, err) < 0)
        goto out;
      c->state.status = PC_STATUS_PAUSED;
    }
  else
    {
      unlinkat (rfd, marker, 0);
      c->state.status = PC_STATUS_RUNNING;
    }
  ret = 0;
out:
  return ret;
}

int
eng_thaw_locked (struct pc_engine *e, struct pc_container *c, pc_error **err)
{
  return freeze_locked (e, c, false, err);
}

static int
freeze (struct pc_engine *e, struct pc_container *c, bool on, pc_error **err)
{
  const char *why = NULL;
  if (!pc_engine_can_pause (&why))
    return pc_error_makec (err, PC_ERR_UNSUPPORTED, ENOTSUP, "%s %s", on ? "pause" : "unpause", why);
  int lock = eng_lock_container (e, c->id, err);
  if (lock < 0)
    return -1;
  int ret = freeze_locked (e, c, on, err);
  eng_unlock (lock);
  if (ret == 0)
    pc_engine_event_container (e, c, on ? "pause" : "unpause");
  return ret;
}

int
pc_engine_pause (struct pc_engine *e, struct pc_container *c, pc_error **err)
{
  return freeze (e, c, true, err);
}

int
pc_engine_unpause (struct pc_engine *e, struct pc_container *c, pc_error **err)
{
  return freeze (e, c, false, err);
}
