#!/usr/bin/env bats
# Pods (docs/pods.md): containers that share the infra's network, IPC and
# UTS namespaces; the infra is the host's catatonit in a minimal root, its
# monitor holds the pod's user namespace and ports. Traffic only on the
# host's loopback and inside the pod.

bats_require_minimum_version 1.5.0

load helpers
load helpers-containers

setup() {
    pc_setup
    pc_load_fixture busybox
    [ -x /usr/bin/catatonit ] || skip "no /usr/bin/catatonit (Debian's catatonit package)"
}

teardown() {
    pc_teardown
}

free_port() {
    python3 -c "import socket
s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"
}

# served URL: the page busybox httpd serves, fetched from a pod member.
served() {
    "$PC" run --rm --pod "$1" localhost/busybox wget -qO- "$2" 2>/dev/null | grep -qx "$3"
}

# The pids of the pod's containers and their monitors, one per line.
pod_pids() {
    local c
    for c in $("$PC" ps -aq --filter "pod=$1" --no-trunc); do
        "$PC" inspect --format '{{.State.Pid}} {{.State.ConmonPid}}' "$c"
    done | tr ' ' '\n' | grep -v '^0$' || true
}

# reaped PID: the process is no more, not even a zombie (what pc's look at
# a monitor's pid and start time sees).
reaped() {
    ! kill -0 "$1" 2>/dev/null
}

# gone PID: the process has ended (a zombie waiting for its reaper counts).
gone() {
    ! kill -0 "$1" 2>/dev/null || [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" = Z ]
}

@test "pod: members talk over 127.0.0.1 and share /dev/shm and the hostname" {
    run_pc pod create --name web
    pod_id=$output
    run_pc run -d --pod web --name srv localhost/busybox sh -c \
        'echo hello-pod > /tmp/index.html; echo shared > /dev/shm/mark; exec httpd -f -p 127.0.0.1:8080 -h /tmp'
    wait_for served web http://127.0.0.1:8080/ hello-pod
    run_pc run --rm --pod web localhost/busybox sh -c 'cat /dev/shm/mark; hostname'
    assert_equal "$output" "shared
web"
    run_pc inspect --format '{{.HostConfig.NetworkMode}} {{.HostConfig.IpcMode}} {{.HostConfig.UTSMode}}' srv
    infra=$("$PC" pod inspect --format '{{.InfraContainerID}}' web)
    assert_equal "$output" "container:$infra container:$infra container:$infra"
    run_pc ps --no-trunc --format '{{.Pod}}' --filter name=srv
    assert_equal "$output" "$pod_id"
    # A container outside the pod reaches nothing on its own 127.0.0.1.
    run_pc 1 run --rm localhost/busybox wget -qO- http://127.0.0.1:8080/
}

@test "pod: --share without ipc gives each member its own /dev/shm" {
    run_pc pod create --name noipc --share net,uts
    run_pc pod inspect --format '{{.SharedNamespaces}}' noipc
    assert_equal "$output" "[uts net]"
    run_pc run -d --pod noipc --name a localhost/busybox sh -c 'echo x > /dev/shm/mark; exec sleep 1000'
    wait_for "$PC" exec a test -f /dev/shm/mark
    run_pc run --rm --pod noipc localhost/busybox sh -c 'ls -A /dev/shm; hostname'
    assert_equal "$output" "noipc"
    # And with ipc shared (the default) the file is there: the check can fail.
    run_pc pod create --name withipc
    run_pc run -d --pod withipc --name b localhost/busybox sh -c 'echo x > /dev/shm/mark; exec sleep 1000'
    wait_for "$PC" exec b test -f /dev/shm/mark
    run_pc run --rm --pod withipc localhost/busybox ls -A /dev/shm
    assert_equal "$output" "mark"
}

@test "pod: a port published on the pod reaches a member" {
    port=$(free_port)
    run_pc pod create --name pub -p 127.0.0.1:$port:80
    run_pc pod inspect --format '{{json .InfraConfig.PortBindings}}' pub
    assert_equal "$output" "{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$port\"}]}"
    run_pc run -d --pod pub --name srvp localhost/busybox sh -c 'echo from-pod > /tmp/index.html; exec httpd -f -p 80 -h /tmp'
    # ps shows the pod's ports on its members, as podman's.
    run_pc ps --format '{{.Names}} {{.Ports}}' --filter name=srvp
    assert_equal "$output" "srvp 127.0.0.1:$port->80/tcp"
    wait_for sh -c "python3 -c \"import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$port/', timeout=2).read().decode().strip())\" | grep -qx from-pod"
    # A member's own -p is refused as podman refuses it.
    run_pc 125 create --pod pub -p 8081:81 localhost/busybox true
    assert_contains "$output" "published or exposed ports must be defined when the pod is created"
    run_pc pod stop -t 0 pub
    # Stopped: the port is free again (nothing listens: a bind with
    # SO_REUSEADDR fails only for a listener, not for TIME_WAIT leftovers).
    python3 -c "import socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $port)); s.listen()"
}

@test "pod: stop and rm leave nothing running or mounted" {
    run_pc pod create --name tidy
    run_pc run -d --pod tidy --name t1 localhost/busybox sleep 1000
    run_pc run -d --pod tidy --name t2 localhost/busybox sleep 1000
    pids=$(pod_pids tidy)
    [ "$(echo "$pids" | wc -l)" -eq 6 ]
    ids=$("$PC" ps -aq --no-trunc --filter pod=tidy)
    [ "$(echo "$ids" | wc -l)" -eq 3 ]
    # While they run, their roots are mounted in their monitors' namespaces:
    # the check below can see them.
    t1=$("$PC" inspect --format '{{.Id}}' t1)
    run sh -c "grep -ls '$t1' /proc/[0-9]*/mountinfo 2>/dev/null"
    assert_not_equal "$output" ""
    run_pc pod stop -t 0 tidy
    for p in $pids; do wait_for gone "$p"; done
    run_pc pod ps --format '{{.Name}} {{.Status}}'
    assert_equal "$output" "tidy Exited"
    run_pc inspect --format '{{.Name}} {{.State.Status}}' t1 t2
    assert_equal "$output" "t1 exited
t2 exited"
    # Started again, then removed by force while running.
    run_pc pod start tidy
    # pc restart of one member joins the pod's user namespace as start does.
    old=$(ctr_pid t1)
    run_pc restart -t 0 t1
    assert_not_equal "$(ctr_pid t1)" "$old"
    run_pc inspect --format '{{.State.Status}}' t1
    assert_equal "$output" "running"
    pids=$(pod_pids tidy)
    [ "$(echo "$pids" | wc -l)" -eq 6 ]
    run_pc pod rm -f -t 0 tidy
    for p in $pids; do wait_for gone "$p"; done
    run_pc ps -aq
    assert_equal "$output" ""
    run_pc pod ps -q
    assert_equal "$output" ""
    # No process of this user has any of the containers' paths mounted.
    for id in $ids; do
        run sh -c "grep -ls '$id' /proc/[0-9]*/mountinfo 2>/dev/null"
        assert_equal "$output" ""
    done
    [ ! -e "$XDG_RUNTIME_DIR/pc/pods" ] || [ -z "$(ls -A "$XDG_RUNTIME_DIR/pc/pods")" ]
}

@test "pod: kill -9 of the infra's monitor is reported and cleaned by the next pod command" {
    run_pc pod create --name hurt
    run_pc run -d --pod hurt --name m localhost/busybox sleep 1000
    mpid=$(ctr_pid m)
    infra=$("$PC" pod inspect --format '{{.InfraContainerID}}' hurt)
    mon=$(monitor_pid "$infra")
    kill -9 "$mon"
    wait_for -t 30 reaped "$mon"
    run_pc pod ps --format '{{.Name}} {{.Status}}'
    assert_contains "$output" "infra container ${infra:0:12} of pod hurt exited"
    assert_contains "$output" "its monitor was killed"
    assert_contains "$output" "hurt Exited"
    wait_for gone "$mpid"
    # Told once; the pod starts again from a clean state.
    run_pc pod ps --format '{{.Name}} {{.Status}}'
    assert_equal "$output" "hurt Exited"
    run_pc pod start hurt
    run_pc pod ps --format '{{.Name}} {{.Status}}'
    assert_equal "$output" "hurt Running"
}

@test "pod: starting a member starts the infra; the infra alone cannot be removed" {
    run_pc pod create --name lazy
    pod_id=$output
    run_pc create --pod lazy --name c1 localhost/busybox sleep 1000
    run_pc pod ps --format '{{.Status}} {{.NumberOfContainers}}'
    assert_equal "$output" "Created 2"
    run_pc start c1
    run_pc pod ps --format '{{.Status}}'
    assert_equal "$output" "Running"
    infra=$("$PC" pod inspect --format '{{.InfraContainerID}}' lazy)
    run_pc 125 rm -f "$infra"
    assert_equal "$output" "Error: container $infra is the infra container of pod $pod_id and cannot be removed without removing the pod"
    run_pc 125 pod rm lazy
    assert_contains "$output" "2 errors occurred"
    assert_contains "$output" "cannot remove container"
    run_pc pod rm -f -t 0 lazy
    assert_equal "$output" "$pod_id"
    run_pc ps -a -q
    assert_equal "$output" ""
}

@test "pod: --exit-policy stop stops the pod when its last member exits" {
    run_pc pod create --name once --exit-policy stop
    run_pc run -d --pod once --name only localhost/busybox sleep 1000
    run_pc pod ps --format '{{.Status}}'
    assert_equal "$output" "Running"
    run_pc stop -t 0 only
    wait_for sh -c "'$PC' pod ps --format '{{.Status}}' | grep -qx Exited"
    # continue (the default) keeps the infra running.
    run_pc pod create --name stays
    run_pc run --pod stays localhost/busybox true
    run_pc pod inspect --format '{{.State}}' stays
    assert_equal "$output" "Degraded"
}

@test "pod: run --pod new:NAME, --pod-id-file, ps --pod and templates" {
    run_pc run -d --pod new:fresh --name f1 localhost/busybox sleep 1000
    run_pc pod exists fresh
    run_pc ps --pod --format '{{.Names}} {{.PodName}}' --filter 'name=^f1$'
    assert_equal "$output" "f1 fresh"
    pod_id=$("$PC" pod inspect --format '{{.Id}}' fresh)
    run_pc ps --format '{{.Pod}}' --filter 'name=^f1$'
    assert_equal "$output" "${pod_id:0:12}"
    run_pc pod create --name byfile --pod-id-file "$PC_TEST_DIR/pod.id"
    assert_equal "$(cat "$PC_TEST_DIR/pod.id")" "$output"
    run_pc run --rm --pod-id-file "$PC_TEST_DIR/pod.id" localhost/busybox hostname
    assert_equal "$output" "byfile"
}

@test "pod ps, inspect, exists: podman's columns and fields" {
    run_pc pod create --name alpha --label tier=front
    alpha=$output
    run_pc pod create --name beta --infra=false
    run_pc create --pod alpha --name am localhost/busybox true
    run_pc pod ps
    assert_equal "${lines[0]}" "POD ID        NAME        STATUS      CREATED                 INFRA ID      # OF CONTAINERS"
    run_pc pod ls --sort name --format '{{.Name}} {{.Status}} {{.NumberOfContainers}}'
    assert_equal "$output" "alpha Created 2
beta Created 0"
    run_pc pod ps --ctr-names --format '{{.Name}}|{{.ContainerNames}}' --filter name=alpha
    assert_equal "$output" "alpha|am,${alpha:0:12}-infra"
    run_pc pod ps -q --no-trunc --filter label=tier=front
    assert_equal "$output" "$alpha"
    run_pc pod ps --format json --filter name=beta
    run python3 -c "import json, sys; d = json.loads(sys.stdin.read()); print(d[0]['Name'], d[0]['InfraId'] == '', d[0]['Status'], d[0]['Containers'])" <<<"$output"
    assert_equal "$output" "beta True Created []"
    run_pc pod inspect alpha
    run python3 -c "import json, sys; d = json.loads(sys.stdin.read()); print(d['Name'], d['State'], d['NumContainers'], d['Labels'], d['SharedNamespaces'], d['ExitPolicy'])" <<<"$output"
    assert_equal "$output" "alpha Created 2 {'tier': 'front'} ['uts', 'ipc', 'net'] continue"
    # podman leaves out what is empty: no infra, no labels, no containers.
    run_pc pod inspect beta
    run python3 -c "import json, sys; d = json.loads(sys.stdin.read()); print(sorted(k for k in ('Labels', 'InfraConfig', 'Containers', 'SharedNamespaces') if k in d), d['NumContainers'], d['CreateInfra'])" <<<"$output"
    assert_equal "$output" "[] 0 False"
    run_pc pod exists alpha
    run_pc 1 pod exists nosuchpod
    run_pc 125 pod inspect nosuchpod
    assert_equal "$output" "$(printf '[]\nError: inspecting object: no such pod nosuchpod')"
    run_pc 125 pod stop nosuchpod
    assert_equal "$output" "Error: no pod with name or ID nosuchpod found: no such pod"
    run_pc 1 pod rm nosuchpod
    run_pc pod rm --ignore nosuchpod
    assert_equal "$output" ""
}

@test "pod top lists the processes of every running member" {
    run_pc pod create --name tops
    run_pc run -d --pod tops localhost/busybox sleep 1001
    run_pc pod top tops
    assert_contains "${lines[0]}" "COMMAND"
    assert_contains "$output" "sleep 1001"
    assert_contains "$output" "/catatonit -P"
    run_pc pod stop -t 0 tops
    run_pc 125 pod top tops
    assert_contains "$output" "at least one running container"
}

@test "pod prune removes exited pods only; pod clone copies the configuration" {
    run_pc pod create --name done --label k=v -h donehost -p 127.0.0.1:$(free_port):80
    run_pc pod start done
    run_pc pod stop -t 0 done
    run_pc pod create --name fresh
    run_pc pod clone done copy
    copy=$output
    run_pc pod inspect --format '{{.Name}} {{.Hostname}} {{.Labels}} {{.NumContainers}}' copy
    assert_equal "$output" "copy donehost map[k:v] 1"
    done_id=$("$PC" pod inspect --format '{{.Id}}' done)
    # container prune leaves a pod's containers alone, as podman's.
    run_pc container prune -f
    assert_equal "$output" ""
    run_pc pod exists done
    run_pc pod prune -f
    assert_equal "$output" "$done_id"
    run_pc pod ps --sort name --format '{{.Name}}'
    assert_equal "$output" "copy
fresh"
    run_pc pod clone --start --name started copy
    run_pc pod inspect --format '{{.State}}' started
    assert_equal "$output" "Running"
}

@test "pod create: podman's refusals" {
    run_pc 125 pod create --share foo
    assert_equal "$output" "Error: invalid kernel namespace to share: foo. Options are: cgroup, ipc, net, pid, uts or none"
    run_pc 125 pod create --exit-policy sometimes
    assert_equal "$output" "Error: running pod create option: invalid pod exit policy: \"sometimes\""
    run_pc pod create --name twice
    run_pc 125 pod create --name twice
    assert_equal "$output" "Error: adding pod to state: name \"twice\" is in use: pod already exists"
    run_pc 125 create --pod twice -h other localhost/busybox true
    assert_contains "$output" "cannot set hostname when joining the pod UTS namespace"
    run_pc 125 run --pod nosuchpod localhost/busybox true
    assert_equal "$output" "Error: no pod with name or ID nosuchpod found: no such pod"
    run_pc pod ps -q
    [ "$(echo "$output" | wc -l)" -eq 1 ]
    # -q prints whole IDs, as podman 4.3's pod ps.
    [[ "$output" =~ ^[0-9a-f]{64}$ ]]
    # pod inspect of several: an array; of one: an object; a missing one
    # is named after the others are printed (podman 4.3).
    run_pc pod create --name pi
    run_pc pod inspect --format '{{.Name}}' pi pi
    assert_equal "$output" "$(printf 'pi\npi')"
    run_pc pod inspect pi pi
    assert_equal "${lines[0]}" "["
    run_pc pod inspect pi
    assert_equal "${lines[0]}" "{"
    run_pc 125 pod inspect nosuchpod
    assert_equal "$output" "$(printf '[]\nError: inspecting object: no such pod nosuchpod')"
    # kill with nothing running prints the pod, as podman; a plain rm takes
    # a pod whose only running container is its infra.
    run_pc pod kill pi
    [[ "$output" =~ ^[0-9a-f]{64}$ ]]
    run_pc pod start pi
    run_pc pod rm pi
    [[ "$output" =~ ^[0-9a-f]{64}$ ]]
    run_pc 125 pod inspect pi
    # rm --force passes over a pod that does not exist; without it, 1.
    run_pc pod rm -f nosuchpod
    assert_equal "$output" ""
    run_pc 1 pod rm nosuchpod
    assert_equal "$output" "Error: no pod with name or ID nosuchpod found: no such pod"
    # Pods and containers share one namespace of names, both ways (podman 4.3).
    run_pc 125 create --name twice localhost/busybox true
    assert_equal "$output" "Error: name \"twice\" is in use: pod already exists"
    run_pc 125 run --rm --name twice localhost/busybox true
    assert_equal "$output" "Error: name \"twice\" is in use: pod already exists"
    run_pc 125 pod create --infra-name twice
    assert_equal "$output" "Error: name \"twice\" is in use: pod already exists"
    run_pc create --name other localhost/busybox true
    run_pc 125 rename other twice
    assert_contains "$output" "pod already exists"
    run_pc 125 pod create --name other
    assert_equal "$output" "Error: name \"other\" is in use: container already exists"
    run_pc ps -a --format '{{.Names}}'
    ! grep -qx twice <<<"$output"
    # Once the pod is gone its name is free for a container.
    run_pc pod rm twice
    run_pc create --name twice localhost/busybox true
}

@test "pod --userns keep-id: members are the user and join the infra's user namespace" {
    skip_if_root "keep-id is rootless only"
    command -v fuse-overlayfs >/dev/null || skip "keep-id needs fuse-overlayfs"
    run_pc pod create --name kid --userns keep-id
    run_pc pod inspect --format '{{.InfraConfig.userns}}' kid
    assert_equal "$output" "keep-id"
    run_pc run -d --pod kid --name ks localhost/busybox sh -c 'echo mine > /tmp/index.html; exec httpd -f -p 8080 -h /tmp'
    wait_for served kid http://127.0.0.1:8080/ mine
    run_pc run --rm --pod kid localhost/busybox id -u
    assert_equal "$output" "$(id -u)"
    # Its user namespace is the infra's pid 1's.
    infra=$("$PC" pod inspect --format '{{.InfraContainerID}}' kid)
    assert_equal "$(readlink /proc/$(ctr_pid ks)/ns/user)" "$(readlink /proc/$(ctr_pid "$infra")/ns/user)"
}

@test "pod: what a killed pod create leaves is collected, a create at work is not" {
    root=$("$PC" info --format '{{.Store.GraphRoot}}')
    run_pc pod create --name keep
    left=$root/engine/pods/$(printf 'a%.0s' {1..64})
    mkdir -p "$left"
    : > "$left/lock"
    # A pod directory whose creator still holds its lock stays.
    busy=$root/engine/pods/$(printf 'b%.0s' {1..64})
    mkdir -p "$busy"
    : > "$busy/lock"
    # An open file description lock, as pc's: it stays while this shell
    # keeps fd 9 open, after python has gone.
    exec 9<>"$busy/lock"
    python3 -c "import fcntl, struct; fcntl.fcntl(9, 37, struct.pack('hhqqi', fcntl.F_WRLCK, 0, 0, 0, 0))"
    run_pc pod ps --format '{{.Name}}'
    assert_equal "$output" "keep"
    [ ! -e "$left" ]
    [ -e "$busy" ]
    exec 9>&-
    run_pc pod ps --format '{{.Name}}'
    [ ! -e "$busy" ]
}

@test "pod logs: the members' logs, each line after its container's ID or name" {
    run_pc pod create --name lg
    run_pc run --pod lg --name l1 localhost/busybox echo one
    run_pc run --pod lg --name l2 localhost/busybox echo two
    id1=$("$PC" inspect --format '{{.Id}}' l1)
    id2=$("$PC" inspect --format '{{.Id}}' l2)
    run_pc pod logs lg
    assert_equal "$output" "${id1:0:12} one
${id2:0:12} two"
    run_pc pod logs --names lg
    assert_equal "$output" "l1 one
l2 two"
    run_pc pod logs -c l2 lg
    assert_equal "$output" "two"
    run_pc 125 pod logs -c nope lg
}

@test "restart of a --network container:X joiner joins X's user namespace, as a pod member's" {
    run_pc run -d --name x localhost/busybox sleep 1000
    run_pc run -d --name joiner --network container:x localhost/busybox sleep 1000
    old=$(ctr_pid joiner)
    run_pc restart -t 0 joiner
    assert_not_equal "$(ctr_pid joiner)" "$old"
    assert_equal "$(readlink /proc/$(ctr_pid joiner)/ns/net)" "$(readlink /proc/$(ctr_pid x)/ns/net)"
}

@test "pod --network host: the members are on the host's network with the pod's hostname" {
    run_pc pod create --name hostnet --network host
    run_pc run --rm --pod hostnet localhost/busybox sh -c 'readlink /proc/self/ns/net; hostname'
    assert_equal "$output" "$(readlink /proc/self/ns/net)
hostnet"
}

@test "pod ps --filter name= takes Go's regexp syntax: a backreference matches nothing, at once" {
    local long
    long=$(printf 'a%.0s' $(seq 100))
    run_pc pod create --name "$long"
    # glibc's engine backtracks on \2 for many seconds; Go refuses the
    # pattern and podman then matches nothing.
    run timeout 10 "$PC" pod ps --format '{{.Name}}' --filter 'name=((a*)*\2)*b'
    assert_equal "$status" 0
    assert_equal "$output" ""
    run_pc pod ps --format '{{.Name}}' --filter 'name=^a+$'
    assert_equal "$output" "$long"
}
