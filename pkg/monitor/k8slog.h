/* The k8s-file log format, as conmon writes it and podman reads it:
     <timestamp> <stream> <tag> <text>\n
   timestamp: RFC3339 with nanoseconds and a numeric offset
              (2026-11-23T03:40:44.123456789+00:00), local time of the writer
   stream:    stdout | stderr
   tag:       F (the text ended with a newline, not stored) or P (partial:
              the output had no newline yet when it was read)
   Internal to pkg/monitor (and its unit tests). */
#ifndef PC_PKG_MONITOR_K8SLOG_H
#define PC_PKG_MONITOR_K8SLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "lib/error.h"

#define PC_K8S_TS_MAX 40

/* "2026-11-23T03:40:44.123456789+00:00" in the local zone; returns length. */
size_t pc_k8s_format_timestamp (const struct timespec *ts, char out[PC_K8S_TS_MAX]);

struct pc_k8s_writer
{
  int fd;             /* O_APPEND; -1: no log */
  int64_t max_size;   /* 0 = unlimited */
  int64_t written;    /* current size of the file */
  char *buf;          /* staging for one write per chunk; allocated on demand */
  size_t buf_cap;
};

/* Opens (creates, 0600, append) path. */
int pc_k8s_writer_open (struct pc_k8s_writer *w, const char *path, int64_t max_size,
                        pc_error **err);
void pc_k8s_writer_close (struct pc_k8s_writer *w);
/* Writes one chunk of a stream's output, read at `now`: a line per newline,
   F for complete ones, P for the rest. When max_size would be passed the file
   is truncated first and starts over. */
int pc_k8s_write (struct pc_k8s_writer *w, bool is_stderr, const char *data, size_t len,
                  const struct timespec *now, pc_error **err);

struct pc_k8s_line
{
  const char *ts;      /* timestamp text as stored */
  size_t ts_len;
  struct timespec time;
  bool is_stderr;
  bool partial;
  const char *msg;     /* text without the newline */
  size_t msg_len;
};

/* Parses one line (without its '\n'). Returns -1 when it is not a log line. */
int pc_k8s_parse_line (const char *line, size_t len, struct pc_k8s_line *out);
/* RFC3339 with optional fraction and Z or +hh:mm -> UTC timespec. -1 if invalid. */
int pc_k8s_parse_time (const char *s, size_t len, struct timespec *out);
/* The stored timestamp as podman's `logs -t` prints it (Go RFC3339Nano:
   trailing zeros of the fraction dropped, "Z" for a zero offset). */
size_t pc_k8s_go_timestamp (const char *ts, size_t len, char out[PC_K8S_TS_MAX]);
/* Offset of the first byte of the last `tail` lines (F lines; the P lines
   before each belong to it) of the file, reading backwards from the end. */
int pc_k8s_tail_offset (int fd, int64_t tail, off_t *offset, pc_error **err);

#endif
