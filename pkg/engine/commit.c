/* pc commit: a new image from the base image, the container's layer diff,
   and a config carrying the container's settings plus --change lines. */
#include "pkg/engine/internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/parse.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"
#include "pkg/storage/storage.h"
#include "pkg/engine/events.h"

/* "CMD ["a","b"]" or "CMD a b" (shell form, as podman: /bin/sh -c). */
static json_object *
cmd_value (const char *v)
{
  pc_autoerror pc_error *err = NULL;
  if (*v == '[')
    {
      json_object *j = pc_json_parse (v, strlen (v), &err);
      if (j && json_object_is_type (j, json_type_array))
        return j;
      if (j)
        json_object_put (j);
    }
  json_object *a = json_object_new_array ();
  json_object_array_add (a, json_object_new_string ("/bin/sh"));
  json_object_array_add (a, json_object_new_string ("-c"));
  json_object_array_add (a, json_object_new_string (v));
  return a;
}

static void
env_put (json_object *cfg, const char *kv)
{
  json_object *env = pc_json_get (cfg, "Env");
  if (env == NULL || !json_object_is_type (env, json_type_array))
    {
      env = json_object_new_array ();
      json_object_object_add (cfg, "Env", env);
    }
  size_t klen = strcspn (kv, "=");
  for (size_t i = 0; i < json_object_array_length (env); i++)
    {
      const char *s = pc_json_array_string_at (env, i);
      if (s && strncmp (s, kv, klen) == 0 && s[klen] == '=')
        {
          json_object_array_put_idx (env, i, json_object_new_string (kv));
          return;
        }
    }
  json_object_array_add (env, json_object_new_string (kv));
}

static int
apply_change (json_object *cfg, const char *change, pc_error **err)
{
  size_t kl = strcspn (change, " \t=");
  pc_autofree char *key = xstrndup (change, kl);
  for (char *p = key; *p; p++)
    *p = (char) toupper ((unsigned char) *p);
  const char *v = change + kl;
  while (*v == ' ' || *v == '\t' || *v == '=')
    v++;
  if (strcmp (key, "CMD") == 0)
    json_object_object_add (cfg, "Cmd", cmd_value (v));
  else if (strcmp (key, "ENTRYPOINT") == 0)
    json_object_object_add (cfg, "Entrypoint", cmd_value (v));
  else if (strcmp (key, "ENV") == 0)
    {
      if (strchr (v, '='))
        env_put (cfg, v);
      else
        {
          /* "ENV KEY value" */
          size_t n = strcspn (v, " \t");
          const char *val = v + n;
          while (*val == ' ' || *val == '\t')
            val++;
          pc_autofree char *kv = xasprintf ("%.*s=%s", (int) n, v, val);
          env_put (cfg, kv);
        }
    }
  else if (strcmp (key, "LABEL") == 0)
    {
      json_object *l = pc_json_get (cfg, "Labels");
      if (l == NULL || !json_object_is_type (l, json_type_object))
        {
          l = json_object_new_object ();
          json_object_object_add (cfg, "Labels", l);
        }
      const char *eq = strchr (v, '=');
      pc_autofree char *k = eq ? xstrndup (v, (size_t) (eq - v)) : xstrdup (v);
      const char *val = eq ? eq + 1 : "";
      size_t vl = strlen (val);
      if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"')
        {
          pc_autofree char *u = xstrndup (val + 1, vl - 2);
          json_object_object_add (l, k, json_object_new_string (u));
        }
      else
        json_object_object_add (l, k, json_object_new_string (val));
    }
  else if (strcmp (key, "WORKDIR") == 0)
    json_object_object_add (cfg, "WorkingDir", json_object_new_string (v));
  else if (strcmp (key, "USER") == 0)
    json_object_object_add (cfg, "User", json_object_new_string (v));
  else if (strcmp (key, "STOPSIGNAL") == 0)
    json_object_object_add (cfg, "StopSignal", json_object_new_string (v));
  else if (strcmp (key, "EXPOSE") == 0)
    {
      json_object *ep = pc_json_get (cfg, "ExposedPorts");
      if (ep == NULL || !json_object_is_type (ep, json_type_object))
        {
          ep = json_object_new_object ();
          json_object_object_add (cfg, "ExposedPorts", ep);
        }
      pc_autofree char *port = strchr (v, '/') ? xstrdup (v) : xasprintf ("%s/tcp", v);
      json_object_object_add (ep, port, json_object_new_object ());
    }
  else
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid change \"%s\" - invalid instruction %s", change, key);
  return 0;
}

int
pc_engine_commit (struct pc_engine *e, struct pc_container *c, const char *name,
                  const struct pc_commit_opts *o, char **new_id, pc_error **err)
{
  if (o->pause)
    {
      const char *why = NULL;
      if (!pc_engine_can_pause (&why))
        return pc_error_makec (err, PC_ERR_UNSUPPORTED, ENOTSUP, "pause %s: commit with --pause=false", why);
    }
  struct pc_store *s = pc_engine_store (e, err);
  if (s == NULL)
    return -1;
  pc_autoimage struct pc_image *base = NULL;
  if (pc_store_image_lookup (s, pc_json_get_string (c->rec, "Image"), &base, err) < 0)
    return pc_error_wrap (err, "base image of %s", c->name);
  if (pc_image_config_check (pc_image_config (base), pc_image_id (base), err) < 0)
    return pc_error_wrap (err, "base image of %s", c->name);

  pc_autojson json_object *img = NULL;
  pc_autofree char *text = xstrdup (json_object_to_json_string (pc_image_config (base)));
  img = pc_json_parse (text, strlen (text), err);
  if (img == NULL)
    return -1;
  json_object *cfg = pc_json_get_object (img, "config");
  if (cfg == NULL)
    {
      cfg = json_object_new_object ();
      json_object_object_add (img, "config", cfg);
    }
  json_object *cc = pc_json_get_object (c->rec, "Config");
  /* The container's settings, without what belongs to this container only. */
  json_object *env = json_object_new_array ();
  json_object *cenv = pc_json_get_array (cc, "Env");
  for (size_t i = 0; i < pc_json_array_len (cenv); i++)
    {
      const char *kv = pc_json_array_string_at (cenv, i);
      if (kv && strncmp (kv, "HOSTNAME=", 9) != 0)
        json_object_array_add (env, json_object_new_string (kv));
    }
  json_object_object_add (cfg, "Env", env);
  json_object *ep = pc_json_get_array (cc, "Entrypoint");
  json_object_object_add (cfg, "Entrypoint", pc_json_is_string_array (ep) && pc_json_array_len (ep)
                                             ? json_object_get (ep) : NULL);
  json_object *cmd = pc_json_get_array (cc, "Cmd");
  json_object_object_add (cfg, "Cmd", pc_json_is_string_array (cmd) ? json_object_get (cmd) : NULL);
  const char *wd = pc_json_get_string (cc, "WorkingDir");
  json_object_object_add (cfg, "WorkingDir", json_object_new_string (wd ? wd : "/"));
  const char *user = pc_json_get_string (cc, "User");
  if (user && *user)
    json_object_object_add (cfg, "User", json_object_new_string (user));
  json_object *labels = pc_json_get_object (cc, "Labels");
  if (labels && json_object_object_length (labels))
    json_object_object_add (cfg, "Labels", json_object_get (labels));
  int sig = (int) pc_json_get_int (cc, "StopSignal", 15);
  if (sig != 15 && pc_signal_name (sig))
    json_object_object_add (cfg, "StopSignal", json_object_new_string (pc_signal_name (sig)));
  for (char **ch = o->changes; ch && *ch; ch++)
    if (apply_change (cfg, *ch, err) < 0)
      return -1;
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  pc_autofree char *created = pc_time_format_rfc3339 (&now);
  json_object_object_add (img, "created", json_object_new_string (created));
  if (o->author)
    json_object_object_add (img, "author", json_object_new_string (o->author));
  if (o->message)
    json_object_object_add (img, "comment", json_object_new_string (o->message));
  pc_autofree char *norm = NULL;
  if (name && pc_ref_normalize (name, &norm, err) < 0)
    return -1;
  /* podman names an unqualified commit localhost/NAME:latest. */
  pc_autofree char *final = NULL;
  if (name)
    {
      const char *first_slash = strchr (name, '/');
      bool has_domain = first_slash && (memchr (name, '.', (size_t) (first_slash - name))
                                        || memchr (name, ':', (size_t) (first_slash - name))
                                        || strncmp (name, "localhost/", 10) == 0);
      if (!has_domain)
        {
          const char *tagsep = strrchr (name, ':');
          final = tagsep && !strchr (tagsep, '/') ? xasprintf ("localhost/%s", name)
                                                  : xasprintf ("localhost/%s:latest", name);
        }
      else
        final = xstrdup (norm);
    }
  return eng_events_container_rc (e, c, "commit", pc_store_commit (s, c->id, base, img, final, new_id, err));
}
