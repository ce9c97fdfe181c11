/* pkg/registry: the OCI distribution client (libcurl) and what it needs
   from the user's configuration.

   Three parts, in separate files:
   - the request core (client.c): one client per registry
     host, the /v2/ ping, the WWW-Authenticate challenge (Bearer token,
     anonymous or with credentials; Basic), retries, TLS, redirects. Pull,
     push, login, search all go through pc_registry_request.
   - the configuration hooks (config*.c, auth*.c, written by the config
     helper): registries.conf short-name resolution and per-registry
     settings, credentials from auth.json. hooks-fallback.c stands in until
     they land (fully-qualified names only, no credentials, no settings).
   - pull (pull*.c): manifest/index resolution and layers into pkg/storage.

   pkg/registry may use pkg/storage and lib; cmd reaches it through
   pkg/engine only. */
#ifndef PC_PKG_REGISTRY_H
#define PC_PKG_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct pc_store;

/* ---- Configuration hooks (config*.c / auth*.c) ---- */

/* Credentials for one registry. identity_token (an OAuth2 refresh token,
   auth.json "identitytoken") is used instead of user/password when set.
   All malloc'd or NULL; cleared with pc_registry_creds_clear, which also
   wipes the password's bytes. */
struct pc_registry_creds
{
  char *user;
  char *password;
  char *identity_token;
};
void pc_registry_creds_clear (struct pc_registry_creds *c);

/* Short-name resolution. input is the name as the user typed it
   ("alpine", "alpine:3", "quay.io/x/y@sha256:...", "localhost/foo").
   *candidates gets the fully-qualified references to try, in order
   ("docker.io/library/alpine:3"), NULL-terminated, malloc'd; a name that is
   fully qualified already gives itself (with ":latest" added when it has
   neither tag nor digest). A "localhost/..." name gives no candidate (it
   never leaves the machine): 0 with *candidates = NULL or empty.
   Errors: class PC_ERR_INVALID for a malformed name; for short-name-mode
   "enforcing" with several candidates and no terminal, podman's
   "short-name resolution enforced but cannot prompt without a TTY".
   The files are the standard ones (/etc/containers/registries.conf,
   registries.conf.d/, $XDG_CONFIG_HOME/containers/registries.conf[.d]);
   CONTAINERS_REGISTRIES_CONF names one file instead, as in podman. */
int pc_registry_resolve_name (const char *input, char ***candidates, pc_error **err);

/* Per-registry settings from registries.conf [[registry]] (prefix match on
   the reference "host[:port]/repo"). */
struct pc_registry_host_conf
{
  bool insecure;       /* plain HTTP allowed / TLS not verified */
  bool blocked;        /* pulls refused: class PC_ERR_PERMISSION */
  char *location;      /* rewritten "host[:port]/path" prefix, or NULL */
  char **mirrors;      /* "host[:port]/path" prefixes tried first, NULL-terminated, or NULL */
  bool *mirror_insecure; /* parallel to mirrors, or NULL */
};
/* ref: a fully-qualified reference. Returns 0 (fields zero when nothing
   matches). */
int pc_registry_host_config (const char *ref, struct pc_registry_host_conf *out, pc_error **err);
void pc_registry_host_conf_clear (struct pc_registry_host_conf *c);

/* Credentials for host ("registry.example.com:5000", "docker.io" for
   Docker Hub). authfile: --authfile, else NULL for podman's order
   (REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json,
   ~/.config/containers/auth.json, ~/.docker/config.json). Returns 1 and
   fills *out when found, 0 when there are none, -1 on error (an unreadable
   or malformed auth file: class PC_ERR_INVALID). */
int pc_registry_credentials (const char *authfile, const char *host,
                             struct pc_registry_creds *out, pc_error **err);

/* ---- Login (auth-file.c, the config helper's): auth.json as podman's
   login and logout write it ---- */

/* login/logout's REGISTRY argument as podman reads it: a URL gives its
   host, "host/ns/repo" is allowed (no tag or digest); NULL: the first
   unqualified-search registry (else podman's "no registries found in
   registries.conf, a registry must be provided"). *key, *host malloc'd. */
int pc_registry_login_key (const char *arg, char **key, char **host, pc_error **err);
/* Stores key's credentials in the first auth file (authfile: --authfile or
   NULL), atomically, mode 0600. */
int pc_registry_auth_store (const char *authfile, const char *key, const char *user,
                            const char *password, pc_error **err);
/* Removes key's entry (NULL: every entry) from the first auth file; not
   there: class PC_ERR_NOT_FOUND, "not logged into KEY". */
int pc_registry_auth_remove (const char *authfile, const char *key, pc_error **err);

/* ---- The client ---- */

struct pc_registry_opts
{
  bool tls_verify_off;       /* --tls-verify=false: no TLS verification, HTTP allowed */
  const char *cert_dir;      /* --cert-dir; else /etc/containers/certs.d/HOST:PORT
                                (and ~/.config/containers/certs.d/HOST:PORT) */
  const char *authfile;      /* --authfile */
  const struct pc_registry_creds *creds; /* --creds: used instead of the lookup */
  int retries;               /* --retry (429, 5xx, connection errors); <0: default 3 */
  int retry_delay_ms;        /* --retry-delay; 0: 1s doubling */
  int connect_timeout_s;     /* 0: 30 */
  int stall_timeout_s;       /* a transfer with no byte for this long fails; 0: 60 */
};

struct pc_registry_client;
/* host: "host[:port]" ("docker.io" is registry-1.docker.io). Nothing is
   sent until the first request. */
int pc_registry_client_new (const char *host, const struct pc_registry_opts *o,
                            struct pc_registry_client **out, pc_error **err);
void pc_registry_client_free (struct pc_registry_client *c);
const char *pc_registry_client_host (const struct pc_registry_client *c);

/* Receives a response body as it arrives; returns 0, or -1 to abort the
   transfer (with *err set). */
typedef int (*pc_registry_sink_fn) (const void *buf, size_t len, void *data, pc_error **err);

struct pc_registry_response
{
  long status;
  char *content_type;   /* malloc'd or NULL */
  char *docker_digest;  /* Docker-Content-Digest, or NULL */
  char *location;       /* Location (of an upload), or NULL */
  char *body;           /* when no sink was given: the body, NUL-terminated */
  size_t body_len;
  int64_t content_length; /* -1 unknown */
};
void pc_registry_response_clear (struct pc_registry_response *r);

struct pc_registry_request
{
  const char *method;          /* "GET", "HEAD", "PUT", "POST", "PATCH", "DELETE" */
  const char *repo;            /* "library/busybox": the token scope's repository */
  const char *actions;         /* token scope actions: "pull" or "pull,push" */
  const char *path;            /* after /v2/: "library/busybox/manifests/1" (or a full
                                  URL, an upload Location) */
  const char *const *headers;  /* extra "Name: value" lines, NULL-terminated */
  const void *body;            /* for PUT/POST/PATCH */
  size_t body_len;
  size_t max_body;             /* without a sink: a bigger body fails (0: 4 MiB) */
  pc_registry_sink_fn sink;    /* NULL: the body into resp->body */
  void *sink_data;
  bool no_retry;               /* a sink that cannot restart */
};
/* One request, authenticated as the registry asks (a 401 with a challenge
   gets a token or Basic credentials, then the request is sent again),
   redirects followed (at most 10), 429/5xx/connection errors retried as the
   options say. Any status comes back in resp (the caller judges it),
   except a transport failure (-1, class PC_ERR_TIMEOUT for a stall). */
int pc_registry_request (struct pc_registry_client *c, const struct pc_registry_request *rq,
                         struct pc_registry_response *resp, pc_error **err);
/* The error for a response the caller did not expect: "NAME: reason" with
   the registry's own error message when its body has one; class NOT_FOUND
   for 404, PERMISSION for 401/403. */
int pc_registry_status_error (const struct pc_registry_response *r, const char *what,
                              pc_error **err);

/* ---- References ---- */

struct pc_registry_ref
{
  char *host;    /* "docker.io", "127.0.0.1:5000" */
  char *repo;    /* "library/busybox" */
  char *tag;     /* or NULL */
  char *digest;  /* "sha256:..." or NULL */
};
/* A fully-qualified reference "host/repo[:tag][@digest]". */
int pc_registry_ref_parse (const char *ref, struct pc_registry_ref *out, pc_error **err);
void pc_registry_ref_clear (struct pc_registry_ref *r);

/* ---- Pull ---- */

enum pc_registry_event_kind
{
  PC_REGISTRY_EV_TRYING,       /* name: "Trying to pull NAME..." */
  PC_REGISTRY_EV_SIGNATURES,   /* "Getting image source signatures" */
  PC_REGISTRY_EV_BLOB_START,   /* digest, total (-1 unknown), is_config */
  PC_REGISTRY_EV_BLOB_SKIP,    /* digest: already in the store */
  PC_REGISTRY_EV_BLOB_PROGRESS,/* digest, done, total */
  PC_REGISTRY_EV_BLOB_DONE,    /* digest */
  PC_REGISTRY_EV_MANIFEST,     /* "Writing manifest to image destination" */
  PC_REGISTRY_EV_STORED,       /* "Storing signatures" */
  PC_REGISTRY_EV_RESOLVED,     /* name: podman's "Resolved "x" as an alias (F)" line */
};
struct pc_registry_event
{
  enum pc_registry_event_kind kind;
  const char *name;
  const char *digest;
  int64_t done, total;
  bool is_config;
};
/* Called from the pulling thread only (events of parallel layers are
   passed through it). */
typedef void (*pc_registry_event_fn) (const struct pc_registry_event *ev, void *data);

struct pc_registry_pull_opts
{
  const char *os, *arch, *variant; /* NULL: the host's */
  pc_registry_event_fn event;
  void *event_data;
  int max_parallel;                /* layers at once; 0: 3 */
};
/* ref: fully qualified. The image is stored with name ref (unless ref is by
   digest) and its manifest digest (RepoDigests); *id_out its id (config
   hex). A failure leaves no image (layers verified and stored before it
   are kept for the next pull). registries.conf decides where it comes from
   (pull-sources.c): a blocked registry is refused (class PERMISSION), the
   mirrors that apply are tried in order before the location (the prefix
   rewritten), each with its insecure flag and auth.json's credentials for
   its "host/repo" (unless o->creds); a source that fails before its
   manifest gives way to the next. */
int pc_registry_pull (struct pc_store *s, const char *ref, const struct pc_registry_opts *o,
                      const struct pc_registry_pull_opts *po, char **id_out, pc_error **err);

/* Short-name resolution for a pull (pull-sources.c): the candidates of
   pc_registry_resolve_name, podman's line to print before the pull
   (description: "Resolved "alpine" as an alias (F)", "Resolving "x" using
   unqualified-search registries (F)", or NULL) and, when the user picked
   the candidate at the enforcing-mode prompt, the short name to record in
   the aliases cache once a candidate is pulled. */
struct pc_registry_resolution
{
  char **candidates;   /* NULL-terminated; NULL for localhost/ (never pulled) */
  char *description;
  char *record;
};
int pc_registry_resolve_pull (const char *input, struct pc_registry_resolution *out,
                              pc_error **err);
void pc_registry_resolution_clear (struct pc_registry_resolution *r);
/* pulled: the candidate that was pulled; records "short name = its
   repository" when r->record is set (else nothing). */
int pc_registry_resolution_record (const struct pc_registry_resolution *r, const char *pulled,
                                   pc_error **err);

/* The tags of a repository (GET /v2/REPO/tags/list, paginated). */
int pc_registry_list_tags (struct pc_registry_client *c, const char *repo, char ***tags,
                           pc_error **err);

/* ---- Push (push*.c) ---- */

enum pc_registry_format
{
  PC_REGISTRY_FORMAT_AUTO,   /* the stored manifest's (docker schema 2 or OCI), else OCI */
  PC_REGISTRY_FORMAT_OCI,
  PC_REGISTRY_FORMAT_V2S2,
};
enum pc_registry_compression
{
  PC_REGISTRY_COMPRESSION_GZIP,
  PC_REGISTRY_COMPRESSION_ZSTD,
};
struct pc_registry_push_opts
{
  enum pc_registry_format format;
  enum pc_registry_compression compression; /* layers stored otherwise are recompressed */
  pc_registry_event_fn event;               /* the pull's kinds; name is "host/repo" */
  void *event_data;
};
/* image: a stored image (as pc_store_image_lookup takes it); dest: fully
   qualified "host/repo:tag" (or @digest, which must be the digest of what
   is pushed). *digest_out: the manifest's digest. Blobs the registry has
   are skipped, blobs another repository of that registry has are mounted
   (the image's names there, and pc's blob-info cache in the store root). */
int pc_registry_push (struct pc_store *s, const char *image, const char *dest,
                      const struct pc_registry_opts *o, const struct pc_registry_push_opts *po,
                      char **digest_out, pc_error **err);

/* ---- Search, tags, manifest inspect (search.c) ---- */

/* GET /v2/_catalog of host (every page). NULL-terminated, malloc'd. */
int pc_registry_catalog (const char *host, const struct pc_registry_opts *o, char ***repos,
                         pc_error **err);
/* GET /v2/REPO/tags/list (every page). */
int pc_registry_tags (const char *host, const char *repo, const struct pc_registry_opts *o,
                      char ***tags, pc_error **err);
/* The manifest or index ref names, as the registry serves it (bytes and
   Content-Type; a reference by digest is checked against it). */
int pc_registry_manifest_raw (const char *ref, const struct pc_registry_opts *o, char **body,
                              size_t *len, char **media_type, pc_error **err);

#endif
