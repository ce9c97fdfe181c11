#!/usr/bin/env bats
# start, stop, kill, restart, rm, wait, rename, exists, prune, pause, logs.

bats_require_minimum_version 1.5.0
load helpers
load helpers-containers

setup() {
    pc_setup
    pc_busybox
}

@test "stop sends the stop signal; a container that ignores it is killed after the timeout" {
    # sh as pid 1 with a trap exits on TERM
    run_pc run -d --name polite busybox sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
    run_pc stop polite
    assert_equal "$output" "polite"
    run_pc inspect --format '{{.State.Status}} {{.State.ExitCode}}' polite
    assert_equal "$output" "exited 7"
    # pid 1 without a handler ignores TERM: SIGKILL after --stop-timeout
    run_pc run -d --name stubborn --stop-timeout 1 busybox sleep 100
    local start=$(date +%s%N)
    run_pc stop stubborn
    local ms=$(( ($(date +%s%N) - start) / 1000000 ))
    assert_contains "$output" "resorting to SIGKILL"
    [ "$ms" -ge 900 ] && [ "$ms" -lt 5000 ]
    run_pc inspect --format '{{.State.ExitCode}}' stubborn
    assert_equal "$output" "137"
}

@test "stop -t 0 kills at once; stopping a stopped container is fine" {
    run_pc run -d --name quick busybox sleep 100
    run_pc stop -t 0 quick
    assert_equal "$(ctr_state quick)" "exited"
    run_pc stop quick
    run_pc 125 stop nosuch
    assert_contains "$output" 'no container with name or ID "nosuch" found: no such container'
}

@test "--stop-signal picks the signal stop sends" {
    run_pc run -d --name usr --stop-signal USR1 busybox sh -c 'trap "exit 9" USR1; while :; do sleep 0.1; done'
    run_pc stop -t 5 usr
    run_pc inspect --format '{{.State.ExitCode}}' usr
    assert_equal "$output" "9"
}

@test "kill -s sends a signal; kill of a stopped container fails" {
    run_pc run -d --name k busybox sh -c 'trap "exit 4" HUP; while :; do sleep 0.1; done'
    run_pc kill -s HUP k
    assert_equal "$output" "k"
    run_pc wait k
    assert_equal "$output" "4"
    run_pc 125 kill k
    assert_contains "$output" "can only kill running containers"
}

@test "start restarts an exited container, restart restarts a running one" {
    run_pc 2 run --name again busybox sh -c 'echo run; exit 2'
    run_pc start again
    assert_equal "$output" "again"
    run_pc wait again
    assert_equal "$output" "2"
    run_pc logs again
    assert_equal "$output" "$(printf 'run\nrun')"
    run_pc run -d --name rs busybox sleep 100
    local pid1=$(ctr_pid rs)
    run_pc restart -t 0 rs
    assert_equal "$(ctr_state rs)" "running"
    [ "$(ctr_pid rs)" != "$pid1" ]
}

@test "start --all reports only the containers it started, as podman" {
    run_pc run -d --name up busybox sleep 1000
    local up=$output
    run_pc create --name fresh busybox sleep 1000
    local fresh=$output
    run_pc start --all
    assert_equal "$output" "$fresh"
    run_pc start --all
    assert_equal "$output" ""
    # Named, a running container is not reported either.
    run_pc start up
    assert_equal "$output" ""
    run_pc inspect --format '{{.State.Status}}' up fresh
    assert_equal "$output" "$(printf 'running\nrunning')"
    assert_not_contains "$up" "$fresh"
}

@test "start -a attaches and returns the exit code" {
    run_pc create --name att busybox sh -c 'echo attached; exit 5'
    run_pc 5 start -a att
    assert_equal "$output" "attached"
}

@test "rm refuses a running container (exit 2), rm -f stops it, rm of a missing one exits 1" {
    run_pc run -d --name busy busybox sleep 100
    run_pc 2 rm busy
    assert_contains "$output" "cannot remove container"
    run_pc rm -f -t 0 busy
    assert_equal "$output" "busy"
    run_pc 1 container exists busy
    run_pc 1 rm nosuch
    assert_contains "$output" "no such container"
    run_pc rm -f nosuch
}

@test "rm -f -t 0 goes on while a stop waits out its timeout" {
    run_pc run -d --name slow busybox sh -c 'trap "echo got-term" TERM; while :; do sleep 0.1; done'
    "$PC" stop -t 60 slow > "$BATS_TEST_TMPDIR/stop.out" 2>&1 &
    local stopper=$!
    # The stop has sent its signal and now waits out its 60 seconds.
    wait_for sh -c '"$0" logs slow | grep -q got-term' "$PC"
    run timeout 15 "$PC" rm -t 0 -f slow
    assert_equal "$status" "0"
    run_pc 125 inspect --format '{{.State.Status}}' slow
    # The waiting stop sees the container gone and returns too.
    run timeout 15 sh -c 'wait_pid() { while kill -0 "$1" 2>/dev/null; do sleep 0.05; done; }; wait_pid "$0"' "$stopper"
    assert_equal "$status" "0"
    wait "$stopper" || true
}

@test "rm -a removes everything, rm -fa stops running ones" {
    run_pc run -d busybox sleep 100
    run_pc run busybox true
    run_pc create busybox true
    run_pc rm -fa -t 0
    assert_equal "${#lines[@]}" "3"
    run_pc ps -a -q
    assert_equal "$output" ""
}

@test "wait prints the exit code of each container" {
    run_pc run -d --name w1 busybox sh -c 'sleep 0.3; exit 6'
    run_pc 1 run --name w2 busybox sh -c 'exit 1'
    run_pc wait w1 w2
    assert_equal "$output" "$(printf '6\n1')"
}

@test "wait: a missing name fails before any wait, as podman" {
    run_pc 3 run --name ex3 busybox sh -c 'exit 3'
    run sh -c '"$0" wait ex3 nosuch 2>/dev/null' "$PC"
    [ "$status" -eq 125 ]
    assert_equal "$output" ""
    run_pc 125 wait ex3 nosuch
    assert_contains "$output" 'no container with name or ID "nosuch" found: no such container'
    # podman's man page: a missing container's return code is -1.
    run_pc wait --ignore ex3 nosuch
    assert_equal "$output" "$(printf '3\n-1')"
}

@test "wait --condition: running, created, exited, stopped" {
    run_pc create --name wc busybox sh -c 'trap "exit 4" TERM; while :; do sleep 0.1; done'
    run_pc wait --condition=created wc
    assert_equal "$output" "-1"
    # The waiter cannot return before the start: no sleep decides the order.
    "$PC" wait --condition=running wc > "$BATS_TEST_TMPDIR/running.out" &
    local waiter=$!
    run_pc start wc
    wait "$waiter"
    assert_equal "$(cat "$BATS_TEST_TMPDIR/running.out")" "-1"
    run_pc inspect --format '{{.State.Status}}' wc
    assert_equal "$output" "running"
    run_pc wait --condition=running --condition=exited wc
    assert_equal "$output" "-1"
    "$PC" wait --condition exited wc > "$BATS_TEST_TMPDIR/exited.out" &
    waiter=$!
    run_pc stop wc
    wait "$waiter"
    assert_equal "$(cat "$BATS_TEST_TMPDIR/exited.out")" "4"
    # podman: "stopped" and "exited" are the same condition, both print the code.
    run_pc wait --condition=stopped wc
    assert_equal "$output" "4"
    run_pc 125 wait --condition=bogus wc
    assert_equal "$output" "Error: unknown container state: bogus: invalid argument"
}

@test "wait on a container that never ran returns at once, as podman" {
    run_pc create --name never busybox true
    run timeout 10 "$PC" wait never
    assert_equal "$status" "0"
    assert_equal "$output" "0"
    run timeout 10 "$PC" wait --condition=stopped never
    assert_equal "$output" "0"
    # A start that failed leaves the container not running: wait must not block.
    run_pc create --name broken busybox /no/such/command
    if "$PC" start broken >/dev/null 2>&1; then return 1; fi
    run timeout 10 "$PC" wait broken
    [ "$status" -ne 124 ] || { echo "# pc wait blocked on a container whose start failed" >&2; return 1; }
    # --condition=running still waits for a start.
    run timeout 1 "$PC" wait --condition=running never
    assert_equal "$status" "124"
}

@test "rename, container exists" {
    run_pc create --name old busybox true
    run_pc rename old new
    run_pc 1 container exists old
    run_pc container exists new
    run_pc create --name other busybox true
    run_pc 125 rename new other
    assert_contains "$output" "already in use"
    run_pc 125 rename new 'bad name'
    assert_contains "$output" "names must match"
}

@test "container prune removes only stopped containers" {
    run_pc run -d --name keep busybox sleep 100
    run_pc run --name drop1 busybox true
    run_pc create --name drop2 busybox true
    run_pc container prune -f
    assert_equal "${#lines[@]}" "2"
    run_pc ps -a --format '{{.Names}}'
    assert_equal "$output" "keep"
}

@test "pause and unpause say what rootless cgroup v1 cannot do" {
    skip_if_root
    [ -f /sys/fs/cgroup/cgroup.controllers ] && skip "cgroup v2 host: pause works there"
    run_pc run -d --name p busybox sleep 100
    # podman 4.3's words, which differ between pause and unpause.
    run_pc 125 pause p
    assert_equal "$output" "Error: can not pause containers on rootless containers with cgroup V1: this container does not have a cgroup"
    run_pc 125 unpause p
    assert_equal "$output" "Error: unpause is not supported for cgroupv1 rootless containers"
    # A missing name is reported first, as podman does.
    run_pc 125 pause nosuch
    assert_contains "$output" "no such container"
}

@test "logs: stdout to stdout, stderr to stderr, --tail, -t, --since" {
    run_pc run --name lg busybox sh -c 'echo o1; echo e1 >&2; echo o2'
    run_pc_split logs lg
    assert_equal "$output" "$(printf 'o1\no2')"
    assert_equal "$stderr" "e1"
    run_pc run --name lg2 busybox sh -c 'echo a; echo b; echo c'
    run_pc logs --tail 2 lg2
    assert_equal "$output" "$(printf 'b\nc')"
    run_pc logs -t lg
    [[ "${lines[0]}" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T.*\ o1$ ]]
    run_pc logs --since 10m lg
    assert_contains "$output" "o1"
    run_pc logs --until 2000-01-01T00:00:00Z lg
    assert_equal "$output" ""
}

@test "logs -f follows until the container exits" {
    run_pc run -d --name fl busybox sh -c 'echo one; sleep 0.5; echo two'
    run_pc logs -f fl
    assert_equal "$output" "$(printf 'one\ntwo')"
}
