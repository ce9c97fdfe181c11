#include "lib/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum pc_log_level current = PC_LOG_WARN;

void
pc_log_set_level (enum pc_log_level level)
{
  current = level;
}

enum pc_log_level
pc_log_get_level (void)
{
  return current;
}

int
pc_log_level_from_name (const char *name)
{
  static const char *const names[] = { "error", "warn", "info", "debug" };
  for (int i = 0; i < 4; i++)
    if (strcmp (name, names[i]) == 0)
      return i;
  if (strcmp (name, "warning") == 0)
    return PC_LOG_WARN;
  if (strcmp (name, "fatal") == 0 || strcmp (name, "panic") == 0)
    return PC_LOG_ERROR;
  if (strcmp (name, "trace") == 0)
    return PC_LOG_DEBUG;
  return -1;
}

/* Debug lines carry the milliseconds since pc started, so `--log-level
   debug` shows where the time of a command goes (forked monitors keep the
   same origin). */
static struct timespec origin;

__attribute__ ((constructor)) static void
log_origin (void)
{
  clock_gettime (CLOCK_MONOTONIC, &origin);
}

static void
vlog (enum pc_log_level level, const char *tag, const char *fmt, va_list ap)
{
  if (level > current)
    return;
  char buf[4096];
  vsnprintf (buf, sizeof buf, fmt, ap);
  /* One write so lines from concurrent processes do not interleave. */
  if (level == PC_LOG_DEBUG)
    {
      struct timespec now;
      clock_gettime (CLOCK_MONOTONIC, &now);
      double ms = (double) (now.tv_sec - origin.tv_sec) * 1e3
                  + (double) (now.tv_nsec - origin.tv_nsec) / 1e6;
      fprintf (stderr, "%s[%7.2f ms] %s\n", tag, ms, buf);
    }
  else
    fprintf (stderr, "%s: %s\n", tag, buf);
}

#define DEFINE_LOG(fn, level, tag)                                      \
  void fn (const char *fmt, ...)                                        \
  {                                                                     \
    va_list ap;                                                         \
    va_start (ap, fmt);                                                 \
    vlog (level, tag, fmt, ap);                                         \
    va_end (ap);                                                        \
  }

DEFINE_LOG (pc_warn, PC_LOG_WARN, "WARN")
DEFINE_LOG (pc_info, PC_LOG_INFO, "INFO")
DEFINE_LOG (pc_debug, PC_LOG_DEBUG, "DEBUG")
