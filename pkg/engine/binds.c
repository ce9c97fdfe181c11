/* -v/--volume HOST:CTR[:OPTIONS], --mount type=bind|volume|tmpfs|image|devpts
   and --tmpfs, checked together before anything is created: podman's words for bad
   options and for two mounts on one destination. Binds become the record's
   "Mounts" (podman's inspect shape, which spec.c turns into OCI mounts) and
   HostConfig "Binds"; tmpfs mounts from --mount join HostConfig "Tmpfs". */
#include "pkg/engine/internal.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"

/* A lexically cleaned absolute path, as Go's filepath.Clean: no "//", no
   "." components, ".." removed with the component before it. */
static char *
clean_path (const char *p)
{
  pc_autostrv char **parts = NULL;
  pc_autofree char *copy = xstrdup (p);
  char *save = NULL;
  for (char *t = strtok_r (copy, "/", &save); t; t = strtok_r (NULL, "/", &save))
    {
      if (strcmp (t, ".") == 0)
        continue;
      if (strcmp (t, "..") == 0)
        {
          size_t n = pc_strv_len (parts);
          if (n > 0)
            {
              free (parts[n - 1]);
              parts[n - 1] = NULL;
            }
          continue;
        }
      pc_strv_append (&parts, t);
    }
  size_t len = 1;
  for (char **q = parts; q && *q; q++)
    len += strlen (*q) + 1;
  char *out = xmalloc0 (len + 1);
  for (char **q = parts; q && *q; q++)
    {
      strcat (out, "/");
      strcat (out, *q);
    }
  if (*out == '\0')
    strcpy (out, "/");
  return out;
}

char *
eng_mount_clean_path (const char *p)
{
  return clean_path (p);
}

struct bind
{
  char *src, *dst;
  bool ro, ro_set;
  const char *prop;     /* NULL: rprivate */
  bool nonrecursive;
  bool chown;           /* U */
  bool overlay;         /* O */
  char **flags;         /* nosuid, nodev, noexec, suid, dev, exec */
  char *vol;            /* a named or anonymous volume's name; src unused */
  bool nocopy;          /* volume: no copy-up of the image's content */
  bool anon;            /* vol is an anonymous volume's new random name */
  char *image;          /* --mount type=image: the image as the user named it */
  char *subpath;        /* type=image: the part of the image to mount, relative */
  bool devpts;          /* --mount type=devpts: flags holds its options */
  char *idmap;          /* "idmap" or "idmap=uids=...;gids=..." as given (root only) */
};

static void
bind_clear (struct bind *b)
{
  free (b->src);
  free (b->dst);
  free (b->vol);
  free (b->image);
  free (b->subpath);
  free (b->idmap);
  pc_strv_free (b->flags);
}

static const char *const propagations[] = { "shared", "rshared", "slave", "rslave", "private",
                                            "rprivate", "unbindable", "runbindable", NULL };
static const char *const fs_flags[] = { "nosuid", "suid", "nodev", "dev", "noexec", "exec", NULL };

static const char *
in_list (const char *const *l, const char *s)
{
  for (; *l; l++)
    if (strcmp (*l, s) == 0)
      return *l;
  return NULL;
}

/* One -v option, or a --mount key with no value that means the same. */
static int
bind_option (struct bind *b, const char *o, pc_error **err)
{
  const char *p;
  if (strcmp (o, "ro") == 0 || strcmp (o, "rw") == 0)
    {
      if (b->ro_set)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "cannot pass 'ro' and 'rw' options more than once: invalid argument");
      b->ro_set = true;
      b->ro = o[1] == 'o';
    }
  else if ((p = in_list (propagations, o)) != NULL)
    {
      if (b->prop)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "cannot pass multiple propagation options: invalid argument");
      b->prop = p;
    }
  else if (in_list (fs_flags, o))
    pc_strv_append (&b->flags, o);
  else if (strcmp (o, "z") == 0 || strcmp (o, "Z") == 0)
    ; /* SELinux relabelling: there is no SELinux to relabel for here. */
  else if (strcmp (o, "bind") == 0)
    b->nonrecursive = true;
  else if (strcmp (o, "rbind") == 0)
    b->nonrecursive = false;
  else if (strcmp (o, "U") == 0)
    b->chown = true; /* done by the runtime at each start, in the container's user namespace */
  else if (strcmp (o, "O") == 0)
    b->overlay = true;
  else if (strcmp (o, "idmap") == 0 || strncmp (o, "idmap=", 6) == 0)
    {
      /* docs/userns.md: mount_setattr(MOUNT_ATTR_IDMAP) needs CAP_SYS_ADMIN
         over the user namespace owning the source's filesystem. */
      if (geteuid () != 0 || pc_rootless_in_userns ())
        return pc_error_makec (err, PC_ERR_UNSUPPORTED, EPERM,
                               "volume option \"%s\": an unprivileged user cannot make an idmapped mount "
                               "of a host directory (the kernel wants CAP_SYS_ADMIN over the user namespace "
                               "that owns its filesystem, the host's); use --userns=keep-id to own what the "
                               "container writes there, or :U to chown the directory to the container's user", o);
      /* The runtime makes it (pkg/runtime/idmap-mount.c), and refuses a bare
         idmap when the container has no user namespace of its own. */
      free (b->idmap);
      b->idmap = xstrdup (o);
    }
  else
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid option type \"%s\"", o);
  if (b->overlay && (b->ro_set || b->prop || b->flags || b->nonrecursive))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "can't use 'O' with other options");
  return 0;
}

/* strerror as Go prints it, lower-case: podman's messages carry Go's. */
static char *
go_strerror (int e)
{
  char *s = xstrdup (strerror (e));
  s[0] = (char) tolower ((unsigned char) s[0]);
  return s;
}

/* podman resolves a ./relative -v source with filepath.EvalSymlinks first:
   a missing one is "lstat FIRST/MISSING: no such file or directory", the
   path cleaned and relative, up to the first component that is not there. */
static int
missing_relative (const char *src, pc_error **err)
{
  pc_autofree char *clean = clean_path (src); /* "/a/b" for "./a/b" */
  for (char *p = clean + 1; *p; p++)
    {
      bool end = p[1] == '\0';
      if (*p != '/' && !end)
        continue;
      char saved = end ? '\0' : *p;
      if (!end)
        *p = '\0';
      struct stat st;
      int r = lstat (clean + 1, &st), e = errno;
      if (r < 0)
        {
          pc_autofree char *why = go_strerror (e);
          return pc_error_makec (err, e == ENOENT ? PC_ERR_NOT_FOUND : PC_ERR_GENERIC, e,
                                 "lstat %s: %s", clean + 1, why);
        }
      if (!end)
        *p = saved;
    }
  return 0;
}

/* The source: absolute, or relative to the working directory when it starts
   with "." (podman's rule); anything else names a volume, made on first use
   (eng_volumes_attach). A host path must exist: podman never creates a
   missing one (a typo would make a directory). */
static int
bind_source (struct bind *b, const char *src, pc_error **err)
{
  /* "~" and "~/..." are the user's home (podman 4.3 would take "~/x" for a
     volume name and refuse it; the shell expands an unquoted one anyway). */
  pc_autofree char *home_src = NULL;
  if (src[0] == '~' && (src[1] == '\0' || src[1] == '/'))
    {
      const char *home = getenv ("HOME");
      if (home == NULL || home[0] != '/')
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s: HOME is not set to an absolute path", src);
      src = home_src = xasprintf ("%s%s", home, src + 1);
    }
  if (src[0] != '/' && src[0] != '.')
    {
      if (!pc_engine_volume_name_valid (src))
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "volume name \"%s\": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*", src);
      b->vol = xstrdup (src);
      return 0;
    }
  if (src[0] == '/')
    b->src = clean_path (src);
  else
    {
      pc_autofree char *cwd = getcwd (NULL, 0);
      if (cwd == NULL)
        return pc_error_errno (err, errno, "get the working directory for \"%s\"", src);
      pc_autofree char *abs = xasprintf ("%s/%s", cwd, src);
      b->src = clean_path (abs);
      if (missing_relative (src, err) < 0)
        return -1;
    }
  struct statfs sf;
  if (statfs (b->src, &sf) < 0)
    {
      int e = errno;
      pc_autofree char *why = go_strerror (e);
      return pc_error_makec (err, e == ENOENT ? PC_ERR_NOT_FOUND : PC_ERR_GENERIC, e,
                             "statfs %s: %s", b->src, why);
    }
  return 0;
}

static int
bind_dest (struct bind *b, const char *dst, pc_error **err)
{
  if (dst[0] != '/')
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid container path \"%s\", must be an absolute path", dst);
  b->dst = clean_path (dst);
  return 0;
}

static int
parse_volume (const char *spec, struct bind *b, pc_error **err)
{
  pc_autostrv char **parts = NULL;
  pc_autofree char *copy = xstrdup (spec);
  char *s = copy;
  for (char *c; (c = strchr (s, ':')) != NULL; s = c + 1)
    {
      *c = '\0';
      pc_strv_append (&parts, s);
    }
  pc_strv_append (&parts, s);
  size_t n = pc_strv_len (parts);
  if (n == 1)
    {
      /* -v /path: an anonymous volume, named now so Binds can show it. */
      if (parts[0][0] != '/')
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid container path \"%s\", must be an absolute path", spec);
      if ((b->vol = eng_volume_random_name (err)) == NULL)
        return -1;
      b->anon = true;
      return bind_dest (b, parts[0], err);
    }
  if (n > 3 || parts[0][0] == '\0' || parts[1][0] == '\0')
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "incorrect volume format \"%s\", should be [host-dir:]ctr-dir[:option]", spec);
  if (bind_dest (b, parts[1], err) < 0)
    return -1;
  bool is_vol = parts[0][0] != '/' && parts[0][0] != '.';
  if (n == 3)
    {
      pc_autofree char *opts = xstrdup (parts[2]);
      char *save = NULL;
      for (char *t = strtok_r (opts, ",", &save); t; t = strtok_r (NULL, ",", &save))
        if (is_vol && (strcmp (t, "nocopy") == 0 || strcmp (t, "copy") == 0))
          {
            b->nocopy = t[0] == 'n';
            pc_strv_append (&b->flags, t);
          }
        else if (bind_option (b, t, err) < 0)
          return -1;
    }
  return bind_source (b, parts[0], err);
}

static bool
is_true (const char *v, bool *bad)
{
  if (v == NULL || strcmp (v, "true") == 0 || strcmp (v, "1") == 0)
    return true;
  if (strcmp (v, "false") != 0 && strcmp (v, "0") != 0)
    *bad = true;
  return false;
}

/* A devpts option's value: decimal for uid, gid and max, octal for mode. */
static bool
devpts_value_ok (const char *key, const char *v)
{
  if (v == NULL || *v == '\0' || strlen (v) > 10)
    return false;
  const char *digits = strcmp (key, "mode") == 0 ? "01234567" : "0123456789";
  if (strspn (v, digits) != strlen (v))
    return false;
  return strcmp (key, "mode") != 0 || strtoul (v, NULL, 8) <= 07777;
}

/* --mount type=image,source=IMAGE,destination=PATH[,rw=true|false][,subpath=P]
   and type=devpts,destination=PATH[,uid=,gid=,mode=,max=], podman's keys and
   words. The image is looked up at create (image-mount.c). */
static int
parse_image_devpts (bool image, const char *src, const char *dst, char **keys, struct bind *b,
                    pc_error **err)
{
  if (image && (src == NULL || dst == NULL))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "must set source and destination for image volume");
  if (dst == NULL)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "must set volume destination");
  if (!image && src)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "source: invalid mount option");
  if (bind_dest (b, dst, err) < 0)
    return -1;
  b->ro = image;
  b->devpts = !image;
  if (image)
    b->image = xstrdup (src);
  for (char **k = keys; k && *k; k++)
    {
      pc_autofree char *key = xstrdup (*k);
      char *eq = strchr (key, '=');
      const char *v = eq ? eq + 1 : NULL;
      if (eq)
        *eq = '\0';
      if (image && (strcmp (key, "rw") == 0 || strcmp (key, "readwrite") == 0))
        {
          /* podman 4.3 takes only "true" and "false" (and panics on a bare
             rw, which pc reads as true). */
          if (v && strcmp (v, "true") != 0 && strcmp (v, "false") != 0)
            return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid %s value \"%s\": invalid mount option", key, v);
          b->ro = v && strcmp (v, "false") == 0;
        }
      else if (image && strcmp (key, "subpath") == 0 && v && *v)
        {
          /* podman 5's key: only that part of the image, found inside it. */
          pc_autofree char *abs = xasprintf ("/%s", v);
          pc_autofree char *clean = clean_path (abs);
          free (b->subpath);
          b->subpath = strcmp (clean, "/") == 0 ? NULL : xstrdup (clean + 1);
        }
      else if (!image && (strcmp (key, "uid") == 0 || strcmp (key, "gid") == 0 || strcmp (key, "mode") == 0
                          || strcmp (key, "max") == 0))
        {
          /* podman hands them to the runtime as they are, which fails at
             start (126); pc says which one is wrong before anything exists. */
          if (!devpts_value_ok (key, v))
            return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid value for devpts option %s: \"%s\"",
                                   key, v ? v : "");
          pc_strv_append (&b->flags, *k);
        }
      else
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s: invalid mount option", key);
    }
  return 1;
}

/* --mount: bind fills *b (returns 1), tmpfs fills *tdst and *topts (2). */
static int
parse_mount (const char *spec, struct bind *b, char **tdst, char **topts, pc_error **err)
{
  pc_autofree char *copy = xstrdup (spec);
  pc_autofree char *type = NULL, *src = NULL, *dst = NULL;
  pc_autostrv char **keys = NULL, **tmpfs_o = NULL;
  char *save = NULL;
  for (char *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save))
    {
      char *eq = strchr (t, '=');
      const char *v = eq ? eq + 1 : NULL;
      if (eq)
        *eq = '\0';
      if (strcmp (t, "type") == 0 && v)
        {
          free (type);
          type = xstrdup (v);
        }
      else if ((strcmp (t, "src") == 0 || strcmp (t, "source") == 0) && v)
        {
          free (src);
          src = xstrdup (v);
        }
      else if ((strcmp (t, "dst") == 0 || strcmp (t, "destination") == 0 || strcmp (t, "target") == 0) && v)
        {
          free (dst);
          dst = xstrdup (v);
        }
      else
        {
          if (eq)
            *eq = '=';
          pc_strv_append (&keys, t);
        }
    }
  if (type == NULL)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "--mount \"%s\": must specify a type (bind, volume, tmpfs, image or devpts)", spec);
  bool bind = strcmp (type, "bind") == 0, tmpfs = strcmp (type, "tmpfs") == 0;
  bool volume = strcmp (type, "volume") == 0;
  if (strcmp (type, "image") == 0 || strcmp (type, "devpts") == 0)
    return parse_image_devpts (type[0] == 'i', src, dst, keys, b, err);
  if (!bind && !tmpfs && !volume)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid filesystem type \"%s\"", type);
  if (dst == NULL)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "--mount \"%s\": must set volume destination", spec);
  for (char **k = keys; k && *k; k++)
    {
      pc_autofree char *key = xstrdup (*k);
      char *eq = strchr (key, '=');
      const char *v = eq ? eq + 1 : NULL;
      if (eq)
        *eq = '\0';
      bool bad = false;
      if (strcmp (key, "ro") == 0 || strcmp (key, "readonly") == 0 || strcmp (key, "rw") == 0)
        {
          bool on = is_true (v, &bad);
          if (bad)
            return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid value for %s: \"%s\"", key, v);
          bool ro = key[1] == 'w' ? !on : on;
          if (tmpfs)
            pc_strv_append (&tmpfs_o, ro ? "ro" : "rw");
          else if (bind_option (b, ro ? "ro" : "rw", err) < 0)
            return -1;
        }
      else if (in_list (fs_flags, key) && v == NULL)
        {
          if (tmpfs)
            pc_strv_append (&tmpfs_o, key);
          else
            pc_strv_append (&b->flags, key);
        }
      else if (bind && strcmp (key, "bind-propagation") == 0 && v && in_list (propagations, v))
        {
          if (bind_option (b, v, err) < 0)
            return -1;
        }
      else if (bind && strcmp (key, "bind-nonrecursive") == 0)
        {
          b->nonrecursive = is_true (v, &bad);
          if (bad)
            return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid value for bind-nonrecursive: \"%s\"", v);
        }
      else if (bind && (strcmp (key, "relabel") == 0 || strcmp (key, "z") == 0 || strcmp (key, "Z") == 0
                        || strcmp (key, "consistency") == 0))
        ; /* no SELinux here; consistency is a macOS word podman ignores too */
      else if (tmpfs && strcmp (key, "tmpfs-size") == 0 && v && *v)
        {
          pc_autofree char *o = xasprintf ("size=%s", v);
          pc_strv_append (&tmpfs_o, o);
        }
      else if (tmpfs && strcmp (key, "tmpfs-mode") == 0 && v && *v && strspn (v, "01234567") == strlen (v))
        {
          pc_autofree char *o = xasprintf ("mode=%s", v);
          pc_strv_append (&tmpfs_o, o);
        }
      else if (volume && strcmp (key, "volume-nocopy") == 0 && v == NULL)
        {
          b->nocopy = true;
          pc_strv_append (&b->flags, "nocopy");
        }
      else if (tmpfs && (strcmp (key, "tmpcopyup") == 0 || strcmp (key, "notmpcopyup") == 0) && v == NULL)
        pc_strv_append (&tmpfs_o, key);
      else if ((bind || volume) && (strcmp (key, "U") == 0 || strcmp (key, "chown") == 0))
        {
          b->chown = is_true (v, &bad);
          if (bad)
            return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid value for %s: \"%s\"", key, v);
        }
      else if ((bind || volume) && strcmp (key, "idmap") == 0)
        {
          pc_autofree char *o = v ? xasprintf ("idmap=%s", v) : xstrdup ("idmap");
          if (bind_option (b, o, err) < 0)
            return -1;
        }
      else
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s: invalid mount option", *k);
    }
  if (tmpfs)
    {
      if (src)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "source is not supported with tmpfs mounts");
      if (dst[0] != '/')
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid container path \"%s\", must be an absolute path", dst);
      *tdst = clean_path (dst);
      size_t len = 1;
      for (char **o = tmpfs_o; o && *o; o++)
        len += strlen (*o) + 1;
      *topts = xmalloc0 (len);
      for (char **o = tmpfs_o; o && *o; o++)
        {
          if (o != tmpfs_o)
            strcat (*topts, ",");
          strcat (*topts, *o);
        }
      return 2;
    }
  if (volume)
    {
      /* No source: an anonymous volume. A path is no volume name. */
      if (bind_dest (b, dst, err) < 0)
        return -1;
      b->anon = src == NULL;
      if (src == NULL)
        return (b->vol = eng_volume_random_name (err)) ? 1 : -1;
      if (src[0] == '/' || src[0] == '.')
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                               "volume name \"%s\": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*", src);
      return bind_source (b, src, err) < 0 ? -1 : 1;
    }
  if (src == NULL)
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "--mount \"%s\": must set source for a bind mount", spec);
  /* --mount type=bind takes any relative source from the working directory,
     and reports a missing one by its absolute path, as podman. */
  pc_autofree char *abs = NULL;
  if (src[0] != '/' && !(src[0] == '~' && (src[1] == '\0' || src[1] == '/')))
    {
      pc_autofree char *cwd = getcwd (NULL, 0);
      if (cwd == NULL)
        return pc_error_errno (err, errno, "get the working directory for \"%s\"", src);
      abs = xasprintf ("%s/%s", cwd, src);
    }
  if (bind_dest (b, dst, err) < 0 || bind_source (b, abs ? abs : src, err) < 0)
    return -1;
  return 1;
}

/* podman's inspect Mounts entry and its HostConfig.Binds string. */
static void
bind_record (const struct bind *b, json_object *mounts, json_object *binds)
{
  if (b->vol)
    {
      /* U, idmap and a propagation apply to a volume's _data as to a host
         directory (the runtime reads them from the mount's options). */
      pc_autostrv char **vo = NULL;
      if (b->chown)
        pc_strv_append (&vo, "U");
      if (b->idmap)
        pc_strv_append (&vo, b->idmap);
      for (char **f = b->flags; f && *f; f++)
        pc_strv_append (&vo, *f);
      eng_volume_mount_record (b->vol, b->anon, b->dst, b->ro, b->prop, vo, mounts, binds);
      return;
    }
  if (b->image || b->devpts)
    {
      eng_image_devpts_record (b->image, b->subpath, b->dst, b->ro, b->flags, mounts, binds);
      return;
    }
  const char *prop = b->prop ? b->prop : "rprivate";
  pc_autostrv char **o = NULL;
  /* podman shows U and O first. */
  if (b->chown)
    pc_strv_append (&o, "U");
  if (b->overlay)
    pc_strv_append (&o, "O");
  if (b->idmap)
    pc_strv_append (&o, b->idmap);
  for (char **f = b->flags; f && *f; f++)
    pc_strv_append (&o, *f);
  pc_strv_append (&o, b->nonrecursive ? "bind" : "rbind");
  json_object *m = json_object_new_object ();
  json_object_object_add (m, "Type", json_object_new_string ("bind"));
  json_object_object_add (m, "Source", json_object_new_string (b->src));
  json_object_object_add (m, "Destination", json_object_new_string (b->dst));
  json_object_object_add (m, "Driver", json_object_new_string (""));
  json_object_object_add (m, "Mode", json_object_new_string (""));
  json_object *oa = json_object_new_array ();
  for (char **p = o; p && *p; p++)
    json_object_array_add (oa, json_object_new_string (*p));
  json_object_object_add (m, "Options", oa);
  json_object_object_add (m, "RW", json_object_new_boolean (!b->ro));
  json_object_object_add (m, "Propagation", json_object_new_string (prop));
  json_object_array_add (mounts, m);
  pc_autofree char *ol = pc_strv_join (o, ",");
  pc_autofree char *s = xasprintf ("%s:%s:%s%s%s%s%s,%s,%s", b->src, b->dst, b->chown ? "U," : "",
                                   b->overlay ? "O," : "", b->idmap ? b->idmap : "", b->idmap ? "," : "",
                                   b->ro ? "ro" : "rw", prop,
                                   ol + (b->chown ? 2 : 0) + (b->overlay ? 2 : 0)
                                   + (b->idmap ? strlen (b->idmap) + 1 : 0));
  json_object_array_add (binds, json_object_new_string (s));
}

static int
claim_dest (char ***seen, const char *dst, pc_error **err)
{
  if (pc_strv_contains (*seen, dst))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s: duplicate mount destination", dst);
  pc_strv_append (seen, dst);
  return 0;
}

int
eng_mounts_check (const struct pc_create_opts *o, json_object *hc, pc_error **err)
{
  pc_autostrv char **seen = NULL;
  pc_autojson json_object *mounts = json_object_new_array ();
  pc_autojson json_object *binds = json_object_new_array ();
  pc_autojson json_object *tmpfs = json_object_new_object ();
  for (char **t = o->tmpfs; t && *t; t++)
    {
      if ((*t)[0] != '/')
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "invalid mount destination \"%s\": must be an absolute path", *t);
      const char *colon = strchr (*t, ':');
      pc_autofree char *raw = colon ? xstrndup (*t, (size_t) (colon - *t)) : xstrdup (*t);
      pc_autofree char *dest = clean_path (raw);
      if (claim_dest (&seen, dest, err) < 0)
        return -1;
      json_object_object_add (tmpfs, dest, json_object_new_string (colon ? colon + 1 : ""));
    }
  for (int k = 0; k < 2; k++)
    for (char **v = k ? o->mounts : o->volumes; v && *v; v++)
      {
        struct bind b = { 0 };
        pc_autofree char *tdst = NULL, *topts = NULL;
        int r = k ? parse_mount (*v, &b, &tdst, &topts, err) : parse_volume (*v, &b, err);
        if (r >= 0 && claim_dest (&seen, tdst ? tdst : b.dst, err) < 0)
          r = -1;
        if (r >= 0 && b.vol && b.overlay)
          r = pc_error_makec (err, PC_ERR_UNSUPPORTED, ENOTSUP,
                              "%s: the O (overlay) option is for host directories; a named volume cannot be "
                              "its lower layer yet", *v);
        if (r == 2)
          json_object_object_add (tmpfs, tdst, json_object_new_string (topts));
        else if (r >= 0)
          bind_record (&b, mounts, binds);
        bind_clear (&b);
        if (r < 0)
          return -1;
      }
  json_object_object_add (hc, "Binds", steal_pointer (&binds));
  json_object_object_add (hc, "Tmpfs", steal_pointer (&tmpfs));
  json_object_object_add (hc, ENG_MOUNTS_KEY, steal_pointer (&mounts));
  return 0;
}

static size_t
depth (const char *dst)
{
  size_t d = 0;
  for (const char *p = dst ? dst : ""; *p; p++)
    if (*p == '/' && p[1] != '\0' && p[1] != '/')
      d++;
  return d;
}

json_object *
eng_mounts_by_depth (json_object *mounts)
{
  size_t n = pc_json_array_len (mounts), max = 0;
  for (size_t i = 0; i < n; i++)
    {
      size_t d = depth (pc_json_get_string (json_object_array_get_idx (mounts, i), "destination"));
      max = d > max ? d : max;
    }
  json_object *out = json_object_new_array ();
  for (size_t d = 0; d <= max; d++)
    for (size_t i = 0; i < n; i++)
      {
        json_object *m = json_object_array_get_idx (mounts, i);
        if (depth (pc_json_get_string (m, "destination")) == d)
          json_object_array_add (out, json_object_get (m));
      }
  return out;
}

bool
eng_mount_propagation_valid (const char *p)
{
  return p != NULL && in_list (propagations, p) != NULL;
}
