#!/usr/bin/env bats
# kill -9 of a commit (or anything that stages) leaves a staging directory;
# the next store operation of any kind collects it (its flock died with its
# owner), not only a later load or import.

load helpers
load helpers-containers

staging_count() {
    "$PC" unshare sh -c "ls -A '$XDG_DATA_HOME/pc/storage/tmp' 2>/dev/null | wc -l"
}

@test "commits killed at random points leave no staging dir after the next commit" {
    pc_busybox
    run_pc run --name big localhost/busybox sh -c 'dd if=/dev/urandom of=/big bs=1M count=24 2>/dev/null'
    local i left=0
    for i in $(seq 1 12); do
        "$PC" commit big "killed$i" >/dev/null 2>&1 &
        local pid=$!
        sleep "0.$((RANDOM % 6))$((RANDOM % 10))"
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        left=$((left + $(staging_count)))
    done
    # The kills must have left something for the check to mean anything.
    [ "$left" -gt 0 ] || skip "no kill landed while a commit was staging"
    run_pc commit big survivor
    assert_equal "$(staging_count)" 0
    # And an rmi collects them as well.
    for i in 1 2 3; do
        "$PC" commit big "killed-again$i" >/dev/null 2>&1 &
        local pid=$!
        sleep "0.$((2 + RANDOM % 4))"
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    run_pc rmi -f survivor
    assert_equal "$(staging_count)" 0
    run_pc rm -f big
    run_pc rmi -a -f
    run_pc images -a -q
    assert_equal "$output" ""
}
