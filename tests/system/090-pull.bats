#!/usr/bin/env bats
# pc pull from Debian's docker-registry on 127.0.0.1; images pushed with skopeo.

load helpers
load helpers-registry

setup() {
    pc_setup
    registry_start
}

teardown() {
    registry_stop
    pc_teardown
}

@test "pull by tag: podman's output, the id on stdout, RepoDigests, and it runs" {
    registry_push busybox busybox:1
    digest=$(registry_digest busybox:1)
    run_pc_split pull --tls-verify=false "$REGISTRY/busybox:1"
    assert_equal "$output" "d9ee980882a1b30f801e6d41900ff7c168221b7d20315bf7d02114d17aad3544"
    assert_contains "$stderr" "Trying to pull $REGISTRY/busybox:1..."
    assert_contains "$stderr" "Getting image source signatures"
    assert_contains "$stderr" "Copying blob sha256:"
    assert_contains "$stderr" "Copying config sha256:d9ee980882a1"
    assert_contains "$stderr" "Writing manifest to image destination"
    assert_contains "$stderr" "Storing signatures"
    run_pc images --digests --format '{{.Repository}}:{{.Tag}} {{.Digest}}'
    assert_equal "$output" "$REGISTRY/busybox:1 $digest"
    run_pc image inspect --format '{{index .RepoDigests 0}}' "$REGISTRY/busybox:1"
    assert_equal "$output" "$REGISTRY/busybox@$digest"
    run_pc run --rm "$REGISTRY/busybox:1" echo pulled-ok
    assert_equal "$output" "pulled-ok"
}

@test "pull -q prints only the id; image pull works too; a second pull skips the layers" {
    registry_push busybox busybox:1
    run_pc_split pull -q --tls-verify=false "$REGISTRY/busybox:1"
    assert_equal "$output" "d9ee980882a1b30f801e6d41900ff7c168221b7d20315bf7d02114d17aad3544"
    assert_equal "$stderr" ""
    run_pc_split image pull --tls-verify=false "$REGISTRY/busybox:1"
    # podman 4.3 without a terminal prints a skipped blob as a copied one
    assert_contains "$stderr" "Copying blob sha256:508bfd27c72a"
    assert_not_contains "$stderr" "skipped"
}

@test "pull by digest, and the layered fixture (a shared base layer skipped)" {
    registry_push busybox busybox:1
    registry_push layered layered:1
    digest=$(registry_digest layered:1)
    run_pc pull -q --tls-verify=false "$REGISTRY/busybox:1"
    run_pc_split pull --tls-verify=false "$REGISTRY/layered@$digest"
    assert_equal "$output" "21102f038846bea311ebf29f41c52111c361de026cb4f488aa3f4e2f3b91eb47"
    assert_contains "$stderr" "Copying blob sha256:508bfd27c72a"
    run_pc image inspect --format '{{.Digest}}' 21102f038846
    assert_equal "$output" "$digest"
    run_pc run --rm "$REGISTRY/layered@$digest" cat /etc/os-release
}

@test "a manifest list resolves to the host platform, or to --arch/--platform" {
    registry_push busybox multi:bb
    registry_push layered multi:lay
    dbb=$(registry_digest multi:bb)
    dlay=$(registry_digest multi:lay)
    registry_put_index multi both "$dbb arm64" "$dlay amd64"
    [ "$(uname -m)" = x86_64 ] || skip "the index names amd64 for the host"
    run_pc pull -q --tls-verify=false "$REGISTRY/multi:both"
    assert_equal "$output" "21102f038846bea311ebf29f41c52111c361de026cb4f488aa3f4e2f3b91eb47"
    # podman 4.3: Digest is the index's, RepoDigests the instance's and the index's
    dindex=sha256:$(skopeo inspect --tls-verify=false --raw "docker://$REGISTRY/multi:both" | sha256sum | cut -d' ' -f1)
    run_pc image inspect --format '{{.Digest}} {{json .RepoDigests}}' "$REGISTRY/multi:both"
    assert_equal "$output" "$dindex [\"$REGISTRY/multi@$dlay\",\"$REGISTRY/multi@$dindex\"]"
    run_pc images --digests --format '{{.Digest}}' "$REGISTRY/multi:both"
    assert_equal "$output" "$dindex"
    run_pc pull -q --tls-verify=false --arch arm64 "$REGISTRY/multi:both"
    assert_equal "$output" "d9ee980882a1b30f801e6d41900ff7c168221b7d20315bf7d02114d17aad3544"
    run_pc 125 pull -q --tls-verify=false --platform linux/s390x "$REGISTRY/multi:both"
    assert_contains "$output" "no image found in manifest list for architecture s390x"
}

@test "a tampered config or layer in the registry is refused and no image is stored" {
    registry_push busybox busybox:1
    cfg=$(skopeo inspect --tls-verify=false --raw "docker://$REGISTRY/busybox:1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["config"]["digest"])')
    f=$(registry_blob_path "$cfg")
    cp "$f" "$PC_TEST_DIR/cfg.orig"
    sed -i 's/"architecture":"amd64"/"architecture":"AMD64"/' "$f"
    if cmp -s "$f" "$PC_TEST_DIR/cfg.orig"; then false; fi
    run_pc 125 pull --tls-verify=false "$REGISTRY/busybox:1"
    assert_contains "$output" "digest mismatch"
    run_pc images -q
    assert_equal "$output" ""
    cp "$PC_TEST_DIR/cfg.orig" "$f"

    layer=$(skopeo inspect --tls-verify=false --raw "docker://$REGISTRY/busybox:1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"])')
    f=$(registry_blob_path "$layer")
    size=$(stat -c %s "$f")
    printf 'X' | dd of="$f" bs=1 seek=$((size - 20)) conv=notrunc status=none
    run_pc 125 pull --tls-verify=false "$REGISTRY/busybox:1"
    assert_contains "$output" "$layer"
    run_pc images -q
    assert_equal "$output" ""
}

@test "an unknown image: one clear error naming it" {
    run_pc 125 pull --tls-verify=false "$REGISTRY/nope:1"
    assert_contains "$output" "docker://$REGISTRY/nope:1"
    assert_contains "$output" "manifest unknown"
    run_pc 125 pull --tls-verify=false "$REGISTRY/nope@sha256:$(printf '%064d' 0)"
    assert_contains "$output" "nope"
}

@test "a registry that is down: the error names it, --retry 0 gives up at once" {
    registry_stop
    run_pc 125 pull --retry 0 --tls-verify=false "$REGISTRY/busybox:1"
    assert_contains "$output" "$REGISTRY"
}

@test "run and create pull a missing image (--pull=missing|always|never|newer)" {
    registry_push busybox busybox:1
    run_pc 125 run --rm --pull=never "$REGISTRY/busybox:1" true
    assert_equal "$output" "Error: $REGISTRY/busybox:1: image not known"
    run_pc_split run --rm --tls-verify=false "$REGISTRY/busybox:1" echo ran
    assert_equal "$output" "ran"
    assert_contains "$stderr" "Trying to pull $REGISTRY/busybox:1..."
    assert_contains "$stderr" "Writing manifest to image destination"
    # present: missing does not pull again, always does
    run_pc_split run --rm --tls-verify=false "$REGISTRY/busybox:1" true
    assert_equal "$stderr" ""
    run_pc_split create --pull=always --tls-verify=false "$REGISTRY/busybox:1" true
    assert_contains "$stderr" "Trying to pull"
    # newer with the registry gone keeps the local image
    registry_stop
    run_pc run --rm --pull=newer --tls-verify=false "$REGISTRY/busybox:1" echo local
    assert_contains "$output" "local"
    run_pc 125 run --rm --pull=bogus "$REGISTRY/busybox:1" true
    assert_contains "$output" 'unsupported pull policy "bogus"'
}

@test "--all-tags pulls every tag of the repository (the name's tag ignored, as podman 4.3)" {
    registry_push busybox allt:1
    registry_push busybox allt:2
    registry_push layered allt:lay
    run_pc_split pull --all-tags --tls-verify=false "$REGISTRY/allt"
    assert_contains "$stderr" "Trying to pull $REGISTRY/allt:1..."
    assert_contains "$stderr" "Trying to pull $REGISTRY/allt:lay..."
    run sort <<<"$output"
    assert_equal "$output" "21102f038846bea311ebf29f41c52111c361de026cb4f488aa3f4e2f3b91eb47
d9ee980882a1b30f801e6d41900ff7c168221b7d20315bf7d02114d17aad3544
d9ee980882a1b30f801e6d41900ff7c168221b7d20315bf7d02114d17aad3544"
    run_pc images --format '{{.Repository}}:{{.Tag}}'
    run sort <<<"$output"
    assert_equal "$output" "$REGISTRY/allt:1
$REGISTRY/allt:2
$REGISTRY/allt:lay"
    run_pc 125 pull --all-tags --tls-verify=false "$REGISTRY/nothere"
    assert_contains "$output" "nothere"
}
