#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/resource.h>
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

static const char *
adir_of (const char *dir, const char *name)
{
  static char buf[4096];
  snprintf (buf, sizeof buf, "%s/%s", dir, name);
  return buf;
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

/* fds this process has open (the batch must not leak its dups). */
static int
open_fds (void)
{
  int n = 0;
  DIR *d = opendir ("/proc/self/fd");
  struct dirent *de;
  while (d && (de = readdir (d)))
    n += de->d_name[0] != '.';
  if (d)
    closedir (d);
  return n;
}

static void
test_batch (const char *dir, int dfd)
{
  pc_error *err = NULL;
  int fds0 = open_fds ();
  mkdirat (dfd, "n", 0755);
  struct pc_sync_batch b = PC_SYNC_BATCH_INIT;
  is_int (pc_write_file_atomic_batch (dfd, "n/name", "id", 2, 0600, &b, &err), 0, "batched write");
  is_int ((int) b.n, 2, "its file and its directory wait for the commit");
  pc_autofree char *s = slurp (dfd, "n/name");
  is_str (s, "id", "a batched file is in place before the commit");
  is_int (pc_write_file_commit (dfd, "rec", "{}", 2, 0644, &b, &err), 0, "commit");
  is_int ((int) b.n, 0, "the commit synced and closed the batch");
  free (s);
  s = slurp (dfd, "rec");
  is_str (s, "{}", "commit file written");
  is_int (open_fds (), fds0, "no fd left open");

  /* A full batch syncs what comes next at once. */
  for (int i = 0; i < PC_SYNC_BATCH_MAX + 3; i++)
    is_int (pc_sync_batch_add (&b, dfd, &err), 0, "add %d", i);
  is_int ((int) b.n, PC_SYNC_BATCH_MAX, "a batch holds at most PC_SYNC_BATCH_MAX");
  pc_sync_batch_clear (&b);
  is_int (open_fds (), fds0, "clear closes what was gathered");

  /* nosync: atomic, nothing gathered. */
  struct pc_sync_batch v = PC_SYNC_BATCH_INIT;
  v.nosync = true;
  is_int (pc_write_file_atomic_batch (dfd, "n/vol", "x", 1, 0600, &v, &err), 0, "volatile write");
  is_int (pc_write_file_commit (dfd, "vrec", "y", 1, 0600, &v, &err), 0, "volatile commit");
  is_int ((int) v.n, 0, "nothing gathered");
  free (s);
  s = slurp (dfd, "vrec");
  is_str (s, "y", "volatile commit file written");

  /* A commit that cannot rename leaves no temp file, and the batch is empty. */
  mkdirat (dfd, "isdir", 0755);
  pc_write_file_atomic_batch (dfd, "n/other", "z", 1, 0600, &b, &err);
  ok (pc_write_file_commit (dfd, "isdir", "x", 1, 0644, &b, &err) < 0, "commit onto a directory fails");
  pc_error_clear (&err);
  is_int ((int) b.n, 0, "the batch was still synced and closed");
  is_int (count_entries (dir), 4, "no temp file left (n, rec, vrec, isdir)");
  is_int (open_fds (), fds0, "no fd left open after the failure");
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


/* Nests depth directories under dfd/name, each holding a file, with a
   side directory every 97 levels (so the walk climbs back up through levels
   whose streams it closed and finds more to remove there). */
static void
make_deep (int dfd, const char *name, int depth)
{
  MUST (mkdirat (dfd, name, 0755));
  int fd = openat (dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  MUST (fd);
  for (int i = 0; i < depth; i++)
    {
      put (fd, "f", "x");
      if (i % 97 == 5)
        {
          MUST (mkdirat (fd, "side", 0755));
          put (fd, "side/g", "y");
          MUST (mkdirat (fd, "side2", 0555));
        }
      MUST (mkdirat (fd, "d", 0755));
      int next = openat (fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      MUST (next);
      close (fd);
      fd = next;
    }
  close (fd);
}

static void
test_rm_rf_deep (int dfd)
{
  pc_error *err = NULL;
  /* Few fds, many levels: the old recursive walk held two per level. */
  struct rlimit old, low = { 64, 64 };
  MUST (getrlimit (RLIMIT_NOFILE, &old));
  make_deep (dfd, "deep", 3000);
  low.rlim_max = old.rlim_max;
  MUST (setrlimit (RLIMIT_NOFILE, &low));
  int r = pc_rm_rf_at (dfd, "deep", &err);
  MUST (setrlimit (RLIMIT_NOFILE, &old));
  if (r < 0)
    printf ("# %s\n", err->msg);
  is_int (r, 0, "a tree 3000 directories deep is removed with 64 fds");
  ok (faccessat (dfd, "deep", F_OK, AT_SYMLINK_NOFOLLOW) < 0, "nothing of it is left");
  pc_error_clear (&err);

  /* Deep down a link to /: removed as a link, never followed. */
  make_deep (dfd, "deep2", 40);
  MUST (symlinkat ("/", dfd, "deep2/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/root-link"));
  is_int (pc_rm_rf_at (dfd, "deep2", &err), 0, "deep tree with a link to / removed");
  ok (access ("/etc/passwd", F_OK) == 0, "the link's target untouched");
  pc_error_clear (&err);
}

static void
test_rm_rf_mount (const char *dir, int dfd)
{
  if (geteuid () != 0)
    {
      for (int i = 0; i < 2; i++)
        ok (1, "# SKIP a mount point in the tree needs root");
      return;
    }
  pid_t pid = fork ();
  if (pid == 0)
    {
      pc_error *err = NULL;
      if (unshare (CLONE_NEWNS) < 0 || mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
        _exit (100);
      /* An fd from the old namespace would not see the new mount. */
      dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      char *mp = NULL;
      if (pc_mkdir_p (dfd, "mnt/a/m", 0755, &err) < 0 || asprintf (&mp, "%s/mnt/a/m", dir) < 0)
        _exit (101);
      if (mount ("tmpfs", mp, "tmpfs", 0, NULL) < 0)
        _exit (102);
      put (dfd, "mnt/a/m/keep", "x");
      int r = pc_rm_rf_at (dfd, "mnt", &err);
      int e = r < 0 ? err->status : 0;
      if (r < 0)
        printf ("# %s\n", err->msg);
      bool kept = faccessat (dfd, "mnt/a/m/keep", F_OK, 0) == 0;
      umount2 (mp, MNT_DETACH);
      _exit (r < 0 && e == EBUSY && kept ? 0 : 1);
    }
  int st = 0;
  waitpid (pid, &st, 0);
  is_int (WIFEXITED (st) ? WEXITSTATUS (st) : 200, 0, "rm -rf stops at a mount point (EBUSY) and leaves what is mounted");
  pc_error *err = NULL;
  is_int (pc_rm_rf_at (dfd, "mnt", &err), 0, "the tree goes once unmounted");
  pc_error_free (err);
}

static char *
fd_text (int dfd, const char *name)
{
  return slurp (dfd, name);
}

static void
test_output (const char *dir, int dfd)
{
  pc_error *err = NULL;
  char *p = NULL, *fifo = NULL;
  MUST (mkdirat (dfd, "out", 0755));
  if (asprintf (&p, "%s/out/file", dir) < 0 || asprintf (&fifo, "%s/out/fifo", dir) < 0)
    abort ();

  /* A new file appears only on commit. */
  struct pc_output o = PC_OUTPUT_INIT;
  is_int (pc_output_open (p, 0, &o, &err), 0, "output: open a new file");
  MUST (pc_write_all (o.fd, "new", 3, &err));
  ok (faccessat (dfd, "out/file", F_OK, 0) < 0, "output: not there before commit");
  is_int (pc_output_commit (&o, &err), 0, "output: commit");
  char *s = fd_text (dfd, "out/file");
  is_str (s, "new", "output: written on commit");
  free (s);
  is_int (count_entries (adir_of (dir, "out")), 1, "output: no temporary file left");

  /* An existing file is untouched by a failed operation, keeps its mode. */
  MUST (fchmodat (dfd, "out/file", 0600, 0));
  is_int (pc_output_open (p, 0, &o, &err), 0, "output: open an existing file");
  MUST (pc_write_all (o.fd, "half", 4, &err));
  s = fd_text (dfd, "out/file");
  is_str (s, "new", "output: existing content intact while writing");
  free (s);
  pc_output_abort (&o);
  s = fd_text (dfd, "out/file");
  is_str (s, "new", "output: existing content intact after abort");
  free (s);
  is_int (count_entries (adir_of (dir, "out")), 1, "output: abort removes only its temporary file");
  is_int (pc_output_open (p, 0, &o, &err), 0, "output: open again");
  MUST (pc_write_all (o.fd, "replaced", 8, &err));
  is_int (pc_output_commit (&o, &err), 0, "output: commit over the file");
  s = fd_text (dfd, "out/file");
  is_str (s, "replaced", "output: replaced on commit");
  free (s);
  struct stat st;
  MUST (fstatat (dfd, "out/file", &st, 0));
  is_int (st.st_mode & 07777, 0600, "output: the replaced file keeps its mode");

  /* A FIFO is written in place, never replaced nor unlinked. */
  MUST (mkfifo (fifo, 0600));
  int rfd = open (fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  MUST (rfd);
  is_int (pc_output_open (fifo, 0, &o, &err), 0, "output: open a FIFO");
  MUST (pc_write_all (o.fd, "piped", 5, &err));
  pc_output_abort (&o);
  MUST (fstatat (dfd, "out/fifo", &st, 0));
  ok (S_ISFIFO (st.st_mode), "output: a FIFO stays after abort");
  char buf[16] = { 0 };
  is_int ((int) read (rfd, buf, sizeof buf - 1), 5, "output: the FIFO got the data in place");
  is_int (pc_output_open (fifo, 0, &o, &err), 0, "output: open the FIFO again");
  is_int (pc_output_commit (&o, &err), 0, "output: commit on a FIFO");
  MUST (fstatat (dfd, "out/fifo", &st, 0));
  ok (S_ISFIFO (st.st_mode), "output: a FIFO stays after commit");
  close (rfd);

  /* /dev/null read-only check: only that it is opened in place. */
  is_int (pc_output_open ("/dev/null", 0, &o, &err), 0, "output: /dev/null");
  ok (o.tmp == NULL, "output: /dev/null is written in place");
  pc_output_abort (&o);
  MUST (stat ("/dev/null", &st));
  ok (S_ISCHR (st.st_mode), "output: /dev/null is still a device");

  /* EXCL: refused when it exists, and when it appears before commit. */
  ok (pc_output_open (p, PC_OUTPUT_EXCL, &o, &err) < 0 && pc_error_class_of (err) == PC_ERR_EXISTS,
      "output: EXCL refuses an existing file");
  pc_error_clear (&err);
  char *q = NULL;
  if (asprintf (&q, "%s/out/excl", dir) < 0)
    abort ();
  is_int (pc_output_open (q, PC_OUTPUT_EXCL, &o, &err), 0, "output: EXCL on a new path");
  put (dfd, "out/excl", "theirs");
  ok (pc_output_commit (&o, &err) < 0 && pc_error_class_of (err) == PC_ERR_EXISTS,
      "output: EXCL commit refuses a file that appeared");
  pc_error_clear (&err);
  s = fd_text (dfd, "out/excl");
  is_str (s, "theirs", "output: the file that appeared is kept");
  free (s);
  ok (pc_output_open (adir_of (dir, "out"), 0, &o, &err) < 0, "output: a directory is refused");
  pc_error_clear (&err);
  free (p);
  free (q);
  free (fifo);
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
  char bdir[sizeof dir + 8];
  snprintf (bdir, sizeof bdir, "%s/batch", dir);
  mkdir (bdir, 0755);
  int bfd = open (bdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  test_batch (bdir, bfd);
  close (bfd);
  test_rm_rf (dir, dfd);
  test_rm_rf_deep (dfd);
  test_rm_rf_mount (dir, dfd);
  test_output (dir, dfd);
  test_safe_open ("openat2", pc_safe_openat, dfd);
  test_safe_open ("walk", pc_safe_openat_walk, dfd);

  pc_error *err = NULL;
  is_int (pc_rm_rf_at (AT_FDCWD, dir, &err), 0, "cleanup");
  return done_testing ();
}
