/* YAML as Kubernetes reads it (sigs.k8s.io/yaml over go-yaml v2, YAML 1.1
   scalars), on libyaml: a stream of documents as a tree of nodes, each
   with its line for messages, and a writer for the same tree.

   The input is hostile: the reader caps the input (16 MiB), the nesting
   (64 levels), the nodes and the bytes a document expands to through
   aliases (an alias shares its anchor's node, never a copy, and counts
   its whole weight), refuses an alias to a node still open (cycles) and
   duplicate keys (as go-yaml does). Every failure is an error of class
   PC_ERR_INVALID naming the source and line. */
#ifndef PC_PKG_KUBE_YAMLDOC_H
#define PC_PKG_KUBE_YAMLDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

#define PC_YAML_MAX_INPUT (16u << 20)
#define PC_YAML_MAX_DEPTH 64
#define PC_YAML_MAX_NODES 1000000u        /* per document, aliases expanded */
#define PC_YAML_MAX_BYTES (64u << 20)     /* scalar bytes per document, aliases expanded */

enum pc_yaml_kind
{
  PC_YAML_SCALAR,
  PC_YAML_MAP,
  PC_YAML_SEQ,
};

/* What a scalar resolves to (YAML 1.1 as go-yaml v2: quoted is always a
   string; plain null/~/"" is null, true/false/yes/no/on/off a bool...). */
enum pc_yaml_type
{
  PC_YAML_STR,
  PC_YAML_NULL,
  PC_YAML_BOOL,
  PC_YAML_INT,
  PC_YAML_FLOAT,
};

struct pc_yaml_node
{
  enum pc_yaml_kind kind;
  unsigned line;             /* 1-based, of the node's start */
  /* scalar */
  char *str;                 /* NUL-terminated (may hold NULs: len is the size) */
  size_t len;
  enum pc_yaml_type type;
  bool b;                    /* PC_YAML_BOOL */
  int64_t i;                 /* PC_YAML_INT */
  bool quoted;               /* reader: not a plain scalar */
  /* map: keys[k] (scalars) and items[k]; seq: items[k] */
  struct pc_yaml_node **keys;
  struct pc_yaml_node **items;
  size_t n, cap;
  /* reader */
  uint64_t weight, bytes;    /* expanded node count and scalar bytes */
  bool open;                 /* still being built (an alias to it would be a cycle) */
  struct pc_yaml_node *pending; /* a map's key waiting for its value */
};

struct pc_yaml_stream
{
  char *source;              /* file name for messages */
  struct pc_yaml_node **docs;
  size_t ndocs;
  struct pc_yaml_node **all; /* every node, for freeing (aliases share nodes) */
  size_t nall, capall;
};

/* Parses buf (len bytes) as a stream of documents; source names it in
   messages ("FILE:LINE: ..."). Empty documents are skipped. */
int pc_yaml_parse (const char *buf, size_t len, const char *source,
                   struct pc_yaml_stream **out, pc_error **err);
/* Reads path ("-" for stdin; a pipe or FIFO is fine) up to the input cap. */
int pc_yaml_parse_file (const char *path, struct pc_yaml_stream **out, pc_error **err);
void pc_yaml_stream_free (struct pc_yaml_stream *s);
static inline void
pc_yaml_stream_freep (struct pc_yaml_stream **s)
{
  pc_yaml_stream_free (*s);
}
#define pc_autoyaml __attribute__ ((cleanup (pc_yaml_stream_freep)))

/* Lookups (NULL when absent or n is not a map). */
struct pc_yaml_node *pc_yaml_get (const struct pc_yaml_node *map, const char *key);
/* "string", "map", "list", "null", "boolean", "integer", "number". */
const char *pc_yaml_type_name (const struct pc_yaml_node *n);

/* Building trees for the writer (a tree owns its nodes; free with
   pc_yaml_node_free). Strings are copied. */
struct pc_yaml_node *pc_yaml_new_map (void);
struct pc_yaml_node *pc_yaml_new_seq (void);
struct pc_yaml_node *pc_yaml_new_str (const char *s);
struct pc_yaml_node *pc_yaml_new_int (int64_t v);
struct pc_yaml_node *pc_yaml_new_bool (bool v);
/* Adds (or replaces) key in a map; takes v. Returns v. */
struct pc_yaml_node *pc_yaml_map_set (struct pc_yaml_node *map, const char *key,
                                      struct pc_yaml_node *v);
/* Appends v to a seq; takes v. Returns v. */
struct pc_yaml_node *pc_yaml_seq_add (struct pc_yaml_node *seq, struct pc_yaml_node *v);
/* The map at key, made when missing. */
struct pc_yaml_node *pc_yaml_map_obj (struct pc_yaml_node *map, const char *key);
void pc_yaml_node_free (struct pc_yaml_node *n);
/* Sorts map keys (recursively), as sigs.k8s.io/yaml writes them. */
void pc_yaml_sort_keys (struct pc_yaml_node *n);

/* Writes documents (separated by "---") as go-yaml does: 2-space indents,
   sequences in a map not indented, strings quoted only where needed.
   *out is malloc'd, NUL-terminated. */
int pc_yaml_emit (struct pc_yaml_node *const *docs, size_t ndocs, char **out, size_t *len,
                  pc_error **err);

#endif
