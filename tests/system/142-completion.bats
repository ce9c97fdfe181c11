#!/usr/bin/env bats
# pc completion bash|zsh|fish and the man pages: generated from the command
# table and each command's own flag table, so every command and flag pc
# parses is there and nothing else (cmd/pc/completion*.c).

load helpers
load helpers-containers

# bash_complete WORDS...: the completions bash offers for the last word.
bash_complete() {
    local script=$PC_TEST_DIR/pc.bash
    [ -f "$script" ] || "$PC" completion bash -f "$script"
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _pc; printf "%s\n" "${COMPREPLY[@]}"' \
        _ "$script" "$PC" "$@"
}

@test "completion bash: commands, subcommands and flags from the tables" {
    run bash_complete ru
    [ "$status" -eq 0 ]
    assert_equal "$output" "run"
    run bash_complete run --net
    assert_equal "$(echo $output)" "--network --net"
    run bash_complete image l
    assert_contains "$(echo $output)" "list ls load"
    # Global flags and their values are skipped on the way.
    run bash_complete --root /tmp --log-level debug volume ls --f
    assert_equal "$(echo $output)" "--filter --format"
    # A flag's value: files.
    touch "$PC_TEST_DIR/envfile.txt"
    run bash_complete run --env-file "$PC_TEST_DIR/envf"
    assert_equal "$output" "$PC_TEST_DIR/envfile.txt"
    # A usage's fixed choices.
    run bash_complete completion ''
    assert_equal "$(echo $output)" "bash zsh fish"
    # After run's IMAGE the words are the container's command: no flags of pc.
    run bash_complete run -d img --net
    assert_not_contains "$output" "--network"
}

@test "completion bash: every command of pc --help and every flag of pc run --help" {
    script=$PC_TEST_DIR/pc.bash
    run_pc completion bash -f "$script"
    top=$(bash -c 'source "$1"; echo "${__pc_subs[pc]}"' _ "$script")
    for c in $("$PC" --help | sed -n '/^Available Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }'); do
        [[ " $top " == *" $c "* ]] || { echo "missing command $c"; false; }
    done
    flags=$(bash -c 'source "$1"; echo "${__pc_vflags[pc run]} ${__pc_bflags[pc run]}"' _ "$script")
    n=0
    for f in $("$PC" run --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
        [ "$f" = --help ] && continue
        [[ " $flags " == *" $f "* ]] || { echo "missing flag $f"; false; }
        n=$((n + 1))
    done
    [ "$n" -gt 40 ]
    # Value flags are told from boolean ones.
    [[ " $(bash -c 'source "$1"; echo "${__pc_vflags[pc run]}"' _ "$script") " == *" --name "* ]]
    [[ " $(bash -c 'source "$1"; echo "${__pc_bflags[pc run]}"' _ "$script") " == *" --detach "* ]]
}

@test "completion bash: container, image and volume names come from pc" {
    pc_busybox
    run_pc create --name compctr localhost/busybox:latest true
    run_pc volume create compvol
    run bash_complete rm comp
    assert_equal "$output" "compctr"
    run bash_complete volume rm comp
    assert_equal "$output" "compvol"
    run bash_complete image rm localhost/bu
    assert_equal "$output" "localhost/busybox:latest"
}

@test "completion zsh: a completion function over the same tables" {
    command -v zsh >/dev/null || skip "zsh is not installed"
    run_pc completion zsh -f "$PC_TEST_DIR/_pc"
    run zsh -n "$PC_TEST_DIR/_pc"
    [ "$status" -eq 0 ]
    # compsys stubs: print what _pc offers.
    drive='compdef() { :; }; source "$1"; shift
           _describe() { print -l -- "${(@P)4}"; }; compadd() { print -l -- "${(@P)2}"; }; _files() { print FILES; }
           words=("$@"); CURRENT=$#; _pc'
    run zsh -c "$drive" _ "$PC_TEST_DIR/_pc" pc ru
    assert_contains "$output" "run:Run a command in a new container"
    run zsh -c "$drive" _ "$PC_TEST_DIR/_pc" pc run --net
    assert_contains "$output" "--network:Connect a container to a network"
    run zsh -c "$drive" _ "$PC_TEST_DIR/_pc" pc run --name ''
    assert_equal "$output" "FILES"
    run_pc completion zsh --no-desc
    assert_not_contains "$output" "__pc_cdesc+="
}

@test "completion fish: complete -C offers pc's commands and flags" {
    command -v fish >/dev/null || skip "fish is not installed"
    run_pc completion fish -f "$PC_TEST_DIR/pc.fish"
    run fish -n "$PC_TEST_DIR/pc.fish"
    [ "$status" -eq 0 ]
    run fish -c "source $PC_TEST_DIR/pc.fish; complete -C 'pc ru'"
    assert_equal "$output" "run	Run a command in a new container"
    run fish -c "source $PC_TEST_DIR/pc.fish; complete -C 'pc run --net'"
    assert_contains "$output" "--network	Connect a container to a network"
    run fish -c "source $PC_TEST_DIR/pc.fish; complete -C 'pc --root /x image ls --fo'"
    assert_contains "$output" "--format"
    run_pc completion fish --no-desc
    assert_not_contains "$output" " -d '"
}

@test "completion: -f FILE, bad shells and arguments" {
    run_pc completion bash -f "$PC_TEST_DIR/out.bash"
    assert_equal "$output" ""
    grep -q 'complete -o default -F _pc pc' "$PC_TEST_DIR/out.bash"
    run_pc 125 completion powershell
    assert_contains "$output" 'Error: invalid argument "powershell" for "pc completion"'
    # podman 4.3's words (cobra.ExactArgs(1), os.Create), checked here.
    run_pc 125 completion
    assert_equal "$output" "Error: accepts 1 arg(s), received 0"
    run_pc 125 completion bash zsh
    assert_equal "$output" "Error: accepts 1 arg(s), received 2"
    run_pc 125 completion -f "$PC_TEST_DIR/nodir/x" bash
    assert_equal "$output" "Error: open $PC_TEST_DIR/nodir/x: no such file or directory"
}

@test "man pages: one per command, options from the flag tables, man -l reads them" {
    command -v man >/dev/null || skip "man is not installed"
    run_pc completion man "$PC_TEST_DIR/man1"
    [ -f "$PC_TEST_DIR/man1/pc.1" ]
    [ -f "$PC_TEST_DIR/man1/pc-run.1" ]
    [ -f "$PC_TEST_DIR/man1/pc-volume-create.1" ]
    [ -f "$PC_TEST_DIR/man1/pc-container-ls.1" ] || [ -f "$PC_TEST_DIR/man1/pc-container-list.1" ]
    run env MANWIDTH=100 man -l "$PC_TEST_DIR/man1/pc-run.1"
    [ "$status" -eq 0 ]
    assert_contains "$output" "pc-run - Run a command in a new container"
    assert_contains "$output" "--network=string"
    assert_contains "$output" "-d, --detach"
    run env MANWIDTH=100 man -l "$PC_TEST_DIR/man1/pc-volume.1"
    assert_contains "$output" "pc-volume-create(1)"
    # Every command pc --help lists has its page.
    for c in $("$PC" --help | sed -n '/^Available Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }'); do
        [ -f "$PC_TEST_DIR/man1/pc-$c.1" ] || { echo "no page for $c"; false; }
    done
}
