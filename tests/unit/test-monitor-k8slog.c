/* k8s-file log lines: the monitor's writer, the parser, tail, and what
   pc_monitor_logs prints. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "pkg/monitor/k8slog.h"
#include "pkg/monitor/monitor.h"
#include "tests/unit/tap.h"

static char dir[] = "/tmp/pc-test-k8slog.XXXXXX";

static const char *
slurp (const char *path)
{
  static char buf[1 << 20];
  buf[0] = '\0';
  FILE *f = fopen (path, "r");
  if (f == NULL)
    return buf;
  size_t n = fread (buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose (f);
  return buf;
}

static char *
fd_text (int fd)
{
  static char buf[1 << 20];
  lseek (fd, 0, SEEK_SET);
  ssize_t n = read (fd, buf, sizeof buf - 1);
  buf[n < 0 ? 0 : n] = '\0';
  return buf;
}

static void
write_text (const char *path, const char *s)
{
  FILE *f = fopen (path, "w");
  fputs (s, f);
  fclose (f);
}

/* Runs pc_monitor_logs on path; *out and *err get what it printed. */
static int
logs (const char *path, struct pc_log_options *o, char **out, char **errtext)
{
  static char obuf[1 << 16], ebuf[1 << 16];
  int ofd = memfd_create ("out", 0), efd = memfd_create ("err", 0);
  pc_error *err = NULL;
  int r = pc_monitor_logs (path, o, ofd, efd, NULL, &err);
  if (r < 0)
    {
      printf ("# pc_monitor_logs: %s\n", err->msg);
      pc_error_free (err);
    }
  snprintf (obuf, sizeof obuf, "%s", fd_text (ofd));
  snprintf (ebuf, sizeof ebuf, "%s", fd_text (efd));
  *out = obuf;
  *errtext = ebuf;
  close (ofd);
  close (efd);
  return r;
}

static void
test_timestamps (void)
{
  char buf[PC_K8S_TS_MAX];
  struct timespec t = { 0, 5 };
  setenv ("TZ", "UTC", 1);
  tzset ();
  pc_k8s_format_timestamp (&t, buf);
  is_str (buf, "1970-01-01T00:00:00.000000005+00:00", "timestamp: nanoseconds, +00:00 in UTC");
  setenv ("TZ", "EST5", 1);
  tzset ();
  t.tv_sec = 3600;
  pc_k8s_format_timestamp (&t, buf);
  is_str (buf, "1969-12-31T20:00:00.000000005-05:00", "timestamp in the local zone with its offset");
  setenv ("TZ", "UTC", 1);
  tzset ();

  struct timespec p;
  is_int (pc_k8s_parse_time ("1969-12-31T20:00:00.000000005-05:00", 35, &p), 0, "parse offset time");
  ok (p.tv_sec == 3600 && p.tv_nsec == 5, "offset applied: %ld.%09ld", (long) p.tv_sec, p.tv_nsec);
  is_int (pc_k8s_parse_time ("2026-11-23T03:40:44.5Z", 22, &p), 0, "parse Z and a short fraction");
  ok (p.tv_sec == 1795405244 && p.tv_nsec == 500000000, "value %ld.%09ld", (long) p.tv_sec, p.tv_nsec);
  is_int (pc_k8s_parse_time ("2026-11-23T03:40:44Z", 20, &p), 0, "parse without fraction");
  is_int (pc_k8s_parse_time ("2026-13-23T03:40:44Z", 20, &p), -1, "month 13 is refused");
  is_int (pc_k8s_parse_time ("2026-11-23 03:40:44Z", 20, &p), -1, "space instead of T is refused");
  is_int (pc_k8s_parse_time ("2026-11-23T03:40:44+0100", 24, &p), -1, "offset without colon is refused");

  const char *in = "2026-11-23T03:40:44.123000000+00:00";
  pc_k8s_go_timestamp (in, strlen (in), buf);
  is_str (buf, "2026-11-23T03:40:44.123Z", "Go RFC3339Nano: zeros trimmed, Z for UTC");
  in = "2026-11-23T03:40:44.000000000+01:00";
  pc_k8s_go_timestamp (in, strlen (in), buf);
  is_str (buf, "2026-11-23T03:40:44+01:00", "Go RFC3339Nano: no fraction when zero, offset kept");
  in = "2026-11-23T03:40:44.100000001-05:30";
  pc_k8s_go_timestamp (in, strlen (in), buf);
  is_str (buf, "2026-11-23T03:40:44.100000001-05:30", "full precision kept");
}

static void
test_parse_line (void)
{
  struct pc_k8s_line l;
  const char *s = "2026-11-23T03:40:44.123456789+00:00 stderr P hello world";
  is_int (pc_k8s_parse_line (s, strlen (s), &l), 0, "parse a partial stderr line");
  ok (l.is_stderr && l.partial, "stream and tag");
  ok (l.msg_len == 11 && memcmp (l.msg, "hello world", 11) == 0, "message");
  ok (l.ts_len == 35, "timestamp text");
  s = "2026-11-23T03:40:44.123456789+00:00 stdout F ";
  is_int (pc_k8s_parse_line (s, strlen (s), &l), 0, "empty full line");
  ok (!l.is_stderr && !l.partial && l.msg_len == 0, "empty stdout F");
  s = "2026-11-23T03:40:44.123456789+00:00 stdout F  two spaces";
  pc_k8s_parse_line (s, strlen (s), &l);
  ok (l.msg_len == 11 && l.msg[0] == ' ', "leading space of the text is kept");
  s = "2026-11-23T03:40:44.123456789+00:00 stdin F x";
  is_int (pc_k8s_parse_line (s, strlen (s), &l), -1, "unknown stream refused");
  s = "garbage";
  is_int (pc_k8s_parse_line (s, strlen (s), &l), -1, "garbage refused");
  s = "2026-11-23T03:40:44.123456789+00:00 stdout X x";
  is_int (pc_k8s_parse_line (s, strlen (s), &l), -1, "unknown tag refused");
}

static void
test_writer (void)
{
  char path[256];
  snprintf (path, sizeof path, "%s/w.log", dir);
  struct pc_k8s_writer w;
  pc_error *err = NULL;
  is_int (pc_k8s_writer_open (&w, path, 0, &err), 0, "open writer");
  struct timespec t = { 1795405244, 1 };
  pc_k8s_write (&w, false, "a\nbc", 4, &t, &err);
  pc_k8s_write (&w, true, "x\n\n", 3, &t, &err);
  pc_k8s_write (&w, false, "d\n", 2, &t, &err);
  pc_k8s_writer_close (&w);
  is_str (slurp (path),
          "2026-11-23T03:40:44.000000001+00:00 stdout F a\n"
          "2026-11-23T03:40:44.000000001+00:00 stdout P bc\n"
          "2026-11-23T03:40:44.000000001+00:00 stderr F x\n"
          "2026-11-23T03:40:44.000000001+00:00 stderr F \n"
          "2026-11-23T03:40:44.000000001+00:00 stdout F d\n",
          "F per newline, P for the rest of a chunk, empty lines kept");

  struct pc_log_options o = { .tail = -1 };
  char *out, *errt;
  logs (path, &o, &out, &errt);
  is_str (out, "a\nbcd\n", "logs: partial joined with the next full line");
  is_str (errt, "x\n\n", "logs: stderr lines on err_fd");

  /* log-size-max: the file starts over instead of growing. */
  snprintf (path, sizeof path, "%s/max.log", dir);
  is_int (pc_k8s_writer_open (&w, path, 200, &err), 0, "open writer with max size");
  char chunk[64];
  for (int i = 0; i < 20; i++)
    {
      int n = snprintf (chunk, sizeof chunk, "line %d\n", i);
      pc_k8s_write (&w, false, chunk, (size_t) n, &t, &err);
    }
  pc_k8s_writer_close (&w);
  struct stat st;
  stat (path, &st);
  ok (st.st_size <= 200 && st.st_size > 0, "log stays under the max size (%ld)", (long) st.st_size);
  logs (path, &o, &out, &errt);
  ok (strstr (out, "line 19\n") != NULL && strstr (out, "line 0\n") == NULL,
      "latest lines kept, oldest dropped");
}

#define TS "2026-11-23T03:40:4"
static void
test_logs (void)
{
  char path[256];
  snprintf (path, sizeof path, "%s/l.log", dir);
  write_text (path,
              TS "0.000000000+00:00 stdout F one\n"
              TS "1.000000000+00:00 stderr F e1\n"
              TS "2.000000000+00:00 stdout P tw\n"
              TS "3.000000000+00:00 stdout F o\n"
              TS "4.000000000+00:00 stdout F three\n"
              TS "5.000000000+00:00 stdout P tail-part\n");
  struct pc_log_options o = { .tail = -1 };
  char *out, *errt;
  is_int (logs (path, &o, &out, &errt), 0, "logs");
  is_str (out, "one\ntwo\nthree\ntail-part", "stdout, partials joined, trailing partial without newline");
  is_str (errt, "e1\n", "stderr apart");

  o.tail = 1;
  logs (path, &o, &out, &errt);
  is_str (out, "three\ntail-part", "--tail 1: last full line and the partial after it");
  is_str (errt, "", "--tail 1: older stderr line not shown");
  o.tail = 2;
  logs (path, &o, &out, &errt);
  is_str (out, "two\nthree\ntail-part", "--tail 2: the joined line counts once");
  o.tail = 4;
  logs (path, &o, &out, &errt);
  is_str (out, "one\ntwo\nthree\ntail-part", "--tail 4: everything (first line included)");
  is_str (errt, "e1\n", "--tail 4: stderr too");
  o.tail = 3;
  logs (path, &o, &out, &errt);
  is_str (out, "two\nthree\ntail-part", "--tail 3 starts after the 4th full line from the end");
  is_str (errt, "e1\n", "--tail 3 includes the stderr line");
  o.tail = 100;
  logs (path, &o, &out, &errt);
  is_str (out, "one\ntwo\nthree\ntail-part", "--tail larger than the log");
  o.tail = 0;
  logs (path, &o, &out, &errt);
  is_str (out, "", "--tail 0 prints nothing");

  o.tail = -1;
  pc_k8s_parse_time (TS "1.000000000Z", 20 + 10, &o.since);
  pc_k8s_parse_time (TS "3.500000000Z", 20 + 10, &o.until);
  logs (path, &o, &out, &errt);
  is_str (out, "two\n", "--since/--until select by time");
  is_str (errt, "e1\n", "--since is inclusive");
  memset (&o.since, 0, sizeof o.since);
  memset (&o.until, 0, sizeof o.until);

  o.timestamps = true;
  o.tail = 1;
  logs (path, &o, &out, &errt);
  is_str (out, TS "4Z three\n" TS "5Z tail-part", "--timestamps as podman prints them");

  /* A log bigger than one read block. */
  snprintf (path, sizeof path, "%s/big.log", dir);
  FILE *f = fopen (path, "w");
  for (int i = 0; i < 20000; i++)
    fprintf (f, TS "0.%09d+00:00 stdout F line %d\n", i, i);
  fclose (f);
  o.timestamps = false;
  o.tail = 3;
  logs (path, &o, &out, &errt);
  is_str (out, "line 19997\nline 19998\nline 19999\n", "--tail 3 of a big log");
  o.tail = 5000;
  logs (path, &o, &out, &errt);
  ok (strncmp (out, "line 15000\n", 11) == 0, "--tail 5000 crosses read blocks");

  pc_error *err = NULL;
  is_int (pc_monitor_logs (NULL, &o, 1, 2, NULL, &err), -1, "no log path: error");
  is_str (err ? err->msg : NULL, "this container is not logging output", "message as podman's");
  pc_error_free (err);
}

int
main (void)
{
  if (mkdtemp (dir) == NULL)
    return 1;
  test_timestamps ();
  test_parse_line ();
  test_writer ();
  test_logs ();
  char cmd[300];
  snprintf (cmd, sizeof cmd, "rm -rf %s", dir);
  if (system (cmd) != 0)
    return 1;
  return done_testing ();
}
