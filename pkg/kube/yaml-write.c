/* The YAML writer: trees built here (or read by yaml-read.c) to text
   through libyaml's emitter, in the layout go-yaml (so podman and kubectl)
   writes: keys sorted, 2-space indents, strings quoted only where a plain
   scalar would read back as something else. */
#include "pkg/kube/yamldoc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

static struct pc_yaml_node *
new_node (enum pc_yaml_kind kind)
{
  struct pc_yaml_node *n = xmalloc0 (sizeof *n);
  n->kind = kind;
  return n;
}

struct pc_yaml_node *
pc_yaml_new_map (void)
{
  return new_node (PC_YAML_MAP);
}

struct pc_yaml_node *
pc_yaml_new_seq (void)
{
  return new_node (PC_YAML_SEQ);
}

struct pc_yaml_node *
pc_yaml_new_str (const char *s)
{
  struct pc_yaml_node *n = new_node (PC_YAML_SCALAR);
  n->str = xstrdup (s ? s : "");
  n->len = strlen (n->str);
  n->type = PC_YAML_STR;
  n->quoted = true;
  return n;
}

struct pc_yaml_node *
pc_yaml_new_int (int64_t v)
{
  struct pc_yaml_node *n = new_node (PC_YAML_SCALAR);
  n->str = xasprintf ("%" PRId64, v);
  n->len = strlen (n->str);
  n->type = PC_YAML_INT;
  n->i = v;
  return n;
}

struct pc_yaml_node *
pc_yaml_new_bool (bool v)
{
  struct pc_yaml_node *n = new_node (PC_YAML_SCALAR);
  n->str = xstrdup (v ? "true" : "false");
  n->len = strlen (n->str);
  n->type = PC_YAML_BOOL;
  n->b = v;
  return n;
}

static void
grow (struct pc_yaml_node *n)
{
  if (n->n < n->cap)
    return;
  n->cap = n->cap ? n->cap * 2 : 8;
  n->items = xrealloc (n->items, n->cap * sizeof *n->items);
  if (n->kind == PC_YAML_MAP)
    n->keys = xrealloc (n->keys, n->cap * sizeof *n->keys);
}

struct pc_yaml_node *
pc_yaml_map_set (struct pc_yaml_node *map, const char *key, struct pc_yaml_node *v)
{
  for (size_t k = 0; k < map->n; k++)
    if (strcmp (map->keys[k]->str, key) == 0)
      {
        pc_yaml_node_free (map->items[k]);
        map->items[k] = v;
        return v;
      }
  grow (map);
  map->keys[map->n] = pc_yaml_new_str (key);
  map->items[map->n++] = v;
  return v;
}

struct pc_yaml_node *
pc_yaml_seq_add (struct pc_yaml_node *seq, struct pc_yaml_node *v)
{
  grow (seq);
  seq->items[seq->n++] = v;
  return v;
}

struct pc_yaml_node *
pc_yaml_map_obj (struct pc_yaml_node *map, const char *key)
{
  struct pc_yaml_node *v = pc_yaml_get (map, key);
  if (v != NULL && v->kind == PC_YAML_MAP)
    return v;
  return pc_yaml_map_set (map, key, pc_yaml_new_map ());
}

void
pc_yaml_node_free (struct pc_yaml_node *n)
{
  if (n == NULL)
    return;
  for (size_t k = 0; k < n->n; k++)
    {
      if (n->keys)
        pc_yaml_node_free (n->keys[k]);
      pc_yaml_node_free (n->items[k]);
    }
  free (n->keys);
  free (n->items);
  free (n->str);
  free (n);
}

void
pc_yaml_sort_keys (struct pc_yaml_node *n)
{
  if (n == NULL)
    return;
  for (size_t k = 0; k < n->n; k++)
    pc_yaml_sort_keys (n->items[k]);
  if (n->kind != PC_YAML_MAP)
    return;
  /* Insertion sort keeps keys and items paired; maps here are small. */
  for (size_t k = 1; k < n->n; k++)
    for (size_t j = k; j > 0 && strcmp (n->keys[j - 1]->str, n->keys[j]->str) > 0; j--)
      {
        struct pc_yaml_node *t = n->keys[j];
        n->keys[j] = n->keys[j - 1];
        n->keys[j - 1] = t;
        t = n->items[j];
        n->items[j] = n->items[j - 1];
        n->items[j - 1] = t;
      }
}

struct buf
{
  char *data;
  size_t len, cap;
};

static int
write_handler (void *data, unsigned char *bytes, size_t size)
{
  struct buf *b = data;
  if (b->len + size + 1 > b->cap)
    {
      b->cap = (b->len + size + 1) * 2;
      b->data = xrealloc (b->data, b->cap);
    }
  memcpy (b->data + b->len, bytes, size);
  b->len += size;
  b->data[b->len] = '\0';
  return 1;
}

/* Would this string, written plain, read back as a string? */
static bool
plain_reads_as_string (const char *s)
{
  pc_autoyaml struct pc_yaml_stream *st = NULL;
  pc_error *e = NULL;
  size_t len = strlen (s);
  if (len == 0 || len > 4096)
    return len != 0;
  if (pc_yaml_parse (s, len, "", &st, &e) < 0)
    {
      pc_error_free (e);
      return true;  /* not plain-able: the emitter quotes it itself */
    }
  return st->ndocs == 1 && st->docs[0]->kind == PC_YAML_SCALAR && st->docs[0]->type == PC_YAML_STR;
}

static int
emit (yaml_emitter_t *em, const struct pc_yaml_node *n)
{
  yaml_event_t ev;
  switch (n->kind)
    {
    case PC_YAML_MAP:
      yaml_mapping_start_event_initialize (&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
      if (!yaml_emitter_emit (em, &ev))
        return -1;
      for (size_t k = 0; k < n->n; k++)
        if (emit (em, n->keys[k]) < 0 || emit (em, n->items[k]) < 0)
          return -1;
      yaml_mapping_end_event_initialize (&ev);
      break;
    case PC_YAML_SEQ:
      yaml_sequence_start_event_initialize (&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
      if (!yaml_emitter_emit (em, &ev))
        return -1;
      for (size_t k = 0; k < n->n; k++)
        if (emit (em, n->items[k]) < 0)
          return -1;
      yaml_sequence_end_event_initialize (&ev);
      break;
    default:
      {
        yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;
        int plain_ok = 1;
        if (n->type == PC_YAML_STR)
          {
            if (memchr (n->str, '\n', n->len) != NULL)
              style = YAML_LITERAL_SCALAR_STYLE;
            else if (!plain_reads_as_string (n->str))
              style = YAML_DOUBLE_QUOTED_SCALAR_STYLE, plain_ok = 0;
          }
        else if (n->type == PC_YAML_NULL)
          style = YAML_PLAIN_SCALAR_STYLE;
        yaml_scalar_event_initialize (&ev, NULL, NULL, (yaml_char_t *) n->str, (int) n->len,
                                      plain_ok, 1, style);
      }
      break;
    }
  return yaml_emitter_emit (em, &ev) ? 0 : -1;
}

int
pc_yaml_emit (struct pc_yaml_node *const *docs, size_t ndocs, char **out, size_t *len,
              pc_error **err)
{
  struct buf b = { 0 };
  yaml_emitter_t em;
  yaml_event_t ev;
  if (!yaml_emitter_initialize (&em))
    return pc_error_make (err, ENOMEM, "cannot initialize the YAML writer");
  yaml_emitter_set_output (&em, write_handler, &b);
  yaml_emitter_set_indent (&em, 2);
  yaml_emitter_set_width (&em, -1);
  yaml_emitter_set_unicode (&em, 1);
  bool ok = true;
  yaml_stream_start_event_initialize (&ev, YAML_UTF8_ENCODING);
  ok = yaml_emitter_emit (&em, &ev);
  for (size_t k = 0; ok && k < ndocs; k++)
    {
      yaml_document_start_event_initialize (&ev, NULL, NULL, NULL, k == 0);
      ok = yaml_emitter_emit (&em, &ev) && emit (&em, docs[k]) == 0;
      if (ok)
        {
          yaml_document_end_event_initialize (&ev, 1);
          ok = yaml_emitter_emit (&em, &ev);
        }
    }
  if (ok)
    {
      yaml_stream_end_event_initialize (&ev);
      ok = yaml_emitter_emit (&em, &ev);
    }
  if (!ok)
    {
      int r = pc_error_make (err, EINVAL, "writing YAML: %s",
                             em.problem ? em.problem : "emitter error");
      yaml_emitter_delete (&em);
      free (b.data);
      return r;
    }
  yaml_emitter_delete (&em);
  if (b.data == NULL)
    b.data = xstrdup ("");
  *out = b.data;
  if (len)
    *len = b.len;
  return 0;
}
