/* The volume store under concurrency and the container side's entry point:
   pc_engine_volume_path creates on first use and returns _data; many
   processes creating one name at once make exactly one volume. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/engine/engine.h"
#include "tests/unit/tap.h"

#define RACERS 8

static struct pc_engine *
open_engine (const char *root, const char *runroot)
{
  struct pc_engine_options o = { .root = root, .runroot = runroot };
  struct pc_engine *e = NULL;
  pc_autoerror pc_error *err = NULL;
  if (pc_engine_open (&o, 0, &e, &err) < 0)
    {
      printf ("# open: %s\n", err->msg);
      return NULL;
    }
  return e;
}

/* RACERS children create `name` at the same moment; returns how many succeeded. */
static int
race (const char *root, const char *runroot, const char *name, bool ignore)
{
  int go[2];
  if (pipe (go) < 0)
    return -1;
  pid_t pids[RACERS];
  for (int i = 0; i < RACERS; i++)
    {
      pids[i] = fork ();
      if (pids[i] == 0)
        {
          close (go[1]);
          char c;
          if (read (go[0], &c, 1) < 0)
            _exit (3);
          struct pc_engine *e = open_engine (root, runroot);
          if (e == NULL)
            _exit (3);
          struct pc_volume_create_opts o = { .name = name, .ignore = ignore };
          json_object *v = NULL;
          pc_error *err = NULL;
          int rc = pc_engine_volume_create (e, &o, &v, &err);
          int cls = rc < 0 ? (int) pc_error_class_of (err) : -1;
          /* Freed before _exit: valgrind's leak check runs in each child. */
          pc_error_free (err);
          json_object_put (v);
          pc_engine_close (e);
          _exit (rc == 0 ? 0 : cls == PC_ERR_EXISTS ? 1 : 2);
        }
    }
  close (go[0]);
  close (go[1]); /* EOF releases them all at once */
  int succeeded = 0, other = 0;
  for (int i = 0; i < RACERS; i++)
    {
      int st;
      waitpid (pids[i], &st, 0);
      if (WIFEXITED (st) && WEXITSTATUS (st) == 0)
        succeeded++;
      else if (!(WIFEXITED (st) && WEXITSTATUS (st) == 1))
        other++;
    }
  return other ? -1 : succeeded;
}

int
main (void)
{
  char tmpl[] = "/tmp/pc-test-volume.XXXXXX";
  if (mkdtemp (tmpl) == NULL)
    return 1;
  pc_autofree char *root = xasprintf ("%s/root", tmpl);
  pc_autofree char *runroot = xasprintf ("%s/run", tmpl);
  struct pc_engine *e = open_engine (root, runroot);
  ok (e != NULL, "engine opens on an empty root");
  if (e == NULL)
    return done_testing ();

  pc_error *err = NULL;
  char *path = NULL;
  int rc = pc_engine_volume_path (e, "first", false, &path, &err);
  ok (rc < 0 && pc_error_class_of (err) == PC_ERR_NOT_FOUND,
      "path of a missing volume without create_if_missing: not found");
  pc_error_clear (&err);

  rc = pc_engine_volume_path (e, "first", true, &path, &err);
  ok (rc == 0, "path with create_if_missing creates it");
  pc_autofree char *want = xasprintf ("%s/volumes/first/_data", root);
  is_str (path, want, "the path is ROOT/volumes/NAME/_data");
  struct stat st;
  ok (path && stat (path, &st) == 0 && S_ISDIR (st.st_mode), "_data is a directory");
  free (path);
  path = NULL;
  rc = pc_engine_volume_path (e, "first", true, &path, &err);
  ok (rc == 0 && path && strcmp (path, want) == 0, "a second call finds the same volume");
  free (path);
  path = NULL;

  rc = pc_engine_volume_path (e, "../escape", true, &path, &err);
  ok (rc < 0 && path == NULL, "a name with a slash is refused, nothing made");
  pc_error_clear (&err);
  pc_autofree char *escaped = xasprintf ("%s/escape", root);
  ok (access (escaped, F_OK) < 0, "nothing was created outside volumes/");

  ok (pc_engine_volume_name_valid ("a.b-c_1"), "a.b-c_1 is valid");
  ok (!pc_engine_volume_name_valid (".lock"), ".lock is not a volume name");
  ok (!pc_engine_volume_name_valid (".tmp-x"), ".tmp-x is not a volume name");
  ok (!pc_engine_volume_name_valid (""), "empty is not a volume name");

  is_int (race (root, runroot, "raced", false), 1,
          "%d processes creating one name at once: exactly one succeeds, the rest get exists",
          RACERS);
  is_int (race (root, runroot, "raced-ignore", true), RACERS,
          "with ignore every one of them succeeds");

  pc_autojson json_object *list = NULL;
  ok (pc_engine_volume_list (e, &list, &err) == 0, "list");
  is_int (pc_json_array_len (list), 3, "three volumes: first, raced, raced-ignore");
  is_str (pc_json_get_string (pc_json_array_object_at (list, 1), "Name"), "raced",
          "sorted by name");
  pc_autofree char *tmpdir = xasprintf ("%s/volumes", root);
  int dfd = open (tmpdir, O_DIRECTORY | O_RDONLY);
  struct stat ts;
  ok (dfd >= 0 && fstatat (dfd, ".tmp-raced", &ts, AT_SYMLINK_NOFOLLOW) < 0,
      "no temporary directory left behind");
  if (dfd >= 0)
    close (dfd);

  pc_engine_close (e);
  pc_rm_rf_at (AT_FDCWD, tmpl, &err);
  pc_error_clear (&err);
  return done_testing ();
}
