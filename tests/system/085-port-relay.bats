#!/usr/bin/env bats
# The TCP relay of published ports (pkg/network/portfwd.c) under bulk
# traffic: tens of MiB both ways at once, several connections at a time,
# half-close passed on, no fd left in the monitor. Traffic only on the
# host's loopback and inside the containers.

bats_require_minimum_version 1.5.0

load helpers
load helpers-containers

setup() {
    pc_setup
    pc_load_fixture busybox
    command -v python3 >/dev/null || skip "no python3 on the host"
}

teardown() {
    pc_teardown
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# relay_client PORT MIB CONNS: CONNS connections at once to 127.0.0.1:PORT,
# each sends MIB MiB of pseudo-random bytes while it reads (an echo server
# answers them), then shuts its write side; the bytes that come back must
# be the ones sent, and end with the server's EOF. Exits 0 when all match.
relay_client() {
    python3 - "$@" <<'PY'
import hashlib, os, socket, sys, threading
port, mib, conns = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
ok = []
def one(k):
    c = socket.create_connection(("127.0.0.1", port), timeout=60)
    block = hashlib.sha256(b"%d" % k).digest() * 2048 + os.urandom(4096)
    data = block * (mib * 1048576 // len(block)) + block[: mib * 1048576 % len(block)]
    def send():
        c.sendall(data)
        c.shutdown(socket.SHUT_WR)
    t = threading.Thread(target=send)
    t.start()
    got = hashlib.sha256()
    n = 0
    while True:
        b = c.recv(1 << 20)
        if not b:
            break
        got.update(b)
        n += len(b)
    t.join()
    c.close()
    ok.append(n == len(data) and got.digest() == hashlib.sha256(data).digest())
    if not ok[-1]:
        print("connection %d: %d bytes back of %d" % (k, n, len(data)), file=sys.stderr)
ts = [threading.Thread(target=one, args=(k,)) for k in range(conns)]
for t in ts: t.start()
for t in ts: t.join()
sys.exit(0 if len(ok) == conns and all(ok) else 1)
PY
}

# wait_port PORT: until the echo server in the container answers.
wait_port() {
    wait_for python3 -c "import socket
c = socket.create_connection(('127.0.0.1', $1), timeout=5)
c.sendall(b'ping'); c.shutdown(socket.SHUT_WR)
assert c.recv(16) == b'ping'"
}

monitor_fds() {
    ls "/proc/$1/fd" | wc -l
}

@test "-p relay: 64 MiB both ways at once, then 4 connections of 16 MiB at once, checksums match, no fd left" {
    local hostport mon before
    hostport=$(free_port)
    # -ll: nc serves every connection (a cat each), several at once.
    run_pc run -d --name echo -p "127.0.0.1:$hostport:7" busybox nc -ll -p 7 -e cat
    wait_port "$hostport"
    mon=$(monitor_pid echo)
    before=$(monitor_fds "$mon")
    run relay_client "$hostport" 64 1
    assert_equal "$status $output" "0 "
    run relay_client "$hostport" 16 4
    assert_equal "$status $output" "0 "
    # Every relayed connection's sockets and pipes are closed once both
    # ends said EOF.
    wait_for test "$(monitor_fds "$mon")" -eq "$before"
    run_pc rm -f -t 0 echo
}

@test "-p relay: the client's half-close reaches the server, whose answer still comes back" {
    local hostport
    hostport=$(free_port)
    # md5sum answers only after its input ended: the client's shutdown(SHUT_WR)
    # must reach it as an EOF while the way back stays open.
    run_pc run -d --name sum -p "127.0.0.1:$hostport:7" busybox sh -c 'while true; do nc -l -p 7 -e md5sum; done'
    local want
    want=$(head -c 8388608 /dev/zero | md5sum | cut -d' ' -f1)
    wait_for python3 -c "import socket, sys
c = socket.create_connection(('127.0.0.1', $hostport), timeout=30)
c.sendall(bytes(8388608)); c.shutdown(socket.SHUT_WR)
got = b''
while True:
    b = c.recv(65536)
    if not b: break
    got += b
sys.exit(got.split()[0].decode() != '$want' if got else 1)"
    run_pc rm -f -t 0 sum
}
