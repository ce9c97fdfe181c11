/* pc image inspect, with podman's field names (history: history.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/pc/commands.h"
#include "cmd/pc/image.h"
#include "lib/cleanup.h"
#include "lib/format.h"
#include "lib/json.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

int
pc_cmd_image_inspect (const struct pc_command *cmd, int argc, char **argv)
{
  /* podman's image inspect is inspect --type image: same output, same
     messages ("inspecting object: X: image not known"). */
  return pc_cli_inspect (cmd, argc, argv, "image");
}
