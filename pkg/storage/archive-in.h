/* Staging the files of an image archive (pkg/storage internal). */
#ifndef PC_PKG_STORAGE_ARCHIVE_IN_H
#define PC_PKG_STORAGE_ARCHIVE_IN_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct pc_archive_file
{
  char *path;       /* inside the archive, cleaned ("a/b") */
  char *link;       /* symlink/hard link target, else NULL */
  char staged[32];  /* file name in the staging dir */
  char digest[72];  /* sha256:<hex> of the content */
  int64_t size;
};

struct pc_archive_files
{
  struct pc_archive_file *v;
  size_t n;
};

int pc_archive_stage (int fd, int stage_dirfd, struct pc_archive_files *files, pc_error **err);
/* Follows links; NULL when absent. */
const struct pc_archive_file *pc_archive_find (const struct pc_archive_files *f, const char *path);
void pc_archive_files_free (struct pc_archive_files *f);

#endif
