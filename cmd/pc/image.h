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

/* podman's image JSON (inspect) for one image. */
json_object *pc_image_inspect_json (struct pc_store *s, struct pc_image *img);
/* "docker.io/library/busybox@sha256:..." for each repository name. */
json_object *pc_image_repo_digests (json_object *record);

int pc_cmd_image_inspect (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_image_history (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_image_mount (const struct pc_command *cmd, int argc, char **argv);
int pc_cmd_image_unmount (const struct pc_command *cmd, int argc, char **argv);

#endif
