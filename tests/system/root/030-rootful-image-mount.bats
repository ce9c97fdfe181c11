#!/usr/bin/env bats
# pc image mount as root: fuse-overlayfs mounts directly (no fusermount3)
# under the rootful runroot, and unmount is a plain umount; the rootless
# variant is in 030-images.bats.

load ../helpers

setup() {
    root_store_setup || return 1
}

teardown() {
    [ -n "${PC_TEST_DIR:-}" ] || return 0
    "${PCR[@]}" image unmount -a >/dev/null 2>&1 || true
    grep -o " $PC_TEST_DIR/[^ ]*" /proc/self/mountinfo | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "$PC_TEST_DIR"
}

@test "rootful image mount shows the image's files with their owners; unmount releases it" {
    command -v fuse-overlayfs >/dev/null || skip "fuse-overlayfs not installed"
    run "${PCR[@]}" image mount localhost/busybox
    [ "$status" -eq 0 ] || { echo "$output" >&2; false; }
    local path=$output
    [[ "$path" == "$PC_TEST_DIR/runroot/"* ]] || { echo "# not under the runroot: $path" >&2; false; }
    [ -x "$path/bin/busybox" ]
    # Root's store keeps the image's owners (root), no subuid shift.
    assert_equal "$(stat -c %u:%g "$path/bin/busybox")" "0:0"
    grep -q " $path .* - fuse" /proc/self/mountinfo
    run "${PCR[@]}" image mount
    assert_contains "$output" "$path"
    # Mounting again gives the same path, no second mount.
    run "${PCR[@]}" image mount localhost/busybox
    assert_equal "$output" "$path"
    assert_equal "$(grep -c " $path " /proc/self/mountinfo)" 1
    run "${PCR[@]}" image unmount localhost/busybox
    [ "$status" -eq 0 ]
    ! grep -q " $path " /proc/self/mountinfo
    [ ! -e "$path" ]
    run "${PCR[@]}" image mount
    assert_equal "$output" ""
    run "${PCR[@]}" image unmount localhost/busybox
    [ "$status" -eq 125 ]
    assert_contains "$output" "is not mounted"
}

@test "rootful image mount is read-only, nosuid and nodev" {
    command -v fuse-overlayfs >/dev/null || skip "fuse-overlayfs not installed"
    run "${PCR[@]}" image mount localhost/busybox
    [ "$status" -eq 0 ] || { echo "$output" >&2; false; }
    local path=$output opts
    opts=$(awk -v p="$path" '$5 == p { print $6 }' /proc/self/mountinfo)
    [[ ",$opts," == *,ro,* ]] || { echo "# options: $opts" >&2; false; }
    [[ ",$opts," == *,nosuid,* ]] || { echo "# options: $opts" >&2; false; }
    [[ ",$opts," == *,nodev,* ]] || { echo "# options: $opts" >&2; false; }
    run touch "$path/new-file"
    [ "$status" -ne 0 ]
}
