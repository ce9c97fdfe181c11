/* pc_store_layer_apply_stream: a layer fed through a pipe (nothing to
   seek, as a pull's download) is extracted and verified while it is read;
   a truncated stream, a wrong digest or a wrong diff_id leaves nothing in
   the store. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/hash.h"
#include "lib/xalloc.h"
#include "pkg/rootless/rootless.h"
#include "pkg/storage/storage.h"
#include "tests/unit/tap.h"

enum { PLAIN, GZIP, ZSTD };

/* A small layer tar (deterministic: fixed times and owners), compressed as asked. */
static unsigned char *
make_layer (int comp, const char *text, size_t *len)
{
  struct archive *w = archive_write_new ();
  archive_write_set_format_ustar (w);
  if (comp == GZIP)
    archive_write_add_filter_gzip (w);
  else if (comp == ZSTD && archive_write_add_filter_zstd (w) != ARCHIVE_OK)
    {
      archive_write_free (w);
      return NULL;
    }
  size_t cap = 1 << 20;
  unsigned char *buf = xmalloc (cap);
  archive_write_open_memory (w, buf, cap, len);
  struct archive_entry *e = archive_entry_new ();
  archive_entry_set_pathname (e, "etc");
  archive_entry_set_filetype (e, AE_IFDIR);
  archive_entry_set_perm (e, 0755);
  archive_entry_set_mtime (e, 1000000000, 0);
  archive_write_header (w, e);
  archive_entry_clear (e);
  archive_entry_set_pathname (e, "etc/motd");
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, 0644);
  archive_entry_set_size (e, (la_int64_t) strlen (text));
  archive_entry_set_mtime (e, 1000000000, 0);
  archive_write_header (w, e);
  archive_write_data (w, text, strlen (text));
  archive_entry_free (e);
  archive_write_close (w);
  archive_write_free (w);
  return buf;
}

static void
digest_of (const void *buf, size_t len, char out[72])
{
  char hex[65];
  pc_sha256_hex (buf, len, hex);
  snprintf (out, 72, "sha256:%s", hex);
}

/* A pipe whose writer (a child) sends len bytes of buf and closes. */
static int
feed (const unsigned char *buf, size_t len, pid_t *pid)
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return -1;
  *pid = fork ();
  if (*pid < 0)
    return -1;
  if (*pid == 0)
    {
      close (p[0]);
      /* Small writes: the reader sees the stream arrive in pieces. */
      for (size_t off = 0; off < len;)
        {
          size_t n = len - off < 777 ? len - off : 777;
          ssize_t r = write (p[1], buf + off, n);
          if (r <= 0)
            _exit (1);
          off += (size_t) r;
        }
      _exit (0);
    }
  close (p[1]);
  return p[0];
}

static int
apply_piped (struct pc_store *s, const unsigned char *buf, size_t len, const char *digest,
             const char *diff_id, const char *parent, char chain[72], pc_error **err)
{
  pid_t pid = -1;
  int fd = feed (buf, len, &pid);
  if (fd < 0)
    return pc_error_errno (err, errno, "pipe");
  int r = pc_store_layer_apply_stream (s, fd, digest, diff_id, parent, chain, err);
  close (fd);
  waitpid (pid, NULL, 0);
  return r;
}

static int
count_entries (const char *dir)
{
  DIR *d = opendir (dir);
  if (d == NULL)
    return 0;
  int n = 0;
  struct dirent *de;
  while ((de = readdir (d)))
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      n++;
  closedir (d);
  return n;
}

static char *
read_text (const char *path)
{
  pc_autofree char *data = NULL;
  size_t len;
  pc_autoerror pc_error *e = NULL;
  if (pc_read_file (AT_FDCWD, path, &data, &len, &e) < 0)
    return NULL;
  return steal_pointer (&data);
}

int
main (void)
{
  signal (SIGPIPE, SIG_IGN);
  pc_error *err = NULL;
  if (pc_rootless_enter (&err) < 0)
    {
      printf ("1..0 # SKIP cannot enter a user namespace: %s\n", err->msg);
      return 0;
    }
  char tmpl[] = "/tmp/pc-unit-stream.XXXXXX";
  if (mkdtemp (tmpl) == NULL)
    return 1;
  pc_autofree char *root = xasprintf ("%s/root", tmpl);
  pc_autofree char *run = xasprintf ("%s/run", tmpl);
  pc_autofree char *layers = xasprintf ("%s/layers", root);
  pc_autofree char *blobs = xasprintf ("%s/blobs/sha256", root);
  pc_autofree char *tmpdir = xasprintf ("%s/tmp", root);
  struct pc_store *s = NULL;
  if (pc_store_open (root, run, "vfs", &s, &err) < 0)
    {
      printf ("1..0 # SKIP cannot open a store: %s\n", err->msg);
      return 0;
    }

  /* The diff_id is of the plain tar, whatever the blob's compression. */
  size_t plen, glen;
  pc_autofree unsigned char *plain = make_layer (PLAIN, "base layer\n", &plen);
  pc_autofree unsigned char *gz = make_layer (GZIP, "base layer\n", &glen);
  char pdig[72], gdig[72], chain1[72] = "", chain2[72] = "";
  digest_of (plain, plen, pdig);
  digest_of (gz, glen, gdig);

  /* 1. gzip through a pipe: stored under its chain id (= diff_id for a base). */
  int r = apply_piped (s, gz, glen, gdig, pdig, NULL, chain1, &err);
  is_int (r, 0, "a gzip layer applies from a pipe%s%s", err ? ": " : "", err ? err->msg : "");
  pc_error_clear (&err);
  is_str (chain1, pdig, "a base layer's chain id is its diff_id");
  pc_autofree char *motd = xasprintf ("%s/%s/diff/etc/motd", layers, chain1 + 7);
  pc_autofree char *text = read_text (motd);
  is_str (text, "base layer\n", "its file is in the layer's diff");
  pc_autofree char *blob = xasprintf ("%s/%s", blobs, gdig + 7);
  ok (access (blob, F_OK) == 0, "the compressed blob is kept under its digest");
  is_int (count_entries (tmpdir), 0, "no staging is left behind");

  /* 2. the same again: nothing to read. */
  r = apply_piped (s, gz, glen, gdig, pdig, NULL, chain1, &err);
  is_int (r, 1, "a layer the store has is not applied twice");
  pc_error_clear (&err);

  /* 3. plain tar through a pipe, on top of the first. */
  size_t p2len;
  pc_autofree unsigned char *plain2 = make_layer (PLAIN, "second layer\n", &p2len);
  char p2dig[72];
  digest_of (plain2, p2len, p2dig);
  r = apply_piped (s, plain2, p2len, p2dig, p2dig, chain1, chain2, &err);
  is_int (r, 0, "a plain layer applies from a pipe%s%s", err ? ": " : "", err ? err->msg : "");
  pc_error_clear (&err);
  ok (strcmp (chain2, p2dig) != 0 && strncmp (chain2, "sha256:", 7) == 0,
      "a child layer's chain id differs from its diff_id");
  pc_autofree char *motd2 = xasprintf ("%s/%s/diff/etc/motd", layers, chain2 + 7);
  pc_autofree char *text2 = read_text (motd2);
  is_str (text2, "second layer\n", "the child layer holds its own file");

  int n_layers = count_entries (layers), n_blobs = count_entries (blobs);

  /* 4. a truncated gzip stream: refused, nothing stored. */
  size_t g3len;
  pc_autofree unsigned char *gz3 = make_layer (GZIP, "third layer\n", &g3len);
  size_t p3len;
  pc_autofree unsigned char *plain3 = make_layer (PLAIN, "third layer\n", &p3len);
  char g3dig[72], p3dig[72], chain3[72];
  digest_of (gz3, g3len, g3dig);
  digest_of (plain3, p3len, p3dig);
  r = apply_piped (s, gz3, g3len / 2, g3dig, p3dig, NULL, chain3, &err);
  is_int (r, -1, "a truncated gzip stream is refused");
  ok (err && pc_error_class_of (err) == PC_ERR_INVALID, "as invalid content: %s", err ? err->msg : "");
  pc_error_clear (&err);
  is_int (count_entries (layers), n_layers, "no layer is stored from a truncated stream");
  is_int (count_entries (blobs), n_blobs, "no blob is stored from a truncated stream");
  is_int (count_entries (tmpdir), 0, "and no staging is left behind");

  /* 5. a truncated plain tar. */
  r = apply_piped (s, plain3, 700, p3dig, p3dig, NULL, chain3, &err);
  is_int (r, -1, "a truncated tar stream is refused");
  pc_error_clear (&err);
  is_int (count_entries (layers), n_layers, "no layer is stored from it");

  /* 6. the right content under a wrong digest. */
  char wrong[72];
  snprintf (wrong, sizeof wrong, "sha256:%064d", 0);
  r = apply_piped (s, gz3, g3len, wrong, p3dig, NULL, chain3, &err);
  is_int (r, -1, "a blob whose digest differs is refused");
  ok (err && strstr (err->msg, "digest mismatch"), "saying so: %s", err ? err->msg : "");
  pc_error_clear (&err);
  is_int (count_entries (layers), n_layers, "no layer is stored for a wrong digest");
  is_int (count_entries (blobs), n_blobs, "no blob is stored for a wrong digest");

  /* 7. the right blob under a wrong diff_id. */
  r = apply_piped (s, gz3, g3len, g3dig, wrong, NULL, chain3, &err);
  is_int (r, -1, "a tar whose diff_id differs is refused");
  ok (err && strstr (err->msg, "diff_id mismatch"), "saying so: %s", err ? err->msg : "");
  pc_error_clear (&err);
  is_int (count_entries (layers), n_layers, "no layer is stored for a wrong diff_id");
  is_int (count_entries (tmpdir), 0, "no staging is left behind after refusals");

  /* 8. zstd, when libarchive here can write it. */
  size_t zlen;
  pc_autofree unsigned char *zs = make_layer (ZSTD, "third layer\n", &zlen);
  if (zs)
    {
      char zdig[72];
      digest_of (zs, zlen, zdig);
      r = apply_piped (s, zs, zlen, zdig, p3dig, NULL, chain3, &err);
      is_int (r, 0, "a zstd layer applies from a pipe%s%s", err ? ": " : "", err ? err->msg : "");
      pc_error_clear (&err);
      is_str (chain3, p3dig, "under its diff_id");
    }
  else
    ok (1, "# SKIP libarchive cannot write zstd here");

  pc_store_close (s);
  pc_autoerror pc_error *e2 = NULL;
  pc_rm_rf_at (AT_FDCWD, tmpl, &e2);
  return done_testing ();
}
