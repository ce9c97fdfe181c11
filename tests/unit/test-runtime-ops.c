/* The runtime interface: lookup by name (the built-in runtime; any other
   name is an unsupported-class error), and one container's life through
   the table: create (stopped before exec) -> start -> exec beside it ->
   kill -> stopped -> delete, on a plain-directory root that binds the
   host's /usr, inside a user namespace of the test's own (no root needed;
   skipped when this host refuses one). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/runtime/runtime.h"
#include "tests/unit/tap.h"

static void
test_lookup (void)
{
  pc_error *err = NULL;
  const struct pc_runtime_ops *b = pc_runtime_builtin ();
  ok (b != NULL && strcmp (b->name, "pc") == 0, "the built-in runtime is named pc");
  ok (b->create && b->open && b->start && b->kill && b->state && b->delete && b->exec && b->abort,
      "the built-in table has every operation");
  ok (pc_runtime_find (NULL, &err) == b && err == NULL, "no name: the built-in runtime");
  ok (pc_runtime_find ("pc", &err) == b && err == NULL, "\"pc\": the built-in runtime");

  const char *external[] = { "runc", "crun", "runsc", "/usr/bin/runc" };
  for (size_t i = 0; i < sizeof external / sizeof external[0]; i++)
    {
      ok (pc_runtime_find (external[i], &err) == NULL, "%s: no table", external[i]);
      is_int (pc_error_class_of (err), PC_ERR_UNSUPPORTED, "%s: class unsupported", external[i]);
      ok (err && strstr (err->msg, external[i]) && strstr (err->msg, "later"),
          "%s: the message names it and says external runtimes come later", external[i]);
      if (err)
        printf ("#   %s\n", err->msg);
      pc_error_clear (&err);
    }
  ok (pc_runtime_find ("", &err) == NULL && pc_error_class_of (err) == PC_ERR_INVALID,
      "an empty name is invalid");
  pc_error_clear (&err);
}

static int
write_file (const char *path, const char *text)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = write (fd, text, strlen (text));
  close (fd);
  return n == (ssize_t) strlen (text) ? 0 : -1;
}

/* Root of a user namespace mapping only the caller's ids. */
static int
enter_userns (void)
{
  uid_t uid = getuid ();
  gid_t gid = getgid ();
  if (unshare (CLONE_NEWUSER) < 0)
    return -1;
  char map[64];
  snprintf (map, sizeof map, "0 %u 1\n", (unsigned) uid);
  if (write_file ("/proc/self/uid_map", map) < 0)
    return -1;
  if (write_file ("/proc/self/setgroups", "deny") < 0 && errno != ENOENT)
    return -1;
  snprintf (map, sizeof map, "0 %u 1\n", (unsigned) gid);
  return write_file ("/proc/self/gid_map", map);
}

static json_object *
make_spec (const char *root, const char *const *args)
{
  json_object *argv = json_object_new_array ();
  for (; *args; args++)
    json_object_array_add (argv, json_object_new_string (*args));
  char text[2048];
  snprintf (text, sizeof text,
            "{\"ociVersion\":\"1.0.0\","
            "\"process\":{\"terminal\":false,\"user\":{\"uid\":0,\"gid\":0},\"args\":[],"
            "  \"env\":[\"PATH=/usr/bin:/bin\"],\"cwd\":\"/\"},"
            "\"root\":{\"path\":\"%s\"},"
            "\"hostname\":\"ops\","
            "\"mounts\":["
            "  {\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
            "  {\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"mode=755\"]},"
            "  {\"destination\":\"/usr\",\"type\":\"bind\",\"source\":\"/usr\",\"options\":[\"rbind\",\"ro\"]}],"
            "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"ipc\"},"
            "  {\"type\":\"uts\"}]}}",
            root);
  json_object *spec = json_tokener_parse (text);
  if (spec == NULL)
    {
      json_object_put (argv);
      return NULL;
    }
  json_object_object_add (json_object_object_get (spec, "process"), "args", argv);
  return spec;
}

static int
reap (pid_t pid)
{
  int status = -1;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  return status;
}

static void
test_exec (const struct pc_runtime_ops *rt, struct pc_runtime_ctr *ctr, json_object *spec)
{
  pc_error *err = NULL;
  json_object *process = json_object_new_object ();
  json_object *args = json_object_new_array ();
  json_object_array_add (args, json_object_new_string ("sh"));
  json_object_array_add (args, json_object_new_string ("-c"));
  json_object_array_add (args, json_object_new_string ("test \"$(hostname)\" = ops && exit 7"));
  json_object_object_add (process, "args", args);
  json_object_object_add (process, "cwd", json_object_new_string ("/"));
  json_object *env = json_object_new_array ();
  json_object_array_add (env, json_object_new_string ("PATH=/usr/bin:/bin"));
  json_object_object_add (process, "env", env);
  struct pc_runtime_io io = { -1, -1, -1, false };

  struct pc_runtime_ctr *proc = NULL;
  struct pc_runtime_created info;
  int r = rt->exec (ctr, spec, process, &io, &proc, &info, &err);
  ok (r == 0 && proc != NULL && info.pid > 0, "exec: a process in the container%s%s",
      err ? ": " : "", err ? err->msg : "");
  pc_error_clear (&err);
  if (r == 0)
    {
      struct pc_runtime_state st = { 0 };
      rt->state (proc, &st, NULL);
      is_int (st.status, PC_RUNTIME_CREATED, "exec: created before start");
      ok (rt->start (proc, &err) == 0, "exec: start%s%s", err ? ": " : "", err ? err->msg : "");
      pc_error_clear (&err);
      int status = reap (info.pid);
      ok (WIFEXITED (status) && WEXITSTATUS (status) == 7,
          "exec: it ran in the container's uts namespace (status %d)", status);
      ok (rt->delete (proc, &err) == 0, "exec: delete once it exited");
      pc_error_clear (&err);
    }

  /* A command that does not exist: start fails with its class, abort cleans up. */
  json_object_array_put_idx (args, 0, json_object_new_string ("/no/such/command"));
  r = rt->exec (ctr, spec, process, &io, &proc, &info, &err);
  ok (r == 0, "exec of a missing command: created");
  pc_error_clear (&err);
  if (r == 0)
    {
      ok (rt->start (proc, &err) < 0 && pc_error_class_of (err) == PC_ERR_CMD_NOT_FOUND,
          "exec of a missing command: start fails with class command not found");
      pc_error_clear (&err);
      rt->abort (proc);
      ok (waitpid (info.pid, NULL, WNOHANG) < 0 && errno == ECHILD, "abort reaped it");
    }
  json_object_put (process);
}

static void
test_cycle (void)
{
  const struct pc_runtime_ops *rt = pc_runtime_builtin ();
  pc_error *err = NULL;
  char root[] = "/tmp/pc-test-runtime-ops.XXXXXX";
  if (mkdtemp (root) == NULL)
    {
      ok (0, "mkdtemp: %s", strerror (errno));
      return;
    }
  chmod (root, 0755);
  const char *dirs[] = { "usr", "proc", "dev" };
  const char *links[][2] = { { "bin", "usr/bin" }, { "lib", "usr/lib" }, { "lib64", "usr/lib64" },
                             { "sbin", "usr/sbin" } };
  char path[512];
  for (size_t i = 0; i < 3; i++)
    {
      snprintf (path, sizeof path, "%s/%s", root, dirs[i]);
      mkdir (path, 0755);
    }
  for (size_t i = 0; i < 4; i++)
    {
      snprintf (path, sizeof path, "%s/%s", root, links[i][0]);
      if (symlink (links[i][1], path) < 0)
        ok (0, "symlink %s: %s", path, strerror (errno));
    }

  if (enter_userns () < 0)
    {
      printf ("ok %d # SKIP this host gives no user namespace: %s\n", ++tap_count, strerror (errno));
      goto out;
    }

  const char *args[] = { "sleep", "1000", NULL };
  json_object *spec = make_spec (root, args);
  ok (spec != NULL, "spec");
  struct pc_runtime_io io = { -1, -1, -1, false };
  struct pc_runtime_ctr *ctr = NULL;
  struct pc_runtime_created info;
  int r = rt->create (spec, &io, &ctr, &info, &err);
  if (r < 0 && err && err->status == ENOSYS)
    {
      /* valgrind 3.19 has no clone3: the runtime cannot run under it. */
      printf ("ok %d # SKIP no clone3 here (valgrind?): %s\n", ++tap_count, err->msg);
      pc_error_clear (&err);
      json_object_put (spec);
      goto out;
    }
  ok (r == 0 && ctr != NULL && info.pid > 0, "create%s%s", err ? ": " : "", err ? err->msg : "");
  pc_error_clear (&err);
  if (r < 0)
    {
      json_object_put (spec);
      goto out;
    }
  is_int (info.console_fd, -1, "no console without a terminal");

  struct pc_runtime_state st = { 0 };
  ok (rt->state (ctr, &st, &err) == 0, "state");
  is_int (st.status, PC_RUNTIME_CREATED, "created: stopped before exec");
  is_int (st.pid, info.pid, "state gives the created pid");
  ok (rt->delete (ctr, &err) < 0 && pc_error_class_of (err) == PC_ERR_STATE,
      "delete of a created container is refused (class state)");
  pc_error_clear (&err);

  ok (rt->start (ctr, &err) == 0, "start%s%s", err ? ": " : "", err ? err->msg : "");
  pc_error_clear (&err);
  rt->state (ctr, &st, NULL);
  is_int (st.status, PC_RUNTIME_RUNNING, "running after start");
  ok (rt->start (ctr, &err) < 0 && pc_error_class_of (err) == PC_ERR_STATE,
      "a second start is a state error");
  pc_error_clear (&err);
  ok (rt->delete (ctr, &err) < 0 && pc_error_class_of (err) == PC_ERR_STATE,
      "delete of a running container is refused");
  pc_error_clear (&err);

  /* Beside it, from a handle a later command would open on its pidfd. */
  int pidfd = (int) syscall (SYS_pidfd_open, info.pid, 0);
  struct pc_runtime_ctr *opened = NULL;
  ok (pidfd >= 0 && rt->open ("ops-test", pidfd, info.pid, &opened, &err) == 0, "open by pidfd");
  pc_error_clear (&err);
  if (opened)
    {
      test_exec (rt, opened, spec);
      ok (rt->delete (opened, &err) == 0, "delete releases an opened handle of a running container");
      pc_error_clear (&err);
    }
  if (pidfd >= 0)
    close (pidfd);

  ok (rt->kill (ctr, 0, &err) < 0 && pc_error_class_of (err) == PC_ERR_INVALID, "kill 0 is invalid");
  pc_error_clear (&err);
  /* The container's pid 1 has no handler: only SIGKILL ends it. */
  ok (rt->kill (ctr, SIGKILL, &err) == 0, "kill SIGKILL");
  pc_error_clear (&err);
  int status = reap (info.pid);
  ok (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL, "the container died of SIGKILL (%d)", status);
  rt->state (ctr, &st, NULL);
  is_int (st.status, PC_RUNTIME_STOPPED, "stopped once it exited and was reaped");
  ok (rt->kill (ctr, SIGKILL, &err) < 0 && pc_error_class_of (err) == PC_ERR_STATE,
      "kill after the end: class state, no other process hit");
  pc_error_clear (&err);
  ok (rt->delete (ctr, &err) == 0, "delete of a stopped container");
  pc_error_clear (&err);

  /* A created container that is never started: abort kills and reaps it. */
  ctr = NULL;
  r = rt->create (spec, &io, &ctr, &info, &err);
  ok (r == 0, "create a second one");
  pc_error_clear (&err);
  if (r == 0)
    {
      rt->abort (ctr);
      ok (waitpid (info.pid, NULL, WNOHANG) < 0 && errno == ECHILD, "abort killed and reaped it");
    }
  json_object_put (spec);

out:
  for (size_t i = 0; i < 4; i++)
    {
      snprintf (path, sizeof path, "%s/%s", root, links[i][0]);
      unlink (path);
    }
  for (size_t i = 0; i < 3; i++)
    {
      snprintf (path, sizeof path, "%s/%s", root, dirs[i]);
      rmdir (path);
    }
  rmdir (root);
}

int
main (void)
{
  /* A hang is a failure, not a stuck test run. */
  alarm (60);
  test_lookup ();
  test_cycle ();
  return done_testing ();
}
