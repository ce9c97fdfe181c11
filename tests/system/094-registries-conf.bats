#!/usr/bin/env bats
# registries.conf as podman 4.3 reads it, with a real pull from Debian's
# docker-registry on 127.0.0.1: short names through unqualified-search
# registries and aliases, short-name-mode, [[registry]] insecure and
# blocked, drop-ins, CONTAINERS_REGISTRIES_CONF, malformed files.

load helpers
load helpers-registry

BUSYBOX_ID=d9ee980882a1b30f801e6d41900ff7c168221b7d20315bf7d02114d17aad3544

setup() {
    pc_setup
    export HOME=$PC_TEST_DIR/home
    CONF_DIR=$HOME/.config/containers
    mkdir -p "$CONF_DIR"
    unset CONTAINERS_REGISTRIES_CONF REGISTRY_AUTH_FILE
    registry_start
    registry_push busybox busybox:1
}

teardown() {
    registry_stop
    pc_teardown
}

@test "a short name through unqualified-search-registries; [[registry]] insecure allows plain HTTP" {
    cat > "$CONF_DIR/registries.conf" <<EOF
unqualified-search-registries = ["$REGISTRY"]
[[registry]]
location = "$REGISTRY"
insecure = true
EOF
    run_pc_split pull busybox:1
    assert_equal "$output" "$BUSYBOX_ID"
    assert_contains "$stderr" "Trying to pull $REGISTRY/busybox:1..."
    run_pc images --format '{{.Repository}}:{{.Tag}}'
    assert_equal "$output" "$REGISTRY/busybox:1"
}

@test "several search registries: permissive tries each in order; enforcing without a tty is podman's error" {
    cat > "$CONF_DIR/registries.conf" <<EOF
unqualified-search-registries = ["127.0.0.1:1", "$REGISTRY"]
[[registry]]
location = "$REGISTRY"
insecure = true
[[registry]]
location = "127.0.0.1:1"
insecure = true
EOF
    run_pc_split pull --retry 0 busybox:1 </dev/null
    assert_equal "$output" "$BUSYBOX_ID"
    assert_contains "$stderr" "Trying to pull 127.0.0.1:1/busybox:1..."
    assert_contains "$stderr" "Trying to pull $REGISTRY/busybox:1..."
    run_pc rmi -a
    printf 'short-name-mode = "enforcing"\n' > "$CONF_DIR/registries.conf.d.tmp"
    mkdir -p "$CONF_DIR/registries.conf.d"
    mv "$CONF_DIR/registries.conf.d.tmp" "$CONF_DIR/registries.conf.d/50-mode.conf"
    run_pc_split 125 pull busybox:1 </dev/null
    assert_equal "$stderr" "Error: short-name resolution enforced but cannot prompt without a TTY"
    # A fully-qualified name is never ambiguous.
    run_pc_split pull "$REGISTRY/busybox:1" </dev/null
    assert_equal "$output" "$BUSYBOX_ID"
}

@test "an alias wins over the search registries, even when enforcing; a drop-in adds it" {
    cat > "$CONF_DIR/registries.conf" <<EOF
unqualified-search-registries = ["127.0.0.1:1", "127.0.0.1:2"]
short-name-mode = "enforcing"
[[registry]]
location = "$REGISTRY"
insecure = true
EOF
    mkdir -p "$CONF_DIR/registries.conf.d"
    printf '[aliases]\n"bb" = "%s/busybox"\n' "$REGISTRY" > "$CONF_DIR/registries.conf.d/10-alias.conf"
    run_pc_split pull bb:1 </dev/null
    assert_equal "$output" "$BUSYBOX_ID"
    assert_contains "$stderr" "Trying to pull $REGISTRY/busybox:1..."
    # CONTAINERS_REGISTRIES_CONF names one file instead of the user's.
    printf 'unqualified-search-registries = []\n' > "$PC_TEST_DIR/env.conf"
    CONTAINERS_REGISTRIES_CONF=$PC_TEST_DIR/env.conf run_pc_split 125 pull nosuch </dev/null
    assert_equal "$stderr" "Error: short-name \"nosuch\" did not resolve to an alias and no unqualified-search registries are defined in \"$PC_TEST_DIR/env.conf\""
}

@test "a blocked registry is refused; localhost/ never leaves the machine" {
    cat > "$CONF_DIR/registries.conf" <<EOF
[[registry]]
location = "$REGISTRY"
insecure = true
blocked = true
EOF
    run_pc_split 125 pull "$REGISTRY/busybox:1"
    assert_contains "$stderr" "blocked"
    run_pc images -q
    assert_equal "$output" ""
    run_pc_split 125 pull localhost/busybox:1
    assert_contains "$stderr" "localhost/busybox:1"
    assert_not_contains "$stderr" "Trying to pull"
}

@test "malformed registries.conf: podman's messages, exit 125" {
    printf 'unqualified-search-registries=["127.0.0.1:1" \n' > "$CONF_DIR/registries.conf"
    run_pc_split 125 pull busybox
    assert_equal "$stderr" "Error: loading registries configuration \"$CONF_DIR/registries.conf\": toml: line 1 (last key \"unqualified-search-registries\"): expected a comma (',') or array terminator (']'), but got end of file"
    printf 'short-name-mode="bogus"\n' > "$CONF_DIR/registries.conf"
    run_pc_split 125 pull busybox
    assert_equal "$stderr" "Error: loading registries configuration \"$CONF_DIR/registries.conf\": invalid short-name mode: \"bogus\""
    printf '' > "$CONF_DIR/registries.conf"
    mkdir -p "$CONF_DIR/registries.conf.d"
    printf '[aliases]\n"foo" = "bar/foo"\n' > "$CONF_DIR/registries.conf.d/01.conf"
    run_pc_split 125 pull foo
    assert_equal "$stderr" "Error: loading drop-in registries configuration \"$CONF_DIR/registries.conf.d/01.conf\": validating short-name aliases: invalid alias \"bar/foo\": must contain registry and repository"
    # Binary garbage is an error, not a crash.
    head -c 4096 /dev/urandom > "$CONF_DIR/registries.conf.d/01.conf"
    run_pc_split 125 pull foo
    assert_contains "$stderr" "Error: loading drop-in registries configuration"
}

@test "enforcing on a terminal: the user picks one of the candidates" {
    cat > "$CONF_DIR/registries.conf" <<EOF2
unqualified-search-registries = ["127.0.0.1:1", "$REGISTRY"]
short-name-mode = "enforcing"
[[registry]]
location = "$REGISTRY"
insecure = true
EOF2
    # Each expect fails the drive (exit 99) when its text does not come.
    run python3 "$BATS_TEST_DIRNAME/ptydrive.py" 'expect:Please select an image' \
        'expect:1\) 127\.0\.0\.1:1/busybox:1' "expect:2\\) $REGISTRY/busybox:1" \
        'expect:Enter a number' 'send:2\r' -- "$PC" pull -q busybox:1
    [ "$status" -eq 0 ]
    assert_contains "$output" "$BUSYBOX_ID"
    assert_contains "$output" "EXIT 0"
    run_pc images --format '{{.Repository}}:{{.Tag}}'
    assert_equal "$output" "$REGISTRY/busybox:1"
}
