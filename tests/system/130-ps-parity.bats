#!/usr/bin/env bats
# pc ps as podman 4.3 shows it (compared side by side on this machine):
# --sort, --noheading, --last/--latest, --size, --ns, --pod, --external,
# every --filter podman has and its messages, the template fields.

load helpers
load helpers-containers

setup() {
    pc_setup
    pc_busybox
}

# Three containers, created in the order a1 (running), e3 (exited 3), c1 (created).
three() {
    run_pc run -d --name a1 --label foo=bar --label x=y busybox sleep 100
    run_pc 3 run --name e3 busybox sh -c 'exit 3'
    run_pc create --name c1 busybox true
}

names() {
    run_pc ps "$@" --format '{{.Names}}'
    echo "${output//$'\n'/ }"
}

@test "ps lists oldest first; --sort names|command|status|created; a bad --sort is podman's usage error" {
    three
    assert_equal "$(names -a)" "a1 e3 c1"
    assert_equal "$(names -a --sort names)" "a1 c1 e3"
    assert_equal "$(names -a --sort command)" "e3 a1 c1"
    assert_equal "$(names -a --sort status)" "c1 e3 a1"
    assert_equal "$(names -a --sort created)" "a1 e3 c1"
    run_pc 125 ps --sort bogus
    assert_equal "${lines[0]}" "Error: invalid argument \"bogus\" for \"--sort\" flag: \"bogus\" is not a valid value.  Choose from: \"command, created, id, image, names, runningfor, size, status\""
    assert_equal "${lines[1]}" "See 'pc ps --help'"
}

@test "ps --noheading drops the header; --last N shows the N newest; --latest the newest; not both" {
    three
    run_pc ps -a --noheading
    assert_equal "${#lines[@]}" "3"
    [[ "${lines[0]}" == *" a1" ]]
    assert_equal "$(names --last 2)" "e3 c1"
    assert_equal "$(names -n 1)" "c1"
    assert_equal "$(names --latest)" "c1"
    assert_equal "$(names -l)" "c1"
    run_pc 125 ps --last 1 --latest
    assert_equal "$output" "Error: last and latest are mutually exclusive"
    # --external: pc has no containers of other tools; the list is the same.
    assert_equal "$(names -a --external)" "a1 e3 c1"
}

@test "ps --filter id and name are regular expressions; status lists; exited=N; podman's errors" {
    three
    local id
    id=$("$PC" inspect --format '{{.Id}}' e3)
    assert_equal "$(names -a --filter "id=^${id:0:6}")" "e3"
    assert_equal "$(names -a --filter 'name=^[ac]')" "a1 c1"
    assert_equal "$(names -a --filter 'name=1$')" "a1 c1"
    assert_equal "$(names -a --filter 'name=[')" ""
    assert_equal "$(names -a --filter status=exited,status=created)" "e3 c1"
    assert_equal "$(names --filter status=exited --filter status=running)" "a1 e3"
    assert_equal "$(names --filter status=stopped)" "e3"
    assert_equal "$(names -a --filter exited=3)" "e3"
    assert_equal "$(names -a --filter exited=0)" ""
    run_pc 125 ps --filter status=bogus
    assert_equal "$output" "Error: unknown container state: bogus: invalid argument"
    run_pc 125 ps --filter status=configured
    assert_equal "$output" "Error: unknown container state: configured: invalid argument"
    run_pc 125 ps --filter exited=abc
    assert_equal "$output" "Error: exited code out of range '\\x00': strconv.ParseInt: parsing \"abc\": invalid syntax"
    run_pc 125 ps --filter foo
    assert_equal "$output" 'Error: invalid filter "foo"'
    run_pc 125 ps --filter foo=1
    assert_equal "$output" "Error: foo is an invalid filter"
    run_pc 125 ps --filter 'label!=foo'
    assert_equal "$output" "Error: label! is an invalid filter"
}

@test "ps --filter name with Go's refusals: a backreference or a huge repeat matches nothing, at once" {
    # glibc backtracks on \2 (26 s for one 80-character name) and expands
    # a{N}; Go's regexp refuses both, so podman matches nothing.
    long=$(printf 'a%.0s' $(seq 1 100))x
    run_pc create --name "$long" busybox true
    run_pc create --name other busybox true
    run timeout 10 "$PC" ps -a --noheading --format '{{.Names}}' --filter 'name=((a*)*\2)*b'
    assert_equal "$status" 0
    assert_equal "$output" ""
    run timeout 10 "$PC" ps -a --noheading --format '{{.Names}}' --filter 'name=((a{100}){100}){100}'
    assert_equal "$status" 0
    assert_equal "$output" ""
    run_pc ps -a --noheading --format '{{.Names}}' --filter 'name=^a{100}x$'
    assert_equal "$output" "$long"
}

@test "ps --filter label, ancestor, before, since, until, restart-policy" {
    three
    assert_equal "$(names -a --filter label=foo)" "a1"
    assert_equal "$(names -a --filter label=foo=)" "a1"
    assert_equal "$(names -a --filter label=foo=bar --filter label=x=y)" "a1"
    assert_equal "$(names -a --filter label=foo=bar --filter label=x=z)" ""
    # podman 4.3 matches the name the container was created with, or it
    # without ":latest", or the image ID; not the short name.
    assert_equal "$(names -a --filter ancestor=localhost/busybox)" "a1 e3 c1"
    assert_equal "$(names -a --filter ancestor=localhost/busybox:latest)" "a1 e3 c1"
    assert_equal "$(names -a --filter ancestor=busybox)" ""
    local iid
    iid=$("$PC" inspect --format '{{.Image}}' a1)
    assert_equal "$(names -a --filter "ancestor=$iid")" "a1 e3 c1"
    assert_equal "$(names -a --filter since=a1)" "e3 c1"
    assert_equal "$(names -a --filter before=c1)" "a1 e3"
    assert_equal "$(names -a --filter before=c1 --filter since=a1)" "e3"
    assert_equal "$(names -a --filter until=1h)" ""
    assert_equal "$(names -a --filter until=2100-01-01)" "a1 e3 c1"
    run_pc 125 ps --filter since=nosuch
    assert_equal "$output" 'Error: no container with name or ID "nosuch" found: no such container'
    run_pc 125 ps --filter until=bogus
    assert_equal "$output" 'Error: failed to parse value as time or duration: "bogus"'
    assert_equal "$(names -a --filter restart-policy=none)" "a1 e3 c1"
    assert_equal "$(names -a --filter restart-policy=always)" ""
    run_pc 125 ps --filter restart-policy=bogus
    assert_equal "$output" "Error: bogus invalid restart policy"
    run_pc 125 ps --filter restart-policy=bogus --filter restart-policy=bad2
    assert_equal "$output" "Error: bogus, bad2 invalid restart policies"
}

@test "ps --filter volume, network=container:X, health, pod" {
    mkdir "$PC_TEST_DIR/bd"
    run_pc volume create vv
    run_pc create --name withvol -v vv:/data busybox true
    run_pc create --name withbind -v "$PC_TEST_DIR/bd:/bd" busybox true
    run_pc run -d --name host busybox sleep 100
    run_pc create --name joiner --network container:host busybox true
    run_pc create --name both -v vv:/aa -v "$PC_TEST_DIR/bd:/zz" -v "$PC_TEST_DIR/bd:/mm" busybox true
    # podman's Mounts: the binds in their order, then the named volumes.
    run_pc ps -a --filter name=both --format '{{.Mounts}}'
    assert_equal "$output" "[/zz /mm /aa]"
    run_pc rm both
    assert_equal "$(names -a --filter volume=vv)" "withvol"
    assert_equal "$(names -a --filter volume=vv:/data)" "withvol"
    assert_equal "$(names -a --filter volume=vv:/other)" ""
    assert_equal "$(names -a --filter "volume=$PC_TEST_DIR/bd")" "withbind"
    assert_equal "$(names -a --filter network=container:host)" "joiner"
    # pc has no named networks: a name matches nothing, as an unknown
    # network does in podman.
    assert_equal "$(names -a --filter network=podman)" ""
    # No container has a healthcheck or a pod here: nothing matches.
    assert_equal "$(names -a --filter health=healthy)" ""
    assert_equal "$(names -a --filter pod=nosuch)" ""
}

@test "ps --size shows the writable layer and the image, as podman's SIZE" {
    run_pc run --name w busybox sh -c 'dd if=/dev/zero of=/big bs=1k count=100 2>/dev/null'
    run_pc create --name fresh busybox true
    run_pc ps -a --size
    [[ "${lines[0]}" == *"NAMES       SIZE" ]]
    run_pc ps -a --size --format '{{.Names}} {{.Size}}'
    [[ "$output" == *"w 102kB (virtual "*"MB)"* ]]
    [[ "$output" == *"fresh 0B (virtual "*"MB)"* ]]
    run_pc ps -a --size --format json
    echo "$output" | python3 -c '
import json, sys
d = {c["Names"][0]: c for c in json.load(sys.stdin)}
assert d["w"]["Size"]["rwSize"] >= 102400, d["w"]["Size"]
assert d["w"]["Size"]["rootFsSize"] > 1000000, d["w"]["Size"]
assert d["fresh"]["Size"]["rwSize"] == 0, d["fresh"]["Size"]
'
    run_pc ps -a --format json
    echo "$output" | python3 -c '
import json, sys
assert all(c["Size"] is None for c in json.load(sys.stdin))'
    run_pc 125 ps -q --size
    assert_equal "$output" "Error: quiet conflicts with size and namespace"
    run_pc 125 ps --size --ns
    assert_equal "$output" "Error: size and namespace options conflict"
}

@test "ps --ns shows the container's namespaces; --pod adds the pod columns" {
    run_pc run -d --name n busybox sleep 100
    run_pc ps --ns
    assert_equal "${lines[0]}" "CONTAINER ID  NAMES       PID         CGROUPNS    IPC         MNT         NET         PIDNS       USERNS      UTS"
    local pid net
    pid=$(ctr_pid n)
    net=$(readlink "/proc/$pid/ns/net")
    net=${net#net:[}
    net=${net%]}
    run_pc ps --ns --format '{{.NET}} {{.Namespaces.NET}} {{.Pid}}'
    assert_equal "$output" "$net $net $pid"
    run_pc ps --ns --format json
    echo "$output" | python3 -c '
import json, sys
ns = json.load(sys.stdin)[0]["Namespaces"]
assert ns["Net"] == sys.argv[1], ns
assert set(ns) == {"Mnt", "Cgroup", "Ipc", "Net", "Pidns", "Uts", "User"}, ns' "$net"
    run_pc ps --pod
    [[ "${lines[0]}" == *"NAMES       POD ID      PODNAME" ]]
}

@test "ps templates: {{.Label \"k\"}}, .Labels, JSON Labels, podman's reporter fields and headers" {
    three
    run_pc ps --format '{{.Label "foo"}}|{{.Label "nope"}}|{{.Labels.x}}|{{.Labels}}'
    assert_equal "$output" "bar||y|map[foo:bar x:y]"
    run_pc ps -a --filter name=c1 --format '{{.Labels}}|{{.Label "foo"}}'
    assert_equal "$output" "map[]|"
    run_pc ps -a --format json
    echo "$output" | python3 -c '
import json, sys
d = {c["Names"][0]: c for c in json.load(sys.stdin)}
assert d["a1"]["Labels"] == {"foo": "bar", "x": "y"}, d["a1"]["Labels"]
assert d["c1"]["Labels"] is None, d["c1"]["Labels"]
assert d["e3"]["Status"].startswith("Exited (3) "), d["e3"]["Status"]
assert d["a1"]["Status"].startswith("Up "), d["a1"]["Status"]
assert d["a1"]["Pod"] == "" and d["a1"]["PodName"] == "" and d["a1"]["IsInfra"] is False
'
    # podman's ps JSON: two spaces, <, > and & escaped as Go's Marshal does.
    run_pc create --name hh --label 'h=<a&b>' busybox true
    run_pc ps -a --filter name=hh --format json
    assert_equal "${lines[0]}" "["
    assert_equal "${lines[1]}" "  {"
    assert_equal "${lines[2]}" '    "AutoRemove": false,'
    assert_contains "$output" '      "h": "\u003ca\u0026b\u003e"'
    local iid
    iid=$("$PC" inspect --format '{{.Image}}' a1)
    run_pc ps --format '{{.ImageID}}|{{.Networks}}|{{.Mounts}}|{{.State}}|{{.Namespaces}}|{{.Pod}}|{{.PodName}}|{{.Exited}}'
    assert_equal "$output" "${iid:0:12}||[]|running|{      }|||false"
    run_pc ps --no-trunc --format '{{.ImageID}}'
    assert_equal "$output" "$iid"
    run_pc ps -a --filter name=c1 --format '{{.State}}|{{.Status}}'
    assert_equal "$output" "created|Created"
    run_pc ps -a --filter name=e3 --format '{{.State}}|{{.Status}}|{{.ExitCode}}'
    [[ "$output" == "exited|Exited (3) "*" ago|3" ]]
    run_pc ps --format 'table {{.ID}} {{.Pod}} {{.PodName}} {{.Cgroup}} {{.User}} {{.RunningFor}} {{.Label "foo"}}'
    assert_equal "$(echo "${lines[0]}" | tr -s ' ')" "CONTAINER ID POD ID PODNAME CGROUPNS USERNS RUNNING FOR LABEL"
    run_pc 125 ps --format '{{.Names "x"}}'
    assert_contains "$output" "Names is not a method but has arguments"
}

@test "run: a directory or a file that is not executable exits 126, a missing command 127, in podman's (runc's) words" {
    run_pc 126 run --rm busybox /etc
    assert_equal "$output" 'Error: unable to start container process: exec: "/etc": permission denied: OCI permission denied'
    run_pc 126 run --rm busybox /etc/passwd
    assert_equal "$output" 'Error: unable to start container process: exec: "/etc/passwd": permission denied: OCI permission denied'
    run_pc 126 run --rm -w /etc busybox ./passwd
    assert_equal "$output" 'Error: unable to start container process: exec: "./passwd": permission denied: OCI permission denied'
    run_pc 127 run --rm busybox /nonexist
    assert_equal "$output" 'Error: unable to start container process: exec: "/nonexist": stat /nonexist: no such file or directory: OCI runtime attempted to invoke a command that was not found'
    run_pc 127 run --rm busybox nonexist
    assert_equal "$output" 'Error: unable to start container process: exec: "nonexist": executable file not found in $PATH: OCI runtime attempted to invoke a command that was not found'
}

@test "ps --watch redraws the table every N seconds; not with --latest" {
    run_pc run -d --name wa busybox sleep 100
    # Two listings take a little over a second; the timeout ends the watch.
    # Into a pipe, as podman: no screen-clearing escapes.
    run timeout 2.5 "$PC" ps -w 1 --format '{{.Names}}'
    [ "$status" -eq 124 ]
    [ "${#lines[@]}" -ge 2 ]
    assert_equal "$(printf '%s\n' "${lines[@]}" | sort -u)" "wa"
    run_pc 125 ps -w 1 --latest
    assert_equal "$output" "Error: the watch and latest flags cannot be used together"
}

@test "ps --pod shows the pod's ID and name; --filter pod= by name or ID; inspect --type pod" {
    run_pc pod create --name pp
    local pid
    pid=$("$PC" pod inspect --format '{{.Id}}' pp)
    run_pc create --name member --pod pp busybox true
    run_pc create --name alone busybox true
    run_pc ps -a --pod --format '{{.Names}} {{.Pod}} {{.PodName}}'
    assert_contains "$output" "member ${pid:0:12} pp"
    assert_contains "$output" "alone  "
    assert_equal "$(names -a --filter pod=pp --sort names)" "${pid:0:12}-infra member"
    assert_equal "$(names -a --filter "pod=$pid" --sort names)" "${pid:0:12}-infra member"
    assert_equal "$(names -a --filter pod=nosuch)" ""
    run_pc inspect --format '{{.Name}}' pp
    assert_equal "$output" "pp"
    run_pc inspect --type pod --format '{{.Name}}' pp
    assert_equal "$output" "pp"
    run_pc 125 inspect --type pod nosuch
    assert_equal "$output" $'[]\nError: inspecting object: no such pod nosuch'
}
