#!/usr/bin/env bats
# pc pull against a registry that misbehaves: Debian's docker-registry behind
# a scripted server (registry-faults.py) that truncates, stalls, answers
# 429/500, loops redirects or serves an oversized manifest. Each fault: one
# error naming the image and the reason, and no image in the store.
# PC_TEST_REGISTRY_STALL_TIMEOUT (seconds) is a test-only knob of pc's
# registry client (its stall timeout, 60 s otherwise).

load helpers
load helpers-registry

LAYER=sha256:508bfd27c72aa38675b36d0a69a81314c607e01536b17974fac73c024fa431f6
BB_ID=d9ee980882a1b30f801e6d41900ff7c168221b7d20315bf7d02114d17aad3544

setup() {
    pc_setup
    registry_start
    registry_push busybox busybox:1
    faults_start
}

teardown() {
    faults_stop
    registry_stop
    pc_teardown
}

# no_image: the store lists nothing, not even an untagged image.
no_image() {
    run_pc images -a -q
    assert_equal "$output" ""
}

@test "a truncated layer download: the layer is fetched again, then one error; no image" {
    faults_mode truncate-blob
    run_pc 125 pull --retry 1 --retry-delay 50ms --tls-verify=false "$FAULTS/busybox:1"
    assert_contains "$output" "Error: copying image from docker://$FAULTS/busybox:1: reading blob $LAYER"
    assert_contains "$output" "unexpected EOF"
    # two attempts at the layer (--retry 1)
    run grep -c "blobs/$LAYER truncate-blob" "$FAULTS_DIR/log"
    assert_equal "$output" "2"
    no_image
    # the registry mends: the next pull succeeds
    faults_mode pass
    run_pc pull -q --tls-verify=false "$FAULTS/busybox:1"
    assert_equal "$output" "$BB_ID"
}

@test "a registry that stalls: a timeout naming the image, retried, no image" {
    export PC_TEST_REGISTRY_STALL_TIMEOUT=1
    faults_mode stall-manifest
    run_pc 125 pull --retry 0 --tls-verify=false "$FAULTS/busybox:1"
    assert_equal "$output" "Trying to pull $FAULTS/busybox:1...
Error: initializing source docker://$FAULTS/busybox:1: reading manifest 1 in $FAULTS/busybox: Get \"http://$FAULTS/v2/busybox/manifests/1\": timed out (no data for 1 s)"
    faults_mode stall-blob
    run_pc 125 pull --retry 1 --retry-delay 50ms --tls-verify=false "$FAULTS/busybox:1"
    assert_contains "$output" "Error: copying image from docker://$FAULTS/busybox:1: reading blob $LAYER"
    assert_contains "$output" "timed out (no data for 1 s)"
    run grep -c "blobs/$LAYER stall-blob" "$FAULTS_DIR/log"
    assert_equal "$output" "2"
    no_image
}

@test "429 then success with --retry; without retries the 429 is the error" {
    faults_mode status 429 2 /blobs/
    run_pc 125 pull --retry 0 --tls-verify=false "$FAULTS/busybox:1"
    assert_contains "$output" "docker://$FAULTS/busybox:1"
    assert_contains "$output" "too many requests"
    no_image
    faults_mode status 429 2 /blobs/
    run_pc_split pull --retry 3 --retry-delay 50ms --tls-verify=false "$FAULTS/busybox:1"
    assert_equal "$output" "$BB_ID"
    run grep -c " 429$" "$FAULTS_DIR/log"
    assert_equal "$output" "2"
}

@test "500s: retried as --retry says, then one error naming the image" {
    faults_mode status 500 -1 "/blobs/$LAYER"
    run_pc 125 pull --retry 2 --retry-delay 50ms --tls-verify=false "$FAULTS/busybox:1"
    assert_contains "$output" "Error: copying image from docker://$FAULTS/busybox:1: reading blob $LAYER: fetching blob: registry server error: scripted failure 500"
    run grep -c "blobs/$LAYER 500" "$FAULTS_DIR/log"
    [ "$output" -ge 3 ]
    no_image
    faults_mode status 500 -1 /manifests/
    run_pc 125 pull --retry 0 --tls-verify=false "$FAULTS/busybox:1"
    assert_contains "$output" "Error: initializing source docker://$FAULTS/busybox:1: reading manifest 1 in $FAULTS/busybox: registry server error: scripted failure 500"
    no_image
}

@test "a redirect loop: stopped after 10 redirects, naming the image" {
    faults_mode redirect-loop /manifests/
    run_pc 125 pull --tls-verify=false "$FAULTS/busybox:1"
    assert_contains "$output" "Error: initializing source docker://$FAULTS/busybox:1: reading manifest 1 in $FAULTS/busybox: Get \"http://$FAULTS/v2/busybox/manifests/1\": stopped after 10 redirects"
    faults_mode redirect-loop /blobs/
    run_pc 125 pull --tls-verify=false "$FAULTS/busybox:1"
    assert_contains "$output" "docker://$FAULTS/busybox:1"
    assert_contains "$output" "stopped after 10 redirects"
    no_image
}

@test "an oversized manifest is refused at 4 MiB (containers/image's limit)" {
    faults_mode big-manifest 5000000
    run_pc 125 pull --tls-verify=false "$FAULTS/busybox:1"
    assert_contains "$output" "Error: initializing source docker://$FAULTS/busybox:1: reading manifest 1 in $FAULTS/busybox: exceeded maximum allowed size of 4194304 bytes"
    no_image
}

@test "a second pull fetches no layer it has (podman's non-tty line for it)" {
    run_pc pull -q --tls-verify=false "$FAULTS/busybox:1"
    faults_mode pass
    run_pc_split pull --tls-verify=false "$FAULTS/busybox:1"
    assert_contains "$stderr" "Copying blob $LAYER"
    run grep -c "/blobs/$LAYER" "$FAULTS_DIR/log"
    assert_equal "$output" "0"
}

@test "kill -9 in the middle of a layer: no image listed, the next pull succeeds" {
    faults_mode slow-blob 200
    "$PC" pull -q --tls-verify=false "$FAULTS/busybox:1" >"$PC_TEST_DIR/pull.out" 2>&1 &
    pid=$!
    for i in $(seq 1 200); do
        grep -q "slow-half" "$FAULTS_DIR/log" && break
        sleep 0.05
    done
    grep -q "slow-half" "$FAULTS_DIR/log"
    kill -9 "$pid"
    wait "$pid" || true
    no_image
    run_pc 125 image inspect "$FAULTS/busybox:1"
    faults_mode pass
    run_pc pull -q --tls-verify=false "$FAULTS/busybox:1"
    assert_equal "$output" "$BB_ID"
    run_pc run --rm "$FAULTS/busybox:1" echo whole
    assert_equal "$output" "whole"
}

@test "a registry that is down: podman's 'pinging container registry' error" {
    faults_stop
    run_pc 125 pull --retry 0 --tls-verify=false "$FAULTS/busybox:1"
    assert_equal "$output" "Trying to pull $FAULTS/busybox:1...
Error: initializing source docker://$FAULTS/busybox:1: pinging container registry $FAULTS: Get \"http://$FAULTS/v2/\": connect: connection refused"
}
