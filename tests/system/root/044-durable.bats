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
    # The engine's container.json is the commit point: the container exists
    # once it is renamed into place. Before that rename, its temp file, the
    # storage record and the name file (linked into names/ earlier) and the
    # names directory are synced; after it, the record's directory.
    python3 - "$BATS_TEST_TMPDIR/trace" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
def find(pat):
    return [i for i, l in enumerate(lines) if re.search(pat, l)]
commit = find(r'rename\w*\(.*/engine/containers/[0-9a-f]{64}>, "\.container\.json\.tmp-.*"container\.json"')
if not commit:
    sys.exit("no rename of the engine's container.json")
r = commit[0]
def before(pat, what):
    got = find(pat)
    if not got:
        sys.exit("%s was never synced" % what)
    if got[0] > r:
        sys.exit("%s synced only after the record's rename (the commit)" % what)
before(r'fsync\(\d+</[^>]*/engine/containers/[0-9a-f]{64}/\.container\.json\.tmp-', "the engine record's data")
before(r'fsync\(\d+</[^>]*/root/containers/[0-9a-f]{64}/(\.container\.json\.tmp-[0-9a-f]+|container\.json)>', "the storage record")
link = find(r'linkat\(.*"durable"')
if not link or link[0] > r:
    sys.exit("the name was not linked before the record's rename")
before(r'fsync\(\d+<[^>]*/names/\.tmp-[0-9a-f]{64}>', "the name's file")
before(r'fsync\(\d+<[^>]*/engine/names>\)', "the names directory")
if not [i for i in find(r'fsync\(\d+<[^>]*/engine/containers/[0-9a-f]{64}>\)') if i > r]:
    sys.exit("the record's directory was not synced after its rename")
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
