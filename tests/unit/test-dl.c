/* lib/dl.c: a library loaded once, with every function, or refused with
   the message the lazy stand-ins (curl-lazy.c, archive-lazy.c...) show. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/dl.h"
#include "tests/unit/tap.h"

/* libm is in every glibc system; its functions have known answers. */
static struct
{
  double (*sqrt) (double);
  double (*floor) (double);
} m;
static const char m_names[][PC_DL_NAME_MAX] = { "sqrt", "floor" };
static struct pc_dl libm = PC_DL_INIT ("libm.so.6", "libc6", m_names, m, RTLD_NOW);

static struct
{
  double (*sqrt) (double);
  void (*nothere) (void);
  double (*floor) (double);
} m2;
static const char m2_names[][PC_DL_NAME_MAX] = { "sqrt", "pc_no_such_function", "floor" };
static struct pc_dl libm2 = PC_DL_INIT ("libm.so.6", "libc6", m2_names, m2, RTLD_LAZY, .prefix = ": ");

static struct
{
  void (*f) (void);
} none;
static const char none_names[][PC_DL_NAME_MAX] = { "f" };
static struct pc_dl libnone = PC_DL_INIT ("libpc-not-there.so.9", "pc-nothing", none_names, none, RTLD_NOW);

/* Loaded by several threads at once: each sees it loaded. */
static struct
{
  double (*sqrt) (double);
} m3;
static const char m3_names[][PC_DL_NAME_MAX] = { "sqrt" };
static struct pc_dl libm3 = PC_DL_INIT ("libm.so.6", "libc6", m3_names, m3, RTLD_NOW);

static void *
racer (void *arg)
{
  return (void *) (long) (pc_dl_load (&libm3) && m3.sqrt (9.0) == 3.0);
}

int
main (void)
{
  ok (!pc_dl_loaded (&libm), "not loaded before the first use");
  ok (pc_dl_load (&libm), "libm loads");
  ok (pc_dl_loaded (&libm), "loaded after");
  ok (m.sqrt != NULL && m.sqrt (16.0) == 4.0, "its sqrt answers");
  ok (m.floor != NULL && m.floor (2.5) == 2.0, "its floor answers");
  ok (pc_dl_load (&libm), "a second load only looks");

  ok (!pc_dl_load (&libm2), "a library without one of the functions is refused");
  is_str (libm2.why, ": libm.so.6 has no pc_no_such_function", "the message names it, after the prefix");
  is_str (libm2.missing, "pc_no_such_function", "missing names it");
  ok (m2.sqrt == NULL && m2.floor == NULL, "every slot is NULL");
  ok (!pc_dl_load (&libm2) && !pc_dl_loaded (&libm2), "the refusal is remembered");

  ok (!pc_dl_load (&libnone), "a library that is not there is refused");
  ok (strncmp (libnone.why, "cannot load libpc-not-there.so.9 (Debian: pc-nothing): ", 55) == 0,
      "the message says which package has it: %s", libnone.why);
  ok (libnone.missing == NULL && libnone.dlerr[0] != '\0', "dlopen's own reason is kept: %s", libnone.dlerr);
  pc_error *err = NULL;
  is_int (pc_dl_error (&libnone, &err), -1, "pc_dl_error fails");
  ok (err && pc_error_class_of (err) == PC_ERR_UNSUPPORTED && err->status == ELIBACC,
      "as unsupported, ELIBACC");
  is_str (err ? err->msg : "", libnone.why, "with the same message");
  pc_error_free (err);

  pthread_t t[8];
  for (int i = 0; i < 8; i++)
    pthread_create (&t[i], NULL, racer, NULL);
  int good = 0;
  for (int i = 0; i < 8; i++)
    {
      void *r;
      pthread_join (t[i], &r);
      good += r != NULL;
    }
  is_int (good, 8, "eight threads loading at once all see it loaded");
  return done_testing ();
}
