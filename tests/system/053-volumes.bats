#!/usr/bin/env bats
# Named volumes: pc volume create|ls|inspect|rm|prune|exists, podman 4.3's
# output, JSON shape and exit codes, and the store's layout
# (DATA/.../volumes/NAME/{volume.json,_data}).

load helpers

@test "volume lifecycle: create prints the name, inspect shows podman's fields, rm removes it" {
    run_pc volume create myvol
    assert_equal "$output" "myvol"
    run_pc volume exists myvol
    run_pc volume inspect --format '{{.Name}} {{.Driver}} {{.Scope}} {{.MountCount}}' myvol
    assert_equal "$output" "myvol local local 0"
    run_pc volume inspect myvol
    for key in '"Name": "myvol"' '"Driver": "local"' '"Mountpoint": "' '"CreatedAt": "' '"Labels": {}' '"Scope": "local"' '"Options": {}'; do
        assert_contains "$output" "$key"
    done
    # The data directory exists, belongs to the user and is where inspect says.
    run_pc volume inspect --format '{{.Mountpoint}}' myvol
    mp=$output
    [[ $mp == */volumes/myvol/_data ]]
    [ -d "$mp" ]
    assert_equal "$(stat -c '%u %a' "$mp")" "$(id -u) 755"
    [ -f "$(dirname "$mp")/volume.json" ]
    # CreatedAt is RFC 3339 with nanoseconds, as podman's JSON.
    run_pc volume inspect --format '{{.CreatedAt}}' myvol
    [[ $output =~ ^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:]+(\.[0-9]+)?(Z|[+-][0-9][0-9]:[0-9][0-9])$ ]]
    echo data > "$mp/file"
    run_pc volume rm myvol
    assert_equal "$output" "myvol"
    [ ! -e "$mp" ]
    run_pc 1 volume exists myvol
    assert_equal "$output" ""
}

@test "volume create without a name makes a 64-hex name; a taken name is refused" {
    run_pc volume create
    [[ $output =~ ^[0-9a-f]{64}$ ]]
    name=$output
    run_pc volume ls -q
    assert_equal "$output" "$name"
    run_pc volume create v1
    run_pc 125 volume create v1
    assert_contains "$output" "volume with name v1 already exists: volume already exists"
    run_pc volume create --ignore v1
    assert_equal "$output" "v1"
}

@test "volume names are validated as podman's" {
    for bad in 'a/b' '.hidden' '..' 'a b' '_x' 'x:y' "$(printf 'a%.0s' {1..201})"; do
        run_pc 125 volume create "$bad"
        assert_contains "$output" "names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*"
    done
    run_pc volume create 'ok_1.2-3'
    run_pc volume ls --format '{{.Name}}'
    assert_equal "$output" "ok_1.2-3"
    # Nothing was left behind by the refusals.
    run_pc volume ls -q
    assert_equal "$output" "ok_1.2-3"
}

@test "volume ls lists sorted by name, with podman's table, json, templates and -q" {
    run_pc volume ls
    assert_equal "$output" "DRIVER      VOLUME NAME"
    run_pc volume ls --format json
    assert_equal "$output" "[]"
    for n in zeta alpha Mid 9x; do run_pc volume create "$n"; done
    run_pc volume ls -q
    assert_equal "$output" "$(printf '9x\nMid\nalpha\nzeta')"
    run_pc volume ls
    assert_equal "${lines[0]}" "DRIVER      VOLUME NAME"
    assert_equal "${lines[1]}" "local       9x"
    assert_equal "${lines[4]}" "local       zeta"
    run_pc volume ls --noheading --format 'table {{.Name}}'
    assert_equal "$output" "$(printf '9x\nMid\nalpha\nzeta')"
    run_pc volume ls --format '{{.Name}}:{{.Driver}}:{{.Scope}}'
    assert_equal "${lines[2]}" "alpha:local:local"
    run_pc volume ls --format json
    assert_contains "$output" '"Name": "9x"'
    assert_contains "$output" '"Mountpoint": "'
}

@test "labels and options are kept; ls --filter by label, label!, name, driver, opt, dangling" {
    run_pc volume create --label app=web --label tier=front -o type=tmpfs -o device=tmpfs -o o=size=2m,uid=1000 web
    run_pc volume create --label app=db --label keep db
    run_pc volume create plain
    run_pc volume inspect --format '{{.Labels.app}} {{.Labels.tier}} {{.Options.type}} {{.Options.o}}' web
    assert_equal "$output" "web front tmpfs size=2m,uid=1000"
    run_pc volume inspect --format '{{json .Labels}}' db
    assert_equal "$output" '{"app":"db","keep":""}'
    run_pc volume ls -q --filter label=app
    assert_equal "$output" "$(printf 'db\nweb')"
    run_pc volume ls -q --filter label=app=db
    assert_equal "$output" "db"
    # label values must all match; other keys' values are alternatives.
    run_pc volume ls -q --filter label=app --filter label=keep
    assert_equal "$output" "db"
    run_pc volume ls -q --filter label!=app
    assert_equal "$output" "plain"
    run_pc volume ls -q --filter name=^we --filter name=pla
    assert_equal "$output" "$(printf 'plain\nweb')"
    run_pc volume ls -q --filter name=db --filter label=app=web
    assert_equal "$output" ""
    run_pc volume ls -q --filter opt=type=tmpfs
    assert_equal "$output" "web"
    run_pc volume ls -q --filter driver=local --filter dangling=true
    assert_equal "$(echo "$output" | wc -l)" "3"
    run_pc volume ls -q --filter dangling=false
    assert_equal "$output" ""
    run_pc 125 volume ls --filter bogus=1
    assert_contains "$output" "bogus is an invalid filter"
}

@test "volume create refuses other drivers and unknown options" {
    run_pc 125 volume create --driver nfs v
    assert_contains "$output" "volume plugin nfs"
    run_pc 125 volume create -o color=blue v
    assert_contains "$output" "invalid mount option color for driver 'local'"
    run_pc 125 volume create -o type=bind v
    assert_contains "$output" "type=bind needs an absolute device=PATH"
    run_pc volume create -o type=bind -o device=/tmp -o o=bind v
    run_pc volume inspect --format '{{.Options.device}}' v
    assert_equal "$output" "/tmp"
    run_pc volume create -o uid=1000 -o gid=100 owned
    run_pc volume inspect --format '{{.UID}} {{.GID}}' owned
    assert_equal "$output" "1000 100"
}

@test "volume rm: missing exits 1 (others still removed), -f ignores it, -a removes all" {
    run_pc volume create a
    run_pc volume create b
    run_pc_split 1 volume rm nosuch a
    assert_equal "$output" "a"
    assert_contains "$stderr" 'no volume with name "nosuch" found: no such volume'
    run_pc volume rm -f nosuch
    assert_equal "$output" ""
    run_pc 125 volume rm
    assert_contains "$output" "choose either one or more volumes or all"
    run_pc 125 volume rm -a b
    run_pc volume create c
    run_pc volume rm -a
    assert_equal "$output" "$(printf 'b\nc')"
    run_pc volume ls -q
    assert_equal "$output" ""
}

@test "volume inspect: a missing volume exits 125 after printing the ones found" {
    run_pc volume create here
    run_pc_split 125 volume inspect --format '{{.Name}}' here nosuch
    assert_equal "$output" "here"
    assert_contains "$stderr" "no such volume nosuch"
    run_pc 125 volume inspect
    run_pc volume create there
    run_pc volume inspect -a --format '{{.Name}}'
    assert_equal "$output" "$(printf 'here\nthere')"
}

@test "volume prune: asks first, removes unused volumes, --filter label and until" {
    run_pc volume create --label keep=yes kept
    run_pc volume create gone1
    run_pc volume create gone2
    # Without -f it lists what it would remove and asks.
    run bash -c "echo n | '$PC' volume prune"
    [ "$status" -eq 0 ]
    assert_contains "$output" "The following volumes will be removed:"
    assert_contains "$output" "gone1"
    assert_contains "$output" "Are you sure you want to continue? [y/N]"
    run_pc volume ls -q
    assert_equal "$(echo "$output" | wc -l)" "3"
    run_pc volume prune -f --filter label!=keep
    assert_equal "$output" "$(printf 'gone1\ngone2')"
    run_pc volume ls -q
    assert_equal "$output" "kept"
    # until: only volumes created before the time.
    run_pc volume prune -f --filter until=1h
    assert_equal "$output" ""
    run bash -c "echo y | '$PC' volume prune"
    [ "$status" -eq 0 ]
    assert_contains "$output" "kept"
    run_pc volume ls -q
    assert_equal "$output" ""
    run_pc 125 volume prune -f --filter name=x
    assert_contains "$output" "name=x is an invalid filter"
}

@test "volume rm of data written as a subuid works (removed in pc's user namespace)" {
    run_pc volume create sub
    run_pc volume inspect --format '{{.Mountpoint}}' sub
    mp=$output
    # A file owned by container uid 1 (a subuid on the host), as a container would leave.
    run_pc unshare sh -c "mkdir '$mp/d' && touch '$mp/d/f' && chown -R 1:1 '$mp/d' && chmod 500 '$mp/d'"
    run_pc volume rm sub
    [ ! -e "$mp" ]
}

@test "a half-made volume left by a killed pc is never listed and is swept by the next create" {
    run_pc volume create real
    run_pc volume inspect --format '{{.Mountpoint}}' real
    vols=$(dirname "$(dirname "$output")")
    mkdir -p "$vols/.tmp-half/_data" "$vols/.rm-old/_data" "$vols/norecord/_data"
    run_pc volume ls -q
    assert_equal "$output" "real"
    run_pc 1 volume exists norecord
    run_pc volume create other
    [ ! -e "$vols/.tmp-half" ]
    [ ! -e "$vols/.rm-old" ]
}
