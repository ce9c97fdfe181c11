#!/usr/bin/env bats
# The namespace model: a container's namespaces, its user namespace
# included, are held by its monitor; later commands act through the monitor
# or join from the initial user namespace, never from a user namespace of
# their own (a sibling has no rights over the container's processes).

load helpers
load helpers-containers

setup() {
    pc_setup
    pc_busybox
}

@test "stop reaches a container whose process runs as a subordinate uid (its trap runs)" {
    run_pc run -d --name u -u 1000 busybox sh -c 'trap "echo got TERM; exit 5" TERM; echo ready; while :; do sleep 0.1; done'
    wait_for sh -c "'$PC' logs u | grep -q ready"
    run_pc stop -t 20 u
    run_pc inspect --format '{{.State.ExitCode}}' u
    assert_equal "$output" "5"
    run_pc logs u
    assert_contains "$output" "got TERM"
}

@test "kill -s delivers any signal to a subordinate-uid container" {
    run_pc run -d --name u -u 1000 busybox sh -c 'trap "exit 9" USR1; while :; do sleep 0.1; done'
    run_pc kill -s USR1 u
    run_pc wait u
    assert_equal "$output" "9"
}

@test "rm -f removes a running subordinate-uid container and leaves no process" {
    run_pc run -d --name u -u 1000 busybox sleep 1000
    local pid
    pid=$(ctr_pid u)
    [ "$pid" -gt 0 ]
    run_pc rm -f -t 0 u
    run_pc 1 container exists u
    ! kill -0 "$pid" 2>/dev/null
    [ ! -d "/proc/$pid" ]
}

@test "a monitor that does not act on a stop is killed, and the container with it" {
    run_pc run -d --name u busybox sleep 1000
    local mon pid
    mon=$(monitor_pid u)
    pid=$(ctr_pid u)
    kill -STOP "$mon"
    run_pc stop -t 1 u
    assert_contains "$output" "killing the monitor"
    wait_for sh -c "! kill -0 $pid"
    run_pc inspect --format '{{.State.Status}}' u
    assert_equal "$output" "exited"
}

# Each storage driver mounts the root in the monitor's mount namespace: the
# container sees only its own processes (no fuse-overlayfs inside), the
# host sees no mount of it, and nothing is left once it is removed.
check_driver() {
    local driver=$1
    run_pc --storage-driver "$driver" run --name d busybox sh -c 'echo written > /new; cat /new; ps -o comm; exit 0'
    assert_equal "${lines[0]}" "written"
    assert_equal "${lines[1]}" "COMMAND"
    assert_equal "${lines[2]}" "sh"
    assert_equal "${lines[3]}" "ps"
    assert_equal "${#lines[@]}" "4"
    run_pc --storage-driver "$driver" start -a d
    assert_equal "${lines[0]}" "written"
    run_pc --storage-driver "$driver" rm d
    ! grep -q "$XDG_DATA_HOME" /proc/self/mountinfo
}

@test "storage driver overlay: root mounted by the monitor" {
    check_driver overlay
}

@test "storage driver fuse-overlayfs: the FUSE daemon runs beside the monitor, not in the container" {
    command -v fuse-overlayfs >/dev/null || skip "fuse-overlayfs is not installed"
    [ -r /dev/fuse ] && [ -w /dev/fuse ] || skip "/dev/fuse is not usable by $(id -un)"
    check_driver fuse-overlayfs
    # A running container's daemon is the monitor's child and goes with it.
    run_pc --storage-driver fuse-overlayfs run -d --name f busybox sleep 1000
    local mon
    mon=$(monitor_pid f)
    local kids
    kids=$(cat /proc/$mon/task/*/children)
    local found=0 k
    for k in $kids; do
        [ "$(cat /proc/$k/comm)" = "fuse-overlayfs" ] && found=$k
    done
    [ "$found" -gt 0 ]
    kill -9 "$mon"
    wait_for sh -c "! kill -0 $found"
    run_pc --storage-driver fuse-overlayfs rm -f f
}

@test "storage driver vfs: root mounted by the monitor" {
    check_driver vfs
}

@test "a plain create enters no user namespace; its files are owned as from inside it, and start runs it" {
    run_pc --log-level debug create --name plain -u 1000 busybox sh -c 'id -u; touch /tmp/x && echo wrote'
    assert_not_contains "$output" "entered the user namespace"
    local plain=${lines[-1]}
    # A named volume is chowned and filled from the image: that create enters.
    run_pc --log-level debug create --name withvol -v pv:/data busybox true
    assert_contains "$output" "entered the user namespace"
    local withvol=${lines[-1]}
    # Seen from pc's namespace, both containers' files have the same owners
    # and modes: container root's.
    local store=$XDG_DATA_HOME/pc/storage
    run_pc unshare stat -c '%n %u:%g %a' "$store/containers/$plain/diff" "$store/containers/$plain/work" \
        "$store/engine/containers/$plain/config.json"
    local p=$output
    run_pc unshare stat -c '%n %u:%g %a' "$store/containers/$withvol/diff" "$store/containers/$withvol/work" \
        "$store/engine/containers/$withvol/config.json"
    assert_equal "${p//$plain/ID}" "${output//$withvol/ID}"
    assert_contains "$p" "/diff 0:0 755"
    run_pc start -a plain
    assert_equal "$output" "$(printf '1000\nwrote')"
    run_pc rm plain withvol
    run_pc volume rm pv
}
