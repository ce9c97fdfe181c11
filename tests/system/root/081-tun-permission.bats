#!/usr/bin/env bats
# /dev/net/tun that the user may not open (this machine ships it 0600; the
# test setup makes it 0666 as distributions do): pc's default network says
# what is wrong and how to fix it, and --network none still runs. The 0600
# node is bound over /dev/net/tun in a private mount namespace only, so the
# host's node is never touched. Needs an unprivileged user with a subuid
# range (the suite's test user).

load ../helpers

setup() {
    skip_unless_root
    TUN_USER=${PC_TEST_USER:-pctest}
    id "$TUN_USER" >/dev/null 2>&1 || skip "no unprivileged test user $TUN_USER"
    grep -q "^$TUN_USER:" /etc/subuid || skip "$TUN_USER has no subuid range"
    pc_setup
    chmod 0755 "$PC_TEST_DIR"
    mkdir -p "$PC_TEST_DIR/u"
    chown "$TUN_USER" "$PC_TEST_DIR/u"
    mknod "$PC_TEST_DIR/tun0600" c 10 200
    chmod 0600 "$PC_TEST_DIR/tun0600"
}

teardown() {
    [ -n "${PC_TEST_DIR:-}" ] || return 0
    runuser -u "$TUN_USER" -- env HOME="$PC_TEST_DIR/u" XDG_RUNTIME_DIR="$PC_TEST_DIR/u/run" \
        "$PC" --root "$PC_TEST_DIR/u/s" --runroot "$PC_TEST_DIR/u/r" unshare rm -rf "$PC_TEST_DIR/u/s" >/dev/null 2>&1 || true
    rm -rf "$PC_TEST_DIR"
}

@test "a /dev/net/tun the user cannot open: the default network names the fix, --network none runs" {
    local before
    before=$(stat -c %a /dev/net/tun)
    run unshare -m sh -c '
        mount --make-rprivate / && mount --bind "$1/tun0600" /dev/net/tun || exit 99
        cd "$1/u" && runuser -u "$2" -- env HOME="$1/u" XDG_RUNTIME_DIR="$1/u/run" PC="$3" FIX="$4" sh -c "
            mkdir -p -m 700 \"\$XDG_RUNTIME_DIR\"
            P=\"\$PC --root $1/u/s --runroot $1/u/r\"
            \$P load -i \"\$FIX/busybox.docker.tar\" >/dev/null || exit 98
            \$P run --rm localhost/busybox true; echo rc=\$?
            \$P run --rm --network none localhost/busybox echo none-runs"' \
        sh "$PC_TEST_DIR" "$TUN_USER" "$PC" "$PC_FIXTURES"
    echo "$output"
    assert_contains "$output" "open /dev/net/tun: the default network needs /dev/net/tun readable and writable by you"
    assert_contains "$output" "chmod 0666 /dev/net/tun"
    assert_contains "$output" "rc=125"
    assert_contains "$output" "none-runs"
    # The host's node is as it was.
    assert_equal "$(stat -c %a /dev/net/tun)" "$before"
}
