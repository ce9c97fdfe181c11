#!/usr/bin/env bats
# pc cp as root: no user namespace to join, the same rules; a container's
# symlinks lead nowhere on the host, and a setuid file copied out loses
# its setuid bit (it would be root's on the host).

load ../helpers

setup() {
    root_store_setup || return 1
    W=$PC_TEST_DIR/w
    mkdir -p "$W/src/sub"
    echo hello >"$W/src/a"
    echo deep >"$W/src/sub/b"
    cd "$W"
}

teardown() { root_store_teardown; }

@test "rootful cp both ways, running and stopped, --user owns what is copied in" {
    run "${PCR[@]}" run -d --name r --user 1000:1000 busybox sh -c 'touch /tmp/ready; sleep 1000'
    [ "$status" -eq 0 ]
    wait_for "${PCR[@]}" exec r test -f /tmp/ready
    run "${PCR[@]}" create --name s busybox true
    [ "$status" -eq 0 ]
    for c in r s; do
        run "${PCR[@]}" cp src $c:/tmp/src
        [ "$status" -eq 0 ] || { echo "$output"; false; }
        run "${PCR[@]}" cp $c:/tmp/src back.$c
        [ "$status" -eq 0 ] || { echo "$output"; false; }
        [ "$(cat back.$c/sub/b)" = deep ]
        [ "$(stat -c %u back.$c/a)" = 0 ]
    done
    run "${PCR[@]}" exec r stat -c '%u:%g' /tmp/src/sub/b
    [ "$output" = "1000:1000" ]
}

@test "rootful cp: symlinks to / and to the host's /etc/passwd stay in the container; setuid is dropped on the way out" {
    local name=pc-cp-escape-$$
    echo "host secret" >"$PC_TEST_DIR/marker"
    run "${PCR[@]}" run -d --name r busybox sh -c "ln -s / /escape; ln -s /etc/passwd /pw; ln -s $PC_TEST_DIR/marker /mk; cp /bin/busybox /suid; chmod 4755 /suid; touch /ready; sleep 1000"
    [ "$status" -eq 0 ]
    wait_for "${PCR[@]}" exec r test -f /ready
    run "${PCR[@]}" cp r:/pw pw
    [ "$status" -eq 0 ]
    [ "$(head -1 pw)" = "root:x:0:0:root:/root:/bin/sh" ]
    ! cmp -s pw /etc/passwd
    run "${PCR[@]}" cp r:/mk mk
    [ "$status" -eq 125 ] && [ ! -e mk ]
    run "${PCR[@]}" cp src/a r:/escape/tmp/$name
    [ "$status" -eq 0 ] && [ ! -e /tmp/$name ]
    run "${PCR[@]}" cp src/a r:/pw
    [ "$status" -eq 0 ]
    [ "$(head -1 /etc/passwd)" != hello ]
    run "${PCR[@]}" exec r cat /etc/passwd
    [ "$output" = hello ]
    run "${PCR[@]}" cp r:/suid suid
    [ "$status" -eq 0 ]
    [ "$(stat -c %a suid)" = 755 ]
}
