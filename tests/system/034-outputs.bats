#!/usr/bin/env bats
# Files the user names for output (save -o, export -o, --cidfile): nothing
# the user named is truncated, replaced or deleted unless the command
# succeeded, and what is not a regular file is written in place.

load helpers
load helpers-containers

@test "export -o of a missing container leaves an existing file as it was" {
    pc_busybox
    echo precious > "$PC_TEST_DIR/existing.tar"
    run_pc 125 export -o "$PC_TEST_DIR/existing.tar" typo
    assert_contains "$output" "no container"
    assert_equal "$(cat "$PC_TEST_DIR/existing.tar")" "precious"
    # Nothing else appeared beside it.
    assert_equal "$(ls -A "$PC_TEST_DIR" | grep -c existing)" 1
}

@test "export -o replaces a file only on success, keeping its mode; a FIFO is written in place" {
    pc_busybox
    run_pc create --name c1 localhost/busybox true
    echo old > "$PC_TEST_DIR/out.tar"
    chmod 0600 "$PC_TEST_DIR/out.tar"
    run_pc export -o "$PC_TEST_DIR/out.tar" c1
    tar -tf "$PC_TEST_DIR/out.tar" | grep -qx 'bin/busybox\|./bin/busybox'
    assert_equal "$(stat -c %a "$PC_TEST_DIR/out.tar")" 600
    # Through a link the link stays, its target is replaced.
    ln -s out.tar "$PC_TEST_DIR/link.tar"
    run_pc export -o "$PC_TEST_DIR/link.tar" c1
    [ -L "$PC_TEST_DIR/link.tar" ]
    mkfifo "$PC_TEST_DIR/fifo"
    cat "$PC_TEST_DIR/fifo" > "$PC_TEST_DIR/from-fifo.tar" &
    local reader=$!
    run_pc export -o "$PC_TEST_DIR/fifo" c1
    wait "$reader"
    [ -p "$PC_TEST_DIR/fifo" ]
    tar -tf "$PC_TEST_DIR/from-fifo.tar" | grep -q busybox
    # No temporary file left anywhere.
    assert_equal "$(ls -A "$PC_TEST_DIR" | grep -c tmp)" 0
}

@test "save -o of a missing image leaves an existing file; success replaces it" {
    pc_busybox
    echo precious > "$PC_TEST_DIR/img.tar"
    run_pc 125 save -o "$PC_TEST_DIR/img.tar" localhost/nosuchimage
    assert_equal "$(cat "$PC_TEST_DIR/img.tar")" "precious"
    run_pc save -o "$PC_TEST_DIR/img.tar" localhost/busybox
    tar -tf "$PC_TEST_DIR/img.tar" | grep -q manifest.json
    assert_equal "$(ls -A "$PC_TEST_DIR" | grep -c tmp)" 0
    # /dev/null is a device: written in place (as root it would be replaced
    # by a rename; root/045 checks that it stays a device).
    run_pc save -o /dev/null localhost/busybox
    [ -c /dev/null ]
}

@test "--cidfile is written whole, and never over an existing file" {
    pc_busybox
    run_pc create --cidfile "$PC_TEST_DIR/cid" localhost/busybox true
    local id
    id=$(cat "$PC_TEST_DIR/cid")
    [ ${#id} -eq 64 ]
    run_pc 125 create --cidfile "$PC_TEST_DIR/cid" localhost/busybox true
    assert_contains "$output" "container id file exists"
    assert_equal "$(cat "$PC_TEST_DIR/cid")" "$id"
}
