/* docker/podman seccomp profiles (archMap, includes/excludes on caps,
   arches and minKernel) -> the OCI linux.seccomp object for one container,
   as podman resolves them when it writes config.json. An OCI-form profile
   (plain "architectures", no conditions) passes through unchanged. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/runtime/internal.h"

const char *pc_runtime_default_seccomp_json_text (void);

const char *
pc_runtime_default_seccomp_json (void)
{
  return pc_runtime_default_seccomp_json_text ();
}

#if defined(__x86_64__)
#define NATIVE_ARCH "SCMP_ARCH_X86_64"
#define NATIVE_GOARCH "amd64"
#elif defined(__aarch64__)
#define NATIVE_ARCH "SCMP_ARCH_AARCH64"
#define NATIVE_GOARCH "arm64"
#elif defined(__i386__)
#define NATIVE_ARCH "SCMP_ARCH_X86"
#define NATIVE_GOARCH "386"
#else
#error "add this architecture's seccomp name"
#endif

static json_object *
get (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (o == NULL || !json_object_object_get_ex (o, key, &v))
    return NULL;
  return v;
}

static bool
has_cap (const char *const *caps, const char *cap)
{
  for (; caps && *caps; caps++)
    if (rt_cap_from_name (*caps) >= 0 && rt_cap_from_name (*caps) == rt_cap_from_name (cap))
      return true;
  return false;
}

static bool
arch_listed (json_object *arches)
{
  for (size_t i = 0; i < json_object_array_length (arches); i++)
    {
      const char *a = json_object_get_string (json_object_array_get_idx (arches, i));
      if (strcmp (a, NATIVE_GOARCH) == 0 || strcmp (a, NATIVE_ARCH) == 0)
        return true;
    }
  return false;
}

/* "4.8" <= running kernel? */
static bool
kernel_at_least (const char *min)
{
  struct utsname u;
  unsigned a = 0, b = 0, ka = 0, kb = 0;
  if (uname (&u) < 0 || sscanf (min, "%u.%u", &a, &b) < 1 || sscanf (u.release, "%u.%u", &ka, &kb) < 1)
    return false;
  return ka > a || (ka == a && kb >= b);
}

/* Whether a rule applies to a container with `caps` on this machine. */
static bool
rule_applies (json_object *rule, const char *const *caps)
{
  json_object *inc = get (rule, "includes");
  json_object *exc = get (rule, "excludes");
  json_object *v;
  if ((v = get (inc, "caps")) != NULL)
    for (size_t i = 0; i < json_object_array_length (v); i++)
      if (!has_cap (caps, json_object_get_string (json_object_array_get_idx (v, i))))
        return false;
  if ((v = get (inc, "arches")) != NULL && json_object_array_length (v) > 0 && !arch_listed (v))
    return false;
  if ((v = get (inc, "minKernel")) != NULL && !kernel_at_least (json_object_get_string (v)))
    return false;
  if ((v = get (exc, "caps")) != NULL)
    for (size_t i = 0; i < json_object_array_length (v); i++)
      if (has_cap (caps, json_object_get_string (json_object_array_get_idx (v, i))))
        return false;
  if ((v = get (exc, "arches")) != NULL && arch_listed (v))
    return false;
  return true;
}

static json_object *
architectures (json_object *profile)
{
  json_object *out = json_object_new_array ();
  json_object *map = get (profile, "archMap");
  json_object *plain = get (profile, "architectures");
  for (size_t i = 0; map && i < json_object_array_length (map); i++)
    {
      json_object *e = json_object_array_get_idx (map, i);
      const char *a = json_object_get_string (get (e, "architecture"));
      if (a == NULL || strcmp (a, NATIVE_ARCH) != 0)
        continue;
      json_object_array_add (out, json_object_new_string (a));
      json_object *subs = get (e, "subArchitectures");
      for (size_t j = 0; subs && j < json_object_array_length (subs); j++)
        json_object_array_add (out, json_object_get (json_object_array_get_idx (subs, j)));
    }
  for (size_t i = 0; map == NULL && plain && i < json_object_array_length (plain); i++)
    json_object_array_add (out, json_object_get (json_object_array_get_idx (plain, i)));
  return out;
}

#define WHAT "seccomp profile"

static int
check_filter (json_object *f, const char *key, pc_error **err)
{
  if (pc_json_check_type (f, key, json_type_object, WHAT, err) < 0)
    return -1;
  json_object *o = pc_json_get_object (f, key);
  if (pc_json_check_strings (o, "caps", WHAT, err) < 0
      || pc_json_check_strings (o, "arches", WHAT, err) < 0
      || pc_json_check_type (o, "minKernel", json_type_string, WHAT, err) < 0)
    return pc_error_wrap (err, "`%s`", key);
  return 0;
}

/* Every field read below, of the type docker's profile format gives it, so
   that a profile of the wrong shape is an error, never an assertion. */
static int
check_profile (json_object *p, pc_error **err)
{
  if (!json_object_is_type (p, json_type_object))
    return pc_error_makec (err, PC_ERR_INVALID, EINVAL, WHAT ": not a JSON object");
  if (pc_json_check_type (p, "defaultAction", json_type_string, WHAT, err) < 0
      || pc_json_check_type (p, "defaultErrnoRet", json_type_int, WHAT, err) < 0
      || pc_json_check_strings (p, "architectures", WHAT, err) < 0
      || pc_json_check_strings (p, "flags", WHAT, err) < 0
      || pc_json_check_type (p, "archMap", json_type_array, WHAT, err) < 0
      || pc_json_check_type (p, "syscalls", json_type_array, WHAT, err) < 0)
    return -1;
  json_object *map = pc_json_get_array (p, "archMap");
  for (size_t i = 0; i < pc_json_array_len (map); i++)
    {
      json_object *e = pc_json_array_object_at (map, i);
      if (e == NULL)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, WHAT ": archMap[%zu] is not an object", i);
      if (pc_json_check_type (e, "architecture", json_type_string, WHAT, err) < 0
          || pc_json_check_strings (e, "subArchitectures", WHAT, err) < 0)
        return pc_error_wrap (err, "archMap[%zu]", i);
    }
  json_object *sc = pc_json_get_array (p, "syscalls");
  for (size_t i = 0; i < pc_json_array_len (sc); i++)
    {
      json_object *r = pc_json_array_object_at (sc, i);
      if (r == NULL)
        return pc_error_makec (err, PC_ERR_INVALID, EINVAL, WHAT ": syscalls[%zu] is not an object", i);
      if (pc_json_check_strings (r, "names", WHAT, err) < 0
          || pc_json_check_type (r, "name", json_type_string, WHAT, err) < 0
          || pc_json_check_type (r, "action", json_type_string, WHAT, err) < 0
          || pc_json_check_type (r, "errnoRet", json_type_int, WHAT, err) < 0
          || pc_json_check_type (r, "args", json_type_array, WHAT, err) < 0
          || check_filter (r, "includes", err) < 0 || check_filter (r, "excludes", err) < 0)
        return pc_error_wrap (err, "syscalls[%zu]", i);
      json_object *args = pc_json_get_array (r, "args");
      for (size_t k = 0; k < pc_json_array_len (args); k++)
        {
          json_object *a = pc_json_array_object_at (args, k);
          if (a == NULL)
            return pc_error_makec (err, PC_ERR_INVALID, EINVAL,
                                   WHAT ": syscalls[%zu].args[%zu] is not an object", i, k);
          if (pc_json_check_type (a, "index", json_type_int, WHAT, err) < 0
              || pc_json_check_type (a, "value", json_type_int, WHAT, err) < 0
              || pc_json_check_type (a, "valueTwo", json_type_int, WHAT, err) < 0
              || pc_json_check_type (a, "op", json_type_string, WHAT, err) < 0)
            return pc_error_wrap (err, "syscalls[%zu].args[%zu]", i, k);
        }
    }
  return 0;
}

static json_object *
convert (json_object *profile, const char *const *caps, pc_error **err)
{
  if (check_profile (profile, err) < 0)
    return NULL;
  json_object *da = get (profile, "defaultAction");
  if (da == NULL || !json_object_is_type (da, json_type_string))
    {
      pc_error_make (err, EINVAL, "seccomp profile: missing defaultAction");
      return NULL;
    }
  json_object *out = json_object_new_object ();
  json_object_object_add (out, "defaultAction", json_object_get (da));
  json_object *der = get (profile, "defaultErrnoRet");
  if (der)
    json_object_object_add (out, "defaultErrnoRet", json_object_get (der));
  json_object_object_add (out, "architectures", architectures (profile));
  json_object *flags = get (profile, "flags");
  if (flags)
    json_object_object_add (out, "flags", json_object_get (flags));

  json_object *rules = json_object_new_array ();
  json_object *in = get (profile, "syscalls");
  for (size_t i = 0; in && i < json_object_array_length (in); i++)
    {
      json_object *r = json_object_array_get_idx (in, i);
      if (!rule_applies (r, caps))
        continue;
      json_object *names = get (r, "names");
      json_object *name = get (r, "name");
      json_object *act = get (r, "action");
      if ((names == NULL && name == NULL) || act == NULL)
        {
          json_object_put (rules);
          json_object_put (out);
          pc_error_make (err, EINVAL, "seccomp profile: syscalls[%zu] needs names and action", i);
          return NULL;
        }
      json_object *o = json_object_new_object ();
      if (names)
        json_object_object_add (o, "names", json_object_get (names));
      else
        {
          json_object *a = json_object_new_array ();
          json_object_array_add (a, json_object_get (name));
          json_object_object_add (o, "names", a);
        }
      json_object_object_add (o, "action", json_object_get (act));
      json_object *v;
      if ((v = get (r, "errnoRet")) != NULL)
        json_object_object_add (o, "errnoRet", json_object_get (v));
      if ((v = get (r, "args")) != NULL && json_object_array_length (v) > 0)
        json_object_object_add (o, "args", json_object_get (v));
      json_object_array_add (rules, o);
    }
  json_object_object_add (out, "syscalls", rules);
  return out;
}

json_object *
pc_runtime_seccomp_to_oci (const char *profile, const char *const *caps, pc_error **err)
{
  const char *text = profile ? profile : pc_runtime_default_seccomp_json ();
  json_tokener *tok = json_tokener_new ();
  json_object *o = json_tokener_parse_ex (tok, text, (int) strlen (text));
  enum json_tokener_error jerr = json_tokener_get_error (tok);
  json_tokener_free (tok);
  if (o == NULL || jerr != json_tokener_success)
    {
      json_object_put (o);
      pc_error_make (err, EINVAL, "seccomp profile: invalid JSON: %s", json_tokener_error_desc (jerr));
      return NULL;
    }
  json_object *out = convert (o, caps, err);
  json_object_put (o);
  return out;
}
