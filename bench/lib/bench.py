#!/usr/bin/env python3
"""bench/lib/bench.py: runs the cases of bench/ as the (unprivileged) bench
user and writes the raw samples as JSON; bench/lib/report.py turns them into
bench/results/latest.{md,json}.  Driven by bench/run; see bench/README.md."""

import argparse
import datetime
import json
import os
import signal
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cases import CASES  # noqa: E402
from context import Context, bench_env  # noqa: E402
from engine import Runner  # noqa: E402


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def select(spec):
    if not spec:
        return CASES
    wanted = [s.strip() for s in spec.split(",") if s.strip()]
    known = dict(CASES)
    bad = [w for w in wanted if w not in known]
    if bad:
        sys.exit("bench: unknown case %s (bench/run --list)" % ", ".join(bad))
    return [(w, known[w]) for w in wanted]


def broken_case(case_id, exc):
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return {"id": case_id, "title": case_id, "kind": "time", "unit": "s",
            "about": "", "notes": ["the bench itself failed in this case: " + text],
            "variants": [{"tool": t, "command": "", "status": "failed",
                          "reason": "bench error: " + text, "samples": [], "extra": {}}
                         for t in ("pc", "podman")]}


def loadavg():
    """The 1-minute load average: a busy machine stretches every time."""
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def fs_type(path):
    """The filesystem type under path, from /proc/self/mountinfo (the
    longest mount point that contains it)."""
    path = os.path.realpath(path)
    best, fs = "", "?"
    try:
        with open("/proc/self/mountinfo") as f:
            for line in f:
                left, _, right = line.partition(" - ")
                mnt = left.split()[4]
                if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) and len(mnt) >= len(best):
                    best, fs = mnt, right.split()[0]
    except (OSError, IndexError):
        pass
    return fs


def run(args):
    ctx = Context(args)
    started = now()
    load_start = loadavg()
    t0 = time.monotonic()
    podman_info = ctx.check_podman()
    if ctx.podman_broken:
        print("bench: podman does not work here: " + ctx.podman_broken, file=sys.stderr)
    results = []
    for case_id, fn in select(args.cases):
        print("bench: case %s" % case_id, file=sys.stderr, flush=True)
        try:
            results.append(fn(ctx))
        except Exception as e:  # one broken case must not lose the others
            traceback.print_exc()
            results.append(broken_case(case_id, e))
        ctx.note_hangs(case_id)
        # The next case starts with no dirty data left from this one, so
        # the writeback of what a case wrote (the load cases' layers, for
        # either tool) does not run during the cases after it.
        os.sync()
    raw = {
        "started": started, "finished": now(),
        "duration_s": round(time.monotonic() - t0, 1),
        "quick": bool(args.quick), "user": args.run_as, "uid": os.getuid(),
        "loadavg_start": load_start, "loadavg_end": loadavg(),
        "pc": args.pc, "fixtures": args.fixtures, "tmp": args.tmp,
        "podman_info": podman_info, "podman_broken": ctx.podman_broken,
        "runtime_dir_fs": fs_type(ctx.env["XDG_RUNTIME_DIR"]),
        "store_fs": args.store_fs or fs_type(ctx.env["HOME"]),
        "pc_commands": {k: v for k, v in sorted(ctx._has.items())},
        "cases": results,
    }
    with open(args.raw, "w") as f:
        json.dump(raw, f, indent=1)


def _pause_pid(env):
    try:
        with open(os.path.join(env["XDG_RUNTIME_DIR"], "libpod", "tmp", "pause.pid")) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def _kill_ours(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            uid = [l.split()[1] for l in f if l.startswith("Uid:")][0]
    except (OSError, IndexError):
        return
    if int(uid) == os.getuid():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _start_time(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def kill_recorded_monitors(env):
    """Monitors pc left running (a hung or failed command): found only by
    the monitor.pid files pc wrote ("PID STARTTIME"), checked against
    /proc so a reused pid is never hit."""
    root = os.path.join(env["XDG_RUNTIME_DIR"], "pc")
    for dirpath, _, files in os.walk(root):
        if "monitor.pid" not in files:
            continue
        try:
            with open(os.path.join(dirpath, "monitor.pid")) as f:
                fields = f.read().split()
            pid = int(fields[0])
        except (OSError, ValueError, IndexError):
            continue
        if len(fields) > 1 and _start_time(pid) != fields[1]:
            continue
        _kill_ours(pid)


def cleanup(args):
    """Removes what the bench left in its private HOME: containers, pc's store
    (files of subuids removed inside the user namespace), podman's storage
    (`podman system reset -f`), and the podman pause process it started."""
    env = bench_env(args.tmp)
    if not os.path.isdir(env["HOME"]):
        return
    r = Runner(env, args.tmp)
    has = {c: r.run([args.pc, "help", c], timeout=30)[0] == 0 for c in ("rm", "unshare")}
    if has["rm"]:
        r.run([args.pc, "rm", "-a", "-f", "-t", "0"], timeout=120)
    kill_recorded_monitors(env)
    r.run(["podman", "rm", "-a", "-f", "-t", "0"], timeout=120)
    pc_dirs = [p for p in (os.path.join(env["XDG_DATA_HOME"], "pc"),
                           os.path.join(env["XDG_RUNTIME_DIR"], "pc"),
                           os.path.join(args.tmp, "work")) if os.path.exists(p)]
    if pc_dirs:
        # pc and podman map the same subuid range, so either may remove them.
        unshare = [args.pc, "unshare"] if has["unshare"] else ["podman", "unshare"]
        r.run(unshare + ["rm", "-rf"] + pc_dirs, timeout=300)
    pids = {_pause_pid(env)}
    r.run(["podman", "system", "reset", "-f"], timeout=300)
    pids.add(_pause_pid(env))
    for pid in pids:
        if pid:
            _kill_ours(pid)


def main():
    ap = argparse.ArgumentParser(prog="bench.py")
    ap.add_argument("--tmp")
    ap.add_argument("--pc")
    ap.add_argument("--fixtures")
    ap.add_argument("--raw")
    ap.add_argument("--run-as", default=os.environ.get("USER", ""))
    ap.add_argument("--store-fs", default="")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--cases")
    ap.add_argument("--hyperfine", metavar="DIR")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--cleanup", action="store_true")
    args = ap.parse_args()
    if args.list:
        for case_id, _ in CASES:
            print(case_id)
        return
    if args.cleanup:
        cleanup(args)
        return
    run(args)


if __name__ == "__main__":
    main()
