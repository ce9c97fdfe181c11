#!/usr/bin/env bats
# Removal through the trash (pkg/engine/trash.c): a removed container's
# directories are renamed into DATA/trash and RUN/trash and deleted there
# by their remover, which holds a lock on each entry; what a remover that
# died leaves is deleted by the next command that collects (rm -a, prune,
# rmi), never while its remover lives.

load helpers
load helpers-containers

store() { echo "$XDG_DATA_HOME/pc/storage"; }

# trash_remover ID: the pid of a process with DATA/trash/ID open (its
# remover, which holds its lock), empty when there is none.
trash_remover() {
    local f
    for f in /proc/[0-9]*/fd/*; do
        case $(readlink "$f" 2>/dev/null) in
            "$(store)/engine/trash/$1"*) f=${f#/proc/}; echo "${f%%/*}"; return 0 ;;
        esac
    done
    return 0
}

trash_empty() {
    [ -z "$(ls -A "$(store)/engine/trash" 2>/dev/null)" ] \
        && [ -z "$(ls -A "$XDG_RUNTIME_DIR/pc/trash" 2>/dev/null)" ]
}

@test "trash whose remover died is collected by the next rm -a, not while a remover holds it" {
    pc_busybox
    run_pc run --name t1 busybox sh -c 'mkdir -p /a/b && echo x > /a/b/f'
    local id s r
    id=$("$PC" inspect --format '{{.Id}}' t1)
    s=$(store)
    r=$XDG_RUNTIME_DIR/pc
    wait_for -t 10 sh -c "[ ! -e '$r/ctr/$id/monitor.pid' ]"
    # What a monitor killed between its renames and the end of its delete
    # leaves: the engine dir with the layer in it, the state dir.
    "$PC" unshare sh -c "mkdir -p '$s/engine/trash' '$r/trash' \
        && mv '$s/engine/containers/$id' '$s/engine/trash/$id' \
        && mv '$s/containers/$id' '$s/engine/trash/$id/.storage' \
        && mv '$r/ctr/$id' '$r/trash/$id'"
    # A remover at work holds the entry's lock: it is left to it (rm lists
    # the containers to check its dependents, in the user namespace, which
    # collects: it is the next command here too).
    (exec 9<"$s/engine/trash/$id"; flock 9; exec sleep 60) &
    local holder=$!
    wait_for -t 10 sh -c "[ -d '$s/engine/trash/$id' ] && ! flock -n '$s/engine/trash/$id' true"
    # The container is gone for everyone, its name free.
    run_pc ps -a -q
    assert_equal "$output" ""
    run_pc create --name t1 busybox true
    run_pc rm t1
    run_pc rm -a
    [ -d "$s/engine/trash/$id/.storage/diff/a/b" ]
    # The state dir's entry has no remover: collected already.
    [ ! -e "$r/trash/$id" ]
    kill "$holder"
    wait "$holder" 2>/dev/null || true
    # Its remover gone, the next rm -a deletes it, the state dir's too.
    run_pc rm -a
    trash_empty
    # Nothing of it pins the image.
    run_pc rmi busybox
    assert_contains "$output" "Deleted:"
}

@test "kill -9 of an --rm monitor deleting its trash leaves nothing after the next command" {
    pc_busybox
    # A layer of 20000 files: its delete, after run returns, takes a while.
    run_pc run --rm --name big busybox sh -c 'mkdir /d && cd /d && seq 1 20000 | xargs touch'
    # Gone for ps and the name at once, whatever its trash's state.
    run_pc ps -a -q
    assert_equal "$output" ""
    local e id p
    for e in "$(store)"/engine/trash/*; do
        [ -e "$e" ] || continue
        id=${e##*/}
        p=$(trash_remover "$id")
        [ -z "$p" ] || kill -9 "$p"
    done
    run_pc run --rm --name big busybox true
    run_pc rm -a
    wait_for -t 10 trash_empty
    run find "$(store)/containers" "$(store)/engine/containers" -mindepth 1 -maxdepth 1
    assert_equal "$output" ""
    run find "$XDG_RUNTIME_DIR/pc/ctr" -mindepth 1
    assert_equal "$output" ""
}

@test "rm of a stopped container leaves no trash and frees the name at once" {
    pc_busybox
    run_pc run -d --name st busybox sleep 100
    run_pc stop -t 0 st
    run_pc rm st
    trash_empty
    run_pc ps -a -q
    assert_equal "$output" ""
    run_pc create --name st busybox true
}
