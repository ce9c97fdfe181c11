/* pc load, pc save, pc import, pc image mount / unmount. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/pc/commands.h"
#include "cmd/pc/image.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/xalloc.h"

/* An archive named on the command line: a regular file, or a pipe/FIFO the
   user streams in. A device (/dev/zero would fill the disk) or a directory
   is refused before anything is read; O_NONBLOCK keeps the open of a FIFO
   with no writer from hanging before that check. */
static int
open_archive (const char *path, const char *what)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    return -pc_cli_errorf (PC_EXIT_ERROR, "open %s: %s", path, strerror (errno));
  struct stat st;
  if (fstat (fd, &st) < 0)
    {
      int e = errno;
      close (fd);
      return -pc_cli_errorf (PC_EXIT_ERROR, "stat %s: %s", path, strerror (e));
    }
  if (!S_ISREG (st.st_mode) && !S_ISFIFO (st.st_mode))
    {
      close (fd);
      return -pc_cli_errorf (PC_EXIT_ERROR, "%s %s: %s, not a regular file or a pipe", what, path,
                             S_ISDIR (st.st_mode) ? "a directory"
                             : S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode) ? "a device"
                                                                             : "a socket");
    }
  int fl = fcntl (fd, F_GETFL);
  if (fl >= 0)
    fcntl (fd, F_SETFL, fl & ~O_NONBLOCK);
  return fd;
}

static void
print_loaded (const char *name, void *data)
{
  (void) data;
  printf ("Loaded image: %s\n", name);
}

int
pc_cmd_load (const struct pc_command *cmd, int argc, char **argv)
{
  pc_autofree char *input = NULL;
  bool quiet = false;
  const struct pc_opt opts[] = {
    { "input", 'i', PC_OPT_STRING, &input, "string", "Read from specified archive file (default: stdin)" },
    { "quiet", 'q', PC_OPT_BOOL, &quiet, NULL, "Suppress the output" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, 0, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autoclose int fd = -1;
  if (input == NULL || strcmp (input, "-") == 0 || strcmp (input, "/dev/stdin") == 0)
    {
      if (isatty (0))
        return pc_cli_errorf (PC_EXIT_ERROR, "cannot read from terminal, use command-line redirection or the --input flag");
      fd = dup (0);
    }
  else
    {
      fd = open_archive (input, "load");
      if (fd < 0)
        return -fd;
    }
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (PC_ENGINE_USERNS);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  /* -q quiets podman's copy progress, which pc does not print; the
     "Loaded image:" lines stay, as podman 4.3's. */
  (void) quiet;
  if (pc_engine_image_load (e, fd, print_loaded, NULL, &err) < 0)
    return pc_cli_fail (err);
  return 0;
}

int
pc_cmd_save (const struct pc_command *cmd, int argc, char **argv)
{
  pc_autofree char *output = NULL, *format = NULL;
  bool quiet = false, compress = false;
  const struct pc_opt opts[] = {
    { "compress", 0, PC_OPT_BOOL, &compress, NULL, "Compress tarball image layers when saving to a directory using the 'dir' transport (not supported)" },
    { "format", 0, PC_OPT_STRING, &format, "string", "Save image to oci-archive, oci-dir (directory with oci manifest type), docker-archive (default \"docker-archive\")" },
    { "output", 'o', PC_OPT_STRING, &output, "string", "Write to a specified file (default: stdout, which must be redirected)" },
    { "quiet", 'q', PC_OPT_BOOL, &quiet, NULL, "Suppress the output" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (nargs == 0)
    return pc_cli_errorf (PC_EXIT_ERROR, "need at least 1 argument");
  if (compress)
    return pc_cli_errorf (PC_EXIT_ERROR, "--compress can only be set when --format is 'docker-dir'");
  enum pc_engine_save_format f = PC_ENGINE_SAVE_DOCKER_ARCHIVE;
  if (format == NULL || strcmp (format, "docker-archive") == 0)
    f = PC_ENGINE_SAVE_DOCKER_ARCHIVE;
  else if (strcmp (format, "oci-archive") == 0)
    f = PC_ENGINE_SAVE_OCI_ARCHIVE;
  else if (strcmp (format, "oci-dir") == 0)
    f = PC_ENGINE_SAVE_OCI_DIR;
  else
    return pc_cli_errorf (PC_EXIT_ERROR, "unsupported format \"%s\": choose oci-archive, oci-dir or docker-archive", format);
  pc_autoclose int fd = -1;
  if (f == PC_ENGINE_SAVE_OCI_DIR)
    {
      if (output == NULL)
        return pc_cli_errorf (PC_EXIT_ERROR, "--output is required for the oci-dir format");
    }
  else if (output == NULL || strcmp (output, "-") == 0 || strcmp (output, "/dev/stdout") == 0)
    {
      if (isatty (1))
        return pc_cli_errorf (PC_EXIT_ERROR, "failed to save image(s): refusing to save to terminal. Use -o flag or redirect");
      fd = dup (1);
    }
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  pc_autooutput struct pc_output out = PC_OUTPUT_INIT;
  if (fd < 0 && f != PC_ENGINE_SAVE_OCI_DIR)
    {
      /* A file is written beside and renamed in on success; /dev/null or a
         FIFO is written in place and never replaced. */
      if (pc_output_open (output, 0, &out, &err) < 0)
        return pc_cli_fail (err);
      fd = dup (out.fd);
      if (fd < 0)
        return pc_cli_errorf (PC_EXIT_ERROR, "dup: %s", strerror (errno));
    }
  if (pc_engine_image_save (e, args, f, fd, f == PC_ENGINE_SAVE_OCI_DIR ? output : NULL, &err) < 0)
    return pc_cli_fail (err);
  if (out.fd >= 0 && pc_output_commit (&out, &err) < 0)
    return pc_cli_fail (err);
  return 0;
}

int
pc_cmd_import (const struct pc_command *cmd, int argc, char **argv)
{
  pc_autostrv char **changes = NULL;
  pc_autofree char *message = NULL;
  bool quiet = false;
  const struct pc_opt opts[] = {
    { "change", 'c', PC_OPT_STRV, &changes, "Instruction", "Apply the following possible instructions to the created image (default []): CMD | ENTRYPOINT | ENV | EXPOSE | LABEL | STOPSIGNAL | USER | VOLUME | WORKDIR" },
    { "message", 'm', PC_OPT_STRING, &message, "string", "Set commit message for imported image" },
    { "quiet", 'q', PC_OPT_BOOL, &quiet, NULL, "Suppress output" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 1, 2, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_error *err = NULL;
  pc_autojson json_object *cfg = NULL;
  if (pc_engine_image_changes (changes, &cfg, &err) < 0)
    return pc_cli_fail (err);
  pc_autoclose int fd = -1;
  if (strcmp (args[0], "-") == 0)
    fd = dup (0);
  else
    {
      fd = open_archive (args[0], "import");
      if (fd < 0)
        return -fd;
    }
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (PC_ENGINE_USERNS);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_autofree char *id = NULL;
  if (pc_engine_image_import (e, fd, cfg, nargs > 1 ? args[1] : NULL, message, &id, &err) < 0)
    return pc_cli_fail (err);
  printf ("sha256:%s\n", id);
  return 0;
}

int
pc_cmd_image_mount (const struct pc_command *cmd, int argc, char **argv)
{
  const struct pc_opt opts[] = { { NULL } };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  if (nargs == 0)
    {
      /* List what is mounted: ID and path. */
      pc_autojson json_object *mounts = NULL;
      if (pc_engine_image_mounts (e, &mounts, &err) < 0)
        return pc_cli_fail (err);
      for (size_t i = 0; i < json_object_array_length (mounts); i++)
        {
          json_object *m = json_object_array_get_idx (mounts, i);
          printf ("%s %s\n", pc_json_get_string (m, "Id"), pc_json_get_string (m, "Path"));
        }
      return 0;
    }
  int status = 0;
  for (int i = 0; i < nargs; i++)
    {
      pc_autofree char *path = NULL;
      if (pc_engine_image_mount (e, args[i], &path, &err) < 0)
        {
          status = pc_cli_fail (err);
          err = NULL;
          continue;
        }
      puts (path);
    }
  return status;
}

int
pc_cmd_image_unmount (const struct pc_command *cmd, int argc, char **argv)
{
  bool all = false;
  const struct pc_opt opts[] = {
    { "all", 'a', PC_OPT_BOOL, &all, NULL, "Unmount all of the currently mounted images" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, -1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (!all && nargs == 0)
    return pc_cli_errorf (PC_EXIT_ERROR, "image name or ID must be specified");
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  pc_autostrv char **refs = NULL;
  int rc = pc_cli_image_refs (e, all, args, &refs);
  if (rc != 0)
    return rc;
  int status = 0;
  for (char **ref = refs; ref && *ref; ref++)
    {
      pc_autofree char *id = NULL;
      int r = pc_engine_image_unmount (e, *ref, &id, &err);
      if (r < 0)
        {
          status = pc_cli_fail (err);
          err = NULL;
          continue;
        }
      if (r == 1)
        {
          if (!all)
            {
              pc_error_make (&err, EINVAL, "image %s is not mounted", *ref);
              status = pc_cli_fail (err);
              err = NULL;
            }
          continue;
        }
      puts (id);
    }
  return status;
}
