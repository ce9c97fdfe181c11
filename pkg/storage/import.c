/* pc import (a rootfs tar as a one-layer image), the --change instructions,
   and pc commit's image from a container's diff. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/storage/ingest.h"

static json_object *
config_obj (json_object *cfg)
{
  json_object *c = pc_json_get (cfg, "config");
  if (c == NULL || !json_object_is_type (c, json_type_object))
    {
      c = json_object_new_object ();
      json_object_object_add (cfg, "config", c);
    }
  return c;
}

/* JSON array form ["a","b"] or shell form (wrapped in /bin/sh -c, as docker). */
static json_object *
cmd_value (const char *v, bool shell_wrap)
{
  while (isspace ((unsigned char) *v))
    v++;
  if (*v == '[')
    {
      json_object *a = pc_json_parse (v, strlen (v), NULL);
      if (a && json_object_is_type (a, json_type_array))
        return a;
      if (a)
        json_object_put (a);
    }
  json_object *arr = json_object_new_array ();
  if (shell_wrap)
    {
      json_object_array_add (arr, json_object_new_string ("/bin/sh"));
      json_object_array_add (arr, json_object_new_string ("-c"));
    }
  json_object_array_add (arr, json_object_new_string (v));
  return arr;
}

static void
map_set (json_object *c, const char *key, const char *k, json_object *v)
{
  json_object *m = pc_json_get (c, key);
  if (m == NULL || !json_object_is_type (m, json_type_object))
    {
      m = json_object_new_object ();
      json_object_object_add (c, key, m);
    }
  json_object_object_add (m, k, v);
}

int
pc_storage_apply_change (json_object *cfg, const char *change, pc_error **err)
{
  const char *sp = change + strcspn (change, " =\t");
  if (*sp == '\0')
    return pc_error_make (err, EINVAL, "invalid change \"%s\": expected INSTRUCTION VALUE", change);
  pc_autofree char *ins = xstrndup (change, (size_t) (sp - change));
  for (char *p = ins; *p; p++)
    *p = (char) toupper ((unsigned char) *p);
  const char *v = sp + 1;
  while (isspace ((unsigned char) *v))
    v++;
  json_object *c = config_obj (cfg);
  if (strcmp (ins, "CMD") == 0)
    json_object_object_add (c, "Cmd", cmd_value (v, true));
  else if (strcmp (ins, "ENTRYPOINT") == 0)
    json_object_object_add (c, "Entrypoint", cmd_value (v, true));
  else if (strcmp (ins, "ENV") == 0)
    {
      const char *eq = strchr (v, '=');
      const char *space = strchr (v, ' ');
      pc_autofree char *kv = NULL;
      if (eq && (!space || eq < space))
        kv = xstrdup (v);
      else if (space)
        kv = xasprintf ("%.*s=%s", (int) (space - v), v, space + 1);
      else
        return pc_error_make (err, EINVAL, "invalid change \"%s\": ENV needs NAME=VALUE", change);
      json_object *env = pc_json_get (c, "Env");
      if (env == NULL)
        {
          env = json_object_new_array ();
          json_object_object_add (c, "Env", env);
        }
      size_t kl = strcspn (kv, "=");
      for (size_t i = 0; i < json_object_array_length (env); i++)
        {
          const char *e = json_object_get_string (json_object_array_get_idx (env, i));
          if (strncmp (e, kv, kl + 1) == 0)
            {
              json_object_array_del_idx (env, i, 1);
              break;
            }
        }
      json_object_array_add (env, json_object_new_string (kv));
    }
  else if (strcmp (ins, "LABEL") == 0)
    {
      const char *eq = strchr (v, '=');
      if (eq == NULL)
        return pc_error_make (err, EINVAL, "invalid change \"%s\": LABEL needs KEY=VALUE", change);
      pc_autofree char *k = xstrndup (v, (size_t) (eq - v));
      pc_autofree char *val = xstrdup (eq + 1);
      size_t n = strlen (val);
      if (n >= 2 && val[0] == '"' && val[n - 1] == '"')
        {
          memmove (val, val + 1, n - 2);
          val[n - 2] = '\0';
        }
      map_set (c, "Labels", k, json_object_new_string (val));
    }
  else if (strcmp (ins, "EXPOSE") == 0)
    {
      pc_autofree char *port = strchr (v, '/') ? xstrdup (v) : xasprintf ("%s/tcp", v);
      map_set (c, "ExposedPorts", port, json_object_new_object ());
    }
  else if (strcmp (ins, "VOLUME") == 0)
    map_set (c, "Volumes", v, json_object_new_object ());
  else if (strcmp (ins, "WORKDIR") == 0)
    json_object_object_add (c, "WorkingDir", json_object_new_string (v));
  else if (strcmp (ins, "USER") == 0)
    json_object_object_add (c, "User", json_object_new_string (v));
  else if (strcmp (ins, "STOPSIGNAL") == 0)
    json_object_object_add (c, "StopSignal", json_object_new_string (v));
  else
    return pc_error_make (err, EINVAL, "invalid change \"%s\": unsupported instruction %s", change, ins);
  return 0;
}

static const char *
go_arch (void)
{
  static struct utsname u;
  uname (&u);
  if (strcmp (u.machine, "x86_64") == 0)
    return "amd64";
  if (strcmp (u.machine, "aarch64") == 0)
    return "arm64";
  return u.machine;
}

/* Stages fd into st as "layer", hashing it; returns the digest and size. */
static int
stage_fd (struct pc_staging *st, int fd, const char *name, char digest[72], int64_t *size, pc_error **err)
{
  pc_autoclose int out = openat (st->dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (out < 0)
    return pc_error_errno (err, errno, "stage layer");
  pc_autofree char *buf = xmalloc (256 * 1024);
  struct pc_sha256 *h = pc_sha256_new ();
  ssize_t n;
  *size = 0;
  while ((n = read (fd, buf, 256 * 1024)) > 0)
    {
      pc_sha256_update (h, buf, (size_t) n);
      *size += n;
      if (pc_write_all (out, buf, (size_t) n, err) < 0)
        {
          pc_sha256_free (h);
          return -1;
        }
    }
  char hex[65];
  pc_sha256_final_hex (h, hex);
  pc_sha256_free (h);
  if (n < 0)
    return pc_error_errno (err, errno, "read layer");
  snprintf (digest, 72, "sha256:%s", hex);
  return 0;
}

/* The layer's diff_id without extracting it (a plain tar: its digest). */
static int
diff_id_of (struct pc_staging *st, const char *name, const char *digest, char out[72], pc_error **err)
{
  pc_autoclose int fd = openat (st->dir_fd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return pc_error_errno (err, errno, "open staged layer");
  int comp = pc_sniff_compression (fd, err);
  if (comp < 0)
    return -1;
  if (comp == PC_COMP_NONE)
    {
      snprintf (out, 72, "%s", digest);
      return 0;
    }
  /* Extract into a scratch dir: also validates the layer before the config
     that names it is written. */
  if (mkdirat (st->dir_fd, "scratch", 0755) < 0)
    return pc_error_errno (err, errno, "create scratch dir");
  pc_autoclose int sfd = openat (st->dir_fd, "scratch", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (sfd < 0)
    return pc_error_errno (err, errno, "open scratch dir");
  int r = pc_storage_layer_apply (fd, sfd, NULL, out, err);
  pc_autoerror pc_error *e = NULL;
  pc_rm_rf_at (st->dir_fd, "scratch", &e);
  return r;
}

/* Writes config, stages it, registers the one-new-layer image. */
static int
finish_image (struct pc_store *s, struct pc_staging *st, json_object *cfg,
              const struct pc_image *base, const char *layer_staged, const char *layer_digest,
              int64_t layer_size, const char *name, char **new_id, pc_error **err)
{
  const char *js = json_object_to_json_string_ext (cfg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  char hex[65];
  pc_sha256_hex (js, strlen (js), hex);
  {
    pc_autoclose int fd = openat (st->dir_fd, "config", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 || pc_write_all (fd, js, strlen (js), err) < 0)
      return fd < 0 ? pc_error_errno (err, errno, "stage config") : -1;
  }
  struct pc_ingest in = { 0 };
  in.config_staged = xstrdup ("config");
  snprintf (in.config_digest, sizeof in.config_digest, "sha256:%s", hex);
  in.synthesize_docker = false;
  for (size_t i = 0; base && i < pc_image_n_layers (base); i++)
    {
      const struct pc_image_layer *l = pc_image_layer (base, i);
      pc_ingest_add_layer (&in, "-", l->blob, l->blob_size, l->media_type);
    }
  pc_ingest_add_layer (&in, layer_staged, layer_digest, layer_size, NULL);
  if (name)
    {
      pc_autofree char *norm = NULL;
      if (pc_ref_normalize (name, &norm, err) < 0)
        {
          pc_ingest_clear (&in);
          return -1;
        }
      /* podman: an unqualified name given to import/commit is local. */
      if (pc_ref_is_short (name))
        {
          free (norm);
          const char *slash = strchr (name, '/');
          (void) slash;
          pc_autofree char *local = xasprintf ("localhost/%s", name);
          if (pc_ref_normalize (local, &norm, err) < 0)
            {
              pc_ingest_clear (&in);
              return -1;
            }
        }
      pc_strv_append (&in.names, norm);
    }
  int r = pc_store_ingest (s, st, &in, new_id, err);
  pc_ingest_clear (&in);
  return r;
}

int
pc_store_import (struct pc_store *s, int fd, json_object *changes, const char *name,
                 const char *message, char **new_id, pc_error **err)
{
  if (pc_store_require_userns (__func__, err) < 0)
    return -1;
  struct pc_staging st;
  if (pc_staging_new (s, "import", &st, err) < 0)
    return -1;
  int r = -1;
  char digest[72], diff_id[72];
  int64_t size = 0;
  pc_autojson json_object *cfg = json_object_new_object ();
  pc_autofree char *now = pc_store_now_rfc3339 ();
  if (stage_fd (&st, fd, "layer", digest, &size, err) < 0
      || diff_id_of (&st, "layer", digest, diff_id, err) < 0)
    goto out;
  json_object_object_add (cfg, "created", json_object_new_string (now));
  json_object_object_add (cfg, "architecture", json_object_new_string (go_arch ()));
  json_object_object_add (cfg, "os", json_object_new_string ("linux"));
  json_object *c = changes ? pc_json_get (changes, "config") : NULL;
  json_object_object_add (cfg, "config", c ? json_object_get (c) : json_object_new_object ());
  json_object *rootfs = json_object_new_object ();
  json_object_object_add (rootfs, "type", json_object_new_string ("layers"));
  json_object *ids = json_object_new_array ();
  json_object_array_add (ids, json_object_new_string (diff_id));
  json_object_object_add (rootfs, "diff_ids", ids);
  json_object_object_add (cfg, "rootfs", rootfs);
  json_object *hist = json_object_new_array ();
  json_object *h = json_object_new_object ();
  json_object_object_add (h, "created", json_object_new_string (now));
  json_object_object_add (h, "created_by", json_object_new_string ("/bin/sh -c #(nop) ADD file:imported in / "));
  if (message)
    json_object_object_add (h, "comment", json_object_new_string (message));
  json_object_array_add (hist, h);
  json_object_object_add (cfg, "history", hist);
  r = finish_image (s, &st, cfg, NULL, "layer", digest, size, name, new_id, err);
out:
  pc_staging_finish (s, &st);
  return r;
}

int
pc_store_commit (struct pc_store *s, const char *cid, const struct pc_image *base,
                 json_object *config, const char *name, char **new_id, pc_error **err)
{
  if (pc_store_require_userns (__func__, err) < 0)
    return -1;
  struct pc_staging st;
  if (pc_staging_new (s, "commit", &st, err) < 0)
    return -1;
  int r = -1;
  char digest[72];
  int64_t size = 0;
  pc_autojson json_object *cfg = json_object_get (config);
  {
    pc_autoclose int out = openat (st.dir_fd, "layer", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out < 0)
      {
        pc_error_errno (err, errno, "stage layer");
        goto out;
      }
    if (pc_storage_diff_tar (s, cid, out, err) < 0 || lseek (out, 0, SEEK_SET) < 0)
      goto out;
    pc_autoclose int in = openat (st.dir_fd, "layer", O_RDONLY | O_CLOEXEC);
    struct pc_sha256 *h = pc_sha256_new ();
    char buf[65536];
    ssize_t n;
    while ((n = read (in, buf, sizeof buf)) > 0)
      {
        pc_sha256_update (h, buf, (size_t) n);
        size += n;
      }
    char hex[65];
    pc_sha256_final_hex (h, hex);
    pc_sha256_free (h);
    snprintf (digest, sizeof digest, "sha256:%s", hex);
  }
  {
    /* rootfs and history: the base's plus the new layer. */
    json_object *rootfs = json_object_new_object ();
    json_object_object_add (rootfs, "type", json_object_new_string ("layers"));
    json_object *ids = json_object_new_array ();
    for (size_t i = 0; base && i < pc_image_n_layers (base); i++)
      json_object_array_add (ids, json_object_new_string (pc_image_layer (base, i)->diff_id));
    json_object_array_add (ids, json_object_new_string (digest));
    json_object_object_add (rootfs, "diff_ids", ids);
    json_object_object_add (cfg, "rootfs", rootfs);
    if (pc_json_get_string (cfg, "created") == NULL)
      {
        pc_autofree char *now = pc_store_now_rfc3339 ();
        json_object_object_add (cfg, "created", json_object_new_string (now));
      }
    if (pc_json_get_string (cfg, "architecture") == NULL)
      json_object_object_add (cfg, "architecture", json_object_new_string (go_arch ()));
    if (pc_json_get_string (cfg, "os") == NULL)
      json_object_object_add (cfg, "os", json_object_new_string ("linux"));
    json_object *hist = pc_json_get (cfg, "history");
    if (hist == NULL || !json_object_is_type (hist, json_type_array))
      {
        json_object *bh = base ? pc_json_get_array (pc_image_config (base), "history") : NULL;
        hist = bh ? json_object_get (bh) : json_object_new_array ();
        /* copy, so the base image's config is not modified */
        const char *t = json_object_to_json_string (hist);
        json_object *copy = pc_json_parse (t, strlen (t), NULL);
        json_object_put (hist);
        hist = copy ? copy : json_object_new_array ();
        json_object_object_add (cfg, "history", hist);
        json_object *h = json_object_new_object ();
        json_object_object_add (h, "created", json_object_new_string (pc_json_get_string (cfg, "created")));
        json_object_array_add (hist, h);
      }
  }
  r = finish_image (s, &st, cfg, base, "layer", digest, size, name, new_id, err);
out:
  pc_staging_finish (s, &st);
  return r;
}
