#include "lib/timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/parse.h"
#include "lib/xalloc.h"

char *
pc_time_format_rfc3339 (const struct timespec *t)
{
  struct tm tm;
  time_t sec = t->tv_sec;
  if (localtime_r (&sec, &tm) == NULL)
    gmtime_r (&sec, &tm);
  char date[64];
  strftime (date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);

  char frac[32] = "";
  if (t->tv_nsec > 0)
    {
      snprintf (frac, sizeof frac, ".%09ld", (long) t->tv_nsec);
      size_t n = strlen (frac);
      while (frac[n - 1] == '0')
        frac[--n] = '\0';
    }
  char zone[48];
  long off = tm.tm_gmtoff;
  if (off == 0)
    strcpy (zone, "Z");
  else
    {
      char sign = off < 0 ? '-' : '+';
      if (off < 0)
        off = -off;
      snprintf (zone, sizeof zone, "%c%02ld:%02ld", sign, off / 3600, (off / 60) % 60);
    }
  return xasprintf ("%s%s%s", date, frac, zone);
}

static bool
digits (const char **p, int n, int *out)
{
  int v = 0;
  for (int i = 0; i < n; i++)
    {
      if (!isdigit ((unsigned char) (*p)[i]))
        return false;
      v = v * 10 + ((*p)[i] - '0');
    }
  *p += n;
  *out = v;
  return true;
}

/* Parses "YYYY-MM-DD", then optionally "THH:MM:SS[.frac]", then optionally
   "Z" or "+hh:mm". need_time/need_zone say which parts are mandatory; a
   missing zone means UTC, as Go's time.Parse does. */
static int
parse_datetime (const char *s, bool need_time, bool need_zone, struct timespec *t)
{
  const char *p = s;
  int year, mon, day, hour = 0, min = 0, sec = 0;
  long nsec = 0;
  if (!digits (&p, 4, &year) || *p++ != '-' || !digits (&p, 2, &mon) || *p++ != '-'
      || !digits (&p, 2, &day))
    return -1;
  if (*p == 'T' || *p == 't')
    {
      p++;
      if (!digits (&p, 2, &hour) || *p++ != ':' || !digits (&p, 2, &min) || *p++ != ':'
          || !digits (&p, 2, &sec))
        return -1;
      if (*p == '.' || *p == ',')
        {
          p++;
          int n = 0;
          if (!isdigit ((unsigned char) *p))
            return -1;
          for (; isdigit ((unsigned char) *p); p++, n++)
            if (n < 9)
              nsec = nsec * 10 + (*p - '0');
          for (; n < 9; n++)
            nsec *= 10;
        }
    }
  else if (need_time)
    return -1;

  long offset = 0;
  if (*p == 'Z' || *p == 'z')
    p++;
  else if (*p == '+' || *p == '-')
    {
      int sign = *p++ == '-' ? -1 : 1, oh, om;
      if (!digits (&p, 2, &oh) || *p++ != ':' || !digits (&p, 2, &om) || oh > 23 || om > 59)
        return -1;
      offset = sign * (oh * 3600L + om * 60L);
    }
  else if (need_zone)
    return -1;
  if (*p != '\0')
    return -1;
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 59)
    return -1;

  struct tm tm = { .tm_year = year - 1900, .tm_mon = mon - 1, .tm_mday = day,
                   .tm_hour = hour, .tm_min = min, .tm_sec = sec };
  time_t base = timegm (&tm);
  if (tm.tm_mday != day)  /* February 30th and friends */
    return -1;
  t->tv_sec = base - offset;
  t->tv_nsec = nsec;
  return 0;
}

int
pc_time_parse_rfc3339 (const char *s, struct timespec *t, pc_error **err)
{
  if (parse_datetime (s, true, true, t) < 0)
    return pc_error_make (err, EINVAL, "parsing time \"%s\": not in RFC 3339 format", s);
  return 0;
}

char *
pc_time_human_ago (const struct timespec *then)
{
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  double d = (double) (now.tv_sec - then->tv_sec) + (double) (now.tv_nsec - then->tv_nsec) / 1e9;
  long seconds = (long) d;
  long minutes = (long) (d / 60);
  long hours = (long) (d / 3600 + 0.5);
  if (seconds < 1)
    return xstrdup ("Less than a second ago");
  if (seconds == 1)
    return xstrdup ("1 second ago");
  if (seconds < 60)
    return xasprintf ("%ld seconds ago", seconds);
  if (minutes == 1)
    return xstrdup ("About a minute ago");
  if (minutes < 60)
    return xasprintf ("%ld minutes ago", minutes);
  if (hours == 1)
    return xstrdup ("About an hour ago");
  if (hours < 48)
    return xasprintf ("%ld hours ago", hours);
  if (hours < 24 * 7 * 2)
    return xasprintf ("%ld days ago", hours / 24);
  if (hours < 24 * 30 * 2)
    return xasprintf ("%ld weeks ago", hours / 24 / 7);
  if (hours < 24 * 365 * 2)
    return xasprintf ("%ld months ago", hours / 24 / 30);
  return xasprintf ("%ld years ago", (long) (d / 3600 / 24 / 365));
}

char *
pc_size_human (int64_t bytes)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB" };
  double size = (double) bytes;
  size_t i = 0;
  while ((size >= 1000 || size <= -1000) && i < sizeof units / sizeof units[0] - 1)
    {
      size /= 1000;
      i++;
    }
  return xasprintf ("%.3g %s", size, units[i]);
}

int
pc_parse_time_or_duration (const char *s, struct timespec *t, pc_error **err)
{
  /* The forms podman accepts, in its order: RFC 3339 with or without zone or
     fraction, a date with or without zone; then unix seconds; then a duration. */
  if (parse_datetime (s, false, false, t) == 0)
    return 0;

  char *end = NULL;
  errno = 0;
  double v = strtod (s, &end);
  if (*s && end && *end == '\0' && errno == 0 && (isdigit ((unsigned char) *s) || *s == '-' || *s == '+' || *s == '.'))
    {
      /* Split the string, not the double, so nanoseconds stay exact. */
      const char *dot = strchr (s, '.');
      t->tv_sec = (time_t) strtoll (s, NULL, 10);
      t->tv_nsec = 0;
      if (dot != NULL)
        {
          long ns = 0;
          int n = 0;
          for (const char *q = dot + 1; isdigit ((unsigned char) *q); q++, n++)
            if (n < 9)
              ns = ns * 10 + (*q - '0');
          for (; n < 9; n++)
            ns *= 10;
          t->tv_nsec = v < 0 ? -ns : ns;
          if (t->tv_nsec < 0)
            {
              t->tv_sec--;
              t->tv_nsec += 1000000000L;
            }
        }
      return 0;
    }

  int64_t ns = 0;
  pc_error *derr = NULL;
  if (pc_parse_duration (s, &ns, &derr) < 0)
    {
      pc_error_free (derr);
      return pc_error_make (err, EINVAL, "unable to interpret time value \"%s\"", s);
    }
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  int64_t total = (int64_t) now.tv_sec * 1000000000LL + now.tv_nsec - ns;
  t->tv_sec = (time_t) (total / 1000000000LL);
  t->tv_nsec = (long) (total % 1000000000LL);
  if (t->tv_nsec < 0)
    {
      t->tv_sec--;
      t->tv_nsec += 1000000000L;
    }
  return 0;
}

int64_t
pc_monotonic_ms (void)
{
  struct timespec t;
  clock_gettime (CLOCK_MONOTONIC, &t);
  return (int64_t) t.tv_sec * 1000 + t.tv_nsec / 1000000;
}
