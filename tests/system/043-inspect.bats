#!/usr/bin/env bats
# inspect, export, commit, top.

load helpers
load helpers-containers

setup() {
    pc_setup
    pc_busybox
}

@test "container inspect has podman's fields" {
    run_pc run -d --name insp -e X=1 -l l=v --entrypoint /bin/sh busybox -c 'sleep 100'
    local id=$output
    run_pc container inspect insp
    echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert isinstance(d, list) and len(d) == 1
c = d[0]
assert c["Id"] == sys.argv[1]
assert c["Name"] == "insp"
s = c["State"]
assert s["Status"] == "running" and s["Running"] is True and s["Pid"] > 0
assert s["ExitCode"] == 0 and s["StartedAt"].startswith("20") and s["FinishedAt"].startswith("0001")
cfg = c["Config"]
assert "X=1" in cfg["Env"], cfg["Env"]
assert cfg["Entrypoint"] == ["/bin/sh"], cfg["Entrypoint"]
assert cfg["Cmd"] == ["-c", "sleep 100"], cfg["Cmd"]
assert cfg["Labels"] == {"l": "v"}
assert c["Path"] == "/bin/sh" and c["Args"] == ["-c", "sleep 100"]
assert c["ImageName"] == "localhost/busybox:latest"
assert len(c["Image"]) == 64
assert "HostConfig" in c and c["HostConfig"]["LogConfig"]["Type"] == "k8s-file"
assert isinstance(c["Mounts"], list)
assert "CAP_CHOWN" in c["EffectiveCaps"]
' "$id"
    run_pc stop -t 0 insp
    run_pc inspect --format '{{.State.Status}} {{.State.Running}} {{.State.ExitCode}}' insp
    assert_equal "$output" "exited false 137"
}

@test "pc inspect falls back to images; missing objects are errors" {
    run_pc inspect --format '{{.Id}}' localhost/busybox:latest
    [[ "$output" =~ ^[0-9a-f]{64}$ ]]
    run sh -c '"$0" inspect nosuch 2>/dev/null' "$PC"
    [ "$status" -eq 125 ]
    assert_equal "$output" "[]"
    run_pc 125 inspect nosuch
    assert_contains "$output" 'Error: inspecting object: no such object: "nosuch"'
    run_pc 125 container inspect nosuch
    assert_contains "$output" "no such container nosuch"
    run_pc create --name both busybox true
    run_pc inspect --type container --format '{{.Name}}' both
    assert_equal "$output" "both"
}

@test "the spec is stored as config.json and shown by OCIConfigPath" {
    run_pc create --name sp --read-only busybox true
    run_pc inspect --format '{{.OCIConfigPath}}' sp
    python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["root"]["readonly"] is True
assert s["process"]["args"] == ["true"]
assert "run.pc.rootfs" in s["annotations"]
assert s["linux"]["seccomp"]["defaultAction"]
' "$output"
}

@test "inspect's GraphDriver: the overlay's dirs; what the container writes is in UpperDir, the image in LowerDir" {
    run_pc create --name gd busybox sh -c 'echo written >/new; sleep 100'
    run_pc inspect --format '{{.GraphDriver.Name}}' gd
    assert_equal "$output" overlay
    run_pc start gd
    wait_for sh -c "test -s \"\$('$PC' inspect --format '{{.GraphDriver.Data.UpperDir}}' gd)/new\""
    run_pc inspect --format '{{.GraphDriver.Data.UpperDir}}' gd
    local upper=$output
    run cat "$upper/new"
    assert_equal "$output" written
    run_pc inspect --format '{{.GraphDriver.Data.LowerDir}}' gd
    local lower=$output
    # One busybox layer, holding the image's files; the container's merged
    # view shows them.
    [ -x "${lower%%:*}/bin/busybox" ]
    run_pc inspect --format '{{.GraphDriver.Data.WorkDir}} {{.GraphDriver.Data.MergedDir}}' gd
    assert_equal "$output" "${upper%/diff}/work ${upper%/diff}/merged"
    [ -d "${upper%/diff}/work" ]
    run_pc rm -f -t 0 gd
}

@test "export writes the container's filesystem as a tar" {
    run_pc run --name ex busybox sh -c 'echo exported > /marker'
    run_pc export -o "$PC_TEST_DIR/ex.tar" ex
    tar tf "$PC_TEST_DIR/ex.tar" > "$PC_TEST_DIR/list"
    grep -qx 'marker' "$PC_TEST_DIR/list"
    grep -q '^bin/' "$PC_TEST_DIR/list"
    assert_equal "$(tar xOf "$PC_TEST_DIR/ex.tar" marker)" "exported"
    # a running container too, without what is mounted over /proc
    run_pc run -d --name exr busybox sh -c 'echo live > /live; echo written; sleep 100'
    wait_for sh -c '"$0" logs exr | grep -q written' "$PC"
    "$PC" export exr > "$PC_TEST_DIR/exr.tar"
    assert_equal "$(tar xOf "$PC_TEST_DIR/exr.tar" live)" "live"
    run tar tf "$PC_TEST_DIR/exr.tar" proc/self/status
    [ "$status" -ne 0 ]
}

@test "commit makes an image with the container's changes and --change config" {
    run_pc run --name cm busybox sh -c 'echo committed > /data.txt'
    run_pc commit -c 'CMD ["cat", "/data.txt"]' -c 'ENV COMMITTED=1' cm committed-img
    [[ "${lines[-1]}" =~ ^[0-9a-f]{64}$ ]]
    run_pc run --rm committed-img
    assert_equal "$output" "committed"
    run_pc run --rm committed-img sh -c 'echo $COMMITTED'
    assert_equal "$output" "1"
    run_pc images --format '{{.Repository}}:{{.Tag}}'
    assert_contains "$output" "localhost/committed-img:latest"
}

@test "top lists the container's processes with podman's columns" {
    run_pc run -d --name tp busybox sh -c 'sleep 100 & sleep 200'
    wait_for sh -c '"$0" top tp | grep -q "sleep 100" && "$0" top tp | grep -q "sleep 200"' "$PC"
    run_pc top tp
    assert_equal "$(echo "${lines[0]}" | tr -s ' ')" "USER PID PPID %CPU ELAPSED TTY TIME COMMAND"
    assert_contains "$output" "sleep 100"
    assert_contains "$output" "sleep 200"
    [[ "${lines[1]}" =~ ^root\ +1\ +0\  ]]
    run_pc top tp pid,args
    assert_equal "$(echo "${lines[0]}" | tr -s ' ')" "PID COMMAND"
    run_pc 125 top tp bogus
    assert_contains "$output" "unknown descriptor: bogus"
    run_pc stop -t 0 tp
    run_pc 125 top tp
    assert_contains "$output" "can only be used on running containers"
}
