/* Files through fds: atomic replacement, whole-file reads, mkdir -p,
   rm -rf that never follows symlinks, and opening inside a root. */
#ifndef PC_LIB_FILEUTIL_H
#define PC_LIB_FILEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/error.h"

/* Temp file in the same dir + fsync + rename + fsync of the dir. On failure
   nothing is left behind and the old content (if any) is untouched. */
int pc_write_file_atomic (int dirfd, const char *path, const void *data, size_t len, mode_t mode,
                          pc_error **err);

/* The files one operation writes, made durable together at its commit
   point. pc_write_file_atomic_batch renames a file into place at once but
   only starts its writeback (sync_file_range); pc_write_file_commit then
   fsyncs every file and directory gathered, back to back (the first fsync
   commits one filesystem journal transaction that already holds the
   others' blocks, so the rest find little left to do), renames the commit
   file into place and fsyncs its directory. Every fsync a lone
   pc_write_file_atomic would do still happens, before the commit rename.
   Until the commit, a crash may leave a gathered file empty or old: use a
   batch only where the commit file decides whether the others count.
   nosync (ephemeral data, e.g. a --rm container's records): nothing is
   fsynced at all; atomic renames stay. */
#define PC_SYNC_BATCH_MAX 12
struct pc_sync_batch
{
  bool nosync;
  size_t n;
  int fds[PC_SYNC_BATCH_MAX];
};
#define PC_SYNC_BATCH_INIT { .nosync = false, .n = 0 }
/* Gathers a dup of fd (a file: its writeback starts now; or a directory
   whose entries changed). A full batch fsyncs fd at once instead. */
int pc_sync_batch_add (struct pc_sync_batch *b, int fd, pc_error **err);
/* fsyncs and closes everything gathered. */
int pc_sync_batch_flush (struct pc_sync_batch *b, pc_error **err);
/* Closes without syncing (the operation failed). */
void pc_sync_batch_clear (struct pc_sync_batch *b);
#define pc_autosyncbatch __attribute__ ((cleanup (pc_sync_batch_clear)))
/* pc_write_file_atomic whose fsyncs go to b (NULL: done now, as
   pc_write_file_atomic). */
int pc_write_file_atomic_batch (int dirfd, const char *path, const void *data, size_t len,
                                mode_t mode, struct pc_sync_batch *b, pc_error **err);
/* The commit point: path written to a temporary file, everything in b and
   it fsynced, renamed into place, its directory fsynced (b NULL: as
   pc_write_file_atomic). */
int pc_write_file_commit (int dirfd, const char *path, const void *data, size_t len, mode_t mode,
                          struct pc_sync_batch *b, pc_error **err);

/* *out is NUL-terminated (not counted in *len); len may be NULL. */
int pc_read_file (int dirfd, const char *path, char **out, size_t *len, pc_error **err);
int pc_read_fd_all (int fd, char **out, size_t *len, pc_error **err);
/* Reads at most max bytes of fd; more is an EFBIG error (class invalid)
   saying the limit, and nothing is returned. */
int pc_read_fd_max (int fd, size_t max, char **out, size_t *len, pc_error **err);
/* Opens path O_NONBLOCK (a FIFO never blocks the open), fstats it and reads
   it whole with pc_read_fd_max. PC_READ_REGULAR refuses anything but a
   regular file (for files named by an image or a record); without it a
   FIFO, pipe or character device the user named is read up to max too. */
#define PC_READ_REGULAR 1
int pc_read_file_max (int dirfd, const char *path, size_t max, int flags, char **out,
                      size_t *len, pc_error **err);
/* Retries on EINTR and short writes. */
int pc_write_all (int fd, const void *buf, size_t len, pc_error **err);
/* Existing directories are fine. */
int pc_mkdir_p (int dirfd, const char *path, mode_t mode, pc_error **err);
/* Never follows symlinks; makes read-only dirs writable; missing = success. */
int pc_rm_rf_at (int dirfd, const char *path, pc_error **err);
/* Resolves path inside rootfd as if rootfd were "/" (openat2 RESOLVE_IN_ROOT,
   or a component walk on kernels without openat2); returns the fd. */
int pc_safe_openat (int rootfd, const char *path, int flags, mode_t mode, pc_error **err);
/* The fallback walk alone (pc_safe_openat uses it on ENOSYS); public for tests. */
int pc_safe_openat_walk (int rootfd, const char *path, int flags, mode_t mode, pc_error **err);

/* A file the user names for output (-o, --cidfile). A regular file or a
   new one is written to a temporary file beside it (fd) and renamed into
   place by pc_output_commit; a device, FIFO or socket is written in place.
   pc_output_abort (also after commit, or on a zeroed one) removes only the
   temporary file: what the user named is never truncated, replaced or
   unlinked unless the operation succeeded. PC_OUTPUT_EXCL: the path must
   not exist (checked at open and again, atomically, at commit). */
#define PC_OUTPUT_EXCL 1
struct pc_output
{
  int fd;
  int dirfd;
  char *base;
  char *tmp;
  char *path;
  int flags;
};
#define PC_OUTPUT_INIT { .fd = -1, .dirfd = -1 }
void pc_output_init (struct pc_output *out);
int pc_output_open (const char *path, int flags, struct pc_output *out, pc_error **err);
int pc_output_commit (struct pc_output *out, pc_error **err);
void pc_output_abort (struct pc_output *out);
static inline void
pc_output_cleanup (struct pc_output *out)
{
  pc_output_abort (out);
}
#define pc_autooutput __attribute__ ((cleanup (pc_output_cleanup)))

#endif
