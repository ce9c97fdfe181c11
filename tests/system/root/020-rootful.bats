#!/usr/bin/env bats
# Rootful behaviour of the rootless pieces, run as root: no user namespace by
# default, pc unshare refused as podman refuses it, pc system check in rootful
# mode; and a real user without any subuid entry gets the single-id fallback.

bats_require_minimum_version 1.5.0
load ../helpers

setup() {
    pc_setup
    skip_unless_root
    TMP_USER=""
}

teardown() {
    if [ -n "$TMP_USER" ]; then
        userdel -r "$TMP_USER" >/dev/null 2>&1 || true
    fi
    pc_teardown
}

@test "pc unshare as root is refused with podman's message" {
    run_pc 125 unshare true
    assert_equal "$output" "Error: please use unshare with rootless"
}

@test "pc system check as root reports rootful mode and skips rootless items" {
    run_pc --root "$PC_TEST_DIR/store" system check
    assert_contains "$output" "rootful mode"
    assert_not_contains "$output" "subuid"
    assert_not_contains "$output" "newuidmap"
    assert_contains "$output" "PASS  overlay"
    assert_not_contains "$output" "FAIL"
    # The overlay probe leaves nothing behind.
    run ls -A "$PC_TEST_DIR/store"
    assert_equal "$output" ""
    run grep -c "$PC_TEST_DIR" /proc/self/mountinfo
    assert_equal "$output" "0"
}

@test "pc info as root: rootless false, no id mappings" {
    run_pc_split --root "$PC_TEST_DIR/store" info --format json
    printf '%s' "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
h = d["host"]
assert h["security"]["rootless"] is False
assert h["idMappings"]["uidmap"] is None and h["idMappings"]["gidmap"] is None
assert h["rootlessPrerequisites"][0]["Value"] == "rootful"
assert d["store"]["graphRoot"] == "'"$PC_TEST_DIR/store"'"
'
}

# A throwaway user with no line in the real /etc/subuid and /etc/subgid.
make_user_without_subids() {
    TMP_USER=pcnosub$$
    useradd -M -d /nonexistent -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$TMP_USER" ||
        skip "useradd failed"
    ! grep -q "^$TMP_USER:" /etc/subuid /etc/subgid || skip "useradd added subordinate ids"
    chmod 0755 "$PC_TEST_DIR"
}

@test "a user without any subuid entry gets the single-id fallback and one clear warning" {
    make_user_without_subids
    run --separate-stderr runuser -u "$TMP_USER" -- env XDG_DATA_HOME="$PC_TEST_DIR/d" \
        "$PC" unshare cat /proc/self/uid_map
    [ "$status" -eq 0 ]
    local uid
    uid=$(id -u "$TMP_USER")
    assert_equal "$(printf '%s\n' "$output" | awk '{print $1, $2, $3}')" "0 $uid 1"
    assert_contains "$stderr" "there is no range for user \"$TMP_USER\" in /etc/subuid and /etc/subgid"
    assert_contains "$stderr" "usermod --add-subuids"
    assert_contains "$stderr" "usermod --add-subgids"
    assert_contains "$stderr" "$TMP_USER\""
    [ "$(grep -c WARN <<<"$stderr")" -eq 1 ]
}

@test "pc system check for a user without subuid entries fails with the usermod fix" {
    make_user_without_subids
    run runuser -u "$TMP_USER" -- env XDG_DATA_HOME="$PC_TEST_DIR/d" "$PC" system check
    [ "$status" -eq 1 ]
    assert_contains "$output" "FAIL  subuid"
    assert_contains "$output" "FAIL  subgid"
    assert_contains "$output" "fix: usermod --add-subuids"
    assert_contains "$output" " $TMP_USER"
}

@test "without newuidmap/newgidmap: single-id fallback naming the uidmap package" {
    id pctest >/dev/null 2>&1 || skip "needs the unprivileged test user pctest"
    grep -q '^pctest:' /etc/subuid || skip "pctest has no subuid range"
    local x=$PC_TEST_DIR/noexec
    : > "$x"
    chmod 0644 "$x"
    chmod 0755 "$PC_TEST_DIR"
    # Hide the helpers in a private mount namespace only (the host keeps them).
    run --separate-stderr unshare -m --propagation private sh -c "
        mount --bind '$x' /usr/bin/newuidmap && mount --bind '$x' /usr/bin/newgidmap &&
        runuser -u pctest -- env PATH=/usr/bin:/bin XDG_DATA_HOME='$PC_TEST_DIR/d' '$PC' unshare cat /proc/self/uid_map"
    [ "$status" -eq 0 ]
    assert_equal "$(printf '%s\n' "$output" | awk '{print $1, $2, $3}')" "0 $(id -u pctest) 1"
    assert_contains "$stderr" "newuidmap and newgidmap not found (or not executable)"
    assert_contains "$stderr" "apt-get install uidmap"
    assert_contains "$stderr" "single-id user namespace"
    run unshare -m --propagation private sh -c "
        mount --bind '$x' /usr/bin/newuidmap &&
        runuser -u pctest -- env PATH=/usr/bin:/bin XDG_DATA_HOME='$PC_TEST_DIR/d' '$PC' system check"
    [ "$status" -eq 1 ]
    assert_contains "$output" "FAIL  newuidmap"
    assert_contains "$output" "fix: apt-get install uidmap"
    assert_contains "$output" "PASS  newgidmap"
    # The host still has them.
    [ -x /usr/bin/newuidmap ] && [ -u /usr/bin/newuidmap ]
}
