#!/usr/bin/env bats
# pc events: podman's file events backend (one JSON object per line in
# RUN/events/events.log, podman 4.3's field names), the human line,
# --format, filters, --since/--until, --stream=false, following new lines,
# rotation past the size limit and concurrent writers (docs/events.md).

load helpers
load helpers-containers
load helpers-registry

teardown() {
    # A background pc events of a test that failed before it killed it.
    if [ -n "${follower:-}" ]; then
        kill "$follower" 2>/dev/null || true
        wait "$follower" 2>/dev/null || true
    fi
    registry_stop
    pc_teardown
}

evlog() { echo "$XDG_RUNTIME_DIR/pc/events/events.log"; }

@test "events: every command appends podman's JSON lines; died carries the exit code" {
    pc_busybox
    run_pc 3 run --name ev1 --label app=web localhost/busybox:latest sh -c 'exit 3'
    run_pc 3 start -a ev1
    run_pc rm ev1
    [ -f "$(evlog)" ]
    # Each line is a JSON object with podman's names, in podman's order.
    run jq -c -e 'select(.Type == "container" and .Name == "ev1") | [.Status, .Image, .Attributes.app] ' "$(evlog)"
    [ "$status" -eq 0 ]
    assert_contains "$output" '["create","localhost/busybox:latest","web"]'
    assert_contains "$output" '["init",'
    assert_contains "$output" '["start",'
    assert_contains "$output" '["attach",'
    assert_contains "$output" '["died",'
    assert_contains "$output" '["remove",'
    line=$(grep '"Status":"died"' "$(evlog)" | head -1)
    [[ $line =~ ^\{\"ContainerExitCode\":3,\"ID\":\"[0-9a-f]{64}\",\"Image\":\"localhost/busybox:latest\",\"Name\":\"ev1\",\"Status\":\"died\",\"Time\":\"[0-9-]+T[0-9:.]+(Z|[+-][0-9:]+)\",\"Type\":\"container\",\"Attributes\":\{\"app\":\"web\"\}\}$ ]] || { echo "$line"; false; }
    # The image and volume events podman writes.
    run_pc tag localhost/busybox:latest localhost/other:1
    run_pc rmi localhost/other:1
    run_pc volume create evv
    run_pc volume rm evv
    run_pc events --stream=false --format json
    assert_contains "$output" '"Name":"localhost/other:1","Status":"tag"'
    assert_contains "$output" '"Name":"localhost/other:1","Status":"untag"'
    assert_contains "$output" '{"Name":"evv","Status":"create","Time":'
    assert_contains "$output" '"Type":"volume","Attributes":null}'
    assert_contains "$output" '"Status":"loadfromarchive"'
}

@test "events: the human line and templates are podman's" {
    pc_busybox
    run_pc create --name ev2 --label b=2 --label a=1 localhost/busybox:latest true
    id=$("$PC" inspect --format '{{.Id}}' ev2)
    run_pc events --stream=false --filter event=create --filter type=container
    [[ $output =~ ^20[0-9-]+\ [0-9:.]+\ [+-][0-9]{4}\ [A-Z]+\ container\ create\ $id\ \(image=localhost/busybox:latest,\ name=ev2,\ a=1,\ b=2\)$ ]] || { echo "$output"; false; }
    run_pc events --stream=false --filter event=create --format '{{.Type}}/{{.Status}}/{{.Name}}/{{.Image}}/{{.ID}}'
    assert_equal "$output" "container/create/ev2/localhost/busybox:latest/$id"
    # podman's IsJSON: {{json .}} prints the stored line.
    run_pc events --stream=false --filter event=create --format '{{ json . }}'
    assert_equal "$output" "$(grep '"Status":"create"' "$(evlog)" | grep '"Type":"container"')"
    run_pc events --stream=false --filter event=create --no-trunc=false --format '{{.ID}}'
    assert_equal "$output" "$id"
    run_pc events --stream=false --filter event=create --no-trunc=false
    assert_contains "$output" "container create ${id:0:12} (image="
    run_pc volume create evh
    run_pc events --stream=false --filter type=volume
    [[ $output =~ ^20[0-9-]+\ [0-9:.]+\ [+-][0-9]{4}\ [A-Z]+\ volume\ create\ evh$ ]] || { echo "$output"; false; }
}

@test "events: filters (container, event, image, label, type, volume), ORed within a key" {
    pc_busybox
    run_pc create --name fa --label tier=db localhost/busybox:latest true
    run_pc create --name fb localhost/busybox:latest true
    idb=$("$PC" inspect --format '{{.Id}}' fb)
    run_pc volume create fv
    run_pc volume create fv2
    run_pc events --stream=false --filter container=fa --format '{{.Name}} {{.Status}}'
    assert_equal "$output" "fa create"
    run_pc events --stream=false --filter container=${idb:0:10} --format '{{.Name}}'
    assert_equal "$output" "fb"
    run_pc events --stream=false --filter container=fa --filter container=fb --format '{{.Name}}'
    assert_equal "$(echo $output)" "fa fb"
    run_pc events --stream=false --filter label=tier=db --format '{{.Name}}'
    assert_equal "$output" "fa"
    # podman 4.3: a bare key matches nothing.
    run_pc events --stream=false --filter label=tier --format '{{.Name}}'
    assert_equal "$output" ""
    run_pc events --stream=false --filter volume=fv --format '{{.Name}}'
    assert_equal "$output" "fv"
    run_pc events --stream=false --filter type=volume --filter event=create --format '{{.Name}}'
    assert_equal "$(echo $output)" "fv fv2"
    run_pc events --stream=false --filter image=localhost/busybox:latest --format '{{.Type}} {{.Status}}'
    assert_equal "$output" ""
    run_pc tag localhost/busybox:latest localhost/flt:1
    run_pc events --stream=false --filter image=localhost/flt:1 --format '{{.Type}} {{.Status}}'
    assert_equal "$output" "image tag"
    run_pc events --stream=false --filter type=image --filter event=tag --format '{{.Name}}'
    assert_equal "$output" "localhost/flt:1"
    run_pc 125 events --stream=false --filter bogus=1
    assert_contains "$output" "Error: bogus=1 is an invalid filter"
    run_pc 125 events --stream=false --filter event
    assert_contains "$output" "Error: event is an invalid filter"
}

@test "events: --since and --until take podman's time forms" {
    run_pc volume create t1
    run_pc events --stream=false --since 1h --format '{{.Name}}'
    assert_equal "$output" "t1"
    run_pc events --stream=false --until 2020-01-01 --format '{{.Name}}'
    assert_equal "$output" ""
    run_pc events --stream=false --since "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)"
    assert_equal "$output" ""
    run_pc events --stream=false --until "$(date -u -d '+1 hour' +%s)" --format '{{.Name}}'
    assert_equal "$output" "t1"
    run_pc 125 events --stream=false --since yesterday-ish
    # A stream with --until in the past ends at once with what exists.
    run_pc events --until 0s --format '{{.Name}}'
    assert_equal "$output" "t1"
}

@test "events: streaming follows new lines as they are written" {
    pc_busybox
    out=$PC_TEST_DIR/stream.out
    "$PC" events --filter type=volume --format '{{.Status}} {{.Name}}' >"$out" 2>&1 &
    follower=$!
    run_pc volume create s1
    wait_for grep -qx 'create s1' "$out"
    run_pc volume rm s1
    wait_for grep -qx 'remove s1' "$out"
    kill "$follower"
    wait "$follower" || true
    follower=
    assert_equal "$(cat "$out")" "create s1
remove s1"
    # A stream ends when its reader goes away, even with no new event.
    run timeout 20 bash -c "'$PC' events | head -1"
    [ "$status" -eq 0 ]
    assert_contains "$output" "image loadfromarchive"
}

@test "events: the log rotates past its size limit, a follower sees each event once" {
    export PC_EVENTS_LOGFILE_MAX_SIZE=3000
    out=$PC_TEST_DIR/follow.out
    "$PC" events --filter type=volume --format '{{.Name}}' >"$out" 2>&1 &
    follower=$!
    for i in $(seq 1 60); do
        "$PC" volume create "rot$i" >/dev/null
    done
    wait_for grep -qx rot60 "$out"
    kill "$follower"
    wait "$follower" || true
    follower=
    # Each of the 60 exactly once, in order.
    assert_equal "$(tr '\n' ' ' <"$out")" "$(for i in $(seq 1 60); do printf 'rot%s ' $i; done)"
    size=$(stat -c %s "$(evlog)")
    [ "$size" -le 3000 ] || { echo "size $size"; false; }
    run_pc events --stream=false --filter type=system --format '{{.Status}} {{.Name}}'
    assert_contains "$output" "log-rotation $(evlog)"
    # The newest events are kept, the oldest dropped.
    run_pc events --stream=false --filter type=volume --format '{{.Name}}'
    assert_contains "$output" "rot60"
    assert_not_contains "$output" "rot1
"
}

@test "events: concurrent writers never interleave lines" {
    for w in 1 2 3 4; do
        (for i in $(seq 1 15); do "$PC" volume create "w$w-$i" >/dev/null; done) &
    done
    wait
    run jq -c -e '.Name' "$(evlog)"
    [ "$status" -eq 0 ] || { cat "$(evlog)"; false; }
    [ "$(grep -c '"Status":"create"' "$(evlog)")" -eq 60 ]
    [ "$(wc -l <"$(evlog)")" -eq 60 ]
}

@test "events: init, start, attach, died in podman's order, also for a container that exits at once" {
    pc_busybox
    # The monitor starts these itself and writes their init and start
    # (and attach) before its died; nothing the CLI writes after the start
    # may come between.
    for i in 1 2 3; do
        run_pc run --name q$i localhost/busybox:latest true
        run_pc events --stream=false --filter container=q$i --format '{{.Status}}'
        assert_equal "$(echo $output)" "create init start attach died"
    done
    run_pc start -a q1
    run_pc events --stream=false --filter container=q1 --format '{{.Status}}'
    assert_equal "$(echo $output)" "create init start attach died init start attach died"
    line=$(grep '"Name":"q1","Status":"start"' "$(evlog)" | head -1)
    [[ $line =~ ^\{\"ID\":\"[0-9a-f]{64}\",\"Image\":\"localhost/busybox:latest\",\"Name\":\"q1\",\"Status\":\"start\",\"Time\":\"[0-9-]+T[0-9:.]+(Z|[+-][0-9:]+)\",\"Type\":\"container\",\"Attributes\":\{\}\}$ ]] || { echo "$line"; false; }
    run_pc run -d --name qd localhost/busybox:latest true
    wait_for_state qd exited
    run_pc events --stream=false --filter container=qd --format '{{.Status}}'
    assert_equal "$(echo $output)" "create init start died"
    # With -t the CLI starts it (its terminal first): the same order.
    run_pc run -t --name qt localhost/busybox:latest true
    run_pc events --stream=false --filter container=qt --format '{{.Status}}'
    assert_equal "$(echo $output)" "create init start attach died"
    # A command that cannot run: no init or start (podman 4.3 logs neither).
    run_pc 127 run --name qn localhost/busybox:latest /no/such
    run_pc events --stream=false --filter container=qn --format '{{.Status}}'
    assert_equal "$(echo $output)" "create died"
}

@test "events: container lifecycle events (exec, kill, stop, restart)" {
    pc_busybox
    run_pc run -d --name lc localhost/busybox:latest sleep 1000
    run_pc exec lc true
    run_pc kill -s USR1 lc
    run_pc stop -t 0 lc
    run_pc events --stream=false --filter container=lc --format '{{.Status}}'
    assert_contains "$(echo $output)" "create init start exec kill stop died"
    run_pc events --stream=false --filter event=died --format '{{.ContainerExitCode}}'
    assert_equal "$output" "137"
    run_pc restart -t 0 lc
    run_pc events --stream=false --filter container=lc --format '{{.Status}}'
    assert_contains "$(echo $output)" "stop died restart init start"
}

@test "events: commit, rename and import as podman 4.3 writes them" {
    pc_busybox
    run_pc create --name cm localhost/busybox:latest true
    run_pc commit cm localhost/cm:1
    run_pc rename cm cm2
    run_pc import "$PC_FIXTURES/busybox.rootfs.tar" localhost/imp:1
    iid=$("$PC" image inspect --format '{{.Id}}' localhost/imp:1)
    run_pc events --stream=false --filter type=container --format '{{.Status}} {{.Name}}'
    assert_contains "$output" "create cm
commit cm
rename cm2"
    run_pc events --stream=false --filter image=localhost/imp:1 --format '{{.Status}} {{.ID}}'
    assert_equal "$output" "tag $iid"
}

@test "events: pod create, start, stop, remove (type=pod, pod=)" {
    "$PC" pod --help >/dev/null 2>&1 || skip "no pc pod in this build"
    pc_busybox
    run_pc pod create --name evp
    pid=$("$PC" pod inspect --format '{{.Id}}' evp)
    run_pc create --pod evp --name evpm localhost/busybox:latest sleep 1000
    run_pc pod start evp
    run_pc pod stop -t 0 evp
    run_pc pod rm evp
    run_pc events --stream=false --filter type=pod --format '{{.Status}} {{.Name}} {{.ID}}'
    assert_equal "$output" "create evp $pid
start evp $pid
stop evp $pid
remove evp $pid"
    run_pc events --stream=false --filter pod=${pid:0:12} --format '{{.Status}}'
    assert_equal "$(echo $output)" "create start stop remove"
    grep -q '{"ID":"'$pid'","Name":"evp","Status":"create","Time":"[^"]*","Type":"pod","Attributes":null}' "$(evlog)"
    # A member's events carry its pod.
    run_pc events --stream=false --filter container=evpm --filter event=create --format '{{.PodID}}'
    assert_equal "$output" "$pid"
}

@test "events: events_logger none (containers.conf or --events-backend) writes nothing" {
    run_pc --events-backend none volume create quiet1
    run_pc 125 --events-backend none events --stream=false
    assert_equal "$output" 'Error: cannot read events with the "none" backend'
    mkdir -p "$XDG_CONFIG_HOME/pc"
    printf '[engine]\nevents_logger = "none"\n' >"$XDG_CONFIG_HOME/pc/containers.conf"
    run_pc volume create quiet2
    run_pc 125 events --stream=false
    rm "$XDG_CONFIG_HOME/pc/containers.conf"
    run_pc volume create loud
    run_pc events --stream=false --filter type=volume --format '{{.Name}}'
    assert_equal "$output" "loud"
}

@test "events: a container whose monitor was killed gets its died (137) once" {
    pc_busybox
    run_pc run -d --name lost localhost/busybox:latest sleep 1000
    kill -9 "$(monitor_pid lost)"
    wait_for_state lost exited
    run_pc ps -a
    run_pc events --stream=false --filter container=lost --filter event=died --format '{{.ContainerExitCode}}'
    assert_equal "$output" "137"
}

@test "events: image push, pull and save" {
    registry_start
    export CONTAINERS_REGISTRIES_CONF=$PC_TEST_DIR/registries.conf
    : >"$CONTAINERS_REGISTRIES_CONF"
    pc_busybox
    id=$("$PC" image inspect --format '{{.Id}}' localhost/busybox:latest)
    run_pc push -q --tls-verify=false localhost/busybox:latest "$REGISTRY/ev/bb:1"
    run_pc rmi localhost/busybox:latest
    run_pc pull -q --tls-verify=false "$REGISTRY/ev/bb:1"
    run_pc save -o "$PC_TEST_DIR/saved.tar" "$REGISTRY/ev/bb:1"
    run_pc events --stream=false --filter type=image --format '{{.Status}} {{.Name}} {{.ID}}'
    assert_contains "$output" "push $REGISTRY/ev/bb:1 
untag localhost/busybox:latest $id
remove localhost/busybox:latest $id
pull $REGISTRY/ev/bb:1 
save $PC_TEST_DIR/saved.tar $id"
    grep -q '{"Name":"'"$REGISTRY"'/ev/bb:1","Status":"pull","Time":"[^"]*","Type":"image","Attributes":null}' "$(evlog)"
}

@test "events: a damaged log (junk, a 3 MB line, a line without Time) is read past" {
    export PC_EVENTS_LOGFILE_MAX_SIZE=0
    run_pc volume create before
    head -c 3000000 /dev/zero | tr '\0' x >>"$(evlog)"
    printf '\nnot json\n{"Status":"create","Type":"volume","Name":"notime"}\n[1,2]\n' >>"$(evlog)"
    run_pc volume create after
    run_pc events --stream=false --format '{{.Name}}'
    assert_equal "$(echo $output)" "before after"
}

@test "events: a last line cut short does not swallow the next event; rotating a huge log holds little memory" {
    run_pc volume create before
    # A writer killed in the middle of its line.
    printf '{"ID":"x","Status":"cre' >>"$(evlog)"
    run_pc volume create after
    run_pc events --stream=false --format '{{.Name}}'
    assert_equal "$(echo $output)" "before after"
    # 400 MB of one line: the rotation past the size limit copies the later
    # half through a small buffer (it read it whole into memory: 200 MB).
    truncate -s +400M "$(evlog)"
    if ldd "$PC" 2>/dev/null | grep -q libasan; then
        # An AddressSanitizer build reserves its shadow memory up front, far
        # past any ulimit -v: there only the rotation itself is checked.
        run "$PC" volume create big
    else
        run bash -c "ulimit -v 150000; '$PC' volume create big"
    fi
    [ "$status" -eq 0 ] || { echo "# $output" >&2; false; }
    [ "$(stat -c %s "$(evlog)")" -lt 1000000 ]
    run_pc events --stream=false --format '{{.Status}} {{.Name}}'
    assert_contains "$output" "create big"
}

@test "events: a FIFO in the log's place never blocks a command" {
    run_pc volume create first
    rm "$(evlog)"
    mkfifo "$(evlog)"
    # Its buffer full, as after a few hundred events with nobody reading.
    exec {fifo}<>"$(evlog)"
    head -c 65536 /dev/zero >&$fifo
    run timeout 20 "$PC" volume create second
    exec {fifo}>&-
    [ "$status" -eq 0 ] || { echo "# status $status: $output" >&2; false; }
    assert_equal "$output" "second"
    run_pc 125 events --stream=false
    assert_contains "$output" "is not a regular file"
}
