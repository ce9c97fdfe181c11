/* The bash, zsh and fish scripts of `pc completion`: the tree's commands,
   aliases and flags written out as data, and one small function per shell
   that walks the words typed so far over it. Arguments named CONTAINER,
   IMAGE, VOLUME or POD in a command's usage complete from pc itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/pc/completion.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"

/* 'text' for any POSIX shell and zsh. */
static void
squote (FILE *out, const char *s)
{
  fputc ('\'', out);
  for (; s && *s; s++)
    if (*s == '\'')
      fputs ("'\\''", out);
    else if (*s == '\n')
      fputc (' ', out);
    else
      fputc (*s, out);
  fputc ('\'', out);
}

/* fish: 'text' with \\ and \' escaped. */
static void
fquote (FILE *out, const char *s)
{
  fputc ('\'', out);
  for (; s && *s; s++)
    {
      if (*s == '\'' || *s == '\\')
        fputc ('\\', out);
      fputc (*s == '\n' ? ' ' : *s, out);
    }
  fputc ('\'', out);
}

/* A usage's fixed choices ("bash|zsh|fish"), as "words:bash zsh fish". */
static char *
usage_words (const char *u)
{
  pc_autofree char *copy = xstrdup (u);
  char *save = NULL;
  for (char *t = strtok_r (copy, " ", &save); t; t = strtok_r (NULL, " ", &save))
    if (strchr (t, '|') && strspn (t, "abcdefghijklmnopqrstuvwxyz-|") == strlen (t))
      {
        char *w = xasprintf ("words:%s", t);
        for (char *p = w; *p; p++)
          if (*p == '|')
            *p = ' ';
        return w;
      }
  return NULL;
}

/* What the command's first argument names, from its usage. */
static const char *
arg_kind (const struct pc_command *cmd)
{
  static char *words;
  const char *u = cmd->usage ? cmd->usage : "";
  free (words);
  words = usage_words (u);
  if (words)
    return words;
  bool c = strstr (u, "CONTAINER") != NULL, i = strstr (u, "IMAGE") != NULL;
  if (c && i)
    return "container image";
  if (c)
    return "container";
  if (i)
    return "image";
  if (strstr (u, "VOLUME"))
    return "volume";
  if (strstr (u, "POD"))
    return "pod";
  return "file";
}

/* The shells' key of a command: its full path, "pc" for the root (bash
   takes no empty key). */
static char *
key_of (const char *path)
{
  return *path ? xasprintf ("pc %s", path) : xstrdup ("pc");
}

typedef void (*visit_fn) (FILE *out, const struct pc_comp_node *n, bool desc);

static void
walk (FILE *out, const struct pc_comp_node *n, bool desc, visit_fn fn)
{
  fn (out, n, desc);
  for (size_t i = 0; i < n->nsubs; i++)
    walk (out, &n->subs[i], desc, fn);
}

static void
flag_words (FILE *out, const struct pc_comp_node *n, bool value)
{
  bool first = true;
  for (size_t i = 0; i < n->nflags; i++)
    {
      const struct pc_comp_flag *f = &n->flags[i];
      if (f->value != value)
        continue;
      fprintf (out, "%s--%s", first ? "" : " ", f->name);
      first = false;
      if (f->short_name)
        fprintf (out, " -%c", f->short_name);
    }
}

/* ---- bash ---- */

/* bash: ARR['key']='value'; zsh keeps quotes in a subscript, so there
   ARR+=('key' 'value'). */
static bool zsh_style;

static void
assign (FILE *out, const char *arr, const char *key, const char *value)
{
  fputs (arr, out);
  fputs (zsh_style ? "+=(" : "[", out);
  squote (out, key);
  fputs (zsh_style ? " " : "]=", out);
  squote (out, value);
  fputs (zsh_style ? ")\n" : "\n", out);
}

static char *
flags_string (const struct pc_comp_node *n, bool value)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream (&buf, &len);
  flag_words (m, n, value);
  fclose (m);
  return buf;
}

static void
bash_node (FILE *out, const struct pc_comp_node *n, bool desc)
{
  (void) desc;
  pc_autofree char *key = key_of (n->path);
  if (n->nsubs)
    {
      char *subs = NULL;
      size_t len = 0;
      FILE *m = open_memstream (&subs, &len);
      for (size_t i = 0; i < n->nsubs; i++)
        {
          const struct pc_command *c = n->subs[i].cmd;
          fprintf (m, "%s%s", i ? " " : "", c->name);
          if (c->alias)
            fprintf (m, " %s", c->alias);
        }
      fclose (m);
      assign (out, "__pc_subs", key, subs);
      free (subs);
      for (size_t i = 0; i < n->nsubs; i++)
        {
          const struct pc_command *c = n->subs[i].cmd;
          pc_autofree char *sk = key_of (n->subs[i].path);
          for (int k = 0; k < 2; k++)
            {
              const char *w = k ? c->alias : c->name;
              if (w == NULL)
                continue;
              pc_autofree char *ck = xasprintf ("%s|%s", key, w);
              assign (out, "__pc_canon", ck, sk);
            }
        }
      if (*n->path)
        return;
    }
  pc_autofree char *vf = flags_string (n, true);
  pc_autofree char *bf = flags_string (n, false);
  assign (out, "__pc_vflags", key, vf);
  assign (out, "__pc_bflags", key, bf);
  if (*n->path)
    {
      assign (out, "__pc_kind", key, arg_kind (n->cmd));
      if (n->cmd->flags & PC_CMD_STOP_AT_POSITIONAL)
        assign (out, "__pc_stop", key, "1");
    }
}

static const char bash_body[] =
  "__pc_takes_value() {\n"
  "    [[ \" ${__pc_vflags[$1]} \" == *\" $2 \"* ]]\n"
  "}\n"
  "\n"
  "__pc_dynamic() {\n"
  "    local k out=\"\"\n"
  "    if [[ $1 == words:* ]]; then printf '%s' \"${1#words:}\"; return; fi\n"
  "    for k in $1; do\n"
  "        case $k in\n"
  "        container) out+=\" $(\"${COMP_WORDS[0]:-pc}\" ps -a --format '{{.Names}}' 2>/dev/null)\" ;;\n"
  "        image) out+=\" $(\"${COMP_WORDS[0]:-pc}\" images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep -v '<none>')\" ;;\n"
  "        volume) out+=\" $(\"${COMP_WORDS[0]:-pc}\" volume ls -q 2>/dev/null)\" ;;\n"
  "        pod) out+=\" $(\"${COMP_WORDS[0]:-pc}\" pod ps --format '{{.Name}}' 2>/dev/null)\" ;;\n"
  "        esac\n"
  "    done\n"
  "    printf '%s' \"$out\"\n"
  "}\n"
  "\n"
  "_pc() {\n"
  "    local -a words\n"
  "    local line cur cpath=pc w i npos=0 next\n"
  "    COMPREPLY=()\n"
  "    # The words as typed: COMP_WORDS splits at '=' and ':' too.\n"
  "    if [[ -n ${COMP_LINE:-} ]]; then\n"
  "        line=${COMP_LINE:0:${COMP_POINT:-${#COMP_LINE}}}\n"
  "        read -r -a words <<<\"$line\"\n"
  "        [[ $line =~ [[:space:]]$ ]] && words+=(\"\")\n"
  "    else\n"
  "        words=(\"${COMP_WORDS[@]:0:COMP_CWORD+1}\")\n"
  "    fi\n"
  "    cur=${words[${#words[@]}-1]}\n"
  "    for ((i = 1; i < ${#words[@]} - 1; i++)); do\n"
  "        w=${words[i]}\n"
  "        if ((npos > 0)) && [[ -n ${__pc_stop[$cpath]:-} ]]; then\n"
  "            npos=$((npos + 1))\n"
  "            continue\n"
  "        fi\n"
  "        case $w in\n"
  "        --*=*) continue ;;\n"
  "        -*)\n"
  "            if __pc_takes_value \"$cpath\" \"$w\"; then i=$((i + 1)); fi\n"
  "            continue ;;\n"
  "        esac\n"
  "        next=${__pc_canon[\"$cpath|$w\"]:-}\n"
  "        if [[ -n $next && $npos -eq 0 ]]; then cpath=$next; else npos=$((npos + 1)); fi\n"
  "    done\n"
  "    local prev=${words[${#words[@]}-2]:-}\n"
  "    if ((npos > 0)) && [[ -n ${__pc_stop[$cpath]:-} ]]; then\n"
  "        COMPREPLY=($(compgen -f -- \"$cur\"))\n"
  "    elif [[ $prev == -* && $prev != *=* ]] && __pc_takes_value \"$cpath\" \"$prev\"; then\n"
  "        COMPREPLY=($(compgen -f -- \"$cur\"))\n"
  "    elif [[ $cur == --*=* ]]; then\n"
  "        COMPREPLY=($(compgen -f -- \"${cur#*=}\"))\n"
  "        return 0\n"
  "    elif [[ $cur == -* ]]; then\n"
  "        COMPREPLY=($(compgen -W \"${__pc_vflags[$cpath]:-} ${__pc_bflags[$cpath]:-} --help\" -- \"$cur\"))\n"
  "    elif [[ -n ${__pc_subs[$cpath]+set} ]]; then\n"
  "        COMPREPLY=($(compgen -W \"${__pc_subs[$cpath]}\" -- \"$cur\"))\n"
  "    elif [[ ${__pc_kind[$cpath]:-file} == file ]]; then\n"
  "        COMPREPLY=($(compgen -f -- \"$cur\"))\n"
  "    else\n"
  "        COMPREPLY=($(compgen -W \"$(__pc_dynamic \"${__pc_kind[$cpath]}\")\" -- \"$cur\"))\n"
  "    fi\n"
  "    # Bash replaces only what follows its last word break (: or =).\n"
  "    if [[ $cur == *[:=]* && ${#COMPREPLY[@]} -gt 0 && $COMP_WORDBREAKS == *:* ]]; then\n"
  "        local pre=${cur%\"${cur##*[:=]}\"}\n"
  "        COMPREPLY=(\"${COMPREPLY[@]#\"$pre\"}\")\n"
  "    fi\n"
  "    return 0\n"
  "}\n"
  "\n"
  "complete -o default -F _pc pc\n";

void
pc_comp_bash (FILE *out, const struct pc_comp_node *root, bool desc)
{
  fputs ("# bash completion for pc (generated by `pc completion bash` from pc's command\n"
         "# and flag tables). Source it, or put it in\n"
         "# ~/.local/share/bash-completion/completions/pc.\n"
         "declare -gA __pc_subs=() __pc_canon=() __pc_vflags=() __pc_bflags=() __pc_kind=() __pc_stop=()\n",
         out);
  walk (out, root, desc, bash_node);
  fputc ('\n', out);
  fputs (bash_body, out);
}

/* ---- zsh ---- */

static void
zsh_node (FILE *out, const struct pc_comp_node *n, bool desc)
{
  bash_node (out, n, desc);
  if (!desc)
    return;
  pc_autofree char *key = key_of (n->path);
  for (size_t i = 0; i < n->nsubs; i++)
    {
      pc_autofree char *sk = key_of (n->subs[i].path);
      assign (out, "__pc_cdesc", sk, n->subs[i].cmd->summary);
    }
  for (size_t i = 0; i < n->nflags; i++)
    {
      const struct pc_comp_flag *f = &n->flags[i];
      pc_autofree char *lk = xasprintf ("%s|--%s", key, f->name);
      assign (out, "__pc_fdesc", lk, f->help);
      if (f->short_name)
        {
          pc_autofree char *sk = xasprintf ("%s|-%c", key, f->short_name);
          assign (out, "__pc_fdesc", sk, f->help);
        }
    }
}

static const char zsh_body[] =
  "__pc_dynamic() {\n"
  "    local k\n"
  "    if [[ $1 == words:* ]]; then print -l -- ${=${1#words:}}; return; fi\n"
  "    for k in ${=1}; do\n"
  "        case $k in\n"
  "        container) pc ps -a --format '{{.Names}}' 2>/dev/null ;;\n"
  "        image) pc images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep -v '<none>' ;;\n"
  "        volume) pc volume ls -q 2>/dev/null ;;\n"
  "        pod) pc pod ps --format '{{.Name}}' 2>/dev/null ;;\n"
  "        esac\n"
  "    done\n"
  "}\n"
  "\n"
  "_pc() {\n"
  "    local cpath=pc w i npos=0 next cur=${words[CURRENT]} prev=${words[CURRENT-1]}\n"
  "    local -a items\n"
  "    for ((i = 2; i < CURRENT; i++)); do\n"
  "        w=${words[i]}\n"
  "        if ((npos > 0)) && [[ -n ${__pc_stop[$cpath]} ]]; then (( npos++ )); continue; fi\n"
  "        case $w in\n"
  "        --*=*) continue ;;\n"
  "        -*) [[ \" ${__pc_vflags[$cpath]} \" == *\" $w \"* ]] && (( i++ )); continue ;;\n"
  "        esac\n"
  "        next=${__pc_canon[$cpath|$w]}\n"
  "        if [[ -n $next && $npos -eq 0 ]]; then cpath=$next; else (( npos++ )); fi\n"
  "    done\n"
  "    if ((npos > 0)) && [[ -n ${__pc_stop[$cpath]} ]]; then _files; return; fi\n"
  "    if [[ $prev == -* && $prev != *=* && \" ${__pc_vflags[$cpath]} \" == *\" $prev \"* ]]; then _files; return; fi\n"
  "    if [[ $cur == -* ]]; then\n"
  "        for w in ${=__pc_vflags[$cpath]} ${=__pc_bflags[$cpath]} --help; do\n"
  "            if [[ -n ${__pc_fdesc[$cpath|$w]} ]]; then items+=(\"${w//:/\\\\:}:${__pc_fdesc[$cpath|$w]}\"); else items+=(\"${w//:/\\\\:}\"); fi\n"
  "        done\n"
  "        _describe -t flags 'flag' items\n"
  "        return\n"
  "    fi\n"
  "    if (( ${+__pc_subs[$cpath]} )); then\n"
  "        for w in ${=__pc_subs[$cpath]}; do\n"
  "            next=${__pc_canon[$cpath|$w]}\n"
  "            if [[ -n ${__pc_cdesc[$next]} ]]; then items+=(\"$w:${__pc_cdesc[$next]}\"); else items+=(\"$w\"); fi\n"
  "        done\n"
  "        _describe -t commands 'command' items\n"
  "        return\n"
  "    fi\n"
  "    if [[ ${__pc_kind[$cpath]:-file} == file ]]; then _files; return; fi\n"
  "    items=(${(f)\"$(__pc_dynamic \"${__pc_kind[$cpath]}\")\"})\n"
  "    compadd -a items\n"
  "}\n"
  "\n"
  "if [[ ${funcstack[1]} == _pc ]]; then _pc \"$@\"; else compdef _pc pc; fi\n";

void
pc_comp_zsh (FILE *out, const struct pc_comp_node *root, bool desc)
{
  fputs ("#compdef pc\n"
         "# zsh completion for pc (generated by `pc completion zsh` from pc's command\n"
         "# and flag tables). Put it in a directory of $fpath as _pc, or source it\n"
         "# after compinit.\n"
         "typeset -gA __pc_subs __pc_canon __pc_vflags __pc_bflags __pc_kind __pc_stop __pc_cdesc __pc_fdesc\n",
         out);
  zsh_style = true;
  walk (out, root, desc, zsh_node);
  zsh_style = false;
  fputc ('\n', out);
  fputs (zsh_body, out);
}

/* ---- fish ---- */

static void
fish_subs_case (FILE *out, const struct pc_comp_node *n, bool desc)
{
  (void) desc;
  if (n->nsubs == 0)
    return;
  fputs ("        case ", out);
  fquote (out, n->path);
  fputs ("\n            printf '%s\\n'", out);
  for (size_t i = 0; i < n->nsubs; i++)
    {
      fprintf (out, " '%s|%s'", n->subs[i].cmd->name, n->subs[i].path);
      if (n->subs[i].cmd->alias)
        fprintf (out, " '%s|%s'", n->subs[i].cmd->alias, n->subs[i].path);
    }
  fputc ('\n', out);
}

static void
fish_vflags_case (FILE *out, const struct pc_comp_node *n, bool desc)
{
  (void) desc;
  if (n->nsubs && *n->path)
    return;
  fputs ("        case ", out);
  fquote (out, n->path);
  fputs ("\n            printf '%s\\n' ", out);
  flag_words (out, n, true);
  fputc ('\n', out);
}

static void
fish_node (FILE *out, const struct pc_comp_node *n, bool desc)
{
  pc_autofree char *cond = xasprintf ("__pc_at '%s'", n->path);
  for (size_t i = 0; i < n->nsubs; i++)
    for (int k = 0; k < 2; k++)
      {
        const char *w = k ? n->subs[i].cmd->alias : n->subs[i].cmd->name;
        if (w == NULL)
          continue;
        fprintf (out, "complete -c pc -f -n \"%s\" -a %s", cond, w);
        if (desc)
          {
            fputs (" -d ", out);
            fquote (out, n->subs[i].cmd->summary);
          }
        fputc ('\n', out);
      }
  if (n->nsubs && *n->path)
    return;
  for (size_t i = 0; i < n->nflags; i++)
    {
      const struct pc_comp_flag *f = &n->flags[i];
      fprintf (out, "complete -c pc -n \"%s\" -l %s", cond, f->name);
      if (f->short_name)
        fprintf (out, " -s %c", f->short_name);
      if (f->value)
        fputs (" -r", out);
      if (desc)
        {
          fputs (" -d ", out);
          fquote (out, f->help);
        }
      fputc ('\n', out);
    }
  if (*n->path && n->nsubs == 0)
    {
      const char *k = arg_kind (n->cmd);
      if (strncmp (k, "words:", 6) == 0)
        fprintf (out, "complete -c pc -f -n \"%s\" -a '%s'\n", cond, k + 6);
      else if (strcmp (k, "file") != 0)
        fprintf (out, "complete -c pc -f -n \"%s\" -a \"(__pc_dynamic %s)\"\n", cond, k);
    }
}

static const char fish_body[] =
  "function __pc_path\n"
  "    set -l toks (commandline -opc)\n"
  "    set -e toks[1]\n"
  "    set -l p ''\n"
  "    set -l skip 0\n"
  "    for t in $toks\n"
  "        if test $skip = 1\n"
  "            set skip 0\n"
  "            continue\n"
  "        end\n"
  "        switch $t\n"
  "            case '--*=*'\n"
  "                continue\n"
  "            case '-*'\n"
  "                if contains -- $t (__pc_vflags \"$p\")\n"
  "                    set skip 1\n"
  "                end\n"
  "                continue\n"
  "        end\n"
  "        set -l next ''\n"
  "        for s in (__pc_subs \"$p\")\n"
  "            set -l kv (string split -m 1 '|' -- $s)\n"
  "            if test \"$kv[1]\" = \"$t\"\n"
  "                set next $kv[2]\n"
  "            end\n"
  "        end\n"
  "        if test -z \"$next\"\n"
  "            break\n"
  "        end\n"
  "        set p $next\n"
  "    end\n"
  "    echo $p\n"
  "end\n"
  "\n"
  "function __pc_at\n"
  "    test (__pc_path) = \"$argv[1]\"\n"
  "end\n"
  "\n"
  "function __pc_dynamic\n"
  "    for k in $argv\n"
  "        switch $k\n"
  "            case container\n"
  "                pc ps -a --format '{{.Names}}' 2>/dev/null\n"
  "            case image\n"
  "                pc images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | string match -v '*<none>*'\n"
  "            case volume\n"
  "                pc volume ls -q 2>/dev/null\n"
  "            case pod\n"
  "                pc pod ps --format '{{.Name}}' 2>/dev/null\n"
  "        end\n"
  "    end\n"
  "end\n"
  "\n";

void
pc_comp_fish (FILE *out, const struct pc_comp_node *root, bool desc)
{
  fputs ("# fish completion for pc (generated by `pc completion fish` from pc's command\n"
         "# and flag tables). Put it in ~/.config/fish/completions/pc.fish.\n"
         "function __pc_subs\n"
         "    switch \"$argv[1]\"\n",
         out);
  walk (out, root, desc, fish_subs_case);
  fputs ("    end\nend\n\nfunction __pc_vflags\n    switch \"$argv[1]\"\n", out);
  walk (out, root, desc, fish_vflags_case);
  fputs ("    end\nend\n\n", out);
  fputs (fish_body, out);
  fputs ("complete -c pc -e\n", out);
  walk (out, root, desc, fish_node);
}
