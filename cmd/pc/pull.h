/* pc pull's output, shared with run/create (which pull on stderr). */
#ifndef PC_CMD_PULL_H
#define PC_CMD_PULL_H

#include <stdbool.h>
#include <stdio.h>

#include "pkg/engine/engine.h"

struct pc_pull_printer
{
  FILE *out;
  bool tty;        /* lines updated in place */
  bool quiet;      /* nothing */
  char **lines;    /* digests with a line on the screen (tty) */
  size_t n_lines;
};
void pc_pull_printer_event (const struct pc_engine_pull_event *ev, void *data);
void pc_pull_printer_clear (struct pc_pull_printer *p);
/* --platform OS/ARCH[/VARIANT] into o (strings borrowed from platform). */
int pc_pull_parse_platform (char *platform, struct pc_engine_pull_opts *o);


/* run/create: --pull=missing|always|never|newer for image, progress on
   stderr as podman prints it. 0, or an exit code. */
int pc_cli_pull_for_run (struct pc_engine *e, const char *image, const char *policy,
                         bool tls_verify, bool quiet);

#endif
