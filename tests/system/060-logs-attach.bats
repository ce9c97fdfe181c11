#!/usr/bin/env bats
# The per-container monitor as a user meets it: pc logs, attached runs
# (stdin, exit codes, a tty, detaching), log drivers, and the monitor's cost.

bats_require_minimum_version 1.5.0

load helpers

setup() {
    pc_setup
    pc_load_fixture busybox
}

# wait_exited NAME: until the container has exited (pc wait when there is one).
wait_exited() {
    run_pc wait "$1"
}

@test "pc logs: stdout and stderr of a detached container, each on its own stream" {
    run_pc run -d --name c busybox sh -c 'echo out; echo err >&2'
    wait_exited c
    run_pc_split logs c
    assert_equal "$output" "out"
    assert_equal "$stderr" "err"
}

@test "pc logs --tail N prints the last N lines" {
    run_pc run -d --name c busybox sh -c 'echo 1; echo 2; echo 3'
    wait_exited c
    run_pc logs --tail 1 c
    assert_equal "$output" "3"
    run_pc logs --tail 2 c
    assert_equal "$output" "$(printf '2\n3')"
    run_pc logs --tail 0 c
    assert_equal "$output" ""
}

@test "pc logs -t prefixes podman's RFC3339Nano timestamps" {
    run_pc run -d --name c busybox echo stamped
    wait_exited c
    run_pc logs -t c
    [[ "$output" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})\ stamped$ ]] || {
        echo "# unexpected: $output" >&2; false; }
}

@test "pc logs --since/--until filter by time" {
    run_pc run -d --name c busybox echo when
    wait_exited c
    run_pc logs --since 10m c
    assert_equal "$output" "when"
    run_pc logs --until 2000-01-01T00:00:00Z c
    assert_equal "$output" ""
    # As podman's ParseInputTime: an --until duration counts forward from now,
    # a negative one back.
    run_pc logs --since 2000-01-01T00:00:00Z --until 10m c
    assert_equal "$output" "when"
    run_pc logs --since 2000-01-01T00:00:00Z --until -10m c
    assert_equal "$output" ""
}

@test "pc logs -f --until stops following at that time, at once when it has passed" {
    run_pc run -d --name c busybox sh -c 'echo early; while :; do sleep 0.1; done'
    wait_for sh -c '"$0" logs c | grep -q early' "$PC"
    # A time in the past: nothing more can be printed, so it returns now.
    run timeout 10 "$PC" logs -f --until 2000-01-01T00:00:00Z c
    assert_equal "$status" "0"
    assert_equal "$output" ""
    local now
    now=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
    run timeout 10 "$PC" logs -f --until "$now" c
    assert_equal "$status" "0"
    assert_equal "$output" "early"
    # Two seconds from now: follows the running container, then returns.
    run timeout 20 "$PC" logs -f --until 2s c
    assert_equal "$status" "0"
    assert_equal "$output" "early"
    run_pc inspect --format '{{.State.Status}}' c
    assert_equal "$output" "running"
}

@test "pc logs joins output written without a newline" {
    run_pc run -d --name c busybox sh -c 'printf abc; sleep 0.2; echo def; printf tail'
    wait_exited c
    run_pc logs c
    assert_equal "$output" "$(printf 'abcdef\ntail')"
}

@test "pc logs of missing containers names the first and exits 125, as podman 4.3" {
    run_pc_split 125 logs nosuch1 nosuch2
    assert_equal "$stderr" 'Error: no container with name or ID "nosuch1" found: no such container'
}

@test "pc logs -f follows a running container until it exits" {
    run_pc run -d --name c busybox sh -c 'echo first; sleep 1; echo second'
    local start=$SECONDS
    run timeout 20 "$PC" logs -f c
    [ "$status" -eq 0 ] || { echo "# status $status: $output" >&2; false; }
    assert_equal "$output" "$(printf 'first\nsecond')"
}

@test "pc logs -f on an exited container prints the log and returns" {
    run_pc run --name c busybox echo done
    run timeout 10 "$PC" logs -f c
    [ "$status" -eq 0 ]
    assert_equal "$output" "done"
}

@test "pc run (attached) relays stdout and stderr apart and returns the exit code" {
    run_pc_split 42 run busybox sh -c 'echo out; echo err >&2; exit 42'
    assert_equal "$output" "out"
    assert_equal "$stderr" "err"
}

@test "pc run: a container killed by a signal exits 128+signal" {
    # (pid 1 cannot SIGKILL itself inside its namespace: the kill comes from pc)
    "$PC" run --name c busybox sleep 100 &
    local bg=$! i rc=0
    for i in $(seq 100); do
        "$PC" ps --format '{{.Names}}' | grep -qx c && break
        sleep 0.1
    done
    run_pc kill c
    wait "$bg" || rc=$?
    assert_equal "$rc" "137"
    run_pc inspect --format '{{.State.ExitCode}}' c
    assert_equal "$output" "137"
}

@test "pc run -i relays stdin and closes it at EOF" {
    run bash -c "echo hi | '$PC' run -i busybox cat"
    [ "$status" -eq 0 ]
    assert_equal "$output" "hi"
    run bash -c "seq 1 20000 | '$PC' run -i busybox wc -l"
    assert_equal "$output" "20000"
}

@test "pc run -i: a lot of input and output at once does not stall" {
    run timeout 60 bash -c "seq 1 1000000 | '$PC' run -i busybox cat | md5sum"
    [ "$status" -eq 0 ]
    assert_equal "$output" "$(seq 1 1000000 | md5sum)"
}

@test "pc run without -i gives the container no stdin" {
    run bash -c "echo hi | '$PC' run busybox cat"
    [ "$status" -eq 0 ]
    assert_equal "$output" ""
}

@test "pc run relays large output intact" {
    run bash -c "'$PC' run busybox seq 1 200000 | md5sum"
    assert_equal "$output" "$(seq 1 200000 | md5sum)"
}

@test "pc run -t gives the container a terminal" {
    command -v script >/dev/null || skip "script (util-linux) is not installed"
    run timeout 20 script -qec "'$PC' run -t busybox sh -c 'tty; test -t 1 && echo is-a-tty; exit 3'" /dev/null
    [ "$status" -eq 3 ] || { echo "# status $status: $output" >&2; false; }
    assert_contains "$output" "/dev/pts/"
    assert_contains "$output" "is-a-tty"
}

@test "pc run -it: the terminal's input reaches the shell" {
    command -v script >/dev/null || skip "script (util-linux) is not installed"
    run timeout 20 bash -c "(sleep 0.5; printf 'echo from-the-tty\nexit 7\n') | script -qec \"'$PC' run -it busybox sh\" /dev/null"
    [ "$status" -eq 7 ] || { echo "# status $status: $output" >&2; false; }
    assert_contains "$output" "from-the-tty"
}

@test "pc run -it: ctrl-p ctrl-q detaches and the container keeps running" {
    command -v script >/dev/null || skip "script (util-linux) is not installed"
    run timeout 20 bash -c "(sleep 0.5; printf '\\x10\\x11'; sleep 1) | script -qec \"'$PC' run -it --name d busybox sh\" /dev/null"
    [ "$status" -eq 0 ] || { echo "# status $status: $output" >&2; false; }
    run_pc ps --format '{{.Names}} {{.Status}}'
    assert_contains "$output" "d Up"
    run_pc rm -f -t 0 d
}

@test "pc run --detach-keys: custom keys detach" {
    command -v script >/dev/null || skip "script (util-linux) is not installed"
    run timeout 20 bash -c "(sleep 0.5; printf '\\x01x'; sleep 1) | script -qec \"'$PC' run -it --detach-keys ctrl-a,x --name d busybox sh\" /dev/null"
    [ "$status" -eq 0 ] || { echo "# status $status: $output" >&2; false; }
    run_pc ps --format '{{.Names}} {{.Status}}'
    assert_contains "$output" "d Up"
    run_pc rm -f -t 0 d
}

@test "invalid --detach-keys are refused before anything is created" {
    run_pc 125 run --detach-keys ctrl-zz busybox true
    assert_contains "$output" "ctrl-zz"
    run_pc ps -a -q
    assert_equal "$output" ""
    run_pc create --name k busybox true
    run_pc 125 start -a --detach-keys bogus-key k
    assert_contains "$output" "bogus-key"
    run_pc inspect --format '{{.State.Status}}' k
    assert_equal "$output" "created"
}

@test "pc run --detach-keys '': detaching is off, the keys reach the container" {
    command -v script >/dev/null || skip "script (util-linux) is not installed"
    run timeout 20 bash -c "(sleep 0.5; printf '\\x10\\x11exit 5\\n'; sleep 1) | script -qec \"'$PC' run -it --detach-keys '' --name nd busybox sh\" /dev/null"
    run_pc inspect --format '{{.State.Status}} {{.State.ExitCode}}' nd
    assert_equal "$output" "exited 5"
}

@test "pc create + pc start -a: attach first, then start, no output lost" {
    run_pc create --name c busybox sh -c 'echo early; exit 4'
    run_pc_split 4 start -a c
    assert_equal "$output" "early"
}

@test "pc start of a missing executable fails with 127 like podman" {
    run_pc 127 run busybox /no/such/binary
    assert_contains "$output" "/no/such/binary"
}

@test "--log-driver none: nothing is logged and pc logs says so" {
    run_pc run -d --log-driver none --name n busybox echo hi
    wait_exited n
    run_pc 125 logs n
    assert_contains "$output" "this container is using the 'none' log driver, cannot read logs: this container is not logging output"
}

@test "--log-driver none: an attached run still shows the output" {
    run_pc run --log-driver none busybox echo visible
    assert_equal "$output" "visible"
}

@test "--log-driver passthrough: the container writes to pc's own stdout and stderr" {
    run_pc_split run --log-driver passthrough busybox sh -c 'echo pass-out; echo pass-err >&2'
    assert_equal "$output" "pass-out"
    assert_equal "$stderr" "pass-err"
    run_pc run -d --log-driver passthrough --name p busybox true
    wait_exited p
    run_pc 125 logs p
    assert_contains "$output" "'passthrough' log driver, cannot read logs"
}

# The monitor's pid, from podman's inspect field.
monitor_pid() {
    run_pc inspect --format '{{.State.ConmonPid}}' "$1"
    [ "$output" -gt 0 ]
    echo "$output"
}

@test "an idle monitor is small (VmRSS, reported)" {
    if ldd "$PC" 2>/dev/null | grep -q libasan; then
        skip "pc is an AddressSanitizer build: its runtime and shadow memory alone exceed the 4 MiB bound"
    fi
    run_pc run -d --name c busybox sleep 100
    local pid rss
    pid=$(monitor_pid c)
    # Idle: the monitor gives back what setting up took once the container
    # has run a moment (pkg/monitor/trim.c); 083 has the network's bound.
    under() { rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status"); [ "$rss" -lt 4096 ]; }
    wait_for -t 10 under
    echo "# idle monitor: VmRSS ${rss} kB, $(awk '/^RssAnon/ {print $2}' /proc/$pid/status) kB anonymous" >&3
    run_pc rm -f -t 0 c
}

@test "the monitor is not the CLI's child and a killed monitor takes its container along" {
    run_pc run -d --name c busybox sleep 100
    local mpid cpid
    mpid=$(monitor_pid c)
    run_pc inspect --format '{{.State.Pid}}' c
    cpid=$output
    [ "$cpid" -gt 0 ]
    # Its own session: setsid after the double fork.
    [ "$(ps -o sid= -p "$mpid" | tr -d ' ')" != "$(ps -o sid= -p $$ | tr -d ' ')" ]
    kill -9 "$mpid"
    local i
    for i in $(seq 50); do
        kill -0 "$cpid" 2>/dev/null || break
        sleep 0.1
    done
    run kill -0 "$cpid"
    [ "$status" -ne 0 ] || { echo "# container pid $cpid outlived its monitor (PR_SET_PDEATHSIG missing?)" >&2; kill -9 "$cpid"; false; }
    run_pc ps -a --format '{{.Names}} {{.Status}}'
    assert_contains "$output" "c Exited"
}

@test "SIGTERM to the monitor stops the container and records its exit" {
    run_pc run -d --name c busybox sleep 100
    local mpid
    mpid=$(monitor_pid c)
    kill -TERM "$mpid"
    run_pc wait c
    assert_equal "$output" "137"
}
