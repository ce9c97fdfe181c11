/* Short-name resolution as podman 4.3 (containers/image 5.23 pkg/shortnames
   Resolve): a name with a registry is itself; "localhost/..." stays on the
   machine; an alias (the cache first, then registries.conf) wins; otherwise
   each unqualified-search registry in order, subject to short-name-mode.
   Also registry.h's hooks on top of it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/registry/config.h"
#include "pkg/registry/registry.h"

void
pc_resolved_clear (struct pc_resolved *r)
{
  pc_strv_free (r->candidates);
  free (r->short_name);
  free (r->origin);
  memset (r, 0, sizeof *r);
}

static const struct pc_registries_alias *
find_alias (const struct pc_registries_alias *list, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (list[i].name, name) == 0)
      return &list[i];
  return NULL;
}

/* Candidate "reg/name[:tag][@digest]" normalized (docker.io/library/). */
static int
add_candidate (struct pc_resolved *out, const char *base, const struct pc_ref *user, pc_error **err)
{
  pc_autofree char *s = xasprintf ("%s%s%s%s%s", base, user->tag ? ":" : "", user->tag ? user->tag : "",
                                   user->digest ? "@" : "", user->digest ? user->digest : "");
  struct pc_ref r;
  if (pc_ref_parse_normalized (s, &r, err) < 0)
    return -1;
  pc_strv_append_take (&out->candidates, pc_ref_format (&r, true));
  pc_ref_clear (&r);
  return 0;
}

/* Asks the user to pick one of the candidates on the terminal. */
static int
prompt (struct pc_resolved *out, pc_error **err)
{
  pc_autofclose FILE *tty = fopen ("/dev/tty", "r+e");
  if (tty == NULL)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "short-name resolution enforced but cannot prompt without a TTY");
  size_t n = pc_strv_len (out->candidates);
  fprintf (tty, "? Please select an image:\n");
  for (size_t i = 0; i < n; i++)
    fprintf (tty, "  %zu) %s\n", i + 1, out->candidates[i]);
  for (int tries = 0; tries < 5; tries++)
    {
      fprintf (tty, "Enter a number [1-%zu]: ", n);
      fflush (tty);
      char line[64];
      if (fgets (line, sizeof line, tty) == NULL)
        break;
      char *end;
      unsigned long k = strtoul (line, &end, 10);
      if (end != line && (*end == '\n' || *end == '\0') && k >= 1 && k <= n)
        {
          char *chosen = xstrdup (out->candidates[k - 1]);
          pc_strv_free (out->candidates);
          out->candidates = NULL;
          pc_strv_append_take (&out->candidates, chosen);
          out->record = true;
          return 0;
        }
    }
  return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "short-name resolution: no image selected");
}

int
pc_registries_resolve (const struct pc_registries_conf *c, const char *input, bool tty,
                       struct pc_resolved *out, pc_error **err)
{
  memset (out, 0, sizeof *out);
  struct pc_ref user;
  pc_autoerror pc_error *e = NULL;
  if (pc_ref_parse (input, &user, &e) < 0)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "cannot parse input: \"%s\": %s", input,
                           e->msg);
  if (user.domain)
    {
      pc_ref_clear (&user);
      if (pc_ref_parse_normalized (input, &user, err) < 0)
        return -1;
      out->kind = strcmp (user.domain, "localhost") == 0 ? PC_RESOLVE_LOCAL : PC_RESOLVE_QUALIFIED;
      pc_strv_append_take (&out->candidates, pc_ref_format (&user, true));
      pc_ref_clear (&user);
      return 0;
    }
  out->short_name = xstrdup (user.path);

  const struct pc_registries_alias *a = find_alias (c->cache, c->n_cache, user.path);
  if (a == NULL)
    a = find_alias (c->aliases, c->n_aliases, user.path);
  /* An empty value removes an alias. */
  if (a && a->value[0])
    {
      out->kind = PC_RESOLVE_ALIAS;
      out->origin = xstrdup (a->origin);
      int r = add_candidate (out, a->value, &user, err);
      pc_ref_clear (&user);
      return r;
    }

  out->kind = PC_RESOLVE_SEARCH;
  out->origin = xstrdup (c->search_origin ? c->search_origin : c->config_path);
  if (c->search == NULL || c->search[0] == NULL)
    {
      pc_ref_clear (&user);
      int r = pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                              "short-name \"%s\" did not resolve to an alias and no unqualified-search registries are defined in \"%s\"",
                              input, out->origin);
      pc_resolved_clear (out);
      return r;
    }
  for (char **s = c->search; *s; s++)
    {
      pc_autofree char *base = xasprintf ("%s/%s", *s, user.path);
      if (add_candidate (out, base, &user, err) < 0)
        {
          pc_error_wrap (err, "creating reference with unqualified-search registry \"%s\"", *s);
          pc_ref_clear (&user);
          pc_resolved_clear (out);
          return -1;
        }
    }
  pc_ref_clear (&user);
  if (c->mode == PC_SHORT_NAME_DISABLED || pc_strv_len (out->candidates) == 1)
    return 0;
  if (!tty)
    {
      if (c->mode == PC_SHORT_NAME_PERMISSIVE)
        return 0;
      pc_resolved_clear (out);
      return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                             "short-name resolution enforced but cannot prompt without a TTY");
    }
  if (prompt (out, err) < 0)
    {
      pc_resolved_clear (out);
      return -1;
    }
  return 0;
}

char *
pc_resolved_describe (const struct pc_resolved *r)
{
  switch (r->kind)
    {
    case PC_RESOLVE_ALIAS:
      return xasprintf ("Resolved \"%s\" as an alias (%s)", r->short_name, r->origin);
    case PC_RESOLVE_SEARCH:
      if (r->record || pc_strv_len (r->candidates) < 2)
        return NULL;
      return xasprintf ("Resolving \"%s\" using unqualified-search registries (%s)", r->short_name,
                        r->origin);
    default:
      return NULL;
    }
}

static void
toml_quote (FILE *f, const char *s)
{
  fputc ('"', f);
  for (; *s; s++)
    {
      unsigned char ch = (unsigned char) *s;
      if (ch == '"' || ch == '\\')
        fprintf (f, "\\%c", ch);
      else if (ch < 0x20 || ch == 0x7f)
        fprintf (f, "\\u%04x", ch);
      else
        fputc (ch, f);
    }
  fputc ('"', f);
}

int
pc_registries_record_alias (const struct pc_registries_conf *c, const char *name, const char *value,
                            pc_error **err)
{
  if (c->cache_path == NULL)
    return 0;
  pc_autofree char *dir = xstrdup (c->cache_path);
  char *slash = strrchr (dir, '/');
  if (slash == NULL)
    return 0;
  *slash = '\0';
  if (pc_mkdir_p (AT_FDCWD, dir, 0700, err) < 0)
    return -1;
  pc_autofree char *lockpath = xasprintf ("%s.lock", c->cache_path);
  pc_autoclose int lockfd = open (lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (lockfd < 0 || flock (lockfd, LOCK_EX) < 0)
    return pc_error_errno (err, errno, "lock %s", lockpath);
  /* Read again under the lock: another pc may have written meanwhile. */
  pc_autofree char *buf = NULL;
  pc_autoerror pc_error *e = NULL;
  pc_autojson json_object *root = NULL;
  size_t len = 0;
  if (pc_read_file_max (AT_FDCWD, c->cache_path, 1 << 20, PC_READ_REGULAR, &buf, &len, &e) == 0)
    root = pc_toml_parse (buf, len, &e);
  if (root == NULL)
    root = json_object_new_object ();
  json_object *aliases = pc_json_get_object (root, "aliases");
  if (aliases == NULL)
    {
      aliases = json_object_new_object ();
      json_object_object_add (root, "aliases", aliases);
    }
  char *text = NULL;
  size_t tlen = 0;
  FILE *f = open_memstream (&text, &tlen);
  fprintf (f, "[aliases]\n");
  bool written = false;
  json_object_object_foreach (aliases, k, v)
      {
        if (!json_object_is_type (v, json_type_string))
          continue;
        fputs ("  ", f);
        toml_quote (f, k);
        fputs (" = ", f);
        toml_quote (f, strcmp (k, name) == 0 ? value : json_object_get_string (v));
        fputc ('\n', f);
        if (strcmp (k, name) == 0)
          written = true;
      }
  if (!written)
    {
      fputs ("  ", f);
      toml_quote (f, name);
      fputs (" = ", f);
      toml_quote (f, value);
      fputc ('\n', f);
    }
  fclose (f);
  int r = pc_write_file_atomic (AT_FDCWD, c->cache_path, text, tlen, 0600, err);
  free (text);
  return r;
}

/* ---- registry.h's hooks ---- */

static int
load_default (struct pc_registries_conf *c, pc_error **err)
{
  return pc_registries_conf_load (NULL, c, err);
}

int
pc_registry_resolve_name (const char *input, char ***candidates, pc_error **err)
{
  *candidates = NULL;
  if (input == NULL || *input == '\0')
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "empty image name");
  struct pc_registries_conf c;
  if (load_default (&c, err) < 0)
    return -1;
  struct pc_resolved r;
  bool tty = isatty (STDIN_FILENO) && isatty (STDOUT_FILENO);
  int ret = pc_registries_resolve (&c, input, tty, &r, err);
  pc_registries_conf_clear (&c);
  if (ret < 0)
    return -1;
  if (r.kind != PC_RESOLVE_LOCAL)
    *candidates = steal_pointer (&r.candidates);
  pc_resolved_clear (&r);
  return 0;
}

int
pc_registry_host_config (const char *ref, struct pc_registry_host_conf *out, pc_error **err)
{
  memset (out, 0, sizeof *out);
  struct pc_registries_conf c;
  if (load_default (&c, err) < 0)
    return -1;
  const struct pc_registries_entry *e = pc_registries_find (&c, ref);
  if (e)
    {
      out->insecure = e->insecure;
      out->blocked = e->blocked;
      struct pc_pull_source *src = NULL;
      size_t n = 0;
      pc_autoerror pc_error *ignored = NULL;
      if (!e->blocked && pc_registries_pull_sources (&c, ref, &src, &n, &ignored) == 0)
        {
          if (strcmp (src[n - 1].ref, ref) != 0)
            out->location = xstrdup (src[n - 1].ref);
          if (n > 1)
            {
              out->mirrors = xmalloc0 (n * sizeof (char *));
              out->mirror_insecure = xmalloc0 (n * sizeof (bool));
              for (size_t i = 0; i + 1 < n; i++)
                {
                  out->mirrors[i] = steal_pointer (&src[i].ref);
                  out->mirror_insecure[i] = src[i].insecure;
                }
            }
          pc_pull_sources_free (src, n);
        }
    }
  pc_registries_conf_clear (&c);
  return 0;
}

void
pc_registry_host_conf_clear (struct pc_registry_host_conf *c)
{
  free (c->location);
  for (char **m = c->mirrors; m && *m; m++)
    free (*m);
  free (c->mirrors);
  free (c->mirror_insecure);
  memset (c, 0, sizeof *c);
}
