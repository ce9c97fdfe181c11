/* A TOML reader for containers' configuration files (lib/toml.c). */
#ifndef PC_LIB_TOML_H
#define PC_LIB_TOML_H

#include <json-c/json.h>
#include <stddef.h>

#include "lib/error.h"

/* The subset of TOML containers' files use, as a json-c tree: tables are
   objects, arrays (of tables too) arrays. Errors are class PC_ERR_INVALID,
   "toml: line N (last key "K"): ...". Any input is safe to give. */
json_object *pc_toml_parse (const char *buf, size_t len, pc_error **err);
/* The same; *lines (when lines is not NULL) maps each key's dotted name
   ("containers.env") to the line it is on, for errors about its value. */
json_object *pc_toml_parse_lines (const char *buf, size_t len, json_object **lines, pc_error **err);

#endif
