#!/usr/bin/env bats
# The default rootless network: libslirp in the container's monitor, tap0
# in the container's network namespace, addresses as podman's slirp4netns
# mode. Traffic goes only to 127.0.0.1 of the host (through 10.0.2.2 with
# allow_host_loopback=true) and inside the containers.

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

# listen_tcp OUT: a host listener on 127.0.0.1 (free port written as the
# first line of OUT, then each connection's data echoed back as "echo:DATA"
# and logged in OUT). Its fds are closed: bats waits for whatever holds its
# output open.
listen_tcp() {
    command -v python3 >/dev/null || skip "no python3 on the host for a listener"
    python3 -c 'import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    d = b""
    while not d.endswith(b"\n"):
        b = c.recv(4096)
        if not b: break
        d += b
    c.sendall(b"echo:" + d); print(d.decode(), end="", flush=True)
    # Hold the connection until the peer closes it.
    while c.recv(4096): pass
    print("closed", flush=True); c.close()' >"$1" 2>&1 </dev/null 3>&- &
    LISTENER=$!
    wait_for test -s "$1"
    PORT=$(head -1 "$1")
}

@test "default network: lo and tap0 with podman's slirp4netns addresses, MTU and route" {
    run_pc run --rm busybox ip -o -4 addr show
    assert_contains "$output" "lo    inet 127.0.0.1/8"
    assert_contains "$output" "tap0    inet 10.0.2.100/24"
    run_pc run --rm busybox sh -c 'ls /sys/class/net; cat /sys/class/net/tap0/mtu /sys/class/net/lo/operstate'
    assert_equal "$output" "$(printf 'lo\ntap0\n65520\nunknown')"
    # The default route goes to the gateway 10.0.2.2 (0202000A).
    run_pc run --rm busybox cat /proc/net/route
    assert_contains "$output" "$(printf 'tap0\t00000000\t0202000A\t0003')"
    assert_contains "$output" "$(printf 'tap0\t0002000A\t00000000\t0001')"
    run_pc inspect --format '{{.HostConfig.NetworkMode}}' "$("$PC" create busybox true)"
    assert_equal "$output" slirp4netns
}

@test "--network private and bridge are the default network; none has loopback alone" {
    for mode in private bridge slirp4netns; do
        run_pc run --rm --network "$mode" busybox ls /sys/class/net
        assert_equal "$output" "$(printf 'lo\ntap0')"
    done
    run_pc run --rm --network none busybox ls /sys/class/net
    assert_equal "$output" lo
    run_pc run --rm --network none busybox cat /proc/net/route
    assert_equal "$(wc -l <<<"$output")" 1
}

@test "--network none: the loopback is up with 127.0.0.1 and ::1, as podman's" {
    run_pc run --rm --network none busybox sh -c 'ip link show lo; ip -o addr show lo'
    assert_contains "$output" "LOOPBACK,UP"
    assert_contains "$output" "inet 127.0.0.1/8"
    assert_contains "$output" "inet6 ::1/128"
    # The container reaches itself over it: a server on 127.0.0.1 answers.
    run_pc run --rm --network none busybox sh -c \
        'nc -l -p 7001 -e echo pong & for i in $(seq 100); do nc 127.0.0.1 7001 </dev/null 2>/dev/null && exit; usleep 20000; done; exit 9'
    assert_equal "$output" pong
}

@test "--cap-add NET_ADMIN: the container's root administers its network namespace, in pc's user namespace or one of its own" {
    # The namespace must be owned by the container's user namespace, which
    # is pc's or, with --userns=auto, one of the container's own.
    for userns in "" --userns=auto; do
        run_pc run --rm $userns --cap-add NET_ADMIN --network none busybox \
            sh -c 'ip link set lo mtu 1400 && cat /sys/class/net/lo/mtu'
        assert_equal "$output" 1400
    done
    run_pc 2 run --rm --network none busybox ip link set lo mtu 1400
    assert_contains "$output" "Operation not permitted"
}

@test "each container has a network namespace of its own, none the host's" {
    run_pc run -d --name n1 --network none busybox sleep 100
    run_pc run -d --name n2 busybox sleep 100
    run_pc exec n1 readlink /proc/self/ns/net
    local a=$output
    run_pc exec n2 readlink /proc/self/ns/net
    local b=$output
    assert_contains "$a" "net:["
    assert_not_equal "$a" "$b"
    assert_not_equal "$a" "$(readlink /proc/self/ns/net)"
    assert_not_equal "$b" "$(readlink /proc/self/ns/net)"
    run_pc rm -f -t0 n1 n2
}

@test "--network slirp4netns:mtu=,cidr= set the container's MTU, address and gateway" {
    run_pc run --rm --network slirp4netns:mtu=1500,cidr=10.7.0.0/24 busybox \
        sh -c 'cat /sys/class/net/tap0/mtu; ip -o -4 addr show tap0; ip route'
    assert_contains "$output" 1500
    assert_contains "$output" "inet 10.7.0.100/24"
    assert_contains "$output" "default via 10.7.0.2 dev tap0"
    run_pc inspect --format '{{.HostConfig.NetworkMode}}' \
        "$("$PC" create --network slirp4netns:mtu=1500,cidr=10.7.0.0/24 busybox true)"
    assert_equal "$output" "slirp4netns:cidr=10.7.0.0/24,mtu=1500"
}

@test "--network refuses bad values and bad slirp4netns options" {
    run_pc 125 run --rm --network bogus busybox true
    assert_contains "$output" bogus
    run_pc 125 run --rm --network slirp4netns:mtu=12 busybox true
    assert_contains "$output" "invalid mtu"
    run_pc 125 run --rm --network slirp4netns:cidr=10.0.2.0/30 busybox true
    assert_contains "$output" "invalid cidr"
    run_pc 125 run --rm --network slirp4netns:allow_host_loopback=maybe busybox true
    assert_contains "$output" allow_host_loopback
    run_pc 125 run --rm --network slirp4netns:colour=blue busybox true
    assert_contains "$output" "unknown option for slirp4netns"
    # Nothing was created by the refused ones.
    run_pc ps -a -q
    assert_equal "$output" ""
}

@test "allow_host_loopback=true: a TCP round trip to a host listener on 127.0.0.1 via 10.0.2.2" {
    local log=$PC_TEST_DIR/listener
    listen_tcp "$log"
    run_pc run --rm --network slirp4netns:allow_host_loopback=true busybox \
        sh -c "echo from-the-container | nc 10.0.2.2 $PORT"
    assert_equal "$output" "echo:from-the-container"
    wait_for grep -q closed "$log"
    # The default does not reach the host's loopback.
    run_pc 1 run --rm busybox sh -c "echo refused | timeout 5 nc 10.0.2.2 $PORT"
    assert_not_contains "$(cat "$log")" refused
}

@test "allow_host_loopback=true: a container downloads a file from a host HTTP server, checksum intact" {
    command -v python3 >/dev/null || skip "no python3 on the host for an HTTP server"
    local dir=$PC_TEST_DIR/www log=$PC_TEST_DIR/http
    mkdir -p "$dir"
    head -c 3000000 /dev/urandom >"$dir/blob"
    (cd "$dir" && exec python3 -c 'import http.server, socketserver, sys
h = http.server.SimpleHTTPRequestHandler
s = socketserver.TCPServer(("127.0.0.1", 0), h)
print(s.server_address[1], flush=True)
s.serve_forever()' >"$log" 2>/dev/null </dev/null 3>&-) &
    LISTENER=$!
    wait_for test -s "$log"
    local port
    port=$(head -1 "$log")
    run_pc run --rm --network slirp4netns:allow_host_loopback=true busybox \
        sh -c "wget -q -O - http://10.0.2.2:$port/blob | md5sum"
    assert_equal "${output%% *}" "$(md5sum <"$dir/blob" | cut -d' ' -f1)"
    run_pc 1 run --rm busybox sh -c "timeout 5 wget -q -O /dev/null http://10.0.2.2:$port/blob"
}

@test "a container that runs as another uid (-u 1000) gets the network too" {
    run_pc run --rm -u 1000:1000 busybox sh -c 'id -u; ip -o -4 addr show tap0'
    assert_contains "$output" "1000"
    assert_contains "$output" "inet 10.0.2.100/24"
}

@test "detached (-d), the network is up before the command runs" {
    run_pc run -d --name det busybox sh -c 'ip -o -4 addr show tap0; sleep 1000'
    wait_for sh -c "'$PC' logs det | grep -q 10.0.2.100"
    run_pc exec det cat /sys/class/net/tap0/operstate
    assert_equal "$output" unknown
    run_pc rm -f -t 0 det
}

@test "the network of a created container comes up at pc start" {
    local id
    id=$("$PC" create busybox sh -c 'ip -o -4 addr show tap0')
    run_pc start -a "$id"
    assert_contains "$output" "inet 10.0.2.100/24"
    run_pc rm "$id"
}

@test "the container's connections are closed before its exit is recorded" {
    command -v ss >/dev/null || skip "no ss on the host"
    local log=$PC_TEST_DIR/listener
    listen_tcp "$log"
    run_pc run -d --name holder --network slirp4netns:allow_host_loopback=true busybox \
        sh -c "(echo held; sleep 1000) | nc 10.0.2.2 $PORT"
    wait_for grep -q held "$log"
    run_pc kill holder
    run_pc wait holder
    # The moment wait returns, the listener's end has seen the close: no
    # established connection to its port is left.
    run ss -Htn state established "( sport = :$PORT )"
    assert_equal "$output" ""
    wait_for grep -q closed "$log"
}

@test "/etc/resolv.conf names the DNS forwarder 10.0.2.3 and the host's servers; /etc/hosts the container and the host" {
    local want_ns
    want_ns=$(printf 'nameserver 10.0.2.3\n'; grep '^nameserver' /etc/resolv.conf | awk '$2 !~ /^127\./ && $2 != "::1" && $2 !~ /:/')
    run_pc run --rm busybox grep '^nameserver' /etc/resolv.conf
    assert_equal "$output" "$want_ns"
    run_pc run --rm --hostname web --name site busybox cat /etc/hosts
    assert_contains "$output" "$(printf '10.0.2.100\tweb site')"
    assert_contains "$output" "host.containers.internal"
    assert_contains "$output" localhost
    # With cidr= the container's own line follows.
    run_pc run --rm --hostname web --name site --network slirp4netns:cidr=10.9.0.0/24 busybox grep web /etc/hosts
    assert_equal "$output" "$(printf '10.9.0.100\tweb site')"
}

@test "the container resolves its own name through /etc/hosts (a TCP round trip inside it)" {
    run_pc run --rm --hostname web busybox sh -c \
        'nc -l -p 8080 -e echo served & sleep 0.2; for i in 1 2 3 4 5 6 7 8 9 10; do nc web 8080 && break; sleep 0.2; done'
    assert_equal "$output" served
}

@test "--dns, --dns-search, --dns-option replace the host's; --add-host comes first; --no-hosts keeps the image's" {
    run_pc run --rm --dns 9.9.9.9 --dns 2001:db8::1 --dns-search example.com --dns-option ndots:2 \
        --add-host foo:1.2.3.4 --add-host six:2001:db8::6 busybox sh -c 'cat /etc/resolv.conf; head -2 /etc/hosts'
    assert_equal "$output" "$(printf 'search example.com\nnameserver 9.9.9.9\nnameserver 2001:db8::1\noptions ndots:2\n1.2.3.4\tfoo\n2001:db8::6\tsix')"
    run_pc 1 run --rm --dns-search . busybox grep -c search /etc/resolv.conf
    assert_equal "$output" 0
    run_pc inspect --format '{{.HostConfig.Dns}} {{.HostConfig.DnsSearch}} {{.HostConfig.DnsOptions}} {{.HostConfig.ExtraHosts}}' \
        "$("$PC" create --dns 9.9.9.9 --dns-search example.com --dns-option ndots:2 --add-host foo:1.2.3.4 busybox true)"
    assert_equal "$output" "[9.9.9.9] [example.com] [ndots:2] [foo:1.2.3.4]"
    # The busybox image has no /etc/hosts of its own.
    run_pc 1 run --rm --no-hosts busybox cat /etc/hosts
    assert_contains "$output" "can't open"
    run_pc 125 run --rm --no-hosts --add-host a:1.1.1.1 busybox true
    assert_contains "$output" "--no-hosts and --add-host cannot be set together"
    run_pc 125 run --rm --add-host foo:bar busybox true
    assert_contains "$output" 'invalid IP address in add-host: "bar"'
    run_pc 125 run --rm --dns 1.2.3 busybox true
    assert_contains "$output" "1.2.3 is not an ip address"
}

@test "--network none: /etc/hosts names the container on 127.0.0.1; /etc/resolv.conf is the image's (podman 4.3 writes none)" {
    run_pc run --rm --network none --hostname solo --name alone busybox sh -c 'grep solo /etc/hosts; grep -c resolv.conf /proc/self/mountinfo; test -e /etc/resolv.conf || echo absent'
    assert_equal "$output" "$(printf '127.0.0.1\tsolo alone\n0\nabsent')"
    run_pc run -d --name nn --network none busybox sleep 100
    run_pc inspect --format '{{.ResolvConfPath}}|{{.HostConfig.Dns}}' nn
    assert_equal "$output" "|[]"
    run_pc inspect --format '{{.HostsPath}}' nn
    assert_contains "$output" "/hosts"
    run_pc rm -f -t0 nn
}

@test "--dns none: the container keeps its own /etc/resolv.conf; podman's errors around it" {
    # The first run writes one in the container's root; the second start
    # of that container finds it untouched.
    run_pc run --name dn --dns none busybox sh -c 'cat /etc/resolv.conf 2>/dev/null || echo absent; echo "nameserver 192.0.2.53" > /etc/resolv.conf'
    assert_equal "$output" "absent"
    run_pc start -a dn
    assert_equal "$output" "nameserver 192.0.2.53"
    run_pc 1 run --rm --dns none busybox sh -c 'grep -c resolv.conf /proc/self/mountinfo'
    assert_equal "$output" "0"
    run_pc inspect --format '{{.ResolvConfPath}}|{{.HostConfig.Dns}}' dn
    assert_equal "$output" "|[]"
    run_pc commit -q dn localhost/dn-image
    run_pc run --rm --dns none localhost/dn-image cat /etc/resolv.conf
    assert_equal "$output" "nameserver 192.0.2.53"
    # Without --dns none pc's file is bound over it.
    run_pc run --rm localhost/dn-image cat /etc/resolv.conf
    assert_contains "$output" "nameserver 10.0.2.3"
    run_pc rm dn
    run_pc rmi localhost/dn-image
    run_pc 125 create --dns none --dns 1.1.1.1 busybox true
    assert_equal "$output" "Error: none is not allowed to be specified with other DNS ip addresses"
    run_pc 125 create --dns 1.1.1.1 --dns none busybox true
    assert_equal "$output" "Error: none is not allowed to be specified with other DNS ip addresses"
    run_pc 125 create --dns none --dns-search example.org busybox true
    assert_equal "$output" "Error: invalid config provided: UseImageResolvConf and DNSSearch are mutually exclusive options"
    run_pc 125 create --dns none --dns-option ndots:2 busybox true
    assert_equal "$output" "Error: invalid config provided: UseImageResolvConf and DNSOption are mutually exclusive options"
    run_pc 125 create --dns NONE busybox true
    assert_equal "$output" "Error: NONE is not an ip address"
}

@test "--dns, --dns-search, --dns-option with --network none or container:X: podman's conflicting options (125), before anything is looked up" {
    for flag in "--dns 192.0.2.1" "--dns none" "--dns-search example.org" "--dns-option ndots:2"; do
        run_pc 125 create --network none $flag busybox true
        assert_equal "$output" "Error: conflicting options: dns and the network mode: none"
        run_pc 125 run --rm --network container:nosuch $flag busybox true
        assert_equal "$output" "Error: conflicting options: dns and the network mode: container"
    done
    # A bad server is named first, as podman does.
    run_pc 125 create --network none --dns bogus busybox true
    assert_equal "$output" "Error: bogus is not an ip address"
    # --network host takes them.
    run_pc run --rm --network host --dns 192.0.2.1 busybox cat /etc/resolv.conf
    assert_contains "$output" "nameserver 192.0.2.1"
    run_pc ps -a -q
    assert_equal "$output" ""
}

# free_port: a free TCP port on the host's 127.0.0.1.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

@test "-p: busybox httpd in the container serves a file to curl on the host; pc port" {
    command -v curl >/dev/null || skip "no curl on the host"
    local www=$PC_TEST_DIR/www
    mkdir -p "$www"
    head -c 2000000 /dev/urandom >"$www/blob"
    run_pc run -d --name web -p 127.0.0.1::80 -v "$www:/www" busybox httpd -f -p 80 -h /www
    run_pc port web 80
    local hostport=${output##*:}
    assert_equal "$output" "127.0.0.1:$hostport"
    run_pc port web
    assert_equal "$output" "80/tcp -> 127.0.0.1:$hostport"
    wait_for curl -sf -o "$PC_TEST_DIR/got" "http://127.0.0.1:$hostport/blob"
    assert_equal "$(md5sum <"$PC_TEST_DIR/got")" "$(md5sum <"$www/blob")"
    run_pc inspect --format '{{json .HostConfig.PortBindings}}' web
    assert_equal "$output" "{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$hostport\"}]}"
    run_pc inspect --format '{{json .NetworkSettings.Ports}}' web
    assert_equal "$output" "{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$hostport\"}]}"
    run_pc ps --format '{{.Names}} {{.Ports}}'
    assert_equal "$output" "web 127.0.0.1:$hostport->80/tcp"
    run_pc 125 port web 99
    assert_contains "$output" 'failed to find published port "99"'
    # A port the container does not listen on: the client's connection ends.
    run_pc rm -f -t 0 web
    run_pc run -d --name quiet -p "127.0.0.1:$hostport:81" busybox sleep 1000
    run curl -s -m 5 "http://127.0.0.1:$hostport/"
    [ "$status" -ne 0 ]
    # The host port is free again once the container is gone.
    run_pc rm -f -t 0 quiet
    run_pc run --rm -p "127.0.0.1:$hostport:80" busybox true
}

@test "-p: connections go to the container's address, as podman's rootlessport: a server on 127.0.0.1 only is not published" {
    command -v curl >/dev/null || skip "no curl on the host"
    local hostport
    run_pc run -d --name ip -p 127.0.0.1::80 busybox sh -c 'mkdir /w && echo hello >/w/index.html && httpd -f -p 10.0.2.100:80 -h /w'
    run_pc port ip 80
    hostport=${output##*:}
    wait_for curl -sf -o "$PC_TEST_DIR/got" "http://127.0.0.1:$hostport/index.html"
    assert_equal "$(cat "$PC_TEST_DIR/got")" hello
    # The container sees the connection come from its own address.
    run_pc exec ip netstat -tn
    assert_contains "$output" "10.0.2.100:80           10.0.2.100:"
    run_pc rm -f -t 0 ip
    run_pc run -d --name lo -p "127.0.0.1:$hostport:80" busybox sh -c 'mkdir /w && echo hello >/w/index.html && httpd -f -p 127.0.0.1:80 -h /w'
    wait_for sh -c "'$PC' exec lo netstat -tln | grep -q '127.0.0.1:80 '"
    run curl -s -m 5 "http://127.0.0.1:$hostport/index.html"
    assert_not_equal "$status" 0
    assert_not_equal "$output" hello
    run_pc rm -f -t 0 lo
}

@test "-p: a busy host port fails the run at once with podman's message (126), nothing left behind" {
    local log=$PC_TEST_DIR/listener
    listen_tcp "$log"
    run_pc 126 run --rm -p "127.0.0.1:$PORT:80" busybox true
    assert_equal "$output" "Error: rootlessport listen tcp 127.0.0.1:$PORT: bind: address already in use"
    run_pc ps -a -q
    assert_equal "$output" ""
    run_pc 126 run --rm -p 80/sctp busybox true
    run_pc 125 run --rm -p 8080-8081:80 busybox true
    assert_contains "$output" "differ in length"
}

@test "-p: each published connection gets its own socket inside the container, data both ways" {
    local hostport
    hostport=$(free_port)
    run_pc run -d --name echo -p "127.0.0.1:$hostport:7" busybox \
        sh -c 'while true; do nc -l -p 7 -e cat; done'
    local i
    for i in 1 2 3; do
        wait_for python3 -c "import socket, sys
c = socket.create_connection(('127.0.0.1', $hostport), timeout=5)
c.sendall(b'round-$i' * 100000); c.shutdown(socket.SHUT_WR)
got = b''
while True:
    b = c.recv(65536)
    if not b: break
    got += b
sys.exit(got != b'round-$i' * 100000)"
    done
    run_pc rm -f -t 0 echo
}
