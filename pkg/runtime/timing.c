/* Checkpoints of the container process's setup, for the debug line that
   comes with "ready" ("container setup: ..."). The child inherits the
   parent's base time (taken just before the clone), so each step's time is
   what it added to the parent's wait. clock_gettime is a vDSO call: the
   marks cost nothing worth skipping them for. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pkg/runtime/internal.h"

#define RT_MARKS_MAX 24

static double base_ms;
static struct
{
  const char *name;
  double t;
} marks[RT_MARKS_MAX];
static size_t n_marks;

double
rt_now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

void
rt_marks_begin (void)
{
  base_ms = rt_now_ms ();
  n_marks = 0;
}

void
rt_mark (const char *name)
{
  if (n_marks < RT_MARKS_MAX)
    {
      marks[n_marks].name = name;
      marks[n_marks].t = rt_now_ms ();
      n_marks++;
    }
}

/* "name +0.12 ms, ..." for each step, its time since the one before. */
void
rt_marks_format (char *buf, size_t size)
{
  size_t len = 0;
  double prev = base_ms;
  buf[0] = '\0';
  for (size_t i = 0; i < n_marks && len < size; i++)
    {
      int n = snprintf (buf + len, size - len, "%s%s %.2f ms", i ? ", " : "", marks[i].name,
                        marks[i].t - prev);
      if (n < 0)
        break;
      len += (size_t) n;
      prev = marks[i].t;
    }
}
