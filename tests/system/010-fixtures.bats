#!/usr/bin/env bats
# The fixture images (tests/fixtures/build-images): deterministic, and valid
# input for third-party tools (skopeo, umoci) in each of their formats.
# Uses $PC_FIXTURES when it is set, else builds its own copy.

_fx_given=${PC_FIXTURES:-}
load helpers

BUILD_IMAGES=$BATS_TEST_DIRNAME/../fixtures/build-images

setup_file() {
    if [ -n "$_fx_given" ]; then
        export FX=$_fx_given
    else
        export FX=$BATS_FILE_TMPDIR/fixtures
        python3 "$BUILD_IMAGES" "$FX" >/dev/null
    fi
}

setup() {
    pc_setup
    [ -f "$FX/digests.txt" ] || {
        echo "# $FX is not a finished fixtures build (no digests.txt)" >&2
        return 1
    }
}

# json EXPR: evaluates the Python expression EXPR on the JSON document on
# stdin (bound to j) and prints the result, lists and dicts as JSON.
json() {
    python3 -c '
import json, sys
j = json.load(sys.stdin)
r = eval(sys.argv[1])
print(r if isinstance(r, str) else json.dumps(r, sort_keys=True))' "$1"
}

# ref_of IMAGE TRANSPORT: the skopeo reference of fixture IMAGE.
ref_of() {
    case $2 in
    oci) echo "oci:$FX/$1.oci:localhost/$1:latest" ;;
    oci-archive) echo "oci-archive:$FX/$1.oci.tar" ;;
    docker-archive) echo "docker-archive:$FX/$1.docker.tar" ;;
    esac
}

skopeo_ok() {
    run skopeo "$@"
    if [ "$status" -ne 0 ]; then
        echo "# skopeo $* exited $status: $output" >&2
        return 1
    fi
}

@test "two builds into different directories are byte-identical" {
    run python3 "$BUILD_IMAGES" "$BATS_TEST_TMPDIR/a"
    [ "$status" -eq 0 ]
    local summary_a=$output
    run python3 "$BUILD_IMAGES" "$BATS_TEST_TMPDIR/b"
    [ "$status" -eq 0 ]
    assert_equal "${output%written to*}" "${summary_a%written to*}"

    local n=0 f
    while IFS= read -r f; do
        cmp "$BATS_TEST_TMPDIR/a/$f" "$BATS_TEST_TMPDIR/b/$f"
        n=$((n + 1))
    done < <(cd "$BATS_TEST_TMPDIR/a" && find . -type f | sort)
    # 4 archives x 2 images + 2 layouts + expected + digests + hostile/
    [ "$n" -gt 25 ]
    diff <(cd "$BATS_TEST_TMPDIR/a" && find . | sort) \
         <(cd "$BATS_TEST_TMPDIR/b" && find . | sort)

    # The summary names both images with their manifest and config digests.
    local img
    for img in busybox layered; do
        local m c
        m=$(json 'j["manifests"][0]["digest"]' < "$BATS_TEST_TMPDIR/a/$img.oci/index.json")
        c=$(json 'j["config"]["digest"]' < "$BATS_TEST_TMPDIR/a/$img.oci/blobs/sha256/${m#sha256:}")
        [[ "$summary_a" == *"$img "*" $m $c"* ]]
    done
    # Built in a temporary directory renamed into place: nothing left over.
    run ls "$BATS_TEST_TMPDIR"
    assert_equal "$output" $'a\nb'
}

@test "build-images rebuilds over its own output but refuses a foreign directory" {
    local out=$BATS_TEST_TMPDIR/out
    python3 "$BUILD_IMAGES" "$out" >/dev/null
    local before
    before=$(cat "$out/digests.txt")
    python3 "$BUILD_IMAGES" "$out" >/dev/null
    assert_equal "$(cat "$out/digests.txt")" "$before"

    mkdir "$BATS_TEST_TMPDIR/foreign"
    echo precious > "$BATS_TEST_TMPDIR/foreign/file"
    run python3 "$BUILD_IMAGES" "$BATS_TEST_TMPDIR/foreign"
    [ "$status" -ne 0 ]
    assert_contains "$output" "refusing to replace it"
    assert_equal "$(cat "$BATS_TEST_TMPDIR/foreign/file")" precious
    [ ! -e "$BATS_TEST_TMPDIR/foreign/busybox.oci" ]
    run ls "$BATS_TEST_TMPDIR"
    assert_equal "$output" $'foreign\nout'
}

@test "OCI layout blobs are named by their sha256" {
    local img f n=0
    for img in busybox layered; do
        for f in "$FX/$img.oci"/blobs/sha256/*; do
            assert_equal "sha256:$(sha256sum < "$f" | cut -d' ' -f1)" "sha256:${f##*/}"
            n=$((n + 1))
        done
        assert_equal "$(cat "$FX/$img.oci/oci-layout")" '{"imageLayoutVersion":"1.0.0"}'
    done
    # busybox: manifest, config, 1 layer; layered: manifest, config, 3 layers
    [ "$n" -eq 8 ]
}

@test "skopeo reads oci, oci-archive and docker-archive alike: same config, same diff_ids" {
    local img t
    for img in busybox layered; do
        local want_cfg="" want_diffs="" want_config=""
        for t in oci oci-archive docker-archive; do
            local ref
            ref=$(ref_of $img $t)
            skopeo_ok inspect --raw "$ref"
            local cfg
            cfg=$(json 'j["config"]["digest"]' <<< "$output")
            skopeo_ok inspect --config --raw "$ref"
            local config=$output
            # The config blob is the one the manifest names.
            assert_equal "sha256:$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)" "$cfg"
            local diffs
            diffs=$(json 'j["rootfs"]["diff_ids"]' <<< "$config")
            if [ -z "$want_cfg" ]; then
                want_cfg=$cfg want_diffs=$diffs want_config=$config
            else
                assert_equal "$cfg" "$want_cfg"
                assert_equal "$diffs" "$want_diffs"
                assert_equal "$config" "$want_config"
            fi
        done
        assert_contains "$(cat "$FX/digests.txt")" "config=$want_cfg"
    done
}

@test "busybox config: PATH, Cmd sh, linux, one layer and its history" {
    skopeo_ok inspect --config docker-archive:"$FX/busybox.docker.tar"
    local c=$output
    assert_equal "$(json 'j["config"]["Env"]' <<< "$c")" \
        '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]'
    assert_equal "$(json 'j["config"]["Cmd"]' <<< "$c")" '["sh"]'
    assert_equal "$(json 'j["os"]' <<< "$c")" linux
    assert_equal "$(json 'j["created"]' <<< "$c")" 2024-01-01T00:00:00Z
    assert_equal "$(json 'len(j["rootfs"]["diff_ids"])' <<< "$c")" 1
    assert_equal "$(json 'len([h for h in j["history"] if not h.get("empty_layer")])' <<< "$c")" 1
}

@test "layered config: Env, Entrypoint, Cmd, WorkingDir, ExposedPorts, Labels, StopSignal" {
    local t
    for t in oci oci-archive docker-archive; do
        skopeo_ok inspect --config "$(ref_of layered $t)"
        local c=$output
        assert_equal "$(json 'j["config"]["Env"]' <<< "$c")" \
            '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "FOO=bar", "EMPTY="]'
        assert_equal "$(json 'j["config"]["Entrypoint"]' <<< "$c")" '["/bin/sh", "-c"]'
        assert_equal "$(json 'j["config"]["Cmd"]' <<< "$c")" '["echo hello from layered"]'
        assert_equal "$(json 'j["config"]["WorkingDir"]' <<< "$c")" /data
        assert_equal "$(json 'j["config"]["ExposedPorts"]' <<< "$c")" '{"53/udp": {}, "80/tcp": {}}'
        assert_equal "$(json 'j["config"]["Labels"]' <<< "$c")" '{"maintainer": "pc", "org.pc.test": "layered"}'
        assert_equal "$(json 'j["config"]["StopSignal"]' <<< "$c")" SIGTERM
        assert_equal "$(json 'j["config"].get("User", "")' <<< "$c")" ""
        assert_equal "$(json 'len(j["rootfs"]["diff_ids"])' <<< "$c")" 3
    done
    # skopeo's summary view agrees on the labels.
    skopeo_ok inspect oci-archive:"$FX/layered.oci.tar"
    assert_equal "$(json 'j["Labels"]["org.pc.test"]' <<< "$output")" layered
}

@test "images are named localhost/NAME:latest in every format" {
    local img
    for img in busybox layered; do
        assert_equal "$(tar -xOf "$FX/$img.docker.tar" manifest.json | json 'j[0]["RepoTags"]')" \
            "[\"localhost/$img:latest\"]"
        assert_equal "$(json 'j["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"]' \
            < "$FX/$img.oci/index.json")" "localhost/$img:latest"
        assert_equal "$(tar -xOf "$FX/$img.oci.tar" index.json | json 'j["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"]')" \
            "localhost/$img:latest"
        # skopeo finds the image by that name, and not by another one.
        skopeo_ok inspect --raw "oci:$FX/$img.oci:localhost/$img:latest"
        run skopeo inspect --raw "oci:$FX/$img.oci:localhost/nope:latest"
        [ "$status" -ne 0 ]
        assert_contains "$output" "no descriptor found for reference"
        assert_contains "$output" "localhost/nope:latest"
    done
}

@test "layered shares busybox's layer; its third OCI layer is uncompressed" {
    local bb ly
    bb=$(json 'j["layers"]' < "$FX/busybox.oci/blobs/sha256/$(json 'j["manifests"][0]["digest"][7:]' < "$FX/busybox.oci/index.json")")
    ly=$(json 'j["layers"]' < "$FX/layered.oci/blobs/sha256/$(json 'j["manifests"][0]["digest"][7:]' < "$FX/layered.oci/index.json")")
    assert_equal "$(json 'j[0]' <<< "$ly")" "$(json 'j[0]' <<< "$bb")"
    assert_equal "$(json '[l["mediaType"] for l in j]' <<< "$ly")" \
        '["application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.oci.image.layer.v1.tar"]'
    # docker-archive: the same layer file, byte for byte.
    local l1b l1l
    l1b=$(tar -xOf "$FX/busybox.docker.tar" manifest.json | json 'j[0]["Layers"][0]')
    l1l=$(tar -xOf "$FX/layered.docker.tar" manifest.json | json 'j[0]["Layers"][0]')
    assert_equal "$l1l" "$l1b"
    cmp <(tar -xOf "$FX/busybox.docker.tar" "$l1b") <(tar -xOf "$FX/layered.docker.tar" "$l1l")
}

@test "skopeo copies the archives into an OCI layout without complaint" {
    local img nonempty='dict(j, config={k: v for k, v in j["config"].items() if v != ""})'
    for img in busybox layered; do
        skopeo_ok inspect --raw oci-archive:"$FX/$img.oci.tar"
        local want
        want=$(json 'j["config"]["digest"]' <<< "$output")
        skopeo_ok copy oci-archive:"$FX/$img.oci.tar" "oci:$BATS_TEST_TMPDIR/copy-$img:x"
        skopeo_ok inspect --raw "oci:$BATS_TEST_TMPDIR/copy-$img:x"
        assert_equal "$(json 'j["config"]["digest"]' <<< "$output")" "$want"
        skopeo_ok inspect --config --raw oci-archive:"$FX/$img.oci.tar"
        local want_config
        want_config=$(json "$nonempty" <<< "$output")
        # docker-archive -> oci converts the manifest, and skopeo re-encodes
        # the config on the way (other key order, "User": "" omitted, new
        # digest): compare the parsed config, empty strings dropped.
        skopeo_ok copy docker-archive:"$FX/$img.docker.tar" "oci:$BATS_TEST_TMPDIR/dcopy-$img:y"
        skopeo_ok inspect --config --raw "oci:$BATS_TEST_TMPDIR/dcopy-$img:y"
        assert_equal "$(json "$nonempty" <<< "$output")" "$want_config"
    done
}

# listing ROOT: the layered.expected.txt lines for the tree at ROOT, without
# the uid:gid column (a rootless unpack owns everything itself).
listing() {
    python3 - "$1" <<'EOF'
import os, stat, sys
root = sys.argv[1]
out = []
for top in ("data", "etc/motd", "home/tester"):
    p = os.path.join(root, top)
    paths = [p]
    if os.path.isdir(p) and not os.path.islink(p):
        for d, dirs, files in os.walk(p):
            paths += [os.path.join(d, n) for n in dirs + files]
    for q in paths:
        st = os.lstat(q)
        if stat.S_ISDIR(st.st_mode):
            t, s = "d", "-"
        elif stat.S_ISLNK(st.st_mode):
            t, s = "l", os.readlink(q)
        else:
            t, s = "f", str(st.st_size)
        out.append("/%s %s %04o %s" % (os.path.relpath(q, root), t,
                                       stat.S_IMODE(st.st_mode), s))
for line in sorted(out):
    print(line)
EOF
}

@test "umoci unpacks layered: whiteouts, opaque dir and overwrite applied as expected" {
    command -v umoci >/dev/null || skip "umoci is not installed"
    cp -r "$FX/layered.oci" "$BATS_TEST_TMPDIR/layout"
    chmod -R u+w "$BATS_TEST_TMPDIR/layout"
    cd "$BATS_TEST_TMPDIR"
    run umoci unpack --rootless --image layout:localhost/layered:latest bundle
    [ "$status" -eq 0 ] || { echo "# $output" >&2; false; }
    local r=bundle/rootfs
    assert_equal "$(cat $r/data/added.txt)" added
    assert_equal "$(cat $r/etc/motd)" "motd v2"
    [ ! -e $r/data/gone.txt ]
    [ ! -e $r/data/gone-dir ]
    assert_equal "$(ls -A $r/data/keep)" new.txt
    assert_equal "$(cat $r/home/tester/owned.txt)" "owned by tester"
    [ "$(stat -c %i $r/data/hard-a.txt)" = "$(stat -c %i $r/data/hard-b.txt)" ]
    [ -x $r/bin/busybox ]
    assert_equal "$(readlink $r/bin/sh)" /bin/busybox
    # The whole listing, except ownership, is what layered.expected.txt says.
    diff <(listing $r) <(sort "$FX/layered.expected.txt" | cut -d' ' -f1-3,5-)
    # And the runtime config umoci derives carries the image config.
    assert_equal "$(json 'j["process"]["args"]' < bundle/config.json)" \
        '["/bin/sh", "-c", "echo hello from layered"]'
    assert_equal "$(json 'j["process"]["cwd"]' < bundle/config.json)" /data
}

@test "rootfs tars hold the flattened images" {
    run tar -tvf "$FX/busybox.rootfs.tar"
    [ "$status" -eq 0 ]
    assert_contains "$output" " bin/busybox"
    assert_contains "$output" " etc/passwd"
    assert_contains "$output" "bin/sh -> /bin/busybox"
    [[ "$output" == *"drwxrwxrwt 0/0"*" tmp/"* ]]
    [[ "$output" == *"drwx------ 0/0"*" root/"* ]]
    [[ "$output" == *"drwxr-xr-x 1000/1000"*" home/tester/"* ]]
    local p
    p=$(tar -xOf "$FX/busybox.rootfs.tar" etc/passwd)
    assert_contains "$p" "root:x:0:0:"
    assert_contains "$p" "tester:x:1000:1000:tester:/home/tester:"
    assert_contains "$(tar -xOf "$FX/busybox.rootfs.tar" etc/group)" "extra:x:2000:tester"
    assert_contains "$(tar -xOf "$FX/busybox.rootfs.tar" etc/os-release)" 'NAME="pc test busybox"'
    # No /etc/hosts: the runtime provides it.
    assert_not_contains "$output" " etc/hosts"

    run tar -tvf "$FX/layered.rootfs.tar"
    [ "$status" -eq 0 ]
    assert_not_contains "$output" ".wh."
    assert_not_contains "$output" "gone"
    assert_not_contains "$output" "keep/old.txt"
    assert_contains "$output" " data/keep/new.txt"
    assert_equal "$(tar -xOf "$FX/layered.rootfs.tar" etc/motd)" "motd v2"
    # Every entry has the fixed date.
    run tar --full-time -tvf "$FX/layered.rootfs.tar"
    assert_not_contains "$(printf '%s\n' "$output" | grep -v ' 2024-01-01 00:00:00 ')" " "
}

@test "hostile archives: valid containers, each breaking exactly its rule" {
    local h=$FX/hostile f n=0
    while read -r f _; do
        [ -f "$h/$f" ]
        n=$((n + 1))
    done < "$h/digests.txt"
    [ "$n" -ge 12 ]
    # Path tricks are invisible to skopeo (it does not extract): they copy.
    for f in dotdot absolute symlink-escape hardlink-escape hardlink-missing not-tar compression-xz; do
        skopeo_ok copy docker-archive:"$h/$f.docker.tar" "oci:$BATS_TEST_TMPDIR/h-$f:x"
    done
    local l
    l=$(tar -xOf "$h/dotdot.docker.tar" manifest.json | json 'j[0]["Layers"][0]')
    assert_contains "$(tar -xOf "$h/dotdot.docker.tar" "$l" | tar -tzf -)" "../../etc/evil"
    # The digest and compression faults are caught by skopeo too.
    run skopeo copy docker-archive:"$h/diffid-mismatch.docker.tar" "oci:$BATS_TEST_TMPDIR/h-d:x"
    [ "$status" -ne 0 ]
    assert_contains "$output" "Digest did not match"
    run skopeo copy docker-archive:"$h/truncated-gzip.docker.tar" "oci:$BATS_TEST_TMPDIR/h-t:x"
    [ "$status" -ne 0 ]
    assert_contains "$output" "unexpected EOF"
}
