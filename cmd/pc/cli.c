#include "cmd/pc/cli.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

struct pc_global_opts pc_global;
const struct pc_opt *pc_cli_global_opts;
int (*pc_cli_globals_hook) (void);

int
pc_cli_errorf (int code, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fputs ("Error: ", stderr);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
  va_end (ap);
  return code;
}

bool
pc_cli_confirm (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  fflush (stdout);
  char line[64] = "";
  return fgets (line, sizeof line, stdin) != NULL && (line[0] == 'y' || line[0] == 'Y');
}

int
pc_cli_fail_code (pc_error *err, int code)
{
  pc_cli_errorf (code, "%s", err ? err->msg : "unknown error");
  pc_error_free (err);
  return code;
}

int
pc_cli_exit_code_for (const pc_error *err, unsigned kind)
{
  switch (pc_error_class_of (err))
    {
    case PC_ERR_CMD_NOT_FOUND:
      return (kind & PC_EXIT_INVOKES) ? PC_EXIT_NOT_FOUND : PC_EXIT_ERROR;
    case PC_ERR_CANNOT_INVOKE:
      return (kind & PC_EXIT_INVOKES) ? PC_EXIT_CANNOT_INVOKE : PC_EXIT_ERROR;
    case PC_ERR_NOT_FOUND:
      return (kind & PC_EXIT_REMOVES) ? 1 : PC_EXIT_ERROR;
    case PC_ERR_IN_USE:
    case PC_ERR_STATE:
      return (kind & PC_EXIT_REMOVES) ? 2 : PC_EXIT_ERROR;
    default:
      return PC_EXIT_ERROR;
    }
}

int
pc_cli_fail_as (pc_error *err, unsigned kind)
{
  return pc_cli_fail_code (err, pc_cli_exit_code_for (err, kind));
}

int
pc_cli_fail (pc_error *err)
{
  return pc_cli_fail_as (err, 0);
}

int
pc_cli_fail_lookup (pc_error *err, int missing_code)
{
  if (missing_code && pc_error_class_of (err) == PC_ERR_NOT_FOUND)
    {
      pc_error_free (err);
      return missing_code;
    }
  return pc_cli_fail (err);
}

int
pc_cli_parse_exit (int r)
{
  return r == PC_CLI_HELP_SHOWN ? 0 : PC_EXIT_ERROR;
}

static const char *
cmd_path (const struct pc_command *cmd)
{
  return cmd->path ? cmd->path : cmd->name;
}

static int
bad_flag (const struct pc_command *cmd, const char *what, const char *flag)
{
  fprintf (stderr, "Error: %s%s\nSee '%s --help'\n", what, flag, cmd_path (cmd));
  return -1;
}

static const struct pc_opt *
find_long (const struct pc_opt *opts, const char *name, size_t len)
{
  for (const struct pc_opt *o = opts; o && o->name; o++)
    if (strlen (o->name) == len && strncmp (o->name, name, len) == 0)
      return o;
  return NULL;
}

static const struct pc_opt *
find_short (const struct pc_opt *opts, char c)
{
  for (const struct pc_opt *o = opts; o && o->name; o++)
    if (o->short_name == c)
      return o;
  return NULL;
}

static int
parse_bool (const char *s, bool *out)
{
  if (strcmp (s, "true") == 0 || strcmp (s, "1") == 0 || strcmp (s, "t") == 0
      || strcmp (s, "T") == 0 || strcmp (s, "TRUE") == 0 || strcmp (s, "True") == 0)
    *out = true;
  else if (strcmp (s, "false") == 0 || strcmp (s, "0") == 0 || strcmp (s, "f") == 0
           || strcmp (s, "F") == 0 || strcmp (s, "FALSE") == 0 || strcmp (s, "False") == 0)
    *out = false;
  else
    return -1;
  return 0;
}

/* Stores a value (NULL for a bare bool flag). */
static int
store (const struct pc_command *cmd, const struct pc_opt *o, const char *value)
{
  /* pflag names the flag in its errors as "-t, --time" (or "--name"), not
     as the user spelled it ("--time=abc" was printed whole). */
  char flag[128];
  if (o->short_name)
    snprintf (flag, sizeof flag, "-%c, --%s", o->short_name, o->name);
  else
    snprintf (flag, sizeof flag, "--%s", o->name);
  if (o->set)
    *o->set = true;
  switch (o->type)
    {
    case PC_OPT_BOOL:
      if (value == NULL)
        *(bool *) o->value = true;
      else if (parse_bool (value, (bool *) o->value) < 0)
        {
          fprintf (stderr, "Error: invalid argument \"%s\" for \"%s\" flag: "
                   "strconv.ParseBool: parsing \"%s\": invalid syntax\n",
                   value, flag, value);
          fprintf (stderr, "See '%s --help'\n", cmd_path (cmd));
          return -1;
        }
      return 0;
    case PC_OPT_STRING:
      free (*(char **) o->value);
      *(char **) o->value = xstrdup (value);
      return 0;
    case PC_OPT_STRV:
      pc_strv_append ((char ***) o->value, value);
      return 0;
    case PC_OPT_INT:
      {
        char *end = NULL;
        errno = 0;
        long v = strtol (value, &end, 10);
        if (errno || end == value || *end)
          {
            fprintf (stderr, "Error: invalid argument \"%s\" for \"%s\" flag: "
                     "strconv.ParseInt: parsing \"%s\": invalid syntax\n",
                     value, flag, value);
            fprintf (stderr, "See '%s --help'\n", cmd_path (cmd));
            return -1;
          }
        *(long *) o->value = v;
        return 0;
      }
    case PC_OPT_UINT:
      {
        /* podman's uint flags (timeouts in seconds) with pc's bound: they
           are kept as int seconds, so a larger value is refused as a 32-bit
           podman refuses it rather than silently truncated. */
        char *end = NULL;
        errno = 0;
        long long v = strtoll (value, &end, 10);
        bool syntax = end == value || *end || *value == '-' || *value == '+';
        if (syntax || errno || v > INT_MAX)
          {
            fprintf (stderr, "Error: invalid argument \"%s\" for \"%s\" flag: "
                     "strconv.ParseUint: parsing \"%s\": %s\n",
                     value, flag, value, syntax ? "invalid syntax" : "value out of range");
            fprintf (stderr, "See '%s --help'\n", cmd_path (cmd));
            return -1;
          }
        *(long *) o->value = (long) v;
        return 0;
      }
    }
  return -1;
}

static bool
takes_value (const struct pc_opt *o)
{
  return o->type != PC_OPT_BOOL;
}

/* -h means help unless the command uses it (run's --hostname). */
static bool
is_help (const struct pc_opt *opts, const char *a)
{
  return strcmp (a, "--help") == 0 || (strcmp (a, "-h") == 0 && find_short (opts, 'h') == NULL);
}

int
pc_cli_parse (const struct pc_command *cmd, const struct pc_opt *opts,
              int argc, char **argv, char ***args, int *nargs)
{
  /* Positional arguments are collected in place at the front of argv+1. */
  char **pos = argv + 1;
  int npos = 0;
  bool stop_at_pos = (cmd->flags & PC_CMD_STOP_AT_POSITIONAL) != 0;
  bool globals_seen = false;

  for (int i = 1; i < argc; i++)
    {
      char *a = argv[i];
      if (strcmp (a, "--") == 0)
        {
          for (i++; i < argc; i++)
            pos[npos++] = argv[i];
          break;
        }
      if (a[0] != '-' || a[1] == '\0')
        {
          pos[npos++] = a;
          if (stop_at_pos)
            {
              for (i++; i < argc; i++)
                pos[npos++] = argv[i];
              break;
            }
          continue;
        }
      if (is_help (opts, a))
        {
          pc_cli_print_help (cmd, opts);
          return PC_CLI_HELP_SHOWN;
        }
      if (a[1] == '-')
        {
          const char *name = a + 2;
          const char *eq = strchr (name, '=');
          size_t len = eq ? (size_t) (eq - name) : strlen (name);
          const struct pc_opt *o = find_long (opts, name, len);
          /* podman's global flags are persistent: they may follow the
             command word too (`pc ps --log-level debug`). */
          if (o == NULL && (o = find_long (pc_cli_global_opts, name, len)) != NULL)
            globals_seen = true;
          if (o == NULL)
            return bad_flag (cmd, "unknown flag: ", a);
          const char *value = eq ? eq + 1 : NULL;
          if (takes_value (o) && value == NULL)
            {
              if (i + 1 >= argc)
                return bad_flag (cmd, "flag needs an argument: ", a);
              value = argv[++i];
            }
          if (store (cmd, o, value) < 0)
            return -1;
          continue;
        }
      /* A cluster of short flags: -it, -dit, -e X, -eX, -p=80. */
      for (const char *c = a + 1; *c; c++)
        {
          const struct pc_opt *o = find_short (opts, *c);
          if (o == NULL)
            {
              char msg[64];
              snprintf (msg, sizeof msg, "unknown shorthand flag: '%c' in %s", *c, a);
              return bad_flag (cmd, msg, "");
            }
          if (!takes_value (o))
            {
              const char *value = NULL;
              if (c[1] == '=')
                {
                  value = c + 2;
                  if (store (cmd, o, value) < 0)
                    return -1;
                  break;
                }
              if (store (cmd, o, NULL) < 0)
                return -1;
              continue;
            }
          const char *value = c + 1;
          if (*value == '=')
            value++;
          if (*value == '\0')
            {
              if (i + 1 >= argc)
                {
                  char msg[96];
                  snprintf (msg, sizeof msg, "flag needs an argument: '%c' in %s", *c, a);
                  return bad_flag (cmd, msg, "");
                }
              value = argv[++i];
            }
          if (store (cmd, o, value) < 0)
            return -1;
          break;
        }
    }
  pos[npos] = NULL;
  if (globals_seen && pc_cli_globals_hook && pc_cli_globals_hook () < 0)
    return -1;
  *args = pos;
  *nargs = npos;
  return 0;
}

int
pc_cli_check_args (const struct pc_command *cmd, int nargs, int min, int max)
{
  if (nargs >= min && (max < 0 || nargs <= max))
    return 0;
  if (max == 0)
    fprintf (stderr, "Error: `%s` takes no arguments\n", cmd_path (cmd));
  else if (min == max)
    fprintf (stderr, "Error: accepts %d arg(s), received %d\n", min, nargs);
  else if (nargs < min)
    fprintf (stderr, "Error: requires at least %d arg(s), only received %d\n", min, nargs);
  else
    fprintf (stderr, "Error: accepts at most %d arg(s), received %d\n", max, nargs);
  return -1;
}

int
pc_cli_parse_args (const struct pc_command *cmd, const struct pc_opt *opts,
                   int argc, char **argv, int min, int max,
                   char ***args, int *nargs, int *exit_code)
{
  int r = pc_cli_parse (cmd, opts, argc, argv, args, nargs);
  if (r != 0)
    {
      *exit_code = pc_cli_parse_exit (r);
      return -1;
    }
  if (pc_cli_check_args (cmd, *nargs, min, max) < 0)
    {
      *exit_code = PC_EXIT_ERROR;
      return -1;
    }
  *exit_code = 0;
  return 0;
}

static void
print_options (const struct pc_opt *opts)
{
  size_t width = 0;
  for (const struct pc_opt *o = opts; o && o->name; o++)
    {
      size_t w = strlen (o->name) + (o->arg ? strlen (o->arg) + 1 : 0);
      if (w > width)
        width = w;
    }
  for (const struct pc_opt *o = opts; o && o->name; o++)
    {
      char left[128];
      snprintf (left, sizeof left, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
      if (o->short_name)
        printf ("  -%c, --%-*s   %s\n", o->short_name, (int) width, left, o->help);
      else
        printf ("      --%-*s   %s\n", (int) width, left, o->help);
    }
}

static void
print_subcommands (const struct pc_command *subs)
{
  size_t width = 0;
  for (const struct pc_command *c = subs; c->name; c++)
    if (strlen (c->name) > width)
      width = strlen (c->name);
  for (const struct pc_command *c = subs; c->name; c++)
    printf ("  %-*s  %s\n", (int) width, c->name, c->summary);
}

void (*pc_cli_describe) (const struct pc_command *cmd, const struct pc_opt *opts);

void
pc_cli_print_help (const struct pc_command *cmd, const struct pc_opt *opts)
{
  if (pc_cli_describe)
    {
      pc_cli_describe (cmd, opts);
      return;
    }
  printf ("%s\n\n", cmd->summary);
  if (cmd->description)
    printf ("Description:\n  %s\n\n", cmd->description);
  printf ("Usage:\n  pc %s\n", cmd->usage);
  if (cmd->alias)
    printf ("\nAliases:\n  %s, %s\n", cmd->name, cmd->alias);
  if (cmd->subcommands)
    {
      printf ("\nAvailable Commands:\n");
      print_subcommands (cmd->subcommands);
    }
  if (opts && opts->name)
    {
      printf ("\nOptions:\n");
      print_options (opts);
    }
}

static const struct pc_command *
find_sub (const struct pc_command *subs, const char *name)
{
  for (const struct pc_command *c = subs; c->name; c++)
    if (strcmp (c->name, name) == 0 || (c->alias && strcmp (c->alias, name) == 0))
      return c;
  return NULL;
}

int
pc_cli_dispatch (const struct pc_command *cmd, const char *parent_path,
                 int argc, char **argv)
{
  struct pc_command local = *cmd;
  pc_autofree char *path = parent_path ? xasprintf ("%s %s", parent_path, cmd->name)
                                       : xstrdup (cmd->name);
  local.path = path;

  if (cmd->run)
    return cmd->run (&local, argc, argv);

  /* A family: the next word picks the subcommand. */
  if (argc < 2)
    {
      pc_cli_print_help (&local, NULL);
      fprintf (stderr, "Error: missing command '%s COMMAND'\n", path);
      return PC_EXIT_ERROR;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      pc_cli_print_help (&local, NULL);
      return 0;
    }
  const struct pc_command *sub = find_sub (cmd->subcommands, argv[1]);
  if (sub == NULL)
    {
      if (argv[1][0] == '-')
        fprintf (stderr, "Error: unknown flag: %s\nSee '%s --help'\n", argv[1], path);
      else
        fprintf (stderr, "Error: unrecognized command `%s %s`\nTry '%s --help' for more information\n",
                 path, argv[1], path);
      return PC_EXIT_ERROR;
    }
  return pc_cli_dispatch (sub, path, argc - 1, argv + 1);
}
