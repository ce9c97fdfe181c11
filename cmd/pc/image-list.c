/* pc images / image ls: podman 4.3's rows, --sort, --filter (containers/
   common 0.50's libimage filters) and template fields, checked side by side
   on this machine (cmd/podman/images/list.go). */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/pc/commands.h"
#include "cmd/pc/image.h"
#include "lib/cleanup.h"
#include "lib/format.h"
#include "lib/json.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

/* Splits "docker.io/library/busybox:latest" into repository and tag. */
static void
split_name (const char *n, char **repo, char **tag)
{
  const char *slash = strrchr (n, '/');
  const char *colon = strrchr (slash ? slash : n, ':');
  *repo = colon ? xstrndup (n, (size_t) (colon - n)) : xstrdup (n);
  *tag = colon ? xstrdup (colon + 1) : xstrdup ("<none>");
}

/* The IMAGE ID column: 12 digits, or sha256:ID with --no-trunc. */
static char *
shown_id (const char *id, bool notrunc)
{
  return notrunc || strlen (id) < 12 ? xasprintf ("sha256:%s", id) : xstrndup (id, 12);
}

struct filter
{
  char *key;
  char *value;
  bool negate;
  struct timespec t;  /* before, since, until */
};

struct filters
{
  struct filter *v;
  size_t n;
};

static void
filters_clear (struct filters *f)
{
  for (size_t i = 0; i < f->n; i++)
    {
      free (f->v[i].key);
      free (f->v[i].value);
    }
  free (f->v);
  f->v = NULL;
  f->n = 0;
}
#define pc_autofilters __attribute__ ((cleanup (filters_clear)))

static int64_t
summary_created (json_object *sum, struct timespec *t)
{
  t->tv_sec = pc_json_get_int (sum, "Created", 0);
  t->tv_nsec = 0;
  return t->tv_sec;
}

/* The creation time of the image ref names, for before= and since=. */
static int
image_time (struct pc_engine *e, json_object *list, const char *key, const char *ref, struct timespec *t,
            pc_error **err)
{
  pc_autofree char *id = NULL;
  pc_autostrv char **names = NULL;
  pc_error *lerr = NULL;
  if (pc_engine_image_resolve (e, ref, &id, &names, &lerr) < 0)
    {
      int r = pc_error_makec (err, PC_ERR_INVALID, EINVAL, "could not find local image for filter filter \"%s\"=\"%s\": %s",
                              key, ref, lerr->msg);
      pc_error_free (lerr);
      return r;
    }
  for (size_t i = 0; i < json_object_array_length (list); i++)
    {
      json_object *sum = json_object_array_get_idx (list, i);
      if (strcmp (pc_json_get_string (sum, "Id") ?: "", id) == 0)
        {
          summary_created (sum, t);
          return 0;
        }
    }
  return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "could not find local image for filter filter \"%s\"=\"%s\": %s: image not known",
                         key, ref, ref);
}

/* libimage's bool filters: one value per key, strconv.ParseBool's words.
   (The key and value are swapped in podman's message; so here.) */
static int
check_bool (struct filters *f, size_t upto, const char *key, const char *value, pc_error **err)
{
  for (size_t i = 0; i < upto; i++)
    if (strcmp (f->v[i].key, key) == 0 && strcmp (f->v[i].value, value) != 0)
      return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                             "specifying \"%s\" filter more than once with different values is not supported", key);
  static const char *const words[] = { "1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE",
                                       "false", "False", NULL };
  if (!pc_strv_contains ((char **) words, value))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "non-boolean value \"%s\" for %s filter: strconv.ParseBool: parsing \"%s\": invalid syntax",
                           key, value, value);
  return 0;
}

static bool
bool_value (const char *v)
{
  return strchr ("1tT", v[0]) != NULL;
}

static int
parse_filters (struct pc_engine *e, json_object *list, char **in, struct filters *f, pc_error **err)
{
  for (char **p = in; p && *p; p++)
    {
      pc_autofree char *copy = xstrdup (*p);
      char *save = NULL;
      for (char *tok = strtok_r (copy, ",", &save); tok; tok = strtok_r (NULL, ",", &save))
        {
          struct filter x = { 0 };
          const char *ne = strstr (tok, "!=");
          const char *eq = strchr (tok, '=');
          if (ne)
            {
              x.negate = true;
              x.key = xstrndup (tok, (size_t) (ne - tok));
              x.value = xstrdup (ne + 2);
            }
          else if (eq)
            {
              x.key = xstrndup (tok, (size_t) (eq - tok));
              x.value = xstrdup (eq + 1);
            }
          else
            return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                                   "invalid image filter \"%s\": must be in the format \"filter=value or filter!=value\"", tok);
          f->v = xrealloc (f->v, (f->n + 1) * sizeof *f->v);
          f->v[f->n++] = x;
        }
    }
  for (size_t i = 0; i < f->n; i++)
    {
      struct filter *x = &f->v[i];
      const char *k = x->key;
      if (strcmp (k, "after") == 0 || strcmp (k, "since") == 0 || strcmp (k, "before") == 0)
        {
          if (image_time (e, list, k, x->value, &x->t, err) < 0)
            return -1;
          if (strcmp (k, "after") == 0)
            {
              free (x->key);
              x->key = xstrdup ("since");
            }
        }
      else if (strcmp (k, "until") == 0)
        {
          pc_autoerror pc_error *terr = NULL;
          if (pc_parse_time_or_duration (x->value, &x->t, &terr) < 0)
            return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                                   "failed to parse value as time or duration: \"%s\"", x->value);
        }
      else if (strcmp (k, "containers") == 0)
        {
          for (size_t j = 0; j < i; j++)
            if (strcmp (f->v[j].key, k) == 0 && strcmp (f->v[j].value, x->value) != 0)
              return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                                     "specifying \"%s\" filter more than once with different values is not supported", k);
          if (strcmp (x->value, "true") != 0 && strcmp (x->value, "false") != 0
              && strcmp (x->value, "external") != 0)
            return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "unsupported value \"%s\" for containers filter",
                                   x->value);
        }
      else if (strcmp (k, "dangling") == 0 || strcmp (k, "intermediate") == 0 || strcmp (k, "readonly") == 0
               || strcmp (k, "manifest") == 0)
        {
          if (check_bool (f, i, k, x->value, err) < 0)
            return -1;
        }
      else if (strcmp (k, "id") != 0 && strcmp (k, "label") != 0 && strcmp (k, "reference") != 0)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "unsupported image filter \"%s\"", k);
    }
  return 0;
}

/* libimage's filterReferences: a path.Match glob against each name in its
   forms: full, path without the domain, last component, each with and
   without the tag. */
static bool
reference_matches (const char *pattern, const char *name)
{
  pc_autofree char *repo = NULL, *tag = NULL;
  split_name (name, &repo, &tag);
  const char *first_slash = strchr (repo, '/');
  /* The domain is the first component when it looks like one. */
  const char *path = repo;
  if (first_slash)
    {
      size_t dl = (size_t) (first_slash - repo);
      if (memchr (repo, '.', dl) || memchr (repo, ':', dl) || (dl == 9 && strncmp (repo, "localhost", 9) == 0))
        path = first_slash + 1;
    }
  const char *last = strrchr (repo, '/');
  last = last ? last + 1 : repo;
  bool tagged = strcmp (tag, "<none>") != 0;
  pc_autofree char *path_tag = tagged ? xasprintf ("%s:%s", path, tag) : xstrdup (path);
  pc_autofree char *last_tag = tagged ? xasprintf ("%s:%s", last, tag) : xstrdup (last);
  const char *candidates[] = { name, path, last_tag, repo, path_tag, last };
  for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++)
    if (fnmatch (pattern, candidates[i], FNM_PATHNAME) == 0)
      return true;
  return false;
}

static bool
labels_match (json_object *labels, const char *filter)
{
  const char *eq = strchr (filter, '=');
  pc_autofree char *k = eq ? xstrndup (filter, (size_t) (eq - filter)) : xstrdup (filter);
  json_object *v = NULL;
  if (labels == NULL || !json_object_is_type (labels, json_type_object) || !json_object_object_get_ex (labels, k, &v))
    return false;
  return eq == NULL || eq[1] == '\0' || strcmp (json_object_get_string (v) ?: "", eq + 1) == 0;
}

static bool
one_matches (const struct filter *x, json_object *sum)
{
  const char *k = x->key;
  json_object *names = pc_json_get_array (sum, "Names");
  size_t nn = pc_json_array_len (names);
  struct timespec created;
  summary_created (sum, &created);
  bool m = false;
  if (strcmp (k, "reference") == 0)
    for (size_t i = 0; i < nn && !m; i++)
      m = reference_matches (x->value, json_object_get_string (json_object_array_get_idx (names, i)) ?: "");
  else if (strcmp (k, "dangling") == 0)
    m = (nn == 0) == bool_value (x->value);
  else if (strcmp (k, "intermediate") == 0 || strcmp (k, "readonly") == 0 || strcmp (k, "manifest") == 0)
    m = !bool_value (x->value);  /* pc keeps no intermediate, read-only or manifest-list images */
  else if (strcmp (k, "label") == 0)
    m = labels_match (pc_json_get (sum, "Labels"), x->value);
  else if (strcmp (k, "id") == 0)
    m = strcmp (pc_json_get_string (sum, "Id") ?: "", x->value) == 0;
  else if (strcmp (k, "since") == 0)
    m = created.tv_sec > x->t.tv_sec;
  else if (strcmp (k, "before") == 0)
    m = created.tv_sec < x->t.tv_sec;
  else if (strcmp (k, "until") == 0)
    m = created.tv_sec < x->t.tv_sec || (created.tv_sec == x->t.tv_sec && x->t.tv_nsec > 0);
  else if (strcmp (k, "containers") == 0)
    {
      int64_t n = pc_json_get_int (sum, "Containers", 0);
      /* Every container is pc's own: "external" holds for images none uses. */
      m = strcmp (x->value, "external") == 0 ? n == 0 : (n > 0) == (strcmp (x->value, "true") == 0);
    }
  return x->negate ? !m : m;
}

/* Values of one key are alternatives; every key must hold. */
static bool
image_matches (const struct filters *f, json_object *sum)
{
  for (size_t i = 0; i < f->n; i++)
    {
      bool seen = false;
      for (size_t j = 0; j < i; j++)
        seen |= strcmp (f->v[j].key, f->v[i].key) == 0;
      if (seen)
        continue;
      bool any = false;
      for (size_t j = i; j < f->n && !any; j++)
        if (strcmp (f->v[j].key, f->v[i].key) == 0)
          any = one_matches (&f->v[j], sum);
      if (!any)
        return false;
    }
  return true;
}

static json_object *
reporter_row (json_object *sum, const char *repo, const char *tag, bool notrunc)
{
  json_object *row = json_object_new_object ();
  json_object_object_foreach (sum, k, v)
    json_object_object_add (row, k, json_object_get (v));
  const char *id = pc_json_get_string (sum, "Id") ?: "";
  pc_autofree char *shown = shown_id (id, notrunc);
  json_object_object_add (row, "ID", json_object_new_string (shown));
  json_object_object_add (row, "Repository", json_object_new_string (repo));
  json_object_object_add (row, "Tag", json_object_new_string (tag));
  struct timespec t;
  summary_created (sum, &t);
  pc_autofree char *since = pc_time_human_ago (&t);
  char at[96];
  pc_format_go_time (&t, true, at, sizeof at);
  json_object_object_add (row, "_created", json_object_new_int64 (t.tv_sec));  /* for --sort */
  json_object_object_add (row, "_summary", json_object_get (sum));             /* for --format json */
  json_object_object_add (row, "Created", json_object_new_string (since));
  json_object_object_add (row, "CreatedSince", json_object_new_string (since));
  json_object_object_add (row, "CreatedAt", json_object_new_string (at));
  json_object_object_add (row, "CreatedTime", json_object_new_string (at));
  pc_autofree char *hsize = pc_size_human (pc_json_get_int (sum, "Size", 0));
  json_object_object_add (row, "Size", json_object_new_string (hsize));
  json_object *hist = pc_json_get_array (sum, "History");
  pc_autostrv char **h = NULL;
  for (size_t i = 0; i < pc_json_array_len (hist); i++)
    pc_strv_append (&h, json_object_get_string (json_object_array_get_idx (hist, i)) ?: "");
  pc_autofree char *hj = h ? pc_strv_join (h, ", ") : xstrdup ("");
  json_object_object_add (row, "History", json_object_new_string (hj));
  json_object *labels = pc_json_get (sum, "Labels");
  json_object_object_add (row, "Labels", labels && json_object_is_type (labels, json_type_object)
                                             ? json_object_get (labels) : json_object_new_object ());
  json_object_object_add (row, "ReadOnly", json_object_new_boolean (false));
  json_object_object_add (row, "Dangling", json_object_new_boolean (pc_json_array_len (pc_json_get_array (sum, "Names")) == 0));
  return row;
}

/* One row of the listing: an image under one of its names. */
struct irow
{
  json_object *sum;
  char *repo, *tag;
  int64_t created, size;
  const char *id;
};

static const char *sort_key;

static int
cmp_rows (const struct irow *a, const struct irow *b)
{
  if (strcmp (sort_key, "id") == 0)
    return strcmp (a->id, b->id);
  if (strcmp (sort_key, "repository") == 0)
    return strcmp (a->repo, b->repo);
  if (strcmp (sort_key, "tag") == 0)
    return strcmp (a->tag, b->tag);
  /* size: the number (Size in the row is the human string) */
  if (strcmp (sort_key, "size") == 0)
    return (a->size > b->size) - (a->size < b->size);
  return (b->created > a->created) - (b->created < a->created);
}

/* Stable, as podman's sort of these rows. */
static void
sort_rows (struct irow *v, size_t n)
{
  for (size_t i = 1; i < n; i++)
    {
      struct irow x = v[i];
      size_t j = i;
      while (j > 0 && cmp_rows (&v[j - 1], &x) > 0)
        {
          v[j] = v[j - 1];
          j--;
        }
      v[j] = x;
    }
}

static void
add_row (struct irow **v, size_t *n, json_object *sum, const char *repo, const char *tag)
{
  *v = xrealloc (*v, (*n + 1) * sizeof **v);
  struct timespec t;
  (*v)[(*n)++] = (struct irow) { .sum = sum, .repo = xstrdup (repo), .tag = xstrdup (tag),
                                 .created = summary_created (sum, &t),
                                 .size = pc_json_get_int (sum, "VirtualSize", 0),
                                 .id = pc_json_get_string (sum, "Id") ?: "" };
}

static void
rows_free (struct irow *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (v[i].repo);
      free (v[i].tag);
    }
  free (v);
}

/* The default table without JSON rows or the template: the text its
   template gives, aligned the same way. */
static void
print_plain_table (const struct irow *v, size_t n, bool notrunc, bool digests, bool history, bool noheading)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&buf, &size);
  if (f == NULL)
    abort ();
  if (!noheading)
    fprintf (f, "REPOSITORY\tTAG\t%sIMAGE ID\tCREATED\tSIZE%s\n", digests ? "DIGEST\t" : "",
             history ? "\tHISTORY" : "");
  for (size_t i = 0; i < n; i++)
    {
      json_object *sum = v[i].sum;
      pc_autofree char *id = shown_id (v[i].id, notrunc);
      struct timespec t;
      summary_created (sum, &t);
      pc_autofree char *since = pc_time_human_ago (&t);
      pc_autofree char *hsize = pc_size_human (pc_json_get_int (sum, "Size", 0));
      fprintf (f, "%s\t%s\t", v[i].repo, v[i].tag);
      if (digests)
        {
          json_object *d = pc_json_get (sum, "Digest");
          /* What {{.Digest}} prints of the summary's value. */
          if (d == NULL)
            fputs ("<no value>", f);
          else if (json_object_is_type (d, json_type_string))
            fputs (json_object_get_string (d), f);
          else
            fputs (json_object_to_json_string (d), f);
          fputc ('\t', f);
        }
      fprintf (f, "%s\t%s\t%s", id, since, hsize);
      if (history)
        {
          json_object *hist = pc_json_get_array (sum, "History");
          fputc ('\t', f);
          if (pc_json_array_len (hist) == 0)
            fputs ("<none>", f);
          for (size_t k = 0; k < pc_json_array_len (hist); k++)
            fprintf (f, "%s%s", k ? ", " : "", json_object_get_string (json_object_array_get_idx (hist, k)) ?: "");
        }
      fputc ('\n', f);
    }
  fclose (f);
  pc_format_tabwrite (stdout, buf, size);
  free (buf);
}

/* podman's --format json: ImageSummary with Created a number, CreatedAt
   RFC 3339, RepoTags null, ReadOnly and Dangling left out when false. */
static json_object *
json_row (json_object *sum)
{
  static const char *const keys[] = { "Id", "ParentId", "RepoTags", "RepoDigests", "Size", "SharedSize",
                                      "VirtualSize", "Labels", "Containers", "ReadOnly", "Dangling", "Names",
                                      "Digest", "History", "Created", "CreatedAt", NULL };
  json_object *o = json_object_new_object ();
  for (const char *const *k = keys; *k; k++)
    {
      json_object *v = NULL;
      if (strcmp (*k, "RepoTags") == 0)
        json_object_object_add (o, *k, NULL);
      else if (json_object_object_get_ex (sum, *k, &v))
        {
          if ((strcmp (*k, "ReadOnly") == 0 || strcmp (*k, "Dangling") == 0) && !json_object_get_boolean (v))
            continue;
          json_object_object_add (o, *k, json_object_get (v));
        }
    }
  json_object_object_foreach (sum, key, val)
    if (!json_object_object_get_ex (o, key, NULL) && strcmp (key, "RepoTags") != 0
        && strcmp (key, "ReadOnly") != 0 && strcmp (key, "Dangling") != 0)
      json_object_object_add (o, key, json_object_get (val));
  return o;
}

static int
print_rows (const struct irow *v, size_t nv, const char *format, bool notrunc, bool quiet, bool digests,
            bool history, bool noheading)
{
  pc_error *err = NULL;
  if (pc_format_is_json (format))
    {
      /* One entry per row, as podman writes them: an image with three
         tags is there three times. */
      pc_autojson json_object *summaries = json_object_new_array ();
      for (size_t i = 0; i < nv; i++)
        json_object_array_add (summaries, json_row (v[i].sum));
      pc_autofree char *out = pc_json_to_string_pretty (summaries);
      puts (out);
      return 0;
    }
  if (quiet)
    {
      json_object *seen = json_object_new_object ();
      for (size_t i = 0; i < nv; i++)
        {
          pc_autofree char *id = shown_id (v[i].id, notrunc);
          if (json_object_object_get_ex (seen, id, NULL))
            continue;
          json_object_object_add (seen, id, NULL);
          puts (id);
        }
      json_object_put (seen);
      return 0;
    }
  if (format == NULL)
    {
      print_plain_table (v, nv, notrunc, digests, history, noheading);
      return 0;
    }
  static const struct pc_format_column headers[] = {
    { "Repository", "REPOSITORY" }, { "Tag", "TAG" }, { "Digest", "DIGEST" }, { "ID", "IMAGE ID" },
    { "Created", "CREATED" }, { "CreatedSince", "CREATED" }, { "Size", "SIZE" }, { "History", "HISTORY" },
    { "ReadOnly", "R/O" }, { NULL, NULL },
  };
  pc_autojson json_object *rows = json_object_new_array ();
  for (size_t i = 0; i < nv; i++)
    json_object_array_add (rows, reporter_row (v[i].sum, v[i].repo, v[i].tag, notrunc));
  /* --noheading drops the header of a table; a plain template has none. */
  if (pc_format_print_ex (stdout, format, rows, headers, noheading, &err) < 0)
    return pc_cli_fail (err);
  return 0;
}

int
pc_cmd_images (const struct pc_command *cmd, int argc, char **argv)
{
  bool all = false, quiet = false, digests = false, noheading = false, notrunc = false, history = false;
  bool sort_set = false, format_set = false;
  pc_autofree char *format = NULL, *sort = NULL;
  pc_autostrv char **filters = NULL;
  const struct pc_opt opts[] = {
    /* pc keeps no intermediate images, so -a lists what the default lists
       (docs/storage.md, "pc images -a"). */
    { "all", 'a', PC_OPT_BOOL, &all, NULL, "Show all images (default hides intermediate images)" },
    { "digests", 0, PC_OPT_BOOL, &digests, NULL, "Show digests" },
    { "filter", 'f', PC_OPT_STRV, &filters, "filter", "Filter output based on conditions provided (default [])" },
    { "format", 0, PC_OPT_STRING, &format, "string", "Change the output format to JSON or a Go template", &format_set },
    { "history", 0, PC_OPT_BOOL, &history, NULL, "Display the image name history" },
    { "noheading", 'n', PC_OPT_BOOL, &noheading, NULL, "Do not print column headings" },
    { "no-trunc", 0, PC_OPT_BOOL, &notrunc, NULL, "Do not truncate output" },
    { "quiet", 'q', PC_OPT_BOOL, &quiet, NULL, "Display only image IDs" },
    { "sort", 0, PC_OPT_STRING, &sort, "string", "Sort by created, id, repository, size, tag (default \"created\")", &sort_set },
    { NULL },
  };
  char **args;
  int nargs, exit_code;
  if (pc_cli_parse_args (cmd, opts, argc, argv, 0, 1, &args, &nargs, &exit_code) != 0)
    return exit_code;
  if (filters && nargs > 0)
    return pc_cli_errorf (PC_EXIT_ERROR, "cannot specify an image and a filter(s)");
  if (nargs == 1)
    {
      pc_autofree char *ref = xasprintf ("reference=%s", args[0]);
      pc_strv_append (&filters, ref);
    }
  /* podman lists without intermediate images unless -a, as a filter of its
     own: so intermediate=true without -a is a conflicting value. */
  if (!all)
    pc_strv_append (&filters, "intermediate=false");
  static const char *const sort_keys[] = { "created", "id", "repository", "size", "tag", NULL };
  if (sort_set && !pc_strv_contains ((char **) sort_keys, sort))
    return pc_cli_errorf (PC_EXIT_ERROR, "\"%s\" is not a valid field for sorting. Choose from: "
                          "created, id, repository, size, tag", sort);
  pc_autoengine struct pc_engine *e = pc_cli_open_engine (0);
  if (e == NULL)
    return PC_EXIT_ERROR;
  pc_error *err = NULL;
  pc_autojson json_object *list = NULL;
  if (pc_engine_image_list (e, &list, &err) < 0)
    return pc_cli_fail (err);
  pc_autofilters struct filters f = { 0 };
  if (parse_filters (e, list, filters, &f, &err) < 0)
    return pc_cli_fail (err);

  struct irow *v = NULL;
  size_t nv = 0;
  for (size_t i = 0; i < json_object_array_length (list); i++)
    {
      json_object *sum = json_object_array_get_idx (list, i);
      if (!image_matches (&f, sum))
        continue;
      /* podman's rows: one per tagged name; an image with only untagged
         names (or none) gets one <none> row. */
      json_object *tags = pc_json_get_array (sum, "RepoTags");
      if (tags == NULL)
        tags = pc_json_get_array (sum, "Names");
      size_t nt = pc_json_array_len (tags), shown = 0;
      for (size_t j = 0; j < nt; j++)
        {
          pc_autofree char *repo = NULL, *tag = NULL;
          split_name (json_object_get_string (json_object_array_get_idx (tags, j)) ?: "", &repo, &tag);
          if (strcmp (tag, "<none>") == 0)
            continue;
          add_row (&v, &nv, sum, repo, tag);
          shown++;
        }
      if (shown == 0)
        {
          pc_autofree char *repo = NULL, *tag = NULL;
          if (nt > 0)
            split_name (json_object_get_string (json_object_array_get_idx (tags, 0)) ?: "", &repo, &tag);
          add_row (&v, &nv, sum, repo ? repo : "<none>", tag ? tag : "<none>");
        }
    }
  sort_key = sort_set ? sort : "created";
  sort_rows (v, nv);
  int ret = print_rows (v, nv, format_set ? format : NULL, notrunc, quiet, digests, history, noheading);
  rows_free (v, nv);
  return ret;
}
