/* The attach protocol between the monitor and its clients (pc attach, pc run,
   pc start [-a]).

   Transport: the unix socket STATE_DIR/attach, type SOCK_SEQPACKET, so
   message boundaries are kept by the kernel. Paths to it can be longer than
   sun_path: both sides open the state dir (O_PATH) and use
   "/proc/self/fd/N/attach".

   Every packet is one type byte followed by its payload; a packet is at most
   PC_MONITOR_PKT_MAX bytes. Integers are in host byte order (both ends run on
   the same machine). Any number of clients may be connected at once: output
   goes to all of them, input from any of them goes to the container.

   client -> monitor
     PC_MSG_STDIN        bytes for the container's stdin (or the pty); dropped
                         when the container has no stdin (-i not given)
     PC_MSG_STDIN_CLOSE  no payload: close the container's stdin (EOF on the
                         client's input); ignored with a pty
     PC_MSG_RESIZE       struct pc_msg_resize: TIOCSWINSZ on the pty master
     PC_MSG_START        no payload: let a created container exec; answered by
                         PC_MSG_START_RESULT (also when it already runs)
     PC_MSG_DETACH       no payload: the client leaves; the container runs on

   monitor -> client
     PC_MSG_STDOUT       container stdout bytes (all pty output with -t)
     PC_MSG_STDERR       container stderr bytes
     PC_MSG_START_RESULT int32 status (0, or the errno of the failure: ENOENT,
                         EACCES, ...) followed by the error message (no NUL)
     PC_MSG_EXIT         int32 exit code (128+signal when killed); last packet,
                         the monitor closes the connection after it */
#ifndef PC_PKG_MONITOR_PROTOCOL_H
#define PC_PKG_MONITOR_PROTOCOL_H

#include <stdint.h>

#define PC_MONITOR_PKT_MAX (32 * 1024)
#define PC_MONITOR_SOCKET "attach"
#define PC_MONITOR_PIDFILE "monitor.pid"
#define PC_MONITOR_EXITFILE "exit"

enum pc_monitor_msg
{
  PC_MSG_STDIN = 1,
  PC_MSG_STDOUT = 2,
  PC_MSG_STDERR = 3,
  PC_MSG_STDIN_CLOSE = 4,
  PC_MSG_RESIZE = 5,
  PC_MSG_START = 6,
  PC_MSG_START_RESULT = 7,
  PC_MSG_EXIT = 8,
  PC_MSG_DETACH = 9,
};

struct pc_msg_resize
{
  uint16_t rows;
  uint16_t cols;
};

#endif
