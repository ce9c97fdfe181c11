#!/usr/bin/env bats
# containers.conf as podman 4.3 reads it (docs/config.md): which files, in
# which order, the [containers] keys as defaults of run's flags, the
# [engine] keys, malformed files. Expected values come from podman 4.3 on
# this machine given the same files.

load helpers
load helpers-containers

setup() {
    pc_setup
    export HOME=$PC_TEST_DIR/home
    CONF=$XDG_CONFIG_HOME/containers
    mkdir -p "$CONF" "$HOME"
    unset CONTAINERS_CONF CONTAINERS_CONF_OVERRIDE CONTAINERS_STORAGE_CONF
}

teardown() {
    unset CONTAINERS_CONF CONTAINERS_CONF_OVERRIDE CONTAINERS_STORAGE_CONF
    pc_teardown
}

conf() {
    cat > "$CONF/containers.conf"
}

# ---- files, order, malformed input

@test "a syntax error names the file and line, exit 125, for every command" {
    printf '[containers]\nenv = ["x"\n' | conf
    run_pc 125 images
    assert_equal "$output" "Error: reading system config \"$CONF/containers.conf\": decode configuration $CONF/containers.conf: toml: line 2 (last key \"containers.env\"): expected a comma (',') or array terminator (']'), but got end of file"
    run_pc 125 info
    assert_contains "$output" "containers.conf"
}

@test "a value of the wrong type: podman's message with the line and key" {
    printf '[containers]\n\n# a comment\nenv = "x"\n' | conf
    run_pc 125 ps
    assert_equal "$output" "Error: reading system config \"$CONF/containers.conf\": decode configuration $CONF/containers.conf: toml: line 4 (last key \"containers.env\"): incompatible types: TOML value has type string; destination has type slice"
    printf '[containers]\npids_limit = "many"\n' | conf
    run_pc 125 ps
    assert_contains "$output" 'line 2 (last key "containers.pids_limit"): incompatible types: TOML value has type string; destination has type int64'
    printf '[containers]\nlabel = "no"\n' | conf
    run_pc 125 ps
    assert_contains "$output" '(last key "containers.label"): incompatible types: TOML value has type string; destination has type bool'
}

@test "random bytes and a directory as containers.conf are errors, never a crash" {
    head -c 3000 /dev/urandom > "$CONF/containers.conf"
    run_pc 125 ps
    assert_contains "$output" "reading system config \"$CONF/containers.conf\""
    rm "$CONF/containers.conf"
    mkdir "$CONF/containers.conf"
    run_pc 125 ps
    assert_contains "$output" "$CONF/containers.conf"
}

@test "unknown keys and tables are ignored, as podman does" {
    printf '[containers]\nbogus_key = 1\n[bogus]\nx = 1\n[engine]\nactive_service = "x"\n[engine.service_destinations.x]\nuri = "ssh://x"\n' | conf
    run_pc ps
    run_pc --log-level debug ps
    assert_contains "$output" "[engine] active_service is ignored"
}

@test "drop-ins in containers.conf.d are read in name order after the file; CONTAINERS_CONF replaces them; CONTAINERS_CONF_OVERRIDE comes last" {
    pc_busybox
    printf '[containers]\nenv = ["A=main", "B=main"]\n' | conf
    mkdir -p "$CONF/containers.conf.d"
    printf '[containers]\nenv = ["A=10"]\n' > "$CONF/containers.conf.d/10-a.conf"
    printf '[containers]\nenv = ["A=20"]\n' > "$CONF/containers.conf.d/20-b.conf"
    printf '[containers]\nenv = ["A=ignored"]\n' > "$CONF/containers.conf.d/30-c.toml"
    run_pc run --rm busybox sh -c 'echo "$A-$B"'
    # a later file's array replaces the whole array
    assert_equal "$output" "20-"
    printf '[containers]\nenv = ["A=cc"]\n' > "$PC_TEST_DIR/cc.conf"
    CONTAINERS_CONF=$PC_TEST_DIR/cc.conf run_pc run --rm busybox sh -c 'echo "$A"'
    assert_equal "$output" "cc"
    printf '[containers]\nenv = ["A=override"]\n' > "$PC_TEST_DIR/over.conf"
    CONTAINERS_CONF_OVERRIDE=$PC_TEST_DIR/over.conf run_pc run --rm busybox sh -c 'echo "$A"'
    assert_equal "$output" "override"
    CONTAINERS_CONF=$PC_TEST_DIR/missing.conf run_pc 125 ps
    assert_equal "$output" "Error: finding config on system: CONTAINERS_CONF file: stat $PC_TEST_DIR/missing.conf: no such file or directory"
}

@test "pc's own \$XDG_CONFIG_HOME/pc/containers.conf: the same keys, after podman's files" {
    pc_busybox
    printf '[containers]\nenv = ["W=podman"]\ntz = "Asia/Tokyo"\n' | conf
    mkdir -p "$XDG_CONFIG_HOME/pc"
    printf '[containers]\nenv = ["W=pc"]\n' > "$XDG_CONFIG_HOME/pc/containers.conf"
    run_pc run --rm busybox sh -c 'echo $W; date +%Z'
    assert_equal "$(echo $output)" "pc JST"
    printf '[containers]\nenv = "x"\n' > "$XDG_CONFIG_HOME/pc/containers.conf"
    run_pc 125 ps
    assert_contains "$output" "$XDG_CONFIG_HOME/pc/containers.conf"
}

@test "--module reads a containers.conf.modules file after the others" {
    pc_busybox
    printf '[containers]\nenv = ["M=main"]\n' | conf
    mkdir -p "$CONF/containers.conf.modules"
    printf '[containers]\nenv = ["M=module"]\n' > "$CONF/containers.conf.modules/m.conf"
    run_pc --module m.conf run --rm busybox sh -c 'echo $M'
    assert_equal "$output" "module"
    run_pc --module "$CONF/containers.conf.modules/m.conf" run --rm busybox sh -c 'echo $M'
    assert_equal "$output" "module"
    run_pc 125 --module nosuch.conf ps
    assert_contains "$output" 'could not resolve module "nosuch.conf"'
}

# ---- [containers]

@test "env: the configuration's variables, under the image's and -e" {
    pc_busybox
    printf '[containers]\nenv = ["FROMCONF=1", "PATH=/conf", "E=conf"]\n' | conf
    run_pc run --rm -e E=flag busybox sh -c 'echo "$FROMCONF $PATH $E"'
    # busybox's image sets PATH: the image wins over the configuration
    assert_equal "$output" "1 /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin flag"
}

@test "env_host and --env-host: the host's environment; --unsetenv and --unsetenv-all" {
    pc_busybox
    HOSTVAR=fromhost run_pc run --rm busybox sh -c 'echo "[$HOSTVAR]"'
    assert_equal "$output" "[]"
    HOSTVAR=fromhost run_pc run --rm --env-host busybox sh -c 'echo "[$HOSTVAR]"'
    assert_equal "$output" "[fromhost]"
    printf '[containers]\nenv_host = true\nenv = ["C=1"]\n' | conf
    HOSTVAR=fromhost run_pc run --rm busybox sh -c 'echo "[$HOSTVAR]"'
    assert_equal "$output" "[fromhost]"
    HOSTVAR=fromhost run_pc run --rm --env-host=false busybox sh -c 'echo "[$HOSTVAR]"'
    assert_equal "$output" "[]"
    # as podman 4.3: the host's variables over the configuration's and the
    # image's, and --unsetenv does not remove them
    C=host PATH=/hostpath:/bin:/usr/bin run_pc run --rm --unsetenv C busybox sh -c 'echo "$PATH $C"'
    assert_equal "$output" "/hostpath:/bin:/usr/bin host"
    printf '[containers]\nenv = ["C=1"]\n' | conf
    run_pc run --rm busybox /bin/cat /proc/self/environ
    assert_contains "$output" "PATH=/usr/local/sbin"
    assert_contains "$output" "C=1"
    run_pc run --rm --unsetenv C --unsetenv PATH busybox /bin/cat /proc/self/environ
    assert_not_contains "$output" "PATH=/"
    assert_not_contains "$output" "C=1"
    assert_contains "$output" "HOSTNAME="
    run_pc run --rm --unsetenv-all -e KEEP=1 busybox /bin/cat /proc/self/environ
    assert_not_contains "$output" "PATH=/"
    assert_not_contains "$output" "C=1"
    assert_contains "$output" "KEEP=1"
}

@test "default_ulimits, with --ulimit replacing the same limit" {
    pc_busybox
    printf '[containers]\ndefault_ulimits = ["nofile=500:600", "nproc=300:400"]\n' | conf
    run_pc run --rm busybox sh -c 'ulimit -n; ulimit -Hn; ulimit -u'
    assert_equal "$(echo $output)" "500 600 300"
    run_pc run --rm --ulimit nofile=700:800 busybox sh -c 'ulimit -n; ulimit -u'
    assert_equal "$(echo $output)" "700 300"
}

@test "default_capabilities is the set --cap-add and --cap-drop change" {
    pc_busybox
    printf '[containers]\ndefault_capabilities = ["CHOWN", "NET_RAW"]\n' | conf
    run_pc run --rm busybox grep CapEff /proc/self/status
    assert_contains "$output" "0000000000002001"
    run_pc run --rm --cap-add KILL --cap-drop CHOWN busybox grep CapEff /proc/self/status
    assert_contains "$output" "0000000000002020"
    printf '[containers]\ndefault_capabilities = ["NO_SUCH_CAP"]\n' | conf
    run_pc 125 create busybox true
    assert_contains "$output" 'unknown capability "NO_SUCH_CAP"'
}

@test "log_driver and log_size_max" {
    pc_busybox
    printf '[containers]\nlog_driver = "none"\n' | conf
    run_pc run --name nolog busybox echo hi
    run_pc inspect --format '{{.HostConfig.LogConfig.Type}}' nolog
    assert_equal "$output" "none"
    run_pc run --name k8s --log-driver k8s-file busybox echo hi
    run_pc logs k8s
    assert_equal "$output" "hi"
    printf '[containers]\nlog_size_max = 4096\n' | conf
    run_pc 125 ps
    assert_equal "$output" "Error: validating containers config: log size max should be negative or >= 8192"
    printf '[containers]\nlog_size_max = 10000\n' | conf
    run_pc run --name small busybox sh -c 'i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done'
    run_pc logs small
    lines=$(printf '%s\n' "$output" | wc -l)
    # 2000 lines of ~50 bytes each in the log format: truncated at 10000 bytes
    [ "$lines" -lt 400 ] || { echo "# $lines lines kept" >&2; false; }
    assert_contains "$output" "line 1999"
}

@test "tz and --tz: /etc/localtime is the zone's, owned by the container's root" {
    pc_busybox
    printf '[containers]\ntz = "Asia/Tokyo"\n' | conf
    run_pc run --rm busybox sh -c 'date +%Z; stat -c %U /etc/localtime'
    assert_equal "$(echo $output)" "JST root"
    run_pc create --name tzc busybox true
    run_pc inspect --format '{{.Config.Timezone}}' tzc
    assert_equal "$output" "Asia/Tokyo"
    run_pc run --rm --tz America/New_York busybox date +%Z
    [[ "$output" == E[SD]T ]] || { echo "# $output" >&2; false; }
    run_pc run --rm --tz local busybox date +%Z
    assert_equal "$output" "$(date +%Z)"
    run_pc 125 run --rm --tz Foo/Bar busybox true
    assert_equal "$output" "Error: running container create option: stat /usr/share/zoneinfo/Foo/Bar: no such file or directory"
    run_pc 125 run --rm --tz ../../../etc/passwd busybox true
    assert_contains "$output" "not a time zone name"
}

@test "--tz on an image whose /etc/localtime is a dangling symbolic link (as Debian's without tzdata)" {
    pc_busybox
    run_pc run --name lt busybox ln -s /usr/share/zoneinfo/Etc/UTC /etc/localtime
    run_pc commit -q lt ltimg
    run_pc run --rm ltimg sh -c 'date +%Z'
    assert_equal "$output" "UTC"
    run_pc run --rm --tz Asia/Tokyo ltimg sh -c 'date +%Z; readlink /etc/localtime'
    assert_equal "$(echo $output)" "JST /usr/share/zoneinfo/Etc/UTC"
}

@test "umask and --umask" {
    pc_busybox
    run_pc run --rm busybox sh -c umask
    assert_equal "$output" "0022"
    printf '[containers]\numask = "0027"\n' | conf
    run_pc run --rm busybox sh -c 'umask; touch /tmp/f; stat -c %a /tmp/f'
    assert_equal "$(echo $output)" "0027 640"
    run_pc run --rm --umask 0777 busybox sh -c umask
    assert_equal "$output" "0777"
    run_pc 125 run --rm --umask 999 busybox true
    assert_equal "$output" "Error: running container create option: invalid umask string 999: invalid argument"
}

@test "init and init_path" {
    pc_busybox
    printf '[containers]\ninit = true\n' | conf
    run_pc run --rm busybox cat /proc/1/cmdline
    assert_contains "$output" "/run/podman-init"
    run_pc run --rm --init=false busybox cat /proc/1/cmdline
    assert_not_contains "$output" "podman-init"
    printf '[containers]\ninit = true\ninit_path = "/nonexistent/catatonit"\n' | conf
    run_pc 125 run --rm busybox true
    assert_contains "$output" "container-init binary not found on the host: stat /nonexistent/catatonit"
}

@test "userns = keep-id" {
    pc_busybox
    printf '[containers]\nuserns = "keep-id"\n' | conf
    run_pc run --rm busybox id -u
    assert_equal "$output" "$(id -u)"
    run_pc run --rm --userns "" busybox id -u
    assert_equal "$output" "0"
}

@test "dns_servers, dns_searches, dns_options; --dns replaces them" {
    pc_busybox
    printf '[containers]\ndns_servers = ["10.9.8.7"]\ndns_searches = ["conf.example"]\ndns_options = ["ndots:3"]\n' | conf
    run_pc run --rm busybox cat /etc/resolv.conf
    assert_contains "$output" "nameserver 10.9.8.7"
    assert_contains "$output" "search conf.example"
    assert_contains "$output" "options ndots:3"
    run_pc run --rm --dns 10.1.1.1 busybox cat /etc/resolv.conf
    assert_contains "$output" "nameserver 10.1.1.1"
    assert_not_contains "$output" "10.9.8.7"
    # They are no --dns flags: --network none takes them without podman's
    # "conflicting options", and has no /etc/resolv.conf of pc's.
    run_pc 1 run --rm --network none busybox cat /etc/resolv.conf
    assert_contains "$output" "No such file or directory"
}

@test "http_proxy = false: the host's proxy variables stay out (default true passes them); --http-proxy wins" {
    pc_busybox
    export http_proxy=http://proxy.invalid:3128
    run_pc run --rm busybox sh -c 'env | grep -i _proxy='
    assert_equal "$output" "http_proxy=http://proxy.invalid:3128"
    printf '[containers]\nhttp_proxy = false\nenv = ["http_proxy=from-conf"]\n' | conf
    run_pc run --rm busybox sh -c 'env | grep -i _proxy='
    assert_equal "$output" "http_proxy=from-conf"
    run_pc run --rm --http-proxy busybox sh -c 'env | grep -i _proxy='
    assert_equal "$output" "http_proxy=http://proxy.invalid:3128"
    unset http_proxy
}

@test "default_sysctls: written in every container (net.* not with the host's network); --sysctl wins" {
    pc_busybox
    printf '[containers]\ndefault_sysctls = ["net.ipv4.ping_group_range=0 0", "kernel.shmmni=123"]\n' | conf
    run_pc run --rm busybox sh -c 'cat /proc/sys/net/ipv4/ping_group_range /proc/sys/kernel/shmmni'
    assert_equal "$output" "$(printf '0\t0\n123')"
    run_pc run --rm --sysctl kernel.shmmni=77 busybox cat /proc/sys/kernel/shmmni
    assert_equal "$output" 77
    # The host's own value stays with --network host: the default is dropped
    # (and the run not refused).
    run_pc run --rm --network host busybox sh -c 'cat /proc/sys/net/ipv4/ping_group_range /proc/sys/kernel/shmmni'
    assert_not_equal "${lines[0]}" "$(printf '0\t0')"
    assert_equal "${lines[1]}" 123
}

@test "no_hosts: the image's /etc/hosts" {
    pc_busybox
    run_pc run --rm --name withhosts busybox cat /etc/hosts
    assert_contains "$output" "withhosts"
    printf '[containers]\nno_hosts = true\n' | conf
    # the busybox fixture has no /etc/hosts of its own
    run_pc run --rm --name nohosts busybox sh -c 'cat /etc/hosts || echo no hosts file'
    assert_contains "$output" "no hosts file"
    run_pc run --rm --name nohosts2 --no-hosts=false busybox cat /etc/hosts
    assert_contains "$output" "nohosts2"
}

@test "seccomp_profile is the default profile; --security-opt seccomp= wins" {
    pc_busybox
    cat > "$PC_TEST_DIR/seccomp.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}
EOF
    printf '[containers]\nseccomp_profile = "%s"\n' "$PC_TEST_DIR/seccomp.json" | conf
    run_pc 1 run --rm busybox mkdir /tmp/x
    assert_contains "$output" "Operation not permitted"
    run_pc run --rm --security-opt seccomp=unconfined busybox mkdir /tmp/x
}

@test "shm_size (decimal units, as podman reads the key)" {
    pc_busybox
    printf '[containers]\nshm_size = "12m"\n' | conf
    run_pc run --rm busybox df -k /dev/shm
    assert_contains "$output" " 11720 "
    run_pc create --name shm busybox true
    run_pc inspect --format '{{.HostConfig.ShmSize}}' shm
    assert_equal "$output" "12000000"
    printf '[containers]\nshm_size = "lots"\n' | conf
    run_pc 125 create busybox true
    assert_contains "$output" 'invalid shm_size "lots"'
}

@test "pids_limit and label are read (no cgroup and no SELinux here: inspect says what is enforced)" {
    pc_busybox
    printf '[containers]\npids_limit = 100\nlabel = false\n' | conf
    run_pc create --name p busybox true
    # podman 4.3 rootless on cgroups v1 shows 0 too: no limit is enforced
    run_pc inspect --format '{{.HostConfig.PidsLimit}}' p
    assert_equal "$output" "0"
}

# ---- [engine]

@test "runtime: podman's error for one that is not there; one that is, is noted" {
    pc_busybox
    printf '[engine]\nruntime = "nosuchrt"\n' | conf
    run_pc 125 ps
    assert_equal "$output" 'Error: default OCI runtime "nosuchrt" not found: invalid argument'
    printf '[engine]\nruntime = "runc"\n' | conf
    run_pc run --rm busybox echo ok
    assert_equal "$output" "ok"
    run_pc --log-level debug ps
    assert_contains "$output" 'runtime "runc" (/usr/bin/runc) from containers.conf is not used'
    printf '[engine]\nruntime = "myrt"\n[engine.runtimes]\nmyrt = ["/nonexistent/myrt", "/bin/true"]\n' | conf
    run_pc --log-level debug ps
    assert_contains "$output" 'runtime "myrt" (/bin/true)'
    rm "$CONF/containers.conf"
    run_pc 125 --runtime nosuch ps
    assert_equal "$output" 'Error: default OCI runtime "nosuch" not found: invalid argument'
    run_pc_split --runtime /usr/bin/runc ps -q
    assert_contains "$stderr" "--runtime /usr/bin/runc (/usr/bin/runc) is not used"
}

@test "events_logger and --events-backend are checked with podman's words; info shows them" {
    printf '[engine]\nevents_logger = "none"\n' | conf
    run_pc info --format '{{.Host.EventLogger}}'
    assert_equal "$output" "none"
    run_pc --events-backend file info --format '{{.Host.EventLogger}}'
    assert_equal "$output" "file"
    run_pc 125 --events-backend bogus ps
    assert_equal "$output" 'Error: configuring runtime: "bogus" is not a valid events backend: invalid argument'
    printf '[engine]\nevents_logger = "bogus"\n' | conf
    run_pc 125 ps
    assert_contains "$output" '"bogus" is not a valid events backend'
}

@test "image_default_transport is read, and changes no pull, as in podman 4.3" {
    printf '[engine]\nimage_default_transport = "bogus"\n' | conf
    run_pc images -q
    printf '[engine]\nimage_default_transport = ["docker://"]\n' | conf
    run_pc 125 images
    assert_contains "$output" '(last key "engine.image_default_transport"): incompatible types'
}

@test "events_logfile_path and events_logger = none reach the events log" {
    pc_busybox
    printf '[engine]\nevents_logfile_path = "%s"\n' "$PC_TEST_DIR/events.log" | conf
    run_pc run --rm busybox true
    run_pc events --stream=false --format '{{.Status}}'
    assert_contains "$output" "start"
    grep -q '"Status":"start"' "$PC_TEST_DIR/events.log"
    printf '[engine]\nevents_logger = "none"\n' | conf
    run_pc 125 events --stream=false
    assert_equal "$output" 'Error: cannot read events with the "none" backend'
}

@test "cgroup_manager and --cgroup-manager: checked, noted, shown by info" {
    run_pc info --format '{{.Host.CgroupManager}}'
    assert_equal "$output" "cgroupfs"
    run_pc_split --cgroup-manager systemd info --format '{{.Host.CgroupManager}}'
    assert_equal "$output" "systemd"
    assert_contains "$stderr" "pc places no container in a cgroup of its own"
    run_pc 125 --cgroup-manager bogus ps
    assert_equal "$output" "Error: configuring runtime: cgroup manager must be one of cgroupfs and systemd: invalid argument"
}
