#!/usr/bin/env bats
# pc images, tag, untag, rmi, image inspect/history/exists/prune.

load helpers

@test "pc load prints the loaded name; pc images lists it like podman" {
    run_pc load -i "$PC_FIXTURES/busybox.docker.tar"
    assert_equal "$output" "Loaded image: localhost/busybox:latest"
    run_pc images
    assert_equal "$(head -1 <<<"$output" | tr -s ' ')" "REPOSITORY TAG IMAGE ID CREATED SIZE"
    [[ "$output" =~ localhost/busybox\ +latest\ +d9ee980882a1\ +[0-9]+\ years\ ago\ +[0-9.]+\ [kM]B ]]
    run_pc images -q
    assert_equal "$output" "d9ee980882a1"
    run_pc images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
    assert_equal "$output" "localhost/busybox:latest d9ee980882a1"
}

@test "names resolve as podman's: short name, id prefix, digest" {
    pc_load_fixture busybox
    run_pc image exists busybox
    run_pc image exists d9ee98
    run_pc image exists localhost/busybox:latest
    digest=$("$PC" image inspect --format '{{.Digest}}' busybox)
    run_pc image exists "localhost/busybox@$digest"
    run_pc 1 image exists nosuch
    run_pc 125 image inspect nosuch
    assert_contains "$output" "Error: inspecting object: nosuch: image not known"
}

@test "tag, untag and rmi keep shared layers and report like podman" {
    pc_load_fixture busybox
    pc_load_fixture layered
    run_pc tag busybox quay.io/x/y:1 mybox
    run_pc images --format '{{.Repository}}:{{.Tag}}'
    assert_contains "$output" "quay.io/x/y:1"
    # podman qualifies short names given to tag with localhost/, not docker.io.
    assert_contains "$output" "localhost/mybox:latest"
    run_pc rmi mybox
    assert_equal "$output" "Untagged: localhost/mybox:latest"
    run_pc untag busybox quay.io/x/y:1
    run_pc rmi layered
    assert_contains "$output" "Untagged: localhost/layered:latest"
    assert_contains "$output" "Deleted: 21102f038846bea311ebf29f41c52111c361de026cb4f488aa3f4e2f3b91eb47"
    [ "$(ls "$XDG_DATA_HOME/pc/storage/layers" | wc -l)" -eq 1 ]
    run_pc 1 rmi layered
    assert_contains "$output" "layered: image not known"
    # As podman 4.3: --force ignores images that do not exist.
    run_pc rmi -f layered
    assert_equal "$output" ""
    run_pc rmi -a
    [ -z "$(ls "$XDG_DATA_HOME/pc/storage/layers")" ]
}

@test "rmi by ID of an image with several names is refused without --force (podman's message); -f and -a remove it" {
    pc_load_fixture layered
    local id=21102f038846bea311ebf29f41c52111c361de026cb4f488aa3f4e2f3b91eb47
    run_pc tag layered t1:a t2:b
    run_pc 125 rmi 21102f038846
    assert_equal "$output" "Error: unable to delete image \"$id\" by ID with more than one tag ([localhost/layered:latest localhost/t1:a localhost/t2:b]): please force removal"
    run_pc 125 rmi "sha256:$id"
    assert_equal "$output" "Error: unable to delete image \"$id\" by digest with more than one tag ([localhost/layered:latest localhost/t1:a localhost/t2:b]): please force removal"
    run_pc images --format '{{.Repository}}:{{.Tag}}'
    assert_equal "$output" "$(printf 'localhost/layered:latest\nlocalhost/t1:a\nlocalhost/t2:b')"
    # By name only that name goes; by ID with one name left, the image.
    run_pc rmi t1:a
    assert_equal "$output" "Untagged: localhost/t1:a"
    run_pc rmi -f 21102f038846
    assert_contains "$output" "Untagged: localhost/t2:b"
    assert_contains "$output" "Deleted: $id"
    pc_load_fixture layered
    run_pc tag layered t3:c
    run_pc rmi -a
    assert_contains "$output" "Deleted: $id"
    run_pc images -q
    assert_equal "$output" ""
}

@test "tag and untag qualify short names with localhost/ as podman" {
    pc_load_fixture busybox
    run_pc tag localhost/busybox foo/bb:1
    run_pc images --format '{{.Repository}}:{{.Tag}}'
    assert_contains "$output" "localhost/foo/bb:1"
    [[ "$output" != *docker.io* ]]
    run_pc image exists localhost/foo/bb:1
    run_pc 1 image exists docker.io/foo/bb:1
    run_pc 125 untag localhost/busybox foo:bar
    assert_equal "$output" "Error: localhost/foo:bar: tag not known"
    run_pc untag localhost/busybox foo/bb:1
    run_pc 1 image exists localhost/foo/bb:1
    # Lookups of short names still work.
    run_pc image exists busybox
}

@test "image inspect has podman's fields" {
    pc_load_fixture layered
    run_pc image inspect layered
    python3 - "$output" <<'PY'
import json, sys
d = json.loads(sys.argv[1])[0]
for k in ["Id", "Digest", "RepoTags", "RepoDigests", "Created", "Config", "Architecture", "Os",
          "Size", "VirtualSize", "RootFS", "History", "Labels", "Annotations", "ManifestType", "User", "NamesHistory"]:
    assert k in d, k
assert d["Id"].startswith("21102f038846")
assert d["RootFS"]["Type"] == "layers" and len(d["RootFS"]["Layers"]) == 3
assert d["RepoTags"] == ["localhost/layered:latest"]
PY
    run_pc image inspect --format '{{.Os}}/{{.Architecture}}' layered
    assert_equal "$output" "linux/amd64"
    run_pc image history layered
    assert_contains "$(head -1 <<<"$output")" "CREATED BY"
}

@test "filters: reference= and dangling=; prune removes dangling images" {
    pc_load_fixture busybox
    pc_load_fixture layered
    run_pc images --filter reference=layered --format '{{.Repository}}'
    assert_equal "$output" "localhost/layered"
    run_pc untag layered
    run_pc images --filter dangling=true --format '{{.ID}} {{.Repository}}'
    assert_equal "$output" "21102f038846 <none>"
    # pc keeps no intermediate images: -a lists the same, dangling ones included.
    run_pc images --format '{{.ID}} {{.Repository}}'
    default_list=$output
    assert_contains "$default_list" "21102f038846 <none>"
    run_pc images -a --format '{{.ID}} {{.Repository}}'
    assert_equal "$output" "$default_list"
    run_pc image prune -f
    assert_equal "$output" "21102f038846bea311ebf29f41c52111c361de026cb4f488aa3f4e2f3b91eb47"
    run_pc images -q
    assert_equal "$output" "d9ee980882a1"
}

@test "pc import makes a one-layer image with --change" {
    run_pc import --change 'CMD ["/bin/sh"]' --change ENV=A=b "$PC_FIXTURES/busybox.rootfs.tar" imported
    [[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
    run_pc image inspect --format '{{json .Config.Cmd}} {{json .Config.Env}} {{len .RootFS.Layers}}' localhost/imported
    assert_equal "$output" '["/bin/sh"] ["A=b"] 1'
}

@test "images: table spaces are columns, .Created is human, json has Labels and CreatedAt" {
    pc_load_fixture layered
    run_pc images --format 'table {{.Repository}} {{.Size}}'
    assert_equal "${lines[0]}" "REPOSITORY         SIZE"
    [[ "${lines[1]}" =~ ^localhost/layered\ \ [0-9.]+\ [kM]B$ ]]
    run_pc images --noheading --format 'table {{.Repository}} {{.Tag}}'
    assert_equal "$output" "localhost/layered  latest"
    run_pc images --format '{{.CreatedSince}}'
    local since=$output
    assert_contains "$since" " ago"
    run_pc images --format '{{.Created}}|{{.CreatedAt}}'
    assert_equal "$output" "$since|2024-01-01 00:00:00 +0000 UTC"
    run_pc images --format json
    assert_contains "$output" '"Created": 1704067200,'
    assert_contains "$output" '"CreatedAt": "2024-01-01T00:00:00Z"'
    assert_contains "$output" '"org.pc.test": "layered"'
}

@test "images keeps each image's labels by id: a damaged or foreign line is read again, a removed image's dropped" {
    pc_load_fixture layered
    pc_load_fixture busybox
    local id; id=$("$PC" image inspect --format '{{.Id}}' layered)
    local cache=$XDG_DATA_HOME/pc/storage/engine/ps-cache/image-labels
    local want="localhost/busybox map[]
localhost/layered map[maintainer:pc org.pc.test:layered]"
    run_pc images --sort repository --format '{{.Repository}} {{.Labels}}'
    assert_equal "$output" "$want"
    grep -q "^$id config	{.*\"org.pc.test\":\"layered\"}$" "$cache"
    for junk in "" "garbage" "pc-image-labels-0
$id config	{\"evil\":\"x\"}" "pc-image-labels-1
$id config	[1]" "pc-image-labels-1
$id config	{\"org.pc.test\":" "pc-image-labels-1
$id other	{\"evil\":\"x\"}"; do
        printf '%s\n' "$junk" > "$cache"
        run_pc images --sort repository --format '{{.Repository}} {{.Labels}}'
        assert_equal "$output" "$want"
        run_pc images --filter label=org.pc.test=layered --format '{{.Repository}}'
        assert_equal "$output" "localhost/layered"
    done
    run_pc rmi layered
    run_pc images --format '{{.Repository}}'
    assert_equal "$output" "localhost/busybox"
    run grep -c "^$id " "$cache"
    assert_equal "$output" "0"
}

@test "rmi refuses an image a container uses; rmi -f removes the container first" {
    pc_load_fixture busybox
    run_pc create --name user1 busybox sleep 1000
    run_pc run -d --name user2 busybox sleep 1000
    run_pc 2 rmi busybox
    assert_contains "$output" "image is in use by a container"
    run_pc ps -a --format '{{.Names}}'
    assert_contains "$output" "user1"
    run_pc image exists busybox
    # podman 4.3: --force removes the containers using the image, running
    # ones too, then the image; nothing is left behind.
    run_pc rmi -f busybox
    assert_contains "$output" "Untagged: localhost/busybox:latest"
    assert_contains "$output" "Deleted: "
    run_pc ps -a --format '{{.Names}}'
    assert_equal "$output" ""
    run_pc 1 image exists busybox
    [ -z "$(ls "$XDG_DATA_HOME/pc/storage/layers")" ]
}

@test "image mount shows the image's files; unmount releases it" {
    pc_load_fixture busybox
    run_pc image mount busybox
    local path=$output
    [ -x "$path/bin/busybox" ]
    run_pc image mount
    assert_contains "$output" "$path"
    run_pc image unmount busybox
    run_pc image mount
    assert_equal "$output" ""
    run_pc 125 image unmount busybox
    assert_contains "$output" "is not mounted"
}

@test "images counts each image's containers (one read of the containers for the whole list)" {
    pc_load_fixture busybox
    pc_load_fixture layered
    run_pc create busybox true
    run_pc create busybox true
    run_pc create layered true
    local lay=$output
    run_pc images --format '{{.Repository}} {{.Containers}}' --sort repository
    assert_equal "$output" "localhost/busybox 2
localhost/layered 1"
    run_pc images --format json
    assert_contains "$output" '"Containers": 2'
    # prune -a keeps what containers use, from the same one read.
    run_pc image prune -a -f
    run_pc images --format '{{.Repository}}' --sort repository
    assert_equal "$output" "localhost/busybox
localhost/layered"
    run_pc rm "$lay"
    run_pc image prune -a -f
    run_pc images --format '{{.Repository}} {{.Containers}}'
    assert_equal "$output" "localhost/busybox 2"
    run_pc rm -a
    run_pc images --format '{{.Repository}} {{.Containers}}'
    assert_equal "$output" "localhost/busybox 0"
}
