#include "lib/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *
xvasprintf (const char *fmt, va_list ap)
{
  char *s = NULL;
  if (vasprintf (&s, fmt, ap) < 0)
    return NULL;
  return s;
}

int
pc_error_vmake (pc_error **err, int status, const char *fmt, va_list ap)
{
  if (err == NULL)
    return -1;
  /* An error already set is a bug in the caller, but never lose the first one. */
  if (*err != NULL)
    return -1;
  pc_error *e = calloc (1, sizeof *e);
  if (e == NULL)
    abort ();
  e->status = status;
  e->msg = xvasprintf (fmt, ap);
  if (e->msg == NULL)
    abort ();
  *err = e;
  return -1;
}

int
pc_error_make (pc_error **err, int status, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  pc_error_vmake (err, status, fmt, ap);
  va_end (ap);
  return -1;
}

int
pc_error_errno (pc_error **err, int errnum, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *ctx = xvasprintf (fmt, ap);
  va_end (ap);
  if (ctx == NULL)
    abort ();
  pc_error_make (err, errnum, "%s: %s", ctx, strerror (errnum));
  free (ctx);
  return -1;
}

int
pc_error_wrap (pc_error **err, const char *fmt, ...)
{
  if (err == NULL || *err == NULL)
    return -1;
  va_list ap;
  va_start (ap, fmt);
  char *ctx = xvasprintf (fmt, ap);
  va_end (ap);
  if (ctx == NULL)
    abort ();
  char *msg = NULL;
  if (asprintf (&msg, "%s: %s", ctx, (*err)->msg) < 0)
    abort ();
  free (ctx);
  free ((*err)->msg);
  (*err)->msg = msg;
  return -1;
}

void
pc_error_free (pc_error *e)
{
  if (e == NULL)
    return;
  free (e->msg);
  free (e);
}

void
pc_error_clear (pc_error **err)
{
  if (err == NULL)
    return;
  pc_error_free (*err);
  *err = NULL;
}
