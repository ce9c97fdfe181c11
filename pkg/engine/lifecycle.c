/* start, attach, stop, kill, rename: each takes the container's lock,
   re-reads the state from the files and acts on it (remove: remove.c). */
#include "pkg/engine/internal.h"
#include "pkg/engine/health.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/parse.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"
#include "pkg/monitor/monitor.h"
#include "pkg/rootless/rootless.h"
#include "pkg/storage/storage.h"
#include "pkg/engine/events.h"
#include "pkg/engine/run-extras.h"

/* What the monitor needs to remove an --rm container after it exited: it
   is a fork of this process, so plain copies are valid there. lock is the
   container's lock once the teardown took it (-1 until then). */
struct rm_on_exit
{
  char *root, *runroot, *driver;
  char *lock_path;
  int lock;
  char id[65];
};

/* In the monitor's teardown, before the exit is recorded and told: the
   container's lock, if nobody holds it (one who does, a start waiting for
   this exit, would wait on us: then on_exit waits for it instead). Whoever
   learns of the exit from the monitor (run --rm's CLI) and locks the
   container next finds it removed. */
static void
rm_prelock (struct rm_on_exit *r)
{
  int fd = open (r->lock_path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return;
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  if (fcntl (fd, F_OFD_SETLK, &fl) < 0)
    {
      close (fd);
      return;
    }
  r->lock = fd;
}

static void
rm_on_exit (void *data, int exit_code)
{
  struct rm_on_exit *r = data;
  struct pc_engine_options o = { .root = r->root, .runroot = r->runroot, .storage_driver = r->driver };
  struct pc_engine *e = NULL;
  pc_autoerror pc_error *err = NULL;
  pc_autoclose int held = r->lock;
  r->lock = -1;
  if (pc_engine_open (&o, 0, &e, &err) < 0)
    return;
  pc_autocontainer struct pc_container *c = NULL;
  if (eng_record_load (e, r->id, &c, &err) == 0)
    {
      eng_state_read (e, c, false);
      if (c->state.status == PC_STATUS_EXITED)
        {
          int lock = held >= 0 ? steal_fd (&held) : eng_lock_container (e, c->id, &err);
          if (lock >= 0)
            {
              struct eng_trash t;
              eng_remove_commit (e, c, &t, &err);
              /* run --rm's CLI, waiting for the lock, returns now: the
                 trash is emptied after. */
              eng_unlock (lock);
              eng_remove_finish (e, c, &t);
            }
        }
    }
  pc_engine_close (e);
}

/* The monitor's hooks: the root filesystem mounted, then the volumes
   (a volume's first mount copies the image's content from that root). */
struct start_hooks
{
  struct pc_rootfs_mount rootfs;
  json_object *spec;
  json_object *rec;   /* the monitor's copy of the record, freed by the monitor */
  struct rm_on_exit *rm;   /* --rm: the lock is taken at the teardown */
};

static int
start_prepare (void *data, pc_error **err)
{
  struct start_hooks *h = data;
  /* In the monitor: nothing there reads the record (its hooks keep
     copies), and its pages go back at the monitor's trim. */
  json_object_put (h->rec);
  h->rec = NULL;
  if (eng_rootfs_prepare (&h->rootfs, err) < 0)
    return -1;
  int r = eng_volumes_prepare (h->spec, h->rootfs.target, err) < 0 ? -1 : eng_image_mounts_prepare (h->spec, err);
  /* The monitor frees its copy of the spec once the container runs: no
     hook may reach it after this (the teardown keeps its own paths). */
  h->spec = NULL;
  return r;
}

static void
start_teardown (void *data)
{
  struct start_hooks *h = data;
  eng_image_mounts_teardown ();
  eng_rootfs_teardown (&h->rootfs);
  if (h->rm)
    rm_prelock (h->rm);
}

static int
clean_state_dir (struct pc_engine *e, const char *id, pc_error **err)
{
  int rfd = eng_run_dfd (e, err);
  if (rfd < 0)
    return -1;
  if (pc_rm_rf_at (rfd, id, err) < 0)
    return -1;
  if (mkdirat (rfd, id, 0700) < 0)
    return pc_error_errno (err, errno, "create state directory of %s", id);
  int dfd = openat (rfd, id, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (dfd < 0)
    return pc_error_errno (err, errno, "open state directory of %s", id);
  return dfd;
}

/* The attach connection an attached start made with the monitor
   (pc_monitor_spawn_attached), for the pc_engine_attach that follows. */
static struct
{
  char id[65];
  int fd;
  pid_t monitor;                 /* and the monitor that start spawned */
  unsigned long long mstart;     /* with its start time */
  bool started;                  /* the monitor started the container (and wrote attach) */
  bool held;                     /* signals held since the spawn: the mask before */
  sigset_t mask;
} start_conn = { "", -1, 0, 0, false, false, { { 0 } } };

static void
start_conn_set (const char *id, int fd, pid_t monitor, unsigned long long mstart, bool started)
{
  if (start_conn.fd >= 0)
    close (start_conn.fd);
  snprintf (start_conn.id, sizeof start_conn.id, "%s", fd >= 0 ? id : "");
  start_conn.fd = fd;
  start_conn.monitor = monitor;
  start_conn.mstart = mstart;
  start_conn.started = started;
}

static int
start_conn_take (const char *id, pid_t *monitor, unsigned long long *mstart, bool *started)
{
  if (start_conn.fd < 0 || strcmp (start_conn.id, id) != 0)
    return -1;
  int fd = start_conn.fd;
  start_conn.fd = -1;
  start_conn.id[0] = '\0';
  *monitor = start_conn.monitor;
  *mstart = start_conn.mstart;
  *started = start_conn.started;
  return fd;
}

/* The signal mask from before pc_engine_start held the proxied ones. */
static void
start_conn_release_signals (void)
{
  if (start_conn.held)
    sigprocmask (SIG_SETMASK, &start_conn.mask, NULL);
  start_conn.held = false;
}

int
pc_engine_start (struct pc_engine *e, struct pc_container *c, const struct pc_attach_opts *attach,
                 const int passthrough_fds[3], pc_error **err)
{
  int lock = eng_lock_container (e, c->id, err);
  if (lock < 0)
    return -1;
  int ret = -1;
  pc_autoclose int sdfd = -1;
  pc_autojson json_object *spec = NULL;
  pc_autofree char *spath = xasprintf ("%s/config.json", c->id);
  pc_autofree char *state_dir = pc_container_state_dir (e, c);
  pc_autofree char *log_path = pc_container_log_path (e, c);
  pc_autofree char *when = NULL;
  pc_autofree char *st = NULL;
  struct pc_net_forward *fwd = NULL;   /* published ports, the monitor's after the spawn */
  size_t nfwd = 0;
  eng_state_read (e, c, true);
  if (c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED)
    {
      ret = 0;
      goto out;
    }
  /* A -u user the image lacked at create fails each start, as podman's
     (pkg/engine/user-later.c); the container stays created. */
  if (eng_start_user_check (c, err) < 0)
    goto out;
  /* One waiting for its restart is started now, by this start. */
  eng_restart_cancel (e, c);
  {
    /* An exited container's monitor finishing its end (on_exit, its pid
       file) goes within moments; one that does not (stopped, hung) would
       be joined by a second monitor over the same state dir: refused. */
    int pfds[2];
    pid_t mpids[2];
    size_t nm = eng_open_monitors (e, c, pfds, mpids);
    bool gone = eng_pidfds_wait (pfds, nm, 5000);
    for (size_t i = 0; i < nm; i++)
      close (pfds[i]);
    if (!gone)
      {
        pc_error_makec (err, PC_ERR_STATE, EBUSY,
                        "the monitor of container %s (pid %d) is still running but does not act: "
                        "\"pc rm -f\" removes the container and kills it", c->id, (int) mpids[0]);
        goto out;
      }
  }
  /* Host ports first: a busy one fails the start before anything changed. */
  if (eng_network_bind (pc_json_get (c->rec, "HostConfig"), &fwd, &nfwd, err) < 0)
    goto out;
  sdfd = clean_state_dir (e, c->id, err);
  if (sdfd < 0)
    goto out;
  if (eng_write_etc_files (c, sdfd, err) < 0)
    goto out;
  /* The spec a create of this command just wrote is not read back. */
  spec = c->spec ? steal_pointer (&c->spec) : pc_json_read_file (e->ctr_dfd, spath, err);
  if (spec == NULL || eng_pod_join_spec (e, c, spec, err) < 0 || eng_network_join_spec (e, c, spec, err) < 0)
    goto out;

  json_object *cfg = pc_json_get (c->rec, "Config");
  json_object *hc = pc_json_get (c->rec, "HostConfig");
  /* An attached start waits for the attach's start request only with a
     terminal: pc's must be raw and the container's sized before its
     program starts. Without one the monitor starts it at once and keeps
     its output for the connection made with it: no round trip to pc
     between the container's setup and its exec. */
  bool tty = pc_json_get_bool (cfg, "Tty", false);
  bool at_once = attach == NULL || !tty;
  const char *ld = pc_json_get_string (pc_json_get (hc, "LogConfig"), "Type");
  if (ld == NULL)
    ld = "k8s-file";
  static struct rm_on_exit rmx;
  /* Read by the monitor's hooks in the forked monitor: static, like rmx. */
  static struct start_hooks hooks;
  pc_rootfs_mount_clear (&hooks.rootfs);
  if (eng_rootfs_from_spec (spec, &hooks.rootfs, err) < 0)
    goto out;
  /* An --rm container's upper dir goes with it: mounted "volatile", as
     podman mounts them, its unmount at the end does not sync the whole
     filesystem under the store first (pkg/storage/overlay-mount.c). */
  if (strcmp (hooks.rootfs.driver, "overlay") == 0 && pc_json_get_bool (hc, "AutoRemove", false))
    {
      char *v = xasprintf ("%s,volatile", hooks.rootfs.source);
      free (hooks.rootfs.source);
      hooks.rootfs.source = v;
    }
  hooks.spec = spec;
  hooks.rec = c->rec;
  eng_events_prepare_died (e, c, sdfd);
  struct pc_monitor_config mc = {
    .id = c->id,
    .state_dir = state_dir,
    .log_driver = ld,
    .log_path = strcmp (ld, "k8s-file") == 0 ? log_path : NULL,
    .log_max_size = pc_json_get_int (c->rec, "LogSizeMax", 0),  /* containers.conf log_size_max */
    .spec = spec,
    .start_now = at_once,
    .stdin_open = pc_json_get_bool (cfg, "OpenStdin", false),
    .terminal = tty,
    .passthrough_fds = { -1, -1, -1 },
    .prepare = start_prepare,
    .teardown = start_teardown,
    .hook_data = &hooks,
    .forwards = fwd,
    .n_forwards = nfwd,
    .health = eng_health_monitor (e, c),
  };
  if (strcmp (ld, "passthrough") == 0 && passthrough_fds)
    memcpy (mc.passthrough_fds, passthrough_fds, sizeof mc.passthrough_fds);
  hooks.rm = NULL;
  if (pc_json_get_bool (hc, "AutoRemove", false))
    {
      rmx.root = e->root_dir;
      rmx.runroot = e->run_dir;
      rmx.driver = e->driver;
      free (rmx.lock_path);
      rmx.lock_path = xasprintf ("%s/containers/%s/lock", e->data_dir, c->id);
      rmx.lock = -1;
      memcpy (rmx.id, c->id, sizeof rmx.id);
      hooks.rm = &rmx;
      mc.on_exit = rm_on_exit;
      mc.on_exit_data = &rmx;
    }
  eng_pod_exit_hook (e, c, &mc);
  pid_t cpid = 0, mpid = 0;
  struct timespec started;
  clock_gettime (CLOCK_REALTIME, &started);
  int conn = -1;
  /* A signal for the container that comes once it runs waits for the
     attach to relay it, instead of ending pc (the attach blocks the same
     ones before its start request). */
  start_conn_release_signals ();
  if (attach && at_once && attach->sig_proxy)
    {
      pc_monitor_hold_proxy_signals (&start_conn.mask);
      start_conn.held = true;
    }
  if ((attach ? pc_monitor_spawn_attached (&mc, &cpid, &mpid, &conn, err)
       : pc_monitor_spawn (&mc, &cpid, &mpid, err)) < 0)
    {
      start_conn_release_signals ();
      /* podman names the container in these: a -w directory that is missing
         or not a directory, the runtime's "cannot invoke" errors that are
         not about the command's file. */
      if (pc_error_class_of (*err) == PC_ERR_CANNOT_INVOKE && ((*err)->status == ENOENT || (*err)->status == EEXIST))
        {
          char *msg = xasprintf ("%s on container %s%s", (*err)->msg, c->id,
                                 (*err)->status == EEXIST ? ", but is not a directory" : "");
          free ((*err)->msg);
          (*err)->msg = msg;
        }
      /* A monitor that wrote its pid file created the container, and its
         command failed to start: the monitor stays to record how the
         container exited (127: command not found), which ps and inspect
         show instead of "created". */
      unsigned long long mstart = 0;
      pc_autoerror pc_error *werr = NULL;
      /* The monitor may already have recorded that exit, removed its pid
         file and gone while this pc was slow to read it (seen under ASan):
         the exit file says the container was made all the same. */
      bool have_pid = pc_monitor_read_pid (state_dir, &mpid, &mstart, &werr) == 0;
      if (!have_pid)
        {
          mpid = 0;
          mstart = 0;
        }
      /* "exit": the monitor's exit file, as record.c reads it. */
      if (have_pid || faccessat (sdfd, "exit", F_OK, 0) == 0)
        {
          when = pc_time_format_rfc3339 (&started);
          st = xasprintf ("{\"Pid\":0,\"MonitorPid\":%d,\"MonitorStart\":%llu,\"StartedAt\":\"%s\"}",
                          (int) mpid, mstart, when);
          if (eng_write_volatile (sdfd, "state.json", st, strlen (st), &werr) == 0)
            pc_engine_wait_state (e, c, 1u << PC_STATUS_EXITED, 5000, &werr);
          eng_start_error_record (e, c, *err);
        }
      goto out;
    }
  pc_debug (at_once ? "monitor %d created and started container pid %d" : "monitor %d created container pid %d",
            (int) mpid, (int) cpid);
  unsigned long long mstart = eng_proc_start_time (mpid);
  unsigned long long cstart = eng_proc_start_time (cpid);
  when = pc_time_format_rfc3339 (&started);
  st = xasprintf ("{\"Pid\":%d,\"PidStart\":%llu,\"MonitorPid\":%d,\"MonitorStart\":%llu,\"StartedAt\":\"%s\"}",
                  (int) cpid, cstart, (int) mpid, mstart, when);
  if (eng_write_volatile (sdfd, "state.json", st, strlen (st), err) < 0)
    {
      if (conn >= 0)
        close (conn);
      start_conn_release_signals ();
      goto out;
    }
  start_conn_set (c->id, conn, mpid, mstart, at_once);
  c->state.status = PC_STATUS_RUNNING;
  c->state.pid = cpid;
  c->state.monitor_pid = mpid;
  c->state.started_at = started;
  ret = 0;
  /* The monitor wrote init and start (and attach) for a start it made:
     before the container's died, which it writes too. */
  if (!at_once)
    {
      pc_engine_event_container (e, c, "init");
      pc_engine_event_container (e, c, "start");
    }
  eng_extras_started (c->rec, state_dir, cpid, mpid);

out:
  eng_network_forwards_free (fwd, nfwd);
  eng_unlock (lock);
  return ret;
}

int
pc_engine_attach (struct pc_engine *e, struct pc_container *c, const struct pc_attach_opts *o,
                  int *exit_code, pc_error **err)
{
  pc_autofree char *state_dir = pc_container_state_dir (e, c);
  json_object *cfg = pc_json_get (c->rec, "Config");
  bool tty = pc_json_get_bool (cfg, "Tty", false);
  bool in = o->in && pc_json_get_bool (cfg, "OpenStdin", false);
  if (o->running_only)
    {
      eng_state_read (e, c, true);
      if (c->state.status != PC_STATUS_RUNNING)
        return pc_error_makec (err, PC_ERR_STATE, EINVAL, "you can only attach to running containers");
    }
  /* After an attached pc_engine_start: the connection made with the
     monitor it spawned, whose pid and start time it knows. */
  pid_t cmon = 0;
  unsigned long long cmstart = 0;
  bool started = false;
  int conn = o->start ? start_conn_take (c->id, &cmon, &cmstart, &started) : -1;
  /* The pidfd pins the monitor: if the state still says running once it
     is open (pid and start time checked), it is this container's. The
     monitor our start spawned is pinned the same way with what it
     reported: the state files need not be read again. */
  pc_autoclose int mon = -1;
  if (o->sig_proxy && conn >= 0)
    {
      mon = eng_pidfd_open (cmon);
      if (mon >= 0 && eng_proc_start_time (cmon) != cmstart)
        {
          close (mon);
          mon = -1;
        }
    }
  else if (o->sig_proxy)
    {
      eng_state_read (e, c, true);
      if (c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED)
        {
          mon = eng_pidfd_open (c->state.monitor_pid);
          eng_state_read (e, c, true);
          if (mon >= 0 && c->state.status != PC_STATUS_RUNNING && c->state.status != PC_STATUS_PAUSED)
            {
              close (mon);
              mon = -1;
            }
        }
    }
  if (!started)
    pc_engine_event_container (e, c, "attach");
  int r = pc_monitor_attach_conn (conn, state_dir, in ? 0 : -1, o->out ? 1 : -1, o->err ? 2 : -1, tty,
                                  o->start && !started, o->detach_keys, mon, exit_code, err);
  start_conn_release_signals ();
  if (r == 0)
    pc_debug ("container exited with status %d", *exit_code);
  else if (r < 0 && o->start
           && (pc_error_class_of (*err) == PC_ERR_CMD_NOT_FOUND || pc_error_class_of (*err) == PC_ERR_CANNOT_INVOKE))
    {
      /* The command failed to start (127, 126): the monitor records that
         exit after telling us, and a `start -a` that returned must leave
         inspect and ps saying "exited", as the detached start does. */
      pc_autoerror pc_error *werr = NULL;
      pc_engine_wait_state (e, c, 1u << PC_STATUS_EXITED, 5000, &werr);
      eng_start_error_record (e, c, *err);
    }
  return r;
}

int
pc_engine_check_detach_keys (const char *detach_keys, pc_error **err)
{
  unsigned char keys[64];
  size_t n;
  if (detach_keys == NULL)
    return 0;
  return pc_monitor_parse_detach_keys (detach_keys, keys, sizeof keys, &n, err);
}

/* Through the monitor (pc_monitor_signal), whose pidfd pins it: if the
   state still says running once it is open, the pid is the monitor's. */
static int
signal_container (struct pc_engine *e, struct pc_container *c, int sig, pc_error **err)
{
  pc_autoclose int pfd = eng_pidfd_open (c->state.monitor_pid);
  if (pfd < 0)
    {
      if (errno == ESRCH)
        return 0;
      return pc_error_errno (err, errno, "open pidfd of the monitor of container %s", c->id);
    }
  /* pc stop and pc kill (podman's StoppedByUser, whatever the signal):
     before the look at the state, so the monitor does not restart what
     this ends, nor a run that ended by itself meanwhile. */
  eng_mark_stopped_by_user (e, c);
  eng_state_read (e, c, true);
  if (c->state.status != PC_STATUS_RUNNING && c->state.status != PC_STATUS_PAUSED)
    return 0;
  if (pc_monitor_signal (pfd, sig, err) < 0)
    {
      if ((*err)->status == ESRCH)
        {
          pc_error_clear (err);
          return 0;
        }
      return pc_error_wrap (err, "container %s", c->id);
    }
  return 0;
}

/* The last resort when the monitor does not act (stopped, hung): the
   container dies with it (PDEATHSIG), and the next look records 137. */
static void
kill_monitor (struct pc_engine *e, struct pc_container *c)
{
  pc_autoclose int pfd = eng_pidfd_open (c->state.monitor_pid);
  if (pfd < 0)
    return;
  eng_state_read (e, c, true);
  if (c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED)
    eng_pidfd_signal (pfd, SIGKILL);
}

int
pc_engine_kill (struct pc_engine *e, struct pc_container *c, int sig, pc_error **err)
{
  eng_state_read (e, c, true);
  if (c->state.status != PC_STATUS_RUNNING && c->state.status != PC_STATUS_PAUSED)
    return pc_error_makec (err, PC_ERR_STATE, EINVAL, "can only kill running containers. %s is in state %s: container state improper",
                          c->id, pc_container_status_name (c->state.status));
  pc_engine_event_container (e, c, "kill");
  return signal_container (e, c, sig, err);
}

static int
stop_unlocked (struct pc_engine *e, struct pc_container *c, int timeout, pc_error **err)
{
  eng_state_read (e, c, true);
  if (c->state.status != PC_STATUS_RUNNING && c->state.status != PC_STATUS_PAUSED)
    {
      /* One waiting for its restart stays exited. */
      eng_restart_cancel (e, c);
      return 0;
    }
  json_object *cfg = pc_json_get (c->rec, "Config");
  int sig = (int) pc_json_get_int (cfg, "StopSignal", SIGTERM);
  if (sig <= 0)
    sig = SIGTERM;
  if (timeout < 0)
    timeout = (int) pc_json_get_int (cfg, "StopTimeout", PC_DEFAULT_STOP_TIMEOUT);
  if (c->state.status == PC_STATUS_PAUSED && eng_thaw_locked (e, c, err) < 0)
    return -1;
  /* podman's "stopping" until the container is gone (pc_engine_stop ends
     it); the marker names this pc, so it counts only while this pc lives. */
  eng_stopping_begin (e, c);
  if (timeout > 0)
    {
      if (signal_container (e, c, sig, err) < 0)
        return -1;
      int r = eng_wait_exit (e, c, (int64_t) timeout * 1000, err);
      if (r <= 0)
        return r;
      const char *sn = pc_signal_name (sig);
      pc_warn ("StopSignal %s failed to stop container %s in %d seconds, resorting to SIGKILL",
               sn ? sn : "?", *c->name ? c->name : c->id, timeout);
    }
  if (signal_container (e, c, SIGKILL, err) < 0)
    return -1;
  /* SIGKILL cannot be ignored: a container still there after a while has a
     monitor that does not act (stopped, hung), which then goes too. */
  int r = eng_wait_exit (e, c, 5000, err);
  if (r == 1)
    {
      pc_warn ("the monitor of container %s did not act on SIGKILL: killing the monitor", *c->name ? c->name : c->id);
      kill_monitor (e, c);
      r = eng_wait_exit (e, c, 5000, err);
    }
  if (r == 1)
    return pc_error_makec (err, PC_ERR_TIMEOUT, ETIMEDOUT, "container %s did not exit after SIGKILL", c->id);
  return r;
}

int
pc_engine_stop (struct pc_engine *e, struct pc_container *c, int timeout, pc_error **err)
{
  /* The lock covers the look at the state and a thaw; the wait for the exit
     runs without it, so that rm -f, kill and inspect of the same container
     go on meanwhile (podman unlocks while stopping too). Signals go through
     pidfds checked against the recorded start times: they need no lock. */
  int lock = eng_lock_container (e, c->id, err);
  if (lock < 0)
    return -1;
  int r = 0;
  eng_state_read (e, c, true);
  if (c->state.status == PC_STATUS_PAUSED)
    r = eng_thaw_locked (e, c, err);
  eng_unlock (lock);
  if (r < 0)
    return -1;
  if (c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED)
    pc_engine_event_container (e, c, "stop");
  r = stop_unlocked (e, c, timeout, err);
  /* stop_unlocked began "stopping" when it signalled. */
  eng_stopping_end (e, c);
  return r;
}

int
pc_engine_rename (struct pc_engine *e, struct pc_container *c, const char *new_name,
                  pc_error **err)
{
  if (strcmp (new_name, c->name) == 0)
    return 0;
  if (eng_name_reserve (e, new_name, c->id, err) < 0)
    return -1;
  int lock = eng_lock_container (e, c->id, err);
  if (lock < 0)
    {
      eng_name_release (e, new_name, c->id);
      return -1;
    }
  pc_autofree char *old = xstrdup (c->name);
  json_object_object_add (c->rec, "Name", json_object_new_string (new_name));
  int r = eng_record_save (e, c, err);
  if (r < 0)
    eng_name_release (e, new_name, c->id);
  else
    {
      eng_name_release (e, old, c->id);
      free (c->name);
      c->name = xstrdup (new_name);
    }
  eng_unlock (lock);
  return eng_events_container_rc (e, c, "rename", r);
}
