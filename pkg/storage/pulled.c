/* The storage side of a registry pull (pkg/registry): layers arrive through
   pc_store_layer_apply_stream, possibly from several threads at once (each
   with its own handle, so the store's flock excludes them from each other),
   and the image is registered at the end from its manifest and config. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/storage/ingest.h"

int
pc_store_reopen (struct pc_store *s, struct pc_store **out, pc_error **err)
{
  return pc_store_open (s->root, s->runroot, s->driver_opt, out, err);
}

bool
pc_store_has_layer_blob (struct pc_store *s, const char *chain_id, const char *blob_digest)
{
  return pc_store_has_layer (s, chain_id) && pc_store_has_blob (s, blob_digest);
}

static int
stage_verified (struct pc_staging *st, const char *name, const char *data, size_t len,
                const char *digest, const char *what, pc_error **err)
{
  char hex[65];
  pc_sha256_hex (data, len, hex);
  if (digest == NULL || strncmp (digest, "sha256:", 7) != 0 || strcmp (digest + 7, hex) != 0)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "refusing %s %s: digest mismatch: the content is sha256:%s", what,
                           digest ? digest : "(none)", hex);
  pc_autoclose int fd = openat (st->dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    return pc_error_errno (err, errno, "stage %s", what);
  return pc_write_all (fd, data, len, err);
}

/* A pull through an index: its digest joins the image's digests (and the
   digests/ links) and becomes its Digest, as podman 4.3 records it. Lock held. */
static int
add_list_digest (struct pc_store *s, const struct pc_store_new_image *ni, pc_error **err)
{
  if (ni->list_digest == NULL || strncmp (ni->list_digest, "sha256:", 7) != 0
      || strlen (ni->list_digest) != 71)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid manifest list digest");
  struct pc_new_image nn = { .config_digest = ni->config_digest, .manifest_digest = ni->list_digest,
                             .manifest_type = ni->manifest_type };
  if (pc_store_image_register (s, &nn, err) < 0)
    return -1;
  struct pc_image *img = NULL;
  if (pc_store_image_lookup (s, ni->config_digest + 7, &img, err) < 0)
    return -1;
  json_object_object_add (pc_image_record (img), "digest", json_object_new_string (ni->list_digest));
  int r = pc_store_image_write_record (s, pc_image_record (img), err);
  pc_image_free (img);
  return r;
}

int
pc_store_image_add (struct pc_store *s, const struct pc_store_new_image *ni, char **id_out,
                    pc_error **err)
{
  if (pc_store_require_userns (__func__, err) < 0)
    return -1;
  for (size_t i = 0; i < ni->n_layers; i++)
    if (!pc_store_has_blob (s, ni->layers[i].digest))
      return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "layer %s is not in the store",
                             ni->layers[i].digest);
  struct pc_staging st;
  if (pc_staging_new (s, "pull", &st, err) < 0)
    return -1;
  struct pc_ingest in = { 0 };
  int r = -1;
  if (stage_verified (&st, "config", ni->config, ni->config_len, ni->config_digest, "config", err) < 0
      || stage_verified (&st, "manifest", ni->manifest, ni->manifest_len, ni->manifest_digest,
                         "manifest", err) < 0)
    goto out;
  in.config_staged = xstrdup ("config");
  snprintf (in.config_digest, sizeof in.config_digest, "%s", ni->config_digest);
  in.manifest_staged = xstrdup ("manifest");
  snprintf (in.manifest_digest, sizeof in.manifest_digest, "%s", ni->manifest_digest);
  in.manifest_type = xstrdup (ni->manifest_type);
  for (size_t i = 0; i < ni->n_layers; i++)
    /* Already in the store: ingest finds layer and blob there and
       stages nothing for them. */
    pc_ingest_add_layer (&in, "absent", ni->layers[i].digest, ni->layers[i].size,
                         ni->layers[i].media_type);
  if (ni->name)
    {
      pc_autofree char *norm = NULL;
      if (pc_ref_normalize (ni->name, &norm, err) < 0)
        goto out;
      if (strchr (norm, '@') == NULL)
        pc_strv_append (&in.names, norm);
    }
  /* One lock over both: the image appears with its list digest. */
  if (pc_store_lock (s, err) < 0)
    goto out;
  r = pc_store_ingest (s, &st, &in, id_out, err);
  if (r == 0 && ni->list_digest)
    r = add_list_digest (s, ni, err);
  pc_store_unlock (s);
out:
  pc_ingest_clear (&in);
  pc_staging_finish (s, &st);
  return r;
}
