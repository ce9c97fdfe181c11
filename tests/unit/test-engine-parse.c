/* pkg/engine's small parsers and words: env files, --ulimit, the STATUS
   column, generated names. */
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/engine/engine.h"
#include "pkg/engine/internal.h"
#include "tests/unit/tap.h"

static char *
write_temp (const char *content)
{
  char *path = xstrdup ("/tmp/pc-test-envfile-XXXXXX");
  int fd = mkstemp (path);
  if (fd < 0 || write (fd, content, strlen (content)) != (ssize_t) strlen (content))
    {
      printf ("Bail out! cannot write %s\n", path);
      exit (1);
    }
  close (fd);
  return path;
}

static char *
joined (char **v)
{
  size_t len = 1;
  for (char **p = v; p && *p; p++)
    len += strlen (*p) + 1;
  char *s = xmalloc0 (len);
  for (char **p = v; p && *p; p++)
    {
      if (p != v)
        strcat (s, "|");
      strcat (s, *p);
    }
  return s;
}

static void
test_env_file (void)
{
  setenv ("PC_TEST_HOSTVAR", "from host", 1);
  unsetenv ("PC_TEST_UNSET");
  setenv ("PC_TEST_PFX_ONE", "1", 1);
  pc_autofree char *path = write_temp ("# a comment\n"
                                       "\n"
                                       "   \n"
                                       "A=1\n"
                                       "B=\"quoted value\"\n"
                                       "C='single'\n"
                                       "  D=leading blanks go, trailing stay \n"
                                       "  # an indented comment\n"
                                       "PC_TEST_HOSTVAR\n"
                                       "PC_TEST_UNSET\n"
                                       "E=\n"
                                       "F=x=y\n"
                                       "G=crlf\r\n"
                                       "PC_TEST_PFX_*\n"
                                       "A=2\n"
                                       "LAST=no newline");
  pc_autostrv char **env = NULL;
  pc_strv_append (&env, "PRE=kept");
  pc_error *err = NULL;
  is_int (pc_engine_parse_env_file (path, &env, &err), 0, "env file parses");
  ok (err == NULL, "no error set");
  pc_autofree char *got = joined (env);
  is_str (got,
          "PRE=kept|A=2|B=\"quoted value\"|C='single'|D=leading blanks go, trailing stay |"
          "PC_TEST_HOSTVAR=from host|E=|F=x=y|G=crlf|PC_TEST_PFX_ONE=1|LAST=no newline",
          "comments and blank lines skipped, quotes literal, KEY alone from the host, "
          "unset KEY dropped, KEY* by prefix, a later KEY replaces in place");
  unlink (path);

  pc_autofree char *bad = write_temp ("OK=1\n=value\n");
  pc_autostrv char **env2 = NULL;
  is_int (pc_engine_parse_env_file (bad, &env2, &err), -1, "a line starting with = is refused");
  ok (err && strstr (err->msg, "invalid environment variable: \"=value\""), "podman's message: %s",
      err ? err->msg : "(none)");
  pc_error_clear (&err);
  unlink (bad);

  pc_autostrv char **env3 = NULL;
  is_int (pc_engine_parse_env_file ("/nonexistent/pc-env", &env3, &err), -1, "a missing file fails");
  ok (err && err->status == ENOENT, "with ENOENT");
  pc_error_clear (&err);
}

static void
check_ulimit (const char *arg, const char *name, int64_t soft, int64_t hard)
{
  pc_error *err = NULL;
  pc_autojson json_object *o = pc_engine_parse_ulimit (arg, &err);
  ok (o != NULL, "--ulimit %s parses", arg);
  is_str (pc_json_get_string (o, "Name"), name, "%s: name", arg);
  is_int (pc_json_get_int (o, "Soft", -2), soft, "%s: soft", arg);
  is_int (pc_json_get_int (o, "Hard", -2), hard, "%s: hard", arg);
  pc_error_clear (&err);
}

static void
check_ulimit_bad (const char *arg, const char *msg)
{
  pc_error *err = NULL;
  pc_autojson json_object *o = pc_engine_parse_ulimit (arg, &err);
  ok (o == NULL && err && err->status == EINVAL, "--ulimit %s is refused", arg);
  ok (err && strstr (err->msg, msg), "%s: message has \"%s\" (%s)", arg, msg, err ? err->msg : "none");
  pc_error_clear (&err);
}

static void
test_ulimit (void)
{
  check_ulimit ("nofile=1024:2048", "RLIMIT_NOFILE", 1024, 2048);
  check_ulimit ("nproc=512", "RLIMIT_NPROC", 512, 512);
  check_ulimit ("core=-1", "RLIMIT_CORE", -1, -1);
  check_ulimit ("memlock=unlimited:unlimited", "RLIMIT_MEMLOCK", -1, -1);
  check_ulimit ("stack=8192:-1", "RLIMIT_STACK", 8192, -1);
  check_ulimit_bad ("bogus=1", "invalid ulimit type: bogus");
  check_ulimit_bad ("NOFILE=1", "invalid ulimit type: NOFILE");
  check_ulimit_bad ("nofile", "invalid ulimit argument: nofile");
  check_ulimit_bad ("nofile=", "invalid ulimit argument");
  check_ulimit_bad ("nofile=abc", "invalid ulimit argument: nofile=abc");
  check_ulimit_bad ("nofile=10:x", "invalid ulimit argument");
  check_ulimit_bad ("nofile=-5", "invalid ulimit argument");
  check_ulimit_bad ("nofile=20:10", "soft limit must be less than or equal to hard limit");
}

static void
check_status (enum pc_container_status s, int code, time_t ago_sec, long ago_nsec, const char *want)
{
  struct timespec now = { .tv_sec = 1700000000, .tv_nsec = 500000000 };
  struct pc_container_state st = { .status = s, .exit_code = code };
  struct timespec then = { .tv_sec = now.tv_sec - ago_sec, .tv_nsec = now.tv_nsec - ago_nsec };
  if (s == PC_STATUS_EXITED)
    st.finished_at = then;
  else if (s != PC_STATUS_CREATED)
    st.started_at = then;
  pc_autofree char *got = pc_engine_status_human (&st, &now);
  is_str (got, want, "status: %s", want);
}

static void
test_status (void)
{
  check_status (PC_STATUS_CREATED, 0, 0, 0, "Created");
  check_status (PC_STATUS_RUNNING, 0, 3, 0, "Up 3 seconds");
  check_status (PC_STATUS_RUNNING, 0, 1, 0, "Up 1 second");
  check_status (PC_STATUS_RUNNING, 0, 0, 400000000, "Up Less than a second");
  check_status (PC_STATUS_RUNNING, 0, 90, 0, "Up About a minute");
  check_status (PC_STATUS_RUNNING, 0, 5 * 3600, 0, "Up 5 hours");
  check_status (PC_STATUS_PAUSED, 0, 3, 0, "Up 3 seconds (Paused)");
  check_status (PC_STATUS_EXITED, 0, 2, 0, "Exited (0) 2 seconds ago");
  check_status (PC_STATUS_EXITED, 137, 10 * 60, 0, "Exited (137) 10 minutes ago");
  check_status (PC_STATUS_EXITED, 1, 3 * 86400, 0, "Exited (1) 3 days ago");
}

static void
test_names (void)
{
  regex_t re;
  regcomp (&re, "^[a-z]+_[a-z]+$", REG_EXTENDED | REG_NOSUB);
  int bad_format = 0, bad_valid = 0;
  for (int i = 0; i < 300; i++)
    {
      pc_autofree char *n = pc_engine_random_name ();
      if (regexec (&re, n, 0, NULL, 0) != 0)
        {
          if (bad_format++ == 0)
            printf ("# badly formed: %s\n", n);
        }
      if (!eng_name_valid (n))
        bad_valid++;
    }
  regfree (&re);
  is_int (bad_format, 0, "300 generated names are all adjective_surname");
  is_int (bad_valid, 0, "and all are valid container names");
}

int
main (void)
{
  test_env_file ();
  test_ulimit ();
  test_status ();
  test_names ();
  return done_testing ();
}
