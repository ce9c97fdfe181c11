/* Warnings that do not stop the operation. Printed at once to stderr, as
   podman's WARN lines are; PC_LOG_LEVEL / --log-level quiet them. */
#ifndef PC_LIB_LOG_H
#define PC_LIB_LOG_H

enum pc_log_level
{
  PC_LOG_ERROR = 0,
  PC_LOG_WARN = 1,
  PC_LOG_INFO = 2,
  PC_LOG_DEBUG = 3,
};

void pc_log_set_level (enum pc_log_level level);
enum pc_log_level pc_log_get_level (void);
/* Returns -1 for an unknown name. */
int pc_log_level_from_name (const char *name);

void pc_warn (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void pc_info (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void pc_debug (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

#endif
