/* A pod's lifecycle: start (the infra, then the members, from inside the
   pod's user namespace), stop (the members, then the infra), kill, pause,
   remove, and the exit policy run by a member's monitor. */
#include "pkg/engine/internal.h"
#include "pkg/engine/pod.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/monitor/monitor.h"
#include "pkg/engine/events.h"

static bool
is_up (const struct pc_container *c)
{
  return c->state.status == PC_STATUS_RUNNING || c->state.status == PC_STATUS_PAUSED;
}

/* The first error is returned; later ones are told as warnings. */
static void
keep_first (pc_error **first, pc_error **e)
{
  if (*first == NULL)
    *first = *e;
  else
    {
      pc_warn ("%s", (*e)->msg);
      pc_error_free (*e);
    }
  *e = NULL;
}

static int
start_members (struct pc_engine *e, struct pc_pod *p, void *data, pc_error **err)
{
  (void) data;
  struct pc_container **v = NULL;
  size_t n = 0;
  if (pc_engine_pod_members (e, p, &v, &n, err) < 0)
    return -1;
  pc_error *first = NULL;
  for (size_t i = 0; i < n; i++)
    {
      if (is_up (v[i]) || (p->infra_id && strcmp (v[i]->id, p->infra_id) == 0))
        continue;
      pc_error *serr = NULL;
      if (pc_engine_start (e, v[i], NULL, NULL, &serr) < 0)
        {
          pc_error_wrap (&serr, "starting container %s", v[i]->id);
          keep_first (&first, &serr);
        }
    }
  pc_container_list_free (v, n);
  if (first)
    {
      *err = first;
      return -1;
    }
  return 0;
}

int
pc_engine_pod_start (struct pc_engine *e, struct pc_pod *p, pc_error **err)
{
  return eng_events_pod_rc (e, p, "start", pc_engine_pod_run_in (e, p, start_members, NULL, err));
}

/* Every member's stop signal at once, a wait for each up to its own
   timeout, then SIGKILL for those still there (pc_engine_stop with 0). */
static int
stop_all (struct pc_engine *e, struct pc_container **v, size_t n, int timeout, pc_error **err)
{
  pc_error *first = NULL;
  int64_t start = eng_now_ms ();
  for (size_t i = 0; i < n; i++)
    if (is_up (v[i]))
      {
        int sig = (int) pc_json_get_int (pc_json_get (v[i]->rec, "Config"), "StopSignal", SIGTERM);
        pc_autoerror pc_error *kerr = NULL;
        if (v[i]->state.status == PC_STATUS_RUNNING)
          pc_engine_kill (e, v[i], sig > 0 ? sig : SIGTERM, &kerr);
      }
  for (size_t i = 0; i < n; i++)
    {
      if (!is_up (v[i]))
        continue;
      int t = timeout >= 0 ? timeout
                           : (int) pc_json_get_int (pc_json_get (v[i]->rec, "Config"), "StopTimeout",
                                                    PC_DEFAULT_STOP_TIMEOUT);
      int64_t left = (int64_t) t * 1000 - (eng_now_ms () - start);
      pc_error *serr = NULL;
      if (left > 0 && v[i]->state.status == PC_STATUS_RUNNING && eng_wait_exit (e, v[i], left, &serr) < 0)
        keep_first (&first, &serr);
      eng_state_read (e, v[i], true);
      if (is_up (v[i]) && pc_engine_stop (e, v[i], 0, &serr) < 0)
        keep_first (&first, &serr);
    }
  if (first)
    {
      *err = first;
      return -1;
    }
  return 0;
}

int
pc_engine_pod_stop (struct pc_engine *e, struct pc_pod *p, int timeout, pc_error **err)
{
  struct pc_container **v = NULL;
  size_t n = 0;
  if (pc_engine_pod_members (e, p, &v, &n, err) < 0)
    return -1;
  size_t first = p->infra_id && n && strcmp (v[0]->id, p->infra_id) == 0 ? 1 : 0;
  int r = stop_all (e, v + first, n - first, timeout, err);
  if (r == 0 && first)
    r = stop_all (e, v, 1, timeout, err);
  pc_container_list_free (v, n);
  return eng_events_pod_rc (e, p, "stop", r);
}

int
pc_engine_pod_kill (struct pc_engine *e, struct pc_pod *p, int sig, pc_error **err)
{
  struct pc_container **v = NULL;
  size_t n = 0;
  if (pc_engine_pod_members (e, p, &v, &n, err) < 0)
    return -1;
  pc_error *first = NULL;
  /* The infra (v[0]) last. */
  for (size_t k = 0; k < n; k++)
    {
      size_t i = (k + 1) % n;
      if (!is_up (v[i]))
        continue;
      pc_error *kerr = NULL;
      if (pc_engine_kill (e, v[i], sig, &kerr) < 0)
        keep_first (&first, &kerr);
    }
  pc_container_list_free (v, n);
  if (first)
    {
      *err = first;
      return -1;
    }
  /* podman 4.3 kills a pod with nothing running (or no container at all)
     without complaint, and prints its ID. */
  return eng_events_pod_rc (e, p, "kill", 0);
}

static int
pause_all (struct pc_engine *e, struct pc_pod *p, bool pause, pc_error **err)
{
  struct pc_container **v = NULL;
  size_t n = 0;
  if (pc_engine_pod_members (e, p, &v, &n, err) < 0)
    return -1;
  pc_error *first = NULL;
  for (size_t i = 0; i < n; i++)
    {
      pc_error *perr = NULL;
      if (pause && v[i]->state.status == PC_STATUS_RUNNING && pc_engine_pause (e, v[i], &perr) < 0)
        keep_first (&first, &perr);
      if (!pause && v[i]->state.status == PC_STATUS_PAUSED && pc_engine_unpause (e, v[i], &perr) < 0)
        keep_first (&first, &perr);
    }
  pc_container_list_free (v, n);
  if (first)
    {
      *err = first;
      return -1;
    }
  return 0;
}

int
pc_engine_pod_pause (struct pc_engine *e, struct pc_pod *p, pc_error **err)
{
  return eng_events_pod_rc (e, p, "pause", pause_all (e, p, true, err));
}

int
pc_engine_pod_unpause (struct pc_engine *e, struct pc_pod *p, pc_error **err)
{
  return eng_events_pod_rc (e, p, "unpause", pause_all (e, p, false, err));
}

/* The members, the infra (v[0]) last, then the pod's record, name and
   runtime directory, under the pod's lock. */
static int
remove_locked (struct pc_engine *e, struct pc_pod *p, struct pc_container **v, size_t n, bool force, int timeout,
               pc_error **err)
{
  int lock = eng_pod_lock (e, p->id, err);
  if (lock < 0)
    return -1;
  pc_error *first = NULL;
  e->flags |= ENG_POD_REMOVING;
  for (size_t k = 0; k < n; k++)
    {
      size_t i = (k + 1) % n;
      pc_error *rerr = NULL;
      eng_state_read (e, v[i], true);
      if (pc_engine_remove (e, v[i], force, timeout, &rerr) < 0)
        keep_first (&first, &rerr);
    }
  e->flags &= ~ENG_POD_REMOVING;
  if (first)
    {
      *err = first;
      eng_unlock (lock);
      return -1;
    }
  pc_autoclose int pdfd = eng_pod_dir (e, "pods", err);
  if (pdfd < 0)
    {
      eng_unlock (lock);
      return -1;
    }
  /* The record first: nobody sees a half-removed pod. */
  pc_autofree char *rec = xasprintf ("%s/pod.json", p->id);
  if (unlinkat (pdfd, rec, 0) < 0 && errno != ENOENT)
    {
      pc_error_errno (err, errno, "remove the record of pod %s", p->id);
      eng_unlock (lock);
      return -1;
    }
  eng_pod_name_release (e, p->name, p->id);
  pc_autofree char *rundir = xasprintf ("%s/pods/%s", e->run_dir, p->id);
  pc_autofree char *shm = eng_pod_shm_dir (e, p->id);
  eng_pod_shm_umount (shm);
  pc_autoerror pc_error *rerr = NULL;
  if (pc_rm_rf_at (AT_FDCWD, rundir, &rerr) < 0)
    pc_warn ("%s", rerr->msg);
  int r = pc_rm_rf_at (pdfd, p->id, err);
  eng_unlock (lock);
  return r;
}

int
pc_engine_pod_remove (struct pc_engine *e, struct pc_pod *p, bool force, int timeout, pc_error **err)
{
  struct pc_container **v = NULL;
  size_t n = 0;
  if (pc_engine_pod_members (e, p, &v, &n, err) < 0)
    return -1;
  int ret = -1;
  /* podman 4.3: a running infra alone does not stop a plain pod rm (the
     pod is stopped first); a member that is up does. */
  bool member_up = false, infra_up = false;
  for (size_t i = 0; i < n; i++)
    {
      bool infra = p->infra_id && strcmp (v[i]->id, p->infra_id) == 0;
      member_up |= is_up (v[i]) && !infra;
      infra_up |= is_up (v[i]) && infra;
    }
  if (!force && !member_up)
    {
      if (infra_up && pc_engine_pod_stop (e, p, timeout, err) < 0)
        goto out;
    }
  else if (!force)
    {
      /* podman's words, one line per container that is up, the infra
         (v[0]) last: while members exist it is their dependency. */
      pc_autofree char *lines = xstrdup ("");
      size_t nerr = 0;
      for (size_t k = 0; k < n; k++)
        {
          size_t i = (k + 1) % n;
          if (!is_up (v[i]))
            continue;
          char *l;
          if (i == 0 && n > 1 && p->infra_id && strcmp (v[0]->id, p->infra_id) == 0)
            l = xasprintf ("%s%sremoving container %s from pod %s: a container that depends on container %s still "
                           "exists: dependency exists", lines, nerr ? "\n\t* " : "", v[i]->id, p->id, v[i]->id);
          else
            l = xasprintf ("%s%sremoving container %s from pod %s: cannot remove container %s as it is %s - "
                           "running or paused containers cannot be removed without force: container state improper",
                           lines, nerr ? "\n\t* " : "", v[i]->id, p->id, v[i]->id,
                           pc_container_status_name (v[i]->state.status));
          free (lines);
          lines = l;
          nerr++;
        }
      if (nerr == 1)
        {
          pc_error_makec (err, PC_ERR_STATE, EBUSY, "%s", lines);
          goto out;
        }
      if (nerr > 1)
        {
          pc_error_makec (err, PC_ERR_STATE, EBUSY, "%zu errors occurred:\n\t* %s\n", nerr, lines);
          goto out;
        }
    }
  else if (pc_engine_pod_stop (e, p, timeout, err) < 0)
    goto out;
  ret = eng_events_pod_rc (e, p, "remove", remove_locked (e, p, v, n, force, timeout, err));

out:
  pc_container_list_free (v, n);
  return ret;
}

/* --exit-policy stop: the monitor of a member that exited stops the infra
   once no other member is up. It is a fork of the starting pc: plain
   copies in static storage are valid there. */
static struct
{
  char *root, *runroot, *driver;
  char pod[65], ctr[65];
  void (*prev) (void *data, int exit_code);
  void *prev_data;
} exit_policy;

static void
exit_policy_run (void *data, int exit_code)
{
  (void) data;
  if (exit_policy.prev)
    exit_policy.prev (exit_policy.prev_data, exit_code);
  struct pc_engine_options o = { .root = exit_policy.root, .runroot = exit_policy.runroot,
                                 .storage_driver = exit_policy.driver };
  struct pc_engine *e = NULL;
  pc_autoerror pc_error *err = NULL;
  if (pc_engine_open (&o, 0, &e, &err) < 0)
    return;
  pc_autopod struct pc_pod *p = NULL;
  struct pc_container **v = NULL;
  size_t n = 0;
  if (pc_engine_pod_lookup (e, exit_policy.pod, &p, &err) == 0 && p->infra_id
      && pc_engine_pod_members (e, p, &v, &n, &err) == 0)
    {
      size_t up = 0;
      for (size_t i = 0; i < n; i++)
        if (strcmp (v[i]->id, p->infra_id) != 0 && strcmp (v[i]->id, exit_policy.ctr) != 0 && is_up (v[i]))
          up++;
      if (up == 0 && n && strcmp (v[0]->id, p->infra_id) == 0 && is_up (v[0]))
        pc_engine_stop (e, v[0], -1, &err);
      pc_container_list_free (v, n);
    }
  pc_engine_close (e);
}

void
eng_pod_exit_hook (struct pc_engine *e, struct pc_container *c, struct pc_monitor_config *mc)
{
  const char *pod = pc_json_get_string (c->rec, "Pod");
  if (pod == NULL || pc_json_get_bool (c->rec, "IsInfra", false))
    return;
  pc_autopod struct pc_pod *p = NULL;
  pc_autoerror pc_error *err = NULL;
  if (pc_engine_pod_lookup (e, pod, &p, &err) < 0)
    return;
  const char *policy = pc_json_get_string (p->rec, "ExitPolicy");
  if (policy == NULL || strcmp (policy, "stop") != 0 || p->infra_id == NULL)
    return;
  free (exit_policy.root);
  free (exit_policy.runroot);
  free (exit_policy.driver);
  exit_policy.root = xstrdup (e->root_dir);
  exit_policy.runroot = xstrdup (e->run_dir);
  exit_policy.driver = e->driver ? xstrdup (e->driver) : NULL;
  snprintf (exit_policy.pod, sizeof exit_policy.pod, "%s", p->id);
  snprintf (exit_policy.ctr, sizeof exit_policy.ctr, "%s", c->id);
  exit_policy.prev = mc->on_exit;
  exit_policy.prev_data = mc->on_exit_data;
  mc->on_exit = exit_policy_run;
  mc->on_exit_data = NULL;
}

int
eng_pod_remove_check (struct pc_engine *e, struct pc_container *c, bool force, int timeout, pc_error **err)
{
  const char *pod = pc_json_get_string (c->rec, "Pod");
  if (pod == NULL || !pc_json_get_bool (c->rec, "IsInfra", false) || (e->flags & ENG_POD_REMOVING))
    return 0;
  pc_autopod struct pc_pod *p = NULL;
  pc_autoerror pc_error *lerr = NULL;
  if (pc_engine_pod_lookup (e, pod, &p, &lerr) < 0)
    return 0;   /* its pod is gone (a removal that was killed half-way) */
  if (force)
    {
      /* The last container of its pod (rm -fa removed the members first):
         the pod goes with it, as podman's rm -a -f leaves no pod behind. */
      struct pc_container **v = NULL;
      size_t n = 0;
      if (pc_engine_pod_members (e, p, &v, &n, err) < 0)
        return -1;
      pc_container_list_free (v, n);
      if (n == 1)
        return pc_engine_pod_remove (e, p, true, timeout, err) < 0 ? -1 : 1;
    }
  /* podman: 125 from rm, not the 2 of a container in use. */
  return pc_error_makec (err, PC_ERR_INVALID, EBUSY,
                         "container %s is the infra container of pod %s and cannot be removed without removing the pod",
                         c->id, p->id);
}
