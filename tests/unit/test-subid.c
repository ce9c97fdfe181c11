/* /etc/subuid parsing and the id mappings built from it. */
#include <errno.h>
#include <sched.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/rootless/rootless.h"
#include "tests/unit/tap.h"

static void
parse (const char *text, const char *user, uid_t uid, struct pc_subid_ranges *r, char ***w)
{
  pc_subid_parse (text, strlen (text), "/etc/subuid", user, uid, r, w);
}

static void
test_parser (void)
{
  struct pc_subid_ranges r;
  pc_autostrv char **w = NULL;

  parse ("ana:100000:65536\nbob:165536:65536\nana:300000:1000\n", "ana", 1000, &r, &w);
  is_int (r.n, 2, "two ranges of ana, several per user");
  is_int (r.r[0].start, 100000, "first range start");
  is_int (r.r[0].count, 65536, "first range size");
  is_int (r.r[1].start, 300000, "second range in file order");
  ok (w == NULL, "no warnings for a clean file");

  parse ("1000:200000:10\nana:100000:5\n", "ana", 1000, &r, NULL);
  is_int (r.n, 2, "numeric uid owner matches too");
  is_int (r.r[0].start, 200000, "uid line kept in order");

  parse ("anabel:1:2\nan:3:4\n", "ana", 1000, &r, NULL);
  is_int (r.n, 0, "names match exactly, not by prefix");

  parse ("# comment\n\n   \nana:100000:10  \r\n\t# indented comment\n", "ana", 1000, &r, &w);
  is_int (r.n, 1, "comments, blank lines, trailing blanks and CRLF tolerated");
  ok (w == NULL, "no warning for comments and blank lines");

  parse ("ana:100000\nana:x:10\nana:1:2:3\n:5:5\nana:-1:5\nana:500:10\nana:1:99999999999\n",
         "ana", 1000, &r, &w);
  is_int (r.n, 1, "only the good line of a malformed file is used");
  is_int (r.r[0].start, 500, "the good line");
  is_int (pc_strv_len (w), 6, "each malformed line warned");
  ok (w && strstr (w[0], "/etc/subuid:1: malformed line \"ana:100000\"") != NULL,
      "warning names file, line and content: %s", w ? w[0] : "");
  ok (w && strstr (w[3], ":4:") != NULL, "line numbers count every line");
  pc_strv_free (w);
  w = NULL;

  parse ("ana:100000:0\nana:200:5\n", "ana", 1000, &r, &w);
  is_int (r.n, 1, "zero-size range skipped");
  ok (w && strstr (w[0], "size 0") != NULL, "zero-size range warned");
  pc_strv_free (w);
  w = NULL;

  parse ("ana:4294967290:10\n", "ana", 1000, &r, &w);
  is_int (r.n, 0, "range past the id space skipped");
  ok (w != NULL, "and warned");
  pc_strv_free (w);
  w = NULL;

  parse ("ana:100:50\nana:120:50\nana:300:10\nana:160:200\n", "ana", 1000, &r, &w);
  is_int (r.n, 1, "overlapping ranges merged into one");
  is_int (r.r[0].start, 100, "merged start");
  is_int (r.r[0].count, 260, "merged size covers the union");
  is_int (pc_strv_len (w), 2, "each overlap warned");
  pc_strv_free (w);
  w = NULL;

  parse ("other:1:2\nmal formed\n", "ana", 1000, &r, &w);
  is_int (r.n, 0, "no range for the user");
  is_int (pc_strv_len (w), 1, "malformed lines of other users are still reported");
  pc_strv_free (w);
  w = NULL;

  parse ("ana:1:1", "ana", 1000, &r, NULL);
  is_int (r.n, 1, "last line without newline");

  pc_error *err = NULL;
  bool missing = false;
  is_int (pc_subid_read ("/nonexistent/subuid", "ana", 1000, &r, &missing, &err), 0,
          "a missing file is not an error");
  ok (missing && r.n == 0, "missing file: no ranges, flagged missing");

  char path[] = "/tmp/test-subid-XXXXXX";
  int fd = mkstemp (path);
  const char *text = "ana:100000:65536\n";
  ok (fd >= 0 && write (fd, text, strlen (text)) == (ssize_t) strlen (text), "temp file written");
  close (fd);
  is_int (pc_subid_read (path, "ana", 1000, &r, &missing, &err), 0, "read a file");
  ok (!missing && r.n == 1 && r.r[0].count == 65536, "file ranges read");
  setenv ("PC_SUBUID_FILE", path, 1);
  is_str (pc_subid_path (false), path, "PC_SUBUID_FILE overrides /etc/subuid");
  is_str (pc_subid_path (true), getenv ("PC_SUBGID_FILE") ? getenv ("PC_SUBGID_FILE") : "/etc/subgid",
          "subgid path independent");
  unsetenv ("PC_SUBUID_FILE");
  unlink (path);
}

static void
test_mappings (void)
{
  struct pc_idmap outer = { 0 }, m;
  outer.uid[0] = (struct pc_idmap_entry) { 0, 1000, 1 };
  outer.uid[1] = (struct pc_idmap_entry) { 1, 100000, 65536 };
  outer.n_uid = 2;
  outer.gid[0] = (struct pc_idmap_entry) { 0, 1000, 1 };
  outer.gid[1] = (struct pc_idmap_entry) { 1, 100000, 65536 };
  outer.n_gid = 2;
  pc_error *err = NULL;

  is_int (pc_rootless_keepid_idmap (1000, 1000, &outer, &m, &err), 0, "keep-id");
  pc_autofree char *k = pc_idmap_format (m.uid, m.n_uid);
  is_str (k, "0 1 1000\n1000 0 1\n1001 1001 64536\n", "keep-id: uid = user, 0.. shifted, rest same");
  uint32_t h;
  ok (pc_idmap_to_host (m.uid, m.n_uid, 1000, &h) && h == 0, "container 1000 -> pc-ns 0 (the user)");
  ok (pc_idmap_to_host (m.uid, m.n_uid, 0, &h) && h == 1, "container root -> first subuid");
  is_int (pc_idmap_size (m.uid, m.n_uid), 65537, "keep-id covers the whole namespace");

  pc_autofree char *fm = pc_idmap_fuse_mapping (m.uid, m.n_uid);
  is_str (fm, "0:1:1000:1000:0:1:1001:1001:64536", "fuse-overlayfs uidmapping= form");

  is_int (pc_rootless_keepid_idmap (0, 0, &outer, &m, &err), 0, "keep-id for uid 0");
  pc_autofree char *k0 = pc_idmap_format (m.uid, m.n_uid);
  is_str (k0, "0 0 1\n1 1 65536\n", "keep-id of root is the identity");

  is_int (pc_rootless_keepid_idmap (70000, 70000, &outer, &m, &err), -1, "uid beyond the namespace");
  ok (err && strstr (err->msg, "70000") != NULL, "error names the uid");
  pc_error_clear (&err);

  struct pc_idmap single = { 0 };
  single.uid[0] = (struct pc_idmap_entry) { 0, 1000, 1 };
  single.gid[0] = (struct pc_idmap_entry) { 0, 1000, 1 };
  single.n_uid = single.n_gid = 1;
  is_int (pc_rootless_keepid_idmap (1000, 1000, &single, &m, &err), 0, "keep-id in a single-id namespace");
  pc_autofree char *ks = pc_idmap_format (m.uid, m.n_uid);
  is_str (ks, "1000 0 1\n", "only the user is mapped");

  struct pc_idmap_entry e;
  bool abs;
  is_int (pc_idmap_parse_entry ("0:1:1000", &e, &abs, &err), 0, "parse container:host:size");
  ok (e.container_id == 0 && e.host_id == 1 && e.size == 1000 && !abs, "fields");
  is_int (pc_idmap_parse_entry ("0:@100000:10", &e, &abs, &err), 0, "parse @host");
  ok (abs && e.host_id == 100000, "@ marks a host id");
  const char *bad[] = { "0:1", "0:1:0", "a:1:2", "0:1:2:3", "0:1:2x", "", "4294967295:0:2" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      ok (pc_idmap_parse_entry (bad[i], &e, &abs, &err) < 0 && err, "reject \"%s\"", bad[i]);
      pc_error_clear (&err);
    }

  char *u1[] = { (char *) "0:1:1000", (char *) "1000:0:1", NULL };
  is_int (pc_rootless_explicit_idmap (u1, NULL, &outer, &m, &err), 0, "--uidmap alone");
  is_int (m.n_gid, 2, "gid map copies the uid map, as podman");
  ok (m.gid[1].container_id == 1000 && m.gid[1].host_id == 0, "copied entry");

  char *u2[] = { (char *) "0:0:70000", NULL };
  is_int (pc_rootless_explicit_idmap (u2, NULL, &outer, &m, &err), -1, "host range beyond pc's namespace");
  ok (err && strstr (err->msg, "65537") != NULL, "error gives the namespace size: %s", err ? err->msg : "");
  pc_error_clear (&err);

  char *u3[] = { (char *) "0:1:10", (char *) "5:100:10", NULL };
  is_int (pc_rootless_explicit_idmap (u3, NULL, &outer, &m, &err), -1, "overlapping container ranges");
  pc_error_clear (&err);
  char *u4[] = { (char *) "0:1:10", (char *) "100:5:10", NULL };
  is_int (pc_rootless_explicit_idmap (u4, NULL, &outer, &m, &err), -1, "overlapping host ranges");
  pc_error_clear (&err);

  char *u5[] = { (char *) "0:@1000:1", (char *) "1:@100010:5", NULL };
  char *g5[] = { (char *) "0:0:1", NULL };
  is_int (pc_rootless_explicit_idmap (u5, g5, &outer, &m, &err), 0, "@host ids translated");
  pc_autofree char *f5 = pc_idmap_format (m.uid, m.n_uid);
  is_str (f5, "0 0 1\n1 11 5\n", "host 1000 -> pc 0, host 100010 -> pc 11");
  is_int (m.n_gid, 1, "explicit gid map kept apart");

  char *u6[] = { (char *) "0:@999:2", NULL };
  is_int (pc_rootless_explicit_idmap (u6, NULL, &outer, &m, &err), -1, "@host id not in pc's namespace");
  pc_error_clear (&err);
}

/* Writes a keep-id map into a real child namespace and reads it back from
   inside. Direct writes need privilege over the ids: root only. */
static void
test_write_idmap (void)
{
  if (geteuid () != 0)
    {
      ok (1, "# SKIP writing maps directly needs root (system tests cover newuidmap)");
      return;
    }
  struct pc_idmap outer = { 0 }, m;
  outer.uid[0] = outer.gid[0] = (struct pc_idmap_entry) { 0, 0, UINT32_MAX };
  outer.n_uid = outer.n_gid = 1;
  pc_error *err = NULL;
  is_int (pc_rootless_keepid_idmap (1000, 1000, &outer, &m, &err), 0, "keep-id over the initial namespace");
  int go[2], back[2];
  ok (pipe (go) == 0 && pipe (back) == 0, "pipes");
  pid_t pid = fork ();
  if (pid == 0)
    {
      char c;
      if (unshare (CLONE_NEWUSER) < 0)
        _exit (2);
      if (write (back[1], "u", 1) != 1 || read (go[0], &c, 1) != 1)
        _exit (3);
      FILE *f = fopen ("/proc/self/uid_map", "r");
      char buf[256];
      size_t n = f ? fread (buf, 1, sizeof buf, f) : 0;
      if (write (back[1], buf, n) < 0)
        _exit (4);
      _exit (0);
    }
  char c;
  ok (read (back[0], &c, 1) == 1, "child unshared");
  is_int (pc_rootless_write_idmap (pid, &m, &err), 0, "maps written: %s", err ? err->msg : "");
  pc_error_clear (&err);
  ok (write (go[1], "g", 1) == 1, "child released");
  close (back[1]);
  char buf[512] = "";
  size_t len = 0;
  ssize_t r;
  while ((r = read (back[0], buf + len, sizeof buf - 1 - len)) > 0)
    len += (size_t) r;
  buf[len] = '\0';
  int status;
  waitpid (pid, &status, 0);
  ok (WIFEXITED (status) && WEXITSTATUS (status) == 0, "child exited 0");
  ok (strstr (buf, "1000          0          1") != NULL, "uid 1000 -> 0 seen inside");
  ok (strstr (buf, "0          1       1000") != NULL, "0..999 -> 1..1000 seen inside");
  is_int (pc_rootless_write_idmap (pid > 0 ? 999999 : 1, &m, &err), -1, "a missing process is an error");
  ok (err && strstr (err->msg, "/proc/999999/uid_map") != NULL, "error names the file");
  pc_error_clear (&err);
}

int
main (void)
{
  unsetenv ("PC_SUBUID_FILE");
  test_parser ();
  test_mappings ();
  test_write_idmap ();
  return done_testing ();
}
