#!/bin/bash
# The layering rule of DESIGN.md, checked on every #include of cmd/, pkg/
# and lib/ (TAP). Dependencies point one way:
#   cmd -> pkg/engine -> pkg/{storage,runtime,monitor,network,rootless} -> lib
# pkg/monitor may use pkg/runtime and pkg/network; lib/ uses nothing of pkg/
# or cmd/; a folder includes another only through its public header
# (pkg/storage/storage.h). meson configures this into the build directory as
# tests/unit/test-layering, bound to the source tree it was built from.
# Usage: test-layering [SOURCE_ROOT]
set -u
# scripts/test also runs the unit tests under valgrind, which would check
# bash itself (and report bash's own leaks): a script has no C of pc's to
# check, so it goes on in a bash of its own that valgrind does not follow.
if [ -z "${_PC_LAYERING_EXEC:-}" ]; then
    _PC_LAYERING_EXEC=1 exec /bin/bash "$0" "$@"
fi
src=${1:-@SOURCE_ROOT@}

# What each pkg/ folder may include besides itself and lib/.
allowed() {
    case $1 in
        pkg/engine) echo "pkg/storage pkg/runtime pkg/monitor pkg/network pkg/rootless pkg/registry pkg/kube" ;;
        pkg/registry) echo "pkg/storage" ;;
        pkg/monitor) echo "pkg/runtime pkg/network" ;;
        *) echo "" ;;
    esac
}

# The folder a path belongs to: lib, cmd/NAME or pkg/NAME.
unit_of() {
    case $1 in
        lib/*) echo lib ;;
        cmd/*/* | pkg/*/*) local a=${1%%/*} b=${1#*/}; echo "$a/${b%%/*}" ;;
        *) echo "${1%%/*}" ;;
    esac
}

# check ROOT: one line per include that breaks the rule,
# "RULE<TAB>FILE:LINE: includes TARGET: why" (RULE: cmd, lib or pkg).
check() {
    local root=$1 line file rest lineno text target from to
    local re='^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]([^">]+)[">]'
    (cd "$root" && grep -rnE --include='*.c' --include='*.h' \
        '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<](cmd|pkg|lib)/' cmd pkg lib 2>/dev/null) |
    while IFS= read -r line; do
        file=${line%%:*}
        rest=${line#*:}
        lineno=${rest%%:*}
        text=${rest#*:}
        [[ $text =~ $re ]] || continue
        target=${BASH_REMATCH[1]}
        from=$(unit_of "$file")
        to=$(unit_of "$target")
        [ "$from" = "$to" ] && continue
        case $from in
            lib)
                printf 'lib\t%s:%s: includes %s: lib/ includes nothing from pkg/ or cmd/\n' "$file" "$lineno" "$target" ;;
            cmd/*)
                [ "$to" = lib ] && continue
                [ "$target" = pkg/engine/engine.h ] && continue
                printf 'cmd\t%s:%s: includes %s: cmd/ talks to pkg/engine only, through pkg/engine/engine.h\n' "$file" "$lineno" "$target" ;;
            pkg/*)
                [ "$to" = lib ] && continue
                if [[ " $(allowed "$from") " != *" $to "* ]]; then
                    local may
                    may=$(allowed "$from")
                    printf 'pkg\t%s:%s: includes %s: %s may use only lib/%s\n' "$file" "$lineno" "$target" \
                        "$from" "${may:+ and ${may// /, }}"
                elif [ "$target" != "$to/${to#pkg/}.h" ]; then
                    printf 'pkg\t%s:%s: includes %s: other folders include only %s/%s.h, its public header\n' \
                        "$file" "$lineno" "$target" "$to" "${to#pkg/}"
                fi ;;
        esac
    done
}

n=0
failed=0
# report OK DESCRIPTION [DIAGNOSTICS]
report() {
    n=$((n + 1))
    if [ "$1" = 1 ]; then
        echo "ok $n - $2"
    else
        failed=1
        echo "not ok $n - $2"
        [ -n "${3:-}" ] && sed 's/^[^\t]*\t/#   /' <<<"$3"
    fi
}

echo "1..4"

# The check itself must catch each kind of break: a tree made to hold one
# of each, next to includes the rule allows.
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/cmd/pc" "$t/lib" "$t/pkg/engine" "$t/pkg/storage" "$t/pkg/monitor"
printf '#include "pkg/engine/engine.h"\n#include "lib/error.h"\n#include "cmd/pc/cli.h"\n' >"$t/cmd/pc/good.c"
printf '#include "pkg/storage/storage.h"\n' >"$t/cmd/pc/bad.c"
printf '#include "lib/error.h"\n' >"$t/lib/good.c"
printf '  # include <pkg/engine/engine.h>\n' >"$t/lib/bad.h"
printf '#include "pkg/storage/storage.h"\n#include "pkg/engine/internal.h"\n' >"$t/pkg/engine/good.c"
printf '#include "pkg/storage/store-private.h"\n' >"$t/pkg/engine/bad.c"
printf '#include "pkg/runtime/runtime.h"\n' >"$t/pkg/monitor/good.c"
printf '#include "pkg/rootless/rootless.h"\n' >"$t/pkg/storage/bad.c"
got=$(check "$t" | cut -f2 | cut -d: -f1 | sort | tr '\n' ' ')
want="cmd/pc/bad.c lib/bad.h pkg/engine/bad.c pkg/storage/bad.c "
report "$([ "$got" = "$want" ] && echo 1)" "the check finds each kind of break in a test tree" \
    "$(printf 'x\tfound: %s\nx\twanted: %s\n' "$got" "$want")"

if [ ! -d "$src/cmd" ] || [ ! -d "$src/pkg" ] || [ ! -d "$src/lib" ]; then
    report 0 "the source tree $src is there"
    exit 1
fi
found=$(check "$src")
for rule in "cmd:cmd/ includes nothing of pkg/ but pkg/engine/engine.h" \
            "lib:lib/ includes nothing from pkg/ or cmd/" \
            "pkg:each pkg/ folder includes only the folders below it, through their public headers"; do
    bad=$(grep "^${rule%%:*}"$'\t' <<<"$found")
    report "$([ -z "$bad" ] && echo 1)" "${rule#*:}" "$bad"
done
exit $failed
