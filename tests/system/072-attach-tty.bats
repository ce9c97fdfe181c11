#!/usr/bin/env bats
# pc run -it through a real pty (tests/system/ptydrive.py), pc attach
# (several clients, detach, exit codes), pc start -ai and run --attach.

bats_require_minimum_version 1.5.0

load helpers
load helpers-containers

setup() {
    pc_setup
    pc_busybox
    DRIVE="python3 $BATS_TEST_DIRNAME/ptydrive.py"
    OUT=$PC_TEST_DIR/out
}

# term_wrap CMD: a shell line for the driven pty that runs CMD, prints its
# exit code, then whether the terminal's mode is what it was before.
term_wrap() {
    echo 's=$(stty -g); '"$1"'; echo rc=$?; if [ "$(stty -g)" = "$s" ]; then echo TTY-RESTORED; else echo TTY-CHANGED; stty -a; fi'
}

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

# blocks PID SIGNUM: PID holds SIGNUM blocked (an attached pc proxying
# signals: it is connected to the monitor).
# pc blocks every signal for a moment around a fork or clone (the user
# namespace's holder, a helper's spawn): that is not it, and a signal sent
# then kills pc when the mask comes back. The proxy set leaves SIGCHLD
# (17) out.
blocks() {
    local mask
    mask=$(awk '/^SigBlk:/ { print $2 }' "/proc/$1/status")
    (( (16#$mask >> ($2 - 1)) & 1 )) && ! (( (16#$mask >> 16) & 1 ))
}

# in_top NAME TEXT: a process of the container's shows TEXT.
in_top() {
    "$PC" top "$1" | grep -q -- "$2"
}

@test "run -it: a prompt, typed commands, stty size at start and after a resize, exit code, terminal restored" {
    run $DRIVE --rows 30 --cols 90 'expect:# ' 'send:stty size\r' 'expect:30 90' \
        'resize:40x120' 'send:stty size; tty\r' 'expect:40 120' 'expect:/dev/pts/' \
        'send:echo typed-$((6*7))\r' 'expect:typed-42' 'send:exit 7\r' 'expect:rc=7' 'expect:TTY-RESTORED' \
        -- sh -c "$(term_wrap "'$PC' run -it --name t busybox sh")"
    echo "$output"
    assert_contains "${lines[-1]}" "EXIT 0"
    assert_equal "$(ctr_state t)" exited
}

@test "run -it: ctrl-c interrupts a sleep in the container's shell, which survives" {
    # ^C once the command runs: before, it would be a key for the shell's
    # line editor. The interrupted command's status is the signal's.
    run $DRIVE 'expect:# ' "send:sh -c 'echo started; exec sleep 1000'\\r" \
        'expect:\r\nstarted\r\n' 'send:\x03' 'expect:# ' 'send:echo after=$?\r' 'expect:after=130' \
        'send:echo alive\r' 'expect:alive' 'send:exit 2\r' 'expect:rc=2' 'expect:TTY-RESTORED' \
        -- sh -c "$(term_wrap "'$PC' run -it --name t busybox sh")"
    echo "$output"
    assert_contains "${lines[-1]}" "EXIT 0"
}

@test "run -it: ctrl-p ctrl-q detaches, pc attach returns to the same shell and gets its exit code" {
    run $DRIVE 'expect:# ' 'send:X=42; echo pid=$$\r' 'expect:pid=1' 'send:\x10\x11' \
        'expect:rc=0' 'expect:TTY-RESTORED' \
        'send:'"$(term_wrap "'$PC' attach t")"'\r' 'send:echo X=$X\r' 'expect:X=42' \
        'send:exit 3\r' 'expect:rc=3' 'expect:TTY-RESTORED' 'send:exit\r' \
        -- sh -c "$(term_wrap "'$PC' run -it --name t busybox sh")"'; PS1="$ " exec sh -i'
    echo "$output"
    assert_contains "${lines[-1]}" "EXIT 0"
    run_pc inspect --format '{{.State.Status}} {{.State.ExitCode}}' t
    assert_equal "$output" "exited 3"
}

@test "attach -t: the window size at attach and on resize, the detach keys leave it running (exit 0), --detach-keys, a second attach sees the same shell" {
    run_pc run -d -it --name t busybox sh
    # Its line editor is on once it has printed its prompt: keys typed
    # earlier may be taken by the terminal's cooked mode instead.
    wait_for bash -c "'$PC' logs t | grep -q '# '"
    run $DRIVE --rows 33 --cols 101 'send:\r' 'expect:# ' 'send:Y=7; stty size\r' 'expect:33 101' \
        'resize:35x111' 'send:stty size\r' 'expect:35 111' 'send:\x10\x11' 'expect:rc=0' 'expect:TTY-RESTORED' \
        -- sh -c "$(term_wrap "'$PC' attach t")"
    echo "$output"
    assert_contains "${lines[-1]}" "EXIT 0"
    assert_equal "$(ctr_state t)" running
    # Other keys: ctrl-p ctrl-q is plain input then.
    run $DRIVE 'send:\r' 'expect:# ' 'send:\x10\x11\x03' 'send:echo Y=$((Y+1))\r' 'expect:Y=8' 'send:\x01' 'expect:rc=0' \
        -- sh -c "$(term_wrap "'$PC' container attach --detach-keys ctrl-a t")"
    echo "$output"
    assert_contains "${lines[-1]}" "EXIT 0"
    assert_equal "$(ctr_state t)" running
    run_pc 125 attach --detach-keys ctrl-zz t
    assert_contains "$output" "ctrl-zz"
}

@test "run -it: the terminal is restored after kill -9 of the container" {
    ( wait_for in_top k 'sleep 1001' && kill -9 "$(ctr_pid k)" ) &
    local killer=$!
    run $DRIVE 'expect:# ' 'send:sleep 1001\r' 'expect:rc=137' 'expect:TTY-RESTORED' \
        -- sh -c "$(term_wrap "'$PC' run -it --name k busybox sh")"
    wait "$killer"
    echo "$output"
    assert_contains "${lines[-1]}" "EXIT 0"
}

@test "run -it --sig-proxy=false: SIGTERM ends pc and the terminal is restored" {
    local pidf=$PC_TEST_DIR/pid
    ( wait_for in_top s 'sleep 1002' && kill -TERM "$(cat "$pidf")" ) &
    local killer=$!
    # Started in the background of a non-interactive shell, pc would get
    # /dev/null as stdin: the terminal is given back explicitly.
    run $DRIVE 'expect:# ' 'send:sleep 1002\r' 'expect:rc=143' 'expect:TTY-RESTORED' \
        -- sh -c "$(term_wrap "'$PC' run -it --sig-proxy=false --name s busybox sh </dev/tty & echo \$! >'$pidf'; wait \$!")"
    wait "$killer"
    echo "$output"
    assert_contains "${lines[-1]}" "EXIT 0"
    assert_equal "$(ctr_state s)" running
}

@test "attach: several clients at once; input from one reaches the container, output and the exit code reach all" {
    run_pc run -d -i --name a busybox sh -c 'while read l; do echo got:$l; [ "$l" = quit ] && exit 6; done'
    # --no-stdin: what waits on this client's stdin never reaches the container.
    printf 'first\n' | "$PC" attach --no-stdin a >"$OUT.1" 2>&1 &
    local p1=$!
    "$PC" attach --no-stdin a >"$OUT.2" 2>&1 </dev/null &
    local p2=$!
    wait_for blocks "$p1" 10
    wait_for blocks "$p2" 10
    run $DRIVE 'send:hello\r' 'expect:got:hello' 'send:quit\r' 'expect:got:quit' -- "$PC" attach a
    echo "$output"
    assert_contains "${lines[-1]}" "EXIT 6"
    exit_of "$p1"
    assert_equal "$rc" 6
    exit_of "$p2"
    assert_equal "$rc" 6
    assert_equal "$(cat "$OUT.1")" "$(printf 'got:hello\ngot:quit')"
    assert_equal "$(cat "$OUT.2")" "$(printf 'got:hello\ngot:quit')"
}

@test "attach to a container that does not run fails as podman's" {
    run_pc create --name c busybox true
    run_pc 125 attach c
    assert_equal "$output" "Error: you can only attach to running containers"
    run_pc run --name e busybox true
    run_pc 125 container attach e
    assert_equal "$output" "Error: you can only attach to running containers"
    run_pc 125 attach nosuch
    assert_contains "$output" "no such container"
    run_pc 125 attach
    run_pc 125 attach c e
}

@test "attach --sig-proxy (default): a signal to pc attach reaches the container; not with --sig-proxy=false" {
    run_pc run -d --name a busybox sh -c 'trap "echo got TERM; exit 4" TERM; while :; do echo tick; sleep 0.1; done'
    "$PC" attach --sig-proxy=false a >"$OUT" 2>&1 </dev/null &
    local p=$!
    wait_for grep -q tick "$OUT"
    kill -TERM "$p"
    exit_of "$p"
    assert_equal "$rc" 143
    assert_equal "$(ctr_state a)" running
    "$PC" attach a >"$OUT.proxy" 2>&1 </dev/null &
    p=$!
    wait_for blocks "$p" 15
    kill -TERM "$p"
    exit_of "$p"
    assert_equal "$rc" 4
    grep -q "got TERM" "$OUT.proxy"
}

@test "start -ai: stdin is relayed; start -a without -i relays none" {
    run_pc create -it --name s busybox sh
    run $DRIVE 'expect:# ' 'send:echo in-start\r' 'expect:in-start' 'send:exit 4\r' 'expect:rc=4' 'expect:TTY-RESTORED' \
        -- sh -c "$(term_wrap "'$PC' start -ai s")"
    echo "$output"
    assert_contains "${lines[-1]}" "EXIT 0"
    # Started again: the same container, a new shell.
    run $DRIVE 'expect:# ' 'send:exit 5\r' 'expect:rc=5' -- sh -c "$(term_wrap "'$PC' start --attach --interactive s")"
    echo "$output"
    assert_contains "${lines[-1]}" "EXIT 0"

    run_pc create -i --name r busybox sh -c 'if read -t 3 l; then echo got:$l; else echo no-input; fi'
    run bash -c "echo hi | '$PC' start -ai r"
    assert_equal "$output" "got:hi"
    run bash -c "echo hi | '$PC' start -a r"
    assert_equal "$output" "no-input"
}

@test "run --attach: only the streams named" {
    run_pc_split 3 run -a stdout busybox sh -c 'echo out; echo err >&2; exit 3'
    assert_equal "$output" "out"
    assert_equal "$stderr" ""
    run --separate-stderr "$PC" run --attach stderr busybox sh -c 'echo out; echo err >&2'
    assert_equal "$status" 0
    assert_equal "$output" ""
    assert_equal "$stderr" "err"
    run --separate-stderr "$PC" run -a STDOUT -a stderr busybox sh -c 'echo out; echo err >&2'
    assert_equal "$output" "out"
    assert_equal "$stderr" "err"
    # stdin: with -i it stays attached; -a stdin alone opens none (podman's -i does).
    run bash -c "echo piped | '$PC' run -i -a stdout busybox cat"
    assert_equal "$output" "piped"
    run bash -c "echo piped | '$PC' run -a stdout busybox cat"
    assert_equal "$output" ""
    run bash -c "echo piped | '$PC' run -i -a stdin --name n busybox cat"
    assert_equal "$status" 0
    assert_equal "$output" ""
    run_pc logs n
    assert_equal "$output" "piped"
    local before
    before=$("$PC" ps -a -q | wc -l)
    run_pc 125 run -a bogus busybox true
    assert_equal "$output" 'Error: invalid stream "bogus" for --attach - must be one of stdin, stdout, or stderr: invalid argument'
    run_pc 125 run -d -a stdout busybox true
    run_pc 125 run -a stdout --log-driver passthrough busybox true
    # Refused before anything was created.
    assert_equal "$("$PC" ps -a -q | wc -l)" "$before"
}
