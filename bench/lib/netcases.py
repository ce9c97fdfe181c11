"""Network cases of bench/ (issue 13, Performance): the default network's
start cost against --network none, 512 MiB through a published port and
from a host loopback server into the container (libslirp, and pc's egress
bypass), each with curl/wget and with iperf3, against the host loopback
floor. Throughput cases time the transfer itself: inside the container
(from /proc/uptime around the client, 10 ms resolution on transfers of a
second or more) or iperf3's own report, so starting the client
container costs nothing."""

import json
import os
import shutil
import subprocess
import time

from context import make_variants
from engine import Failed, Variant
import images
from cases import free_port, wait_http

MIB = 512
BYTES = MIB << 20
IPERF_REF = "localhost/bench-iperf3:latest"

# Times a command inside a shell (the container's busybox or the host's):
# prints the seconds it took; fails when the command fails.
TIMED = ("a=$(cut -d' ' -f1 /proc/uptime); %s || exit 1; "
         "b=$(cut -d' ' -f1 /proc/uptime); echo \"$a $b\"")


def parse_timed(out):
    try:
        a, b = out.strip().splitlines()[-1].split()
        return max(float(b) - float(a), 0.01)
    except (ValueError, IndexError):
        raise Failed("no timing in the output: %r" % out[-200:])


def parse_iperf(out, what):
    """Seconds 512 MiB takes at the rate iperf3's JSON report gives."""
    try:
        doc = json.loads(out[out.index("{"):])
        if doc.get("error"):
            raise Failed("iperf3 (%s): %s" % (what, doc["error"]))
        bps = doc["end"]["sum_received"]["bits_per_second"]
    except (ValueError, KeyError, TypeError):
        raise Failed("iperf3 (%s): no report in %r" % (what, out[-300:]))
    return BYTES * 8 / bps


def measure_inner(ctx, case_id, variants, warmup, runs):
    """As engine.measure, but each run's sample is what v.inner(i) returns
    (seconds measured by the client itself)."""
    for i in range(warmup + runs):
        active = [v for v in variants if v.status is None]
        if not active:
            break
        k = i % len(active)
        for v in active[k:] + active[:k]:
            try:
                s = v.inner(i)
            except Failed as e:
                v.fail(("warm-up run: " if i < warmup else "run %d: " % (i - warmup + 1)) + str(e))
                continue
            if i >= warmup:
                v.samples.append(s)
    for v in variants:
        if v.status is None:
            v.status = "ok"


def inner_case(ctx, case, variants, notes):
    w, r = ctx.counts((1, 8), (1, 3))
    if any(v.status is None for v in variants):
        measure_inner(ctx, case["id"], variants, w, r)
    else:
        for v in variants:
            v.skip("nothing to run")
    notes = list(notes) + throughput_notes(variants)
    case.update(kind="time", unit="s", warmup=w, runs=r, bytes=BYTES,
                variants=[v.as_dict() for v in variants], notes=notes)
    return case


def median(xs):
    s = sorted(xs)
    n = len(s)
    return (s[n // 2] + s[(n - 1) // 2]) / 2 if n else None


def throughput_notes(variants):
    """Throughput of each variant as a fraction of the floor's, and against
    podman's: the figures the issue's targets are written in."""
    med = {v.tool: median(v.samples) for v in variants if v.status in (None, "ok") and v.samples}
    out = []
    floor = med.get("floor")
    for tool, m in med.items():
        if tool == "floor":
            continue
        parts = ["%s: %.0f MiB/s" % (tool, BYTES / m / 1048576)]
        if floor:
            parts.append("%.2f of the floor's throughput" % (floor / m))
        if tool.startswith("pc") and med.get("podman"):
            parts.append("%.2f× podman's" % (med["podman"] / m))
        out.append(", ".join(parts))
    return out


def _rm(ctx, tool, *names):
    ctx.runner.run(ctx.argv(tool, "rm", "-f", "-t", "0", *names))


def _pc_bypass_works(ctx):
    rc, _, _ = ctx.runner.run(ctx.argv("pc", "run", "--rm", "--network", "slirp4netns:bypass=true",
                                       ctx.refs["busybox"], "true"))
    return rc == 0


# -- start cost of the default network --------------------------------------------
def case_net_vs_none(ctx):
    case = {"id": "run-rm-true-net-vs-none",
            "title": "`run --rm busybox true`: the default network against `--network none`",
            "about": "Both networks of each tool interleaved in one run: pc (libslirp in "
                     "its monitor) and podman (slirp4netns), each with the default network "
                     "and with `--network none`. The notes give each tool's cost of the "
                     "network (difference of medians). Floor: `--network none` of the "
                     "same tool is the floor of interest here, so there is no bwrap."}
    variants = []
    for tool in ("pc", "podman"):
        for net in ([], ["--network", "none"]):
            v = Variant(tool, [ctx.argv(tool, "run", "--rm", *net, ctx.refs["busybox"], "true")])
            ctx.gate(v, ["run"], image=True)
            if net:
                v.tool = tool + " --network none"
            variants.append(v)
    w, r = ctx.counts((5, 40), (2, 12))
    case = ctx.timed(case, variants, w, r)
    med = {v.tool: median(v.samples) for v in variants if v.status == "ok" and v.samples}
    for tool in ("pc", "podman"):
        a, b = med.get(tool), med.get(tool + " --network none")
        if a is not None and b is not None:
            case["notes"].append("%s: the default network costs %+.2f ms (median %.2f ms vs %.2f ms "
                                 "with --network none)" % (tool, (a - b) * 1e3, a * 1e3, b * 1e3))
    return case


# -- 512 MiB from a host loopback server into the container --------------------------
def _slirp_in_variants(ctx, kind):
    """pc, pc with the bypass, podman: containers that reach the host's
    127.0.0.1 as 10.0.2.2. Each sample is a container of its own whose
    command is the client (`run --rm`: the bypass follows the container's
    processes, not `exec`'s); the client times itself, so the start does
    not count. v.run(argv) -> the run's argv."""
    out = []
    specs = [("pc", "pc", "slirp4netns:allow_host_loopback=true"),
             ("pc bypass", "pc", "slirp4netns:allow_host_loopback=true,bypass=true"),
             ("podman", "podman", "slirp4netns:allow_host_loopback=true")]
    for label, tool, net in specs:
        v = Variant(tool, [], label="%s run --rm --network %s IMAGE %s ..." % (tool, net, kind))
        ctx.gate(v, ["run"], image=True)
        v.tool = label
        if v.status is None and label == "pc bypass" and not _pc_bypass_works(ctx):
            v.skip("pc has no egress bypass (--network slirp4netns:bypass=true) yet")
        v.run = (lambda argv, tool=tool, net=net, image=(IPERF_REF if kind == "iperf3" else ctx.refs["busybox"]):
                 ctx.argv(tool, "run", "--rm", "--network", net, image, *argv))
        out.append(v)
    return out


def case_slirp_in(ctx):
    case = {"id": "net-slirp-in",
            "title": "download %d MiB from a host loopback server into the container "
                     "(10.0.2.2, allow_host_loopback=true)" % MIB,
            "about": "The host's busybox httpd on 127.0.0.1 serves a %d MiB (sparse) file; "
                     "busybox wget, the command of a container (`run --rm`), fetches it "
                     "from 10.0.2.2 to /dev/null: pc through libslirp in its monitor, pc with the egress "
                     "bypass (a host socket swapped into the container), podman through "
                     "slirp4netns. Timed inside the container around wget. Floor: the "
                     "host's busybox wget from 127.0.0.1." % MIB}
    www = ctx.work("www-in")
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "big"), "wb") as f:
        f.truncate(BYTES)
    port = free_port()
    server = subprocess.Popen(["busybox", "httpd", "-f", "-p", "127.0.0.1:%d" % port, "-h", www],
                              env=ctx.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        wait_http(ctx, "http://127.0.0.1:%d/big" % port)
        get = "wget -q -O /dev/null http://%s:%d/big"
        variants = _slirp_in_variants(ctx, "wget")
        for v in variants:
            v.inner = (lambda i, v=v: parse_timed(ctx.runner.check(
                v.run(["sh", "-c", TIMED % (get % ("10.0.2.2", port))]),
                "wget in the container", capture=True)))
        floor = Variant("floor", [], label="busybox wget -q -O /dev/null http://127.0.0.1:PORT/big (host)")
        floor.inner = lambda i: parse_timed(ctx.runner.check(
            ["busybox", "sh", "-c", TIMED % ("busybox " + get % ("127.0.0.1", port))],
            "wget on the host", capture=True))
        variants.append(floor)
        return inner_case(ctx, case, variants, [])
    finally:
        server.terminate()
        server.wait()


# -- iperf3 ---------------------------------------------------------------------------
def _iperf_image(ctx, tool):
    """Loads the iperf3 image (host iperf3 + busybox) into tool; None or why not."""
    key = ("iperf3", tool)
    if key in ctx.loaded:
        return ctx.loaded[key]
    reason = None
    iperf = shutil.which("iperf3")
    if not iperf:
        reason = "no iperf3 on the host (Debian package iperf3)"
    else:
        path = ctx.work("iperf3.docker.tar")
        try:
            if not os.path.exists(path):
                images.tools_archive(path, IPERF_REF, os.path.realpath(shutil.which("busybox")), [iperf])
            ctx.runner.check(ctx.argv(tool, "load", "-i", path), "loading the iperf3 image")
        except (Failed, OSError, subprocess.CalledProcessError) as e:
            reason = str(e)
    ctx.loaded[key] = reason
    return reason


def _iperf_client(args):
    return ["iperf3", "-J", "-R", "-n", "%dM" % MIB] + args


def case_iperf_publish(ctx):
    case = {"id": "iperf3-publish",
            "title": "iperf3: %d MiB from a server in the container through `-p` to the host" % MIB,
            "about": "`iperf3 -s` in a container published with `-p 127.0.0.1:PORT:5201`; "
                     "the host's `iperf3 -c 127.0.0.1 -p PORT -R -n %dM` receives. Rate from "
                     "iperf3's report. Floor: both ends on the host's loopback." % MIB}
    started = []
    server = None
    variants = []
    try:
        for tool in ("pc", "podman", "floor"):
            port = free_port()
            v = Variant(tool, [], label="iperf3 -c 127.0.0.1 -p PORT -R -n %dM (server: %s)"
                        % (MIB, "host iperf3 -s" if tool == "floor" else
                           "%s run -d -p 127.0.0.1:PORT:5201 iperf3 -s" % tool))
            variants.append(v)
            if tool == "floor":
                if not shutil.which("iperf3"):
                    v.skip("no iperf3 on the host")
                    continue
                server = subprocess.Popen(["iperf3", "-s", "-B", "127.0.0.1", "-p", str(port)],
                                          env=ctx.env, stdin=subprocess.DEVNULL,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            else:
                ctx.gate(v, ["run", "rm", "load"])
                if v.status is None:
                    why = _iperf_image(ctx, tool)
                    if why:
                        v.skip("the iperf3 image could not be loaded: " + why)
                if v.status is not None:
                    continue
                name = "bench-iperf-" + tool
                try:
                    _rm(ctx, tool, name)
                    ctx.runner.check(ctx.argv(tool, "run", "-d", "--name", name, "-p",
                                              "127.0.0.1:%d:5201" % port, IPERF_REF,
                                              "iperf3", "-s", "-p", "5201"), "starting iperf3 -s")
                    started.append((tool, name))
                except Failed as e:
                    v.fail("setup: " + str(e))
                    continue
            argv = _iperf_client(["-c", "127.0.0.1", "-p", str(port)])
            v.inner = (lambda i, argv=argv, tool=tool:
                       _retry_iperf(ctx, argv, tool))
        return inner_case(ctx, case, variants, [])
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        for tool, name in started:
            _rm(ctx, tool, name)


def _retry_iperf(ctx, argv, what, tries=50):
    """The server may take a moment to listen after `run -d`."""
    for k in range(tries):
        rc, out, err = ctx.runner.run(argv, capture=True)
        if rc == 0:
            return parse_iperf(out, what)
        if "Connection refused" not in out + err and "unable to connect" not in out + err:
            break
        time.sleep(0.1)
    raise Failed("iperf3 (%s) exited %d: %s" % (what, rc, (out + err).strip()[-300:]))


def case_iperf_slirp_in(ctx):
    case = {"id": "iperf3-slirp-in",
            "title": "iperf3: %d MiB from a host loopback server into the container" % MIB,
            "about": "The host's `iperf3 -s -B 127.0.0.1`; `iperf3 -c 10.0.2.2 -R -n %dM` as "
                     "a container's command (`run --rm`) receives (allow_host_loopback=true): pc through "
                     "libslirp, pc with the egress bypass, podman through slirp4netns. Rate "
                     "from iperf3's report. Floor: the client on the host." % MIB}
    if not shutil.which("iperf3"):
        variants = [Variant(t, []) for t in ("pc", "podman", "floor")]
        for v in variants:
            v.skip("no iperf3 on the host (Debian package iperf3)")
        return inner_case(ctx, case, variants, [])
    port = free_port()
    server = subprocess.Popen(["iperf3", "-s", "-B", "127.0.0.1", "-p", str(port)], env=ctx.env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        skip = {tool: _iperf_image(ctx, tool) for tool in ("pc", "podman")}
        variants = _slirp_in_variants(ctx, "iperf3")
        for v in variants:
            why = skip.get(v.tool.split()[0])
            if why:
                v.skip("the iperf3 image could not be loaded: " + why)
                continue
            argv = v.run(_iperf_client(["-c", "10.0.2.2", "-p", str(port)]))
            v.inner = lambda i, argv=argv, t=v.tool: _retry_iperf(ctx, argv, t)
        floor = Variant("floor", [], label="iperf3 -c 127.0.0.1 -p PORT -R -n %dM (host)" % MIB)
        fargv = _iperf_client(["-c", "127.0.0.1", "-p", str(port)])
        floor.inner = lambda i: _retry_iperf(ctx, fargv, "floor")
        variants.append(floor)
        return inner_case(ctx, case, variants, [])
    finally:
        server.terminate()
        server.wait()


NET_CASES = [
    ("run-rm-true-net-vs-none", case_net_vs_none),
    ("net-slirp-in", case_slirp_in),
    ("iperf3-publish", case_iperf_publish),
    ("iperf3-slirp-in", case_iperf_slirp_in),
]
