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

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define PC_CURL_SONAME "libcurl.so.4"

static struct
{
  __typeof__ (curl_global_init) *global_init;
  __typeof__ (curl_easy_init) *easy_init;
  CURLcode (*easy_setopt) (CURL *, CURLoption, ...);
  __typeof__ (curl_easy_perform) *easy_perform;
  __typeof__ (curl_easy_cleanup) *easy_cleanup;
  CURLcode (*easy_getinfo) (CURL *, CURLINFO, ...);
  __typeof__ (curl_easy_strerror) *easy_strerror;
  __typeof__ (curl_easy_reset) *easy_reset;
  __typeof__ (curl_easy_escape) *easy_escape;
  __typeof__ (curl_free) *free_;
  __typeof__ (curl_slist_append) *slist_append;
  __typeof__ (curl_slist_free_all) *slist_free_all;
} lib;

static char why[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
load (void)
{
  void *h = dlopen (PC_CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL)
    {
      const char *e = dlerror ();
      snprintf (why, sizeof why, "cannot load %s (Debian: libcurl4): %s", PC_CURL_SONAME, e ? e : "not found");
      return;
    }
  struct
  {
    const char *name;
    void **slot;
  } syms[] = {
    { "curl_global_init", (void **) &lib.global_init },
    { "curl_easy_init", (void **) &lib.easy_init },
    { "curl_easy_setopt", (void **) &lib.easy_setopt },
    { "curl_easy_perform", (void **) &lib.easy_perform },
    { "curl_easy_cleanup", (void **) &lib.easy_cleanup },
    { "curl_easy_getinfo", (void **) &lib.easy_getinfo },
    { "curl_easy_strerror", (void **) &lib.easy_strerror },
    { "curl_easy_reset", (void **) &lib.easy_reset },
    { "curl_easy_escape", (void **) &lib.easy_escape },
    { "curl_free", (void **) &lib.free_ },
    { "curl_slist_append", (void **) &lib.slist_append },
    { "curl_slist_free_all", (void **) &lib.slist_free_all },
  };
  for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++)
    if ((*syms[i].slot = dlsym (h, syms[i].name)) == NULL)
      {
        snprintf (why, sizeof why, "%s has no %s", PC_CURL_SONAME, syms[i].name);
        for (size_t k = 0; k <= i; k++)
          *syms[k].slot = NULL;
        dlclose (h);
        return;
      }
}

static int
loaded (void)
{
  pthread_once (&once, load);
  return lib.easy_init != NULL;
}

CURLcode
curl_global_init (long flags)
{
  return loaded () ? lib.global_init (flags) : CURLE_FAILED_INIT;
}

CURL *
curl_easy_init (void)
{
  return loaded () ? lib.easy_init () : NULL;
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
    r = lib.easy_setopt (h, opt, va_arg (ap, long));
  else if (opt < CURLOPTTYPE_OFF_T)
    r = lib.easy_setopt (h, opt, va_arg (ap, void *));
  else if (opt < CURLOPTTYPE_BLOB)
    r = lib.easy_setopt (h, opt, va_arg (ap, curl_off_t));
  else
    r = lib.easy_setopt (h, opt, va_arg (ap, void *));
  va_end (ap);
  return r;
}

CURLcode
curl_easy_perform (CURL *h)
{
  return loaded () ? lib.easy_perform (h) : CURLE_FAILED_INIT;
}

void
curl_easy_cleanup (CURL *h)
{
  if (loaded ())
    lib.easy_cleanup (h);
}

/* Every CURLINFO takes one pointer to where the answer goes. */
CURLcode
curl_easy_getinfo (CURL *h, CURLINFO info, ...)
{
  if (!loaded ())
    return CURLE_FAILED_INIT;
  va_list ap;
  va_start (ap, info);
  CURLcode r = lib.easy_getinfo (h, info, va_arg (ap, void *));
  va_end (ap);
  return r;
}

const char *
curl_easy_strerror (CURLcode code)
{
  return loaded () ? lib.easy_strerror (code) : why;
}

void
curl_easy_reset (CURL *h)
{
  if (loaded ())
    lib.easy_reset (h);
}

char *
curl_easy_escape (CURL *h, const char *s, int len)
{
  return loaded () ? lib.easy_escape (h, s, len) : NULL;
}

void
curl_free (void *p)
{
  if (loaded ())
    lib.free_ (p);
}

struct curl_slist *
curl_slist_append (struct curl_slist *l, const char *s)
{
  return loaded () ? lib.slist_append (l, s) : NULL;
}

void
curl_slist_free_all (struct curl_slist *l)
{
  if (loaded ())
    lib.slist_free_all (l);
}
