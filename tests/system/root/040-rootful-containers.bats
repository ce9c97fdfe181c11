#!/usr/bin/env bats
# Containers run by root: no user namespace (as with podman), and the
# cgroup v1 freezer makes pause/unpause work.

load ../helpers

setup() {
    root_store_setup || return 1
}

teardown() { root_store_teardown; }

@test "rootful run: container root is host root, no user namespace, exit code kept" {
    run "${PCR[@]}" run --rm localhost/busybox sh -c 'cat /proc/self/uid_map; exit 7'
    [ "$status" -eq 7 ]
    # The initial user namespace's full map: 0 0 4294967295.
    [[ "$output" =~ ^[[:space:]]*0[[:space:]]+0[[:space:]]+4294967295 ]]
}

@test "rootful pause freezes the container and unpause thaws it" {
    run "${PCR[@]}" run -d --name frozen localhost/busybox sh -c 'while :; do echo tick >/tmp/t; sleep 0.1; done'
    [ "$status" -eq 0 ]
    run "${PCR[@]}" pause frozen
    [ "$status" -eq 0 ]
    assert_equal "$output" "frozen"
    run "${PCR[@]}" inspect --format '{{.State.Status}} {{.State.Paused}}' frozen
    assert_equal "$output" "paused true"
    # Plain ps lists running containers only, as podman's: a paused one
    # shows with -a.
    run "${PCR[@]}" ps --format '{{.Names}}'
    assert_not_contains "$output" "frozen"
    run "${PCR[@]}" ps -a --format '{{.Names}} {{.Status}}'
    assert_contains "$output" "frozen"
    assert_contains "$output" "Paused"
    # The container's pid 1 really is frozen by the kernel.
    run "${PCR[@]}" inspect --format '{{.State.Pid}}' frozen
    local pid=$output
    local state
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        state=$(awk '/^State:/ {print $2}' "/proc/$pid/status")
        [ "$state" = D ] && break
        sleep 0.1
    done
    assert_equal "$state" "D"
    run "${PCR[@]}" unpause frozen
    [ "$status" -eq 0 ]
    run "${PCR[@]}" inspect --format '{{.State.Status}}' frozen
    assert_equal "$output" "running"
    run "${PCR[@]}" rm -f -t 0 frozen
    [ "$status" -eq 0 ]
}

@test "pausing a container that is not running fails like podman" {
    run "${PCR[@]}" create --name idle localhost/busybox true
    [ "$status" -eq 0 ]
    run "${PCR[@]}" pause idle
    [ "$status" -eq 125 ]
    assert_contains "$output" "is not running, can't pause: container state improper"
}
