/* cmd/pc's one mapping from an error's class to an exit code: the class
   decides, whatever context or errno the error gathered on its way up. */
#include <errno.h>

#include "cmd/pc/cli.h"
#include "lib/error.h"
#include "tests/unit/tap.h"

static int
code_of (enum pc_error_class cls, int status, unsigned kind)
{
  pc_error *err = NULL;
  pc_error_makec (&err, cls, status, "failed");
  int code = pc_cli_exit_code_for (err, kind);
  pc_error_free (err);
  return code;
}

int
main (void)
{
  /* The container's command, reported by the runtime, wrapped by the
     monitor and the engine: still 127. The words that once chose the code
     by matching ("workdir \"", "not found", EACCES) change nothing. */
  pc_error *err = NULL;
  pc_error_makec (&err, PC_ERR_CMD_NOT_FOUND, ENOENT,
                  "executable file `nosuch` not found in $PATH: No such file or directory");
  pc_error_wrap (&err, "start container");
  pc_error_wrap (&err, "workdir \"/\" on container %s", "abc");
  is_int (pc_cli_exit_code_for (err, PC_EXIT_INVOKES), 127, "command not found, wrapped twice: run exits 127");
  is_int (pc_cli_exit_code_for (err, 0), 125, "the same failure from pc start exits 125 (podman)");
  pc_error_clear (&err);

  pc_error_makec (&err, PC_ERR_CANNOT_INVOKE, ENOENT, "workdir \"/nonexistent\" does not exist");
  pc_error_wrap (&err, "executable file not found");
  is_int (pc_cli_exit_code_for (err, PC_EXIT_INVOKES), 126, "cannot invoke with ENOENT and \"not found\" in it: 126");
  pc_error_clear (&err);

  pc_error_make (&err, EACCES, "mount `/x`: Permission denied");
  pc_error_wrap (&err, "executable file `x` not found");
  is_int (pc_cli_exit_code_for (err, PC_EXIT_INVOKES), 125, "a generic failure is 125 whatever its text or errno");
  pc_error_clear (&err);
  is_int (pc_cli_exit_code_for (NULL, PC_EXIT_INVOKES | PC_EXIT_REMOVES), 125, "no error object: 125");

  is_int (code_of (PC_ERR_CANNOT_INVOKE, EACCES, 0), 125, "cannot invoke outside run: 125");
  is_int (code_of (PC_ERR_NOT_FOUND, ENOENT, PC_EXIT_REMOVES), 1, "rm/rmi of nothing: 1");
  is_int (code_of (PC_ERR_NOT_FOUND, ENOENT, 0), 125, "inspect/start of nothing: 125");
  is_int (code_of (PC_ERR_NOT_FOUND, 0, PC_EXIT_INVOKES), 125, "run of a missing image: 125");
  is_int (code_of (PC_ERR_IN_USE, EBUSY, PC_EXIT_REMOVES), 2, "rmi of an image in use: 2");
  is_int (code_of (PC_ERR_STATE, EINVAL, PC_EXIT_REMOVES), 2, "rm of a running container: 2");
  is_int (code_of (PC_ERR_STATE, EBUSY, 0), 125, "stop/pause in the wrong state: 125");
  is_int (code_of (PC_ERR_EXISTS, EEXIST, PC_EXIT_INVOKES | PC_EXIT_REMOVES), 125, "a name taken: 125");
  is_int (code_of (PC_ERR_INVALID, EINVAL, PC_EXIT_INVOKES), 125, "a bad flag value: 125");
  is_int (code_of (PC_ERR_GENERIC, ENOENT, PC_EXIT_REMOVES), 125, "generic ENOENT in rm: 125, not 1");

  pc_error_makec (&err, PC_ERR_NOT_FOUND, ENOENT, "no such container");
  is_int (pc_cli_fail_lookup (err, 1), 1, "exists: not found gives the missing code");
  err = NULL;
  pc_error_make (&err, ENOENT, "open record: No such file or directory");
  is_int (pc_cli_fail_lookup (err, 1), 125, "exists: a generic ENOENT is a failure, 125");
  return done_testing ();
}
