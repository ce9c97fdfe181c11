#include "lib/hash.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/random.h>

#include "lib/sha256-plain.h"

/* Streams (layer blobs, often hundreds of MB) are hashed by OpenSSL, which
   uses the CPU's SHA instructions and is several times faster than plain C.
   libcrypto is loaded on first use rather than linked: linked, every pc
   process pays for its relocations and constructors (~0.4 MiB of private
   memory in each idle container monitor, ~0.7 ms on the first hash) though
   most commands never hash a stream. Without libcrypto the plain C
   implementation does the work. */
typedef void *(*evp_ctx_new_fn) (void);
typedef const void *(*evp_md_fn) (void);
typedef int (*evp_init_fn) (void *ctx, const void *md, void *engine);
typedef int (*evp_update_fn) (void *ctx, const void *buf, size_t len);
typedef int (*evp_final_fn) (void *ctx, unsigned char *md, unsigned int *len);
typedef void (*evp_ctx_free_fn) (void *ctx);

static struct
{
  int state; /* 0 not tried, 1 loaded, -1 unavailable */
  evp_ctx_new_fn ctx_new;
  evp_md_fn sha256;
  evp_init_fn init;
  evp_update_fn update;
  evp_final_fn final;
  evp_ctx_free_fn ctx_free;
} evp;

static bool
evp_load (void)
{
  if (evp.state != 0)
    return evp.state > 0;
  evp.state = -1;
  if (getenv ("PC_NO_LIBCRYPTO"))
    return false;
  void *h = dlopen ("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
  if (h == NULL)
    return false;
  /* dlsym returns void *; the casts through a union keep -Wpedantic quiet
     about object-to-function pointer conversion. */
#define SYM(field, type, name)                                          \
  do                                                                    \
    {                                                                   \
      union { void *p; type f; } u_ = { .p = dlsym (h, name) };        \
      if (u_.p == NULL)                                                 \
        return false;                                                   \
      evp.field = u_.f;                                                 \
    }                                                                   \
  while (0)
  SYM (ctx_new, evp_ctx_new_fn, "EVP_MD_CTX_new");
  SYM (sha256, evp_md_fn, "EVP_sha256");
  SYM (init, evp_init_fn, "EVP_DigestInit_ex");
  SYM (update, evp_update_fn, "EVP_DigestUpdate");
  SYM (final, evp_final_fn, "EVP_DigestFinal_ex");
  SYM (ctx_free, evp_ctx_free_fn, "EVP_MD_CTX_free");
#undef SYM
  evp.state = 1;
  return true;
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
