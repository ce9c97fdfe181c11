/* process.terminal: a pty from the container's own devpts instance, made the
   controlling tty of the process; the master goes to pc over SCM_RIGHTS. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <termios.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "pkg/runtime/internal.h"

/* After pivot_root: /dev/pts is the container's devpts. */
int
rt_terminal_setup (const struct rt_process *p, pc_error **err)
{
  pc_autoclose int master = open ("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return pc_error_errno (err, errno, "open /dev/pts/ptmx in the container");
  if (unlockpt (master) < 0)
    return pc_error_errno (err, errno, "unlock the pty");
  /* The peer is opened through the master, never by a path the image controls. */
  pc_autoclose int slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return pc_error_errno (err, errno, "open the pty peer");

  if (p->console_rows && p->console_cols)
    {
      struct winsize ws = { .ws_row = p->console_rows, .ws_col = p->console_cols };
      if (ioctl (master, TIOCSWINSZ, &ws) < 0)
        return pc_error_errno (err, errno, "set the terminal size");
    }
  if (setsid () < 0)
    return pc_error_errno (err, errno, "setsid");
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return pc_error_errno (err, errno, "make the pty the controlling terminal");

  /* /dev/console is the pty too, as OCI runtimes provide it. */
  int n = 0;
  if (ioctl (master, TIOCGPTN, &n) == 0)
    {
      char path[64];
      snprintf (path, sizeof path, "/dev/pts/%d", n);
      pc_autoclose int cons = open ("/dev/console", O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (cons >= 0)
        {
          pc_autoclose int mfd = rt_mount_bind (slave, path, false, 0, 0, cons, NULL);
          (void) mfd;
        }
    }

  for (int i = 0; i < 3; i++)
    if (dup2 (slave, i) < 0)
      return pc_error_errno (err, errno, "dup the pty to fd %d", i);
  return steal_fd (&master);
}
