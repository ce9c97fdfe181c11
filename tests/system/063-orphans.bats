#!/usr/bin/env bats
# What killed pc commands, corrupt records and stopped monitors leave: no
# process, mount or staging dir outlives what ps -a shows and rm -f removes.

load helpers
load helpers-containers

# Processes whose mount table holds something of this test's store (a
# monitor's mount namespace, a container's, a fuse-overlayfs daemon's).
store_pids() {
    local m p
    for m in /proc/[0-9]*/mountinfo; do
        p=${m#/proc/}
        p=${p%/mountinfo}
        grep -qs "$PC_TEST_DIR" "$m" && echo "$p"
    done
    return 0
}

no_store_pids() { [ -z "$(store_pids)" ]; }

ctr_dir() { echo "$XDG_DATA_HOME/pc/storage/engine/containers/$1"; }
run_dir() { echo "$XDG_RUNTIME_DIR/pc/ctr/$1"; }

# alive_pidfile FILE: the process "PID STARTTIME" names still runs
alive_pidfile() {
    local pid st now
    read -r pid st <"$1" 2>/dev/null || return 1
    now=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$pid/stat" 2>/dev/null) || return 1
    [ "$now" = "$st" ]
}

# No container that ps -a calls created has a live monitor.
no_created_with_monitor() {
    local id
    for id in $("$PC" ps -a --no-trunc --filter status=created --format '{{.ID}}'); do
        ! alive_pidfile "$(run_dir "$id")/monitor.pid" || return 1
    done
}

@test "a container whose state.json is lost is up, start spawns no second monitor, rm -f kills it" {
    pc_busybox
    run_pc run -d --name lost busybox sleep 1000
    id=$output
    mon=$(monitor_pid lost)
    # What a pc killed between the monitor's report and state.json leaves.
    rm "$(run_dir "$id")/state.json"
    run_pc ps -a --format '{{.Names}} {{.State}}'
    assert_equal "$output" "lost running"
    run_pc start lost
    alive_pidfile "$(run_dir "$id")/monitor.pid"
    read -r now _ <"$(run_dir "$id")/monitor.pid"
    assert_equal "$now" "$mon"
    run_pc rm -f -t 0 lost
    ! kill -0 "$mon" 2>/dev/null
    wait_for -t 5 no_store_pids
    run_pc ps -a -q
    assert_equal "$output" ""
}

@test "rm -f of a created container kills the stopped monitor its killed pc left" {
    pc_busybox
    run_pc run -d --name stuck busybox sleep 1000
    id=$output
    mon=$(monitor_pid stuck)
    kill -STOP "$mon"
    rm "$(run_dir "$id")/state.json"
    run_pc 2 rm stuck
    run timeout 30 "$PC" start stuck
    [ "$status" -eq 0 ]
    read -r now _ <"$(run_dir "$id")/monitor.pid"
    assert_equal "$now" "$mon"
    run timeout 30 "$PC" rm -f -t 0 stuck
    [ "$status" -eq 0 ]
    ! kill -0 "$mon" 2>/dev/null
    wait_for -t 5 no_store_pids
}

@test "a record that cannot be read is listed, and rm -f stops its processes and frees its name" {
    pc_busybox
    local kind
    for kind in garbage empty truncated directory symlink array; do
        run_pc run -d --name "r_$kind" busybox sleep 1000
        id=$output
        rec=$(ctr_dir "$id")/container.json
        [ -f "$rec" ]
        case $kind in
            garbage) echo 'xx{' >"$rec" ;;
            empty) : >"$rec" ;;
            truncated) head -c 40 "$rec" >"$rec.t" && mv "$rec.t" "$rec" ;;
            directory) rm "$rec" && mkdir "$rec" ;;
            symlink) rm "$rec" && ln -s /etc/hostname "$rec" ;;
            array) echo '[1,2]' >"$rec" ;;
        esac
        mon=$(awk '{print $1}' "$(run_dir "$id")/monitor.pid")
        run_pc_split ps -a --no-trunc --format '{{.ID}} {{.State}}'
        assert_contains "$output" "$id unknown"
        assert_contains "$stderr" "$rec"
        run_pc_split ps -a --filter status=unknown -q --no-trunc
        assert_equal "$output" "$id"
        # The name still points at it: the name is not free yet.
        run_pc 125 create --name "r_$kind" busybox true
        run_pc rm -f -t 0 "r_$kind"
        ! kill -0 "$mon" 2>/dev/null
        [ ! -e "$(ctr_dir "$id")" ]
        run_pc create --name "r_$kind" busybox true
    done
    wait_for -t 5 no_store_pids
}

@test "a --rm container's records are not synced: what a crash can leave of them is listed and removed" {
    # pc does not fsync a --rm container's name, storage record and record
    # (they are ephemeral): after a power loss any of them may be empty or,
    # for the record, missing. Each such state is shown or collected, and
    # rm -f removes the rest.
    pc_busybox
    local names="$XDG_DATA_HOME/pc/storage/engine/names"
    local sto="$XDG_DATA_HOME/pc/storage/containers"
    run_pc create --rm --name vol_empty busybox true
    id=$output
    [ -s "$(ctr_dir "$id")/container.json" ] && [ -s "$sto/$id/container.json" ] && [ -s "$names/vol_empty" ]
    : >"$(ctr_dir "$id")/container.json"
    : >"$sto/$id/container.json"
    : >"$names/vol_empty"
    run_pc_split ps -a --no-trunc --format '{{.ID}} {{.State}}'
    assert_contains "$output" "$id unknown"
    assert_contains "$stderr" "$(ctr_dir "$id")/container.json"
    # A reservation that names no container is free again.
    run_pc create --name vol_empty busybox true
    run_pc rm -f "$id"
    [ ! -e "$(ctr_dir "$id")" ] && [ ! -e "$sto/$id" ]
    run_pc ps -a --format '{{.Names}}'
    assert_equal "$output" "vol_empty"
    run_pc rm -f vol_empty

    # The record never reached the disk: a command that removes storage
    # collects the rest as a killed create's.
    run_pc create --rm --name vol_lost busybox true
    id=$output
    rm "$(ctr_dir "$id")/container.json"
    run_pc ps -a -q
    assert_equal "$output" ""
    run_pc rm -a -f
    [ ! -e "$(ctr_dir "$id")" ] && [ ! -e "$sto/$id" ] && [ ! -e "$names/vol_lost" ]
    run_pc create --name vol_lost busybox true
}

@test "a corrupt state.json: the container is listed as up and rm -f stops it" {
    pc_busybox
    run_pc run -d --name badstate busybox sleep 1000
    id=$output
    mon=$(monitor_pid badstate)
    echo 'not json' >"$(run_dir "$id")/state.json"
    run_pc ps -a --format '{{.Names}} {{.State}}'
    assert_equal "$output" "badstate running"
    run_pc rm -f -t 0 badstate
    ! kill -0 "$mon" 2>/dev/null
    wait_for -t 5 no_store_pids
}

@test "wait returns the code of a container that exited under a stopped monitor" {
    pc_busybox
    run_pc run -d --name w busybox sleep 1000
    mon=$(monitor_pid w)
    pid=$(ctr_pid w)
    kill -STOP "$mon"
    kill -9 "$pid"
    run --separate-stderr timeout 30 "$PC" wait w
    assert_equal "$status" 0
    assert_equal "$output" 137
    assert_contains "$stderr" "does not record it"
    run_pc inspect --format '{{.State.Status}} {{.State.ExitCode}}' w
    assert_equal "$output" "exited 137"
    # The monitor never ran again: rm kills it, and its mounts go.
    run timeout 30 "$PC" rm w
    assert_equal "$status" 0
    ! kill -0 "$mon" 2>/dev/null
    wait_for -t 5 no_store_pids
}

@test "kill -9 of run, create, rm, load and commit at random points leaves nothing behind" {
    pc_busybox
    run_pc create --name base busybox true
    local i cmd p
    local delay
    for i in $(seq 1 42); do
        # run gets half the kills, most of them while its container starts.
        delay=0.$((RANDOM % 15))
        case $((i % 6)) in
            0 | 4 | 5) cmd=(run --rm busybox sleep 1000); delay=0.0$((RANDOM % 10)) ;;
            1) cmd=(create busybox true) ;;
            2) cmd=(rm -f -t 0 "$("$PC" create busybox true)") ;;
            3) if [ $((i % 12)) = 3 ]; then cmd=(load -i "$PC_FIXTURES/busybox.docker.tar")
               else cmd=(commit base "localhost/k$i"); fi ;;
        esac
        "$PC" "${cmd[@]}" >/dev/null 2>&1 &
        p=$!
        sleep "$delay"
        kill -9 "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    # A monitor whose pc died before it started the container goes by itself.
    wait_for -t 10 no_created_with_monitor
    run_pc rm -fa -t 0
    run_pc rmi -a
    wait_for -t 10 no_store_pids
    run_pc ps -a -q
    assert_equal "$output" ""
    run_pc images -q
    assert_equal "$output" ""
    local f
    for f in "$XDG_RUNTIME_DIR"/pc/ctr/*/monitor.pid; do
        [ -e "$f" ] || continue
        ! alive_pidfile "$f"
    done
    run ls -A "$XDG_DATA_HOME/pc/storage/tmp"
    assert_equal "$output" ""
}
