/* --detach-keys parsing, podman's syntax. */
#include <errno.h>
#include <string.h>

#include "lib/error.h"
#include "pkg/monitor/monitor.h"
#include "tests/unit/tap.h"

static int
parse (const char *keys, unsigned char *out, size_t *len)
{
  pc_error *err = NULL;
  int r = pc_monitor_parse_detach_keys (keys, out, 8, len, &err);
  if (r < 0)
    {
      printf ("# %s\n", err->msg);
      pc_error_free (err);
    }
  return r;
}

int
main (void)
{
  unsigned char k[8];
  size_t n;
  is_int (parse ("ctrl-p,ctrl-q", k, &n), 0, "default keys");
  ok (n == 2 && k[0] == 16 && k[1] == 17, "ctrl-p ctrl-q are 0x10 0x11");
  is_int (parse ("CTRL-A,x", k, &n), 0, "upper case ctrl and a plain character");
  ok (n == 2 && k[0] == 1 && k[1] == 'x', "0x01 'x'");
  is_int (parse ("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_", k, &n), 0, "punctuation controls");
  ok (n == 6 && k[0] == 0 && k[1] == 27 && k[2] == 28 && k[3] == 29 && k[4] == 30 && k[5] == 31,
      "0 27 28 29 30 31");
  is_int (parse ("", k, &n), 0, "empty disables detaching");
  is_int (n, 0, "no keys");
  is_int (parse (",", k, &n), -1, "empty key refused");
  is_int (parse ("ctrl-1", k, &n), -1, "ctrl-1 refused");
  is_int (parse ("ab", k, &n), -1, "two characters refused");
  is_int (parse ("ctrl-p,", k, &n), -1, "trailing comma refused");
  is_int (parse ("a,b,c,d,e,f,g,h,i", k, &n), -1, "more keys than room refused");
  pc_error *err = NULL;
  pc_monitor_parse_detach_keys ("ctrl-z9", k, 8, &n, &err);
  is_int (err ? err->status : 0, EINVAL, "EINVAL");
  is_str (err ? err->msg : NULL, "invalid detach keys `ctrl-z9`: unknown key `ctrl-z9`", "message names the key");
  pc_error_free (err);
  return done_testing ();
}
