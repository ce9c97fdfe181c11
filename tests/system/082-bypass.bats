#!/usr/bin/env bats
# The egress bypass (--network slirp4netns:bypass=true): a container's TCP
# connect to an address slirp would reach is made on a host socket the
# monitor swaps into the container. Traffic only to 127.0.0.1 of the host,
# through 10.0.2.2 with allow_host_loopback=true (the one bypassable
# destination a test may use).

bats_require_minimum_version 1.5.0

load helpers

setup() {
    pc_setup
    pc_load_fixture busybox
    LISTENER=
}

teardown() {
    [ -z "${LISTENER:-}" ] || kill "$LISTENER" 2>/dev/null || true
    pc_teardown
}

# listen_hold OUT: a host listener on 127.0.0.1 that keeps every connection
# open and logs "peer PORT" for each; the port is OUT's first line.
listen_hold() {
    command -v python3 >/dev/null || skip "no python3 on the host for a listener"
    python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
held = []
while True:
    c, a = s.accept(); held.append(c); print("peer", a[1], flush=True)' >"$1" 2>&1 </dev/null 3>&- &
    LISTENER=$!
    wait_for test -s "$1"
    PORT=$(head -1 "$1")
}

# A container whose nc holds a connection to 10.0.2.2:PORT prints the
# inode of nc's socket, again and again: nc makes its socket before it
# connects, and the bypass puts another socket on that fd only once the
# host's connect is done, so the first inode printed may be the one
# replaced.
hold_cmd='(echo held; sleep 1000) | nc 10.0.2.2 PORT & p=$!; while :; do ls -l /proc/$p/fd | grep -o "socket:.*"; sleep 0.2; done'

# last_ino NAME: the inode the container printed last.
last_ino() { "$PC" logs "$1" | grep -o '[0-9][0-9]*' | tail -1; }

# host_conn NAME: the container's socket now is a host socket, connected
# to the listener's port.
host_conn() {
    local ino
    ino=$(last_ino "$1")
    [ -n "$ino" ] && grep " $ino " /proc/net/tcp | grep -q ":$(printf '%04X' "$PORT") 01 "
}

@test "bypass=true: the connection is a host socket in the container, peer of the host's server; without it slirp's" {
    local log=$PC_TEST_DIR/listener ino
    listen_hold "$log"
    run_pc run -d --name by --network slirp4netns:allow_host_loopback=true,bypass=true busybox \
        sh -c "${hold_cmd//PORT/$PORT}"
    wait_for host_conn by
    ino=$(last_ino by)
    # The container's socket is in the host's namespace (not its own),
    # connected from 127.0.0.1 straight to the server, whose peer it is.
    run grep " $ino " /proc/net/tcp
    assert_contains "$output" ":$(printf '%04X' "$PORT") 01 "
    local lport=$((16#$(awk '{print $2}' <<<"$output" | cut -d: -f2)))
    wait_for grep -q "peer $lport" "$log"
    run_pc exec by cat /proc/net/tcp
    assert_not_contains "$output" " $ino "
    run_pc inspect --format '{{.HostConfig.NetworkMode}}' by
    assert_equal "$output" "slirp4netns:allow_host_loopback=true,bypass=true"
    run_pc rm -f -t 0 by

    # Without the bypass the socket is the container's, to 10.0.2.2.
    run_pc run -d --name sl --network slirp4netns:allow_host_loopback=true busybox \
        sh -c "${hold_cmd//PORT/$PORT}"
    wait_for sh -c "'$PC' exec sl cat /proc/net/tcp | grep -q '0202000A:$(printf '%04X' "$PORT") 01'"
    wait_for sh -c "'$PC' logs sl | grep -q socket:"
    ino=$(last_ino sl)
    run grep -c " $ino " /proc/net/tcp
    assert_equal "$output" 0
    run_pc exec sl cat /proc/net/tcp
    assert_contains "$output" "0202000A:$(printf '%04X' "$PORT") 01"
    assert_contains "$output" " $ino "
    run_pc rm -f -t 0 sl
}

@test "bypass=true: a connect slower than 2 s still ends on a host socket (no second connect through slirp)" {
    command -v python3 >/dev/null || skip "no python3 on the host for a listener"
    local log=$PC_TEST_DIR/listener go=$PC_TEST_DIR/go
    # A listener whose accept queue (listen(0): one slot) is full drops
    # the SYNs that come, so a connect waits for the client's SYN
    # retransmits (1 s, then 3 s, 7 s after the first) until it accepts,
    # which it starts once $go exists.
    python3 -c 'import os, socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)
filler = socket.create_connection(s.getsockname())
print(s.getsockname()[1], flush=True)
while not os.path.exists(sys.argv[1]): time.sleep(0.05)
held = []
while True:
    c, a = s.accept(); held.append(c); print("peer", a[1], flush=True)' "$go" >"$log" 2>&1 </dev/null 3>&- &
    LISTENER=$!
    wait_for test -s "$log"
    PORT=$(head -1 "$log")
    run_pc run -d --name slow --network slirp4netns:allow_host_loopback=true,bypass=true busybox \
        sh -c "${hold_cmd//PORT/$PORT}"
    wait_for sh -c "'$PC' logs slow | grep -q socket:"
    # Held past the 2 s after which the monitor used to give the connect
    # to slirp (a second connect to the same peer, through slirp).
    sleep 3
    touch "$go"
    wait_for -t 20 host_conn slow
    run_pc exec slow cat /proc/net/tcp
    assert_not_contains "$output" "0202000A:$(printf '%04X' "$PORT")"
    run_pc rm -f -t 0 slow
}

@test "bypass=true: a download from a host HTTP server through 10.0.2.2, checksum intact; -u 1000 too" {
    command -v python3 >/dev/null || skip "no python3 on the host for an HTTP server"
    local dir=$PC_TEST_DIR/www log=$PC_TEST_DIR/http
    mkdir -p "$dir"
    head -c 5000000 /dev/urandom >"$dir/blob"
    (cd "$dir" && exec python3 -c 'import http.server, socketserver
s = socketserver.TCPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
print(s.server_address[1], flush=True)
s.serve_forever()' >"$log" 2>/dev/null </dev/null 3>&-) &
    LISTENER=$!
    wait_for test -s "$log"
    local port want
    port=$(head -1 "$log")
    want=$(md5sum <"$dir/blob" | cut -d' ' -f1)
    run_pc run --rm --network slirp4netns:allow_host_loopback=true,bypass=true busybox \
        sh -c "wget -q -O - http://10.0.2.2:$port/blob | md5sum"
    assert_equal "${output%% *}" "$want"
    run_pc run --rm -u 1000:1000 --network slirp4netns:allow_host_loopback=true,bypass=true busybox \
        sh -c "wget -q -O - http://10.0.2.2:$port/blob | md5sum"
    assert_equal "${output%% *}" "$want"
}

@test "bypass=true without allow_host_loopback: the host's loopback stays unreachable" {
    local log=$PC_TEST_DIR/listener
    listen_hold "$log"
    run_pc 1 run --rm --network slirp4netns:bypass=true busybox \
        sh -c "echo refused | timeout 5 nc 10.0.2.2 $PORT"
    assert_contains "$output" "Network is unreachable"
    # The container's own loopback and slirp's addresses are not bypassed.
    run_pc 1 run --rm --network slirp4netns:bypass=true,allow_host_loopback=true busybox \
        sh -c "timeout 5 nc 127.0.0.1 $PORT </dev/null"
    run cat "$log"
    assert_not_contains "$output" peer
}

@test "bypass=true adds the notification filter (a second one), bypass=false does not, a bad value is refused" {
    run_pc run --rm --network slirp4netns:bypass=true busybox grep Seccomp_filters /proc/self/status
    assert_equal "$output" "$(printf 'Seccomp_filters:\t2')"
    run_pc run --rm --network slirp4netns:bypass=false busybox grep Seccomp_filters /proc/self/status
    assert_equal "$output" "$(printf 'Seccomp_filters:\t1')"
    run_pc 125 run --rm --network slirp4netns:bypass=maybe busybox true
    assert_contains "$output" "invalid value of bypass"
}
