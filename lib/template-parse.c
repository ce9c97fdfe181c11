/* Parser for the Go text/template subset that podman's --format uses. */
#include "lib/template.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

enum tok
{
  TK_END,       /* "}}" */
  TK_PIPE,
  TK_LPAREN,
  TK_RPAREN,
  TK_DECLARE,
  TK_ASSIGN,
  TK_COMMA,
  TK_STRING,
  TK_NUMBER,
  TK_IDENT,
  TK_FIELD,
  TK_DOT,
  TK_VAR,
  TK_EOF,       /* end of input inside an action */
};

struct parser
{
  const char *src;
  const char *p;
  enum tok tok;
  const char *tstart;
  size_t tlen;
  bool space_before;
  bool trim_right;     /* the action ended with " -}}" */
  char *strval;        /* unquoted TK_STRING */
  int depth;           /* open parentheses */
  int nest;            /* parentheses and if/range/with blocks open, for the cap */
  pc_error **err;
};

/* Parsing recurses once per open parenthesis or block: without a cap,
   60,000 "(" overflow the stack. Go's text/template stops at 10,000
   ("max expression depth exceeded"); 1,000 is more than any format needs
   and safe for every stack this runs on. */
#define PC_TMPL_MAX_NEST 1000

static int __attribute__ ((format (printf, 2, 3)))
fail (struct parser *ps, const char *fmt, ...)
{
  int line = 1;
  for (const char *q = ps->src; q < ps->p && *q; q++)
    line += *q == '\n';
  va_list ap;
  va_start (ap, fmt);
  pc_autofree char *what = NULL;
  if (vasprintf (&what, fmt, ap) < 0)
    abort ();
  va_end (ap);
  /* Show the template as the user typed it, without the newline podman adds. */
  size_t n = strlen (ps->src);
  if (n > 0 && ps->src[n - 1] == '\n')
    n--;
  int lines = 1;
  for (size_t i = 0; i < n; i++)
    lines += ps->src[i] == '\n';
  return pc_error_make (ps->err, EINVAL, "template: invalid format \"%.*s\": line %d: %s",
                        (int) n, ps->src, line > lines ? lines : line, what);
}

static bool
is_ident_char (char c)
{
  return isalnum ((unsigned char) c) || c == '_';
}

static int
lex_string (struct parser *ps)
{
  char quote = *ps->p++;
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&buf, &size);
  if (f == NULL)
    abort ();
  for (;;)
    {
      char c = *ps->p;
      if (c == '\0' || (c == '\n' && quote == '"'))
        {
          fclose (f);
          free (buf);
          return fail (ps, "%s", "unterminated quoted string");
        }
      ps->p++;
      if (c == quote)
        break;
      if (c == '\\' && quote == '"')
        {
          char e = *ps->p++;
          switch (e)
            {
            case 'n': fputc ('\n', f); break;
            case 't': fputc ('\t', f); break;
            case 'r': fputc ('\r', f); break;
            case '\\': fputc ('\\', f); break;
            case '"': fputc ('"', f); break;
            case '\'': fputc ('\'', f); break;
            case '0': fputc ('\0', f); break;
            default:
              fclose (f);
              free (buf);
              return fail (ps, "%s", "unknown escape sequence in quoted string");
            }
          continue;
        }
      fputc (c, f);
    }
  fclose (f);
  free (ps->strval);
  ps->strval = buf;
  ps->tok = TK_STRING;
  return 0;
}

static int
next (struct parser *ps)
{
  const char *start = ps->p;
  while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
    ps->p++;
  ps->space_before = ps->p != start;
  ps->tstart = ps->p;
  const char *p = ps->p;

  if (*p == '\0')
    ps->tok = TK_EOF;
  else if (p[0] == '}' && p[1] == '}')
    {
      ps->tok = TK_END;
      ps->p += 2;
    }
  else if (p[0] == '-' && p[1] == '}' && p[2] == '}' && ps->space_before)
    {
      ps->tok = TK_END;
      ps->trim_right = true;
      ps->p += 3;
    }
  else if (*p == '|')
    ps->tok = TK_PIPE, ps->p++;
  else if (*p == '(')
    ps->tok = TK_LPAREN, ps->p++;
  else if (*p == ')')
    ps->tok = TK_RPAREN, ps->p++;
  else if (*p == ',')
    ps->tok = TK_COMMA, ps->p++;
  else if (p[0] == ':' && p[1] == '=')
    ps->tok = TK_DECLARE, ps->p += 2;
  else if (*p == '=')
    ps->tok = TK_ASSIGN, ps->p++;
  else if (*p == '"' || *p == '`')
    {
      if (lex_string (ps) < 0)
        return -1;
    }
  else if (*p == '.' && is_ident_char (p[1]) && !isdigit ((unsigned char) p[1]))
    {
      ps->p++;
      while (is_ident_char (*ps->p))
        ps->p++;
      ps->tok = TK_FIELD;
    }
  else if (*p == '.' && !isdigit ((unsigned char) p[1]))
    ps->tok = TK_DOT, ps->p++;
  else if (*p == '$')
    {
      ps->p++;
      while (is_ident_char (*ps->p))
        ps->p++;
      ps->tok = TK_VAR;
    }
  else if (isdigit ((unsigned char) *p) || ((*p == '-' || *p == '+' || *p == '.')
                                            && (isdigit ((unsigned char) p[1]) || p[1] == '.')))
    {
      ps->p++;
      while (isalnum ((unsigned char) *ps->p) || *ps->p == '.'
             || ((*ps->p == '-' || *ps->p == '+') && (ps->p[-1] == 'e' || ps->p[-1] == 'E')))
        ps->p++;
      ps->tok = TK_NUMBER;
    }
  else if (isalpha ((unsigned char) *p) || *p == '_')
    {
      while (is_ident_char (*ps->p))
        ps->p++;
      ps->tok = TK_IDENT;
    }
  else
    {
      char bad[2] = { *p, 0 };
      return fail (ps, "unexpected \"%s\" in command", bad);
    }
  ps->tlen = (size_t) (ps->p - ps->tstart);
  return 0;
}

static bool
tok_is (struct parser *ps, const char *word)
{
  return ps->tok == TK_IDENT && strlen (word) == ps->tlen && strncmp (ps->tstart, word, ps->tlen) == 0;
}

static void free_pipe (struct pc_tmpl_pipe *pipe);

static void
free_arg (struct pc_tmpl_arg *a)
{
  free (a->str);
  pc_strv_free (a->chain);
  free_pipe (a->pipe);
}

static void
free_pipe (struct pc_tmpl_pipe *pipe)
{
  if (pipe == NULL)
    return;
  for (size_t i = 0; i < pipe->ncmds; i++)
    {
      for (size_t j = 0; j < pipe->cmds[i].nargs; j++)
        free_arg (&pipe->cmds[i].args[j]);
      free (pipe->cmds[i].args);
    }
  free (pipe->cmds);
  free (pipe->decl[0]);
  free (pipe->decl[1]);
  free (pipe);
}

static void
free_nodes (struct pc_tmpl_node *n)
{
  while (n)
    {
      struct pc_tmpl_node *next = n->next;
      free (n->text);
      free_pipe (n->pipe);
      free_nodes (n->list);
      free_nodes (n->else_list);
      free (n);
      n = next;
    }
}

void
pc_template_free (struct pc_template *t)
{
  if (t == NULL)
    return;
  free_nodes (t->root);
  free (t);
}

static struct pc_tmpl_pipe *parse_pipeline (struct parser *ps, bool allow_decl, const char *ctx);

/* Field names directly attached to the previous operand: ".A.B", "$x.A", "(..).A". */
static int
parse_chain (struct parser *ps, char ***chain)
{
  for (;;)
    {
      if (ps->tok != TK_FIELD || ps->space_before)
        return 0;
      pc_strv_append_take (chain, xstrndup (ps->tstart + 1, ps->tlen - 1));
      if (next (ps) < 0)
        return -1;
    }
}

static int
parse_operand (struct parser *ps, struct pc_tmpl_arg *a)
{
  memset (a, 0, sizeof *a);
  switch (ps->tok)
    {
    case TK_FIELD:
      a->kind = PC_TA_DOT;
      ps->space_before = false;  /* the field itself starts the chain */
      return parse_chain (ps, &a->chain);
    case TK_DOT:
      a->kind = PC_TA_DOT;
      if (next (ps) < 0)
        return -1;
      return parse_chain (ps, &a->chain);
    case TK_VAR:
      a->kind = PC_TA_VAR;
      a->str = xstrndup (ps->tstart + 1, ps->tlen - 1);
      if (next (ps) < 0)
        return -1;
      return parse_chain (ps, &a->chain);
    case TK_STRING:
      a->kind = PC_TA_STRING;
      a->str = steal_pointer (&ps->strval);
      return next (ps);
    case TK_NUMBER:
      {
        pc_autofree char *num = xstrndup (ps->tstart, ps->tlen);
        char *end = NULL;
        errno = 0;
        long long v = strtoll (num, &end, 0);
        if (*end == '\0' && errno == 0)
          {
            a->kind = PC_TA_INT;
            a->ival = v;
          }
        else
          {
            a->fval = strtod (num, &end);
            if (*end != '\0')
              return fail (ps, "bad number syntax: \"%s\"", num);
            a->kind = PC_TA_FLOAT;
          }
        return next (ps);
      }
    case TK_IDENT:
      if (tok_is (ps, "true") || tok_is (ps, "false"))
        {
          a->kind = PC_TA_BOOL;
          a->bval = tok_is (ps, "true");
        }
      else if (tok_is (ps, "nil"))
        a->kind = PC_TA_NIL;
      else
        {
          a->kind = PC_TA_IDENT;
          a->str = xstrndup (ps->tstart, ps->tlen);
          if (pc_template_lookup_func (a->str) == NULL)
            return fail (ps, "function \"%s\" not defined", a->str);
        }
      return next (ps);
    case TK_LPAREN:
      {
        a->kind = PC_TA_PIPE;
        if (ps->nest >= PC_TMPL_MAX_NEST)
          return fail (ps, "max expression depth exceeded (more than %d levels)", PC_TMPL_MAX_NEST);
        ps->depth++;
        if (next (ps) < 0)
          return -1;
        ps->nest++;
        a->pipe = parse_pipeline (ps, false, "parenthesized pipeline");
        ps->nest--;
        if (a->pipe == NULL)
          return -1;
        if (ps->tok != TK_RPAREN)
          return fail (ps, "%s", "unclosed left paren");
        ps->depth--;
        if (next (ps) < 0)
          return -1;
        return parse_chain (ps, &a->chain);
      }
    case TK_EOF:
      return fail (ps, "%s", "unclosed action");
    default:
      {
        pc_autofree char *t = xstrndup (ps->tstart, ps->tlen);
        return fail (ps, "unexpected \"%s\" in operand", t);
      }
    }
}

static struct pc_tmpl_pipe *
parse_pipeline (struct parser *ps, bool allow_decl, const char *ctx)
{
  struct pc_tmpl_pipe *pipe = xmalloc0 (sizeof *pipe);

  if (allow_decl && ps->tok == TK_VAR)
    {
      /* Look ahead for "$x :=" or "$i, $e :=" without consuming on a miss. */
      struct parser save = *ps;
      save.strval = NULL;
      char *names[2] = { NULL, NULL };
      size_t n = 0;
      while (ps->tok == TK_VAR && n < 2)
        {
          names[n++] = xstrndup (ps->tstart + 1, ps->tlen - 1);
          if (next (ps) < 0)
            goto fail_names;
          if (ps->tok != TK_COMMA)
            break;
          if (next (ps) < 0)
            goto fail_names;
        }
      if (ps->tok == TK_DECLARE || ps->tok == TK_ASSIGN)
        {
          pipe->assign = ps->tok == TK_ASSIGN;
          pipe->decl[0] = names[0];
          pipe->decl[1] = names[1];
          pipe->ndecl = n;
          if (next (ps) < 0)
            goto fail;
        }
      else
        {
          free (names[0]);
          free (names[1]);
          free (ps->strval);
          *ps = save;
        }
      if (0)
        {
        fail_names:
          free (names[0]);
          free (names[1]);
          goto fail;
        }
    }

  for (;;)
    {
      struct pc_tmpl_cmd cmd = { 0 };
      while (ps->tok != TK_PIPE && ps->tok != TK_END && ps->tok != TK_RPAREN)
        {
          if (ps->tok == TK_EOF)
            {
              pipe->cmds = xrealloc (pipe->cmds, (pipe->ncmds + 1) * sizeof *pipe->cmds);
              pipe->cmds[pipe->ncmds++] = cmd;
              fail (ps, "%s", "unclosed action");
              goto fail;
            }
          cmd.args = xrealloc (cmd.args, (cmd.nargs + 1) * sizeof *cmd.args);
          if (parse_operand (ps, &cmd.args[cmd.nargs]) < 0)
            {
              free_arg (&cmd.args[cmd.nargs]);
              pipe->cmds = xrealloc (pipe->cmds, (pipe->ncmds + 1) * sizeof *pipe->cmds);
              pipe->cmds[pipe->ncmds++] = cmd;
              goto fail;
            }
          cmd.nargs++;
        }
      pipe->cmds = xrealloc (pipe->cmds, (pipe->ncmds + 1) * sizeof *pipe->cmds);
      pipe->cmds[pipe->ncmds++] = cmd;
      if (ps->tok == TK_RPAREN && ps->depth == 0)
        {
          fail (ps, "%s", "unexpected right paren");
          goto fail;
        }
      if (cmd.nargs == 0)
        {
          fail (ps, "missing value for %s", ctx);
          goto fail;
        }
      if (cmd.args[0].kind == PC_TA_NIL)
        {
          fail (ps, "%s", "nil is not a command");
          goto fail;
        }
      /* A field with arguments is a method call, decided at execution. */
      if (cmd.args[0].kind != PC_TA_IDENT && cmd.nargs > 1
          && !(cmd.args[0].kind == PC_TA_DOT && cmd.args[0].chain))
        {
          fail (ps, "%s", "can't give argument to non-function");
          goto fail;
        }
      if (ps->tok != TK_PIPE)
        break;
      if (next (ps) < 0)
        goto fail;
    }
  return pipe;

 fail:
  free_pipe (pipe);
  return NULL;
}

enum stop
{
  STOP_EOF,
  STOP_END,
  STOP_ELSE,      /* plain {{else}} */
  STOP_ELSE_IF,   /* {{else if ...}}: parser positioned after "if" */
  STOP_ELSE_WITH,
};

static void
trim_trailing_space (struct pc_tmpl_node *n)
{
  if (n == NULL || n->kind != PC_TN_TEXT)
    return;
  size_t len = strlen (n->text);
  while (len > 0 && isspace ((unsigned char) n->text[len - 1]))
    n->text[--len] = '\0';
}

/* Text with the two-character escapes \t and \n that podman's users type. */
static char *
unescape_text (const char *s, size_t n)
{
  char *out = xmalloc (n + 1), *o = out;
  for (size_t i = 0; i < n; i++)
    {
      if (s[i] == '\\' && i + 1 < n && (s[i + 1] == 't' || s[i + 1] == 'n'))
        {
          *o++ = s[i + 1] == 't' ? '\t' : '\n';
          i++;
        }
      else
        *o++ = s[i];
    }
  *o = '\0';
  return out;
}

static int parse_list (struct parser *ps, struct pc_tmpl_node **out, enum stop *stop);

static struct pc_tmpl_node *parse_control_1 (struct parser *ps, enum pc_tmpl_node_kind kind,
                                             const char *name);

static struct pc_tmpl_node *
parse_control (struct parser *ps, enum pc_tmpl_node_kind kind, const char *name)
{
  if (ps->nest >= PC_TMPL_MAX_NEST)
    {
      fail (ps, "max expression depth exceeded (more than %d levels)", PC_TMPL_MAX_NEST);
      return NULL;
    }
  ps->nest++;
  struct pc_tmpl_node *n = parse_control_1 (ps, kind, name);
  ps->nest--;
  return n;
}

static struct pc_tmpl_node *
parse_control_1 (struct parser *ps, enum pc_tmpl_node_kind kind, const char *name)
{
  struct pc_tmpl_node *n = xmalloc0 (sizeof *n);
  n->kind = kind;
  n->pipe = parse_pipeline (ps, true, name);
  if (n->pipe == NULL)
    goto fail;
  if (ps->tok != TK_END)
    {
      fail (ps, "unexpected \")\" in %s", name);
      goto fail;
    }
  enum stop stop;
  if (parse_list (ps, &n->list, &stop) < 0)
    goto fail;
  if (stop == STOP_ELSE_IF || stop == STOP_ELSE_WITH)
    {
      /* "{{else if x}}" is "{{else}}{{if x}}...{{end}}" sharing our {{end}}. */
      n->else_list = parse_control (ps, stop == STOP_ELSE_IF ? PC_TN_IF : PC_TN_WITH,
                                    stop == STOP_ELSE_IF ? "if" : "with");
      if (n->else_list == NULL)
        goto fail;
      return n;
    }
  if (stop == STOP_ELSE)
    {
      if (parse_list (ps, &n->else_list, &stop) < 0)
        goto fail;
      if (stop != STOP_END)
        {
          fail (ps, "%s", stop == STOP_EOF ? "unexpected EOF" : "expected end; found {{else}}");
          goto fail;
        }
    }
  else if (stop != STOP_END)
    {
      fail (ps, "%s", "unexpected EOF");
      goto fail;
    }
  return n;

 fail:
  free_nodes (n);
  return NULL;
}

static int
parse_list (struct parser *ps, struct pc_tmpl_node **out, enum stop *stop)
{
  struct pc_tmpl_node **tail = out, *last = NULL;
  *out = NULL;
  for (;;)
    {
      const char *open = strstr (ps->p, "{{");
      size_t textlen = open ? (size_t) (open - ps->p) : strlen (ps->p);
      bool trim_left = open && open[2] == '-' && (open[3] == ' ' || open[3] == '\t' || open[3] == '\n');
      if (textlen > 0)
        {
          const char *t = ps->p;
          if (ps->trim_right)
            while (textlen > 0 && isspace ((unsigned char) *t))
              t++, textlen--;
          if (textlen > 0)
            {
              struct pc_tmpl_node *n = xmalloc0 (sizeof *n);
              n->kind = PC_TN_TEXT;
              n->text = unescape_text (t, textlen);
              *tail = last = n;
              tail = &n->next;
            }
        }
      ps->trim_right = false;
      if (open == NULL)
        {
          ps->p += strlen (ps->p);
          *stop = STOP_EOF;
          return 0;
        }
      if (trim_left)
        trim_trailing_space (last);
      ps->p = open + (trim_left ? 3 : 2);

      /* Comments: an action that starts with slash-star. */
      const char *q = ps->p;
      while (*q == ' ')
        q++;
      if (q[0] == '/' && q[1] == '*')
        {
          const char *end = strstr (q + 2, "*/");
          if (end == NULL)
            return fail (ps, "%s", "unclosed comment");
          ps->p = end + 2;
          if (next (ps) < 0)
            return -1;
          if (ps->tok != TK_END)
            return fail (ps, "%s", "comment ends before closing delimiter");
          continue;
        }

      if (next (ps) < 0)
        return -1;
      struct pc_tmpl_node *n = NULL;
      if (tok_is (ps, "end") || tok_is (ps, "else"))
        {
          bool is_end = tok_is (ps, "end");
          if (next (ps) < 0)
            return -1;
          if (is_end)
            *stop = STOP_END;
          else if (tok_is (ps, "if") || tok_is (ps, "with"))
            {
              *stop = tok_is (ps, "if") ? STOP_ELSE_IF : STOP_ELSE_WITH;
              if (next (ps) < 0)
                return -1;
              return 0;
            }
          else
            *stop = STOP_ELSE;
          if (ps->tok != TK_END)
            return fail (ps, "unexpected token in {{%s}}", is_end ? "end" : "else");
          return 0;
        }
      else if (tok_is (ps, "if") || tok_is (ps, "range") || tok_is (ps, "with"))
        {
          enum pc_tmpl_node_kind kind = tok_is (ps, "if") ? PC_TN_IF
                                        : tok_is (ps, "range") ? PC_TN_RANGE : PC_TN_WITH;
          const char *name = kind == PC_TN_IF ? "if" : kind == PC_TN_RANGE ? "range" : "with";
          if (next (ps) < 0)
            return -1;
          n = parse_control (ps, kind, name);
        }
      else if (tok_is (ps, "define") || tok_is (ps, "template") || tok_is (ps, "block")
               || tok_is (ps, "break") || tok_is (ps, "continue"))
        {
          pc_autofree char *kw = xstrndup (ps->tstart, ps->tlen);
          return fail (ps, "{{%s}} is not supported", kw);
        }
      else
        {
          n = xmalloc0 (sizeof *n);
          n->kind = PC_TN_ACTION;
          n->pipe = parse_pipeline (ps, true, "command");
          if (n->pipe == NULL)
            {
              free (n);
              return -1;
            }
          if (ps->tok != TK_END)
            {
              free_nodes (n);
              return fail (ps, "%s", "unexpected \")\" in operand");
            }
        }
      if (n == NULL)
        return -1;
      *tail = last = n;
      tail = &n->next;
    }
}

struct pc_template *
pc_template_parse (const char *text, pc_error **err)
{
  struct parser ps = { .src = text, .p = text, .err = err };
  struct pc_template *t = xmalloc0 (sizeof *t);
  enum stop stop;
  int r = parse_list (&ps, &t->root, &stop);
  free (ps.strval);
  if (r == 0 && stop != STOP_EOF)
    r = fail (&ps, "unexpected {{%s}}", stop == STOP_END ? "end" : "else");
  if (r < 0)
    {
      pc_template_free (t);
      return NULL;
    }
  return t;
}

static void
walk_pipe (const struct pc_tmpl_pipe *pipe, void (*fn) (char **, void *), void *data)
{
  if (pipe == NULL)
    return;
  for (size_t i = 0; i < pipe->ncmds; i++)
    for (size_t j = 0; j < pipe->cmds[i].nargs; j++)
      {
        const struct pc_tmpl_arg *a = &pipe->cmds[i].args[j];
        if ((a->kind == PC_TA_DOT || (a->kind == PC_TA_VAR && a->str[0] == '\0')) && a->chain)
          fn (a->chain, data);
        walk_pipe (a->pipe, fn, data);
      }
}

static void
walk_nodes (const struct pc_tmpl_node *n, void (*fn) (char **, void *), void *data)
{
  for (; n; n = n->next)
    {
      walk_pipe (n->pipe, fn, data);
      walk_nodes (n->list, fn, data);
      walk_nodes (n->else_list, fn, data);
    }
}

void
pc_template_walk_fields (const struct pc_template *t, void (*fn) (char **chain, void *data),
                         void *data)
{
  walk_nodes (t->root, fn, data);
}
