#!/usr/bin/env bats
# pc exec: a later pc command joins a running container, from the initial
# user namespace, through the container's pid 1.

load helpers
load helpers-containers

setup() {
    pc_setup
    pc_busybox
}

@test "exec runs in the container's namespaces: pid, hostname, user namespace, filesystem" {
    run_pc run -d --name x --hostname execbox busybox sh -c 'echo marker > /created; sleep 1000'
    run_pc exec x sh -c 'echo pid=$$; hostname; cat /created; ps -o pid,comm | grep -c sleep'
    assert_equal "${lines[0]}" "pid=2"
    assert_equal "${lines[1]}" "execbox"
    assert_equal "${lines[2]}" "marker"
    assert_equal "${lines[3]}" "1"
    # The same user namespace as the container's pid 1, not one of its own.
    run_pc exec x sh -c 'cat /proc/self/uid_map; echo --; cat /proc/1/uid_map'
    local mine=${output%%--*} theirs=${output##*--}
    assert_equal "$(echo $mine)" "$(echo $theirs)"
    [[ "$mine" =~ [0-9] ]]
}

@test "exec returns the command's exit code, 127 and 126 with podman's meaning" {
    run_pc run -d --name x busybox sleep 1000
    run_pc 7 exec x sh -c 'exit 7'
    run_pc 127 exec x nosuchcommand
    assert_contains "$output" "nosuchcommand"
    run_pc 126 exec x /etc
    run_pc 125 exec nosuchcontainer true
    assert_contains "$output" 'no container with name or ID "nosuchcontainer" found'
    # podman 4.3 exits 255 when the session cannot be set up.
    run_pc 255 exec x
    assert_contains "$output" "must provide a non-empty command"
    run_pc 255 exec -u nosuchuser x id
    assert_equal "$output" "Error: unable to find user nosuchuser: no matching entries in passwd file"
}

@test "exec into a container that is not running fails with podman's message" {
    run_pc create --name c busybox sleep 1000
    run_pc 255 exec c true
    assert_contains "$output" "can only create exec sessions on running containers: container state improper"
    run_pc run --name e busybox true
    run_pc 255 exec e true
    assert_contains "$output" "container state improper"
}

@test "exec -i streams stdin to EOF: 2 MB of binary data come back byte-identical" {
    run_pc run -d --name x busybox sleep 1000
    head -c 2000000 /dev/urandom >"$PC_TEST_DIR/blob"
    "$PC" exec -i x cat <"$PC_TEST_DIR/blob" >"$PC_TEST_DIR/back"
    cmp "$PC_TEST_DIR/blob" "$PC_TEST_DIR/back"
    # Without -i the process gets no stdin.
    run bash -c "echo data | '$PC' exec x cat"
    [ "$status" -eq 0 ]
    assert_equal "$output" ""
}

@test "exec -e, --env-file, -w and the container's environment" {
    run_pc run -d --name x -e FROMRUN=1 busybox sleep 1000
    printf 'FROMFILE=2\n' >"$PC_TEST_DIR/env"
    run_pc exec -e EXTRA=3 --env-file "$PC_TEST_DIR/env" -w /tmp x sh -c 'echo $FROMRUN $FROMFILE $EXTRA; pwd'
    assert_equal "${lines[0]}" "1 2 3"
    assert_equal "${lines[1]}" "/tmp"
    # -w must exist: podman's runc message, 127; nothing is made.
    run_pc 127 exec -w /nonexist x pwd
    assert_equal "$output" 'Error: unable to start container process: chdir to cwd ("/nonexist") set in config.json failed: no such file or directory'
    run_pc 1 exec x ls -d /nonexist
    run_pc 126 exec -w /etc/passwd x pwd
    assert_contains "$output" 'chdir to cwd ("/etc/passwd") set in config.json failed: not a directory'
}

@test "exec -u resolves the user in the container's /etc/passwd; non-root gets no capabilities" {
    run_pc run -d --name x busybox sleep 1000
    run_pc exec -u tester x sh -c 'id -u; id -g; grep CapEff /proc/self/status'
    assert_equal "${lines[0]}" "1000"
    assert_equal "${lines[1]}" "1000"
    assert_equal "${lines[2]}" "CapEff:	0000000000000000"
    run_pc exec x sh -c 'grep CapEff /proc/self/status'
    [[ "$output" != *"0000000000000000"* ]]
}

@test "exec into a container whose processes run as a subordinate uid" {
    run_pc run -d --name x -u 1000 busybox sleep 1000
    run_pc exec x sh -c 'id -u; ps -o user,comm | grep sleep'
    assert_equal "${lines[0]}" "1000"
    assert_contains "${lines[1]}" "tester"
}

@test "stderr of the exec'd process stays on stderr" {
    run_pc run -d --name x busybox sleep 1000
    run_pc_split exec x sh -c 'echo out; echo err >&2'
    assert_equal "$output" "out"
    assert_equal "$stderr" "err"
}

@test "pc container exec is the same command" {
    run_pc run -d --name x busybox sleep 1000
    run_pc container exec x echo hello
    assert_equal "$output" "hello"
}
