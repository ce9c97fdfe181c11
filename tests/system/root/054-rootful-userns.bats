#!/usr/bin/env bats
# User namespace modes as root (docs/userns.md): --uidmap creates one over
# the image shown through fuse-overlayfs' id shift; keep-id and nomap are
# rootless only, as in podman.

load ../helpers

setup() {
    root_store_setup || return 1
    command -v fuse-overlayfs >/dev/null || skip "fuse-overlayfs is not installed"
}

teardown() { root_store_teardown; }

@test "rootful --uidmap: the container's map, root files still root's, its writes land as a default container's" {
    local hostdir=$PC_TEST_DIR/host
    mkdir -p "$hostdir"
    # Host root is not mapped: the container's root owns the directory.
    chown 200000:200000 "$hostdir"
    run "${PCR[@]}" run --rm --uidmap 0:200000:65536 -v "$hostdir:/data" localhost/busybox \
        sh -c 'cat /proc/self/uid_map /proc/self/gid_map | tr -s " "; stat -c %u /bin; touch /data/f'
    [ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
    assert_equal "$output" " 0 200000 65536
 0 200000 65536
0"
    # On the host, the file belongs to the mapped root.
    assert_equal "$(stat -c %u "$hostdir/f")" "200000"
    run "${PCR[@]}" inspect --format '{{.HostConfig.UsernsMode}}' "$("${PCR[@]}" create --uidmap 0:200000:10 localhost/busybox true)"
    assert_equal "$output" "private"
}

@test "rootful keep-id and nomap: podman's refusals" {
    run "${PCR[@]}" run --rm --userns=keep-id localhost/busybox true
    [ "$status" -eq 125 ]
    assert_contains "$output" "keep-id is only supported in rootless mode"
    run "${PCR[@]}" run --rm --userns=nomap localhost/busybox true
    [ "$status" -eq 125 ]
    assert_contains "$output" "nomap is only supported in rootless mode"
}

@test "rootful -v SRC:DST:idmap: an idmapped bind (host 0 is the container's 0, its writes land as host 0); podman's error without a user namespace" {
    local hostdir=$PC_TEST_DIR/idmapped
    mkdir -p "$hostdir"
    echo host >"$hostdir/rootfile"
    chown 0:0 "$hostdir" "$hostdir/rootfile"
    # Without idmap the host's root files show as the overflow id and the
    # container's root cannot write there.
    run "${PCR[@]}" run --rm --uidmap 0:200000:65536 -v "$hostdir:/data" localhost/busybox \
        sh -c 'stat -c %u:%g /data/rootfile; touch /data/plain'
    [ "$status" -eq 1 ]
    assert_contains "$output" "65534:65534"
    assert_contains "$output" "Permission denied"
    run "${PCR[@]}" run --rm --uidmap 0:200000:65536 -v "$hostdir:/data:idmap" localhost/busybox \
        sh -c 'stat -c %u:%g /data/rootfile; echo from-ctr >/data/written; stat -c %u:%g /data/written'
    [ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
    assert_equal "$output" "0:0
0:0"
    assert_equal "$(stat -c %u:%g "$hostdir/written")" "0:0"
    assert_equal "$(cat "$hostdir/written")" "from-ctr"
    # --mount's idmap key, with ro.
    run "${PCR[@]}" run --rm --uidmap 0:200000:65536 \
        --mount "type=bind,src=$hostdir,dst=/data,idmap,ro" localhost/busybox \
        sh -c 'stat -c %u /data/rootfile; touch /data/x'
    [ "$status" -eq 1 ]
    assert_contains "$output" "Read-only file system"
    # podman's custom map: file system ids FROM-TO-SIZE (ranges joined with #).
    run "${PCR[@]}" run --rm -v "$hostdir:/data:idmap=uids=0-1000-10;gids=0-2000-10" localhost/busybox \
        stat -c %u:%g /data/rootfile
    [ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
    assert_equal "$output" "1000:2000"
    # inspect as podman's.
    local id
    id=$("${PCR[@]}" create -v "$hostdir:/data:idmap" localhost/busybox true)
    run "${PCR[@]}" inspect --format '{{json .HostConfig.Binds}} {{json .Mounts}}' "$id"
    assert_contains "$output" "[\"$hostdir:/data:idmap,rw,rprivate,rbind\"]"
    assert_contains "$output" '"Options":["idmap","rbind"]'
    # Without a user namespace of its own: podman 4.3 (crun) fails at start
    # with "mount_setattr `SRC`: Operation not permitted", 126 from run and
    # 125 from start.
    run "${PCR[@]}" start "$id"
    [ "$status" -eq 125 ]
    assert_contains "$output" "mount_setattr \`$hostdir\`"
    assert_contains "$output" "Operation not permitted"
    run "${PCR[@]}" run --rm -v "$hostdir:/data:idmap" localhost/busybox true
    [ "$status" -eq 126 ]
    assert_contains "$output" "has none of its own"
    run "${PCR[@]}" run --rm -v "$hostdir:/data:idmap=uids=x" localhost/busybox true
    [ "$status" -eq 125 ]
    assert_contains "$output" 'invalid uids range "x"'
}

@test "rootful -v VOLUME:DST:idmap: the volume's _data is idmapped like a host directory (was ignored)" {
    run "${PCR[@]}" volume create iv
    [ "$status" -eq 0 ]
    # Without idmap the container's root (host 200000) cannot write to _data (host root's).
    run "${PCR[@]}" run --rm --uidmap 0:200000:65536 -v iv:/v localhost/busybox touch /v/plain
    [ "$status" -eq 1 ]
    assert_contains "$output" "Permission denied"
    run "${PCR[@]}" run --rm --uidmap 0:200000:65536 -v iv:/v:idmap localhost/busybox \
        sh -c 'stat -c %u:%g /v; touch /v/f; stat -c %u:%g /v/f'
    [ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
    assert_equal "$output" "0:0
0:0"
    run "${PCR[@]}" volume inspect --format '{{.Mountpoint}}' iv
    assert_equal "$(stat -c %u:%g "$output/f")" "0:0"
    # --mount type=volume takes the key too; without a user namespace, the runtime's refusal.
    run "${PCR[@]}" run --rm --mount type=volume,src=iv,dst=/v,idmap localhost/busybox true
    [ "$status" -eq 126 ]
    assert_contains "$output" "has none of its own"
}
