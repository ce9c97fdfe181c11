#!/usr/bin/env bats
# Round trips through docker-archive, oci-archive and oci-dir, checked with skopeo.

load helpers

@test "docker-archive -> pc -> oci-archive: skopeo agrees on config and layer digests" {
    pc_load_fixture layered
    run_pc save --format oci-archive -o "$PC_TEST_DIR/l.oci.tar" layered
    cfg=$(skopeo inspect --raw --config "oci-archive:$PC_TEST_DIR/l.oci.tar" | sha256sum | cut -d' ' -f1)
    assert_equal "$cfg" "21102f038846bea311ebf29f41c52111c361de026cb4f488aa3f4e2f3b91eb47"
    ours=$(skopeo inspect "oci-archive:$PC_TEST_DIR/l.oci.tar" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Layers"])')
    # the blobs of the docker-archive, by their file names (sha256 of each file)
    ref=$(tar xOf "$PC_FIXTURES/layered.docker.tar" manifest.json | python3 -c 'import json,sys; print(["sha256:" + l[:64] for l in json.load(sys.stdin)[0]["Layers"]])')
    assert_equal "$ours" "$ref"
}

@test "what skopeo writes loads; docker-archive save reloads" {
    skopeo copy "oci-archive:$PC_FIXTURES/layered.oci.tar" "docker-archive:$PC_TEST_DIR/sk.tar:localhost/sk:1" >/dev/null
    run_pc load -i "$PC_TEST_DIR/sk.tar"
    assert_equal "$output" "Loaded image: localhost/sk:1"
    run_pc save -o "$PC_TEST_DIR/back.tar" localhost/sk:1
    skopeo inspect "docker-archive:$PC_TEST_DIR/back.tar" >/dev/null
    run_pc rmi -a
    run_pc load < "$PC_TEST_DIR/back.tar"
    assert_equal "$output" "Loaded image: localhost/sk:1"
    run_pc save --format oci-dir -o "$PC_TEST_DIR/dir" localhost/sk:1
    skopeo inspect "oci:$PC_TEST_DIR/dir" >/dev/null
}

@test "oci-archive loads from stdin" {
    run_pc 125 load < /dev/null
    run "$PC" load < "$PC_FIXTURES/busybox.oci.tar"
    [ "$status" -eq 0 ]
    assert_equal "$output" "Loaded image: localhost/busybox:latest"
    # -q quiets podman's copy progress only: the line scripts read stays.
    run "$PC" load -q < "$PC_FIXTURES/busybox.oci.tar"
    [ "$status" -eq 0 ]
    assert_equal "$output" "Loaded image: localhost/busybox:latest"
}

@test "two loads of the same image at once both succeed and store it once" {
    "$PC" load -i "$PC_FIXTURES/layered.docker.tar" > "$PC_TEST_DIR/a" 2>&1 &
    a=$!
    "$PC" load -i "$PC_FIXTURES/layered.docker.tar" > "$PC_TEST_DIR/b" 2>&1 &
    b=$!
    wait $a
    wait $b
    run_pc images -q
    assert_equal "$output" "21102f038846"
    [ "$(ls "$XDG_DATA_HOME/pc/storage/layers" | wc -l)" -eq 3 ]
}

@test "kill -9 during a load leaves no image and the next load succeeds" {
    # Killed at three points of the load, each reached by a condition: at
    # once, once the store exists, once a first layer is being written. A
    # load faster than the poll is killed after it ended, which the checks
    # below must accept as well.
    local point
    for point in start store layer; do
        "$PC" load -i "$PC_FIXTURES/layered.docker.tar" >/dev/null 2>&1 &
        p=$!
        case $point in
            store) wait_for -t 20 sh -c '[ -d "$0/pc/storage" ] || ! kill -0 "$1"' "$XDG_DATA_HOME" "$p" ;;
            layer) wait_for -t 20 sh -c '[ -n "$(ls -A "$0/pc/storage/layers" 2>/dev/null)" ] || ! kill -0 "$1"' "$XDG_DATA_HOME" "$p" ;;
        esac
        kill -9 $p 2>/dev/null || true
        wait $p 2>/dev/null || true
        run_pc images --format '{{.Repository}}'
        [ -z "$output" ] || assert_equal "$output" "localhost/layered"
        run_pc rmi -a
    done
    run_pc load -i "$PC_FIXTURES/layered.docker.tar"
    run_pc images -q
    assert_equal "$output" "21102f038846"
}
