#include "lib/hash.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <sys/random.h>

struct pc_sha256
{
  EVP_MD_CTX *ctx;
};

static void
to_hex (const unsigned char *bin, size_t n, char *out)
{
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++)
    {
      out[2 * i] = digits[bin[i] >> 4];
      out[2 * i + 1] = digits[bin[i] & 0xf];
    }
  out[2 * n] = '\0';
}

struct pc_sha256 *
pc_sha256_new (void)
{
  struct pc_sha256 *h = calloc (1, sizeof *h);
  if (h == NULL)
    abort ();
  h->ctx = EVP_MD_CTX_new ();
  if (h->ctx == NULL || EVP_DigestInit_ex (h->ctx, EVP_sha256 (), NULL) != 1)
    abort ();
  return h;
}

void
pc_sha256_update (struct pc_sha256 *h, const void *buf, size_t len)
{
  if (len > 0 && EVP_DigestUpdate (h->ctx, buf, len) != 1)
    abort ();
}

void
pc_sha256_final_hex (struct pc_sha256 *h, char out[65])
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_DigestFinal_ex (h->ctx, md, &n) != 1 || n != 32)
    abort ();
  to_hex (md, n, out);
}

void
pc_sha256_free (struct pc_sha256 *h)
{
  if (h == NULL)
    return;
  EVP_MD_CTX_free (h->ctx);
  free (h);
}

int
pc_random_id (char out[65], pc_error **err)
{
  unsigned char bin[32];
  size_t got = 0;
  while (got < sizeof bin)
    {
      ssize_t r = getrandom (bin + got, sizeof bin - got, 0);
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          return pc_error_errno (err, errno, "getrandom");
        }
      got += (size_t) r;
    }
  to_hex (bin, sizeof bin, out);
  return 0;
}
