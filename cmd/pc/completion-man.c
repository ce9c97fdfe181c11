/* Man pages from the command tree (completion.h): pc.1, and pc-PATH.1 for
   every command and family (pc-image-ls.1), each with the command's
   summary, usage, description, subcommands and options as its flag table
   has them. The build runs `pc completion man DIR` and installs DIR's
   pages in share/man/man1 (meson.build). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/pc/completion.h"
#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"

/* Text for roff: backslashes and hyphens escaped, no line starting with a
   control character. */
static void
roff (FILE *out, const char *s)
{
  if (s && (*s == '.' || *s == '\''))
    fputs ("\\&", out);
  for (; s && *s; s++)
    {
      if (*s == '\\')
        fputs ("\\e", out);
      else if (*s == '-')
        fputs ("\\-", out);
      else if (*s == '\n')
        {
          fputc ('\n', out);
          if (s[1] == '.' || s[1] == '\'')
            fputs ("\\&", out);
        }
      else
        fputc (*s, out);
    }
}

static char *
page_name (const char *path)
{
  char *n = *path ? xasprintf ("pc-%s", path) : xstrdup ("pc");
  for (char *p = n; *p; p++)
    if (*p == ' ')
      *p = '-';
  return n;
}

static void
upper (FILE *out, const char *s)
{
  for (; *s; s++)
    fputc (*s >= 'a' && *s <= 'z' ? *s - 32 : *s, out);
}

static void
page (FILE *out, const struct pc_comp_node *n, const struct pc_comp_node *parent)
{
  pc_autofree char *name = page_name (n->path);
  fputs (".TH ", out);
  upper (out, name);
  fprintf (out, " 1 \"\" \"pc %s\" \"pc Manual\"\n", PC_VERSION);
  fputs (".SH NAME\n", out);
  roff (out, name);
  fputs (" \\- ", out);
  roff (out, n->cmd->summary);
  fputs ("\n.SH SYNOPSIS\n.B pc\n", out);
  roff (out, *n->path ? n->cmd->usage : "[options] [command]");
  fputc ('\n', out);
  fputs (".SH DESCRIPTION\n", out);
  roff (out, n->cmd->description ? n->cmd->description : n->cmd->summary);
  fputc ('\n', out);
  if (n->cmd->alias)
    {
      fputs (".PP\nAlias: \\fBpc ", out);
      if (parent && *parent->path)
        {
          roff (out, parent->path);
          fputc (' ', out);
        }
      roff (out, n->cmd->alias);
      fputs ("\\fR\n", out);
    }
  if (n->nsubs)
    {
      fputs (".SH COMMANDS\n", out);
      for (size_t i = 0; i < n->nsubs; i++)
        {
          pc_autofree char *sub = page_name (n->subs[i].path);
          fputs (".TP\n\\fB", out);
          roff (out, sub);
          fputs ("\\fR(1)\n", out);
          roff (out, n->subs[i].cmd->summary);
          fputc ('\n', out);
        }
    }
  if (n->nflags)
    {
      fputs (*n->path ? ".SH OPTIONS\n" : ".SH GLOBAL OPTIONS\n", out);
      for (size_t i = 0; i < n->nflags; i++)
        {
          const struct pc_comp_flag *f = &n->flags[i];
          fputs (".TP\n", out);
          if (f->short_name)
            fprintf (out, "\\fB\\-%c\\fR, ", f->short_name);
          fputs ("\\fB\\-\\-", out);
          roff (out, f->name);
          fputs ("\\fR", out);
          if (f->value)
            {
              fputs ("=\\fI", out);
              roff (out, f->arg ? f->arg : "value");
              fputs ("\\fR", out);
            }
          fputc ('\n', out);
          roff (out, f->help);
          fputc ('\n', out);
        }
    }
  fputs (".SH SEE ALSO\n", out);
  pc_autofree char *up = parent ? page_name (parent->path) : NULL;
  if (up)
    fprintf (out, "\\fB%s\\fR(1)", up);
  else
    fputs ("\\fBpodman\\fR(1)", out);
  fputc ('\n', out);
}

static int
write_pages (int dfd, const struct pc_comp_node *n, const struct pc_comp_node *parent)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *mem = open_memstream (&buf, &len);
  page (mem, n, parent);
  fclose (mem);
  pc_autofree char *name = page_name (n->path);
  pc_autofree char *file = xasprintf ("%s.1", name);
  pc_error *err = NULL;
  int r = pc_write_file_atomic (dfd, file, buf, len, 0644, &err);
  free (buf);
  if (r < 0)
    return pc_cli_fail (err);
  for (size_t i = 0; i < n->nsubs; i++)
    if (write_pages (dfd, &n->subs[i], n) != 0)
      return PC_EXIT_ERROR;
  return 0;
}

int
pc_comp_write_man (const struct pc_comp_node *root, const char *dir)
{
  pc_error *err = NULL;
  if (pc_mkdir_p (AT_FDCWD, dir, 0755, &err) < 0)
    return pc_cli_fail (err);
  pc_autoclose int dfd = open (dir, O_DIRECTORY | O_PATH | O_CLOEXEC);
  if (dfd < 0)
    return pc_cli_errorf (PC_EXIT_ERROR, "open %s: %s", dir, strerror (errno));
  return write_pages (dfd, root, NULL);
}
