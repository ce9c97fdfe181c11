#!/usr/bin/env bats
# pc push into Debian's docker-registry on 127.0.0.1; skopeo (a client pc did
# not write) inspects and copies what pc wrote. pc search and manifest inspect.

load helpers
load helpers-registry

setup() {
    pc_setup
    export HOME=$PC_TEST_DIR/home
    mkdir -p "$HOME"
    unset REGISTRY_AUTH_FILE DOCKER_CONFIG
    export CONTAINERS_REGISTRIES_CONF=$PC_TEST_DIR/registries.conf
    : > "$CONTAINERS_REGISTRIES_CONF"
    # The access log shows each request (HEAD, the mount POST, uploads).
    export REGISTRY_LOG_ACCESSLOG_DISABLED=false
    registry_start
}

teardown() {
    registry_stop
    pc_teardown
}

# raw_manifest REF: the manifest as skopeo reads it.
raw_manifest() {
    skopeo inspect --tls-verify=false --raw "docker://$REGISTRY/$1"
}

json_get() {
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {"d": d}))' "$1"
}

@test "push: podman's output, skopeo sees it and copies it with verified layers, the digest file" {
    pc_load_fixture busybox
    run_pc_split push --tls-verify=false --digestfile "$PC_TEST_DIR/digest" busybox "$REGISTRY/pushed/bb:1"
    assert_equal "$output" ""
    assert_contains "$stderr" "Getting image source signatures"
    assert_contains "$stderr" "Copying blob sha256:"
    assert_contains "$stderr" "Copying config sha256:d9ee980882a1"
    assert_contains "$stderr" "Writing manifest to image destination"
    assert_contains "$stderr" "Storing signatures"
    run skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REGISTRY/pushed/bb:1"
    [ "$status" -eq 0 ]
    assert_equal "$(cat "$PC_TEST_DIR/digest")" "$output"
    # skopeo copies it out; every blob it wrote hashes to its name
    skopeo copy -q --src-tls-verify=false "docker://$REGISTRY/pushed/bb:1" "oci:$PC_TEST_DIR/out:bb"
    n=0
    for f in "$PC_TEST_DIR"/out/blobs/sha256/*; do
        assert_equal "$(sha256sum < "$f" | cut -d' ' -f1)" "$(basename "$f")"
        n=$((n + 1))
    done
    [ "$n" -ge 3 ]
    # and its config is the image's: pulling it back gives the same id
    run_pc images -q --no-trunc
    id=$output
    run_pc rmi busybox
    run_pc pull -q --tls-verify=false "$REGISTRY/pushed/bb:1"
    assert_equal "sha256:$output" "$id"
    run_pc run --rm "$REGISTRY/pushed/bb:1" echo round-trip
    assert_equal "$output" "round-trip"
}

@test "push -q is silent; image push; docker:// destinations; other transports refused" {
    pc_load_fixture busybox
    run_pc_split push -q --tls-verify=false busybox "docker://$REGISTRY/bb:q"
    assert_equal "$output" ""
    assert_equal "$stderr" ""
    run_pc image push -q --tls-verify=false busybox "$REGISTRY/bb:img"
    raw_manifest bb:img >/dev/null
    run_pc 125 push --tls-verify=false busybox "oci:$PC_TEST_DIR/x"
    assert_contains "$output" "oci"
    run_pc 125 push --tls-verify=false nosuchimage "$REGISTRY/bb:1"
    assert_contains "$output" "nosuchimage: image not known"
    # without DEST, the image's own name is the destination
    run_pc tag busybox "$REGISTRY/self:1"
    run_pc push -q --tls-verify=false "$REGISTRY/self:1"
    raw_manifest self:1 >/dev/null
}

@test "push --format oci and v2s2: the media types skopeo sees" {
    pc_load_fixture busybox
    run_pc push -q --tls-verify=false --format oci busybox "$REGISTRY/fmt:oci"
    run_pc push -q --tls-verify=false --format v2s2 busybox "$REGISTRY/fmt:v2s2"
    mt=$(raw_manifest fmt:oci | json_get 'd["mediaType"] + " " + d["config"]["mediaType"] + " " + d["layers"][0]["mediaType"]')
    assert_equal "$mt" "application/vnd.oci.image.manifest.v1+json application/vnd.oci.image.config.v1+json application/vnd.oci.image.layer.v1.tar+gzip"
    mt=$(raw_manifest fmt:v2s2 | json_get 'd["mediaType"] + " " + d["config"]["mediaType"] + " " + d["layers"][0]["mediaType"]')
    assert_equal "$mt" "application/vnd.docker.distribution.manifest.v2+json application/vnd.docker.container.image.v1+json application/vnd.docker.image.rootfs.diff.tar.gzip"
    run skopeo inspect --tls-verify=false --format '{{.Architecture}}' "docker://$REGISTRY/fmt:oci"
    assert_equal "$output" "amd64"
    run_pc 125 push --tls-verify=false --format v2s1 busybox "$REGISTRY/fmt:bad"
    assert_contains "$output" "unknown format"
}

@test "push --compression-format zstd recompresses; skopeo copies and verifies it; pc pulls it back" {
    pc_load_fixture busybox
    run_pc push -q --tls-verify=false --compression-format zstd busybox "$REGISTRY/z:1"
    raw=$(raw_manifest z:1)
    mt=$(echo "$raw" | json_get 'd["layers"][0]["mediaType"]')
    assert_equal "$mt" "application/vnd.oci.image.layer.v1.tar+zstd"
    layer=$(echo "$raw" | json_get 'd["layers"][0]["digest"]')
    # the blob really is zstd
    assert_equal "$(head -c4 "$(registry_blob_path "$layer")" | od -An -tx1 | tr -d ' ')" "28b52ffd"
    skopeo copy -q --src-tls-verify=false "docker://$REGISTRY/z:1" "oci:$PC_TEST_DIR/outz:z"
    assert_equal "sha256:$(sha256sum < "$PC_TEST_DIR/outz/blobs/sha256/${layer#sha256:}" | cut -d' ' -f1)" "$layer"
    run_pc rmi busybox
    run_pc pull -q --tls-verify=false "$REGISTRY/z:1"
    assert_equal "$output" "d9ee980882a1b30f801e6d41900ff7c168221b7d20315bf7d02114d17aad3544"
    run_pc 125 push --tls-verify=false --format v2s2 --compression-format zstd "$REGISTRY/z:1" "$REGISTRY/z:2"
    assert_contains "$output" "zstd"
}

@test "an uncompressed layer (import) is gzipped on the way; a second push skips it" {
    run_pc import "$PC_FIXTURES/busybox.rootfs.tar" imported:1
    run_pc_split push --tls-verify=false imported:1 "$REGISTRY/imp:1"
    raw=$(raw_manifest imp:1)
    layer=$(echo "$raw" | json_get 'd["layers"][0]["digest"]')
    assert_equal "$(head -c2 "$(registry_blob_path "$layer")" | od -An -tx1 | tr -d ' ')" "1f8b"
    skopeo copy -q --src-tls-verify=false "docker://$REGISTRY/imp:1" "oci:$PC_TEST_DIR/outi:i"
    uploads=$(grep -c 'PUT /v2/imp/blobs/uploads' "$REGISTRY_DIR/log")
    run_pc_split push --tls-verify=false imported:1 "$REGISTRY/imp:1"
    # nothing uploaded again: the layer is not even compressed a second time
    assert_equal "$(grep -c 'PUT /v2/imp/blobs/uploads' "$REGISTRY_DIR/log")" "$uploads"
    # the same compressed blob, so the same manifest
    assert_equal "$(raw_manifest imp:1)" "$raw"
}

@test "a second push skips the blobs the registry has; another repository mounts them" {
    pc_load_fixture layered
    run_pc push -q --tls-verify=false layered "$REGISTRY/one/layered:1"
    uploads=$(grep -c 'PUT /v2/one/layered/blobs/uploads' "$REGISTRY_DIR/log")
    [ "$uploads" -ge 3 ]
    run_pc_split push --tls-verify=false layered "$REGISTRY/one/layered:1"
    # podman 4.3 without a terminal prints a skipped blob as a copied one
    assert_equal "$(grep -c 'Copying blob sha256:' <<<"$stderr")" "3"
    run grep -c 'PUT /v2/one/layered/blobs/uploads' "$REGISTRY_DIR/log"
    assert_equal "$output" "$uploads"
    # another repository of the same registry: mounted, not uploaded
    run_pc_split push --tls-verify=false layered "$REGISTRY/two/layered:1"
    run grep -c 'POST /v2/two/layered/blobs/uploads/?mount=sha256:[0-9a-f]*&from=one/layered HTTP/1.1" 201' "$REGISTRY_DIR/log"
    [ "$output" -ge 3 ]
    run grep -c 'PUT /v2/two/layered/blobs/uploads' "$REGISTRY_DIR/log"
    assert_equal "$output" "1" # the config only
    skopeo copy -q --src-tls-verify=false "docker://$REGISTRY/two/layered:1" "oci:$PC_TEST_DIR/out2:l"
}

@test "a pulled image mounts from the repository it came from (RepoDigests)" {
    registry_push busybox src/bb:1
    run_pc pull -q --tls-verify=false "$REGISTRY/src/bb:1"
    run_pc_split push --tls-verify=false "$REGISTRY/src/bb:1" "$REGISTRY/dst/bb:1"
    run grep -c 'POST /v2/dst/bb/blobs/uploads/?mount=sha256:[0-9a-f]*&from=src/bb HTTP/1.1" 201' "$REGISTRY_DIR/log"
    [ "$output" -ge 1 ]
    # nothing changed: the manifest is the one it was pulled with
    assert_equal "$(registry_digest dst/bb:1)" "$(registry_digest src/bb:1)"
}

@test "search lists the registry's repositories; --list-tags, --limit, --format" {
    registry_push busybox alpha/bb:1
    registry_push busybox alpha/bb:2
    registry_push busybox beta:1
    run_pc search --tls-verify=false "$REGISTRY/"
    [[ "${lines[0]}" =~ ^NAME\ +DESCRIPTION$ ]]
    assert_contains "$output" "$REGISTRY/alpha/bb"
    assert_contains "$output" "$REGISTRY/beta"
    run_pc search --tls-verify=false --format '{{.Name}}' "$REGISTRY/alp"
    assert_equal "$output" "$REGISTRY/alpha/bb"
    run_pc search --tls-verify=false --limit 1 --format '{{.Name}}' "$REGISTRY/"
    assert_equal "${#lines[@]}" "1"
    run_pc search --tls-verify=false --list-tags --format '{{.Name}} {{.Tag}}' "$REGISTRY/alpha/bb"
    assert_equal "$(sort <<<"$output")" "$(printf '%s\n%s' "$REGISTRY/alpha/bb 1" "$REGISTRY/alpha/bb 2")"
    run_pc search --tls-verify=false --compatible "$REGISTRY/beta"
    [[ "${lines[0]}" =~ ^NAME\ +DESCRIPTION\ +STARS\ +OFFICIAL\ +AUTOMATED$ ]]
    run_pc search --tls-verify=false --format json "$REGISTRY/beta"
    assert_contains "$output" "\"Name\": \"$REGISTRY/beta\""
}

@test "manifest inspect prints the manifest skopeo's inspect --raw prints" {
    registry_push busybox bb:1
    run_pc manifest inspect --tls-verify=false "$REGISTRY/bb:1"
    assert_equal "$output" "$(raw_manifest bb:1)"
    digest=$(registry_digest bb:1)
    run_pc manifest inspect --tls-verify=false "docker://$REGISTRY/bb@$digest"
    assert_equal "$output" "$(raw_manifest bb:1)"
    run_pc 125 manifest inspect --tls-verify=false "$REGISTRY/nope:1"
    assert_contains "$output" "manifest unknown"
}

@test "a layer bigger than a chunk goes up in PATCHes and a final PUT; skopeo verifies it" {
    mkdir -p "$PC_TEST_DIR/big"
    head -c 40000000 /dev/urandom > "$PC_TEST_DIR/big/random"
    tar -C "$PC_TEST_DIR/big" -cf "$PC_TEST_DIR/big.tar" random
    run_pc import "$PC_TEST_DIR/big.tar" big:1
    run_pc push -q --tls-verify=false big:1 "$REGISTRY/big:1"
    run grep -c 'PATCH /v2/big/blobs/uploads/' "$REGISTRY_DIR/log"
    [ "$output" -ge 1 ]
    skopeo copy -q --src-tls-verify=false "docker://$REGISTRY/big:1" "oci:$PC_TEST_DIR/outb:b"
    layer=$(raw_manifest big:1 | json_get 'd["layers"][0]["digest"]')
    assert_equal "sha256:$(sha256sum < "$PC_TEST_DIR/outb/blobs/sha256/${layer#sha256:}" | cut -d' ' -f1)" "$layer"
    run_pc images -q --no-trunc big:1
    id=${output#sha256:}
    run_pc rmi big:1
    run_pc pull -q --tls-verify=false "$REGISTRY/big:1"
    assert_equal "$output" "$id"
}
