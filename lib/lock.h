/* flock(2)-based locks on files, for coordinating concurrent pc processes.
   The lock lives as long as the returned fd. */
#ifndef PC_LIB_LOCK_H
#define PC_LIB_LOCK_H

#include <stdbool.h>

#include "lib/error.h"

/* Creates the file if needed, blocks until the lock is held, returns the fd. */
int pc_lock_open (int dirfd, const char *path, bool exclusive, pc_error **err);
/* Returns the fd, or -1 with (*err)->status == EWOULDBLOCK when held elsewhere. */
int pc_lock_try (int dirfd, const char *path, bool exclusive, pc_error **err);
/* Releases the lock and closes the fd; -1 is ignored. */
void pc_unlock (int fd);

#endif
