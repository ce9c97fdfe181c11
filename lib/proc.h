/* Running helper programs (newuidmap, fuse-overlayfs, ...) and fd flags. */
#ifndef PC_LIB_PROC_H
#define PC_LIB_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/error.h"

/* fds become the child's 0/1/2 (-1 = /dev/null); every other fd is closed;
   signal mask and dispositions are reset; argv[0] is looked up in $PATH.
   A program that cannot be executed fails here with its errno. */
int pc_spawn (char *const argv[], int in_fd, int out_fd, int err_fd, pid_t *pid, pc_error **err);
/* *exit_status: the exit code, or 128+signal. */
int pc_wait (pid_t pid, int *exit_status, pc_error **err);
/* Runs to completion with stdin from /dev/null; out/errout (either may be NULL)
   get the NUL-terminated stdout/stderr. */
int pc_run_capture (char *const argv[], char **out, char **errout, int *exit_status,
                    pc_error **err);
/* Both return 0, or -1 with errno set. */
int pc_set_cloexec (int fd, bool on);
int pc_set_nonblock (int fd, bool on);
/* Marks every fd >= from close-on-exec, so nothing of pc's reaches what is
   executed next: close_range (CLOSE_RANGE_CLOEXEC, Linux 5.11), else each
   fd listed in /proc/self/fd. 0, or -1 with errno set when neither works. */
int pc_fds_cloexec_from (unsigned from);
/* Fails (with `what` in the message) unless the calling process has exactly
   one thread: code that forks or clones without exec, or unshares or joins
   a user namespace, must run before any thread exists. */
int pc_require_single_threaded (const char *what, pc_error **err);

#endif
