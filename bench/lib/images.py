"""Small distinct images for the `images` cases: docker-archives (as
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


def _image(n, ref):
    """(config name, config, layer name, layer, manifest entry) of image n."""
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
    entry = {"Config": config_name, "RepoTags": [ref], "Layers": [layer_name]}
    return config_name, config, layer_name, layer, entry


def write_many(path, numbers, refs):
    """One docker-archive holding image n (tagged refs[n]) for each n in
    numbers, as `docker save IMG...` writes several images."""
    entries = []
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as t:
        for n in numbers:
            config_name, config, layer_name, layer, entry = _image(n, refs[n])
            _add(t, config_name, config)
            _add(t, layer_name, layer)
            entries.append(entry)
        _add(t, "manifest.json", _dumps(entries))


def _add_file(t, name, path, mode=0o755):
    with open(path, "rb") as f:
        data = f.read()
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = MTIME
    info.mode = mode
    t.addfile(info, io.BytesIO(data))


def _add_dir(t, name, mode=0o755):
    d = tarfile.TarInfo(name)
    d.type = tarfile.DIRTYPE
    d.mode = mode
    d.mtime = MTIME
    t.addfile(d)


def _ldd(binary):
    """The shared objects binary loads, as ldd names them (paths)."""
    import subprocess
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    paths = []
    for line in out.splitlines():
        parts = line.split()
        if "=>" in parts and len(parts) >= 3 and parts[2].startswith("/"):
            paths.append(parts[2])
        elif parts and parts[0].startswith("/"):
            paths.append(parts[0])
    return paths


def tools_archive(path, ref, busybox, binaries):
    """A docker-archive of one layer: the host's static busybox as /bin/sh
    (and sleep, cat, wget...), and each of `binaries` (host paths) with the
    shared objects it loads, at the same paths: an image that runs the
    host's iperf3 in a container, for pc and podman alike."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        dirs = set()

        def parents(p):
            parts = p.strip("/").split("/")[:-1]
            for k in range(1, len(parts) + 1):
                d = "/".join(parts[:k])
                if d not in dirs:
                    dirs.add(d)
                    _add_dir(t, d)

        for d in ("tmp",):
            dirs.add(d)
            _add_dir(t, d, 0o1777)
        parents("bin/busybox")
        _add_file(t, "bin/busybox", busybox)
        for applet in ("sh", "sleep", "cat", "wget", "cut", "echo", "true"):
            link = tarfile.TarInfo("bin/" + applet)
            link.type = tarfile.SYMTYPE
            link.linkname = "busybox"
            link.mtime = MTIME
            t.addfile(link)
        seen = set()
        for b in binaries:
            for p in [b] + _ldd(b):
                if p in seen:
                    continue
                seen.add(p)
                name = p.lstrip("/")
                parents(name)
                _add_file(t, name, os.path.realpath(p))
    layer = buf.getvalue()
    diff_id = hashlib.sha256(layer).hexdigest()
    config = _dumps({
        "architecture": _arch(), "os": "linux",
        "created": "2024-01-01T00:00:00Z",
        "config": {"Cmd": ["/bin/sh"], "Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff_id]},
        "history": [{"created": "2024-01-01T00:00:00Z",
                     "created_by": "bench/lib/images.py tools_archive"}],
    })
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    layer_name = diff_id + "/layer.tar"
    manifest = _dumps([{"Config": config_name, "RepoTags": [ref], "Layers": [layer_name]}])
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as t:
        _add(t, config_name, config)
        _add(t, layer_name, layer)
        _add(t, "manifest.json", manifest)


def big_archive(path, ref, layers=5, mib=20, seed=14):
    """A docker-archive of `layers` layers of `mib` MiB each, every layer one
    file of pseudo-random (incompressible) bytes, deterministic: the larger
    pull case (issue 14: about 100 MB in 5 layers)."""
    import random
    rng = random.Random(seed)
    blobs, diff_ids = [], []
    for k in range(layers):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
            _add(t, "big-%d.bin" % k, rng.randbytes(mib << 20))
        blobs.append(buf.getvalue())
        diff_ids.append("sha256:" + hashlib.sha256(blobs[-1]).hexdigest())
    config = _dumps({
        "architecture": _arch(), "os": "linux",
        "created": "2024-01-01T00:00:00Z",
        "config": {"Cmd": ["/bin/sh"], "Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": "2024-01-01T00:00:00Z",
                     "created_by": "bench/lib/images.py big_archive layer %d" % k}
                    for k in range(layers)],
    })
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    names = [d[7:] + "/layer.tar" for d in diff_ids]
    manifest = _dumps([{"Config": config_name, "RepoTags": [ref], "Layers": names}])
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as t:
        _add(t, config_name, config)
        for name, blob in zip(names, blobs):
            _add(t, name, blob)
        _add(t, "manifest.json", manifest)
