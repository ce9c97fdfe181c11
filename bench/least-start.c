/* least-start [-n] CMD [ARG...]: the least a rootless container start does
   on a machine where each command maps the user's subordinate ids, with no
   container tool around it. It makes a user namespace (a child cloned with
   CLONE_NEWUSER), maps it from /etc/subuid and /etc/subgid with newuidmap
   and newgidmap (both at once), becomes root there and execs CMD; with -n
   it first makes the container's other namespaces (mount, pid, network,
   ipc, uts) and runs CMD as pid 1 of the new pid namespace.

   No root filesystem, mounts, pivot_root, seccomp, monitor or state: a
   real start does all that on top. bench/run builds it (cc -O2) and times
   it beside `pc start` and `unshare -r true` in the start case. */
#define _GNU_SOURCE
#include <errno.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int go[2];
static char stack[65536] __attribute__ ((aligned (16)));
static int ns_flags;
static char **cmd;

static int
child (void *arg)
{
  (void) arg;
  char c;
  close (go[1]);
  if (read (go[0], &c, 1) != 1)
    _exit (1);
  if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
    {
      perror ("least-start: become root in the user namespace");
      _exit (1);
    }
  if (ns_flags)
    {
      if (unshare (ns_flags) < 0)
        {
          perror ("least-start: unshare");
          _exit (1);
        }
      pid_t p = fork ();
      if (p < 0)
        _exit (1);
      if (p > 0)
        {
          int st;
          while (waitpid (p, &st, 0) < 0 && errno == EINTR)
            ;
          _exit (WIFEXITED (st) ? WEXITSTATUS (st) : 1);
        }
    }
  execvp (cmd[0], cmd);
  perror ("least-start: exec");
  _exit (127);
}

/* The first range of at least 65536 ids for the user (by name or uid). */
static int
subid_start (const char *file, const char *name, unsigned id, unsigned long *start)
{
  FILE *f = fopen (file, "re");
  if (f == NULL)
    return -1;
  char line[512];
  int found = -1;
  while (found < 0 && fgets (line, sizeof line, f))
    {
      char *save = NULL;
      char *who = strtok_r (line, ":\n", &save);
      char *s = strtok_r (NULL, ":\n", &save);
      char *n = strtok_r (NULL, ":\n", &save);
      if (who == NULL || s == NULL || n == NULL || strtoul (n, NULL, 10) < 65536)
        continue;
      char uid[16];
      snprintf (uid, sizeof uid, "%u", id);
      if (strcmp (who, name) == 0 || strcmp (who, uid) == 0)
        {
          *start = strtoul (s, NULL, 10);
          found = 0;
        }
    }
  fclose (f);
  return found;
}

static pid_t
map_helper (const char *prog, pid_t target, unsigned id, unsigned long start)
{
  char t[16], i[16], s[24];
  snprintf (t, sizeof t, "%d", (int) target);
  snprintf (i, sizeof i, "%u", id);
  snprintf (s, sizeof s, "%lu", start);
  pid_t p = vfork ();
  if (p == 0)
    {
      execl (prog, prog, t, "0", i, "1", "1", s, "65536", (char *) NULL);
      _exit (127);
    }
  return p;
}

static int
reap_ok (pid_t p)
{
  int st;
  while (waitpid (p, &st, 0) < 0)
    if (errno != EINTR)
      return 0;
  return WIFEXITED (st) && WEXITSTATUS (st) == 0;
}

int
main (int argc, char **argv)
{
  int k = 1;
  if (argc > 1 && strcmp (argv[1], "-n") == 0)
    {
      ns_flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
      k++;
    }
  if (k >= argc)
    {
      fprintf (stderr, "usage: least-start [-n] CMD [ARG...]\n");
      return 2;
    }
  cmd = argv + k;
  struct passwd *pw = getpwuid (getuid ());
  unsigned long su, sg;
  if (pw == NULL || subid_start ("/etc/subuid", pw->pw_name, getuid (), &su) < 0
      || subid_start ("/etc/subgid", pw->pw_name, getuid (), &sg) < 0)
    {
      fprintf (stderr, "least-start: no range of 65536 ids for this user in /etc/subuid and /etc/subgid\n");
      return 1;
    }
  if (pipe (go) < 0)
    return 1;
  pid_t c = clone (child, stack + sizeof stack, CLONE_NEWUSER | SIGCHLD, NULL);
  if (c < 0)
    {
      perror ("least-start: clone");
      return 1;
    }
  close (go[0]);
  pid_t u = map_helper ("/usr/bin/newuidmap", c, (unsigned) getuid (), su);
  pid_t g = map_helper ("/usr/bin/newgidmap", c, (unsigned) getgid (), sg);
  int ok = reap_ok (u) & reap_ok (g);
  if (!ok)
    {
      fprintf (stderr, "least-start: newuidmap or newgidmap failed\n");
      kill (c, SIGKILL);
      reap_ok (c);
      return 1;
    }
  if (write (go[1], "x", 1) != 1)
    return 1;
  int st;
  while (waitpid (c, &st, 0) < 0)
    if (errno != EINTR)
      return 1;
  return WIFEXITED (st) ? WEXITSTATUS (st) : 1;
}
