#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "tests/unit/tap.h"

static int
open_layer (const char *name, pc_error **err)
{
  return pc_error_errno (err, ENOENT, "open layer `%s`", name);
}

static int
load_image (pc_error **err)
{
  if (open_layer ("abc", err) < 0)
    return pc_error_wrap (err, "load image `%s`", "busybox");
  return 0;
}

static int
fcntl_is_closed (int fd)
{
  return fcntl (fd, F_GETFD) < 0 && errno == EBADF;
}

static void
test_cleanup (int *closed_fd)
{
  pc_autoclose int fd = dup (1);
  *closed_fd = fd;
  pc_autofree char *p = malloc (16);
  (void) p;
}

int
main (void)
{
  pc_error *err = NULL;
  is_int (pc_error_make (&err, 0, "plain %d", 42), -1, "pc_error_make returns -1");
  is_str (err->msg, "plain 42", "message is formatted");
  is_int (err->status, 0, "status kept");
  pc_error_clear (&err);
  ok (err == NULL, "pc_error_clear resets the pointer");

  is_int (load_image (&err), -1, "failure propagates");
  is_str (err->msg, "load image `busybox`: open layer `abc`: No such file or directory",
          "context is added on the way up, errno text last");
  is_int (err->status, ENOENT, "errno survives wrapping");

  /* A second error does not replace the first: the root cause wins. */
  pc_error_make (&err, EIO, "later");
  is_int (err->status, ENOENT, "first error kept");
  pc_error_free (err);

  is_int (pc_error_make (NULL, 0, "nobody listens"), -1, "NULL err pointer is allowed");
  is_int (pc_error_wrap (NULL, "x"), -1, "wrap of NULL is harmless");

  {
    pc_autoerror pc_error *scoped = NULL;
    pc_error_make (&scoped, 1, "freed by cleanup");
  }
  ok (1, "pc_autoerror frees on scope exit (valgrind/ASan check)");

  int fd = -1;
  test_cleanup (&fd);
  errno = 0;
  ok (fcntl_is_closed (fd), "pc_autoclose closed the descriptor");

  char *s = malloc (4);
  char *owned = steal_pointer (&s);
  ok (s == NULL && owned != NULL, "steal_pointer moves ownership");
  free (owned);
  int fd2 = 7;
  int got = steal_fd (&fd2);
  ok (fd2 == -1 && got == 7, "steal_fd moves ownership");

  return done_testing ();
}
