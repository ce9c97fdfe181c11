/* pkg/kube: the YAML reader on hostile input (deep nesting, huge scalars,
   alias bombs and cycles, duplicate keys, wrong types, random damage:
   clear errors, never a crash), scalar typing as Kubernetes reads it, the
   writer's round trip, and the Kubernetes documents into pc_kube_file. */
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "pkg/kube/kube.h"
#include "tests/unit/tap.h"

/* Parses; returns the error message (malloc'd) or NULL on success. */
static char *
parse_err (const char *buf, size_t len, struct pc_yaml_stream **out)
{
  pc_error *err = NULL;
  struct pc_yaml_stream *s = NULL;
  if (pc_yaml_parse (buf, len, "t.yaml", &s, &err) < 0)
    {
      char *m = xstrdup (err->msg);
      ok (pc_error_class_of (err) == PC_ERR_INVALID, "error class invalid: %s", m);
      pc_error_free (err);
      return m;
    }
  if (out)
    *out = s;
  else
    pc_yaml_stream_free (s);
  return NULL;
}

static void
expect_error (const char *what, const char *buf, size_t len, const char *needle)
{
  pc_autofree char *m = parse_err (buf, len, NULL);
  ok (m != NULL && strstr (m, needle) != NULL, "%s: %s", what, m ? m : "(parsed)");
}

static void
test_hostile (void)
{
  /* Nesting: flow and block, far past the cap. */
  size_t depth = 100000;
  pc_autofree char *deep = xmalloc (depth * 2 + 1);
  memset (deep, '[', depth);
  memset (deep + depth, ']', depth);
  deep[depth * 2] = '\0';
  expect_error ("deep flow nesting", deep, depth * 2, "nested deeper than 64 levels");
  pc_autofree char *block = xmalloc (200 * 204);
  size_t bl = 0;
  for (int i = 0; i < 200; i++)
    bl += (size_t) sprintf (block + bl, "%*sk:\n", i, "");
  expect_error ("deep block nesting", block, bl, "nested deeper");
  /* 64 levels are fine. */
  pc_autofree char *ok64 = xmalloc (129);
  memset (ok64, '[', 64);
  memset (ok64 + 64, ']', 64);
  ok (parse_err (ok64, 128, NULL) == NULL, "64 levels of nesting parse");

  /* Input over the cap, and a big scalar under it. */
  size_t big = PC_YAML_MAX_INPUT + 1;
  pc_autofree char *huge = xmalloc (big);
  memset (huge, 'a', big);
  expect_error ("input over 16 MiB", huge, big, "larger than the limit");
  struct pc_yaml_stream *s = NULL;
  huge[0] = 'k', huge[1] = ':', huge[2] = ' ';
  pc_autofree char *m = parse_err (huge, 10u << 20, &s);
  ok (m == NULL && s && s->ndocs == 1 && pc_yaml_get (s->docs[0], "k")
          && pc_yaml_get (s->docs[0], "k")->len == (10u << 20) - 3,
      "a 10 MiB scalar parses whole");
  pc_yaml_stream_free (s);

  /* Billion laughs: 9 levels of 10 aliases each. */
  const char *laughs = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
                       "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                       "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                       "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                       "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                       "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                       "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
                       "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
                       "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
  expect_error ("alias bomb", laughs, strlen (laughs), "document too large");
  /* A big scalar aliased many times: bytes, not nodes. */
  pc_autofree char *fat = xmalloc ((2u << 20) + 4096);
  size_t fl = (size_t) sprintf (fat, "a: &a ");
  memset (fat + fl, 'x', 2u << 20);
  fl += 2u << 20;
  fl += (size_t) sprintf (fat + fl, "\nb: [");
  for (int i = 0; i < 40; i++)
    fl += (size_t) sprintf (fat + fl, "*a,");
  fl += (size_t) sprintf (fat + fl, "*a]\n");
  expect_error ("aliased 2 MiB scalar x41", fat, fl, "MiB of strings");
  /* Small aliases are fine and share their node. */
  s = NULL;
  const char *share = "x: &x {k: v}\ny: *x\n";
  ok (parse_err (share, strlen (share), &s) == NULL && s
          && pc_yaml_get (s->docs[0], "x") == pc_yaml_get (s->docs[0], "y"),
      "an alias shares its anchor's node");
  pc_yaml_stream_free (s);

  const char *cycle = "a: &a [1, *a]\n";
  expect_error ("alias cycle", cycle, strlen (cycle), "refers to a node that contains it");
  const char *unknown = "a: *nope\n";
  expect_error ("unknown anchor", unknown, strlen (unknown), "unknown anchor");
  const char *dup = "a: 1\nb: 2\na: 3\n";
  expect_error ("duplicate key", dup, strlen (dup), "t.yaml:3: mapping key \"a\" already defined at line 1");
  const char *merge = "base: &b {x: 1}\nd:\n  <<: *b\n";
  expect_error ("merge key", merge, strlen (merge), "merge keys");
  const char *cplx = "? [a, b]\n: c\n";
  expect_error ("non-scalar key", cplx, strlen (cplx), "a mapping key must be a string");
  const char *bad = "a: [b\n";
  expect_error ("unclosed flow sequence", bad, strlen (bad), "t.yaml:2:");
  const char *tab = "a:\n\tb: c\n";
  expect_error ("tab indentation", tab, strlen (tab), "t.yaml:2:");
  const char nul[] = "a: b\0c\n";
  pc_autofree char *nm = parse_err (nul, sizeof nul - 1, NULL);
  ok (nm != NULL, "a NUL byte in the input is an error: %s", nm ? nm : "(parsed)");

  /* Random damage to a valid document: every result is a value or an error. */
  const char *good = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {a: b}}\n"
                     "spec:\n  containers:\n  - name: c\n    image: i\n    command: [a, 'b', \"c\"]\n"
                     "    env: [{name: A, value: &v x}, {name: B, value: *v}]\n";
  size_t gl = strlen (good);
  unsigned seed = 12345;
  int crashes = 0, parsed = 0;
  for (int round = 0; round < 3000; round++)
    {
      char buf[512];
      memcpy (buf, good, gl);
      for (int k = 0; k < 1 + round % 5; k++)
        {
          seed = seed * 1103515245u + 12345u;
          size_t at = (seed >> 8) % gl;
          seed = seed * 1103515245u + 12345u;
          buf[at] = "[]{}:,-&*!|>'\"#%@ \n\tax0"[(seed >> 8) % 24];
        }
      struct pc_yaml_stream *st = NULL;
      pc_error *e = NULL;
      if (pc_yaml_parse (buf, gl, "fuzz", &st, &e) == 0)
        {
          struct pc_kube_file f = { 0 };
          pc_error *e2 = NULL;
          if (pc_kube_parse (st, &f, &e2) == 0)
            parsed++;
          else if (e2 == NULL || e2->msg == NULL)
            crashes++;
          pc_error_free (e2);
          pc_kube_file_clear (&f);
          pc_yaml_stream_free (st);
        }
      else if (e == NULL || strncmp (e->msg, "fuzz:", 5) != 0)
        crashes++;
      pc_error_free (e);
    }
  ok (crashes == 0, "3000 damaged documents: errors name the source (%d read whole)", parsed);
}

static void
test_scalars (void)
{
  const char *doc = "s: hello\nq: '123'\ni: 0x10\no: 010\nn: ~\ne:\nb: yes\nB: Off\nf: 1.5e3\n"
                    "neg: -42\nbig: 99999999999999999999\nstr: 1.2.3\ntagged: !!str 5\n";
  struct pc_yaml_stream *s = NULL;
  pc_autofree char *m = parse_err (doc, strlen (doc), &s);
  ok (m == NULL, "scalars parse");
  if (s == NULL)
    return;
  const struct pc_yaml_node *d = s->docs[0];
  is_str (pc_yaml_type_name (pc_yaml_get (d, "s")), "string", "plain word is a string");
  is_str (pc_yaml_type_name (pc_yaml_get (d, "q")), "string", "quoted number is a string");
  is_int (pc_yaml_get (d, "i")->i, 16, "0x10 is 16");
  is_int (pc_yaml_get (d, "o")->i, 8, "010 is octal 8 (YAML 1.1)");
  is_str (pc_yaml_type_name (pc_yaml_get (d, "n")), "null", "~ is null");
  is_str (pc_yaml_type_name (pc_yaml_get (d, "e")), "null", "empty is null");
  ok (pc_yaml_get (d, "b")->type == PC_YAML_BOOL && pc_yaml_get (d, "b")->b, "yes is true");
  ok (pc_yaml_get (d, "B")->type == PC_YAML_BOOL && !pc_yaml_get (d, "B")->b, "Off is false");
  is_str (pc_yaml_type_name (pc_yaml_get (d, "f")), "number", "1.5e3 is a number");
  is_int (pc_yaml_get (d, "neg")->i, -42, "-42");
  is_str (pc_yaml_type_name (pc_yaml_get (d, "big")), "number", "an integer past int64 is a number");
  is_str (pc_yaml_type_name (pc_yaml_get (d, "str")), "string", "1.2.3 is a string");
  is_str (pc_yaml_type_name (pc_yaml_get (d, "tagged")), "string", "!!str 5 is a string");
  pc_yaml_stream_free (s);
}

static void
test_writer (void)
{
  struct pc_yaml_node *doc = pc_yaml_new_map ();
  pc_yaml_map_set (doc, "kind", pc_yaml_new_str ("Pod"));
  pc_yaml_map_set (doc, "apiVersion", pc_yaml_new_str ("v1"));
  struct pc_yaml_node *seq = pc_yaml_map_set (doc, "command", pc_yaml_new_seq ());
  const char *strs[] = { "sleep", "1000", "true", "", "a: b", "- x", "#c", "multi\nline\n", "null", "0x1F", "it's" };
  for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
    pc_yaml_seq_add (seq, pc_yaml_new_str (strs[i]));
  pc_yaml_map_set (doc, "port", pc_yaml_new_int (8080));
  pc_yaml_map_set (doc, "tty", pc_yaml_new_bool (true));
  pc_yaml_map_obj (doc, "status");
  pc_yaml_sort_keys (doc);
  pc_autofree char *out = NULL;
  size_t len = 0;
  pc_error *err = NULL;
  ok (pc_yaml_emit (&doc, 1, &out, &len, &err) == 0, "emit");
  ok (out && strncmp (out, "apiVersion: v1\ncommand:\n- sleep\n- \"1000\"\n", 39) == 0,
      "keys sorted, sequences not indented, \"1000\" quoted: %s", out ? out : "");
  ok (out && strstr (out, "status: {}\n") != NULL, "an empty map is {}");
  struct pc_yaml_stream *s = NULL;
  pc_autofree char *m = parse_err (out ? out : "", len, &s);
  ok (m == NULL && s != NULL, "the output reads back");
  const struct pc_yaml_node *c = s ? pc_yaml_get (s->docs[0], "command") : NULL;
  ok (c && c->n == sizeof strs / sizeof *strs, "every string is there");
  for (size_t i = 0; c && i < c->n && i < sizeof strs / sizeof *strs; i++)
    ok (c->items[i]->type == PC_YAML_STR && strcmp (c->items[i]->str, strs[i]) == 0,
        "string %zu reads back as the string \"%s\"", i, strs[i]);
  ok (s && pc_yaml_get (s->docs[0], "port")->i == 8080, "an integer stays an integer");
  pc_yaml_stream_free (s);
  struct pc_yaml_node *two[] = { doc, doc };
  pc_autofree char *multi = NULL;
  ok (pc_yaml_emit (two, 2, &multi, NULL, &err) == 0 && strstr (multi, "\n---\n") != NULL,
      "two documents are separated by ---");
  pc_yaml_node_free (doc);
}

static const char pod_yaml[] =
  "apiVersion: v1\n"
  "kind: ConfigMap\n"
  "metadata: {name: cfg}\n"
  "data: {GREETING: hello}\n"
  "---\n"
  "apiVersion: v1\n"
  "kind: Secret\n"
  "metadata: {name: sec}\n"
  "data: {pw: c2VjcmV0}\n"
  "stringData: {user: ana}\n"
  "---\n"
  "# only a comment\n"
  "---\n"
  "apiVersion: apps/v1\n"
  "kind: Deployment\n"
  "metadata: {name: dep}\n"
  "spec:\n"
  "  replicas: 2\n"
  "  selector: {matchLabels: {app: x}}\n"
  "  template:\n"
  "    metadata: {labels: {app: x}}\n"
  "    spec:\n"
  "      securityContext: {runAsUser: 1000}\n"
  "      containers:\n"
  "      - name: c\n"
  "        image: busybox\n"
  "        bogus: 1\n"                       /* line 27 */
  "        livenessProbe: {}\n"
  "        ports: [{containerPort: 80, hostPort: 8080}]\n"
  "        env:\n"
  "        - {name: G, valueFrom: {configMapKeyRef: {name: cfg, key: GREETING}}}\n"
  "        volumeMounts: [{name: data, mountPath: /data}]\n"
  "      volumes: [{name: data, persistentVolumeClaim: {claimName: pvc}}]\n";

static void
test_documents (void)
{
  struct pc_yaml_stream *s = NULL;
  pc_autofree char *m = parse_err (pod_yaml, strlen (pod_yaml), &s);
  ok (m == NULL && s && s->ndocs == 3, "three documents, the empty one skipped");
  if (s == NULL)
    return;
  struct pc_kube_file f = { 0 };
  pc_error *err = NULL;
  ok (pc_kube_parse (s, &f, &err) == 0, "documents parse: %s", err ? err->msg : "");
  ok (f.npods == 1 && f.pods[0].replicas == 2 && strcmp (f.pods[0].kind, "Deployment") == 0,
      "a Deployment with 2 replicas");
  const struct pc_kube_container *k = f.npods ? &f.pods[0].containers[0] : NULL;
  ok (k && k->has_run_as_user && k->run_as_user == 1000, "the pod's runAsUser reaches the container");
  ok (k && k->nports == 1 && k->ports[0].host_port == 8080, "ports");
  ok (k && k->nenv == 1 && k->env[0].kind == PC_KUBE_ENV_CONFIGMAP, "env from a ConfigMap key");
  const struct pc_kube_configmap *sec = pc_kube_find_configmap (&f, "sec", true);
  ok (sec && sec->n == 2 && strcmp (sec->values[0], "secret") == 0 && strcmp (sec->values[1], "ana") == 0,
      "a Secret's data decoded, stringData kept");
  pc_autofree char *w = pc_strv_join (f.warnings, "\n");
  ok (strstr (w, "t.yaml:27: Deployment \"dep\": spec.template.spec.containers[0].bogus: unknown field") != NULL,
      "an unknown field is reported with its line: %s", w);
  ok (strstr (w, "livenessProbe: not supported by pc, ignored") != NULL, "an ignored field is reported");
  pc_kube_file_clear (&f);
  pc_yaml_stream_free (s);

  /* Wrong types are errors naming the field and line. */
  static const struct
  {
    const char *doc, *needle;
  } bad[] = {
    { "kind: 5\n", "kind: expected a string, got integer" },
    { "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: []\n", "spec: expected a map, got list" },
    { "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: 123\n",
      "t.yaml:7: Pod \"p\": spec.containers[0].image: expected a string, got integer" },
    { "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i, ports: [{containerPort: \"80\"}]}]}\n",
      "containerPort: expected an integer, got string" },
    { "apiVersion: v1\nkind: Pod\nmetadata: {name: P_x}\nspec: {containers: [{name: c, image: i}]}\n",
      "metadata.name: \"P_x\"" },
    { "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: []}\n", "at least one container" },
    { "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i, volumeMounts: [{name: x, mountPath: /x}]}]}\n",
      "volumeMount \"x\" names no volume" },
    { "- a\n- b\n", "a document must be a map" },
    { "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: '!!!'}\n", "not valid base64" },
    { "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i, resources: {limits: {memory: lots}}}]}\n",
      "quantity \"lots\" is not valid" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    {
      struct pc_yaml_stream *bs = NULL;
      pc_autofree char *pm = parse_err (bad[i].doc, strlen (bad[i].doc), &bs);
      struct pc_kube_file bf = { 0 };
      pc_error *be = NULL;
      int r = bs ? pc_kube_parse (bs, &bf, &be) : -1;
      const char *msg = be ? be->msg : pm;
      ok (r < 0 && msg && strstr (msg, bad[i].needle) != NULL, "refused: %s", msg ? msg : "(accepted)");
      pc_error_free (be);
      pc_kube_file_clear (&bf);
      pc_yaml_stream_free (bs);
    }
}

static void
test_util (void)
{
  is_int (pc_kube_quantity ("512Mi", false), 512LL << 20, "512Mi");
  is_int (pc_kube_quantity ("1G", false), 1000000000LL, "1G");
  is_int (pc_kube_quantity ("250m", true), 250, "250m cpu");
  is_int (pc_kube_quantity ("2", true), 2000, "2 cpus");
  is_int (pc_kube_quantity ("1Q", false), -1, "bad suffix");
  is_int (pc_kube_quantity ("-1", false), -1, "negative");
  pc_autofree char *enc = pc_kube_base64_encode ("hello!?", 7);
  is_str (enc, "aGVsbG8hPw==", "base64 encode");
  pc_autofree char *dec = NULL;
  size_t len = 0;
  ok (pc_kube_base64_decode (enc, &dec, &len) == 0 && len == 7 && memcmp (dec, "hello!?", 7) == 0,
      "base64 round trip");
  ok (pc_kube_name_valid ("web-1") && !pc_kube_name_valid ("Web") && !pc_kube_name_valid ("-a"),
      "DNS-1123 names");
}

int
main (void)
{
  test_hostile ();
  test_scalars ();
  test_writer ();
  test_documents ();
  test_util ();
  return done_testing ();
}
