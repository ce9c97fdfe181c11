#!/usr/bin/env bats
# Pods (docs/pods.md): commands acting on members of several pods at once
# start each from its own pod's user namespace; the pod's /dev/shm, shared
# through the infra's monitor's mount namespace, has a size.

bats_require_minimum_version 1.5.0

load helpers
load helpers-containers

setup() {
    pc_setup
    pc_load_fixture busybox
    [ -x /usr/bin/catatonit ] || skip "no /usr/bin/catatonit (Debian's catatonit package)"
}

teardown() {
    pc_teardown
}

@test "pod: start and restart of members of two pods, a joiner and a plain container" {
    run_pc pod create --name pa
    run_pc pod create --name pb
    run_pc create --pod pa --name a localhost/busybox sleep 1000
    run_pc create --pod pb --name b localhost/busybox sleep 1000
    run_pc run -d --name x localhost/busybox sleep 1000
    run_pc create --network container:x --name j localhost/busybox sleep 1000
    run_pc create --name plain localhost/busybox sleep 1000
    run_pc start a b j plain
    assert_equal "$output" "a
b
j
plain"
    run_pc exec a hostname
    assert_equal "$output" pa
    run_pc exec b hostname
    assert_equal "$output" pb
    run_pc inspect --format '{{.State.Status}}' a b j plain
    assert_equal "$output" "running
running
running
running"
    run_pc restart -t 0 b a plain j
    assert_equal "$output" "b
a
plain
j"
    run_pc exec a hostname
    assert_equal "$output" pa
    run_pc exec b hostname
    assert_equal "$output" pb
    run_pc stop -t 0 a b j plain
    # start --all starts every container, each from its pod's namespace.
    run_pc start --all
    run_pc inspect --format '{{.State.Status}}' a b j plain
    assert_equal "$output" "running
running
running
running"
    run_pc exec b hostname
    assert_equal "$output" pb
    # A missing name: nothing is started, as podman.
    run_pc stop -t 0 a b
    run_pc 125 start a b nosuch
    run_pc inspect --format '{{.State.Status}}' a b
    assert_equal "$output" "exited
exited"
}

@test "pod: the shared /dev/shm is a tmpfs of 64 MiB, or --shm-size" {
    run_pc pod create --name big
    run_pc run --rm --pod big localhost/busybox df -k /dev/shm
    assert_contains "$output" " 65536 "
    run_pc pod create --name small --shm-size 1m
    run_pc run -d --pod small --name w localhost/busybox sh -c 'echo shared > /dev/shm/mark; exec sleep 1000'
    # A member cannot write past the size; the other sees what it wrote.
    run_pc 1 run --rm --pod small localhost/busybox dd if=/dev/zero of=/dev/shm/fill bs=1024 count=2048
    assert_contains "$output" "No space left on device"
    run_pc run --rm --pod small localhost/busybox sh -c 'df -k /dev/shm; cat /dev/shm/mark'
    assert_contains "$output" " 1024 "
    assert_contains "$output" "shared"
    # Nothing of it landed in the directory on the host's runtime dir.
    pod_id=$("$PC" pod inspect --format '{{.Id}}' small)
    run find "$XDG_RUNTIME_DIR" -path "*/pods/$pod_id/shm/*"
    assert_equal "$output" ""
    # pod clone keeps the size; a bad one is refused.
    run_pc pod clone --name small2 small
    run_pc run --rm --pod small2 localhost/busybox df -k /dev/shm
    assert_contains "$output" " 1024 "
    run_pc 125 pod create --shm-size lots
}

@test "pod create --infra-image: the infra runs the image (or --infra-command) and shows it" {
    run_pc pod create --name img --infra-image localhost/busybox --infra-command "sleep 1000" --hostname imghost
    pod_id=$output
    infra=$("$PC" pod inspect --format '{{.InfraContainerID}}' img)
    run_pc inspect --format '{{.ImageName}} {{.Path}} {{.Args}} {{.Pod}}' "$infra"
    assert_equal "$output" "localhost/busybox:latest sleep [1000] $pod_id"
    run_pc run -d --pod img --name m1 localhost/busybox sh -c 'echo from-m1 > /dev/shm/mark; exec sleep 1000'
    run_pc ps --pod --format '{{.Image}} {{.Command}} {{.PodName}}' --filter id="$infra"
    assert_equal "$output" "localhost/busybox:latest sleep 1000 img"
    # Members share its namespaces as with catatonit's infra.
    run_pc run --rm --pod img localhost/busybox sh -c 'hostname; cat /dev/shm/mark'
    assert_equal "$output" "imghost
from-m1"
    # The infra alone is not removed; pod clone keeps the image.
    run_pc 125 rm -f "$infra"
    run_pc pod clone --name img2 img
    infra2=$("$PC" pod inspect --format '{{.InfraContainerID}}' img2)
    run_pc inspect --format '{{.ImageName}} {{.Path}}' "$infra2"
    assert_equal "$output" "localhost/busybox:latest sleep"
    run_pc pod rm -f -t 0 img img2
    run_pc ps -aq
    assert_equal "$output" ""
    # Without --infra-command the image's own command runs (busybox: sh).
    run_pc pod create --name plainimg --infra-image localhost/busybox
    infra=$("$PC" pod inspect --format '{{.InfraContainerID}}' plainimg)
    run_pc inspect --format '{{.Path}}' "$infra"
    assert_equal "$output" "sh"
    run_pc 125 pod create --infra-image nosuch/image
    run_pc 125 pod create --infra=false --infra-image localhost/busybox
    # A failed create leaves no pod behind.
    run_pc pod ps --format '{{.Name}}'
    assert_equal "$output" "plainimg"
}
