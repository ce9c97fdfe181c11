/* The request core: one client per registry host, libcurl underneath.
   Authentication follows the registry's challenge (docker's token auth
   spec: a 401 with `WWW-Authenticate: Bearer realm=...,service=...`
   sends us to the realm for a token; `Basic` takes the credentials as they
   are). Retries, timeouts, TLS and redirects are decided here, once, for
   pull, push and login alike. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/registry/internal.h"

void
pc_registry_creds_clear (struct pc_registry_creds *c)
{
  if (c == NULL)
    return;
  if (c->password)
    explicit_bzero (c->password, strlen (c->password));
  if (c->identity_token)
    explicit_bzero (c->identity_token, strlen (c->identity_token));
  free (c->user);
  free (c->password);
  free (c->identity_token);
  memset (c, 0, sizeof *c);
}

void
pc_registry_response_clear (struct pc_registry_response *r)
{
  free (r->content_type);
  free (r->docker_digest);
  free (r->location);
  free (r->body);
  memset (r, 0, sizeof *r);
  r->content_length = -1;
}

const char *
pc_registry_client_host (const struct pc_registry_client *c)
{
  return c->host;
}

int
pc_registry_client_new (const char *host, const struct pc_registry_opts *o,
                        struct pc_registry_client **out, pc_error **err)
{
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once (&once, reg_curl_global_init);
  if (host == NULL || *host == '\0' || strpbrk (host, "/ \t\r\n@?#"))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid registry host `%s`",
                           host ? host : "");
  struct pc_registry_client *c = xmalloc0 (sizeof *c);
  c->host = xstrdup (host);
  c->api_host = xstrdup (strcmp (host, "docker.io") == 0 ? "registry-1.docker.io" : host);
  if (o)
    c->opts = *o;
  c->opts.cert_dir = o && o->cert_dir ? xstrdup (o->cert_dir) : NULL;
  c->opts.authfile = o && o->authfile ? xstrdup (o->authfile) : NULL;
  c->opts.creds = NULL;
  if (o && o->creds)
    {
      c->creds.user = o->creds->user ? xstrdup (o->creds->user) : NULL;
      c->creds.password = o->creds->password ? xstrdup (o->creds->password) : NULL;
      c->creds.identity_token = o->creds->identity_token ? xstrdup (o->creds->identity_token) : NULL;
      c->have_creds = true;
    }
  if (c->opts.retries < 0)
    c->opts.retries = 3;
  if (c->opts.connect_timeout_s <= 0)
    c->opts.connect_timeout_s = 30;
  if (c->opts.stall_timeout_s <= 0)
    {
      /* For tests only (a stalled registry in seconds, not a minute): not
         an interface, podman has no such setting. */
      const char *t = getenv ("PC_TEST_REGISTRY_STALL_TIMEOUT");
      c->opts.stall_timeout_s = t && atoi (t) > 0 ? atoi (t) : 60;
    }
  c->scheme = NULL; /* decided by the first request's /v2/ ping */
  pthread_mutex_init (&c->mu, NULL);
  *out = c;
  return 0;
}

struct pc_registry_client *
reg_client_dup (struct pc_registry_client *c)
{
  struct pc_registry_client *d = xmalloc0 (sizeof *d);
  pthread_mutex_lock (&c->mu);
  d->host = xstrdup (c->host);
  d->api_host = xstrdup (c->api_host);
  d->opts = c->opts;
  d->opts.cert_dir = c->opts.cert_dir ? xstrdup (c->opts.cert_dir) : NULL;
  d->opts.authfile = c->opts.authfile ? xstrdup (c->opts.authfile) : NULL;
  d->have_creds = c->have_creds;
  d->creds_looked_up = c->creds_looked_up;
  d->creds.user = c->creds.user ? xstrdup (c->creds.user) : NULL;
  d->creds.password = c->creds.password ? xstrdup (c->creds.password) : NULL;
  d->creds.identity_token = c->creds.identity_token ? xstrdup (c->creds.identity_token) : NULL;
  d->scheme = c->scheme;
  d->auth_kind = c->auth_kind;
  d->token = c->token ? xstrdup (c->token) : NULL;
  d->token_scope = c->token_scope ? xstrdup (c->token_scope) : NULL;
  d->challenge_realm = c->challenge_realm ? xstrdup (c->challenge_realm) : NULL;
  d->challenge_service = c->challenge_service ? xstrdup (c->challenge_service) : NULL;
  d->ca_blob = c->ca_blob ? xstrdup (c->ca_blob) : NULL;
  d->ca_loaded = c->ca_loaded;
  d->client_cert = c->client_cert ? xstrdup (c->client_cert) : NULL;
  d->client_key = c->client_key ? xstrdup (c->client_key) : NULL;
  pthread_mutex_unlock (&c->mu);
  pthread_mutex_init (&d->mu, NULL);
  return d;
}

void
pc_registry_client_free (struct pc_registry_client *c)
{
  if (c == NULL)
    return;
  if (c->curl)
    curl_easy_cleanup (c->curl);
  pc_registry_creds_clear (&c->creds);
  free (c->host);
  free (c->api_host);
  free ((char *) c->opts.cert_dir);
  free ((char *) c->opts.authfile);
  if (c->token)
    explicit_bzero (c->token, strlen (c->token));
  free (c->token);
  free (c->token_scope);
  free (c->challenge_realm);
  free (c->challenge_service);
  free (c->ca_blob);
  free (c->client_cert);
  free (c->client_key);
  pthread_mutex_destroy (&c->mu);
  free (c);
}

/* ---- one transfer ---- */

struct xfer
{
  struct pc_registry_response *resp;
  const struct pc_registry_request *rq;
  size_t max;
  size_t got;            /* body bytes delivered */
  CURL *h;
  pc_error *sink_err;
  bool too_big;
  char *www_auth;        /* of the last response */
  int stall_s;
  curl_off_t seen;       /* bytes moved either way, at last_move */
  struct timespec last_move;
  bool stalled;
};

/* A transfer with no byte in either direction for stall_s seconds ends
   (curl's low-speed check averages over a window: a stall after a burst
   would take seconds more to notice). */
static int
on_progress (void *data, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
  struct xfer *x = data;
  struct timespec now;
  clock_gettime (CLOCK_MONOTONIC, &now);
  if (dlnow + ulnow != x->seen || x->last_move.tv_sec == 0)
    {
      x->seen = dlnow + ulnow;
      x->last_move = now;
      return 0;
    }
  if (now.tv_sec - x->last_move.tv_sec
      + (now.tv_nsec - x->last_move.tv_nsec) / 1e9 >= (double) x->stall_s)
    {
      x->stalled = true;
      return 1;
    }
  return 0;
}

static size_t
on_header (char *buf, size_t size, size_t n, void *data)
{
  struct xfer *x = data;
  size_t len = size * n;
  if (len >= 5 && strncmp (buf, "HTTP/", 5) == 0)
    {
      /* A new response (after a redirect): forget the last one's headers. */
      free (x->resp->content_type);
      free (x->resp->docker_digest);
      free (x->resp->location);
      x->resp->content_type = x->resp->docker_digest = x->resp->location = NULL;
      free (x->www_auth);
      x->www_auth = NULL;
      free (x->resp->body);
      x->resp->body = NULL;
      x->resp->body_len = 0;
      return len;
    }
  const char *colon = memchr (buf, ':', len);
  if (colon == NULL)
    return len;
  size_t nl = (size_t) (colon - buf);
  const char *v = colon + 1;
  size_t vl = len - nl - 1;
  while (vl && (*v == ' ' || *v == '\t'))
    v++, vl--;
  while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
    vl--;
  char **slot = NULL;
  if (nl == 12 && strncasecmp (buf, "Content-Type", 12) == 0)
    slot = &x->resp->content_type;
  else if (nl == 21 && strncasecmp (buf, "Docker-Content-Digest", 21) == 0)
    slot = &x->resp->docker_digest;
  else if (nl == 8 && strncasecmp (buf, "Location", 8) == 0)
    slot = &x->resp->location;
  else if (nl == 16 && strncasecmp (buf, "WWW-Authenticate", 16) == 0)
    slot = &x->www_auth;
  if (slot)
    {
      free (*slot);
      *slot = xstrndup (v, vl);
    }
  return len;
}

static size_t
on_body (char *buf, size_t size, size_t n, void *data)
{
  struct xfer *x = data;
  size_t len = size * n;
  /* Bodies of a redirect or an error are not the payload: keep them in
     memory (small) for the error message. */
  if (x->rq->sink && x->resp->status >= 200 && x->resp->status < 300)
    {
      if (x->rq->sink (buf, len, x->rq->sink_data, &x->sink_err) < 0)
        return 0;
      x->got += len;
      return len;
    }
  size_t cap = x->rq->sink ? 64 * 1024 : x->max;
  if (x->resp->body_len + len > cap)
    {
      if (x->rq->sink)
        return len; /* an error body: keep its head */
      x->too_big = true;
      return 0;
    }
  x->resp->body = xrealloc (x->resp->body, x->resp->body_len + len + 1);
  memcpy (x->resp->body + x->resp->body_len, buf, len);
  x->resp->body_len += len;
  x->resp->body[x->resp->body_len] = '\0';
  x->got += len;
  return len;
}

/* The status is known once the headers are in: the body callback needs it
   to tell a payload from an error page. */
static size_t
on_header_status (char *buf, size_t size, size_t n, void *data)
{
  struct xfer *x = data;
  size_t r = on_header (buf, size, n, data);
  if (size * n <= 2 && (buf[0] == '\r' || buf[0] == '\n'))
    {
      long code = 0;
      curl_easy_getinfo (x->h, CURLINFO_RESPONSE_CODE, &code);
      x->resp->status = code;
    }
  return r;
}

static char *
make_url (struct pc_registry_client *c, const char *path)
{
  if (strncmp (path, "http://", 7) == 0 || strncmp (path, "https://", 8) == 0)
    return xstrdup (path);
  if (path[0] == '/')
    return xasprintf ("%s://%s%s", c->scheme, c->api_host, path);
  return xasprintf ("%s://%s/v2/%s", c->scheme, c->api_host, path);
}

/* 0 done (resp filled), -1 transport error (err; *retryable set). */
static int
transfer (struct pc_registry_client *c, const struct pc_registry_request *rq, const char *url,
          const char *authz, struct pc_registry_response *resp, char **www_auth,
          bool *retryable, pc_error **err)
{
  if (c->curl == NULL)
    c->curl = curl_easy_init ();
  CURL *h = c->curl;
  curl_easy_reset (h);
  pc_registry_response_clear (resp);
  struct xfer x = { .resp = resp, .rq = rq, .max = rq->max_body ? rq->max_body : PC_REGISTRY_MANIFEST_MAX };
  x.h = h;
  struct curl_slist *hdrs = NULL;
  for (const char *const *hh = rq->headers; hh && *hh; hh++)
    hdrs = curl_slist_append (hdrs, *hh);
  pc_autofree char *ah = authz ? xasprintf ("Authorization: %s", authz) : NULL;
  if (ah)
    hdrs = curl_slist_append (hdrs, ah);
  hdrs = curl_slist_append (hdrs, "Expect:");
  curl_easy_setopt (h, CURLOPT_URL, url);
  curl_easy_setopt (h, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt (h, CURLOPT_USERAGENT, "pc/" PC_VERSION);
  curl_easy_setopt (h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt (h, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt (h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (h, CURLOPT_CONNECTTIMEOUT, (long) c->opts.connect_timeout_s);
  x.stall_s = c->opts.stall_timeout_s;
  curl_easy_setopt (h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt (h, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt (h, CURLOPT_XFERINFODATA, &x);
  curl_easy_setopt (h, CURLOPT_HEADERFUNCTION, on_header_status);
  curl_easy_setopt (h, CURLOPT_HEADERDATA, &x);
  curl_easy_setopt (h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (h, CURLOPT_WRITEDATA, &x);
  reg_tls_setup (c, h);
  const char *m = rq->method ? rq->method : "GET";
  if (strcmp (m, "HEAD") == 0)
    curl_easy_setopt (h, CURLOPT_NOBODY, 1L);
  else if (strcmp (m, "GET") != 0)
    {
      curl_easy_setopt (h, CURLOPT_CUSTOMREQUEST, m);
      if (rq->body || strcmp (m, "PUT") == 0 || strcmp (m, "POST") == 0 || strcmp (m, "PATCH") == 0)
        {
          curl_easy_setopt (h, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
          curl_easy_setopt (h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) rq->body_len);
        }
    }
  char ebuf[CURL_ERROR_SIZE] = "";
  curl_easy_setopt (h, CURLOPT_ERRORBUFFER, ebuf);
  CURLcode rc = curl_easy_perform (h);
  curl_easy_setopt (h, CURLOPT_ERRORBUFFER, NULL);
  curl_slist_free_all (hdrs);
  long code = 0;
  curl_easy_getinfo (h, CURLINFO_RESPONSE_CODE, &code);
  resp->status = code;
  curl_off_t cl = -1;
  if (curl_easy_getinfo (h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK)
    resp->content_length = cl;
  *www_auth = x.www_auth;
  *retryable = false;
  if (rc == CURLE_OK)
    return 0;
  if (x.sink_err)
    {
      *err = x.sink_err;
      return -1;
    }
  if (x.too_big)
    return pc_error_makec (err, PC_ERR_INVALID, EFBIG, "exceeded maximum allowed size of %zu bytes",
                           x.max);
  *retryable = x.got == 0 || rq->sink == NULL;
  long os_errno = 0;
  curl_easy_getinfo (h, CURLINFO_OS_ERRNO, &os_errno);
  /* Go's http.Client spells the method "Get". */
  char gm[16];
  snprintf (gm, sizeof gm, "%s", rq->method ? rq->method : "GET");
  for (size_t i = 1; gm[i]; i++)
    gm[i] = (char) tolower ((unsigned char) gm[i]);
  m = gm;
  /* Go's words, as podman prints them: Get "URL": reason. */
  switch (rc)
    {
    case CURLE_TOO_MANY_REDIRECTS:
      *retryable = false;
      return pc_error_makec (err, PC_ERR_INVALID, ELOOP, "%s \"%s\": stopped after 10 redirects",
                             m, url);
    case CURLE_ABORTED_BY_CALLBACK:
      if (!x.stalled)
        break;
      /* fallthrough */
    case CURLE_OPERATION_TIMEDOUT:
      return pc_error_makec (err, PC_ERR_TIMEOUT, ETIMEDOUT, "%s \"%s\": timed out (no data for %d s)",
                             m, url, c->opts.stall_timeout_s);
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
      return pc_error_make (err, EIO, "%s \"%s\": unexpected EOF after %zu bytes (%s)", m, url,
                            x.got, ebuf[0] ? ebuf : curl_easy_strerror (rc));
    case CURLE_COULDNT_CONNECT:
      if (os_errno > 0)
        {
          pc_autofree char *why = xstrdup (strerror ((int) os_errno));
          why[0] = (char) tolower ((unsigned char) why[0]);
          return pc_error_make (err, EIO, "%s \"%s\": connect: %s", m, url, why);
        }
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      *retryable = false;
      return pc_error_makec (err, PC_ERR_PERMISSION, EPERM,
                             "%s: x509: certificate signed by unknown authority or not valid for %s (%s); use --cert-dir or --tls-verify=false",
                             url, c->host, curl_easy_strerror (rc));
    default:
      break;
    }
  return pc_error_make (err, EIO, "%s \"%s\": %s", m, url, ebuf[0] ? ebuf : curl_easy_strerror (rc));
}

/* ---- the request, with auth and retries ---- */

static bool
status_retryable (long s)
{
  return s == 429 || s == 408 || (s >= 500 && s != 501 && s != 505);
}

static void
sleep_ms (long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
}

/* The /v2/ ping, once per client, as containers/image does before its
   first request: https, and for a host that may speak plain HTTP
   (--tls-verify=false, insecure) http when https fails. A registry that
   does not answer is podman's "pinging container registry HOST: ...";
   connection errors are retried as the options say. */
static int
ping_once (struct pc_registry_client *c, const char *scheme, pc_error **err)
{
  c->scheme = scheme;
  struct pc_registry_request rq = { .method = "GET", .path = "" };
  struct pc_registry_response r = { .content_length = -1 };
  char *wa = NULL;
  bool retry;
  pc_autofree char *url = make_url (c, "");
  int ret = transfer (c, &rq, url, NULL, &r, &wa, &retry, err);
  free (wa);
  pc_registry_response_clear (&r);
  return ret;
}

static int
pick_scheme (struct pc_registry_client *c, pc_error **err)
{
  if (c->scheme)
    return 0;
  long delay = c->opts.retry_delay_ms > 0 ? c->opts.retry_delay_ms : 1000;
  for (int attempt = 0;; attempt++)
    {
      pc_error *e = NULL;
      if (ping_once (c, "https", &e) == 0)
        return 0;
      if (c->opts.tls_verify_off)
        {
          pc_debug ("registry %s: https failed (%s), trying http", c->host, e->msg);
          pc_error_clear (&e);
          if (ping_once (c, "http", &e) == 0)
            return 0;
        }
      c->scheme = NULL;
      if (attempt >= c->opts.retries || pc_error_class_of (e) == PC_ERR_PERMISSION)
        {
          *err = e;
          return pc_error_wrap (err, "pinging container registry %s", c->host);
        }
      pc_debug ("registry %s: %s; retrying in %ld ms", c->host, e->msg, delay);
      pc_error_free (e);
      sleep_ms (delay);
      if (c->opts.retry_delay_ms <= 0)
        delay *= 2;
    }
}

int
reg_client_ping (struct pc_registry_client *c, pc_error **err)
{
  return pick_scheme (c, err);
}

int
pc_registry_request (struct pc_registry_client *c, const struct pc_registry_request *rq,
                     struct pc_registry_response *resp, pc_error **err)
{
  if (pick_scheme (c, err) < 0)
    return -1;
  pc_autofree char *url = make_url (c, rq->path ? rq->path : "");
  long delay = c->opts.retry_delay_ms > 0 ? c->opts.retry_delay_ms : 1000;
  int attempts = rq->no_retry ? 0 : c->opts.retries;
  bool auth_retried = false;
  for (int attempt = 0;; attempt++)
    {
      pc_autofree char *authz = reg_auth_header (c, rq->repo, rq->actions);
      pc_autofree char *www = NULL;
      bool retryable = false;
      pc_error *e = NULL;
      int r = transfer (c, rq, url, authz, resp, &www, &retryable, &e);
      if (r < 0)
        {
          if (retryable && attempt < attempts)
            {
              pc_debug ("registry: %s; retrying in %ld ms", e->msg, delay);
              pc_error_free (e);
              sleep_ms (delay);
              if (c->opts.retry_delay_ms <= 0)
                delay *= 2;
              continue;
            }
          *err = e;
          return -1;
        }
      if (resp->status == 401 && www && !auth_retried)
        {
          auth_retried = true;
          if (reg_auth_challenge (c, www, rq->repo, rq->actions, err) < 0)
            return -1;
          attempt--;
          continue;
        }
      if (status_retryable (resp->status) && attempt < attempts)
        {
          pc_debug ("registry: %s answered %ld; retrying in %ld ms", url, resp->status, delay);
          sleep_ms (delay);
          if (c->opts.retry_delay_ms <= 0)
            delay *= 2;
          continue;
        }
      return 0;
    }
}

int
pc_registry_status_error (const struct pc_registry_response *r, const char *what, pc_error **err)
{
  /* The registry's own words: {"errors":[{"code":..,"message":..}]}. */
  pc_autofree char *detail = NULL;
  if (r->body && r->body_len)
    {
      pc_autoerror pc_error *e = NULL;
      pc_autojson json_object *o = pc_json_parse (r->body, r->body_len, &e);
      json_object *errs = o ? pc_json_get_array (o, "errors") : NULL;
      json_object *first = errs ? pc_json_array_object_at (errs, 0) : NULL;
      const char *msg = first ? pc_json_get_string (first, "message") : NULL;
      if (msg)
        detail = xstrdup (msg);
    }
  const char *reason;
  enum pc_error_class cls = PC_ERR_GENERIC;
  int status = EIO;
  switch (r->status)
    {
    case 401:
      reason = "authentication required";
      cls = PC_ERR_PERMISSION;
      status = EACCES;
      break;
    case 403:
      reason = "access denied";
      cls = PC_ERR_PERMISSION;
      status = EACCES;
      break;
    case 404:
      reason = "manifest unknown";
      cls = PC_ERR_NOT_FOUND;
      status = ENOENT;
      break;
    case 429:
      reason = "too many requests";
      break;
    default:
      reason = r->status >= 500 ? "registry server error" : "unexpected status";
    }
  if (detail)
    return pc_error_makec (err, cls, status, "%s: %s: %s", what, reason, detail);
  return pc_error_makec (err, cls, status, "%s: %s (HTTP %ld)", what, reason, r->status);
}
