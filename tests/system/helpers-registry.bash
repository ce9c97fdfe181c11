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

# registry_blob_path DIGEST: the file the registry serves for a blob.
registry_blob_path() {
    local hex=${1#sha256:}
    echo "$REGISTRY_DIR/storage/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
}

# registry_put_index REPO TAG "DIGEST1 ARCH1" "DIGEST2 ARCH2"...: an OCI index of
# manifests already in REPO, written through the registry's API.
registry_put_index() {
    local repo=$1 tag=$2
    shift 2
    python3 - "$REGISTRY" "$repo" "$tag" "$@" <<'EOP'
import json, sys, urllib.request
reg, repo, tag = sys.argv[1:4]
ms = []
for spec in sys.argv[4:]:
    dg, arch = spec.split()
    req = urllib.request.Request(f"http://{reg}/v2/{repo}/manifests/{dg}", headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
    body = urllib.request.urlopen(req).read()
    mt = json.loads(body).get("mediaType", "application/vnd.oci.image.manifest.v1+json")
    ms.append({"mediaType": mt, "digest": dg, "size": len(body), "platform": {"architecture": arch, "os": "linux"}})
idx = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": ms}).encode()
req = urllib.request.Request(f"http://{reg}/v2/{repo}/manifests/{tag}", data=idx, method="PUT",
                             headers={"Content-Type": "application/vnd.oci.image.index.v1+json"})
urllib.request.urlopen(req)
EOP
}

# faults_start: tests/system/registry-faults.py in front of $REGISTRY; sets
# FAULTS (127.0.0.1:PORT), FAULTS_DIR (mode, log), FAULTS_PID. faults_mode
# WHAT [ARG...] changes what it breaks (see the script).
faults_start() {
    FAULTS_DIR=$PC_TEST_DIR/faults
    mkdir -p "$FAULTS_DIR"
    echo pass > "$FAULTS_DIR/mode"
    python3 "$BATS_TEST_DIRNAME/registry-faults.py" "$REGISTRY" "$FAULTS_DIR" \
        >"$FAULTS_DIR/out" 2>&1 &
    FAULTS_PID=$!
    local i
    for i in $(seq 1 100); do
        if [ -s "$FAULTS_DIR/port" ]; then
            FAULTS=127.0.0.1:$(cat "$FAULTS_DIR/port")
            return 0
        fi
        kill -0 "$FAULTS_PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$FAULTS_DIR/out" >&2
    echo "the fault server did not start" >&2
    return 1
}

faults_mode() {
    echo "$*" > "$FAULTS_DIR/mode.tmp"
    mv "$FAULTS_DIR/mode.tmp" "$FAULTS_DIR/mode"
    : > "$FAULTS_DIR/log"
}

faults_stop() {
    if [ -n "${FAULTS_PID:-}" ]; then
        kill "$FAULTS_PID" 2>/dev/null || true
        wait "$FAULTS_PID" 2>/dev/null || true
        FAULTS_PID=
    fi
}
