#!/usr/bin/env bats
# stop, kill, rm, start, restart, pause, unpause, wait as podman 4.3 runs
# them on this machine: flags (--cidfile, --filter, --timeout, --ignore,
# --all), messages and exit codes; the "stopping" state; wait conditions;
# a failed start. Expected output comes from podman 4.3 run side by side.

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

@test "a missing container: podman's message and exit code for each command" {
    for cmd in stop kill start restart pause wait; do
        run_pc 125 $cmd nosuch
        assert_equal "$output" 'Error: no container with name or ID "nosuch" found: no such container'
    done
    run_pc 1 rm nosuch
    assert_equal "$output" 'Error: no container with name or ID "nosuch" found: no such container'
    run_pc stop --ignore nosuch
    assert_equal "$output" ""
    run_pc rm --ignore nosuch
    assert_equal "$output" ""
    # podman 4.3 refuses unpause on this host before it looks at the name.
    if [ ! -f /sys/fs/cgroup/cgroup.controllers ] && [ "$(id -u)" -ne 0 ]; then
        run_pc 125 unpause nosuch
        assert_equal "$output" "Error: unpause is not supported for cgroupv1 rootless containers"
    fi
}

@test "no names: podman's messages" {
    for cmd in stop kill rm restart pause; do
        run_pc 125 $cmd
        assert_equal "$output" "Error: you must provide at least one name or id"
    done
    run_pc 125 start
    assert_equal "$output" "Error: start requires at least one argument"
    run_pc 125 stop -a nosuch
    assert_equal "$output" "Error: no arguments are needed with --all"
    # A bad value names the flag as pflag does (podman 4.3 here), however
    # it was spelled.
    run_pc 125 stop --time=abc x
    assert_equal "${lines[0]}" 'Error: invalid argument "abc" for "-t, --time" flag: strconv.ParseUint: parsing "abc": invalid syntax'
    run_pc 125 stop -t -1 x
    assert_equal "${lines[0]}" 'Error: invalid argument "-1" for "-t, --time" flag: strconv.ParseUint: parsing "-1": invalid syntax'
}

@test "every name resolves before anything is done" {
    run_pc run -d --name k1 busybox sleep 1000
    run_pc create --name k2 busybox true
    run_pc 125 stop -t 0 k1 nosuch
    assert_equal "$output" 'Error: no container with name or ID "nosuch" found: no such container'
    assert_equal "$(ctr_state k1)" running
    run_pc 125 kill nosuch k1
    assert_equal "$(ctr_state k1)" running
    run_pc 1 rm k2 nosuch
    run_pc container exists k2
    run_pc 125 start k2 nosuch
    assert_equal "$(ctr_state k2)" created
}

@test "--cidfile names the container for stop, kill, restart, pause, rm" {
    run_pc run -d --name c busybox sleep 1000
    id=$("$PC" inspect --format '{{.Id}}' c)
    echo "$id" > "$PC_TEST_DIR/cid"
    run_pc kill -s USR1 --cidfile "$PC_TEST_DIR/cid"
    assert_equal "$output" "$id"
    run_pc restart -t 0 --cidfile "$PC_TEST_DIR/cid"
    assert_equal "$output" "$id"
    run_pc stop -t 0 --cidfile "$PC_TEST_DIR/cid"
    assert_equal "$output" "$id"
    assert_equal "$(ctr_state c)" exited
    run_pc 125 rm --cidfile "$PC_TEST_DIR/cid" --cidfile "$PC_TEST_DIR/nonexist"
    assert_equal "$output" "Error: reading CIDFile: open $PC_TEST_DIR/nonexist: no such file or directory"
    run_pc container exists c
    run_pc rm --cidfile "$PC_TEST_DIR/cid"
    assert_equal "$output" "$id"
    echo 1234 > "$PC_TEST_DIR/cid2"
    run_pc 125 kill --cidfile "$PC_TEST_DIR/cid2"
    assert_equal "$output" 'Error: no container with name or ID "1234" found: no such container'
    # A cidfile that cannot be read is podman's error (os.ReadFile), not
    # an empty name; a first line longer than a line buffer is read whole.
    mkdir "$PC_TEST_DIR/cid-dir"
    run_pc 125 stop --cidfile "$PC_TEST_DIR/cid-dir"
    assert_equal "$output" "Error: reading CIDFile: read $PC_TEST_DIR/cid-dir: is a directory"
    long=$(printf 'b%.0s' $(seq 1 300))
    printf '%s\nsecond\n' "$long" > "$PC_TEST_DIR/cid3"
    run_pc 125 kill --cidfile "$PC_TEST_DIR/cid3"
    assert_equal "$output" "Error: no container with name or ID \"$long\" found: no such container"
}

@test "--filter picks the containers; podman's messages for names with it and bad filters" {
    run_pc run -d --name f1 busybox sleep 1000
    run_pc run -d --name f2 busybox sleep 1000
    run_pc create --name f3 busybox true
    id1=$("$PC" inspect --format '{{.Id}}' f1)
    id3=$("$PC" inspect --format '{{.Id}}' f3)
    run_pc stop -t 0 --filter name=f1
    assert_equal "$output" "$id1"
    assert_equal "$(ctr_state f1)" exited
    assert_equal "$(ctr_state f2)" running
    run_pc 125 stop --filter name=f1 f1
    assert_equal "$output" "Error: --filter takes no arguments"
    run_pc 125 stop --filter bogus=1
    assert_equal "$output" "Error: bogus is an invalid filter"
    run_pc stop --filter name=nomatch
    assert_equal "$output" ""
    run_pc rm --filter status=created
    assert_equal "$output" "$id3"
    run_pc 1 container exists f3
    run_pc start --filter name=f1
    assert_equal "$output" "$id1"
    assert_equal "$(ctr_state f1)" running
    run_pc restart -t 0 --filter name=f2
    run_pc kill -a
    run_pc wait f1 f2
    run_pc rm --filter status=exited
    assert_equal "${#lines[@]}" 2
}

@test "--timeout is -t for stop and rm; start --all starts only what does not run; restart --running" {
    run_pc run -d --name t1 busybox sleep 1000
    run_pc create --name t2 busybox sleep 1000
    id2=$("$PC" inspect --format '{{.Id}}' t2)
    run_pc start --all
    assert_equal "$output" "$id2"
    run_pc stop --timeout 0 t1
    assert_equal "$output" "t1"
    assert_equal "$(ctr_state t1)" exited
    run_pc restart --running -a -t 0
    assert_equal "$output" "$id2"
    assert_equal "$(ctr_state t1)" exited
    run_pc rm -f --timeout 0 t2
    assert_equal "$output" "t2"
}

@test "kill -s: names, numbers, a leading dash, podman's refusals" {
    run_pc run -d --name s busybox sh -c 'trap "echo got-HUP" HUP; trap "echo got-USR1" USR1; trap "echo got-64" 64; while :; do sleep 0.1; done'
    wait_for_state s running
    run_pc kill -s -USR1 s
    assert_equal "$output" "s"
    wait_for sh -c "'$PC' logs s | grep -q got-USR1"
    run_pc kill --signal=-1 s
    wait_for sh -c "'$PC' logs s | grep -q got-HUP"
    run_pc kill -s 64 s
    wait_for sh -c "'$PC' logs s | grep -q got-64"
    run_pc kill -s sigusr1 s
    run_pc 125 kill -s 99 s
    assert_equal "$output" "Error: valid signals are 1 through 64"
    run_pc 125 kill -s 0 s
    assert_equal "$output" "Error: invalid signal: 0"
    run_pc 125 kill -s FOO s
    assert_equal "$output" "Error: invalid signal: FOO"
    run_pc 125 kill -s HUP,INT s
    assert_equal "$output" "Error: invalid signal: HUP,INT"
    assert_equal "$(ctr_state s)" running
}

@test "stopping: inspect and ps say so while pc stop waits; kill and rm -f -t 0 act at once" {
    # sleep as pid 1 ignores SIGTERM: pc stop waits out its timeout.
    run_pc run -d --name st busybox sleep 1000
    "$PC" stop -t 60 st > "$PC_TEST_DIR/stop.out" 2>&1 &
    stop_pid=$!
    run_pc wait --condition stopping st
    assert_equal "$output" "-1"
    run_pc inspect --format '{{.State.Status}} {{.State.Running}}' st
    assert_equal "$output" "stopping false"
    run_pc ps -a --format '{{.Names}} {{.Status}}'
    assert_equal "$output" "st Stopping"
    run_pc kill st
    run_pc wait st
    assert_equal "$output" "137"
    wait "$stop_pid"
    assert_equal "$(cat "$PC_TEST_DIR/stop.out")" "st"
    run_pc inspect --format '{{.State.Status}} {{.State.StoppedByUser}}' st
    assert_equal "$output" "exited true"

    run_pc start st
    "$PC" stop -t 60 st > /dev/null 2>&1 &
    stop_pid=$!
    run_pc wait --condition stopping st
    run_pc rm -f -t 0 st
    wait "$stop_pid"
    run_pc 1 container exists st
}

@test "wait: at once for a container that never ran; --ignore prints -1; conditions as podman" {
    run_pc create --name w busybox true
    run_pc wait w
    assert_equal "$output" "0"
    run_pc wait --condition running --condition exited w
    assert_equal "$output" "0"
    run_pc wait --condition=running,exited w
    assert_equal "$output" "0"
    run_pc wait --condition=stopped w
    assert_equal "$output" "0"
    run_pc wait --condition created w
    assert_equal "$output" "-1"
    run_pc wait --ignore nosuch w
    assert_equal "$output" "$(printf -- '-1\n0')"
    run_pc wait --interval 100ms w
    run_pc wait -i 100 w
    run_pc 125 wait --interval 1x w
    assert_equal "$output" 'Error: time: unknown unit "x" in duration "1x"'
    run_pc 125 wait --condition bogus w
    assert_equal "$output" "Error: unknown container state: bogus: invalid argument"
    run_pc run -d --name r busybox sleep 1000
    run_pc wait --condition running r
    assert_equal "$output" "-1"
}

@test "a failed start: 125 with the reason, the container exited with the error recorded" {
    run_pc create --name bad busybox /nonexistent
    id=$("$PC" inspect --format '{{.Id}}' bad)
    run_pc 125 start bad
    assert_equal "$output" "Error: unable to start container \"$id\": unable to start container process: exec: \"/nonexistent\": stat /nonexistent: no such file or directory: OCI runtime attempted to invoke a command that was not found"
    run_pc inspect --format '{{.State.Status}} {{.State.ExitCode}}|{{.State.Error}}' bad
    assert_equal "$output" "exited 127|unable to start container process: exec: \"/nonexistent\": stat /nonexistent: no such file or directory: OCI runtime attempted to invoke a command that was not found"
    run_pc wait bad
    assert_equal "$output" "127"
    run_pc create --name noexec busybox /etc/passwd
    id=$("$PC" inspect --format '{{.Id}}' noexec)
    run_pc 125 start -a noexec
    assert_equal "$output" "Error: unable to start container $id: unable to start container process: exec: \"/etc/passwd\": permission denied: OCI permission denied"
    run_pc inspect --format '{{.State.ExitCode}}|{{.State.Error}}' noexec
    assert_equal "$output" "126|unable to start container process: exec: \"/etc/passwd\": permission denied: OCI permission denied"
    # A start that works clears it.
    run_pc create --name ok busybox true
    run_pc start -a ok
    run_pc inspect --format '[{{.State.Error}}]' ok
    assert_equal "$output" "[]"
}

@test "pause: podman's messages on a rootless cgroup v1 host" {
    skip_if_root
    [ -f /sys/fs/cgroup/cgroup.controllers ] && skip "cgroup v2 host: pause works there"
    run_pc create --name pc1 busybox true
    run_pc 125 pause pc1
    assert_equal "$output" 'Error: "created" is not running, can'"'"'t pause: container state improper'
}

@test "logs of several containers: the short id or, with --names, the name before each line" {
    run_pc run --name l1 busybox sh -c 'echo a1; echo a2'
    run_pc run --name l2 busybox sh -c 'echo b1'
    id1=$("$PC" inspect --format '{{.Id}}' l1)
    id2=$("$PC" inspect --format '{{.Id}}' l2)
    run_pc logs l1 l2
    assert_equal "$output" "$(printf '%s a1\n%s a2\n%s b1' "${id1:0:12}" "${id1:0:12}" "${id2:0:12}")"
    run_pc logs --names --tail 1 l1 l2
    assert_equal "$output" "$(printf 'l1 a2\nl2 b1')"
    # One container: no prefix, as podman.
    run_pc logs -n l2
    assert_equal "$output" "b1"
    run_pc 125 logs l1 nosuch
    assert_equal "$output" 'Error: no container with name or ID "nosuch" found: no such container'
}

@test "logs -f --until stops at that time while the container runs on" {
    run_pc run -d --name lf busybox sh -c 'while :; do echo tick; sleep 0.2; done'
    start=$SECONDS
    run_pc logs -f --until 2s lf
    assert_contains "$output" "tick"
    [ $((SECONDS - start)) -lt 8 ]
    assert_equal "$(ctr_state lf)" running
}
