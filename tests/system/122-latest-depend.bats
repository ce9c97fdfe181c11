#!/usr/bin/env bats
# --latest/-l on the container commands, rm --depend and the refusal to
# remove a container others depend on, the stopping state in ps templates,
# -u with a user the image lacks, restart of a --network container:X
# joiner. Expected output comes from podman 4.3 run side by side.

bats_require_minimum_version 1.5.0

load helpers
load helpers-containers

setup() {
    pc_setup
    pc_load_fixture busybox
}

teardown() {
    pc_teardown
}

@test "--latest: each command acts on the newest container" {
    run_pc create --name old busybox sleep 1000
    old=$output
    run_pc create --name new busybox sh -c 'echo hello; exec sleep 1000'
    new=$output
    # podman prints the full id of what it acted on.
    run_pc start -l
    assert_equal "$output" "$new"
    assert_equal "$(ctr_state new) $(ctr_state old)" "running created"
    run_pc wait -l --condition running
    assert_equal "$output" "-1"
    run_pc logs -l
    assert_equal "$output" "hello"
    run_pc exec -l echo hi
    assert_equal "$output" "hi"
    run_pc top -l pid args
    assert_contains "$output" "sleep 1000"
    run_pc port -l
    assert_equal "$output" ""
    run_pc inspect -l --format '{{.Name}}'
    assert_equal "$output" "new"
    run_pc kill -l
    assert_equal "$output" "$new"
    run_pc wait -l
    assert_equal "$output" "137"
    run_pc restart -l
    assert_equal "$output" "$new"
    assert_equal "$(ctr_state new)" "running"
    run_pc stop -l -t 0
    assert_equal "$output" "$new"
    run_pc rm -l
    assert_equal "$output" "$new"
    # Now "old" is the newest.
    run_pc rm -l
    assert_equal "$output" "$old"
    run_pc ps -a -q
    assert_equal "$output" ""
}

@test "--latest: no container, names, --all, --cidfile: podman's messages" {
    for cmd in stop kill start restart pause wait logs attach port; do
        run_pc 125 $cmd -l
        assert_equal "$output" "Error: no such container"
    done
    run_pc 125 exec -l true
    assert_equal "$output" "Error: no such container"
    run_pc 125 top -l
    assert_equal "$output" "Error: unable to look up requested container: no such container"
    # inspect prints its empty result, then the error.
    run_pc_split 125 inspect -l --format '{{.Name}}'
    assert_equal "$output" "[]"
    assert_equal "$stderr" "Error: inspecting object: no containers to inspect: no such container"
    run_pc 125 container inspect -l foo
    assert_equal "$output" "Error: --latest and arguments cannot be used together"
    run_pc 1 rm -l
    assert_equal "$output" "Error: no such container"
    run_pc rm -l -f
    assert_equal "$output" ""
    run_pc rm -l --ignore
    assert_equal "$output" ""
    for cmd in stop kill start restart pause unpause rm wait logs attach; do
        run_pc 125 $cmd -l foo
        assert_equal "$output" "Error: --latest and containers cannot be used together"
    done
    for cmd in stop kill rm restart pause; do
        run_pc 125 $cmd -l -a
        assert_equal "$output" "Error: --all and --latest cannot be used together"
    done
    run_pc 125 start --all -l
    assert_equal "$output" "Error: --all and --latest cannot be used together"
    echo nosuch > "$PC_TEST_DIR/cid"
    for cmd in stop kill rm; do
        run_pc 125 $cmd -l --cidfile "$PC_TEST_DIR/cid"
        assert_equal "$output" "Error: --all, --latest, and --cidfile cannot be used together"
    done
    # Missing arguments, as podman words them.
    run_pc 125 logs
    assert_equal "$output" "Error: specify at least one container name or ID to log"
    run_pc 125 port
    assert_equal "$output" "Error: you must supply a running container name or id"
    run_pc 125 top nosuch
    assert_equal "$output" 'Error: unable to look up requested container: no container with name or ID "nosuch" found: no such container'
}

@test "ps while a stop waits: stopping in {{.State}} and JSON, Stopping in {{.Status}}, not running" {
    # sleep as pid 1 ignores SIGTERM: pc stop waits out its timeout.
    run_pc run -d --name st busybox sleep 1000
    "$PC" stop -t 60 st > /dev/null 2>&1 &
    stop_pid=$!
    run_pc wait --condition stopping st
    run_pc ps -a --format '{{.Names}} {{.State}}|{{.Status}}'
    assert_equal "$output" "st stopping|Stopping"
    run_pc ps -a --format json
    assert_contains "$output" '"State": "stopping"'
    # podman 4.3: ps without -a and status=running leave it out.
    run_pc ps -q
    assert_equal "$output" ""
    run_pc ps -a -q --filter status=running
    assert_equal "$output" ""
    run_pc kill st
    wait "$stop_pid"
    run_pc ps -a --format '{{.State}}'
    assert_equal "$output" "exited"
}

@test "-u with a user the image lacks: create succeeds, start fails with podman's words, run exits 126" {
    run_pc create --name u1 -u nosuchuser busybox id
    id=$output
    run_pc 125 start u1
    assert_equal "$output" "Error: unable to start container \"$id\": unable to find user nosuchuser: no matching entries in passwd file"
    run_pc inspect --format '{{.State.Status}} {{.State.ExitCode}}' u1
    assert_equal "$output" "created 0"
    run_pc 125 start -a u1
    assert_equal "$output" "Error: unable to start container $id: unable to find user nosuchuser: no matching entries in passwd file"
    run_pc 126 run --name r1 -u nosuchuser busybox id
    assert_equal "$output" "Error: unable to find user nosuchuser: no matching entries in passwd file"
    run_pc ps -a --format '{{.Names}} {{.Status}}' --filter name=r1
    assert_equal "$output" "r1 Created"
    run_pc 126 run --rm -u nosuchuser busybox id
    assert_equal "$output" "Error: unable to find user nosuchuser: no matching entries in passwd file"
    # A user the image has still resolves at create.
    run_pc run --rm -u tester busybox id -u
    assert_equal "$output" "1000"
}

@test "rm: refused while --network container:X joiners exist; --depend removes them first" {
    # pc creates a joiner of a running container only (podman-compat.md).
    run_pc run -d --name base busybox sleep 1000
    base=$output
    run_pc run -d --name j1 --network container:base busybox sleep 1000
    j1=$output
    run_pc create --name j2 --network container:base busybox true
    j2=$output
    run_pc create --name k1 --network container:j1 busybox true
    k1=$output
    run_pc stop -t 0 j1 base
    deps=$(printf '%s\n%s\n' "$j1" "$j2" | sort | paste -sd, | sed 's/,/, /')
    run_pc 125 rm base
    assert_equal "$output" "Error: container $base has dependent containers which must be removed before it: $deps: container already exists"
    run_pc 125 rm -f base
    assert_equal "$output" "Error: container $base has dependent containers which must be removed before it: $deps: container already exists"
    run_pc container exists base
    # podman: each joiner after those that join it, joiners in id order,
    # full ids, the one named last.
    first=$(printf '%s\n%s\n' "$j1" "$j2" | sort | head -1)
    if [ "$first" = "$j1" ]; then
        want=$(printf '%s\n%s\n%s\n%s' "$k1" "$j1" "$j2" "$base")
    else
        want=$(printf '%s\n%s\n%s\n%s' "$j2" "$k1" "$j1" "$base")
    fi
    run_pc rm --depend base
    assert_equal "$output" "$want"
    run_pc ps -a -q
    assert_equal "$output" ""
}

@test "rm of a running container with joiners: the running refusal first (2), then -f --depend" {
    run_pc run -d --name base busybox sleep 1000
    base=$output
    run_pc run -d --name j1 --network container:base busybox sleep 1000
    j1=$output
    run_pc 2 rm base
    assert_equal "$output" "Error: cannot remove container $base as it is running - running or paused containers cannot be removed without force: container state improper"
    run_pc rm -f -t 0 --depend base
    assert_equal "$output" "$(printf '%s\n%s' "$j1" "$base")"
    run_pc ps -a -q
    assert_equal "$output" ""
}

@test "restart of a --network container:X joiner: back in X's network namespace, as a fresh start" {
    run_pc run -d --name base busybox sleep 1000
    run_pc run -d --name j --network container:base busybox sleep 1000
    want=$("$PC" exec base readlink /proc/self/ns/net)
    run_pc exec j readlink /proc/self/ns/net
    assert_equal "$output" "$want"
    run_pc restart -t 0 j
    assert_equal "$output" "j"
    assert_equal "$(ctr_state j)" "running"
    run_pc exec j readlink /proc/self/ns/net
    assert_equal "$output" "$want"
    # Stopped first, then restarted: the same.
    run_pc stop -t 0 j
    run_pc restart j
    run_pc exec j readlink /proc/self/ns/net
    assert_equal "$output" "$want"
    run_pc restart -t 0 -l
    run_pc exec j readlink /proc/self/ns/net
    assert_equal "$output" "$want"
    run_pc rm -f -t 0 --depend base
}
