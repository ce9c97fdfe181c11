#!/usr/bin/env bats
# kube play / kube down / kube generate (docs/kube.md): a two-container pod
# with a ConfigMap (env and a volume) and a PersistentVolumeClaim, its
# round trip through kube generate, kube play and the Kubernetes API's own
# models (tests/kube-schema-check.py), Deployments as pods, unknown fields
# reported, malformed and hostile YAML refused with 125.

load helpers
load helpers-containers

SCHEMA_CHECK=${PC_TESTS:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)}/kube-schema-check.py

setup() {
    pc_setup
    pc_busybox
    PORT=$((20000 + RANDOM % 20000))
    cat >"$PC_TEST_DIR/web.yaml" <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-cfg
data:
  GREETING: hello from the configmap
  file.txt: |
    configmap file
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: web-data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  restartPolicy: Never
  containers:
  - name: writer
    image: localhost/busybox:latest
    command: [sh, -c, 'echo "\$GREETING" > /data/greeting; exec sleep 1000']
    env:
    - name: GREETING
      valueFrom:
        configMapKeyRef:
          name: web-cfg
          key: GREETING
    - name: PLAIN
      value: plain value
    ports:
    - containerPort: 80
      hostPort: $PORT
    volumeMounts:
    - name: data
      mountPath: /data
  - name: reader
    image: localhost/busybox:latest
    command: [sleep, "1000"]
    workingDir: /cfg
    envFrom:
    - configMapRef:
        name: web-cfg
    volumeMounts:
    - name: cfg
      mountPath: /cfg
    - name: data
      mountPath: /shared
      readOnly: true
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: web-data
  - name: cfg
    configMap:
      name: web-cfg
EOF
}

teardown() {
    if [ -n "${PC_TEST_DIR:-}" ] && "$PC" help pod >/dev/null 2>&1; then
        "$PC" pod rm -fa -t 0 >/dev/null 2>&1 || true
    fi
    pc_teardown
}

# is_running NAME
is_running() { [ "$(ctr_state "$1")" = running ]; }

@test "kube play: a two-container pod with a ConfigMap (env, volume) and a PVC; --down removes it" {
    run_pc_split kube play "$PC_TEST_DIR/web.yaml"
    # podman 4.3's report: the PVC's volume, the pod, its two containers.
    [[ $output =~ ^Volumes:$'\n'web-data$'\n'Pod:$'\n'[0-9a-f]{64}$'\n'Containers:$'\n'[0-9a-f]{64}$'\n'[0-9a-f]{64}$ ]] || {
        echo "# output: $output" >&2
        false
    }
    pod_id=$(sed -n '4p' <<<"$output")
    run_pc pod inspect --format '{{.Name}}' "$pod_id"
    assert_equal "$output" "web"
    wait_for is_running web-writer
    wait_for is_running web-reader
    # Env from the ConfigMap key, from envFrom, and a plain value.
    run_pc exec web-writer sh -c 'echo "$GREETING"; echo "$PLAIN"'
    assert_equal "$output" $'hello from the configmap\nplain value'
    run_pc exec web-reader sh -c 'echo "$GREETING"'
    assert_equal "$output" "hello from the configmap"
    # The ConfigMap as a read-only volume of files; workingDir.
    run_pc exec web-reader cat file.txt
    assert_equal "$output" "configmap file"
    run_pc 1 exec web-reader touch /cfg/new
    # The PVC is a named volume both containers see.
    run_pc volume inspect --format '{{.Name}} {{.Driver}}' web-data
    assert_equal "$output" "web-data local"
    wait_for "$PC" exec web-reader test -s /shared/greeting
    run_pc exec web-reader cat /shared/greeting
    assert_equal "$output" "hello from the configmap"
    mp=$("$PC" volume inspect --format '{{.Mountpoint}}' web-data)
    assert_equal "$(cat "$mp/greeting")" "hello from the configmap"
    # One pod: one hostname, one network namespace.
    run_pc exec web-reader hostname
    assert_equal "$output" "web"
    a=$("$PC" exec web-writer readlink /proc/self/ns/net)
    b=$("$PC" exec web-reader readlink /proc/self/ns/net)
    assert_equal "$a" "$b"

    run_pc_split kube play --down "$PC_TEST_DIR/web.yaml"
    assert_equal "$output" $'Pods stopped:\n'"$pod_id"$'\nPods removed:\n'"$pod_id"$'\nVolumes removed:\nweb-cfg'
    run_pc pod ls -q
    assert_equal "$output" ""
    run_pc ps -aq
    assert_equal "$output" ""
    # The PVC's data stays (as podman's kube down without --force)...
    run_pc volume ls -q
    assert_equal "$output" "web-data"
    # ... until --force.
    run_pc kube down --force "$PC_TEST_DIR/web.yaml"
    assert_equal "$output" $'Volumes removed:\nweb-data'
    run_pc volume ls -q
    assert_equal "$output" ""
}

@test "kube generate: the pod round-trips through kube play and passes the Kubernetes schema check" {
    # A test dependency scripts/install-deps installs (scripts/deps.txt): its
    # absence fails the test rather than skipping the schema check.
    /usr/bin/python3 -c 'import kubernetes' || {
        echo "# python3-kubernetes is not installed: run scripts/install-deps" >&2
        false
    }
    run_pc kube play "$PC_TEST_DIR/web.yaml"
    wait_for is_running web-writer
    wait_for "$PC" exec web-reader test -s /shared/greeting
    run_pc_split kube generate -f "$PC_TEST_DIR/gen.yaml" web
    gen=$(cat "$PC_TEST_DIR/gen.yaml")
    # The Kubernetes API's models accept every document.
    run /usr/bin/python3 "$SCHEMA_CHECK" "$PC_TEST_DIR/gen.yaml"
    echo "$output"
    [ "$status" -eq 0 ]
    assert_contains "$output" " - Pod web"
    assert_contains "$gen" "kind: PersistentVolumeClaim"
    assert_contains "$gen" "claimName: web-data"
    # The ConfigMap's volume comes back as the ConfigMap, its files as data.
    assert_contains "$gen" "kind: ConfigMap"
    assert_contains "$gen" $'  file.txt: |\n    configmap file'
    assert_contains "$gen" "hostPort: $PORT"
    assert_contains "$gen" "    name: writer"
    # -f does not write over a file.
    run_pc 125 kube generate -f "$PC_TEST_DIR/gen.yaml" web
    # And the checker can fail: a field Kubernetes does not have.
    sed 's/^  containers:/  bogusField: 1\n  containers:/' "$PC_TEST_DIR/gen.yaml" >"$PC_TEST_DIR/bad.yaml"
    run /usr/bin/python3 "$SCHEMA_CHECK" "$PC_TEST_DIR/bad.yaml"
    [ "$status" -eq 1 ]
    assert_contains "$output" 'unknown field "bogusField" in V1PodSpec'

    # The generated YAML makes an equivalent pod again.
    run_pc kube down "$PC_TEST_DIR/web.yaml"
    run_pc kube play "$PC_TEST_DIR/gen.yaml"
    wait_for is_running web-writer
    wait_for is_running web-reader
    run_pc pod inspect --format '{{.Name}}' web
    run_pc exec web-writer sh -c 'echo "$GREETING"; echo "$PLAIN"'
    assert_equal "$output" $'hello from the configmap\nplain value'
    run_pc exec web-reader cat /shared/greeting
    assert_equal "$output" "hello from the configmap"
    run_pc exec web-reader pwd
    assert_equal "$output" "/cfg"
    run_pc exec web-reader cat file.txt
    assert_equal "$output" "configmap file"
    run_pc inspect --format '{{.Config.Entrypoint}} {{.Config.Image}}' web-reader
    assert_contains "$output" "[sleep 1000]"
    assert_contains "$output" "localhost/busybox:latest"
    # Generating again gives the same pod.
    run_pc kube generate web
    regen=$output
    assert_equal "$(grep -v '^#' <<<"$regen")" "$(grep -v '^#' <<<"$gen")"
    run_pc kube generate --type deployment -s web
    run /usr/bin/python3 "$SCHEMA_CHECK" - <<<"$output"
    echo "$output"
    [ "$status" -eq 0 ]
    assert_contains "$output" "Deployment web-deployment"
    assert_contains "$output" "Service web"
}

@test "kube play: a Deployment with replicas 2 makes two pods; play kube and kube down" {
    cat >"$PC_TEST_DIR/dep.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: dep
spec:
  replicas: 2
  selector:
    matchLabels: {app: dep}
  template:
    metadata:
      labels: {app: dep}
    spec:
      containers:
      - name: c
        image: localhost/busybox:latest
        command: [sleep, "1000"]
EOF
    run_pc play kube "$PC_TEST_DIR/dep.yaml"
    assert_equal "$(grep -c '^Pod:$' <<<"$output")" 2
    run_pc pod ls --format '{{.Name}}'
    assert_equal "$(sort <<<"$output")" $'dep-pod-0\ndep-pod-1'
    wait_for is_running dep-pod-0-c
    wait_for is_running dep-pod-1-c
    run_pc kube down "$PC_TEST_DIR/dep.yaml"
    assert_equal "$(grep -c '^[0-9a-f]\{64\}$' <<<"$output")" 4
    run_pc pod ls -q
    assert_equal "$output" ""
}

@test "kube play: --start=false, --replace, --configmap" {
    cat >"$PC_TEST_DIR/cm.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata: {name: extra}
data: {FROM_FILE: "yes, from --configmap"}
EOF
    cat >"$PC_TEST_DIR/p.yaml" <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: localhost/busybox:latest
    command: [sleep, "1000"]
    env:
    - name: FROM_FILE
      valueFrom: {configMapKeyRef: {name: extra, key: FROM_FILE}}
EOF
    # The ConfigMap is in no file played: a clear error, nothing left.
    run_pc 125 kube play "$PC_TEST_DIR/p.yaml"
    assert_contains "$output" 'ConfigMap "extra" is not in the file or the --configmap files'
    run_pc pod ls -q
    assert_equal "$output" ""
    run_pc kube play --start=false --configmap "$PC_TEST_DIR/cm.yaml" "$PC_TEST_DIR/p.yaml"
    first=$(sed -n 2p <<<"$output")
    assert_equal "$(ctr_state p-c)" "created"
    # Played again: the pod exists.
    run_pc 125 kube play --configmap "$PC_TEST_DIR/cm.yaml" "$PC_TEST_DIR/p.yaml"
    run_pc kube play --replace --configmap "$PC_TEST_DIR/cm.yaml" "$PC_TEST_DIR/p.yaml"
    second=$(sed -n 2p <<<"$output")
    assert_not_equal "$second" "$first"
    wait_for is_running p-c
    run_pc exec p-c sh -c 'echo "$FROM_FILE"'
    assert_equal "$output" "yes, from --configmap"
}

@test "kube play: unknown and ignored fields are reported with their line, not dropped silently" {
    cat >"$PC_TEST_DIR/u.yaml" <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: u
  namespace: prod
spec:
  nodeSelector: {disk: ssd}
  containers:
  - name: c
    image: localhost/busybox:latest
    command: [sleep, "1000"]
    imagePullPolicy: Never
    livenessProbe: {exec: {command: [true]}}
    bogusField: 1
EOF
    run_pc_split kube play "$PC_TEST_DIR/u.yaml"
    assert_contains "$stderr" 'u.yaml:14: Pod "u": spec.containers[0].bogusField: unknown field, ignored'
    assert_contains "$stderr" 'u.yaml:13: Pod "u": spec.containers[0].livenessProbe: not supported by pc, ignored'
    assert_contains "$stderr" 'u.yaml:7: Pod "u": spec.nodeSelector: not supported by pc, ignored'
    assert_contains "$stderr" 'u.yaml:5: Pod "u": metadata.namespace: not supported by pc, ignored'
    wait_for is_running u-c
    # A field of the wrong type is refused, as the API server refuses it.
    sed 's/bogusField: 1/ports: [{containerPort: "80"}]/' "$PC_TEST_DIR/u.yaml" >"$PC_TEST_DIR/t.yaml"
    run_pc 125 kube play --replace "$PC_TEST_DIR/t.yaml"
    assert_contains "$output" 'Error: '"$PC_TEST_DIR"'/t.yaml:14: Pod "u": spec.containers[0].ports[0].containerPort: expected an integer, got string'
}

@test "kube play: malformed and hostile YAML is a clear error with 125, nothing made" {
    run_pc 125 kube play - <<<$'apiVersion: v1\nkind: Pod\nmetadata: {name: [x}\n'
    assert_equal "$output" "Error: stdin:3: did not find expected ',' or ']' while parsing a flow sequence"
    run_pc 125 kube play - <<<$'a: 1\n\tb: 2\n'
    assert_contains "$output" "Error: stdin:2: "
    run_pc 125 kube play "$PC_TEST_DIR/missing.yaml"
    assert_contains "$output" "missing.yaml"
    # An alias bomb: refused quickly, by its size once expanded.
    {
        echo 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
        prev=a
        for n in b c d e f g h i; do
            echo "$n: &$n [*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev]"
            prev=$n
        done
    } >"$PC_TEST_DIR/bomb.yaml"
    run_pc 125 kube play "$PC_TEST_DIR/bomb.yaml"
    assert_contains "$output" "document too large"
    # Deep nesting.
    printf '%*s' 5000 '' | tr ' ' '[' >"$PC_TEST_DIR/deep.yaml"
    run_pc 125 kube play "$PC_TEST_DIR/deep.yaml"
    assert_contains "$output" "nested deeper than 64 levels"
    # Not Kubernetes at all.
    run_pc 125 kube play - <<<'just a string'
    assert_contains "$output" "stdin:1: a document must be a map, not a string"
    run_pc pod ls -q
    assert_equal "$output" ""
    run_pc volume ls -q
    assert_equal "$output" ""
}

@test "kube play: a Job's init container, a Secret as env and volume, emptyDir, hostPath, runAsUser" {
    mkdir -p "$PC_TEST_DIR/host"
    cat >"$PC_TEST_DIR/job.yaml" <<EOF2
apiVersion: v1
kind: Secret
metadata: {name: sec}
data: {password: $(printf 's3cret' | base64)}
---
apiVersion: batch/v1
kind: Job
metadata: {name: job}
spec:
  template:
    spec:
      restartPolicy: Never
      initContainers:
      - name: init
        image: localhost/busybox:latest
        command: [sh, -c, 'echo from-init > /work/init.txt']
        volumeMounts: [{name: work, mountPath: /work}]
      containers:
      - name: main
        image: localhost/busybox:latest
        command: [sleep, "1000"]
        env: [{name: PW, valueFrom: {secretKeyRef: {name: sec, key: password}}}]
        securityContext: {runAsUser: 1000, runAsGroup: 1000}
        volumeMounts:
        - {name: work, mountPath: /work}
        - {name: sec, mountPath: /sec}
        - {name: hp, mountPath: /hp}
      volumes:
      - {name: work, emptyDir: {}}
      - {name: sec, secret: {secretName: sec}}
      - {name: hp, hostPath: {path: $PC_TEST_DIR/host/made, type: DirectoryOrCreate}}
EOF2
    run_pc kube play "$PC_TEST_DIR/job.yaml"
    assert_contains "$output" $'Container:\n'
    assert_contains "$output" $'Init Container:\n'
    wait_for is_running job-pod-main
    # The init container ran first, into the pod's emptyDir, and is gone.
    run_pc exec job-pod-main cat /work/init.txt
    assert_equal "$output" "from-init"
    run_pc 1 container exists job-pod-init
    run_pc exec job-pod-main sh -c 'id -u; echo "$PW"; cat /sec/password'
    assert_equal "$output" $'1000\ns3cret\ns3cret'
    [ -d "$PC_TEST_DIR/host/made" ]
    # A volume of the user's under the Secret's name is never written over.
    run_pc kube down "$PC_TEST_DIR/job.yaml"
    run_pc volume create sec
    run_pc 125 kube play "$PC_TEST_DIR/job.yaml"
    assert_contains "$output" 'volume "sec" exists and was not made by kube play'
    run_pc pod ls -q
    assert_equal "$output" ""
    # kube generate of something that is not there.
    run_pc 125 kube generate nosuch
    assert_equal "$output" 'Error: name or ID "nosuch" not found'
}

@test "kube generate: a container outside a pod (volume, bind, tmpfs, ports, securityContext) round-trips" {
    mkdir -p "$PC_TEST_DIR/bind"
    run_pc run -d --name solo -p "$PORT:8080" -v vol1:/v -v "$PC_TEST_DIR/bind:/b:ro" --tmpfs /scratch \
        --cap-add NET_ADMIN --cap-drop CHOWN --read-only -e FOO=bar -w /tmp -u 1000:1000 \
        --security-opt no-new-privileges localhost/busybox:latest sleep 1000
    run_pc generate kube -f "$PC_TEST_DIR/solo.yaml" solo
    run /usr/bin/python3 "$SCHEMA_CHECK" "$PC_TEST_DIR/solo.yaml"
    echo "$output"
    [ "$status" -eq 0 ]
    gen=$(cat "$PC_TEST_DIR/solo.yaml")
    for want in "claimName: vol1" "path: $PC_TEST_DIR/bind" "medium: Memory" "hostPort: $PORT" \
        "- NET_ADMIN" "- CHOWN" "readOnlyRootFilesystem: true" "allowPrivilegeEscalation: false" \
        "runAsUser: 1000" "runAsGroup: 1000" "workingDir: /tmp" "value: bar"; do
        assert_contains "$gen" "$want"
    done
    run_pc rm -f -t 0 solo
    run_pc kube play "$PC_TEST_DIR/solo.yaml"
    wait_for is_running solo-pod-solo
    run_pc inspect --format '{{.Config.User}} {{.Config.WorkingDir}} {{.HostConfig.CapAdd}} {{.HostConfig.CapDrop}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.SecurityOpt}}' solo-pod-solo
    assert_equal "$output" "1000:1000 /tmp [CAP_NET_ADMIN] [CAP_CHOWN] true [no-new-privileges]"
    run_pc exec solo-pod-solo sh -c 'echo "$FOO"; grep -c " /scratch tmpfs " /proc/mounts'
    assert_equal "$output" $'bar\n1'
    # The bind is read-only again, the volume writable.
    run_pc exec solo-pod-solo touch /v/x
    run_pc 1 exec solo-pod-solo touch /b/x
}

@test "kube play: an env name with '=' and a subPath through a symbolic link in the volume are refused" {
    # env name A=B would give the process A="B=x", not the variable named.
    run_pc 125 kube play - <<<$'apiVersion: v1\nkind: Pod\nmetadata: {name: e}\nspec:\n  containers:\n  - name: c\n    image: localhost/busybox:latest\n    env: [{name: "PATH=/evil:", value: x}]\n'
    assert_contains "$output" "env[0]: name \"PATH=/evil:\": a valid environment variable name"
    run_pc pod ls -q
    assert_equal "$output" ""
    # A symbolic link a container left in its volume does not take the
    # subPath (nor the directories made for it) outside the volume.
    mkdir "$PC_TEST_DIR/outside"
    run_pc volume create data
    run_pc volume inspect --format '{{.Mountpoint}}' data
    ln -s "$PC_TEST_DIR/outside" "$output/esc"
    cat >"$PC_TEST_DIR/sub.yaml" <<EOF2
apiVersion: v1
kind: Pod
metadata: {name: sub}
spec:
  containers:
  - name: c
    image: localhost/busybox:latest
    command: [sleep, "1000"]
    volumeMounts: [{name: d, mountPath: /d, subPath: esc/made}]
  volumes:
  - {name: d, persistentVolumeClaim: {claimName: data}}
EOF2
    run_pc 125 kube play "$PC_TEST_DIR/sub.yaml"
    assert_contains "$output" "subPath esc/made: esc is a symbolic link"
    [ ! -e "$PC_TEST_DIR/outside/made" ]
    run_pc pod ls -q
    assert_equal "$output" ""
    # A plain subPath is made inside the volume and mounted.
    sed -i 's|esc/made|in/made|' "$PC_TEST_DIR/sub.yaml"
    run_pc kube play "$PC_TEST_DIR/sub.yaml"
    wait_for is_running sub-c
    run_pc exec sub-c touch /d/file
    run_pc volume inspect --format '{{.Mountpoint}}' data
    [ -e "$output/in/made/file" ]
}

@test "kube down: a pod the file names twice is stopped and removed once, exit 0" {
    cat >"$PC_TEST_DIR/twice.yaml" <<EOF2
apiVersion: v1
kind: Pod
metadata: {name: twice}
spec:
  containers:
  - {name: c, image: localhost/busybox:latest, command: [sleep, "1000"]}
---
apiVersion: v1
kind: Pod
metadata: {name: twice}
spec:
  containers:
  - {name: d, image: localhost/busybox:latest, command: [sleep, "1000"]}
EOF2
    # The second pod's name is taken by the first, as in podman.
    run_pc 125 kube play "$PC_TEST_DIR/twice.yaml"
    assert_contains "$output" 'name "twice" is in use'
    run_pc pod inspect --format '{{.Id}}' twice
    id=$output
    run_pc kube down "$PC_TEST_DIR/twice.yaml"
    assert_equal "$output" $'Pods stopped:\n'"$id"$'\nPods removed:\n'"$id"
    run_pc pod ls -q
    assert_equal "$output" ""
}
