/* pc completion bash|zsh|fish [-f FILE] [--no-desc]: shell completions
   generated from the command table and each command's flag table (the
   tree below). Also `pc completion man DIR`, which the build runs to write
   the man pages (completion-man.c). */
#include "cmd/pc/completion.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/pc/commands.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"

/* Where pc_cli_describe puts what a command's --help would print. */
static struct pc_comp_node *describing;

static void
collect (const struct pc_command *cmd, const struct pc_opt *opts)
{
  (void) cmd;
  struct pc_comp_node *n = describing;
  if (n == NULL || n->flags)
    return;   /* the first table a command shows is its own */
  size_t count = 0;
  for (const struct pc_opt *o = opts; o && o->name; o++)
    count++;
  n->flags = xmalloc0 ((count + 1) * sizeof *n->flags);
  for (const struct pc_opt *o = opts; o && o->name; o++)
    {
      struct pc_comp_flag *f = &n->flags[n->nflags++];
      f->name = xstrdup (o->name);
      f->short_name = o->short_name;
      f->value = o->type != PC_OPT_BOOL;
      f->arg = o->arg ? xstrdup (o->arg) : NULL;
      f->help = xstrdup (o->help ? o->help : "");
    }
}

static void
build (struct pc_comp_node *n, const struct pc_command *cmd, const char *path)
{
  n->cmd = cmd;
  n->path = xstrdup (path);
  if (cmd->subcommands)
    {
      for (const struct pc_command *c = cmd->subcommands; c->name; c++)
        n->nsubs++;
      n->subs = xmalloc0 (n->nsubs * sizeof *n->subs);
      size_t i = 0;
      for (const struct pc_command *c = cmd->subcommands; c->name; c++, i++)
        {
          pc_autofree char *sub = *path ? xasprintf ("%s %s", path, c->name) : xstrdup (c->name);
          build (&n->subs[i], c, sub);
        }
      return;
    }
  if (cmd->run == NULL || strcmp (cmd->name, "help") == 0)
    return;
  /* The command's own --help, which hands its table to collect() and
     returns before the command does anything. */
  struct pc_command local = *cmd;
  pc_autofree char *full = xasprintf ("pc %s", path);
  local.path = full;
  char *argv[] = { (char *) cmd->name, (char *) "--help", NULL };
  describing = n;
  cmd->run (&local, 2, argv);
  describing = NULL;
}

struct pc_comp_node *
pc_comp_tree (void)
{
  void (*saved) (const struct pc_command *, const struct pc_opt *) = pc_cli_describe;
  pc_cli_describe = collect;
  struct pc_comp_node *root = xmalloc0 (sizeof *root);
  build (root, &pc_root_command, "");
  /* The global flags: `pc help` shows the root with them. */
  describing = root;
  char *argv[] = { (char *) "help", NULL };
  pc_cmd_help (&pc_root_command, 1, argv);
  describing = NULL;
  pc_cli_describe = saved;
  return root;
}

static void
node_clear (struct pc_comp_node *n)
{
  for (size_t i = 0; i < n->nflags; i++)
    {
      free (n->flags[i].name);
      free (n->flags[i].arg);
      free (n->flags[i].help);
    }
  free (n->flags);
  for (size_t i = 0; i < n->nsubs; i++)
    node_clear (&n->subs[i]);
  free (n->subs);
  free (n->path);
}

void
pc_comp_tree_free (struct pc_comp_node *root)
{
  if (root == NULL)
    return;
  node_clear (root);
  free (root);
}

static bool
is_regular_or_missing (const char *path)
{
  struct stat st;
  return stat (path, &st) < 0 ? errno == ENOENT : S_ISREG (st.st_mode);
}

/* strerror as Go spells it: "no such file or directory". */
static const char *
go_strerror (int errnum, char buf[128])
{
  snprintf (buf, 128, "%s", strerror (errnum));
  buf[0] = (char) tolower ((unsigned char) buf[0]);
  return buf;
}

int
pc_cmd_completion (const struct pc_command *cmd, int argc, char **argv)
{
  pc_autofree char *file = NULL;
  bool no_desc = false;
  const struct pc_opt opts[] = {
    { "file", 'f', PC_OPT_STRING, &file, "string", "Output the completion to file rather than stdout." },
    { "no-desc", 0, PC_OPT_BOOL, &no_desc, NULL, "Don't include descriptions in the completion output." },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, 2, &args, &nargs, &exit_code) != 0)
    return exit_code;
  /* podman's cobra.ExactArgs(1): "accepts 1 arg(s), received 0". */
  const char *shell = nargs > 0 ? args[0] : "";
  bool man = strcmp (shell, "man") == 0;
  if (nargs != (man ? 2 : 1))
    return pc_cli_errorf (PC_EXIT_ERROR, "accepts 1 arg(s), received %d", nargs);
  void (*gen) (FILE *, const struct pc_comp_node *, bool) = NULL;
  if (strcmp (shell, "bash") == 0)
    gen = pc_comp_bash;
  else if (strcmp (shell, "zsh") == 0)
    gen = pc_comp_zsh;
  else if (strcmp (shell, "fish") == 0)
    gen = pc_comp_fish;
  else if (!man)
    return pc_cli_errorf (PC_EXIT_ERROR, "invalid argument \"%s\" for \"%s\"", shell, cmd->path ? cmd->path : "pc completion");

  struct pc_comp_node *root = pc_comp_tree ();
  int rc = 0;
  char eb[128];
  if (man)
    rc = pc_comp_write_man (root, args[1]);
  else if (file == NULL || strcmp (file, "-") == 0)
    gen (stdout, root, !no_desc);
  else if (!is_regular_or_missing (file))
    {
      /* A FIFO or a device (-f /dev/stdout) is written in place. */
      FILE *f = fopen (file, "we");
      if (f == NULL)
        rc = pc_cli_errorf (PC_EXIT_ERROR, "open %s: %s", file, go_strerror (errno, eb));
      else
        {
          gen (f, root, !no_desc);
          if (fclose (f) != 0)
            rc = pc_cli_errorf (PC_EXIT_ERROR, "write %s: %s", file, go_strerror (errno, eb));
        }
    }
  else
    {
      /* Written whole or not at all (temp + rename). */
      char *buf = NULL;
      size_t len = 0;
      FILE *mem = open_memstream (&buf, &len);
      gen (mem, root, !no_desc);
      fclose (mem);
      pc_error *err = NULL;
      /* podman's os.Create: "open FILE: no such file or directory". */
      if (pc_write_file_atomic (AT_FDCWD, file, buf, len, 0644, &err) < 0)
        {
          rc = pc_cli_errorf (PC_EXIT_ERROR, "open %s: %s", file,
                              err->status ? go_strerror (err->status, eb) : err->msg);
          pc_error_free (err);
        }
      free (buf);
    }
  pc_comp_tree_free (root);
  return rc;
}
