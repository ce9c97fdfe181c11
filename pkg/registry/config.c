/* registries.conf as podman 4.3 reads it (containers/image 5.23
   sysregistriesv2): which files, in which order, how drop-ins override the
   main file, what is checked, and podman's messages for what is wrong. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/registry/config.h"
#include "pkg/storage/storage.h"

#define CONF_MAX (1 << 20)

static void
alias_clear (struct pc_registries_alias *a)
{
  free (a->name);
  free (a->value);
  free (a->origin);
}

static void
entry_clear (struct pc_registries_entry *e)
{
  free (e->prefix);
  free (e->location);
  for (size_t i = 0; i < e->n_mirrors; i++)
    free (e->mirrors[i].location);
  free (e->mirrors);
  memset (e, 0, sizeof *e);
}

void
pc_registries_conf_clear (struct pc_registries_conf *c)
{
  pc_strv_free (c->search);
  free (c->search_origin);
  for (size_t i = 0; i < c->n_aliases; i++)
    alias_clear (&c->aliases[i]);
  free (c->aliases);
  for (size_t i = 0; i < c->n_cache; i++)
    alias_clear (&c->cache[i]);
  free (c->cache);
  for (size_t i = 0; i < c->n_regs; i++)
    entry_clear (&c->regs[i]);
  free (c->regs);
  free (c->config_path);
  free (c->config_dir_path);
  free (c->cache_path);
  memset (c, 0, sizeof *c);
}

/* One file's settings before merging. */
struct conf_file
{
  char **search;
  bool search_set;
  char *mode;
  struct pc_registries_alias *aliases;
  size_t n_aliases;
  struct pc_registries_entry *regs;
  size_t n_regs;
};

static void
conf_file_clear (struct conf_file *f)
{
  pc_strv_free (f->search);
  free (f->mode);
  for (size_t i = 0; i < f->n_aliases; i++)
    alias_clear (&f->aliases[i]);
  free (f->aliases);
  for (size_t i = 0; i < f->n_regs; i++)
    entry_clear (&f->regs[i]);
  free (f->regs);
  memset (f, 0, sizeof *f);
}

static int
type_error (const char *key, const char *want, pc_error **err)
{
  return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "toml: key \"%s\": expected %s", key, want);
}

static int
get_string (json_object *o, const char *key, const char *path, char **out, pc_error **err)
{
  json_object *v;
  *out = NULL;
  if (!json_object_object_get_ex (o, key, &v))
    return 0;
  if (!json_object_is_type (v, json_type_string))
    return type_error (path, "a string", err);
  *out = xstrdup (json_object_get_string (v));
  return 1;
}

static int
get_bool (json_object *o, const char *key, const char *path, bool *out, pc_error **err)
{
  json_object *v;
  if (!json_object_object_get_ex (o, key, &v))
    return 0;
  if (!json_object_is_type (v, json_type_boolean))
    return type_error (path, "a boolean", err);
  *out = json_object_get_boolean (v);
  return 1;
}

static int
get_strings (json_object *o, const char *key, const char *path, char ***out, pc_error **err)
{
  json_object *v;
  *out = NULL;
  if (!json_object_object_get_ex (o, key, &v))
    return 0;
  if (!pc_json_is_string_array (v))
    return type_error (path, "an array of strings", err);
  *out = xmalloc0 (sizeof (char *));
  for (size_t i = 0; i < json_object_array_length (v); i++)
    pc_strv_append (out, json_object_get_string (json_object_array_get_idx (v, i)));
  return 1;
}

/* parseLocation: no scheme, no trailing slash. */
static int
parse_location (char *loc, pc_error **err)
{
  if (strncmp (loc, "http://", 7) == 0 || strncmp (loc, "https://", 8) == 0)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "invalid location '%s': URI schemes are not supported", loc);
  size_t n = strlen (loc);
  while (n > 0 && loc[n - 1] == '/')
    loc[--n] = '\0';
  return 0;
}

static int
parse_prefix (char *prefix, pc_error **err)
{
  if (parse_location (prefix, err) < 0)
    return -1;
  if (prefix[0] == '*')
    {
      if (prefix[1] != '.' || prefix[2] == '\0' || strchr (prefix + 1, '*') || strchr (prefix, '/'))
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "invalid prefix '%s' for wildcarded prefix; should be in the format: *.example.com",
                               prefix);
    }
  return 0;
}

static int
read_mirror (json_object *m, struct pc_registries_mirror *out, bool by_digest_only,
             const char *reg_location, pc_error **err)
{
  pc_autofree char *pull_from = NULL;
  if (!json_object_is_type (m, json_type_object))
    return type_error ("registry.mirror", "a table", err);
  if (get_string (m, "location", "registry.mirror.location", &out->location, err) < 0
      || get_bool (m, "insecure", "registry.mirror.insecure", &out->insecure, err) < 0
      || get_string (m, "pull-from-mirror", "registry.mirror.pull-from-mirror", &pull_from, err) < 0)
    return -1;
  if (out->location == NULL)
    out->location = xstrdup ("");
  if (parse_location (out->location, err) < 0)
    return -1;
  if (out->location[0] == '\0')
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid condition: mirror location is unset");
  if (pull_from && *pull_from && by_digest_only)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "cannot set mirror usage mirror-by-digest-only for the registry (\"%s\") and pull-from-mirror for per-mirror (\"%s\") at the same time",
                           reg_location, out->location);
  if (pull_from == NULL || *pull_from == '\0' || strcmp (pull_from, "all") == 0)
    out->pull_from = PC_MIRROR_ALL;
  else if (strcmp (pull_from, "digest-only") == 0)
    out->pull_from = PC_MIRROR_DIGEST_ONLY;
  else if (strcmp (pull_from, "tag-only") == 0)
    out->pull_from = PC_MIRROR_TAG_ONLY;
  else
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "unsupported pull-from-mirror value \"%s\" for mirror \"%s\"", pull_from,
                           out->location);
  return 0;
}

static int
read_registry (json_object *r, struct pc_registries_entry *e, pc_error **err)
{
  pc_autofree char *pull_from = NULL;
  if (!json_object_is_type (r, json_type_object))
    return type_error ("registry", "a table", err);
  if (get_string (r, "prefix", "registry.prefix", &e->prefix, err) < 0
      || get_string (r, "location", "registry.location", &e->location, err) < 0
      || get_bool (r, "insecure", "registry.insecure", &e->insecure, err) < 0
      || get_bool (r, "blocked", "registry.blocked", &e->blocked, err) < 0
      || get_bool (r, "mirror-by-digest-only", "registry.mirror-by-digest-only",
                   &e->mirror_by_digest_only, err) < 0
      || get_string (r, "pull-from-mirror", "registry.pull-from-mirror", &pull_from, err) < 0)
    return -1;
  if (e->location == NULL)
    e->location = xstrdup ("");
  if (parse_location (e->location, err) < 0)
    return -1;
  if (e->prefix == NULL || e->prefix[0] == '\0')
    {
      if (e->location[0] == '\0')
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "invalid condition: both location and prefix are unset");
      free (e->prefix);
      e->prefix = xstrdup (e->location);
    }
  else
    {
      if (parse_prefix (e->prefix, err) < 0)
        return -1;
      if (e->prefix[0] != '*' && e->location[0] == '\0')
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "invalid condition: location is unset and prefix is not in the format: *.example.com");
    }
  if (pull_from && *pull_from)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "pull-from-mirror must not be set for a non-mirror registry \"%s\"",
                           e->prefix);
  json_object *mirrors;
  if (json_object_object_get_ex (r, "mirror", &mirrors))
    {
      if (!json_object_is_type (mirrors, json_type_array))
        return type_error ("registry.mirror", "an array of tables", err);
      size_t n = json_object_array_length (mirrors);
      e->mirrors = xmalloc0 ((n ? n : 1) * sizeof *e->mirrors);
      for (size_t i = 0; i < n; i++)
        {
          e->n_mirrors++;
          if (read_mirror (json_object_array_get_idx (mirrors, i), &e->mirrors[i],
                           e->mirror_by_digest_only, e->location, err) < 0)
            return -1;
        }
    }
  return 0;
}

/* The alias checks of containers/image (validateShortName, parseShortNameValue). */
static int
check_alias (const char *name, const char *value, pc_error **err)
{
  struct pc_ref r;
  pc_autoerror pc_error *e = NULL;
  if (pc_ref_parse (name, &r, &e) < 0)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "cannot parse short name: \"%s\": %s", name,
                           e->msg);
  bool tag = r.tag != NULL, digest = r.digest != NULL, domain = r.domain != NULL;
  pc_ref_clear (&r);
  if (digest)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "invalid short name \"%s\": must not contain digest", name);
  if (tag)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "invalid short name \"%s\": must not contain tag", name);
  if (domain)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "invalid short name \"%s\": must not contain registry", name);
  if (value[0] == '\0')
    return 0; /* an empty value removes the alias */
  if (pc_ref_parse (value, &r, &e) < 0)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "parsing alias \"%s\": %s", value, e->msg);
  tag = r.tag != NULL, digest = r.digest != NULL, domain = r.domain != NULL;
  pc_ref_clear (&r);
  if (digest)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid alias \"%s\": must not contain digest", value);
  if (tag)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid alias \"%s\": must not contain tag", value);
  if (!domain)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "invalid alias \"%s\": must contain registry and repository", value);
  return 0;
}

static int
read_aliases (json_object *root, const char *path, struct pc_registries_alias **out, size_t *n,
              pc_error **err)
{
  json_object *aliases;
  if (!json_object_object_get_ex (root, "aliases", &aliases))
    return 0;
  if (!json_object_is_type (aliases, json_type_object))
    return type_error ("aliases", "a table", err);
  *out = xmalloc0 ((json_object_object_length (aliases) + 1) * sizeof **out);
  json_object_object_foreach (aliases, k, v)
    {
      if (!json_object_is_type (v, json_type_string))
        return type_error ("aliases", "strings as values", err);
      if (check_alias (k, json_object_get_string (v), err) < 0)
        return pc_error_wrap (err, "validating short-name aliases");
      struct pc_registries_alias *a = &(*out)[(*n)++];
      a->name = xstrdup (k);
      a->value = xstrdup (json_object_get_string (v));
      a->origin = xstrdup (path);
    }
  return 0;
}

/* Reads path into f; 0 ok, 1 missing, -1 error (without the "loading" context). */
static int
load_file (const char *path, struct conf_file *f, bool drop_in, pc_error **err)
{
  pc_autofree char *buf = NULL;
  size_t len = 0;
  pc_autoerror pc_error *e = NULL;
  if (pc_read_file_max (AT_FDCWD, path, CONF_MAX, PC_READ_REGULAR, &buf, &len, &e) < 0)
    {
      if (e->status == ENOENT)
        return 1;
      *err = steal_pointer (&e);
      return -1;
    }
  pc_autojson json_object *root = pc_toml_parse (buf, len, err);
  if (root == NULL)
    return -1;
  /* The v1 format ([registries.search] ...) in a main file. */
  json_object *v1;
  if (json_object_object_get_ex (root, "registries", &v1))
    {
      if (drop_in)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "registries.conf.d: the v1 format ([registries.search]) is not supported in drop-in files");
      if (json_object_object_get_ex (root, "registry", NULL)
          || json_object_object_get_ex (root, "unqualified-search-registries", NULL))
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "mixing sysregistry v1/v2 is not supported");
      if (!json_object_is_type (v1, json_type_object))
        return type_error ("registries", "a table", err);
      static const char *const kinds[] = { "search", "insecure", "block" };
      for (size_t k = 0; k < 3; k++)
        {
          json_object *t;
          pc_autostrv char **list = NULL;
          if (!json_object_object_get_ex (v1, kinds[k], &t))
            continue;
          if (!json_object_is_type (t, json_type_object))
            return type_error (kinds[k], "a table", err);
          if (get_strings (t, "registries", "registries", &list, err) < 0)
            return -1;
          if (k == 0)
            {
              f->search = steal_pointer (&list);
              f->search_set = f->search != NULL;
              continue;
            }
          for (char **l = list; l && *l; l++)
            {
              f->regs = xrealloc (f->regs, (f->n_regs + 1) * sizeof *f->regs);
              struct pc_registries_entry *r = &f->regs[f->n_regs++];
              memset (r, 0, sizeof *r);
              r->location = xstrdup (*l);
              if (parse_location (r->location, err) < 0)
                return -1;
              r->prefix = xstrdup (r->location);
              r->insecure = k == 1;
              r->blocked = k == 2;
            }
        }
      return 0;
    }
  int r = get_strings (root, "unqualified-search-registries", "unqualified-search-registries",
                       &f->search, err);
  if (r < 0)
    return -1;
  f->search_set = r > 0;
  for (char **s = f->search; s && *s; s++)
    if (parse_location (*s, err) < 0)
      return -1;
  if (get_string (root, "short-name-mode", "short-name-mode", &f->mode, err) < 0)
    return -1;
  json_object *regs;
  if (json_object_object_get_ex (root, "registry", &regs))
    {
      if (!json_object_is_type (regs, json_type_array))
        return type_error ("registry", "an array of tables ([[registry]])", err);
      size_t n = json_object_array_length (regs);
      f->regs = xmalloc0 ((n ? n : 1) * sizeof *f->regs);
      for (size_t i = 0; i < n; i++)
        {
          f->n_regs++;
          if (read_registry (json_object_array_get_idx (regs, i), &f->regs[i], err) < 0)
            return -1;
        }
    }
  /* Entries for one location must agree on insecure and blocked. */
  for (size_t i = 0; i < f->n_regs; i++)
    for (size_t j = 0; j < i; j++)
      {
        const char *li = f->regs[i].location[0] ? f->regs[i].location : f->regs[i].prefix;
        const char *lj = f->regs[j].location[0] ? f->regs[j].location : f->regs[j].prefix;
        if (strcmp (li, lj) != 0)
          continue;
        if (f->regs[i].insecure != f->regs[j].insecure)
          return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                                 "registry '%s' is defined multiple times with conflicting 'insecure' setting", li);
        if (f->regs[i].blocked != f->regs[j].blocked)
          return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                                 "registry '%s' is defined multiple times with conflicting 'blocked' setting", li);
      }
  if (read_aliases (root, path, &f->aliases, &f->n_aliases, err) < 0)
    return -1;
  json_object_object_foreach (root, key, val)
    {
      (void) val;
      if (strcmp (key, "unqualified-search-registries") && strcmp (key, "short-name-mode")
          && strcmp (key, "registry") && strcmp (key, "aliases") && strcmp (key, "credential-helpers"))
        pc_debug ("registries configuration %s: key \"%s\" ignored", path, key);
    }
  return 0;
}

static int
cmp_entry (const void *a, const void *b)
{
  return strcmp (((const struct pc_registries_entry *) a)->prefix,
                 ((const struct pc_registries_entry *) b)->prefix);
}

static void
add_alias (struct pc_registries_alias **list, size_t *n, struct pc_registries_alias *a)
{
  for (size_t i = 0; i < *n; i++)
    if (strcmp ((*list)[i].name, a->name) == 0)
      {
        alias_clear (&(*list)[i]);
        (*list)[i] = *a;
        memset (a, 0, sizeof *a);
        return;
      }
  *list = xrealloc (*list, (*n + 1) * sizeof **list);
  (*list)[(*n)++] = *a;
  memset (a, 0, sizeof *a);
}

/* updateWithConfigurationFrom: takes what f sets. */
static void
merge (struct pc_registries_conf *c, struct conf_file *f, const char *path, char **mode)
{
  for (size_t i = 0; i < f->n_regs; i++)
    {
      size_t j;
      for (j = 0; j < c->n_regs; j++)
        if (strcmp (c->regs[j].prefix, f->regs[i].prefix) == 0)
          break;
      if (j == c->n_regs)
        {
          c->regs = xrealloc (c->regs, (c->n_regs + 1) * sizeof *c->regs);
          c->n_regs++;
        }
      else
        entry_clear (&c->regs[j]);
      c->regs[j] = f->regs[i];
      memset (&f->regs[i], 0, sizeof f->regs[i]);
    }
  if (c->n_regs)
    qsort (c->regs, c->n_regs, sizeof *c->regs, cmp_entry);
  if (f->search_set)
    {
      pc_strv_free (c->search);
      c->search = steal_pointer (&f->search);
      free (c->search_origin);
      c->search_origin = xstrdup (path);
    }
  if (f->mode && *f->mode)
    {
      free (*mode);
      *mode = steal_pointer (&f->mode);
    }
  for (size_t i = 0; i < f->n_aliases; i++)
    add_alias (&c->aliases, &c->n_aliases, &f->aliases[i]);
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The *.conf files of dir, sorted; a missing dir has none. */
static int
list_drop_ins (const char *dir, char ***out, pc_error **err)
{
  pc_autoclosedir DIR *d = opendir (dir);
  if (d == NULL)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        return 0;
      return pc_error_errnoc (err, PC_ERR_PERMISSION, errno, "reading registries.conf.d: open %s", dir);
    }
  pc_autostrv char **names = NULL;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      size_t n = strlen (de->d_name);
      if (n > 5 && strcmp (de->d_name + n - 5, ".conf") == 0)
        {
          struct stat st;
          if (fstatat (dirfd (d), de->d_name, &st, 0) == 0 && S_ISDIR (st.st_mode))
            continue;
          pc_strv_append (&names, de->d_name);
        }
    }
  size_t n = pc_strv_len (names);
  if (n)
    qsort (names, n, sizeof *names, cmp_str);
  for (size_t i = 0; i < n; i++)
    pc_strv_append_take (out, xasprintf ("%s/%s", dir, names[i]));
  return 0;
}

static int
load_cache (struct pc_registries_conf *c, pc_error **err)
{
  struct conf_file f = { 0 };
  int r = load_file (c->cache_path, &f, true, err);
  if (r == 0)
    {
      for (size_t i = 0; i < f.n_aliases; i++)
        add_alias (&c->cache, &c->n_cache, &f.aliases[i]);
    }
  conf_file_clear (&f);
  if (r < 0)
    return pc_error_wrap (err, "loading short-name aliases cache \"%s\"", c->cache_path);
  return 0;
}

int
pc_registries_conf_load (const struct pc_registries_paths *paths, struct pc_registries_conf *out,
                         pc_error **err)
{
  struct pc_registries_paths p = paths ? *paths : (struct pc_registries_paths) { 0 };
  memset (out, 0, sizeof *out);
  const char *env = p.env_conf ? p.env_conf : p.no_env ? NULL : getenv ("CONTAINERS_REGISTRIES_CONF");
  const char *home = p.home ? p.home : getenv ("HOME");
  pc_autofree char *user_conf = home ? xasprintf ("%s/.config/containers/registries.conf", home) : NULL;
  pc_autofree char *user_dir = home ? xasprintf ("%s/.config/containers/registries.conf.d", home) : NULL;
  const char *sys_conf = p.system_conf ? p.system_conf : "/etc/containers/registries.conf";
  const char *sys_dir = p.system_dir ? p.system_dir : "/etc/containers/registries.conf.d";
  pc_autostrv char **dirs = NULL;
  bool must_exist = false;
  struct stat st;
  if (env && *env)
    {
      out->config_path = xstrdup (env);
      must_exist = true;
      pc_strv_append (&dirs, sys_dir);
      if (user_dir)
        pc_strv_append (&dirs, user_dir);
    }
  else if (user_conf && stat (user_conf, &st) == 0)
    {
      out->config_path = xstrdup (user_conf);
      pc_strv_append (&dirs, user_dir);
    }
  else
    {
      out->config_path = xstrdup (sys_conf);
      pc_strv_append (&dirs, sys_dir);
      if (user_dir)
        pc_strv_append (&dirs, user_dir);
    }
  /* podman's "blocked in F or D" names the first directory it reads. */
  out->config_dir_path = xstrdup (dirs[0]);

  pc_autofree char *mode = NULL;
  struct conf_file f = { 0 };
  int r = load_file (out->config_path, &f, false, err);
  if (r == 1 && must_exist)
    r = pc_error_errnoc (err, PC_ERR_NOT_FOUND, ENOENT, "open %s", out->config_path);
  if (r < 0)
    {
      conf_file_clear (&f);
      pc_error_wrap (err, "loading registries configuration \"%s\"", out->config_path);
      pc_registries_conf_clear (out);
      return -1;
    }
  merge (out, &f, out->config_path, &mode);
  conf_file_clear (&f);
  if (out->search_origin == NULL)
    out->search_origin = xstrdup (out->config_path);

  pc_autostrv char **files = NULL;
  for (char **d = dirs; d && *d; d++)
    if (list_drop_ins (*d, &files, err) < 0)
      {
        pc_registries_conf_clear (out);
        return -1;
      }
  for (char **fp = files; fp && *fp; fp++)
    {
      r = load_file (*fp, &f, true, err);
      if (r == 0)
        merge (out, &f, *fp, &mode);
      conf_file_clear (&f);
      if (r < 0)
        {
          pc_error_wrap (err, "loading drop-in registries configuration \"%s\"", *fp);
          pc_registries_conf_clear (out);
          return -1;
        }
    }
  if (out->search == NULL)
    out->search = xmalloc0 (sizeof (char *));
  if (mode == NULL || strcmp (mode, "permissive") == 0)
    out->mode = PC_SHORT_NAME_PERMISSIVE;
  else if (strcmp (mode, "enforcing") == 0)
    out->mode = PC_SHORT_NAME_ENFORCING;
  else if (strcmp (mode, "disabled") == 0)
    out->mode = PC_SHORT_NAME_DISABLED;
  else
    {
      pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                      "loading registries configuration \"%s\": invalid short-name mode: \"%s\"",
                      out->config_path, mode);
      pc_registries_conf_clear (out);
      return -1;
    }

  if (p.cache)
    out->cache_path = xstrdup (p.cache);
  else if (pc_storage_real_uid () == 0)
    out->cache_path = xstrdup ("/var/cache/containers/short-name-aliases.conf");
  else
    {
      const char *xdg = getenv ("XDG_CACHE_HOME");
      if (xdg && *xdg == '/')
        out->cache_path = xasprintf ("%s/containers/short-name-aliases.conf", xdg);
      else if (home)
        out->cache_path = xasprintf ("%s/.cache/containers/short-name-aliases.conf", home);
    }
  if (out->cache_path && load_cache (out, err) < 0)
    {
      pc_registries_conf_clear (out);
      return -1;
    }
  return 0;
}

/* refMatchesPrefix */
static bool
matches_prefix (const char *ref, const char *prefix)
{
  if (prefix[0] == '*')
    {
      /* *.example.com matches hosts ending in .example.com */
      size_t hl = strcspn (ref, "/");
      const char *host = ref;
      size_t pl = strlen (prefix + 1);
      return hl > pl && memcmp (host + hl - pl, prefix + 1, pl) == 0;
    }
  size_t pl = strlen (prefix), rl = strlen (ref);
  if (rl < pl || strncmp (ref, prefix, pl) != 0)
    return false;
  if (rl == pl)
    return true;
  return ref[pl] == ':' || ref[pl] == '/' || ref[pl] == '@';
}

const struct pc_registries_entry *
pc_registries_find (const struct pc_registries_conf *c, const char *ref)
{
  const struct pc_registries_entry *best = NULL;
  size_t best_len = 0;
  for (size_t i = 0; i < c->n_regs; i++)
    {
      size_t l = strlen (c->regs[i].prefix);
      if (l > best_len && matches_prefix (ref, c->regs[i].prefix))
        {
          best = &c->regs[i];
          best_len = l;
        }
    }
  return best;
}

void
pc_pull_sources_free (struct pc_pull_source *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (s[i].ref);
  free (s);
}

static char *
rewrite (const char *ref, const char *prefix, const char *location)
{
  if (location == NULL || location[0] == '\0')
    return xstrdup (ref);
  if (prefix[0] == '*')
    return xasprintf ("%s%s", location, ref + strcspn (ref, "/"));
  return xasprintf ("%s%s", location, ref + strlen (prefix));
}

int
pc_registries_pull_sources (const struct pc_registries_conf *c, const char *ref,
                            struct pc_pull_source **out, size_t *n, pc_error **err)
{
  *out = NULL;
  *n = 0;
  const struct pc_registries_entry *e = pc_registries_find (c, ref);
  if (e == NULL)
    {
      *out = xmalloc0 (sizeof **out);
      (*out)[0].ref = xstrdup (ref);
      *n = 1;
      return 0;
    }
  if (e->blocked)
    return pc_error_makec (err, PC_ERR_PERMISSION, EACCES, "registry %s is blocked in %s or %s",
                           e->prefix, c->config_path, c->config_dir_path);
  bool digested = strchr (ref, '@') != NULL;
  *out = xmalloc0 ((e->n_mirrors + 1) * sizeof **out);
  for (size_t i = 0; i < e->n_mirrors; i++)
    {
      const struct pc_registries_mirror *m = &e->mirrors[i];
      if (e->mirror_by_digest_only ? !digested
          : (m->pull_from == PC_MIRROR_DIGEST_ONLY && !digested)
              || (m->pull_from == PC_MIRROR_TAG_ONLY && digested))
        continue;
      (*out)[*n].ref = rewrite (ref, e->prefix, m->location);
      (*out)[*n].insecure = m->insecure;
      (*n)++;
    }
  (*out)[*n].ref = rewrite (ref, e->prefix, e->location);
  (*out)[*n].insecure = e->insecure;
  (*n)++;
  return 0;
}
