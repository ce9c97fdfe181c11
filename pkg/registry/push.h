/* Internals of a push (push.c, push-blob.c, push-cache.c). */
#ifndef PC_PKG_REGISTRY_PUSH_H
#define PC_PKG_REGISTRY_PUSH_H

#include <json-c/json.h>

#include "pkg/registry/internal.h"

enum
{
  REG_COMP_NONE,
  REG_COMP_GZIP,
  REG_COMP_ZSTD,
};

struct reg_push_progress
{
  void (*fn) (const struct reg_push_progress *p, int64_t done);
  void *data;
  const char *digest;
  int64_t total;
};

/* HEAD .../blobs/DIGEST: *exists for 200, not for 404; other statuses fail. */
int reg_blob_exists (struct pc_registry_client *c, const char *repo, const char *digest, bool *exists,
                     pc_error **err);
/* POST ?mount=DIGEST&from=FROM: *mounted when the registry did (201). */
int reg_blob_mount (struct pc_registry_client *c, const char *repo, const char *digest,
                    const char *from, bool *mounted, pc_error **err);
/* A small blob from memory (a config): one POST and one PUT. */
int reg_blob_put_bytes (struct pc_registry_client *c, const char *repo, const void *data, size_t len,
                        const char *digest, pc_error **err);
/* The stored blob as it is; its digest checked on the way. */
int reg_blob_upload_file (struct pc_registry_client *c, const char *repo, int fd, const char *digest,
                          const struct reg_push_progress *prog, int64_t *size, pc_error **err);
/* The stored blob decompressed (its tar checked against diff_id) and
   compressed with comp; the blob's digest and size come out. */
int reg_blob_upload_compressed (struct pc_registry_client *c, const char *repo, int fd,
                                const char *diff_id, int comp, const struct reg_push_progress *prog,
                                char digest[72], int64_t *size, pc_error **err);
int reg_blob_sniff (int fd);

/* The blob-info cache (push-cache.c): which compressed blob a layer became
   (so a second push checks for it without compressing again) and which
   repositories hold a blob (so another repository of the same registry
   can mount it). A file in the store's root; losing it costs time only. */
struct reg_blob_cache;
struct reg_blob_cache *reg_blob_cache_open (struct pc_store *s);
void reg_blob_cache_close (struct reg_blob_cache *bc); /* writes it back when changed */
/* The blob diff_id became with comp, or NULL. Borrowed. */
const char *reg_blob_cache_compressed (struct reg_blob_cache *bc, const char *diff_id, int comp);
void reg_blob_cache_set_compressed (struct reg_blob_cache *bc, const char *diff_id, int comp,
                                    const char *digest, int64_t size);
int64_t reg_blob_cache_size (struct reg_blob_cache *bc, const char *digest);
/* Repositories ("host/repo") known to hold digest, newest first; borrowed
   json array or NULL. */
json_object *reg_blob_cache_locations (struct reg_blob_cache *bc, const char *digest);
void reg_blob_cache_add_location (struct reg_blob_cache *bc, const char *digest, const char *location);

#endif
