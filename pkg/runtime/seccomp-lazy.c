/* libseccomp is loaded when a seccomp profile is compiled, not linked into
   pc: the compiled program is cached (seccomp.c, keyed by the profile's
   content), so a container started from the cache, every other pc command
   and every container's monitor (a fork of the CLI) map neither the
   library nor its relocated data. These definitions stand in for
   libseccomp's, as pkg/registry/curl-lazy.c does for libcurl: the first
   call loads libseccomp.so.2 (once, thread-safe) and each forwards to the
   library's function. Calling another libseccomp function means adding it
   here (the link fails until then); the compiler checks each against
   seccomp.h.

   A libseccomp that cannot be loaded makes seccomp_init return NULL, which
   the compiler's callers report with rt_seccomp_lib_error's reason. */
#include <seccomp.h>

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "pkg/runtime/internal.h"

#define PC_SECCOMP_SONAME "libseccomp.so.2"

static struct
{
  __typeof__ (seccomp_init) *init;
  __typeof__ (seccomp_release) *release;
  __typeof__ (seccomp_attr_set) *attr_set;
  __typeof__ (seccomp_arch_resolve_name) *arch_resolve_name;
  __typeof__ (seccomp_arch_exist) *arch_exist;
  __typeof__ (seccomp_arch_add) *arch_add;
  __typeof__ (seccomp_syscall_resolve_name) *syscall_resolve_name;
  __typeof__ (seccomp_rule_add_array) *rule_add_array;
  __typeof__ (seccomp_export_bpf) *export_bpf;
} lib;

static char why[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
load (void)
{
  void *h = dlopen (PC_SECCOMP_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL)
    {
      const char *e = dlerror ();
      snprintf (why, sizeof why, ": cannot load %s (Debian: libseccomp2): %s", PC_SECCOMP_SONAME,
                e ? e : "not found");
      return;
    }
  struct
  {
    const char *name;
    void **slot;
  } syms[] = {
    { "seccomp_init", (void **) &lib.init },
    { "seccomp_release", (void **) &lib.release },
    { "seccomp_attr_set", (void **) &lib.attr_set },
    { "seccomp_arch_resolve_name", (void **) &lib.arch_resolve_name },
    { "seccomp_arch_exist", (void **) &lib.arch_exist },
    { "seccomp_arch_add", (void **) &lib.arch_add },
    { "seccomp_syscall_resolve_name", (void **) &lib.syscall_resolve_name },
    { "seccomp_rule_add_array", (void **) &lib.rule_add_array },
    { "seccomp_export_bpf", (void **) &lib.export_bpf },
  };
  for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++)
    if ((*syms[i].slot = dlsym (h, syms[i].name)) == NULL)
      {
        snprintf (why, sizeof why, ": %s has no %s", PC_SECCOMP_SONAME, syms[i].name);
        for (size_t k = 0; k <= i; k++)
          *syms[k].slot = NULL;
        dlclose (h);
        return;
      }
}

static int
loaded (void)
{
  pthread_once (&once, load);
  return lib.init != NULL;
}

const char *
rt_seccomp_lib_error (void)
{
  return loaded () ? "" : why;
}

scmp_filter_ctx
seccomp_init (uint32_t def_action)
{
  if (!loaded ())
    {
      errno = ELIBACC;
      return NULL;
    }
  return lib.init (def_action);
}

/* The calls below take a filter only seccomp_init can have made, so the
   library is loaded when they run; each checks anyway. */
void
seccomp_release (scmp_filter_ctx ctx)
{
  if (loaded ())
    lib.release (ctx);
}

int
seccomp_attr_set (scmp_filter_ctx ctx, enum scmp_filter_attr attr, uint32_t value)
{
  return loaded () ? lib.attr_set (ctx, attr, value) : -ELIBACC;
}

uint32_t
seccomp_arch_resolve_name (const char *arch_name)
{
  return loaded () ? lib.arch_resolve_name (arch_name) : 0;
}

int
seccomp_arch_exist (const scmp_filter_ctx ctx, uint32_t arch_token)
{
  return loaded () ? lib.arch_exist (ctx, arch_token) : -ELIBACC;
}

int
seccomp_arch_add (scmp_filter_ctx ctx, uint32_t arch_token)
{
  return loaded () ? lib.arch_add (ctx, arch_token) : -ELIBACC;
}

int
seccomp_syscall_resolve_name (const char *name)
{
  return loaded () ? lib.syscall_resolve_name (name) : __NR_SCMP_ERROR;
}

int
seccomp_rule_add_array (scmp_filter_ctx ctx, uint32_t action, int syscall, unsigned int arg_cnt,
                        const struct scmp_arg_cmp *arg_array)
{
  return loaded () ? lib.rule_add_array (ctx, action, syscall, arg_cnt, arg_array) : -ELIBACC;
}

/* The comparisons come as arguments: gathered into an array, as libseccomp
   itself does, for seccomp_rule_add_array. */
int
seccomp_rule_add (scmp_filter_ctx ctx, uint32_t action, int syscall, unsigned int arg_cnt, ...)
{
  struct scmp_arg_cmp cmps[6];
  if (arg_cnt > sizeof cmps / sizeof cmps[0])
    return -EINVAL;
  va_list ap;
  va_start (ap, arg_cnt);
  for (unsigned int i = 0; i < arg_cnt; i++)
    cmps[i] = va_arg (ap, struct scmp_arg_cmp);
  va_end (ap);
  return seccomp_rule_add_array (ctx, action, syscall, arg_cnt, arg_cnt ? cmps : NULL);
}

int
seccomp_export_bpf (const scmp_filter_ctx ctx, int fd)
{
  return loaded () ? lib.export_bpf (ctx, fd) : -ELIBACC;
}
