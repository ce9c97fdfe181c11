/* lib/regex-go: Go's regexp syntax limits on glibc's ERE engine. */
#include <regex.h>
#include <string.h>
#include <time.h>

#include "lib/regex-go.h"
#include "tests/unit/tap.h"

static bool
compiles (const char *pattern)
{
  regex_t re;
  if (!pc_regex_go_compile (&re, pattern))
    return false;
  regfree (&re);
  return true;
}

static bool
matches (const char *pattern, const char *s)
{
  regex_t re;
  if (!pc_regex_go_compile (&re, pattern))
    return false;
  bool m = regexec (&re, s, 0, NULL, 0) == 0;
  regfree (&re);
  return m;
}

int
main (void)
{
  ok (matches ("^web-[0-9]+$", "web-12"), "an ordinary pattern compiles and matches");
  ok (matches ("b", "abc"), "unanchored, as Go's MatchString");
  ok (matches ("a{1000}", "") == false && compiles ("a{1000}"), "a repeat of 1000 is Go's limit and taken");
  ok (compiles ("(a{10}){100}"), "nested repeats whose product is 1000 are taken");
  ok (!compiles ("a{1001}"), "a repeat over 1000 is refused (Go: invalid repeat count)");
  ok (!compiles ("a{2,1001}"), "an upper bound over 1000 is refused");
  ok (!compiles ("((a{100}){100}){100}"), "nested repeats multiplying past 1000 are refused");
  ok (!compiles ("(a{1000}){1000}"), "(a{1000}){1000} is refused");
  ok (!compiles ("(a*)*\\1b"), "a backreference is refused (Go has none)");
  ok (!compiles ("((a*)*\\2)*b"), "a nested backreference is refused");
  ok (compiles ("[\\1]x"), "\\1 inside a bracket expression is two characters, taken");
  ok (compiles ("[]{]{20}"), "a brace inside a bracket expression is no bound");
  ok (!compiles ("[]{]{2000}"), "the bound after a bracket expression is checked");
  ok (compiles ("[[:alpha:]{]{5}"), "a character class inside a bracket expression is skipped whole");
  ok (!compiles ("("), "what regcomp refuses is refused");
  {
    /* Without the guard these take seconds to minutes per subject. */
    char subject[201];
    memset (subject, 'a', 200);
    subject[200] = '\0';
    struct timespec t0, t1;
    clock_gettime (CLOCK_MONOTONIC, &t0);
    bool m = matches ("((a*)*\\2)*b", subject) || matches ("^(a|aa)*$", subject) || matches ("(a*)*b", subject);
    clock_gettime (CLOCK_MONOTONIC, &t1);
    double s = (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
    ok (m, "an alternation over 200 characters matches");
    ok (s < 2.0, "pathological patterns over 200 characters take %.3f s (< 2)", s);
  }
  done_testing ();
}
