#!/usr/bin/env bats
# --device for a rootless container: no mknod in a user namespace, so the
# host's node is bound (as podman does); it works for a node the user may
# open. The device cgroup is root's business: a user namespace can neither
# make nodes nor use the nodes of a filesystem it mounted.

load helpers
load helpers-containers

setup() {
    pc_setup
    skip_if_root "rootless behaviour"
    pc_busybox
}

@test "rootless --device binds a host node the user can open" {
    [ -c /dev/fuse ] && [ -r /dev/fuse ] && [ -w /dev/fuse ] || skip "/dev/fuse is not open to $(id -un)"
    run_pc run --rm --device /dev/fuse busybox sh -c 'ls -l /dev/fuse; exec 3<>/dev/fuse && echo OPENED'
    assert_contains "$output" "10, 229"
    assert_contains "$output" "OPENED"
    # Under another name in the container.
    run_pc run --rm --device /dev/fuse:/dev/myfuse:rw busybox sh -c 'exec 3<>/dev/myfuse && echo OPENED'
    assert_contains "$output" "OPENED"
}

@test "rootless --device refuses a missing node before anything runs" {
    run_pc 125 run --rm --device /dev/nosuchdevice busybox true
    assert_contains "$output" "stat /dev/nosuchdevice: No such file or directory"
    run_pc 0 ps -a --format '{{.Names}}'
    assert_equal "$output" ""
}
