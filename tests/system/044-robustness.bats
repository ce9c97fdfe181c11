#!/usr/bin/env bats
# What must hold when things go wrong or happen at once.

load helpers
load helpers-containers

setup() {
    pc_setup
    pc_busybox
}

@test "two pc run --name x at once: exactly one wins, the other says the name is in use" {
    for i in 1 2 3 4; do
        ("$PC" run -d --name race busybox sleep 100 > "$PC_TEST_DIR/out$i" 2>&1; echo $? > "$PC_TEST_DIR/rc$i") &
    done
    wait
    local ok=0 fail=0
    for i in 1 2 3 4; do
        if [ "$(cat "$PC_TEST_DIR/rc$i")" = 0 ]; then ok=$((ok + 1)); else
            fail=$((fail + 1))
            assert_contains "$(cat "$PC_TEST_DIR/out$i")" 'the container name "race" is already in use'
        fi
    done
    assert_equal "$ok $fail" "1 3"
    run_pc ps -a --format '{{.Names}}'
    assert_equal "$output" "race"
}

@test "kill -9 of the monitor: ps shows the container exited and rm works" {
    run_pc run -d --name orphan busybox sleep 100
    local mon pid
    mon=$(monitor_pid orphan)
    pid=$(ctr_pid orphan)
    [ "$mon" -gt 0 ] && [ "$pid" -gt 0 ]
    kill -9 "$mon"
    local i
    for i in $(seq 1 50); do kill -0 "$mon" 2>/dev/null || break; sleep 0.1; done
    run_pc ps -a --format '{{.Names}} {{.State}}'
    assert_equal "$output" "orphan exited"
    # its pid 1 dies with the monitor (PDEATHSIG in the runtime)
    local st=
    for i in $(seq 1 50); do
        st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)
        [ -z "$st" ] || [ "$st" = Z ] && break
        sleep 0.1
    done
    [ -z "$st" ] || [ "$st" = Z ]
    run_pc rm orphan
    run_pc ps -a -q
    assert_equal "$output" ""
}

@test "20 containers started in parallel all run and all show in ps" {
    for i in $(seq 1 20); do
        "$PC" run -d --name par$i busybox sleep 100 > /dev/null 2>"$PC_TEST_DIR/err$i" &
    done
    wait
    cat "$PC_TEST_DIR"/err* >&2
    run_pc ps --format '{{.Names}} {{.State}}'
    assert_equal "$(echo "$output" | grep -c ' running$')" "20"
}

@test "nothing is left mounted or running after rm -fa" {
    for i in 1 2 3; do run_pc run -d busybox sleep 100; done
    run_pc run busybox true
    local pids ids
    ids=$("$PC" ps -aq --no-trunc)
    pids=$("$PC" inspect --format '{{.State.Pid}} {{.State.ConmonPid}}' $ids)
    # Container mounts live in the monitors' mount namespaces, not in ours:
    # look for them through every process of ours. While the containers run
    # the look must find them, or it could not find a leak either.
    assert_not_equal "$(mounts_of_store)" ""
    run_pc rm -fa -t 0
    run_pc ps -a -q
    assert_equal "$output" ""
    # gone, or a zombie its reaper has not collected yet: not running
    for p in $pids; do
        [ "$p" = 0 ] && continue
        local st
        st=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null || true)
        [ -z "$st" ] || [ "$st" = Z ] || [ "$st" = X ]
    done
    assert_equal "$(mounts_of_store)" ""
    run find "$XDG_RUNTIME_DIR/pc/ctr" -mindepth 1
    assert_equal "$output" ""
    # No directory of any removed container is left in the store.
    local id
    for id in $ids; do
        run find "$XDG_DATA_HOME" -name "*$id*"
        assert_equal "$output" ""
    done
}

# mounts_of_store: the mountinfo lines, in any mount namespace one of our
# processes is in, of mounts from or onto this test's store.
mounts_of_store() {
    local f
    for f in /proc/[0-9]*/mountinfo; do
        grep -h -F "$XDG_DATA_HOME" "$f" 2>/dev/null
    done | sort -u
}

@test "a container whose monitor vanished before start can be started again" {
    run_pc run -d --name again busybox sleep 100
    kill -9 "$(monitor_pid again)"
    sleep 0.2
    run_pc start again
    wait_for_state again running
}

@test "kill -9 of create at any point leaves nothing that pins the image or a name" {
    local i p
    for i in $(seq 1 30); do
        "$PC" create --name k$i busybox true >/dev/null 2>&1 &
        p=$!
        # Spread the kills over the whole create: from before the name is
        # reserved to after the record is written.
        sleep "0.0$((i % 10))$((i % 7))"
        kill -9 "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    # The next command that holds the user namespace collects what the
    # killed creates left; every name is free again.
    run_pc rm -fa
    run_pc rmi -f busybox
    assert_contains "$output" "Deleted:"
    run find "$XDG_DATA_HOME/pc/storage/containers" -mindepth 1 -maxdepth 1
    assert_equal "$output" ""
    run find "$XDG_DATA_HOME/pc/storage/engine/containers" -mindepth 1 -maxdepth 1
    assert_equal "$output" ""
    pc_busybox
    for i in $(seq 1 30); do
        run_pc create --name k$i busybox true
    done
}

@test "a running container whose record was deleted is collected with its monitor and process" {
    run_pc run -d --name gone busybox sleep 1000
    local id mon pid
    id=$("$PC" inspect --format '{{.Id}}' gone)
    mon=$(monitor_pid gone)
    pid=$(ctr_pid gone)
    rm "$XDG_DATA_HOME/pc/storage/engine/containers/$id/container.json"
    # rm -a lists in the user namespace: what has no record is collected.
    run_pc rm -fa
    wait_for sh -c "! kill -0 $mon"
    wait_for sh -c "! kill -0 $pid"
    run_pc rmi -f busybox
    assert_contains "$output" "Deleted:"
    assert_equal "$(mounts_of_store)" ""
}

@test "run --rm lets the monitor finish its own removal instead of killing it" {
    run_pc --log-level debug run --rm --name fin busybox true
    [[ "$output" != *"killing its monitor"* ]]
    run_pc 1 container exists fin
}
