#!/usr/bin/env bats
# The command line itself: help, version, unknown commands and flags.

load helpers

@test "pc --version prints the version" {
    run_pc --version
    [[ "$output" =~ ^pc\ version\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "pc version shows Version and OS/Arch, and JSON with --format json" {
    run_pc version
    assert_contains "$output" "Version:"
    assert_contains "$output" "OS/Arch:      linux/"
    run_pc version --format json
    echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["Client"]["Version"]'
}

@test "pc --help lists the commands and global options" {
    run_pc --help
    assert_contains "$output" "Available Commands:"
    assert_contains "$output" "version"
    assert_contains "$output" "--root"
}

@test "pc with no command prints usage and exits 125" {
    run_pc 125
    assert_contains "$output" "missing command 'pc COMMAND'"
}

@test "unknown command exits 125 with a clear message" {
    run_pc 125 frobnicate
    assert_contains "$output" "unrecognized command \`pc frobnicate\`"
}

@test "unknown flag exits 125 and points at --help" {
    run_pc 125 version --bogus
    assert_contains "$output" "Error: unknown flag: --bogus"
    assert_contains "$output" "See 'pc version --help'"
    run_pc 125 --bogus version
    assert_contains "$output" "unknown flag: --bogus"
}

@test "pc help COMMAND and pc COMMAND --help print the same text" {
    run_pc help version
    local a=$output
    run_pc version --help
    assert_equal "$a" "$output"
    assert_contains "$output" "Usage:"
    assert_contains "$output" "pc version [options]"
}

@test "every listed command has working --help" {
    run_pc --help
    local cmds
    cmds=$(printf '%s\n' "$output" | sed -n '/^Available Commands:/,/^$/p' | awk 'NR>1 && NF {print $1}')
    [ -n "$cmds" ]
    for c in $cmds; do
        run_pc "$c" --help
        assert_contains "$output" "Usage:"
    done
}

@test "--log-level rejects an unknown level" {
    run_pc 125 --log-level loud version
    assert_contains "$output" "log level \"loud\" is not supported"
}
