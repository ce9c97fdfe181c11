#!/usr/bin/env bats
# --network container:NAME|ID (the new container joins that running
# container's network namespace, and its user namespace with it) and
# --network ns:PATH. Traffic only inside the containers.

bats_require_minimum_version 1.5.0

load helpers

setup() {
    pc_setup
    pc_load_fixture busybox
}

teardown() {
    pc_teardown
}

@test "--network container:NAME shares the first container's localhost, tap0, /etc/hosts and resolv.conf" {
    run_pc run -d --name first --hostname firsthost busybox \
        sh -c 'while true; do nc -l -p 8080 -e echo hello-from-first; done'
    local id=$output
    # A server on 127.0.0.1 of the first, reached from the second.
    run_pc run --rm --name second --hostname secondhost --network container:first busybox \
        sh -c 'for i in $(seq 50); do nc 127.0.0.1 8080 && exit 0; sleep 0.1; done; exit 1'
    assert_equal "$output" "hello-from-first"
    run_pc run --rm --network "container:$id" busybox sh -c 'ip -4 -o addr show tap0'
    assert_contains "$output" "10.0.2.100/24"
    local hosts resolv
    hosts=$("$PC" exec first cat /etc/hosts)
    resolv=$("$PC" exec first cat /etc/resolv.conf)
    run_pc run --rm --name third --hostname thirdhost --network container:first busybox cat /etc/hosts
    assert_equal "$output" "$(printf '%s\n127.0.0.1\tthirdhost third' "$hosts")"
    assert_contains "$output" "$(printf '10.0.2.100\tfirsthost first')"
    run_pc run --rm --network container:first busybox cat /etc/resolv.conf
    assert_equal "$output" "$resolv"
    # The record keeps the ID, as podman's.
    run_pc create --name later --network container:first busybox \
        sh -c 'nc 127.0.0.1 8080'
    run_pc inspect --format '{{.HostConfig.NetworkMode}}' later
    assert_equal "$output" "container:$id"
    # A created one joins at start (its own pc start, its own user namespace choice).
    run_pc start -a later
    assert_equal "$output" "hello-from-first"
    run_pc rm -f -t 0 later first
}

@test "--network container: refuses what podman refuses; published ports are dropped" {
    run_pc 125 run --rm --network container:nosuch busybox true
    assert_equal "$output" 'Error: looking up container to share net namespace with: no container with name or ID "nosuch" found: no such container'
    run_pc create --name stopped busybox true
    run_pc 125 run --rm --network container:stopped busybox true
    assert_contains "$output" "not running"
    run_pc run -d --name up busybox sleep 1000
    run_pc run --rm --network container:up -p 127.0.0.1:8080:80 busybox true
    assert_contains "$output" "port mappings have been discarded"
    run_pc 125 run --rm --network container: busybox true
    run_pc rm -f -t 0 up stopped
}

@test "--network ns:PATH: a relative path is refused; a namespace pc's user namespace does not own cannot be joined" {
    run_pc 125 run --rm --network ns:relative/path busybox true
    assert_contains "$output" "absolute path"
    run_pc create --name nsjoin --network ns:/proc/1/ns/net busybox true
    run_pc inspect --format '{{.HostConfig.NetworkMode}}' nsjoin
    assert_equal "$output" "ns:/proc/1/ns/net"
    # The host's namespace belongs to the initial user namespace: a rootless
    # container may not join it (podman's rootless containers cannot either).
    run_pc 125 start nsjoin
    assert_contains "$output" "/proc/1/ns/net"
}

@test "DNS inside: the container resolves its own hostname and host.containers.internal (busybox ping's resolver)" {
    run_pc run --rm --hostname web --name webc busybox sh -c '
        ping -c1 -W1 web 2>&1 | head -1
        ping -c1 -W1 webc 2>&1 | head -1
        ping -c1 -W1 host.containers.internal 2>&1 | head -1
        grep host.containers.internal /etc/hosts | cut -f1'
    local hip=${lines[3]}
    [ -n "$hip" ]
    assert_contains "${lines[0]}" "PING web (10.0.2.100)"
    assert_contains "${lines[1]}" "PING webc (10.0.2.100)"
    assert_contains "${lines[2]}" "PING host.containers.internal ($hip)"
    # A joined container resolves the first's names through the shared file.
    run_pc run -d --name first --hostname firsthost busybox sleep 1000
    run_pc run --rm --network container:first busybox sh -c 'ping -c1 -W1 firsthost 2>&1 | head -1'
    assert_contains "$output" "PING firsthost (10.0.2.100)"
    run_pc rm -f -t 0 first
}
