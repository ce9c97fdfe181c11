#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/hash.h"
#include "lib/sha256-plain.h"
#include "tests/unit/tap.h"

int
main (void)
{
  char hex[65];
  pc_sha256_hex ("abc", 3, hex);
  is_str (hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256 of abc");
  {
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    pc_sha256_hex (two, strlen (two), hex);
    is_str (hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
            "one-shot sha256 across two blocks");
  }
  pc_sha256_hex ("", 0, hex);
  is_str (hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256 of nothing");

  {
    pc_autosha256 struct pc_sha256 *h = pc_sha256_new ();
    pc_sha256_update (h, "a", 1);
    pc_sha256_update (h, "", 0);
    pc_sha256_update (h, "bc", 2);
    pc_sha256_final_hex (h, hex);
    is_str (hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "streaming in pieces");
  }
  {
    /* 1 MiB of 'a' in odd-sized chunks against the one-shot digest. */
    size_t n = 1 << 20;
    char *buf = malloc (n);
    memset (buf, 'a', n);
    char one[65];
    pc_sha256_hex (buf, n, one);
    struct pc_sha256 *h = pc_sha256_new ();
    for (size_t off = 0; off < n; off += 4093)
      pc_sha256_update (h, buf + off, n - off < 4093 ? n - off : 4093);
    pc_sha256_final_hex (h, hex);
    pc_sha256_free (h);
    is_str (hex, one, "streaming (OpenSSL when loadable) in chunks equals the one-shot implementation");
    /* The plain C stream, used when libcrypto cannot be loaded. */
    struct pc_sha256_plain p;
    pc_sha256_plain_init (&p);
    for (size_t off = 0; off < n; off += 61)
      pc_sha256_plain_update (&p, buf + off, n - off < 61 ? n - off : 61);
    pc_sha256_plain_final_hex (&p, hex);
    is_str (hex, one, "plain C stream in 61-byte chunks equals the one-shot digest");
    free (buf);
  }

  pc_error *err = NULL;
  char a[65], b[65];
  is_int (pc_random_id (a, &err), 0, "random id");
  is_int (pc_random_id (b, &err), 0, "second random id");
  is_int (strlen (a), 64, "64 characters");
  is_int (strspn (a, "0123456789abcdef"), 64, "lowercase hex");
  ok (strcmp (a, b) != 0, "two ids differ");
  return done_testing ();
}
