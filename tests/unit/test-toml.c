/* lib/toml.c beyond what test-registry-config covers: the line map and the
   dotted last key containers.conf's errors need, podman's line at the end
   of the file, and hostile documents under ASan. */
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/toml.h"
#include "lib/xalloc.h"
#include "tests/unit/tap.h"

static char *
err_of (const char *doc)
{
  pc_error *e = NULL;
  json_object *o = pc_toml_parse (doc, strlen (doc), &e);
  if (o)
    {
      json_object_put (o);
      return NULL;
    }
  char *m = xstrdup (e ? e->msg : "(no message)");
  pc_error_free (e);
  return m;
}

static void
test_lines (void)
{
  const char *doc = "top = 1\n[containers]\n# c\nenv = [\n \"a\",\n]\n\ntz = \"UTC\"\n[engine.runtimes]\nx = [\"/x\"]\n";
  pc_error *e = NULL;
  json_object *lines = NULL;
  json_object *o = pc_toml_parse_lines (doc, strlen (doc), &lines, &e);
  ok (o != NULL && lines != NULL, "parsed with a line map");
  ok (pc_json_get_int (lines, "top", 0) == 1, "top-level key on line 1");
  ok (pc_json_get_int (lines, "containers.env", 0) == 4, "containers.env on line 4 (a multi-line array)");
  ok (pc_json_get_int (lines, "containers.tz", 0) == 8, "containers.tz on line 8");
  ok (pc_json_get_int (lines, "engine.runtimes.x", 0) == 10, "engine.runtimes.x on line 10");
  json_object_put (o);
  json_object_put (lines);
  o = pc_toml_parse_lines ("a = ", 4, &lines, &e);
  ok (o == NULL && lines == NULL && e, "an error leaves no line map");
  pc_error_clear (&e);
}

static void
test_messages (void)
{
  /* podman 4.3's words for these (BurntSushi toml), checked on this machine */
  static const struct
  {
    const char *doc, *want;
  } cases[] = {
    { "[containers]\nenv = [\"x\"\n",
      "toml: line 2 (last key \"containers.env\"): expected a comma (',') or array terminator (']'), but got end of file" },
    { "[containers]\nenv = [\"x\"",
      "toml: line 1 (last key \"containers.env\"): expected a comma (',') or array terminator (']'), but got end of file" },
    { "[containers]\nenv = [\"x\"\n\n\n",
      "toml: line 4 (last key \"containers.env\"): expected a comma (',') or array terminator (']'), but got end of file" },
    { "[containers]\nenv = [\"x\" y]\n",
      "toml: line 2 (last key \"containers.env\"): expected a comma (',') or array terminator (']'), but got 'y'" },
    { "[x]\na=[\"x\"\n",
      "toml: line 2 (last key \"x.a\"): expected a comma (',') or array terminator (']'), but got end of file" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      pc_autofree char *m = err_of (cases[i].doc);
      is_str (m, cases[i].want, "message %zu as podman's", i);
    }
}

/* Deep, long and strange documents: an error or a tree, never a crash. */
static void
test_hostile (void)
{
  size_t n = 1 << 20;
  char *d = xmalloc (n + 16);
  memcpy (d, "a = ", 4);
  memset (d + 4, '[', n);
  d[n + 4] = '\0';
  pc_autofree char *m1 = err_of (d);
  ok (m1 && strstr (m1, "nested"), "1 MiB of '[': %s", m1 ? m1 : "");
  memset (d, 'k', n);
  memcpy (d + n, " = 1\n", 6);
  pc_autofree char *m2 = err_of (d);
  ok (m2 && strstr (m2, "longer than"), "a 1 MiB key is refused: %s", m2 ? m2 : "(parsed)");
  /* A long table name above many keys: each key's dotted name is capped,
     so this stays linear. */
  size_t off = 0;
  d[off++] = '[';
  memset (d + off, 't', 1000);
  off += 1000;
  d[off++] = ']';
  d[off++] = '\n';
  for (int i = 0; off + 16 < n; i++)
    off += (size_t) sprintf (d + off, "k%d=1\n", i);
  d[off] = '\0';
  pc_autofree char *m5 = err_of (d);
  ok (m5 == NULL, "a 1000-byte table name above 1 MiB of keys parses: %s", m5 ? m5 : "");
  for (size_t i = 0; i < n; i++)
    d[i] = (i % 2) ? '.' : 'a';
  memcpy (d + n - 1, "a = 1", 6);
  pc_autofree char *m3 = err_of (d);
  ok (m3 && strstr (m3, "dotted parts"), "half a million dotted parts are refused at once: %s", m3 ? m3 : "(parsed)");
  free (d);
  pc_autofree char *m4 = err_of ("[a]\n[a.b]\nc = 1\n[a]\nd = 2\n[[a.b]]\n");
  ok (m4 != NULL, "a table redefined as an array of tables is refused: %s", m4 ? m4 : "");
  unsigned seed = 99;
  const char *doc = "[containers]\nenv = [\"A=1\", 'B=2']\ndefault_ulimits = [\n  \"nofile=1:2\",\n]\n"
                    "tz = \"UTC\"\ninit = true\npids_limit = 2048\n[engine]\nruntime = \"runc\"\n"
                    "[engine.runtimes]\nrunc = [\"/usr/bin/runc\"]\n[engine.service_destinations.x]\nuri = \"ssh://x\"\n";
  size_t len = strlen (doc);
  char *buf = xmalloc (len + 1);
  static const char alphabet[] = "[]{}=\"'\\,.#\n \t0\x80\xff\r";
  size_t parsed = 0, refused = 0, silent = 0;
  for (int iter = 0; iter < 30000; iter++)
    {
      memcpy (buf, doc, len + 1);
      for (int c = 0; c < 1 + iter % 5; c++)
        {
          seed = seed * 1103515245 + 12345;
          buf[(seed >> 8) % len] = alphabet[(seed >> 18) % (sizeof alphabet - 1)];
        }
      pc_error *e = NULL;
      json_object *lines = NULL;
      json_object *o = pc_toml_parse_lines (buf, len, &lines, &e);
      if (o)
        parsed++;
      else if (e)
        refused++;
      else
        silent++;
      json_object_put (o);
      json_object_put (lines);
      pc_error_clear (&e);
    }
  free (buf);
  ok (parsed > 0 && refused > 0 && silent == 0, "30000 mutated containers.conf: %zu parsed, %zu refused with a message",
      parsed, refused);
}

int
main (void)
{
  test_lines ();
  test_messages ();
  test_hostile ();
  printf ("1..%d\n", tap_count);
  return tap_failed ? 1 : 0;
}
