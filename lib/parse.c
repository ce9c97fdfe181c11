#include "lib/parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- sizes: docker's RAMInBytes, ^(\d+(\.\d+)*) ?([kmgtp])?i?b?$ ---- */

int
pc_parse_size (const char *s, int64_t *bytes, pc_error **err)
{
  const char *p = s;
  if (!isdigit ((unsigned char) *p))
    return pc_error_make (err, EINVAL, "invalid size: '%s'", s);
  while (isdigit ((unsigned char) *p) || (*p == '.' && isdigit ((unsigned char) p[1])))
    p++;
  size_t numlen = (size_t) (p - s);
  char num[64];
  if (numlen >= sizeof num)
    return pc_error_make (err, EINVAL, "invalid size: '%s'", s);
  memcpy (num, s, numlen);
  num[numlen] = '\0';
  if (strchr (num, '.') != strrchr (num, '.'))
    return pc_error_make (err, EINVAL, "invalid size: '%s'", s);

  if (*p == ' ')
    p++;
  double mul = 1;
  const char *units = "kmgtp";
  const char *u = *p ? strchr (units, tolower ((unsigned char) *p)) : NULL;
  if (u != NULL)
    {
      for (const char *q = units; q <= u; q++)
        mul *= 1024;
      p++;
    }
  if (*p == 'i' || *p == 'I')
    p++;
  if (*p == 'b' || *p == 'B')
    p++;
  if (*p != '\0')
    return pc_error_make (err, EINVAL, "invalid size: '%s'", s);

  errno = 0;
  double v = strtod (num, NULL) * mul;
  if (errno != 0 || !(v < 9223372036854775807.0))
    return pc_error_make (err, ERANGE, "invalid size: '%s': too large", s);
  *bytes = (int64_t) v;
  return 0;
}

/* ---- durations: Go's time.ParseDuration ---- */

static const struct
{
  const char *name;
  uint64_t ns;
} duration_units[] = {
  { "ns", 1 },
  { "us", 1000 },
  { "\xc2\xb5s", 1000 },  /* U+00B5 micro sign */
  { "\xce\xbcs", 1000 },  /* U+03BC Greek mu */
  { "ms", 1000000 },
  { "s", 1000000000ULL },
  { "m", 60ULL * 1000000000ULL },
  { "h", 3600ULL * 1000000000ULL },
};

int
pc_parse_duration (const char *s, int64_t *nsec, pc_error **err)
{
  const char *p = s;
  bool neg = false;
  if (*p == '-' || *p == '+')
    neg = *p++ == '-';
  if (strcmp (p, "0") == 0)
    {
      *nsec = 0;
      return 0;
    }
  if (*p == '\0')
    return pc_error_make (err, EINVAL, "time: invalid duration \"%s\"", s);

  uint64_t total = 0;
  while (*p)
    {
      if (!(*p == '.' || isdigit ((unsigned char) *p)))
        return pc_error_make (err, EINVAL, "time: invalid duration \"%s\"", s);
      uint64_t v = 0;
      bool pre = false, post = false, overflow = false;
      for (; isdigit ((unsigned char) *p); p++)
        {
          if (v > (UINT64_MAX - 9) / 10)
            overflow = true;
          v = v * 10 + (uint64_t) (*p - '0');
          pre = true;
        }
      uint64_t f = 0;
      double scale = 1;
      if (*p == '.')
        {
          p++;
          for (; isdigit ((unsigned char) *p); p++)
            {
              post = true;
              if (f > (UINT64_MAX - 9) / 10)
                continue;  /* extra precision does not matter */
              f = f * 10 + (uint64_t) (*p - '0');
              scale *= 10;
            }
        }
      if (!pre && !post)
        return pc_error_make (err, EINVAL, "time: invalid duration \"%s\"", s);
      if (overflow)
        return pc_error_make (err, ERANGE, "time: invalid duration \"%s\"", s);

      const char *ustart = p;
      while (*p && *p != '.' && !isdigit ((unsigned char) *p))
        p++;
      size_t ulen = (size_t) (p - ustart);
      if (ulen == 0)
        return pc_error_make (err, EINVAL, "time: missing unit in duration \"%s\"", s);
      uint64_t unit = 0;
      for (size_t i = 0; i < sizeof duration_units / sizeof duration_units[0]; i++)
        if (strlen (duration_units[i].name) == ulen
            && strncmp (duration_units[i].name, ustart, ulen) == 0)
          unit = duration_units[i].ns;
      if (unit == 0)
        return pc_error_make (err, EINVAL, "time: unknown unit \"%.*s\" in duration \"%s\"",
                              (int) ulen, ustart, s);
      if (v > (1ULL << 63) / unit)
        return pc_error_make (err, ERANGE, "time: invalid duration \"%s\"", s);
      v *= unit;
      if (f > 0)
        {
          v += (uint64_t) ((double) f * ((double) unit / scale));
          if (v > (1ULL << 63))
            return pc_error_make (err, ERANGE, "time: invalid duration \"%s\"", s);
        }
      total += v;
      if (total > (1ULL << 63))
        return pc_error_make (err, ERANGE, "time: invalid duration \"%s\"", s);
    }
  if (total == (1ULL << 63) && !neg)
    return pc_error_make (err, ERANGE, "time: invalid duration \"%s\"", s);
  *nsec = neg ? (int64_t) (0 - total) : (int64_t) total;
  return 0;
}

/* ---- signals, with the kernel's (not glibc's) real-time range as podman uses ---- */

#define PC_SIGRTMIN 34
#define PC_SIGRTMAX 64

static const char *const signal_names[PC_SIGRTMAX + 1] = {
  [1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL", [5] = "SIGTRAP",
  [6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE", [9] = "SIGKILL", [10] = "SIGUSR1",
  [11] = "SIGSEGV", [12] = "SIGUSR2", [13] = "SIGPIPE", [14] = "SIGALRM", [15] = "SIGTERM",
  [16] = "SIGSTKFLT", [17] = "SIGCHLD", [18] = "SIGCONT", [19] = "SIGSTOP", [20] = "SIGTSTP",
  [21] = "SIGTTIN", [22] = "SIGTTOU", [23] = "SIGURG", [24] = "SIGXCPU", [25] = "SIGXFSZ",
  [26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH", [29] = "SIGIO", [30] = "SIGPWR",
  [31] = "SIGSYS",
  [34] = "SIGRTMIN", [35] = "SIGRTMIN+1", [36] = "SIGRTMIN+2", [37] = "SIGRTMIN+3",
  [38] = "SIGRTMIN+4", [39] = "SIGRTMIN+5", [40] = "SIGRTMIN+6", [41] = "SIGRTMIN+7",
  [42] = "SIGRTMIN+8", [43] = "SIGRTMIN+9", [44] = "SIGRTMIN+10", [45] = "SIGRTMIN+11",
  [46] = "SIGRTMIN+12", [47] = "SIGRTMIN+13", [48] = "SIGRTMIN+14", [49] = "SIGRTMIN+15",
  [50] = "SIGRTMAX-14", [51] = "SIGRTMAX-13", [52] = "SIGRTMAX-12", [53] = "SIGRTMAX-11",
  [54] = "SIGRTMAX-10", [55] = "SIGRTMAX-9", [56] = "SIGRTMAX-8", [57] = "SIGRTMAX-7",
  [58] = "SIGRTMAX-6", [59] = "SIGRTMAX-5", [60] = "SIGRTMAX-4", [61] = "SIGRTMAX-3",
  [62] = "SIGRTMAX-2", [63] = "SIGRTMAX-1", [64] = "SIGRTMAX",
};

static const struct
{
  const char *name;
  int sig;
} signal_aliases[] = {
  { "IOT", 6 }, { "CLD", 17 }, { "POLL", 29 }, { "UNUSED", 31 },
};

const char *
pc_signal_name (int sig)
{
  if (sig < 1 || sig > PC_SIGRTMAX)
    return NULL;
  return signal_names[sig];
}

static bool
all_digits (const char *s)
{
  if (*s == '\0')
    return false;
  for (; *s; s++)
    if (!isdigit ((unsigned char) *s))
      return false;
  return true;
}

int
pc_parse_signal (const char *s, int *sig, pc_error **err)
{
  if (all_digits (s))
    {
      long n = strlen (s) > 3 ? 0 : strtol (s, NULL, 10);
      if (n < 1 || n > PC_SIGRTMAX || signal_names[n] == NULL)
        return pc_error_make (err, EINVAL, "invalid signal: %s", s);
      *sig = (int) n;
      return 0;
    }
  const char *name = s;
  if (strncasecmp (name, "SIG", 3) == 0)
    name += 3;
  for (int i = 1; i <= PC_SIGRTMAX; i++)
    if (signal_names[i] != NULL && strcasecmp (signal_names[i] + 3, name) == 0)
      {
        *sig = i;
        return 0;
      }
  for (size_t i = 0; i < sizeof signal_aliases / sizeof signal_aliases[0]; i++)
    if (strcasecmp (signal_aliases[i].name, name) == 0)
      {
        *sig = signal_aliases[i].sig;
        return 0;
      }
  /* Also RTMIN+0 / RTMAX-0 and numbers with a leading zero ("RTMIN+03"). */
  for (int pass = 0; pass < 2; pass++)
    {
      const char *pre = pass == 0 ? "RTMIN+" : "RTMAX-";
      if (strncasecmp (name, pre, 6) == 0 && all_digits (name + 6) && strlen (name + 6) <= 2)
        {
          int n = atoi (name + 6);
          int v = pass == 0 ? PC_SIGRTMIN + n : PC_SIGRTMAX - n;
          if (v >= PC_SIGRTMIN && v <= PC_SIGRTMAX)
            {
              *sig = v;
              return 0;
            }
        }
    }
  return pc_error_make (err, EINVAL, "invalid signal: %s", s);
}
