#!/usr/bin/env bats
# Published ports beyond TCP over IPv4 (080 has those): UDP through the
# monitor's flow table, IPv6 host addresses, -P, what podman 4.3 refuses.
# Traffic only on the host's loopback and inside the containers.

bats_require_minimum_version 1.5.0

load helpers

setup() {
    pc_setup
    pc_load_fixture busybox
    command -v python3 >/dev/null || skip "no python3 on the host"
}

teardown() {
    pc_teardown
}

# free_port FAMILY-ADDR TYPE: a free port of the host now.
free_port() {
    python3 -c "import socket, sys
fam = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM if sys.argv[2] == 'udp' else socket.SOCK_STREAM)
s.bind((sys.argv[1], 0)); print(s.getsockname()[1])" "$1" "$2"
}

# UDP_ECHOD: a container command serving UDP echo on port 5353 (busybox
# has no UDP server): the host's python3 through a read-only bind of /usr,
# started by the dynamic loader (the image has none). Each datagram comes
# back to its sender.
udp_echod() {
    local py ld
    py=$(readlink -f /usr/bin/python3)
    ld=$(readlink -f /lib64/ld-linux-x86-64.so.2)
    [ -x "$py" ] && [ "${ld#/usr/}" != "$ld" ] || skip "no /usr/bin/python3 and loader under /usr to lend the container"
    UDP_ECHOD=("$ld" "$py" -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], 5353))
while True:
    d, a = s.recvfrom(65536); s.sendto(d, a); sys.stderr.write("peer %s\n" % a[0]); sys.stderr.flush()' "${1:-0.0.0.0}")
}

# udp_echo ADDR PORT WORD...: sends each word as a datagram from one
# socket and checks each comes back, from the address and port it went to.
udp_echo() {
    python3 - "$@" <<'EOF'
import socket, sys
addr, port, words = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(1)
for w in words:
    s.sendto(w.encode() + b"\n", (addr, port))
    data, frm = s.recvfrom(65536)
    if data != w.encode() + b"\n" or frm[0] != addr or frm[1] != port:
        print("got", data, "from", frm, file=sys.stderr)
        sys.exit(1)
EOF
}

@test "-p HOST:CTR/udp: datagrams reach the container and the replies come back from the host port" {
    local hp
    hp=$(free_port 127.0.0.1 udp)
    udp_echod
    run_pc run -d --name u -p "127.0.0.1:$hp:5353/udp" -v /usr:/usr:ro busybox "${UDP_ECHOD[@]}"
    # The server is up once a datagram comes back.
    wait_for udp_echo 127.0.0.1 "$hp" ping
    udp_echo 127.0.0.1 "$hp" one two "$(head -c 3000 /dev/zero | tr '\0' x)"
    # Two clients at once: each reply goes to its own client (a flow each).
    python3 -c "import socket, sys
a, b = (socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2))
for s in (a, b): s.settimeout(2)
a.sendto(b'from-a', ('127.0.0.1', $hp)); b.sendto(b'from-b', ('127.0.0.1', $hp))
sys.exit(a.recv(100) != b'from-a' or b.recv(100) != b'from-b')"
    run_pc port u
    assert_equal "$output" "5353/udp -> 127.0.0.1:$hp"
    run_pc port u 5353/udp
    assert_equal "$output" "127.0.0.1:$hp"
    run_pc ps --format '{{.Ports}}'
    assert_equal "$output" "127.0.0.1:$hp->5353/udp"
    run_pc inspect --format '{{json .HostConfig.PortBindings}}' u
    assert_equal "$output" "{\"5353/udp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$hp\"}]}"
    # The host port is released when the container is gone.
    run_pc rm -f -t 0 u
    python3 -c "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).bind(('127.0.0.1', $hp))"
}

@test "-p /udp: datagrams go to the container's address, as podman's rootlessport: a server on 127.0.0.1 only gets none" {
    local hp
    hp=$(free_port 127.0.0.1 udp)
    udp_echod 10.0.2.100
    run_pc run -d --name u -p "127.0.0.1:$hp:5353/udp" -v /usr:/usr:ro busybox "${UDP_ECHOD[@]}"
    wait_for udp_echo 127.0.0.1 "$hp" ping
    run_pc logs u
    assert_contains "$output" "peer 10.0.2.100"
    run_pc rm -f -t0 u
    udp_echod 127.0.0.1
    run_pc run -d --name u -p "127.0.0.1:$hp:5353/udp" -v /usr:/usr:ro busybox "${UDP_ECHOD[@]}"
    # Once it listens, a datagram sent to the host port gets no answer.
    wait_for sh -c "'$PC' exec u netstat -uln | grep -q '127.0.0.1:5353'"
    run ! udp_echo 127.0.0.1 "$hp" ping
    run_pc rm -f -t0 u
}

@test "-p /udp: a busy host port fails with podman's message (126); tcp and udp of one port are separate" {
    local hp
    hp=$(free_port 127.0.0.1 udp)
    python3 -c "import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', $hp)); time.sleep(30)" 3>&- &
    local holder=$!
    wait_for sh -c "! python3 -c \"import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).bind(('127.0.0.1', $hp))\" 2>/dev/null"
    run_pc 126 run --rm -p "127.0.0.1:$hp:53/udp" busybox true
    kill $holder
    assert_equal "$output" "Error: rootlessport listen udp 127.0.0.1:$hp: bind: address already in use"
    run_pc ps -a -q
    assert_equal "$output" ""
    # The same number for tcp: not busy.
    run_pc run --rm -p "127.0.0.1:$hp:53/udp" -p "127.0.0.1:$hp:53/tcp" busybox true
}

@test "-p /sctp: recorded, and refused at start as podman 4.3's rootlessport does" {
    run_pc create --name s -p 127.0.0.1:9:99/sctp busybox true
    run_pc inspect --format '{{json .HostConfig.PortBindings}}' s
    assert_equal "$output" '{"99/sctp":[{"HostIp":"127.0.0.1","HostPort":"9"}]}'
    run_pc 125 start s
    assert_contains "$output" "rootlessport spec was not validated?"
    run_pc 126 run --rm -p 127.0.0.1:9:99/sctp busybox true
}

@test "-p [::1]:PORT:CTR: an IPv6 host address, TCP and UDP" {
    python3 -c "import socket; socket.socket(socket.AF_INET6).bind(('::1', 0))" 2>/dev/null ||
        skip "no IPv6 loopback on this host"
    local tp up
    tp=$(free_port ::1 tcp)
    up=$(free_port ::1 udp)
    udp_echod
    run_pc run -d --name six -p "[::1]:$tp:7" -p "[::1]:$up:5353/udp" -v /usr:/usr:ro busybox \
        sh -c '"$@" & while true; do nc -l -p 7 -e cat; done' sh "${UDP_ECHOD[@]}"
    wait_for python3 -c "import socket, sys
c = socket.create_connection(('::1', $tp), timeout=5)
c.sendall(b'v6 over tcp'); c.shutdown(socket.SHUT_WR)
sys.exit(c.recv(100) != b'v6 over tcp')"
    wait_for udp_echo ::1 "$up" v6-over-udp
    run_pc port six 7
    assert_equal "$output" "::1:$tp"
    run_pc inspect --format '{{json .HostConfig.PortBindings}}' six
    assert_equal "$output" "{\"7/tcp\":[{\"HostIp\":\"::1\",\"HostPort\":\"$tp\"}],\"5353/udp\":[{\"HostIp\":\"::1\",\"HostPort\":\"$up\"}]}"
    # IPv4 only was not published.
    run python3 -c "import socket; socket.create_connection(('127.0.0.1', $tp), timeout=2)"
    [ "$status" -ne 0 ]
    run_pc rm -f -t 0 six
}

@test "-P publishes the image's ExposedPorts to free host ports, in pc port and ps" {
    run_pc run --name base busybox true
    run_pc commit -q --change 'EXPOSE 8080' --change 'EXPOSE 5353/udp' base exposing
    udp_echod
    run_pc run -d --name all -P -v /usr:/usr:ro exposing \
        sh -c '"$@" & while true; do nc -l -p 8080 -e echo served; done' sh "${UDP_ECHOD[@]}"
    run_pc port all 8080
    local tp=${output##*:}
    assert_equal "$output" "0.0.0.0:$tp"
    run_pc port all 5353/udp
    local up=${output##*:}
    assert_equal "$output" "0.0.0.0:$up"
    run_pc ps --format '{{.Names}} {{.Ports}}' --filter name=all
    assert_contains "$output" "0.0.0.0:$tp->8080/tcp"
    assert_contains "$output" "0.0.0.0:$up->5353/udp"
    run_pc inspect --format '{{.HostConfig.PublishAllPorts}}' all
    assert_equal "$output" "true"
    wait_for python3 -c "import socket, sys
c = socket.create_connection(('127.0.0.1', $tp), timeout=5)
sys.exit(c.recv(100) != b'served\n')"
    wait_for udp_echo 127.0.0.1 "$up" exposed
    run_pc rm -f -t 0 all
    # An explicit -p for an exposed port wins; without -P nothing is published.
    local hp
    hp=$(free_port 127.0.0.1 tcp)
    run_pc create --name some -P -p "127.0.0.1:$hp:8080" exposing true
    run_pc port some 8080
    assert_equal "$output" "127.0.0.1:$hp"
    run_pc create --name none exposing true
    run_pc port none
    assert_equal "$output" ""
}
