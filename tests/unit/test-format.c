#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/format.h"
#include "lib/json.h"
#include "tests/unit/tap.h"

static const struct pc_format_column cols[] = {
  { "ID", "CONTAINER ID" },
  { "Image", "IMAGE" },
  { "Names", "NAMES" },
  { NULL, NULL },
};

static const char rows_json[] =
  "[{\"ID\":\"3f2a9c1b0d4e\",\"Image\":\"docker.io/library/busybox:latest\",\"Names\":\"web\","
  "\"Labels\":{\"app\":\"x\",\"tier\":\"db\"},\"Ports\":[\"80/tcp\",\"443/tcp\"],\"Running\":true,"
  "\"Size\":2048,\"Ratio\":1.5,\"Whole\":3.0,\"State\":{\"Pid\":42,\"Status\":\"running\"}},"
  "{\"ID\":\"77aa\",\"Image\":\"alpine\",\"Names\":\"a-much-longer-name\",\"Labels\":{},"
  "\"Ports\":[],\"Running\":false,\"Size\":0,\"State\":{\"Pid\":0,\"Status\":\"exited\"}}]";

static json_object *rows;

/* Renders with pc_format_print; returns malloc'd output, or NULL with *errmsg. */
static char *
render (const char *format, char **errmsg)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&buf, &size);
  pc_error *err = NULL;
  int r = pc_format_print (f, format, rows, cols, &err);
  fclose (f);
  if (errmsg)
    *errmsg = r < 0 ? strdup (err->msg) : NULL;
  pc_error_free (err);
  if (r < 0)
    {
      free (buf);
      return NULL;
    }
  return buf;
}

#define IS_RENDER(format, want, ...)            \
  do                                            \
    {                                           \
      char *out_ = render (format, NULL);       \
      is_str (out_, want, __VA_ARGS__);         \
      free (out_);                              \
    }                                           \
  while (0)

static char *
one (const char *tmpl, char **errmsg)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&buf, &size);
  pc_error *err = NULL;
  int r = pc_format_template_one (f, tmpl, json_object_array_get_idx (rows, 0), &err);
  fclose (f);
  *errmsg = r < 0 ? strdup (err->msg) : NULL;
  pc_error_free (err);
  if (r < 0)
    {
      free (buf);
      return NULL;
    }
  return buf;
}

#define IS_ONE(tmpl, want, ...)                 \
  do                                            \
    {                                           \
      char *e_ = NULL;                          \
      char *out_ = one (tmpl, &e_);             \
      is_str (out_, want, __VA_ARGS__);         \
      if (e_)                                   \
        printf ("#   error: %s\n", e_);         \
      free (e_);                                \
      free (out_);                              \
    }                                           \
  while (0)

#define IS_ERROR(tmpl, want, ...)               \
  do                                            \
    {                                           \
      char *e_ = NULL;                          \
      char *out_ = render (tmpl, &e_);          \
      ok (out_ == NULL, "fails: " __VA_ARGS__); \
      is_str (e_, want, "message: " __VA_ARGS__); \
      free (e_);                                \
      free (out_);                              \
    }                                           \
  while (0)

int
main (void)
{
  pc_error *err = NULL;
  rows = pc_json_parse (rows_json, strlen (rows_json), &err);
  ok (rows != NULL, "test rows parse");

  /* Default table: header from the columns, podman's tabwriter (min 12, pad 2). */
  IS_RENDER (NULL,
             "CONTAINER ID  IMAGE                             NAMES\n"
             "3f2a9c1b0d4e  docker.io/library/busybox:latest  web\n"
             "77aa          alpine                            a-much-longer-name\n",
             "default table is aligned, no trailing spaces");
  IS_RENDER ("table",
             "CONTAINER ID  IMAGE                             NAMES\n"
             "3f2a9c1b0d4e  docker.io/library/busybox:latest  web\n"
             "77aa          alpine                            a-much-longer-name\n",
             "\"table\" alone is the default table");
  IS_RENDER ("table {{.Names}}\\t{{.ID}}\\t{{.CreatedAt}}",
             "NAMES               CONTAINER ID  CREATED AT\n"
             "web                 3f2a9c1b0d4e  <no value>\n"
             "a-much-longer-name  77aa          <no value>\n",
             "table template: column headers, camel-case split for others, \\t aligned");
  IS_RENDER ("table {{.ID}} {{.Names}}",
             "CONTAINER ID  NAMES\n"
             "3f2a9c1b0d4e  web\n"
             "77aa          a-much-longer-name\n",
             "table template: a space between actions separates columns as \\t does");
  IS_RENDER ("table {{.ID}} id: {{printf \"%s %s\" .Names .Image}}",
             "CONTAINER ID  id:         NAMES IMAGE\n"
             "3f2a9c1b0d4e  id:         web docker.io/library/busybox:latest\n"
             "77aa          id:         a-much-longer-name alpine\n",
             "table template: spaces in text are columns, spaces inside actions are kept");
  IS_RENDER ("{{.ID}} {{.Names}}",
             "3f2a9c1b0d4e web\n"
             "77aa a-much-longer-name\n",
             "non-table template keeps its spaces");
  IS_RENDER ("table {{.State.Status}}\\t{{.Size}}",
             "STATUS      SIZE\n"
             "running     2048\n"
             "exited      0\n",
             "nested field header and minimum column width 12");
  {
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream (&buf, &size);
    json_object *empty = json_object_new_array ();
    is_int (pc_format_print (f, NULL, empty, cols, &err), 0, "empty rows print");
    fclose (f);
    is_str (buf, "CONTAINER ID  IMAGE       NAMES\n", "empty table still has its header");
    free (buf);
    buf = NULL;
    f = open_memstream (&buf, &size);
    is_int (pc_format_print_ex (f, NULL, rows, cols, true, &err), 0, "noheading prints");
    fclose (f);
    is_str (buf,
            "3f2a9c1b0d4e  docker.io/library/busybox:latest  web\n"
            "77aa          alpine                            a-much-longer-name\n",
            "noheading drops the header");
    free (buf);
    buf = NULL;
    f = open_memstream (&buf, &size);
    is_int (pc_format_print (f, "json", empty, cols, &err), 0, "json of no rows");
    fclose (f);
    is_str (buf, "[]\n", "empty JSON array");
    free (buf);
    json_object_put (empty);
  }

  /* Plain templates: one line per row, no header. */
  IS_RENDER ("{{.ID}} {{.Names}}", "3f2a9c1b0d4e web\n77aa a-much-longer-name\n", "fields");
  IS_RENDER ("{{.State.Pid}}:{{.State.Status}}", "42:running\n0:exited\n", "nested fields");
  IS_RENDER ("{{.Nope}}|{{.State.Nope}}|{{.Nope.Deeper}}",
             "<no value>|<no value>|<no value>\n<no value>|<no value>|<no value>\n",
             "missing fields print <no value> like Go");
  IS_RENDER ("{{.Ports}} {{.Running}} {{.Size}} {{.Labels}}",
             "[80/tcp 443/tcp] true 2048 map[app:x tier:db]\n[] false 0 map[]\n",
             "slices, bools, numbers, maps print like Go");
  IS_RENDER ("{{.Ratio}} {{.Whole}}", "1.5 3\n<no value> <no value>\n", "floats: integral as integers");
  IS_RENDER ("{{.ID}}\\t{{.Names}}",
             "3f2a9c1b0d4e  web\n77aa          a-much-longer-name\n",
             "\\t aligns plain templates too");
  IS_RENDER ("{{range .Ports}}[{{.}}]{{else}}none{{end}}", "[80/tcp][443/tcp]\nnone\n", "range/else");
  IS_RENDER ("{{range $k, $v := .Labels}}{{$k}}={{$v}},{{end}}", "app=x,tier=db,\n\n",
             "range over a map in key order with variables");
  IS_RENDER ("{{if .Running}}up{{else}}down{{end}}", "up\ndown\n", "if/else");
  IS_RENDER ("{{if eq .State.Status \"running\"}}R{{else if gt .Size 100}}big{{else}}-{{end}}",
             "R\n-\n", "eq, else if, gt");
  IS_RENDER ("{{with .State}}{{.Pid}}{{end}}", "42\n0\n", "with");
  IS_RENDER ("{{upper .Names}} {{lower \"ABC\"}} {{truncate .ID 4}}", "WEB abc 3f2a\nA-MUCH-LONGER-NAME abc 77aa\n",
             "upper, lower, truncate");
  IS_RENDER ("{{join .Ports \",\"}}", "80/tcp,443/tcp\n\n", "join");
  IS_RENDER ("{{printf \"%-6s|%5d|%q\" .Names .Size .Image}}",
             "web   | 2048|\"docker.io/library/busybox:latest\"\n"
             "a-much-longer-name|    0|\"alpine\"\n", "printf");
  IS_RENDER ("{{len .Ports}} {{index .Labels \"app\"}} {{len .Names}}", "2 x 3\n0 <no value> 18\n",
             "len and index");
  IS_ERROR ("{{index .Ports 1}}", "template: error calling index: index out of range: 1",
            "index out of range");
  IS_RENDER ("{{.Names | upper | printf \"<%s>\"}}", "<WEB>\n<A-MUCH-LONGER-NAME>\n", "pipelines");
  IS_RENDER ("{{- .Names -}}  ;", "web;\na-much-longer-name;\n", "trim markers");
  IS_RENDER ("{{/* a comment */}}{{.Names}}", "web\na-much-longer-name\n", "comments");

  /* JSON */
  IS_RENDER ("{{json .State}}", "{\"Pid\":42,\"Status\":\"running\"}\n{\"Pid\":0,\"Status\":\"exited\"}\n",
             "json of a field is compact");
  IS_RENDER ("{{json .Ports}}", "[\"80/tcp\",\"443/tcp\"]\n[]\n", "json of a list");
  {
    /* podman's report package treats "{{json .}}" as "json": a pretty array. */
    char *out = render ("{{json .}}", NULL);
    char *arr = render ("json", NULL);
    is_str (out, arr, "{{json .}} prints the same JSON array as json");
    free (arr);
    free (out);
    out = render ("{{ json }}", NULL);
    ok (out && out[0] == '[', "{{ json }} is the JSON array too");
    free (out);
    out = render ("json", NULL);
    ok (out && strncmp (out, "[\n    {\n        \"ID\": \"3f2a9c1b0d4e\",\n", 37) == 0,
        "json is a pretty array with 4-space indent");
    ok (out && strstr (out, "\"Ports\": [\n            \"80/tcp\",\n") != NULL, "nested indentation");
    ok (out && strstr (out, "\"Ports\": []") != NULL && strstr (out, "\"Labels\": {}") != NULL,
        "empty containers as [] and {}");
    ok (out && strstr (out, "\"Whole\": 3,") != NULL, "integral doubles without .0");
    ok (out && strcmp (out + strlen (out) - 3, "}\n]") != 0 && strcmp (out + strlen (out) - 4, "}\n]\n") == 0,
        "ends with ] and a newline");
    free (out);
  }

  /* Errors */
  IS_ERROR ("{{.ID", "template: invalid format \"{{.ID\": line 1: unclosed action", "unclosed action");
  IS_ERROR ("{{foo .ID}}", "template: invalid format \"{{foo .ID}}\": line 1: function \"foo\" not defined",
            "unknown function");
  IS_ERROR ("{{if .ID}}x", "template: invalid format \"{{if .ID}}x\": line 1: unexpected EOF", "missing end");
  IS_ERROR ("{{nil}}", "template: invalid format \"{{nil}}\": line 1: nil is not a command", "nil command");
  IS_ERROR ("{{end}}", "template: invalid format \"{{end}}\": line 1: unexpected {{end}}", "stray end");
  IS_ERROR ("{{range .Names}}{{.}}{{end}}", "template: range can't iterate over web", "range over a string");
  IS_ERROR ("{{.Ports.X}}", "template: can't evaluate field X in type []interface {}", "field of a list");

  /* Go's time.Time String() */
  {
    char tb[96];
    struct timespec ts = { .tv_sec = 1795411365, .tv_nsec = 580000000 };
    is_str (pc_format_go_time (&ts, true, tb, sizeof tb), "2026-11-23 05:22:45.58 +0000 UTC",
            "go time: fraction without trailing zeros");
    ts.tv_nsec = 0;
    is_str (pc_format_go_time (&ts, true, tb, sizeof tb), "2026-11-23 05:22:45 +0000 UTC",
            "go time: no fraction when zero");
    ts.tv_nsec = 123456789;
    is_str (pc_format_go_time (&ts, true, tb, sizeof tb), "2026-11-23 05:22:45.123456789 +0000 UTC",
            "go time: nanoseconds");
  }

  /* inspect --format */
  char *e = NULL;
  /* A string map with one argument is a method call, as podman's
     {{.Label "k"}}; anything else with arguments is Go's error. */
  IS_RENDER ("{{.Labels \"tier\"}}|{{.Labels \"nope\"}}", "db|\n|\n", "map with a key argument");
  IS_RENDER ("table {{.Labels \"app\"}}", "LABELS\nx\n\n", "a method call's header is the field's");
  IS_ERROR ("{{.Names \"x\"}}", "template: Names is not a method but has arguments",
            "a string with arguments");
  IS_ONE ("{{.State.Pid}}", "42\n", "template_one appends a newline");
  IS_ONE ("{{.Names}}\\n", "web\n", "no second newline when the template has one");
  IS_ONE ("{{.ID}}\\t{{.Names}}", "3f2a9c1b0d4e  web\n", "template_one aligns \\t");
  char *out = one ("{{.ID", &e);
  ok (out == NULL && e && strstr (e, "unclosed action"), "template_one reports template errors");
  free (e);
  free (out);
  out = one ("json", &e);
  ok (out && strncmp (out, "{\n    \"ID\": ", 12) == 0, "template_one json pretty-prints the object");
  free (out);

  json_object_put (rows);
  return done_testing ();
}
