#!/usr/bin/env bats
# Outside data of the wrong type or size (issue 10): documents whose fields
# hold another JSON type, records damaged on disk, files named on the
# command line that are devices or huge, templates nested past the stack.
# Each must end in a clean error (125 and a message), never a crash (a
# status above 128) or a hang (every command is bounded by timeout).

load helpers
load helpers-containers

RETYPE=${PC_TESTS:-$BATS_TEST_DIRNAME/..}/fixtures/retype-archive

# run_bounded STATUS ARGS...: pc ARGS within 30 s, with the exit status wanted.
run_bounded() {
    local want=$1
    shift
    run timeout 30 "$PC" "$@"
    if [ "$status" -eq 124 ]; then
        local cmd="$*"
        echo "# pc ${cmd:0:300} hung (killed after 30 s)" >&2
        return 1
    fi
    if [ "$status" -ne "$want" ]; then
        local cmd="$*"
        echo "# pc ${cmd:0:300}: exit status $status, expected $want: ${output:0:2000}" >&2
        return 1
    fi
}

retype() { # DOC PATH JSON -> $PC_TEST_DIR/retyped.tar
    python3 "$RETYPE" "$PC_FIXTURES/busybox.docker.tar" "$PC_TEST_DIR/retyped.tar" "$@"
}

store() { echo "$XDG_DATA_HOME/pc/storage"; }

busybox_id() {
    run_pc images -q --no-trunc localhost/busybox
    echo "${output#sha256:}"
}

@test "load: manifest.json fields of every other type are refused, never a crash" {
    local field value
    for field in 0.Layers 0.RepoTags 0.Config 0 ""; do
        for value in null 1 true '"x"' '[]' '{}' '[null]' '[1]' '[{}]' '[[[[[[[[[[1]]]]]]]]]]'; do
            retype manifest "$field" "$value"
            run timeout 30 "$PC" load -i "$PC_TEST_DIR/retyped.tar"
            if [ "$status" -ne 0 ] && [ "$status" -ne 125 ]; then
                echo "# manifest.json $field=$value: status $status: $output" >&2
                return 1
            fi
            if [ "$status" -eq 125 ]; then
                assert_contains "$output" "Error: "
            fi
        done
    done
    retype manifest 0.Layers '"x"'
    run_bounded 125 load -i "$PC_TEST_DIR/retyped.tar"
    assert_contains "$output" "manifest.json entry 0: \`Layers\` is a string, not an array"
    retype manifest 0.RepoTags '{}'
    run_bounded 125 load -i "$PC_TEST_DIR/retyped.tar"
    assert_contains "$output" "\`RepoTags\` is an object, not an array"
    retype manifest 0.RepoTags '[7]'
    run_bounded 125 load -i "$PC_TEST_DIR/retyped.tar"
    assert_contains "$output" "\`RepoTags[0]\` is a number, not a string"
}

@test "load: an image config whose fields have the wrong type is refused" {
    retype config config.Env '["A=1",null]'
    run_bounded 125 load -i "$PC_TEST_DIR/retyped.tar"
    assert_contains "$output" "\`Env[1]\` is null, not a string"
    retype config history '{"a":1}'
    run_bounded 125 load -i "$PC_TEST_DIR/retyped.tar"
    assert_contains "$output" "\`history\` is an object, not an array"
    retype config config.Labels '{"a":1}'
    run_bounded 125 load -i "$PC_TEST_DIR/retyped.tar"
    assert_contains "$output" "\`Labels.a\` is a number"
    retype config config '[]'
    run_bounded 125 load -i "$PC_TEST_DIR/retyped.tar"
    retype config rootfs.diff_ids '"x"'
    run_bounded 125 load -i "$PC_TEST_DIR/retyped.tar"
    run_bounded 0 images -q
    assert_equal "$output" ""
}

@test "load: a manifest.json over 1 MiB is refused, as podman refuses it" {
    python3 - "$PC_FIXTURES/busybox.docker.tar" "$PC_TEST_DIR/big.tar" <<'PY'
import io, json, sys, tarfile
src, dst = sys.argv[1:3]
with tarfile.open(src) as t, tarfile.open(dst, "w") as out:
    for m in t.getmembers():
        data = t.extractfile(m).read() if m.isfile() else None
        if m.name == "manifest.json":
            doc = json.loads(data)
            doc[0]["Pad"] = "x" * (1 << 20)
            data = json.dumps(doc).encode()
        if data is not None:
            m.size = len(data)
            out.addfile(m, io.BytesIO(data))
        else:
            out.addfile(m)
PY
    run_bounded 125 load -i "$PC_TEST_DIR/big.tar"
    assert_contains "$output" "manifest.json"
    assert_contains "$output" "limit of 1 MiB"
}

@test "images: a damaged image record is skipped with its path, the others listed" {
    run_pc load -i "$PC_FIXTURES/busybox.docker.tar"
    run_pc load -i "$PC_FIXTURES/layered.docker.tar"
    local id
    id=$(busybox_id)
    local rec
    rec="$(store)/images/$id.json"
    python3 -c 'import json,sys; p=sys.argv[1]; d=json.load(open(p)); d["layers"]="x"; open(p,"w").write(json.dumps(d))' "$rec"
    run_bounded 0 images
    assert_contains "$output" "localhost/layered"
    assert_contains "$output" "corrupt image record \`images/$id.json\`: image record: \`layers\` is a string, not an array"
    run_bounded 125 image inspect "$id"
    assert_contains "$output" "corrupt image record"
    run_bounded 125 run --rm "$id" true
}

# Puts a changed config in place of busybox's stored one (a store written
# before pc checked configs, or damaged).
tamper_config() { # PY-EXPR on c
    local id
    id=$(busybox_id)
    "$PC" unshare python3 -c '
import json, sys
p = sys.argv[1]
c = json.load(open(p))
'"$1"'
open(p, "w").write(json.dumps(c))' "$(store)/blobs/sha256/$id"
}

@test "run and create: a stored config whose Env holds null is a clean error" {
    run_pc load -i "$PC_FIXTURES/busybox.docker.tar"
    tamper_config 'c["config"]["Env"] = ["A=1", None]'
    run_bounded 125 run --rm busybox true
    assert_contains "$output" "\`Env[1]\` is null, not a string"
    run_bounded 125 create busybox true
    run_bounded 0 ps -aq
    assert_equal "$output" ""
}

@test "commit: a base image whose history is not an array is a clean error" {
    run_pc load -i "$PC_FIXTURES/busybox.docker.tar"
    run_pc create --name c1 busybox true
    tamper_config 'c["history"] = {"x": 1}'
    run_bounded 125 commit c1 newimg
    assert_contains "$output" "\`history\` is an object, not an array"
}

@test "seccomp profiles of the wrong shape are refused, not an abort" {
    run_pc load -i "$PC_FIXTURES/busybox.docker.tar"
    local i=0 shape
    for shape in '[]' '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":{}}' \
        '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":"read","action":"SCMP_ACT_ALLOW"}]}' \
        '{"defaultAction":"SCMP_ACT_ALLOW","archMap":[{"architecture":1}]}' \
        '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mount"],"action":"SCMP_ACT_ALLOW","includes":{"caps":"CAP_SYS_ADMIN"}}]}' \
        '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":"0"}]}]}' \
        '{"defaultAction":7}'; do
        i=$((i + 1))
        printf '%s' "$shape" > "$PC_TEST_DIR/p$i.json"
        run_bounded 125 run --rm --security-opt "seccomp=$PC_TEST_DIR/p$i.json" busybox true
        assert_contains "$output" "seccomp profile"
    done
}

@test "files named on the command line are read up to a limit" {
    run_pc load -i "$PC_FIXTURES/busybox.docker.tar"
    run_bounded 125 run --rm --env-file /dev/zero busybox true
    assert_contains "$output" "limit of 1 MiB"
    run_bounded 125 run --rm --security-opt seccomp=/dev/zero busybox true
    assert_contains "$output" "limit of 4 MiB"
    run_bounded 125 import /dev/zero
    assert_contains "$output" "/dev/zero: a device, not a regular file or a pipe"
    run_bounded 125 load -i /dev/zero
    assert_contains "$output" "a device"
    # A pipe the user names is still read.
    run_bounded 0 run --rm --env-file <(echo FROMPIPE=yes) busybox sh -c 'echo $FROMPIPE'
    assert_equal "$output" "yes"
}

@test "--format nested 60,000 deep is an error, not a stack overflow" {
    local deep
    deep="{{$(printf '(%.0s' $(seq 60000))1$(printf ')%.0s' $(seq 60000))}}"
    run_bounded 125 images --format "$deep"
    assert_contains "$output" "max expression depth exceeded"
    run_bounded 0 images --format '{{((((printf "%s" "ok"))))}}'
}

@test "logs --tail of the largest int64 prints every line" {
    run_pc load -i "$PC_FIXTURES/busybox.docker.tar"
    run_pc run --name lg busybox sh -c 'echo one; echo two'
    run_bounded 0 logs --tail 9223372036854775807 lg
    assert_equal "$output" "$(printf 'one\ntwo')"
}

@test "logs: a line far longer than the cap comes out whole, in pieces" {
    run_pc load -i "$PC_FIXTURES/busybox.docker.tar"
    run_pc run --name small busybox sh -c 'echo a; echo last'
    run_pc run --name big busybox sh -c 'head -c 30000000 /dev/zero | tr "\0" a; echo; echo last'
    run timeout 30 /usr/bin/time -f 'maxrss=%M' "$PC" logs --tail 2 small
    [ "$status" -eq 0 ]
    local base line1 rss
    base=$(printf '%s\n' "$output" | sed -n 's/^maxrss=//p')
    run timeout 30 /usr/bin/time -f 'maxrss=%M' "$PC" logs --tail 2 big
    [ "$status" -eq 0 ]
    line1=$(printf '%s\n' "$output" | head -1)
    assert_equal "${#line1}" 30000000
    assert_contains "$output" "last"
    rss=$(printf '%s\n' "$output" | sed -n 's/^maxrss=//p')
    # Held whole, a 30 MB line costs at least 30 MB more than a short log.
    [ $((rss - base)) -lt 15000 ] || { echo "# logs used ${rss} KiB, ${base} KiB for a short log" >&2; return 1; }
}

@test "save: a blob damaged on disk is refused and no archive is left" {
    run_pc load -i "$PC_FIXTURES/busybox.docker.tar"
    local id blob
    id=$(busybox_id)
    blob=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["layers"][0]["blob"][7:])' "$(store)/images/$id.json")
    "$PC" unshare sh -c "printf 'X' | dd of='$(store)/blobs/sha256/$blob' bs=1 seek=100 conv=notrunc status=none"
    # docker-archive decompresses the layer: the damage shows as bad gzip or
    # as a diff_id mismatch, depending on where it falls.
    run_bounded 125 save -o "$PC_TEST_DIR/out.tar" busybox
    assert_contains "$output" "layer"
    [ ! -e "$PC_TEST_DIR/out.tar" ]
    run_bounded 125 save --format oci-archive -o "$PC_TEST_DIR/out.tar" busybox
    assert_contains "$output" "blob sha256:$blob is corrupt in the store"
    [ ! -e "$PC_TEST_DIR/out.tar" ]
    [ -z "$(ls "$PC_TEST_DIR" | grep pc-tmp)" ]
}
