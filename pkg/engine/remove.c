/* pc rm: a container's removal under its lock. The record, name and state
   go into the trash in a few renames (trash.c), or in place when there is
   no trash; the monitor of an --rm container removes it the same way
   (rm_on_exit in lifecycle.c), and run --rm waits for that (rm-wait.c). */
#include "pkg/engine/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/log.h"
#include "pkg/storage/storage.h"
#include "pkg/engine/events.h"

static bool
record_gone (struct pc_engine *e, const char *id)
{
  char path[96];
  snprintf (path, sizeof path, "%s/container.json", id);
  return faccessat (e->ctr_dfd, path, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT;
}

/* The removal in place, the way without a trash (it cannot be made or
   renamed into): storage, record, name, state, then the directory. */
static int
remove_in_place (struct pc_engine *e, struct pc_container *c, pc_error **err)
{
  char path[96];
  snprintf (path, sizeof path, "%s/container.json", c->id);
  struct pc_store *s = pc_engine_store (e, err);
  if (s == NULL)
    return -1;
  if (pc_store_container_remove (s, c->id, err) < 0)
    return pc_error_wrap (err, "removing storage for container \"%s\"", *c->name ? c->name : c->id);
  /* The record first, so nobody sees a half-removed container. */
  /* A record that is a directory goes with the container's directory. */
  if (unlinkat (e->ctr_dfd, path, 0) < 0 && errno != ENOENT && errno != EISDIR)
    return pc_error_errno (err, errno, "remove record of %s", c->id);
  int rfd = eng_run_dfd (e, err);
  if (rfd >= 0)
    pc_rm_rf_at (rfd, c->id, err);
  pc_error_clear (err);
  return 0;
}

int
eng_remove_commit (struct pc_engine *e, struct pc_container *c, struct eng_trash *t, pc_error **err)
{
  eng_trash_init (t);
  if (record_gone (e, c->id))
    return 0;   /* removed by someone else meanwhile (--rm) */
  /* Into the trash (trash.c): a few renames instead of a walk of the
     container's layer, and nobody sees a half-removed container. */
  bool in_place = eng_trash_move (e, c->id, t) < 0;
  if (in_place && remove_in_place (e, c, err) < 0)
    return -1;
  eng_name_release (e, c->name, c->id);
  if (c->problem)
    eng_names_release_id (e, c->id);
  pc_engine_event_container (e, c, "remove");
  /* run --rm takes its anonymous volumes along (podman's rule). */
  if (pc_json_get_bool (pc_json_get (c->rec, "HostConfig"), "AutoRemove", false))
    {
      pc_autoerror pc_error *verr = NULL;
      if (pc_engine_container_remove_volumes (e, c->rec, &verr) < 0)
        pc_warn ("%s", verr->msg);
    }
  if (in_place)
    {
      eng_cgroup_remove (c->id);
      /* Last: run --rm's fallback wait ends once this directory is gone. */
      return pc_rm_rf_at (e->ctr_dfd, c->id, err) < 0 ? -1 : 0;
    }
  return 0;
}

void
eng_remove_finish (struct pc_engine *e, struct pc_container *c, struct eng_trash *t)
{
  if (t->data_fd < 0)
    return;   /* nothing was moved: removed in place, or not at all */
  eng_cgroup_remove (c->id);
  eng_trash_empty (e, t);
}

int
eng_remove_locked (struct pc_engine *e, struct pc_container *c, pc_error **err)
{
  struct eng_trash t;
  if (eng_remove_commit (e, c, &t, err) < 0)
    return -1;
  eng_remove_finish (e, c, &t);
  return 0;
}

int
pc_engine_remove (struct pc_engine *e, struct pc_container *c, bool force, int timeout,
                  pc_error **err)
{
  int pod_r = eng_pod_remove_check (e, c, force, timeout, err);
  if (pod_r != 0)
    return pod_r < 0 ? -1 : 0;
  /* The monitor of a container that has exited is finishing: its teardown,
     then for --rm a removal of its own, which needs the lock. It gets a
     moment to end by itself before anything would kill it (run --rm waited
     here on a monitor it had killed mid-removal). */
  eng_state_read (e, c, false);
  /* One waiting for its restart (its monitor does not end by itself, and
     the backoff could start it again meanwhile) is told not to, as stop
     does. */
  if (c->state.status == PC_STATUS_EXITED && eng_restart_may (c))
    eng_restart_cancel (e, c);
  else if (c->state.status == PC_STATUS_EXITED)
    {
      int r = eng_removal_by_monitor_wait (e, c, err);
      if (r != 0)
        return r < 0 ? -1 : 0;
      int pfds[2];
      pid_t pids[2];
      size_t n = eng_open_monitors (e, c, pfds, pids);
      eng_monitors_or_removal_wait (e, c, pfds, n, 2000);
      for (size_t i = 0; i < n; i++)
        close (pfds[i]);
    }
  int lock = eng_lock_container (e, c->id, err);
  if (lock < 0)
    {
      if ((*err)->status == ENOENT)
        {
          pc_error_clear (err);
          pc_debug ("container %.12s removed by its monitor", c->id);
          return 0;
        }
      return -1;
    }
  if (record_gone (e, c->id))
    {
      eng_unlock (lock);   /* removed meanwhile (its --rm monitor) */
      pc_debug ("container %.12s removed by its monitor", c->id);
      return 0;
    }
  int r = 0;
  eng_state_read (e, c, true);
  /* podman: a running one without -f is refused for that first. */
  bool up = c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED;
  if ((force || !up) && eng_depend_check (e, c, err) < 0)
    {
      eng_unlock (lock);
      return -1;
    }
  if (c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED)
    {
      if (!force)
        r = pc_error_makec (err, PC_ERR_STATE, EBUSY,
                           "cannot remove container %s as it is %s - running or paused containers cannot be "
                           "removed without force: container state improper",
                           c->id, pc_container_status_name (c->state.status));
      else
        {
          /* Stopped without the lock, as pc_engine_stop, then locked again
             to remove: a second rm -f -t 0 is not held up by this one's
             stop timeout. */
          eng_unlock (lock);
          if (pc_engine_stop (e, c, timeout, err) < 0)
            return -1;
          lock = eng_lock_container (e, c->id, err);
          if (lock < 0)
            {
              if ((*err)->status != ENOENT)
                return -1;
              pc_error_clear (err);   /* removed meanwhile */
              return 0;
            }
          if (record_gone (e, c->id))
            {
              eng_unlock (lock);
              return 0;
            }
          eng_state_read (e, c, true);
          if (c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED)
            r = pc_error_makec (err, PC_ERR_STATE, EBUSY, "container %s was started again while being removed", c->id);
        }
    }
  /* Whatever the status says, a monitor the state dir still names is
     gone before the record goes (rm -f of a created container whose pc
     was killed, or one whose record cannot be read). Without force only
     an exited or created container gets here. */
  struct eng_trash t;
  eng_trash_init (&t);
  if (r == 0)
    r = eng_reap_monitors (e, c, err);
  if (r == 0)
    r = eng_remove_commit (e, c, &t, err);
  eng_unlock (lock);
  if (r == 0)
    {
      pc_debug ("container %.12s removed", c->id);
      eng_remove_finish (e, c, &t);
    }
  return r;
}
