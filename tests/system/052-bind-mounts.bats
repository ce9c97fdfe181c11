#!/usr/bin/env bats
# -v/--volume HOST:CTR[:OPTIONS] and --mount type=bind|tmpfs for a rootless
# container: podman's rules for sources (absolute or ./relative; a missing
# one is an error, never created), options and duplicate destinations;
# inspect's Mounts; destinations resolved inside the container's root.

load helpers
load helpers-containers

setup() {
    pc_setup
    skip_if_root "rootless behaviour"
    pc_busybox
    HOSTDIR=$PC_TEST_DIR/host
    mkdir -p "$HOSTDIR"
    echo from-host > "$HOSTDIR/in.txt"
}

teardown() { pc_teardown; }

@test "-v: the container reads and writes a host dir; its files belong to the user" {
    run_pc run --rm -v "$HOSTDIR:/data" busybox sh -c 'cat /data/in.txt; echo from-ctr > /data/out.txt; id -u'
    assert_contains "$output" "from-host"
    [ "$(cat "$HOSTDIR/out.txt")" = from-ctr ]
    assert_equal "$(stat -c %u:%g "$HOSTDIR/out.txt")" "$(id -u):$(id -g)"
    # A single file, onto a path the image does not have.
    run_pc run --rm -v "$HOSTDIR/in.txt:/etc/app/conf.txt:ro" busybox cat /etc/app/conf.txt
    assert_equal "$output" "from-host"
}

@test "-v :ro refuses writes with Read-only file system; --volume repeats" {
    mkdir -p "$PC_TEST_DIR/two"
    run_pc 1 run --rm --volume "$HOSTDIR:/data:ro" -v "$PC_TEST_DIR/two:/two:rw,z" busybox \
        sh -c 'echo ok > /two/w && cat /data/in.txt && echo x > /data/new'
    assert_contains "$output" "from-host"
    assert_contains "$output" "Read-only file system"
    [ ! -e "$HOSTDIR/new" ]
    [ "$(cat "$PC_TEST_DIR/two/w")" = ok ]
}

@test "-v nosuid,nodev,noexec reach the mount; propagation options are taken" {
    run_pc run --rm -v "$HOSTDIR:/data:noexec,nosuid,nodev,rslave,Z" busybox \
        sh -c 'grep " /data " /proc/self/mountinfo'
    assert_contains "$output" "noexec"
    assert_contains "$output" "nosuid"
    assert_contains "$output" "nodev"
    run_pc run --rm -v "$HOSTDIR:/data" busybox sh -c 'grep " /data " /proc/self/mountinfo'
    assert_not_contains "$output" "noexec"
    run_pc create --name p -v "$HOSTDIR:/data:rshared" busybox true
    run_pc inspect --format '{{range .Mounts}}{{.Propagation}}{{end}}' p
    assert_equal "$output" "rshared"
    # What the container's mount table says, as with podman: [r]shared gives
    # the bind a peer group of its own, the others leave it private.
    for p in rshared shared; do
        run_pc run --rm -v "$HOSTDIR:/data:$p" busybox grep " /data " /proc/self/mountinfo
        assert_contains "$output" " shared:"
    done
    for p in rslave private rprivate; do
        run_pc run --rm -v "$HOSTDIR:/data:$p" busybox grep " /data " /proc/self/mountinfo
        assert_not_contains "$output" "shared:"
    done
    run_pc 125 create -v "$HOSTDIR:/data:shared,private" busybox true
    assert_contains "$output" "multiple propagation options"
}

@test "-v: relative ./paths resolve from the working directory; missing paths are refused as podman" {
    cd "$PC_TEST_DIR"
    run_pc run --rm -v ./host:/data busybox cat /data/in.txt
    assert_equal "$output" "from-host"
    run_pc 125 run --rm -v "$PC_TEST_DIR/nosuch:/data" busybox true
    assert_contains "$output" "statfs $PC_TEST_DIR/nosuch: no such file or directory"
    [ ! -e "$PC_TEST_DIR/nosuch" ]
    # podman's words for a missing ./relative source: the first missing part.
    run_pc 125 run --rm -v ./nosuch/deeper:/data busybox true
    assert_contains "$output" "Error: lstat nosuch: no such file or directory"
    run_pc 125 run --rm -v ./host/nosuch:/data busybox true
    assert_contains "$output" "Error: lstat host/nosuch: no such file or directory"
    # --mount takes a relative source without ./ and names it absolute.
    run_pc run --rm --mount type=bind,src=host,dst=/data busybox cat /data/in.txt
    assert_equal "$output" "from-host"
    run_pc 125 run --rm --mount type=bind,src=nosuch,dst=/data busybox true
    assert_contains "$output" "Error: statfs $PC_TEST_DIR/nosuch: no such file or directory"
    [ ! -e "$PC_TEST_DIR/nosuch" ]
    run_pc 125 run --rm -v "$HOSTDIR:data" busybox true
    assert_contains "$output" "must be an absolute path"
    run_pc 125 run --rm -v "$HOSTDIR:/data:bogus" busybox true
    assert_contains "$output" 'invalid option type "bogus"'
    run_pc 125 run --rm -v "$HOSTDIR:/data:ro,rw" busybox true
    assert_contains "$output" "more than once"
    run_pc 0 ps -a --format '{{.Names}}'
    assert_equal "$output" ""
}

@test "-v noexec: a script on the bind cannot be run; without it, it can" {
    printf '#!/bin/sh\necho ran\n' > "$HOSTDIR/script.sh"
    chmod 755 "$HOSTDIR/script.sh"
    run_pc 126 run --rm -v "$HOSTDIR:/data:noexec" busybox /data/script.sh
    assert_contains "$output" "ermission denied"
    run_pc 126 run --rm -v "$HOSTDIR:/data:noexec" busybox sh -c '/data/script.sh'
    assert_contains "$output" "Permission denied"
    run_pc run --rm -v "$HOSTDIR:/data:exec" busybox /data/script.sh
    assert_equal "$output" "ran"
}

@test "-v ~/DIR and --mount src=~/DIR are the user's home" {
    export HOME=$PC_TEST_DIR
    run_pc run --rm -v '~/host:/data:ro' busybox cat /data/in.txt
    assert_equal "$output" "from-host"
    run_pc run --rm --mount 'type=bind,src=~/host,dst=/data' busybox cat /data/in.txt
    assert_equal "$output" "from-host"
    run_pc create --name home -v '~/host:/data' busybox true
    run_pc inspect --format '{{range .Mounts}}{{.Source}}{{end}}' home
    assert_equal "$output" "$PC_TEST_DIR/host"
}

@test "-v :U chowns the source to the container's user at start; podman's refusals" {
    base=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
    mkdir -p "$HOSTDIR/sub"
    touch "$HOSTDIR/sub/file"
    ln -s /etc/passwd "$HOSTDIR/link"
    run_pc run --rm --network none --user 1000:1000 -v "$HOSTDIR:/data:U" busybox \
        sh -c 'stat -c %u:%g /data /data/sub/file; echo w > /data/sub/new'
    assert_equal "${lines[0]}" "1000:1000"
    assert_equal "${lines[1]}" "1000:1000"
    # On the host: the subordinate ids of container user 1000, the symlink
    # itself and not its target.
    want="$((base + 999)):$((base + 999))"
    assert_equal "$(stat -c %u:%g "$HOSTDIR" "$HOSTDIR/sub/file" "$HOSTDIR/sub/new" | sort -u)" "$want"
    assert_equal "$(stat -c %u:%g "$HOSTDIR/link")" "$want"
    assert_equal "$(stat -c %u /etc/passwd)" "0"
    # Back to the user (container root) on the next start.
    run_pc run --rm --mount "type=bind,src=$HOSTDIR,dst=/data,U=true" busybox true
    assert_equal "$(stat -c %u:%g "$HOSTDIR" "$HOSTDIR/sub/file" | sort -u)" "$(id -u):$(id -g)"
    run_pc create --name u -v "$HOSTDIR:/data:U" busybox true
    run_pc inspect --format '{{json .HostConfig.Binds}} {{range .Mounts}}{{.Options}}{{end}}' u
    assert_equal "$output" "[\"$HOSTDIR:/data:U,rw,rprivate,rbind\"] [U rbind]"
    run_pc 126 run --rm -v /tmp:/data:U busybox true
    assert_contains "$output" 'chowning host path "/tmp" is not allowed. You can manually `chown -R 0:0 /tmp`'
}

@test "-v :O: the container writes over the host dir, the host dir is unchanged, the changes go with the container" {
    mkdir -p "$HOSTDIR/sub"
    echo keep > "$HOSTDIR/sub/old"
    before=$(cd "$HOSTDIR" && find . -printf '%p %s %m %u\n' | sort; cat in.txt sub/old)
    run_pc run --rm -v "$HOSTDIR:/data:O" busybox sh -c \
        'echo changed > /data/in.txt; echo new > /data/new; rm /data/sub/old; mkdir /data/d; cat /data/in.txt; ls /data /data/sub'
    assert_equal "${lines[0]}" "changed"
    assert_contains "$output" "new"
    assert_not_contains "$output" "old"
    after=$(cd "$HOSTDIR" && find . -printf '%p %s %m %u\n' | sort; cat in.txt sub/old)
    assert_equal "$after" "$before"
    # A new container starts from the host dir again.
    run_pc run --rm -v "$HOSTDIR:/data:O" busybox sh -c 'cat /data/in.txt /data/sub/old; ls /data'
    assert_equal "$output" "from-host
keep
in.txt
sub"
    run_pc 125 run --rm -v "$HOSTDIR:/data:O,ro" busybox true
    assert_contains "$output" "can't use 'O' with other options"
}

# ctr_store_dir NAME: the container's own directory in pc's store.
ctr_store_dir() {
    local id
    id=$("$PC" inspect --format '{{.Id}}' "$1") || return 1
    echo "$("$PC" info --format '{{.Store.GraphRoot}}')/containers/$id"
}

@test "-v :O: the writes are on disk in the container's directory of the store, emptied at the next start, gone with the container" {
    run_pc run -d --name o -v "$HOSTDIR:/data:O" busybox sleep 1000
    cdir=$(ctr_store_dir o)
    [ -n "$cdir" ] && [ -d "$cdir" ]
    run_pc exec o sh -c 'dd if=/dev/zero of=/data/big bs=1M count=50 2>&1 && stat -f -c %b:%S /data'
    # The overlay's upper layer is the store's filesystem (its size), not a
    # tmpfs of half the memory, and the file is under the container's dir.
    assert_equal "${lines[-1]}" "$(stat -f -c %b:%S "$cdir")"
    kb=$(du -sk "$cdir" | cut -f1)
    [ "$kb" -ge 51200 ] || { echo "# du $cdir: $kb KiB" >&2; false; }
    [ ! -e "$HOSTDIR/big" ]
    run_pc stop -t 0 o
    # Removed when the container stops, as podman does.
    kb=$(du -sk "$cdir" | cut -f1)
    [ "$kb" -lt 51200 ] || { echo "# du $cdir after stop: $kb KiB" >&2; false; }
    run_pc start o
    run_pc exec o ls /data
    assert_equal "$output" "in.txt"
    kb=$(du -sk "$cdir" | cut -f1)
    [ "$kb" -lt 51200 ] || { echo "# du $cdir after a restart: $kb KiB" >&2; false; }
    run_pc rm -f o
    [ ! -e "$cdir" ]
}

@test "-v :O,U: the container's user owns the files through the overlay; the host dir is not chowned" {
    mkdir -p "$HOSTDIR/sub"
    echo keep > "$HOSTDIR/sub/old"
    before=$(cd "$HOSTDIR" && find . -printf '%p %s %m %U:%G\n' | sort)
    run_pc run --rm --network none --user 1000:1000 -v "$HOSTDIR:/data:O,U" busybox \
        sh -c 'stat -c %u:%g /data /data/in.txt /data/sub/old; echo w > /data/new && stat -c %u:%g /data/new'
    assert_equal "$(printf '%s\n' "${lines[@]}" | sort -u)" "1000:1000"
    after=$(cd "$HOSTDIR" && find . -printf '%p %s %m %U:%G\n' | sort)
    assert_equal "$after" "$before"
}

@test "-v :U walks a tree of any depth without a limit, at every start" {
    base=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
    run_pc run --rm --network none -v "$HOSTDIR:/data:U" busybox sh -c \
        'cd /data && i=0 && while [ $i -lt 600 ]; do mkdir d s && touch f s/g && cd d && i=$((i+1)); done && echo x > deep'
    [ "$(find "$HOSTDIR" -name deep | tr -cd / | wc -c)" -gt 600 ]
    run_pc run --rm --network none --user 1000:1000 -v "$HOSTDIR:/data:U" busybox true
    want="$((base + 999)):$((base + 999))"
    assert_equal "$(find "$HOSTDIR" -name deep -printf '%U:%G\n')" "$want"
    # Every entry of every level, siblings below the deepest one too.
    assert_equal "$(find "$HOSTDIR" -printf '%U:%G\n' | sort -u)" "$want"
    assert_equal "$(find "$HOSTDIR" -name g | wc -l)" 600
}

@test "a failed bind in a container with a user namespace of its own names the source, not an fd" {
    run_pc 125 run --rm --network none --userns=keep-id -v "$HOSTDIR:/bin/sh" busybox true
    assert_contains "$output" "mount \`$HOSTDIR\` on \`/bin/sh\`"
    assert_not_contains "$output" "/proc/self/fd"
}

@test "a second mount on one destination is an error, whatever the flags" {
    run_pc 125 create -v "$HOSTDIR:/data" -v "$HOSTDIR:/data/" busybox true
    assert_contains "$output" "/data: duplicate mount destination"
    run_pc 125 create -v "$HOSTDIR:/data" --mount "type=tmpfs,dst=/data" busybox true
    assert_contains "$output" "/data: duplicate mount destination"
    run_pc 125 create --tmpfs /data --mount "type=bind,src=$HOSTDIR,dst=/data" busybox true
    assert_contains "$output" "/data: duplicate mount destination"
}

@test "--mount type=bind and type=tmpfs with podman's keys" {
    run_pc 1 run --rm --mount "type=bind,source=$HOSTDIR,destination=/data,readonly" busybox \
        sh -c 'cat /data/in.txt; touch /data/x'
    assert_contains "$output" "from-host"
    assert_contains "$output" "Read-only file system"
    run_pc run --rm --mount "type=bind,src=$HOSTDIR,target=/data,bind-propagation=rshared,relabel=private" \
        busybox sh -c 'echo w > /data/w'
    [ "$(cat "$HOSTDIR/w")" = w ]
    run_pc run --rm --mount "type=tmpfs,dst=/scratch,tmpfs-size=1m,tmpfs-mode=700" busybox \
        sh -c 'stat -c %a /scratch; grep " /scratch " /proc/self/mountinfo'
    assert_contains "$output" "700"
    assert_contains "$output" "size=1024k"
    run_pc 125 run --rm --mount "type=bind,dst=/data" busybox true
    assert_contains "$output" "must set source"
    run_pc 125 run --rm --mount "type=bind,src=$HOSTDIR,dst=/data,frobnicate=1" busybox true
    assert_contains "$output" "frobnicate=1: invalid mount option"
}

@test "inspect shows Mounts and Binds as podman does" {
    run_pc create --name c1 -v "$HOSTDIR:/data:ro" --mount "type=bind,src=$HOSTDIR,dst=/other,bind-nonrecursive" busybox true
    run_pc inspect --format '{{json .Mounts}}' c1
    assert_contains "$output" "{\"Type\":\"bind\",\"Source\":\"$HOSTDIR\",\"Destination\":\"/data\",\"Driver\":\"\",\"Mode\":\"\",\"Options\":[\"rbind\"],\"RW\":false,\"Propagation\":\"rprivate\"}"
    assert_contains "$output" "\"Destination\":\"/other\",\"Driver\":\"\",\"Mode\":\"\",\"Options\":[\"bind\"],\"RW\":true"
    run_pc inspect --format '{{json .HostConfig.Binds}}' c1
    assert_contains "$output" "\"$HOSTDIR:/data:ro,rprivate,rbind\""
}

@test "mounts go on in depth order: a bind inside another is not hidden by it" {
    # The parent is given last: it must still be mounted first.
    mkdir -p "$PC_TEST_DIR/outer"
    run_pc run --rm -v "$HOSTDIR:/deep/inner" -v "$PC_TEST_DIR/outer:/deep" busybox cat /deep/inner/in.txt
    assert_equal "$output" "from-host"
    run_pc run --rm -v "$HOSTDIR:/deep2/inner" --mount type=tmpfs,dst=/deep2 busybox cat /deep2/inner/in.txt
    assert_equal "$output" "from-host"
}

@test "a symlink in the image to a host path does not lead a bind mount out of the root" {
    victim=$PC_TEST_DIR/victim
    mkdir -p "$victim"
    # An image whose /tmplink points at /tmp and /escape at a real host
    # directory: both resolve inside the container's root.
    run_pc run --name mk busybox sh -c "ln -s /tmp /tmplink && ln -s $victim /escape"
    run_pc commit mk hostile
    run_pc run --rm -v "$HOSTDIR:/tmplink/pc-bind-escape-$$" hostile \
        sh -c "cat /tmp/pc-bind-escape-$$/in.txt"
    assert_equal "$output" "from-host"
    [ ! -e "/tmp/pc-bind-escape-$$" ]
    # $victim does not exist inside the root: refused, nothing made on the host.
    run_pc 125 run --rm -v "$HOSTDIR:/escape/sub" hostile true
    assert_contains "$output" "No such file or directory"
    [ -z "$(ls -A "$victim")" ]
}

@test "-v onto an image's /data that is a symlink to /tmp or ../../../../tmp mounts inside the root; the host's /tmp is untouched" {
    # An image from the busybox fixture plus the two hostile symlinks.
    python3 - "$PC_FIXTURES/busybox.rootfs.tar" "$PC_TEST_DIR/hostile.tar" <<'PY'
import shutil, sys, tarfile
shutil.copyfile(sys.argv[1], sys.argv[2])
with tarfile.open(sys.argv[2], "a") as t:
    for name, target in (("data", "/tmp"), ("data2", "../../../../tmp")):
        i = tarfile.TarInfo(name)
        i.type, i.linkname = tarfile.SYMTYPE, target
        t.addfile(i)
PY
    run_pc import "$PC_TEST_DIR/hostile.tar" localhost/hostile-links
    host_mounts=$(wc -l < /proc/self/mountinfo)
    mark=pc-052-$$-$RANDOM
    for dst in /data /data2; do
        run_pc run --rm -v "$HOSTDIR:$dst" localhost/hostile-links \
            sh -c "cat $dst/in.txt; echo x > $dst/$mark; readlink $dst; cat /tmp/in.txt"
        assert_equal "${lines[0]}" "from-host"
        assert_equal "${lines[2]}" "from-host"
        # The write went to the bind's source, not to the host's /tmp.
        [ -f "$HOSTDIR/$mark" ]
        [ ! -e "/tmp/$mark" ]
        [ ! -e "/tmp/in.txt" ] || [ "$(cat /tmp/in.txt)" != from-host ]
        rm -f "$HOSTDIR/$mark"
    done
    # No mount appeared in pc's caller's namespace.
    assert_equal "$(wc -l < /proc/self/mountinfo)" "$host_mounts"
    assert_not_contains "$(grep " /tmp " /proc/self/mountinfo)" "$HOSTDIR"
}

@test "--read-only: / refuses writes, /tmp /var/tmp /run are tmpfs; --read-only-tmpfs=false leaves them read-only" {
    run_pc 1 run --rm --read-only busybox sh -c \
        'touch /tmp/a /var/tmp/a /run/a && echo writable; grep -E " /(tmp|var/tmp|run) " /proc/self/mountinfo | cut -d" " -f5,9 | sort; touch /x'
    assert_contains "$output" "writable"
    assert_contains "$output" "/run tmpfs
/tmp tmpfs
/var/tmp tmpfs"
    assert_contains "$output" "touch: /x: Read-only file system"
    for p in /tmp /run; do
        run_pc 1 run --rm --read-only --read-only-tmpfs=false busybox touch $p/a
        assert_contains "$output" "touch: $p/a: Read-only file system"
    done
    run_pc run --rm --read-only --read-only-tmpfs=false busybox sh -c 'grep -cE " /(tmp|var/tmp|run) " /proc/self/mountinfo || true'
    assert_equal "$output" "0"
    # The files pc binds are read-only, nosuid, nodev and noexec, as podman's.
    run_pc run --rm --read-only busybox sh -c 'awk "\$5 ~ /^\/etc\/(hosts|hostname|resolv.conf)\$/ { print \$5, \$6 }" /proc/self/mountinfo | sort'
    assert_equal "$output" "$(printf '/etc/hostname ro,nosuid,nodev,noexec,relatime\n/etc/hosts ro,nosuid,nodev,noexec,relatime\n/etc/resolv.conf ro,nosuid,nodev,noexec,relatime')"
    # A bind on a read-only root stays writable unless :ro.
    run_pc run --rm --read-only -v "$HOSTDIR:/data" busybox sh -c 'echo w > /data/w'
    [ "$(cat "$HOSTDIR/w")" = w ]
}
