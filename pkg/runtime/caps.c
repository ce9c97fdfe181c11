/* Capability names and the five sets, applied with prctl/capset directly
   (no libcap). */
#include <errno.h>
#include <linux/capability.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pkg/runtime/internal.h"

static const char *const cap_names[] = {
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
  "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
  "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
  "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
  "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

#define N_CAP_NAMES ((int) (sizeof cap_names / sizeof cap_names[0]))

static const char *const default_caps[] = {
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
  "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID",
  "CAP_SYS_CHROOT", NULL,
};

const char *const *
pc_runtime_default_caps (void)
{
  return default_caps;
}

/* Accepts "CAP_CHOWN" and "chown", any case, as podman's --cap-add does. */
int
rt_cap_from_name (const char *name)
{
  const char *bare = strncasecmp (name, "CAP_", 4) == 0 ? name + 4 : name;
  for (int i = 0; i < N_CAP_NAMES; i++)
    if (strcasecmp (cap_names[i] + 4, bare) == 0)
      return i;
  return -1;
}

const char *const *
pc_runtime_all_caps (size_t *n)
{
  *n = N_CAP_NAMES;
  return cap_names;
}

const char *
pc_runtime_cap_canonical (const char *name)
{
  return rt_cap_name (rt_cap_from_name (name));
}

const char *
rt_cap_name (int cap)
{
  return cap >= 0 && cap < N_CAP_NAMES ? cap_names[cap] : NULL;
}

int
rt_cap_last (void)
{
  static int last = -1;
  if (last >= 0)
    return last;
  int i = N_CAP_NAMES - 1;
  /* The kernel may know fewer (or more) caps than the table. */
  while (i > 0 && prctl (PR_CAPBSET_READ, i, 0, 0, 0) < 0)
    i--;
  while (i < 63 && prctl (PR_CAPBSET_READ, i + 1, 0, 0, 0) >= 0)
    i++;
  last = i;
  return last;
}

int
rt_caps_parse_list (json_object *list, uint64_t *mask, pc_error **err)
{
  *mask = 0;
  if (list == NULL)
    return 0;
  if (!json_object_is_type (list, json_type_array))
    return pc_error_make (err, EINVAL, "capabilities: expected an array of names");
  size_t n = json_object_array_length (list);
  for (size_t i = 0; i < n; i++)
    {
      const char *name = json_object_get_string (json_object_array_get_idx (list, i));
      int cap = name ? rt_cap_from_name (name) : -1;
      if (cap < 0)
        return pc_error_make (err, EINVAL, "unknown capability `%s`", name ? name : "");
      /* A cap this kernel does not know cannot be granted; runc and crun skip it too. */
      if (cap > rt_cap_last ())
        continue;
      *mask |= UINT64_C (1) << cap;
    }
  return 0;
}

/* Needs CAP_SETPCAP, so it runs before the switch to the container user. */
int
rt_caps_apply_bounding (const struct rt_caps *c, pc_error **err)
{
  if (!c->present)
    return 0;
  int last = rt_cap_last ();
  for (int i = 0; i <= last; i++)
    {
      if (c->bounding & (UINT64_C (1) << i))
        continue;
      if (prctl (PR_CAPBSET_DROP, i, 0, 0, 0) < 0 && errno != EINVAL)
        return pc_error_errno (err, errno, "drop `%s` from the bounding set",
                               rt_cap_name (i) ? rt_cap_name (i) : "?");
    }
  return 0;
}

/* After setuid (with PR_SET_KEEPCAPS): permitted, effective, inheritable, ambient. */
int
rt_caps_apply (const struct rt_caps *c, pc_error **err)
{
  if (!c->present)
    return 0;
  struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
  struct __user_cap_data_struct data[2];
  memset (data, 0, sizeof data);
  data[0].effective = (uint32_t) c->effective;
  data[1].effective = (uint32_t) (c->effective >> 32);
  data[0].permitted = (uint32_t) c->permitted;
  data[1].permitted = (uint32_t) (c->permitted >> 32);
  data[0].inheritable = (uint32_t) c->inheritable;
  data[1].inheritable = (uint32_t) (c->inheritable >> 32);
  if (syscall (SYS_capset, &hdr, data) < 0)
    return pc_error_errno (err, errno, "set capabilities");

  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return pc_error_errno (err, errno, "clear ambient capabilities");
  int last = rt_cap_last ();
  for (int i = 0; i <= last; i++)
    if (c->ambient & (UINT64_C (1) << i))
      if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0)
        return pc_error_errno (err, errno, "raise ambient capability `%s`", rt_cap_name (i));
  return 0;
}
