/* lib-internal: the plain C SHA-256 behind lib/hash.h. */
#ifndef PC_LIB_SHA256_PLAIN_H
#define PC_LIB_SHA256_PLAIN_H

#include <stddef.h>
#include <stdint.h>

struct pc_sha256_plain
{
  uint32_t h[8];
  unsigned char buf[64];
  size_t buflen;
  uint64_t total;
};

void pc_sha256_plain_init (struct pc_sha256_plain *c);
void pc_sha256_plain_update (struct pc_sha256_plain *c, const void *data, size_t len);
void pc_sha256_plain_final_hex (struct pc_sha256_plain *c, char out[65]);

#endif
