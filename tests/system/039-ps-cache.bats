#!/usr/bin/env bats
# pc ps reads summaries of the records from one index (DATA/ps-cache/index),
# each line keyed by its record's file (handle, size, times): what it shows
# always follows the record.

load helpers
load helpers-containers

setup() {
    pc_setup
    pc_busybox
}

rec_of() { echo "$XDG_DATA_HOME/pc/storage/engine/containers/$1/container.json"; }
index_file() { echo "$XDG_DATA_HOME/pc/storage/engine/ps-cache/index"; }

@test "ps follows a record changed behind its index, even to the same size and mtime" {
    run_pc create --name a -l k=v busybox true
    local id=$output
    run_pc ps -a --format '{{.Names}} {{.Command}} {{.Labels}}'
    assert_equal "$output" "a true map[k:v]"
    grep -q "^$id " "$(index_file)"
    local rec; rec=$(rec_of "$id")
    local before; before=$(stat -c %s "$rec")
    # Replaced (a new file renamed into place) with the same size and mtime.
    sed 's/"Cmd":\["true"\]/"Cmd":["echo"]/; s/"k":"v"/"k":"w"/' "$rec" > "$rec.new"
    touch -r "$rec" "$rec.new"
    mv "$rec.new" "$rec"
    assert_equal "$(stat -c %s "$rec")" "$before"
    run_pc ps -a --format '{{.Names}} {{.Command}} {{.Labels}}'
    assert_equal "$output" "a echo map[k:w]"
    run_pc ps -a --filter label=k=w --format '{{.Names}}'
    assert_equal "$output" "a"
    # Written in place, same size: the same file, new times.
    local body; body=$(sed 's/"Cmd":\["echo"\]/"Cmd":["yes!"]/' "$rec")
    printf '%s' "$body" 1<> "$rec"
    assert_equal "$(stat -c %s "$rec")" "$before"
    run_pc ps -a --format '{{.Names}} {{.Command}}'
    assert_equal "$output" "a yes!"
}

@test "ps ignores a damaged or foreign index and writes it again" {
    run_pc create --name b busybox true
    local id=$output
    run_pc ps -a --format '{{.Names}} {{.Command}}'
    assert_equal "$output" "b true"
    local index; index=$(index_file)
    local good; good=$(cat "$index")
    local key; key=$(grep "^$id " "$index" | cut -f1)
    for junk in "" "garbage" "pc-ps-1 1 0000000000000000
{\"Name\":\"evil\"}" "pc-ps-2
$id 1 2 3.0 4.0 1:00	{\"Name\":\"evil\",\"Config\":{\"Cmd\":[\"evil\"]}}" "pc-ps-2
$key	{\"Name\":" "pc-ps-2
$key	[1]" "pc-ps-2
$key"; do
        printf '%s\n' "$junk" > "$index"
        run_pc ps -a --format '{{.Names}} {{.Command}}'
        assert_equal "$output" "b true"
        assert_equal "$(cat "$index")" "$good"
    done
    # A directory in its place is ignored too.
    rm -f "$index"; mkdir "$index"
    run_pc ps -a --format '{{.Names}}'
    assert_equal "$output" "b"
    rmdir "$index"
}

@test "ps drops the lines of removed containers and old cache files; a damaged record still shows its problem" {
    run_pc create --name c1 busybox true
    local c1=$output
    run_pc create --name c2 busybox true
    local c2=$output
    run_pc ps -a -q
    grep -q "^$c1 " "$(index_file)"
    # What pc-ps-1 kept: one file per container.
    local old; old="$(dirname "$(index_file)")/$c1"
    echo 'pc-ps-1 1 0000000000000000' > "$old"
    run_pc rm c1
    run_pc ps -a --format '{{.Names}}'
    assert_equal "$output" "c2"
    run grep -c "^$c1 " "$(index_file)"
    assert_equal "$output" "0"
    [ ! -e "$old" ]
    echo '{"Name":' > "$(rec_of "$c2")"
    run_pc ps -a --format '{{.Status}}'
    assert_equal "${lines[-1]}" "Unknown (record unreadable)"
    assert_contains "${lines[0]}" "WARN: container $c2: record "
}

@test "ps shows each container's state from its runtime files, never from the index" {
    run_pc create --name idle busybox true
    run_pc run -d --name up busybox sleep 100
    run_pc 4 run --name done busybox sh -c 'exit 4'
    run_pc ps -a --format '{{.Names}} {{.State}}' --sort names
    assert_equal "$output" "done exited
idle created
up running"
    run_pc start idle
    run_pc wait idle
    run_pc stop -t 0 up
    run_pc ps -a --format '{{.Names}} {{.State}}' --sort names
    assert_equal "$output" "done exited
idle exited
up exited"
    run_pc ps -a --sort names
    assert_contains "${lines[1]}" "Exited (4)"
    assert_contains "${lines[2]}" "Exited (0)"
}
