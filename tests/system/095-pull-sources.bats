#!/usr/bin/env bats
# Where a pull fetches from, as registries.conf says (podman 4.3,
# containers-registries.conf(5)): [[registry]] location rewrites, mirrors
# tried in order before the primary (insecure and pull-from-mirror each),
# blocked registries, the "Resolved ... as an alias" line, the aliases
# cache after a pick at the prompt, auth.json's per-namespace credentials.
# Two docker-registry instances on 127.0.0.1 (the primary and a mirror);
# messages compared with podman 4.3 on this machine.

load helpers
load helpers-registry

BUSYBOX_ID=d9ee980882a1b30f801e6d41900ff7c168221b7d20315bf7d02114d17aad3544

setup() {
    pc_setup
    export HOME=$PC_TEST_DIR/home
    CONF_DIR=$HOME/.config/containers
    mkdir -p "$CONF_DIR"
    unset CONTAINERS_REGISTRIES_CONF REGISTRY_AUTH_FILE DOCKER_CONFIG
    MIRROR_PID=
}

teardown() {
    if [ -n "$MIRROR_PID" ]; then
        kill "$MIRROR_PID" 2>/dev/null || true
        wait "$MIRROR_PID" 2>/dev/null || true
    fi
    registry_stop
    pc_teardown
}

# Starts the mirror (its own storage) and then the primary: MIRROR and REGISTRY.
two_registries() {
    mkdir -p "$PC_TEST_DIR/m"
    PC_TEST_DIR=$PC_TEST_DIR/m registry_start
    MIRROR=$REGISTRY MIRROR_PID=$REGISTRY_PID MIRROR_DIR=$REGISTRY_DIR
    registry_start "${1:-}"
}

mirror_push() {
    skopeo copy -q --dest-tls-verify=false "oci-archive:$PC_FIXTURES/$1.oci.tar" \
        "docker://$MIRROR/$2" >/dev/null
}

@test "a mirror that has the image is used; the primary is down; the name is the one asked for" {
    two_registries
    mirror_push busybox mirror/busybox:1
    cat > "$CONF_DIR/registries.conf" <<EOF
[[registry]]
prefix = "example.test/ns"
location = "127.0.0.1:1/prim"
insecure = true
[[registry.mirror]]
location = "$MIRROR/mirror"
insecure = true
EOF
    run_pc_split pull --retry 0 example.test/ns/busybox:1
    assert_equal "$output" "$BUSYBOX_ID"
    assert_equal "$(grep -c 'Trying to pull' <<< "$stderr")" 1
    assert_contains "$stderr" "Trying to pull example.test/ns/busybox:1..."
    digest=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$MIRROR/mirror/busybox:1")
    run_pc image inspect --format '{{.RepoTags}} {{.RepoDigests}}' "$BUSYBOX_ID"
    assert_equal "$output" "[example.test/ns/busybox:1] [example.test/ns/busybox@$digest]"
}

@test "mirrors in order: one down, one without the image, then the primary; all failing is podman's message" {
    two_registries
    registry_push busybox prim/busybox:1
    cat > "$CONF_DIR/registries.conf" <<EOF
[[registry]]
prefix = "example.test/ns"
location = "$REGISTRY/prim"
insecure = true
[[registry.mirror]]
location = "127.0.0.1:1/down"
insecure = true
[[registry.mirror]]
location = "$MIRROR/mirror"
insecure = true
EOF
    run_pc_split pull --retry 0 example.test/ns/busybox:1
    assert_equal "$output" "$BUSYBOX_ID"
    assert_equal "$(grep -c 'Trying to pull' <<< "$stderr")" 1
    run_pc images --format '{{.Repository}}:{{.Tag}}'
    assert_equal "$output" "example.test/ns/busybox:1"

    run_pc_split 125 pull --retry 0 example.test/ns/busybox:9
    assert_equal "$stderr" "Trying to pull example.test/ns/busybox:9...
Error: initializing source docker://example.test/ns/busybox:9: (Mirrors also failed: [127.0.0.1:1/down/busybox:9: pinging container registry 127.0.0.1:1: Get \"http://127.0.0.1:1/v2/\": connect: connection refused]
[$MIRROR/mirror/busybox:9: reading manifest 9 in $MIRROR/mirror/busybox: manifest unknown: manifest unknown]): $REGISTRY/prim/busybox:9: reading manifest 9 in $REGISTRY/prim/busybox: manifest unknown: manifest unknown"
}

@test "pull-from-mirror = digest-only: a tag skips the mirror, a digest uses it" {
    two_registries
    mirror_push busybox mirror/busybox:1
    digest=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$MIRROR/mirror/busybox:1")
    cat > "$CONF_DIR/registries.conf" <<EOF
[[registry]]
prefix = "example.test/ns"
location = "$REGISTRY/prim"
insecure = true
[[registry.mirror]]
location = "$MIRROR/mirror"
insecure = true
pull-from-mirror = "digest-only"
EOF
    run_pc_split 125 pull --retry 0 example.test/ns/busybox:1
    assert_equal "$stderr" "Trying to pull example.test/ns/busybox:1...
Error: initializing source docker://example.test/ns/busybox:1: reading manifest 1 in $REGISTRY/prim/busybox: manifest unknown: manifest unknown"
    run_pc_split pull --retry 0 "example.test/ns/busybox@$digest"
    assert_equal "$output" "$BUSYBOX_ID"
}

@test "location rewrites the prefix; a blocked registry is podman's message naming the files" {
    registry_start
    registry_push busybox prim/busybox:1
    cat > "$CONF_DIR/registries.conf" <<EOF
[[registry]]
prefix = "example.test"
location = "$REGISTRY/prim"
insecure = true
[[registry]]
location = "blocked.test"
blocked = true
EOF
    run_pc_split pull example.test/busybox:1
    assert_equal "$output" "$BUSYBOX_ID"
    run_pc images --format '{{.Repository}}:{{.Tag}}'
    assert_equal "$output" "example.test/busybox:1"

    run_pc_split 125 pull blocked.test/x/y:1
    assert_equal "$stderr" "Trying to pull blocked.test/x/y:1...
Error: initializing source docker://blocked.test/x/y:1: registry blocked.test is blocked in $CONF_DIR/registries.conf or $CONF_DIR/registries.conf.d"
}

@test "an alias: podman's Resolved line before Trying to pull (not with -q)" {
    registry_start
    registry_push busybox prim/busybox:1
    cat > "$CONF_DIR/registries.conf" <<EOF
[aliases]
"bb" = "$REGISTRY/prim/busybox"
[[registry]]
location = "$REGISTRY"
insecure = true
EOF
    run_pc_split pull bb:1
    assert_equal "$output" "$BUSYBOX_ID"
    assert_equal "$(head -2 <<< "$stderr")" "Resolved \"bb\" as an alias ($CONF_DIR/registries.conf)
Trying to pull $REGISTRY/prim/busybox:1..."
    run_pc rmi -a
    run_pc_split pull -q bb:1
    assert_equal "$output" "$BUSYBOX_ID"
    assert_equal "$stderr" ""
}

@test "a name picked at the enforcing prompt is recorded in the aliases cache" {
    registry_start
    registry_push busybox busybox:1
    cat > "$CONF_DIR/registries.conf" <<EOF
unqualified-search-registries = ["127.0.0.1:1", "$REGISTRY"]
short-name-mode = "enforcing"
[[registry]]
location = "$REGISTRY"
insecure = true
EOF
    run python3 "$BATS_TEST_DIRNAME/ptydrive.py" 'expect:Please select an image' \
        "expect:2\\) $REGISTRY/busybox:1" 'expect:Enter a number' 'send:2\r' \
        -- "$PC" pull -q busybox:1
    [ "$status" -eq 0 ]
    assert_contains "$output" "EXIT 0"
    run_pc rmi -a
    # No terminal now: enforcing would refuse, the cached alias resolves it.
    run_pc_split pull busybox:1 </dev/null
    assert_equal "$output" "$BUSYBOX_ID"
    assert_contains "$stderr" "Resolved \"busybox\" as an alias ("
    assert_contains "$stderr" "short-name-aliases.conf)
Trying to pull $REGISTRY/busybox:1..."
}

@test "auth.json: a namespace's entry applies to its repositories, the host's to the others" {
    command -v htpasswd >/dev/null || skip "htpasswd (apache2-utils) is not installed"
    mkdir -p "$PC_TEST_DIR/auth"
    htpasswd -Bbn tester 's3cr3t' > "$PC_TEST_DIR/auth/htpasswd"
    registry_start "auth:
  htpasswd:
    realm: pc-test
    path: $PC_TEST_DIR/auth/htpasswd"
    for r in ns/busybox:1 other/busybox:1; do
        skopeo copy -q --dest-tls-verify=false --dest-creds tester:s3cr3t \
            "oci-archive:$PC_FIXTURES/busybox.oci.tar" "docker://$REGISTRY/$r" >/dev/null
    done
    printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REGISTRY" > "$CONF_DIR/registries.conf"
    mkdir -p "$XDG_RUNTIME_DIR/containers"
    printf '{"auths":{"%s":{"auth":"%s"},"%s/ns":{"auth":"%s"}}}' \
        "$REGISTRY" "$(printf 'tester:wrong' | base64)" \
        "$REGISTRY" "$(printf 'tester:s3cr3t' | base64)" > "$XDG_RUNTIME_DIR/containers/auth.json"
    run_pc_split pull -q "$REGISTRY/ns/busybox:1"
    assert_equal "$output" "$BUSYBOX_ID"
    run_pc_split 125 pull -q --retry 0 "$REGISTRY/other/busybox:1"
    assert_contains "$stderr" "$REGISTRY/other/busybox:1"
    assert_contains "$stderr" "authentication required"
    # Through a location rewrite, the entry of the repository actually pulled.
    printf '[[registry]]\nprefix = "example.test"\nlocation = "%s/ns"\ninsecure = true\n' "$REGISTRY" \
        > "$CONF_DIR/registries.conf"
    run_pc_split pull -q example.test/busybox:1
    assert_equal "$output" "$BUSYBOX_ID"
}
