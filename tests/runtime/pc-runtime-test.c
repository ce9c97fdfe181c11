/* Test driver for pkg/runtime (not a pc command): runs an OCI config.json.

   pc-runtime-test [--timing] [--tty] CONFIG.json
     creates the container, starts it, waits, exits with its status (exec
     failures: 127/126 as pc run does). --timing prints the create/start/wait
     split on stderr. With --tty the pty master is relayed to stdout.
     --exec 'SHELL CMD': once the container runs, runs `sh -c CMD` in it with
     pc_runtime_exec (the spec's process otherwise), then kills the container
     and exits with the exec'd command's status. --exec-direct PROGRAM: the
     same with args [PROGRAM] (PATH lookup by the runtime).
   pc-runtime-test --seccomp-oci [PROFILE.json]
     prints the OCI linux.seccomp object for the default caps (default profile
     when no file is given). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "pkg/runtime/runtime.h"

static double
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

static char *
read_all (const char *path)
{
  FILE *f = fopen (path, "re");
  if (f == NULL)
    return NULL;
  size_t cap = 4096, len = 0;
  char *buf = malloc (cap);
  size_t n;
  while ((n = fread (buf + len, 1, cap - len - 1, f)) > 0)
    {
      len += n;
      if (cap - len < 2)
        buf = realloc (buf, cap *= 2);
    }
  fclose (f);
  buf[len] = '\0';
  return buf;
}

static void
relay_console (int master)
{
  char buf[4096];
  for (;;)
    {
      ssize_t n = read (master, buf, sizeof buf);
      if (n <= 0)
        break;
      if (write (1, buf, (size_t) n) < 0)
        break;
    }
}

/* As pc run: the class the runtime gave the failure decides. */
static int
exit_code_for (const pc_error *err)
{
  switch (pc_error_class_of (err))
    {
    case PC_ERR_CMD_NOT_FOUND:
      return 127;
    case PC_ERR_CANNOT_INVOKE:
      return 126;
    default:
      return 125;
    }
}

static int
wait_status (pid_t pid)
{
  int status;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  return WIFSIGNALED (status) ? 128 + WTERMSIG (status) : WEXITSTATUS (status);
}

static int
run_exec (json_object *spec, pid_t container, const char *cmd, bool direct)
{
  json_object *process = NULL;
  json_object_object_get_ex (spec, "process", &process);
  json_object *args = json_object_new_array ();
  if (!direct)
    {
      json_object_array_add (args, json_object_new_string ("sh"));
      json_object_array_add (args, json_object_new_string ("-c"));
    }
  json_object_array_add (args, json_object_new_string (cmd));
  json_object_object_add (process, "args", args);
  json_object *lnx = NULL, *seccomp = NULL;
  if (json_object_object_get_ex (spec, "linux", &lnx))
    json_object_object_get_ex (lnx, "seccomp", &seccomp);
  struct pc_runtime_io io = { .stdin_fd = 0, .stdout_fd = 1, .stderr_fd = 2 };
  struct pc_runtime_process e;
  pc_error *err = NULL;
  int rc;
  if (pc_runtime_exec_seccomp (container, process, seccomp, &io, &e, &err) < 0
      || pc_runtime_start (&e, &err) < 0)
    {
      fprintf (stderr, "Error: %s\n", err->msg);
      if (e.pid > 0)
        wait_status (e.pid);
      rc = exit_code_for (err);
      pc_error_free (err);
    }
  else
    rc = wait_status (e.pid);
  kill (container, SIGKILL);
  wait_status (container);
  json_object_put (spec);
  return rc;
}

int
main (int argc, char **argv)
{
  bool timing = false, tty = false;
  const char *exec_cmd = NULL;
  bool exec_direct = false;
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++)
    {
      if (strcmp (argv[i], "--timing") == 0)
        timing = true;
      else if (strcmp (argv[i], "--tty") == 0)
        tty = true;
      else if (strcmp (argv[i], "--exec") == 0 && i + 1 < argc)
        exec_cmd = argv[++i];
      else if (strcmp (argv[i], "--exec-direct") == 0 && i + 1 < argc)
        {
          exec_cmd = argv[++i];
          exec_direct = true;
        }
      else if (strcmp (argv[i], "--debug") == 0)
        pc_log_set_level (PC_LOG_DEBUG);
      else if (strcmp (argv[i], "--seccomp-oci") == 0)
        {
          pc_autofree char *text = i + 1 < argc ? read_all (argv[i + 1]) : NULL;
          if (i + 1 < argc && text == NULL)
            {
              fprintf (stderr, "cannot read %s\n", argv[i + 1]);
              return 125;
            }
          pc_error *err = NULL;
          json_object *o = pc_runtime_seccomp_to_oci (text, pc_runtime_default_caps (), &err);
          if (o == NULL)
            {
              fprintf (stderr, "Error: %s\n", err->msg);
              return 125;
            }
          puts (json_object_to_json_string_ext (o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
          json_object_put (o);
          return 0;
        }
      else
        {
          fprintf (stderr, "unknown option %s\n", argv[i]);
          return 125;
        }
    }
  if (i >= argc)
    {
      fprintf (stderr, "usage: pc-runtime-test [--timing] [--tty] CONFIG.json\n");
      return 125;
    }
  pc_autofree char *text = read_all (argv[i]);
  if (text == NULL)
    {
      fprintf (stderr, "cannot read %s: %s\n", argv[i], strerror (errno));
      return 125;
    }
  json_object *spec = json_tokener_parse (text);
  if (spec == NULL)
    {
      fprintf (stderr, "%s: invalid JSON\n", argv[i]);
      return 125;
    }
  struct pc_runtime_io io = { .stdin_fd = 0, .stdout_fd = 1, .stderr_fd = 2, .terminal = tty };
  struct pc_runtime_process p;
  pc_error *err = NULL;
  double t0 = now_ms ();
  if (pc_runtime_create (spec, &io, &p, &err) < 0)
    {
      fprintf (stderr, "Error: %s\n", err->msg);
      pc_error_free (err);
      json_object_put (spec);
      return 125;
    }
  double t1 = now_ms ();
  if (pc_runtime_start (&p, &err) < 0)
    {
      fprintf (stderr, "Error: %s\n", err->msg);
      int st;
      waitpid (p.pid, &st, 0);
      json_object_put (spec);
      int rc = exit_code_for (err);
      pc_error_free (err);
      return rc;
    }
  double t2 = now_ms ();
  if (exec_cmd)
    return run_exec (spec, p.pid, exec_cmd, exec_direct);
  if (p.console_fd >= 0)
    relay_console (p.console_fd);
  int status;
  while (waitpid (p.pid, &status, 0) < 0 && errno == EINTR)
    ;
  double t3 = now_ms ();
  if (timing)
    fprintf (stderr, "timing: create %.2f ms, start %.2f ms, run+wait %.2f ms, total %.2f ms\n",
             t1 - t0, t2 - t1, t3 - t2, t3 - t0);
  json_object_put (spec);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return WEXITSTATUS (status);
}
