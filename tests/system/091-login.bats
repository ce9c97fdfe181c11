#!/usr/bin/env bats
# pc login / logout against Debian's docker-registry with htpasswd auth on
# 127.0.0.1 (plain HTTP, then TLS with a CA the test makes); auth.json as
# podman 4.3 writes it (messages compared with podman on this machine).

load helpers
load helpers-registry

USER_OK=tester
PASS_OK='s3cr3t-Pa55'

setup() {
    pc_setup
    command -v htpasswd >/dev/null || skip "htpasswd (apache2-utils) is not installed"
    # Nothing of the user's own: registries.conf, auth files, certs.d.
    export HOME=$PC_TEST_DIR/home
    mkdir -p "$HOME"
    unset REGISTRY_AUTH_FILE CONTAINERS_REGISTRIES_CONF DOCKER_CONFIG
    export CONTAINERS_REGISTRIES_CONF=$PC_TEST_DIR/registries.conf
    : > "$CONTAINERS_REGISTRIES_CONF"
    mkdir -p "$PC_TEST_DIR/auth"
    htpasswd -Bbn "$USER_OK" "$PASS_OK" > "$PC_TEST_DIR/auth/htpasswd"
    AUTH_YAML="auth:
  htpasswd:
    realm: pc-test
    path: $PC_TEST_DIR/auth/htpasswd"
    AUTHFILE=$XDG_RUNTIME_DIR/containers/auth.json
}

teardown() {
    registry_stop
    pc_teardown
}

# The TLS files: a CA and a certificate for 127.0.0.1 it signed.
make_certs() {
    local d=$PC_TEST_DIR/tls
    mkdir -p "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.crt" \
        -days 1 -subj /CN=pc-test-ca 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout "$d/server.key" -out "$d/server.csr" \
        -subj /CN=127.0.0.1 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\n' > "$d/ext"
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
        -out "$d/server.crt" -days 1 -extfile "$d/ext" 2>/dev/null
    TLS_YAML="  tls:
    certificate: $d/server.crt
    key: $d/server.key"
}

@test "login: wrong password refused, nothing written; right one stored as podman does" {
    registry_start "$AUTH_YAML"
    run_pc_split 125 login --tls-verify=false -u "$USER_OK" -p wrong "$REGISTRY"
    assert_equal "$stderr" "Error: logging into \"$REGISTRY\": invalid username/password"
    [ ! -e "$AUTHFILE" ]

    run_pc_split login --tls-verify=false -u "$USER_OK" -p "$PASS_OK" "$REGISTRY"
    assert_equal "$output" "Login Succeeded!"
    [ "$(stat -c %a "$AUTHFILE")" = 600 ]
    [ "$(stat -c %a "$(dirname "$AUTHFILE")")" = 700 ]
    want=$(printf '%s:%s' "$USER_OK" "$PASS_OK" | base64)
    run python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["auths"][sys.argv[2]]["auth"])' "$AUTHFILE" "$REGISTRY"
    assert_equal "$output" "$want"

    run_pc login --get-login "$REGISTRY"
    assert_equal "$output" "$USER_OK"
    run_pc login --get-login "$REGISTRY/some/repo"
    assert_equal "$output" "$USER_OK"
    # No user or password given: the stored ones are checked.
    run_pc login --tls-verify=false "$REGISTRY" </dev/null
    assert_equal "$output" "Authenticating with existing credentials for $REGISTRY
Existing credentials are valid. Already logged in to $REGISTRY"

    run_pc logout "$REGISTRY"
    assert_equal "$output" "Removed login credentials for $REGISTRY"
    run_pc_split 125 logout "$REGISTRY"
    assert_equal "$stderr" "Error: not logged into $REGISTRY"
    run_pc_split 125 login --get-login "$REGISTRY"
    assert_equal "$stderr" "Error: not logged into $REGISTRY"
}

@test "login --password-stdin, --authfile, REGISTRY_AUTH_FILE, a namespace key, logout -a" {
    registry_start "$AUTH_YAML"
    run_pc_split 125 login --password-stdin "$REGISTRY" </dev/null
    assert_equal "$stderr" "Error: Must provide --username with --password-stdin"
    run_pc_split 125 login -u x -p y --password-stdin "$REGISTRY" </dev/null
    assert_equal "$stderr" "Error: Can't specify both --password-stdin and --password"

    own=$PC_TEST_DIR/own/auth.json
    run --separate-stderr "$PC" login --tls-verify=false --authfile "$own" -u "$USER_OK" --password-stdin "$REGISTRY/team" <<<"$PASS_OK"
    [ "$status" -eq 0 ]
    assert_equal "$output" "Login Succeeded!"
    [ -f "$own" ] && [ ! -e "$AUTHFILE" ]
    [ "$(stat -c %a "$own")" = 600 ]
    assert_contains "$(cat "$own")" "\"$REGISTRY/team\""
    # The namespace's credentials serve its repositories, not the others.
    run_pc login --authfile "$own" --get-login "$REGISTRY/team/app"
    assert_equal "$output" "$USER_OK"
    run_pc 125 login --authfile "$own" --get-login "$REGISTRY/other"
    REGISTRY_AUTH_FILE=$own run_pc login --get-login "$REGISTRY/team"
    assert_equal "$output" "$USER_OK"

    # A docker config.json with a URL key is read too.
    mkdir -p "$HOME/.docker"
    printf '{"auths":{"http://%s/v1/":{"auth":"%s"}}}' "$REGISTRY" "$(printf 'dock:pw' | base64)" > "$HOME/.docker/config.json"
    run_pc login --get-login "$REGISTRY"
    assert_equal "$output" "dock"

    run_pc logout --authfile "$own" -a
    assert_equal "$output" "Removed login credentials for all registries"
    run python3 -c 'import json,sys; print(json.load(open(sys.argv[1])))' "$own"
    assert_equal "$output" "{'auths': {}}"
    run_pc_split 125 logout -a "$REGISTRY"
    assert_equal "$stderr" "Error: --all takes no arguments"
}

@test "login without a registry: the first unqualified-search registry, else podman's error" {
    run_pc_split 125 login -u a -p b
    assert_equal "$stderr" "Error: no registries found in registries.conf, a registry must be provided"
    registry_start "$AUTH_YAML"
    printf 'unqualified-search-registries = ["%s"]\n' "$REGISTRY" > "$CONTAINERS_REGISTRIES_CONF"
    run_pc login --tls-verify=false -u "$USER_OK" -p "$PASS_OK"
    assert_equal "$output" "Login Succeeded!"
    run_pc login --get-login
    assert_equal "$output" "$USER_OK"
    run_pc logout
    assert_equal "$output" "Removed login credentials for $REGISTRY"
}

@test "the password never shows: not on stderr at --log-level debug, not in errors, not in argv of a child" {
    registry_start "$AUTH_YAML"
    secret='Zq9-never-SHOWN-7x'
    run --separate-stderr "$PC" --log-level debug login --tls-verify=false -u "$USER_OK" -p "$secret" "$REGISTRY"
    [ "$status" -eq 125 ]
    assert_not_contains "$output$stderr" "$secret"
    run --separate-stderr "$PC" --log-level debug login --tls-verify=false -u "$USER_OK" --password-stdin "$REGISTRY" <<<"$PASS_OK"
    [ "$status" -eq 0 ]
    assert_not_contains "$output$stderr" "$PASS_OK"
    # A pull with the stored credentials, at debug level.
    skopeo copy -q --dest-tls-verify=false --dest-creds "$USER_OK:$PASS_OK" \
        "oci-archive:$PC_FIXTURES/busybox.oci.tar" "docker://$REGISTRY/busybox:1" >/dev/null
    run --separate-stderr "$PC" --log-level debug pull --tls-verify=false "$REGISTRY/busybox:1"
    [ "$status" -eq 0 ]
    assert_not_contains "$output$stderr" "$PASS_OK"
    assert_not_contains "$output$stderr" "$(printf '%s:%s' "$USER_OK" "$PASS_OK" | base64)"
}

@test "pull uses the stored login; without it the registry refuses" {
    registry_start "$AUTH_YAML"
    skopeo copy -q --dest-tls-verify=false --dest-creds "$USER_OK:$PASS_OK" \
        "oci-archive:$PC_FIXTURES/busybox.oci.tar" "docker://$REGISTRY/busybox:1" >/dev/null
    run_pc 125 pull -q --tls-verify=false "$REGISTRY/busybox:1"
    run_pc login --tls-verify=false -u "$USER_OK" -p "$PASS_OK" "$REGISTRY"
    run_pc_split pull -q --tls-verify=false "$REGISTRY/busybox:1"
    assert_equal "$output" "d9ee980882a1b30f801e6d41900ff7c168221b7d20315bf7d02114d17aad3544"
}

@test "TLS: the test's CA through --cert-dir and certs.d; without it the certificate is refused" {
    command -v openssl >/dev/null || skip "openssl is not installed"
    make_certs
    registry_start "$TLS_YAML
$AUTH_YAML"
    run_pc_split 125 login -u "$USER_OK" -p "$PASS_OK" "$REGISTRY"
    assert_contains "$stderr" "authenticating creds for \"$REGISTRY\""
    [ ! -e "$AUTHFILE" ]
    certs=$PC_TEST_DIR/certs
    mkdir -p "$certs"
    cp "$PC_TEST_DIR/tls/ca.crt" "$certs/ca.crt"
    run_pc login --cert-dir "$certs" -u "$USER_OK" -p "$PASS_OK" "$REGISTRY"
    assert_equal "$output" "Login Succeeded!"
    run_pc logout "$REGISTRY"
    # The per-user certs.d directory of containers-certs.d(5).
    mkdir -p "$HOME/.config/containers/certs.d/$REGISTRY"
    cp "$PC_TEST_DIR/tls/ca.crt" "$HOME/.config/containers/certs.d/$REGISTRY/ca.crt"
    run_pc login -u "$USER_OK" -p "$PASS_OK" "$REGISTRY"
    assert_equal "$output" "Login Succeeded!"
    run_pc_split 125 login -u "$USER_OK" -p wrong "$REGISTRY"
    assert_equal "$stderr" "Error: logging into \"$REGISTRY\": invalid username/password"
    # A pull and a push over the same TLS, the CA from certs.d and the
    # login from auth.json; skopeo (verifying with the CA) reads what pc pushed.
    run_pc login -u "$USER_OK" -p "$PASS_OK" "$REGISTRY"
    skopeo copy -q --dest-cert-dir "$certs" --dest-creds "$USER_OK:$PASS_OK" \
        "oci-archive:$PC_FIXTURES/busybox.oci.tar" "docker://$REGISTRY/busybox:1" >/dev/null
    run_pc_split pull -q "$REGISTRY/busybox:1"
    assert_equal "$output" "d9ee980882a1b30f801e6d41900ff7c168221b7d20315bf7d02114d17aad3544"
    run_pc tag "$REGISTRY/busybox:1" "$REGISTRY/again:2"
    run_pc_split push -q "$REGISTRY/again:2"
    run skopeo inspect --cert-dir "$certs" --creds "$USER_OK:$PASS_OK" --format '{{.Name}}' "docker://$REGISTRY/again:2"
    [ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
    assert_equal "$output" "$REGISTRY/again"
}

@test "login on a terminal: Username and Password prompts, the password not echoed" {
    registry_start "$AUTH_YAML"
    run python3 "$BATS_TEST_DIRNAME/ptydrive.py" 'expect:Username: ' "send:$USER_OK\r" \
        'expect:Password: ' "send:$PASS_OK\r" -- "$PC" login --tls-verify=false "$REGISTRY"
    [ "$status" -eq 0 ]
    assert_contains "$output" "Login Succeeded!"
    assert_contains "$output" "EXIT 0"
    assert_not_contains "$output" "$PASS_OK"
    run_pc login --get-login "$REGISTRY"
    assert_equal "$output" "$USER_OK"
    # Stored credentials that no longer work: podman says so, then offers the
    # stored user as the default.
    printf '{"auths":{"%s":{"auth":"%s"}}}' "$REGISTRY" "$(printf '%s:stale' "$USER_OK" | base64)" > "$AUTHFILE"
    run python3 "$BATS_TEST_DIRNAME/ptydrive.py" 'expect:Existing credentials are invalid' \
        "expect:Username \\($USER_OK\\): " 'send:\r' 'expect:Password: ' "send:$PASS_OK\r" \
        -- "$PC" login --tls-verify=false "$REGISTRY"
    [ "$status" -eq 0 ]
    assert_contains "$output" "Login Succeeded!"
    assert_not_contains "$output" "$PASS_OK"
    run python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["auths"][sys.argv[2]]["auth"])' "$AUTHFILE" "$REGISTRY"
    assert_equal "$output" "$(printf '%s:%s' "$USER_OK" "$PASS_OK" | base64)"
}

@test "login/logout argument checks as podman's" {
    run_pc_split 125 login -u a -p b "$PC_TEST_DIR-not-a-registry/x:tag"
    assert_contains "$stderr" "Error:"
    run_pc_split 125 logout "quay.io/a:tag"
    assert_equal "$stderr" "Error: reference \"quay.io/a:tag\" contains tag or digest"
    run_pc_split 125 logout "example.com/ns"
    assert_equal "$stderr" "Error: not logged into example.com/ns"
    run_pc_split 125 login -u a example.com </dev/null
    assert_contains "$stderr" "Error: getting username and password: reading password: inappropriate ioctl for device"
}
