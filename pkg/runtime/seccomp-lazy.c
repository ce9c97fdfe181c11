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

#include <errno.h>
#include <stdarg.h>

#include "lib/dl.h"
#include "pkg/runtime/internal.h"

#define PC_SECCOMP_FUNCS(F)                                                                        \
  F (seccomp_init)                                                                                 \
  F (seccomp_release)                                                                              \
  F (seccomp_attr_set)                                                                             \
  F (seccomp_arch_resolve_name)                                                                    \
  F (seccomp_arch_exist)                                                                           \
  F (seccomp_arch_add)                                                                             \
  F (seccomp_syscall_resolve_name)                                                                 \
  F (seccomp_rule_add_array)                                                                       \
  F (seccomp_export_bpf)

static struct
{
  PC_SECCOMP_FUNCS (PC_DL_SLOT)
} lib;

static const char names[][PC_DL_NAME_MAX] = { PC_SECCOMP_FUNCS (PC_DL_NAME) };

/* Its reason follows the callers' own message, after ": ". */
static struct pc_dl libseccomp = PC_DL_INIT ("libseccomp.so.2", "libseccomp2", names, lib, RTLD_NOW,
                                             .prefix = ": ");

static int
loaded (void)
{
  return pc_dl_load (&libseccomp);
}

const char *
rt_seccomp_lib_error (void)
{
  return loaded () ? "" : libseccomp.why;
}

scmp_filter_ctx
seccomp_init (uint32_t def_action)
{
  if (!loaded ())
    {
      errno = ELIBACC;
      return NULL;
    }
  return lib.seccomp_init (def_action);
}

/* The calls below take a filter only seccomp_init can have made, so the
   library is loaded when they run; each checks anyway. */
void
seccomp_release (scmp_filter_ctx ctx)
{
  if (loaded ())
    lib.seccomp_release (ctx);
}

int
seccomp_attr_set (scmp_filter_ctx ctx, enum scmp_filter_attr attr, uint32_t value)
{
  return loaded () ? lib.seccomp_attr_set (ctx, attr, value) : -ELIBACC;
}

uint32_t
seccomp_arch_resolve_name (const char *arch_name)
{
  return loaded () ? lib.seccomp_arch_resolve_name (arch_name) : 0;
}

int
seccomp_arch_exist (const scmp_filter_ctx ctx, uint32_t arch_token)
{
  return loaded () ? lib.seccomp_arch_exist (ctx, arch_token) : -ELIBACC;
}

int
seccomp_arch_add (scmp_filter_ctx ctx, uint32_t arch_token)
{
  return loaded () ? lib.seccomp_arch_add (ctx, arch_token) : -ELIBACC;
}

int
seccomp_syscall_resolve_name (const char *name)
{
  return loaded () ? lib.seccomp_syscall_resolve_name (name) : __NR_SCMP_ERROR;
}

int
seccomp_rule_add_array (scmp_filter_ctx ctx, uint32_t action, int syscall, unsigned int arg_cnt,
                        const struct scmp_arg_cmp *arg_array)
{
  return loaded () ? lib.seccomp_rule_add_array (ctx, action, syscall, arg_cnt, arg_array) : -ELIBACC;
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
  return loaded () ? lib.seccomp_export_bpf (ctx, fd) : -ELIBACC;
}
