# Helpers for the container tests (04x): `load helpers-containers` after
# `load helpers`.

# pc_busybox: loads the busybox fixture as localhost/busybox:latest.
pc_busybox() {
    [ -f "$PC_FIXTURES/busybox.docker.tar" ] || skip "fixture busybox.docker.tar missing in $PC_FIXTURES"
    run_pc load -i "$PC_FIXTURES/busybox.docker.tar"
}

# ctr_state NAME: prints .State.Status
ctr_state() {
    "$PC" inspect --format '{{.State.Status}}' "$1"
}

# wait_for_state NAME STATE: up to 5 s (state changes are event-driven in pc,
# this only guards the test itself).
wait_for_state() {
    local i
    for i in $(seq 1 50); do
        [ "$(ctr_state "$1" 2>/dev/null)" = "$2" ] && return 0
        sleep 0.1
    done
    echo "# $1 never reached state $2 (is: $(ctr_state "$1" 2>&1))" >&2
    return 1
}

# ctr_pid NAME: the host pid of the container's pid 1
ctr_pid() {
    "$PC" inspect --format '{{.State.Pid}}' "$1"
}

# monitor_pid NAME
monitor_pid() {
    "$PC" inspect --format '{{.State.ConmonPid}}' "$1"
}
