/* pc cp: [CONTAINER:]SRC_PATH [CONTAINER:]DEST_PATH, one side a container. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/pc/container.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"

/* podman's rule: a path starting with "." or "/" is local, even with a
   colon; otherwise what comes before the first colon names a container. */
static void
split_arg (const char *arg, char **ctr, const char **path)
{
  *ctr = NULL;
  *path = arg;
  if (arg[0] == '.' || arg[0] == '/')
    return;
  const char *colon = strchr (arg, ':');
  if (colon == NULL)
    return;
  *ctr = xstrndup (arg, (size_t) (colon - arg));
  *path = colon + 1;
}

int
pc_cmd_cp (const struct pc_command *cmd, int argc, char **argv)
{
  bool archive = true, overwrite = false;
  const struct pc_opt opts[] = {
    { "archive", 'a', PC_OPT_BOOL, &archive, NULL, "Chown copied files to the primary uid/gid of the destination container. (default true)" },
    { "overwrite", 0, PC_OPT_BOOL, &overwrite, NULL, "Allow to overwrite directories with non-directories and vice versa" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 2, 2, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autofree char *sctr = NULL, *dctr = NULL;
  const char *spath, *dpath;
  split_arg (args[0], &sctr, &spath);
  split_arg (args[1], &dctr, &dpath);
  if (sctr && dctr)
    return pc_cli_errorf (PC_EXIT_ERROR, "copying between two containers is not supported yet: copy through the host");
  if (sctr == NULL && dctr == NULL)
    return pc_cli_errorf (PC_EXIT_ERROR, "invalid arguments %s, %s you must use just one container", args[0], args[1]);
  if (*spath == '\0' || *dpath == '\0')
    return pc_cli_errorf (PC_EXIT_ERROR, "invalid arguments %s, %s: a path must not be empty", args[0], args[1]);
  struct pc_cp_opts o = {
    .to_container = dctr != NULL,
    .ctr_path = dctr ? dpath : spath,
    .host_path = dctr ? spath : dpath,
    .archive = archive,
    .overwrite = overwrite,
  };
  /* No user namespace yet: a running container is joined from the
     initial one; the engine enters pc's own for a stopped one. */
  pc_autoengine struct pc_engine *e = NULL;
  pc_autocontainer struct pc_container *c = NULL;
  int rc = pc_cli_open_container (0, dctr ? dctr : sctr, 0, &e, &c);
  if (rc != 0)
    return rc;
  pc_error *err = NULL;
  if (pc_engine_cp (e, c, &o, &err) < 0)
    return pc_cli_fail (err);
  return 0;
}
