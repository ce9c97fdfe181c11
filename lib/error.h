/* Errors are values: a fallible function takes `pc_error **err` last,
   returns a negative int on failure and fills *err. Only cmd/ prints. */
#ifndef PC_LIB_ERROR_H
#define PC_LIB_ERROR_H

#include <stdarg.h>

typedef struct pc_error pc_error;

/* What kind of failure this is, set where it happens. Context added on the
   way up never changes it; only cmd/ turns a class into an exit code
   (podman's: 125 for pc's own failures, 126 cannot invoke, 127 not found).
   PC_ERR_GENERIC is the default of every constructor below. */
enum pc_error_class
{
  PC_ERR_GENERIC = 0,    /* pc failed (125) */
  PC_ERR_NOT_FOUND,      /* a container, image, volume... named by the user does not exist */
  PC_ERR_EXISTS,         /* a name or object is already taken */
  PC_ERR_IN_USE,         /* refused: something still uses it (an image by a container...) */
  PC_ERR_INVALID,        /* a bad argument or flag value */
  PC_ERR_STATE,          /* the object is in the wrong state (not running, running...) */
  PC_ERR_CMD_NOT_FOUND,  /* the container's command does not exist (127) */
  PC_ERR_CANNOT_INVOKE,  /* the container's command exists but cannot run (126) */
  PC_ERR_PERMISSION,     /* the host refuses (subuid, namespaces, a file's mode) */
  PC_ERR_UNSUPPORTED,    /* this host or build cannot do it */
  PC_ERR_TIMEOUT,        /* a wait ran out of time */
  PC_ERR__COUNT
};

struct pc_error
{
  int status;  /* errno value, or 0 when the failure has no errno */
  enum pc_error_class cls;
  char *msg;   /* full message, context first */
};

/* All return -1 so callers can `return pc_error_make (...)`. */
int pc_error_make (pc_error **err, int status, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));
/* Appends ": strerror(errnum)" to the message. */
int pc_error_errno (pc_error **err, int errnum, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));
/* Prefixes context: "ctx: previous message". Keeps status and class. */
int pc_error_wrap (pc_error **err, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));
int pc_error_vmake (pc_error **err, int status, const char *fmt, va_list ap)
  __attribute__ ((format (printf, 3, 0)));

/* The same with a class. */
int pc_error_makec (pc_error **err, enum pc_error_class cls, int status, const char *fmt, ...)
  __attribute__ ((format (printf, 4, 5)));
int pc_error_errnoc (pc_error **err, enum pc_error_class cls, int errnum, const char *fmt, ...)
  __attribute__ ((format (printf, 4, 5)));
/* Sets the class of an error already made (no-op without one); returns -1. */
int pc_error_set_class (pc_error **err, enum pc_error_class cls);
/* The class, PC_ERR_GENERIC for NULL. */
enum pc_error_class pc_error_class_of (const pc_error *e);
/* "not found", "exists", ... for protocols between pc processes; and back
   (unknown names give PC_ERR_GENERIC). */
const char *pc_error_class_name (enum pc_error_class cls);
enum pc_error_class pc_error_class_from_name (const char *name);

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
