#!/usr/bin/env bats
# Directory trees deeper than the fds a process may hold: removing a
# container or a layer walks them with a bounded number of fds (they used
# to fail with "Too many open files" for good, and every later rmi of the
# store with them).

load helpers
load helpers-containers

# nest N: a shell loop the container runs to nest N directories.
nest() {
    echo "i=0; while [ \$i -lt $1 ]; do mkdir d && cd d || exit 1; i=\$((i+1)); done; touch leaf"
}

@test "containers holding 600- and 1500-deep trees are removed by rm -f" {
    pc_busybox
    run_pc run --name deep600 localhost/busybox sh -c "$(nest 600)"
    run_pc run --name deep1500 localhost/busybox sh -c "$(nest 1500)"
    run_pc rm -f deep600 deep1500
    run_pc ps -a --format '{{.Names}}'
    assert_equal "$output" ""
    # The store holds nothing of them, and the image goes too.
    run_pc rmi localhost/busybox
    assert_contains "$output" "Deleted:"
    run_pc images -q
    assert_equal "$output" ""
}

@test "run --rm of a container nesting 1500 directories removes it" {
    pc_busybox
    run_pc run --rm --name deeprm localhost/busybox sh -c "$(nest 1500)"
    wait_for -t 20 bash -c "! '$PC' container exists deeprm"
    run_pc rmi localhost/busybox
}

@test "rmi -f removes an image with deep containers, and says Deleted only when it deleted" {
    pc_busybox
    run_pc run --name deepf localhost/busybox sh -c "$(nest 1500)"
    run_pc rmi -f localhost/busybox
    assert_contains "$output" "Deleted:"
    run_pc ps -a --format '{{.Names}}'
    assert_equal "$output" ""
}

@test "an image whose layer holds a 1500-deep directory is loaded and removed" {
    python3 - "$PC_TEST_DIR/deep.tar" <<'PY'
import hashlib, io, json, sys, tarfile
layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as t:
    path = ""
    for i in range(1500):
        path = path + "d" if not path else path + "/d"
        ti = tarfile.TarInfo(path); ti.type = tarfile.DIRTYPE; ti.mode = 0o755
        t.addfile(ti)
    ti = tarfile.TarInfo(path + "/leaf"); ti.size = 2
    t.addfile(ti, io.BytesIO(b"x\n"))
layer = layer.getvalue()
diff = "sha256:" + hashlib.sha256(layer).hexdigest()
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                  "rootfs": {"type": "layers", "diff_ids": [diff]}}).encode()
cfg_name = hashlib.sha256(cfg).hexdigest() + ".json"
man = json.dumps([{"Config": cfg_name, "RepoTags": ["localhost/deep:latest"],
                   "Layers": ["layer.tar"]}]).encode()
with tarfile.open(sys.argv[1], "w") as out:
    for name, data in (("layer.tar", layer), (cfg_name, cfg), ("manifest.json", man)):
        ti = tarfile.TarInfo(name); ti.size = len(data)
        out.addfile(ti, io.BytesIO(data))
PY
    run_pc load -i "$PC_TEST_DIR/deep.tar"
    run_pc rmi localhost/deep
    assert_contains "$output" "Deleted:"
    # Later removals in the same store still work.
    pc_busybox
    run_pc rmi localhost/busybox
    run_pc images -q
    assert_equal "$output" ""
    [ -z "$(ls -A "$XDG_DATA_HOME/pc/storage/layers" 2>/dev/null)" ] || {
        ls -la "$XDG_DATA_HOME/pc/storage/layers" >&2; false; }
}

@test "rmi counts a container whose storage a failed rm half removed as a user of the image" {
    pc_busybox
    run_pc create --name half localhost/busybox true
    local id
    id=$("$PC" inspect --format '{{.Id}}' half)
    # What a failed storage removal left: its record gone, the container's
    # engine record still there.
    "$PC" unshare rm "$XDG_DATA_HOME/pc/storage/containers/$id/container.json"
    run_pc 2 rmi localhost/busybox
    assert_contains "$output" "in use"
    assert_not_contains "$output" "Deleted"
    run_pc rmi -f localhost/busybox
    assert_contains "$output" "Deleted:"
    run_pc ps -a --format '{{.Names}}'
    assert_equal "$output" ""
}
