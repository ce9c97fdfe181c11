#!/usr/bin/env bats
# pc cp: both ways, running and stopped containers, podman's path rules, and
# nothing read from or written to the host through a container's symlinks.

load helpers
load helpers-containers

setup() {
    pc_setup
    pc_busybox
    W=$PC_TEST_DIR/w
    mkdir -p "$W/src/sub"
    echo hello >"$W/src/a"
    echo deep >"$W/src/sub/b"
    chmod 0751 "$W/src/a"
    ln -s a "$W/src/lnk"
    cd "$W"
}

# A running container "r" and a stopped one "s", each with /d/f.
two_containers() {
    run_pc run -d --name r busybox sh -c 'mkdir -p /d; echo x > /d/f; touch /ready; sleep 1000'
    wait_for "$PC" exec r test -f /ready
    run_pc run --name s busybox sh -c 'mkdir -p /d; echo x > /d/f'
}

@test "cp a file into running and stopped containers: content, mode, owned by the container's root" {
    two_containers
    for c in r s; do
        run_pc cp src/a $c:/tmp/a
    done
    run_pc exec r stat -c '%a %u:%g' /tmp/a
    assert_equal "$output" "751 0:0"
    run_pc exec r cat /tmp/a
    assert_equal "$output" "hello"
    run_pc cp s:/tmp/a back
    assert_equal "$(cat back)" "hello"
    assert_equal "$(stat -c %a back)" "751"
}

@test "cp copies out as the host user; -a (default) and --archive=false choose the owner inside" {
    run_pc run -d --name r --user 1000:1000 busybox sh -c 'touch /tmp/ready; sleep 1000'
    wait_for "$PC" exec r test -f /tmp/ready
    run_pc cp src/a r:/tmp/owned
    run_pc exec r stat -c '%u:%g' /tmp/owned
    assert_equal "$output" "1000:1000"
    run_pc cp --archive=false src/a r:/tmp/kept
    run_pc exec r stat -c '%u:%g' /tmp/kept
    # The host user's file keeps its owner, as the container's namespace sees it.
    assert_equal "$output" "0:0"
    run_pc cp r:/tmp/ready out
    assert_equal "$(stat -c %u out)" "$(id -u)"
}

@test "cp directories: into an existing one, '/.' for its contents, a new one created" {
    two_containers
    for c in r s; do
        run_pc cp src $c:/d
        run_pc cp src/. $c:/new
    done
    run_pc exec r sh -c 'cat /d/src/sub/b /new/sub/b; readlink /new/lnk; ls /new | wc -l'
    assert_equal "$output" "deep
deep
a
3"
    run_pc cp s:/d outd
    assert_equal "$(cat outd/src/sub/b)" "deep"
    assert_equal "$(readlink outd/src/lnk)" "a"
    mkdir exist
    run_pc cp r:/d exist
    run_pc cp r:/d/. exist2
    run_pc cp r:/d/. exist
    [ -f exist/d/f ] && [ -f exist2/f ] && [ -f exist/f ]
}

@test "cp refuses what podman refuses, with podman's words" {
    two_containers
    run_pc 125 cp r:/nothing x
    assert_contains "$output" '"/nothing" could not be found on container r'
    run_pc 125 cp nothing r:/x
    assert_contains "$output" '"nothing" could not be found on the host'
    run_pc 125 cp src r:/d/f
    assert_contains "$output" "destination must be a directory when copying a directory"
    run_pc 125 cp src/a r:/nodir/
    assert_contains "$output" "could not be found on container r"
    run_pc 125 cp src/a nosuch:/x
    assert_contains "$output" 'no container with name or ID "nosuch" found'
    # A directory is not replaced by a file without --overwrite.
    run_pc exec r mkdir -p /t/a
    run_pc 125 cp src/a r:/t
    assert_contains "$output" "cannot overwrite directory"
    run_pc cp --overwrite src/a r:/t
    run_pc exec r cat /t/a
    assert_equal "$output" "hello"
}

@test "cp - streams a tar archive in and out" {
    two_containers
    tar -C src -cf - . | "$PC" cp - r:/d
    run_pc exec r cat /d/sub/b
    assert_equal "$output" "deep"
    "$PC" cp r:/d - >out.tar
    tar -tf out.tar | sort >list
    grep -qx 'd/sub/b' list
    grep -qx 'd/f' list
    run_pc 125 cp - r:/nothing </dev/null
    assert_contains "$output" "destination must be a directory when copying from stdin"
}

@test "cp never follows a container's symlinks to the host: nothing read, nothing written outside" {
    local marker=$PC_TEST_DIR/host-marker
    echo "host secret" >"$marker"
    local name=pc-cp-escape-$$
    for c in r s; do
        run_pc run -d --name $c busybox sh -c "ln -s / /escape; ln -s /etc/passwd /pw; ln -s $marker /mk; mkdir /dl; ln -s / /dl/up; touch /ready; sleep 1000"
        wait_for "$PC" exec $c test -f /ready
    done
    run_pc stop -t 0 s
    for c in r s; do
        # Reads resolve in the container's root.
        run_pc cp $c:/pw pw.$c
        assert_equal "$(head -1 pw.$c)" "root:x:0:0:root:/root:/bin/sh"
        ! grep -q "^$(id -un):" pw.$c
        run_pc 125 cp $c:/mk mk.$c
        [ ! -e mk.$c ]
        run_pc 125 cp $c:/escape$marker mk2.$c
        [ ! -e mk2.$c ]
        # A symlink inside a copied directory stays a symlink.
        run_pc cp $c:/dl dl.$c
        [ -L dl.$c/up ] && assert_equal "$(readlink dl.$c/up)" "/"
        # Writes through the links land inside the root.
        run_pc cp src/a $c:/escape/tmp/$name
        [ ! -e /tmp/$name ]
        run_pc 125 cp src/a $c:/escape$PC_TEST_DIR/$name
        [ ! -e $PC_TEST_DIR/$name ]
        run_pc 125 cp src/a $c:/mk
        assert_equal "$(cat "$marker")" "host secret"
        tar -C src -cf - a | "$PC" cp - $c:/escape/tmp
        [ ! -e /tmp/a ] || [ "$(cat /tmp/a)" != hello ]
    done
    run_pc start s
    run_pc exec s cat /tmp/$name
    assert_equal "$output" "hello"
    run_pc exec r cat /tmp/$name
    assert_equal "$output" "hello"
}
