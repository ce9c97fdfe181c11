/* A step run in a forked child (eng_in_child): pods and kube play make and
   start containers in a user namespace the calling process must not enter
   (it stays in the initial one), so a child enters it and does the work;
   its error comes back through a pipe with its class. */
#include "pkg/engine/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/proc.h"
#include "lib/xalloc.h"

/* The child: enter, then fn; a failure written as "CLASS\nERRNO\nMESSAGE". */
static int
child (struct pc_engine *e, const struct eng_child_step *s, int wfd)
{
  pc_error *cerr = NULL;
  int r = s->enter ? s->enter (e, s->data, &cerr) : 0;
  if (r == 0)
    r = s->fn (e, s->data, &cerr);
  if (r < 0 && cerr)
    {
      pc_autofree char *msg = xasprintf ("%s\n%d\n%s", pc_error_class_name (cerr->cls), cerr->status, cerr->msg);
      pc_autoerror pc_error *werr = NULL;
      pc_write_all (wfd, msg, strlen (msg), &werr);
    }
  fflush (stdout);
  fflush (stderr);
  return r < 0 ? 1 : 0;
}

int
eng_in_child (struct pc_engine *e, const struct eng_child_step *s, pc_error **err)
{
  if (pc_require_single_threaded (s->what, err) < 0)
    return -1;
  int pfd[2];
  if (pipe2 (pfd, O_CLOEXEC) < 0)
    return pc_error_errno (err, errno, "pipe");
  fflush (stdout);
  fflush (stderr);
  pid_t pid = fork ();
  if (pid < 0)
    {
      int saved = errno;
      close (pfd[0]);
      close (pfd[1]);
      return pc_error_errno (err, saved, "fork");
    }
  if (pid == 0)
    {
      close (pfd[0]);
      _exit (child (e, s, pfd[1]));
    }
  close (pfd[1]);
  pc_autofree char *buf = NULL;
  size_t len = 0;
  pc_autoerror pc_error *rerr = NULL;
  pc_read_fd_max (pfd[0], 1 << 16, &buf, &len, &rerr);
  close (pfd[0]);
  int status = 0;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  if (buf && len)
    {
      char *nl1 = strchr (buf, '\n');
      char *nl2 = nl1 ? strchr (nl1 + 1, '\n') : NULL;
      if (nl1 && nl2)
        {
          *nl1 = *nl2 = '\0';
          return pc_error_makec (err, pc_error_class_from_name (buf), atoi (nl1 + 1), "%s", nl2 + 1);
        }
    }
  return pc_error_make (err, EIO, "the process acting %s failed (status %d)", s->acting, status);
}
