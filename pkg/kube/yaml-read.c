/* The YAML reader: libyaml's events into a tree of pc_yaml_node, with the
   caps of yaml.h. libyaml itself keeps no recursion on the C stack; the
   tree built here is bounded in depth so the code walking it may recurse. */
#include "pkg/kube/yamldoc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <yaml.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"

#define MAX_ANCHORS 10000

struct anchor
{
  char *name;
  struct pc_yaml_node *node;
};

struct reader
{
  struct pc_yaml_stream *s;
  struct pc_yaml_node *stack[PC_YAML_MAX_DEPTH + 1];
  size_t depth;
  struct pc_yaml_node *root;
  struct anchor *anchors;
  size_t nanchors;
};

static int
fail (struct reader *r, unsigned line, pc_error **err, const char *fmt, ...)
  __attribute__ ((format (printf, 4, 5)));

static int
fail (struct reader *r, unsigned line, pc_error **err, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  pc_autofree char *msg = NULL;
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s:%u: %s", r->s->source, line,
                         msg ? msg : "invalid YAML");
}

static struct pc_yaml_node *
node_new (struct reader *r, enum pc_yaml_kind kind, unsigned line)
{
  struct pc_yaml_node *n = xmalloc0 (sizeof *n);
  n->kind = kind;
  n->line = line;
  n->weight = 1;
  struct pc_yaml_stream *s = r->s;
  if (s->nall == s->capall)
    {
      s->capall = s->capall ? s->capall * 2 : 64;
      s->all = xrealloc (s->all, s->capall * sizeof *s->all);
    }
  s->all[s->nall++] = n;
  return n;
}

static void
push_child (struct pc_yaml_node *parent, struct pc_yaml_node *key, struct pc_yaml_node *v)
{
  if (parent->n == parent->cap)
    {
      parent->cap = parent->cap ? parent->cap * 2 : 8;
      parent->items = xrealloc (parent->items, parent->cap * sizeof *parent->items);
      if (parent->kind == PC_YAML_MAP)
        parent->keys = xrealloc (parent->keys, parent->cap * sizeof *parent->keys);
    }
  if (parent->kind == PC_YAML_MAP)
    parent->keys[parent->n] = key;
  parent->items[parent->n++] = v;
}

static bool
all_of (const char *s, const char *set)
{
  return *s && s[strspn (s, set)] == '\0';
}

/* YAML 1.1 plain scalars as go-yaml v2 resolves them. */
static void
resolve_plain (struct pc_yaml_node *n)
{
  static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
  static const char *const trues[] = { "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE",
                                       "on", "On", "ON" };
  static const char *const falses[] = { "n", "N", "no", "No", "NO", "false", "False", "FALSE",
                                        "off", "Off", "OFF" };
  const char *s = n->str;
  n->type = PC_YAML_STR;
  if (strlen (s) != n->len)
    return;
  for (size_t k = 0; k < sizeof nulls / sizeof *nulls; k++)
    if (strcmp (s, nulls[k]) == 0)
      {
        n->type = PC_YAML_NULL;
        return;
      }
  for (size_t k = 0; k < sizeof trues / sizeof *trues; k++)
    if (strcmp (s, trues[k]) == 0)
      {
        n->type = PC_YAML_BOOL;
        n->b = true;
        return;
      }
  for (size_t k = 0; k < sizeof falses / sizeof *falses; k++)
    if (strcmp (s, falses[k]) == 0)
      {
        n->type = PC_YAML_BOOL;
        n->b = false;
        return;
      }
  const char *d = s + (*s == '-' || *s == '+');
  int base = 0;
  const char *digits = NULL;
  if ((d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) && all_of (d + 2, "0123456789abcdefABCDEF_"))
    base = 16, digits = d + 2;
  else if (d[0] == '0' && d[1] == 'b' && all_of (d + 2, "01_"))
    base = 2, digits = d + 2;
  else if (d[0] == '0' && d[1] != '\0' && all_of (d + 1, "01234567_"))
    base = 8, digits = d + 1;
  else if (all_of (d, "0123456789_") && d[0] != '_')
    base = 10, digits = d;
  if (base != 0)
    {
      char buf[96];
      size_t k = 0;
      for (const char *p = digits; *p && k < sizeof buf - 1; p++)
        if (*p != '_')
          buf[k++] = *p;
      buf[k] = '\0';
      if (k == 0 || strlen (digits) >= sizeof buf - 1)
        {
          n->type = PC_YAML_FLOAT;
          return;
        }
      errno = 0;
      unsigned long long v = strtoull (buf, NULL, base);
      bool neg = *s == '-';
      if (errno == ERANGE || v > (neg ? (unsigned long long) INT64_MAX + 1 : (unsigned long long) INT64_MAX))
        n->type = PC_YAML_FLOAT;
      else
        {
          n->type = PC_YAML_INT;
          n->i = neg ? (int64_t) (0 - v) : (int64_t) v;
        }
      return;
    }
  static const char *const specials[] = { ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
                                          "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN" };
  for (size_t k = 0; k < sizeof specials / sizeof *specials; k++)
    if (strcmp (s, specials[k]) == 0)
      {
        n->type = PC_YAML_FLOAT;
        return;
      }
  /* [-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+][0-9]+)? */
  const char *p = d;
  bool mant = false;
  while (*p >= '0' && *p <= '9')
    p++, mant = true;
  if (mant)
    while ((*p >= '0' && *p <= '9') || *p == '_')
      p++;
  if (*p == '.')
    {
      p++;
      while ((*p >= '0' && *p <= '9') || *p == '_')
        p++, mant = true;
    }
  if (!mant || p == d)
    return;
  if (*p == 'e' || *p == 'E')
    {
      p++;
      if (*p == '-' || *p == '+')
        p++;
      if (!(*p >= '0' && *p <= '9'))
        return;
      while (*p >= '0' && *p <= '9')
        p++;
    }
  if (*p == '\0')
    n->type = PC_YAML_FLOAT;
}

static void
resolve_tagged (struct pc_yaml_node *n, const char *tag, bool plain)
{
  if (tag && strcmp (tag, YAML_STR_TAG) == 0)
    n->type = PC_YAML_STR;
  else if (plain || (tag && strncmp (tag, "tag:yaml.org,2002:", 18) == 0))
    resolve_plain (n);
  else
    n->type = PC_YAML_STR;
}

/* A finished node goes to its parent (or becomes the document's root). */
static int
attach (struct reader *r, struct pc_yaml_node *n, pc_error **err)
{
  if (r->depth == 0)
    {
      if (r->root != NULL)
        return fail (r, n->line, err, "more than one root node");
      r->root = n;
      return 0;
    }
  struct pc_yaml_node *parent = r->stack[r->depth - 1];
  parent->weight += n->weight;
  parent->bytes += n->bytes;
  if (parent->weight > PC_YAML_MAX_NODES)
    return fail (r, n->line, err, "document too large: more than %u nodes (aliases expanded)",
                 PC_YAML_MAX_NODES);
  if (parent->bytes > PC_YAML_MAX_BYTES)
    return fail (r, n->line, err, "document too large: more than %u MiB of strings (aliases expanded)",
                 PC_YAML_MAX_BYTES >> 20);
  if (parent->kind == PC_YAML_SEQ)
    {
      push_child (parent, NULL, n);
      return 0;
    }
  if (parent->pending == NULL)
    {
      if (n->kind != PC_YAML_SCALAR)
        return fail (r, n->line, err, "a mapping key must be a string, not a %s",
                     pc_yaml_type_name (n));
      if (strcmp (n->str, "<<") == 0 && !n->quoted)
        return fail (r, n->line, err, "merge keys (<<) are not supported");
      parent->pending = n;
      return 0;
    }
  push_child (parent, parent->pending, n);
  parent->pending = NULL;
  return 0;
}

static int
key_cmp (const void *a, const void *b)
{
  const struct pc_yaml_node *x = *(struct pc_yaml_node *const *) a;
  const struct pc_yaml_node *y = *(struct pc_yaml_node *const *) b;
  int c = strcmp (x->str, y->str);
  if (c != 0)
    return c;
  return x->line < y->line ? -1 : x->line > y->line;
}

static int
check_duplicates (struct reader *r, struct pc_yaml_node *m, pc_error **err)
{
  if (m->n < 2)
    return 0;
  pc_autofree struct pc_yaml_node **sorted = xmalloc (m->n * sizeof *sorted);
  memcpy (sorted, m->keys, m->n * sizeof *sorted);
  qsort (sorted, m->n, sizeof *sorted, key_cmp);
  for (size_t k = 1; k < m->n; k++)
    if (strcmp (sorted[k - 1]->str, sorted[k]->str) == 0)
      return fail (r, sorted[k]->line, err, "mapping key \"%s\" already defined at line %u",
                   sorted[k]->str, sorted[k - 1]->line);
  return 0;
}

static int
add_anchor (struct reader *r, const char *name, struct pc_yaml_node *n, unsigned line, pc_error **err)
{
  if (name == NULL)
    return 0;
  if (r->nanchors >= MAX_ANCHORS)
    return fail (r, line, err, "more than %d anchors", MAX_ANCHORS);
  r->anchors = xrealloc (r->anchors, (r->nanchors + 1) * sizeof *r->anchors);
  r->anchors[r->nanchors].name = xstrdup (name);
  r->anchors[r->nanchors].node = n;
  r->nanchors++;
  return 0;
}

static void
clear_anchors (struct reader *r)
{
  for (size_t k = 0; k < r->nanchors; k++)
    free (r->anchors[k].name);
  free (r->anchors);
  r->anchors = NULL;
  r->nanchors = 0;
}

static int
on_event (struct reader *r, yaml_event_t *ev, pc_error **err)
{
  unsigned line = (unsigned) ev->start_mark.line + 1;
  struct pc_yaml_node *n;
  switch (ev->type)
    {
    case YAML_DOCUMENT_START_EVENT:
      r->root = NULL;
      r->depth = 0;
      clear_anchors (r);
      return 0;
    case YAML_DOCUMENT_END_EVENT:
      if (r->root != NULL && !(r->root->kind == PC_YAML_SCALAR && r->root->type == PC_YAML_NULL))
        {
          r->s->docs = xrealloc (r->s->docs, (r->s->ndocs + 1) * sizeof *r->s->docs);
          r->s->docs[r->s->ndocs++] = r->root;
        }
      r->root = NULL;
      clear_anchors (r);
      return 0;
    case YAML_ALIAS_EVENT:
      for (size_t k = r->nanchors; k-- > 0;)
        if (strcmp (r->anchors[k].name, (const char *) ev->data.alias.anchor) == 0)
          {
            if (r->anchors[k].node->open)
              return fail (r, line, err, "alias *%s refers to a node that contains it",
                           r->anchors[k].name);
            return attach (r, r->anchors[k].node, err);
          }
      return fail (r, line, err, "unknown anchor '%s' referenced", (const char *) ev->data.alias.anchor);
    case YAML_SCALAR_EVENT:
      n = node_new (r, PC_YAML_SCALAR, line);
      n->len = ev->data.scalar.length;
      n->str = xmalloc (n->len + 1);
      memcpy (n->str, ev->data.scalar.value, n->len);
      n->str[n->len] = '\0';
      n->bytes = n->len;
      n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
      resolve_tagged (n, (const char *) ev->data.scalar.tag,
                      ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE);
      if (add_anchor (r, (const char *) ev->data.scalar.anchor, n, line, err) < 0)
        return -1;
      return attach (r, n, err);
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
      if (r->depth >= PC_YAML_MAX_DEPTH)
        return fail (r, line, err, "nested deeper than %d levels", PC_YAML_MAX_DEPTH);
      n = node_new (r, ev->type == YAML_SEQUENCE_START_EVENT ? PC_YAML_SEQ : PC_YAML_MAP, line);
      n->open = true;
      if (add_anchor (r, (const char *) (ev->type == YAML_SEQUENCE_START_EVENT
                                             ? ev->data.sequence_start.anchor
                                             : ev->data.mapping_start.anchor),
                      n, line, err) < 0)
        return -1;
      r->stack[r->depth++] = n;
      return 0;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
      if (r->depth == 0)
        return fail (r, line, err, "unbalanced end of a collection");
      n = r->stack[--r->depth];
      n->open = false;
      if (n->kind == PC_YAML_MAP && check_duplicates (r, n, err) < 0)
        return -1;
      return attach (r, n, err);
    default:
      return 0;
    }
}

int
pc_yaml_parse (const char *buf, size_t len, const char *source, struct pc_yaml_stream **out,
               pc_error **err)
{
  if (len > PC_YAML_MAX_INPUT)
    return pc_error_makec (err, PC_ERR_INVALID, EFBIG, "%s: larger than the limit of %u MiB",
                           source, PC_YAML_MAX_INPUT >> 20);
  struct pc_yaml_stream *s = xmalloc0 (sizeof *s);
  s->source = xstrdup (source);
  struct reader r = { .s = s };
  yaml_parser_t p;
  if (!yaml_parser_initialize (&p))
    {
      pc_yaml_stream_free (s);
      return pc_error_make (err, ENOMEM, "%s: cannot initialize the YAML parser", source);
    }
  yaml_parser_set_input_string (&p, (const unsigned char *) buf, len);
  int ret = 0;
  for (;;)
    {
      yaml_event_t ev;
      if (!yaml_parser_parse (&p, &ev))
        {
          unsigned line = (unsigned) p.problem_mark.line + 1;
          if (p.context)
            ret = fail (&r, line, err, "%s %s", p.problem ? p.problem : "invalid YAML", p.context);
          else
            ret = fail (&r, line, err, "%s", p.problem ? p.problem : "invalid YAML");
          break;
        }
      bool end = ev.type == YAML_STREAM_END_EVENT;
      ret = on_event (&r, &ev, err);
      yaml_event_delete (&ev);
      if (ret < 0 || end)
        break;
    }
  yaml_parser_delete (&p);
  clear_anchors (&r);
  if (ret < 0)
    {
      pc_yaml_stream_free (s);
      return -1;
    }
  *out = s;
  return 0;
}

int
pc_yaml_parse_file (const char *path, struct pc_yaml_stream **out, pc_error **err)
{
  pc_autofree char *buf = NULL;
  size_t len = 0;
  if (strcmp (path, "-") == 0)
    {
      if (pc_read_fd_max (STDIN_FILENO, PC_YAML_MAX_INPUT, &buf, &len, err) < 0)
        return pc_error_wrap (err, "reading YAML from stdin");
    }
  else if (pc_read_file_max (AT_FDCWD, path, PC_YAML_MAX_INPUT, 0, &buf, &len, err) < 0)
    {
      if (pc_error_class_of (*err) == PC_ERR_GENERIC)
        pc_error_set_class (err, errno == ENOENT || (*err)->status == ENOENT ? PC_ERR_NOT_FOUND
                                                                            : PC_ERR_INVALID);
      return -1;
    }
  return pc_yaml_parse (buf, len, strcmp (path, "-") == 0 ? "stdin" : path, out, err);
}

void
pc_yaml_stream_free (struct pc_yaml_stream *s)
{
  if (s == NULL)
    return;
  for (size_t k = 0; k < s->nall; k++)
    {
      free (s->all[k]->str);
      free (s->all[k]->keys);
      free (s->all[k]->items);
      free (s->all[k]);
    }
  free (s->all);
  free (s->docs);
  free (s->source);
  free (s);
}

struct pc_yaml_node *
pc_yaml_get (const struct pc_yaml_node *map, const char *key)
{
  if (map == NULL || map->kind != PC_YAML_MAP)
    return NULL;
  for (size_t k = 0; k < map->n; k++)
    if (strcmp (map->keys[k]->str, key) == 0)
      return map->items[k];
  return NULL;
}

const char *
pc_yaml_type_name (const struct pc_yaml_node *n)
{
  if (n == NULL)
    return "null";
  if (n->kind == PC_YAML_MAP)
    return "map";
  if (n->kind == PC_YAML_SEQ)
    return "list";
  switch (n->type)
    {
    case PC_YAML_NULL:
      return "null";
    case PC_YAML_BOOL:
      return "boolean";
    case PC_YAML_INT:
      return "integer";
    case PC_YAML_FLOAT:
      return "number";
    default:
      return "string";
    }
}
