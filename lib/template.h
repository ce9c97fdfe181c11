/* Go text/template subset used by format.c (not part of the public API:
   callers use lib/format.h). Values are json-c objects; NULL is Go's nil. */
#ifndef PC_LIB_TEMPLATE_H
#define PC_LIB_TEMPLATE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/error.h"

enum pc_tmpl_arg_kind
{
  PC_TA_DOT,     /* "." followed by an optional field chain */
  PC_TA_VAR,     /* "$" or "$name", optional chain */
  PC_TA_PIPE,    /* "(pipeline)", optional chain */
  PC_TA_STRING,
  PC_TA_INT,
  PC_TA_FLOAT,
  PC_TA_BOOL,
  PC_TA_NIL,
  PC_TA_IDENT,   /* function name */
};

struct pc_tmpl_pipe;

struct pc_tmpl_arg
{
  enum pc_tmpl_arg_kind kind;
  char *str;            /* string literal, identifier, variable name */
  char **chain;         /* field names after the operand, NULL-terminated or NULL */
  int64_t ival;
  double fval;
  bool bval;
  struct pc_tmpl_pipe *pipe;
};

struct pc_tmpl_cmd
{
  struct pc_tmpl_arg *args;
  size_t nargs;
};

struct pc_tmpl_pipe
{
  struct pc_tmpl_cmd *cmds;
  size_t ncmds;
  char *decl[2];        /* declared/assigned variables, without '$' */
  size_t ndecl;
  bool assign;          /* "=" rather than ":=" */
};

enum pc_tmpl_node_kind
{
  PC_TN_TEXT,
  PC_TN_ACTION,
  PC_TN_IF,
  PC_TN_RANGE,
  PC_TN_WITH,
};

struct pc_tmpl_node
{
  enum pc_tmpl_node_kind kind;
  char *text;
  struct pc_tmpl_pipe *pipe;
  struct pc_tmpl_node *list;
  struct pc_tmpl_node *else_list;
  struct pc_tmpl_node *next;
};

struct pc_template
{
  struct pc_tmpl_node *root;
};

/* \t and \n written as two characters in the text parts become real ones. */
struct pc_template *pc_template_parse (const char *text, pc_error **err);
void pc_template_free (struct pc_template *t);

/* lenient: range over a single value runs its body once (used for headers). */
int pc_template_execute (const struct pc_template *t, FILE *out, json_object *data, bool lenient,
                         pc_error **err);

/* Calls fn for every field chain applied to "." or "$" (e.g. {"Labels", "a"}). */
void pc_template_walk_fields (const struct pc_template *t,
                              void (*fn) (char **chain, void *data), void *data);

/* Go's fmt %v of a value: "<no value>" for nil, "[a b]", "map[k:v]". malloc'd. */
char *pc_template_value_string (json_object *v, bool top);
bool pc_template_truth (json_object *v);
const char *pc_template_type_name (json_object *v);

typedef int (*pc_tmpl_func) (json_object **args, size_t n, json_object **out, pc_error **err);
pc_tmpl_func pc_template_lookup_func (const char *name);

#endif
