#!/usr/bin/env bats
# The monitor's own side: errors it meets after the CLI has returned, and
# the version of the protocol it speaks to later pc commands.

bats_require_minimum_version 1.5.0

load helpers

setup() {
    pc_setup
    pc_load_fixture busybox
}

# state_dir NAME: the container's runtime state directory (monitor.pid, exit, monitor.log...)
state_dir() {
    local id
    id=$("$PC" inspect --format '{{.Id}}' "$1") || return 1
    echo "$XDG_RUNTIME_DIR/pc/ctr/$id"
}

@test "a log write the monitor cannot make is recorded in monitor.log, and the container runs on" {
    run_pc create --name big busybox sh -c 'head -c 300000 /dev/zero | tr "\0" x; echo; echo done >&2; exit 3'
    # A file size limit the monitor inherits: its writes to the container's
    # log fail with EFBIG once the log reaches 64 KiB.
    run bash -c "ulimit -f 64 && exec '$PC' start big"
    [ "$status" -eq 0 ] || { echo "# pc start: $output" >&2; false; }
    run_pc wait big
    assert_equal "$output" "3"
    local dir
    dir=$(state_dir big)
    [ -f "$dir/monitor.log" ] || { echo "# no monitor.log in $dir: $(ls "$dir")" >&2; false; }
    run cat "$dir/monitor.log"
    assert_contains "$output" "is not being logged to"
    assert_contains "$output" "File too large"
    assert_contains "$output" "writes to the container's log"
    # What was written before the limit is there for pc logs.
    run_pc logs big
    assert_contains "$output" "xxxxxxxx"
}

@test "a container that runs without trouble leaves no monitor.log" {
    run_pc run --name fine busybox echo hi
    assert_equal "$output" "hi"
    [ ! -e "$(state_dir fine)/monitor.log" ]
}

@test "pc start -a (attach) to a monitor of another protocol version says so" {
    run_pc run -d --name c busybox sleep 1000
    local dir
    dir=$(state_dir c)
    [ -S "$dir/attach" ]
    # Stand in for a monitor started by another pc: it greets with version 99.
    rm "$dir/attach"
    python3 - "$dir/attach" 99 <<'PY' &
import os, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
os.chdir(os.path.dirname(sys.argv[1]))
s.bind(os.path.basename(sys.argv[1]))
s.listen(1)
open("fake-ready", "w").close()
c, _ = s.accept()
c.send(bytes([10]) + struct.pack("=I", int(sys.argv[2])))
c.recv(100)
PY
    local fake=$!
    local i
    for i in $(seq 50); do [ -e "$dir/fake-ready" ] && break; sleep 0.1; done
    run_pc 125 start -a c
    kill "$fake" 2>/dev/null || true
    assert_contains "$output" "the container's monitor speaks protocol 99, this pc speaks 1"
}

@test "pc start -a (attach) to a monitor that never says its version gives up with a clear error" {
    run_pc run -d --name c busybox sleep 1000
    local dir
    dir=$(state_dir c)
    rm "$dir/attach"
    python3 - "$dir/attach" <<'PY' &
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
os.chdir(os.path.dirname(sys.argv[1]))
s.bind(os.path.basename(sys.argv[1]))
s.listen(1)
open("fake-ready", "w").close()
c, _ = s.accept()
time.sleep(30)
PY
    local fake=$!
    local i
    for i in $(seq 50); do [ -e "$dir/fake-ready" ] && break; sleep 0.1; done
    run_pc 125 start -a c
    kill "$fake" 2>/dev/null || true
    assert_contains "$output" "the container's monitor speaks protocol 0, this pc speaks 1"
}
