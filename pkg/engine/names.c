/* Generated container names, "adjective_surname" as docker and podman make
   them, from pc's own word lists. */
#include "pkg/engine/internal.h"

#include <stdint.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "lib/xalloc.h"

static const char *const adjectives[] = {
  "agile", "amazing", "blissful", "bold", "brave", "busy", "calm", "charming",
  "clever", "cool", "crazy", "dazzling", "determined", "eager", "elegant", "epic",
  "fervent", "focused", "friendly", "gallant", "gentle", "happy", "hopeful", "humble",
  "inspiring", "jolly", "keen", "kind", "lucid", "magical", "modest", "nervous",
  "nice", "optimistic", "patient", "peaceful", "pensive", "quirky", "relaxed", "serene",
  "sharp", "silly", "sleepy", "stoic", "sweet", "tender", "trusting", "upbeat",
  "vibrant", "vigilant", "wizardly", "youthful", "zealous", "zen",
};

static const char *const surnames[] = {
  "agnesi", "allen", "archimedes", "babbage", "bardeen", "bell", "bohr", "boole",
  "cannon", "cerf", "curie", "darwin", "dijkstra", "easley", "euler", "faraday",
  "fermat", "feynman", "franklin", "gauss", "goldberg", "hamilton", "hawking", "hopper",
  "hypatia", "johnson", "kepler", "knuth", "lamarr", "liskov", "lovelace", "maxwell",
  "meitner", "mirzakhani", "morse", "newton", "noether", "pascal", "perlman", "ritchie",
  "shannon", "sinoussi", "thompson", "torvalds", "turing", "volta", "wiles", "wing",
  "wozniak", "yalow",
};

char *
pc_engine_random_name (void)
{
  uint32_t r[2];
  if (getrandom (r, sizeof r, GRND_NONBLOCK) != sizeof r)
    {
      struct timespec ts;
      clock_gettime (CLOCK_MONOTONIC, &ts);
      r[0] = (uint32_t) ts.tv_nsec ^ (uint32_t) getpid ();
      r[1] = (uint32_t) ts.tv_sec * 2654435761u ^ r[0];
    }
  return xasprintf ("%s_%s", adjectives[r[0] % (sizeof adjectives / sizeof *adjectives)],
                    surnames[r[1] % (sizeof surnames / sizeof *surnames)]);
}
