#!/usr/bin/env bats
# Volumes as root: no user namespace, so the copied-up files carry the
# image's ids on the host itself; volume mount prints the mountpoint.

load ../helpers

setup() {
    root_store_setup || return 1
    run "${PCR[@]}" load -i "$PC_FIXTURES/layered.docker.tar"
    [ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
}

teardown() { root_store_teardown; }

@test "rootful: -v NAME:/path copies the image's content up with the image's ids on the host" {
    run "${PCR[@]}" run --rm -v data:/home/tester layered 'stat -c "%u %g %a" /home/tester/owned.txt'
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [ "$output" = "1000 1000 640" ]
    run "${PCR[@]}" volume inspect --format '{{.Mountpoint}}' data
    [ "$status" -eq 0 ]
    mp=$output
    [[ $mp == "$PC_TEST_DIR/root/volumes/data/_data" ]]
    [ "$(stat -c '%u %g %a' "$mp")" = "1000 1000 755" ]
    [ "$(stat -c '%u %g %a' "$mp/owned.txt")" = "1000 1000 640" ]
}

@test "rootful: volume mount prints the mountpoint, unmount the name; anonymous volumes go with run --rm" {
    run "${PCR[@]}" volume create m
    [ "$status" -eq 0 ]
    run "${PCR[@]}" volume mount m
    [ "$status" -eq 0 ]
    [ "$output" = "$PC_TEST_DIR/root/volumes/m/_data" ]
    run "${PCR[@]}" volume unmount m
    [ "$status" -eq 0 ]
    [ "$output" = "m" ]
    run "${PCR[@]}" run --rm -v /anon busybox sh -c 'echo x > /anon/f'
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    run "${PCR[@]}" volume ls -q
    [ "$output" = "m" ]
    run "${PCR[@]}" create --name u -v m:/m busybox true
    [ "$status" -eq 0 ]
    run "${PCR[@]}" volume rm m
    [ "$status" -eq 2 ]
    [[ $output == *"volume m is being used by the following container(s): "*": volume is being used"* ]]
}
