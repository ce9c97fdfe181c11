/* The command tree with every command's flags, read from the tables the
   parser uses (commands.c and each command's pc_opt array, through
   pc_cli_describe), for the shell completions (completion.c) and the man
   pages (completion-man.c). Nothing here is a second list of flags. */
#ifndef PC_CMD_COMPLETION_H
#define PC_CMD_COMPLETION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cmd/pc/cli.h"

struct pc_comp_flag
{
  char *name;          /* long name, without "--" */
  char short_name;     /* 0 when none */
  bool value;          /* takes a value */
  char *arg;           /* placeholder, may be NULL */
  char *help;
};

struct pc_comp_node
{
  const struct pc_command *cmd;  /* the table entry */
  char *path;                    /* "" for the root, "image ls" */
  struct pc_comp_flag *flags;
  size_t nflags;
  struct pc_comp_node *subs;     /* families only */
  size_t nsubs;
};

/* The whole tree, root first (its flags are the global ones). */
struct pc_comp_node *pc_comp_tree (void);
void pc_comp_tree_free (struct pc_comp_node *root);

/* `pc completion man DIR` (the build's man pages): one page per command,
   pc.1, pc-image.1, pc-image-ls.1, ... Returns 0 or prints the error and
   returns 125. */
int pc_comp_write_man (const struct pc_comp_node *root, const char *dir);

/* The shell scripts, to out. */
void pc_comp_bash (FILE *out, const struct pc_comp_node *root, bool desc);
void pc_comp_zsh (FILE *out, const struct pc_comp_node *root, bool desc);
void pc_comp_fish (FILE *out, const struct pc_comp_node *root, bool desc);

#endif
