# A local registry for pull tests: Debian's docker-registry on 127.0.0.1, on
# a free port, storage and config in the test dir, stopped by pid.
# Images go in with skopeo (a client pc did not write).

# registry_start [EXTRA_YAML]: sets REGISTRY (127.0.0.1:PORT), REGISTRY_DIR, REGISTRY_PID.
registry_start() {
    command -v docker-registry >/dev/null || skip "docker-registry is not installed"
    command -v skopeo >/dev/null || skip "skopeo is not installed"
    REGISTRY_DIR=$PC_TEST_DIR/registry
    mkdir -p "$REGISTRY_DIR/storage"
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    REGISTRY=127.0.0.1:$port
    cat > "$REGISTRY_DIR/config.yml" <<EOC
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/storage
  delete:
    enabled: true
http:
  addr: $REGISTRY
${1:-}
EOC
    docker-registry serve "$REGISTRY_DIR/config.yml" >"$REGISTRY_DIR/log" 2>&1 &
    REGISTRY_PID=$!
    local i
    for i in $(seq 1 100); do
        if curl -s -o /dev/null "http://$REGISTRY/v2/"; then
            return 0
        fi
        kill -0 "$REGISTRY_PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$REGISTRY_DIR/log" >&2
    echo "the registry did not start" >&2
    return 1
}

registry_stop() {
    if [ -n "${REGISTRY_PID:-}" ]; then
        kill "$REGISTRY_PID" 2>/dev/null || true
        wait "$REGISTRY_PID" 2>/dev/null || true
        REGISTRY_PID=
    fi
}

# registry_push FIXTURE REPO:TAG: the oci-archive fixture into the registry.
registry_push() {
    skopeo copy -q --dest-tls-verify=false "oci-archive:$PC_FIXTURES/$1.oci.tar" \
        "docker://$REGISTRY/$2" >/dev/null
}

# registry_digest REPO:TAG: the manifest digest the registry serves.
registry_digest() {
    skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REGISTRY/$1"
}
