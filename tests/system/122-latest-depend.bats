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
