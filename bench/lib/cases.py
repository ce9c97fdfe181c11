"""The cases of bench/: one function per case, each returning a record with
the samples of pc, podman and the floor (or why a tool did not run).

Every case goes through ctx.gate(): a pc command that does not exist yet
makes the pc side "not run: pc has no `X` command yet", never a number."""

import json
import os
import shutil
import socket
import subprocess
import threading
import time

from context import make_variants
from engine import Failed, PythonStep, Variant, describe
import images
import procinfo

# pid 1 of the stop case: exits at once on SIGTERM, so `stop` measures the
# stop path and not the 10 s kill timeout.
INIT_TERM = "trap 'exit 0' TERM; sleep 600 & wait"


def reset_dir(path):
    if os.path.lexists(path):
        for root, dirs, _ in os.walk(path):
            for d in dirs:
                p = os.path.join(root, d)
                if not os.path.islink(p):
                    os.chmod(p, 0o700)
        shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)


def bwrap_true(ctx):
    return ["bwrap", "--unshare-all", "--die-with-parent",
            "--ro-bind", ctx.rootfs(), "/", "--proc", "/proc", "--dev", "/dev",
            "/bin/true"]


# -- rootless namespace entry ---------------------------------------------------
def case_unshare(ctx):
    case = {"id": "unshare", "title": "rootless namespace entry: `unshare true`",
            "about": "Enter the tool's rootless user namespace (subuid mapping) and run "
                     "`true`. Floor: `unshare -r true` (a user namespace with a "
                     "single-id map, no newuidmap)."}

    def build(tool):
        if tool == "floor":
            return Variant("floor", [["unshare", "-r", "true"]])
        v = Variant(tool, [ctx.argv(tool, "unshare", "true")])
        ctx.gate(v, ["unshare"])
        return v

    w, r = ctx.counts((3, 30), (2, 10))
    return ctx.timed(case, make_variants(ctx, build), w, r)


def image_variant(ctx, tool, cmd, args, refs, notes):
    """A variant that adds an image to a store that must not have it yet:
    `rmi -f` of refs before each run (untimed), or with a pc that has no
    `rmi` yet, a fresh empty --root for every pc run."""
    if tool == "pc" and ctx.pc_has(cmd) and not ctx.pc_has("rmi"):
        roots = ctx.work("pc-fresh-roots")

        def fresh(i):
            return [ctx.pc, "--root", os.path.join(roots, "%s-%d" % (cmd, i)),
                    "--runroot", os.path.join(roots, "%s-%d.run" % (cmd, i))] + args
        notes.append("pc has no `rmi` command yet: each pc run uses a fresh, empty "
                     "`--root` instead.")
        return Variant("pc", [fresh], label=describe(fresh(0)).replace("-0", "-N"))
    # Every image the run may add goes: images share layers, and a store that
    # already holds a layer skips its download or extraction.
    v = Variant(tool, [ctx.argv(tool, *args)],
                prepare=[ctx.argv(tool, "rmi", "-f", r) for r in refs],
                tolerate_prepare=True)
    ctx.gate(v, [cmd, "rmi"])
    return v


# -- load (layer extraction) ------------------------------------------------------
def case_load(ctx, name):
    archive = ctx.archives[name]
    layers = ctx.extract_layers(name)
    dest = ctx.work("floor-extract-" + name)
    notes = []
    case = {"id": "load-" + name,
            "title": "`load -i %s.docker.tar` (%d layer%s)" % (name, len(layers),
                                                              "s" if len(layers) > 1 else ""),
            "about": "Load the fixture docker-archive into a store without images (both "
                     "fixture images are removed, untimed, before each run). Floor: `tar -x` of the same "
                     "layer blobs into an empty directory, no digest checks."}

    def build(tool):
        if tool == "floor":
            return Variant("floor", [["tar", "-x", "-f", p, "-C", dest] for p in layers],
                           prepare=[PythonStep(lambda i: reset_dir(dest), "empty DIR")],
                           label="tar -x -f LAYER -C DIR (each of the %d layers)" % len(layers))
        return image_variant(ctx, tool, "load", ["load", "-i", archive],
                             list(ctx.refs.values()), notes)

    w, r = ctx.counts((1, 10), (1, 3))
    try:
        return ctx.timed(case, make_variants(ctx, build), w, r, notes)
    finally:
        ctx.loaded.clear()  # the runs removed the fixtures: load them again when needed


# -- container start ----------------------------------------------------------------
def case_run_rm(ctx, network_none):
    net = ["--network", "none"] if network_none else []
    case = {"id": "run-rm-true" + ("-netnone" if network_none else ""),
            "title": "`run --rm %sbusybox true`" % ("--network none " if network_none else ""),
            "about": "Start a container from the busybox fixture, run `true`, remove it. "
                     "Floor: `bwrap --unshare-all` of the same root filesystem running "
                     "`/bin/true` (namespaces + exec, no image store, no monitor)."
                     + ("" if network_none else
                        " This is the default network (podman: slirp4netns); the floor "
                        "has an empty network namespace.")}

    def build(tool):
        if tool == "floor":
            return Variant("floor", [bwrap_true(ctx)],
                           label="bwrap --unshare-all --ro-bind ROOTFS / --proc /proc --dev /dev /bin/true")
        v = Variant(tool, [ctx.argv(tool, "run", "--rm", *net, ctx.refs["busybox"], "true")])
        ctx.gate(v, ["run"], image=True)
        return v

    variants = make_variants(ctx, build)
    notes = []
    if not network_none:
        for v in variants:
            if v.tool == "floor" or v.status is not None:
                continue
            names, note = interfaces(ctx, v.tool)
            notes.append(note)
            if v.tool == "pc" and names == ["lo"]:
                v.skip("pc has no default network yet: its container has only `lo` "
                       "(podman's default is slirp4netns)")
    w, r = ctx.counts((3, 30), (1, 8))
    return ctx.timed(case, variants, w, r, notes)


def case_run_rm_keepid(ctx):
    """`run --rm --userns=keep-id`: the container's own user namespace and the
    image seen through an id shift (pc: fuse-overlayfs uidmapping=; podman:
    its storage's idmapped copy of the image), against run-rm-true-netnone."""
    case = {"id": "run-rm-true-keepid",
            "title": "`run --rm --network none --userns=keep-id busybox true`",
            "about": "As run-rm-true-netnone, with `--userns=keep-id`: a user namespace "
                     "nested in the rootless one, the user's uid inside, the image's root "
                     "files still root's. Compare with run-rm-true-netnone from the same "
                     "run for the cost of keep-id. Floor: the same bwrap as there."}

    def build(tool):
        if tool == "floor":
            return Variant("floor", [bwrap_true(ctx)],
                           label="bwrap --unshare-all --ro-bind ROOTFS / --proc /proc --dev /dev /bin/true")
        v = Variant(tool, [ctx.argv(tool, "run", "--rm", "--network", "none", "--userns=keep-id",
                                    ctx.refs["busybox"], "true")])
        ctx.gate(v, ["run"], image=True)
        return v

    w, r = ctx.counts((3, 30), (1, 8))
    return ctx.timed(case, make_variants(ctx, build), w, r)


def interfaces(ctx, tool):
    """The interfaces the default network gives (names, note), so a reader
    can tell whether both tools set up the same thing."""
    argv = ctx.argv(tool, "run", "--rm", ctx.refs["busybox"], "cat", "/proc/net/dev")
    rc, out, err = ctx.runner.run(argv, capture=True)
    if rc != 0:
        return None, "%s: could not list the container's interfaces (%s)" % (
            tool, " ".join(err.strip().splitlines()[-1:]))
    names = [l.split(":", 1)[0].strip() for l in out.splitlines() if ":" in l]
    return names, "%s's container has the interfaces: %s" % (tool, ", ".join(names) or "none")


def case_breakdown(ctx):
    """Where pc's start time goes: each line pc writes with --log-level debug,
    stamped with the time since the command started."""
    case = {"id": "run-rm-breakdown", "kind": "info",
            "title": "where `pc run --rm --network none busybox true` spends its time",
            "about": "One run with `--log-level debug`; each stderr line is stamped with "
                     "the milliseconds since pc started (taken by the bench as the line "
                     "arrives). Only what pc logs today is shown."}
    argv = [ctx.pc, "--log-level", "debug", "run", "--rm", "--network", "none",
            ctx.refs["busybox"], "true"]
    case["command"] = describe(argv)
    lines = []
    if not ctx.pc_has("run"):
        case.update(status="not run", reason="pc has no `run` command yet", lines=lines)
        return case
    if "run" in ctx.hung:
        case.update(status="not run", lines=lines,
                    reason="`pc run` hung in case %s; not tried again" % ctx.hung["run"])
        return case
    reason = ctx.ensure_loaded("pc")
    if reason:
        case.update(status="not run", reason="fixture images not loaded: " + reason, lines=lines)
        return case
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, env=ctx.env)

    def read():
        for raw in p.stderr:
            lines.append([round((time.perf_counter() - t0) * 1000, 2),
                          raw.decode(errors="replace").rstrip()])
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    expired = []

    def kill():
        expired.append(True)
        p.kill()
    timer = threading.Timer(ctx.runner.timeout, kill)
    timer.start()
    rc = p.wait()
    timer.cancel()
    if expired:
        rc = None
    total = (time.perf_counter() - t0) * 1000
    # A monitor that inherited stderr may hold it open: do not wait for EOF.
    reader.join(0.5)
    lines = lines[:200]
    if rc is None:
        ctx.hung.setdefault("run", case["id"])
        case.update(status="failed", total_ms=round(total, 2), lines=lines,
                    reason="timed out after %d s, killed" % ctx.runner.timeout)
        return case
    case.update(status="ok" if rc == 0 else "failed", exit=rc, total_ms=round(total, 2),
                lines=lines, reason=None if rc == 0 else "exited %d" % rc)
    return case


# -- run -d + stop + rm ---------------------------------------------------------------
def case_run_stop_rm(ctx):
    case = {"id": "run-d-stop-rm",
            "title": "`run -d` + `stop` + `rm` (pid 1 exits on SIGTERM)",
            "about": "Start a detached container whose pid 1 is `sh -c \"%s\"`, stop it "
                     "(SIGTERM, which it handles at once), remove it; the three commands "
                     "are timed together. No floor." % INIT_TERM}

    def build(tool):
        if tool == "floor":
            return None

        def name(i):
            return "bench-rds-%d" % i
        img = ctx.refs["busybox"]
        v = Variant(tool, [
            lambda i: ctx.argv(tool, "run", "-d", "--network", "none", "--name", name(i),
                               img, "sh", "-c", INIT_TERM),
            lambda i: ctx.argv(tool, "stop", name(i)),
            lambda i: ctx.argv(tool, "rm", name(i))],
            cleanup=[lambda i: ctx.argv(tool, "rm", "-f", "-t", "0", name(i))],
            label="run -d --network none --name N busybox sh -c '...' && stop N && rm N")
        ctx.gate(v, ["run", "stop", "rm"], image=True)
        return v

    w, r = ctx.counts((2, 20), (1, 5))
    return ctx.timed(case, make_variants(ctx, build), w, r)


# -- create x100 (the ps -a cases, scalecases.py, start from them) --------------------------------------------
def case_create(ctx):
    case = {"id": "create",
            "title": "`create busybox true`, 100 times",
            "about": "Create 100 containers, one `create` per sample (3 of them as "
                     "warm-up). They stay for the `ps -a` cases. Floor: `unshare -r true` "
                     "(a user namespace with a single-id map), the least a rootless "
                     "tool must do."}

    def build(tool):
        if tool == "floor":
            return Variant("floor", [["unshare", "-r", "true"]])
        v = Variant(tool, [ctx.argv(tool, "create", ctx.refs["busybox"], "true")])
        ctx.gate(v, ["create"], image=True)
        return v

    return ctx.timed(case, make_variants(ctx, build), 3, 97)


# -- monitor RSS ----------------------------------------------------------------------------
def case_rss(ctx, network=False):
    n = ctx.counts(10, 3)
    case = {"id": "monitor-rss" + ("-net" if network else ""),
            "title": "monitor RSS per idle container (pc's monitor vs conmon)"
                     + (", default network" if network else ""),
            "about": "Start %d detached `sleep` containers, then read VmRSS (and Pss, "
                     "private memory) of "
                     "each container's monitor process, found by the pid the tool "
                     "records (`inspect` .State.ConmonPid, or pc's monitor.pid). "
                     "Lower is better. No floor." % n
                     + (" With the default network: pc's monitor runs libslirp itself; "
                        "podman's network is a separate slirp4netns process per container, "
                        "not counted here." if network else "")}
    net = [] if network else ["--network", "none"]
    variants = []
    for tool in ("pc", "podman"):
        v = Variant(tool, [], label=("pc monitor" if tool == "pc" else "conmon"))
        ctx.gate(v, ["run", "rm"], image=True)
        variants.append(v)
        if v.status is not None:
            continue
        names = ["bench-rss-%s-%d" % (tool, k) for k in range(n)]
        try:
            ids = []
            for name in names:
                out = ctx.runner.check(ctx.argv(tool, "run", "-d", *net,
                                                 "--name", name, ctx.refs["busybox"],
                                                 "sleep", "100000"),
                                       "starting an idle container", capture=True)
                ids.append(out.strip().splitlines()[-1] if out.strip() else "")
            time.sleep(1)
            pss, private, pids = [], [], []
            for name, cid in zip(names, ids):
                pid = procinfo.monitor_pid(ctx, tool, name, cid)
                rss, p, u = procinfo.memory(pid)
                v.samples.append(rss)
                pss.append(p)
                private.append(u)
                pids.append(pid)
            v.extra.update(pss_kib=pss, private_kib=private, pids=pids,
                           comm=procinfo.comm(pids[0]))
            v.status = "ok"
        except Failed as e:
            v.fail(str(e))
        finally:
            ctx.runner.run(ctx.argv(tool, "rm", "-f", "-t", "0", *names))
    case.update(kind="rss", unit="KiB", runs=n, warmup=0,
                variants=[v.as_dict() for v in variants], notes=[])
    return case


# -- network throughput ------------------------------------------------------------------------
def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_http(ctx, url, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        rc, _, err = ctx.runner.run(["curl", "-sf", "-o", "/dev/null", "--max-time", "10", url],
                                    timeout=20)
        if rc == 0:
            return
        if time.monotonic() > deadline:
            raise Failed("%s did not answer within %d s: curl exited %d %s"
                         % (url, seconds, rc, err.strip()))
        time.sleep(0.2)


def case_net(ctx):
    mib = 512
    case = {"id": "net-throughput",
            "title": "download %d MiB over a published port (`-p 127.0.0.1:PORT:80`)" % mib,
            "about": "busybox httpd in a container serves a %d MiB file; `curl` on the "
                     "host fetches it through the tool's port forwarding. Floor: the "
                     "host's busybox httpd on loopback, same file, same curl." % mib,
            "bytes": mib << 20}
    # A sparse file: nothing written to the container's layer.
    script = ("mkdir -p /tmp/www && dd if=/dev/zero of=/tmp/www/big bs=1048576 count=0 seek=%d "
              "2>/dev/null && exec httpd -f -p 80 -h /tmp/www" % mib)
    floor_dir = ctx.work("www")
    os.makedirs(floor_dir, exist_ok=True)
    with open(os.path.join(floor_dir, "big"), "wb") as f:
        f.truncate(mib << 20)
    server = None
    started = []
    variants = []
    try:
        for tool in ("pc", "podman", "floor"):
            port = free_port()
            url = "http://127.0.0.1:%d/big" % port
            server_text = ("busybox httpd on the host" if tool == "floor" else
                           "%s run -d -p 127.0.0.1:PORT:80 busybox httpd" % tool)
            v = Variant(tool, [["curl", "-sf", "-o", "/dev/null", url]],
                        label="curl -sf -o /dev/null http://127.0.0.1:PORT/big (server: %s)"
                              % server_text)
            variants.append(v)
            if tool == "floor":
                server = subprocess.Popen(["busybox", "httpd", "-f", "-p", "127.0.0.1:%d" % port,
                                           "-h", floor_dir], env=ctx.env,
                                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL)
            else:
                ctx.gate(v, ["run", "rm"], image=True)
                if v.tool == "pc" and v.status is None and not ctx.pc_has_flag("run", "--publish"):
                    v.skip("`pc run` has no `--publish` (-p) option yet")
                if v.status is not None:
                    continue
                try:
                    ctx.runner.check(ctx.argv(tool, "run", "-d", "--name", "bench-http-" + tool, "-p",
                                              "127.0.0.1:%d:80" % port, ctx.refs["busybox"],
                                              "sh", "-c", script), "starting the web server")
                    started.append(tool)
                except Failed as e:
                    v.fail("setup: " + str(e))
                    continue
            try:
                wait_http(ctx, url)
            except Failed as e:
                v.fail("setup: " + str(e))
        w, r = ctx.counts((1, 10), (1, 3))
        case = ctx.timed(case, variants, w, r)
        import netcases
        case["notes"] += netcases.throughput_notes(variants)
        return case
    finally:
        ctx.loaded.clear()
        if server is not None:
            server.terminate()
            server.wait()
        for tool in started:
            ctx.runner.run(ctx.argv(tool, "rm", "-f", "-t", "0", "bench-http-" + tool))


# -- pull from a local registry -------------------------------------------------------------
REGISTRY_CONFIG = """\
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {root}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:{port}
"""


def case_pull(ctx, name="layered"):
    """pull of the layered fixture, or of `big` (about 100 MB of incompressible
    bytes in 5 layers, bench/lib/images.py big_archive), from Debian's
    docker-registry on loopback. Floor: `skopeo copy` of the same image to a
    directory (download and digest checks, no extraction, no store)."""
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    host = "127.0.0.1:%d" % port
    what = ("the layered fixture (3 layers)" if name == "layered" else
            "a 100 MiB image (5 layers of 20 MiB of incompressible bytes, gzip)")
    case = {"id": "pull-" + name,
            "title": "`pull --tls-verify=false` of %s from a local registry" % what,
            "about": "Debian's docker-registry on 127.0.0.1 holds the images (pushed "
                     "with skopeo); the tool pulls `%s` into a store without images "
                     "(all removed, untimed, before each run). Floor: `skopeo copy` of "
                     "the same image to an empty directory (download and digest checks; "
                     "no extraction, no store)." % name}
    notes = []
    root = ctx.work("registry-" + name)
    os.makedirs(root, exist_ok=True)
    cfg = ctx.work("registry-%s.yml" % name)
    with open(cfg, "w") as f:
        f.write(REGISTRY_CONFIG.format(root=root, port=port))
    server = None
    try:
        server = subprocess.Popen(["docker-registry", "serve", cfg], env=ctx.env,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        wait_http(ctx, base + "/v2/")
        archives = {"busybox": ctx.archives["busybox"]}
        if name == "big":
            import images
            big = ctx.work("big.docker.tar")
            if not os.path.exists(big):
                images.big_archive(big, "localhost/bench/big:latest")
                os.chmod(big, 0o644)
            archives["big"] = big
        else:
            archives["layered"] = ctx.archives["layered"]
        refs = {}
        for n, a in archives.items():
            refs[n] = "%s/bench/%s:latest" % (host, n)
            ctx.runner.check(["skopeo", "copy", "--quiet", "--dest-tls-verify=false",
                              "docker-archive:" + a, "docker://" + refs[n]],
                             "pushing the images")
        dl = ctx.work("pull-floor-" + name)
        floor = ["skopeo", "copy", "--quiet", "--src-tls-verify=false",
                 "docker://" + refs[name], "dir:" + dl]

        def build(tool):
            if tool == "floor":
                return Variant("floor", [floor],
                               prepare=[PythonStep(lambda i: reset_dir(dl), "empty DIR")],
                               label="skopeo copy docker://REF dir:DIR")
            return image_variant(ctx, tool, "pull",
                                 ["pull", "--tls-verify=false", refs[name]],
                                 list(refs.values()) + list(ctx.refs.values()), notes)

        w, r = ctx.counts((1, 10), (1, 3))
        return ctx.timed(case, make_variants(ctx, build), w, r, notes)
    except (Failed, OSError, ValueError, KeyError) as e:
        variants = [Variant(t, []) for t in ("pc", "podman", "floor")]
        for v in variants:
            v.fail("the local registry could not be set up: %s" % e)
        return ctx.timed(case, variants, 0, 0, notes)
    finally:
        ctx.loaded.clear()
        if server is not None:
            server.terminate()
            server.wait()


# -- exec CTR true -------------------------------------------------------------------------
def case_exec(ctx):
    case = {"id": "exec-true",
            "title": "`exec CTR true` into a running container",
            "about": "A detached busybox container (`sleep`, `--network none`) runs; each "
                     "sample is one `exec CTR true` (pc: the process joins from the initial "
                     "user namespace through a pidfd of pid 1; podman: conmon + runc exec). "
                     "No floor."}
    name = "bench-exec"

    def build(tool):
        if tool == "floor":
            return None
        v = Variant(tool, [ctx.argv(tool, "exec", name, "true")])
        ctx.gate(v, ["exec", "run"], image=True)
        if v.status is None:
            try:
                ctx.runner.run(ctx.argv(tool, "rm", "-f", "-t", "0", name))
                ctx.runner.check(ctx.argv(tool, "run", "-d", "--network", "none", "--name", name,
                                          ctx.refs["busybox"], "sleep", "100000"),
                                 "starting the container (setup)")
            except Failed as e:
                v.fail("setup: " + str(e))
        return v

    w, r = ctx.counts((3, 30), (1, 10))
    try:
        return ctx.timed(case, make_variants(ctx, build), w, r)
    finally:
        for tool in ("pc", "podman"):
            ctx.runner.run(ctx.argv(tool, "rm", "-f", "-t", "0", name))


# The load cases come after the start and scale cases: each of their
# samples empties a store, and on this machine's ext4 without a journal the
# inodes deleted in the last minutes make every new inode slower to allocate
# (ext4's recently_deleted scan), which the start cases right after them
# paid in their first samples (run --rm --network none 18.5 ms in quick mode
# against 14.2 for the default network, measured after them).
CASES = [
    ("unshare", case_unshare),
    ("run-rm-true-netnone", lambda ctx: case_run_rm(ctx, True)),
    ("run-rm-true", lambda ctx: case_run_rm(ctx, False)),
    ("run-rm-true-keepid", case_run_rm_keepid),
    ("run-rm-breakdown", case_breakdown),
    ("run-d-stop-rm", case_run_stop_rm),
    ("exec-true", case_exec),
    ("create", case_create),
    ("load-busybox", lambda ctx: case_load(ctx, "busybox")),
    ("load-layered", lambda ctx: case_load(ctx, "layered")),
    ("pull-layered", case_pull),
    ("pull-big", lambda ctx: case_pull(ctx, "big")),
    ("monitor-rss", case_rss),
    ("monitor-rss-net", lambda ctx: case_rss(ctx, network=True)),
    ("net-throughput", case_net),
]

# The network cases (netcases.py) use this module's helpers.
from netcases import NET_CASES  # noqa: E402
# create/start against their floor, ps -a and images at 10/100/1000, parallel run -d.
from scalecases import SCALE_CASES  # noqa: E402

# After `create` (its 100 containers start the ps -a series).
_at = [k for k, (cid, _) in enumerate(CASES) if cid == "create"][0] + 1
CASES[_at:_at] = SCALE_CASES
CASES += NET_CASES
