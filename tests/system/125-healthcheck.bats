#!/usr/bin/env bats
# Healthchecks (docs/healthcheck.md): the flags and the image's HEALTHCHECK,
# the container's monitor running the check on its own timer, pc
# healthcheck run, .State.Health in inspect, ps STATUS and --filter health=.
# Expected output and codes from podman 4.3 run side by side on this
# machine. Waits are bounded polls on the condition, never fixed sleeps.

load helpers
load helpers-containers

setup() {
    pc_setup
    pc_busybox
}

# health NAME: "STATUS STREAK NLOG" in one read, so the three agree.
health() {
    "$PC" inspect --format '{{.State.Health.Status}} {{.State.Health.FailingStreak}} {{len .State.Health.Log}}' "$1"
}

health_is() { [ "$("$PC" inspect --format '{{.State.Health.Status}}' "$1")" = "$2" ]; }
state_is() { [ "$(ctr_state "$1")" = "$2" ]; }
log_len_is() { [ "$("$PC" inspect --format '{{len .State.Health.Log}}' "$1")" = "$2" ]; }

@test "healthcheck run: a passing check makes a starting container healthy; podman's codes and output" {
    run_pc run -d --name ok --health-cmd 'echo hi; exit 0' --health-interval disable busybox sleep 1000
    # No check has run: starting, as podman's start leaves it.
    run_pc inspect --format '{{json .State.Health}}' ok
    assert_equal "$output" '{"Status":"starting","FailingStreak":0,"Log":null}'
    run_pc ps --format '{{.Names}} {{.Status}}'
    assert_contains "$output" "ok Up "
    assert_contains "$output" "(starting)"
    # podman 4.3 prints nothing for a passing check.
    run_pc_split healthcheck run ok
    assert_equal "$output" ""
    assert_equal "$(health ok)" "healthy 0 1"
    run_pc inspect --format '{{(index .State.Health.Log 0).ExitCode}}|{{(index .State.Health.Log 0).Output}}' ok
    assert_equal "$output" "0|hi"
    # podman 4.3 shows the same object as .State.Healthcheck.
    run_pc inspect --format '{{json .State.Health}}' ok
    local h=$output
    run_pc inspect --format '{{json .State.Healthcheck}}' ok
    assert_equal "$output" "$h"
    run_pc ps --format '{{.Status}}'
    [[ "$output" =~ ^Up\ .*\ \(healthy\)$ ]]
    # Each check is a health_status event, as podman's.
    run_pc events --stream=false --filter event=health_status --format '{{.Name}} {{.Status}} {{.HealthStatus}}'
    assert_equal "$output" "ok health_status healthy"
    # Where podman 4.3's JSON has them: Health after FinishedAt, no
    # Healthcheck key; Config's after StopSignal.
    run_pc inspect ok
    run jq -r '.[0].State | keys_unsorted | join(",")' <<<"$output"
    assert_contains "$output" "FinishedAt,Health,CheckpointedAt"
    assert_not_contains "$output" "Healthcheck"
    run_pc inspect ok
    run jq -r '.[0].Config | keys_unsorted | join(",")' <<<"$output"
    assert_contains "$output" "StopSignal,Healthcheck,HealthcheckOnFailureAction"
}

@test "a failing check: starting until --health-retries failures in a row, then unhealthy; a pass resets it" {
    run_pc run -d --name f --health-cmd 'echo bad; echo worse >&2; [ -e /tmp/ok ]' \
        --health-retries 2 --health-interval disable busybox sleep 1000
    run_pc 1 healthcheck run f
    assert_equal "$output" "unhealthy"
    assert_equal "$(health f)" "starting 1 1"
    run_pc inspect --format '{{(index .State.Health.Log 0).ExitCode}}|{{json (index .State.Health.Log 0).Output}}' f
    # stdout and stderr, lines joined with "\n" as podman's; any failure is 1.
    assert_equal "$output" '1|"bad\nworse"'
    run_pc 1 healthcheck run f
    assert_equal "$(health f)" "unhealthy 2 2"
    run_pc ps --format '{{.Names}} {{.Status}}'
    assert_contains "$output" "(unhealthy)"
    run_pc exec f touch /tmp/ok
    run_pc healthcheck run f
    assert_equal "$(health f)" "healthy 0 3"
}

@test "the monitor runs the check on its own timer: --health-interval" {
    run_pc run -d --name good --health-cmd true --health-interval 1s busybox sleep 1000
    run_pc run -d --name bad --health-cmd false --health-retries 1 --health-interval 1s busybox sleep 1000
    wait_for -t 20 health_is good healthy
    wait_for -t 20 health_is bad unhealthy
    # It goes on: more entries come, at most podman's 5 are kept.
    wait_for -t 30 log_len_is good 5
    run_pc inspect --format '{{.State.Health.Status}} {{len .State.Health.Log}}' good
    assert_equal "$output" "healthy 5"
    run_pc ps --format '{{.Names}} {{.Status}}'
    assert_contains "$output" "good Up"
}

@test "--health-start-period: failures in it do not count" {
    run_pc run -d --name sp --health-cmd false --health-retries 1 --health-start-period 1h \
        --health-interval disable busybox sleep 1000
    run_pc 1 healthcheck run sp
    assert_equal "$(health sp)" "starting 0 1"
    run_pc run -d --name nosp --health-cmd false --health-retries 1 --health-interval disable busybox sleep 1000
    run_pc 1 healthcheck run nosp
    assert_equal "$(health nosp)" "unhealthy 1 1"
}

@test "--health-timeout: a hanging check is killed at its timeout and counts as failed (-1)" {
    run_pc run -d --name slow --health-cmd '["sleep","300"]' --health-timeout 1s \
        --health-retries 1 --health-interval disable busybox sleep 1000
    local t0=$SECONDS
    run timeout 60 "$PC" healthcheck run slow
    [ "$status" -eq 125 ]
    assert_equal "$output" "Error: healthcheck command exceeded timeout of 1s"
    # Killed, not waited for: the 300 s sleep is gone.
    [ $((SECONDS - t0)) -lt 30 ]
    run_pc exec slow ps -o args
    assert_not_contains "$output" "sleep 300"
    run_pc inspect --format '{{.State.Health.Status}} {{(index .State.Health.Log 0).ExitCode}}' slow
    assert_equal "$output" "unhealthy -1"
}

@test "--health-on-failure=kill and stop end an unhealthy container" {
    run_pc run -d --name k --health-cmd false --health-retries 1 --health-interval 1s \
        --health-on-failure kill busybox sleep 1000
    # The stop signal reaches a pid 1 that exits on it (code 3): stop, not kill.
    run_pc run -d --name s --health-cmd false --health-retries 1 --health-interval 1s \
        --health-on-failure stop busybox sh -c 'trap "exit 3" TERM; while :; do sleep 0.1; done'
    run_pc run -d --name n --health-cmd false --health-retries 1 --health-interval 1s busybox sleep 1000
    wait_for -t 20 state_is k exited
    wait_for -t 20 state_is s exited
    run_pc inspect --format '{{.State.ExitCode}} {{.State.Health.Status}} {{.Config.HealthcheckOnFailureAction}}' k
    assert_equal "$output" "137 unhealthy kill"
    run_pc inspect --format '{{.State.ExitCode}} {{.State.Health.Status}}' s
    assert_equal "$output" "3 unhealthy"
    # The health word stays on an exited container, as podman's.
    run_pc ps -a --format '{{.Names}} {{.Status}}'
    [[ "$output" == *"k Exited (137) "*"(unhealthy)"* ]]
    # none (the default) leaves it running.
    wait_for -t 20 health_is n unhealthy
    assert_equal "$(ctr_state n)" running
}

pid_changed() { [ "$(ctr_state "$1")" = running ] && [ "$(ctr_pid "$1")" != "$2" ]; }

@test "--health-on-failure=restart: stopped and started again by the monitor, checks start over" {
    run_pc run -d --name r --health-cmd '[ ! -e /tmp/bad ] || { rm /tmp/bad; false; }' \
        --health-retries 1 --health-interval 1s --health-on-failure restart \
        busybox sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
    wait_for -t 20 health_is r healthy
    local pid
    pid=$(ctr_pid r)
    run_pc exec r touch /tmp/bad
    wait_for -t 30 pid_changed r "$pid"
    # The new run is checked again: the flag is gone, so it passes.
    wait_for -t 20 health_is r healthy
    assert_equal "$(ctr_state r)" running
    run_pc inspect --format '{{range .State.Health.Log}}{{.ExitCode}} {{end}}' r
    assert_contains "$output" "1 "
}

@test "the image's HEALTHCHECK is the container's; --no-healthcheck and --health-cmd override it" {
    local img=$PC_TEST_DIR/hc.tar
    python3 "$BATS_TEST_DIRNAME/../fixtures/retype-archive" "$PC_FIXTURES/busybox.docker.tar" "$img" \
        config config.Healthcheck '{"Test":["CMD-SHELL","exit 1"],"Interval":1000000000,"Retries":1}'
    run_pc load -i "$img"
    run_pc tag localhost/busybox:latest localhost/hc:latest
    pc_busybox
    # podman 4.3's image inspect shows it last, as Healthcheck.
    run_pc image inspect --format '{{json .Healthcheck}}' localhost/hc
    assert_equal "$output" '{"Test":["CMD-SHELL","exit 1"],"Interval":1000000000,"Retries":1}'
    run_pc image inspect --format '{{json .Healthcheck}}' localhost/busybox
    assert_equal "$output" 'null'
    run_pc create --name i localhost/hc sleep 1000
    # podman 4.3 fills in the default timeout; flags without --health-cmd change nothing.
    run_pc inspect --format '{{json .Config.Healthcheck}}' i
    assert_equal "$output" '{"Test":["CMD-SHELL","exit 1"],"Interval":1000000000,"Timeout":30000000000,"Retries":1}'
    run_pc create --name i2 --health-retries 5 localhost/hc sleep 1000
    run_pc inspect --format '{{json .Config.Healthcheck}}' i2
    assert_equal "$output" '{"Test":["CMD-SHELL","exit 1"],"Interval":1000000000,"Timeout":30000000000,"Retries":1}'
    run_pc start i
    wait_for -t 20 health_is i unhealthy

    run_pc run -d --name none --no-healthcheck localhost/hc sleep 1000
    run_pc inspect --format '{{json .Config.Healthcheck}}' none
    assert_equal "$output" '{"Test":["NONE"]}'
    run_pc 125 healthcheck run none
    assert_contains "$output" "has no defined healthcheck"
    run_pc inspect --format '{{json .State.Health}}' none
    assert_equal "$output" '{"Status":"","FailingStreak":0,"Log":null}'

    run_pc run -d --name mine --health-cmd true --health-interval disable localhost/hc sleep 1000
    run_pc healthcheck run mine
    assert_equal "$(health mine)" "healthy 0 1"
}

@test "healthcheck run: podman's errors and exit codes" {
    run_pc 125 healthcheck run nosuch
    assert_equal "$output" 'Error: unable to look up nosuch to perform a health check: no container with name or ID "nosuch" found: no such container'
    run_pc create --name c --health-cmd true busybox sleep 1000
    local id
    id=$("$PC" inspect --format '{{.Id}}' c)
    run_pc 125 healthcheck run c
    assert_equal "$output" "Error: container $id is not running"
    run_pc run -d --name plain busybox sleep 1000
    id=$("$PC" inspect --format '{{.Id}}' plain)
    run_pc 125 healthcheck run plain
    assert_equal "$output" "Error: container $id has no defined healthcheck"
    run_pc inspect --format '{{json .State.Health}} {{json .Config.Healthcheck}}' plain
    assert_equal "$output" '{"Status":"","FailingStreak":0,"Log":null} null'
    run_pc 125 healthcheck run c plain
    # A command the container does not have fails the check (1), as podman's.
    run_pc run -d --name nx --health-cmd '["/nonexistent","x"]' --health-interval disable busybox sleep 1000
    run_pc 1 healthcheck run nx
    assert_equal "$output" "unhealthy"
}

@test "--health-* flags: the record as podman 4.3 writes it, and its messages" {
    run_pc create --name a1 --health-cmd '["ls","/"]' busybox true
    run_pc inspect --format '{{json .Config.Healthcheck}} {{.Config.HealthcheckOnFailureAction}}' a1
    assert_equal "$output" '{"Test":["CMD","ls","/"],"Interval":30000000000,"Timeout":30000000000,"Retries":3} none'
    run_pc create --name a2 --health-cmd 'ls /' --health-interval disable --health-start-period 5s \
        --health-timeout 2s --health-on-failure kill busybox true
    run_pc inspect --format '{{json .Config.Healthcheck}} {{.Config.HealthcheckOnFailureAction}}' a2
    assert_equal "$output" '{"Test":["CMD-SHELL","ls /"],"StartPeriod":5000000000,"Timeout":2000000000,"Retries":3} kill'
    run_pc create --name a3 --health-cmd '["CMD-SHELL","ls /"]' busybox true
    run_pc inspect --format '{{json .Config.Healthcheck.Test}}' a3
    assert_equal "$output" '["CMD-SHELL","ls /"]'
    run_pc create --name a4 --health-cmd '["echo one"]' busybox true
    run_pc inspect --format '{{json .Config.Healthcheck.Test}}' a4
    assert_equal "$output" '["CMD-SHELL","echo one"]'
    run_pc create --name a5 --health-cmd none busybox true
    run_pc inspect --format '{{json .Config.Healthcheck.Test}}' a5
    assert_equal "$output" '["NONE"]'
    run_pc create --name a6 --health-interval 5s busybox true
    run_pc inspect --format '{{json .Config.Healthcheck}}' a6
    assert_equal "$output" 'null'

    run_pc 125 create --no-healthcheck --health-cmd true busybox true
    assert_equal "$output" "Error: cannot specify both --no-healthcheck and --health-cmd"
    run_pc 125 create --health-cmd true --health-retries 0 busybox true
    assert_equal "$output" "Error: healthcheck-retries must be greater than 0"
    run_pc 125 create --health-cmd true --health-timeout 0s busybox true
    assert_equal "$output" "Error: healthcheck-timeout must be at least 1 second"
    run_pc 125 create --health-cmd true --health-timeout bogus busybox true
    assert_equal "$output" 'Error: invalid healthcheck-timeout: time: invalid duration "bogus"'
    run_pc 125 create --health-cmd true --health-interval bogus busybox true
    assert_equal "$output" 'Error: invalid healthcheck-interval: time: invalid duration "bogus"'
    run_pc 125 create --health-cmd true --health-start-period -1s busybox true
    assert_equal "$output" "Error: healthcheck-start-period must be 0 seconds or greater"
    run_pc 125 create --health-cmd true --health-on-failure bogus busybox true
    assert_equal "$output" 'Error: invalid on-failure action "bogus" for health check: supported actions are none,kill,restart,stop'
}

@test "ps --filter health= and the STATUS column" {
    run_pc run -d --name hy --health-cmd true --health-interval disable busybox sleep 1000
    run_pc run -d --name uh --health-cmd false --health-retries 1 --health-interval disable busybox sleep 1000
    run_pc run -d --name st --health-cmd true --health-interval disable busybox sleep 1000
    run_pc run -d --name no busybox sleep 1000
    run_pc healthcheck run hy
    run_pc 1 healthcheck run uh
    run_pc ps --filter health=healthy --format '{{.Names}}'
    assert_equal "$output" "hy"
    run_pc ps --filter health=unhealthy --format '{{.Names}}'
    assert_equal "$output" "uh"
    run_pc ps --filter health=starting --format '{{.Names}}'
    assert_equal "$output" "st"
    run_pc ps --format '{{.Names}}|{{.Status}}'
    [[ "$output" == *"no|Up "* ]]
    assert_not_contains "$(grep '^no|' <<<"$output")" "("
}

@test "the monitor: a timerfd only with a healthcheck, and it survives a check's output flood" {
    run_pc run -d --name plain busybox sleep 1000
    run_pc run -d --name hc --health-cmd 'head -c 1000000 /dev/zero | tr "\0" x; echo' \
        --health-interval disable busybox sleep 1000
    local mp mh
    mp=$(monitor_pid plain)
    mh=$(monitor_pid hc)
    run ls -l /proc/$mp/fd
    assert_not_contains "$output" "timerfd"
    run ls -l /proc/$mh/fd
    assert_contains "$output" "timerfd"
    run_pc healthcheck run hc
    # 500 bytes kept of a million, as podman's.
    run_pc inspect --format '{{len (index .State.Health.Log 0).Output}}' hc
    assert_equal "$output" "500"
    assert_equal "$(ctr_state hc)" running
}
