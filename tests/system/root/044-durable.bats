#!/usr/bin/env bats
# What must survive a crash is synced before it counts: the container record
# and the name reservation (checked on the system calls, with strace, as root:
# a traced setuid newuidmap cannot map ids for a rootless pc).

load ../helpers

setup() {
    skip_unless_root
    command -v strace >/dev/null || skip "strace is not installed"
    root_store_setup || return 1
}

teardown() { root_store_teardown; }

@test "the container record and its name are synced to disk before they count" {
    # LeakSanitizer cannot run under ptrace: the ASan build is traced without it.
    ASAN_OPTIONS=detect_leaks=0 run strace -f -y -o "$BATS_TEST_TMPDIR/trace" -e trace=fsync,rename,renameat,renameat2,linkat \
        "${PCR[@]}" create --name durable busybox true
    [ "$status" -eq 0 ] || { echo "# $output" >&2; false; }
    # container.json: its temp file synced, renamed into place, then its
    # directory synced; the name: its file synced, linked, its directory synced.
    python3 - "$BATS_TEST_TMPDIR/trace" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
def first(pat, start=0):
    for i in range(start, len(lines)):
        if re.search(pat, lines[i]):
            return i
    sys.exit("no line matching %r after line %d" % (pat, start))
r = first(r'rename\w*\(.*container\.json\.tmp-.*container\.json"')
first(r'fsync\(\d+<[^>]*\.container\.json\.tmp-')
if first(r'fsync\(\d+<[^>]*\.container\.json\.tmp-') > r:
    sys.exit("container.json renamed before its data was synced")
first(r'fsync\(\d+<[^>]*/[0-9a-f]{64}>\)', r)
l = first(r'linkat\(.*"durable"')
if first(r'fsync\(\d+<[^>]*/\.tmp-[0-9a-f]{64}>') > l:
    sys.exit("name linked before its data was synced")
first(r'fsync\(\d+<[^>]*/names>\)', l)
PY
}

@test "a rewritten record (rename) is synced before it replaces the old one" {
    run "${PCR[@]}" create --name before busybox true
    [ "$status" -eq 0 ]
    # LeakSanitizer cannot run under ptrace: the ASan build is traced without it.
    ASAN_OPTIONS=detect_leaks=0 run strace -f -y -o "$BATS_TEST_TMPDIR/trace" -e trace=fsync,rename,renameat,renameat2 \
        "${PCR[@]}" rename before after
    [ "$status" -eq 0 ] || { echo "# $output" >&2; false; }
    python3 - "$BATS_TEST_TMPDIR/trace" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
r = [i for i, l in enumerate(lines) if re.search(r'rename\w*\(.*container\.json"', l)]
s = [i for i, l in enumerate(lines) if re.search(r'fsync\(\d+<[^>]*container\.json\.tmp-', l)]
if not r:
    sys.exit("no rename into container.json")
if not s or s[0] > r[0]:
    sys.exit("container.json replaced before its new content was synced")
d = [i for i, l in enumerate(lines) if i > r[0] and re.search(r'fsync\(\d+<[^>]*/[0-9a-f]{64}>\)', l)]
if not d:
    sys.exit("the container's directory was not synced after the rename")
PY
}
