#!/usr/bin/env bats
# Images whose files are not what pc expects (tests/fixtures/build-images
# "oddfiles": /etc/group a FIFO, /etc/passwd whited out over the base
# layer's, /etc/hosts a character device, /bin/fifo-cmd a FIFO). Every run
# must fail cleanly or go on; none may hang, so each is bounded by timeout
# and a 124 (timed out) is the failure being guarded against.

load helpers
load helpers-containers

setup() {
    pc_setup
    [ -f "$PC_FIXTURES/oddfiles.docker.tar" ] || skip "fixture oddfiles.docker.tar missing in $PC_FIXTURES"
    run_pc load -i "$PC_FIXTURES/oddfiles.docker.tar"
}

# run_bounded STATUS ARGS...: pc ARGS within 20 s, with the exit status wanted.
run_bounded() {
    local want=$1
    shift
    run timeout 20 "$PC" "$@"
    if [ "$status" -eq 124 ]; then
        echo "# pc $* hung (killed after 20 s)" >&2
        return 1
    fi
    if [ "$status" -ne "$want" ]; then
        echo "# pc $*: exit status $status, expected $want: $output" >&2
        return 1
    fi
}

@test "a FIFO /etc/group is not read: run as root goes on" {
    run_bounded 0 run --rm oddfiles cat /etc/oddfiles
    assert_contains "$output" "oddfiles"
    assert_contains "$output" "/etc/group"
    run_bounded 0 run --rm oddfiles id -u
    assert_equal "${lines[-1]}" "0"
}

@test "a FIFO /etc/group with a named group: the group is not found, no hang" {
    run_bounded 126 run --rm -u 0:tester oddfiles true
    assert_contains "$output" "unable to find group tester"
    # (not `id -g`: it would read the FIFO itself and block inside the container)
    run_bounded 0 run --rm -u 0:1000 oddfiles awk '/^Gid:/ { print $2 }' /proc/self/status
    assert_equal "${lines[-1]}" "1000"
}

@test "a whiteout hides the lower layer's /etc/passwd" {
    # The busybox layer below has user tester; the upper layer deleted passwd.
    run_bounded 126 run --rm -u tester oddfiles true
    assert_contains "$output" "unable to find user tester"
    run_bounded 0 run --rm -u 1000 oddfiles id -u
    assert_equal "${lines[-1]}" "1000"
}

@test "a device /etc/hosts: pc's own hosts file is what the container sees" {
    run_bounded 0 run --rm --name hh oddfiles cat /etc/hosts
    assert_contains "$output" "localhost"
}

@test "a FIFO as the command fails as a command that cannot be invoked" {
    run_bounded 126 run --rm oddfiles /bin/fifo-cmd
    run_bounded 0 run --rm oddfiles sh -c 'test -p /bin/fifo-cmd && echo fifo'
    assert_contains "$output" "fifo"
}
