#!/usr/bin/env bats
# pc system df, prune, reset and migrate: podman 4.3's tables, prompts,
# messages and exit codes (compared side by side on this machine).

load helpers
load helpers-containers

@test "system df: podman's summary, counts and reclaimable space" {
    pc_busybox
    pc_load_fixture layered
    run_pc run -d --stop-timeout 1 --name dfrun localhost/busybox:latest sleep 1000
    run_pc run --name dfvol -v dfv1:/data localhost/busybox:latest sh -c 'printf 1234567 > /data/f'
    run_pc volume create dfv2
    run_pc system df
    lines_=("${lines[@]}")
    assert_equal "${lines_[0]}" "TYPE           TOTAL       ACTIVE      SIZE        RECLAIMABLE"
    # Two images, busybox used by containers; layered reclaimable.
    [[ ${lines_[1]} =~ ^Images\ +2\ +1\ +[0-9.]+MB\ +[0-9.]+MB\ \(([0-9]+)%\)$ ]] || { echo "${lines_[1]}"; false; }
    [[ ${lines_[2]} =~ ^Containers\ +2\ +1\  ]] || { echo "${lines_[2]}"; false; }
    # dfv1 is named by a container (active) and holds 7 bytes; dfv2 is empty.
    assert_equal "$(echo ${lines_[3]})" "Local Volumes 2 1 7B 0B (0%)"
    run_pc system df --format '{{.Type}}={{.Total}}/{{.Active}}'
    assert_equal "$(echo $output)" "Images=2/1 Containers=2/1 Local Volumes=2/1"
    run_pc system df --format json
    run jq -r '.[2] | "\(.Type) \(.RawSize) \(.RawReclaimable) \(.Size) \(.Reclaimable)"' <<<"$output"
    assert_equal "$output" "Local Volumes 7 0 7B 0B (0%)"
}

@test "system df -v: images, containers and volumes tables" {
    pc_busybox
    run_pc create --name dfc -v dfv:/data localhost/busybox:latest echo hi
    run_pc system df -v
    assert_contains "$output" "Images space usage:

REPOSITORY         TAG         IMAGE ID      CREATED     SIZE        SHARED SIZE  UNIQUE SIZE  CONTAINERS
localhost/busybox  latest      "
    assert_contains "$output" "Containers space usage:

CONTAINER ID  IMAGE         COMMAND     LOCAL VOLUMES  SIZE        CREATED"
    [[ $output =~ CREATED\ +STATUS\ +NAMES ]]
    assert_contains "$output" "echo hi     1              0B"
    assert_contains "$output" "created     dfc"
    assert_contains "$output" "Local Volumes space usage:

VOLUME NAME  LINKS       SIZE
dfv          1           0B"
}

@test "system prune: prompt, what goes and what stays, reclaimed space" {
    pc_busybox
    pc_load_fixture layered
    run_pc run -d --stop-timeout 1 --name keep localhost/busybox:latest sleep 1000
    run_pc create --name gone localhost/busybox:latest true
    gid=$("$PC" inspect --format '{{.Id}}' gone)
    run_pc volume create unused
    # No -f: podman's prompt; anything but y changes nothing.
    run bash -c "echo n | '$PC' system prune"
    [ "$status" -eq 0 ]
    assert_equal "$output" "WARNING! This command removes:
	- all stopped containers
	- all networks not used by at least one container
	- all dangling images
	- all dangling build cache

Are you sure you want to continue? [y/N] "
    run_pc container exists gone
    run bash -c "echo n | '$PC' system prune -a --volumes"
    assert_contains "$output" "	- all volumes not used by at least one container
	- all images without at least one container associated with them
	- all build cache"
    # Without --volumes the volume stays; a dangling-only prune keeps tagged images.
    run bash -c "echo y | '$PC' system prune"
    assert_contains "$output" "Deleted Containers
$gid
Total reclaimed space: "
    run_pc 1 container exists gone
    run_pc container exists keep
    run_pc volume exists unused
    run_pc image exists localhost/layered:latest
    # -a --volumes: the unused volume and the image no container uses.
    lid=$("$PC" image inspect --format '{{.Id}}' localhost/layered:latest)
    run_pc system prune -a -f --volumes
    assert_equal "$output" "Deleted Volumes
unused
Deleted Images
$lid
Total reclaimed space: 2.171MB"
    run_pc 1 volume exists unused
    run_pc 1 image exists localhost/layered:latest
    run_pc image exists localhost/busybox:latest
    run_pc container exists keep
    run_pc system prune -f
    assert_equal "$output" "Total reclaimed space: 0B"
}

@test "system prune --filter: label and until; unknown keys refused" {
    pc_busybox
    run_pc create --name la --label app=x localhost/busybox:latest true
    run_pc create --name lb localhost/busybox:latest true
    run_pc volume create --label app=x vla
    run_pc volume create vlb
    run_pc system prune -f --volumes --filter label=app=x
    assert_contains "$output" "Deleted Volumes
vla"
    run_pc 1 container exists la
    run_pc container exists lb
    run_pc volume exists vlb
    run_pc system prune -f --filter until=2020-01-01
    assert_equal "$output" "Total reclaimed space: 0B"
    run_pc container exists lb
    run_pc 125 system prune -f --filter bogus=1
    assert_equal "$output" "Error: bogus is an invalid filter"
}

@test "system reset: prompt, then containers stopped and the whole store gone" {
    pc_busybox
    run_pc run -d --stop-timeout 1 --name rr localhost/busybox:latest sleep 1000
    mpid=$("$PC" inspect --format '{{.State.ConmonPid}}' rr)
    run_pc volume create rv
    root=$("$PC" info --format '{{.Store.GraphRoot}}')
    [ -d "$root" ]
    run bash -c "echo n | '$PC' system reset"
    [ "$status" -eq 0 ]
    assert_contains "$output" "WARNING! This will remove:
        - all containers
        - all pods
        - all images
        - all networks
        - all build cache
        - all machines
        - all volumes
        - the graphRoot directory: \"$root\"
        - the runRoot directory: \"$XDG_RUNTIME_DIR/pc\"
Are you sure you want to continue? [y/N] "
    run_pc container exists rr
    # Silent but for podman's warning about the stop timeout.
    run_pc_split system reset -f
    assert_equal "$output" ""
    [ ! -e "$root" ]
    [ ! -e "$XDG_RUNTIME_DIR/pc" ]
    # The container's monitor (and so the container) is gone.
    ! kill -0 "$mpid" 2>/dev/null
    run_pc ps -a --format '{{.Names}}'
    assert_equal "$output" ""
    run_pc images -q
    assert_equal "$output" ""
    # pc works on the fresh store.
    pc_busybox
    run_pc run --rm localhost/busybox:latest true
}

@test "system migrate: nothing to do, says so, exits 0" {
    run_pc system migrate
    assert_contains "$output" "pc never needs a migration"
    run_pc system migrate --new-runtime runc
    assert_contains "$output" "--new-runtime"
    run_pc 125 system migrate extra
}
