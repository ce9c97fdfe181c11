/* Which reference a pull fetches, with which settings, as podman 4.3
   (containers/image 5.23 docker.newImageSource) decides it from
   registries.conf: the [[registry]] that matches the name, its mirrors that
   apply (pull-from-mirror) tried in order, then its location (the prefix
   rewritten), each with its own insecure flag and the credentials auth.json
   has for that repository ("host/ns/repo", the most specific key first).
   A source that fails before its manifest is read (no answer, 401/403,
   404, 5xx) gives way to the next; the image keeps the name the user asked
   for. Also the short-name side of a pull: podman's "Resolved ..." line and
   the aliases cache entry for a name picked at the prompt. pull.c does the
   transfer of one source (reg_pull_source). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/registry/config.h"
#include "pkg/registry/internal.h"

static void
emit_trying (const struct pc_registry_pull_opts *po, const char *ref)
{
  if (po == NULL || po->event == NULL)
    return;
  struct pc_registry_event ev = { .kind = PC_REGISTRY_EV_TRYING, .name = ref };
  po->event (&ev, po->event_data);
}

/* auth.json's entry for the source's repository (or NULL: none, or the
   client's own lookup by host will say what is wrong with the file). */
static bool
repo_creds (const char *authfile, const char *src, struct pc_registry_creds *out)
{
  struct pc_registry_ref r;
  pc_autoerror pc_error *e = NULL;
  if (pc_registry_ref_parse (src, &r, &e) < 0)
    return false;
  pc_autofree char *key = xasprintf ("%s/%s", r.host, r.repo);
  pc_registry_ref_clear (&r);
  return pc_registry_credentials (authfile, key, out, &e) > 0;
}

/* One attempt's failure, kept for the message when every source fails. */
struct attempt
{
  const char *ref;
  pc_error *err;
};

/* podman's text when every source failed before its manifest:
   "initializing source docker://REF: ERR" for one source; with mirrors
   "initializing source docker://REF: (Mirrors also failed: [M1: E1]\n[M2:
   E2]): PRIMARY: ERR" (the primary's class kept). */
static int
all_failed (const char *ref, struct attempt *a, size_t n, pc_error **err)
{
  pc_error *last = a[n - 1].err;
  a[n - 1].err = NULL;
  if (n == 1)
    {
      *err = last;
      return pc_error_wrap (err, "initializing source docker://%s", ref);
    }
  char *extras = NULL;
  size_t elen = 0;
  FILE *f = open_memstream (&extras, &elen);
  for (size_t i = 0; i + 1 < n; i++)
    fprintf (f, "%s[%s: %s]", i ? "\n" : "", a[i].ref, a[i].err->msg);
  fclose (f);
  *err = last;
  pc_error_wrap (err, "initializing source docker://%s: (Mirrors also failed: %s): %s", ref, extras,
                 a[n - 1].ref);
  free (extras);
  return -1;
}

static int
pull_sources (struct pc_store *s, const struct pc_registries_conf *c, const char *ref,
              const struct pc_registry_opts *o, const struct pc_registry_pull_opts *po,
              char **id_out, pc_error **err)
{
  struct pc_pull_source *src = NULL;
  size_t n = 0;
  /* podman says "Trying to pull" before it reads the [[registry]]: a
     blocked one is refused after it. */
  emit_trying (po, ref);
  if (pc_registries_pull_sources (c, ref, &src, &n, err) < 0)
    return pc_error_wrap (err, "initializing source docker://%s", ref);
  struct attempt *a = xmalloc0 (n * sizeof *a);
  size_t tried = 0;
  int ret = -1;
  for (size_t i = 0; i < n; i++)
    {
      struct pc_registry_opts opts = o ? *o : (struct pc_registry_opts) { .retries = -1 };
      if (src[i].insecure)
        opts.tls_verify_off = true;
      struct pc_registry_creds creds = { 0 };
      if (opts.creds == NULL && repo_creds (opts.authfile, src[i].ref, &creds))
        opts.creds = &creds;
      if (n > 1)
        pc_debug ("trying to access \"%s\"", src[i].ref);
      bool at_source = false;
      pc_error *e1 = NULL;
      ret = reg_pull_source (s, ref, src[i].ref, &opts, po, id_out, &at_source, &e1);
      pc_registry_creds_clear (&creds);
      if (ret == 0)
        break;
      if (!at_source)
        {
          /* The manifest came: a failure after it is not the source's
             (containers/image does not switch mirrors then). */
          *err = e1;
          break;
        }
      pc_debug ("accessing \"%s\" failed: %s", src[i].ref, e1->msg);
      a[tried].ref = src[i].ref;
      a[tried++].err = e1;
      if (i + 1 == n)
        all_failed (ref, a, tried, err);
    }
  for (size_t i = 0; i < tried; i++)
    pc_error_free (a[i].err);
  free (a);
  pc_pull_sources_free (src, n);
  return ret;
}

int
pc_registry_pull (struct pc_store *s, const char *ref, const struct pc_registry_opts *o,
                  const struct pc_registry_pull_opts *po, char **id_out, pc_error **err)
{
  struct pc_registries_conf c;
  if (pc_registries_conf_load (NULL, &c, err) < 0)
    return -1;
  int r = pull_sources (s, &c, ref, o, po, id_out, err);
  pc_registries_conf_clear (&c);
  return r;
}

/* ---- Short names ---- */

void
pc_registry_resolution_clear (struct pc_registry_resolution *r)
{
  pc_strv_free (r->candidates);
  free (r->description);
  free (r->record);
  memset (r, 0, sizeof *r);
}

int
pc_registry_resolve_pull (const char *input, struct pc_registry_resolution *out, pc_error **err)
{
  memset (out, 0, sizeof *out);
  if (input == NULL || *input == '\0')
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "empty image name");
  struct pc_registries_conf c;
  if (pc_registries_conf_load (NULL, &c, err) < 0)
    return -1;
  struct pc_resolved r;
  bool tty = isatty (STDIN_FILENO) && isatty (STDOUT_FILENO);
  int ret = pc_registries_resolve (&c, input, tty, &r, err);
  pc_registries_conf_clear (&c);
  if (ret < 0)
    return -1;
  if (r.kind != PC_RESOLVE_LOCAL)
    {
      out->candidates = steal_pointer (&r.candidates);
      out->description = pc_resolved_describe (&r);
      if (r.record)
        out->record = steal_pointer (&r.short_name);
    }
  pc_resolved_clear (&r);
  return 0;
}

int
pc_registry_resolution_record (const struct pc_registry_resolution *r, const char *pulled,
                               pc_error **err)
{
  if (r->record == NULL)
    return 0;
  struct pc_ref ref;
  if (pc_ref_parse_normalized (pulled, &ref, err) < 0)
    return -1;
  /* The alias names the repository; the user's tag or digest stays the user's. */
  free (ref.tag);
  free (ref.digest);
  ref.tag = ref.digest = NULL;
  pc_autofree char *value = pc_ref_format (&ref, false);
  pc_ref_clear (&ref);
  struct pc_registries_conf c;
  if (pc_registries_conf_load (NULL, &c, err) < 0)
    return -1;
  int ret = pc_registries_record_alias (&c, r->record, value, err);
  pc_registries_conf_clear (&c);
  return ret;
}
