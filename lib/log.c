#include "lib/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

static void
vlog (enum pc_log_level level, const char *tag, const char *fmt, va_list ap)
{
  if (level > current)
    return;
  char buf[4096];
  vsnprintf (buf, sizeof buf, fmt, ap);
  /* One write so lines from concurrent processes do not interleave. */
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
