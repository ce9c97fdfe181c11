#!/usr/bin/env bats
# The smaller run/create flags podman users' scripts pass (docs/containers.md
# "More run flags"): each test checks what a user would see of the flag.
# Messages are podman 4.3's.

load helpers
load helpers-containers
load helpers-registry

setup() {
    pc_setup
    pc_busybox
}

teardown() {
    registry_stop
    [ -n "${LISTENER_PID:-}" ] && kill "$LISTENER_PID" 2>/dev/null || true
    pc_teardown
}

# notify_listen SOCKET OUT: a unix datagram socket as systemd's
# NOTIFY_SOCKET; what it receives goes to OUT, one datagram per line,
# until READY=1 arrives (or 30 s pass).
notify_listen() {
    rm -f "$2"
    python3 - "$1" "$2" <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
try:
    while True:
        d = s.recv(4096).decode()
        with open(sys.argv[2], "a") as f:
            f.write(d.replace("\n", " ") + "\n")
        if "READY=1" in d:
            break
except socket.timeout:
    pass
EOF
    LISTENER_PID=$!
    wait_for test -S "$1"
}

# logs_have CTR TEXT: the container's log has TEXT
logs_have() {
    "$PC" logs "$1" 2>/dev/null | grep -q "$2"
}

@test "--shm-size: the size of /dev/shm (binary units, 0 no limit) and inspect's ShmSize; podman's error for a bad size" {
    run_pc run --rm --shm-size 1m busybox sh -c 'df -k /dev/shm | tail -1'
    assert_contains "$output" "shm                       1024 "
    run_pc run --rm --shm-size 1.5m busybox sh -c 'df -k /dev/shm | tail -1'
    assert_contains "$output" " 1536 "
    run_pc run --rm busybox sh -c 'df -k /dev/shm | tail -1'
    assert_contains "$output" " 64000 "
    run_pc create --name sz --shm-size 2g busybox true
    run_pc inspect --format '{{.HostConfig.ShmSize}}' sz
    assert_equal "$output" 2147483648
    run_pc rm sz
    run_pc 125 run --rm --shm-size foo busybox true
    assert_equal "$output" "Error: unable to translate --shm-size: invalid size: 'foo'"
    run_pc 125 create --shm-size -1 busybox true
    assert_equal "$output" "Error: unable to translate --shm-size: invalid size: '-1'"
}

@test "--http-proxy (default true): the host's proxy variables reach the container, over --unsetenv; -e wins; =false keeps them out" {
    http_proxy=http://proxy.invalid:3128 NO_PROXY=localhost run_pc run --rm busybox sh -c 'env | grep -i _proxy= | sort'
    assert_equal "$output" "$(printf 'NO_PROXY=localhost\nhttp_proxy=http://proxy.invalid:3128')"
    http_proxy=http://proxy.invalid:3128 run_pc run --rm -e http_proxy=mine busybox sh -c 'env | grep -i _proxy='
    assert_equal "$output" "http_proxy=mine"
    http_proxy=http://proxy.invalid:3128 run_pc run --rm --unsetenv http_proxy busybox sh -c 'env | grep -i _proxy='
    assert_equal "$output" "http_proxy=http://proxy.invalid:3128"
    http_proxy=http://proxy.invalid:3128 run_pc 1 run --rm --http-proxy=false busybox sh -c 'env | grep -i _proxy='
    assert_equal "$output" ""
    https_proxy=http://proxy.invalid:3129 run_pc create --name hp busybox true
    run_pc inspect --format '{{range .Config.Env}}{{println .}}{{end}}' hp
    assert_contains "$output" "https_proxy=http://proxy.invalid:3129"
    run_pc rm hp
}

@test "--sysctl: namespaced sysctls written in the container; podman's refusals" {
    run_pc run --rm --sysctl net.ipv4.ip_forward=1 --sysctl kernel.shmmni=100 --sysctl "net.ipv4.ping_group_range=1 2" \
        busybox sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni /proc/sys/net/ipv4/ping_group_range'
    assert_equal "$output" "$(printf '1\n100\n1\t2')"
    run_pc run --rm --sysctl fs.mqueue.msg_max=20 busybox cat /proc/sys/fs/mqueue/msg_max
    assert_equal "$output" 20
    run_pc 125 run --rm --sysctl vm.swappiness=1 busybox true
    assert_equal "$output" "Error: sysctl 'vm.swappiness' is not allowed"
    run_pc 125 create --sysctl kernel.hostname=x busybox true
    assert_equal "$output" "Error: sysctl 'kernel.hostname' is not allowed"
    run_pc 125 create --sysctl net.ipv4.ip_forward busybox true
    assert_equal "$output" "Error: net.ipv4.ip_forward is invalid, sysctl values must be in the form of KEY=VALUE"
    run_pc 125 create --network host --sysctl net.ipv4.ip_forward=1 busybox true
    assert_equal "$output" "Error: sysctl net.ipv4.ip_forward=1 can't be set since Network Namespace set to host: invalid argument"
    run_pc ps -a -q
    assert_equal "$output" ""
}

@test "--annotation: in inspect's .Config.Annotations; KEY without = is refused" {
    run_pc create --name a1 --annotation io.example.team=blue --annotation empty= busybox true
    run_pc inspect --format '{{index .Config.Annotations "io.example.team"}}|{{index .Config.Annotations "empty"}}' a1
    assert_equal "$output" "blue|"
    run_pc 125 create --annotation nokey busybox true
    assert_equal "$output" "Error: annotations must be formatted KEY=VALUE"
}

@test "--label-file: its labels, with --label winning; a missing file is refused" {
    printf '# team labels\nteam=blue\n\nowner=ana\n' > "$PC_TEST_DIR/labels"
    run_pc create --name l1 --label-file "$PC_TEST_DIR/labels" --label owner=bo busybox true
    run_pc inspect --format '{{.Config.Labels.team}} {{.Config.Labels.owner}}' l1
    assert_equal "$output" "blue bo"
    run_pc ps -a --filter label=team=blue --format '{{.Names}}'
    assert_equal "$output" "l1"
    run_pc 125 create --label-file "$PC_TEST_DIR/nope" busybox true
    assert_equal "$output" "Error: unable to process labels: open $PC_TEST_DIR/nope: no such file or directory"
}

@test "--oom-score-adj: the container's /proc/self/oom_score_adj; out of range is refused" {
    run_pc run --rm --oom-score-adj 500 busybox cat /proc/self/oom_score_adj
    assert_equal "$output" "500"
    run_pc create --name o1 --oom-score-adj 700 busybox true
    run_pc inspect --format '{{.HostConfig.OomScoreAdj}}' o1
    assert_equal "$output" "700"
    run_pc 125 create --oom-score-adj 1001 busybox true
    assert_equal "$output" "Error: --oom-score-adj 1001: oom_score_adj must be between -1000 and 1000"
    run_pc 125 create --oom-score-adj abc busybox true
    assert_equal "$output" 'Error: invalid argument "abc" for "--oom-score-adj" flag: strconv.ParseInt: parsing "abc": invalid syntax'
}

@test "--oom-score-adj below the inherited value: rootless, the start fails (podman 4.3: create works, run 126, start 125)" {
    skip_if_root
    local cur
    cur=$(cat /proc/self/oom_score_adj)
    [ "$cur" -gt -1000 ] || skip "the score is already -1000"
    run_pc create --name low --oom-score-adj -1000 busybox true
    run_pc 125 start low
    assert_contains "$output" "set oom_score_adj to -1000: only a privileged user can lower it"
    run_pc 126 run --rm --oom-score-adj -1000 busybox true
    assert_contains "$output" "only a privileged user can lower it"
}

@test "--personality LINUX32: uname -m reports a 32-bit machine; a bad domain is refused" {
    [ "$(uname -m)" = x86_64 ] || skip "needs an x86_64 host"
    run_pc run --rm --personality LINUX32 busybox uname -m
    assert_equal "$output" "i686"
    run_pc run --rm --personality LINUX busybox uname -m
    assert_equal "$output" "x86_64"
    run_pc 125 create --personality BOGUS busybox true
    assert_contains "$output" 'invalid personality domain "BOGUS"'
}

@test "--pidfile and --conmon-pidfile: the container's and the monitor's host pids" {
    run_pc run -d --name p1 --pidfile "$PC_TEST_DIR/ctr.pid" --conmon-pidfile "$PC_TEST_DIR/mon.pid" busybox sleep 100
    [ "$(cat "$PC_TEST_DIR/ctr.pid")" = "$(ctr_pid p1)" ]
    [ "$(cat "$PC_TEST_DIR/mon.pid")" = "$(monitor_pid p1)" ]
    # pid 1 of the container, seen from the host
    assert_equal "$(tr '\0' ' ' < "/proc/$(cat "$PC_TEST_DIR/ctr.pid")/cmdline")" "sleep 100 "
    run_pc inspect --format '{{.PidFile}} {{.ConmonPidFile}}' p1
    assert_equal "$output" "$PC_TEST_DIR/ctr.pid $PC_TEST_DIR/mon.pid"
    # without --pidfile: podman's default place, named by .PidFile
    run_pc run -d --name p2 busybox sleep 100
    run_pc inspect --format '{{.PidFile}}' p2
    [ "$(cat "$output")" = "$(ctr_pid p2)" ]
    run_pc rm -f -t 0 p1 p2
}

@test "--pidfile: relative to where pc ran, and rewritten when --restart starts the container again" {
    cd "$PC_TEST_DIR"
    # the first run exits 1, the second keeps running
    run_pc run -d --name rs --restart on-failure --pidfile rel.pid busybox \
        sh -c 'test -f /ran && exec sleep 100; touch /ran; exit 1'
    run_pc inspect --format '{{.PidFile}}' rs
    assert_equal "$output" "$PC_TEST_DIR/rel.pid"
    wait_for sh -c "[ \"\$('$PC' inspect --format '{{.RestartCount}}' rs)\" = 1 ]"
    wait_for_state rs running
    wait_for sh -c "[ \"\$(cat '$PC_TEST_DIR/rel.pid')\" = \"\$('$PC' inspect --format '{{.State.Pid}}' rs)\" ]"
    assert_equal "$(tr '\0' ' ' < "/proc/$(cat "$PC_TEST_DIR/rel.pid")/cmdline")" "sleep 100 "
    run_pc rm -f -t 0 rs
}

@test "--sdnotify=conmon: MAINPID (the monitor) and READY=1 on \$NOTIFY_SOCKET; the container gets no socket" {
    notify_listen "$PC_TEST_DIR/notify.sock" "$PC_TEST_DIR/notified"
    NOTIFY_SOCKET=$PC_TEST_DIR/notify.sock run_pc run -d --name n1 --sdnotify=conmon busybox sleep 100
    wait_for grep -q READY=1 "$PC_TEST_DIR/notified"
    # one datagram, as podman 4.3 sends it
    assert_equal "$(cat "$PC_TEST_DIR/notified")" "MAINPID=$(monitor_pid n1) READY=1"
    run_pc inspect --format '{{.Config.SdNotifyMode}}' n1
    assert_equal "$output" "conmon"
    NOTIFY_SOCKET=$PC_TEST_DIR/notify.sock run_pc 1 run --rm --sdnotify=conmon busybox sh -c 'echo "[$NOTIFY_SOCKET]"; ls /run/notify'
    assert_equal "$output" "[]
ls: /run/notify: No such file or directory"
    run_pc rm -f -t 0 n1
}

@test "--sdnotify=container (the default): MAINPID from pc, the socket in the container, READY from it" {
    notify_listen "$PC_TEST_DIR/notify.sock" "$PC_TEST_DIR/notified"
    NOTIFY_SOCKET=$PC_TEST_DIR/notify.sock run_pc run -d --name d1 busybox sh -c \
        'test -S "$NOTIFY_SOCKET" && echo "$NOTIFY_SOCKET"; sleep 100'
    wait_for grep -q MAINPID "$PC_TEST_DIR/notified"
    assert_equal "$(cat "$PC_TEST_DIR/notified")" "MAINPID=$(monitor_pid d1)"
    run_pc inspect --format '{{.Config.SdNotifyMode}}' d1
    assert_equal "$output" "container"
    wait_for logs_have d1 /run/notify/notify.sock
    run_pc logs d1
    assert_equal "$output" "/run/notify/notify.sock"
    run_pc rm -f -t 0 d1
    run_pc 125 create --sdnotify=bogus busybox true
    assert_equal "$output" 'Error: invalid config provided: invalid argument: invalid sdnotify value "bogus": must be container, conmon or ignore'
}

@test "--sdnotify=ignore: nothing is sent to \$NOTIFY_SOCKET" {
    notify_listen "$PC_TEST_DIR/notify.sock" "$PC_TEST_DIR/notified"
    NOTIFY_SOCKET=$PC_TEST_DIR/notify.sock run_pc run -d --name i1 --sdnotify=ignore busybox sleep 100
    wait_for_state i1 running
    # a second container in conmon mode shows the listener works and orders the check
    NOTIFY_SOCKET=$PC_TEST_DIR/notify.sock run_pc run -d --name i2 --sdnotify=conmon busybox sleep 100
    wait_for grep -q READY=1 "$PC_TEST_DIR/notified"
    assert_equal "$(cat "$PC_TEST_DIR/notified")" "MAINPID=$(monitor_pid i2) READY=1"
    run_pc rm -f -t 0 i1 i2
}

@test "--systemd=false|true|always are accepted (pc has no systemd mode); others refused" {
    run_pc run --rm --systemd=false busybox echo ok
    assert_equal "$output" "ok"
    run_pc create --name s1 --systemd=always busybox true
    run_pc inspect --format '{{.Config.SystemdMode}}' s1
    assert_equal "$output" "false"
    run_pc 125 create --systemd=bogus busybox true
    assert_equal "$output" 'Error: invalid config provided: --systemd values must be one of "true, false, always": invalid configuration'
}

@test "--chrootdirs: recorded in inspect's .Config.ChrootDirs" {
    run_pc create --name c1 --chrootdirs /srv/jail --chrootdirs /var/jail,/opt/jail busybox true
    run_pc inspect --format '{{.Config.ChrootDirs}}' c1
    assert_equal "$output" "[/srv/jail /var/jail /opt/jail]"
}

@test "-q/--quiet: run pulls a missing image without progress on stderr" {
    registry_start
    registry_push busybox busybox:q
    run_pc_split run --rm -q --tls-verify=false "$REGISTRY/busybox:q" echo ran
    assert_equal "$output" "ran"
    assert_equal "$stderr" ""
    run_pc_split create --quiet --pull=always --tls-verify=false "$REGISTRY/busybox:q" true
    assert_equal "$stderr" ""
    # without it the progress is there
    run_pc_split create --pull=always --tls-verify=false "$REGISTRY/busybox:q" true
    assert_contains "$stderr" "Trying to pull"
}

@test "-u UID the image lacks: podman's passwd line; --passwd-entry is its template" {
    run_pc run --rm -u 1234 busybox sh -c 'grep ^1234: /etc/passwd; whoami'
    assert_equal "$output" "1234:*:1234:0:container user:/:/bin/sh
1234"
    run_pc run --rm -u 1234:5 --passwd-entry '$USERNAME:x:$UID:$GID:$NAME:$HOME:/bin/false' busybox grep ^1234: /etc/passwd
    assert_equal "$output" "1234:x:1234:5:container user:/:/bin/false"
    # a user the image has gets no second line
    run_pc run --rm -u 0 busybox grep -c ':0:0:' /etc/passwd
    assert_equal "$output" "1"
}

@test "--hostuser: the host's passwd entry inside the container; an unknown one is refused" {
    local me
    me=$(id -un)
    local gecos
    gecos=$(getent passwd "$me" | cut -d: -f5)
    # the home is the working directory when the container lacks theirs ...
    run_pc run --rm --hostuser "$me" -w /tmp busybox grep "^$me:" /etc/passwd
    assert_equal "$output" "$me:*:$(id -u):$(id -g):$gecos:/tmp:/bin/sh"
    # ... and theirs when it is mounted in (podman 4.3's lines)
    run_pc run --rm --hostuser "$me" -v "$PC_TEST_DIR:$(getent passwd "$me" | cut -d: -f6)" busybox grep "^$me:" /etc/passwd
    assert_equal "$output" "$me:*:$(id -u):$(id -g):$gecos:$(getent passwd "$me" | cut -d: -f6):/bin/sh"
    run_pc run --rm --hostuser "$(id -u)" --passwd-entry '$USERNAME=$UID' busybox tail -1 /etc/passwd
    assert_equal "$output" "$me=$(id -u)"
    # a comma-separated list, as podman's strings flags
    run_pc run --rm --hostuser "$me,root" -w /tmp busybox grep -c "^$me:" /etc/passwd
    assert_equal "$output" "1"
    run_pc 125 create --hostuser no-such-user-here busybox true
    assert_contains "$output" "unknown user no-such-user-here"
}

# rootfs_dir DIR: a directory with a static busybox as /bin/sh and friends
rootfs_dir() {
    local bb
    bb=$(command -v busybox) || skip "needs the host's busybox"
    file -L "$bb" 2>/dev/null | grep -q 'statically linked' || skip "the host's busybox is not static"
    mkdir -p "$1/bin"
    cp "$bb" "$1/bin/busybox"
    local x
    for x in sh cat id touch ls echo true; do ln -s busybox "$1/bin/$x"; done
}

@test "--rootfs DIR: the directory is the root, owned by the user it is the container's root, writes land in it" {
    rootfs_dir "$PC_TEST_DIR/rfs"
    run_pc run --rm --rootfs "$PC_TEST_DIR/rfs" sh -c 'id -u; echo hi > /made; cat /made'
    assert_equal "$output" "0
hi"
    [ "$(cat "$PC_TEST_DIR/rfs/made")" = hi ]
    [ "$(stat -c %u "$PC_TEST_DIR/rfs/made")" = "$(id -u)" ]
    run_pc create --name r1 --rootfs "$PC_TEST_DIR/rfs" true
    run_pc inspect --format '{{.Rootfs}}|{{.Image}}|{{.ImageName}}' r1
    assert_equal "$output" "$PC_TEST_DIR/rfs||"
    run_pc ps -a --format '{{.Image}}|{{.Names}}'
    assert_equal "$output" "|r1"
    run_pc start -a r1
    run_pc rm r1
    [ -f "$PC_TEST_DIR/rfs/made" ]
    run_pc 125 run --rm --rootfs "$PC_TEST_DIR/rfs"
    assert_equal "$output" "Error: no command or entrypoint provided, and no CMD or ENTRYPOINT from image"
    run_pc 125 run --rm --rootfs "$PC_TEST_DIR/nope" true
    assert_equal "$output" "Error: running container create option: stat $PC_TEST_DIR/nope: no such file or directory"
}

@test "--rootfs DIR:O: an overlay over the directory, which stays unchanged" {
    rootfs_dir "$PC_TEST_DIR/rfs"
    run_pc run --rm --rootfs "$PC_TEST_DIR/rfs:O" sh -c 'echo hi > /made; cat /made; ls /bin/sh'
    assert_equal "$output" "hi
/bin/sh"
    [ ! -e "$PC_TEST_DIR/rfs/made" ]
}
