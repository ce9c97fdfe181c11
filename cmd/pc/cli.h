/* The command-line layer: a table of commands, a flag parser shaped like
   podman's (cobra) flags, and the help and error text users know. */
#ifndef PC_CMD_CLI_H
#define PC_CMD_CLI_H

#include <stdbool.h>

#include "lib/error.h"

/* podman's exit codes for pc's own failures. */
#define PC_EXIT_ERROR 125
#define PC_EXIT_CANNOT_INVOKE 126
#define PC_EXIT_NOT_FOUND 127
/* podman 4.3 exec: a session that could not be set up (not running, no such user) */
#define PC_EXIT_EXEC 255

enum pc_opt_type
{
  PC_OPT_BOOL,   /* bool *; --flag, --flag=false */
  PC_OPT_STRING, /* char **; last one wins; strdup'd */
  PC_OPT_STRV,   /* char ***; repeatable, each value appended */
  PC_OPT_INT,    /* long *; decimal */
  PC_OPT_UINT,   /* long *; decimal, 0..INT_MAX (podman's uint flags) */
};

struct pc_opt
{
  const char *name;   /* long name, without "--" */
  char short_name;    /* 0 when none */
  enum pc_opt_type type;
  void *value;
  const char *arg;    /* placeholder shown in help, e.g. "NAME" */
  const char *help;
  bool *set;          /* optional: told whether the user gave the flag */
};

struct pc_command;
typedef int (*pc_command_fn) (const struct pc_command *cmd, int argc, char **argv);

enum
{
  /* Flags after the first positional belong to it (run IMAGE CMD -x). */
  PC_CMD_STOP_AT_POSITIONAL = 1 << 0,
};

struct pc_command
{
  const char *name;
  const char *alias;      /* one alternative name, e.g. "ls" for "list" */
  const char *summary;    /* one line for the command list */
  const char *usage;      /* after "pc ", e.g. "rm [options] CONTAINER..." */
  const char *description; /* longer text for --help, may be NULL */
  pc_command_fn run;      /* NULL for a family */
  const struct pc_command *subcommands; /* NULL-name-terminated; families only */
  int flags;
  /* The path for messages: "pc image ls". Filled in by dispatch. */
  const char *path;
};

/* Global flags, parsed before the command name. */
struct pc_global_opts
{
  char *root;
  char *runroot;
  char *storage_driver;
  char *log_level;
};
extern struct pc_global_opts pc_global;

/* The global flags (main.c), also taken after the command word as
   podman's persistent flags are; pc_cli_parse then calls the hook, which
   applies them again (log level, configuration, stdout) or prints an
   error and returns -1. */
extern const struct pc_opt *pc_cli_global_opts;
extern int (*pc_cli_globals_hook) (void);

/* Result of pc_cli_parse besides "go on" (0). */
#define PC_CLI_HELP_SHOWN 1

/* Parses argv[1..] (argv[0] is the command name) against opts, which is
   terminated by an entry whose name is NULL. On return *args and *nargs are
   the positional arguments. Prints help for --help and returns
   PC_CLI_HELP_SHOWN; prints an error and returns -1 for a bad flag.
   Callers: `if ((r = pc_cli_parse (...)) != 0) return pc_cli_parse_exit (r);` */
int pc_cli_parse (const struct pc_command *cmd, const struct pc_opt *opts,
                  int argc, char **argv, char ***args, int *nargs);
int pc_cli_parse_exit (int r);

/* Checks the count of positional arguments, printing podman's message. */
int pc_cli_check_args (const struct pc_command *cmd, int nargs, int min, int max);

/* pc_cli_parse, then pc_cli_check_args (cmd, *nargs, min, max); max < 0 means
   no upper bound, so (0, -1) checks nothing. Returns 0 to go on; otherwise
   the command returns *exit_code: 0 after --help, 125 on a bad flag or count.
   Callers: `if (pc_cli_parse_args (...) != 0) return exit_code;` */
int pc_cli_parse_args (const struct pc_command *cmd, const struct pc_opt *opts,
                       int argc, char **argv, int min, int max,
                       char ***args, int *nargs, int *exit_code);

void pc_cli_print_help (const struct pc_command *cmd, const struct pc_opt *opts);
/* Set by `pc completion` and the man page generator (completion.c): the
   --help of every command hands its flag table here instead of printing,
   so completions and man pages come from the tables the parser uses. */
extern void (*pc_cli_describe) (const struct pc_command *cmd, const struct pc_opt *opts);

/* What a command's failures mean to its caller: the class of the error
   decides the exit code, per kind of command, as podman's do. */
enum
{
  /* The command runs the container's command and reports on it (run,
     exec): the command not found exits 127, one that cannot be invoked
     (not executable, a missing -w directory, an unknown -u user) 126. */
  PC_EXIT_INVOKES = 1 << 0,
  /* podman rm, rmi: no such object exits 1, in use or running 2. */
  PC_EXIT_REMOVES = 1 << 1,
};
/* The one place that turns a failure into an exit code: from its class
   alone, never its message or errno. Anything the command's kind does not
   single out is pc's own failure, 125. */
int pc_cli_exit_code_for (const pc_error *err, unsigned kind);

/* Prints "Error: <msg>", frees the error and returns its exit code:
   pc_cli_exit_code_for (err, kind); pc_cli_fail is kind 0 (always 125). */
int pc_cli_fail_as (pc_error *err, unsigned kind);
int pc_cli_fail (pc_error *err);
/* The same with a code the command chose without an error class. */
int pc_cli_fail_code (pc_error *err, int code);
/* For a failed lookup: when missing_code is not 0 and the error's class is
   "not found", frees err and returns missing_code without a message
   (container/image exists); otherwise pc_cli_fail. */
int pc_cli_fail_lookup (pc_error *err, int missing_code);
int pc_cli_errorf (int code, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* Prints the question to stdout and reads an answer from stdin: true when
   it starts with y or Y (the prune commands' [y/N] prompt). */
bool pc_cli_confirm (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* Runs a family or leaf command with argv[0] = its name. */
int pc_cli_dispatch (const struct pc_command *cmd, const char *parent_path,
                     int argc, char **argv);

/* The top-level table (commands.c). */
extern const struct pc_command pc_root_command;

#endif
