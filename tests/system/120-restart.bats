#!/usr/bin/env bats
# --restart: the container's monitor restarts it (pkg/monitor/restart.c).
# Compared with podman 4.3 on this machine: same policy words and
# messages, the same RestartCount, pc stop and pc kill as user stops.
# Waits are for conditions (wait_for), never a fixed time.

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

restart_count() {
    "$PC" inspect --format '{{.RestartCount}}' "$1"
}

# count_is NAME N: RestartCount is N.
count_is() {
    [ "$(restart_count "$1")" = "$2" ]
}

# settled NAME: exited, and no monitor is left to restart it.
settled() {
    [ "$(ctr_state "$1")" = exited ] || return 1
    local d
    d=$XDG_RUNTIME_DIR/pc/ctr/$("$PC" inspect --format '{{.Id}}' "$1")
    [ ! -e "$d/monitor.pid" ]
}

@test "--restart: podman's policy words, its messages for bad ones and for --rm" {
    run_pc create --name a --restart always busybox true
    run_pc inspect --format '{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}} {{.RestartCount}}' a
    assert_equal "$output" "always 0 0"
    run_pc create --name b --restart on-failure:5 busybox true
    run_pc inspect --format '{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}' b
    assert_equal "$output" "on-failure 5"
    run_pc create --name c --restart unless-stopped busybox true
    run_pc create --name d busybox true
    run_pc inspect --format '[{{.HostConfig.RestartPolicy.Name}}]' d
    assert_equal "$output" "[]"
    run_pc 125 create --restart bogus busybox true
    assert_equal "$output" 'Error: running container create option: "bogus" is not a valid restart policy: invalid argument'
    run_pc 125 create --restart always:3 busybox true
    assert_equal "$output" "Error: restart policy retries can only be specified with on-failure restart policy"
    run_pc 125 create --restart on-failure:x busybox true
    assert_equal "$output" 'Error: parsing restart policy retry count: strconv.Atoi: parsing "x": invalid syntax'
    run_pc 125 create --restart on-failure:-1 busybox true
    assert_equal "$output" "Error: must specify restart policy retry count as a number greater than 0"
    run_pc 125 run --rm --restart always busybox true
    assert_equal "$output" 'Error: the --rm option conflicts with --restart, when the restartPolicy is not "" and "no"'
    run_pc run --rm --restart no busybox true
}

@test "on-failure:3 runs the command four times, then the container stays exited" {
    run_pc run -d --name f --restart on-failure:3 busybox sh -c 'echo run; exit 3'
    wait_for settled f
    run_pc inspect --format '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}} {{.State.StoppedByUser}}' f
    assert_equal "$output" "3 exited 3 false"
    run_pc logs f
    assert_equal "$output" "$(printf 'run\nrun\nrun\nrun')"
}

@test "on-failure does not restart a command that succeeded; always does" {
    run_pc run -d --name ok --restart on-failure busybox true
    wait_for settled ok
    assert_equal "$(restart_count ok)" 0
    run_pc run -d --name al --restart always busybox sh -c 'echo x; exit 0'
    wait_for count_is al 2
    run_pc stop -t 0 al
    wait_for settled al
    run_pc inspect --format '{{.State.Status}} {{.State.StoppedByUser}}' al
    assert_equal "$output" "exited true"
}

@test "a restarted container is running again with a new pid, and ps says Up" {
    run_pc run -d --name r --restart always busybox sh -c 'sleep 1000; exit 1'
    wait_for_state r running
    pid1=$(ctr_pid r)
    mon=$(monitor_pid r)
    # The container's own end: its pid 1 killed from the host.
    kill -9 "$pid1"
    wait_for count_is r 1
    wait_for_state r running
    pid2=$(ctr_pid r)
    assert_not_equal "$pid2" "$pid1"
    assert_not_equal "$pid2" 0
    # The same monitor runs it: no other process was needed.
    assert_equal "$(monitor_pid r)" "$mon"
    run_pc ps --format '{{.Names}} {{.Status}}'
    assert_contains "$output" "r Up"
    run_pc inspect --format '{{.State.StoppedByUser}}' r
    assert_equal "$output" "false"
}

@test "pc stop and pc kill are user stops: no restart; pc start counts from 0 again" {
    run_pc run -d --name s --restart always busybox sleep 1000
    run_pc stop -t 0 s
    wait_for settled s
    run_pc inspect --format '{{.State.Status}} {{.State.ExitCode}} {{.State.StoppedByUser}} {{.RestartCount}}' s
    assert_equal "$output" "exited 137 true 0"
    run_pc start s
    run_pc inspect --format '{{.State.Status}} {{.State.StoppedByUser}}' s
    assert_equal "$output" "running false"
    run_pc kill s
    wait_for settled s
    run_pc inspect --format '{{.State.Status}} {{.State.StoppedByUser}} {{.RestartCount}}' s
    assert_equal "$output" "exited true 0"

    # RestartCount is per start, as podman's.
    run_pc run -d --name n --restart always busybox sh -c 'sleep 1000; exit 1'
    wait_for_state n running
    kill -9 "$(ctr_pid n)"
    wait_for count_is n 1
    run_pc stop -t 0 n
    run_pc start n
    assert_equal "$(restart_count n)" 0
}

@test "pc stop while the monitor waits to restart leaves the container exited" {
    # Exits at once, again and again: the backoff grows; stop lands in it
    # or in a run, and either way nothing restarts afterwards.
    run_pc run -d --name b --restart always busybox sh -c 'exit 4'
    wait_for count_is b 3
    run_pc stop -t 0 b
    wait_for settled b
    n=$(restart_count b)
    run_pc inspect --format '{{.State.Status}} {{.State.StoppedByUser}}' b
    assert_equal "$output" "exited true"
    assert_equal "$(restart_count b)" "$n"
    # rm -f of one in its backoff works as well.
    run_pc run -d --name b2 --restart always busybox sh -c 'exit 4'
    wait_for count_is b2 2
    run_pc rm -f -t 0 b2
    run_pc 1 container exists b2
}

@test "pc rm (no -f) of one waiting for its restart removes it; the backoff does not start it first" {
    # Five quick failures, then the sixth run would stay up: after the
    # fifth the backoff is 1.6 s. rm must not wait for the monitor to end
    # by itself (it never does in a backoff), which let the restart start
    # the container and rm refuse a running one.
    run_pc run -d --name rw --restart always busybox sh -c \
        'n=$(cat /n 2>/dev/null || echo 0); echo $((n+1)) >/n; [ $n -ge 5 ] && exec sleep 1000; exit 1'
    wait_for count_is rw 4
    wait_for_state rw exited
    read -r mon _ <"$XDG_RUNTIME_DIR/pc/ctr/$("$PC" inspect --format "{{.Id}}" rw)/monitor.pid"
    run_pc rm rw
    assert_equal "$output" "rw"
    run_pc 1 container exists rw
    run ps -o stat= -p "$mon"
    [ "$output" = "" ] || [[ "$output" == Z* ]]
}

@test "an attached run --restart returns the container's exit code; the container goes on" {
    run_pc 3 run --name at --restart on-failure:1 busybox sh -c 'echo hi; exit 3'
    assert_contains "$output" "hi"
    wait_for settled at
    run_pc inspect --format '{{.RestartCount}} {{.State.ExitCode}}' at
    assert_equal "$output" "1 3"
}

@test "pc wait returns the exit code of a run that will be restarted" {
    run_pc run -d --name w --restart on-failure:2 busybox sh -c 'sleep 1000; exit 7'
    wait_for_state w running
    kill -9 "$(ctr_pid w)"
    run_pc wait w
    assert_equal "$output" "137"
    wait_for count_is w 1
}

@test "published ports keep working across restarts" {
    command -v python3 >/dev/null || skip "no python3 on the host"
    hp=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
    # Each connection ends the command (nc serves one), so each is a run.
    run_pc run -d --name p --restart always -p "127.0.0.1:$hp:8080" busybox sh -c 'echo run$RANDOM | nc -l -p 8080'
    for i in 1 2 3; do
        wait_for count_is p $((i - 1))
        wait_for_state p running
        got=""
        for try in $(seq 1 100); do
            got=$(python3 -c "import socket,sys
s=socket.create_connection(('127.0.0.1',int(sys.argv[1])),timeout=2)
print(s.recv(100).decode().strip())" "$hp" 2>/dev/null) && [ -n "$got" ] && break
            sleep 0.05
        done
        assert_contains "$got" "run"
    done
    wait_for count_is p 3
}
