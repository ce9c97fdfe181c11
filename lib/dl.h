/* Shared libraries that only some commands need, loaded at their first use
   (dlopen) instead of linked, so every other pc process and every
   container's monitor (a fork of the CLI) neither maps nor relocates them.
   A file that stands in for such a library (pkg/registry/curl-lazy.c,
   pkg/runtime/seccomp-lazy.c, pkg/kube/yaml-lazy.c,
   pkg/storage/archive-lazy.c, pkg/network/slirp.c, lib/hash.c for
   libcrypto) describes it with a
   struct of function pointers, the functions' names in the same order and
   one struct pc_dl that says which library has them. pc_dl_load loads it
   once per process, thread-safe; a library that cannot be loaded, or lacks
   one of the functions, stays unloaded (every pointer NULL) and says why.

   The names are fixed-width arrays rather than pointers so that the tables
   need no relocation: every pc process would otherwise write to (and keep
   a private copy of) the pages that hold them. */
#ifndef PC_LIB_DL_H
#define PC_LIB_DL_H

#include <dlfcn.h> /* RTLD_NOW, RTLD_LAZY for struct pc_dl's mode */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

/* The longest function name a table may hold, its NUL included. */
#define PC_DL_NAME_MAX 48

/* For a list of functions X (F): F (name) for each. */
#define PC_DL_SLOT(name) __typeof__ (name) *name;
#define PC_DL_NAME(name) #name,

struct pc_dl
{
  const char *soname;  /* "libcurl.so.4" */
  const char *package; /* Debian's package that has it, for the message */
  const char (*names)[PC_DL_NAME_MAX];
  void **slots;        /* one function pointer per name, in the same order */
  size_t n;
  int mode;            /* dlopen's RTLD_NOW or RTLD_LAZY (RTLD_LOCAL is added) */
  const char *prefix;  /* put before why (NULL: nothing) */
  /* Set by pc_dl_load, once. */
  pthread_mutex_t lock;
  int state;           /* 0 not tried, 1 loaded, -1 cannot be loaded */
  const char *missing; /* the function it lacks; NULL when dlopen failed */
  char *dlerr;         /* dlerror's text, "" when it had none */
  /* prefix, then "cannot load SONAME (Debian: PACKAGE): DLERROR" or
     "SONAME has no FUNCTION". */
  char *why;
};

/* A static initializer: NAMES is a const char [][PC_DL_NAME_MAX], SLOTS a
   struct of as many function pointers; more designators may follow
   (.prefix = ...). */
#define PC_DL_INIT(soname_, package_, names_, slots_, mode_, ...)                                     \
  {                                                                                                \
    .soname = (soname_), .package = (package_), .names = (names_), .slots = (void **) &(slots_),   \
    .n = sizeof (names_) / sizeof (names_)[0]                                                      \
         + 0 * sizeof (struct {                                                                    \
             int unused;                                                                           \
             _Static_assert (sizeof (slots_) == sizeof (names_) / sizeof (names_)[0] * sizeof (void *), \
                             "one function pointer per name");                                     \
           }),                                                                                     \
    .mode = (mode_), .lock = PTHREAD_MUTEX_INITIALIZER, __VA_ARGS__                                \
  }

bool pc_dl_load_first (struct pc_dl *d);

/* Loads D the first time (later calls only look): true when it is loaded.
   Once set, D's state never changes: the lock is only for the first. */
static inline bool
pc_dl_load (struct pc_dl *d)
{
  int state = __atomic_load_n (&d->state, __ATOMIC_ACQUIRE);
  return state != 0 ? state > 0 : pc_dl_load_first (d);
}

/* Whether D is loaded, without trying to load it. */
static inline bool
pc_dl_loaded (const struct pc_dl *d)
{
  return __atomic_load_n (&d->state, __ATOMIC_ACQUIRE) > 0;
}

/* Sets an error of class PC_ERR_UNSUPPORTED (ELIBACC) that says why D
   cannot be loaded; returns -1. Only after pc_dl_load returned false. */
int pc_dl_error (const struct pc_dl *d, pc_error **err);

#endif
