/* pkg/kube's shared helpers for reading typed fields from YAML nodes. */
#ifndef PC_PKG_KUBE_INTERNAL_H
#define PC_PKG_KUBE_INTERNAL_H

#include "pkg/kube/kube.h"

struct kube_ctx
{
  const struct pc_yaml_stream *s;
  struct pc_kube_file *f;
  char *what;                /* "Pod \"web\"" for messages */
};

/* An error "FILE:LINE: WHAT: PATH: msg", class invalid. */
int kube_fail (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path, pc_error **err,
               const char *fmt, ...) __attribute__ ((format (printf, 5, 6)));
/* The same as a warning in f->warnings. */
void kube_warn (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path,
                const char *fmt, ...) __attribute__ ((format (printf, 4, 5)));
/* A key the object does not know: ignored (known to Kubernetes, not acted
   on by pc) when it is in `ignored`, else unknown. */
void kube_unknown (struct kube_ctx *c, const struct pc_yaml_node *key, const char *path,
                   const char *const *ignored);

/* Typed reads; a null value leaves *out as it was (absent). */
int kube_map (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path, pc_error **err);
int kube_seq (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path, pc_error **err);
int kube_str (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path, char **out,
              pc_error **err);
int kube_int (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path, int64_t *out,
              pc_error **err);
int kube_bool (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path, bool *out,
               pc_error **err);
int kube_strv (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path, char ***out,
               pc_error **err);
/* A map of strings as KEY=VAL. */
int kube_str_map (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path, char ***out,
                  pc_error **err);
/* A quantity: a string, integer or number, kept as written. */
int kube_quantity_str (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path,
                       char **out, pc_error **err);

/* kube-container.c */
int kube_parse_container (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path,
                          struct pc_kube_container *out, pc_error **err);
void kube_container_clear (struct pc_kube_container *k);
/* Pod-level securityContext: the defaults a container's own overrides. */
struct kube_pod_security
{
  bool has_run_as_user, has_run_as_group;
  int64_t run_as_user, run_as_group;
};
int kube_parse_security (struct kube_ctx *c, const struct pc_yaml_node *n, const char *path,
                         struct pc_kube_container *k, struct kube_pod_security *pod,
                         char ***group_add, pc_error **err);

#endif
