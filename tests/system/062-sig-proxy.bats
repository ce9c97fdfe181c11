#!/usr/bin/env bats
# --sig-proxy: the signals an attached pc gets go to the container (through
# its monitor), as podman proxies them; with --sig-proxy=false they stop pc
# alone and the container runs on.

bats_require_minimum_version 1.5.0

load helpers
load helpers-containers

setup() {
    pc_setup
    pc_busybox
    OUT=$PC_TEST_DIR/out
}

# A container that reports each signal it gets and exits 3 on INT, 4 on TERM.
TRAPS='trap "echo got INT; exit 3" INT; trap "echo got TERM; exit 4" TERM
trap "echo got HUP" HUP; trap "echo got USR1" USR1; trap "echo got USR2" USR2
trap "echo got WINCH" WINCH; trap "echo got QUIT" QUIT
echo ready; while :; do sleep 0.1; done'

# gone PID: the process has exited (a zombie counts: only `wait` reaps it).
gone() {
    [ ! -e "/proc/$1" ] || grep -q '^[0-9]* (.*) Z' "/proc/$1/stat"
}

# exit_of PID: waits (bounded) for the background PID, sets $rc.
exit_of() {
    wait_for gone "$1"
    rc=0
    wait "$1" || rc=$?
}

# logs_have NAME TEXT: a line of the container's log is TEXT.
logs_have() {
    "$PC" logs "$1" | grep -qx "$2"
}

# blocks PID SIGNUM: PID has SIGNUM blocked (pc proxying it).
# pc blocks every signal for a moment around a fork or clone (the user
# namespace's holder, a helper's spawn): that is not it, and a signal sent
# then kills pc when the mask comes back. The proxy set leaves SIGCHLD
# (17) out.
blocks() {
    local mask
    mask=$(awk '/^SigBlk:/ { print $2 }' "/proc/$1/status")
    (( (16#$mask >> ($2 - 1)) & 1 )) && ! (( (16#$mask >> 16) & 1 ))
}

# out_has TEXT: the attached pc has printed TEXT.
out_has() {
    grep -qx "$1" "$OUT"
}

@test "run: SIGINT to an attached pc reaches the container, pc exits with its code" {
    "$PC" run --name c busybox sh -c "$TRAPS" >"$OUT" 2>&1 &
    local pid=$!
    wait_for out_has ready
    kill -INT "$pid"
    exit_of "$pid"
    out_has "got INT" || { cat "$OUT" >&2; false; }
    assert_equal "$rc" 3
    assert_equal "$(ctr_state c)" exited
}

@test "run: SIGTERM to an attached pc reaches the container" {
    "$PC" run --rm --name c busybox sh -c "$TRAPS" >"$OUT" 2>&1 &
    local pid=$!
    wait_for out_has ready
    kill -TERM "$pid"
    exit_of "$pid"
    out_has "got TERM" || { cat "$OUT" >&2; false; }
    assert_equal "$rc" 4
}

@test "run: HUP, USR1, USR2, QUIT and WINCH (no tty) are proxied one by one" {
    "$PC" run --name c busybox sh -c "$TRAPS" >"$OUT" 2>&1 &
    local pid=$!
    wait_for out_has ready
    local s
    for s in HUP USR1 USR2 QUIT WINCH; do
        kill -"$s" "$pid"
        wait_for out_has "got $s"
    done
    # pc is still attached and the container still runs.
    [ -e "/proc/$pid" ]
    assert_equal "$(ctr_state c)" running
    kill -INT "$pid"
    exit_of "$pid"
    assert_equal "$rc" 3
}

@test "run -t: a signal sent to pc is proxied (a typed ^C is a byte on the tty)" {
    # As podman: -t changes how ^C travels (raw mode, the container's tty
    # makes the signal), not what pc does with a signal it receives.
    "$PC" run -t --name c busybox sh -c "$TRAPS" >"$OUT" 2>&1 </dev/null &
    local pid=$!
    wait_for grep -q ready "$OUT"
    kill -INT "$pid"
    exit_of "$pid"
    grep -q "got INT" "$OUT" || { cat "$OUT" >&2; false; }
    assert_equal "$rc" 3
}

@test "run --sig-proxy=false: SIGTERM ends pc, the container runs on without it" {
    "$PC" run --sig-proxy=false --name c busybox sh -c "$TRAPS" >"$OUT" 2>&1 &
    local pid=$!
    wait_for out_has ready
    kill -TERM "$pid"
    exit_of "$pid"
    assert_equal "$rc" $((128 + 15))
    run_pc ps --format '{{.Names}} {{.Status}}'
    assert_contains "$output" "c Up"
    assert_equal "$(ctr_state c)" running
    run_pc logs c
    assert_not_contains "$output" "got TERM"
}

@test "run --sig-proxy=false: SIGINT ends pc, the container runs on without it" {
    # A background job of a script ignores SIGINT; pc would inherit that.
    env --default-signal=INT "$PC" run --sig-proxy=false --name c busybox sh -c "$TRAPS" >"$OUT" 2>&1 &
    local pid=$!
    wait_for out_has ready
    kill -INT "$pid"
    exit_of "$pid"
    assert_equal "$rc" $((128 + 2))
    run_pc ps --format '{{.Names}}'
    assert_equal "$output" c
    run_pc logs c
    assert_not_contains "$output" "got INT"
}

@test "start -a proxies signals; start --sig-proxy=false -a does not" {
    run_pc create --name c busybox sh -c "$TRAPS"
    "$PC" start -a c >"$OUT" 2>&1 &
    local pid=$!
    wait_for out_has ready
    kill -INT "$pid"
    exit_of "$pid"
    out_has "got INT" || { cat "$OUT" >&2; false; }
    assert_equal "$rc" 3

    "$PC" start -a --sig-proxy=false c >"$OUT" 2>&1 &
    pid=$!
    wait_for out_has ready
    kill -TERM "$pid"
    exit_of "$pid"
    assert_equal "$rc" $((128 + 15))
    assert_equal "$(ctr_state c)" running
}

@test "start -a to a running container proxies too" {
    run_pc run -d --name c busybox sh -c "$TRAPS"
    wait_for logs_have c ready
    "$PC" start -a c >"$OUT" 2>&1 &
    local pid=$!
    # Nothing is printed on attach: pc proxies once it holds USR1 blocked.
    wait_for blocks "$pid" 10
    kill -USR1 "$pid"
    wait_for out_has "got USR1"
    kill -TERM "$pid"
    exit_of "$pid"
    assert_equal "$rc" 4
}

@test "--sig-proxy is refused where podman refuses it" {
    run_pc 125 start --sig-proxy c
    assert_contains "$output" "you cannot use sig-proxy without --attach"
    run_pc 125 create --sig-proxy=false busybox true
    assert_contains "$output" "unknown flag: --sig-proxy"
}
