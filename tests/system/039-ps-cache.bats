#!/usr/bin/env bats
# pc ps reads summaries of the records (DATA/ps-cache), keyed by each
# record's bytes: what it shows always follows the record.

load helpers
load helpers-containers

setup() {
    pc_setup
    pc_busybox
}

rec_of() { echo "$XDG_DATA_HOME/pc/storage/engine/containers/$1/container.json"; }
cache_of() { echo "$XDG_DATA_HOME/pc/storage/engine/ps-cache/$1"; }

@test "ps follows a record changed behind its cache, even to the same size" {
    run_pc create --name a -l k=v busybox true
    local id=$output
    run_pc ps -a --format '{{.Names}} {{.Command}} {{.Labels}}'
    assert_equal "$output" "a true map[k:v]"
    [ -s "$(cache_of "$id")" ]
    # Same length, same second: only the bytes tell the records apart.
    local rec; rec=$(rec_of "$id")
    local before; before=$(stat -c %s "$rec")
    sed -i 's/"Cmd":\["true"\]/"Cmd":["echo"]/; s/"k":"v"/"k":"w"/' "$rec"
    assert_equal "$(stat -c %s "$rec")" "$before"
    run_pc ps -a --format '{{.Names}} {{.Command}} {{.Labels}}'
    assert_equal "$output" "a echo map[k:w]"
    run_pc ps -a --filter label=k=w --format '{{.Names}}'
    assert_equal "$output" "a"
}

@test "ps ignores a damaged or foreign cache file and writes it again" {
    run_pc create --name b busybox true
    local id=$output
    run_pc ps -a --format '{{.Names}} {{.Command}}'
    assert_equal "$output" "b true"
    local cache; cache=$(cache_of "$id")
    for junk in "" "garbage" "pc-ps-1 1 0000000000000000
{\"Name\":\"evil\"}" "$(head -1 "$cache")
{\"Name\":"; do
        printf '%s' "$junk" > "$cache"
        run_pc ps -a --format '{{.Names}} {{.Command}}'
        assert_equal "$output" "b true"
    done
    run head -c 8 "$cache"
    assert_equal "$output" "pc-ps-1 "
    # A directory in its place is ignored too.
    rm -f "$cache"; mkdir "$cache"
    run_pc ps -a --format '{{.Names}}'
    assert_equal "$output" "b"
    rmdir "$cache"
}

@test "ps drops the cache files of removed containers; a damaged record still shows its problem" {
    run_pc create --name c1 busybox true
    local c1=$output
    run_pc create --name c2 busybox true
    local c2=$output
    run_pc ps -a -q
    [ -e "$(cache_of "$c1")" ]
    run_pc rm c1
    run_pc ps -a --format '{{.Names}}'
    assert_equal "$output" "c2"
    [ ! -e "$(cache_of "$c1")" ]
    echo '{"Name":' > "$(rec_of "$c2")"
    run_pc ps -a --format '{{.Status}}'
    assert_equal "${lines[-1]}" "Unknown (record unreadable)"
    assert_contains "${lines[0]}" "WARN: container $c2: record "
}
