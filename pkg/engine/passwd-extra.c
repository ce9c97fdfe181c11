/* The /etc/passwd lines podman adds at start, added here at create into
   the copy bound over the image's (as keep-id's in userns.c):
   - a numeric user (-u 1234, or the image's) the image's passwd lacks:
     "1234:*:1234:GID:container user:WORKDIR:/bin/sh";
   - --hostuser NAME|UID: the host's entry for that user;
   --passwd-entry replaces podman's line by its template, with $USERNAME,
   $UID, $GID, $NAME and $HOME filled in. The host user's home is theirs
   when it is mounted in, else the working directory, as podman. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/engine/internal.h"
#include "pkg/engine/run-extras.h"

/* Is uid the third field of a line in text? */
static bool
passwd_has_uid (const char *text, unsigned long uid)
{
  pc_autofree char *copy = text ? xstrdup (text) : NULL;
  for (char *save = NULL, *line = copy ? strtok_r (copy, "\n", &save) : NULL; line;
       line = strtok_r (NULL, "\n", &save))
    {
      char *c1 = strchr (line, ':');
      char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      if (c2 == NULL)
        continue;
      char *end = NULL;
      errno = 0;
      unsigned long v = strtoul (c2 + 1, &end, 10);
      if (errno == 0 && end != c2 + 1 && (*end == ':' || *end == '\0') && v == uid)
        return true;
    }
  return false;
}

static bool
passwd_has_name (const char *text, const char *name)
{
  size_t n = strlen (name);
  for (const char *l = text; l && *l; l = strchr (l, '\n') ? strchr (l, '\n') + 1 : NULL)
    if (strncmp (l, name, n) == 0 && l[n] == ':')
      return true;
  return false;
}

/* podman's passwdEntry: each variable replaced wherever it appears. */
static char *
fill_template (const char *tmpl, const char *username, const char *uid, const char *gid,
               const char *name, const char *home)
{
  const struct { const char *var, *val; } vars[] = {
    { "$USERNAME", username }, { "$UID", uid }, { "$GID", gid }, { "$NAME", name }, { "$HOME", home },
  };
  char *s = xstrdup (tmpl);
  for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
    {
      size_t vl = strlen (vars[i].var);
      char *p;
      size_t from = 0;
      while ((p = strstr (s + from, vars[i].var)) != NULL)
        {
          size_t at = (size_t) (p - s);
          char *n = xasprintf ("%.*s%s%s", (int) at, s, vars[i].val, p + vl);
          from = at + strlen (vars[i].val);
          free (s);
          s = n;
        }
    }
  char *line = xasprintf ("%s\n", s);
  free (s);
  return line;
}

static char *
entry (const char *tmpl, const char *username, unsigned long uid, unsigned long gid,
       const char *name, const char *home, const char *shell)
{
  char u[24], g[24];
  snprintf (u, sizeof u, "%lu", uid);
  snprintf (g, sizeof g, "%lu", gid);
  if (tmpl)
    return fill_template (tmpl, username, u, g, name, home);
  return xasprintf ("%s:*:%s:%s:%s:%s:%s\n", username, u, g, name, home, shell);
}

/* podman's userPasswdEntry: the user's home when it or a directory above
   it is a mount's destination, else the working directory (whether the
   image has the directory does not count). */
static const char *
host_user_home (json_object *spec, const char *home, const char *wd)
{
  pc_autofree char *h = xstrdup (home ? home : "/");
  while (strcmp (h, "/") != 0 && *h)
    {
      json_object *mounts = pc_json_get_array (spec, "mounts");
      for (size_t i = 0; i < pc_json_array_len (mounts); i++)
        {
          const char *d = pc_json_get_string (json_object_array_get_idx (mounts, i), "destination");
          if (d && strcmp (d, h) == 0)
            return home;
        }
      char *slash = strrchr (h, '/');
      if (slash == NULL)
        break;
      if (slash == h)
        slash[1] = '\0';
      else
        *slash = '\0';
    }
  return wd && *wd ? wd : "/";
}

static bool
all_digits (const char *s)
{
  if (*s == '\0')
    return false;
  for (; *s; s++)
    if (*s < '0' || *s > '9')
      return false;
  return true;
}

int
eng_extras_passwd (struct pc_engine *e, const char *id, const struct pc_rootfs_mount *m,
                   const struct eng_user *u, json_object *rec, json_object *spec, pc_error **err)
{
  const char *tmpl = pc_json_get_string (rec, "PasswdEntry");
  json_object *hu = pc_json_get_array (rec, "HostUsers");
  json_object *cfg = pc_json_get_object (rec, "Config");
  const char *user = pc_json_get_string (cfg, "User");
  const char *wd = pc_json_get_string (cfg, "WorkingDir");
  /* A numeric user: only its uid part names it. Nothing to read for the
     usual container (a named user or root, no --hostuser). */
  pc_autofree char *uname = user ? xstrndup (user, strcspn (user, ":")) : NULL;
  bool numeric = uname && all_digits (uname) && u->uid != 0;
  if (!numeric && pc_json_array_len (hu) == 0)
    return 0;
  /* keep-id (userns.c) may have written the copy already: add to it. */
  pc_autofree char *rel = xasprintf ("%s/passwd", id);
  pc_autofree char *base = NULL;
  pc_autoerror pc_error *rerr = NULL;
  bool have_copy = pc_read_file_max (e->ctr_dfd, rel, 1 << 20, PC_READ_REGULAR, &base, NULL, &rerr) == 0;
  if (!have_copy)
    base = eng_image_etc_file (m, "etc/passwd");
  pc_autofree char *add = xstrdup ("");
  if (numeric && !passwd_has_uid (base, u->uid))
    {
      pc_autofree char *l = entry (tmpl, uname, u->uid, u->gid, "container user", wd && *wd ? wd : "/",
                                   "/bin/sh");
      char *n = xasprintf ("%s%s", add, l);
      free (add);
      add = n;
    }
  for (size_t i = 0; i < pc_json_array_len (hu); i++)
    {
      const char *h = pc_json_array_string_at (hu, i);
      if (h == NULL)
        continue;
      struct passwd *pw = all_digits (h) ? getpwuid ((uid_t) strtoul (h, NULL, 10)) : getpwnam (h);
      if (pw == NULL)
        return pc_error_makec (err, PC_ERR_INVALID, ENOENT,
                               "creating temporary passwd file for container %s: user: unknown user %s", id, h);
      /* podman: not when the image knows the name or the uid */
      if (passwd_has_name (base, pw->pw_name) || passwd_has_name (add, pw->pw_name)
          || passwd_has_uid (base, pw->pw_uid))
        continue;
      pc_autofree char *l = entry (tmpl, pw->pw_name, pw->pw_uid, pw->pw_gid, pw->pw_gecos ? pw->pw_gecos : "",
                                   host_user_home (spec, pw->pw_dir, wd), "/bin/sh");
      char *n = xasprintf ("%s%s", add, l);
      free (add);
      add = n;
    }
  if (*add == '\0')
    return 0;
  size_t bl = base ? strlen (base) : 0;
  pc_autofree char *text = xasprintf ("%s%s%s", base ? base : "", bl && base[bl - 1] != '\n' ? "\n" : "", add);
  if (eng_write_volatile (e->ctr_dfd, rel, text, strlen (text), err) < 0)
    return -1;
  if (have_copy)
    return 0;   /* already bound over the image's */
  pc_autofree char *src = xasprintf ("%s/containers/%s/passwd", e->data_dir, id);
  json_object *mo = json_object_new_object ();
  json_object_object_add (mo, "destination", json_object_new_string ("/etc/passwd"));
  json_object_object_add (mo, "type", json_object_new_string ("bind"));
  json_object_object_add (mo, "source", json_object_new_string (src));
  json_object *op = json_object_new_array ();
  json_object_array_add (op, json_object_new_string ("bind"));
  json_object_array_add (op, json_object_new_string ("rprivate"));
  json_object_object_add (mo, "options", op);
  json_object_array_add (pc_json_get (spec, "mounts"), mo);
  return 0;
}
