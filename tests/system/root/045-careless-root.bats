#!/usr/bin/env bats
# Root names a device as the output: it is written in place, never replaced
# by a regular file or deleted (the attack: `pc save -o /dev/null IMG` left
# a regular file as /dev/null; `pc export -o /dev/null MISSING` deleted it).
# Each test has a private mount namespace with its own /dev, so the host's
# /dev/null is never at stake.

load ../helpers

setup() {
    root_store_setup || return 1
}

teardown() { root_store_teardown; }

# in_private_dev CMD...: runs CMD with a tmpfs /dev holding only a fresh
# null device, then prints the file type of that /dev/null.
in_private_dev() {
    unshare -m sh -c '
        mount --make-rprivate / &&
        mount -t tmpfs tmpfs /dev &&
        mknod -m 666 /dev/null c 1 3 || exit 99
        "$@" </dev/null >/dev/null 2>&1
        echo "exit=$?"
        stat -c %F /dev/null' sh "$@"
}

@test "rootful save -o /dev/null writes to the device and leaves it a device" {
    run in_private_dev "${PCR[@]}" save -o /dev/null localhost/busybox
    assert_equal "$output" "exit=0
character special file"
}

@test "rootful save and export of something missing leave /dev/null a device" {
    run in_private_dev "${PCR[@]}" save -o /dev/null localhost/nosuch
    assert_equal "$output" "exit=125
character special file"
    run in_private_dev "${PCR[@]}" export -o /dev/null nosuch
    assert_equal "$output" "exit=125
character special file"
}

@test "rootful export -o /dev/null of a container writes in place" {
    run "${PCR[@]}" create --name c1 localhost/busybox true
    [ "$status" -eq 0 ] || { echo "$output" >&2; false; }
    run in_private_dev "${PCR[@]}" export -o /dev/null c1
    assert_equal "$output" "exit=0
character special file"
}
