#!/usr/bin/env bats
# Rootless: pc's user namespace (pc unshare), the single-id fallback, and
# pc system check, run as an unprivileged user.

bats_require_minimum_version 1.5.0
load helpers

setup() {
    pc_setup
    skip_if_root "rootless behaviour; root has tests/system/root/020-rootful.bats"
    ME=$(id -un)
    MYUID=$(id -u)
    MYGID=$(id -g)
}

# The user's first range in a subid file: "START COUNT", empty when none.
first_range() {
    awk -F: -v u="$ME" -v id="$MYUID" '($1 == u || $1 == id) && NF == 3 { print $2, $3; exit }' "$1"
}

need_ranges() {
    [ -n "$(first_range /etc/subuid)" ] && [ -n "$(first_range /etc/subgid)" ] ||
        skip "user $ME has no range in /etc/subuid and /etc/subgid"
}

@test "pc unshare id -u prints 0" {
    run_pc_split unshare id -u
    assert_equal "$output" "0"
    run_pc_split unshare id -g
    assert_equal "$output" "0"
}

@test "pc unshare shows the full mapping: 0 = the user, 1.. = the subuid range" {
    need_ranges
    read -r ustart ucount < <(first_range /etc/subuid)
    read -r gstart gcount < <(first_range /etc/subgid)
    run_pc_split unshare cat /proc/self/uid_map
    local lines
    lines=$(printf '%s\n' "$output" | awk '{print $1, $2, $3}')
    assert_contains "$lines" "0 $MYUID 1"
    assert_contains "$lines" "1 $ustart $ucount"
    run_pc_split unshare cat /proc/self/gid_map
    lines=$(printf '%s\n' "$output" | awk '{print $1, $2, $3}')
    assert_contains "$lines" "0 $MYGID 1"
    assert_contains "$lines" "1 $gstart $gcount"
    # The full mapping is silent: no fallback warning.
    assert_equal "$stderr" ""
}

@test "pc unshare exits with the command's status; missing command is 127" {
    run_pc 3 unshare sh -c 'exit 3'
    run_pc 127 unshare no-such-command-xyz
    assert_contains "$output" "executable file not found in \$PATH"
}

@test "pc unshare without a command runs \$SHELL" {
    run bash -c "echo 'id -u; exit 4' | SHELL=/bin/sh '$PC' unshare"
    [ "$status" -eq 4 ]
    assert_equal "$output" "0"
}

@test "pc unshare marks the namespace; nested pc unshare does not enter again" {
    need_ranges
    run_pc_split unshare sh -c 'echo "$_PC_USERNS"; "$0" unshare cat /proc/self/uid_map' "$PC"
    local first rest
    first=$(printf '%s\n' "$output" | head -1)
    assert_equal "$first" "1"
    rest=$(printf '%s\n' "$output" | tail -n +2 | awk '{print $1, $2, $3}')
    # Still the first-level namespace: 0 maps to the user on the host.
    assert_contains "$rest" "0 $MYUID 1"
}

@test "pc unshare tells the command where the store is and who the user is" {
    run_pc_split unshare sh -c 'echo "$PC_GRAPHROOT|$PC_RUNROOT|$PC_ROOTLESS_UID"'
    assert_equal "$output" "$XDG_DATA_HOME/pc/storage|$XDG_RUNTIME_DIR/pc|$MYUID"
    run_pc_split --root "$PC_TEST_DIR/r" unshare sh -c 'echo "$PC_GRAPHROOT"'
    assert_equal "$output" "$PC_TEST_DIR/r"
}

@test "files chowned inside pc unshare belong to the subuid range, and pc unshare can remove them" {
    need_ranges
    read -r ustart ucount < <(first_range /etc/subuid)
    local d=$PC_TEST_DIR/owned
    mkdir "$d"
    echo hi > "$d/f"
    run_pc unshare chown 1:1 "$d/f" "$d"
    [ "$(stat -c %u "$d/f")" -eq "$ustart" ]
    # The user cannot remove it directly (dir owned by a subuid, not writable)...
    rm -f "$d/f" 2>/dev/null || true
    [ -e "$d/f" ]
    # ... but can through pc unshare.
    run_pc unshare rm -rf "$d"
    [ ! -e "$d" ]
}

@test "mounts made inside pc unshare do not reach the host" {
    local m=$PC_TEST_DIR/mnt
    mkdir "$m"
    run_pc unshare sh -c "mount -t tmpfs none '$m' && touch '$m/inside' && grep -q ' $m ' /proc/self/mountinfo"
    [ ! -e "$m/inside" ]
    run grep -c " $m " /proc/self/mountinfo
    assert_equal "$output" "0"
}

@test "no subuid entry: single-id fallback with one warning, newuidmap not run" {
    local f=$PC_TEST_DIR/subuid
    printf 'someoneelse:300000:65536\n' > "$f"
    # A newuidmap earlier in PATH records any call; the fallback must not make one.
    mkdir -p "$PC_TEST_DIR/bin"
    for h in newuidmap newgidmap; do
        printf '#!/bin/sh\ntouch "%s/called-%s"\nexec /usr/bin/%s "$@"\n' "$PC_TEST_DIR" "$h" "$h" > "$PC_TEST_DIR/bin/$h"
        chmod +x "$PC_TEST_DIR/bin/$h"
    done
    PATH=$PC_TEST_DIR/bin:$PATH PC_SUBUID_FILE=$f run_pc_split unshare cat /proc/self/uid_map /proc/self/gid_map
    local maps
    maps=$(printf '%s\n' "$output" | awk '{print $1, $2, $3}')
    assert_equal "$maps" "0 $MYUID 1
0 $MYGID 1"
    assert_contains "$stderr" "WARN: $f has no range for user \"$ME\""
    assert_contains "$stderr" "single-id user namespace"
    assert_contains "$stderr" "usermod --add-subuids"
    assert_contains "$stderr" " $ME\""
    [ "$(grep -c 'single-id' <<<"$stderr")" -eq 1 ]
    [ ! -e "$PC_TEST_DIR/called-newuidmap" ]
    [ ! -e "$PC_TEST_DIR/called-newgidmap" ]
    # Still usable: the command ran as root of the namespace.
    PC_SUBUID_FILE=$f run_pc_split unshare id -u
    assert_equal "$output" "0"
}

@test "no subuid and no subgid entry: the warning names both usermod lines" {
    local f=$PC_TEST_DIR/empty
    : > "$f"
    PC_SUBUID_FILE=$f PC_SUBGID_FILE=$f run_pc_split unshare true
    assert_contains "$stderr" "usermod --add-subuids"
    assert_contains "$stderr" "usermod --add-subgids"
}

@test "a malformed subuid line is reported with file and line, not crashed on" {
    need_ranges
    read -r ustart ucount < <(first_range /etc/subuid)
    local f=$PC_TEST_DIR/subuid
    printf '# test copy\n%s:notanumber:10\n%s:%s:%s\n' "$ME" "$ME" "$ustart" "$ucount" > "$f"
    PC_SUBUID_FILE=$f run_pc_split unshare cat /proc/self/uid_map
    assert_contains "$stderr" "WARN: $f:2: malformed line \"$ME:notanumber:10\""
    assert_not_contains "$stderr" "single-id"
    local lines
    lines=$(printf '%s\n' "$output" | awk '{print $1, $2, $3}')
    assert_contains "$lines" "1 $ustart $ucount"
}

@test "a range newuidmap refuses: the error shows newuidmap's own message" {
    need_ranges
    local f=$PC_TEST_DIR/subuid
    # Not in the real /etc/subuid, which newuidmap checks.
    printf '%s:3000000000:65536\n' "$ME" > "$f"
    PC_SUBUID_FILE=$f run_pc 125 unshare true
    assert_contains "$output" "newuidmap failed"
    assert_contains "$output" "newuidmap:"
    assert_contains "$output" "/etc/subuid"
}

@test "a run whose user namespace cannot be mapped fails with newuidmap's message and leaves nothing" {
    need_ranges
    pc_load_fixture busybox
    local f=$PC_TEST_DIR/subuid
    printf '%s:3000000000:65536\n' "$ME" > "$f"
    # A plain run creates its container while the helpers map the
    # namespace; their refusal must still leave no container behind.
    PC_SUBUID_FILE=$f run_pc 125 run --name nomap busybox true
    assert_contains "$output" "newuidmap failed"
    PC_SUBUID_FILE=$f run_pc 125 run -d --name nomap2 busybox true
    assert_contains "$output" "newuidmap failed"
    run_pc ps -a --format '{{.Names}}'
    assert_equal "$output" ""
    local store=$XDG_DATA_HOME/pc/storage
    run ls "$store/containers" "$store/engine/containers"
    assert_equal "$(printf '%s\n' "$output" | grep -c '^[0-9a-f]\{64\}$')" 0
    # The names are free again.
    run_pc run --rm --name nomap busybox true
}

@test "pc system check passes here; cgroup v1 is a warning, not a failure" {
    need_ranges
    run_pc system check
    assert_contains "$output" "PASS  subuid"
    assert_contains "$output" "PASS  newuidmap"
    assert_contains "$output" "PASS  userns"
    assert_contains "$output" "PASS  overlay"
    assert_not_contains "$output" "FAIL"
    if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
        assert_contains "$output" "WARN  cgroups"
        assert_contains "$output" "systemd.unified_cgroup_hierarchy=1"
    fi
    run_pc_split system check --format json
    printf '%s' "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["Result"] in ("pass", "warn"), d["Result"]
names = {c["Name"]: c for c in d["Checks"]}
for n in ("subuid", "subgid", "newuidmap", "newgidmap", "userns", "overlay", "fuse-overlayfs", "tun", "cgroups", "xdg_runtime_dir", "storage_fs"):
    assert n in names, n
assert all(c["Status"] != "fail" for c in d["Checks"])
for c in d["Checks"]:
    assert c["Status"] == "pass" or c["Fix"], c
'
}

@test "pc system check fails with the exact fix when the user has no subuid range" {
    local f=$PC_TEST_DIR/subuid
    printf 'someoneelse:300000:65536\n' > "$f"
    PC_SUBUID_FILE=$f run_pc 1 system check
    assert_contains "$output" "FAIL  subuid"
    assert_contains "$output" "has no range for user \"$ME\""
    assert_contains "$output" "fix: usermod --add-subuids"
    assert_contains "$output" "$ME"
    assert_contains "$output" "required item"
}

@test "pc system check reports an unusable XDG_RUNTIME_DIR" {
    XDG_RUNTIME_DIR=/nonexistent/run run_pc 1 system check
    assert_contains "$output" "FAIL  xdg_runtime_dir"
}

@test "pc info shows the rootless host section" {
    need_ranges
    read -r ustart ucount < <(first_range /etc/subuid)
    run_pc_split info --format json
    printf '%s' "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
h = d["host"]
assert h["security"]["rootless"] is True
um = h["idMappings"]["uidmap"]
assert um[0] == {"container_id": 0, "host_id": '"$MYUID"', "size": 1}, um
assert um[1] == {"container_id": 1, "host_id": '"$ustart"', "size": '"$ucount"'}, um
assert h["cgroupVersion"] in ("v1", "v2")
assert any(c["Name"] == "overlay" for c in h["rootlessPrerequisites"])
assert d["store"]["graphRoot"].endswith("/pc/storage"), d["store"]
'
    run_pc info
    assert_contains "$output" "host:"
    assert_contains "$output" "rootless: true"
    assert_contains "$output" "  idMappings:"
    run_pc_split info --format '{{.Host.Security.Rootless}} {{.Store.GraphRoot}} {{range .Host.IDMappings.UIDMap}}{{.ContainerID}}:{{.HostID}}:{{.Size}} {{end}}'
    assert_equal "$output" "true $XDG_DATA_HOME/pc/storage 0:$MYUID:1 1:$ustart:$ucount "
}

@test "pc system check --format renders Go templates over the checks" {
    run_pc_split system check --format '{{.Name}}={{.Status}}'
    assert_contains "$output" "overlay=pass"
    run_pc_split system check --format 'table {{.Name}}\t{{.Status}}'
    [[ "$(printf '%s\n' "$output" | head -1)" =~ ^NAME\ +STATUS$ ]]
}

@test "pc system check probes each kernel feature and says what to do when one is missing" {
    run_pc_split system check --format json
    printf '%s' "$output" | python3 -c '
import json, sys
names = {c["Name"]: c for c in json.load(sys.stdin)["Checks"]}
for n in ("kernel", "clone3", "openat2", "mount_api", "mount_setattr", "pidfd_open", "pidfd_setns", "close_range"):
    assert n in names, n
    assert names[n]["Status"] == "pass", names[n]
'
    # A kernel without clone3 cannot run containers: a failure with the fix.
    PC_CHECK_PRETEND_MISSING=clone3,pidfd_setns run_pc 1 system check
    assert_contains "$output" "FAIL  clone3"
    assert_contains "$output" "FAIL  pidfd_setns"
    assert_contains "$output" "WARN  kernel"
    assert_contains "$output" "upgrade to Linux 5.12 or later"
    # Without openat2 pc falls back to a component walk: a warning only.
    PC_CHECK_PRETEND_MISSING=openat2 run_pc system check
    assert_contains "$output" "WARN  openat2"
    assert_contains "$output" "slower fallback"
    assert_not_contains "$output" "FAIL"
}
