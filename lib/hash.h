/* sha256 (streams through OpenSSL EVP, small buffers in plain C) and random ids. */
#ifndef PC_LIB_HASH_H
#define PC_LIB_HASH_H

#include <stddef.h>

#include "lib/error.h"

struct pc_sha256;

struct pc_sha256 *pc_sha256_new (void);
void pc_sha256_update (struct pc_sha256 *h, const void *buf, size_t len);
/* Lowercase hex, NUL-terminated; the context may not be updated afterwards. */
void pc_sha256_final_hex (struct pc_sha256 *h, char out[65]);
void pc_sha256_free (struct pc_sha256 *h);
/* One-shot, for small buffers; no OpenSSL initialisation (sha256.c). */
void pc_sha256_hex (const void *buf, size_t len, char out[65]);
/* 64 hex chars from getrandom. */
int pc_random_id (char out[65], pc_error **err);

static inline void
pc_sha256_freep (struct pc_sha256 **h)
{
  pc_sha256_free (*h);
}
#define pc_autosha256 __attribute__ ((cleanup (pc_sha256_freep)))

#endif
