#!/usr/bin/env bats
# User namespace modes as root (docs/userns.md): --uidmap creates one over
# the image shown through fuse-overlayfs' id shift; keep-id and nomap are
# rootless only, as in podman.

load ../helpers

setup() {
    root_store_setup || return 1
    command -v fuse-overlayfs >/dev/null || skip "fuse-overlayfs is not installed"
}

teardown() { root_store_teardown; }

@test "rootful --uidmap: the container's map, root files still root's, its writes land as a default container's" {
    local hostdir=$PC_TEST_DIR/host
    mkdir -p "$hostdir"
    # Host root is not mapped: the container's root owns the directory.
    chown 200000:200000 "$hostdir"
    run "${PCR[@]}" run --rm --uidmap 0:200000:65536 -v "$hostdir:/data" localhost/busybox \
        sh -c 'cat /proc/self/uid_map /proc/self/gid_map | tr -s " "; stat -c %u /bin; touch /data/f'
    [ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
    assert_equal "$output" " 0 200000 65536
 0 200000 65536
0"
    # On the host, the file belongs to the mapped root.
    assert_equal "$(stat -c %u "$hostdir/f")" "200000"
    run "${PCR[@]}" inspect --format '{{.HostConfig.UsernsMode}}' "$("${PCR[@]}" create --uidmap 0:200000:10 localhost/busybox true)"
    assert_equal "$output" "private"
}

@test "rootful keep-id and nomap: podman's refusals" {
    run "${PCR[@]}" run --rm --userns=keep-id localhost/busybox true
    [ "$status" -eq 125 ]
    assert_contains "$output" "keep-id is only supported in rootless mode"
    run "${PCR[@]}" run --rm --userns=nomap localhost/busybox true
    [ "$status" -eq 125 ]
    assert_contains "$output" "nomap is only supported in rootless mode"
}
