/* Errors are values: a fallible function takes `pc_error **err` last,
   returns a negative int on failure and fills *err. Only cmd/ prints. */
#ifndef PC_LIB_ERROR_H
#define PC_LIB_ERROR_H

#include <stdarg.h>

typedef struct pc_error pc_error;

struct pc_error
{
  int status;  /* errno value, or 0 when the failure has no errno */
  char *msg;   /* full message, context first */
};

/* All return -1 so callers can `return pc_error_make (...)`. */
int pc_error_make (pc_error **err, int status, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));
/* Appends ": strerror(errnum)" to the message. */
int pc_error_errno (pc_error **err, int errnum, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));
/* Prefixes context: "ctx: previous message". Keeps status. */
int pc_error_wrap (pc_error **err, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));
int pc_error_vmake (pc_error **err, int status, const char *fmt, va_list ap)
  __attribute__ ((format (printf, 3, 0)));

void pc_error_free (pc_error *e);
/* Frees *err and sets it to NULL; for callers that recover from an error. */
void pc_error_clear (pc_error **err);

static inline void
pc_error_freep (pc_error **e)
{
  pc_error_free (*e);
}
#define pc_autoerror __attribute__ ((cleanup (pc_error_freep)))

#endif
