"""Timing engine of bench/: runs pc, podman and the floor of one case
interleaved (pc, podman, floor, then podman, floor, pc, ...), with warm-up
runs that are not recorded, and records every sample or the reason a tool
could not run.  Standard library only."""

import os
import shlex
import subprocess
import tempfile
import threading
import time

STEP_TIMEOUT = 120


class Failed(Exception):
    """A command of a case failed; the message says which and why."""


def describe(argv):
    return shlex.join(str(a) for a in argv)


class Runner:
    """Runs commands with the bench environment; stderr goes to a file, not a
    pipe, so a detached monitor that keeps an inherited fd cannot hang us."""

    def __init__(self, env, tmpdir, timeout=STEP_TIMEOUT):
        self.env = env
        self.timeout = timeout
        self.errfile = tempfile.TemporaryFile(dir=tmpdir)
        self.outfile = tempfile.TemporaryFile(dir=tmpdir)
        self.timed_out = []     # argv of every command killed by the timeout

    @staticmethod
    def _reset(f):
        f.seek(0)
        f.truncate()

    def run(self, argv, timeout=None, capture=False):
        """Returns (exit status, stdout or '', stderr)."""
        timeout = timeout or self.timeout
        self._reset(self.errfile)
        if capture:
            self._reset(self.outfile)
        # Files, not pipes: a detached monitor that inherits one cannot keep
        # us waiting.  No timeout= for subprocess either: its wait then polls
        # with sleeps of up to 50 ms, which would quantize every sample; a
        # timer kills the command instead.
        try:
            p = subprocess.Popen([str(a) for a in argv], stdin=subprocess.DEVNULL,
                                 stdout=self.outfile if capture else subprocess.DEVNULL,
                                 stderr=self.errfile, env=self.env)
        except OSError as e:
            return 127, "", str(e)
        expired = []

        def kill():
            expired.append(True)
            p.kill()
        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            rc = p.wait()
        finally:
            timer.cancel()
        stdout = ""
        if capture:
            self.outfile.seek(0)
            stdout = self.outfile.read().decode(errors="replace")
        self.errfile.seek(0)
        err = self.errfile.read().decode(errors="replace")
        if expired:
            self.timed_out.append([str(a) for a in argv])
            err = "timed out after %d s, killed\n%s" % (timeout, err)
            rc = -1
        return rc, stdout, err

    def check(self, argv, what="", timeout=None, capture=False):
        rc, out, err = self.run(argv, timeout=timeout, capture=capture)
        if rc != 0:
            raise Failed(failure_text(argv, rc, err, what))
        return out


def failure_text(argv, rc, err, what=""):
    lines = [l for l in err.strip().splitlines() if l.strip()]
    tail = " / ".join(lines[-3:]) if lines else "no error output"
    if len(tail) > 400:
        tail = tail[:400] + "..."
    prefix = what + ": " if what else ""
    return "%s`%s` exited %s: %s" % (prefix, describe(argv), rc, tail)


class Variant:
    """One tool's side of a case.

    steps:    timed; argv lists, or callables taking the run index and
              returning an argv list.
    prepare:  untimed, before each run (argv, callable(i) -> argv, or a
              python callable marked with `python_step`).
    cleanup:  untimed, after each run, also after a failure; errors ignored.
    """

    def __init__(self, tool, steps, prepare=(), cleanup=(), label=None,
                 tolerate_prepare=False):
        self.tool = tool
        self.steps = list(steps)
        self.prepare = list(prepare)
        self.cleanup = list(cleanup)
        self.tolerate_prepare = tolerate_prepare
        self.label = label
        self.status = None          # None: runnable; "ok", "failed", "not run"
        self.reason = None
        self.samples = []
        self.extra = {}

    def command_text(self):
        if self.label:
            return self.label
        parts = []
        for s in self.steps:
            argv = s(0) if callable(s) else s
            parts.append(describe(argv))
        return " && ".join(parts)

    def skip(self, reason):
        if self.status is None:
            self.status, self.reason = "not run", reason

    def fail(self, reason):
        if self.status is None:
            self.status, self.reason = "failed", reason

    def as_dict(self):
        return {"tool": self.tool, "command": self.command_text(),
                "status": self.status or "not run", "reason": self.reason,
                "samples": self.samples, "extra": self.extra}


class PythonStep:
    """An untimed action done in-process (e.g. emptying a directory)."""

    def __init__(self, fn, text):
        self.fn = fn
        self.text = text


def _argv(step, i):
    return step(i) if callable(step) else step


def run_once(runner, v, i):
    for p in v.prepare:
        if isinstance(p, PythonStep):
            p.fn(i)
            continue
        argv = _argv(p, i)
        rc, _, err = runner.run(argv)
        if rc != 0 and not v.tolerate_prepare:
            raise Failed(failure_text(argv, rc, err, "preparing a run"))
    try:
        t0 = time.perf_counter()
        for s in v.steps:
            argv = _argv(s, i)
            rc, _, err = runner.run(argv)
            if rc != 0:
                raise Failed(failure_text(argv, rc, err))
        return time.perf_counter() - t0
    finally:
        for c in v.cleanup:
            if isinstance(c, PythonStep):
                c.fn(i)
            else:
                runner.run(_argv(c, i))


def measure(runner, variants, warmup, runs, progress=None):
    """Interleaves the runnable variants: each round runs every tool once,
    starting with a different tool each round, so drift over the run (cache,
    clock, background work) hits all tools alike."""
    total = warmup + runs
    for i in range(total):
        active = [v for v in variants if v.status is None]
        if not active:
            break
        k = i % len(active)
        for v in active[k:] + active[:k]:
            try:
                dt = run_once(runner, v, i)
            except Failed as e:
                v.fail(("warm-up run: " if i < warmup else "run %d: " % (i - warmup + 1)) + str(e))
                continue
            if i >= warmup:
                v.samples.append(dt)
        if progress:
            progress(i + 1, total)
    for v in variants:
        if v.status is None:
            v.status = "ok"
