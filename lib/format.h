/* podman output: tables, --format json, Go-style templates.

   rows: JSON array of objects with podman's field names.
   format: NULL or "table" -> table of `columns`; "json" -> pretty JSON array;
   "table {{.A}}\t{{.B}}" -> headers then rows, tab stops aligned;
   "{{.A}} {{.B}}" -> one line per row, no header.
   Template language: {{.Field}}, {{.Field.Sub}}, {{json .}}, {{json .Field}},
   {{upper .X}}, {{lower .X}}, {{truncate .X N}}, {{join .List ","}},
   {{printf "%s" .X}} (simple), {{if .X}}..{{else}}..{{end}},
   {{range .List}}..{{end}}, \t and \n escapes. */
#ifndef PC_LIB_FORMAT_H
#define PC_LIB_FORMAT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "lib/error.h"

struct pc_format_column
{
  const char *field;   /* "ID", "Names", ...; NULL ends the list */
  const char *header;  /* "CONTAINER ID" */
};

int pc_format_print (FILE *out, const char *format, json_object *rows,
                     const struct pc_format_column *columns, pc_error **err);
/* Same, and noheading drops the header line of table output (--noheading). */
int pc_format_print_ex (FILE *out, const char *format, json_object *rows,
                        const struct pc_format_column *columns, bool noheading, pc_error **err);
/* Lines of tab-separated cells, aligned as table output is (Go's tabwriter
   with podman's settings): for a caller that makes a table's text itself. */
void pc_format_tabwrite (FILE *out, const char *text, size_t len);
/* "json", "{{json .}}" and the like: the whole list as a JSON array. */
bool pc_format_is_json (const char *format);
/* For `inspect --format`: renders one template against one object, newline appended. */
int pc_format_template_one (FILE *out, const char *tmpl, json_object *obj, pc_error **err);
/* Go's time.Time String(), as podman's templates print times:
   "2006-01-02 15:04:05.999999999 -0700 MST", trailing zeros of the
   fraction dropped (no fraction at all when it is zero); local time, or UTC
   when utc is set.  Returns buf. */
char *pc_format_go_time (const struct timespec *t, bool utc, char *buf, size_t size);

#endif
