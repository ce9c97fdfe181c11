#!/usr/bin/env bats
# Exit codes come from the class of a failure, set where it happens, mapped
# per command as podman 4.3 does (checked side by side with podman + runc):
# the context a failure gathers on its way up never changes them.

load helpers
load helpers-containers

setup() {
    pc_setup
    pc_busybox
}

@test "start of a container whose command does not exist exits 125, and the container exited 127" {
    run_pc create --name nocmd busybox /nonexistent
    run_pc 125 start nocmd
    assert_contains "$output" 'exec: "/nonexistent": stat /nonexistent: no such file or directory'
    run_pc inspect --format '{{.State.Status}} {{.State.ExitCode}}' nocmd
    assert_equal "$output" "exited 127"
    run_pc ps -a --format '{{.Names}} {{.Status}}'
    assert_contains "$output" "nocmd Exited (127)"
    # Attached, podman's start -a exits 125 as well.
    run_pc 125 start -a nocmd
    assert_contains "$output" 'exec: "/nonexistent": stat /nonexistent: no such file or directory'
    run_pc inspect --format '{{.State.Status}} {{.State.ExitCode}}' nocmd
    assert_equal "$output" "exited 127"
}

@test "start of a command that cannot be invoked exits 125, and the container exited 126" {
    run_pc create --name noexec busybox /etc/passwd
    run_pc 125 start noexec
    assert_contains "$output" "permission denied"
    run_pc inspect --format '{{.State.Status}} {{.State.ExitCode}}' noexec
    assert_equal "$output" "exited 126"
    run_pc create --name nowd -w /nonexistent busybox true
    run_pc 125 start -a nowd
    assert_contains "$output" 'workdir "/nonexistent" does not exist on container'
}

@test "run: 127 when the command is not found, attached or detached" {
    run_pc 127 run --rm busybox /nonexistent
    assert_contains "$output" 'exec: "/nonexistent": stat /nonexistent: no such file or directory'
    run_pc 127 run --rm busybox nosuchcmd
    assert_contains "$output" 'exec: "nosuchcmd": executable file not found in $PATH'
    run_pc 127 run -d --name det busybox /no/such/cmd
    run_pc inspect --format '{{.State.ExitCode}}' det
    assert_equal "$output" "127"
}

@test "run: 126 when the command cannot be invoked, the -w directory is missing or the -u user unknown" {
    run_pc 126 run --rm busybox /etc/passwd
    run_pc 126 run -d busybox /etc
    run_pc 126 run --rm -w /nonexistent busybox true
    assert_contains "$output" 'workdir "/nonexistent" does not exist on container'
    run_pc 126 run -d -w /nonexistent busybox true
    run_pc 126 run --rm -u nosuchuser busybox true
    run_pc 126 run --rm -u root:nosuchgroup busybox true
    assert_contains "$output" "unable to find group nosuchgroup"
    # As podman: create succeeds, start fails (125).
    run_pc create --name nu -u nosuchuser busybox true
    run_pc 125 start nu
}

@test "not found, in use, name taken, wrong state, bad value: each command's own code" {
    run_pc 1 rm nosuch
    run_pc 1 rmi nosuch
    run_pc 1 container exists nosuch
    run_pc 1 image exists nosuch
    for cmd in inspect start stop kill wait pause logs port; do
        "$PC" help "$cmd" >/dev/null 2>&1 || continue
        run_pc 125 "$cmd" nosuch
        assert_contains "$output" "nosuch"
    done
    run_pc 125 image inspect nosuch
    run_pc 125 run --rm nosuchimage true
    run_pc run -d --name busy busybox sleep 1000
    run_pc 2 rmi busybox
    assert_contains "$output" "image is in use by a container"
    run_pc 2 rm busy
    assert_contains "$output" "container state improper"
    run_pc 125 run --name busy busybox true
    assert_contains "$output" "already in use"
    run_pc 125 unpause busy
    run_pc rm -f -t 0 busy
    run_pc create --name idle busybox true
    run_pc 125 kill idle
    assert_contains "$output" "container state improper"
    run_pc 125 run --rm --ulimit bogus=1 busybox true
    run_pc 125 rename idle 'bad name'
}
