#include "lib/dl.h"

#include <errno.h>
#include <string.h>

#include "lib/xalloc.h"

/* Returns 1 when every function was found, else -1 with D's reason set. */
static int
open_lib (struct pc_dl *d)
{
  const char *prefix = d->prefix ? d->prefix : "";
  void *h = dlopen (d->soname, d->mode | RTLD_LOCAL);
  if (h == NULL)
    {
      const char *e = dlerror ();
      d->dlerr = xstrdup (e ? e : "");
      d->why = xasprintf ("%scannot load %s (Debian: %s): %s", prefix, d->soname, d->package,
                          e ? e : "not found");
      return -1;
    }
  for (size_t i = 0; i < d->n; i++)
    {
      const char *name = d->names[i];
      /* A name that fills its array lost its NUL (C allows that): a
         programming error, refused as a missing function. */
      if (strnlen (name, PC_DL_NAME_MAX) == PC_DL_NAME_MAX)
        name = "(a name longer than PC_DL_NAME_MAX)";
      else
        d->slots[i] = dlsym (h, name);
      if (d->slots[i] == NULL)
        {
          const char *e = dlerror ();
          d->dlerr = xstrdup (e ? e : "");
          d->missing = name;
          d->why = xasprintf ("%s%s has no %s", prefix, d->soname, name);
          for (size_t k = 0; k < i; k++)
            d->slots[k] = NULL;
          dlclose (h);
          return -1;
        }
    }
  return 1;
}

bool
pc_dl_load_first (struct pc_dl *d)
{
  pthread_mutex_lock (&d->lock);
  int state = d->state;
  if (state == 0)
    {
      state = open_lib (d);
      __atomic_store_n (&d->state, state, __ATOMIC_RELEASE);
    }
  pthread_mutex_unlock (&d->lock);
  return state > 0;
}

int
pc_dl_error (const struct pc_dl *d, pc_error **err)
{
  return pc_error_makec (err, PC_ERR_UNSUPPORTED, ELIBACC, "%s", d->why);
}
