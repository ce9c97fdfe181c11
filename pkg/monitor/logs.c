/* `pc logs`: reading the k8s-file log back as podman prints it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/xalloc.h"
#include "pkg/monitor/k8slog.h"
#include "pkg/monitor/monitor.h"
#include "pkg/monitor/protocol.h"

#define OUTBUF 65536
#define READBUF 65536
/* A line the container wrote without a newline is stored as P parts and
   printed joined; past this much it is printed in pieces as it comes, so a
   300 MB line is never held whole (the bytes printed are the same). */
#define PC_LOG_LINE_MAX (1 << 20)

struct buf
{
  char *p;
  size_t len, cap;
};

static void
buf_add (struct buf *b, const char *s, size_t n)
{
  if (b->len + n > b->cap)
    {
      b->cap = (b->len + n) * 2;
      b->p = xrealloc (b->p, b->cap);
    }
  memcpy (b->p + b->len, s, n);
  b->len += n;
}

struct reader
{
  const struct pc_log_options *o;
  int fds[2];
  struct buf out[2];       /* pending output per stream */
  int last;                /* stream written last: switching flushes it */
  struct buf partial[2];   /* P lines waiting for their F */
  char partial_ts[2][PC_K8S_TS_MAX];
  size_t partial_ts_len[2];
  struct timespec partial_time[2];
  struct buf carry;        /* a physical line cut by the end of a read */
  bool mid_line[2];        /* the last piece emitted ended without a newline */
  int failed;
  pc_error **err;
};

static int
flush_stream (struct reader *r, int s)
{
  struct buf *b = &r->out[s];
  if (b->len == 0)
    return 0;
  int ret = 0;
  if (r->fds[s] >= 0)
    ret = pc_write_all (r->fds[s], b->p, b->len, r->err);
  b->len = 0;
  return ret;
}

static int
flush_all (struct reader *r)
{
  if (flush_stream (r, r->last) < 0 || flush_stream (r, !r->last) < 0)
    return -1;
  return 0;
}

static bool
is_zero (const struct timespec *t)
{
  return t->tv_sec == 0 && t->tv_nsec == 0;
}

static int
cmp_ts (const struct timespec *a, const struct timespec *b)
{
  if (a->tv_sec != b->tv_sec)
    return a->tv_sec < b->tv_sec ? -1 : 1;
  if (a->tv_nsec != b->tv_nsec)
    return a->tv_nsec < b->tv_nsec ? -1 : 1;
  return 0;
}

static bool
in_range (const struct pc_log_options *o, const struct timespec *t)
{
  return (is_zero (&o->since) || cmp_ts (t, &o->since) >= 0)
         && (is_zero (&o->until) || cmp_ts (t, &o->until) <= 0);
}

static int
emit (struct reader *r, int s, const struct pc_k8s_line *l, const char *msg, size_t len,
      bool newline)
{
  if (s != r->last)
    {
      if (flush_stream (r, r->last) < 0)
        return -1;
      r->last = s;
    }
  struct buf *b = &r->out[s];
  if (r->o->prefix && !r->mid_line[s])
    {
      buf_add (b, r->o->prefix, strlen (r->o->prefix));
      buf_add (b, " ", 1);
    }
  r->mid_line[s] = !newline;
  if (r->o->timestamps && l->ts_len > 0)
    {
      char ts[PC_K8S_TS_MAX];
      size_t tl = pc_k8s_go_timestamp (l->ts, l->ts_len, ts);
      ts[tl++] = ' ';
      buf_add (b, ts, tl);
    }
  buf_add (b, msg, len);
  if (newline)
    buf_add (b, "\n", 1);
  if (b->len >= OUTBUF)
    return flush_stream (r, s);
  return 0;
}

static int
line (struct reader *r, const char *p, size_t n)
{
  struct pc_k8s_line l;
  if (pc_k8s_parse_line (p, n, &l) < 0)
    return 0;
  int s = l.is_stderr ? 1 : 0;
  struct buf *part = &r->partial[s];
  if (l.partial)
    {
      if (part->len && part->len + l.msg_len > PC_LOG_LINE_MAX)
        {
          int ret = 0;
          if (in_range (r->o, &r->partial_time[s]))
            {
              struct pc_k8s_line pl = { .ts = r->partial_ts[s], .ts_len = r->partial_ts_len[s] };
              ret = emit (r, s, &pl, part->p, part->len, false);
            }
          part->len = 0;
          if (ret < 0)
            return -1;
        }
      buf_add (part, l.msg, l.msg_len);
      size_t tl = l.ts_len < PC_K8S_TS_MAX ? l.ts_len : PC_K8S_TS_MAX - 1;
      memcpy (r->partial_ts[s], l.ts, tl);
      r->partial_ts_len[s] = tl;
      r->partial_time[s] = l.time;
      return 0;
    }
  bool keep = in_range (r->o, &l.time);
  int ret = 0;
  if (keep)
    {
      if (part->len)
        {
          buf_add (part, l.msg, l.msg_len);
          ret = emit (r, s, &l, part->p, part->len, true);
        }
      else
        ret = emit (r, s, &l, l.msg, l.msg_len, true);
    }
  part->len = 0;
  return ret;
}

/* Splits data into lines; a line cut at the end waits in carry. */
static int
feed (struct reader *r, const char *data, size_t len)
{
  while (len > 0)
    {
      const char *nl = memchr (data, '\n', len);
      if (nl == NULL)
        {
          buf_add (&r->carry, data, len);
          return 0;
        }
      size_t n = (size_t) (nl - data);
      int ret;
      if (r->carry.len)
        {
          buf_add (&r->carry, data, n);
          ret = line (r, r->carry.p, r->carry.len);
          r->carry.len = 0;
        }
      else
        ret = line (r, data, n);
      if (ret < 0)
        return -1;
      data += n + 1;
      len -= n + 1;
    }
  return 0;
}

/* The end: partial lines without their F are printed as they are, with
   the time of the last part. */
static int
finish (struct reader *r)
{
  for (int s = 0; s < 2; s++)
    if (r->partial[s].len && in_range (r->o, &r->partial_time[s]))
      {
        struct pc_k8s_line l = { .ts = r->partial_ts[s], .ts_len = r->partial_ts_len[s] };
        int ret = emit (r, s, &l, r->partial[s].p, r->partial[s].len, false);
        r->partial[s].len = 0;
        if (ret < 0)
          return -1;
      }
  return flush_all (r);
}

static int
read_to_end (struct reader *r, int fd, char *buf, pc_error **err)
{
  for (;;)
    {
      ssize_t n = read (fd, buf, READBUF);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return pc_error_errno (err, errno, "read log");
      if (n == 0)
        return 0;
      if (feed (r, buf, (size_t) n) < 0)
        return -1;
    }
}

static int
pidfd_of_monitor (const char *state_dir)
{
  pid_t pid;
  unsigned long long st;
  if (pc_monitor_read_pid (state_dir, &pid, &st, NULL) < 0)
    return -1;
  int fd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (fd < 0)
    return -1;
  /* Checked after the open: the fd now pins this very process. */
  if (pc_monitor_proc_start_time (pid) != st)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static int
follow (struct reader *r, int fd, const char *log_path, const char *state_dir, char *buf,
        pc_error **err)
{
  pc_autoclose int ino = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
  if (ino < 0)
    return pc_error_errno (err, errno, "inotify");
  if (inotify_add_watch (ino, log_path, IN_MODIFY) < 0)
    return pc_error_errno (err, errno, "watch `%s`", log_path);
  pc_autoclose int dirfd = -1;
  pc_autoclose int pidfd = -1;
  if (state_dir)
    {
      dirfd = open (state_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (dirfd < 0)
        return pc_error_errno (err, errno, "open state directory `%s`", state_dir);
      if (inotify_add_watch (ino, state_dir, IN_CREATE | IN_MOVED_TO) < 0)
        return pc_error_errno (err, errno, "watch `%s`", state_dir);
      pidfd = pidfd_of_monitor (state_dir);
    }
  for (;;)
    {
      if (read_to_end (r, fd, buf, err) < 0)
        return -1;
      struct stat st;
      off_t pos = lseek (fd, 0, SEEK_CUR);
      if (fstat (fd, &st) == 0 && st.st_size < pos)
        {
          /* Truncated by log-size-max: it starts over. */
          lseek (fd, 0, SEEK_SET);
          r->carry.len = 0;
          continue;
        }
      if (state_dir)
        {
          bool done = faccessat (dirfd, PC_MONITOR_EXITFILE, F_OK, 0) == 0 || pidfd < 0;
          if (!done)
            {
              struct pollfd p = { pidfd, POLLIN, 0 };
              done = poll (&p, 1, 0) > 0;
            }
          if (done)
            return read_to_end (r, fd, buf, err);
        }
      if (flush_all (r) < 0)
        return -1;
      /* Nothing written after --until can be printed: follow until then,
         and not at all when it has passed (podman: `-f --until 3s` stops
         after three seconds). */
      int wait = -1;
      if (!is_zero (&r->o->until))
        {
          struct timespec now;
          clock_gettime (CLOCK_REALTIME, &now);
          if (cmp_ts (&now, &r->o->until) >= 0)
            return 0;
          int64_t ms = ((int64_t) r->o->until.tv_sec - now.tv_sec) * 1000
                       + (r->o->until.tv_nsec - now.tv_nsec) / 1000000 + 1;
          wait = ms > INT_MAX ? INT_MAX : (int) ms;
        }
      struct pollfd p[2] = { { ino, POLLIN, 0 }, { pidfd, POLLIN, 0 } };
      if (poll (p, 2, wait) < 0 && errno != EINTR)
        return pc_error_errno (err, errno, "poll");
      while (read (ino, buf, READBUF) > 0)
        ;
    }
}

int
pc_monitor_logs (const char *log_path, const struct pc_log_options *o, int out_fd, int err_fd,
                 const char *state_dir, pc_error **err)
{
  if (log_path == NULL)
    return pc_error_make (err, ENODATA, "this container is not logging output");
  pc_autoclose int fd = open (log_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && !o->follow)
    return 0; /* nothing was logged yet */
  if (fd < 0)
    return pc_error_errno (err, errno, "open log file `%s`", log_path);
  off_t start = 0;
  if (o->tail >= 0 && pc_k8s_tail_offset (fd, o->tail, &start, err) < 0)
    return -1;
  if (lseek (fd, start, SEEK_SET) < 0)
    return pc_error_errno (err, errno, "seek log");

  struct reader r = { .o = o, .fds = { out_fd, err_fd }, .err = err };
  pc_autofree char *buf = xmalloc (READBUF);
  int ret = read_to_end (&r, fd, buf, err);
  if (ret == 0 && o->follow)
    ret = follow (&r, fd, log_path, state_dir, buf, err);
  if (ret == 0)
    ret = finish (&r);
  for (int s = 0; s < 2; s++)
    {
      free (r.out[s].p);
      free (r.partial[s].p);
    }
  free (r.carry.p);
  return ret;
}
