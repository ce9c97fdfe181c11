#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileutil.h"
#include "lib/json.h"
#include "tests/unit/tap.h"

int
main (void)
{
  pc_error *err = NULL;
  const char doc[] = "{\"config\":{\"Env\":[\"A=1\"],\"User\":\"nobody\",\"Tty\":true,\"N\":7},"
                     "\"url\":\"http://x/y\",\"html\":\"<a&b>\",\"e\":{},\"l\":[]}";
  {
    pc_autojson json_object *o = pc_json_parse (doc, strlen (doc), &err);
    ok (o != NULL, "parse a document");
    is_str (pc_json_get_string (pc_json_get (o, "config"), "User"), "nobody", "get_string");
    ok (pc_json_get_string (o, "config") == NULL, "get_string of an object is NULL");
    ok (pc_json_get_string (o, "missing") == NULL, "get_string of a missing key is NULL");
    is_int (pc_json_get_int (pc_json_get (o, "config"), "N", -1), 7, "get_int");
    is_int (pc_json_get_int (o, "nope", -1), -1, "get_int default");
    ok (pc_json_get_bool (pc_json_get (o, "config"), "Tty", false), "get_bool");
    ok (pc_json_get_bool (o, "nope", true), "get_bool default");
    ok (json_object_is_type (pc_json_get (o, "config.Env"), json_type_array), "dotted path");
    ok (pc_json_get (o, "config.Nope.X") == NULL, "missing dotted path is NULL");
    ok (pc_json_get (o, "url.x") == NULL, "dotted path through a string is NULL");

    char *pretty = pc_json_to_string_pretty (o);
    is_str (pretty,
            "{\n"
            "    \"config\": {\n"
            "        \"Env\": [\n"
            "            \"A=1\"\n"
            "        ],\n"
            "        \"User\": \"nobody\",\n"
            "        \"Tty\": true,\n"
            "        \"N\": 7\n"
            "    },\n"
            "    \"url\": \"http://x/y\",\n"
            "    \"html\": \"\\u003ca\\u0026b\\u003e\",\n"
            "    \"e\": {},\n"
            "    \"l\": []\n"
            "}",
            "pretty: 4 spaces, no slash escaping, Go's HTML escaping, empty {} and []");
    free (pretty);
    char *compact = pc_json_to_string_compact (pc_json_get (o, "config"));
    is_str (compact, "{\"Env\":[\"A=1\"],\"User\":\"nobody\",\"Tty\":true,\"N\":7}", "compact");
    free (compact);
  }

  ok (pc_json_parse ("{\"a\":", 5, &err) == NULL, "truncated JSON fails");
  ok (err && err->status == EINVAL && strstr (err->msg, "invalid JSON"), "with a message");
  pc_error_clear (&err);
  ok (pc_json_parse ("{} x", 4, &err) == NULL, "trailing garbage fails");
  pc_error_clear (&err);
  {
    pc_autojson json_object *o = pc_json_parse ("{\"a\":1} \n", 9, &err);
    ok (o != NULL, "trailing white space accepted");
  }

  char dir[] = "/tmp/pc-test-json-XXXXXX";
  ok (mkdtemp (dir) != NULL, "temp dir");
  pc_autoclose int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  {
    pc_autojson json_object *o = json_object_new_object ();
    json_object_object_add (o, "path", json_object_new_string ("/a/b"));
    is_int (pc_json_write_file_atomic (dfd, "rec.json", o, 0600, &err), 0, "write_file_atomic");
    pc_autofree char *text = NULL;
    pc_read_file (dfd, "rec.json", &text, NULL, &err);
    is_str (text, "{\"path\":\"/a/b\"}", "record file is compact with unescaped slashes");
    pc_autojson json_object *back = pc_json_read_file (dfd, "rec.json", &err);
    is_str (pc_json_get_string (back, "path"), "/a/b", "read back");
  }
  ok (pc_write_file_atomic (dfd, "bad.json", "{oops", 5, 0600, &err) == 0, "write a bad file");
  ok (pc_json_read_file (dfd, "bad.json", &err) == NULL, "reading bad JSON fails");
  ok (err && strncmp (err->msg, "parse `bad.json`: invalid JSON", 30) == 0, "message names the file");
  pc_error_clear (&err);
  ok (pc_json_read_file (dfd, "missing.json", &err) == NULL && err && err->status == ENOENT,
      "missing file: ENOENT");
  pc_error_clear (&err);
  pc_rm_rf_at (AT_FDCWD, dir, &err);
  return done_testing ();
}
