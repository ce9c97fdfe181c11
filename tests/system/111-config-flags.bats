#!/usr/bin/env bats
# storage.conf, the global flags podman users' scripts pass, and the
# fields of `pc info` tools read (docs/config.md). podman 4.3 on this
# machine gave the names and messages.

load helpers
load helpers-containers

setup() {
    pc_setup
    export HOME=$PC_TEST_DIR/home
    CONF=$XDG_CONFIG_HOME/containers
    mkdir -p "$CONF" "$HOME"
    unset CONTAINERS_CONF CONTAINERS_CONF_OVERRIDE CONTAINERS_STORAGE_CONF PC_STORAGE_DRIVER
}

teardown() {
    unset CONTAINERS_STORAGE_CONF
    pc_teardown
}

# ---- storage.conf

@test "storage.conf: driver, and graphroot/runroot with pc's store in a pc directory below them" {
    run_pc info --format '{{.Store.GraphRoot}} {{.Store.RunRoot}}'
    assert_equal "$output" "$XDG_DATA_HOME/pc/storage $XDG_RUNTIME_DIR/pc"
    printf '[storage]\ndriver = "vfs"\ngraphroot = "%s"\nrunroot = "%s"\n' \
        "$PC_TEST_DIR/g" "$PC_TEST_DIR/r" > "$CONF/storage.conf"
    run_pc info --format '{{.Store.GraphRoot}} {{.Store.RunRoot}} {{.Store.GraphDriverName}}'
    assert_equal "$output" "$PC_TEST_DIR/g/pc $PC_TEST_DIR/r/pc vfs"
    pc_busybox
    [ -d "$PC_TEST_DIR/g/pc/images" ]
    run_pc images --format '{{.Repository}}'
    assert_equal "$output" "localhost/busybox"
    # --root and --storage-driver win over the file
    run_pc --root "$PC_TEST_DIR/other" info --format '{{.Store.GraphRoot}}'
    assert_equal "$output" "$PC_TEST_DIR/other"
}

@test "overlay with mount_program = fuse-overlayfs is pc's fuse-overlayfs driver (storage.conf or --storage-opt)" {
    printf '[storage]\ndriver = "overlay"\n[storage.options.overlay]\nmount_program = "/usr/bin/fuse-overlayfs"\n' > "$CONF/storage.conf"
    run_pc info --format '{{.Store.GraphDriverName}}'
    assert_equal "$output" "fuse-overlayfs"
    rm "$CONF/storage.conf"
    run_pc --storage-opt overlay.mount_program=/usr/bin/fuse-overlayfs info --format '{{.Store.GraphDriverName}}'
    assert_equal "$output" "fuse-overlayfs"
    run_pc --storage-opt overlay.mount_program=/usr/bin/fuse-overlayfs --storage-driver vfs info --format '{{.Store.GraphDriverName}}'
    assert_equal "$output" "vfs"
}

@test "CONTAINERS_STORAGE_CONF replaces the user's file; pc's own storage.conf names the store itself" {
    printf '[storage]\ngraphroot = "%s"\n' "$PC_TEST_DIR/user" > "$CONF/storage.conf"
    printf '[storage]\ngraphroot = "%s"\n' "$PC_TEST_DIR/env" > "$PC_TEST_DIR/s.conf"
    CONTAINERS_STORAGE_CONF=$PC_TEST_DIR/s.conf run_pc info --format '{{.Store.GraphRoot}}'
    assert_equal "$output" "$PC_TEST_DIR/env/pc"
    mkdir -p "$XDG_CONFIG_HOME/pc"
    printf '[storage]\ngraphroot = "%s"\ndriver = "vfs"\n' "$PC_TEST_DIR/mine" > "$XDG_CONFIG_HOME/pc/storage.conf"
    run_pc info --format '{{.Store.GraphRoot}} {{.Store.GraphDriverName}}'
    assert_equal "$output" "$PC_TEST_DIR/mine vfs"
}

@test "a malformed storage.conf names the file and line" {
    printf '[storage]\ndriver = vfs\n' > "$CONF/storage.conf"
    run_pc 125 info
    assert_contains "$output" "$CONF/storage.conf"
    assert_contains "$output" "line 2"
    printf '[storage]\ndriver = 3\n' > "$CONF/storage.conf"
    run_pc 125 info
    assert_contains "$output" 'line 2 (last key "storage.driver"): incompatible types: TOML value has type int64; destination has type string'
}

# ---- global flags

@test "--noout and --out FILE take stdout away; errors still reach stderr" {
    pc_busybox
    run_pc_split --noout images
    assert_equal "$output" ""
    run_pc --out "$PC_TEST_DIR/out.txt" images --format '{{.Repository}}'
    assert_equal "$output" ""
    assert_equal "$(cat "$PC_TEST_DIR/out.txt")" "localhost/busybox"
    run_pc_split 125 --noout inspect nosuch
    assert_contains "$stderr" "nosuch"
    run_pc 125 --out "$PC_TEST_DIR/no/such/dir/x" images
    assert_contains "$output" "$PC_TEST_DIR/no/such/dir/x"
}

@test "--storage-opt, --tmpdir, --syslog are accepted; --log-level takes podman's names" {
    run_pc --storage-opt overlay.mount_program=/usr/bin/fuse-overlayfs --tmpdir "$PC_TEST_DIR" --syslog ps -q
    assert_equal "$output" ""
    run_pc --log-level debug --storage-opt x=y ps -q
    assert_contains "$output" "--storage-opt x=y"
    for l in trace info warning fatal panic; do
        run_pc --log-level $l ps -q
    done
    run_pc 125 --log-level bogus ps
    assert_equal "$output" 'Error: log level "bogus" is not supported, choose from: trace, debug, info, warn, warning, error, fatal, panic'
    run_pc 125 --syslog=maybe ps
}

@test "global flags after the command word, as podman's persistent flags" {
    pc_busybox
    run_pc images --root "$PC_TEST_DIR/empty" -q
    assert_equal "$output" ""
    run_pc images -q
    assert_not_equal "$output" ""
    run_pc ps --log-level debug -q
    assert_contains "$output" "reading configuration file"
    run_pc info --events-backend none --format '{{.Host.EventLogger}}'
    assert_equal "$output" "none"
    run_pc 125 ps --log-level bogus
    assert_contains "$output" 'log level "bogus" is not supported'
    run_pc images --noout
    assert_equal "$output" ""
    # after run's image, flags belong to the container's command
    run_pc run --rm busybox echo --root x
    assert_equal "$output" "--root x"
}

# ---- pc info

@test "pc info: the fields tools read, named as podman's" {
    printf '[containers]\nlog_driver = "none"\n[engine]\nevents_logger = "none"\n' > "$CONF/containers.conf"
    run_pc info --format '{{.Host.OCIRuntime.Name}}|{{.Host.NetworkBackend}}|{{.Host.EventLogger}}|{{.Host.LogDriver}}|{{.Host.CgroupManager}}|{{.Host.RemoteSocket.Path}}|{{.Version.Version}}|{{.Version.APIVersion}}'
    assert_equal "$output" "pc|pc|none|none|cgroupfs||$("$PC" --version | awk '{print $3}')|$("$PC" --version | awk '{print $3}')"
    run_pc info --format '{{.Host.OCIRuntime.Path}}'
    [ -x "$output" ]
    run_pc info --format '{{.Host.Conmon.Path}}'
    [ -x "$output" ]
    run_pc info --format json
    for k in '"ociRuntime"' '"conmon"' '"networkBackend"' '"eventLogger"' '"logDriver"' '"cgroupManager"' '"remoteSocket"' '"graphDriverName"' '"graphRoot"' '"runRoot"' '"APIVersion"'; do
        assert_contains "$output" "$k"
    done
    run_pc info
    assert_contains "$output" "  ociRuntime:"
    assert_contains "$output" "  graphDriverName: "
}
