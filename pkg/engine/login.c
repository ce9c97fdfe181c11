/* pc login / pc logout: the credentials of auth.json (pkg/registry's
   auth*.c) checked against the registry's /v2/ with its client, with
   podman 4.3's flow and messages (containers/common pkg/auth). A password
   is never logged and never part of an error message. */
#include "pkg/engine/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/registry/registry.h"

int
pc_engine_login_key (const char *arg, char **key, char **host, pc_error **err)
{
  return pc_registry_login_key (arg, key, host, err);
}

int
pc_engine_login_stored (const char *authfile, const char *key, char **user, char **password,
                        bool *token, pc_error **err)
{
  *user = NULL;
  if (password)
    *password = NULL;
  *token = false;
  struct pc_registry_creds c;
  int r = pc_registry_credentials (authfile, key, &c, err);
  if (r <= 0)
    return r;
  *user = steal_pointer (&c.user);
  if (password)
    *password = steal_pointer (&c.password);
  *token = c.identity_token != NULL;
  pc_registry_creds_clear (&c);
  return 1;
}

int
pc_engine_login_check (const char *key, const char *host, const char *user, const char *password,
                       const struct pc_engine_login_opts *o, pc_error **err)
{
  struct pc_registry_host_conf hc;
  bool insecure = false;
  pc_autofree char *ref = xasprintf ("%s/", host);
  if (pc_registry_host_config (ref, &hc, err) < 0)
    return -1;
  insecure = hc.insecure;
  pc_registry_host_conf_clear (&hc);
  struct pc_registry_creds creds = { .user = (char *) user, .password = (char *) password };
  struct pc_registry_opts ro = {
    .tls_verify_off = o->tls_verify_off || insecure, .cert_dir = o->cert_dir,
    .authfile = o->authfile, .creds = &creds, .retries = 0,
  };
  struct pc_registry_client *c = NULL;
  if (pc_registry_client_new (host, &ro, &c, err) < 0)
    return pc_error_wrap (err, "authenticating creds for \"%s\"", key);
  struct pc_registry_request rq = { .method = "GET", .path = "" };
  struct pc_registry_response resp = { 0 };
  int r = pc_registry_request (c, &rq, &resp, err);
  pc_registry_client_free (c);
  if (r < 0)
    return pc_error_wrap (err, "authenticating creds for \"%s\"", key);
  long status = resp.status;
  pc_registry_response_clear (&resp);
  if (status == 200)
    return 0;
  if (status == 401)
    {
      pc_debug ("error logging into \"%s\": unauthorized (401)", key);
      return pc_error_makec (err, PC_ERR_PERMISSION, EACCES, "logging into \"%s\": invalid username/password",
                             key);
    }
  return pc_error_makec (err, PC_ERR_GENERIC, EIO,
                         "authenticating creds for \"%s\": pinging container registry %s: invalid status code from registry %ld",
                         key, host, status);
}

int
pc_engine_login_store (const char *authfile, const char *key, const char *user, const char *password,
                       pc_error **err)
{
  return pc_registry_auth_store (authfile, key, user, password, err);
}

int
pc_engine_logout (const char *authfile, const char *key, pc_error **err)
{
  return pc_registry_auth_remove (authfile, key, err);
}
