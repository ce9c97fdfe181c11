#!/usr/bin/env bats
# --network: none gives a network namespace with loopback alone; host
# shares the host's, interfaces, sockets and /etc/hosts. The default
# network (slirp4netns) is tests/system/080-network.bats.

bats_require_minimum_version 1.5.0

load helpers

setup() {
    pc_setup
    pc_load_fixture busybox
}

teardown() {
    [ -z "${LISTENER:-}" ] || kill "$LISTENER" 2>/dev/null || true
    pc_teardown
}

# gone PID: the process has exited (a zombie counts).
gone() {
    [ ! -e "/proc/$1" ] || grep -q '^[0-9]* (.*) Z' "/proc/$1/stat"
}

host_ifaces() {
    ls /sys/class/net | sort
}

@test "--network host: the container sees the host's interfaces" {
    [ "$(host_ifaces)" != lo ] || skip "the host has loopback only: host and none would look the same"
    run_pc run --rm --network host busybox ls /sys/class/net
    assert_equal "$(sort <<<"$output")" "$(host_ifaces)"
    # /proc/net/dev is the network namespace's own view too.
    run_pc run --rm --network host busybox sh -c "sed -n '3,\$p' /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort"
    assert_equal "$output" "$(host_ifaces)"
    run_pc inspect --format '{{.HostConfig.NetworkMode}}' "$("$PC" create --network host busybox true)"
    assert_equal "$output" host
}

@test "--network host: a host socket on 127.0.0.1 is reachable from the container" {
    command -v python3 >/dev/null || skip "no python3 on the host for a listener"
    local got=$PC_TEST_DIR/got
    # Listens on a free port, prints it, then what one connection sends. Its
    # fds are closed: bats waits for whatever holds its output open.
    python3 -c 'import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept(); print(c.makefile().read(), end="", flush=True)' >"$got" 2>&1 </dev/null 3>&- &
    LISTENER=$!
    wait_for test -s "$got"
    local port
    port=$(head -1 "$got")
    # Without host networking 127.0.0.1 is the container's own: refused.
    run_pc 1 run --rm busybox sh -c "echo from-the-default | nc 127.0.0.1 $port"
    run_pc run --rm --network host busybox sh -c "echo from-the-container | nc 127.0.0.1 $port"
    wait_for gone "$LISTENER"
    assert_equal "$(sed 1d "$got")" from-the-container
}

@test "--network host: the host's /etc/hosts entries as podman writes them, host.containers.internal, the host's name; --network none is loopback only" {
    # podman 4.3: each entry of the host's file as ADDRESS<TAB>NAMES
    # (comments and blank lines dropped), then host.containers.internal on
    # the host's first address; no line of the container's own.
    local want host_ip
    want=$(sed 's/#.*//' /etc/hosts | awk 'NF >= 2 { printf "%s\t", $1; for (i = 2; i <= NF; i++) printf "%s%s", $i, (i < NF ? " " : "\n") }')
    # The first up, non-loopback IPv4 address, in interface order.
    host_ip=$(ip -4 -o addr show up 2>/dev/null | awk '$2 != "lo" { split($4, a, "/"); print a[1]; exit }')
    run_pc run --rm --network host busybox cat /etc/hosts
    assert_contains "$output" "$want"
    [ -z "$host_ip" ] || assert_contains "$output" "$(printf '%s\thost.containers.internal' "$host_ip")"
    run_pc run --rm --network host busybox sh -c 'hostname; echo $HOSTNAME; cat /etc/hostname'
    assert_equal "$output" "$(printf '%s\n%s\n%s' "$(uname -n)" "$(uname -n)" "$(uname -n)")"
    run_pc run --rm --network host --hostname other busybox hostname
    assert_equal "$output" other
    run_pc inspect --format '{{.Config.Hostname}}' "$("$PC" create --network host busybox true)"
    assert_equal "$output" "$(uname -n)"
    run_pc run --rm --network none busybox ls /sys/class/net
    assert_equal "$output" lo
    run_pc run --rm busybox cat /etc/hosts
    assert_not_equal "$output" "$(cat /etc/hosts)"
}

@test "--network refuses what it does not know" {
    run_pc 125 run --rm --network bogus busybox true
    assert_contains "$output" bogus
}
