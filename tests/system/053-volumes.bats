#!/usr/bin/env bats
# Named volumes: pc volume create|ls|inspect|rm|prune|exists, podman 4.3's
# output, JSON shape and exit codes, and the store's layout
# (DATA/.../volumes/NAME/{volume.json,_data}); volumes in containers (-v
# NAME:/path, anonymous volumes, the image's VOLUMEs, --volumes-from, copy-up,
# in use), export/import.

load helpers
load helpers-containers

# image_with_volumes BASE NAME PATH...: loads BASE's fixture (an OCI layout)
# again as localhost/NAME:latest with Config.Volumes = PATH...
image_with_volumes() {
    local base=$1 name=$2
    shift 2
    python3 - "$PC_FIXTURES/$base.oci" "$PC_TEST_DIR/$name.oci" "localhost/$name:latest" "$@" <<'PY'
import hashlib, json, os, shutil, sys, tarfile
src, dst, ref, vols = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
shutil.copytree(src, dst)
blobs = os.path.join(dst, "blobs", "sha256")
def read(d):
    return open(os.path.join(blobs, d.split(":")[1]), "rb").read()
def put(data):
    d = hashlib.sha256(data).hexdigest()
    open(os.path.join(blobs, d), "wb").write(data)
    return "sha256:" + d, len(data)
index = json.load(open(os.path.join(dst, "index.json")))
desc = index["manifests"][0]
manifest = json.loads(read(desc["digest"]))
config = json.loads(read(manifest["config"]["digest"]))
config["config"]["Volumes"] = {v: {} for v in vols}
manifest["config"]["digest"], manifest["config"]["size"] = put(json.dumps(config).encode())
desc["digest"], desc["size"] = put(json.dumps(manifest).encode())
desc["annotations"] = {"org.opencontainers.image.ref.name": ref, "io.containerd.image.name": ref}
json.dump(index, open(os.path.join(dst, "index.json"), "w"))
with tarfile.open(dst + ".tar", "w") as t:
    for e in sorted(os.listdir(dst)):
        t.add(os.path.join(dst, e), e)
PY
    run_pc load -i "$PC_TEST_DIR/$name.oci.tar"
}

@test "volume lifecycle: create prints the name, inspect shows podman's fields, rm removes it" {
    run_pc volume create myvol
    assert_equal "$output" "myvol"
    run_pc volume exists myvol
    run_pc volume inspect --format '{{.Name}} {{.Driver}} {{.Scope}} {{.MountCount}}' myvol
    assert_equal "$output" "myvol local local 0"
    run_pc volume inspect myvol
    for key in '"Name": "myvol"' '"Driver": "local"' '"Mountpoint": "' '"CreatedAt": "' '"Labels": {}' '"Scope": "local"' '"Options": {}'; do
        assert_contains "$output" "$key"
    done
    # The data directory exists, belongs to the user and is where inspect says.
    run_pc volume inspect --format '{{.Mountpoint}}' myvol
    mp=$output
    [[ $mp == */volumes/myvol/_data ]]
    [ -d "$mp" ]
    assert_equal "$(stat -c '%u %a' "$mp")" "$(id -u) 755"
    [ -f "$(dirname "$mp")/volume.json" ]
    # CreatedAt is RFC 3339 with nanoseconds, as podman's JSON.
    run_pc volume inspect --format '{{.CreatedAt}}' myvol
    [[ $output =~ ^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:]+(\.[0-9]+)?(Z|[+-][0-9][0-9]:[0-9][0-9])$ ]]
    echo data > "$mp/file"
    run_pc volume rm myvol
    assert_equal "$output" "myvol"
    [ ! -e "$mp" ]
    run_pc 1 volume exists myvol
    assert_equal "$output" ""
}

@test "volume create without a name makes a 64-hex name; a taken name is refused" {
    run_pc volume create
    [[ $output =~ ^[0-9a-f]{64}$ ]]
    name=$output
    run_pc volume ls -q
    assert_equal "$output" "$name"
    run_pc volume create v1
    run_pc 125 volume create v1
    assert_contains "$output" "volume with name v1 already exists: volume already exists"
    run_pc volume create --ignore v1
    assert_equal "$output" "v1"
}

@test "volume names are validated as podman's" {
    for bad in 'a/b' '.hidden' '..' 'a b' '_x' 'x:y' "$(printf 'a%.0s' {1..201})"; do
        run_pc 125 volume create "$bad"
        assert_contains "$output" "names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*"
    done
    run_pc volume create 'ok_1.2-3'
    run_pc volume ls --format '{{.Name}}'
    assert_equal "$output" "ok_1.2-3"
    # Nothing was left behind by the refusals.
    run_pc volume ls -q
    assert_equal "$output" "ok_1.2-3"
}

@test "volume ls lists sorted by name, with podman's table, json, templates and -q" {
    # No volume: nothing at all, not even the heading (podman 4.3); [] as json.
    run_pc volume ls
    assert_equal "$output" ""
    run_pc volume ls --format json
    assert_equal "$output" "[]"
    for n in zeta alpha Mid 9x; do run_pc volume create "$n"; done
    run_pc volume ls -q
    assert_equal "$output" "$(printf '9x\nMid\nalpha\nzeta')"
    run_pc volume ls
    assert_equal "${lines[0]}" "DRIVER      VOLUME NAME"
    assert_equal "${lines[1]}" "local       9x"
    assert_equal "${lines[4]}" "local       zeta"
    run_pc volume ls --noheading --format 'table {{.Name}}'
    assert_equal "$output" "$(printf '9x\nMid\nalpha\nzeta')"
    run_pc volume ls --format '{{.Name}}:{{.Driver}}:{{.Scope}}'
    assert_equal "${lines[2]}" "alpha:local:local"
    run_pc volume ls --format json
    assert_contains "$output" '"Name": "9x"'
    assert_contains "$output" '"Mountpoint": "'
}

@test "labels and options are kept; ls --filter by label, label!, name, driver, opt, dangling" {
    run_pc volume create --label app=web --label tier=front -o type=tmpfs -o device=tmpfs -o o=size=2m,uid=1000 web
    run_pc volume create --label app=db --label keep db
    run_pc volume create plain
    run_pc volume inspect --format '{{.Labels.app}} {{.Labels.tier}} {{.Options.type}} {{.Options.o}}' web
    assert_equal "$output" "web front tmpfs size=2m,uid=1000"
    run_pc volume inspect --format '{{json .Labels}}' db
    assert_equal "$output" '{"app":"db","keep":""}'
    run_pc volume ls -q --filter label=app
    assert_equal "$output" "$(printf 'db\nweb')"
    run_pc volume ls -q --filter label=app=db
    assert_equal "$output" "db"
    # label values must all match; other keys' values are alternatives.
    run_pc volume ls -q --filter label=app --filter label=keep
    assert_equal "$output" "db"
    run_pc volume ls -q --filter label!=app
    assert_equal "$output" "plain"
    run_pc volume ls -q --filter name=^we --filter name=pla
    assert_equal "$output" "$(printf 'plain\nweb')"
    run_pc volume ls -q --filter name=db --filter label=app=web
    assert_equal "$output" ""
    run_pc volume ls -q --filter opt=type=tmpfs
    assert_equal "$output" "web"
    run_pc volume ls -q --filter driver=local --filter dangling=true
    assert_equal "$(echo "$output" | wc -l)" "3"
    run_pc volume ls -q --filter dangling=false
    assert_equal "$output" ""
    run_pc 125 volume ls --filter bogus=1
    assert_contains "$output" "bogus is an invalid filter"
}

@test "volume create refuses other drivers and unknown options" {
    run_pc 125 volume create --driver nfs v
    assert_contains "$output" "volume plugin nfs"
    run_pc 125 volume create -o color=blue v
    assert_contains "$output" "invalid mount option color for driver 'local'"
    run_pc 125 volume create -o type=bind v
    assert_contains "$output" "type=bind needs an absolute device=PATH"
    run_pc volume create -o type=bind -o device=/tmp -o o=bind v
    run_pc volume inspect --format '{{.Options.device}}' v
    assert_equal "$output" "/tmp"
    run_pc volume create -o uid=1000 -o gid=100 owned
    run_pc volume inspect --format '{{.UID}} {{.GID}}' owned
    assert_equal "$output" "1000 100"
}

@test "volume rm: missing exits 1 (others still removed), -f ignores it, -a removes all" {
    run_pc volume create a
    run_pc volume create b
    run_pc_split 1 volume rm nosuch a
    assert_equal "$output" "a"
    assert_contains "$stderr" 'no volume with name "nosuch" found: no such volume'
    run_pc volume rm -f nosuch
    assert_equal "$output" ""
    run_pc 125 volume rm
    assert_contains "$output" "choose either one or more volumes or all"
    run_pc 125 volume rm -a b
    run_pc volume create c
    run_pc volume rm -a
    assert_equal "$output" "$(printf 'b\nc')"
    run_pc volume ls -q
    assert_equal "$output" ""
}

@test "volume inspect: a missing volume exits 125 after printing the ones found" {
    run_pc volume create here
    run_pc_split 125 volume inspect --format '{{.Name}}' here nosuch
    assert_equal "$output" "here"
    assert_contains "$stderr" "no such volume nosuch"
    run_pc 125 volume inspect
    run_pc volume create there
    run_pc volume inspect -a --format '{{.Name}}'
    assert_equal "$output" "$(printf 'here\nthere')"
}

@test "volume prune: asks first, removes unused volumes, --filter label and until" {
    run_pc volume create --label keep=yes kept
    run_pc volume create gone1
    run_pc volume create gone2
    # Without -f it lists what it would remove and asks.
    run bash -c "echo n | '$PC' volume prune"
    [ "$status" -eq 0 ]
    assert_contains "$output" "The following volumes will be removed:"
    assert_contains "$output" "gone1"
    assert_contains "$output" "Are you sure you want to continue? [y/N]"
    run_pc volume ls -q
    assert_equal "$(echo "$output" | wc -l)" "3"
    run_pc volume prune -f --filter label!=keep
    assert_equal "$output" "$(printf 'gone1\ngone2')"
    run_pc volume ls -q
    assert_equal "$output" "kept"
    # until: only volumes created before the time.
    run_pc volume prune -f --filter until=1h
    assert_equal "$output" ""
    run bash -c "echo y | '$PC' volume prune"
    [ "$status" -eq 0 ]
    assert_contains "$output" "kept"
    run_pc volume ls -q
    assert_equal "$output" ""
    run_pc 125 volume prune -f --filter name=x
    assert_contains "$output" "name=x is an invalid filter"
}

@test "volume rm of data written as a subuid works (removed in pc's user namespace)" {
    run_pc volume create sub
    run_pc volume inspect --format '{{.Mountpoint}}' sub
    mp=$output
    # A file owned by container uid 1 (a subuid on the host), as a container would leave.
    run_pc unshare sh -c "mkdir '$mp/d' && touch '$mp/d/f' && chown -R 1:1 '$mp/d' && chmod 500 '$mp/d'"
    run_pc volume rm sub
    [ ! -e "$mp" ]
}

@test "a half-made volume left by a killed pc is never listed and is swept by the next create" {
    run_pc volume create real
    run_pc volume inspect --format '{{.Mountpoint}}' real
    vols=$(dirname "$(dirname "$output")")
    mkdir -p "$vols/.tmp-half/_data" "$vols/.rm-old/_data" "$vols/norecord/_data"
    run_pc volume ls -q
    assert_equal "$output" "real"
    run_pc 1 volume exists norecord
    run_pc volume create other
    [ ! -e "$vols/.tmp-half" ]
    [ ! -e "$vols/.rm-old" ]
}

@test "-v NAME:/path makes the volume on first use and copies the image's content with its owners, once" {
    pc_load_fixture layered
    run_pc 1 volume exists data
    # layered's entrypoint is /bin/sh -c: the command is one string.
    run_pc run --rm -v data:/home/tester layered \
        'stat -c "%u %g %a %n" /home/tester /home/tester/owned.txt; cat /home/tester/owned.txt'
    assert_equal "$output" "$(printf '1000 1000 755 /home/tester\n1000 1000 640 /home/tester/owned.txt\nowned by tester')"
    # Copied up and chowned once: podman's NeedsCopyUp and NeedsChown are
    # gone (omitted when false, as Anonymous is for a named volume).
    run_pc volume inspect data
    assert_not_contains "$output" Anonymous
    assert_not_contains "$output" NeedsCopyUp
    assert_not_contains "$output" NeedsChown
    # On the host the file belongs to the container's uid 1000 (a subuid),
    # which pc's user namespace shows as 1000.
    run_pc volume inspect --format '{{.Mountpoint}}' data
    mp=$output
    [ "$(stat -c %u "$mp/owned.txt")" -ne "$(id -u)" ]
    run_pc unshare stat -c '%u %g' "$mp/owned.txt"
    assert_equal "$output" "1000 1000"
    # What the container changes stays; a removed file is not copied again.
    run_pc run --rm -v data:/home/tester layered 'rm /home/tester/owned.txt; echo mine > /home/tester/new'
    run_pc run --rm -v data:/home/tester layered 'ls /home/tester; cat /home/tester/new'
    assert_equal "$output" "$(printf 'new\nmine')"
    # A volume that already holds data gets nothing from the image.
    run_pc volume create full
    run_pc unshare sh -c "echo pre > '$(dirname "$mp")/../full/_data/pre'"
    run_pc run --rm -v full:/home/tester layered 'ls /home/tester'
    assert_equal "$output" "pre"
}

@test "nocopy (-v :nocopy, --mount volume-nocopy) leaves a new volume empty; --mount type=volume copies" {
    pc_load_fixture layered
    run_pc run --rm -v e1:/home/tester:nocopy layered 'ls -A /home/tester | wc -l'
    assert_equal "$output" "0"
    run_pc run --rm --mount type=volume,source=e2,destination=/home/tester,volume-nocopy layered 'ls -A /home/tester | wc -l'
    assert_equal "$output" "0"
    run_pc 1 run --rm --mount type=volume,src=e3,dst=/home/tester,ro layered 'ls /home/tester; touch /home/tester/x'
    assert_contains "$output" "owned.txt"
    assert_contains "$output" "Read-only file system"
    run_pc volume ls -q
    assert_equal "$output" "$(printf 'e1\ne2\ne3')"
    run_pc 125 create --mount type=volume,src=/abs,dst=/x layered
    assert_contains "$output" "names must match"
}

@test "anonymous volumes: -v /path and --mount without source; run --rm and rm -v remove them, never a named one" {
    pc_busybox
    run_pc run --rm -v /anon -v named:/n --mount type=volume,dst=/m busybox sh -c 'touch /anon/f /m/f /n/f'
    run_pc volume ls -q
    assert_equal "$output" "named"
    run_pc create --name c -v /anon -v keep:/k busybox true
    run_pc volume ls -q --filter dangling=false
    assert_equal "$(echo "$output" | wc -l)" "2"
    anon=$("$PC" inspect --format '{{range .Mounts}}{{if eq .Destination "/anon"}}{{.Name}}{{end}}{{end}}' c)
    [[ $anon =~ ^[0-9a-f]{64}$ ]]
    run_pc volume inspect --format '{{.Anonymous}}' "$anon"
    assert_equal "$output" "true"
    # rm without -v keeps it, as podman.
    run_pc create --name d -v /anon busybox true
    danon=$("$PC" inspect --format '{{range .Mounts}}{{.Name}}{{end}}' d)
    run_pc rm d
    run_pc volume exists "$danon"
    run_pc rm -v c
    run_pc volume ls -q
    assert_equal "$output" "$(printf '%s\n' "$danon" keep named | sort)"
    run_pc rm --help
    assert_not_contains "$output" "creates none"
}

@test "the image's VOLUMEs become anonymous volumes with the image's content, unless a mount covers them" {
    image_with_volumes layered withvol /data /home/tester
    run_pc create --name c withvol 'true'
    run_pc inspect --format '{{range .Mounts}}{{.Type}} {{.Destination}} {{.RW}}
{{end}}' c
    assert_contains "$output" "volume /data true"
    assert_contains "$output" "volume /home/tester true"
    run_pc start -a c
    run_pc run --rm --volumes-from c withvol 'cat /home/tester/owned.txt; ls /data | head -1'
    assert_equal "${lines[0]}" "owned by tester"
    [ -n "${lines[1]}" ]
    # -v over one: no anonymous volume for it.
    run_pc run --rm -v mine:/data withvol 'true'
    run_pc volume ls -q
    assert_equal "$(echo "$output" | wc -l)" "3"   # c's two, and mine
    run_pc rm -v c
    run_pc volume ls -q
    assert_equal "$output" "mine"
    run_pc run --rm withvol 'true'
    run_pc volume ls -q
    assert_equal "$output" "mine"
}

@test "volume rm refuses a volume in use with podman's message (exit 2); -f removes the container; prune and dangling see it" {
    pc_busybox
    run_pc create --name user -v used:/u busybox true
    id=$("$PC" inspect --format '{{.Id}}' user)
    run_pc volume create idle
    run_pc_split 2 volume rm used
    assert_equal "$stderr" "Error: volume used is being used by the following container(s): $id: volume is being used"
    run_pc volume ls -q --filter dangling=true
    assert_equal "$output" "idle"
    run_pc volume prune -f
    assert_equal "$output" "idle"
    run_pc volume exists used
    run_pc volume inspect --format '{{.MountCount}}' used
    assert_equal "$output" "0"
    run_pc run -d --name runner -v used:/u busybox sleep 1000
    run_pc volume inspect --format '{{.MountCount}}' used
    assert_equal "$output" "1"
    run_pc volume rm -f -t 0 used
    assert_equal "$output" "used"
    run_pc 1 container exists user
    run_pc 1 container exists runner
    run_pc 1 volume exists used
}

@test "--volumes-from copies binds and volumes; :ro and :rw replace the mode, -v wins; bad uses fail as podman" {
    pc_busybox
    mkdir "$PC_TEST_DIR/host"
    run_pc create --name src -v shared:/s:ro -v "$PC_TEST_DIR/host":/h -v /anon busybox true
    run_pc create --name same --volumes-from src busybox true
    run_pc inspect --format '{{range .Mounts}}{{.Destination}}={{.Type}},{{.RW}},{{if eq .Type "volume"}}{{.Name}}{{end}} {{end}}' same
    anon=$("$PC" inspect --format '{{range .Mounts}}{{if eq .Destination "/anon"}}{{.Name}}{{end}}{{end}}' src)
    assert_equal "$output" "/s=volume,false,shared /h=bind,true, /anon=volume,true,$anon "
    run_pc inspect --format '{{json .HostConfig.Binds}}' same
    assert_equal "$output" "[\"shared:/s:ro,rprivate,nosuid,nodev,rbind\",\"$PC_TEST_DIR/host:/h:rw,rprivate,rbind\",\"$anon:/anon:rw,rprivate,nosuid,nodev,rbind\"]"
    run_pc run --rm --volumes-from src:rw busybox sh -c 'echo w > /s/f; echo h > /h/f; echo a > /anon/f'
    [ "$(cat "$PC_TEST_DIR/host/f")" = h ]
    run_pc 1 run --rm --volumes-from src:ro busybox sh -c 'cat /s/f /anon/f; echo x > /h/g'
    assert_contains "$output" "$(printf 'w\na')"
    assert_contains "$output" "Read-only file system"
    run_pc run --rm --volumes-from src -v other:/s busybox sh -c 'ls /s | wc -l'
    assert_equal "$output" "0"
    # The shared anonymous volume outlives rm -v of a container still using it... of the other.
    run_pc rm -v src
    run_pc volume exists "$anon"
    run_pc rm -v same
    run_pc 1 volume exists "$anon"
    run_pc 125 create --volumes-from nosuch busybox true
    assert_contains "$output" 'looking up container "nosuch" for volumes-from: no container with name or ID "nosuch" found: no such container'
    run_pc create --name s2 busybox true
    run_pc 125 create --volumes-from s2:noexec busybox true
    assert_contains "$output" 'invalid option "noexec" specified - volumes from another container can only use z,ro,rw options'
    run_pc 125 create --volumes-from s2:ro,rw busybox true
    assert_contains "$output" "cannot set ro or rw options more than once"
}

@test "inspect shows volume Mounts and Binds in podman's shape" {
    pc_busybox
    run_pc create --name c -v v1:/data:ro,noexec -v /anon busybox true
    run_pc volume inspect --format '{{.Mountpoint}}' v1
    mp=$output
    run_pc inspect --format '{{range .Mounts}}{{if eq .Name "v1"}}{{.Type}}|{{.Name}}|{{.Source}}|{{.Destination}}|{{.Driver}}|{{.Mode}}|{{.Options}}|{{.RW}}|{{.Propagation}}{{end}}{{end}}' c
    assert_equal "$output" "volume|v1|$mp|/data|local||[noexec nosuid nodev rbind]|false|rprivate"
    run_pc inspect --format '{{json .HostConfig.Binds}}' c
    [[ $output =~ ^\[\"v1:/data:ro,noexec,rprivate,nosuid,nodev,rbind\",\"[0-9a-f]{64}:/anon:rw,rprivate,nosuid,nodev,rbind\"\]$ ]]
}

@test "volume export and import: a tar round trip keeps contents and owners; missing volumes fail as podman" {
    pc_busybox
    run_pc run --rm -v src:/v busybox sh -c 'mkdir /v/d; echo hi > /v/d/f; chown -R 123:456 /v/d; ln -s d/f /v/l'
    run_pc volume export -o "$PC_TEST_DIR/v.tar" src
    run tar tvf "$PC_TEST_DIR/v.tar"
    assert_contains "$output" "123/456"
    assert_contains "$output" "d/f"
    run_pc volume create dst
    run_pc volume import dst "$PC_TEST_DIR/v.tar"
    run_pc run --rm -v dst:/v busybox sh -c 'stat -c "%u:%g" /v/d /v/d/f; cat /v/l'
    assert_equal "$output" "$(printf '123:456\n123:456\nhi')"
    run_pc volume create piped
    "$PC" volume export src | "$PC" volume import piped -
    run_pc run --rm -v piped:/v busybox cat /v/d/f
    assert_equal "$output" "hi"
    run_pc 125 volume export nosuch
    assert_equal "$output" "Error: no such volume nosuch"
    run_pc 125 volume import nosuch "$PC_TEST_DIR/v.tar"
    assert_equal "$output" "Error: no such volume nosuch"
    run_pc 125 volume import dst "$PC_TEST_DIR/none.tar"
    assert_contains "$output" "open $PC_TEST_DIR/none.tar: No such file or directory"
    # A missing volume leaves the output file alone.
    echo keep > "$PC_TEST_DIR/keep.tar"
    run_pc 125 volume export -o "$PC_TEST_DIR/keep.tar" nosuch
    [ "$(cat "$PC_TEST_DIR/keep.tar")" = keep ]
}

@test "volume mount is for root (podman's rootless error); unmount prints the name" {
    skip_if_root
    run_pc volume create m
    run_pc 125 volume mount m
    assert_equal "$output" 'Error: cannot run command "pc volume mount" in rootless mode, must execute `pc unshare` first'
    run_pc volume unmount m
    assert_equal "$output" "m"
}

@test "volumes of type=tmpfs and type=bind mount their device instead of _data" {
    pc_busybox
    mkdir "$PC_TEST_DIR/dev"
    run_pc volume create -o type=tmpfs -o o=size=1m,nodev tv
    run_pc volume create -o type=bind -o device="$PC_TEST_DIR/dev" bv
    run_pc run --rm -v tv:/t -v bv:/b busybox sh -c 'grep " /t " /proc/mounts; echo b > /b/f'
    assert_contains "$output" "tmpfs /t tmpfs"
    assert_contains "$output" "size=1024k"
    [ "$(cat "$PC_TEST_DIR/dev/f")" = b ]
    run_pc volume inspect --format '{{.Mountpoint}}' tv
    [ -z "$(ls -A "$output")" ]
    # o=ro and the flag words apply to a bind volume (every start failed
    # with "Invalid argument" before).
    run_pc volume create -o type=bind -o device="$PC_TEST_DIR/dev" -o o=ro,noexec rbv
    run_pc 1 run --rm -v rbv:/b busybox sh -c 'cat /b/f; grep " /b " /proc/self/mountinfo; touch /b/g'
    assert_contains "$output" "b"
    assert_contains "$output" " ro,"
    assert_contains "$output" "noexec"
    assert_contains "$output" "Read-only file system"
    [ ! -e "$PC_TEST_DIR/dev/g" ]
}

@test "a volume takes :U, a propagation and idmap's refusal as a host directory does; :O is refused, not ignored" {
    pc_busybox
    base=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
    run_pc run --rm --user 1000:1000 -v uv:/v:U busybox sh -c 'stat -c %u:%g /v; echo w > /v/f'
    assert_equal "$output" "1000:1000"
    run_pc volume inspect --format '{{.Mountpoint}}' uv
    mp=$output
    want="$((base + 999)):$((base + 999))"
    assert_equal "$(stat -c %u:%g "$mp" "$mp/f" | sort -u)" "$want"
    run_pc run --rm --user 1000:1000 --mount type=volume,src=uv2,dst=/v,chown=true busybox stat -c %u /v
    assert_equal "$output" "1000"
    run_pc run --rm -v uv:/v:rshared busybox grep " /v " /proc/self/mountinfo
    assert_contains "$output" "shared:"
    run_pc create --name up -v uv:/v:U,rshared busybox true
    run_pc inspect --format '{{range .Mounts}}{{.Options}} {{.Propagation}}{{end}}' up
    assert_equal "$output" "[U nosuid nodev rbind] rshared"
    run_pc 125 run --rm -v uv:/v:idmap busybox true
    assert_contains "$output" "an unprivileged user cannot make an idmapped mount"
    run_pc 125 run --rm -v uv:/v:O busybox true
    assert_contains "$output" "the O (overlay) option is for host directories"
}

@test "--volumes-from a container whose record was edited: a clean error, no crash" {
    pc_busybox
    run_pc create --name src1 -v vprop:/data busybox true
    id=$output
    rec=$XDG_DATA_HOME/pc/storage/engine/containers/$id/container.json
    python3 - "$rec" <<'PY'
import json, sys
p = sys.argv[1]
r = json.load(open(p))
for m in r["Mounts"]:
    m["Propagation"] = "r" * 300
json.dump(r, open(p, "w"))
PY
    run_pc 125 create --volumes-from src1 busybox true
    assert_contains "$output" "the mount on /data has an invalid propagation in its record"
}
