#!/usr/bin/env bats
# Libraries only some commands need are loaded by those commands (issue 17):
# libarchive (tar streams: load, save, cp -, export...), libseccomp (compiling
# a profile; a cached program needs none) and libyaml (kube). pc itself and a
# container's monitor map none of them, and a host without one of them
# still runs every command that does not need it.

bats_require_minimum_version 1.5.0

load helpers

setup() {
    pc_setup
    pc_load_fixture busybox
}

teardown() {
    pc_teardown
}

# A preloaded shim that refuses dlopen of the library whose name contains
# $1, as on a host without it; children (the monitor) inherit it.
make_shim() {
    command -v cc >/dev/null || skip "no C compiler on the host for the dlopen shim"
    if ldd "$PC" 2>/dev/null | grep -q libasan; then
        skip "an AddressSanitizer build must be preloaded first"
    fi
    cat >"$PC_TEST_DIR/nodl.c" <<SHIM
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>
void *dlopen (const char *f, int flags)
{
  static void *(*real) (const char *, int);
  if (f && strstr (f, "$1"))
    return NULL;
  if (!real)
    real = (void *(*) (const char *, int)) dlsym (RTLD_NEXT, "dlopen");
  return real (f, flags);
}
SHIM
    cc -shared -fPIC -o "$PC_TEST_DIR/nodl.so" "$PC_TEST_DIR/nodl.c" -ldl || skip "the shim does not build here"
}

@test "pc links only json-c and libc; a monitor maps no libarchive, libseccomp or libyaml" {
    run ldd "$PC"
    [ "$status" -eq 0 ]
    local libs=(libarchive libxml2 libicu libstdc++ libseccomp libyaml libm.so)
    # An ASan build's runtime (libasan) needs libstdc++ itself: there only
    # libarchive's closure without it is checked.
    [[ "$output" == *libasan* ]] && libs=(libarchive libxml2 libicu libseccomp libyaml)
    for lib in "${libs[@]}"; do
        assert_not_contains "$output" "$lib"
    done
    # The first container compiles the default seccomp profile (its monitor
    # loads libseccomp); later ones start from the cached program.
    run_pc run --rm --network none busybox true
    run_pc run -d --name idle --network none busybox sleep 100
    local pid
    pid=$("$PC" inspect --format '{{.State.ConmonPid}}' idle)
    run cat "/proc/$pid/maps"
    for lib in libarchive libxml2 libicu libseccomp libyaml; do
        assert_not_contains "$output" "$lib"
    done
    run_pc rm -f -t 0 idle
}

@test "without libarchive: load says which package is missing; ps, images and run still work" {
    make_shim libarchive
    LD_PRELOAD=$PC_TEST_DIR/nodl.so run "$PC" load -i "$PC_FIXTURES/layered.docker.tar"
    [ "$status" -eq 125 ]
    assert_contains "$output" "cannot load libarchive.so.13 (Debian: libarchive13)"
    LD_PRELOAD=$PC_TEST_DIR/nodl.so run "$PC" images --format '{{.Repository}}'
    [ "$status" -eq 0 ]
    assert_equal "$output" "localhost/busybox"
    LD_PRELOAD=$PC_TEST_DIR/nodl.so run "$PC" run --rm --network none busybox echo fine
    [ "$status" -eq 0 ]
    assert_equal "$output" "fine"
    # cp - into a running container loads it before entering the container.
    run_pc run -d --name c1 --network none busybox sleep 100
    LD_PRELOAD=$PC_TEST_DIR/nodl.so run "$PC" cp - c1:/tmp </dev/null
    [ "$status" -ne 0 ]
    assert_contains "$output" "cannot load libarchive.so.13"
    run_pc rm -f -t 0 c1
}

@test "without libseccomp: a cached profile still runs; a new one says why it cannot be compiled" {
    make_shim libseccomp
    # The default profile, compiled once with the library and cached.
    run_pc run --rm --network none busybox true
    LD_PRELOAD=$PC_TEST_DIR/nodl.so run "$PC" run --rm --network none busybox echo cached
    [ "$status" -eq 0 ]
    assert_equal "$output" "cached"
    cat >"$PC_TEST_DIR/profile.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdirat"], "action": "SCMP_ACT_ERRNO"}]}
JSON
    LD_PRELOAD=$PC_TEST_DIR/nodl.so run "$PC" run --rm --network none \
        --security-opt seccomp="$PC_TEST_DIR/profile.json" busybox echo new
    [ "$status" -ne 0 ]
    assert_contains "$output" "cannot load libseccomp.so.2 (Debian: libseccomp2)"
    assert_not_contains "$output" "new"
    # With the library the same profile works.
    run_pc run --rm --network none --security-opt seccomp="$PC_TEST_DIR/profile.json" busybox echo new
    assert_equal "$output" "new"
}
