/* --detach-keys as podman (and docker) spell them: comma-separated keys,
   each a single character or ctrl-<c> with c in a-z @ [ \ ] ^ _. */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "pkg/monitor/monitor.h"

int
pc_monitor_parse_detach_keys (const char *keys, unsigned char *out, size_t out_size, size_t *len,
                              pc_error **err)
{
  *len = 0;
  if (keys == NULL || *keys == '\0')
    return 0;
  const char *p = keys;
  for (;;)
    {
      const char *comma = strchr (p, ',');
      size_t kl = comma ? (size_t) (comma - p) : strlen (p);
      int code = -1;
      if (kl == 1)
        code = (unsigned char) p[0];
      else if (kl == 6 && strncasecmp (p, "ctrl-", 5) == 0)
        {
          char c = (char) tolower ((unsigned char) p[5]);
          if (c >= 'a' && c <= 'z')
            code = c - 'a' + 1;
          else if (c == '@')
            code = 0;
          else if (c == '[')
            code = 27;
          else if (c == '\\')
            code = 28;
          else if (c == ']')
            code = 29;
          else if (c == '^')
            code = 30;
          else if (c == '_')
            code = 31;
        }
      if (code < 0)
        return pc_error_make (err, EINVAL, "invalid detach keys `%s`: unknown key `%.*s`", keys,
                              (int) kl, p);
      if (*len == out_size)
        return pc_error_make (err, EINVAL, "invalid detach keys `%s`: too many keys", keys);
      out[(*len)++] = (unsigned char) code;
      if (comma == NULL)
        break;
      p = comma + 1;
    }
  return 0;
}
