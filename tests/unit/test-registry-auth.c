/* auth.json: the files in podman's order, the key that matches (most
   specific first, docker's URL keys), writing (mode, directory, the rest
   of the file kept), logout's errors. Checked against podman 4.3's
   --get-login and logout on the same files. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/registry/config.h"
#include "pkg/registry/registry.h"
#include "tests/unit/tap.h"

static char tmp[] = "/tmp/test-regauth-XXXXXX";

static void
put (const char *rel, const char *text)
{
  pc_autofree char *p = xasprintf ("%s/%s", tmp, rel);
  pc_autofree char *d = xstrdup (p);
  *strrchr (d, '/') = '\0';
  pc_error *e = NULL;
  pc_mkdir_p (AT_FDCWD, d, 0700, &e);
  pc_write_file_atomic (AT_FDCWD, p, text, strlen (text), 0600, &e);
  pc_error_clear (&e);
}

static char *
b64 (const char *s)
{
  return pc_base64_encode (s, strlen (s));
}

/* "user:password@key" of the lookup, "none", or "error: MSG". */
static char *
who (const char *authfile, const char *key)
{
  struct pc_auth_entry e;
  pc_error *err = NULL;
  int r = pc_auth_lookup (authfile, key, &e, &err);
  char *out;
  if (r < 0)
    out = xasprintf ("error: %s", err->msg);
  else if (r == 0)
    out = xstrdup ("none");
  else
    out = xasprintf ("%s:%s@%s%s%s", e.user ? e.user : "", e.password ? e.password : "", e.key,
                     e.identity_token ? " token=" : "", e.identity_token ? e.identity_token : "");
  if (r > 0)
    pc_auth_entry_clear (&e);
  pc_error_clear (&err);
  return out;
}

#define WHO(authfile, key, want, ...)                                                              \
  do                                                                                               \
    {                                                                                              \
      pc_autofree char *who_ = who (authfile, key);                                                  \
      is_str (who_, want, __VA_ARGS__);                                                            \
    }                                                                                              \
  while (0)

static void
test_base64 (void)
{
  const char *in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar", "u1:p1" };
  const char *want[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy", "dTE6cDE=" };
  for (size_t i = 0; i < 8; i++)
    {
      pc_autofree char *e = b64 (in[i]);
      is_str (e, want[i], "base64 \"%s\"", in[i]);
      pc_autofree char *d = NULL;
      size_t len;
      ok (pc_base64_decode (e, &d, &len) == 0 && len == strlen (in[i]) && memcmp (d, in[i], len) == 0,
          "round trip \"%s\"", in[i]);
    }
  const char *bad[] = { "Zg=", "Z===", "Zm9v!A==", "=Zg=", "Zg==Zg==" };
  for (size_t i = 0; i < 5; i++)
    {
      char *d = NULL;
      ok (pc_base64_decode (bad[i], &d, NULL) < 0 && d == NULL, "bad base64 \"%s\" refused", bad[i]);
    }
}

static void
test_lookup (void)
{
  pc_autofree char *a1 = b64 ("u1:p1"), *a2 = b64 ("u2:p2"), *a3 = b64 ("u3:p:3"), *a4 = b64 ("hub:hp"),
                   *a5 = b64 ("cfg:cp"), *a6 = b64 ("tok:");
  pc_autofree char *rt = xasprintf (
      "{\"auths\":{\"foo.example\":{\"auth\":\"%s\"},\"foo.example/ns\":{\"auth\":\"%s\"},"
      "\"foo.example/ns/deep\":{\"auth\":\"%s\"},\"bad.example\":{\"auth\":\"bm9jb2xvbg==\"}}}",
      a1, a2, a3);
  put ("run/containers/auth.json", rt);
  pc_autofree char *cfg = xasprintf ("{\"auths\":{\"cfg.example:5000\":{\"auth\":\"%s\"},\"foo.example\":{\"auth\":\"%s\"}}}", a5, a5);
  put ("home/.config/containers/auth.json", cfg);
  pc_autofree char *dock = xasprintf ("{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"%s\"},"
                                      "\"tok.example\":{\"auth\":\"%s\",\"identitytoken\":\"T0K\"},"
                                      "\"http://url.example:8080/v2/\":{\"auth\":\"%s\"}}}",
                                      a4, a6, a1);
  put ("home/.docker/config.json", dock);

  WHO (NULL, "foo.example", "u1:p1@foo.example", "host key");
  WHO (NULL, "foo.example/ns", "u2:p2@foo.example/ns", "namespace key (podman --get-login: u2)");
  WHO (NULL, "foo.example/ns/x", "u2:p2@foo.example/ns", "a repository under the namespace: longest prefix");
  WHO (NULL, "foo.example/ns/deep/x", "u3:p:3@foo.example/ns/deep", "a password with ':' in it");
  WHO (NULL, "foo.example/other", "u1:p1@foo.example", "another repository: the host's");
  WHO (NULL, "foo.example/nsx", "u1:p1@foo.example", "a prefix matches whole components only");
  WHO (NULL, "cfg.example:5000/a", "cfg:cp@cfg.example:5000", "second file: ~/.config/containers/auth.json");
  WHO (NULL, "docker.io/library/alpine", "hub:hp@https://index.docker.io/v1/", "docker's Hub URL key");
  WHO (NULL, "url.example:8080", "u1:p1@http://url.example:8080/v2/", "docker's URL keys match their host");
  WHO (NULL, "tok.example", "tok:@tok.example token=T0K", "identitytoken");
  WHO (NULL, "bad.example", "none", "an auth without ':' is skipped, as docker does");
  WHO (NULL, "nothing.example", "none", "no entry anywhere");

  /* --authfile / REGISTRY_AUTH_FILE come first, the others still follow. */
  pc_autofree char *own = xasprintf ("{\"auths\":{\"foo.example\":{\"auth\":\"%s\"}}}", a5);
  put ("own.json", own);
  pc_autofree char *ownp = xasprintf ("%s/own.json", tmp);
  WHO (ownp, "foo.example", "cfg:cp@foo.example", "--authfile first");
  WHO (ownp, "docker.io/x/y", "hub:hp@https://index.docker.io/v1/", "then the other files");
  setenv ("REGISTRY_AUTH_FILE", ownp, 1);
  WHO (NULL, "foo.example", "cfg:cp@foo.example", "REGISTRY_AUTH_FILE");
  unsetenv ("REGISTRY_AUTH_FILE");

  pc_autofree char *solo = xasprintf ("{\"auths\":{\"solo.example/ns\":{\"auth\":\"%s\"}}}", a1);
  put ("solo.json", solo);
  pc_autofree char *solop = xasprintf ("%s/solo.json", tmp);
  WHO (solop, "solo.example/ns/app", "u1:p1@solo.example/ns", "a namespace key serves its repositories");
  WHO (solop, "solo.example/other", "none", "and no other (a path is cut only from a URL key)");
  WHO (solop, "solo.example", "none", "nor the host");

  put ("bad.json", "{\"auths\": [");
  pc_autofree char *badp = xasprintf ("%s/bad.json", tmp);
  pc_autofree char *g = who (badp, "foo.example");
  ok (strncmp (g, "error: reading JSON file", 24) == 0 && strstr (g, "bad.json"), "malformed file: %s", g);
  put ("bad2.json", "{\"auths\": {\"foo.example\": {\"auth\": \"%%%%\"}}}");
  pc_autofree char *badp2 = xasprintf ("%s/bad2.json", tmp);
  pc_autofree char *g2 = who (badp2, "foo.example");
  ok (strstr (g2, "not valid base64") != NULL, "bad base64: %s", g2);
  put ("bad3.json", "{\"auths\": {\"foo.example\": 7}}");
  pc_autofree char *badp3 = xasprintf ("%s/bad3.json", tmp);
  pc_autofree char *g3 = who (badp3, "foo.example");
  ok (strncmp (g3, "error:", 6) == 0, "an entry of the wrong type: %s", g3);

  struct pc_registry_creds c;
  pc_error *e = NULL;
  ok (pc_registry_credentials (NULL, "foo.example", &c, &e) == 1 && strcmp (c.user, "u1") == 0
          && strcmp (c.password, "p1") == 0,
      "the registry.h hook");
  pc_registry_creds_clear (&c);
}

static void
test_write (void)
{
  pc_autofree char *dir = xasprintf ("%s/rt2", tmp);
  setenv ("XDG_RUNTIME_DIR", dir, 1);
  pc_error *e = NULL;
  ok (pc_auth_store (NULL, "new.example:5000", "me", "s3cret", &e) == 0, "store");
  pc_autofree char *file = xasprintf ("%s/containers/auth.json", dir);
  pc_autofree char *cdir = xasprintf ("%s/containers", dir);
  struct stat st;
  ok (stat (file, &st) == 0 && (st.st_mode & 0777) == 0600, "auth.json mode 0600");
  ok (stat (cdir, &st) == 0 && (st.st_mode & 0777) == 0700, "its directory 0700");
  pc_autojson json_object *o = pc_json_read_file (AT_FDCWD, file, &e);
  json_object *auths = pc_json_get_object (o, "auths");
  is_str (pc_json_get_string (pc_json_get_object (auths, "new.example:5000"), "auth"), "bWU6czNjcmV0",
          "entry {\"auth\": base64(user:password)}");
  WHO (NULL, "new.example:5000/x", "me:s3cret@new.example:5000", "read back");

  /* Other keys of the file are kept. */
  put ("rt2/containers/auth.json", "{\"auths\":{\"keep.example\":{\"auth\":\"dTE6cDE=\"}},\"credHelpers\":{\"x\":\"y\"},\"other\":1}");
  ok (pc_auth_store (NULL, "new.example/ns", "me2", "pw2", &e) == 0, "store a namespace key");
  pc_autojson json_object *o2 = pc_json_read_file (AT_FDCWD, file, &e);
  ok (pc_json_get (o2, "auths") && pc_json_get_object (pc_json_get_object (o2, "auths"), "keep.example")
          && pc_json_get_int (o2, "other", 0) == 1,
      "the file's other entries and keys are kept");
  ok (pc_auth_remove (NULL, "new.example/ns", &e) == 0, "remove");
  ok (pc_auth_remove (NULL, "new.example/ns", &e) < 0 && e && strcmp (e->msg, "not logged into new.example/ns") == 0
          && pc_error_class_of (e) == PC_ERR_NOT_FOUND,
      "remove again: podman's 'not logged into' (not found)");
  pc_error_clear (&e);
  ok (pc_auth_remove_all (NULL, &e) == 0, "remove all");
  pc_autojson json_object *o3 = pc_json_read_file (AT_FDCWD, file, &e);
  ok (o3 && json_object_object_length (pc_json_get_object (o3, "auths")) == 0
          && !json_object_object_get_ex (o3, "credHelpers", NULL),
      "remove all empties auths and credHelpers");

  /* A path that is not a regular file is refused, not replaced. */
  pc_autofree char *fifo = xasprintf ("%s/fifo.json", tmp);
  mkfifo (fifo, 0600);
  ok (pc_auth_store (fifo, "x.example", "a", "b", &e) < 0, "a FIFO as --authfile is refused");
  ok (e && !strstr (e->msg, "b\""), "without the password in the message");
  pc_error_clear (&e);
  ok (stat (fifo, &st) == 0 && S_ISFIFO (st.st_mode), "and left as it was");
  pc_error_clear (&e);
}

static void
test_keys (void)
{
  static const struct
  {
    const char *arg, *key, *host;
  } cases[] = {
    { "quay.io", "quay.io", "quay.io" },
    { "https://quay.io/v2/", "quay.io", "quay.io" },
    { "http://127.0.0.1:5000", "127.0.0.1:5000", "127.0.0.1:5000" },
    { "127.0.0.1:1/ns/x", "127.0.0.1:1/ns/x", "127.0.0.1:1" },
    { "quay.io/a:tag", NULL, NULL },
    { "ns/repo", NULL, NULL },
    { "quay.io/A", NULL, NULL },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      char *key, *host;
      pc_error *e = NULL;
      int r = pc_auth_parse_key (cases[i].arg, &key, &host, &e);
      is_str (r == 0 ? key : NULL, cases[i].key, "key of \"%s\"%s%s", cases[i].arg, e ? ": " : "",
              e ? e->msg : "");
      is_str (r == 0 ? host : NULL, cases[i].host, "host of \"%s\"", cases[i].arg);
      free (key);
      free (host);
      pc_error_clear (&e);
    }
}

static void
test_certs (void)
{
  put ("home/.config/containers/certs.d/reg.example:5000/ca.crt", "x");
  put ("home/.config/containers/certs.d/reg.example:5000/b.crt", "x");
  put ("home/.config/containers/certs.d/reg.example:5000/client.cert", "x");
  put ("home/.config/containers/certs.d/reg.example:5000/client.key", "x");
  put ("home/.config/containers/certs.d/reg.example:5000/README", "x");
  struct pc_certs c;
  pc_error *e = NULL;
  ok (pc_certs_for_host ("reg.example:5000", NULL, &c, &e) == 0, "certs.d of the user");
  pc_autofree char *want = xasprintf ("%s/home/.config/containers/certs.d/reg.example:5000/b.crt", tmp);
  is_int (pc_strv_len (c.ca_files), 2, "the *.crt files");
  is_str (c.ca_files ? c.ca_files[0] : NULL, want, "sorted");
  ok (pc_strv_len (c.certs) == 1 && pc_strv_len (c.keys) == 1 && strstr (c.keys[0], "client.key"),
      "a client certificate with its key");
  pc_certs_clear (&c);
  ok (pc_certs_for_host ("other.example", NULL, &c, &e) == 0 && c.dir == NULL && c.ca_files == NULL,
      "no directory: nothing (the system CAs only)");
  pc_certs_clear (&c);
  put ("mine/ca.crt", "x");
  put ("mine/lonely.cert", "x");
  pc_autofree char *mine = xasprintf ("%s/mine", tmp);
  ok (pc_certs_for_host ("reg.example:5000", mine, &c, &e) < 0 && e
          && strcmp (e->msg, "missing key lonely.key for client certificate lonely.cert. Note that CA certificates should use the extension .crt") == 0,
      "--cert-dir alone; a .cert without its .key: podman's error");
  pc_error_clear (&e);
  pc_autofree char *lonely = xasprintf ("%s/mine/lonely.cert", tmp);
  unlink (lonely);
  ok (pc_certs_for_host ("reg.example:5000", mine, &c, &e) == 0 && pc_strv_len (c.ca_files) == 1
          && strstr (c.ca_files[0], "/mine/ca.crt"),
      "--cert-dir replaces certs.d");
  pc_certs_clear (&c);
}

int
main (void)
{
  if (mkdtemp (tmp) == NULL)
    return 1;
  pc_autofree char *home = xasprintf ("%s/home", tmp);
  pc_autofree char *rt = xasprintf ("%s/run", tmp);
  setenv ("HOME", home, 1);
  setenv ("XDG_RUNTIME_DIR", rt, 1);
  unsetenv ("XDG_CONFIG_HOME");
  unsetenv ("DOCKER_CONFIG");
  unsetenv ("REGISTRY_AUTH_FILE");
  test_base64 ();
  test_lookup ();
  test_write ();
  test_keys ();
  test_certs ();
  pc_error *e = NULL;
  pc_rm_rf_at (AT_FDCWD, tmp, &e);
  pc_error_clear (&e);
  return done_testing ();
}
