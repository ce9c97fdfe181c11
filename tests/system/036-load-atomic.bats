#!/usr/bin/env bats
# A load that fails (exit 125) leaves no image registered: every name is
# checked before anything is committed (a 5000-character tag used to leave
# the image behind), and an archive listing the same image twice loads it
# once.

load helpers

# mkarchive OUT PYEXPR: the busybox fixture with manifest.json replaced by
# PYEXPR, evaluated with m = the fixture's manifest list; bad_config() adds
# a copy of the config whose diff_id does not match the layer and returns
# its name.
mkarchive() {
    python3 - "$PC_FIXTURES/busybox.docker.tar" "$1" "$2" <<'PY'
import io, json, sys, tarfile
src, out, expr = sys.argv[1:4]
with tarfile.open(src) as t:
    members = [(ti, t.extractfile(ti).read() if ti.isfile() else None) for ti in t.getmembers()]
m = json.loads([d for ti, d in members if ti.name == "manifest.json"][0])
def bad_config():
    import hashlib
    cfg = json.loads([d for ti, d in members if ti.name == m[0]["Config"]][0])
    cfg["rootfs"]["diff_ids"] = ["sha256:" + "0" * 64]
    data = json.dumps(cfg).encode()
    name = hashlib.sha256(data).hexdigest() + ".json"
    ti = tarfile.TarInfo(name); ti.size = len(data)
    members.append((ti, data))
    return name
new = json.dumps(eval(expr)).encode()
with tarfile.open(out, "w") as o:
    for ti, d in members:
        if ti.name == "manifest.json":
            ti.size = len(new); d = new
        o.addfile(ti, io.BytesIO(d) if d is not None else None)
PY
}

@test "load refuses a 5000-character tag and registers nothing" {
    mkarchive "$PC_TEST_DIR/long.tar" '[dict(m[0], RepoTags=["localhost/ok:latest", "localhost/x:" + "t" * 5000])]'
    run_pc 125 load -i "$PC_TEST_DIR/long.tar"
    run_pc images -a --format '{{.ID}}'
    assert_equal "$output" ""
    mkarchive "$PC_TEST_DIR/longname.tar" '[dict(m[0], RepoTags=["localhost/" + "a" * 5000 + ":latest"])]'
    run_pc 125 load -i "$PC_TEST_DIR/longname.tar"
    run_pc images -a --format '{{.ID}}'
    assert_equal "$output" ""
    # The store is usable afterwards.
    pc_load_fixture busybox
    run_pc images --format '{{.Repository}}:{{.Tag}}'
    assert_equal "$output" "localhost/busybox:latest"
}

@test "load of an archive listing the same image twice succeeds with the image once" {
    mkarchive "$PC_TEST_DIR/dup.tar" 'm + m'
    run_pc load -i "$PC_TEST_DIR/dup.tar"
    run_pc images --format '{{.Repository}}:{{.Tag}}'
    assert_equal "$output" "localhost/busybox:latest"
}

@test "a load that fails on its second image registers neither" {
    mkarchive "$PC_TEST_DIR/second-bad.tar" '[m[0], dict(m[0], RepoTags=["localhost/y:" + "t" * 5000])]'
    run_pc 125 load -i "$PC_TEST_DIR/second-bad.tar"
    run_pc images -a --format '{{.ID}}'
    assert_equal "$output" ""
    # The second image fails only once the first is in the store (its
    # layer does not match its config): the first is taken out again.
    mkarchive "$PC_TEST_DIR/second-fails.tar" '[m[0], dict(m[0], Config=bad_config(), RepoTags=["localhost/bad:latest"])]'
    run_pc 125 load -i "$PC_TEST_DIR/second-fails.tar"
    assert_contains "$output" "diff_id"
    assert_not_contains "$output" "Loaded image"
    run_pc images -a --format '{{.ID}}'
    assert_equal "$output" ""
    # An image that was there before keeps its names.
    pc_load_fixture busybox
    run_pc tag localhost/busybox localhost/mine
    run_pc 125 load -i "$PC_TEST_DIR/second-fails.tar"
    run_pc images --format '{{.Repository}}:{{.Tag}}'
    assert_equal "$(echo "$output" | sort | tr '\n' ' ')" "localhost/busybox:latest localhost/mine:latest "
}
