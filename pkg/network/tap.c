/* tap0 in the container's network namespace, as slirp4netns configures it
   (lo up; tap0 with the container's address, MTU and the default route via
   the gateway).

   The work is done by a short-lived clone of the caller that shares its
   memory and fd table (CLONE_VM | CLONE_FILES | CLONE_VFORK): only that
   task enters the container's namespace, so the caller, which could not
   come back into the host's (an unprivileged user's monitor has no
   CAP_SYS_ADMIN over the initial user namespace), stays where libslirp's
   sockets must live. The tap fd it opens is in the shared fd table. */
#include "pkg/network/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/route.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/proc.h"

struct tap_job
{
  int netns_fd;
  const struct pc_net_slirp_opts *o;
  int tap_fd;            /* out */
  int err;               /* out: errno of the failed step, 0 = done */
  const char *step;      /* out: what failed */
};

static int
fail_step (struct tap_job *j, const char *step)
{
  j->err = errno ? errno : EIO;
  j->step = step;
  return 1;
}

static int
if_up (int s, const char *name, struct tap_job *j)
{
  struct ifreq ifr;
  memset (&ifr, 0, sizeof ifr);
  strncpy (ifr.ifr_name, name, IFNAMSIZ - 1);
  if (ioctl (s, SIOCGIFFLAGS, &ifr) < 0)
    return fail_step (j, "read the interface flags");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl (s, SIOCSIFFLAGS, &ifr) < 0)
    return fail_step (j, "bring the interface up");
  return 0;
}

static void
set_sin (struct sockaddr *sa, uint32_t host_order)
{
  struct sockaddr_in *sin = (struct sockaddr_in *) sa;
  memset (sin, 0, sizeof *sin);
  sin->sin_family = AF_INET;
  sin->sin_addr.s_addr = htonl (host_order);
}

/* Writes a sysctl of the current network namespace (/proc/sys/net is the
   opener's namespace's). */
static void
net_sysctl (const char *path, const char *value)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  if (write (fd, value, strlen (value)) < 0)
    {
      /* Best effort: without it IPv6 waits for duplicate address detection. */
    }
  close (fd);
}

/* Runs in the clone: raw syscalls only, results in the job. */
static int
tap_child (void *arg)
{
  struct tap_job *j = arg;
  errno = 0;
  if (setns (j->netns_fd, CLONE_NEWNET) < 0)
    return fail_step (j, "enter the container's network namespace");
  int s = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return fail_step (j, "create a socket in the container's network namespace");
  if (if_up (s, "lo", j))
    goto out;
  int tap = open ("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (tap < 0)
    {
      fail_step (j, "open /dev/net/tun");
      goto out;
    }
  j->tap_fd = tap;
  struct ifreq ifr;
  memset (&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  strncpy (ifr.ifr_name, PC_NET_TAP_NAME, IFNAMSIZ - 1);
  if (ioctl (tap, TUNSETIFF, &ifr) < 0)
    {
      fail_step (j, "create the tap device " PC_NET_TAP_NAME " (TUNSETIFF)");
      goto out;
    }
  /* Persistent: closing the last fd does not unregister the device (an
     RCU grace period, tens of ms, on the container's exit path); it goes
     with the namespace, which the kernel tears down on its own time. */
  if (ioctl (tap, TUNSETPERSIST, 1) < 0)
    {
      fail_step (j, "make " PC_NET_TAP_NAME " persistent (TUNSETPERSIST)");
      goto out;
    }
  if (j->o->enable_ipv6)
    net_sysctl ("/proc/sys/net/ipv6/conf/" PC_NET_TAP_NAME "/accept_dad", "0");
  else
    net_sysctl ("/proc/sys/net/ipv6/conf/" PC_NET_TAP_NAME "/disable_ipv6", "1");
  ifr.ifr_mtu = (int) j->o->mtu;
  if (ioctl (s, SIOCSIFMTU, &ifr) < 0)
    {
      fail_step (j, "set the MTU of " PC_NET_TAP_NAME);
      goto out;
    }
  uint32_t net = ntohl (j->o->net.s_addr);
  set_sin (&ifr.ifr_addr, net + 100);
  if (ioctl (s, SIOCSIFADDR, &ifr) < 0)
    {
      fail_step (j, "set the address of " PC_NET_TAP_NAME);
      goto out;
    }
  set_sin (&ifr.ifr_netmask, ntohl (j->o->mask.s_addr));
  if (ioctl (s, SIOCSIFNETMASK, &ifr) < 0)
    {
      fail_step (j, "set the netmask of " PC_NET_TAP_NAME);
      goto out;
    }
  if (if_up (s, PC_NET_TAP_NAME, j))
    goto out;
  struct rtentry rt;
  memset (&rt, 0, sizeof rt);
  set_sin (&rt.rt_dst, 0);
  set_sin (&rt.rt_genmask, 0);
  set_sin (&rt.rt_gateway, net + 2);
  rt.rt_flags = RTF_UP | RTF_GATEWAY;
  if (ioctl (s, SIOCADDRT, &rt) < 0)
    {
      fail_step (j, "add the default route");
      goto out;
    }
out:
  close (s);
  return j->err ? 1 : 0;
}

int
pc_net_run_in_clone (int (*fn) (void *), void *arg)
{
  size_t stack_size = 64 * 1024;
  void *stack = mmap (NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED)
    return -1;
  pid_t child = clone (fn, (char *) stack + stack_size, CLONE_VM | CLONE_FILES | CLONE_VFORK | SIGCHLD, arg);
  int saved = errno;
  int status = 0;
  if (child > 0)
    while (waitpid (child, &status, 0) < 0 && errno == EINTR)
      ;
  munmap (stack, stack_size);
  if (child < 0)
    {
      errno = saved;
      return -1;
    }
  return WIFEXITED (status) ? WEXITSTATUS (status) : 1;
}

int
pc_net_tap_create (int netns_fd, const struct pc_net_slirp_opts *o, pc_error **err)
{
  struct tap_job j = { .netns_fd = netns_fd, .o = o, .tap_fd = -1 };
  int r = pc_net_run_in_clone (tap_child, &j);
  if (r < 0)
    return pc_error_errno (err, errno, "clone to configure the container's network");
  if (j.err || r != 0)
    {
      if (j.tap_fd >= 0)
        close (j.tap_fd);
      if (j.step && strcmp (j.step, "open /dev/net/tun") == 0 && (j.err == EACCES || j.err == EPERM))
        return pc_error_errnoc (err, PC_ERR_PERMISSION, j.err,
                                "set up the container's network: open /dev/net/tun: the default network "
                                "needs /dev/net/tun readable and writable by you (Debian ships it mode 0666; "
                                "root can run `chmod 0666 /dev/net/tun`), or run with --network none");
      return pc_error_errnoc (err, j.err == EPERM || j.err == EACCES ? PC_ERR_PERMISSION : PC_ERR_GENERIC,
                              j.err ? j.err : EIO, "set up the container's network: %s",
                              j.step ? j.step : "the helper failed");
    }
  return j.tap_fd;
}
