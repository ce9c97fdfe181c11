#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/error.h"
#include "lib/parse.h"
#include "tests/unit/tap.h"

static int64_t
size_of (const char *s)
{
  pc_error *err = NULL;
  int64_t v = -12345;
  if (pc_parse_size (s, &v, &err) < 0)
    {
      pc_error_free (err);
      return -1;
    }
  return v;
}

static int64_t
dur_of (const char *s, int *failed)
{
  pc_error *err = NULL;
  int64_t v = 0;
  *failed = pc_parse_duration (s, &v, &err) < 0;
  pc_error_free (err);
  return v;
}

static int
sig_of (const char *s)
{
  pc_error *err = NULL;
  int v = -1;
  if (pc_parse_signal (s, &v, &err) < 0)
    {
      pc_error_free (err);
      return -1;
    }
  return v;
}

int
main (void)
{
  /* sizes */
  is_int (size_of ("512"), 512, "plain bytes");
  is_int (size_of ("512b"), 512, "b suffix");
  is_int (size_of ("10k"), 10240, "k is binary");
  is_int (size_of ("10KB"), 10240, "KB case-insensitive");
  is_int (size_of ("64m"), 64LL << 20, "64m");
  is_int (size_of ("1g"), 1LL << 30, "1g");
  is_int (size_of ("1.5g"), 3LL << 29, "decimal fraction 1.5g");
  is_int (size_of ("1.5GiB"), 3LL << 29, "GiB");
  is_int (size_of ("2 t"), 2LL << 40, "optional space before the unit");
  is_int (size_of ("1p"), 1LL << 50, "p");
  is_int (size_of ("0"), 0, "zero");
  is_int (size_of (""), -1, "empty is an error");
  is_int (size_of ("abc"), -1, "letters are an error");
  is_int (size_of ("-1"), -1, "negative is an error");
  is_int (size_of ("10x"), -1, "unknown unit is an error");
  is_int (size_of ("1.2.3m"), -1, "two dots are an error");
  is_int (size_of ("10mbb"), -1, "trailing garbage is an error");
  {
    pc_error *err = NULL;
    int64_t v;
    pc_parse_size ("12q", &v, &err);
    is_str (err ? err->msg : NULL, "invalid size: '12q'", "size error text like docker's");
    pc_error_free (err);
  }

  /* durations */
  int f;
  is_int (dur_of ("10s", &f), 10000000000LL, "10s");
  ok (!f, "10s parses");
  is_int (dur_of ("1m30s", &f), 90000000000LL, "1m30s");
  is_int (dur_of ("250ms", &f), 250000000LL, "250ms");
  is_int (dur_of ("2h", &f), 7200000000000LL, "2h");
  is_int (dur_of ("1h2m3.5s", &f), 3723500000000LL, "combined with a fraction");
  is_int (dur_of ("-1.5h", &f), -5400000000000LL, "negative fraction of hours");
  ok (!f, "-1.5h parses");
  is_int (dur_of ("3us", &f), 3000, "us");
  is_int (dur_of ("3\xc2\xb5s", &f), 3000, "micro sign");
  is_int (dur_of ("7ns", &f), 7, "ns");
  is_int (dur_of ("0", &f), 0, "bare 0");
  ok (!f, "bare 0 is fine");
  is_int (dur_of (".5s", &f), 500000000, "leading dot");
  ok (!f, ".5s parses");
  dur_of ("10", &f);
  ok (f, "plain 10 is an error (missing unit)");
  dur_of ("", &f);
  ok (f, "empty is an error");
  dur_of ("10d", &f);
  ok (f, "unknown unit d is an error");
  dur_of ("1.s.", &f);
  ok (f, "garbage is an error");
  dur_of ("9999999999h", &f);
  ok (f, "overflow is an error");
  {
    pc_error *err = NULL;
    int64_t v;
    pc_parse_duration ("10", &v, &err);
    is_str (err ? err->msg : NULL, "time: missing unit in duration \"10\"", "Go's message");
    pc_error_free (err);
    err = NULL;
    pc_parse_duration ("5x", &v, &err);
    is_str (err ? err->msg : NULL, "time: unknown unit \"x\" in duration \"5x\"", "unknown unit message");
    pc_error_free (err);
  }

  /* signals */
  is_int (sig_of ("TERM"), SIGTERM, "TERM");
  is_int (sig_of ("SIGTERM"), SIGTERM, "SIGTERM");
  is_int (sig_of ("sigkill"), SIGKILL, "lower case sigkill");
  is_int (sig_of ("hup"), SIGHUP, "hup");
  is_int (sig_of ("15"), 15, "number");
  is_int (sig_of ("9"), 9, "number 9");
  is_int (sig_of ("RTMIN"), 34, "RTMIN");
  is_int (sig_of ("RTMIN+3"), 37, "RTMIN+3");
  is_int (sig_of ("SIGRTMAX-1"), 63, "SIGRTMAX-1");
  is_int (sig_of ("RTMAX"), 64, "RTMAX");
  is_int (sig_of ("IOT"), SIGABRT, "alias IOT");
  is_int (sig_of ("SIGCLD"), SIGCHLD, "alias CLD");
  is_int (sig_of ("0"), -1, "0 is invalid");
  is_int (sig_of ("65"), -1, "65 is invalid");
  is_int (sig_of ("32"), -1, "32 (glibc-reserved) is invalid");
  is_int (sig_of ("FOO"), -1, "unknown name");
  is_int (sig_of (""), -1, "empty");
  is_int (sig_of ("RTMIN+31"), -1, "RTMIN+31 is out of range");
  {
    pc_error *err = NULL;
    int v;
    pc_parse_signal ("BOGUS", &v, &err);
    is_str (err ? err->msg : NULL, "invalid signal: BOGUS", "podman's message");
    pc_error_free (err);
  }
  is_str (pc_signal_name (SIGTERM), "SIGTERM", "name of 15");
  is_str (pc_signal_name (SIGCHLD), "SIGCHLD", "name of 17");
  is_str (pc_signal_name (37), "SIGRTMIN+3", "name of 37");
  is_str (pc_signal_name (63), "SIGRTMAX-1", "name of 63");
  ok (pc_signal_name (0) == NULL && pc_signal_name (65) == NULL, "invalid numbers have no name");
  for (int s = 1; s <= 64; s++)
    if (pc_signal_name (s) != NULL && sig_of (pc_signal_name (s)) != s)
      ok (0, "round trip of %d", s);
  ok (1, "every name parses back to its number");

  return done_testing ();
}
