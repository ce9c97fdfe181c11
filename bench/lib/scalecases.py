"""Cases of issue 17: `start` against `unshare -r true` (cases.py's
`create` has the same floor), how
`ps -a` and `images` grow with 10, 100 and 1000 containers or images, and
100 containers started by 10 concurrent `run -d` loops."""

import os
import subprocess
import threading
import time

from context import make_variants
from engine import Failed, Variant, describe
import images

SCALE = (10, 100, 1000)


def unshare_floor():
    return Variant("floor", [["unshare", "-r", "true"]])


# -- start --------------------------------------------------------------------------------
def least_start(ctx):
    """bench/least-start.c, built for this run: the least a rootless start does
    where every command maps the user's subordinate ids (newuidmap and
    newgidmap on a new user namespace, the container's five other
    namespaces, exec), with no tool around it."""
    src = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                       "least-start.c")
    binary = ctx.work("least-start")
    v = Variant("least", [[binary, "-n", "true"]],
                label="least-start -n true (bench/least-start.c)")
    rc, _, err = ctx.runner.run(["cc", "-O2", "-o", binary, src], timeout=120)
    if rc != 0:
        v.skip("building bench/least-start.c failed: " + " ".join(err.strip().splitlines()[-2:]))
    return v


def case_start(ctx):
    case = {"id": "start",
            "title": "`start` of a created container (`--network none busybox true`)",
            "about": "The container is created (untimed) before each sample and removed "
                     "after it; the sample is `start` alone, which returns once the "
                     "container runs. Floor: `unshare -r true`. `least` is "
                     "bench/least-start.c: the least any start does where each command "
                     "maps the user's subordinate ids (no holder process): a user "
                     "namespace mapped by newuidmap and newgidmap, the container's "
                     "mount, pid, network, ipc and uts namespaces, and `true` as its "
                     "pid 1, with no root filesystem, mounts, seccomp, monitor or state. "
                     "least/floor is the lowest pc/floor that such a design could reach."}

    def build(tool):
        if tool == "floor":
            return unshare_floor()
        name = "bench-start-%s" % tool
        v = Variant(tool, [ctx.argv(tool, "start", name)],
                    prepare=[ctx.argv(tool, "rm", "-f", "-t", "0", name),
                             ctx.argv(tool, "create", "--network", "none", "--name", name,
                                      ctx.refs["busybox"], "true")],
                    cleanup=[ctx.argv(tool, "rm", "-f", "-t", "0", name)])
        ctx.gate(v, ["create", "start", "rm"], image=True)
        return v

    w, r = ctx.counts((3, 30), (1, 10))
    return ctx.timed(case, make_variants(ctx, build) + [least_start(ctx)], w, r)


# -- ps -a and images at 10, 100, 1000 -------------------------------------------------------
def list_lines(ctx, tool, argv, what):
    out = ctx.runner.check(ctx.argv(tool, *argv), what, capture=True, timeout=600)
    return [l.strip() for l in out.splitlines() if l.strip()]


def podman_skipped(ctx, n):
    """podman at 1000 only in full mode: creating 1000 podman containers or
    loading 1000 images takes minutes."""
    return ctx.quick and n >= 1000


def set_containers(ctx, tool, n):
    """Exactly n containers (created, `true`), made or removed untimed."""
    have = list_lines(ctx, tool, ["ps", "-a", "-q"], "counting containers")
    if len(have) > n:
        extra = have[n:]
        for k in range(0, len(extra), 100):
            ctx.runner.check(ctx.argv(tool, "rm", "-f", *extra[k:k + 100]),
                             "removing containers (setup)", timeout=600)
    for _ in range(n - len(have)):
        ctx.runner.check(ctx.argv(tool, "create", "--network", "none", ctx.refs["busybox"],
                                  "true"), "creating containers (setup)")
    return len(list_lines(ctx, tool, ["ps", "-a", "-q"], "counting containers"))


def case_ps_n(ctx, n):
    case = {"id": "ps-a-%d" % n, "title": "`ps -a` with %d containers" % n,
            "about": "List %d created containers (made or removed untimed before the "
                     "case; the series 10, 100, 1000 shows how `ps -a` grows). No floor." % n}
    notes = []

    def build(tool):
        if tool == "floor":
            return None
        v = Variant(tool, [ctx.argv(tool, "ps", "-a")])
        ctx.gate(v, ["ps", "create", "rm"], image=True)
        if v.status is None and tool == "podman" and podman_skipped(ctx, n):
            v.skip("quick mode: podman is measured up to 100 containers (the full run "
                   "goes to 1000)")
        if v.status is None:
            try:
                v.extra["containers"] = set_containers(ctx, tool, n)
            except Failed as e:
                v.fail("setup: " + str(e))
        return v

    w, r = ctx.counts((3, 30), (1, 10))
    return ctx.timed(case, make_variants(ctx, build), w, r, notes)


def set_images(ctx, tool, n):
    """Exactly n bench images (besides the fixtures), loaded or removed
    untimed; new ones come in one multi-image docker-archive."""
    refs = ["localhost/bench-image-%03d:latest" % k for k in range(max(SCALE))]
    have = set(list_lines(ctx, tool, ["images", "--format", "{{.Repository}}:{{.Tag}}"],
                          "listing images"))
    present = [r for r in refs if r in have]
    if len(present) > n:
        extra = present[n:]
        for k in range(0, len(extra), 100):
            ctx.runner.check(ctx.argv(tool, "rmi", "-f", *extra[k:k + 100]),
                             "removing images (setup)", timeout=600)
    missing = [k for k in range(n) if refs[k] not in have]
    if missing:
        path = ctx.work("images-%s-%d-%d.docker.tar" % (tool, missing[0], len(missing)))
        images.write_many(path, missing, refs)
        os.chmod(path, 0o644)
        ctx.runner.check(ctx.argv(tool, "load", "-i", path), "loading images (setup)",
                         timeout=1200)
    have = set(list_lines(ctx, tool, ["images", "--format", "{{.Repository}}:{{.Tag}}"],
                          "listing images"))
    return len([r for r in refs if r in have])


def case_images_n(ctx, n):
    case = {"id": "images-%d" % n, "title": "`images` with %d images" % n,
            "about": "List the images after loading %d small distinct images (one layer "
                     "each, loaded or removed untimed; the store also holds the 2 "
                     "fixtures). No floor." % n}

    def build(tool):
        if tool == "floor":
            return None
        v = Variant(tool, [ctx.argv(tool, "images")])
        ctx.gate(v, ["images", "load", "rmi"])
        if v.status is None and tool == "podman" and podman_skipped(ctx, n):
            v.skip("quick mode: podman is measured up to 100 images (the full run goes "
                   "to 1000)")
        if v.status is None:
            try:
                v.extra["images"] = set_images(ctx, tool, n)
            except Failed as e:
                v.fail("setup: " + str(e))
        return v

    w, r = ctx.counts((3, 30), (1, 10))
    try:
        return ctx.timed(case, make_variants(ctx, build), w, r)
    finally:
        if n == max(SCALE):
            for tool in ("pc", "podman"):
                try:
                    set_images(ctx, tool, 0)
                except Failed:
                    pass


def case_ps_last(ctx, n):
    try:
        return case_ps_n(ctx, n)
    finally:
        for tool in ("pc", "podman"):
            ctx.runner.run(ctx.argv(tool, "rm", "-a", "-f"), timeout=1200)


# -- 100 containers from 10 concurrent run -d loops ---------------------------------------------
def parallel_run(ctx, tool, loops, per_loop):
    """Wall time of `loops` concurrent shells each starting `per_loop`
    detached containers one after the other; then how many run."""
    errors = []

    def loop(k):
        for i in range(per_loop):
            argv = ctx.argv(tool, "run", "-d", "--network", "none",
                            "--name", "bench-par-%d-%d" % (k, i), ctx.refs["busybox"],
                            "sleep", "100000")
            p = subprocess.run([str(a) for a in argv], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=ctx.env, timeout=ctx.runner.timeout * 4)
            if p.returncode != 0:
                errors.append("`%s` exited %d: %s" % (describe(argv), p.returncode,
                                                      p.stderr.decode(errors="replace").strip()[-300:]))
                return

    threads = [threading.Thread(target=loop, args=(k,)) for k in range(loops)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dt = time.perf_counter() - t0
    running = list_lines(ctx, tool, ["ps", "-q"], "counting running containers")
    return dt, len(running), errors


def case_parallel(ctx):
    loops, per_loop = 10, 10
    total = loops * per_loop
    case = {"id": "run-d-parallel-100",
            "title": "%d containers started by %d concurrent `run -d` loops" % (total, loops),
            "about": "%d shells run at once, each starting %d detached `sleep` containers "
                     "(`--network none`) one after the other; the sample is the wall time "
                     "until all have returned, then every container must be running "
                     "(`ps -q`). One sample per tool; the containers are removed after." %
                     (loops, per_loop)}
    variants = []
    for tool in ("pc", "podman"):
        v = Variant(tool, [], label="%d × (%d × `%s run -d --network none busybox sleep`)"
                    % (loops, per_loop, tool))
        ctx.gate(v, ["run", "rm", "ps"], image=True)
        variants.append(v)
        if v.status is not None:
            continue
        try:
            ctx.runner.run(ctx.argv(tool, "rm", "-a", "-f", "-t", "0"), timeout=1200)
            dt, up, errors = parallel_run(ctx, tool, loops, per_loop)
            v.extra["running"] = up
            if errors:
                v.fail("%d of the loops failed; first: %s" % (len(errors), errors[0]))
            elif up != total:
                v.fail("%d of %d containers running after the loops returned" % (up, total))
            else:
                v.samples.append(dt)
                v.status = "ok"
        except (Failed, subprocess.TimeoutExpired) as e:
            v.fail(str(e))
        finally:
            ctx.runner.run(ctx.argv(tool, "rm", "-a", "-f", "-t", "0"), timeout=1200)
    case.update(kind="time", unit="s", runs=1, warmup=0,
                variants=[v.as_dict() for v in variants], notes=[])
    return case


SCALE_CASES = [
    ("start", case_start),
    ("ps-a-10", lambda ctx: case_ps_n(ctx, 10)),
    ("ps-a-100", lambda ctx: case_ps_n(ctx, 100)),
    ("ps-a-1000", lambda ctx: case_ps_last(ctx, 1000)),
    ("images-10", lambda ctx: case_images_n(ctx, 10)),
    ("images-100", lambda ctx: case_images_n(ctx, 100)),
    ("images-1000", lambda ctx: case_images_n(ctx, 1000)),
    ("run-d-parallel-100", case_parallel),
]
