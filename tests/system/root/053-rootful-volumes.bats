#!/usr/bin/env bats
# Volumes as root: no user namespace, so the copied-up files carry the
# image's ids on the host itself; volume mount prints the mountpoint.

load ../helpers

setup() {
    root_store_setup || return 1
    run "${PCR[@]}" load -i "$PC_FIXTURES/layered.docker.tar"
    [ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
}

teardown() { root_store_teardown; }

@test "rootful: -v NAME:/path copies the image's content up with the image's ids on the host" {
    run "${PCR[@]}" run --rm -v data:/home/tester layered 'stat -c "%u %g %a" /home/tester/owned.txt'
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [ "$output" = "1000 1000 640" ]
    run "${PCR[@]}" volume inspect --format '{{.Mountpoint}}' data
    [ "$status" -eq 0 ]
    mp=$output
    [[ $mp == "$PC_TEST_DIR/root/volumes/data/_data" ]]
    [ "$(stat -c '%u %g %a' "$mp")" = "1000 1000 755" ]
    [ "$(stat -c '%u %g %a' "$mp/owned.txt")" = "1000 1000 640" ]
}

@test "rootful: volume mount prints the mountpoint, unmount the name; anonymous volumes go with run --rm" {
    run "${PCR[@]}" volume create m
    [ "$status" -eq 0 ]
    run "${PCR[@]}" volume mount m
    [ "$status" -eq 0 ]
    [ "$output" = "$PC_TEST_DIR/root/volumes/m/_data" ]
    run "${PCR[@]}" volume unmount m
    [ "$status" -eq 0 ]
    [ "$output" = "m" ]
    run "${PCR[@]}" run --rm -v /anon busybox sh -c 'echo x > /anon/f'
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    run "${PCR[@]}" volume ls -q
    [ "$output" = "m" ]
    run "${PCR[@]}" create --name u -v m:/m busybox true
    [ "$status" -eq 0 ]
    run "${PCR[@]}" volume rm m
    [ "$status" -eq 2 ]
    [[ $output == *"volume m is being used by the following container(s): "*": volume is being used"* ]]
}

# An image whose VOLUME path and /etc/passwd name device nodes (root's layers
# hold real ones): pc must look at their type without opening them, since
# opening a device can act by itself (/dev/watchdog arms a reboot).
@test "rootful: a VOLUME or /etc/passwd that is a device node in the image is never opened" {
    command -v strace >/dev/null || skip "strace is not installed"
    local tar=$PC_TEST_DIR/devvol.tar log=$PC_TEST_DIR/strace.log
    python3 - "$PC_FIXTURES/busybox.rootfs.tar" "$tar" <<'PY'
import sys, tarfile
src, dst = sys.argv[1], sys.argv[2]
with tarfile.open(src) as i, tarfile.open(dst, "w", format=tarfile.PAX_FORMAT) as o:
    for m in i.getmembers():
        if m.name.lstrip("./") == "etc/passwd":
            continue
        o.addfile(m, i.extractfile(m) if m.isfile() else None)
    for name in ("vol", "x/dev1"):
        t = tarfile.TarInfo(name)
        t.type, t.devmajor, t.devminor, t.mode = tarfile.CHRTYPE, 1, 3, 0o666
        o.addfile(t)
    t = tarfile.TarInfo("etc/passwd")
    t.type, t.linkname = tarfile.SYMTYPE, "/x/dev1"
    o.addfile(t)
PY
    run "${PCR[@]}" import --change "VOLUME /vol" "$tar" localhost/devvol
    [ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
    # -u NAME reads the image's /etc/passwd; the VOLUME is prepared at start.
    # (no passwd entry: that run fails at create, so a second one starts.)
    run strace -f -qq -e trace=openat,openat2,open -o "$log" "${PCR[@]}" run --rm -u nobody localhost/devvol true
    echo "$output"
    run strace -f -qq -e trace=openat,openat2,open -o "$log.2" "${PCR[@]}" run --rm localhost/devvol true
    echo "$output"
    grep -qE '"/?vol"' "$log.2"
    cat "$log.2" >>"$log"
    # Opened with O_PATH (or refused as not a directory) at most: never for reading.
    run grep -E '"(vol|/vol|etc/passwd|x/dev1|/x/dev1)"' "$log"
    echo "$output"
    run grep -v O_PATH <<<"$output"
    [[ "$output" != *"= "[0-9]* ]] || { echo "a device node of the image was opened" >&2; return 1; }
    run grep -cE '"(etc/passwd)"' "$log"
    [ "$output" -ge 1 ]
}
