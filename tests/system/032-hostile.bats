#!/usr/bin/env bats
# Hostile archives are refused with a clear error and change nothing.

load helpers

listing() { (cd "$XDG_DATA_HOME/pc/storage" && find . -path ./tmp -prune -o -print | LC_ALL=C sort | grep -v '^./store.lock$'; ls tmp); }

@test "every hostile archive is refused and the store is unchanged" {
    pc_load_fixture busybox
    before=$(listing)
    n=0
    for f in "$PC_FIXTURES"/hostile/*.tar; do
        run "$PC" load -i "$f"
        [ "$status" -eq 125 ] || { echo "# accepted: $f: $output" >&2; return 1; }
        assert_contains "$output" "Error: "
        [ "$(listing)" = "$before" ] || { echo "# store changed by $f" >&2; return 1; }
        n=$((n + 1))
    done
    [ $n -ge 10 ]
}

@test "the refusal says why" {
    run_pc 125 load -i "$PC_FIXTURES/hostile/dotdot.docker.tar"
    assert_contains "$output" "contains \`..\`"
    run_pc 125 load -i "$PC_FIXTURES/hostile/symlink-escape.docker.tar"
    assert_contains "$output" "goes through the symbolic link"
    run_pc 125 load -i "$PC_FIXTURES/hostile/compression-xz.docker.tar"
    assert_contains "$output" "unsupported compression xz"
    run_pc 125 load -i "$PC_FIXTURES/hostile/diffid-mismatch.docker.tar"
    assert_contains "$output" "diff_id mismatch"
}
