/* Writing auth.json as podman's login and logout do: only the first file
   of the lookup order (--authfile, REGISTRY_AUTH_FILE,
   $XDG_RUNTIME_DIR/containers/auth.json), the rest of the file kept,
   replaced atomically with mode 0600 in a directory made 0700. A path that
   exists but is not a regular file is refused, never replaced. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "pkg/registry/config.h"
#include "pkg/registry/registry.h"

static int
write_auth (const char *path, json_object *root, pc_error **err)
{
  struct stat st;
  if (lstat (path, &st) == 0 && !S_ISREG (st.st_mode) && !S_ISLNK (st.st_mode))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s: not a regular file", path);
  pc_autofree char *dir = xstrdup (path);
  char *slash = strrchr (dir, '/');
  if (slash && slash != dir)
    {
      *slash = '\0';
      if (stat (dir, &st) < 0)
        {
          if (pc_mkdir_p (AT_FDCWD, dir, 0700, err) < 0)
            return pc_error_wrap (err, "creating the directory of %s", path);
        }
    }
  /* A symlink to the file (a dotfiles setup) is written through. */
  pc_autofree char *real = NULL;
  if (lstat (path, &st) == 0 && S_ISLNK (st.st_mode))
    {
      real = realpath (path, NULL);
      if (real == NULL || stat (real, &st) < 0 || !S_ISREG (st.st_mode))
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, "%s: not a regular file", path);
    }
  const char *text = json_object_to_json_string_ext (root, JSON_C_TO_STRING_PRETTY
                                                               | JSON_C_TO_STRING_PRETTY_TAB
                                                               | JSON_C_TO_STRING_SPACED
                                                               | JSON_C_TO_STRING_NOSLASHESCAPE);
  size_t len = strlen (text);
  pc_autofree char *buf = xstrdup (text);
  int r = pc_write_file_atomic (AT_FDCWD, real ? real : path, buf, len, 0600, err);
  explicit_bzero (buf, len);
  return r;
}

/* The first file's object (a new one when it does not exist) and its "auths". */
static json_object *
open_primary (const char *authfile, char **path, json_object **auths, pc_error **err)
{
  pc_autostrv char **paths = pc_auth_paths (authfile);
  *path = xstrdup (paths[0]);
  pc_autoerror pc_error *e = NULL;
  json_object *root = pc_auth_read_file (*path, &e);
  if (root == NULL && e)
    {
      *err = steal_pointer (&e);
      return NULL;
    }
  if (root == NULL)
    root = json_object_new_object ();
  json_object *a;
  if (!json_object_object_get_ex (root, "auths", &a) || !json_object_is_type (a, json_type_object))
    {
      a = json_object_new_object ();
      json_object_object_add (root, "auths", a);
    }
  *auths = a;
  return root;
}

int
pc_auth_store (const char *authfile, const char *key, const char *user, const char *password,
               pc_error **err)
{
  pc_autofree char *path = NULL;
  json_object *auths;
  pc_autojson json_object *root = open_primary (authfile, &path, &auths, err);
  if (root == NULL)
    return -1;
  pc_autofree char *plain = xasprintf ("%s:%s", user, password);
  pc_autofree char *enc = pc_base64_encode (plain, strlen (plain));
  explicit_bzero (plain, strlen (plain));
  json_object *entry = json_object_new_object ();
  json_object_object_add (entry, "auth", json_object_new_string (enc));
  explicit_bzero (enc, strlen (enc));
  json_object_object_add (auths, key, entry);
  return write_auth (path, root, err);
}

int
pc_auth_remove (const char *authfile, const char *key, pc_error **err)
{
  pc_autofree char *path = NULL;
  json_object *auths;
  pc_autojson json_object *root = open_primary (authfile, &path, &auths, err);
  if (root == NULL)
    return -1;
  if (!json_object_object_get_ex (auths, key, NULL))
    return pc_error_makec (err, PC_ERR_NOT_FOUND, ENOENT, "not logged into %s", key);
  json_object_object_del (auths, key);
  return write_auth (path, root, err);
}

int
pc_auth_remove_all (const char *authfile, pc_error **err)
{
  pc_autofree char *path = NULL;
  json_object *auths;
  pc_autojson json_object *root = open_primary (authfile, &path, &auths, err);
  if (root == NULL)
    return -1;
  json_object_object_add (root, "auths", json_object_new_object ());
  json_object_object_del (root, "credHelpers");
  return write_auth (path, root, err);
}

/* ---- registry.h's login functions ---- */

int
pc_registry_login_key (const char *arg, char **key, char **host, pc_error **err)
{
  *key = *host = NULL;
  if (arg)
    return pc_auth_parse_key (arg, key, host, err);
  struct pc_registries_conf c;
  if (pc_registries_conf_load (NULL, &c, err) < 0)
    return -1;
  int r = 0;
  if (c.search == NULL || c.search[0] == NULL)
    r = pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                        "no registries found in registries.conf, a registry must be provided");
  else
    {
      *key = xstrdup (c.search[0]);
      *host = xstrdup (c.search[0]);
      pc_debug ("registry not specified, default to the first registry \"%s\" from registries.conf", *key);
    }
  pc_registries_conf_clear (&c);
  return r;
}

int
pc_registry_auth_store (const char *authfile, const char *key, const char *user, const char *password,
                        pc_error **err)
{
  return pc_auth_store (authfile, key, user, password, err);
}

int
pc_registry_auth_remove (const char *authfile, const char *key, pc_error **err)
{
  if (key == NULL)
    return pc_auth_remove_all (authfile, err);
  return pc_auth_remove (authfile, key, err);
}
