#include "lib/hash.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/random.h>

#include "lib/dl.h"
#include "lib/sha256-plain.h"

/* Streams (layer blobs, often hundreds of MB) are hashed by OpenSSL, which
   uses the CPU's SHA instructions and is several times faster than plain C.
   libcrypto is loaded on first use rather than linked: linked, every pc
   process pays for its relocations and constructors (~0.4 MiB of private
   memory in each idle container monitor, ~0.7 ms on the first hash) though
   most commands never hash a stream. Without libcrypto the plain C
   implementation does the work.
   Loaded through lib/dl.h, once per process and thread-safe (layers are
   hashed by several threads at once during a pull). */
static struct
{
  void *(*ctx_new) (void);
  const void *(*sha256) (void);
  int (*init) (void *ctx, const void *md, void *engine);
  int (*update) (void *ctx, const void *buf, size_t len);
  int (*final) (void *ctx, unsigned char *md, unsigned int *len);
  void (*ctx_free) (void *ctx);
} evp;

static const char evp_names[][PC_DL_NAME_MAX] = {
  "EVP_MD_CTX_new", "EVP_sha256", "EVP_DigestInit_ex", "EVP_DigestUpdate", "EVP_DigestFinal_ex",
  "EVP_MD_CTX_free",
};

static struct pc_dl libcrypto = PC_DL_INIT ("libcrypto.so.3", "libssl3", evp_names, evp, RTLD_NOW);

static bool
evp_load (void)
{
  /* Read once: the environment is not changed behind pc's back. */
  static int no_crypto = -1;
  int off = __atomic_load_n (&no_crypto, __ATOMIC_RELAXED);
  if (off < 0)
    {
      off = getenv ("PC_NO_LIBCRYPTO") != NULL;
      __atomic_store_n (&no_crypto, off, __ATOMIC_RELAXED);
    }
  return !off && pc_dl_load (&libcrypto);
}

struct pc_sha256
{
  void *ctx; /* OpenSSL EVP_MD_CTX, or NULL when the plain one is used */
  struct pc_sha256_plain plain;
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
  if (evp_load ())
    {
      h->ctx = evp.ctx_new ();
      if (h->ctx == NULL || evp.init (h->ctx, evp.sha256 (), NULL) != 1)
        abort ();
    }
  else
    pc_sha256_plain_init (&h->plain);
  return h;
}

void
pc_sha256_update (struct pc_sha256 *h, const void *buf, size_t len)
{
  if (len == 0)
    return;
  if (h->ctx == NULL)
    pc_sha256_plain_update (&h->plain, buf, len);
  else if (evp.update (h->ctx, buf, len) != 1)
    abort ();
}

void
pc_sha256_final_hex (struct pc_sha256 *h, char out[65])
{
  if (h->ctx == NULL)
    {
      pc_sha256_plain_final_hex (&h->plain, out);
      return;
    }
  unsigned char md[64];
  unsigned int n = 0;
  if (evp.final (h->ctx, md, &n) != 1 || n != 32)
    abort ();
  to_hex (md, n, out);
}

void
pc_sha256_free (struct pc_sha256 *h)
{
  if (h == NULL)
    return;
  if (h->ctx)
    evp.ctx_free (h->ctx);
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
