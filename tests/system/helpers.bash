# Shared by every system test: `load helpers` (or `load ../helpers` from root/).
#
# Each test gets a private store and runtime directory, so tests never see
# each other's containers or images, and teardown removes what the test made.

bats_require_minimum_version 1.5.0

PC=${PC_BINARY:-$(cd "$BATS_TEST_DIRNAME" && git rev-parse --show-toplevel 2>/dev/null)/build/pc}
# Fixture images built by tests/fixtures/build-images (scripts/test builds them once).
PC_FIXTURES=${PC_FIXTURES:-$(dirname "$PC")/fixtures}

pc_setup() {
    PC_TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pc-test.XXXXXX")
    export XDG_DATA_HOME=$PC_TEST_DIR/data
    export XDG_RUNTIME_DIR=$PC_TEST_DIR/run
    export XDG_CONFIG_HOME=$PC_TEST_DIR/config
    mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME"
    chmod 0700 "$XDG_RUNTIME_DIR"
}

pc_teardown() {
    [ -n "${PC_TEST_DIR:-}" ] || return 0
    # Containers first (they hold layers), then the store, whose files may
    # belong to subuids only the user namespace can remove.
    if "$PC" help rm >/dev/null 2>&1; then
        "$PC" rm -fa -t 0 >/dev/null 2>&1 || true
    fi
    # The whole test dir: a test's host directories may hold files a
    # container chowned to subordinate ids (:U), which only the user
    # namespace can remove.
    if "$PC" help unshare >/dev/null 2>&1; then
        "$PC" unshare rm -rf "$PC_TEST_DIR" >/dev/null 2>&1 || true
    fi
    rm -rf "$PC_TEST_DIR" 2>/dev/null || true
}

setup() { pc_setup; }
teardown() { pc_teardown; }

# run_pc [EXPECTED_STATUS] ARGS...: runs pc as a user types it; fails the test
# when the exit status differs (default 0). $output holds stdout+stderr.
run_pc() {
    local expected=0
    if [[ $1 =~ ^[0-9]+$ ]]; then
        expected=$1
        shift
    fi
    if [ "$expected" -eq 127 ]; then
        # bats warns about a bare 127 ("command not found") unless told it is expected.
        run -127 "$PC" "$@"
    else
        run "$PC" "$@"
    fi
    if [ "$status" -ne "$expected" ]; then
        echo "# pc $*" >&2
        echo "# exit status $status, expected $expected; output:" >&2
        printf '%s\n' "$output" | sed 's/^/#   /' >&2
        return 1
    fi
}

# Like run_pc but stdout and stderr apart: $output is stdout, $stderr is stderr.
run_pc_split() {
    local expected=0
    if [[ $1 =~ ^[0-9]+$ ]]; then
        expected=$1
        shift
    fi
    run --separate-stderr "$PC" "$@"
    if [ "$status" -ne "$expected" ]; then
        echo "# pc $*" >&2
        echo "# exit status $status, expected $expected" >&2
        echo "# stdout: $output" >&2
        echo "# stderr: $stderr" >&2
        return 1
    fi
}

# assert_contains HAYSTACK NEEDLE [what]
assert_contains() {
    if [[ "$1" != *"$2"* ]]; then
        echo "# expected to find: $2" >&2
        echo "# in: $1" >&2
        return 1
    fi
}

assert_not_contains() {
    if [[ "$1" == *"$2"* ]]; then
        echo "# expected NOT to find: $2" >&2
        echo "# in: $1" >&2
        return 1
    fi
}

assert_equal() {
    if [ "$1" != "$2" ]; then
        echo "# got:  '$1'" >&2
        echo "# want: '$2'" >&2
        return 1
    fi
}

# wait_for [-t SECONDS] COMMAND...: polls COMMAND until it succeeds, failing
# the test after SECONDS (default 10). Waits for a condition, never a fixed
# time: the deadline only keeps a broken pc from hanging the suite.
wait_for() {
    local secs=10
    if [ "$1" = "-t" ]; then
        secs=$2
        shift 2
    fi
    local deadline=$((SECONDS + secs))
    while ! "$@" 2>/dev/null; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "# condition never held within ${secs}s: $*" >&2
            return 1
        fi
        sleep 0.05
    done
}

assert_not_equal() {
    if [ "$1" = "$2" ]; then
        echo "# expected something other than: '$2'" >&2
        return 1
    fi
}

# skip_if_root / skip_unless_root: for behaviour that differs by user.
skip_if_root() { [ "$(id -u)" -ne 0 ] || skip "${1:-runs as an unprivileged user}"; }
skip_unless_root() { [ "$(id -u)" -eq 0 ] || skip "${1:-needs root}"; }

# pc_load_fixture NAME: loads fixture image NAME (docker-archive) into the store.
pc_load_fixture() {
    run_pc load -i "$PC_FIXTURES/$1.docker.tar"
}

# Root tests: a store of the test's own (PCR runs pc on it) holding the
# busybox fixture; root_store_teardown removes its containers and the store.
root_store_setup() {
    skip_unless_root
    pc_setup
    PCR=("$PC" --root "$PC_TEST_DIR/root" --runroot "$PC_TEST_DIR/runroot")
    run "${PCR[@]}" load -i "$PC_FIXTURES/busybox.docker.tar"
    [ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
}

root_store_teardown() {
    [ -n "${PC_TEST_DIR:-}" ] || return 0
    "${PCR[@]}" rm -fa -t 0 >/dev/null 2>&1 || true
    rm -rf "$PC_TEST_DIR"
}
