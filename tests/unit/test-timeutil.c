#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "lib/error.h"
#include "lib/timeutil.h"
#include "tests/unit/tap.h"

static char *
ago (long seconds_before)
{
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  now.tv_sec -= seconds_before;
  return pc_time_human_ago (&now);
}

#define IS_AGO(secs, want)                                      \
  do                                                            \
    {                                                           \
      char *s_ = ago (secs);                                    \
      is_str (s_, want, "%ld seconds -> %s", (long) (secs), want); \
      free (s_);                                                \
    }                                                           \
  while (0)

#define IS_SIZE(n, want)                                        \
  do                                                            \
    {                                                           \
      char *s_ = pc_size_human (n);                             \
      is_str (s_, want, "size %lld", (long long) (n));          \
      free (s_);                                                \
    }                                                           \
  while (0)

int
main (void)
{
  IS_AGO (0, "Less than a second ago");
  IS_AGO (1, "1 second ago");
  IS_AGO (3, "3 seconds ago");
  IS_AGO (59, "59 seconds ago");
  IS_AGO (60, "About a minute ago");
  IS_AGO (119, "About a minute ago");
  IS_AGO (120, "2 minutes ago");
  IS_AGO (59 * 60, "59 minutes ago");
  IS_AGO (60 * 60, "About an hour ago");
  IS_AGO (2 * 3600, "2 hours ago");
  IS_AGO (47 * 3600, "47 hours ago");
  IS_AGO (48 * 3600, "2 days ago");
  IS_AGO (13 * 86400, "13 days ago");
  IS_AGO (14 * 86400, "2 weeks ago");
  IS_AGO (59 * 86400, "8 weeks ago");
  IS_AGO (60 * 86400, "2 months ago");
  IS_AGO (729L * 86400, "24 months ago");
  IS_AGO (3L * 365 * 86400, "3 years ago");

  IS_SIZE (0, "0 B");
  IS_SIZE (512, "512 B");
  IS_SIZE (999, "999 B");
  IS_SIZE (1000, "1 kB");
  IS_SIZE (1234, "1.23 kB");
  IS_SIZE (4100, "4.1 kB");
  IS_SIZE (5830000, "5.83 MB");
  IS_SIZE (1000000000, "1 GB");
  IS_SIZE (1500000000000LL, "1.5 TB");

  /* RFC 3339 round trip in UTC and in a zone with an offset. */
  setenv ("TZ", "UTC", 1);
  tzset ();
  struct timespec t = { .tv_sec = 1795405244, .tv_nsec = 123456789 };
  char *s = pc_time_format_rfc3339 (&t);
  is_str (s, "2026-11-23T03:40:44.123456789Z", "RFC3339Nano in UTC");
  free (s);
  t.tv_nsec = 120000000;
  s = pc_time_format_rfc3339 (&t);
  is_str (s, "2026-11-23T03:40:44.12Z", "trailing zeros of the fraction dropped");
  free (s);
  t.tv_nsec = 0;
  s = pc_time_format_rfc3339 (&t);
  is_str (s, "2026-11-23T03:40:44Z", "no fraction when zero");
  free (s);
  setenv ("TZ", "CET-1", 1);
  tzset ();
  s = pc_time_format_rfc3339 (&t);
  is_str (s, "2026-11-23T04:40:44+01:00", "local zone offset");
  free (s);
  setenv ("TZ", "UTC", 1);
  tzset ();

  pc_error *err = NULL;
  struct timespec p = { 0 };
  is_int (pc_time_parse_rfc3339 ("2026-11-23T04:40:44.5+01:00", &p, &err), 0, "parse with offset");
  is_int (p.tv_sec, 1795405244, "seconds with the offset applied");
  is_int (p.tv_nsec, 500000000, "fraction");
  is_int (pc_time_parse_rfc3339 ("2026-11-23T03:40:44Z", &p, &err), 0, "parse Z");
  is_int (p.tv_sec, 1795405244, "Z seconds");
  ok (pc_time_parse_rfc3339 ("2026-11-23 03:40:44", &p, &err) < 0, "space instead of T is rejected");
  ok (err && err->status == EINVAL, "with EINVAL");
  pc_error_clear (&err);
  ok (pc_time_parse_rfc3339 ("2026-02-30T00:00:00Z", &p, &err) < 0, "Feb 30 is rejected");
  pc_error_clear (&err);

  /* --since / --until values */
  is_int (pc_parse_time_or_duration ("2026-11-23T03:40:44Z", &p, &err), 0, "RFC3339");
  is_int (p.tv_sec, 1795405244, "RFC3339 value");
  is_int (pc_parse_time_or_duration ("2026-11-23", &p, &err), 0, "date only");
  is_int (p.tv_sec, 1795392000, "date at UTC midnight");
  is_int (pc_parse_time_or_duration ("1795405244.25", &p, &err), 0, "unix seconds");
  is_int (p.tv_sec, 1795405244, "unix seconds value");
  is_int (p.tv_nsec, 250000000, "unix fraction");
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  is_int (pc_parse_time_or_duration ("10m", &p, &err), 0, "duration");
  ok (labs ((long) (now.tv_sec - 600 - p.tv_sec)) <= 1, "10m before now");
  ok (pc_parse_time_or_duration ("yesterday", &p, &err) < 0, "garbage is rejected");
  is_str (err ? err->msg : NULL, "unable to interpret time value \"yesterday\"", "message");
  pc_error_clear (&err);

  return done_testing ();
}
