#!/usr/bin/env bats
# pc exec -t / -d: sessions owned by the container's monitor, terminals
# through a real pty (tests/system/ptydrive.py), and the rest of exec's flags.

load helpers
load helpers-containers

setup() {
    pc_setup
    pc_busybox
    DRIVE="python3 $BATS_TEST_DIRNAME/ptydrive.py"
}

# The state dir of container $1 (where the monitor records exec sessions).
exec_records() {
    cat "$XDG_RUNTIME_DIR"/pc/ctr/"$("$PC" inspect --format '{{.Id}}' "$1")"/exec/*.json
}

# wait_until CMD...: up to 10 s for CMD to succeed.
wait_until() {
    local i
    for i in $(seq 1 100); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

@test "exec -it: a prompt, typed commands run, the window size at start and after a resize, TERM, exit code" {
    run_pc run -d --name x busybox sleep 1000
    run $DRIVE --rows 30 --cols 90 'expect:# ' 'send:stty size\r' 'expect:30 90' \
        'resize:40x120' 'send:stty size; echo T=$TERM; tty\r' 'expect:40 120' 'expect:T=xterm' \
        'expect:/dev/pts/' 'send:exit 5\r' -- "$PC" exec -it x sh
    echo "$output"
    [ "$status" -eq 0 ]
    assert_contains "${lines[-1]}" "EXIT 5"
    # Without -t: no TERM (the container was not run with -t), no tty.
    run_pc exec x sh -c 'echo T=$TERM; tty || true'
    assert_contains "$output" "T="
    [[ "$output" != *xterm* ]]
    assert_contains "$output" "not a tty"
    # An attached session is gone once it has exited, as podman's.
    run_pc inspect --format '{{len .ExecIDs}}' x
    assert_equal "$output" "0"
}

@test "exec -it: the terminal is back in cooked mode after exit and after detach" {
    run_pc run -d --name x busybox sleep 1000
    run $DRIVE 'send:stty -a | grep -o -- "-\?icanon" > '"$PC_TEST_DIR"'/before\r' \
        'send:'"$PC"' exec -it x sh -c "exit 3"; echo rc=$?\r' 'expect:rc=3' \
        'send:'"$PC"' exec -it x sh\r' 'expect:# ' 'send:\x10\x11' 'expect:\$ ' \
        'send:stty -a | grep -o -- "-\?icanon"; exit\r' 'expect:icanon' -- bash --norc -i
    echo "$output"
    [ "$status" -eq 0 ]
    assert_equal "$(cat "$PC_TEST_DIR/before")" "icanon"
    [[ "$output" != *"-icanon"* ]]
}

@test "exec -it: ctrl-p ctrl-q detaches; the process runs on, owned and reaped by the monitor" {
    run_pc run -d --name x busybox sleep 1000
    run $DRIVE 'expect:# ' 'send:exec sleep 777\r' 'send:\x10\x11' -- "$PC" exec -it x sh
    echo "$output"
    assert_contains "${lines[-1]}" "EXIT 0"
    wait_until "$PC" exec x sh -c 'ps -o args | grep -q "^sleep 77[7]"'
    run_pc inspect --format '{{len .ExecIDs}}' x
    assert_equal "$output" "1"
    run exec_records x
    assert_contains "$output" '"Running":true'
    # Its end is recorded by the monitor (a detached session stays listed).
    run_pc exec x sh -c 'kill $(ps -o pid,args | grep "sleep 77[7]" | cut -c1-6)'
    wait_until bash -c "cat '$XDG_RUNTIME_DIR'/pc/ctr/*/exec/*.json | grep -q '\"ExitCode\":143'"
    run_pc inspect --format '{{len .ExecIDs}}' x
    assert_equal "$output" "1"
    # --detach-keys: another sequence; the default one is plain input then.
    run $DRIVE 'expect:# ' 'send:echo a\x10\x11b\r' 'expect:b' 'send:\x01' -- "$PC" exec -it --detach-keys ctrl-a x sh
    assert_contains "${lines[-1]}" "EXIT 0"
    run_pc 125 exec -it --detach-keys ctrl-xx x sh
}

@test "exec -d prints the session id; the monitor reaps it and records its exit code; ExecIDs" {
    run_pc run -d --name x busybox sleep 1000
    run_pc exec -d x sh -c 'echo hi > /tmp/d; exit 4'
    [[ "$output" =~ ^[0-9a-f]{64}$ ]]
    local id=$output
    wait_until bash -c "grep -q '\"ExitCode\":4' '$XDG_RUNTIME_DIR'/pc/ctr/*/exec/$id.json"
    run_pc exec x cat /tmp/d
    assert_equal "$output" "hi"
    run_pc inspect --format '{{json .ExecIDs}}' x
    assert_equal "$output" "[\"$id\"]"
    # No zombie is left in the container: the monitor reaped it.
    run_pc exec x sh -c 'ps -o stat | grep -c Z || true'
    assert_equal "$output" "0"
    # Its processes show in top while it runs.
    run_pc exec -d x sleep 888
    wait_until bash -c "'$PC' top x | grep -q 'sleep 888'"
    run_pc 127 exec -d x nosuchcmd
    run_pc create --name c busybox true
    run_pc 125 exec -d c true
    assert_contains "$output" "container state improper"
}

@test "exec into a container that exits meanwhile returns at once with 137" {
    run_pc run -d --name x busybox sleep 1000
    ( wait_until bash -c "'$PC' top x | grep -q 'sleep 555'" && "$PC" kill x >/dev/null ) &
    local t0=$SECONDS
    run_pc 137 exec x sleep 555
    wait
    (( SECONDS - t0 < 8 ))
    run_pc run -d --name y busybox sleep 1000
    ( wait_until bash -c "'$PC' top y | grep -q 'sleep 556'" && "$PC" kill y >/dev/null ) &
    run $DRIVE 'expect:# ' 'send:sleep 556\r' -- "$PC" exec -it y sh
    wait
    echo "$output"
    assert_contains "${lines[-1]}" "EXIT 137"
}

@test "exec --preserve-fds passes fds 3.. on, and only those" {
    run_pc run -d --name x busybox sleep 1000
    echo three >"$PC_TEST_DIR/f3"
    echo four >"$PC_TEST_DIR/f4"
    run bash -c "'$PC' exec --preserve-fds 2 x sh -c 'cat <&3; cat <&4; ls /proc/self/fd' 3<'$PC_TEST_DIR/f3' 4<'$PC_TEST_DIR/f4'"
    echo "$output"
    [ "$status" -eq 0 ]
    assert_equal "${lines[0]}" "three"
    assert_equal "${lines[1]}" "four"
    # 0 1 2 3 4 and ls's own directory fd; nothing of pc's.
    [ "${#lines[@]}" -eq 8 ]
    run bash -c "'$PC' exec x ls /proc/self/fd 3<'$PC_TEST_DIR/f3'"
    [ "${#lines[@]}" -eq 4 ]
    run bash -c "'$PC' exec --preserve-fds 2 x true 3<'$PC_TEST_DIR/f3' 4<&-"
    [ "$status" -eq 125 ]
    assert_contains "$output" "file descriptor 4 is not open"
}

@test "exec --privileged: every capability and no seccomp filter" {
    run_pc run -d --name x busybox sleep 1000
    run_pc exec x sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status'
    assert_contains "$output" "Seccomp:	2"
    local plain=$(echo "$output" | grep CapEff)
    run_pc exec --privileged x sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status'
    assert_contains "$output" "Seccomp:	0"
    assert_contains "$output" "CapEff:	000001ffffffffff"
    [[ "$plain" != *000001ffffffffff* ]]
}

@test "security: a process in the container never sees pc's executable, fds or memory through an exec'd process (CVE-2019-5736 pattern)" {
    # The scanner looks at every process it can see, over and over, while
    # pc exec runs 40 times: the exec'd process is non-dumpable until it has
    # exec'd, so /proc/PID/exe, fd/ and mem of it are refused while it still
    # is a copy of pc; afterwards they are the container's own.
    run_pc run -d --name x busybox sh -c '
        while [ ! -e /stop ]; do
            for p in /proc/[0-9]*; do
                [ "$p" = /proc/$$ ] && continue
                readlink $p/exe >>/exe.log 2>/dev/null
                ls -l $p/fd/ 2>/dev/null | sed -n "s/.*-> //p" >>/fd.log
                dd if=$p/mem bs=1 count=1 skip=4096 2>/dev/null >>/mem.log
                ( exec 5>>$p/exe ) 2>/dev/null && echo "$p" >>/writable.log
            done
        done; touch /done; sleep 1000'
    local i
    for i in $(seq 1 40); do
        "$PC" exec x true
    done
    run_pc exec x touch /stop
    wait_until "$PC" exec x test -e /done
    run_pc exec x sh -c 'sort -u /exe.log'
    echo "$output"
    # Only the container's binary: never pc's (a host path).
    assert_equal "$output" "/bin/busybox"
    run_pc exec x sh -c 'sort -u /fd.log'
    echo "$output"
    [[ "$output" != *"$PC_TEST_DIR"* && "$output" != *pc* && "$output" != */tmp/* ]]
    run_pc exec x sh -c 'cat /writable.log 2>/dev/null | wc -l'
    assert_equal "$output" "0"
}
