/* libcurl is loaded by the commands that talk to a registry (pull, push,
   login, search, run of a missing image), not linked into pc: with its
   dependencies (TLS, Kerberos, LDAP, p11-kit: about 40 shared objects) it
   cost every pc process about 4 ms of loading and relocating (pc
   --version 2.8 -> 7.3 ms) and every container's monitor, a fork of the
   CLI, about 1.1 MiB of relocated data. These definitions stand in for
   libcurl's: the first call loads libcurl.so.4 (once, thread-safe) and each
   forwards to the library's function. Calling another libcurl function
   from pkg/registry means adding it here (the link fails until then).

   A libcurl that cannot be loaded makes curl_global_init and the calls that
   return a CURLcode fail with CURLE_FAILED_INIT, curl_easy_init return
   NULL, and curl_easy_strerror say why, so the registry code's own error
   paths report it. */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include <stdarg.h>

#include "lib/dl.h"

#define PC_CURL_FUNCS(F)                                                                           \
  F (curl_global_init)                                                                             \
  F (curl_easy_init)                                                                               \
  F (curl_easy_setopt)                                                                             \
  F (curl_easy_perform)                                                                            \
  F (curl_easy_cleanup)                                                                            \
  F (curl_easy_getinfo)                                                                            \
  F (curl_easy_strerror)                                                                           \
  F (curl_easy_reset)                                                                              \
  F (curl_easy_escape)                                                                             \
  F (curl_free)                                                                                    \
  F (curl_slist_append)                                                                            \
  F (curl_slist_free_all)

static struct
{
  PC_CURL_FUNCS (PC_DL_SLOT)
} lib;

static const char names[][PC_DL_NAME_MAX] = { PC_CURL_FUNCS (PC_DL_NAME) };

static struct pc_dl libcurl = PC_DL_INIT ("libcurl.so.4", "libcurl4", names, lib, RTLD_NOW);

static int
loaded (void)
{
  return pc_dl_load (&libcurl);
}

CURLcode
curl_global_init (long flags)
{
  return loaded () ? lib.curl_global_init (flags) : CURLE_FAILED_INIT;
}

CURL *
curl_easy_init (void)
{
  return loaded () ? lib.curl_easy_init () : NULL;
}

/* The one argument's type follows from the option's number, as libcurl
   reads it: long, a pointer (object, string, list, callback or function),
   curl_off_t, or a blob pointer. */
CURLcode
curl_easy_setopt (CURL *h, CURLoption opt, ...)
{
  if (!loaded ())
    return CURLE_FAILED_INIT;
  va_list ap;
  va_start (ap, opt);
  CURLcode r;
  if (opt < CURLOPTTYPE_OBJECTPOINT)
    r = lib.curl_easy_setopt (h, opt, va_arg (ap, long));
  else if (opt < CURLOPTTYPE_OFF_T)
    r = lib.curl_easy_setopt (h, opt, va_arg (ap, void *));
  else if (opt < CURLOPTTYPE_BLOB)
    r = lib.curl_easy_setopt (h, opt, va_arg (ap, curl_off_t));
  else
    r = lib.curl_easy_setopt (h, opt, va_arg (ap, void *));
  va_end (ap);
  return r;
}

CURLcode
curl_easy_perform (CURL *h)
{
  return loaded () ? lib.curl_easy_perform (h) : CURLE_FAILED_INIT;
}

void
curl_easy_cleanup (CURL *h)
{
  if (loaded ())
    lib.curl_easy_cleanup (h);
}

/* Every CURLINFO takes one pointer to where the answer goes. */
CURLcode
curl_easy_getinfo (CURL *h, CURLINFO info, ...)
{
  if (!loaded ())
    return CURLE_FAILED_INIT;
  va_list ap;
  va_start (ap, info);
  CURLcode r = lib.curl_easy_getinfo (h, info, va_arg (ap, void *));
  va_end (ap);
  return r;
}

const char *
curl_easy_strerror (CURLcode code)
{
  return loaded () ? lib.curl_easy_strerror (code) : libcurl.why;
}

void
curl_easy_reset (CURL *h)
{
  if (loaded ())
    lib.curl_easy_reset (h);
}

char *
curl_easy_escape (CURL *h, const char *s, int len)
{
  return loaded () ? lib.curl_easy_escape (h, s, len) : NULL;
}

void
curl_free (void *p)
{
  if (loaded ())
    lib.curl_free (p);
}

struct curl_slist *
curl_slist_append (struct curl_slist *l, const char *s)
{
  return loaded () ? lib.curl_slist_append (l, s) : NULL;
}

void
curl_slist_free_all (struct curl_slist *l)
{
  if (loaded ())
    lib.curl_slist_free_all (l);
}
