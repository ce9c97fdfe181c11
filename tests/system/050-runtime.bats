#!/usr/bin/env bats
# pkg/runtime, driven by its test program (tests/runtime/pc-runtime-test) with
# a config.json written like the engine writes it (tests/runtime/mkspec.py),
# inside pc's user namespace (`pc unshare`), as an unprivileged user.

load helpers

bats_require_minimum_version 1.5.0

RT_BUILD=$(dirname "$PC")
RT=$RT_BUILD/pkg/runtime/pc-runtime-test
PROBE=$RT_BUILD/pkg/runtime/syscall-probe
MKSPEC=$BATS_TEST_DIRNAME/../runtime/mkspec.py

# Runs a command in pc's user namespace; falls back to unshare(1) when this
# build has no `pc unshare`. Root needs no user namespace (as with podman).
in_userns() {
    # A hang is a failure (timeout exits 124), not a stuck suite.
    if [ "$(id -u)" -eq 0 ]; then
        timeout 60 "$@"
    elif "$PC" help unshare >/dev/null 2>&1; then
        timeout 60 "$PC" unshare "$@"
    else
        timeout 60 unshare -r --map-auto "$@"
    fi
}

setup() {
    pc_setup
    [ -x "$RT" ] || skip "runtime test driver not built: $RT"
    [ -f "$PC_FIXTURES/busybox.rootfs.tar" ] || skip "fixture busybox.rootfs.tar missing in $PC_FIXTURES"
    export PC_RUNTIME_TEST=$RT
    ROOTFS=$PC_TEST_DIR/rootfs
    in_userns sh -c "mkdir -p '$ROOTFS' && tar -C '$ROOTFS' -xf '$PC_FIXTURES/busybox.rootfs.tar' \
        && cp '$PROBE' '$ROOTFS/bin/syscall-probe'"
}

teardown() {
    # overlay's work dir is owned by the namespace's root: remove it there.
    if [ -n "${PC_TEST_DIR:-}" ] && [ -d "$PC_TEST_DIR/ov" ]; then
        in_userns rm -rf "$PC_TEST_DIR/ov"
    fi
    pc_teardown
}

# run_ctr EXPECTED_STATUS MKSPEC_ARGS... -- ARGS...: writes the spec, runs it.
run_ctr() {
    local expected=$1
    shift
    python3 "$MKSPEC" --rootfs "$ROOTFS" --seccomp-cache "$PC_TEST_DIR/seccomp" "$@" \
        >"$PC_TEST_DIR/config.json"
    run "-$expected" in_userns "$RT" "${RT_FLAGS[@]}" "$PC_TEST_DIR/config.json"
    if [ "$status" -ne "$expected" ]; then
        echo "# exit status $status, expected $expected; output:" >&2
        printf '%s\n' "$output" | sed 's/^/#   /' >&2
        return 1
    fi
}

@test "runtime: an ordinary program runs and its exit code comes back" {
    run_ctr 0 -- echo hello from the container
    assert_equal "$output" "hello from the container"
    run_ctr 3 -- sh -c 'exit 3'
}

@test "runtime: the container is pid 1 and cannot see host processes" {
    run_ctr 0 -- sh -c 'echo pid=$$; ls /proc | grep -c "^[0-9]"'
    assert_equal "${lines[0]}" "pid=1"
    # sh, ls and grep at most: nothing from the host
    [ "${lines[1]}" -le 3 ]
}

@test "runtime: /proc/keys and /proc/timer_list are masked, /sys/firmware is empty" {
    run_ctr 0 -- sh -c 'ls -l /proc/keys /proc/timer_list; cat /proc/keys | wc -c; ls -A /sys/firmware | wc -l'
    [[ "${lines[0]}" == c* ]]     # /dev/null bound over it
    [[ "${lines[1]}" == c* ]]
    assert_equal "${lines[2]}" "0"
    assert_equal "${lines[3]}" "0"
}

@test "runtime: /proc/kcore is masked" {
    [ -e /proc/kcore ] || skip "this kernel has no /proc/kcore"
    run_ctr 0 -- sh -c 'ls -l /proc/kcore; cat /proc/kcore | wc -c'
    [[ "${lines[0]}" == c* ]]
    assert_equal "${lines[1]}" "0"
}

@test "runtime: /proc/sys is read-only" {
    run_ctr 1 -- sh -c 'echo other > /proc/sys/kernel/hostname'
    assert_contains "$output" "Read-only file system"
}

@test "runtime: default seccomp profile refuses keyctl, kexec_load, user namespaces and mount" {
    run_ctr 0 -- syscall-probe keyctl add_key kexec_load bpf unshare-user mount clone3 getpid unshare-files
    assert_contains "$output" "keyctl: EPERM"
    assert_contains "$output" "add_key: EPERM"
    assert_contains "$output" "kexec_load: EPERM"
    assert_contains "$output" "bpf: EPERM"
    assert_contains "$output" "unshare-user: EPERM"
    assert_contains "$output" "mount: EPERM"
    assert_contains "$output" "clone3: ENOSYS"
    assert_contains "$output" "getpid: ok"
    assert_contains "$output" "unshare-files: ok"
}

@test "runtime: without seccomp keyctl reaches the kernel" {
    run_ctr 0 --no-seccomp -- syscall-probe keyctl
    assert_not_contains "$output" "keyctl: EPERM"
}

@test "runtime: command not found exits 127, not executable exits 126" {
    run_ctr 127 -- nosuchcmd
    assert_contains "$output" "exec: \"nosuchcmd\": executable file not found in \$PATH: OCI runtime attempted to invoke a command that was not found"
    run_ctr 126 -- /etc/passwd
    assert_contains "$output" "exec: \"/etc/passwd\": permission denied: OCI permission denied"
}

@test "runtime: terminal mode gives the process a tty" {
    RT_FLAGS=(--tty)
    run_ctr 0 --tty --console-size 33x101 -- sh -c 'tty; [ -t 0 ] && echo stdin-is-a-tty; stty size'
    assert_equal "$(printf '%s' "${lines[0]}" | tr -d '\r')" "/dev/pts/0"
    assert_contains "$output" "stdin-is-a-tty"
    assert_equal "$(printf '%s' "${lines[2]}" | tr -d '\r')" "33 101"
}

@test "runtime: hostname, env, cwd, user, groups and umask from the spec" {
    run_ctr 0 --hostname box1 --env FOO=bar --cwd /work/here --user 1000:1000 --groups 10,20 -- \
        sh -c 'hostname; echo $FOO; pwd; id -u; id -g; id -G; umask'
    assert_equal "${lines[0]}" "box1"
    assert_equal "${lines[1]}" "bar"
    assert_equal "${lines[2]}" "/work/here"
    assert_equal "${lines[3]}" "1000"
    assert_equal "${lines[4]}" "1000"
    assert_contains "${lines[5]}" "10 20"
    assert_equal "${lines[6]}" "0022"
}

@test "runtime: capabilities follow the spec" {
    run_ctr 0 -- sh -c 'grep -E "^Cap(Eff|Bnd)" /proc/self/status'
    # podman's default set: 0x800405fb
    assert_contains "$output" "CapEff:	00000000800405fb"
    assert_contains "$output" "CapBnd:	00000000800405fb"
    run_ctr 0 --cap CAP_KILL -- sh -c 'grep -E "^CapBnd" /proc/self/status'
    assert_contains "$output" "CapBnd:	0000000000000020"
}

@test "runtime: rlimits are applied" {
    run_ctr 0 --rlimit RLIMIT_NOFILE=100:200 -- sh -c 'ulimit -n; ulimit -Hn'
    assert_equal "${lines[0]}" "100"
    assert_equal "${lines[1]}" "200"
}

@test "runtime: read-only root, ro bind mount, tmpfs with tmpcopyup" {
    mkdir -p "$PC_TEST_DIR/data"
    echo payload >"$PC_TEST_DIR/data/file"
    run_ctr 1 --readonly --bind "$PC_TEST_DIR/data:/data:ro" --tmpfs /etc -- \
        sh -c 'cat /data/file; grep -c ^root: /etc/passwd; echo x > /etc/new && echo etc-writable; touch /data/x || touch /y'
    assert_equal "${lines[0]}" "payload"
    assert_equal "${lines[1]}" "1"
    assert_equal "${lines[2]}" "etc-writable"
    assert_contains "$output" "Read-only file system"
}

@test "runtime: an overlay root the caller mounted keeps changes in the upper dir" {
    in_userns mkdir -p "$PC_TEST_DIR/ov/upper" "$PC_TEST_DIR/ov/work" "$PC_TEST_DIR/ov/merged"
    local src="lowerdir=$ROOTFS,upperdir=$PC_TEST_DIR/ov/upper,workdir=$PC_TEST_DIR/ov/work,userxattr"
    python3 "$MKSPEC" --rootfs "$PC_TEST_DIR/ov/merged" \
        -- sh -c 'echo new > /created; rm /bin/cat; mount | grep " / "' >"$PC_TEST_DIR/config.json"
    # The runtime pivots into root.path as its caller mounted it, as runc does.
    run in_userns sh -c "mount -t overlay overlay -o '$src' '$PC_TEST_DIR/ov/merged' && '$RT' '$PC_TEST_DIR/config.json'"
    [ "$status" -eq 0 ]
    assert_contains "$output" "overlay"
    [ -f "$PC_TEST_DIR/ov/upper/created" ]
    [ -f "$ROOTFS/bin/cat" ]          # the lower layer is untouched
}

@test "runtime: rootfsPropagation applies to the container's root (private by default, shared on request)" {
    # The root's line: mount point (field 5) "/".
    run_ctr 0 -- awk '$5 == "/"' /proc/self/mountinfo
    [ -n "$output" ]
    [[ "$output" != *shared:* ]]
    run_ctr 0 --propagation rshared -- awk '$5 == "/"' /proc/self/mountinfo
    assert_contains "$output" "shared:"
}

@test "runtime: a setup error in the container comes back as one clear error" {
    run_ctr 125 --bind /nonexistent/source:/data -- true
    assert_contains "$output" "Error: mount \`/nonexistent/source\` on \`/data\`: stat the source: No such file or directory"
}

@test "runtime: a nested user namespace gets the spec's id mappings" {
    run_ctr 0 --userns -- sh -c 'cat /proc/self/uid_map; id -u'
    [[ "${lines[0]}" =~ ^\ +0\ +0\ +1$ ]]
    [[ "${lines[1]}" =~ ^\ +1\ +1\ +65535$ ]]
    assert_equal "${lines[2]}" "0"
}

@test "runtime: exec joins a running container (pid namespace, hostname, caps, seccomp)" {
    RT_FLAGS=(--exec 'echo pid=$$; hostname; ps -o comm | grep -c sleep; syscall-probe keyctl; exit 7')
    run_ctr 7 --hostname execbox -- sleep 30
    assert_equal "${lines[0]}" "pid=2"
    assert_equal "${lines[1]}" "execbox"
    assert_equal "${lines[2]}" "1"
    assert_equal "${lines[3]}" "keyctl: EPERM"
}

@test "runtime: exec of a missing command exits 127" {
    RT_FLAGS=(--exec-direct nosuchcmd)
    run_ctr 127 -- sleep 30
    assert_contains "$output" "exec: \"nosuchcmd\": executable file not found in \$PATH: OCI runtime attempted to invoke a command that was not found"
}

@test "runtime: a user namespace is joined by path (the other namespaces are created in it)" {
    # A user namespace of its own held by a sleeping process; the container
    # joins it, so it sees that namespace's single mapping.
    run in_userns sh -c "
        unshare -U --map-root-user sleep 30 & holder=\$!
        while [ \"\$(readlink /proc/\$holder/ns/user)\" = \"\$(readlink /proc/self/ns/user)\" ]; do sleep 0.01; done
        python3 '$MKSPEC' --rootfs '$ROOTFS' --no-seccomp --userns-path /proc/\$holder/ns/user \
            -- sh -c 'cat /proc/self/uid_map; readlink /proc/self/ns/user' >'$PC_TEST_DIR/config.json'
        '$RT' '$PC_TEST_DIR/config.json'; rc=\$?
        echo \"holder \$(readlink /proc/\$holder/ns/user)\"
        kill \$holder; exit \$rc"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ ^\ +0\ +0\ +1$ ]]
    assert_equal "${lines[1]}" "${lines[2]#holder }"
}
