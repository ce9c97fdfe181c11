#!/usr/bin/env bats
# Pods run by root (docs/pods.md): no user namespace; the infra's monitor
# holds the pod's network with its published port, the members share
# localhost and the pod's /dev/shm (a tmpfs in the host's mount namespace),
# and pod rm leaves no process or mount behind.

bats_require_minimum_version 1.5.0
load ../helpers

setup() {
    root_store_setup || return 1
    [ -x /usr/bin/catatonit ] || skip "no /usr/bin/catatonit (Debian's catatonit package)"
}

teardown() {
    "${PCR[@]}" pod rm -fa -t 0 >/dev/null 2>&1 || true
    root_store_teardown
}

free_port() {
    python3 -c "import socket
s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"
}

gone() {
    ! kill -0 "$1" 2>/dev/null || [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" = Z ]
}

fetch() {
    python3 -c "import urllib.request; print(urllib.request.urlopen('$1', timeout=2).read().decode().strip())" 2>/dev/null
}

served() {
    "${PCR[@]}" run --rm --pod "$1" localhost/busybox wget -qO- "$2" 2>/dev/null | grep -qx "$3"
}

@test "rootful pod: a published port reaches a member, members share localhost and /dev/shm, rm leaves nothing" {
    port=$(free_port)
    run "${PCR[@]}" pod create --name rp -p 127.0.0.1:$port:80 --shm-size 2m
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    pod_id=$output
    run "${PCR[@]}" run -d --pod rp --name web localhost/busybox sh -c \
        'echo rootful-pod > /tmp/index.html; echo shared > /dev/shm/mark; exec httpd -f -p 80 -h /tmp'
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    wait_for sh -c "python3 -c \"import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$port/', timeout=2).read().decode().strip())\" | grep -qx rootful-pod"
    # Another member: localhost is the pod's, /dev/shm too (the pod's size).
    wait_for served rp http://127.0.0.1:80/ rootful-pod
    run "${PCR[@]}" run --rm --pod rp localhost/busybox sh -c 'cat /dev/shm/mark; df -k /dev/shm | tail -1'
    [ "$status" -eq 0 ]
    assert_contains "$output" "shared"
    assert_contains "$output" " 2048 "
    # As root the pod's shm is a tmpfs in the host's mount namespace.
    run grep -c " $PC_TEST_DIR/runroot/pods/$pod_id/shm " /proc/self/mountinfo
    assert_equal "$output" "1"
    # Root runs its containers without a user namespace.
    run "${PCR[@]}" exec web cat /proc/self/uid_map
    [[ "$output" =~ ^[[:space:]]*0[[:space:]]+0[[:space:]]+4294967295 ]]
    pids=$(for c in $("${PCR[@]}" ps -aq --no-trunc --filter pod=rp); do
        "${PCR[@]}" inspect --format '{{.State.Pid}} {{.State.ConmonPid}}' "$c"; done | tr ' ' '\n' | grep -v '^0$')
    [ "$(echo "$pids" | wc -l)" -eq 4 ]
    ids=$("${PCR[@]}" ps -aq --no-trunc --filter pod=rp)
    run "${PCR[@]}" pod rm -f -t 0 rp
    [ "$status" -eq 0 ]
    for p in $pids; do wait_for gone "$p"; done
    run "${PCR[@]}" pod ps -q
    assert_equal "$output" ""
    run "${PCR[@]}" ps -aq
    assert_equal "$output" ""
    # No mount of the pod or its containers is left anywhere.
    run grep -c "$pod_id" /proc/self/mountinfo
    assert_equal "$output" "0"
    for id in $ids; do
        run sh -c "grep -ls '$id' /proc/[0-9]*/mountinfo 2>/dev/null"
        assert_equal "$output" ""
    done
    # The port is free again.
    python3 -c "import socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $port)); s.listen()"
}
