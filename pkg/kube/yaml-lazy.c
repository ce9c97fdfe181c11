/* libyaml is loaded by the commands that read or write Kubernetes YAML
   (kube play, kube generate), not linked into pc, so no other pc process
   and no container's monitor (a fork of the CLI) maps it or its relocated
   data. These definitions stand in for libyaml's, as
   pkg/storage/archive-lazy.c does for libarchive: the first call loads
   libyaml-0.so.2 (once, thread-safe) and each forwards to the library's
   function; the compiler checks each against yaml.h. Calling another
   libyaml function means adding it to the list below (the link fails until
   then).

   A libyaml that cannot be loaded makes the parser's and the emitter's
   initialize fail (as when memory runs out, which the callers report) after
   a warning that says why; every other call needs an initialized parser,
   emitter or event, so it cannot come first. */
#include <yaml.h>

#include <string.h>

#include "lib/dl.h"
#include "lib/log.h"

/* F: returns int (0 is failure, as libyaml's); V: returns nothing.
   (name, parameters, arguments) */
#define PC_YAML_FUNCS(F, V)                                                                        \
  F (yaml_document_end_event_initialize, (yaml_event_t * e, int implicit), (e, implicit))          \
  F (yaml_document_start_event_initialize,                                                         \
     (yaml_event_t * e, yaml_version_directive_t * v, yaml_tag_directive_t * ts,                   \
      yaml_tag_directive_t * te, int implicit),                                                    \
     (e, v, ts, te, implicit))                                                                     \
  V (yaml_emitter_delete, (yaml_emitter_t * em), (em))                                             \
  F (yaml_emitter_emit, (yaml_emitter_t * em, yaml_event_t * e), (em, e))                          \
  V (yaml_emitter_set_indent, (yaml_emitter_t * em, int indent), (em, indent))                     \
  V (yaml_emitter_set_output, (yaml_emitter_t * em, yaml_write_handler_t * h, void *data),         \
     (em, h, data))                                                                                \
  V (yaml_emitter_set_unicode, (yaml_emitter_t * em, int unicode), (em, unicode))                  \
  V (yaml_emitter_set_width, (yaml_emitter_t * em, int width), (em, width))                        \
  V (yaml_event_delete, (yaml_event_t * e), (e))                                                   \
  F (yaml_mapping_end_event_initialize, (yaml_event_t * e), (e))                                   \
  F (yaml_mapping_start_event_initialize,                                                          \
     (yaml_event_t * e, const yaml_char_t *anchor, const yaml_char_t *tag, int implicit,           \
      yaml_mapping_style_t style),                                                                 \
     (e, anchor, tag, implicit, style))                                                            \
  V (yaml_parser_delete, (yaml_parser_t * p), (p))                                                 \
  F (yaml_parser_parse, (yaml_parser_t * p, yaml_event_t * e), (p, e))                             \
  V (yaml_parser_set_input_string, (yaml_parser_t * p, const unsigned char *in, size_t n),         \
     (p, in, n))                                                                                   \
  F (yaml_scalar_event_initialize,                                                                 \
     (yaml_event_t * e, const yaml_char_t *anchor, const yaml_char_t *tag,                         \
      const yaml_char_t *value, int length, int plain_implicit, int quoted_implicit,               \
      yaml_scalar_style_t style),                                                                  \
     (e, anchor, tag, value, length, plain_implicit, quoted_implicit, style))                      \
  F (yaml_sequence_end_event_initialize, (yaml_event_t * e), (e))                                  \
  F (yaml_sequence_start_event_initialize,                                                         \
     (yaml_event_t * e, const yaml_char_t *anchor, const yaml_char_t *tag, int implicit,           \
      yaml_sequence_style_t style),                                                                \
     (e, anchor, tag, implicit, style))                                                            \
  F (yaml_stream_end_event_initialize, (yaml_event_t * e), (e))                                    \
  F (yaml_stream_start_event_initialize, (yaml_event_t * e, yaml_encoding_t enc), (e, enc))

#define PC_SLOT(name, params, args) __typeof__ (name) *name;
static struct
{
  PC_YAML_FUNCS (PC_SLOT, PC_SLOT)
  __typeof__ (yaml_parser_initialize) *yaml_parser_initialize;
  __typeof__ (yaml_emitter_initialize) *yaml_emitter_initialize;
} lib;

static const char names[][PC_DL_NAME_MAX] = {
#define PC_NAME(name, params, args) #name,
  PC_YAML_FUNCS (PC_NAME, PC_NAME) "yaml_parser_initialize",
  "yaml_emitter_initialize",
};

static struct pc_dl libyaml = PC_DL_INIT ("libyaml-0.so.2", "libyaml-0-2", names, lib, RTLD_NOW);

static int
loaded (void)
{
  if (pc_dl_load (&libyaml))
    return 1;
  pc_warn ("%s", libyaml.why);
  return 0;
}

int
yaml_parser_initialize (yaml_parser_t *p)
{
  if (!loaded ())
    {
      memset (p, 0, sizeof *p);
      p->error = YAML_MEMORY_ERROR;
      return 0;
    }
  return lib.yaml_parser_initialize (p);
}

int
yaml_emitter_initialize (yaml_emitter_t *em)
{
  if (!loaded ())
    {
      memset (em, 0, sizeof *em);
      em->error = YAML_MEMORY_ERROR;
      return 0;
    }
  return lib.yaml_emitter_initialize (em);
}

#define PC_DEF(name, params, args)                                                                 \
  int name params { return loaded () ? lib.name args : 0; }
#define PC_DEF_VOID(name, params, args)                                                            \
  void name params                                                                                 \
  {                                                                                                \
    if (pc_dl_loaded (&libyaml))                                                                   \
      lib.name args;                                                                               \
  }
PC_YAML_FUNCS (PC_DEF, PC_DEF_VOID)
