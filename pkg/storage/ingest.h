/* Registering a staged image (pkg/storage internal). */
#ifndef PC_PKG_STORAGE_INGEST_H
#define PC_PKG_STORAGE_INGEST_H

#include "lib/hash.h"
#include "pkg/storage/store-private.h"

struct pc_ingest_layer
{
  char *staged;       /* file in the staging dir */
  char digest[72];    /* blob digest (verified by the caller) */
  int64_t size;
  char *media_type;   /* NULL: sniffed */
  int64_t diff_size;
};

struct pc_ingest
{
  char *config_staged;
  char config_digest[72];  /* verified by the caller */
  int64_t config_size;
  char *manifest_staged;   /* NULL: a manifest is written */
  char manifest_digest[72];
  char *manifest_type;
  bool synthesize_docker;  /* the written manifest is docker schema2 */
  struct pc_ingest_layer *layers;
  size_t n_layers;
  char **names;            /* normalized */
};

void pc_ingest_add_layer (struct pc_ingest *in, const char *staged, const char *digest,
                          int64_t size, const char *media_type);
void pc_ingest_clear (struct pc_ingest *in);
int pc_store_ingest (struct pc_store *s, struct pc_staging *st, struct pc_ingest *in,
                     char **id_out, pc_error **err);

#endif
