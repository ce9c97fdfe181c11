/* process.rlimits: "RLIMIT_NOFILE" names to resources, applied with setrlimit. */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "pkg/runtime/internal.h"

static const struct
{
  const char *name;
  int resource;
} rlimit_names[] = {
  { "RLIMIT_AS", RLIMIT_AS },
  { "RLIMIT_CORE", RLIMIT_CORE },
  { "RLIMIT_CPU", RLIMIT_CPU },
  { "RLIMIT_DATA", RLIMIT_DATA },
  { "RLIMIT_FSIZE", RLIMIT_FSIZE },
  { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
  { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
  { "RLIMIT_NICE", RLIMIT_NICE },
  { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_NPROC", RLIMIT_NPROC },
  { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
  { "RLIMIT_RTTIME", RLIMIT_RTTIME },
  { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_STACK", RLIMIT_STACK },
};

int
rt_rlimit_from_name (const char *name)
{
  for (size_t i = 0; i < sizeof rlimit_names / sizeof rlimit_names[0]; i++)
    if (strcasecmp (rlimit_names[i].name, name) == 0)
      return rlimit_names[i].resource;
  return -1;
}

static const char *
rlimit_name (int resource)
{
  for (size_t i = 0; i < sizeof rlimit_names / sizeof rlimit_names[0]; i++)
    if (rlimit_names[i].resource == resource)
      return rlimit_names[i].name;
  return "?";
}

int
rt_rlimits_apply (const struct rt_rlimit *r, size_t n, pc_error **err)
{
  for (size_t i = 0; i < n; i++)
    if (setrlimit (r[i].resource, &r[i].lim) < 0)
      {
        int e = errno;
        struct rlimit cur;
        if (e == EPERM && getrlimit (r[i].resource, &cur) == 0)
          return pc_error_errno (err, e, "set %s to %llu:%llu (the hard limit here is %llu)",
                                 rlimit_name (r[i].resource), (unsigned long long) r[i].lim.rlim_cur,
                                 (unsigned long long) r[i].lim.rlim_max,
                                 (unsigned long long) cur.rlim_max);
        return pc_error_errno (err, e, "set %s", rlimit_name (r[i].resource));
      }
  return 0;
}
