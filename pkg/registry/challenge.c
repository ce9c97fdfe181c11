/* Answering a registry's WWW-Authenticate challenge (docker's token
   authentication spec, RFC 6750 for Bearer, RFC 7617 for Basic). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/registry/internal.h"

static char *
base64 (const char *in, size_t len)
{
  static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char *out = xmalloc (((len + 2) / 3) * 4 + 1);
  size_t o = 0;
  for (size_t i = 0; i < len; i += 3)
    {
      unsigned v = (unsigned char) in[i] << 16;
      if (i + 1 < len)
        v |= (unsigned char) in[i + 1] << 8;
      if (i + 2 < len)
        v |= (unsigned char) in[i + 2];
      out[o++] = tab[(v >> 18) & 63];
      out[o++] = tab[(v >> 12) & 63];
      out[o++] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
      out[o++] = i + 2 < len ? tab[v & 63] : '=';
    }
  out[o] = '\0';
  return out;
}

static char *
scope_of (const char *repo, const char *actions)
{
  if (repo == NULL)
    return NULL;
  return xasprintf ("repository:%s:%s", repo, actions ? actions : "pull");
}

static void
lookup_creds (struct pc_registry_client *c)
{
  if (c->have_creds || c->creds_looked_up)
    return;
  c->creds_looked_up = true;
  pc_autoerror pc_error *e = NULL;
  int r = pc_registry_credentials (c->opts.authfile, c->host, &c->creds, &e);
  if (r < 0)
    pc_warn ("credentials for %s: %s", c->host, e->msg);
  c->have_creds = r > 0;
}

char *
reg_auth_header (struct pc_registry_client *c, const char *repo, const char *actions)
{
  if (c->auth_kind == REG_AUTH_BASIC && c->have_creds && c->creds.user)
    {
      pc_autofree char *up = xasprintf ("%s:%s", c->creds.user,
                                        c->creds.password ? c->creds.password : "");
      char *b = base64 (up, strlen (up));
      explicit_bzero (up, strlen (up));
      char *h = xasprintf ("Basic %s", b);
      explicit_bzero (b, strlen (b));
      free (b);
      return h;
    }
  if (c->auth_kind == REG_AUTH_BEARER && c->token)
    return xasprintf ("Bearer %s", c->token);
  (void) repo;
  (void) actions;
  return NULL;
}

/* One parameter of a challenge: key="value" (quoted) or key=token. */
static char *
challenge_param (const char *www, const char *key)
{
  size_t kl = strlen (key);
  for (const char *p = www; (p = strcasestr (p, key)) != NULL; p += kl)
    {
      if (p != www && p[-1] != ' ' && p[-1] != ',')
        continue;
      const char *q = p + kl;
      while (*q == ' ')
        q++;
      if (*q != '=')
        continue;
      q++;
      while (*q == ' ')
        q++;
      if (*q == '"')
        {
          q++;
          const char *end = strchr (q, '"');
          return end ? xstrndup (q, (size_t) (end - q)) : NULL;
        }
      size_t n = strcspn (q, ", ");
      return xstrndup (q, n);
    }
  return NULL;
}

struct buf
{
  char *data;
  size_t len;
};

static size_t
buf_write (char *p, size_t size, size_t n, void *data)
{
  struct buf *b = data;
  size_t len = size * n;
  if (b->len + len > (1 << 20))
    return 0;
  b->data = xrealloc (b->data, b->len + len + 1);
  memcpy (b->data + b->len, p, len);
  b->len += len;
  b->data[b->len] = '\0';
  return len;
}

static int
fetch_token (struct pc_registry_client *c, const char *scope, pc_error **err)
{
  if (strncmp (c->challenge_realm, "https://", 8) != 0 && strncmp (c->challenge_realm, "http://", 7) != 0)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "registry %s: invalid token realm `%s`",
                           c->host, c->challenge_realm);
  CURL *h = curl_easy_init ();
  if (h == NULL)
    return pc_error_make (err, ENOMEM, "curl_easy_init");
  struct buf b = { 0 };
  pc_autofree char *url = NULL, *form = NULL;
  char *svc = c->challenge_service ? curl_easy_escape (h, c->challenge_service, 0) : NULL;
  char *sc = scope ? curl_easy_escape (h, scope, 0) : NULL;
  bool refresh = c->have_creds && c->creds.identity_token;
  if (refresh)
    {
      char *rt = curl_easy_escape (h, c->creds.identity_token, 0);
      url = xstrdup (c->challenge_realm);
      form = xasprintf ("grant_type=refresh_token&client_id=pc&refresh_token=%s%s%s%s%s", rt,
                        svc ? "&service=" : "", svc ? svc : "", sc ? "&scope=" : "", sc ? sc : "");
      curl_free (rt);
      curl_easy_setopt (h, CURLOPT_POSTFIELDS, form);
    }
  else
    {
      const char *sep = strchr (c->challenge_realm, '?') ? "&" : "?";
      url = xasprintf ("%s%s%s%s%s%s", c->challenge_realm, sep, svc ? "service=" : "",
                       svc ? svc : "", sc ? (svc ? "&scope=" : "scope=") : "", sc ? sc : "");
      if (c->have_creds && c->creds.user)
        {
          curl_easy_setopt (h, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
          curl_easy_setopt (h, CURLOPT_USERNAME, c->creds.user);
          curl_easy_setopt (h, CURLOPT_PASSWORD, c->creds.password ? c->creds.password : "");
        }
    }
  curl_free (svc);
  curl_free (sc);
  curl_easy_setopt (h, CURLOPT_URL, url);
  curl_easy_setopt (h, CURLOPT_USERAGENT, "pc/" PC_VERSION);
  curl_easy_setopt (h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt (h, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt (h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (h, CURLOPT_CONNECTTIMEOUT, (long) c->opts.connect_timeout_s);
  curl_easy_setopt (h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (h, CURLOPT_LOW_SPEED_TIME, (long) c->opts.stall_timeout_s);
  curl_easy_setopt (h, CURLOPT_WRITEFUNCTION, buf_write);
  curl_easy_setopt (h, CURLOPT_WRITEDATA, &b);
  reg_tls_setup (c, h);
  CURLcode rc = curl_easy_perform (h);
  long code = 0;
  curl_easy_getinfo (h, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_cleanup (h);
  pc_autofree char *body = b.data;
  if (rc != CURLE_OK)
    return pc_error_make (err, EIO, "registry %s: token from %s: %s", c->host,
                          c->challenge_realm, curl_easy_strerror (rc));
  if (code == 401 || code == 403)
    return pc_error_makec (err, PC_ERR_PERMISSION, EACCES,
                           "registry %s: authentication failed: invalid username/password (HTTP %ld from the token server)",
                           c->host, code);
  if (code != 200)
    return pc_error_make (err, EIO, "registry %s: token server %s answered HTTP %ld", c->host,
                          c->challenge_realm, code);
  pc_autojson json_object *o = pc_json_parse (body ? body : "", b.len, err);
  if (o == NULL)
    return pc_error_wrap (err, "registry %s: token", c->host);
  const char *tok = pc_json_get_string (o, "token");
  if (tok == NULL || *tok == '\0')
    tok = pc_json_get_string (o, "access_token");
  if (tok == NULL || *tok == '\0')
    return pc_error_make (err, EIO, "registry %s: the token server sent no token", c->host);
  free (c->token);
  c->token = xstrdup (tok);
  free (c->token_scope);
  c->token_scope = scope ? xstrdup (scope) : NULL;
  c->auth_kind = REG_AUTH_BEARER;
  return 0;
}

int
reg_auth_challenge (struct pc_registry_client *c, const char *www, const char *repo,
                    const char *actions, pc_error **err)
{
  lookup_creds (c);
  if (strncasecmp (www, "Basic", 5) == 0)
    {
      if (!c->have_creds || c->creds.user == NULL)
        return pc_error_makec (err, PC_ERR_PERMISSION, EACCES,
                               "registry %s requires authentication: log in with \"pc login %s\" or pass --creds",
                               c->host, c->host);
      if (c->auth_kind == REG_AUTH_BASIC)
        return pc_error_makec (err, PC_ERR_PERMISSION, EACCES,
                               "registry %s: authentication failed: invalid username/password",
                               c->host);
      c->auth_kind = REG_AUTH_BASIC;
      return 0;
    }
  if (strncasecmp (www, "Bearer", 6) != 0)
    return pc_error_makec (err, PC_ERR_UNSUPPORTED, ENOTSUP,
                           "registry %s: unsupported authentication scheme in `%.40s`", c->host, www);
  free (c->challenge_realm);
  free (c->challenge_service);
  c->challenge_realm = challenge_param (www + 6, "realm");
  c->challenge_service = challenge_param (www + 6, "service");
  if (c->challenge_realm == NULL)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "registry %s: bearer challenge without a realm",
                           c->host);
  pc_autofree char *scope = challenge_param (www + 6, "scope");
  if (scope == NULL)
    scope = scope_of (repo, actions);
  return fetch_token (c, scope, err);
}
