/* pc top: the container's processes, read from /proc (the processes whose
   pid namespace is that of the container's pid 1), with podman's (psgo's)
   descriptors and headers. No ps binary runs. */
#include "pkg/engine/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

static const struct
{
  const char *name, *header;
} descs[] = {
  { "user", "USER" }, { "pid", "PID" }, { "ppid", "PPID" }, { "pcpu", "%CPU" },
  { "etime", "ELAPSED" }, { "tty", "TTY" }, { "time", "TIME" }, { "args", "COMMAND" },
  { "comm", "COMMAND" }, { "group", "GROUP" }, { "hpid", "HPID" }, { "huser", "HUSER" },
  { "nice", "NI" }, { "pgid", "PGID" }, { "state", "STATE" }, { "vsz", "VSZ" },
};
#define N_DESCS (sizeof descs / sizeof *descs)

static const char *const default_descs[] = { "user", "pid", "ppid", "pcpu", "etime", "tty",
                                             "time", "args", NULL };

struct proc_info
{
  pid_t hpid, pid, ppid_ns, pgid;
  unsigned long uid, gid;   /* as seen in the container */
  unsigned long huid;
  char state;
  long nice;
  unsigned long long utime, stime, start;
  unsigned long long vsz;
  int tty_nr;
  char comm[64];
  char *args;
};

/* Go's time.Duration.String(): "1h2m3.5s", "2.234571349s", "0s". */
static char *
go_duration (unsigned long long ns)
{
  if (ns == 0)
    return xstrdup ("0s");
  unsigned long long h = ns / 3600000000000ULL;
  ns %= 3600000000000ULL;
  unsigned long long m = ns / 60000000000ULL;
  ns %= 60000000000ULL;
  unsigned long long s = ns / 1000000000ULL, frac = ns % 1000000000ULL;
  char fs[16] = "";
  if (frac)
    {
      snprintf (fs, sizeof fs, ".%09llu", frac);
      for (size_t n = strlen (fs); n > 1 && fs[n - 1] == '0'; n--)
        fs[n - 1] = '\0';
    }
  if (h)
    return xasprintf ("%lluh%llum%llu%ss", h, m, s, fs);
  if (m)
    return xasprintf ("%llum%llu%ss", m, s, fs);
  return xasprintf ("%llu%ss", s, fs);
}

/* Translates a host-side id to the container's view through uid_map / gid_map. */
static unsigned long
map_to_inside (pid_t pid, const char *file, unsigned long id)
{
  char path[64], buf[1024];
  snprintf (path, sizeof path, "/proc/%d/%s", (int) pid, file);
  if (eng_read_small (AT_FDCWD, path, buf, sizeof buf) <= 0)
    return id;
  char *save = NULL;
  for (char *l = strtok_r (buf, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
    {
      unsigned long in, out, len;
      if (sscanf (l, "%lu %lu %lu", &in, &out, &len) == 3 && id >= out && id - out < len)
        return in + (id - out);
    }
  return id;
}

static bool
read_proc (pid_t hpid, struct proc_info *p)
{
  char path[64], buf[4096];
  memset (p, 0, sizeof *p);
  p->hpid = hpid;
  snprintf (path, sizeof path, "/proc/%d/stat", (int) hpid);
  if (eng_read_small (AT_FDCWD, path, buf, sizeof buf) <= 0)
    return false;
  char *lp = strchr (buf, '('), *rp = strrchr (buf, ')');
  if (!lp || !rp)
    return false;
  snprintf (p->comm, sizeof p->comm, "%.*s", (int) (rp - lp - 1), lp + 1);
  int ppid, pgid, session, tty;
  long prio;
  if (sscanf (rp + 2, "%c %d %d %d %d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %ld %ld %*d %*d %llu %llu",
              &p->state, &ppid, &pgid, &session, &tty, &p->utime, &p->stime, &prio, &p->nice,
              &p->start, &p->vsz) != 11)
    return false;
  p->tty_nr = tty;
  snprintf (path, sizeof path, "/proc/%d/status", (int) hpid);
  if (eng_read_small (AT_FDCWD, path, buf, sizeof buf) <= 0)
    return false;
  char *nspid = strstr (buf, "\nNSpid:");
  char *nspgid = strstr (buf, "\nNSpgid:");
  char *uidl = strstr (buf, "\nUid:");
  char *gidl = strstr (buf, "\nGid:");
  char *ppidl = strstr (buf, "\nPPid:");
  (void) ppidl;
  if (nspid)
    {
      /* the last number of the line: the pid in the innermost namespace */
      char *end = strchr (nspid + 1, '\n');
      char *last = end ? end : nspid + strlen (nspid);
      while (last > nspid && (last[-1] == ' ' || last[-1] == '\t'))
        last--;
      while (last > nspid && last[-1] >= '0' && last[-1] <= '9')
        last--;
      p->pid = atoi (last);
    }
  if (nspgid)
    {
      char *end = strchr (nspgid + 1, '\n');
      char *last = end ? end : nspgid + strlen (nspgid);
      while (last > nspgid && (last[-1] == ' ' || last[-1] == '\t'))
        last--;
      while (last > nspgid && last[-1] >= '0' && last[-1] <= '9')
        last--;
      p->pgid = atoi (last);
    }
  if (uidl)
    p->huid = strtoul (uidl + 5, NULL, 10);
  p->uid = map_to_inside (hpid, "uid_map", p->huid);
  if (gidl)
    p->gid = map_to_inside (hpid, "gid_map", strtoul (gidl + 5, NULL, 10));
  p->ppid_ns = ppid;
  snprintf (path, sizeof path, "/proc/%d/cmdline", (int) hpid);
  int n = eng_read_small (AT_FDCWD, path, buf, sizeof buf);
  if (n > 0)
    {
      for (int i = 0; i < n - 1; i++)
        if (buf[i] == '\0')
          buf[i] = ' ';
      p->args = xstrdup (buf);
    }
  else
    p->args = xasprintf ("[%s]", p->comm);
  return true;
}

static char *
name_of (pid_t pid1, const char *file, unsigned long id)
{
  char path[64], buf[65536];
  snprintf (path, sizeof path, "/proc/%d/root/etc/%s", (int) pid1, file);
  if (eng_read_small (AT_FDCWD, path, buf, sizeof buf) > 0)
    {
      char *save = NULL;
      for (char *l = strtok_r (buf, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
        {
          char *c1 = strchr (l, ':');
          char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
          if (c2 && strtoul (c2 + 1, NULL, 10) == id && c2[1] >= '0' && c2[1] <= '9')
            return xstrndup (l, (size_t) (c1 - l));
        }
    }
  if (id == 0)
    return xstrdup (strcmp (file, "passwd") == 0 ? "root" : "root");
  return xasprintf ("%lu", id);
}

static char *
field (const char *d, const struct proc_info *p, pid_t pid1, const struct proc_info *all, size_t n)
{
  long hz = sysconf (_SC_CLK_TCK);
  struct timespec up;
  clock_gettime (CLOCK_BOOTTIME, &up);
  unsigned long long now_ns = (unsigned long long) up.tv_sec * 1000000000ULL + (unsigned long long) up.tv_nsec;
  unsigned long long start_ns = p->start * (1000000000ULL / (unsigned long long) hz);
  unsigned long long elapsed = now_ns > start_ns ? now_ns - start_ns : 0;
  if (strcmp (d, "user") == 0)
    return name_of (pid1, "passwd", p->uid);
  if (strcmp (d, "group") == 0)
    return name_of (pid1, "group", p->gid);
  if (strcmp (d, "huser") == 0)
    return xasprintf ("%lu", p->huid);
  if (strcmp (d, "pid") == 0)
    return xasprintf ("%d", (int) p->pid);
  if (strcmp (d, "hpid") == 0)
    return xasprintf ("%d", (int) p->hpid);
  if (strcmp (d, "pgid") == 0)
    return xasprintf ("%d", (int) p->pgid);
  if (strcmp (d, "ppid") == 0)
    {
      /* the parent's pid as the container sees it; 0 outside it */
      for (size_t i = 0; i < n; i++)
        if (all[i].hpid == p->ppid_ns)
          return xasprintf ("%d", (int) all[i].pid);
      return xstrdup ("0");
    }
  if (strcmp (d, "pcpu") == 0)
    {
      double cpu = (double) (p->utime + p->stime) / (double) hz;
      double secs = (double) elapsed / 1e9;
      return xasprintf ("%.3f", secs > 0 ? cpu / secs * 100.0 : 0.0);
    }
  if (strcmp (d, "etime") == 0)
    return go_duration (elapsed);
  if (strcmp (d, "time") == 0)
    return go_duration ((p->utime + p->stime) / (unsigned long long) hz * 1000000000ULL);
  if (strcmp (d, "tty") == 0)
    {
      if (p->tty_nr == 0)
        return xstrdup ("?");
      unsigned major = ((unsigned) p->tty_nr >> 8) & 0xfff;
      unsigned minor = ((unsigned) p->tty_nr & 0xff) | (((unsigned) p->tty_nr >> 12) & 0xfff00);
      if (major >= 136 && major <= 143)
        return xasprintf ("pts/%u", minor + (major - 136) * 256);
      return xasprintf ("%u:%u", major, minor);
    }
  if (strcmp (d, "args") == 0)
    return xstrdup (p->args);
  if (strcmp (d, "comm") == 0)
    return xstrdup (p->comm);
  if (strcmp (d, "nice") == 0)
    return xasprintf ("%ld", p->nice);
  if (strcmp (d, "state") == 0)
    return xasprintf ("%c", p->state);
  if (strcmp (d, "vsz") == 0)
    return xasprintf ("%llu", p->vsz / 1024);
  return xstrdup ("");
}

static int
cmp_pid (const void *a, const void *b)
{
  const struct proc_info *x = a, *y = b;
  return (x->pid > y->pid) - (x->pid < y->pid);
}

int
pc_engine_top (struct pc_engine *e, struct pc_container *c, char *const *descriptors, FILE *out,
               pc_error **err)
{
  eng_state_read (e, c, true);
  if (c->state.status != PC_STATUS_RUNNING && c->state.status != PC_STATUS_PAUSED)
    return pc_error_makec (err, PC_ERR_STATE, EINVAL, "top can only be used on running containers: container state improper");
  /* podman accepts "-eo pid,user" style lists: split on commas and spaces. */
  pc_autostrv char **ds = NULL;
  for (char *const *d = descriptors && descriptors[0] ? descriptors : (char *const *) default_descs; *d; d++)
    {
      pc_autofree char *copy = xstrdup (*d);
      char *save = NULL;
      for (char *t = strtok_r (copy, ", ", &save); t; t = strtok_r (NULL, ", ", &save))
        {
          size_t i = 0;
          for (; i < N_DESCS; i++)
            if (strcmp (descs[i].name, t) == 0)
              break;
          if (i == N_DESCS)
            return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "unknown descriptor: %s", t);
          pc_strv_append (&ds, t);
        }
    }
  char path[300];
  struct stat ns1;
  snprintf (path, sizeof path, "/proc/%d/ns/pid", (int) c->state.pid);
  if (stat (path, &ns1) < 0)
    return pc_error_errno (err, errno, "stat `%s`", path);
  pc_autoclosedir DIR *d = opendir ("/proc");
  if (d == NULL)
    return pc_error_errno (err, errno, "open /proc");
  size_t n = 0, cap = 16;
  struct proc_info *ps = xmalloc (cap * sizeof *ps);
  struct dirent *de;
  while ((de = readdir (d)))
    {
      if (de->d_name[0] < '1' || de->d_name[0] > '9')
        continue;
      struct stat st;
      snprintf (path, sizeof path, "/proc/%s/ns/pid", de->d_name);
      if (stat (path, &st) < 0 || st.st_ino != ns1.st_ino || st.st_dev != ns1.st_dev)
        continue;
      if (n == cap)
        ps = xrealloc (ps, (cap *= 2) * sizeof *ps);
      if (read_proc (atoi (de->d_name), &ps[n]))
        n++;
    }
  qsort (ps, n, sizeof *ps, cmp_pid);

  size_t nd = pc_strv_len (ds);
  char ***cells = xmalloc0 ((n + 1) * sizeof *cells);
  size_t *width = xmalloc0 (nd * sizeof *width);
  for (size_t r = 0; r <= n; r++)
    {
      cells[r] = xmalloc0 (nd * sizeof (char *));
      for (size_t k = 0; k < nd; k++)
        {
          if (r == 0)
            {
              for (size_t i = 0; i < N_DESCS; i++)
                if (strcmp (descs[i].name, ds[k]) == 0)
                  cells[r][k] = xstrdup (descs[i].header);
            }
          else
            cells[r][k] = field (ds[k], &ps[r - 1], c->state.pid, ps, n);
          size_t w = strlen (cells[r][k]);
          if (w > width[k])
            width[k] = w;
        }
    }
  /* Go's tabwriter as podman sets it: minimum width 12, padding 2. */
  for (size_t r = 0; r <= n; r++)
    {
      for (size_t k = 0; k < nd; k++)
        {
          size_t w = width[k] + 2 < 12 ? 12 : width[k] + 2;
          if (k + 1 == nd)
            fprintf (out, "%s\n", cells[r][k]);
          else
            fprintf (out, "%-*s", (int) w, cells[r][k]);
          free (cells[r][k]);
        }
      free (cells[r]);
    }
  for (size_t i = 0; i < n; i++)
    free (ps[i].args);
  free (ps);
  free (cells);
  free (width);
  return 0;
}
