/* Shared by the image command files (cmd/pc/image*.c). */
#ifndef PC_CMD_IMAGE_H
#define PC_CMD_IMAGE_H

#include "cmd/pc/cli.h"
#include "pkg/storage/storage.h"

/* Opens the store from the global flags; prints the error and returns NULL. */
struct pc_store *pc_cli_open_store (void);

static inline void
pc_store_closep (struct pc_store **s)
{
  if (*s)
    pc_store_close (*s);
}
#define pc_autostore __attribute__ ((cleanup (pc_store_closep)))

/* Opens the store and looks up ref, into *s and *img (callers hold them with
   pc_autostore and pc_autoimage, NULL first). Returns 0, or prints the error
   and returns the exit code: 125, or missing_code without a message for an
   image that does not exist when missing_code is not 0. */
int pc_cli_open_image (const char *ref, int missing_code, struct pc_store **s,
                       struct pc_image **img);
/* The images a command acts on: with all, the ID of every image in s;
   else a copy of args. Returns 0, or prints the error and returns 125. */
int pc_cli_image_refs (struct pc_store *s, bool all, char **args, char ***refs);

/* podman's image JSON (inspect) for one image. */
json_object *pc_image_inspect_json (struct pc_store *s, struct pc_image *img);
/* "docker.io/library/busybox@sha256:..." for each repository name. */
json_object *pc_image_repo_digests (json_object *record);

int pc_cmd_image_inspect (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_image_history (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_image_mount (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_image_unmount (const struct pc_command *cmd, int argc, char **argv);

#endif
