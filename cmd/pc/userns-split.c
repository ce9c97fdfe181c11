/* Starting containers of several pods in one command: one child per run
   of names that need the same user namespace (userns-split.h). */
#include "cmd/pc/userns-split.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/proc.h"
#include "lib/xalloc.h"

/* fn for names in a child; its exit code. */
static int
group_in_child (struct pc_engine *e, char **names, int n, pc_cli_group_fn fn, void *data)
{
  fflush (stdout);
  fflush (stderr);
  pid_t pid = fork ();
  if (pid < 0)
    return pc_cli_errorf (PC_EXIT_ERROR, "fork: %s", strerror (errno));
  if (pid == 0)
    {
      int rc = fn (e, names, n, true, data);
      fflush (stdout);
      fflush (stderr);
      _exit (rc);
    }
  int status = 0;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return PC_EXIT_ERROR;
}

int
pc_cli_each_userns (struct pc_engine *e, char **names, int n, const struct pc_cli_split_opts *o,
                    pc_cli_group_fn fn, void *data)
{
  pc_autostrv char **ids = NULL;
  char **v = names;
  int nv = n;
  if (o->all)
    {
      struct pc_container **list = NULL;
      size_t nl = 0;
      pc_error *err = NULL;
      if (pc_engine_list (e, &list, &nl, &err) < 0)
        return pc_cli_fail (err);
      ids = xmalloc0 ((nl + 1) * sizeof *ids);
      nv = 0;
      for (size_t i = 0; i < nl; i++)
        if (o->want == NULL || o->want (list[i]))
          ids[nv++] = xstrdup (list[i]->id);
      pc_container_list_free (list, nl);
      v = ids;
    }
  /* The key of each name; a missing one (not --ignore'd) leaves the
     command whole, so that it fails before anything is done. */
  char **keys = xmalloc0 (((size_t) nv + 1) * sizeof *keys);
  char **kept = xmalloc0 (((size_t) nv + 1) * sizeof *kept);
  int nk = 0, ngroups = 0;
  bool whole = false;
  for (int i = 0; i < nv && !whole; i++)
    {
      pc_autoerror pc_error *err = NULL;
      char *k = pc_engine_userns_key (e, v[i], &err);
      if (k == NULL)
        {
          if (!(o->ignore_missing && pc_error_class_of (err) == PC_ERR_NOT_FOUND))
            whole = true;
          continue;
        }
      if (nk == 0 || strcmp (keys[nk - 1], k) != 0)
        ngroups++;
      keys[nk] = k;
      kept[nk++] = v[i];
    }
  int rc = 0;
  pc_error *terr = NULL;
  if (whole || ngroups <= 1)
    rc = fn (e, names, n, false, data);
  else if (pc_require_single_threaded ("starting containers of several pods", &terr) < 0)
    rc = pc_cli_fail (terr);
  else
    for (int i = 0; i < nk;)
      {
        int j = i + 1;
        while (j < nk && strcmp (keys[j], keys[i]) == 0)
          j++;
        int r = group_in_child (e, kept + i, j - i, fn, data);
        if (r != 0)
          rc = r;
        i = j;
      }
  for (int i = 0; i < nk; i++)
    free (keys[i]);
  free (keys);
  free (kept);
  return rc;
}
