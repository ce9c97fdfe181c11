/* /etc/subuid and /etc/subgid: "owner:start:count" lines, as shadow's
   newuidmap reads them. Parsed here rather than through libsubid: Debian 12
   ships it only as a static library without pkg-config. */
#include "pkg/rootless/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/xalloc.h"

const char *
pc_subid_path (bool gid)
{
  const char *o = getenv (gid ? "PC_SUBGID_FILE" : "PC_SUBUID_FILE");
  if (o && *o)
    return o;
  return gid ? "/etc/subgid" : "/etc/subuid";
}

static void
warn_line (char ***warnings, const char *path, size_t lineno, const char *before,
           const char *line, size_t linelen, const char *after)
{
  if (warnings == NULL)
    return;
  if (linelen > 80)
    linelen = 80;
  pc_autofree char *l = xstrndup (line, linelen);
  pc_strv_append_take (warnings, xasprintf ("%s:%zu: %s\"%s\"%s", path, lineno, before, l, after));
}

/* Strict unsigned decimal into 32 bits. */
static bool
parse_u32 (const char *s, size_t len, uint32_t *out)
{
  if (len == 0 || len > 10)
    return false;
  uint64_t v = 0;
  for (size_t i = 0; i < len; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        return false;
      v = v * 10 + (uint64_t) (s[i] - '0');
    }
  if (v > UINT32_MAX)
    return false;
  *out = (uint32_t) v;
  return true;
}

static bool
owner_matches (const char *owner, size_t len, const char *user, uid_t uid)
{
  if (user && strlen (user) == len && memcmp (owner, user, len) == 0)
    return true;
  uint32_t n;
  return parse_u32 (owner, len, &n) && n == (uint32_t) uid;
}

/* Adds [start, start+count) keeping ranges disjoint: ranges it overlaps are
   folded into one (newuidmap would refuse overlapping lines). Existing ranges
   are disjoint, so what the union grows into lies inside a range already
   absorbed and one pass is enough. */
static bool
add_range (struct pc_subid_ranges *out, uint32_t start, uint32_t count, bool *merged)
{
  uint64_t s = start, e = (uint64_t) start + count;
  size_t pos = SIZE_MAX;
  *merged = false;
  for (size_t i = 0; i < out->n;)
    {
      uint64_t rs = out->r[i].start, re = rs + out->r[i].count;
      if (s < re && rs < e)
        {
          s = s < rs ? s : rs;
          e = e > re ? e : re;
          *merged = true;
          if (pos == SIZE_MAX)
            pos = i;
          memmove (&out->r[i], &out->r[i + 1], (out->n - i - 1) * sizeof out->r[0]);
          out->n--;
          continue;
        }
      i++;
    }
  if (pos == SIZE_MAX)
    {
      if (out->n >= PC_SUBID_MAX)
        return false;
      pos = out->n;
    }
  memmove (&out->r[pos + 1], &out->r[pos], (out->n - pos) * sizeof out->r[0]);
  out->r[pos].start = (uint32_t) s;
  out->r[pos].count = (uint32_t) (e - s);
  out->n++;
  return true;
}

void
pc_subid_parse (const char *buf, size_t len, const char *path, const char *user, uid_t uid,
                struct pc_subid_ranges *out, char ***warnings)
{
  out->n = 0;
  const char *p = buf, *end = buf + len;
  size_t lineno = 0;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (size_t) (end - p));
      const char *le = nl ? nl : end;
      const char *line = p;
      p = nl ? nl + 1 : end;
      lineno++;

      /* Tolerate surrounding blanks and CRLF files. */
      while (line < le && (*line == ' ' || *line == '\t'))
        line++;
      while (le > line && (le[-1] == ' ' || le[-1] == '\t' || le[-1] == '\r'))
        le--;
      size_t ll = (size_t) (le - line);
      if (ll == 0 || line[0] == '#')
        continue;

      const char *c1 = memchr (line, ':', ll);
      const char *c2 = c1 ? memchr (c1 + 1, ':', (size_t) (le - c1 - 1)) : NULL;
      const char *c3 = c2 ? memchr (c2 + 1, ':', (size_t) (le - c2 - 1)) : NULL;
      uint32_t start, count;
      if (c1 == NULL || c2 == NULL || c3 != NULL || c1 == line
          || !parse_u32 (c1 + 1, (size_t) (c2 - c1 - 1), &start)
          || !parse_u32 (c2 + 1, (size_t) (le - c2 - 1), &count))
        {
          warn_line (warnings, path, lineno, "malformed line ", line, ll, " (expected NAME:START:COUNT), ignored");
          continue;
        }
      if (!owner_matches (line, (size_t) (c1 - line), user, uid))
        continue;
      if (count == 0)
        {
          warn_line (warnings, path, lineno, "range ", line, ll, " has size 0, ignored");
          continue;
        }
      if ((uint64_t) start + count > (uint64_t) UINT32_MAX)
        {
          warn_line (warnings, path, lineno, "range ", line, ll, " goes past the largest id 4294967294, ignored");
          continue;
        }
      bool merged;
      if (!add_range (out, start, count, &merged))
        warn_line (warnings, path, lineno, "too many ranges, ", line, ll, " ignored (pc uses at most 15 per user)");
      else if (merged)
        warn_line (warnings, path, lineno, "range ", line, ll, " overlaps an earlier range of the same user, merged");
    }
}

int
pc_subid_read (const char *path, const char *user, uid_t uid, struct pc_subid_ranges *out,
               bool *missing, pc_error **err)
{
  out->n = 0;
  if (missing)
    *missing = false;
  pc_autoclose int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENOENT)
        {
          if (missing)
            *missing = true;
          return 0;
        }
      return pc_error_errno (err, errno, "open `%s`", path);
    }
  size_t cap = 4096, len = 0;
  pc_autofree char *buf = xmalloc (cap);
  for (;;)
    {
      if (len == cap)
        buf = xrealloc (buf, cap *= 2);
      ssize_t r = read (fd, buf + len, cap - len);
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          return pc_error_errno (err, errno, "read `%s`", path);
        }
      if (r == 0)
        break;
      len += (size_t) r;
    }
  pc_autostrv char **warnings = NULL;
  pc_subid_parse (buf, len, path, user, uid, out, &warnings);
  for (char **w = warnings; w && *w; w++)
    pc_warn ("%s", *w);
  return 0;
}

uint32_t
pc_subid_suggest_start (const char *path)
{
  uint64_t top = 100000;
  pc_autofclose FILE *f = fopen (path, "re");
  if (f)
    {
      char line[512];
      while (fgets (line, sizeof line, f))
        {
          const char *c1 = strchr (line, ':');
          const char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
          uint32_t start, count;
          if (c2 == NULL || !parse_u32 (c1 + 1, (size_t) (c2 - c1 - 1), &start))
            continue;
          if (!parse_u32 (c2 + 1, strspn (c2 + 1, "0123456789"), &count))
            continue;
          if ((uint64_t) start + count > top)
            top = (uint64_t) start + count;
        }
    }
  if (top + 65536 > UINT32_MAX)
    top = 100000;
  return (uint32_t) top;
}
