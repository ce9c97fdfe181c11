/* The user's registry configuration, as podman 4.3 (containers/image 5.23)
   reads it: registries.conf (v2, containers-registries.conf(5)) with its
   drop-ins and the short-name aliases cache, short-name resolution,
   auth.json (containers-auth.json(5)) and the certs.d directories
   (containers-certs.d(5)). The hooks of registry.h are built on this;
   pkg/registry's own files and the unit tests use it directly. */
#ifndef PC_PKG_REGISTRY_CONFIG_H
#define PC_PKG_REGISTRY_CONFIG_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"
#include "lib/toml.h"

/* ---- TOML: lib/toml.h ---- */

/* ---- References (config-ref.c) ---- */

/* A reference split as docker's distribution/reference normalizes it:
   domain "docker.io" for a name without one, "library/" for docker.io's
   one-component names, "index.docker.io" read as "docker.io". */
struct pc_ref
{
  char *domain;   /* NULL for a short name (pc_ref_parse_short) */
  char *path;     /* "library/alpine" */
  char *tag;      /* or NULL */
  char *digest;   /* "sha256:..." or NULL */
};
/* Fully qualifies like ParseNormalizedNamed: "alpine" -> docker.io/library/alpine.
   Errors are class PC_ERR_INVALID ("invalid reference format..."). */
int pc_ref_parse_normalized (const char *s, struct pc_ref *out, pc_error **err);
/* Splits without normalizing; domain is NULL when the name has none (a
   short name: its first component has no '.' or ':', is not "localhost"
   and is lower case). */
int pc_ref_parse (const char *s, struct pc_ref *out, pc_error **err);
/* "domain/path[:tag][@digest]"; with_latest adds ":latest" to a name with
   neither. */
char *pc_ref_format (const struct pc_ref *r, bool with_latest);
void pc_ref_clear (struct pc_ref *r);

/* ---- registries.conf (config.c) ---- */

enum pc_short_name_mode
{
  PC_SHORT_NAME_PERMISSIVE = 0, /* containers/image's default */
  PC_SHORT_NAME_ENFORCING,
  PC_SHORT_NAME_DISABLED,
};

enum pc_pull_from_mirror
{
  PC_MIRROR_ALL = 0,
  PC_MIRROR_DIGEST_ONLY,
  PC_MIRROR_TAG_ONLY,
};

struct pc_registries_mirror
{
  char *location;
  bool insecure;
  enum pc_pull_from_mirror pull_from;
};

struct pc_registries_entry
{
  char *prefix;     /* "example.com/ns", "*.example.com" */
  char *location;   /* "" only for a wildcard prefix */
  bool insecure, blocked, mirror_by_digest_only;
  struct pc_registries_mirror *mirrors;
  size_t n_mirrors;
};

struct pc_registries_alias
{
  char *name;    /* "alpine" */
  char *value;   /* "docker.io/library/alpine" */
  char *origin;  /* the file that set it */
};

struct pc_registries_conf
{
  char **search;          /* unqualified-search-registries (NULL-terminated, may be empty) */
  char *search_origin;    /* the file that set them (or the main file) */
  enum pc_short_name_mode mode;
  struct pc_registries_alias *aliases;
  size_t n_aliases;
  struct pc_registries_alias *cache;   /* short-name-aliases.conf, read first */
  size_t n_cache;
  struct pc_registries_entry *regs;    /* sorted by prefix, one per prefix */
  size_t n_regs;
  char *config_path;      /* the main file (for messages) */
  char *config_dir_path;  /* its drop-in directory */
  char *cache_path;
};

/* Where the files are; NULL fields are the standard places. */
struct pc_registries_paths
{
  const char *env_conf;    /* CONTAINERS_REGISTRIES_CONF (default: from the environment) */
  const char *system_conf; /* /etc/containers/registries.conf */
  const char *system_dir;  /* /etc/containers/registries.conf.d */
  const char *home;        /* $HOME: .config/containers/registries.conf[.d] */
  const char *cache;       /* short-name-aliases.conf */
  bool no_env;             /* ignore CONTAINERS_REGISTRIES_CONF */
};

/* Reads the files as podman does: CONTAINERS_REGISTRIES_CONF, else the
   user's registries.conf if it exists (then only the user's drop-ins),
   else the system one (then the system's drop-ins, then the user's), each
   directory's *.conf in lexical order, later ones overriding earlier ones
   (registries by prefix, aliases by name, the search list and the mode
   when set). A missing main file is an empty configuration, except one
   named by CONTAINERS_REGISTRIES_CONF. Errors as podman's:
   "loading registries configuration "F": ...". paths may be NULL. */
int pc_registries_conf_load (const struct pc_registries_paths *paths,
                             struct pc_registries_conf *out, pc_error **err);
void pc_registries_conf_clear (struct pc_registries_conf *c);

/* The [[registry]] whose prefix is the longest match of ref
   ("host[:port]/path..."), or NULL. */
const struct pc_registries_entry *pc_registries_find (const struct pc_registries_conf *c,
                                                      const char *ref);

/* Where to pull ref from, in order: the mirrors that apply, then the
   registry itself, each a fully-qualified reference with the prefix
   rewritten to the location. A blocked registry: class PC_ERR_PERMISSION,
   podman's "registry X is blocked in F or F.d". */
struct pc_pull_source
{
  char *ref;
  bool insecure;
};
int pc_registries_pull_sources (const struct pc_registries_conf *c, const char *ref,
                                struct pc_pull_source **out, size_t *n, pc_error **err);
void pc_pull_sources_free (struct pc_pull_source *s, size_t n);

/* ---- Short names (config-resolve.c) ---- */

enum pc_resolve_kind
{
  PC_RESOLVE_QUALIFIED = 0, /* the name had a registry */
  PC_RESOLVE_LOCAL,         /* localhost/...: never leaves the machine */
  PC_RESOLVE_ALIAS,         /* an alias (cache or registries.conf) */
  PC_RESOLVE_SEARCH,        /* the unqualified-search registries */
};

struct pc_resolved
{
  enum pc_resolve_kind kind;
  char **candidates;   /* fully qualified, tag or digest added, NULL-terminated */
  char *short_name;    /* the name without tag or digest, for ALIAS and SEARCH */
  char *origin;        /* the file of the alias or search list */
  bool record;         /* the user picked the candidate at a prompt: record
                          it with pc_registries_record_alias once pulled */
};

/* podman 4.3's Resolve. tty: stdin and stdout are terminals (enforcing
   mode then asks the user to pick among several candidates on
   /dev/tty; without one it is podman's error). */
int pc_registries_resolve (const struct pc_registries_conf *c, const char *input, bool tty,
                           struct pc_resolved *out, pc_error **err);
void pc_resolved_clear (struct pc_resolved *r);
/* podman's line before the pull ("Resolved "alpine" as an alias (F)",
   "Resolving "x" using unqualified-search registries (F)"), or NULL. */
char *pc_resolved_describe (const struct pc_resolved *r);
/* Adds name = value to the short-name aliases cache (atomically, under a
   lock), as podman does after a pull the user picked at a prompt. */
int pc_registries_record_alias (const struct pc_registries_conf *c, const char *name,
                                const char *value, pc_error **err);

/* ---- auth.json (auth.c, auth-file.c) ---- */

/* The files credentials are read from, in order; the first is where login
   writes and logout removes. authfile: --authfile or NULL (then
   REGISTRY_AUTH_FILE, then $XDG_RUNTIME_DIR/containers/auth.json). */
char **pc_auth_paths (const char *authfile);

struct pc_auth_entry
{
  char *user;
  char *password;
  char *identity_token;
  char *key;     /* the key that matched ("host/ns") */
  char *path;    /* the file it came from */
};
void pc_auth_entry_clear (struct pc_auth_entry *e);

/* key: "host[:port]" or "host[:port]/ns/repo". The first file with an entry
   for key, its namespaces or its host (most specific first) gives it;
   docker's URL keys ("https://index.docker.io/v1/") match their host.
   1 found, 0 none, -1 a malformed file (class PC_ERR_INVALID). */
int pc_auth_lookup (const char *authfile, const char *key, struct pc_auth_entry *out,
                    pc_error **err);
/* Writes key's entry ({"auth": base64(user:password)}) into the first file,
   keeping the rest of it; mode 0600, its directory created 0700. */
int pc_auth_store (const char *authfile, const char *key, const char *user, const char *password,
                   pc_error **err);
/* Removes key's entry from the first file; not there: class
   PC_ERR_NOT_FOUND "not logged into KEY". */
int pc_auth_remove (const char *authfile, const char *key, pc_error **err);
/* Empties "auths" of the first file. */
int pc_auth_remove_all (const char *authfile, pc_error **err);
/* login/logout's argument as podman reads it: a URL gives its host;
   "host/ns/repo" is checked (no tag or digest). *key and *host malloc'd. */
int pc_auth_parse_key (const char *arg, char **key, char **host, pc_error **err);

/* An auth file as a JSON object; NULL without an error when it does not
   exist, class PC_ERR_INVALID when it is not JSON. */
json_object *pc_auth_read_file (const char *path, pc_error **err);

/* base64 (standard alphabet, padded). Decoding refuses bad input (-1). */
char *pc_base64_encode (const void *data, size_t len);
int pc_base64_decode (const char *s, char **out, size_t *len);

/* ---- certs.d (config-certs.c) ---- */

struct pc_certs
{
  char *dir;       /* the directory used, or NULL */
  char **ca_files; /* *.crt, NULL-terminated, or NULL */
  char **certs;    /* client certificates *.cert ... */
  char **keys;     /* ... and their *.key, parallel */
};
/* As containers/image: --cert-dir alone when given; else the first that
   exists of ~/.config/containers/certs.d/HOST, /etc/containers/certs.d/HOST,
   /etc/docker/certs.d/HOST. A .cert without its .key (or the reverse) is
   podman's error. */
int pc_certs_for_host (const char *host, const char *cert_dir, struct pc_certs *out,
                       pc_error **err);
void pc_certs_clear (struct pc_certs *c);

#endif
