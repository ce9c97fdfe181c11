/* registries.conf (the TOML reader, the files and their order, short-name
   resolution) and references, against what podman 4.3 does with the same
   files (messages checked side by side with podman on this machine). */
#include <errno.h>
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
#include "tests/unit/tap.h"

static char tmp[] = "/tmp/test-regconf-XXXXXX";

static void
put (const char *rel, const char *text)
{
  pc_autofree char *p = xasprintf ("%s/%s", tmp, rel);
  pc_autofree char *d = xstrdup (p);
  *strrchr (d, '/') = '\0';
  pc_error *e = NULL;
  pc_mkdir_p (AT_FDCWD, d, 0700, &e);
  pc_error_clear (&e);
  if (pc_write_file_atomic (AT_FDCWD, p, text, strlen (text), 0644, &e) < 0)
    {
      printf ("# write %s: %s\n", p, e->msg);
      pc_error_clear (&e);
    }
}

static void
rm (const char *rel)
{
  pc_autofree char *p = xasprintf ("%s/%s", tmp, rel);
  unlink (p);
}

static json_object *
toml (const char *s, char **errmsg)
{
  pc_error *e = NULL;
  json_object *o = pc_toml_parse (s, strlen (s), &e);
  if (errmsg)
    *errmsg = e ? xstrdup (e->msg) : NULL;
  pc_error_clear (&e);
  return o;
}

static void
test_toml (void)
{
  const char *doc = "# comment\n"
                    "unqualified-search-registries = [\"a.example\", 'b.example' , # c\n"
                    "  \"c.example\",\n]\n"
                    "short-name-mode=\"enforcing\"  # trailing\n"
                    "\n[aliases]\n  \"alpine\" = \"docker.io/library/alpine\"\n  bare-key_1 = 'x\\y'\n"
                    "[[registry]]\nprefix = \"example.com/foo\"\nlocation = \"m.example/foo\"\ninsecure = true\n"
                    "[[registry.mirror]]\nlocation = \"mirror1\"\n[[registry.mirror]]\nlocation = \"mirror2\"\n"
                    "[[registry]]\nlocation = \"\\u00e9\\\"q\\\\\"\nblocked = false\nn = -1_000\n"
                    "inl = { a = \"b\", c.d = true }\n";
  pc_autofree char *msg = NULL;
  pc_autojson json_object *o = toml (doc, &msg);
  ok (o != NULL, "a registries.conf parses (%s)", msg ? msg : "ok");
  if (o == NULL)
    return;
  json_object *s = pc_json_get_array (o, "unqualified-search-registries");
  is_int (pc_json_array_len (s), 3, "multi-line array with a comment and a trailing comma");
  is_str (pc_json_array_string_at (s, 1), "b.example", "literal string");
  is_str (pc_json_get_string (o, "short-name-mode"), "enforcing", "string value");
  is_str (pc_json_get_string (pc_json_get_object (o, "aliases"), "alpine"), "docker.io/library/alpine",
          "quoted key in a table");
  is_str (pc_json_get_string (pc_json_get_object (o, "aliases"), "bare-key_1"), "x\\y",
          "literal strings keep backslashes");
  json_object *regs = pc_json_get_array (o, "registry");
  is_int (pc_json_array_len (regs), 2, "array of tables");
  json_object *r0 = pc_json_array_object_at (regs, 0);
  is_int (pc_json_array_len (pc_json_get_array (r0, "mirror")), 2, "nested array of tables goes to the last element");
  ok (pc_json_get_bool (r0, "insecure", false), "boolean");
  json_object *r1 = pc_json_array_object_at (regs, 1);
  is_str (pc_json_get_string (r1, "location"), "\xc3\xa9\"q\\", "escapes: \\u, \\\", \\\\");
  is_int (pc_json_get_int (r1, "n", 0), -1000, "integer with underscore");
  ok (pc_json_get_bool (pc_json_get (r1, "inl.c"), "d", false), "inline table with a dotted key");

  static const struct
  {
    const char *doc, *want;
  } bad[] = {
    { "unqualified-search-registries=[\"127.0.0.1:1\" \n",
      "toml: line 1 (last key \"unqualified-search-registries\"): expected a comma (',') or array terminator (']'), but got end of file" },
    { "a = \"x\nb = 1\n", "unterminated string" },
    { "a = 1\na = 2\n", "has already been defined" },
    { "a 1\n", "expected '='" },
    { "a = \"x\" b\n", "expected a new line" },
    { "[a]\nb=1\n[a.b]\n", "not as a table" },
    { "a = 1.5\n", "unsupported value" },
    { "a = 1979-05-27\n", "unsupported value" },
    { "a = \"\"\"x\"\"\"\n", "multi-line strings are not supported" },
    { "a = \"\\q\"\n", "invalid escape" },
    { "a = \"\\ud800\"\n", "invalid escape" },
    { "a = \"x\x01\"\n", "control character" },
    { "[[a]]\n[a]\n", "not as a table" },
    { "a = 1\n[[a]]\n", "not as an array of tables" },
    { "[a\n", "expected ']'" },
    { "= 1\n", "expected a key" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      pc_autofree char *m = NULL;
      json_object *x = toml (bad[i].doc, &m);
      ok (x == NULL && m && strstr (m, bad[i].want), "malformed %zu refused: %s", i, m ? m : "(parsed)");
      if (x)
        json_object_put (x);
    }
  char nul[] = "a = 1\n\0b = 2\n";
  pc_error *e = NULL;
  ok (pc_toml_parse (nul, sizeof nul - 1, &e) == NULL && e && strstr (e->msg, "NUL"), "a NUL byte is refused");
  pc_error_clear (&e);
  /* Deep nesting is capped, not a stack overflow. */
  size_t deep = 100000;
  char *d = xmalloc (deep + 8);
  memcpy (d, "a = ", 4);
  memset (d + 4, '[', deep);
  d[deep + 4] = '\0';
  pc_autofree char *m = NULL;
  ok (toml (d, &m) == NULL && m && strstr (m, "nested"), "100000 nested arrays: %s", m ? m : "");
  free (d);
}

/* Malformed files: every prefix of a valid file and random byte changes
   give a tree or an error, never a crash (run under ASan/valgrind). */
static void
test_toml_fuzz (void)
{
  const char *doc = "unqualified-search-registries = [\"a.example\", 'b']\n[aliases]\n\"x\" = \"q.io/x\"\n"
                    "[[registry]]\nprefix=\"p\"\nlocation = \"l\"\n[[registry.mirror]]\nlocation=\"m\"\n"
                    "t = { a = [1, [2, {b = \"\\u0041\"}]] }\n";
  size_t n = strlen (doc), parsed = 0, refused = 0;
  for (size_t i = 0; i <= n; i++)
    {
      pc_error *e = NULL;
      json_object *o = pc_toml_parse (doc, i, &e);
      o ? parsed++ : refused++;
      if (o)
        json_object_put (o);
      pc_error_clear (&e);
    }
  static const char alphabet[] = "[]{}=\"'\\,.#\n \tatu0\x80\xff";
  unsigned seed = 12345;
  char *buf = xmalloc (n + 1);
  for (int iter = 0; iter < 20000; iter++)
    {
      memcpy (buf, doc, n + 1);
      int changes = 1 + (int) ((seed = seed * 1103515245 + 12345) >> 16) % 4;
      for (int c = 0; c < changes; c++)
        {
          seed = seed * 1103515245 + 12345;
          size_t pos = (seed >> 8) % n;
          seed = seed * 1103515245 + 12345;
          buf[pos] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
      pc_error *e = NULL;
      json_object *o = pc_toml_parse (buf, n, &e);
      o ? parsed++ : refused++;
      if (o)
        json_object_put (o);
      else if (e == NULL)
        refused += 1000000; /* an error without a message */
      pc_error_clear (&e);
    }
  free (buf);
  ok (parsed > 0 && refused > 0 && refused < 1000000,
      "prefixes and 20000 mutated files: %zu parsed, %zu refused, each with an error", parsed, refused);
}

static void
test_refs (void)
{
  static const struct
  {
    const char *in, *want;
  } cases[] = {
    { "alpine", "docker.io/library/alpine:latest" },
    { "library/alpine:3", "docker.io/library/alpine:3" },
    { "docker.io/busybox", "docker.io/library/busybox:latest" },
    { "index.docker.io/foo/bar", "docker.io/foo/bar:latest" },
    { "localhost/x", "localhost/x:latest" },
    { "127.0.0.1:5000/a/b-c_d.e__f:v1.0", "127.0.0.1:5000/a/b-c_d.e__f:v1.0" },
    { "quay.io/x@sha256:0123456789012345678901234567890123456789012345678901234567890123",
      "quay.io/x@sha256:0123456789012345678901234567890123456789012345678901234567890123" },
    { "Foo", NULL },
    { "a/B", NULL },
    { "x:", NULL },
    { "x@sha256:12", NULL },
    { "a//b", NULL },
    { "-a", NULL },
    { "a..b", NULL },
    { "", NULL },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      struct pc_ref r;
      pc_error *e = NULL;
      char *got = NULL;
      if (pc_ref_parse_normalized (cases[i].in, &r, &e) == 0)
        {
          got = pc_ref_format (&r, true);
          pc_ref_clear (&r);
        }
      is_str (got, cases[i].want, "reference \"%s\"%s%s", cases[i].in, e ? ": " : "", e ? e->msg : "");
      free (got);
      pc_error_clear (&e);
    }
  struct pc_ref r;
  pc_error *e = NULL;
  pc_ref_parse ("Foo/bar", &r, &e);
  is_str (r.domain, "Foo", "an upper-case first component is a domain (as docker's)");
  pc_ref_clear (&r);
  pc_ref_parse_normalized ("Foo", &r, &e);
  ok (e && strstr (e->msg, "must be lowercase"), "upper case: %s", e ? e->msg : "");
  pc_error_clear (&e);
}

static int
load (struct pc_registries_conf *c, const char *env, char **msg)
{
  pc_autofree char *sys = xasprintf ("%s/etc/registries.conf", tmp);
  pc_autofree char *sysd = xasprintf ("%s/etc/registries.conf.d", tmp);
  pc_autofree char *home = xasprintf ("%s/home", tmp);
  pc_autofree char *cache = xasprintf ("%s/home/.cache/containers/short-name-aliases.conf", tmp);
  pc_autofree char *envp = env ? xasprintf ("%s/%s", tmp, env) : NULL;
  struct pc_registries_paths p = { .env_conf = envp, .system_conf = sys, .system_dir = sysd,
                                   .home = home, .cache = cache, .no_env = true };
  pc_error *e = NULL;
  int r = pc_registries_conf_load (&p, c, &e);
  if (msg)
    *msg = e ? xstrdup (e->msg) : NULL;
  pc_error_clear (&e);
  return r;
}

/* The candidates of name, joined by spaces, or "error: MSG". */
static char *
resolve (const char *name, bool tty)
{
  struct pc_registries_conf c;
  char *msg = NULL;
  if (load (&c, NULL, &msg) < 0)
    {
      char *s = xasprintf ("load error: %s", msg);
      free (msg);
      return s;
    }
  struct pc_resolved r;
  pc_error *e = NULL;
  char *out;
  if (pc_registries_resolve (&c, name, tty, &r, &e) < 0)
    out = xasprintf ("error: %s", e->msg);
  else
    {
      pc_autofree char *desc = pc_resolved_describe (&r);
      char *j = xstrdup (desc ? desc : "-");
      for (char **p = r.candidates; p && *p; p++)
        {
          char *n = xasprintf ("%s %s", j, *p);
          free (j);
          j = n;
        }
      out = j;
      pc_resolved_clear (&r);
    }
  pc_error_clear (&e);
  pc_registries_conf_clear (&c);
  return out;
}

/* want with each "%s" replaced by the test directory. */
static char *
subst (const char *w)
{
  char *out = xstrdup ("");
  for (const char *p = w;;)
    {
      const char *q = strstr (p, "%s");
      char *n = xasprintf ("%s%.*s%s", out, (int) (q ? q - p : (long) strlen (p)), p, q ? tmp : "");
      free (out);
      out = n;
      if (q == NULL)
        return out;
      p = q + 2;
    }
}

#define RESOLVES(name, want, ...)                                                                  \
  do                                                                                               \
    {                                                                                              \
      pc_autofree char *got_ = resolve (name, false);                                              \
      pc_autofree char *want_ = subst (want);                                        \
      is_str (got_, want_, __VA_ARGS__);                                                           \
    }                                                                                              \
  while (0)

static void
test_conf_files (void)
{
  /* No file at all: an empty configuration, podman's message for a short name. */
  RESOLVES ("nosuch", "error: short-name \"nosuch\" did not resolve to an alias and no unqualified-search registries are defined in \"%s/etc/registries.conf\"",
            "no files: no search registries");
  put ("etc/registries.conf", "unqualified-search-registries = [\"sys.example\"]\n[aliases]\n\"a1\" = \"sys.example/a1\"\n");
  put ("etc/registries.conf.d/10-b.conf", "[aliases]\n\"a2\" = \"d10.example/a2\"\n");
  put ("etc/registries.conf.d/20-c.conf", "[aliases]\n\"a2\" = \"d20.example/a2\"\n");
  put ("etc/registries.conf.d/x.txt", "this is not read\n");
  put ("home/.config/containers/registries.conf.d/05-u.conf", "unqualified-search-registries = [\"u1.example\", \"docker.io\"]\n");
  RESOLVES ("a1", "Resolved \"a1\" as an alias (%s/etc/registries.conf) sys.example/a1:latest", "alias in the system file");
  RESOLVES ("a2:3", "Resolved \"a2\" as an alias (%s/etc/registries.conf.d/20-c.conf) d20.example/a2:3",
            "later system drop-in wins; the tag is kept");
  RESOLVES ("busybox", "Resolving \"busybox\" using unqualified-search registries (%s/home/.config/containers/registries.conf.d/05-u.conf) u1.example/busybox:latest docker.io/library/busybox:latest",
            "user drop-ins come after the system ones; docker.io gets library/; permissive is the default");
  RESOLVES ("x@sha256:0123456789012345678901234567890123456789012345678901234567890123",
            "Resolving \"x\" using unqualified-search registries (%s/home/.config/containers/registries.conf.d/05-u.conf) u1.example/x@sha256:0123456789012345678901234567890123456789012345678901234567890123 docker.io/library/x@sha256:0123456789012345678901234567890123456789012345678901234567890123",
            "a digest gets no :latest");
  RESOLVES ("docker.io/busybox", "- docker.io/library/busybox:latest", "qualified names are themselves");
  RESOLVES ("localhost/foo", "- localhost/foo:latest", "localhost");

  /* The user's registries.conf replaces the system one and its drop-ins. */
  put ("home/.config/containers/registries.conf", "unqualified-search-registries = [\"a.example\", \"b.example\"]\nshort-name-mode = \"enforcing\"\n");
  RESOLVES ("a1", "error: short-name resolution enforced but cannot prompt without a TTY",
            "user file: system aliases gone, enforcing without a tty is podman's error");
  put ("home/.config/containers/registries.conf.d/06-alias.conf", "[aliases]\n\"a1\" = \"alias.example/x/a1\"\n");
  RESOLVES ("a1", "Resolved \"a1\" as an alias (%s/home/.config/containers/registries.conf.d/06-alias.conf) alias.example/x/a1:latest",
            "an alias wins over enforcing search");
  put ("home/.config/containers/registries.conf.d/07-mode.conf", "short-name-mode = \"disabled\"\n");
  RESOLVES ("q", "Resolving \"q\" using unqualified-search registries (%s/home/.config/containers/registries.conf.d/05-u.conf) u1.example/q:latest docker.io/library/q:latest",
            "disabled: every candidate, no prompt");
  rm ("home/.config/containers/registries.conf.d/07-mode.conf");
  rm ("home/.config/containers/registries.conf.d/05-u.conf");
  put ("home/.config/containers/registries.conf", "unqualified-search-registries = [\"only.example\"]\nshort-name-mode = \"enforcing\"\n");
  RESOLVES ("q", "- only.example/q:latest", "one candidate: no ambiguity even when enforcing");

  /* The aliases cache is read before registries.conf; record writes it. */
  struct pc_registries_conf c;
  load (&c, NULL, NULL);
  pc_error *e = NULL;
  ok (pc_registries_record_alias (&c, "a1", "cache.example/a1", &e) == 0, "record an alias");
  ok (pc_registries_record_alias (&c, "other", "cache.example/o", &e) == 0, "record a second one");
  pc_error_clear (&e);
  pc_registries_conf_clear (&c);
  RESOLVES ("a1", "Resolved \"a1\" as an alias (%s/home/.cache/containers/short-name-aliases.conf) cache.example/a1:latest",
            "the cache wins over registries.conf");
  pc_autofree char *cp = xasprintf ("%s/home/.cache/containers/short-name-aliases.conf", tmp);
  struct stat st;
  ok (stat (cp, &st) == 0 && (st.st_mode & 0777) == 0600, "cache file mode 0600");

  static const struct
  {
    const char *file, *want;
  } bad[] = {
    { "short-name-mode=\"bogus\"\n", "loading registries configuration \"%s/home/.config/containers/registries.conf\": invalid short-name mode: \"bogus\"" },
    { "unqualified-search-registries=[\"127.0.0.1:1\" \n", "loading registries configuration \"%s/home/.config/containers/registries.conf\": toml: line 1 (last key \"unqualified-search-registries\"): expected a comma (',') or array terminator (']'), but got end of file" },
    { "[aliases]\n\"foo\"=\"127.0.0.1:3/bar/foo:tag\"\n", "loading registries configuration \"%s/home/.config/containers/registries.conf\": validating short-name aliases: invalid alias \"127.0.0.1:3/bar/foo:tag\": must not contain tag" },
    { "[aliases]\n\"a.b/foo\"=\"127.0.0.1:3/bar/foo\"\n", "loading registries configuration \"%s/home/.config/containers/registries.conf\": validating short-name aliases: invalid short name \"a.b/foo\": must not contain registry" },
    { "[aliases]\n\"foo\"=\"bar/foo\"\n", "loading registries configuration \"%s/home/.config/containers/registries.conf\": validating short-name aliases: invalid alias \"bar/foo\": must contain registry and repository" },
    { "[[registry]]\nlocation=\"https://x.example\"\n", "loading registries configuration \"%s/home/.config/containers/registries.conf\": invalid location 'https://x.example': URI schemes are not supported" },
    { "[[registry]]\ninsecure=true\n", "loading registries configuration \"%s/home/.config/containers/registries.conf\": invalid condition: both location and prefix are unset" },
    { "[[registry]]\nlocation=\"x.example\"\ninsecure=\"yes\"\n", "loading registries configuration \"%s/home/.config/containers/registries.conf\": toml: key \"registry.insecure\": expected a boolean" },
    { "[[registry]]\nlocation=\"x\"\n[[registry.mirror]]\nlocation=\"m\"\npull-from-mirror=\"sometimes\"\n", "loading registries configuration \"%s/home/.config/containers/registries.conf\": unsupported pull-from-mirror value \"sometimes\" for mirror \"m\"" },
    { "[[registry]]\nlocation=\"x\"\ninsecure=true\n[[registry]]\nprefix=\"y\"\nlocation=\"x\"\n", "loading registries configuration \"%s/home/.config/containers/registries.conf\": registry 'x' is defined multiple times with conflicting 'insecure' setting" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      put ("home/.config/containers/registries.conf", bad[i].file);
      pc_autofree char *want = subst (bad[i].want);
      pc_autofree char *msg = NULL;
      struct pc_registries_conf x;
      int r = load (&x, NULL, &msg);
      ok (r < 0, "bad file %zu refused", i);
      is_str (msg, want, "bad file %zu: podman's message", i);
    }
  put ("home/.config/containers/registries.conf", "");
  put ("home/.config/containers/registries.conf.d/09-bad.conf", "[aliases]\n\"foo\"=\"bar/foo\"\n");
  pc_autofree char *msg = NULL;
  load (&c, NULL, &msg);
  pc_autofree char *want = xasprintf ("loading drop-in registries configuration \"%s/home/.config/containers/registries.conf.d/09-bad.conf\": validating short-name aliases: invalid alias \"bar/foo\": must contain registry and repository", tmp);
  is_str (msg, want, "a bad drop-in names itself");
  rm ("home/.config/containers/registries.conf.d/09-bad.conf");

  /* CONTAINERS_REGISTRIES_CONF: that file instead; missing is an error. */
  put ("env.conf", "unqualified-search-registries = [\"env.example\"]\n");
  load (&c, "env.conf", NULL);
  is_str (c.search[0], "env.example", "CONTAINERS_REGISTRIES_CONF is read");
  pc_registries_conf_clear (&c);
  free (msg);
  msg = NULL;
  ok (load (&c, "missing.conf", &msg) < 0 && msg && strstr (msg, "missing.conf"),
      "a missing CONTAINERS_REGISTRIES_CONF is an error: %s", msg ? msg : "");

  /* The v1 format in a main file. */
  put ("home/.config/containers/registries.conf", "[registries.search]\nregistries = ['v1.example']\n[registries.block]\nregistries = ['bad.example']\n");
  load (&c, NULL, NULL);
  ok (c.search && c.search[0] && strcmp (c.search[0], "v1.example") == 0 && c.n_regs == 1 && c.regs[0].blocked,
      "v1 [registries.search] and [registries.block]");
  pc_registries_conf_clear (&c);
}

static char *
sources (const char *ref)
{
  struct pc_registries_conf c;
  pc_autofree char *msg = NULL;
  if (load (&c, NULL, &msg) < 0)
    return xasprintf ("load error: %s", msg);
  struct pc_pull_source *s;
  size_t n;
  pc_error *e = NULL;
  char *out;
  if (pc_registries_pull_sources (&c, ref, &s, &n, &e) < 0)
    out = xasprintf ("error: %s (%s)", e->msg, pc_error_class_name (pc_error_class_of (e)));
  else
    {
      out = xstrdup ("");
      for (size_t i = 0; i < n; i++)
        {
          char *x = xasprintf ("%s%s%s%s", out, i ? " " : "", s[i].ref, s[i].insecure ? "(insecure)" : "");
          free (out);
          out = x;
        }
      pc_pull_sources_free (s, n);
    }
  pc_error_clear (&e);
  pc_registries_conf_clear (&c);
  return out;
}

static void
test_registries (void)
{
  put ("home/.config/containers/registries.conf",
       "[[registry]]\nprefix = \"example.com/foo\"\nlocation = \"rewrite.example/bar\"\n"
       "[[registry.mirror]]\nlocation = \"m1.example/x\"\ninsecure = true\n"
       "[[registry.mirror]]\nlocation = \"m2.example\"\npull-from-mirror = \"digest-only\"\n"
       "[[registry.mirror]]\nlocation = \"m3.example\"\npull-from-mirror = \"tag-only\"\n"
       "[[registry]]\nlocation = \"example.com\"\n"
       "[[registry]]\nlocation = \"blocked.example:5000\"\nblocked = true\n"
       "[[registry]]\nprefix = \"*.wild.example\"\nlocation = \"\"\ninsecure = true\n");
  pc_autofree char *a = sources ("example.com/foo/img:1");
  is_str (a, "m1.example/x/img:1(insecure) m3.example/img:1 rewrite.example/bar/img:1",
          "longest prefix; mirrors first (tag-only, not digest-only), then the rewritten location");
  pc_autofree char *b = sources ("example.com/foo/img@sha256:0123456789012345678901234567890123456789012345678901234567890123");
  ok (b && strstr (b, "m2.example/img@") && !strstr (b, "m3.example"), "a digest: digest-only mirror, not tag-only");
  pc_autofree char *c = sources ("example.com/foobar/x:1");
  is_str (c, "example.com/foobar/x:1", "a prefix matches at a path boundary only");
  pc_autofree char *d = sources ("blocked.example:5000/x:1");
  pc_autofree char *want = xasprintf ("error: registry blocked.example:5000 is blocked in %s/home/.config/containers/registries.conf or %s/home/.config/containers/registries.conf.d (permission)", tmp, tmp);
  is_str (d, want, "blocked: podman's message");
  pc_autofree char *w = sources ("a.wild.example/x:1");
  is_str (w, "a.wild.example/x:1(insecure)", "wildcard prefix");
  pc_autofree char *u = sources ("other.example/x:1");
  is_str (u, "other.example/x:1", "no entry: as is");
}

int
main (void)
{
  if (mkdtemp (tmp) == NULL)
    return 1;
  test_toml ();
  test_toml_fuzz ();
  test_refs ();
  test_conf_files ();
  test_registries ();
  pc_error *e = NULL;
  pc_rm_rf_at (AT_FDCWD, tmp, &e);
  pc_error_clear (&e);
  return done_testing ();
}
