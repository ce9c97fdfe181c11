#!/usr/bin/env bats
# --userns=keep-id|nomap|auto|host, --uidmap/--gidmap, --subuidname,
# --group-add as the unprivileged user (docs/userns.md): the container's own
# user namespace nested in pc's, the image seen through fuse-overlayfs' id
# shift (its root files stay root's), files in bind mounts owned as podman
# owns them.

load helpers
load helpers-containers

setup() {
    pc_setup
    skip_if_root "rootless behaviour"
    command -v fuse-overlayfs >/dev/null || skip "fuse-overlayfs is not installed"
    pc_busybox
    HOSTDIR=$PC_TEST_DIR/host
    mkdir -p "$HOSTDIR"
}

teardown() { pc_teardown; }

@test "keep-id: the user's ids inside, a passwd entry, root files stay root's, bind-mount files belong to the user" {
    run_pc run --rm --userns=keep-id -v "$HOSTDIR:/data" busybox \
        sh -c 'id -u; id -g; id -un; echo "HOME=$HOME"; stat -c %u:%g /bin /etc/passwd; echo hi > /data/out; touch /tmp/inside'
    local lines=()
    mapfile -t lines <<<"$output"
    assert_equal "${lines[0]}" "$(id -u)"
    assert_equal "${lines[1]}" "$(id -g)"
    assert_equal "${lines[2]}" "$(id -un)"
    assert_equal "${lines[3]}" "HOME=/"
    assert_equal "${lines[4]}" "0:0"
    # The file the container wrote belongs to the user on the host.
    assert_equal "$(stat -c %u:%g "$HOSTDIR/out")" "$(id -u):$(id -g)"
    assert_equal "$(cat "$HOSTDIR/out")" "hi"
    run_pc run --rm --userns=keep-id busybox sh -c 'grep "^$(id -un):" /etc/passwd; grep ":$(id -g):" /etc/group'
    assert_contains "$output" "$(id -un):*:$(id -u):$(id -g)::/:/bin/sh"
    # -u still wins over keep-id's default user.
    run_pc run --rm --userns=keep-id -u 0 busybox id -u
    assert_equal "$output" "0"
}

@test "keep-id:uid=N,gid=N chooses the container ids; the map is podman's" {
    run_pc run --rm --userns=keep-id:uid=200,gid=300 -v "$HOSTDIR:/data" busybox \
        sh -c 'id -u; id -g; touch /data/f; head -2 /proc/self/uid_map | tr -s " "; tail -1 /etc/passwd'
    local lines=()
    mapfile -t lines <<<"$output"
    assert_equal "${lines[0]}" "200"
    assert_equal "${lines[1]}" "300"
    assert_equal "${lines[2]}" " 0 1 200"
    assert_equal "${lines[3]}" " 200 0 1"
    assert_equal "${lines[4]}" "200:*:200:300:container user:/:/bin/sh"
    assert_equal "$(stat -c %u:%g "$HOSTDIR/f")" "$(id -u):$(id -g)"
    run_pc 125 run --rm --userns=keep-id:size=3 busybox true
    assert_contains "$output" 'unknown option "size=3" for --userns=keep-id'
}

@test "keep-id: exec, cp and stop of a running container; what it writes in its root is committed as a default container's" {
    run_pc run -d --name kid --userns=keep-id busybox sh -c 'echo x > /tmp/made; trap "exit 3" TERM; while :; do sleep 0.1; done'
    wait_for_state kid running
    wait_for "$PC" exec kid test -f /tmp/made
    run_pc exec kid sh -c 'id -u; stat -c %u /tmp/made /bin'
    assert_equal "$output" "$(id -u)
$(id -u)
0"
    run_pc exec -u 0 kid id -u
    assert_equal "$output" "0"
    run_pc cp kid:/tmp/made "$HOSTDIR/made"
    assert_equal "$(cat "$HOSTDIR/made")" "x"
    run_pc stop -t 5 kid
    run_pc inspect --format '{{.State.ExitCode}} {{.HostConfig.UsernsMode}}' kid
    assert_equal "$output" "3 keep-id"
    run_pc commit kid kidimg
    # In a default container the file shows the same container uid.
    run_pc run --rm kidimg stat -c %u /tmp/made
    assert_equal "$output" "$(id -u)"
}

@test "inspect: HostConfig.UsernsMode and IDMappings" {
    run_pc create --name k --userns=keep-id busybox true
    run_pc inspect --format '{{.HostConfig.UsernsMode}} {{json .HostConfig.IDMappings.UidMap}} {{.Config.User}}' k
    local u
    u=$(id -u)
    assert_equal "$output" "keep-id [\"0:1:$u\",\"$u:0:1\",\"$((u + 1)):$((u + 1)):$((65536 - u))\"] $u:$(id -g)"
    run_pc create --name d busybox true
    run_pc inspect --format '[{{.HostConfig.UsernsMode}}] {{json .HostConfig.IDMappings}}' d
    assert_equal "$output" "[] null"
}

@test "nomap: the user is not mapped, the image's root files still show as root" {
    run_pc run --rm --userns=nomap -v "$HOSTDIR:/data" busybox \
        sh -c 'id -u; cat /proc/self/uid_map | tr -s " "; stat -c %u /bin; stat -c %u /data'
    local lines=()
    mapfile -t lines <<<"$output"
    assert_equal "${lines[0]}" "0"
    assert_equal "${lines[1]}" " 0 1 65536"
    assert_equal "${lines[2]}" "0"
    # The user's own directory belongs to nobody in there.
    assert_equal "${lines[3]}" "65534"
}

@test "auto: each container gets ranges of its own; size=N; too large is podman's error" {
    run_pc run -d --name a1 --userns=auto busybox sleep 60
    run_pc run --rm --userns=auto busybox cat /proc/self/uid_map
    local c h s
    read -r c h s <<<"$output"
    assert_equal "$c" "0"
    [ "$s" -ge 1024 ]
    run_pc inspect --format '{{index .HostConfig.IDMappings.UidMap 0}}' a1
    local first=$output
    # Disjoint from a1's range.
    IFS=: read -r _ h1 s1 <<<"$first"
    [ "$h" -ge $((h1 + s1)) ] || [ $((h + s)) -le "$h1" ]
    run_pc run --rm --userns=auto:size=500 busybox sh -c 'cat /proc/self/uid_map; stat -c %u /bin'
    read -r c h s <<<"$(head -1 <<<"$output")"
    assert_equal "$s" "500"
    assert_equal "$(tail -1 <<<"$output")" "0"
    run_pc 125 run --rm --userns=auto:size=70000 busybox true
    assert_contains "$output" "could not find enough available IDs"
}

@test "--uidmap/--gidmap: the map is in /proc/self/uid_map; --uidmap alone maps gids too; podman's errors" {
    run_pc run --rm --uidmap 0:1:100 busybox sh -c 'cat /proc/self/uid_map /proc/self/gid_map | tr -s " "; stat -c %u /bin'
    assert_equal "$output" " 0 1 100
 0 1 100
0"
    run_pc run --rm --uidmap 0:1:100 --uidmap 100:2000:10 --gidmap 0:200:10 busybox \
        sh -c 'cat /proc/self/uid_map /proc/self/gid_map | tr -s " "'
    assert_equal "$output" " 0 1 100
 100 2000 10
 0 200 10"
    run_pc 125 run --rm --userns=keep-id --uidmap 0:1:10 busybox true
    assert_contains "$output" "--userns and --uidmap/--gidmap/--subuidname/--subgidname are mutually exclusive"
    run_pc 125 run --rm --uidmap 0:1:70000 busybox true
    assert_contains "$output" "has only 65537 ids"
    run_pc 125 run --rm --uidmap 0:1 busybox true
    assert_contains "$output" 'invalid mapping "0:1"'
    run_pc 125 run --rm --userns=bogus busybox true
    assert_contains "$output" "unrecognized namespace mode bogus passed"
}

@test "--subuidname: the user's own range, mapped through pc's namespace" {
    local start count
    IFS=: read -r _ start count < <(grep "^$(id -un):" /etc/subuid | head -1)
    [ -n "$start" ] || skip "no /etc/subuid range for $(id -un)"
    run_pc run --rm --subuidname "$(id -un)" busybox sh -c 'head -1 /proc/self/uid_map | tr -s " "'
    assert_equal "$output" " 0 1 $count"
}

@test "--userns=host is pc's own namespace (as podman rootless)" {
    run_pc run --rm --userns=host busybox sh -c 'head -1 /proc/self/uid_map | tr -s " "'
    assert_equal "$output" " 0 $(id -u) 1"
}

@test "--group-add: gids and names of the image's groups; keep-groups keeps the process's groups" {
    run_pc run --rm --group-add 10 --group-add 77 busybox id -G
    assert_equal "$output" "0 10 77"
    run_pc 126 run --rm --group-add nosuchgroup busybox true
    assert_contains "$output" "Unable to find group nosuchgroup"
    run_pc 125 run --rm --group-add keep-groups --group-add 10 busybox true
    assert_contains "$output" "the '--group-add keep-groups' option is not allowed with any other --group-add options"
    # Without keep-groups, -u 1000:1000 drops pc's groups; with it, they stay.
    run_pc run --rm -u 1000:1000 busybox id -G
    assert_equal "$output" "1000"
    run_pc run --rm --group-add keep-groups -u 1000:1000 busybox id -G
    assert_equal "$output" "1000 0"
    run_pc create --name g --group-add keep-groups busybox true
    run_pc inspect --format '{{json .HostConfig.GroupAdd}}' g
    assert_equal "$output" '["keep-groups"]'
}

@test "-v SRC:DST:idmap as the user: refused, naming the kernel's rule and the alternatives" {
    run_pc 125 run --rm -v "$HOSTDIR:/data:idmap" busybox true
    assert_contains "$output" 'volume option "idmap": an unprivileged user cannot make an idmapped mount'
    assert_contains "$output" "CAP_SYS_ADMIN"
    assert_contains "$output" "--userns=keep-id"
}

@test "keep-id: a fuse-overlayfs that fails or never answers: its stderr is pc's error, the container can be removed" {
    # The monitor mounts the FUSE filesystem itself and hands /dev/fuse to
    # fuse-overlayfs; one that dies before it answers must not leave the
    # start waiting on the mount.
    local fake=$PC_TEST_DIR/fakebin
    mkdir -p "$fake"
    printf '#!/bin/sh\necho "fake fuse-overlayfs: cannot read lower dirs ($*)" >&2\nexit 3\n' >"$fake/fuse-overlayfs"
    chmod +x "$fake/fuse-overlayfs"
    PATH=$fake:$PATH run_pc 125 run --name broken --userns=keep-id busybox true
    assert_contains "$output" "fuse-overlayfs failed to mount"
    assert_contains "$output" "(exit 3): fake fuse-overlayfs: cannot read lower dirs"
    assert_contains "$output" "/dev/fd/"
    run_pc rm -f broken
    # One that exits 0 without serving the mount.
    printf '#!/bin/sh\nexit 0\n' >"$fake/fuse-overlayfs"
    PATH=$fake:$PATH run_pc 125 run --rm --userns=keep-id busybox true
    assert_contains "$output" "fuse-overlayfs failed to mount"
    assert_contains "$output" "(exit 0)"
    run_pc ps -a --format '{{.Names}}'
    assert_equal "$output" ""
}
