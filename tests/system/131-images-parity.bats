#!/usr/bin/env bats
# pc images and pc history as podman 4.3 shows them (compared side by side
# on this machine with the same fixtures loaded into podman): --sort,
# every --filter libimage has and its messages, template fields, history's
# columns, IDs, flags and JSON.

load helpers
load helpers-containers

setup() {
    pc_setup
    pc_busybox
    pc_load_fixture layered
    run_pc tag localhost/busybox:latest localhost/busybox:v2 docker.io/library/bb:1
}

refs() {
    run_pc images "$@" --format '{{.Repository}}:{{.Tag}}'
    echo "${output//$'\n'/ }"
}

@test "images --sort created|id|repository|size|tag; a bad --sort is podman's message" {
    assert_equal "$(refs)" "localhost/busybox:latest localhost/busybox:v2 docker.io/library/bb:1 localhost/layered:latest"
    assert_equal "$(refs --sort repository)" "docker.io/library/bb:1 localhost/busybox:latest localhost/busybox:v2 localhost/layered:latest"
    assert_equal "$(refs --sort tag)" "docker.io/library/bb:1 localhost/busybox:latest localhost/layered:latest localhost/busybox:v2"
    assert_equal "$(refs --sort id)" "localhost/layered:latest localhost/busybox:latest localhost/busybox:v2 docker.io/library/bb:1"
    assert_equal "$(refs --sort size)" "localhost/busybox:latest localhost/busybox:v2 docker.io/library/bb:1 localhost/layered:latest"
    # A newer image comes first by default.
    run_pc import "$PC_FIXTURES/busybox.rootfs.tar" localhost/newer
    assert_equal "$(refs)" "localhost/newer:latest localhost/busybox:latest localhost/busybox:v2 docker.io/library/bb:1 localhost/layered:latest"
    run_pc 125 images --sort bogus
    assert_equal "$output" 'Error: "bogus" is not a valid field for sorting. Choose from: created, id, repository, size, tag'
}

@test "images --filter reference matches podman's forms and shows every tag of a matching image" {
    assert_equal "$(refs --filter reference=bb)" "localhost/busybox:latest localhost/busybox:v2 docker.io/library/bb:1"
    assert_equal "$(refs --filter 'reference=*box')" "localhost/busybox:latest localhost/busybox:v2 docker.io/library/bb:1"
    assert_equal "$(refs --filter 'reference=library/bb:1')" "localhost/busybox:latest localhost/busybox:v2 docker.io/library/bb:1"
    assert_equal "$(refs --filter 'reference=localhost/lay*')" "localhost/layered:latest"
    assert_equal "$(refs --filter 'reference=lay*:latest')" "localhost/layered:latest"
    # A glob's * does not cross a slash (path.Match).
    assert_equal "$(refs --filter 'reference=*layered')" "localhost/layered:latest"
    assert_equal "$(refs --filter 'reference=local*')" ""
    assert_equal "$(refs --filter 'reference!=busybox')" "localhost/layered:latest"
    assert_equal "$(refs layered)" "localhost/layered:latest"
    run_pc 125 images layered --filter label=x
    assert_equal "$output" "Error: cannot specify an image and a filter(s)"
}

@test "images --filter dangling, label, before/since/until, readonly, intermediate, containers, id" {
    local all="localhost/busybox:latest localhost/busybox:v2 docker.io/library/bb:1 localhost/layered:latest"
    assert_equal "$(refs --filter dangling=true)" ""
    assert_equal "$(refs --filter dangling=false)" "$all"
    assert_equal "$(refs --filter label=maintainer)" "localhost/layered:latest"
    assert_equal "$(refs --filter label=maintainer=pc --filter label=org.pc.test=layered)" "localhost/layered:latest"
    assert_equal "$(refs --filter label!=maintainer)" "localhost/busybox:latest localhost/busybox:v2 docker.io/library/bb:1"
    assert_equal "$(refs --filter readonly=true)" ""
    assert_equal "$(refs --filter readonly=false)" "$all"
    assert_equal "$(refs -a --filter intermediate=true)" ""
    assert_equal "$(refs --filter intermediate=false)" "$all"
    run_pc create --name user busybox true
    assert_equal "$(refs --filter containers=true)" "localhost/busybox:latest localhost/busybox:v2 docker.io/library/bb:1"
    assert_equal "$(refs --filter containers=false)" "localhost/layered:latest"
    local id
    id=$("$PC" image inspect --format '{{.Id}}' layered)
    assert_equal "$(refs --filter "id=$id")" "localhost/layered:latest"
    run_pc import "$PC_FIXTURES/busybox.rootfs.tar" localhost/newer
    assert_equal "$(refs --filter since=localhost/busybox)" "localhost/newer:latest"
    assert_equal "$(refs --filter after=layered)" "localhost/newer:latest"
    assert_equal "$(refs --filter before=newer)" "$all"
    assert_equal "$(refs --filter until=2025-01-01)" "$all"
}

@test "images --filter errors are podman's" {
    run_pc 125 images --filter foo
    assert_equal "$output" 'Error: invalid image filter "foo": must be in the format "filter=value or filter!=value"'
    run_pc 125 images --filter foo=1
    assert_equal "$output" 'Error: unsupported image filter "foo"'
    run_pc 125 images --filter dangling=bogus
    assert_equal "$output" 'Error: non-boolean value "dangling" for bogus filter: strconv.ParseBool: parsing "bogus": invalid syntax'
    run_pc 125 images --filter intermediate=true
    assert_equal "$output" 'Error: specifying "intermediate" filter more than once with different values is not supported'
    run_pc 125 images --filter dangling=true,dangling=false
    assert_equal "$output" 'Error: specifying "dangling" filter more than once with different values is not supported'
    run_pc 125 images --filter before=nosuch
    assert_equal "$output" 'Error: could not find local image for filter filter "before"="nosuch": nosuch: image not known'
    run_pc 125 images --filter until=bogus
    assert_equal "$output" 'Error: failed to parse value as time or duration: "bogus"'
    run_pc 125 images --filter containers=bogus
    assert_equal "$output" 'Error: unsupported value "bogus" for containers filter'
}

@test "images templates: .ID, .Labels, .History, --history, --no-trunc, JSON rows" {
    local id
    id=$("$PC" image inspect --format '{{.Id}}' layered)
    run_pc images layered --format '{{.ID}}|{{.Id}}|{{.Labels}}|{{.History}}|{{.CreatedAt}}|{{.ReadOnly}}|{{.Dangling}}|{{.SharedSize}}'
    assert_equal "$output" "${id:0:12}|$id|map[maintainer:pc org.pc.test:layered]|localhost/layered:latest|2024-01-01 00:00:00 +0000 UTC|false|false|0"
    run_pc images layered --no-trunc --format '{{.ID}}'
    assert_equal "$output" "sha256:$id"
    run_pc images --filter reference=bb --format '{{.Tag}} {{.Labels}} {{.History}}'
    assert_equal "${lines[0]}" "latest map[] docker.io/library/bb:1, localhost/busybox:v2, localhost/busybox:latest"
    run_pc images --history layered
    assert_equal "$(echo "${lines[0]}" | tr -s ' ')" "REPOSITORY TAG IMAGE ID CREATED SIZE HISTORY"
    [[ "${lines[1]}" == *"  localhost/layered:latest" ]]
    run_pc images --noheading layered
    assert_equal "${#lines[@]}" "1"
    run_pc images --format json
    echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert len(d) == 4, [x["Names"] for x in d]   # one entry per row, as podman
for x in d:
    assert x["RepoTags"] is None, x
    assert x["Created"] == 1704067200, x["Created"]
    assert x["CreatedAt"] == "2024-01-01T00:00:00Z", x["CreatedAt"]
    assert "ReadOnly" not in x and "Dangling" not in x, x
lay = [x for x in d if x["Names"] == ["localhost/layered:latest"]][0]
assert lay["Labels"] == {"maintainer": "pc", "org.pc.test": "layered"}, lay["Labels"]
'
}

@test "history at top level: podman's columns, IDs of local images, -q, --no-trunc, -H=false, JSON" {
    local lid bid
    lid=$("$PC" image inspect --format '{{.Id}}' layered)
    bid=$("$PC" image inspect --format '{{.Id}}' busybox)
    run_pc history layered
    assert_equal "${lines[0]}" "ID            CREATED      CREATED BY                                     SIZE        COMMENT"
    assert_equal "${#lines[@]}" "11"
    assert_equal "${lines[1]}" "${lid:0:12}  2 years ago  /bin/sh -c #(nop)  STOPSIGNAL SIGTERM          0 B         "
    assert_equal "${lines[3]}" "<missing>     2 years ago  /bin/sh -c #(nop)  LABEL org.pc.test=layer...  0 B         "
    # The bottom layer is busybox's top: podman names the row after it.
    [[ "${lines[10]}" == "${bid:0:12}  2 years ago  COPY busybox-static /bin/busybox + applets...  2.14 MB "* ]]
    run_pc image history layered
    assert_equal "${#lines[@]}" "11"
    run_pc history -q layered
    assert_equal "${lines[0]}" "${lid:0:12}"
    assert_equal "${lines[1]}" "<missing>"
    assert_equal "${lines[9]}" "${bid:0:12}"
    run_pc history -q --no-trunc layered
    assert_equal "${lines[0]}" "$lid"
    run_pc history --no-trunc layered
    assert_contains "$output" "ADD /data (added.txt keep/ gone-dir/ gone.txt hard links, symlink) /etc/motd v1"
    run_pc history --human=false --format '{{.ID}} {{.Created}} {{.Size}}' busybox
    assert_equal "${lines[0]}" "${bid:0:12} 2024-01-01T00:00:00Z 0 B"
    assert_equal "${lines[1]}" "<missing> 2024-01-01T00:00:00Z 2.14 MB"
    run_pc history --format json busybox
    assert_equal "${#lines[@]}" "1"
    [[ "$output" == "[{\"id\":\"$bid\",\"created\":\"2024-01-01T00:00:00Z\","* ]]
    assert_contains "$output" '{"id":"\u003cmissing\u003e","created":"2024-01-01T00:00:00Z","CreatedBy":"COPY busybox-static'
    run_pc 125 history nosuch
    assert_equal "$output" "Error: nosuch: image not known"
}

@test "inspect: podman's messages for missing objects, --type, what was found printed first" {
    run_pc volume create vv
    run_pc create --name c1 busybox true
    run_pc 125 inspect nosuch
    assert_equal "$output" $'[]\nError: inspecting object: no such object: "nosuch"'
    run_pc 125 inspect --type container nosuch
    assert_equal "$output" $'[]\nError: inspecting object: no such container nosuch'
    run_pc 125 inspect --type image nosuch
    assert_equal "$output" $'[]\nError: inspecting object: nosuch: image not known'
    run_pc 125 inspect --type volume nosuch
    assert_equal "$output" $'[]\nError: inspecting object: no such volume nosuch'
    run_pc 125 inspect --type network nosuch
    assert_equal "$output" $'[]\nError: inspecting object: network nosuch: unable to find network with name or ID nosuch: network not found'
    run_pc 125 inspect --type bogus nosuch
    assert_equal "$output" 'Error: invalid type "bogus": must be "image", "container", "pod", "network", "volume", or "all"'
    run_pc 125 image inspect nosuch
    assert_equal "$output" $'[]\nError: inspecting object: nosuch: image not known'
    run_pc 125 container inspect busybox
    assert_equal "$output" $'[]\nError: inspecting object: no such container busybox'
    run_pc 125 volume inspect nosuch
    assert_equal "$output" $'[]\nError: inspecting object: no such volume nosuch'
    # "all" tries a container, an image, then a volume.
    run_pc inspect --format '{{.Name}}' vv
    assert_equal "$output" "vv"
    run_pc inspect --format '{{.Name}}' c1
    assert_equal "$output" "c1"
    # What was found comes first, then the later failures, then the first.
    run_pc_split 125 inspect --format '{{.Name}}' nosuch c1 other
    assert_equal "$output" "c1"
    assert_equal "$stderr" $'error inspecting object: no such object: "other"\nError: inspecting object: no such object: "nosuch"'
    run_pc 125 inspect --format '{{.Name}}' nosuch c1
    assert_equal "$output" $'c1\nError: inspecting object: no such object: "nosuch"'
    # podman's printJSON: five spaces, <, > and & as they are.
    run_pc create --name hh --label 'h=<a&b>' busybox true
    run_pc inspect hh
    assert_equal "${lines[0]}" "["
    assert_equal "${lines[1]}" "     {"
    [[ "${lines[2]}" == '          "Id": "'* ]]
    assert_contains "$output" '"h": "<a&b>"'
    # --size: the container's sizes as podman's SizeRw and SizeRootFs.
    run_pc inspect --size --format '{{.SizeRw}} {{gt .SizeRootFs 1000000}}' c1
    assert_equal "$output" "0 true"
}
