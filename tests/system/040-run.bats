#!/usr/bin/env bats
# pc run / pc create and their flags, as the unprivileged user.

load helpers
load helpers-containers

setup() {
    pc_setup
    pc_busybox
}

@test "run prints the container's output and exits with its code" {
    run_pc run --rm busybox echo hello
    assert_equal "$output" "hello"
    run_pc 3 run --rm busybox sh -c 'exit 3'
    run_pc 0 run --rm busybox true
}

@test "run on a missing image says so and exits 125" {
    # Missing locally, the name is pulled (--pull=missing): with no
    # registry to ask, podman's short-name error; --pull=never: not known.
    run_pc 125 run --rm nosuchimage true
    assert_contains "$output" '"nosuchimage"'
    run_pc 125 run --rm --pull=never nosuchimage true
    assert_equal "$output" "Error: nosuchimage: image not known"
}

@test "run of a missing executable exits 127, of a non-executable file 126" {
    run_pc 127 run --rm busybox /nonexistent  # bats: -127 is expected
    assert_contains "$output" "not found"
    run_pc 126 run --rm busybox /etc/passwd
}

@test "run -d prints the full id and the container runs" {
    run_pc run -d --name bg busybox sleep 100
    [[ "$output" =~ ^[0-9a-f]{64}$ ]]
    local id=$output
    run_pc ps --format '{{.ID}} {{.Names}} {{.State}}'
    assert_equal "$output" "${id:0:12} bg running"
}

@test "--rm removes the container after it exits" {
    run_pc run --rm --name gone busybox true
    run_pc 1 container exists gone
    run_pc ps -a -q
    assert_equal "$output" ""
}

@test "create makes a Created container; start runs it; generated names are adjective_name" {
    run_pc create busybox echo created-output
    local id=$output
    run_pc inspect --format '{{.State.Status}} {{.Name}}' "$id"
    [[ "$output" =~ ^created\ [a-z]+_[a-z]+$ ]]
    run_pc start -a "$id"
    assert_equal "$output" "created-output"
    run_pc inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$id"
    assert_equal "$output" "exited 0"
}

@test "environment: -e, --env-file, image env, podman's defaults" {
    printf 'FROMFILE=yes\n# comment\n\nHOSTVAR\n' > "$PC_TEST_DIR/envfile"
    HOSTVAR=fromhost run_pc run --rm -e A=1 -e HOSTVAR2 --env-file "$PC_TEST_DIR/envfile" --hostname hx busybox env
    assert_contains "$output" "A=1"
    assert_contains "$output" "FROMFILE=yes"
    assert_contains "$output" "HOSTVAR=fromhost"
    assert_contains "$output" "container=pc"
    assert_contains "$output" "HOSTNAME=hx"
    assert_contains "$output" "HOME=/root"
    assert_contains "$output" "PATH=/"
    assert_not_contains "$output" "HOSTVAR2"
}

@test "--entrypoint, -w, -h and the generated /etc files" {
    run_pc run --rm --entrypoint /bin/echo busybox a b
    assert_equal "$output" "a b"
    run_pc run --rm -w /etc busybox pwd
    assert_equal "$output" "/etc"
    run_pc run --rm -h myhost busybox sh -c 'hostname; cat /etc/hostname; grep myhost /etc/hosts; grep -c localhost /etc/hosts'
    assert_equal "${lines[0]}" "myhost"
    assert_equal "${lines[1]}" "myhost"
    assert_contains "${lines[2]}" "myhost"
    run_pc run --rm busybox cat /etc/resolv.conf
}

@test "supplementary groups include the primary gid, as podman" {
    run_pc run --rm -u 1000:1000 busybox id
    assert_equal "$output" "uid=1000(tester) gid=1000(tester) groups=1000(tester)"
    run_pc run --rm -u 0 busybox id
    assert_equal "$output" "uid=0(root) gid=0(root) groups=0(root)"
    # No user named: root has no supplementary group (podman 4.3: "id"
    # prints no groups=, /proc/self/status an empty Groups:).
    run_pc run --rm busybox sh -c 'id; sed -n "s/^Groups:[[:space:]]*//p" /proc/self/status'
    assert_equal "$output" "uid=0(root) gid=0(root)"
    run_pc run --rm --group-add 2000 busybox id
    assert_equal "$output" "uid=0(root) gid=0(root) groups=2000(extra)"
    # An explicit group: no memberships from /etc/group.
    run_pc run --rm -u tester:extra busybox id
    assert_equal "$output" "uid=1000(tester) gid=2000(extra) groups=2000(extra)"
    run_pc run --rm -u 4242 busybox id
    assert_equal "$output" "uid=4242(4242) gid=0(root) groups=0(root)"   # podman 4.3: its passwd line names the uid
}

@test "-u resolves names and ids from the image's passwd and group" {
    run_pc run --rm -u tester busybox id
    assert_equal "$output" "uid=1000(tester) gid=1000(tester) groups=1000(tester),2000(extra)"
    run_pc run --rm -u 1000:0 busybox id -u
    assert_equal "$output" "1000"
    run_pc run --rm -u 4242 busybox id -u
    assert_equal "$output" "4242"
    # podman exits 126 for a user the image does not know.
    run_pc 126 run --rm -u nosuchuser busybox true
    assert_equal "$output" "Error: unable to find user nosuchuser: no matching entries in passwd file"
    run_pc run --rm -u tester busybox sh -c 'echo $HOME'
    assert_equal "$output" "/home/tester"
}

@test "-l labels show in inspect and ps" {
    run_pc run -d --name lab -l team=a -l solo busybox sleep 100
    run_pc inspect --format '{{.Config.Labels.team}}' lab
    assert_equal "$output" "a"
    run_pc ps --filter label=team=a --format '{{.Names}}'
    assert_equal "$output" "lab"
}

@test "--read-only keeps / read-only with tmpfs on /tmp; --tmpfs mounts a tmpfs" {
    run_pc 1 run --rm --read-only busybox touch /newfile
    assert_contains "$output" "Read-only file system"
    run_pc run --rm --read-only busybox touch /tmp/ok
    run_pc 1 run --rm --read-only --read-only-tmpfs=false busybox touch /tmp/ok
    run_pc run --rm --tmpfs /scratch busybox sh -c 'grep " /scratch " /proc/mounts'
    assert_contains "$output" "tmpfs /scratch tmpfs"
}

@test "--tmpfs mounts rw,nosuid,nodev (exec allowed) as podman" {
    run_pc run --rm --tmpfs /mnt/t busybox grep /mnt/t /proc/mounts
    [[ "$output" =~ ^tmpfs\ /mnt/t\ tmpfs\ rw,nosuid,nodev ]]
    [[ "$output" != *noexec* ]]
    run_pc run --rm --tmpfs /mnt/t:size=1m,mode=700 busybox grep /mnt/t /proc/mounts
    [[ "$output" =~ ^tmpfs\ /mnt/t\ tmpfs\ rw,nosuid,nodev ]]
    assert_contains "$output" "size=1024k"
    assert_contains "$output" "mode=700"
    run_pc run --rm --tmpfs /mnt/t:suid,dev,noexec busybox grep /mnt/t /proc/mounts
    [[ "$output" =~ ^tmpfs\ /mnt/t\ tmpfs\ rw,noexec ]]
    [[ "$output" != *nosuid* && "$output" != *nodev* ]]
}

@test "--cap-drop, --cap-add and --privileged change the capability set" {
    run_pc run --rm busybox grep CapEff /proc/self/status
    local def=${output##*:}
    run_pc run --rm --cap-drop all busybox grep CapEff /proc/self/status
    assert_contains "$output" "0000000000000000"
    run_pc run --rm --cap-drop all --cap-add net_admin busybox grep CapEff /proc/self/status
    assert_contains "$output" "0000000000001000"
    run_pc run --rm --privileged busybox grep CapEff /proc/self/status
    [ "${output##*:}" != "$def" ]
    run_pc 125 run --rm --cap-add bogus busybox true
    assert_contains "$output" "unknown capability"
}

@test "--security-opt no-new-privileges and seccomp" {
    run_pc run --rm busybox grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status
    assert_contains "$output" "Seccomp:	2"
    assert_contains "$output" "NoNewPrivs:	0"
    run_pc run --rm --security-opt no-new-privileges busybox grep NoNewPrivs /proc/self/status
    assert_contains "$output" "NoNewPrivs:	1"
    run_pc run --rm --security-opt seccomp=unconfined busybox grep Seccomp: /proc/self/status
    assert_contains "$output" "Seccomp:	0"
    run_pc 125 run --rm --security-opt bogus busybox true
    assert_contains "$output" 'invalid --security-opt 1: "bogus"'
    run_pc 125 run --rm --security-opt seccomp=/nonexistent/profile.json busybox true
    assert_contains "$output" "opening seccomp profile failed"
    run_pc ps -a -q
    assert_equal "$output" ""
}

@test "--ulimit sets rlimits" {
    run_pc run --rm --ulimit nofile=100:200 busybox sh -c 'ulimit -n; ulimit -Hn'
    assert_equal "${lines[0]}" "100"
    assert_equal "${lines[1]}" "200"
    run_pc 125 run --rm --ulimit bogus=1 busybox true
    assert_contains "$output" "invalid ulimit type: bogus"
}

@test "--stop-signal and --stop-timeout are recorded" {
    run_pc create --name st --stop-signal USR1 --stop-timeout 3 busybox true
    run_pc inspect --format '{{.Config.StopSignal}} {{.Config.StopTimeout}}' st
    assert_equal "$output" "10 3"
}

@test "--stop-timeout and -t refuse what they cannot hold instead of truncating it" {
    # 4294967297 once became 1: a 60-year timeout must not turn into a kill.
    run_pc 125 create --name big --stop-timeout 4294967297 busybox true
    assert_equal "${lines[0]}" 'Error: invalid argument "4294967297" for "--stop-timeout" flag: strconv.ParseUint: parsing "4294967297": value out of range'
    run_pc 1 container exists big
    run_pc 125 create --stop-timeout -1 busybox true
    assert_contains "$output" 'strconv.ParseUint: parsing "-1": invalid syntax'
    run_pc create --name max --stop-timeout 2147483647 busybox true
    run_pc inspect --format '{{.Config.StopTimeout}}' max
    assert_equal "$output" "2147483647"
    run_pc create --name s busybox true
    run_pc 125 stop -t 4294967296 s
    assert_contains "$output" 'value out of range'
    run_pc 125 rm -t 18446744073709551617 s
    assert_contains "$output" 'value out of range'
}

@test "--cidfile writes the id and refuses an existing file" {
    run_pc run --rm --cidfile "$PC_TEST_DIR/cid" busybox true
    [[ "$(cat "$PC_TEST_DIR/cid")" =~ ^[0-9a-f]{64}$ ]]
    run_pc 125 run --rm --cidfile "$PC_TEST_DIR/cid" busybox true
    assert_contains "$output" "container id file exists"
}

@test "--name in use fails; --replace replaces" {
    run_pc run -d --name dup busybox sleep 100
    local first=$output
    run_pc 125 run --name dup busybox true
    assert_contains "$output" "the container name \"dup\" is already in use by $first"
    run_pc run -d --replace --name dup busybox sleep 100
    [ "$output" != "$first" ]
    run_pc inspect --format '{{.Id}}' dup
    assert_equal "$output" "${lines[0]}"
    run_pc ps -a -q --no-trunc
    assert_not_contains "$output" "$first"
}

@test "--log-driver none has no logs; passthrough hands over stdio" {
    run_pc run --name nolog --log-driver none busybox echo hi
    run_pc 125 logs nolog
    assert_contains "$output" "this container is using the 'none' log driver"
    run_pc run --rm --log-driver passthrough busybox echo through
    assert_equal "$output" "through"
    run_pc 125 run --log-driver journald busybox true
    assert_contains "$output" "not supported"
}

@test "--network none leaves only loopback" {
    run_pc run --rm --network none busybox cat /proc/net/dev
    assert_contains "$output" "lo:"
    assert_not_contains "$output" "eth0"
    run_pc inspect --format '{{.HostConfig.NetworkMode}}' "$(pc_ret=$("$PC" create --network none busybox true); echo $pc_ret)"
    assert_equal "$output" "none"
}

@test "-w names a directory that must exist (126, as podman); the image's WorkingDir is created" {
    run_pc 126 run --rm -w /nonexist/dir busybox pwd
    assert_contains "$output" 'Error: workdir "/nonexist/dir" does not exist on container '
    run_pc ps -a -q
    assert_equal "$output" ""
    # A file there: podman's other message.
    run_pc 126 run --rm -w /etc/passwd busybox pwd
    assert_contains "$output" 'Error: workdir "/etc/passwd" exists on container '
    assert_contains "$output" ', but is not a directory'
    # An exec that fails on a path through a file keeps the exec's message.
    run_pc 126 run --rm busybox /etc/passwd/x
    assert_equal "$output" 'Error: unable to start container process: exec: "/etc/passwd/x": not a directory'
    run_pc ps -a -q
    assert_equal "$output" ""
    run_pc run --rm -w /tmp busybox pwd
    assert_equal "$output" "/tmp"
    # An image whose WorkingDir is missing from its root: made, as podman does.
    run_pc import --change 'WORKDIR=/made/here' "$PC_FIXTURES/busybox.rootfs.tar" wdtest
    run_pc run --rm wdtest pwd
    assert_equal "$output" "/made/here"
}

@test "/dev/shm is podman's 64000k tmpfs, nosuid,nodev,noexec" {
    run_pc run --rm busybox grep ' /dev/shm ' /proc/mounts
    assert_contains "$output" "size=64000k"
    assert_contains "$output" "nosuid,nodev,noexec"
}

@test "run --rm returns with the container gone: its name, record and anonymous volume free at once" {
    for i in $(seq 1 10); do
        run_pc 3 run --rm --name again -v /data busybox sh -c 'echo $$ > /data/x; exit 3'
        run_pc ps -a --format '{{.Names}}'
        assert_equal "$output" ""
        run_pc volume ls -q
        assert_equal "$output" ""
    done
    run_pc events --since 0 --stream=false --format '{{.Status}}' --filter event=remove --filter type=container
    assert_equal "${#lines[@]}" "10"
}

@test "/dev is a tmpfs mounted nosuid,noexec, as podman's; programs still run from the root" {
    run_pc run --rm busybox awk '$5 == "/dev" { print $6 }' /proc/self/mountinfo
    assert_equal "$output" "rw,nosuid,noexec"
    run_pc 126 run --rm busybox sh -c 'cp /bin/busybox /dev/bb && exec /dev/bb true'
    assert_contains "$output" "Permission denied"
}

@test "an --rm container's overlay root is volatile (no sync of the store's filesystem at its end); others' are not" {
    run_pc run --rm busybox awk '$5 == "/"' /proc/self/mountinfo
    [[ "$output" == *" - overlay "* ]] || skip "the store is not on native overlay: $output"
    assert_contains "$output" "volatile"
    run_pc run --name kept busybox awk '$5 == "/"' /proc/self/mountinfo
    assert_not_contains "$output" "volatile"
    # Started again, a container keeps what it wrote: its root is not volatile.
    run_pc start -a kept
    assert_not_contains "$output" "volatile"
}

@test "an --rm container whose monitor was killed starts again (the volatile root's marker is cleared)" {
    run_pc run --rm -d --name k busybox sh -c 'test -f /again || { touch /again; sleep 100; }; echo again'
    local mon
    mon=$(monitor_pid k)
    [ -n "$mon" ] && [ "$mon" -gt 0 ]
    kill -9 "$mon"
    wait_for_state k exited
    run_pc start -a k
    assert_equal "$output" "again"
    run_pc 1 container exists k
}
