/* Executes a parsed template against json-c data with Go's semantics for
   missing keys ("<no value>"), truth, printing and range. */
#include "lib/template.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"

struct var
{
  char *name;
  json_object *val;  /* owned reference */
};

struct exec
{
  FILE *out;
  struct var *vars;
  size_t nvars;
  bool lenient;
  pc_error **err;
};

const char *
pc_template_type_name (json_object *v)
{
  switch (json_object_get_type (v))
    {
    case json_type_null: return "<nil>";
    case json_type_boolean: return "bool";
    case json_type_int: return "int";
    case json_type_double: return "float64";
    case json_type_string: return "string";
    case json_type_array: return "[]interface {}";
    case json_type_object: return "map[string]interface {}";
    }
  return "?";
}

bool
pc_template_truth (json_object *v)
{
  switch (json_object_get_type (v))
    {
    case json_type_null: return false;
    case json_type_boolean: return json_object_get_boolean (v);
    case json_type_int: return json_object_get_int64 (v) != 0;
    case json_type_double: return json_object_get_double (v) != 0;
    case json_type_string: return json_object_get_string_len (v) > 0;
    case json_type_array: return json_object_array_length (v) > 0;
    case json_type_object: return json_object_object_length (v) > 0;
    }
  return false;
}

static int
cmp_keys (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
print_value (FILE *f, json_object *v, bool top)
{
  switch (json_object_get_type (v))
    {
    case json_type_null:
      fputs (top ? "<no value>" : "<nil>", f);
      break;
    case json_type_boolean:
      fputs (json_object_get_boolean (v) ? "true" : "false", f);
      break;
    case json_type_int:
      fprintf (f, "%lld", (long long) json_object_get_int64 (v));
      break;
    case json_type_double:
      pc_json_put_double (f, json_object_get_double (v));
      break;
    case json_type_string:
      fwrite (json_object_get_string (v), 1, (size_t) json_object_get_string_len (v), f);
      break;
    case json_type_array:
      fputc ('[', f);
      for (size_t i = 0; i < json_object_array_length (v); i++)
        {
          if (i)
            fputc (' ', f);
          print_value (f, json_object_array_get_idx (v, i), false);
        }
      fputc (']', f);
      break;
    case json_type_object:
      {
        size_t n = (size_t) json_object_object_length (v), i = 0;
        const char **keys = xmalloc ((n + 1) * sizeof *keys);
        json_object_object_foreach (v, key, val)
          {
            (void) val;
            keys[i++] = key;
          }
        qsort (keys, n, sizeof *keys, cmp_keys);
        fputs ("map[", f);
        for (i = 0; i < n; i++)
          {
            if (i)
              fputc (' ', f);
            fprintf (f, "%s:", keys[i]);
            print_value (f, json_object_object_get (v, keys[i]), false);
          }
        fputc (']', f);
        free (keys);
        break;
      }
    }
}

char *
pc_template_value_string (json_object *v, bool top)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&buf, &size);
  if (f == NULL)
    abort ();
  print_value (f, v, top);
  fclose (f);
  return buf;
}

static int __attribute__ ((format (printf, 2, 3)))
exec_error (struct exec *e, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *msg = NULL;
  if (vasprintf (&msg, fmt, ap) < 0)
    abort ();
  va_end (ap);
  pc_error_make (e->err, EINVAL, "template: %s", msg);
  free (msg);
  return -1;
}

static json_object *
get_var (struct exec *e, const char *name)
{
  for (size_t i = e->nvars; i > 0; i--)
    if (strcmp (e->vars[i - 1].name, name) == 0)
      return e->vars[i - 1].val;
  return NULL;
}

static bool
has_var (struct exec *e, const char *name)
{
  for (size_t i = 0; i < e->nvars; i++)
    if (strcmp (e->vars[i].name, name) == 0)
      return true;
  return false;
}

static void
push_var (struct exec *e, const char *name, json_object *val)
{
  e->vars = xrealloc (e->vars, (e->nvars + 1) * sizeof *e->vars);
  e->vars[e->nvars].name = xstrdup (name);
  e->vars[e->nvars].val = json_object_get (val);
  e->nvars++;
}

static void
pop_vars (struct exec *e, size_t to)
{
  while (e->nvars > to)
    {
      e->nvars--;
      free (e->vars[e->nvars].name);
      json_object_put (e->vars[e->nvars].val);
    }
}

/* Applies a field chain to v (borrowed); *out is a new reference. */
static int
apply_chain (struct exec *e, json_object *v, char **chain, json_object **out)
{
  for (size_t i = 0; chain && chain[i]; i++)
    {
      if (v == NULL)
        break;  /* Go: a missing map entry stays "<no value>" down the chain */
      if (!json_object_is_type (v, json_type_object))
        return exec_error (e, "can't evaluate field %s in type %s", chain[i],
                           pc_template_type_name (v));
      json_object *next = NULL;
      json_object_object_get_ex (v, chain[i], &next);
      v = next;
    }
  *out = json_object_get (v);
  return 0;
}

static int eval_pipe (struct exec *e, json_object *dot, const struct pc_tmpl_pipe *pipe,
                      json_object **out);

static int
eval_arg (struct exec *e, json_object *dot, const struct pc_tmpl_arg *a, json_object **out)
{
  switch (a->kind)
    {
    case PC_TA_DOT:
      return apply_chain (e, dot, a->chain, out);
    case PC_TA_VAR:
      if (!has_var (e, a->str[0] ? a->str : "$"))
        return exec_error (e, "undefined variable: $%s", a->str);
      return apply_chain (e, get_var (e, a->str[0] ? a->str : "$"), a->chain, out);
    case PC_TA_PIPE:
      {
        json_object *v = NULL;
        if (eval_pipe (e, dot, a->pipe, &v) < 0)
          return -1;
        int r = apply_chain (e, v, a->chain, out);
        json_object_put (v);
        return r;
      }
    case PC_TA_STRING:
      *out = json_object_new_string (a->str);
      return 0;
    case PC_TA_INT:
      *out = json_object_new_int64 (a->ival);
      return 0;
    case PC_TA_FLOAT:
      *out = json_object_new_double (a->fval);
      return 0;
    case PC_TA_BOOL:
      *out = json_object_new_boolean (a->bval);
      return 0;
    case PC_TA_NIL:
      *out = NULL;
      return 0;
    case PC_TA_IDENT:
      {
        /* A function named as an argument is called without arguments. */
        pc_tmpl_func fn = pc_template_lookup_func (a->str);
        if (fn (NULL, 0, out, e->err) < 0)
          return pc_error_wrap (e->err, "template: error calling %s", a->str);
        return 0;
      }
    }
  return -1;
}

static int
eval_cmd (struct exec *e, json_object *dot, const struct pc_tmpl_cmd *cmd, json_object *piped,
          bool has_piped, json_object **out)
{
  const struct pc_tmpl_arg *head = &cmd->args[0];
  if (head->kind == PC_TA_DOT && head->chain && cmd->nargs == 2 && !has_piped)
    {
      /* A string-map "method" of podman's reporters: {{.Label "k"}} is the
         value of key k of the map .Label ("" when absent). */
      json_object *m = NULL, *key = NULL;
      if (eval_arg (e, dot, head, &m) < 0)
        return -1;
      if (e->lenient && json_object_is_type (m, json_type_string))
        {
          *out = m;  /* a table's header row: the column's title */
          return 0;
        }
      if (eval_arg (e, dot, &cmd->args[1], &key) < 0)
        {
          json_object_put (m);
          return -1;
        }
      if (!json_object_is_type (m, json_type_object) || !json_object_is_type (key, json_type_string))
        {
          json_object_put (m);
          json_object_put (key);
          return exec_error (e, "%s is not a method but has arguments",
                             head->chain[pc_strv_len (head->chain) - 1]);
        }
      json_object *v = NULL;
      json_object_object_get_ex (m, json_object_get_string (key), &v);
      *out = v ? json_object_get (v) : json_object_new_string ("");
      json_object_put (m);
      json_object_put (key);
      return 0;
    }
  if (head->kind != PC_TA_IDENT)
    {
      if (has_piped)
        return exec_error (e, "%s", "can't give argument to non-function");
      return eval_arg (e, dot, head, out);
    }

  size_t n = cmd->nargs - 1 + (has_piped ? 1 : 0);
  json_object **args = xmalloc0 ((n + 1) * sizeof *args);
  int r = 0;
  size_t i;
  for (i = 1; i < cmd->nargs && r == 0; i++)
    r = eval_arg (e, dot, &cmd->args[i], &args[i - 1]);
  if (r == 0 && has_piped)
    args[n - 1] = json_object_get (piped);
  if (r == 0)
    {
      pc_tmpl_func fn = pc_template_lookup_func (head->str);
      r = fn (args, n, out, e->err);
      if (r < 0)
        pc_error_wrap (e->err, "template: error calling %s", head->str);
    }
  for (i = 0; i < n; i++)
    json_object_put (args[i]);
  free (args);
  return r;
}

static int
eval_pipe (struct exec *e, json_object *dot, const struct pc_tmpl_pipe *pipe, json_object **out)
{
  json_object *v = NULL;
  for (size_t i = 0; i < pipe->ncmds; i++)
    {
      json_object *next = NULL;
      int r = eval_cmd (e, dot, &pipe->cmds[i], v, i > 0, &next);
      json_object_put (v);
      if (r < 0)
        return -1;
      v = next;
    }
  *out = v;
  return 0;
}

/* Evaluates a pipeline and handles its variable declaration or assignment. */
static int
eval_decl_pipe (struct exec *e, json_object *dot, const struct pc_tmpl_pipe *pipe,
                bool for_range, json_object **out)
{
  if (eval_pipe (e, dot, pipe, out) < 0)
    return -1;
  if (pipe->ndecl == 0 || for_range)
    return 0;
  if (pipe->assign)
    {
      for (size_t i = e->nvars; i > 0; i--)
        if (strcmp (e->vars[i - 1].name, pipe->decl[0]) == 0)
          {
            json_object_put (e->vars[i - 1].val);
            e->vars[i - 1].val = json_object_get (*out);
            return 0;
          }
      return exec_error (e, "undefined variable: $%s", pipe->decl[0]);
    }
  push_var (e, pipe->decl[0], *out);
  return 0;
}

static int exec_list (struct exec *e, json_object *dot, const struct pc_tmpl_node *n);

static int
exec_range_item (struct exec *e, const struct pc_tmpl_node *n, json_object *key, json_object *val)
{
  size_t mark = e->nvars;
  if (n->pipe->ndecl == 1)
    push_var (e, n->pipe->decl[0], val);
  else if (n->pipe->ndecl == 2)
    {
      push_var (e, n->pipe->decl[0], key);
      push_var (e, n->pipe->decl[1], val);
    }
  int r = exec_list (e, val, n->list);
  pop_vars (e, mark);
  return r;
}

static int
exec_range (struct exec *e, json_object *dot, const struct pc_tmpl_node *n)
{
  json_object *v = NULL;
  if (eval_decl_pipe (e, dot, n->pipe, true, &v) < 0)
    return -1;
  int r = 0;
  bool empty = true;
  switch (json_object_get_type (v))
    {
    case json_type_array:
      for (size_t i = 0; i < json_object_array_length (v) && r == 0; i++)
        {
          json_object *idx = json_object_new_int64 ((int64_t) i);
          r = exec_range_item (e, n, idx, json_object_array_get_idx (v, i));
          json_object_put (idx);
          empty = false;
        }
      break;
    case json_type_object:
      {
        size_t cnt = (size_t) json_object_object_length (v), i = 0;
        const char **keys = xmalloc ((cnt + 1) * sizeof *keys);
        json_object_object_foreach (v, k, val)
          {
            (void) val;
            keys[i++] = k;
          }
        qsort (keys, cnt, sizeof *keys, cmp_keys);
        for (i = 0; i < cnt && r == 0; i++)
          {
            json_object *key = json_object_new_string (keys[i]);
            r = exec_range_item (e, n, key, json_object_object_get (v, keys[i]));
            json_object_put (key);
            empty = false;
          }
        free (keys);
        break;
      }
    case json_type_null:
      break;
    default:
      if (e->lenient)
        {
          r = exec_range_item (e, n, NULL, v);
          empty = false;
        }
      else
        {
          pc_autofree char *str = pc_template_value_string (v, true);
          r = exec_error (e, "range can't iterate over %s", str);
        }
      break;
    }
  json_object_put (v);
  if (r == 0 && empty && n->else_list)
    r = exec_list (e, dot, n->else_list);
  return r;
}

static int
exec_list (struct exec *e, json_object *dot, const struct pc_tmpl_node *n)
{
  size_t mark = e->nvars;
  int r = 0;
  for (; n && r == 0; n = n->next)
    {
      json_object *v = NULL;
      switch (n->kind)
        {
        case PC_TN_TEXT:
          fputs (n->text, e->out);
          break;
        case PC_TN_ACTION:
          r = eval_decl_pipe (e, dot, n->pipe, false, &v);
          if (r == 0 && n->pipe->ndecl == 0)
            print_value (e->out, v, true);
          json_object_put (v);
          break;
        case PC_TN_IF:
        case PC_TN_WITH:
          {
            size_t inner = e->nvars;
            r = eval_decl_pipe (e, dot, n->pipe, false, &v);
            if (r == 0)
              {
                if (pc_template_truth (v))
                  r = exec_list (e, n->kind == PC_TN_WITH ? v : dot, n->list);
                else if (n->else_list)
                  r = exec_list (e, dot, n->else_list);
              }
            pop_vars (e, inner);
            json_object_put (v);
            break;
          }
        case PC_TN_RANGE:
          r = exec_range (e, dot, n);
          break;
        }
    }
  pop_vars (e, mark);
  return r;
}

int
pc_template_execute (const struct pc_template *t, FILE *out, json_object *data, bool lenient,
                     pc_error **err)
{
  struct exec e = { .out = out, .lenient = lenient, .err = err };
  push_var (&e, "$", data);
  int r = exec_list (&e, data, t->root);
  pop_vars (&e, 0);
  free (e.vars);
  return r;
}
