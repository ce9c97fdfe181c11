/* pkg/engine's copier for pc cp (cp-copy.c): trees copied fd to fd and
   tar streams read and written, never following a symlink below the fds it
   is given. Internal to pkg/engine. */
#ifndef PC_PKG_ENGINE_CP_COPY_H
#define PC_PKG_ENGINE_CP_COPY_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "lib/error.h"

#define CP_MAX_DEPTH 512

enum cp_owner
{
  OWNER_WRITER,   /* files belong to whoever writes them (to the host) */
  OWNER_FIXED,    /* the container's main user (--archive, the default) */
  OWNER_SOURCE,   /* the source's ids as this process sees them */
};

struct cp_ctx
{
  enum cp_owner owner;
  uid_t uid;
  gid_t gid;
  bool overwrite;
  bool strip_suid;   /* real root writing onto the host */
  bool to_host;
};


/* sfd (open O_RDONLY, a directory or a regular file) as `name` in dfd;
   name NULL: a directory's contents straight into dfd. */
int eng_cp_copy_tree (const struct cp_ctx *x, int sfd, const struct stat *st, int dfd,
                      const char *name, int depth, pc_error **err);
/* A tar stream read into directory dfd: each entry's parent is resolved
   with dfd as its root, so nothing in the stream or the tree reaches out. */
int eng_cp_untar_into (const struct cp_ctx *x, int in_fd, int dfd, pc_error **err);
/* sfd as `name` (NULL: a directory's contents) as a tar stream to out_fd. */
int eng_cp_tar_out (int sfd, const struct stat *st, const char *name, int out_fd, pc_error **err);

#endif
