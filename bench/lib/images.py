"""Small distinct images for the `images` case: docker-archives (as
`docker save` writes them) with one tiny layer each, deterministic bytes."""

import hashlib
import io
import json
import os
import platform
import tarfile

MTIME = 1704067200  # 2024-01-01T00:00:00Z


def _arch():
    m = platform.machine()
    return {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm",
            "i686": "386"}.get(m, m)


def _dumps(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def _add(t, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = MTIME
    info.mode = 0o644
    t.addfile(info, io.BytesIO(data))


def _layer(n):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        d = tarfile.TarInfo("bench")
        d.type = tarfile.DIRTYPE
        d.mode = 0o755
        d.mtime = MTIME
        t.addfile(d)
        _add(t, "bench/image-%03d" % n, b"bench image %d\n" % n)
    return buf.getvalue()


def write_archive(path, n, ref):
    layer = _layer(n)
    diff_id = hashlib.sha256(layer).hexdigest()
    config = _dumps({
        "architecture": _arch(), "os": "linux",
        "created": "2024-01-01T00:00:00Z",
        "config": {"Cmd": ["/bench/image-%03d" % n],
                   "Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff_id]},
        "history": [{"created": "2024-01-01T00:00:00Z",
                     "created_by": "bench/lib/images.py image %d" % n}],
    })
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    layer_name = diff_id + "/layer.tar"
    manifest = _dumps([{"Config": config_name, "RepoTags": [ref], "Layers": [layer_name]}])
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as t:
        _add(t, config_name, config)
        _add(t, layer_name, layer)
        _add(t, "manifest.json", manifest)


def many(dest, count):
    """count archives in dest; returns (paths, image references)."""
    os.makedirs(dest, exist_ok=True)
    paths, refs = [], []
    for n in range(count):
        ref = "localhost/bench-image-%03d:latest" % n
        p = os.path.join(dest, "image-%03d.docker.tar" % n)
        if not os.path.exists(p):
            write_archive(p, n, ref)
        paths.append(p)
        refs.append(ref)
    return paths, refs
