#!/usr/bin/env bats
# --mount type=image (another image's root filesystem at a path, read-only or
# with throwaway writes) and --mount type=devpts (a new devpts instance), as
# podman 4.3 has them, for a rootless container (docs/mounts.md).

load helpers
load helpers-containers

setup() {
    pc_setup
    skip_if_root "rootless behaviour"
    pc_busybox
    pc_load_fixture layered
}

teardown() { pc_teardown; }

# The layered fixture: three layers, with whiteouts (data/gone.txt,
# data/gone-dir) and an opaque dir (data/keep) in the last one.
@test "--mount type=image: the image's files, layers merged, read-only" {
    run_pc 1 run --rm --mount type=image,source=layered,destination=/img busybox \
        sh -c 'ls /img/data; ls /img/data/keep; cat /img/etc/motd; echo x > /img/new'
    assert_contains "$output" "added.txt"
    assert_contains "$output" "link-to-added"
    assert_not_contains "$output" "gone"
    assert_not_contains "$output" "old.txt"
    assert_contains "$output" "new.txt"
    assert_contains "$output" "motd v2"
    assert_contains "$output" "Read-only file system"
    # rw=false and src/dst/target spellings; the container's own root is the busybox one.
    run_pc run --rm --mount type=image,src=localhost/layered:latest,target=/img,rw=false busybox \
        sh -c 'cat /img/data/added.txt; grep " /img " /proc/self/mountinfo; test -e /data || echo no-data'
    assert_contains "$output" "added"
    assert_contains "$output" " /img ro,"
    assert_contains "$output" "no-data"
    # Nothing is left mounted in the caller's namespace.
    run grep -c image-mounts /proc/self/mountinfo
    assert_equal "$output" "0"
}

@test "--mount type=image,rw=true: writes work and are discarded" {
    run_pc run --name w1 --mount type=image,source=layered,destination=/img,rw=true busybox \
        sh -c 'test ! -e /img/new || echo leftover; echo written > /img/new; cat /img/new; rm /img/etc/motd; test ! -e /img/etc/motd && echo removed'
    assert_contains "$output" "written"
    assert_contains "$output" "removed"
    assert_not_contains "$output" "leftover"
    # A second container sees the image as it is.
    run_pc run --rm --mount type=image,source=layered,destination=/img,readwrite=true busybox \
        sh -c 'cat /img/etc/motd; test -e /img/new && echo has-new || echo no-new'
    assert_contains "$output" "motd v2"
    assert_contains "$output" "no-new"
    # So does the same container at its next start.
    run_pc start -a w1
    assert_contains "$output" "written"
    assert_not_contains "$output" "leftover"
    # The store's layers were never written.
    run_pc run --rm --mount type=image,source=layered,destination=/img busybox cat /img/etc/motd
    assert_equal "$output" "motd v2"
}

@test "--mount type=image,rw=true: the writes are on disk in the container's directory of the store, not in memory" {
    run_pc run -d --name iw --mount type=image,source=layered,destination=/img,rw=true busybox sleep 1000
    id=$("$PC" inspect --format '{{.Id}}' iw)
    cdir="$("$PC" info --format '{{.Store.GraphRoot}}')/containers/$id"
    [ -n "$cdir" ] && [ -d "$cdir" ]
    run_pc exec iw sh -c 'dd if=/dev/zero of=/img/big bs=1M count=50 2>&1 && stat -f -c %b:%S /img'
    assert_equal "${lines[-1]}" "$(stat -f -c %b:%S "$cdir")"
    kb=$(du -sk "$cdir" | cut -f1)
    [ "$kb" -ge 51200 ] || { echo "# du $cdir: $kb KiB" >&2; false; }
    run_pc stop -t 0 iw
    # Removed when the container stops, as podman does.
    kb=$(du -sk "$cdir" | cut -f1)
    [ "$kb" -lt 51200 ] || { echo "# du $cdir after stop: $kb KiB" >&2; false; }
    run_pc start iw
    run_pc 1 exec iw test -e /img/big
    kb=$(du -sk "$cdir" | cut -f1)
    [ "$kb" -lt 51200 ] || { echo "# du $cdir after a restart: $kb KiB" >&2; false; }
    run_pc rm -f iw
    [ ! -e "$cdir" ]
}

@test "--mount type=image with the fuse-overlayfs and vfs drivers" {
    for drv in fuse-overlayfs vfs; do
        if [ $drv = fuse-overlayfs ] && ! command -v fuse-overlayfs >/dev/null; then
            continue
        fi
        run_pc 1 --storage-driver $drv run --rm --mount type=image,source=layered,destination=/img busybox \
            sh -c 'ls /img/data/keep; cat /img/etc/motd; echo x > /img/new'
        assert_contains "$output" "new.txt"
        assert_not_contains "$output" "old.txt"
        assert_contains "$output" "motd v2"
        assert_contains "$output" "Read-only file system"
        run_pc --storage-driver $drv run --rm --mount type=image,source=layered,destination=/img,rw=true busybox \
            sh -c 'echo x > /img/etc/motd; cat /img/etc/motd'
        assert_equal "$output" "x"
    done
    run_pc run --rm --mount type=image,source=layered,destination=/img busybox cat /img/etc/motd
    assert_equal "$output" "motd v2"
}

@test "--mount type=image,subpath=: only that part of the image, found inside it" {
    run_pc run --rm --mount type=image,source=layered,destination=/d,subpath=data busybox ls /d
    assert_contains "$output" "added.txt"
    assert_not_contains "$output" "motd"
    # A file, through a symlink of the image; .. stays inside the image.
    run_pc run --rm --mount type=image,source=layered,destination=/m,subpath=data/link-to-added busybox cat /m
    assert_equal "$output" "added"
    run_pc run --rm --mount type=image,source=layered,destination=/e,subpath=../../../etc busybox cat /e/motd
    assert_equal "$output" "motd v2"
    run_pc 125 run --rm --mount type=image,source=layered,destination=/d,subpath=nosuch busybox true
    assert_contains "$output" 'subpath "nosuch" of the image'
}

@test "rmi of an image a --mount type=image uses is refused while the container exists" {
    run_pc create --name im --mount type=image,source=layered,destination=/img busybox true
    cid=$("$PC" inspect --format '{{.Id}}' im)
    run_pc 2 rmi layered
    assert_contains "$output" "image used by $cid: image is in use by a container"
    run_pc image prune -a -f
    run_pc image exists layered
    # The container still starts with it.
    run_pc start -a im
    run_pc rm im
    run_pc rmi layered
    assert_contains "$output" "Deleted:"
    run_pc 1 image exists layered
}

@test "rmi -f removes the containers that mount the image" {
    run_pc create --name im2 --mount type=image,source=layered,destination=/img busybox true
    run_pc rmi -f layered
    run_pc 1 container exists im2
}

@test "--mount type=image: inspect Mounts as podman 4.3; errors" {
    run_pc create --name ii --mount type=image,source=layered,destination=/img \
        --mount type=image,source=layered,destination=/img2,rw=true busybox true
    run_pc inspect --format '{{json .Mounts}}' ii
    assert_equal "$output" '[{"Type":"image","Source":"layered","Destination":"/img","Driver":"","Mode":"","Options":null,"RW":false,"Propagation":""},{"Type":"image","Source":"layered","Destination":"/img2","Driver":"","Mode":"","Options":null,"RW":true,"Propagation":""}]'
    run_pc inspect --format '{{json .HostConfig.Binds}}' ii
    assert_equal "$output" "[]"

    run_pc 125 create --mount type=image,source=nosuch,destination=/img busybox true
    assert_equal "$output" 'Error: creating image volume "nosuch":"/img": nosuch: image not known'
    run_pc 125 create --mount type=image,destination=/img busybox true
    assert_equal "$output" "Error: must set source and destination for image volume"
    run_pc 125 create --mount type=image,source=layered,destination=img busybox true
    assert_contains "$output" 'invalid container path "img", must be an absolute path'
    run_pc 125 create --mount type=image,source=layered,destination=/img,ro=true busybox true
    assert_equal "$output" "Error: ro: invalid mount option"
    run_pc 125 create --mount type=image,source=layered,destination=/img,rw=1 busybox true
    assert_equal "$output" 'Error: invalid rw value "1": invalid mount option'
    run_pc 125 create --mount type=image,source=layered,destination=/img -v "$PC_TEST_DIR:/img" busybox true
    assert_contains "$output" "/img: duplicate mount destination"
    run_pc ps -aq
    assert_equal "$(echo "$output" | wc -l)" 1
}

@test "--mount type=devpts: a new instance with its options" {
    run_pc run --rm --mount type=devpts,destination=/mnt/pts,uid=1000,gid=5,mode=620,max=10 busybox \
        sh -c 'grep " /mnt/pts " /proc/self/mountinfo; stat -f -c %T /mnt/pts; grep -c " /dev/pts " /proc/self/mountinfo'
    assert_contains "$output" " - devpts devpts "
    assert_contains "$output" "mode=620"
    assert_contains "$output" "max=10"
    # uid 1000 and gid 5 of the container, i.e. their subordinate ids.
    assert_contains "$output" "uid=$(( $(grep "^$(id -un):" /etc/subuid | cut -d: -f2) + 999 ))"
    assert_contains "$output" "gid=$(( $(grep "^$(id -un):" /etc/subgid | cut -d: -f2) + 4 ))"
    [ "${lines[1]}" = devpts ]
    # The default /dev/pts is still there.
    [ "${lines[2]}" = 1 ]
    # Its own instance: no pty of the default one shows in it.
    run_pc run --rm --mount type=devpts,destination=/p busybox ls /p
    assert_equal "$output" "ptmx"
    # --volumes-from X:ro keeps a devpts instance's own options (ro and
    # rbind mean nothing to devpts: the start failed with them).
    run_pc create --name ptsrc --mount type=devpts,destination=/p,mode=620 busybox true
    run_pc run --rm --volumes-from ptsrc:ro busybox grep " /p " /proc/self/mountinfo
    assert_contains "$output" " - devpts devpts "
    assert_contains "$output" "mode=620"
}

@test "--mount type=devpts on /dev/pts replaces the default one" {
    run_pc run --rm --mount type=devpts,destination=/dev/pts,mode=600 busybox grep " /dev/pts " /proc/self/mountinfo
    assert_equal "$(echo "$output" | wc -l)" 1
    assert_contains "$output" "mode=600,ptmxmode=000"
}

@test "--mount type=devpts: inspect as podman 4.3; errors" {
    run_pc create --name dp --mount type=devpts,destination=/mnt/pts,uid=1000,max=10 \
        --mount type=devpts,target=/p2 busybox true
    run_pc inspect --format '{{json .Mounts}} {{json .HostConfig.Binds}}' dp
    assert_equal "$output" '[{"Type":"bind","Source":"devpts","Destination":"/mnt/pts","Driver":"","Mode":"","Options":["uid=1000","max=10"],"RW":true,"Propagation":""},{"Type":"bind","Source":"devpts","Destination":"/p2","Driver":"","Mode":"","Options":[],"RW":true,"Propagation":""}] ["devpts:/mnt/pts:uid=1000,max=10","devpts:/p2"]'
    run_pc 125 create --mount type=devpts busybox true
    assert_equal "$output" "Error: must set volume destination"
    run_pc 125 create --mount type=devpts,destination=/x,source=foo busybox true
    assert_equal "$output" "Error: source: invalid mount option"
    run_pc 125 create --mount type=devpts,destination=/x,ro=true busybox true
    assert_equal "$output" "Error: ro: invalid mount option"
    run_pc 125 create --mount type=devpts,destination=/x,ptmxmode=0666 busybox true
    assert_equal "$output" "Error: ptmxmode: invalid mount option"
    # podman passes bad values to the runtime (126 at start); pc refuses them at once.
    run_pc 125 create --mount type=devpts,destination=/x,uid=abc busybox true
    assert_equal "$output" 'Error: invalid value for devpts option uid: "abc"'
    run_pc 125 create --mount type=devpts,destination=/x,mode=999 busybox true
    assert_equal "$output" 'Error: invalid value for devpts option mode: "999"'
}
