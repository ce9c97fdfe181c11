#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

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

/* The heap in use before and after scopes that each make an error: what
   pc_autoerror took must be given back. Many rounds, because the allocator
   keeps a few freed chunks counted as in use. The measure is checked on
   errors kept alive, so the test skips rather than passes if the allocator
   does not count them (ASan's allocator is not glibc's). */
#define ROUNDS 1000
static void
test_autoerror (void)
{
  size_t before = mallinfo2 ().uordblks;
  for (int i = 0; i < ROUNDS; i++)
    {
      pc_autoerror pc_error *scoped = NULL;
      pc_error_make (&scoped, 1, "freed by cleanup %s", "on scope exit");
    }
  size_t after = mallinfo2 ().uordblks;
  static pc_error *kept[ROUNDS];
  for (int i = 0; i < ROUNDS; i++)
    pc_error_make (&kept[i], 1, "freed by cleanup %s", "on scope exit");
  size_t held = mallinfo2 ().uordblks;
  for (int i = 0; i < ROUNDS; i++)
    pc_error_free (kept[i]);
  size_t per_error = held > after ? (held - after) / ROUNDS : 0;
  if (per_error == 0)
    {
      printf ("ok %d # SKIP the allocator does not count errors in mallinfo2\n", ++tap_count);
      return;
    }
  ok (after < before + 10 * per_error,
      "pc_autoerror frees on scope exit (%zu bytes kept after %d scopes, %zu per live error)",
      after > before ? after - before : 0, ROUNDS, per_error);
}

static int
exec_fails (pc_error **err)
{
  return pc_error_makec (err, PC_ERR_CMD_NOT_FOUND, ENOENT,
                         "executable file `%s` not found in $PATH: No such file or directory", "nosuch");
}

/* Context added on the way up, with words that once chose exit codes by
   matching ("not found", "workdir"), never changes the class. */
static int
start_container (pc_error **err)
{
  if (exec_fails (err) < 0)
    return pc_error_wrap (err, "workdir \"/\" is fine, image not found elsewhere");
  return 0;
}

static void
test_classes (void)
{
  pc_error *err = NULL;
  pc_error_make (&err, ENOENT, "plain");
  is_int (pc_error_class_of (err), PC_ERR_GENERIC, "pc_error_make gives the generic class");
  pc_error_clear (&err);
  is_int (pc_error_class_of (NULL), PC_ERR_GENERIC, "no error: generic class");

  is_int (start_container (&err), -1, "classed failure propagates");
  pc_error_wrap (&err, "unable to start container %s", "abc");
  is_int (pc_error_class_of (err), PC_ERR_CMD_NOT_FOUND, "two wraps keep the class");
  is_int (err->status, ENOENT, "and the errno");
  is_str (err->msg, "unable to start container abc: workdir \"/\" is fine, image not found elsewhere: "
          "executable file `nosuch` not found in $PATH: No such file or directory",
          "the message carries the context");

  /* The first error wins, class included. */
  pc_error_makec (&err, PC_ERR_EXISTS, EEXIST, "later");
  is_int (pc_error_class_of (err), PC_ERR_CMD_NOT_FOUND, "a later makec keeps the first class");
  pc_error_errnoc (&err, PC_ERR_IN_USE, EBUSY, "later");
  is_int (pc_error_class_of (err), PC_ERR_CMD_NOT_FOUND, "a later errnoc keeps the first class");
  is_int (pc_error_set_class (&err, PC_ERR_CANNOT_INVOKE), -1, "set_class returns -1");
  is_int (pc_error_class_of (err), PC_ERR_CANNOT_INVOKE, "set_class reclassifies where the kind is known");
  pc_error_clear (&err);

  is_int (pc_error_errnoc (&err, PC_ERR_NOT_FOUND, ENOENT, "open volume `%s`", "v"), -1,
          "pc_error_errnoc returns -1");
  is_str (err->msg, "open volume `v`: No such file or directory", "errnoc appends strerror");
  is_int (pc_error_class_of (err), PC_ERR_NOT_FOUND, "errnoc sets the class");
  pc_error_clear (&err);

  pc_error_set_class (&err, PC_ERR_INVALID);
  ok (err == NULL, "set_class without an error makes none");
  is_int (pc_error_makec (NULL, PC_ERR_INVALID, EINVAL, "nobody listens"), -1, "makec with NULL is allowed");
  is_int (pc_error_set_class (NULL, PC_ERR_INVALID), -1, "set_class with NULL is allowed");

  /* Names cross process boundaries: every class comes back as itself. */
  int distinct = 1, round = 1;
  for (int i = 0; i < PC_ERR__COUNT; i++)
    {
      if (pc_error_class_from_name (pc_error_class_name ((enum pc_error_class) i)) != (enum pc_error_class) i)
        round = 0;
      for (int j = 0; j < i; j++)
        if (strcmp (pc_error_class_name ((enum pc_error_class) i), pc_error_class_name ((enum pc_error_class) j)) == 0)
          distinct = 0;
    }
  ok (round, "every class name maps back to its class");
  ok (distinct, "class names are distinct");
  is_str (pc_error_class_name (PC_ERR_CANNOT_INVOKE), "cannot invoke", "a name as the protocols carry it");
  is_int (pc_error_class_from_name ("no such class"), PC_ERR_GENERIC, "an unknown name is generic");
  is_int (pc_error_class_from_name (NULL), PC_ERR_GENERIC, "no name is generic");
  is_str (pc_error_class_name ((enum pc_error_class) 999), "error", "an out-of-range class names as generic");
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

  test_autoerror ();
  test_classes ();

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
