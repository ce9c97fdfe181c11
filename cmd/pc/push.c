/* pc push / image push, pc search, pc manifest inspect. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/pc/commands.h"
#include "cmd/pc/pull.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/format.h"
#include "lib/json.h"
#include "lib/parse.h"
#include "lib/xalloc.h"

/* The registry flags push, search and manifest inspect share with pull. */
struct reg_flags
{
  bool tls_verify;
  char *creds, *authfile, *cert_dir, *retry_delay;
  long retry;
};

static void
reg_flags_clear (struct reg_flags *f)
{
  free (f->creds);
  free (f->authfile);
  free (f->cert_dir);
  free (f->retry_delay);
}

static int
reg_flags_apply (const struct reg_flags *f, struct pc_engine_pull_opts *o)
{
  o->tls_verify_off = !f->tls_verify;
  o->creds = f->creds;
  o->authfile = f->authfile;
  o->cert_dir = f->cert_dir;
  o->retries = (int) f->retry;
  if (f->retry_delay)
    {
      int64_t ns;
      pc_autoerror pc_error *perr = NULL;
      if (pc_parse_duration (f->retry_delay, &ns, &perr) < 0)
        return pc_cli_errorf (PC_EXIT_ERROR, "invalid --retry-delay \"%s\": %s", f->retry_delay, perr->msg);
      o->retry_delay_ms = ns / 1000000 > 0 ? (int) (ns / 1000000) : 1;
    }
  return 0;
}

#define REG_FLAG_OPTS(f)                                                                            \
  { "authfile", 0, PC_OPT_STRING, &(f).authfile, "string", "Path of the authentication file" },    \
  { "cert-dir", 0, PC_OPT_STRING, &(f).cert_dir, "Pathname", "Use certificates at the specified path to access the registry" }, \
  { "creds", 0, PC_OPT_STRING, &(f).creds, "[username[:password]]", "Use `Credentials` (USERNAME:PASSWORD) for accessing the registry" }, \
  { "tls-verify", 0, PC_OPT_BOOL, &(f).tls_verify, NULL, "Require HTTPS and verify certificates when contacting registries (default true)" }

int
pc_cmd_push (const struct pc_command *cmd, int argc, char **argv)
{
  struct reg_flags f __attribute__ ((cleanup (reg_flags_clear))) = { .tls_verify = true, .retry = -1 };
  bool quiet = false, remove_sigs = false, compress = false, dct = false;
  pc_autofree char *format = NULL, *comp = NULL, *digestfile = NULL, *sign_by = NULL;
  const struct pc_opt opts[] = {
    REG_FLAG_OPTS (f),
    { "compression-format", 0, PC_OPT_STRING, &comp, "string", "compression format to use (gzip, zstd)" },
    { "compress", 0, PC_OPT_BOOL, &compress, NULL, "Compress tarball image layers when pushing to a directory using the 'dir' transport (no effect on registries)" },
    { "digestfile", 0, PC_OPT_STRING, &digestfile, "string", "Write the digest of the pushed image to the specified file" },
    { "disable-content-trust", 0, PC_OPT_BOOL, &dct, NULL, "This is a Docker specific option and is a NOOP" },
    { "format", 'f', PC_OPT_STRING, &format, "string", "Manifest type (oci, v2s2) to use in the destination (default is manifest type of source, with fallbacks)" },
    { "quiet", 'q', PC_OPT_BOOL, &quiet, NULL, "Suppress output information when pushing images" },
    { "remove-signatures", 0, PC_OPT_BOOL, &remove_sigs, NULL, "Discard any pre-existing signatures in the image" },
    { "retry", 0, PC_OPT_UINT, &f.retry, "uint", "number of times to retry in case of failure when performing push (default 3)" },
    { "retry-delay", 0, PC_OPT_STRING, &f.retry_delay, "string", "delay between retries in case of push failures" },
    { "sign-by", 0, PC_OPT_STRING, &sign_by, "FINGERPRINT", "Sign the image using a GPG key with the specified FINGERPRINT" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 1, 2, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (sign_by)
    return pc_cli_errorf (PC_EXIT_ERROR, "--sign-by: pc does not sign images");
  struct pc_engine_push_opts o = { .format = format, .compression = comp };
  if (reg_flags_apply (&f, &o.reg) != 0)
    return PC_EXIT_ERROR;
  struct pc_pull_printer pr = { .out = stderr, .tty = isatty (2), .quiet = quiet };
  o.reg.event = pc_pull_printer_event;
  o.reg.event_data = &pr;
  /* The digest file is opened before anything is pushed: a path that
     cannot be written fails first. It is written once the push worked. */
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (PC_ENGINE_USERNS);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_autooutput struct pc_output dout = PC_OUTPUT_INIT;
  pc_error *err = NULL;
  if (digestfile && pc_output_open (digestfile, 0, &dout, &err) < 0)
    return pc_cli_fail (err);
  pc_autofree char *digest = NULL;
  int r = pc_engine_image_push (e, args[0], nargs > 1 ? args[1] : NULL, &o, &digest, &err);
  pc_pull_printer_clear (&pr);
  if (r < 0)
    return pc_cli_fail (err);
  if (digestfile)
    {
      if (pc_write_all (dout.fd, digest, strlen (digest), &err) < 0 || pc_output_commit (&dout, &err) < 0)
        return pc_cli_fail (err);
    }
  return 0;
}

int
pc_cmd_search (const struct pc_command *cmd, int argc, char **argv)
{
  struct reg_flags f __attribute__ ((cleanup (reg_flags_clear))) = { .tls_verify = true, .retry = -1 };
  bool list_tags = false, notrunc = false, compatible = false;
  long limit = 0;
  pc_autofree char *format = NULL;
  pc_autostrv char **filters = NULL;
  const struct pc_opt opts[] = {
    REG_FLAG_OPTS (f),
    { "compatible", 0, PC_OPT_BOOL, &compatible, NULL, "List stars, official and automated columns (Docker compatibility)" },
    { "filter", 'f', PC_OPT_STRV, &filters, "filter", "Filter output based on conditions provided (default [])" },
    { "format", 0, PC_OPT_STRING, &format, "string", "Change the output format to JSON or a Go template" },
    { "limit", 0, PC_OPT_UINT, &limit, "int", "Limit the number of results" },
    { "list-tags", 0, PC_OPT_BOOL, &list_tags, NULL, "List the tags of the input registry" },
    { "no-trunc", 0, PC_OPT_BOOL, &notrunc, NULL, "Do not truncate the output" },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 1, 1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (filters)
    return pc_cli_errorf (PC_EXIT_ERROR, "--filter: registries searched through /v2/_catalog have no stars, official or automated flags to filter on");
  struct pc_engine_search_opts o = { .limit = (int) limit, .list_tags = list_tags };
  if (reg_flags_apply (&f, &o.reg) != 0)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  pc_autojson json_object *rows = NULL;
  if (pc_engine_search (args[0], &o, &rows, &err) < 0)
    return pc_cli_fail (err);
  static const struct pc_format_column cols[] = {
    { "Name", "NAME" }, { "Description", "DESCRIPTION" }, { NULL, NULL },
  };
  static const struct pc_format_column compat_cols[] = {
    { "Name", "NAME" }, { "Description", "DESCRIPTION" }, { "Stars", "STARS" },
    { "Official", "OFFICIAL" }, { "Automated", "AUTOMATED" }, { NULL, NULL },
  };
  static const struct pc_format_column tag_cols[] = {
    { "Name", "NAME" }, { "Tag", "TAG" }, { NULL, NULL },
  };
  if (pc_format_print (stdout, format, rows, list_tags ? tag_cols : compatible ? compat_cols : cols, &err) < 0)
    return pc_cli_fail (err);
  return 0;
}

static int
cmd_manifest_inspect (const struct pc_command *cmd, int argc, char **argv)
{
  struct reg_flags f __attribute__ ((cleanup (reg_flags_clear))) = { .tls_verify = true, .retry = -1 };
  const struct pc_opt opts[] = {
    REG_FLAG_OPTS (f),
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 1, 1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  struct pc_engine_pull_opts o = { 0 };
  if (reg_flags_apply (&f, &o) != 0)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  pc_autofree char *body = NULL;
  size_t len = 0;
  if (pc_engine_manifest_inspect (args[0], &o, &body, &len, &err) < 0)
    return pc_cli_fail (err);
  fwrite (body, 1, len, stdout);
  if (len == 0 || body[len - 1] != '\n')
    fputc ('\n', stdout);
  return 0;
}

const struct pc_command pc_manifest_commands[] = {
  { .name = "inspect", .summary = "Display the contents of a manifest list or image index",
    .usage = "manifest inspect [options] IMAGE", .run = cmd_manifest_inspect },
  { .name = NULL },
};
