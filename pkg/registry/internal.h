/* Internals shared by the files of pkg/registry. */
#ifndef PC_PKG_REGISTRY_INTERNAL_H
#define PC_PKG_REGISTRY_INTERNAL_H

#include <curl/curl.h>
#include <pthread.h>

#include "pkg/registry/registry.h"

/* containers/image caps manifests and indexes at 4 MiB, configs too. */
#define PC_REGISTRY_MANIFEST_MAX (4 << 20)

enum reg_auth_kind
{
  REG_AUTH_NONE,
  REG_AUTH_BASIC,
  REG_AUTH_BEARER,
};

struct pc_registry_client
{
  char *host;        /* as named: "docker.io", "127.0.0.1:5000" */
  char *api_host;    /* where /v2/ is */
  struct pc_registry_opts opts; /* strings owned */
  const char *scheme; /* "https", "http", NULL: not decided yet */
  CURL *curl;        /* reused: keeps the connection */
  pthread_mutex_t mu; /* for reg_client_dup only */

  struct pc_registry_creds creds;
  bool have_creds;
  bool creds_looked_up;

  enum reg_auth_kind auth_kind;
  char *token;        /* bearer token for token_scope */
  char *token_scope;
  char *challenge_realm;
  char *challenge_service;

  char *ca_blob;      /* PEM: system CAs + the cert dir's *.crt */
  bool ca_loaded;
  char *client_cert;  /* cert dir's *.cert / *.key, paths */
  char *client_key;
};

/* The /v2/ ping (once; http or https decided): "pinging container
   registry HOST: ..." when the registry does not answer. */
int reg_client_ping (struct pc_registry_client *c, pc_error **err);

/* A copy with the same settings and token (another thread's client). */
struct pc_registry_client *reg_client_dup (struct pc_registry_client *c);

/* challenge.c */
/* The Authorization value for a request on repo (NULL: none yet). */
char *reg_auth_header (struct pc_registry_client *c, const char *repo, const char *actions);
/* A 401's WWW-Authenticate: gets a token (Bearer) or arms Basic. */
int reg_auth_challenge (struct pc_registry_client *c, const char *www, const char *repo,
                        const char *actions, pc_error **err);

/* tls.c */
void reg_curl_global_init (void);
void reg_tls_setup (struct pc_registry_client *c, CURL *h);

/* pull.c: the image ref fetched from src (registries.conf's mirror or
   location, pull-sources.c picks it; ref is the name it is stored under and
   the messages' name). *at_source: the failure came before the manifest was
   read (no answer, 401/403, 404, 5xx: the next source may be tried); the
   error then has no "initializing source" prefix, pull-sources.c adds it. */
int reg_pull_source (struct pc_store *s, const char *ref, const char *src,
                     const struct pc_registry_opts *o, const struct pc_registry_pull_opts *po,
                     char **id_out, bool *at_source, pc_error **err);

/* pull-layers.c */
struct reg_layer_job
{
  const char *digest;
  const char *diff_id;
  const char *parent_chain; /* NULL: base layer */
  int64_t size;
  char chain_id[72];
  bool skip;               /* already in the store */
  int64_t done;            /* bytes so far (written by its worker) */
  int state;               /* 0 waiting, 1 running, 2 done, 3 failed */
  pc_error *err;
};
int reg_pull_layers (struct pc_store *s, struct pc_registry_client *c, const char *repo,
                     struct reg_layer_job *jobs, size_t n, const struct pc_registry_pull_opts *po,
                     pc_error **err);

#endif
