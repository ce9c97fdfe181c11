/* Cleanup by attribute, as crun and bubblewrap use it: every path out of a
   function releases what it took; ownership leaves with steal_pointer/steal_fd. */
#ifndef PC_LIB_CLEANUP_H
#define PC_LIB_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void
pc_freep (void *p)
{
  free (*(void **) p);
}

static inline void
pc_closep (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
      *fd = -1;
    }
}

static inline void
pc_fclosep (FILE **f)
{
  if (*f != NULL)
    {
      int saved = errno;
      fclose (*f);
      errno = saved;
    }
}

static inline void
pc_closedirp (DIR **d)
{
  if (*d != NULL)
    {
      int saved = errno;
      closedir (*d);
      errno = saved;
    }
}

/* NULL-terminated string vectors. */
static inline void
pc_strv_free (char **v)
{
  if (v == NULL)
    return;
  for (char **p = v; *p; p++)
    free (*p);
  free (v);
}

static inline void
pc_strv_freep (char ***v)
{
  pc_strv_free (*v);
}

#define pc_autofree __attribute__ ((cleanup (pc_freep)))
#define pc_autoclose __attribute__ ((cleanup (pc_closep)))
#define pc_autofclose __attribute__ ((cleanup (pc_fclosep)))
#define pc_autoclosedir __attribute__ ((cleanup (pc_closedirp)))
#define pc_autostrv __attribute__ ((cleanup (pc_strv_freep)))

static inline void *
pc_steal_pointer_impl (void *pp)
{
  void **p = (void **) pp;
  void *ret = *p;
  *p = NULL;
  return ret;
}
#define steal_pointer(pp) ((__typeof__ (*(pp))) pc_steal_pointer_impl (pp))

static inline int
steal_fd (int *fd)
{
  int ret = *fd;
  *fd = -1;
  return ret;
}

#endif
