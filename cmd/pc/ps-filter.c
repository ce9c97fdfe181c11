/* pc ps --filter: podman 4.3's container filters and their messages
   (pkg/domain/filters/containers.go, checked side by side on this machine). */
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/pc/ps.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/regex-go.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

void
pc_ps_filters_clear (struct pc_ps_filters *f)
{
  char ***lists[] = { &f->id, &f->name, &f->status, &f->label, &f->ancestor, &f->volume,
                      &f->health, &f->pod, &f->network, &f->restart, &f->network_ctr };
  for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
    {
      pc_strv_free (*lists[i]);
      *lists[i] = NULL;
    }
  free (f->exited);
  f->exited = NULL;
  f->nexited = 0;
}

bool
pc_ps_filters_want_all (const struct pc_ps_filters *f)
{
  return f->status != NULL;
}

const char *
pc_ps_health (const char *status)
{
  static const char *const words[] = { "healthy", "unhealthy", "starting", NULL };
  size_t n = status ? strlen (status) : 0;
  for (const char *const *w = words; *w; w++)
    {
      size_t wl = strlen (*w);
      if (n > wl + 3 && status[n - 1] == ')' && status[n - wl - 2] == '(' && status[n - wl - 3] == ' '
          && strncmp (status + n - wl - 1, *w, wl) == 0)
        return *w;
    }
  return "";
}

const char *
pc_ps_restart_policy (const struct pc_container *c)
{
  return pc_json_get_string (pc_json_get (c->rec, "HostConfig.RestartPolicy"), "Name") ?: "";
}

const char *
pc_ps_pod (const struct pc_container *c)
{
  return pc_json_get_string (c->rec, "Pod") ?: "";
}

/* Go's %q of the int32 strconv.ParseInt left behind: 0 for bad syntax, a
   bound (not a valid rune) when out of range. */
static int
exited_error (const char *v, pc_error **err)
{
  errno = 0;
  char *end = NULL;
  long long n = strtoll (v, &end, 10);
  bool syntax = end == v || *end != '\0' || (errno == ERANGE ? false : errno != 0);
  bool range = !syntax && (errno == ERANGE || n > INT32_MAX || n < INT32_MIN);
  if (!syntax && !range)
    return 0;
  return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                         "exited code out of range %s: strconv.ParseInt: parsing \"%s\": %s",
                         syntax ? "'\\x00'" : "'\xef\xbf\xbd'", v,
                         syntax ? "invalid syntax" : "value out of range");
}

static int
earliest_created (struct pc_engine *e, char **refs, struct timespec *out, pc_error **err)
{
  bool have = false;
  for (char **r = refs; r && *r; r++)
    {
      pc_autocontainer struct pc_container *c = NULL;
      if (pc_engine_lookup (e, *r, &c, err) < 0)
        return -1;
      if (!have || c->created.tv_sec < out->tv_sec
          || (c->created.tv_sec == out->tv_sec && c->created.tv_nsec < out->tv_nsec))
        *out = c->created;
      have = true;
    }
  return 0;
}

static int
add_one (struct pc_engine *e, const char *kv, struct pc_ps_filters *f, char ***before, char ***since,
         char ***until, pc_error **err)
{
  const char *eq = strchr (kv, '=');
  if (eq == NULL)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid filter \"%s\"", kv);
  pc_autofree char *key = xstrndup (kv, (size_t) (eq - kv));
  const char *v = eq + 1;
  struct { const char *name; char ***list; } simple[] = {
    { "id", &f->id }, { "name", &f->name }, { "label", &f->label }, { "ancestor", &f->ancestor },
    { "volume", &f->volume }, { "health", &f->health }, { "pod", &f->pod },
    { "network", &f->network }, { "restart-policy", &f->restart }, { "before", before },
    { "since", since }, { "until", until }, { "status", &f->status },
  };
  if (strcmp (key, "exited") == 0)
    {
      if (exited_error (v, err) < 0)
        return -1;
      f->exited = xrealloc (f->exited, (f->nexited + 1) * sizeof *f->exited);
      f->exited[f->nexited++] = (int) strtol (v, NULL, 10);
      return 0;
    }
  for (size_t i = 0; i < sizeof simple / sizeof *simple; i++)
    if (strcmp (key, simple[i].name) == 0)
      {
        pc_strv_append (simple[i].list, v);
        return 0;
      }
  (void) e;
  return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s is an invalid filter", key);
}

static int
check_values (struct pc_engine *e, struct pc_ps_filters *f, pc_error **err)
{
  static const char *const states[] = { "unknown", "created", "running", "stopped", "paused",
                                        "exited", "removing", NULL };
  for (char **s = f->status; s && *s; s++)
    if (!pc_strv_contains ((char **) states, *s))
      return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "unknown container state: %s: invalid argument", *s);
  static const char *const policies[] = { "none", "no", "always", "on-failure", "unless-stopped", NULL };
  pc_autostrv char **bad = NULL;
  for (char **p = f->restart; p && *p; p++)
    if (!pc_strv_contains ((char **) policies, *p))
      pc_strv_append (&bad, *p);
  if (bad)
    {
      pc_autofree char *list = pc_strv_join (bad, ", ");
      return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s %s", list,
                             pc_strv_len (bad) > 1 ? "invalid restart policies" : "invalid restart policy");
    }
  /* network=container:X names X by name or ID; a missing X matches nothing. */
  for (char **n = f->network; n && *n; n++)
    if (strncmp (*n, "container:", 10) == 0)
      {
        pc_autocontainer struct pc_container *c = NULL;
        pc_autoerror pc_error *lerr = NULL;
        if (pc_engine_lookup (e, *n + 10, &c, &lerr) == 0)
          pc_strv_append (&f->network_ctr, c->id);
      }
  return 0;
}

int
pc_ps_filters_parse (struct pc_engine *e, char **in, struct pc_ps_filters *f, pc_error **err)
{
  pc_autostrv char **before = NULL, **since = NULL, **until = NULL;
  for (char **p = in; p && *p; p++)
    {
      /* podman's --filter is a string slice: "a=1,b=2" is two filters. */
      pc_autofree char *copy = xstrdup (*p);
      char *save = NULL;
      bool any = false;
      for (char *tok = strtok_r (copy, ",", &save); tok; tok = strtok_r (NULL, ",", &save))
        {
          any = true;
          if (add_one (e, tok, f, &before, &since, &until, err) < 0)
            return -1;
        }
      if (!any)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid filter \"%s\"", *p);
    }
  /* podman builds every filter before it lists anything; a map, so its
     order of checks is not the flags' order either. */
  if (check_values (e, f, err) < 0)
    return -1;
  if (before && earliest_created (e, before, &f->before, err) < 0)
    return -1;
  f->has_before = before != NULL;
  if (since && earliest_created (e, since, &f->since, err) < 0)
    return -1;
  f->has_since = since != NULL;
  for (char **u = until; u && *u; u++)
    {
      pc_autoerror pc_error *terr = NULL;
      if (pc_parse_time_or_duration (*u, &f->until, &terr) < 0)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "failed to parse value as time or duration: \"%s\"", *u);
      f->has_until = true;
    }
  return 0;
}

/* Each pattern compiled once for the whole listing (not per container),
   kept by its string's address: the filters live as long as the process. */
struct compiled
{
  const char *pattern;
  bool ok;
  regex_t re;
};

static const regex_t *
compiled_for (const char *pattern)
{
  static struct compiled cache[32];
  static size_t n;
  for (size_t i = 0; i < n; i++)
    if (cache[i].pattern == pattern)
      return cache[i].ok ? &cache[i].re : NULL;
  if (n == sizeof cache / sizeof *cache)
    return NULL;   /* more patterns than anyone types: the rest match nothing */
  struct compiled *c = &cache[n++];
  c->pattern = pattern;
  c->ok = pc_regex_go_compile (&c->re, pattern);
  return c->ok ? &c->re : NULL;
}

/* Go's regexp.MatchString: unanchored; a pattern that does not compile
   (Go's syntax: no backreferences, repeats up to 1000) matches nothing. */
static bool
regex_any (char **patterns, const char *s)
{
  for (char **p = patterns; p && *p; p++)
    {
      const regex_t *re = compiled_for (*p);
      if (re && regexec (re, s, 0, NULL, 0) == 0)
        return true;
    }
  return false;
}

static bool
labels_all (char **filters, json_object *labels)
{
  for (char **l = filters; l && *l; l++)
    {
      const char *eq = strchr (*l, '=');
      pc_autofree char *k = eq ? xstrndup (*l, (size_t) (eq - *l)) : xstrdup (*l);
      json_object *v = NULL;
      if (labels == NULL || !json_object_is_type (labels, json_type_object)
          || !json_object_object_get_ex (labels, k, &v))
        return false;
      /* "k=" is "k" (any value), as podman's MatchLabelFilters. */
      if (eq && eq[1] && strcmp (json_object_get_string (v) ?: "", eq + 1) != 0)
        return false;
    }
  return true;
}

static const char *
state_name (const struct pc_container *c)
{
  if (c->problem)
    return "unknown";
  if (c->state.stopping)
    return "stopping";   /* podman: matched by no status= filter */
  const char *s = pc_container_status_name (c->state.status);
  return strcmp (s, "stopped") == 0 ? "exited" : s;
}

static bool
ancestor_any (char **filters, const struct pc_container *c)
{
  const char *name = pc_json_get_string (c->rec, "ImageName") ?: "";
  const char *id = pc_json_get_string (c->rec, "Image") ?: "";
  /* As podman 4.3: the name split at its first colon. */
  const char *colon = strchr (name, ':');
  for (char **a = filters; a && *a; a++)
    {
      if (strcmp (*a, id) == 0 || strcmp (*a, name) == 0)
        return true;
      if (colon && strlen (*a) == (size_t) (colon - name) && strncmp (*a, name, (size_t) (colon - name)) == 0
          && strcmp (colon + 1, "latest") == 0)
        return true;
    }
  return false;
}

static bool
volume_any (char **filters, const struct pc_container *c)
{
  json_object *mounts = pc_json_get_array (c->rec, "Mounts");
  /* podman 4.3 keeps the destination of an earlier value for a later one
     without its own; so does this. */
  pc_autofree char *dest = NULL;
  for (char **p = filters; p && *p; p++)
    {
      const char *colon = strchr (*p, ':');
      pc_autofree char *source = colon ? xstrndup (*p, (size_t) (colon - *p)) : xstrdup (*p);
      if (colon)
        {
          free (dest);
          dest = xstrdup (colon + 1);
        }
      for (size_t i = 0; i < pc_json_array_len (mounts); i++)
        {
          json_object *m = pc_json_array_object_at (mounts, i);
          const char *type = pc_json_get_string (m, "Type") ?: "";
          const char *src = strcmp (type, "volume") == 0 ? pc_json_get_string (m, "Name")
                                                          : pc_json_get_string (m, "Source");
          const char *d = pc_json_get_string (m, "Destination") ?: "";
          if (src && strcmp (src, source) == 0 && (dest == NULL || strcmp (dest, d) == 0))
            return true;
        }
    }
  return false;
}

static bool
before_time (const struct timespec *a, const struct timespec *b)
{
  return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static bool
network_any (const struct pc_ps_filters *f, const struct pc_container *c)
{
  const char *mode = pc_json_get_string (pc_json_get (c->rec, "HostConfig"), "NetworkMode") ?: "";
  if (strncmp (mode, "container:", 10) == 0)
    return pc_strv_contains (f->network_ctr, mode + 10);
  /* pc has no named networks (slirp4netns, pasta, host, none are modes, as
     in podman, where a container on them is on no network). */
  return false;
}

bool
pc_ps_filters_match (const struct pc_ps_filters *f, const struct pc_container *c, const char *health)
{
  if (f->id && !regex_any (f->id, c->id))
    return false;
  if (f->name && !regex_any (f->name, c->name ? c->name : ""))
    return false;
  if (f->status)
    {
      const char *st = state_name (c);
      bool any = false;
      for (char **s = f->status; *s && !any; s++)
        any = strcmp (strcmp (*s, "stopped") == 0 ? "exited" : *s, st) == 0;
      if (!any)
        return false;
    }
  if (f->label && !labels_all (f->label, pc_json_get (pc_json_get (c->rec, "Config"), "Labels")))
    return false;
  if (f->nexited)
    {
      bool any = false;
      for (size_t i = 0; i < f->nexited && !any; i++)
        any = !c->problem && c->state.status == PC_STATUS_EXITED && c->state.exit_code == f->exited[i];
      if (!any)
        return false;
    }
  if (f->ancestor && !ancestor_any (f->ancestor, c))
    return false;
  if (f->has_before && !before_time (&c->created, &f->before))
    return false;
  if (f->has_since && !before_time (&f->since, &c->created))
    return false;
  if (f->has_until && !before_time (&c->created, &f->until))
    return false;
  if (f->volume && !volume_any (f->volume, c))
    return false;
  if (f->health && !pc_strv_contains (f->health, health ? health : ""))
    return false;
  if (f->pod)
    {
      const char *pod = pc_ps_pod (c);
      const char *pod_name = pc_json_get_string (c->rec, "PodName") ?: "";
      bool any = false;
      for (char **p = f->pod; *p && !any && *pod; p++)
        any = strncmp (pod, *p, strlen (*p)) == 0 || strcmp (pod_name, *p) == 0;
      if (!any)
        return false;
    }
  if (f->network && !network_any (f, c))
    return false;
  if (f->restart)
    {
      const char *rp = pc_ps_restart_policy (c);
      bool any = false;
      for (char **p = f->restart; *p && !any; p++)
        any = strcmp (*p, rp) == 0 || (strcmp (*p, "none") == 0 && *rp == '\0');
      if (!any)
        return false;
    }
  return true;
}
