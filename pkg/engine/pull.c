/* pc pull (and run/create pulling what is missing): short names resolved
   through registries.conf, each candidate tried, the registry client of
   pkg/registry doing the transfer into the store. */
#include "pkg/engine/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/registry/registry.h"
#include "pkg/storage/storage.h"
#include "pkg/engine/events.h"

struct relay
{
  const struct pc_engine_pull_opts *o;
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
  r->o->event (&e, r->o->event_data);
}

/* --all-tags: the repository's tags (GET tags/list), each pulled. */
static int
pull_all_tags (struct pc_store *s, const char *cand, const struct pc_registry_opts *ro,
               const struct pc_registry_pull_opts *po, char **id_out, pc_error **err)
{
  struct pc_registry_ref r;
  if (pc_registry_ref_parse (cand, &r, err) < 0)
    return -1;
  struct pc_registry_host_conf hc = { 0 };
  struct pc_registry_client *c = NULL;
  pc_autostrv char **tags = NULL;
  char *ids = NULL;
  int ret = -1;
  if (pc_registry_host_config (cand, &hc, err) < 0)
    goto out;
  struct pc_registry_opts opts = *ro;
  if (hc.insecure)
    opts.tls_verify_off = true;
  if (pc_registry_client_new (r.host, &opts, &c, err) < 0
      || pc_registry_list_tags (c, r.repo, &tags, err) < 0)
    goto out;
  if (tags == NULL || tags[0] == NULL)
    {
      pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "%s/%s: the repository has no tags", r.host, r.repo);
      goto out;
    }
  for (char **t = tags; *t; t++)
    {
      pc_autofree char *ref = xasprintf ("%s/%s:%s", r.host, r.repo, *t);
      pc_autofree char *id = NULL;
      if (pc_registry_pull (s, ref, ro, po, &id, err) < 0)
        goto out;
      char *n = ids ? xasprintf ("%s\n%s", ids, id) : xstrdup (id);
      free (ids);
      ids = n;
    }
  *id_out = ids;
  ids = NULL;
  ret = 0;
out:
  free (ids);
  pc_registry_client_free (c);
  pc_registry_host_conf_clear (&hc);
  pc_registry_ref_clear (&r);
  return ret;
}

int
pc_engine_image_pull (struct pc_engine *e, const char *name, const struct pc_engine_pull_opts *o,
                      char **id_out, pc_error **err)
{
  struct pc_store *s = pc_engine_store (e, err);
  if (s == NULL)
    return -1;
  __attribute__ ((cleanup (pc_registry_resolution_clear))) struct pc_registry_resolution res = { 0 };
  if (pc_registry_resolve_pull (name, &res, err) < 0)
    return -1;
  char **cands = res.candidates;
  if (cands == NULL || cands[0] == NULL)
    return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT,
                           "%s: image not known (a localhost/ image is never pulled)", name);
  struct pc_registry_creds creds = { 0 };
  if (o->creds)
    {
      const char *colon = strchr (o->creds, ':');
      creds.user = colon ? xstrndup (o->creds, (size_t) (colon - o->creds)) : xstrdup (o->creds);
      creds.password = xstrdup (colon ? colon + 1 : "");
      if (*creds.user == '\0')
        {
          pc_registry_creds_clear (&creds);
          return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "--creds: the user name is empty");
        }
    }
  struct pc_registry_opts ro = {
    .tls_verify_off = o->tls_verify_off, .cert_dir = o->cert_dir, .authfile = o->authfile,
    .creds = o->creds ? &creds : NULL, .retries = o->retries, .retry_delay_ms = o->retry_delay_ms,
  };
  struct relay rel = { .o = o };
  struct pc_registry_pull_opts po = {
    .os = o->os, .arch = o->arch, .variant = o->variant,
    .event = o->event ? relay_event : NULL, .event_data = &rel,
  };
  int ret = -1;
  pc_error *first = NULL;
  if (res.description && o->event)
    {
      /* podman's "Resolved "x" as an alias (F)" before "Trying to pull". */
      struct pc_engine_pull_event ev = { .kind = PC_PULL_EV_RESOLVED, .name = res.description };
      o->event (&ev, o->event_data);
    }
  for (char **c = cands; *c; c++)
    {
      pc_error *e1 = NULL;
      int r = o->all_tags ? pull_all_tags (s, *c, &ro, &po, id_out, &e1)
                          : pc_registry_pull (s, *c, &ro, &po, id_out, &e1);
      if (r == 0)
        {
          ret = 0;
          pc_engine_event_image (e, "pull", NULL, *c);
          /* A name picked at the prompt goes to the aliases cache; as
             podman, a failure to record it only says so. */
          if (pc_registry_resolution_record (&res, *c, &e1) < 0)
            pc_warn ("recording short-name alias \"%s\": %s", *c, e1->msg);
          pc_error_free (e1);
          break;
        }
      if (first == NULL)
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
