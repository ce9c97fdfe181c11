#!/usr/bin/env bats
# The device policy of rootful containers: a container run by root is in no
# user namespace, so the kernel lets it make device nodes (CAP_MKNOD) and
# open those an image layer ships; its device cgroup must refuse every node
# but podman's defaults and the ones given with --device.

load ../helpers

setup() {
    root_store_setup || return 1
}

teardown() { root_store_teardown; }

# The host's nodes these tests try: kvm, loop-control (char), loop0 (block).
need_nodes() {
    for n in "$@"; do
        [ -e "$n" ] || skip "no $n on this host"
    done
}

@test "rootful: nodes made with mknod in the container cannot be opened" {
    need_nodes /dev/loop-control /dev/loop0
    # c 10:232 kvm, c 10:237 loop-control, b 7:0 loop0, c 4:1 vcs-like tty1,
    # b 8:0 the first disk: made (mknod is allowed, as podman allows it),
    # never opened.
    for node in "c 10 232" "c 10 237" "b 7 0" "c 4 1" "b 8 0"; do
        run "${PCR[@]}" run --rm --cap-add MKNOD localhost/busybox \
            sh -c "mknod /tmp/k $node && echo MADE && exec 3</tmp/k && echo OPENED"
        echo "$node: $output"
        assert_contains "$output" "MADE"
        assert_contains "$output" "Operation not permitted"
        [[ "$output" != *OPENED* ]]
        [ "$status" -ne 0 ]
    done
}

@test "rootful: podman's default devices still work beside the policy" {
    run "${PCR[@]}" run --rm --cap-add MKNOD localhost/busybox sh -c '
        head -c 3 /dev/zero | od -An -tx1
        head -c 8 /dev/urandom >/dev/null && echo urandom-ok
        head -c 8 /dev/random >/dev/null && echo random-ok
        echo x >/dev/null && echo null-ok
        echo x 2>/dev/null >/dev/full || echo full-refuses-writes
        mknod /tmp/k c 10 237 && (exec 3</tmp/k) || echo mknod-node-refused'
    [ "$status" -eq 0 ]
    assert_contains "$output" "00 00 00"
    assert_contains "$output" "urandom-ok"
    assert_contains "$output" "random-ok"
    assert_contains "$output" "null-ok"
    assert_contains "$output" "full-refuses-writes"
    assert_contains "$output" "Operation not permitted"
    assert_contains "$output" "mknod-node-refused"
    # A terminal: /dev/tty, /dev/console and the pty (c 136:N) are allowed.
    run timeout 30 script -qec "'${PCR[0]}' --root '$PC_TEST_DIR/root' --runroot '$PC_TEST_DIR/runroot' run --rm -t --cap-add MKNOD localhost/busybox sh -c 'tty; echo to-tty >/dev/tty && echo to-console >/dev/console; mknod /tmp/k c 10 237; exec 3</tmp/k'" /dev/null
    echo "$output"
    assert_contains "$output" "/dev/pts/0"
    assert_contains "$output" "to-tty"
    assert_contains "$output" "to-console"
    assert_contains "$output" "Operation not permitted"
}

@test "rootful: a device node shipped in an image layer cannot be opened" {
    need_nodes /dev/loop-control
    local tar=$PC_TEST_DIR/devnode.tar
    # busybox's root plus a char node 10:237 (loop-control) and a block
    # node 7:0 (loop0), as a hostile image would ship them.
    python3 - "$PC_FIXTURES/busybox.rootfs.tar" "$tar" <<'EOF'
import sys, tarfile
src, dst = sys.argv[1], sys.argv[2]
with tarfile.open(src) as i, tarfile.open(dst, "w", format=tarfile.PAX_FORMAT) as o:
    for m in i.getmembers():
        o.addfile(m, i.extractfile(m) if m.isfile() else None)
    for name, kind, maj, mnr in (("lc", tarfile.CHRTYPE, 10, 237), ("l0", tarfile.BLKTYPE, 7, 0)):
        t = tarfile.TarInfo(name)
        t.type, t.devmajor, t.devminor, t.mode = kind, maj, mnr, 0o666
        o.addfile(t)
EOF
    run "${PCR[@]}" import "$tar" localhost/devnode
    [ "$status" -eq 0 ]
    run "${PCR[@]}" run --rm localhost/devnode sh -c 'ls -l /lc /l0; exec 3</lc && echo OPENED-lc'
    echo "$output"
    assert_contains "$output" "10, 237"
    assert_contains "$output" "Operation not permitted"
    [[ "$output" != *OPENED* ]]
    run "${PCR[@]}" run --rm localhost/devnode sh -c 'exec 3</l0 && echo OPENED-l0'
    assert_contains "$output" "Operation not permitted"
    [[ "$output" != *OPENED* ]]
}

@test "rootful: pc exec runs under the container's device policy" {
    need_nodes /dev/loop-control
    run "${PCR[@]}" run -d --name ex --cap-add MKNOD localhost/busybox sleep 300
    [ "$status" -eq 0 ]
    run "${PCR[@]}" exec ex sh -c 'echo x >/dev/null && echo null-ok; mknod /tmp/k c 10 237; exec 3</tmp/k && echo OPENED'
    echo "$output"
    assert_contains "$output" "null-ok"
    assert_contains "$output" "Operation not permitted"
    [[ "$output" != *OPENED* ]]
}

@test "rootful --device gives the host's node, with its permissions" {
    need_nodes /dev/loop-control
    run "${PCR[@]}" run --rm --device /dev/loop-control localhost/busybox \
        sh -c 'ls -l /dev/loop-control; exec 3</dev/loop-control && echo OPENED'
    echo "$output"
    [ "$status" -eq 0 ]
    assert_contains "$output" "10, 237"
    assert_contains "$output" "OPENED"
    # Another path in the container, read only: writes are refused.
    run "${PCR[@]}" run --rm --device /dev/loop-control:/dev/lc:r localhost/busybox \
        sh -c 'exec 3</dev/lc && echo READ-OK; exec 4>/dev/lc && echo WRITE-OK'
    echo "$output"
    assert_contains "$output" "READ-OK"
    assert_contains "$output" "Operation not permitted"
    [[ "$output" != *WRITE-OK* ]]
    # The record keeps podman's HostConfig.Devices.
    run "${PCR[@]}" create --name withdev --device /dev/loop-control:/dev/lc:rw localhost/busybox true
    [ "$status" -eq 0 ]
    run "${PCR[@]}" inspect --format '{{json .HostConfig.Devices}}' withdev
    assert_contains "$output" '"PathOnHost":"/dev/loop-control"'
    assert_contains "$output" '"PathInContainer":"/dev/lc"'
    assert_contains "$output" '"CgroupPermissions":"rw"'
}

@test "--device refuses what is not a device, a bad mode or a relative path" {
    run "${PCR[@]}" run --rm --device /dev/nosuchdevice localhost/busybox true
    [ "$status" -eq 125 ]
    assert_contains "$output" "stat /dev/nosuchdevice: No such file or directory"
    run "${PCR[@]}" run --rm --device /etc/passwd localhost/busybox true
    [ "$status" -eq 125 ]
    assert_contains "$output" "not a device node"
    run "${PCR[@]}" run --rm --device /dev/null:/dev/n:rwx localhost/busybox true
    [ "$status" -eq 125 ]
    assert_contains "$output" "invalid device mode: rwx"
    run "${PCR[@]}" run --rm --device /dev/null:rel localhost/busybox true
    [ "$status" -eq 125 ]
    assert_contains "$output" "invalid device mode: rel"
}

@test "rootful: the device cgroup lives as long as the container" {
    run "${PCR[@]}" run -d --name cg localhost/busybox sleep 300
    [ "$status" -eq 0 ]
    local id=$output
    local dir=/sys/fs/cgroup/devices/pc/$id
    [ -d /sys/fs/cgroup/devices ] || dir=/sys/fs/cgroup/pc-$id
    [ -d "$dir" ]
    run "${PCR[@]}" inspect --format '{{.State.Pid}}' cg
    grep -qx "$output" "$dir/cgroup.procs"
    if [ -f "$dir/devices.list" ]; then
        run cat "$dir/devices.list"
        assert_contains "$output" "c 1:3 rwm"
        assert_contains "$output" "c *:* m"
        [[ "$output" != *"a *:* rwm"* ]]
    fi
    run "${PCR[@]}" rm -f -t 0 cg
    [ "$status" -eq 0 ]
    [ ! -d "$dir" ]
}
