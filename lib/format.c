/* podman's output: tables aligned like Go's tabwriter with podman's settings,
   --format json, and Go templates through lib/template. */
#include "lib/format.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/template.h"
#include "lib/xalloc.h"

/* report.NewWriterDefault: minwidth 12, padding 2, pad with spaces. */
#define TW_MINWIDTH 12
#define TW_PADDING 2

struct tw_cell
{
  const char *s;
  size_t len;
  size_t width;
};

struct tw_line
{
  struct tw_cell *cells;
  size_t n;
  bool newline;
};

struct tw
{
  FILE *out;
  struct tw_line *lines;
  size_t nlines;
  size_t *widths;
  size_t maxcells;
};

static size_t
utf8_width (const char *s, size_t len)
{
  size_t w = 0;
  for (size_t i = 0; i < len; i++)
    if (((unsigned char) s[i] & 0xc0) != 0x80)
      w++;
  return w;
}

static void
tw_write_lines (struct tw *t, size_t line0, size_t line1, size_t nwidths)
{
  for (size_t i = line0; i < line1; i++)
    {
      const struct tw_line *l = &t->lines[i];
      for (size_t j = 0; j < l->n; j++)
        {
          const struct tw_cell *c = &l->cells[j];
          fwrite (c->s, 1, c->len, t->out);
          if (j < nwidths)
            for (size_t k = c->width; k < t->widths[j]; k++)
              fputc (' ', t->out);
        }
      if (l->newline)
        fputc ('\n', t->out);
    }
}

/* Go's text/tabwriter column blocks: a column's width is set by the run of
   consecutive lines that have a tab-terminated cell in it. */
static void
tw_format (struct tw *t, size_t line0, size_t line1, size_t nwidths)
{
  size_t column = nwidths;
  for (size_t this = line0; this < line1; this++)
    {
      if (column + 1 >= t->lines[this].n)
        continue;
      tw_write_lines (t, line0, this, nwidths);
      line0 = this;
      size_t width = TW_MINWIDTH;
      for (; this < line1; this++)
        {
          const struct tw_line *l = &t->lines[this];
          if (column + 1 >= l->n)
            break;
          if (l->cells[column].width + TW_PADDING > width)
            width = l->cells[column].width + TW_PADDING;
        }
      t->widths[nwidths] = width;
      tw_format (t, line0, this, nwidths + 1);
      line0 = this;
    }
  tw_write_lines (t, line0, line1, nwidths);
}

static void
tw_flush (struct tw *t)
{
  if (t->nlines == 0)
    return;
  t->widths = xrealloc (t->widths, (t->maxcells + 1) * sizeof *t->widths);
  tw_format (t, 0, t->nlines, 0);
  for (size_t i = 0; i < t->nlines; i++)
    free (t->lines[i].cells);
  t->nlines = 0;
  t->maxcells = 0;
}

void
pc_format_tabwrite (FILE *out, const char *text, size_t len)
{
  struct tw t = { .out = out };
  const char *p = text, *end = text + len;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (size_t) (end - p));
      const char *eol = nl ? nl : end;
      struct tw_line l = { .newline = nl != NULL };
      const char *c = p;
      for (;;)
        {
          const char *tab = memchr (c, '\t', (size_t) (eol - c));
          const char *cend = tab ? tab : eol;
          l.cells = xrealloc (l.cells, (l.n + 1) * sizeof *l.cells);
          l.cells[l.n++] = (struct tw_cell) { c, (size_t) (cend - c), utf8_width (c, (size_t) (cend - c)) };
          if (tab == NULL)
            break;
          c = tab + 1;
        }
      t.lines = xrealloc (t.lines, (t.nlines + 1) * sizeof *t.lines);
      t.lines[t.nlines++] = l;
      if (l.n > t.maxcells)
        t.maxcells = l.n;
      /* As Go's tabwriter: a line without tabs ends all column blocks. */
      if (l.n == 1 && l.newline)
        tw_flush (&t);
      p = nl ? nl + 1 : end;
    }
  tw_flush (&t);
  free (t.lines);
  free (t.widths);
}

/* fatih/camelcase as podman uses it for headers: "CreatedAt" -> "Created At",
   "ImageID" -> "Image ID". */
static char *
camel_header (const char *name)
{
  size_t n = strlen (name);
  char **runs = NULL;
  int *cls = xmalloc0 ((n + 1) * sizeof *cls);
  size_t nruns = 0;
  for (size_t i = 0; i < n;)
    {
      unsigned char ch = (unsigned char) name[i];
      int k = islower (ch) ? 1 : isupper (ch) ? 2 : isdigit (ch) ? 3 : 4;
      size_t j = i;
      while (j < n)
        {
          unsigned char cj = (unsigned char) name[j];
          int kj = islower (cj) ? 1 : isupper (cj) ? 2 : isdigit (cj) ? 3 : 4;
          if (kj != k)
            break;
          j++;
        }
      pc_strv_append_take (&runs, xstrndup (name + i, j - i));
      cls[nruns++] = k;
      i = j;
    }
  for (size_t i = 0; i + 1 < nruns; i++)
    if (cls[i] == 2 && cls[i + 1] == 1)
      {
        size_t l = strlen (runs[i]);
        char *moved = xasprintf ("%c%s", runs[i][l - 1], runs[i + 1]);
        runs[i][l - 1] = '\0';
        free (runs[i + 1]);
        runs[i + 1] = moved;
      }
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&buf, &size);
  if (f == NULL)
    abort ();
  bool first = true;
  for (size_t i = 0; i < nruns; i++)
    {
      if (runs[i][0] == '\0')
        continue;
      if (!first)
        fputc (' ', f);
      first = false;
      for (char *c = runs[i]; *c; c++)
        fputc (toupper ((unsigned char) *c), f);
    }
  fclose (f);
  pc_strv_free (runs);
  free (cls);
  return buf;
}

struct header_ctx
{
  json_object *obj;
  const struct pc_format_column *columns;
};

static void
add_header (char **chain, void *data)
{
  struct header_ctx *h = data;
  size_t n = pc_strv_len (chain);
  pc_autofree char *dotted = NULL;
  for (size_t i = 0; i < n; i++)
    {
      char *d = xasprintf ("%s%s%s", dotted ? dotted : "", dotted ? "." : "", chain[i]);
      free (dotted);
      dotted = d;
    }
  char *header = NULL;
  for (const struct pc_format_column *c = h->columns; c && c->field; c++)
    if (strcmp (c->field, dotted) == 0)
      header = xstrdup (c->header);
  if (header == NULL)
    header = camel_header (chain[n - 1]);

  json_object *o = h->obj;
  for (size_t i = 0; i + 1 < n; i++)
    {
      json_object *next = NULL;
      if (!json_object_object_get_ex (o, chain[i], &next))
        {
          next = json_object_new_object ();
          json_object_object_add (o, chain[i], next);
        }
      if (!json_object_is_type (next, json_type_object))
        {
          free (header);
          return;  /* ".A" and ".A.B" both used: the first one wins */
        }
      o = next;
    }
  if (!json_object_object_get_ex (o, chain[n - 1], NULL))
    json_object_object_add (o, chain[n - 1], json_object_new_string (header));
  free (header);
}

static bool
is_json_format (const char *f)
{
  while (isspace ((unsigned char) *f))
    f++;
  size_t n = strlen (f);
  while (n > 0 && isspace ((unsigned char) f[n - 1]))
    n--;
  if (n == 4 && strncmp (f, "json", 4) == 0)
    return true;
  /* podman treats "{{json .}}" (and "{{ json }}") as a request for the JSON
     array, same as "json", not as a per-row template. */
  if (n < 4 || strncmp (f, "{{", 2) != 0 || strncmp (f + n - 2, "}}", 2) != 0)
    return false;
  const char *p = f + 2, *end = f + n - 2;
  while (p < end && isspace ((unsigned char) *p))
    p++;
  if (end - p < 4 || strncmp (p, "json", 4) != 0)
    return false;
  p += 4;
  while (p < end && isspace ((unsigned char) *p))
    p++;
  if (p < end && *p == '.')
    p++;
  while (p < end && isspace ((unsigned char) *p))
    p++;
  return p == end;
}

bool
pc_format_is_json (const char *format)
{
  return format != NULL && is_json_format (format);
}

static bool
ends_with_newline (const char *s)
{
  size_t n = strlen (s);
  return (n >= 1 && s[n - 1] == '\n') || (n >= 2 && s[n - 2] == '\\' && s[n - 1] == 'n');
}

static char *
default_template (const struct pc_format_column *columns)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&buf, &size);
  if (f == NULL)
    abort ();
  for (const struct pc_format_column *c = columns; c && c->field; c++)
    fprintf (f, "%s{{.%s}}", c == columns ? "" : "\t", c->field);
  fclose (f);
  return buf;
}

/* podman's "table" templates (NormalizeFormat in containers/common): every
   space of the template text becomes a tab, so "table {{.ID}} {{.Names}}"
   gives aligned columns like "{{.ID}}\t{{.Names}}"; checked against podman
   4.3, where "table {{.ID}} a b {{.Names}}" gives four columns.  Spaces
   inside {{ }} are left alone, so string arguments keep theirs. */
static void
spaces_to_columns (char *tmpl)
{
  for (char *p = tmpl; *p; p++)
    {
      if (p[0] == '{' && p[1] == '{')
        {
          char *close = strstr (p + 2, "}}");
          if (close == NULL)
            return;  /* the parser reports the unclosed action */
          p = close + 1;
        }
      else if (*p == ' ')
        *p = '\t';
    }
}

int
pc_format_print_ex (FILE *out, const char *format, json_object *rows,
                    const struct pc_format_column *columns, bool noheading, pc_error **err)
{
  if (format != NULL && is_json_format (format))
    {
      pc_autofree char *s = NULL;
      if (json_object_is_type (rows, json_type_array))
        s = pc_json_to_string_pretty (rows);
      else
        {
          json_object *arr = json_object_new_array ();
          if (rows)
            json_object_array_add (arr, json_object_get (rows));
          s = pc_json_to_string_pretty (arr);
          json_object_put (arr);
        }
      fprintf (out, "%s\n", s);
      return 0;
    }

  bool table = false;
  pc_autofree char *tmpl = NULL;
  const char *f = format ? format : "";
  while (isspace ((unsigned char) *f))
    f++;
  if (strncmp (f, "table", 5) == 0 && (f[5] == '\0' || isspace ((unsigned char) f[5])))
    {
      table = true;
      f += 5;
      while (*f == ' ' || *f == '\t')
        f++;
    }
  if (*f == '\0')
    {
      if (columns == NULL || columns->field == NULL)
        return pc_error_make (err, EINVAL, "template: invalid format \"%s\": no columns", format ? format : "");
      table = true;
      tmpl = default_template (columns);
    }
  else
    {
      tmpl = xstrdup (f);
      if (table)
        spaces_to_columns (tmpl);
    }
  if (!ends_with_newline (tmpl))
    {
      char *t = xasprintf ("%s\n", tmpl);
      free (tmpl);
      tmpl = t;
    }

  struct pc_template *t = pc_template_parse (tmpl, err);
  if (t == NULL)
    return -1;

  char *buf = NULL;
  size_t size = 0;
  FILE *mem = open_memstream (&buf, &size);
  if (mem == NULL)
    abort ();
  int r = 0;
  if (table && !noheading)
    {
      struct header_ctx h = { .obj = json_object_new_object (), .columns = columns };
      pc_template_walk_fields (t, add_header, &h);
      r = pc_template_execute (t, mem, h.obj, true, err);
      json_object_put (h.obj);
    }
  if (json_object_is_type (rows, json_type_array))
    for (size_t i = 0; r == 0 && i < json_object_array_length (rows); i++)
      r = pc_template_execute (t, mem, json_object_array_get_idx (rows, i), false, err);
  else if (r == 0 && rows != NULL)
    r = pc_template_execute (t, mem, rows, false, err);
  fclose (mem);
  pc_template_free (t);
  if (r == 0)
    pc_format_tabwrite (out, buf, size);
  free (buf);
  return r;
}

int
pc_format_print (FILE *out, const char *format, json_object *rows,
                 const struct pc_format_column *columns, pc_error **err)
{
  return pc_format_print_ex (out, format, rows, columns, false, err);
}

char *
pc_format_go_time (const struct timespec *t, bool utc, char *buf, size_t size)
{
  struct tm tm;
  time_t sec = t->tv_sec;
  if (utc)
    gmtime_r (&sec, &tm);
  else
    localtime_r (&sec, &tm);
  char date[32], zone[64], frac[16] = "";
  strftime (date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
  if (utc)
    snprintf (zone, sizeof zone, "+0000 UTC");
  else
    strftime (zone, sizeof zone, "%z %Z", &tm);
  if (t->tv_nsec > 0 && t->tv_nsec < 1000000000L)
    {
      snprintf (frac, sizeof frac, ".%09ld", (long) t->tv_nsec);
      size_t n = strlen (frac);
      while (n > 1 && frac[n - 1] == '0')
        frac[--n] = '\0';
    }
  snprintf (buf, size, "%s%s %s", date, frac, zone);
  return buf;
}

int
pc_format_template_one (FILE *out, const char *tmpl, json_object *obj, pc_error **err)
{
  if (is_json_format (tmpl))
    {
      pc_autofree char *s = pc_json_to_string_pretty (obj);
      fprintf (out, "%s\n", s);
      return 0;
    }
  pc_autofree char *text = ends_with_newline (tmpl) ? xstrdup (tmpl) : xasprintf ("%s\n", tmpl);
  struct pc_template *t = pc_template_parse (text, err);
  if (t == NULL)
    return -1;
  char *buf = NULL;
  size_t size = 0;
  FILE *mem = open_memstream (&buf, &size);
  if (mem == NULL)
    abort ();
  int r = pc_template_execute (t, mem, obj, false, err);
  fclose (mem);
  pc_template_free (t);
  if (r == 0)
    pc_format_tabwrite (out, buf, size);
  free (buf);
  return r;
}
