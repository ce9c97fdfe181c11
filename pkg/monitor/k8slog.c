/* k8s-file log lines: writing them in the monitor, parsing them in `pc logs`. */
#include "pkg/monitor/k8slog.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

size_t
pc_k8s_format_timestamp (const struct timespec *ts, char out[PC_K8S_TS_MAX])
{
  struct tm tm;
  localtime_r (&ts->tv_sec, &tm);
  long off = tm.tm_gmtoff;
  char sign = '+';
  if (off < 0)
    {
      sign = '-';
      off = -off;
    }
  int n = snprintf (out, PC_K8S_TS_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%09ld%c%02ld:%02ld",
                    (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100, tm.tm_mday % 100,
                    tm.tm_hour % 100, tm.tm_min % 100, tm.tm_sec % 100,
                    ts->tv_nsec % 1000000000L, sign, (off / 3600) % 100, (off % 3600) / 60);
  return n < 0 ? 0 : (size_t) n;
}

int
pc_k8s_writer_open (struct pc_k8s_writer *w, const char *path, int64_t max_size, pc_error **err)
{
  memset (w, 0, sizeof *w);
  w->fd = -1;
  w->max_size = max_size;
  int fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
  if (fd < 0)
    return pc_error_errno (err, errno, "open log file `%s`", path);
  struct stat st;
  if (fstat (fd, &st) == 0)
    w->written = st.st_size;
  w->fd = fd;
  return 0;
}

void
pc_k8s_writer_close (struct pc_k8s_writer *w)
{
  if (w->fd >= 0)
    close (w->fd);
  w->fd = -1;
  free (w->buf);
  w->buf = NULL;
  w->buf_cap = 0;
}

/* writev until everything is out; advances the iovecs on short writes. */
static int
writev_all (int fd, struct iovec *iov, int n, pc_error **err)
{
  while (n > 0)
    {
      ssize_t r = writev (fd, iov, n);
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          return pc_error_errno (err, errno, "write log");
        }
      size_t done = (size_t) r;
      while (n > 0 && done >= iov->iov_len)
        {
          done -= iov->iov_len;
          iov++;
          n--;
        }
      if (n > 0)
        {
          iov->iov_base = (char *) iov->iov_base + done;
          iov->iov_len -= done;
        }
    }
  return 0;
}

#define LINES_PER_WRITE 256

int
pc_k8s_write (struct pc_k8s_writer *w, bool is_stderr, const char *data, size_t len,
              const struct timespec *now, pc_error **err)
{
  if (w->fd < 0 || len == 0)
    return 0;
  char full[PC_K8S_TS_MAX + 16], part[PC_K8S_TS_MAX + 16];
  size_t tl = pc_k8s_format_timestamp (now, full);
  const char *tail_f = is_stderr ? " stderr F " : " stdout F ";
  memcpy (full + tl, tail_f, 10);
  memcpy (part, full, tl + 10);
  part[tl + 8] = 'P';
  size_t pl = tl + 10;

  /* One writev per batch of lines, the text straight from `data`. */
  struct iovec iov[LINES_PER_WRITE * 3];
  int n = 0;
  int64_t batch = 0;
  size_t pos = 0;
  while (pos < len)
    {
      const char *nl = memchr (data + pos, '\n', len - pos);
      size_t ll = nl ? (size_t) (nl - (data + pos)) : len - pos;
      int64_t need = (int64_t) (pl + ll + 1);
      if (n == LINES_PER_WRITE * 3
          || (w->max_size > 0 && w->written + batch + need > w->max_size))
        {
          if (writev_all (w->fd, iov, n, err) < 0)
            return -1;
          w->written += batch;
          n = 0;
          batch = 0;
          if (w->max_size > 0 && w->written + need > w->max_size)
            {
              /* conmon's log-size-max: the file starts over. */
              if (ftruncate (w->fd, 0) < 0)
                return pc_error_errno (err, errno, "truncate log");
              w->written = 0;
            }
        }
      iov[n++] = (struct iovec) { nl ? full : part, pl };
      iov[n++] = (struct iovec) { (void *) (data + pos), ll };
      iov[n++] = (struct iovec) { (void *) "\n", 1 };
      batch += need;
      pos += ll + (nl ? 1 : 0);
    }
  if (n > 0)
    {
      if (writev_all (w->fd, iov, n, err) < 0)
        return -1;
      w->written += batch;
    }
  return 0;
}

static int
digits (const char *s, size_t n, int *out)
{
  int v = 0;
  for (size_t i = 0; i < n; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        return -1;
      v = v * 10 + (s[i] - '0');
    }
  *out = v;
  return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
   civil calendar arithmetic). */
static int64_t
days_from_civil (int64_t y, int m, int d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int
pc_k8s_parse_time (const char *s, size_t len, struct timespec *out)
{
  int y, mo, d, h, mi, sec;
  if (len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':'
      || s[16] != ':')
    return -1;
  if (digits (s, 4, &y) < 0 || digits (s + 5, 2, &mo) < 0 || digits (s + 8, 2, &d) < 0
      || digits (s + 11, 2, &h) < 0 || digits (s + 14, 2, &mi) < 0 || digits (s + 17, 2, &sec) < 0)
    return -1;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
    return -1;
  size_t i = 19;
  long nsec = 0;
  if (i < len && s[i] == '.')
    {
      i++;
      size_t start = i;
      long scale = 100000000L;
      for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
        {
          nsec += (s[i] - '0') * scale;
          scale /= 10;
        }
      if (i == start)
        return -1;
    }
  int64_t off = 0;
  if (i < len && (s[i] == 'Z' || s[i] == 'z'))
    i++;
  else if (i + 6 == len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':')
    {
      int oh, om;
      if (digits (s + i + 1, 2, &oh) < 0 || digits (s + i + 4, 2, &om) < 0)
        return -1;
      off = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
      i += 6;
    }
  else
    return -1;
  if (i != len)
    return -1;
  out->tv_sec = (time_t) (days_from_civil (y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off);
  out->tv_nsec = nsec;
  return 0;
}

int
pc_k8s_parse_line (const char *line, size_t len, struct pc_k8s_line *out)
{
  const char *sp = memchr (line, ' ', len);
  if (sp == NULL)
    return -1;
  out->ts = line;
  out->ts_len = (size_t) (sp - line);
  if (pc_k8s_parse_time (line, out->ts_len, &out->time) < 0)
    return -1;
  const char *p = sp + 1;
  size_t rest = len - (size_t) (p - line);
  if (rest < 8 || p[6] != ' ')
    return -1;
  if (memcmp (p, "stdout", 6) == 0)
    out->is_stderr = false;
  else if (memcmp (p, "stderr", 6) == 0)
    out->is_stderr = true;
  else
    return -1;
  if (p[7] == 'F')
    out->partial = false;
  else if (p[7] == 'P')
    out->partial = true;
  else
    return -1;
  p += 8;
  rest -= 8;
  if (rest > 0)
    {
      if (*p != ' ')
        return -1;
      p++;
      rest--;
    }
  out->msg = p;
  out->msg_len = rest;
  return 0;
}

size_t
pc_k8s_go_timestamp (const char *ts, size_t len, char out[PC_K8S_TS_MAX])
{
  if (len >= PC_K8S_TS_MAX)
    len = PC_K8S_TS_MAX - 1;
  /* Split into "date time", ".fraction" and the zone. */
  size_t zone = len;
  for (size_t i = 19; i < len; i++)
    if (ts[i] == 'Z' || ts[i] == 'z' || ts[i] == '+' || ts[i] == '-')
      {
        zone = i;
        break;
      }
  size_t o = 0;
  size_t head = zone < 19 ? zone : 19;
  memcpy (out, ts, head);
  o = head;
  if (head == 19 && head < zone && ts[19] == '.')
    {
      size_t end = zone;
      while (end > 20 && ts[end - 1] == '0')
        end--;
      if (end > 20)
        {
          memcpy (out + o, ts + 19, end - 19);
          o += end - 19;
        }
    }
  size_t zl = len - zone;
  if (zl == 6 && memcmp (ts + zone + 1, "00:00", 5) == 0)
    out[o++] = 'Z';
  else if (zl == 1)
    out[o++] = 'Z';
  else
    {
      memcpy (out + o, ts + zone, zl);
      o += zl;
    }
  out[o] = '\0';
  return o;
}

/* Is the line starting at `p` (at least `n` bytes available) a full line? */
static bool
is_full_line (const char *p, size_t n)
{
  const char *sp = memchr (p, ' ', n);
  if (sp == NULL)
    return false;
  size_t off = (size_t) (sp - p) + 8;
  return off < n && p[off] == 'F' && p[off - 1] == ' ';
}

#define TAIL_BLOCK (64 * 1024)
#define HEAD_PEEK 64

int
pc_k8s_tail_offset (int fd, int64_t tail, off_t *offset, pc_error **err)
{
  struct stat st;
  if (fstat (fd, &st) < 0)
    return pc_error_errno (err, errno, "stat log");
  off_t end = st.st_size;
  if (tail < 0)
    {
      *offset = 0;
      return 0;
    }
  if (tail == 0)
    {
      *offset = end;
      return 0;
    }
  pc_autofree char *buf = xmalloc (TAIL_BLOCK);
  off_t pos = end;         /* buf covers [bstart, pos) */
  off_t next_start = end;  /* start of the line after the one being looked at */
  int64_t full = 0;
  while (pos > 0)
    {
      off_t bstart = pos > TAIL_BLOCK ? pos - TAIL_BLOCK : 0;
      size_t blen = (size_t) (pos - bstart);
      ssize_t r = pread (fd, buf, blen, bstart);
      if (r < 0)
        return pc_error_errno (err, errno, "read log");
      if ((size_t) r != blen)
        return pc_error_make (err, EIO, "read log: file shrank while reading");
      for (size_t i = blen; i-- > 0;)
        {
          if (buf[i] != '\n')
            continue;
          off_t start = bstart + (off_t) i + 1;
          if (start < end)
            {
              char peek[HEAD_PEEK];
              const char *p;
              size_t avail;
              if (i + 1 + HEAD_PEEK <= blen)
                {
                  p = buf + i + 1;
                  avail = HEAD_PEEK;
                }
              else
                {
                  ssize_t pr = pread (fd, peek, HEAD_PEEK, start);
                  if (pr < 0)
                    return pc_error_errno (err, errno, "read log");
                  p = peek;
                  avail = (size_t) pr;
                }
              /* full > tail, not full == tail + 1: --tail may be INT64_MAX. */
              if (is_full_line (p, avail) && ++full > tail)
                {
                  *offset = next_start;
                  return 0;
                }
              next_start = start;
            }
        }
      pos = bstart;
    }
  /* The first line has no newline before it. */
  if (end > 0)
    {
      char peek[HEAD_PEEK];
      ssize_t pr = pread (fd, peek, HEAD_PEEK, 0);
      if (pr < 0)
        return pc_error_errno (err, errno, "read log");
      if (is_full_line (peek, (size_t) pr) && ++full > tail)
        {
          *offset = next_start;
          return 0;
        }
    }
  *offset = 0;
  return 0;
}
