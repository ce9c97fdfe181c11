#!/usr/bin/env bats
# pc commit of a vfs container: the layer diff compares the container's copy
# with the image (additions, changes, deletions as whiteouts).

load helpers

@test "vfs: commit carries additions, changes and deletions" {
    pc_load_fixture layered
    # layered's entrypoint is `sh -c`: the command is a script.
    run_pc --storage-driver vfs run --name vd layered \
        'echo new > /data/new.txt; echo changed > /etc/motd; rm /data/added.txt; rm -r /data/keep'
    run_pc commit vd vfs-committed
    [[ "${lines[-1]}" =~ ^[0-9a-f]{64}$ ]]
    run_pc image inspect --format '{{json .RootFS.Layers}}' vfs-committed
    assert_equal "$(grep -o 'sha256:' <<<"$output" | wc -l)" "4"
    run_pc --storage-driver vfs run --rm vfs-committed 'cat /data/new.txt /etc/motd'
    assert_equal "${lines[0]}" "new"
    assert_equal "${lines[1]}" "changed"
    run_pc --storage-driver vfs run --rm vfs-committed 'ls -a /data'
    assert_not_contains "$output" "added.txt"
    assert_not_contains "$output" "keep"
    assert_not_contains "$output" ".wh."
    assert_contains "$output" "hard-b.txt"
    # The same layer under the default driver (whiteouts as overlay's).
    run_pc run --rm vfs-committed 'ls -a /data; cat /data/new.txt'
    assert_not_contains "$output" "added.txt"
    assert_not_contains "$output" ".wh."
    assert_equal "${lines[-1]}" "new"
}

@test "vfs: the committed layer holds only the changes" {
    pc_load_fixture layered
    run_pc --storage-driver vfs run --name vd2 layered 'echo x > /data/only.txt; rm /data/added.txt'
    run_pc commit vd2 vfs-small
    run_pc save --format oci-dir -o "$PC_TEST_DIR/oci" vfs-small
    layer=$(python3 -c '
import json, sys
d = sys.argv[1] + "/blobs/sha256/"
idx = json.load(open(sys.argv[1] + "/index.json"))
m = json.load(open(d + idx["manifests"][0]["digest"].split(":")[1]))
print(m["layers"][-1]["digest"].split(":")[1])' "$PC_TEST_DIR/oci")
    run tar tf "$PC_TEST_DIR/oci/blobs/sha256/$layer"
    [ "$status" -eq 0 ]
    # The runtime's mount points for /etc/hosts, /etc/hostname,
    # /etc/resolv.conf and /run/.containerenv are new files of the copy;
    # nothing unchanged is there.
    assert_equal "$(grep -v -e '^etc/' -e '^run/' <<<"$output")" "$(printf 'data/\ndata/.wh.added.txt\ndata/only.txt')"
    assert_not_contains "$output" "etc/motd"
}

@test "driver = \"vfs\" in the user's storage.conf is used by commands in the user namespace" {
    # pc reads $XDG_CONFIG_HOME/pc/storage.conf (docs/storage.md). Inside
    # pc's user namespace the euid is 0; the file is still the user's.
    mkdir -p "$XDG_CONFIG_HOME/pc"
    printf '[storage]\ndriver = "vfs"\n' > "$XDG_CONFIG_HOME/pc/storage.conf"
    pc_load_fixture busybox
    run_pc create --name confvfs localhost/busybox true
    run_pc inspect --format '{{.Driver}}' confvfs
    assert_equal "$output" "vfs"
    run_pc run --rm localhost/busybox echo ran
    assert_equal "$output" "ran"
}
