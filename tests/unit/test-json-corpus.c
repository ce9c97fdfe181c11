/* A corpus of type-confused documents: every field of each kind of outside
   JSON pc reads (image config, container record, seccomp profile, image
   record) replaced by each other JSON type, and the whole document too, fed
   to the code that reads it. Each must be accepted or refused with a
   message; under ASan/UBSan (build-*-asan) a crash or an assertion fails
   the run. manifest.json, index.json and OCI manifests go through pc load
   in tests/system/047-type-confused.bats. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "pkg/engine/engine.h"
#include "pkg/engine/internal.h"
#include "pkg/runtime/runtime.h"
#include "pkg/storage/storage.h"
#include "pkg/storage/store-private.h"
#include "tests/unit/tap.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char image_config[] =
  "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-01T00:00:00Z\","
  "\"config\":{\"Env\":[\"PATH=/bin\",\"A=1\"],\"Entrypoint\":[\"/entry\",\"-x\"],"
  "\"Cmd\":[\"sh\"],\"WorkingDir\":\"/w\",\"User\":\"0\",\"StopSignal\":\"SIGQUIT\","
  "\"Labels\":{\"a\":\"b\"},\"ExposedPorts\":{\"80/tcp\":{}},\"Volumes\":{\"/v\":{}}},"
  "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" ID "\"]},"
  "\"history\":[{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"x\",\"empty_layer\":false}]}";

static const char seccomp_profile[] =
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
  "\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X86\"]},"
  "{\"architecture\":\"SCMP_ARCH_AARCH64\",\"subArchitectures\":[]}],"
  "\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],"
  "\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},"
  "{\"name\":\"personality\",\"action\":\"SCMP_ACT_ALLOW\",\"errnoRet\":1,"
  "\"args\":[{\"index\":0,\"value\":8,\"valueTwo\":0,\"op\":\"SCMP_CMP_EQ\"}]},"
  "{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"],"
  "\"arches\":[\"amd64\"],\"minKernel\":\"4.8\"},\"excludes\":{\"caps\":[\"CAP_X\"],\"arches\":[\"s390x\"]}}]}";

static const char image_record[] =
  "{\"id\":\"" ID "\",\"names\":[\"localhost/a:latest\"],\"names_history\":[\"localhost/a:latest\"],"
  "\"digest\":\"sha256:" ID "\",\"digests\":[\"sha256:" ID "\"],\"created\":\"2024-01-01T00:00:00Z\","
  "\"loaded\":\"2024-01-01T00:00:00Z\",\"size\":5,\"manifest_type\":\"x\","
  "\"layers\":[{\"chain_id\":\"sha256:" ID "\",\"diff_id\":\"sha256:" ID "\",\"blob\":\"sha256:" ID "\","
  "\"media_type\":\"t\",\"blob_size\":1,\"diff_size\":2}]}";

/* The values each field is replaced by: every JSON type, and a deep one. */
static const char *const values[] = {
  "null", "0", "-1", "1.5", "true", "\"s\"", "\"\"", "[]", "{}", "[null]", "[1]", "[{}]",
  "{\"k\":null}", "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]",
  NULL,
};

typedef int (*consumer) (json_object *doc, pc_error **err);

struct stats
{
  int runs, refused, silent;
};

static void
run_one (consumer fn, json_object *doc, struct stats *st)
{
  pc_error *err = NULL;
  int r = fn (doc, &err);
  st->runs++;
  if (r < 0)
    {
      st->refused++;
      if (err == NULL || err->msg == NULL || *err->msg == '\0')
        st->silent++;
    }
  pc_error_clear (&err);
}

static json_object *parse (const char *s);

/* Through text: json-c's deep copy refuses parsed doubles. */
static json_object *
copy (json_object *o)
{
  return o ? parse (json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN)) : NULL;
}

static json_object *
parse (const char *s)
{
  /* json_tokener_parse: a bare number needs the end of the string. */
  json_object *o = json_tokener_parse (s);
  if (o == NULL && strcmp (s, "null") != 0)
    abort ();
  return o;
}

/* Every slot (object member, array item) below node: set to each value,
   and for a member removed too, a copy of the whole root run, then the
   original put back and walked into. */
static void
walk (consumer fn, json_object *root, json_object *node, struct stats *st)
{
  if (node == NULL)
    return;
  if (json_object_is_type (node, json_type_object))
    {
      /* The keys first: removing and re-adding one moves it to the end. */
      pc_autostrv char **keys = NULL;
      json_object_object_foreach (node, k, unused)
        {
          (void) unused;
          pc_strv_append (&keys, k);
        }
      for (char **kp = keys; kp && *kp; kp++)
        {
          const char *key = *kp;
          json_object *orig = json_object_get (json_object_object_get (node, key));
          for (const char *const *v = values; *v; v++)
            {
              json_object_object_add (node, key, parse (*v));
              pc_autojson json_object *doc = copy (root);
              run_one (fn, doc, st);
            }
          /* Without the key at all. */
          json_object_object_del (node, key);
          {
            pc_autojson json_object *doc = copy (root);
            run_one (fn, doc, st);
          }
          json_object_object_add (node, key, orig);
          walk (fn, root, orig, st);
        }
    }
  else if (json_object_is_type (node, json_type_array))
    {
      for (size_t i = 0; i < json_object_array_length (node); i++)
        {
          json_object *orig = json_object_get (json_object_array_get_idx (node, i));
          for (const char *const *v = values; *v; v++)
            {
              json_object_array_put_idx (node, i, parse (*v));
              pc_autojson json_object *doc = copy (root);
              run_one (fn, doc, st);
            }
          json_object_array_put_idx (node, i, orig);
          walk (fn, root, orig, st);
        }
    }
}

static void
corpus (const char *name, const char *base, consumer fn)
{
  struct stats st = { 0 };
  pc_autojson json_object *root = parse (base);
  {
    pc_error *err = NULL;
    pc_autojson json_object *doc = copy (root);
    int r = fn (doc, &err);
    ok (r == 0, "%s: the unchanged document is accepted%s%s", name, err ? ": " : "",
        err ? err->msg : "");
    pc_error_clear (&err);
  }
  for (const char *const *v = values; *v; v++)
    {
      pc_autojson json_object *doc = parse (*v);
      run_one (fn, doc, &st);
    }
  walk (fn, root, root, &st);
  ok (st.runs > 50 && st.silent == 0, "%s: %d type-confused variants, %d refused, none crashed, "
      "every refusal says why", name, st.runs, st.refused);
}

static int
eat_image_config (json_object *cfg, pc_error **err)
{
  /* create's path: check, record, HOME, spec. */
  struct eng_image img = { .config = cfg, .id = ID, .name = "localhost/fake:latest",
                           .driver = "overlay" };
  struct pc_create_opts o = { 0 };
  pc_autojson json_object *hc = json_object_new_object ();
  if (eng_check_opts (&o, hc, err) < 0)
    return -1;
  pc_autojson json_object *rec = NULL;
  if (eng_build_record (&img, &o, ID, "n", "/data/engine", hc, &rec, err) < 0)
    return -1;
  eng_record_add_home (rec, "/root");
  struct pc_rootfs_mount m = { .driver = (char *) "overlay", .source = (char *) "lowerdir=/l",
                               .target = (char *) "/merged/" ID };
  struct eng_user u = { .uid = 0, .gid = 0, .home = (char *) "/root" };
  pc_autojson json_object *spec = eng_build_spec ("/run/pc", ID, &m, &u, rec, err);
  return spec ? 0 : -1;
}

static char *container_record;

static int
eat_container_record (json_object *rec, pc_error **err)
{
  struct pc_rootfs_mount m = { .driver = (char *) "overlay", .source = (char *) "lowerdir=/l",
                               .target = (char *) "/merged/" ID };
  struct eng_user u = { .uid = 1000, .gid = 1000, .home = NULL };
  eng_record_add_home (rec, NULL);
  pc_autojson json_object *spec = eng_build_spec ("/run/pc", ID, &m, &u, rec, err);
  return spec ? 0 : -1;
}

static int
eat_seccomp (json_object *profile, pc_error **err)
{
  const char *text = profile ? json_object_to_json_string (profile) : "null";
  static const char *const caps[] = { "CAP_SYS_ADMIN", NULL };
  pc_autojson json_object *out = pc_runtime_seccomp_to_oci (text, caps, err);
  return out ? 0 : -1;
}

static int
eat_image_record (json_object *rec, pc_error **err)
{
  pc_autoimage struct pc_image *img = NULL;
  if (pc_image_from_record (NULL, rec, &img, err) < 0)
    return -1;
  for (char **n = pc_image_names (img); n && *n; n++)
    if (**n == '\0')
      return pc_error_make (err, EINVAL, "empty name");
  return 0;
}

int
main (void)
{
  corpus ("image config", image_config, eat_image_config);
  {
    /* The record create writes for the image above, as the base. */
    pc_error *err = NULL;
    pc_autojson json_object *cfg = parse (image_config);
    struct eng_image img = { .config = cfg, .id = ID, .name = "localhost/fake:latest",
                             .driver = "overlay" };
    struct pc_create_opts o = { 0 };
    char *caps[] = { (char *) "NET_ADMIN", NULL };
    char *sopt[] = { (char *) "no-new-privileges", NULL };
    char *tmpfs[] = { (char *) "/t:size=1k", NULL };
    o.cap_add = caps;
    o.security_opt = sopt;
    o.tmpfs = tmpfs;
    pc_autojson json_object *hc = json_object_new_object ();
    pc_autojson json_object *rec = NULL;
    if (eng_check_opts (&o, hc, &err) < 0 || eng_build_record (&img, &o, ID, "n", "/d", hc, &rec, &err) < 0)
      {
        printf ("# %s\n", err->msg);
        abort ();
      }
    container_record = xstrdup (json_object_to_json_string (rec));
  }
  corpus ("container record", container_record, eat_container_record);
  free (container_record);
  corpus ("seccomp profile", seccomp_profile, eat_seccomp);
  corpus ("image record", image_record, eat_image_record);

  /* The checked accessors themselves. */
  pc_autojson json_object *o = parse ("{\"a\":[\"x\",1,null],\"s\":\"t\",\"o\":{}}");
  ok (pc_json_get_array (o, "s") == NULL && pc_json_get_object (o, "a") == NULL
      && pc_json_get_array (o, "missing") == NULL && pc_json_get_array (NULL, "a") == NULL,
      "get_array / get_object: NULL on another type or a missing key");
  json_object *a = pc_json_get_array (o, "a");
  ok (pc_json_array_len (a) == 3 && pc_json_array_len (pc_json_get (o, "s")) == 0
      && pc_json_array_len (NULL) == 0, "array_len: 0 for a non-array");
  ok (pc_json_array_string_at (a, 0) && strcmp (pc_json_array_string_at (a, 0), "x") == 0
      && pc_json_array_string_at (a, 1) == NULL && pc_json_array_string_at (a, 2) == NULL
      && pc_json_array_string_at (a, 3) == NULL && pc_json_array_string_at (pc_json_get (o, "s"), 0) == NULL,
      "array_string_at: NULL for a number, null, past the end, or a non-array");
  pc_error *err = NULL;
  ok (pc_json_check_strings (o, "a", "doc", &err) < 0 && err && strstr (err->msg, "`a[1]` is a number"),
      "check_strings names the element: %s", err ? err->msg : "");
  pc_error_clear (&err);
  ok (pc_json_check_type (o, "s", json_type_array, "doc", &err) < 0
      && strstr (err->msg, "`s` is a string, not an array"), "check_type says what it is and should be");
  pc_error_clear (&err);
  ok (pc_json_check_type (o, "missing", json_type_array, "doc", &err) == 0, "a missing key passes");
  return done_testing ();
}

