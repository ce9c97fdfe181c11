/* Pods as records: ROOT/engine/pods/ID/pod.json (podman's `pod inspect`
   names), the lock beside it, the name in ROOT/engine/pod-names; the
   members found by their container records' "Pod" (docs/pods.md). */
#include "pkg/engine/internal.h"
#include "pkg/engine/pod.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

void
pc_pod_free (struct pc_pod *p)
{
  if (p == NULL)
    return;
  free (p->name);
  free (p->infra_id);
  if (p->rec)
    json_object_put (p->rec);
  free (p);
}

void
pc_pod_list_free (struct pc_pod **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    pc_pod_free (v[i]);
  free (v);
}

/* DATA/pods or DATA/pod-names, made on first use. */
int
eng_pod_dir (struct pc_engine *e, const char *which, pc_error **err)
{
  pc_autofree char *p = xasprintf ("%s/%s", e->data_dir, which);
  int fd = open (p, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (fd >= 0)
    return fd;
  if (errno != ENOENT)
    return pc_error_errno (err, errno, "open `%s`", p);
  if (pc_mkdir_p (AT_FDCWD, p, 0700, err) < 0)
    return -1;
  fd = open (p, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return pc_error_errno (err, errno, "open `%s`", p);
  return fd;
}

int
eng_pod_lock (struct pc_engine *e, const char *id, pc_error **err)
{
  pc_autoclose int dfd = eng_pod_dir (e, "pods", err);
  if (dfd < 0)
    return -1;
  pc_autofree char *p = xasprintf ("%s/lock", id);
  int fd = openat (dfd, p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "no pod with name or ID %s found: no such pod", id);
      return pc_error_errno (err, errno, "open lock of pod %s", id);
    }
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  while (fcntl (fd, F_OFD_SETLKW, &fl) < 0)
    {
      if (errno == EINTR)
        continue;
      int saved = errno;
      close (fd);
      return pc_error_errno (err, saved, "lock pod %s", id);
    }
  return fd;
}

static int
pod_load (struct pc_engine *e, int dfd, const char *id, struct pc_pod **out, pc_error **err)
{
  pc_autofree char *path = xasprintf ("%s/pod.json", id);
  json_object *rec = pc_json_read_file_max (dfd, path, 1 << 20, err);
  if (rec == NULL)
    return -1;
  (void) e;
  const char *name = pc_json_get_string (rec, "Name");
  const char *rid = pc_json_get_string (rec, "Id");
  if (name == NULL || rid == NULL || strcmp (rid, id) != 0)
    {
      json_object_put (rec);
      return pc_error_make (err, EINVAL, "pod record %s is damaged (no Name or Id)", id);
    }
  struct pc_pod *p = xmalloc0 (sizeof *p);
  snprintf (p->id, sizeof p->id, "%s", id);
  p->name = xstrdup (name);
  p->rec = rec;
  const char *infra = pc_json_get_string (rec, "InfraContainerID");
  if (infra && *infra)
    p->infra_id = xstrdup (infra);
  pc_autoerror pc_error *terr = NULL;
  pc_time_parse_rfc3339 (pc_json_get_string (rec, "Created"), &p->created, &terr);
  *out = p;
  return 0;
}

int
eng_pod_save (struct pc_engine *e, struct pc_pod *p, pc_error **err)
{
  pc_autoclose int dfd = eng_pod_dir (e, "pods", err);
  if (dfd < 0)
    return -1;
  pc_autofree char *path = xasprintf ("%s/pod.json", p->id);
  const char *s = json_object_to_json_string_ext (p->rec, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  return pc_write_file_atomic (dfd, path, s, strlen (s), 0644, err);
}

static int
name_read (int ndfd, const char *name, char id[65])
{
  char buf[80];
  int n = eng_read_small (ndfd, name, buf, sizeof buf);
  if (n < 64)
    return -1;
  memcpy (id, buf, 64);
  id[64] = '\0';
  return 0;
}

/* A reservation without a record whose pod lock nobody holds: its
   creator died before writing pod.json. */
static bool
name_stale (int ndfd, int pdfd, const char *name)
{
  char id[65];
  if (name_read (ndfd, name, id) < 0)
    return true;
  char path[96];
  snprintf (path, sizeof path, "%s/pod.json", id);
  if (faccessat (pdfd, path, F_OK, 0) == 0)
    return false;
  snprintf (path, sizeof path, "%s/lock", id);
  pc_autoclose int fd = openat (pdfd, path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return true;
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  return fcntl (fd, F_OFD_SETLK, &fl) == 0;
}

int
eng_pod_name_reserve (struct pc_engine *e, const char *name, const char *id, pc_error **err)
{
  if (!eng_name_valid (name))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
  /* podman keeps one namespace for pods and containers. */
  pc_autocontainer struct pc_container *c = NULL;
  pc_autoerror pc_error *lerr = NULL;
  char buf[80];
  if (eng_read_small (e->names_dfd, name, buf, sizeof buf) >= 64 && pc_engine_lookup (e, name, &c, &lerr) == 0)
    return pc_error_makec (err, PC_ERR_EXISTS, EEXIST, "name \"%s\" is in use: container already exists", name);
  pc_autoclose int ndfd = eng_pod_dir (e, "pod-names", err);
  if (ndfd < 0)
    return -1;
  pc_autoclose int pdfd = eng_pod_dir (e, "pods", err);
  if (pdfd < 0)
    return -1;
  char tmp[80];
  snprintf (tmp, sizeof tmp, ".tmp-%.64s", id);
  pc_autoclose int fd = openat (ndfd, tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return pc_error_errno (err, errno, "reserve pod name \"%s\"", name);
  pc_autoerror pc_error *werr = NULL;
  if (pc_write_all (fd, id, 64, &werr) < 0 || fsync (fd) < 0)
    {
      unlinkat (ndfd, tmp, 0);
      return pc_error_make (err, EIO, "reserve pod name \"%s\": cannot write the reservation", name);
    }
  for (int attempt = 0;; attempt++)
    {
      if (linkat (ndfd, tmp, ndfd, name, 0) == 0)
        {
          unlinkat (ndfd, tmp, 0);
          fsync (ndfd);
          return 0;
        }
      int saved = errno;
      if (saved == EEXIST && attempt < 3 && name_stale (ndfd, pdfd, name))
        {
          unlinkat (ndfd, name, 0);
          continue;
        }
      unlinkat (ndfd, tmp, 0);
      if (saved != EEXIST)
        return pc_error_errno (err, saved, "reserve pod name \"%s\"", name);
      /* podman's words. */
      return pc_error_makec (err, PC_ERR_EXISTS, EEXIST, "adding pod to state: name \"%s\" is in use: pod already exists",
                             name);
    }
}

bool
eng_pod_name_taken (struct pc_engine *e, const char *name)
{
  pc_autofree char *dir = xasprintf ("%s/pod-names", e->data_dir);
  pc_autoclose int ndfd = open (dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (ndfd < 0)
    return false;
  pc_autoerror pc_error *err = NULL;
  pc_autoclose int pdfd = eng_pod_dir (e, "pods", &err);
  return pdfd >= 0 && faccessat (ndfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0 && !name_stale (ndfd, pdfd, name);
}

void
eng_pod_name_release (struct pc_engine *e, const char *name, const char *id)
{
  pc_autoerror pc_error *err = NULL;
  pc_autoclose int ndfd = eng_pod_dir (e, "pod-names", &err);
  char cur[65];
  if (ndfd < 0 || name == NULL || *name == '\0')
    return;
  if (name_read (ndfd, name, cur) == 0 && strcmp (cur, id) != 0)
    return;
  unlinkat (ndfd, name, 0);
}

static bool
is_hex (const char *s)
{
  return *s && strspn (s, "0123456789abcdef") == strlen (s);
}

int
pc_engine_pod_lookup (struct pc_engine *e, const char *ref, struct pc_pod **out, pc_error **err)
{
  pc_autoclose int ndfd = eng_pod_dir (e, "pod-names", err);
  if (ndfd < 0)
    return -1;
  pc_autoclose int pdfd = eng_pod_dir (e, "pods", err);
  if (pdfd < 0)
    return -1;
  char id[65];
  pc_autoerror pc_error *lerr = NULL;
  if (eng_name_valid (ref) && name_read (ndfd, ref, id) == 0 && pod_load (e, pdfd, id, out, &lerr) == 0)
    return 0;
  pc_error_clear (&lerr);
  if (is_hex (ref) && strlen (ref) <= 64)
    {
      int dfd = dup (pdfd);
      if (dfd < 0)
        return pc_error_errno (err, errno, "dup");
      pc_autoclosedir DIR *d = fdopendir (dfd);
      if (d == NULL)
        {
          close (dfd);
          return pc_error_errno (err, errno, "read pods");
        }
      size_t rl = strlen (ref);
      int matches = 0;
      struct dirent *de;
      while ((de = readdir (d)))
        if (strlen (de->d_name) == 64 && strncmp (de->d_name, ref, rl) == 0)
          {
            char path[96];
            snprintf (path, sizeof path, "%s/pod.json", de->d_name);
            if (faccessat (pdfd, path, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
              continue;
            memcpy (id, de->d_name, 65);
            matches++;
          }
      if (matches > 1)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "more than one result for pod ID prefix \"%s\": use more characters of the ID", ref);
      if (matches == 1)
        return pod_load (e, pdfd, id, out, err);
    }
  return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "no pod with name or ID %s found: no such pod", ref);
}

static void
collect_abandoned (int pdfd, const char *id)
{
  char path[96];
  snprintf (path, sizeof path, "%s/lock", id);
  pc_autoclose int fd = openat (pdfd, path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  if (fd < 0 || fcntl (fd, F_OFD_SETLK, &fl) < 0)
    return;   /* its creator is still at work (it makes the lock first thing) */
  snprintf (path, sizeof path, "%s/pod.json", id);
  if (faccessat (pdfd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    return;   /* written meanwhile */
  pc_autoerror pc_error *err = NULL;
  pc_rm_rf_at (pdfd, id, &err);
}

static int
cmp_pod_created_desc (const void *a, const void *b)
{
  const struct pc_pod *x = *(struct pc_pod *const *) a;
  const struct pc_pod *y = *(struct pc_pod *const *) b;
  if (x->created.tv_sec != y->created.tv_sec)
    return x->created.tv_sec < y->created.tv_sec ? 1 : -1;
  if (x->created.tv_nsec != y->created.tv_nsec)
    return x->created.tv_nsec < y->created.tv_nsec ? 1 : -1;
  return strcmp (x->id, y->id);
}

int
pc_engine_pod_list (struct pc_engine *e, struct pc_pod ***out, size_t *n, pc_error **err)
{
  pc_autoclose int pdfd = eng_pod_dir (e, "pods", err);
  if (pdfd < 0)
    return -1;
  int dfd = dup (pdfd);
  if (dfd < 0)
    return pc_error_errno (err, errno, "dup");
  pc_autoclosedir DIR *d = fdopendir (dfd);
  if (d == NULL)
    {
      close (dfd);
      return pc_error_errno (err, errno, "read pods");
    }
  size_t cap = 8, len = 0;
  struct pc_pod **v = xmalloc (cap * sizeof *v);
  struct dirent *de;
  while ((de = readdir (d)))
    {
      if (strlen (de->d_name) != 64)
        continue;
      struct pc_pod *p = NULL;
      pc_autoerror pc_error *lerr = NULL;
      /* Being created or removed right now: not there (yet, any more).
         A directory without a record whose lock nobody holds was left by
         a killed create or rm: it goes. */
      if (pod_load (e, pdfd, de->d_name, &p, &lerr) < 0)
        {
          if (lerr && lerr->status == ENOENT)
            collect_abandoned (pdfd, de->d_name);
          continue;
        }
      if (len == cap)
        v = xrealloc (v, (cap *= 2) * sizeof *v);
      v[len++] = p;
    }
  qsort (v, len, sizeof *v, cmp_pod_created_desc);
  *out = v;
  *n = len;
  return 0;
}

/* The members the infra's death left without their network: told once
   (the next pod command after a kill -9 of the infra's monitor) and
   stopped, so nothing runs in a pod whose namespaces' holder is gone. */
static void
collect_dead_infra (struct pc_engine *e, struct pc_pod *p, struct pc_container **v, size_t n)
{
  if (n == 0 || p->infra_id == NULL || strcmp (v[0]->id, p->infra_id) != 0)
    return;
  if (v[0]->state.status != PC_STATUS_EXITED)
    return;
  size_t running = 0;
  for (size_t i = 1; i < n; i++)
    if ((v[i]->state.status == PC_STATUS_RUNNING || v[i]->state.status == PC_STATUS_PAUSED)
        && eng_pod_member_shares (p, v[i]))
      running++;
  if (running == 0)
    return;
  pc_warn ("the infra container %.12s of pod %s exited (%d%s) while %zu of its containers ran: stopping them",
           p->infra_id, p->name, v[0]->state.exit_code,
           v[0]->state.monitor_lost || v[0]->state.exit_code == 137 ? ", its monitor was killed" : "", running);
  for (size_t i = 1; i < n; i++)
    if ((v[i]->state.status == PC_STATUS_RUNNING || v[i]->state.status == PC_STATUS_PAUSED)
        && eng_pod_member_shares (p, v[i]))
      {
        pc_autoerror pc_error *serr = NULL;
        if (pc_engine_stop (e, v[i], 0, &serr) < 0)
          pc_warn ("%s", serr->msg);
        eng_state_read (e, v[i], true);
      }
}

int
pc_engine_pod_members (struct pc_engine *e, struct pc_pod *p, struct pc_container ***out, size_t *n,
                       pc_error **err)
{
  struct pc_container **all = NULL;
  size_t na = 0;
  if (pc_engine_list (e, &all, &na, err) < 0)
    return -1;
  struct pc_container **v = xmalloc0 ((na + 1) * sizeof *v);
  size_t len = 0;
  for (size_t i = 0; i < na; i++)
    {
      const char *pod = pc_json_get_string (all[i]->rec, "Pod");
      if (pod == NULL || strcmp (pod, p->id) != 0)
        {
          pc_container_free (all[i]);
          continue;
        }
      if (p->infra_id && strcmp (all[i]->id, p->infra_id) == 0)
        {
          memmove (v + 1, v, len * sizeof *v);
          v[0] = all[i];
        }
      else
        v[len] = all[i];
      len++;
    }
  free (all);
  collect_dead_infra (e, p, v, len);
  *out = v;
  *n = len;
  return 0;
}

const char *
pc_engine_pod_status (struct pc_container *const *members, size_t n)
{
  /* podman's createPodStatusResults. */
  size_t running = 0, paused = 0, exited = 0, created = 0;
  for (size_t i = 0; i < n; i++)
    switch (members[i]->state.status)
      {
      case PC_STATUS_RUNNING: running++; break;
      case PC_STATUS_PAUSED: paused++; break;
      case PC_STATUS_EXITED: exited++; break;
      default: created++; break;
      }
  if (n == 0)
    return "Created";
  if (running == n)
    return "Running";
  if (running > 0)
    return "Degraded";
  if (paused == n)
    return "Paused";
  if (exited == n)
    return "Exited";
  if (exited > 0)
    return "Stopped";
  return "Created";
}

static void
copy_key (json_object *to, json_object *from, const char *key)
{
  json_object *v = NULL;
  if (json_object_object_get_ex (from, key, &v))
    json_object_object_add (to, key, json_object_get (v));
}

json_object *
pc_engine_pod_inspect (struct pc_engine *e, struct pc_pod *p)
{
  struct pc_container **v = NULL;
  size_t n = 0;
  pc_autoerror pc_error *err = NULL;
  if (pc_engine_pod_members (e, p, &v, &n, &err) < 0)
    n = 0;
  /* podman's order of fields. */
  json_object *o = json_object_new_object ();
  copy_key (o, p->rec, "Id");
  copy_key (o, p->rec, "Name");
  copy_key (o, p->rec, "Created");
  copy_key (o, p->rec, "CreateCommand");
  copy_key (o, p->rec, "ExitPolicy");
  json_object_object_add (o, "State", json_object_new_string (pc_engine_pod_status (v, n)));
  copy_key (o, p->rec, "Hostname");
  /* podman leaves out what is empty (omitempty). */
  json_object *labels = pc_json_get_object (p->rec, "Labels");
  if (labels && json_object_object_length (labels) > 0)
    copy_key (o, p->rec, "Labels");
  copy_key (o, p->rec, "CreateCgroup");
  copy_key (o, p->rec, "CgroupParent");
  copy_key (o, p->rec, "CreateInfra");
  if (p->infra_id)
    {
      copy_key (o, p->rec, "InfraContainerID");
      copy_key (o, p->rec, "InfraConfig");
    }
  json_object *sh = pc_json_get_array (p->rec, "SharedNamespaces");
  if (pc_json_array_len (sh))
    json_object_object_add (o, "SharedNamespaces", json_object_get (sh));
  json_object_object_add (o, "NumContainers", json_object_new_int ((int) n));
  if (n)
    {
      json_object *ca = json_object_new_array ();
      for (size_t i = 0; i < n; i++)
        {
          json_object *c = json_object_new_object ();
          json_object_object_add (c, "Id", json_object_new_string (v[i]->id));
          json_object_object_add (c, "Name", json_object_new_string (v[i]->name));
          json_object_object_add (c, "State", json_object_new_string (pc_container_status_name (v[i]->state.status)));
          json_object_array_add (ca, c);
        }
      json_object_object_add (o, "Containers", ca);
    }
  pc_container_list_free (v, n);
  return o;
}

bool
eng_pod_shares (struct pc_pod *p, const char *ns)
{
  json_object *sh = pc_json_get_array (p->rec, "SharedNamespaces");
  for (size_t i = 0; i < pc_json_array_len (sh); i++)
    if (pc_json_array_string_at (sh, i) && strcmp (pc_json_array_string_at (sh, i), ns) == 0)
      return true;
  return false;
}

bool
eng_pod_member_shares (struct pc_pod *p, struct pc_container *c)
{
  if (p->infra_id == NULL)
    return false;
  json_object *hc = pc_json_get (c->rec, "HostConfig");
  pc_autofree char *want = xasprintf ("container:%s", p->infra_id);
  static const char *const keys[] = { "NetworkMode", "IpcMode", "UTSMode", "PidMode", NULL };
  for (const char *const *k = keys; *k; k++)
    {
      const char *m = pc_json_get_string (hc, *k);
      if (m && strcmp (m, want) == 0)
        return true;
    }
  return false;
}
