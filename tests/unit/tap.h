/* A few macros that print TAP (Test Anything Protocol) for meson test. */
#ifndef PC_TESTS_TAP_H
#define PC_TESTS_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count;
static int tap_failed;

/* Line-buffered, so a test that forks never hands its child unflushed TAP
   lines to print a second time. */
__attribute__ ((constructor)) static void
tap_line_buffered (void)
{
  setvbuf (stdout, NULL, _IOLBF, 0);
}

#define ok(cond, ...)                                                   \
  do                                                                    \
    {                                                                   \
      int ok_ = !!(cond);                                               \
      tap_count++;                                                      \
      if (!ok_)                                                         \
        tap_failed++;                                                   \
      printf ("%s %d - ", ok_ ? "ok" : "not ok", tap_count);            \
      printf (__VA_ARGS__);                                             \
      printf ("\n");                                                    \
      if (!ok_)                                                         \
        printf ("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                   \
  while (0)

#define is_str(got, want, ...)                                          \
  do                                                                    \
    {                                                                   \
      const char *g_ = (got), *w_ = (want);                             \
      int same_ = (g_ == NULL && w_ == NULL) || (g_ && w_ && strcmp (g_, w_) == 0); \
      ok (same_, __VA_ARGS__);                                          \
      if (!same_)                                                       \
        printf ("#   got:  \"%s\"\n#   want: \"%s\"\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
    }                                                                   \
  while (0)

#define is_int(got, want, ...)                                          \
  do                                                                    \
    {                                                                   \
      long long g_ = (long long) (got), w_ = (long long) (want);        \
      ok (g_ == w_, __VA_ARGS__);                                       \
      if (g_ != w_)                                                     \
        printf ("#   got:  %lld\n#   want: %lld\n", g_, w_);            \
    }                                                                   \
  while (0)

static inline int
done_testing (void)
{
  printf ("1..%d\n", tap_count);
  return tap_failed ? 1 : 0;
}

#endif
