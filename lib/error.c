#include "lib/error.h"

#include <errno.h>
#include <stdbool.h>
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

/* "ctx: strerror(errnum)" with a class; the one body of the errno makers. */
static int
verrnoc (pc_error **err, enum pc_error_class cls, int errnum, const char *fmt, va_list ap)
{
  bool fresh = err && *err == NULL;
  char *ctx = xvasprintf (fmt, ap);
  if (ctx == NULL)
    abort ();
  pc_error_make (err, errnum, "%s: %s", ctx, strerror (errnum));
  free (ctx);
  if (fresh)
    (*err)->cls = cls;
  return -1;
}

int
pc_error_errno (pc_error **err, int errnum, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  verrnoc (err, PC_ERR_GENERIC, errnum, fmt, ap);
  va_end (ap);
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

int
pc_error_makec (pc_error **err, enum pc_error_class cls, int status, const char *fmt, ...)
{
  bool fresh = err && *err == NULL;
  va_list ap;
  va_start (ap, fmt);
  pc_error_vmake (err, status, fmt, ap);
  va_end (ap);
  if (fresh)
    (*err)->cls = cls;
  return -1;
}

int
pc_error_errnoc (pc_error **err, enum pc_error_class cls, int errnum, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  verrnoc (err, cls, errnum, fmt, ap);
  va_end (ap);
  return -1;
}

int
pc_error_set_class (pc_error **err, enum pc_error_class cls)
{
  if (err && *err)
    (*err)->cls = cls;
  return -1;
}

enum pc_error_class
pc_error_class_of (const pc_error *e)
{
  return e ? e->cls : PC_ERR_GENERIC;
}

static const char *const class_names[PC_ERR__COUNT] = {
  [PC_ERR_GENERIC] = "error",
  [PC_ERR_NOT_FOUND] = "not found",
  [PC_ERR_EXISTS] = "exists",
  [PC_ERR_IN_USE] = "in use",
  [PC_ERR_INVALID] = "invalid",
  [PC_ERR_STATE] = "wrong state",
  [PC_ERR_CMD_NOT_FOUND] = "command not found",
  [PC_ERR_CANNOT_INVOKE] = "cannot invoke",
  [PC_ERR_PERMISSION] = "permission",
  [PC_ERR_UNSUPPORTED] = "unsupported",
  [PC_ERR_TIMEOUT] = "timeout",
};

const char *
pc_error_class_name (enum pc_error_class cls)
{
  return (unsigned) cls < PC_ERR__COUNT ? class_names[cls] : class_names[PC_ERR_GENERIC];
}

enum pc_error_class
pc_error_class_from_name (const char *name)
{
  for (unsigned i = 0; name && i < PC_ERR__COUNT; i++)
    if (strcmp (class_names[i], name) == 0)
      return (enum pc_error_class) i;
  return PC_ERR_GENERIC;
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
