/* Signals for the container go through its monitor. The monitor is root in
   the container's user namespace and may signal every process there; a later
   pc may not: it runs in the initial namespace or a user namespace of its
   own, and the container's processes run as subordinate ids. Sending to the
   monitor needs only the same uid, which every pc of the user has. The
   signal number travels as the sigqueue value of PC_MONITOR_RELAY_SIGNAL. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pkg/monitor/monitor.h"

int
pc_monitor_relay_signo (void)
{
  return SIGRTMIN + 1;
}

int
pc_monitor_signal (int monitor_pidfd, int sig, pc_error **err)
{
  if (sig <= 0 || sig >= 65)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid signal %d", sig);
  siginfo_t info;
  memset (&info, 0, sizeof info);
  info.si_signo = pc_monitor_relay_signo ();
  info.si_code = SI_QUEUE;
  info.si_pid = getpid ();
  info.si_uid = getuid ();
  info.si_value.sival_int = sig;
  if (syscall (SYS_pidfd_send_signal, monitor_pidfd, info.si_signo, &info, 0) < 0)
    return pc_error_errno (err, errno, "send signal %d to the container's monitor", sig);
  return 0;
}
