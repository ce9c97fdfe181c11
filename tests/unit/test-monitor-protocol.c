/* The attach protocol's START_RESULT keeps an error's status and class
   across the process boundary (127/126 stay what they are). */
#include <errno.h>
#include <string.h>

#include "pkg/monitor/protocol.h"
#include "tests/unit/tap.h"

int
main (void)
{
  char buf[PC_MONITOR_PKT_MAX];
  pc_error *err = NULL;

  size_t n = pc_mon_start_result_encode (buf, 0, PC_ERR_GENERIC, NULL);
  is_int (pc_mon_start_result_decode (buf, n, &err), 0, "status 0 decodes as success");
  ok (err == NULL, "and no error");

  n = pc_mon_start_result_encode (buf, ENOENT, PC_ERR_CMD_NOT_FOUND,
                                  "executable file `nope` not found in $PATH");
  is_int (pc_mon_start_result_decode (buf, n, &err), -1, "a failure decodes as an error");
  ok (err && err->status == ENOENT, "with its errno");
  ok (pc_error_class_of (err) == PC_ERR_CMD_NOT_FOUND, "with its class (command not found)");
  is_str (err ? err->msg : NULL, "executable file `nope` not found in $PATH", "with its message");
  pc_error_clear (&err);

  n = pc_mon_start_result_encode (buf, ENOENT, PC_ERR_CANNOT_INVOKE, "workdir \"/x\" does not exist");
  pc_mon_start_result_decode (buf, n, &err);
  ok (pc_error_class_of (err) == PC_ERR_CANNOT_INVOKE, "ENOENT with class cannot-invoke stays cannot-invoke");
  pc_error_clear (&err);

  /* A message as long as a packet is cut to fit, not overflowed. */
  static char big[PC_MONITOR_PKT_MAX * 2];
  memset (big, 'm', sizeof big - 1);
  n = pc_mon_start_result_encode (buf, EACCES, PC_ERR_CANNOT_INVOKE, big);
  ok (n <= PC_MONITOR_PKT_MAX - 1, "an over-long message fits one packet (%zu)", n);
  pc_mon_start_result_decode (buf, n, &err);
  ok (err && err->status == EACCES && pc_error_class_of (err) == PC_ERR_CANNOT_INVOKE, "and still decodes");
  pc_error_clear (&err);

  /* Hostile or truncated payloads. */
  is_int (pc_mon_start_result_decode (buf, 2, &err), -1, "a payload shorter than the status is refused");
  ok (err && err->status == EPROTO, "as EPROTO");
  pc_error_clear (&err);
  char nonul[8] = { 1, 0, 0, 0, 'a', 'b', 'c', 'd' };
  is_int (pc_mon_start_result_decode (nonul, sizeof nonul, &err), -1, "a class without its NUL is refused");
  pc_error_clear (&err);
  char unknown[] = { 5, 0, 0, 0, 'z', 'z', 0, 'm', 's', 'g' };
  pc_mon_start_result_decode (unknown, sizeof unknown, &err);
  ok (err && pc_error_class_of (err) == PC_ERR_GENERIC && strcmp (err->msg, "msg") == 0,
      "an unknown class name becomes the generic class");
  pc_error_clear (&err);
  return done_testing ();
}
