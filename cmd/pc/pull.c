/* pc pull, pc image pull. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd/pc/commands.h"
#include "cmd/pc/pull.h"
#include "lib/cleanup.h"
#include "lib/parse.h"
#include "lib/xalloc.h"

static void
human (char *buf, size_t n, int64_t v)
{
  if (v < 0)
    snprintf (buf, n, "?");
  else if (v < 1024)
    snprintf (buf, n, "%lldb", (long long) v);
  else if (v < 1024 * 1024)
    snprintf (buf, n, "%.1fKiB", v / 1024.0);
  else if (v < 1024LL * 1024 * 1024)
    snprintf (buf, n, "%.1fMiB", v / 1048576.0);
  else
    snprintf (buf, n, "%.1fGiB", v / 1073741824.0);
}

/* The line of a blob on a terminal: podman's bar. */
static void
tty_line (struct pc_pull_printer *p, const struct pc_engine_pull_event *ev, const char *state)
{
  size_t idx = p->n_lines;
  for (size_t i = 0; i < p->n_lines; i++)
    if (strcmp (p->lines[i], ev->digest) == 0)
      idx = i;
  if (idx == p->n_lines)
    {
      p->lines = xrealloc (p->lines, (p->n_lines + 1) * sizeof *p->lines);
      p->lines[p->n_lines++] = xstrdup (ev->digest);
      fputc ('\n', p->out);
    }
  size_t up = p->n_lines - idx;
  char done[32], total[32], bar[32];
  if (state == NULL)
    {
      human (done, sizeof done, ev->done);
      human (total, sizeof total, ev->total);
      int filled = ev->total > 0 ? (int) (ev->done * 20 / ev->total) : 0;
      if (filled > 20)
        filled = 20;
      for (int i = 0; i < 20; i++)
        bar[i] = i < filled ? '=' : i == filled ? '>' : '-';
      bar[20] = '\0';
    }
  fprintf (p->out, "\x1b[%zuA\r\x1b[K", up);
  if (state)
    fprintf (p->out, "Copying %s %.12s %s", ev->is_config ? "config" : "blob", ev->digest + 7, state);
  else
    fprintf (p->out, "Copying blob %.12s [%s] %s / %s", ev->digest + 7, bar, done, total);
  fprintf (p->out, "\x1b[%zuB\r", up);
  fflush (p->out);
}

void
pc_pull_printer_event (const struct pc_engine_pull_event *ev, void *data)
{
  struct pc_pull_printer *p = data;
  if (p->quiet)
    return;
  switch (ev->kind)
    {
    case PC_PULL_EV_TRYING:
      fprintf (p->out, "Trying to pull %s...\n", ev->name);
      break;
    case PC_PULL_EV_SIGNATURES:
      fprintf (p->out, "Getting image source signatures\n");
      break;
    case PC_PULL_EV_BLOB_SKIP:
      if (p->tty)
        tty_line (p, ev, "skipped: already exists");
      else
        /* podman 4.3 without a terminal: the same line as a copied blob. */
        fprintf (p->out, "Copying blob %s\n", ev->digest);
      break;
    case PC_PULL_EV_BLOB_START:
      if (p->tty)
        tty_line (p, ev, ev->is_config ? NULL : NULL);
      else
        fprintf (p->out, "Copying %s %s\n", ev->is_config ? "config" : "blob", ev->digest);
      break;
    case PC_PULL_EV_BLOB_PROGRESS:
      if (p->tty)
        tty_line (p, ev, NULL);
      break;
    case PC_PULL_EV_BLOB_DONE:
      if (p->tty)
        tty_line (p, ev, "done");
      break;
    case PC_PULL_EV_MANIFEST:
      fprintf (p->out, "Writing manifest to image destination\n");
      break;
    case PC_PULL_EV_STORED:
      fprintf (p->out, "Storing signatures\n");
      break;
    case PC_PULL_EV_RESOLVED:
      fprintf (p->out, "%s\n", ev->name);
      break;
    }
  fflush (p->out);
}

void
pc_pull_printer_clear (struct pc_pull_printer *p)
{
  for (size_t i = 0; i < p->n_lines; i++)
    free (p->lines[i]);
  free (p->lines);
  p->lines = NULL;
  p->n_lines = 0;
}

int
pc_pull_parse_platform (char *platform, struct pc_engine_pull_opts *o)
{
  if (platform == NULL)
    return 0;
  char *a = strchr (platform, '/');
  if (a == NULL || a == platform || a[1] == '\0')
    return -1;
  *a++ = '\0';
  char *v = strchr (a, '/');
  if (v)
    *v++ = '\0';
  o->os = platform;
  o->arch = a;
  if (v && *v)
    o->variant = v;
  return 0;
}

int
pc_cmd_pull (const struct pc_command *cmd, int argc, char **argv)
{
  bool quiet = false, all_tags = false, tls_verify = true;
  pc_autofree char *creds = NULL, *authfile = NULL, *cert_dir = NULL, *platform = NULL;
  pc_autofree char *arch = NULL, *os = NULL, *variant = NULL, *retry_delay = NULL;
  long retry = -1;
  const struct pc_opt opts[] = {
    { "all-tags", 'a', PC_OPT_BOOL, &all_tags, NULL, "All tagged images in the repository will be pulled" },
    { "arch", 0, PC_OPT_STRING, &arch, "ARCH", "Use ARCH instead of the architecture of the machine for choosing images" },
    { "authfile", 0, PC_OPT_STRING, &authfile, "string", "Path of the authentication file" },
    { "cert-dir", 0, PC_OPT_STRING, &cert_dir, "Pathname", "Use certificates at the specified path to access the registry" },
    { "creds", 0, PC_OPT_STRING, &creds, "[username[:password]]", "Use `Credentials` (USERNAME:PASSWORD) for accessing the registry" },
    { "os", 0, PC_OPT_STRING, &os, "OS", "Use OS instead of the running OS for choosing images" },
    { "platform", 0, PC_OPT_STRING, &platform, "string", "Specify the platform for selecting the image. (Conflicts with arch and os)" },
    { "quiet", 'q', PC_OPT_BOOL, &quiet, NULL, "Suppress output information when pulling images" },
    { "retry", 0, PC_OPT_UINT, &retry, "uint", "number of times to retry in case of failure when performing pull (default 3)" },
    { "retry-delay", 0, PC_OPT_STRING, &retry_delay, "string", "delay between retries in case of pull failures" },
    { "tls-verify", 0, PC_OPT_BOOL, &tls_verify, NULL, "Require HTTPS and verify certificates when contacting registries (default true)" },
    { "variant", 0, PC_OPT_STRING, &variant, "VARIANT", "Use VARIANT instead of the running architecture variant for choosing images" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 1, 1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  struct pc_engine_pull_opts o = {
    .tls_verify_off = !tls_verify, .cert_dir = cert_dir, .authfile = authfile, .creds = creds,
    .retries = (int) retry,
  };
  if (platform && (arch || os))
    return pc_cli_errorf (PC_EXIT_ERROR, "--platform option can not be specified with --arch or --os");
  if (pc_pull_parse_platform (platform, &o) < 0)
    return pc_cli_errorf (PC_EXIT_ERROR, "invalid platform syntax for --platform=\"%s\": expected OS/ARCH[/VARIANT]",
                          platform);
  if (os)
    o.os = os;
  if (arch)
    o.arch = arch;
  if (variant)
    o.variant = variant;
  if (retry_delay)
    {
      int64_t ns;
      pc_autoerror pc_error *perr = NULL;
      if (pc_parse_duration (retry_delay, &ns, &perr) < 0)
        return pc_cli_errorf (PC_EXIT_ERROR, "invalid --retry-delay \"%s\": %s", retry_delay, perr->msg);
      o.retry_delay_ms = (int) (ns / 1000000);
      if (o.retry_delay_ms <= 0)
        o.retry_delay_ms = 1;
    }
  o.all_tags = all_tags;
  struct pc_pull_printer pr = { .out = stderr, .tty = isatty (2), .quiet = quiet };
  o.event = pc_pull_printer_event;
  o.event_data = &pr;
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (PC_ENGINE_USERNS);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  pc_autofree char *id = NULL;
  int r = pc_engine_image_pull (e, args[0], &o, &id, &err);
  pc_pull_printer_clear (&pr);
  if (r < 0)
    return pc_cli_fail (err);
  printf ("%s\n", id);
  return 0;
}

int
pc_cli_pull_for_run (struct pc_engine *e, const char *image, const char *policy, bool tls_verify,
                     bool quiet)
{
  const char *p = policy ? policy : "missing";
  bool always = strcasecmp (p, "always") == 0, newer = strcasecmp (p, "newer") == 0;
  bool never = strcasecmp (p, "never") == 0, missing = strcasecmp (p, "missing") == 0;
  if (!always && !newer && !never && !missing)
    return pc_cli_errorf (PC_EXIT_ERROR, "unsupported pull policy \"%s\"", p);
  pc_error *err = NULL;
  bool have = pc_engine_image_exists (e, image, &err) == 0;
  if (!have && pc_error_class_of (err) != PC_ERR_NOT_FOUND)
    return pc_cli_fail (err);
  pc_error_clear (&err);
  if (never || (missing && have))
    {
      if (!have)
        return pc_cli_errorf (PC_EXIT_ERROR, "%s: image not known", image);
      return 0;
    }
  struct pc_pull_printer pr = { .out = stderr, .tty = isatty (2), .quiet = quiet };
  struct pc_engine_pull_opts o = { .tls_verify_off = !tls_verify, .retries = -1,
                                   .event = pc_pull_printer_event, .event_data = &pr };
  pc_autofree char *id = NULL;
  int r = pc_engine_image_pull (e, image, &o, &id, &err);
  pc_pull_printer_clear (&pr);
  if (r < 0)
    {
      /* newer: a registry that cannot say leaves the local image in use. */
      if (newer && have)
        {
          pc_error_clear (&err);
          return 0;
        }
      return pc_cli_fail (err);
    }
  return 0;
}
