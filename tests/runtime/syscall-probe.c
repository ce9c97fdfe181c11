/* syscall-probe NAME...: calls each system call with harmless arguments and
   prints "NAME: ok" or "NAME: ERRNONAME" (e.g. "keyctl: EPERM"). Built
   static so it runs in any test rootfs (busybox has no keyctl applet). */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *
errname (int e)
{
  switch (e)
    {
    case EPERM: return "EPERM";
    case ENOSYS: return "ENOSYS";
    case EINVAL: return "EINVAL";
    case EFAULT: return "EFAULT";
    case EACCES: return "EACCES";
    case ENOENT: return "ENOENT";
    case EBADF: return "EBADF";
    case ENOKEY: return "ENOKEY";
    default: return strerror (e);
    }
}

static long
probe (const char *name)
{
  if (strcmp (name, "keyctl") == 0)
    return syscall (SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);
  if (strcmp (name, "add_key") == 0)
    return syscall (SYS_add_key, "user", "pc-probe", "x", 1, -3);
  if (strcmp (name, "kexec_load") == 0)
    return syscall (SYS_kexec_load, 0, 0, NULL, 0);
  if (strcmp (name, "bpf") == 0)
    return syscall (SYS_bpf, 0, NULL, 0);
  if (strcmp (name, "unshare-user") == 0)
    return syscall (SYS_unshare, CLONE_NEWUSER);
  if (strcmp (name, "unshare-files") == 0)
    return syscall (SYS_unshare, CLONE_FILES);
  if (strcmp (name, "mount") == 0)
    return syscall (SYS_mount, "none", "/tmp", "tmpfs", 0, NULL);
  if (strcmp (name, "getpid") == 0)
    return syscall (SYS_getpid);
  if (strcmp (name, "clone3") == 0)
    return syscall (SYS_clone3, NULL, 0);
  if (strcmp (name, "personality-bad") == 0)
    return syscall (SYS_personality, 0x0040000 /* ADDR_NO_RANDOMIZE */);
  errno = EINVAL;
  return -2;
}

int
main (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      errno = 0;
      long r = probe (argv[i]);
      if (r == -2)
        printf ("%s: unknown probe\n", argv[i]);
      else if (r < 0)
        printf ("%s: %s\n", argv[i], errname (errno));
      else
        printf ("%s: ok\n", argv[i]);
    }
  return 0;
}
