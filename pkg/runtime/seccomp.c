/* linux.seccomp (OCI form) -> classic BPF with libseccomp, in the parent;
   the child only calls seccomp(2). Compiled programs are cached by the
   sha256 of the profile so a container start does not recompile. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "lib/hash.h"
#include "pkg/runtime/internal.h"

/* Bumped with each change to how programs are compiled (002: binary tree,
   003: reshaped into ranges, seccomp-tree.c):
   the version is part of the file name too, so binaries of two versions
   sharing a runtime directory do not overwrite each other's programs. */
#define CACHE_MAGIC "PCBPF003"

static json_object *
get (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (o == NULL || !json_object_object_get_ex (o, key, &v))
    return NULL;
  return v;
}

static int
parse_action (const char *name, json_object *errno_ret, int default_errno, uint32_t *out,
              pc_error **err)
{
  int e = errno_ret ? json_object_get_int (errno_ret) : default_errno;
  if (strcmp (name, "SCMP_ACT_ALLOW") == 0)
    *out = SCMP_ACT_ALLOW;
  else if (strcmp (name, "SCMP_ACT_ERRNO") == 0)
    *out = SCMP_ACT_ERRNO ((uint32_t) e);
  else if (strcmp (name, "SCMP_ACT_KILL") == 0 || strcmp (name, "SCMP_ACT_KILL_THREAD") == 0)
    *out = SCMP_ACT_KILL_THREAD;
  else if (strcmp (name, "SCMP_ACT_KILL_PROCESS") == 0)
    *out = SCMP_ACT_KILL_PROCESS;
  else if (strcmp (name, "SCMP_ACT_TRAP") == 0)
    *out = SCMP_ACT_TRAP;
  else if (strcmp (name, "SCMP_ACT_TRACE") == 0)
    *out = SCMP_ACT_TRACE ((uint32_t) e);
  else if (strcmp (name, "SCMP_ACT_LOG") == 0)
    *out = SCMP_ACT_LOG;
  else
    return pc_error_make (err, EINVAL, "seccomp: unsupported action `%s`", name);
  return 0;
}

static int
parse_op (const char *name, enum scmp_compare *op, pc_error **err)
{
  static const struct
  {
    const char *name;
    enum scmp_compare op;
  } ops[] = {
    { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
    { "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
    { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
    { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
  };
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (strcmp (name, ops[i].name) == 0)
      {
        *op = ops[i].op;
        return 0;
      }
  return pc_error_make (err, EINVAL, "seccomp: unknown operator `%s`", name);
}

static int
add_arch (scmp_filter_ctx ctx, const char *name, pc_error **err)
{
  if (strncmp (name, "SCMP_ARCH_", 10) != 0)
    return pc_error_make (err, EINVAL, "seccomp: unknown architecture `%s`", name);
  char lower[32];
  size_t i = 0;
  for (const char *p = name + 10; *p && i < sizeof lower - 1; p++)
    lower[i++] = (char) (*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
  lower[i] = '\0';
  uint32_t arch = seccomp_arch_resolve_name (lower);
  if (arch == 0)
    return pc_error_make (err, EINVAL, "seccomp: unknown architecture `%s`", name);
  if (seccomp_arch_exist (ctx, arch) == 0)
    return 0;
  int r = seccomp_arch_add (ctx, arch);
  if (r < 0 && r != -EEXIST)
    return pc_error_errno (err, -r, "seccomp: add architecture `%s`", name);
  return 0;
}

static int
add_rule (scmp_filter_ctx ctx, uint32_t action, uint32_t default_action, json_object *names,
          json_object *args, pc_error **err)
{
  if (action == default_action)
    return 0;
  size_t nargs = args ? json_object_array_length (args) : 0;
  if (nargs > 6)
    return pc_error_make (err, EINVAL, "seccomp: more than 6 argument conditions");
  struct scmp_arg_cmp cmps[6];
  bool same_index = false;
  for (size_t i = 0; i < nargs; i++)
    {
      json_object *a = json_object_array_get_idx (args, i);
      enum scmp_compare op = SCMP_CMP_EQ;
      json_object *opj = get (a, "op");
      if (parse_op (opj ? json_object_get_string (opj) : "", &op, err) < 0)
        return -1;
      cmps[i].arg = (unsigned int) json_object_get_int (get (a, "index"));
      cmps[i].op = op;
      cmps[i].datum_a = (scmp_datum_t) json_object_get_uint64 (get (a, "value"));
      cmps[i].datum_b = (scmp_datum_t) json_object_get_uint64 (get (a, "valueTwo"));
      if (cmps[i].arg > 5)
        return pc_error_make (err, EINVAL, "seccomp: argument index %u out of range", cmps[i].arg);
      for (size_t j = 0; j < i; j++)
        if (cmps[j].arg == cmps[i].arg)
          same_index = true;
    }
  size_t n = json_object_array_length (names);
  for (size_t k = 0; k < n; k++)
    {
      const char *name = json_object_get_string (json_object_array_get_idx (names, k));
      int nr = seccomp_syscall_resolve_name (name);
      if (nr == __NR_SCMP_ERROR)
        continue;   /* a syscall this libseccomp/arch does not know: nothing to filter */
      int r;
      if (!same_index)
        r = seccomp_rule_add_array (ctx, action, nr, (unsigned int) nargs, cmps);
      else
        {
          /* Conditions on the same argument are alternatives (runc's rule). */
          r = 0;
          for (size_t i = 0; i < nargs && r == 0; i++)
            r = seccomp_rule_add_array (ctx, action, nr, 1, &cmps[i]);
        }
      if (r < 0 && r != -EACCES)
        return pc_error_errno (err, -r, "seccomp: add rule for `%s`", name);
    }
  return 0;
}

static int
parse_flags (json_object *flags, unsigned int *out, pc_error **err)
{
  *out = 0;
  for (size_t i = 0; flags && i < json_object_array_length (flags); i++)
    {
      const char *f = json_object_get_string (json_object_array_get_idx (flags, i));
      if (strcmp (f, "SECCOMP_FILTER_FLAG_TSYNC") == 0)
        *out |= SECCOMP_FILTER_FLAG_TSYNC;
      else if (strcmp (f, "SECCOMP_FILTER_FLAG_LOG") == 0)
        *out |= SECCOMP_FILTER_FLAG_LOG;
      else if (strcmp (f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
        *out |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
      else
        return pc_error_make (err, EINVAL, "seccomp: unknown flag `%s`", f);
    }
  return 0;
}

int
rt_seccomp_compile_libseccomp (json_object *sc, struct sock_fprog *out, pc_error **err)
{
  json_object *da = get (sc, "defaultAction");
  json_object *der = get (sc, "defaultErrnoRet");
  uint32_t default_action;
  if (parse_action (da ? json_object_get_string (da) : "", der, EPERM, &default_action, err) < 0)
    return -1;
  scmp_filter_ctx ctx = seccomp_init (default_action);
  if (ctx == NULL)
    return pc_error_make (err, EINVAL, "seccomp: cannot initialize the filter%s", rt_seccomp_lib_error ());
  int ret = -1;
  seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, 0);
  /* A binary tree over the syscall numbers instead of libseccomp's default
     linear list: the same decisions, but the kernel walks the program for
     every syscall number of every architecture when it loads it (the cache
     of calls always allowed, seccomp_cache_prepare), and the default profile
     as a list made that 1.0 ms of each container start; as a tree 0.3 ms.
     Every call the cache does not cover is also checked in log n steps. */
  seccomp_attr_set (ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  json_object *arches = get (sc, "architectures");
  for (size_t i = 0; arches && i < json_object_array_length (arches); i++)
    if (add_arch (ctx, json_object_get_string (json_object_array_get_idx (arches, i)), err) < 0)
      goto out;
  json_object *syscalls = get (sc, "syscalls");
  for (size_t i = 0; syscalls && i < json_object_array_length (syscalls); i++)
    {
      json_object *s = json_object_array_get_idx (syscalls, i);
      json_object *act = get (s, "action");
      json_object *names = get (s, "names");
      uint32_t action;
      if (names == NULL || !json_object_is_type (names, json_type_array))
        {
          pc_error_make (err, EINVAL, "seccomp: syscalls[%zu] has no names", i);
          goto out;
        }
      if (parse_action (act ? json_object_get_string (act) : "", get (s, "errnoRet"),
                        EPERM, &action, err) < 0
          || add_rule (ctx, action, default_action, names, get (s, "args"), err) < 0)
        goto out;
    }
  {
    pc_autoclose int mfd = memfd_create ("pc-seccomp", MFD_CLOEXEC);
    if (mfd < 0)
      {
        pc_error_errno (err, errno, "seccomp: memfd_create");
        goto out;
      }
    int r = seccomp_export_bpf (ctx, mfd);
    if (r < 0)
      {
        pc_error_errno (err, -r, "seccomp: export the filter");
        goto out;
      }
    off_t size = lseek (mfd, 0, SEEK_CUR);
    if (size <= 0 || size % (off_t) sizeof (struct sock_filter) != 0)
      {
        pc_error_make (err, EIO, "seccomp: exported filter has a bad size");
        goto out;
      }
    struct sock_filter *f = xmalloc ((size_t) size);
    if (pread (mfd, f, (size_t) size, 0) != size)
      {
        free (f);
        pc_error_errno (err, errno, "seccomp: read the exported filter");
        goto out;
      }
    out->filter = f;
    out->len = (unsigned short) (size / (off_t) sizeof (struct sock_filter));
  }
  ret = 0;
out:
  seccomp_release (ctx);
  return ret;
}

/* Cache file: magic, sha256 hex of the program, program. A torn or foreign
   file fails the check and is simply recompiled. */
static bool
cache_load (int dirfd, const char *name, struct sock_fprog *out)
{
  pc_autoclose int fd = openat (dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return false;
  struct stat st;
  if (fstat (fd, &st) < 0 || st.st_size <= 72 || st.st_size > 72 + 65535 * 8
      || (st.st_size - 72) % 8 != 0)
    return false;
  size_t len = (size_t) st.st_size;
  pc_autofree char *buf = xmalloc (len);
  if (pread (fd, buf, len, 0) != (ssize_t) len || memcmp (buf, CACHE_MAGIC, 8) != 0)
    return false;
  char hex[65];
  pc_sha256_hex (buf + 72, len - 72, hex);
  if (memcmp (hex, buf + 8, 64) != 0)
    return false;
  out->len = (unsigned short) ((len - 72) / 8);
  out->filter = xmalloc (len - 72);
  memcpy (out->filter, buf + 72, len - 72);
  return true;
}

static void
cache_store (int dirfd, const char *name, const struct sock_fprog *prog)
{
  size_t plen = (size_t) prog->len * sizeof (struct sock_filter);
  pc_autofree char *buf = xmalloc (72 + plen);
  memcpy (buf, CACHE_MAGIC, 8);
  char hex[65];
  pc_sha256_hex (prog->filter, plen, hex);
  memcpy (buf + 8, hex, 64);
  memcpy (buf + 72, prog->filter, plen);
  pc_autofree char *tmp = xasprintf (".%s.%d", name, (int) getpid ());
  pc_autoclose int fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return;
  if (write (fd, buf, 72 + plen) != (ssize_t) (72 + plen) || renameat (dirfd, tmp, dirfd, name) < 0)
    unlinkat (dirfd, tmp, 0);
}

static double
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

int
rt_seccomp_compile (json_object *sc, const char *cache_dir, struct rt_seccomp *out,
                    double *compile_ms, pc_error **err)
{
  memset (out, 0, sizeof *out);
  *compile_ms = 0;
  if (sc == NULL)
    return 0;
  if (parse_flags (get (sc, "flags"), &out->flags, err) < 0)
    return -1;
  pc_autoclose int dirfd = -1;
  char name[80] = "";
  if (cache_dir)
    {
      const char *text = json_object_to_json_string_ext (sc, JSON_C_TO_STRING_PLAIN);
      char hex[65];
      pc_sha256_hex (text, strlen (text), hex);
      snprintf (name, sizeof name, "%s." CACHE_MAGIC, hex);
      mkdir (cache_dir, 0700);
      dirfd = open (cache_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (dirfd >= 0 && cache_load (dirfd, name, &out->prog))
        return 0;
    }
  double t0 = now_ms ();
  if (rt_seccomp_compile_libseccomp (sc, &out->prog, err) < 0)
    return -1;
  /* The same decisions in fewer instructions (seccomp-tree.c): the kernel
     takes 0.2 ms instead of 0.3 to load the default profile's. */
  struct sock_fprog shaped;
  if (rt_seccomp_reshape (&out->prog, &shaped) == 0)
    {
      free (out->prog.filter);
      out->prog = shaped;
    }
  *compile_ms = now_ms () - t0;
  if (dirfd >= 0)
    cache_store (dirfd, name, &out->prog);
  return 0;
}

int
rt_seccomp_load (const struct rt_seccomp *s, pc_error **err)
{
  if (syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, s->flags, &s->prog) < 0)
    return pc_error_errno (err, errno, "load the seccomp filter");
  return 0;
}

/* A second filter, apart from the profile (which may be absent or
   unconfined): the syscalls named in `names` (comma-separated; !NAME:
   ENOSYS) return to a
   supervisor, the container's monitor, through a listener fd
   (SECCOMP_RET_USER_NOTIF; pkg/network/bypass.c answers them). Every other
   call and every other architecture is allowed here: the profile still
   decides, and its errors take precedence over a notification. */
int
rt_seccomp_notify_compile (const char *names, struct rt_seccomp *out, pc_error **err)
{
  scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_ALLOW);
  if (ctx == NULL)
    return pc_error_make (err, EINVAL, "seccomp: cannot initialize the notification filter%s",
                           rt_seccomp_lib_error ());
  int ret = -1;
  seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, 0);
  seccomp_attr_set (ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
  pc_autofree char *copy = xstrdup (names);
  char *save = NULL;
  for (char *n = strtok_r (copy, ",", &save); n; n = strtok_r (NULL, ",", &save))
    {
      /* !NAME: refused with ENOSYS instead (calls that would get around
         the notifications, such as io_uring's). */
      uint32_t action = SCMP_ACT_NOTIFY;
      if (*n == '!')
        {
          action = SCMP_ACT_ERRNO (ENOSYS);
          n++;
        }
      int nr = seccomp_syscall_resolve_name (n);
      if (nr == __NR_SCMP_ERROR)
        {
          pc_error_make (err, EINVAL, "seccomp: unknown syscall `%s` to notify", n);
          goto out;
        }
      int r = seccomp_rule_add (ctx, action, nr, 0);
      if (r < 0)
        {
          pc_error_errno (err, -r, "seccomp: notify `%s`", n);
          goto out;
        }
    }
  {
    pc_autoclose int mfd = memfd_create ("pc-seccomp-notify", MFD_CLOEXEC);
    if (mfd < 0)
      {
        pc_error_errno (err, errno, "seccomp: memfd_create");
        goto out;
      }
    int r = seccomp_export_bpf (ctx, mfd);
    off_t size = r < 0 ? -1 : lseek (mfd, 0, SEEK_CUR);
    if (size <= 0 || size % (off_t) sizeof (struct sock_filter) != 0)
      {
        pc_error_make (err, EIO, "seccomp: export the notification filter");
        goto out;
      }
    struct sock_filter *f = xmalloc ((size_t) size);
    if (pread (mfd, f, (size_t) size, 0) != size)
      {
        free (f);
        pc_error_errno (err, errno, "seccomp: read the notification filter");
        goto out;
      }
    out->notify.filter = f;
    out->notify.len = (unsigned short) (size / (off_t) sizeof (struct sock_filter));
  }
  ret = 0;
out:
  seccomp_release (ctx);
  return ret;
}

/* Needs no_new_privs or CAP_SYS_ADMIN, like any filter. Returns the
   listener (close-on-exec). */
int
rt_seccomp_notify_load (const struct rt_seccomp *s, pc_error **err)
{
  int fd = (int) syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &s->notify);
  if (fd < 0)
    return pc_error_errno (err, errno, "load the seccomp notification filter");
  if (fcntl (fd, F_SETFD, FD_CLOEXEC) < 0)
    {
      close (fd);
      return pc_error_errno (err, errno, "seccomp listener: close-on-exec");
    }
  return fd;
}
