/* pc push, pc search, pc manifest inspect: the registry side of pkg/registry
   for images already in the store. */
#include "pkg/engine/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/registry/registry.h"
#include "pkg/storage/storage.h"
#include "pkg/engine/events.h"

struct relay
{
  void (*event) (const struct pc_engine_pull_event *ev, void *data);
  void *data;
};

static void
relay_event (const struct pc_registry_event *ev, void *data)
{
  struct relay *r = data;
  struct pc_engine_pull_event e = {
    .kind = (enum pc_engine_pull_event_kind) ev->kind,
    .name = ev->name, .digest = ev->digest, .done = ev->done, .total = ev->total,
    .is_config = ev->is_config,
  };
  r->event (&e, r->data);
}

/* --creds USER[:PASSWORD] and the rest of the client's options. */
static int
registry_opts (const struct pc_engine_pull_opts *o, struct pc_registry_creds *creds,
               struct pc_registry_opts *ro, pc_error **err)
{
  memset (creds, 0, sizeof *creds);
  if (o->creds)
    {
      const char *colon = strchr (o->creds, ':');
      creds->user = colon ? xstrndup (o->creds, (size_t) (colon - o->creds)) : xstrdup (o->creds);
      creds->password = xstrdup (colon ? colon + 1 : "");
      if (*creds->user == '\0')
        {
          pc_registry_creds_clear (creds);
          return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "--creds: the user name is empty");
        }
    }
  *ro = (struct pc_registry_opts) {
    .tls_verify_off = o->tls_verify_off, .cert_dir = o->cert_dir, .authfile = o->authfile,
    .creds = o->creds ? creds : NULL, .retries = o->retries, .retry_delay_ms = o->retry_delay_ms,
  };
  return 0;
}

/* DEST as podman takes it: docker://REF or a plain reference; the other
   transports are refused. */
static int
push_dest (struct pc_store *s, const char *image, const char *dest, char **out, pc_error **err)
{
  if (dest == NULL)
    {
      /* The image's own name: the one typed, if the image has it. */
      pc_autoimage struct pc_image *img = NULL;
      if (pc_store_image_lookup (s, image, &img, err) < 0)
        return -1;
      pc_autofree char *norm = NULL;
      if (pc_ref_normalize (image, &norm, NULL) < 0 || !pc_strv_contains (pc_image_names (img), norm))
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "%s: no name to push to: give a destination (pc push IMAGE REGISTRY/REPO[:TAG])",
                               image);
      *out = steal_pointer (&norm);
      return 0;
    }
  const char *ref = dest;
  if (strncmp (dest, "docker://", 9) == 0)
    ref = dest + 9;
  else
    {
      static const char *const others[] = { "oci:", "oci-archive:", "docker-archive:", "dir:",
                                            "containers-storage:", "docker-daemon:", "sif:", NULL };
      for (const char *const *t = others; *t; t++)
        if (strncmp (dest, *t, strlen (*t)) == 0)
          return pc_error_makec (err, PC_ERR_UNSUPPORTED, ENOTSUP,
                                 "invalid destination \"%s\": pc push writes to registries only (docker://); use pc save for the %.*s transport",
                                 dest, (int) (strlen (*t) - 1), *t);
    }
  if (*ref == '\0' || strncmp (ref, "//", 2) == 0)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid destination \"%s\"", dest);
  if (pc_ref_normalize (ref, out, err) < 0)
    return pc_error_wrap (err, "invalid destination \"%s\"", dest);
  return 0;
}

int
pc_engine_image_push (struct pc_engine *e, const char *image, const char *dest,
                      const struct pc_engine_push_opts *o, char **digest_out, pc_error **err)
{
  struct pc_store *s = pc_engine_store (e, err);
  if (s == NULL)
    return -1;
  struct pc_registry_push_opts po = { 0 };
  if (o->format == NULL || strcmp (o->format, "") == 0)
    po.format = PC_REGISTRY_FORMAT_AUTO;
  else if (strcmp (o->format, "oci") == 0)
    po.format = PC_REGISTRY_FORMAT_OCI;
  else if (strcmp (o->format, "v2s2") == 0 || strcmp (o->format, "docker") == 0)
    po.format = PC_REGISTRY_FORMAT_V2S2;
  else
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "unknown format \"%s\". Choose on of the supported formats: 'oci', 'v2s1', or 'v2s2'",
                           o->format);
  if (o->compression == NULL || strcmp (o->compression, "gzip") == 0)
    po.compression = PC_REGISTRY_COMPRESSION_GZIP;
  else if (strcmp (o->compression, "zstd") == 0)
    po.compression = PC_REGISTRY_COMPRESSION_ZSTD;
  else
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "unknown compression algorithm %s", o->compression);
  pc_autofree char *ref = NULL;
  if (push_dest (s, image, dest, &ref, err) < 0)
    return -1;
  struct pc_registry_creds creds;
  struct pc_registry_opts ro;
  if (registry_opts (&o->reg, &creds, &ro, err) < 0)
    return -1;
  struct relay rel = { .event = o->reg.event, .data = o->reg.event_data };
  po.event = o->reg.event ? relay_event : NULL;
  po.event_data = &rel;
  int r = pc_registry_push (s, image, ref, &ro, &po, digest_out, err);
  if (r == 0)
    pc_engine_event_image (e, "push", NULL, ref);
  pc_registry_creds_clear (&creds);
  return r;
}

/* "host/term": a registry name has a dot, a colon or is localhost. */
static int
split_search (const char *arg, char **host, char **term, pc_error **err)
{
  const char *a = arg;
  if (strncmp (a, "docker://", 9) == 0)
    a += 9;
  const char *slash = strchr (a, '/');
  size_t hl = slash ? (size_t) (slash - a) : strlen (a);
  pc_autofree char *h = xstrndup (a, hl);
  if (*h == '\0' || (!strchr (h, '.') && !strchr (h, ':') && strcmp (h, "localhost") != 0))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                           "\"%s\": pc search needs the registry: REGISTRY/TERM (e.g. quay.io/fedora)", arg);
  *host = steal_pointer (&h);
  *term = xstrdup (slash ? slash + 1 : "");
  return 0;
}

int
pc_engine_search (const char *arg, const struct pc_engine_search_opts *o, json_object **out,
                  pc_error **err)
{
  pc_autofree char *host = NULL, *term = NULL;
  if (split_search (arg, &host, &term, err) < 0)
    return -1;
  struct pc_registry_creds creds;
  struct pc_registry_opts ro;
  if (registry_opts (&o->reg, &creds, &ro, err) < 0)
    return -1;
  size_t limit = o->limit > 0 ? (size_t) o->limit : 25;
  pc_autostrv char **items = NULL;
  int r;
  pc_autojson json_object *rows = json_object_new_array ();
  if (o->list_tags)
    {
      /* The term is a repository; a tag or digest in it is refused. */
      if (*term == '\0' || strpbrk (term, ":@"))
        r = pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                            "reference \"%s\" must be a docker reference without tag or digest", arg);
      else
        r = pc_registry_tags (host, term, &ro, &items, err);
      for (char **t = items; r == 0 && t && *t && json_object_array_length (rows) < limit; t++)
        {
          json_object *row = json_object_new_object ();
          pc_autofree char *name = xasprintf ("%s/%s", host, term);
          json_object_object_add (row, "Name", json_object_new_string (name));
          json_object_object_add (row, "Tag", json_object_new_string (*t));
          json_object_array_add (rows, row);
        }
    }
  else
    {
      r = pc_registry_catalog (host, &ro, &items, err);
      /* containers/image's v2 search: repositories containing the term. */
      for (char **t = items; r == 0 && t && *t && json_object_array_length (rows) < limit; t++)
        {
          if (strstr (*t, term) == NULL)
            continue;
          json_object *row = json_object_new_object ();
          pc_autofree char *name = xasprintf ("%s/%s", host, *t);
          json_object_object_add (row, "Index", json_object_new_string (host));
          json_object_object_add (row, "Name", json_object_new_string (name));
          json_object_object_add (row, "Description", json_object_new_string (""));
          json_object_object_add (row, "Stars", json_object_new_int (0));
          json_object_object_add (row, "Official", json_object_new_string (""));
          json_object_object_add (row, "Automated", json_object_new_string (""));
          json_object_object_add (row, "Tag", json_object_new_string (""));
          json_object_array_add (rows, row);
        }
    }
  pc_registry_creds_clear (&creds);
  if (r < 0)
    return -1;
  *out = steal_pointer (&rows);
  return 0;
}

int
pc_engine_manifest_inspect (const char *ref, const struct pc_engine_pull_opts *o, char **body,
                            size_t *len, pc_error **err)
{
  pc_autofree char *r0 = xstrdup (strncmp (ref, "docker://", 9) == 0 ? ref + 9 : ref);
  pc_autostrv char **cands = NULL;
  if (pc_registry_resolve_name (r0, &cands, err) < 0)
    return -1;
  if (cands == NULL || cands[0] == NULL)
    return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "%s: no such manifest in a registry", ref);
  struct pc_registry_creds creds;
  struct pc_registry_opts ro;
  if (registry_opts (o, &creds, &ro, err) < 0)
    return -1;
  int ret = -1;
  pc_error *first = NULL;
  for (char **c = cands; *c && ret < 0; c++)
    {
      pc_autofree char *mt = NULL;
      pc_error *e1 = NULL;
      if (pc_registry_manifest_raw (*c, &ro, body, len, &mt, &e1) == 0)
        ret = 0;
      else if (first == NULL)
        first = e1;
      else
        pc_error_free (e1);
    }
  pc_registry_creds_clear (&creds);
  if (ret < 0)
    *err = first;
  else
    pc_error_free (first);
  return ret;
}
