/* libarchive is loaded by the commands that read or write a tar stream
   (load, save, import, export, pull, push, commit, cp, diff), not linked
   into pc: with what it links (libxml2, ICU and libstdc++, liblzma,
   libzstd, liblz4, libbz2, libnettle, libacl: 14 shared objects) it cost
   every pc process about 3 million cycles of loading and relocating and
   every container's monitor, a fork of the CLI, the relocated data of all
   of them. These definitions stand in for libarchive's, as curl-lazy.c
   does for libcurl: the first call loads libarchive.so.13 (once,
   thread-safe) and each forwards to the library's function. Calling
   another libarchive function means adding it to the list below (the link
   fails until then); the compiler checks each definition against
   archive.h.

   libarchive's constructors may return NULL only when memory runs out,
   and pc's callers treat that as impossible, so a libarchive that cannot
   be loaded ends the process with a message that says which package is
   missing (exit 125): what the dynamic loader did to every pc command
   before, now only to the ones that need the library. A process that
   changes its root (cp into a running container) loads it before, with
   pc_storage_archive_load. */
#include <archive.h>
#include <archive_entry.h>

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "lib/dl.h"
#include "pkg/storage/storage.h"

/* F: a function that returns a value; V: one that returns nothing.
   (return type, name, parameters, arguments) */
#define PC_ARCHIVE_FUNCS(F, V)                                                                     \
  F (time_t, archive_entry_atime, (struct archive_entry * e), (e))                                 \
  F (int, archive_entry_atime_is_set, (struct archive_entry * e), (e))                             \
  F (long, archive_entry_atime_nsec, (struct archive_entry * e), (e))                              \
  F (struct archive_entry *, archive_entry_clear, (struct archive_entry * e), (e))                 \
  V (void, archive_entry_copy_pathname, (struct archive_entry * e, const char *s), (e, s))         \
  V (void, archive_entry_copy_stat, (struct archive_entry * e, const struct stat *st), (e, st))    \
  V (void, archive_entry_copy_symlink, (struct archive_entry * e, const char *s), (e, s))          \
  F (mode_t, archive_entry_filetype, (struct archive_entry * e), (e))                              \
  V (void, archive_entry_free, (struct archive_entry * e), (e))                                    \
  F (la_int64_t, archive_entry_gid, (struct archive_entry * e), (e))                               \
  F (const char *, archive_entry_hardlink, (struct archive_entry * e), (e))                        \
  F (time_t, archive_entry_mtime, (struct archive_entry * e), (e))                                 \
  F (long, archive_entry_mtime_nsec, (struct archive_entry * e), (e))                              \
  F (struct archive_entry *, archive_entry_new, (void), ())                                        \
  F (const char *, archive_entry_pathname, (struct archive_entry * e), (e))                        \
  F (mode_t, archive_entry_perm, (struct archive_entry * e), (e))                                  \
  F (dev_t, archive_entry_rdev, (struct archive_entry * e), (e))                                   \
  V (void, archive_entry_set_filetype, (struct archive_entry * e, unsigned int t), (e, t))         \
  V (void, archive_entry_set_gid, (struct archive_entry * e, la_int64_t g), (e, g))                \
  V (void, archive_entry_set_hardlink, (struct archive_entry * e, const char *s), (e, s))          \
  V (void, archive_entry_set_mtime, (struct archive_entry * e, time_t t, long ns), (e, t, ns))     \
  V (void, archive_entry_set_pathname, (struct archive_entry * e, const char *s), (e, s))          \
  V (void, archive_entry_set_perm, (struct archive_entry * e, mode_t m), (e, m))                   \
  V (void, archive_entry_set_rdev, (struct archive_entry * e, dev_t d), (e, d))                    \
  V (void, archive_entry_set_size, (struct archive_entry * e, la_int64_t n), (e, n))               \
  V (void, archive_entry_set_symlink, (struct archive_entry * e, const char *s), (e, s))           \
  V (void, archive_entry_set_uid, (struct archive_entry * e, la_int64_t u), (e, u))                \
  F (la_int64_t, archive_entry_size, (struct archive_entry * e), (e))                              \
  F (int, archive_entry_size_is_set, (struct archive_entry * e), (e))                              \
  F (const struct stat *, archive_entry_stat, (struct archive_entry * e), (e))                     \
  F (const char *, archive_entry_symlink, (struct archive_entry * e), (e))                         \
  F (la_int64_t, archive_entry_uid, (struct archive_entry * e), (e))                               \
  V (void, archive_entry_xattr_add_entry, (struct archive_entry * e, const char *n, const void *v, \
                                     size_t sz), (e, n, v, sz))                                    \
  F (int, archive_entry_xattr_next, (struct archive_entry * e, const char **n, const void **v,     \
                                size_t *sz), (e, n, v, sz))                                        \
  F (int, archive_entry_xattr_reset, (struct archive_entry * e), (e))                              \
  F (const char *, archive_error_string, (struct archive * a), (a))                                \
  F (la_ssize_t, archive_read_data, (struct archive * a, void *b, size_t n), (a, b, n))            \
  F (int, archive_read_data_block, (struct archive * a, const void **b, size_t *n, la_int64_t *o), \
     (a, b, n, o))                                                                                 \
  F (int, archive_read_disk_descend, (struct archive * a), (a))                                    \
  F (struct archive *, archive_read_disk_new, (void), ())                                          \
  F (int, archive_read_disk_open, (struct archive * a, const char *p), (a, p))                     \
  F (int, archive_read_disk_set_standard_lookup, (struct archive * a), (a))                        \
  F (int, archive_read_free, (struct archive * a), (a))                                            \
  F (struct archive *, archive_read_new, (void), ())                                               \
  F (int, archive_read_next_header, (struct archive * a, struct archive_entry * *e), (a, e))       \
  F (int, archive_read_next_header2, (struct archive * a, struct archive_entry * e), (a, e))       \
  F (int, archive_read_open, (struct archive * a, void *d, archive_open_callback *o,               \
                         archive_read_callback *r, archive_close_callback *c), (a, d, o, r, c))    \
  F (int, archive_read_open_fd, (struct archive * a, int fd, size_t bs), (a, fd, bs))              \
  F (int, archive_read_support_filter_all, (struct archive * a), (a))                              \
  F (int, archive_read_support_filter_bzip2, (struct archive * a), (a))                            \
  F (int, archive_read_support_filter_gzip, (struct archive * a), (a))                             \
  F (int, archive_read_support_filter_xz, (struct archive * a), (a))                               \
  F (int, archive_read_support_filter_zstd, (struct archive * a), (a))                             \
  F (int, archive_read_support_format_raw, (struct archive * a), (a))                              \
  F (int, archive_read_support_format_tar, (struct archive * a), (a))                              \
  F (int, archive_write_add_filter_gzip, (struct archive * a), (a))                                \
  F (int, archive_write_add_filter_zstd, (struct archive * a), (a))                                \
  F (int, archive_write_close, (struct archive * a), (a))                                          \
  F (la_ssize_t, archive_write_data, (struct archive * a, const void *b, size_t n), (a, b, n))     \
  F (int, archive_write_free, (struct archive * a), (a))                                           \
  F (int, archive_write_header, (struct archive * a, struct archive_entry * e), (a, e))            \
  F (struct archive *, archive_write_new, (void), ())                                              \
  F (int, archive_write_open, (struct archive * a, void *d, archive_open_callback *o,              \
                          archive_write_callback *w, archive_close_callback *c),                   \
     (a, d, o, w, c))                                                                              \
  F (int, archive_write_open_fd, (struct archive * a, int fd), (a, fd))                            \
  F (int, archive_write_open_memory, (struct archive * a, void *b, size_t n, size_t *used),        \
     (a, b, n, used))                                                                              \
  F (int, archive_write_set_bytes_in_last_block, (struct archive * a, int n), (a, n))              \
  F (int, archive_write_set_bytes_per_block, (struct archive * a, int n), (a, n))                  \
  F (int, archive_write_set_filter_option, (struct archive * a, const char *m, const char *o,      \
                                       const char *v), (a, m, o, v))                               \
  F (int, archive_write_set_format_pax_restricted, (struct archive * a), (a))                      \
  F (int, archive_write_set_format_raw, (struct archive * a), (a))                                 \
  F (int, archive_write_set_format_ustar, (struct archive * a), (a))

#define PC_SLOT(ret, name, params, args) __typeof__ (name) *name;
static struct
{
  PC_ARCHIVE_FUNCS (PC_SLOT, PC_SLOT)
  __typeof__ (archive_set_error) *archive_set_error;
} lib;

static const char names[][PC_DL_NAME_MAX] = {
#define PC_NAME(ret, name, params, args) #name,
  PC_ARCHIVE_FUNCS (PC_NAME, PC_NAME) "archive_set_error",
};

static struct pc_dl libarchive = PC_DL_INIT ("libarchive.so.13", "libarchive13", names, lib, RTLD_NOW);

int
pc_storage_archive_load (pc_error **err)
{
  if (!pc_dl_load (&libarchive))
    return pc_dl_error (&libarchive, err);
  return 0;
}

static void
need (void)
{
  if (!pc_dl_load (&libarchive))
    {
      /* One write, as the process may be a child with other output. */
      char msg[600];
      int n = snprintf (msg, sizeof msg, "pc: %s\n", libarchive.why);
      if (n > 0 && write (STDERR_FILENO, msg, (size_t) n < sizeof msg ? (size_t) n : sizeof msg - 1) < 0)
        n = 0;
      _exit (125);
    }
}

#define PC_DEF(ret, name, params, args)                                                            \
  ret name params                                                                                  \
  {                                                                                                \
    need ();                                                                                       \
    return lib.name args;                                                                          \
  }
#define PC_DEF_VOID(ret, name, params, args)                                                       \
  ret name params                                                                                  \
  {                                                                                                \
    need ();                                                                                       \
    lib.name args;                                                                                 \
  }
PC_ARCHIVE_FUNCS (PC_DEF, PC_DEF_VOID)

/* Variadic: the message is formatted here and handed over whole. */
void
archive_set_error (struct archive *a, int e, const char *fmt, ...)
{
  need ();
  char msg[1024];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);
  lib.archive_set_error (a, e, "%s", msg);
}
