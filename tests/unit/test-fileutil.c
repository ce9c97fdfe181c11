#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileutil.h"
#include "tests/unit/tap.h"

/* Test setup that must work; a failure here is a broken machine, not pc. */
#define MUST(x)                                                         \
  do                                                                    \
    {                                                                   \
      if ((x) < 0)                                                      \
        {                                                               \
          perror (#x);                                                  \
          abort ();                                                     \
        }                                                               \
    }                                                                   \
  while (0)

static int
count_entries (const char *dir)
{
  DIR *d = opendir (dir);
  int n = 0;
  if (d == NULL)
    return -1;
  struct dirent *de;
  while ((de = readdir (d)))
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      n++;
  closedir (d);
  return n;
}

static char *
slurp (int dirfd, const char *path)
{
  char *s = NULL;
  pc_error *err = NULL;
  if (pc_read_file (dirfd, path, &s, NULL, &err) < 0)
    {
      pc_error_free (err);
      return NULL;
    }
  return s;
}

static char *
read_fd (int fd)
{
  char *s = NULL;
  pc_error *err = NULL;
  if (fd < 0 || pc_read_fd_all (fd, &s, NULL, &err) < 0)
    pc_error_free (err);
  if (fd >= 0)
    close (fd);
  return s;
}

static void
put (int dirfd, const char *path, const char *text)
{
  int fd = openat (dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd >= 0)
    {
      if (write (fd, text, strlen (text)) < 0)
        abort ();
      close (fd);
    }
}

static void
test_atomic (const char *dir, int dfd)
{
  pc_error *err = NULL;
  is_int (pc_write_file_atomic (dfd, "a.txt", "first", 5, 0640, &err), 0, "atomic write");
  char *s = slurp (dfd, "a.txt");
  is_str (s, "first", "content written");
  free (s);
  struct stat st;
  fstatat (dfd, "a.txt", &st, 0);
  is_int (st.st_mode & 07777, 0640, "mode honoured (umask does not apply)");
  is_int (pc_write_file_atomic (dfd, "a.txt", "second!", 7, 0600, &err), 0, "replace");
  s = slurp (dfd, "a.txt");
  is_str (s, "second!", "content replaced");
  free (s);
  fstatat (dfd, "a.txt", &st, 0);
  is_int (st.st_mode & 07777, 0600, "new mode");
  is_int (count_entries (dir), 1, "no temp files left behind");

  mkdirat (dfd, "sub", 0755);
  is_int (pc_write_file_atomic (dfd, "sub/b.txt", "", 0, 0644, &err), 0, "write through a subdir, empty");
  s = slurp (dfd, "sub/b.txt");
  is_str (s, "", "empty file");
  free (s);

  ok (pc_write_file_atomic (dfd, "nodir/c.txt", "x", 1, 0644, &err) < 0, "missing dir fails");
  ok (err && err->status == ENOENT, "with ENOENT");
  pc_error_clear (&err);
  is_int (count_entries (dir), 2, "nothing created for the missing dir");

  /* rename onto a directory fails after the temp file exists: it must go. */
  ok (pc_write_file_atomic (dfd, "sub", "x", 1, 0644, &err) < 0, "replacing a directory fails");
  pc_error_clear (&err);
  pc_autofree char *subpath = NULL;
  if (asprintf (&subpath, "%s/sub", dir) < 0)
    abort ();
  is_int (count_entries (dir), 2, "failed write leaves no temp file in the dir");
  is_int (count_entries (subpath), 1, "directory untouched");
}

static void
test_read_mkdir (int dfd)
{
  pc_error *err = NULL;
  is_int (pc_mkdir_p (dfd, "x/y/z/", 0755, &err), 0, "mkdir -p");
  struct stat st;
  ok (fstatat (dfd, "x/y/z", &st, 0) == 0 && S_ISDIR (st.st_mode), "nested directories exist");
  is_int (pc_mkdir_p (dfd, "x/y", 0755, &err), 0, "mkdir -p of an existing dir is fine");
  put (dfd, "x/file", "data");
  ok (pc_mkdir_p (dfd, "x/file/sub", 0755, &err) < 0 && err && err->status == ENOTDIR,
      "mkdir -p through a file fails with ENOTDIR");
  pc_error_clear (&err);
  ok (pc_mkdir_p (dfd, "x/file", 0755, &err) < 0 && err && err->status == ENOTDIR,
      "mkdir -p on a file fails with ENOTDIR");
  pc_error_clear (&err);

  size_t len = 0;
  char *s = NULL;
  is_int (pc_read_file (dfd, "x/file", &s, &len, &err), 0, "read_file");
  is_int (len, 4, "length");
  is_str (s, "data", "NUL-terminated content");
  free (s);
  ok (pc_read_file (dfd, "x/none", &s, &len, &err) < 0 && err->status == ENOENT, "missing file");
  ok (strstr (err->msg, "x/none") != NULL, "error names the file");
  pc_error_clear (&err);

  int p[2];
  if (pipe (p) < 0)
    abort ();
  char big[100000];
  memset (big, 'q', sizeof big);
  pid_t pid = fork ();
  if (pid == 0)
    {
      close (p[0]);
      pc_write_all (p[1], big, sizeof big, NULL);
      _exit (0);
    }
  close (p[1]);
  is_int (pc_read_fd_all (p[0], &s, &len, &err), 0, "read_fd_all from a pipe");
  is_int (len, sizeof big, "write_all + read_fd_all move all bytes");
  free (s);
  close (p[0]);
  waitpid (pid, NULL, 0);
}

/* Builds a tree with a read-only dir, an unsearchable dir and a symlink to
   an outside file, then removes it. Returns a bitmask of failures. */
static int
rm_tree (const char *dir, const char *outside)
{
  int fail = 0;
  pc_error *err = NULL;
  int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (pc_mkdir_p (dfd, "t/a/b/c", 0755, &err) < 0)
    return 1;
  put (dfd, "t/a/b/c/f", "x");
  put (dfd, "t/a/ro-file", "x");
  mkdirat (dfd, "t/noexec", 0755);
  put (dfd, "t/noexec/inner", "x");
  if (symlinkat (outside, dfd, "t/a/link") < 0 || symlinkat ("../../../outside-dir", dfd, "t/a/b/rel") < 0)
    return 2;
  MUST (fchmodat (dfd, "t/a/ro-file", 0400, 0));
  MUST (fchmodat (dfd, "t/a/b", 0555, 0));
  MUST (fchmodat (dfd, "t/noexec", 0000, 0));
  if (pc_rm_rf_at (dfd, "t", &err) < 0)
    {
      printf ("# rm_rf: %s\n", err->msg);
      fail |= 4;
    }
  struct stat st;
  if (fstatat (dfd, "t", &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
    fail |= 8;
  if (pc_rm_rf_at (dfd, "t", &err) < 0)
    fail |= 16;
  close (dfd);
  pc_error_free (err);
  return fail;
}

static void
test_rm_rf (const char *dir, int dfd)
{
  pc_error *err = NULL;
  mkdirat (dfd, "outside-dir", 0755);
  put (dfd, "outside-dir/keep", "precious");
  pc_autofree char *outside = NULL;
  pc_autofree char *work = NULL;
  if (asprintf (&outside, "%s/outside-dir/keep", dir) < 0 || asprintf (&work, "%s/w", dir) < 0)
    abort ();
  mkdir (work, 0755);

  int fail;
  if (geteuid () == 0)
    {
      /* root ignores permission bits: run as nobody so the chmod path is exercised. */
      if (chown (work, 65534, 65534) < 0)
        abort ();
      chmod (dir, 0755);
      pid_t pid = fork ();
      if (pid == 0)
        {
          if (setgroups (0, NULL) < 0 || setresgid (65534, 65534, 65534) < 0
              || setresuid (65534, 65534, 65534) < 0)
            _exit (100);
          _exit (rm_tree (work, outside));
        }
      int st = 0;
      waitpid (pid, &st, 0);
      fail = WIFEXITED (st) ? WEXITSTATUS (st) : 200;
    }
  else
    fail = rm_tree (work, outside);
  is_int (fail, 0, "tree with read-only and unsearchable dirs and symlinks removed (bits: 4 rm failed, 8 left over, 16 second rm)");
  char *s = slurp (dfd, "outside-dir/keep");
  is_str (s, "precious", "file behind the symlink survives");
  free (s);
  is_int (pc_rm_rf_at (dfd, "does-not-exist", &err), 0, "missing path is success");

  /* A symlink given as the path itself is removed, not followed. */
  MUST (symlinkat ("outside-dir", dfd, "top-link"));
  is_int (pc_rm_rf_at (dfd, "top-link", &err), 0, "rm of a symlink to a dir");
  ok (faccessat (dfd, "outside-dir/keep", F_OK, 0) == 0, "its target is untouched");
  put (dfd, "plain", "x");
  is_int (pc_rm_rf_at (dfd, "plain", &err), 0, "rm of a plain file");
  ok (faccessat (dfd, "plain", F_OK, AT_SYMLINK_NOFOLLOW) < 0, "plain file gone");
  rmdir (work);
}

typedef int (*open_fn) (int, const char *, int, mode_t, pc_error **);

static void
test_safe_open (const char *name, open_fn fn, int dfd)
{
  pc_error *err = NULL;
  /* root/ is the container root; secret lives outside it; root/<abs path of
     secret> holds a decoy that a correct resolver finds instead. */
  char *abs_secret = NULL;
  char cwd[4096];
  pc_autoclose int rootfd = -1;
  if (fcntl (dfd, F_GETFD) < 0)
    abort ();
  pc_mkdir_p (dfd, "root/etc", 0755, &err);
  put (dfd, "secret", "host secret");
  put (dfd, "root/etc/passwd", "container passwd");
  snprintf (cwd, sizeof cwd, "/proc/self/fd/%d", dfd);
  char real[4096];
  ssize_t n = readlink (cwd, real, sizeof real - 1);
  real[n > 0 ? n : 0] = '\0';
  if (asprintf (&abs_secret, "%s/secret", real) < 0)
    abort ();
  pc_autofree char *decoy_dir = NULL;
  if (asprintf (&decoy_dir, "root%s", real) < 0)
    abort ();
  pc_mkdir_p (dfd, decoy_dir, 0755, &err);
  pc_autofree char *decoy = NULL;
  if (asprintf (&decoy, "%s/secret", decoy_dir) < 0)
    abort ();
  put (dfd, decoy, "decoy");
  unlinkat (dfd, "root/abs", 0);
  unlinkat (dfd, "root/rel", 0);
  unlinkat (dfd, "root/etc/dotdot", 0);
  unlinkat (dfd, "root/dirlink", 0);
  MUST (symlinkat (abs_secret, dfd, "root/abs"));
  MUST (symlinkat ("../../../../../../../../secret", dfd, "root/rel"));
  MUST (symlinkat ("../../..", dfd, "root/etc/dotdot"));
  MUST (symlinkat ("/etc", dfd, "root/dirlink"));
  rootfd = openat (dfd, "root", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  char *s = read_fd (fn (rootfd, "etc/passwd", O_RDONLY, 0, &err));
  is_str (s, "container passwd", "%s: plain path", name);
  free (s);
  s = read_fd (fn (rootfd, "/etc/passwd", O_RDONLY, 0, &err));
  is_str (s, "container passwd", "%s: absolute path is inside the root", name);
  free (s);
  s = read_fd (fn (rootfd, "../../../../etc/passwd", O_RDONLY, 0, &err));
  is_str (s, "container passwd", "%s: ../ cannot climb above the root", name);
  free (s);
  s = read_fd (fn (rootfd, "abs", O_RDONLY, 0, &err));
  is_str (s, "decoy", "%s: absolute symlink resolves inside the root", name);
  free (s);
  s = read_fd (fn (rootfd, "rel", O_RDONLY, 0, &err));
  ok (s == NULL && err && err->status == ENOENT, "%s: relative symlink with ../ cannot reach the host file", name);
  free (s);
  pc_error_clear (&err);
  s = read_fd (fn (rootfd, "etc/dotdot/secret", O_RDONLY, 0, &err));
  ok (s == NULL && err && err->status == ENOENT, "%s: symlink to ../../.. stays at the root", name);
  free (s);
  pc_error_clear (&err);
  s = read_fd (fn (rootfd, "dirlink/passwd", O_RDONLY, 0, &err));
  is_str (s, "container passwd", "%s: absolute symlink to a directory", name);
  free (s);
  int fd = fn (rootfd, "dirlink/newfile", O_WRONLY | O_CREAT | O_EXCL, 0600, &err);
  ok (fd >= 0, "%s: O_CREAT through a symlinked dir", name);
  if (fd >= 0)
    close (fd);
  ok (faccessat (dfd, "root/etc/newfile", F_OK, 0) == 0, "%s: created inside the root", name);
  unlinkat (dfd, "root/etc/newfile", 0);
  fd = fn (rootfd, "abs", O_RDONLY | O_NOFOLLOW, 0, &err);
  ok (fd < 0 && err && err->status == ELOOP, "%s: O_NOFOLLOW on a final symlink gives ELOOP", name);
  if (fd >= 0)
    close (fd);
  pc_error_clear (&err);
  /* O_PATH (how the runtime opens mount destinations) follows a final
     symlink inside the root, as openat2 does: never the link itself. */
  fd = fn (rootfd, "dirlink", O_PATH | O_DIRECTORY, 0, &err);
  struct stat lst;
  ok (fd >= 0 && fstat (fd, &lst) == 0 && S_ISDIR (lst.st_mode)
      && fstatat (rootfd, "etc/passwd", &lst, 0) == 0 && faccessat (fd, "passwd", F_OK, 0) == 0,
      "%s: O_PATH on a final symlink to a directory opens the directory inside the root", name);
  if (fd >= 0)
    close (fd);
  pc_error_clear (&err);
  char *t = NULL;
  fd = fn (rootfd, "abs", O_PATH, 0, &err);
  ok (fd >= 0 && fstat (fd, &lst) == 0 && S_ISREG (lst.st_mode), "%s: O_PATH on a final symlink to a file opens the file", name);
  if (fd >= 0)
    {
      if (asprintf (&t, "/proc/self/fd/%d", fd) > 0)
        {
          pc_autoclose int rfd = open (t, O_RDONLY | O_CLOEXEC);
          char *got = read_fd (rfd >= 0 ? dup (rfd) : -1);
          is_str (got, "decoy", "%s: the one inside the root", name);
          free (got);
        }
      free (t);
      close (fd);
    }
  pc_error_clear (&err);
  fd = fn (rootfd, "etc", O_RDONLY | O_DIRECTORY, 0, &err);
  ok (fd >= 0 && (fcntl (fd, F_GETFD) & FD_CLOEXEC), "%s: directory fd, close-on-exec", name);
  if (fd >= 0)
    close (fd);
  fd = fn (rootfd, "", O_RDONLY, 0, &err);
  ok (fd < 0 && err && err->status == ENOENT, "%s: empty path is ENOENT", name);
  pc_error_clear (&err);
  free (abs_secret);
}

int
main (void)
{
  /* Forked children must not repeat buffered TAP lines. */
  setvbuf (stdout, NULL, _IOLBF, 0);
  char dir[] = "/tmp/pc-test-fileutil-XXXXXX";
  if (mkdtemp (dir) == NULL)
    abort ();
  umask (022);
  pc_autoclose int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  char adir[sizeof dir + 8];
  snprintf (adir, sizeof adir, "%s/atomic", dir);
  mkdir (adir, 0755);
  int afd = open (adir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  test_atomic (adir, afd);
  close (afd);
  test_read_mkdir (dfd);
  test_rm_rf (dir, dfd);
  test_safe_open ("openat2", pc_safe_openat, dfd);
  test_safe_open ("walk", pc_safe_openat_walk, dfd);

  pc_error *err = NULL;
  is_int (pc_rm_rf_at (AT_FDCWD, dir, &err), 0, "cleanup");
  return done_testing ();
}
