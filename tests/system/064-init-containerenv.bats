#!/usr/bin/env bats
# --init (catatonit as pid 1), /run/.containerenv and TERM, as podman.

load helpers
load helpers-containers

setup() {
    pc_setup
    pc_busybox
}

@test "--init: catatonit is pid 1, read-only at /run/podman-init, and stop of a shell loop needs no SIGKILL" {
    [ -x /usr/bin/catatonit ] || skip "catatonit is not installed"
    run_pc run -d --name x --init busybox sh -c 'while :; do sleep 0.1; done'
    run_pc exec x sh -c 'tr "\0" " " < /proc/1/cmdline'
    assert_equal "$output" "/run/podman-init -- sh -c while :; do sleep 0.1; done "
    run_pc 1 exec x sh -c 'echo > /run/podman-init'
    run_pc inspect --format '{{.Path}}|{{json .Args}}|{{.HostConfig.Init}}|{{index .Config.Annotations "io.podman.annotations.init"}}' x
    assert_equal "$output" '/run/podman-init|["--","sh","-c","while :; do sleep 0.1; done"]|true|TRUE'
    # The shell ignores SIGTERM as pid 1; as catatonit's child it dies of it.
    run_pc_split stop -t 30 x
    assert_equal "$output" "x"
    assert_not_contains "$stderr" "resorting to SIGKILL"
    run_pc inspect --format '{{.State.ExitCode}}' x
    assert_equal "$output" "143"
}

@test "without --init the shell loop as pid 1 ignores SIGTERM (what --init is for)" {
    run_pc run -d --name x busybox sh -c 'while :; do sleep 0.1; done'
    run_pc inspect --format '{{.Path}}|{{.HostConfig.Init}}' x
    assert_equal "$output" "sh|false"
    run_pc_split stop -t 1 x
    assert_contains "$stderr" "resorting to SIGKILL"
}

# zombies_are NAME N: the container has N zombie processes
zombies_are() {
    [ "$("$PC" exec "$1" sh -c 'grep -l "^State:.*Z" /proc/[0-9]*/status 2>/dev/null | wc -l')" = "$2" ]
}

@test "--init reaps orphaned zombies; a pid 1 that does not reap leaves them" {
    [ -x /usr/bin/catatonit ] || skip "catatonit is not installed"
    # The subshell exits at once; its child is orphaned to pid 1 and exits.
    local cmd='(sleep 0.3 &); exec sleep 1000'
    run_pc run -d --name bare busybox sh -c "$cmd"
    run_pc run -d --name init --init busybox sh -c "$cmd"
    wait_for zombies_are bare 1
    # By then the orphan of the other has exited too, and catatonit reaped it.
    wait_for -t 2 zombies_are init 0
    run_pc exec init sh -c 'ps -o pid,stat,comm'
    assert_not_contains "$output" " Z "
}

@test "--init-path names the binary; a missing one is podman's error" {
    [ -x /usr/bin/catatonit ] || skip "catatonit is not installed"
    cp /usr/bin/catatonit "$PC_TEST_DIR/myinit"
    run_pc run --rm --init --init-path "$PC_TEST_DIR/myinit" busybox sh -c 'cat /proc/1/cmdline | tr "\0" " "'
    assert_equal "$output" "/run/podman-init -- sh -c cat /proc/1/cmdline | tr \"\\0\" \" \" "
    run_pc 125 run --rm --init --init-path "$PC_TEST_DIR/nothing" busybox true
    assert_contains "$output" "container-init binary not found on the host: stat $PC_TEST_DIR/nothing: no such file or directory"
    # --init-path alone adds no init, as in podman.
    run_pc run --rm --init-path "$PC_TEST_DIR/myinit" busybox sh -c 'cat /proc/1/cmdline | tr "\0" " "'
    assert_equal "$output" "sh -c cat /proc/1/cmdline | tr \"\\0\" \" \" "
}

@test "/run/.containerenv exists and is empty, as podman's, for a container that is not privileged" {
    run_pc run --rm busybox sh -c 'test -f /run/.containerenv && wc -c < /run/.containerenv'
    assert_equal "$output" "0"
    # Also under a read-only root with its /run tmpfs.
    run_pc run --rm --read-only busybox sh -c 'test -f /run/.containerenv && echo there'
    assert_equal "$output" "there"
}

@test "/run/.containerenv of a privileged container names engine, container, image and rootless" {
    run_pc run --name priv --privileged busybox cat /run/.containerenv
    local env=$output
    run_pc inspect --format '{{.Id}} {{.Image}}' priv
    local id=${output% *} imageid=${output#* }
    run_pc --version
    local version=${output##* }
    local rootless=1
    [ "$(id -u)" -ne 0 ] || rootless=0
    assert_equal "$env" "engine=\"pc-$version\"
name=\"priv\"
id=\"$id\"
image=\"localhost/busybox:latest\"
imageid=\"$imageid\"
rootless=$rootless"
}

@test "/etc/mtab is a symlink to /proc/mounts where the image has none, also --read-only; one the container has is kept" {
    run_pc run --rm busybox sh -c 'readlink /etc/mtab; grep -c " /proc proc " /etc/mtab'
    assert_equal "$output" "$(printf '/proc/mounts\n1')"
    run_pc run --rm --read-only busybox readlink /etc/mtab
    assert_equal "$output" "/proc/mounts"
    run_pc run --name mt busybox sh -c 'rm /etc/mtab && echo mine > /etc/mtab'
    run_pc start -a mt
    run_pc commit -q mt localhost/mt-image
    run_pc run --rm localhost/mt-image cat /etc/mtab
    assert_equal "$output" "mine"
    run_pc rm mt
    run_pc rmi localhost/mt-image
}

@test "TERM=xterm only with -t, as podman and docker; -e TERM wins" {
    run_pc run --rm busybox sh -c 'echo "TERM=${TERM-unset}"'
    assert_equal "$output" "TERM=unset"
    run_pc run --rm -t busybox sh -c 'echo "TERM=${TERM-unset}"'
    assert_equal "$(printf '%s' "$output" | tr -d '\r')" "TERM=xterm"
    run_pc run --rm -t -e TERM=vt100 busybox sh -c 'echo "TERM=${TERM-unset}"'
    assert_equal "$(printf '%s' "$output" | tr -d '\r')" "TERM=vt100"
}
