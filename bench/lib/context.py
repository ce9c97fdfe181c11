"""What every case of bench/ shares: the environment (private HOME, XDG dirs,
podman's configuration), which pc commands exist, the fixture images and
whether they are loaded into each tool."""

import json
import os
import shutil
import sys
import tarfile

from engine import Failed, Runner, Variant, describe, failure_text, measure

TOOLS = ("pc", "podman", "floor")

CONTAINERS_CONF = """\
# written by bench/: podman as this machine needs it (see bench/README.md)
[containers]
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
"""

STORAGE_CONF = """\
[storage]
driver = "overlay"
graphroot = "{graphroot}"
runroot = "{runroot}"
"""


def bench_env(tmp):
    home = os.path.join(tmp, "home")
    env = {
        "HOME": home,
        "USER": os.environ.get("USER", ""),
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "LANG": "C.UTF-8",
        "XDG_CONFIG_HOME": os.path.join(home, ".config"),
        "XDG_DATA_HOME": os.path.join(home, ".local", "share"),
        "XDG_RUNTIME_DIR": os.path.join(tmp, "run"),
        "TMPDIR": os.path.join(tmp, "tmp"),
    }
    return env


def write_podman_config(env):
    conf = os.path.join(env["XDG_CONFIG_HOME"], "containers")
    os.makedirs(conf, exist_ok=True)
    with open(os.path.join(conf, "containers.conf"), "w") as f:
        f.write(CONTAINERS_CONF)
    with open(os.path.join(conf, "storage.conf"), "w") as f:
        f.write(STORAGE_CONF.format(
            graphroot=os.path.join(env["XDG_DATA_HOME"], "containers", "storage"),
            runroot=os.path.join(env["XDG_RUNTIME_DIR"], "containers")))


def prepare_dirs(env):
    for k in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "TMPDIR"):
        os.makedirs(env[k], exist_ok=True)
    os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
    os.chmod(env["XDG_RUNTIME_DIR"], 0o700)


def docker_archive_info(path):
    """RepoTags[0] and the layer member names of a docker-archive."""
    with tarfile.open(path) as t:
        manifest = json.load(t.extractfile("manifest.json"))
    m = manifest[0]
    return m["RepoTags"][0], m["Layers"]


def extract_layers(archive, dest):
    """Writes the layer blobs of a docker-archive as files; returns their paths."""
    os.makedirs(dest, exist_ok=True)
    _, layers = docker_archive_info(archive)
    paths = []
    with tarfile.open(archive) as t:
        for n, name in enumerate(layers):
            p = os.path.join(dest, "%02d-%s" % (n, os.path.basename(name)))
            with t.extractfile(name) as src, open(p, "wb") as dst:
                shutil.copyfileobj(src, dst)
            paths.append(p)
    return paths


class Context:
    def __init__(self, args):
        self.pc = args.pc
        self.podman = "podman"
        self.fixtures = args.fixtures
        self.tmp = args.tmp
        self.quick = args.quick
        self.run_as = args.run_as
        self.hyperfine_dir = args.hyperfine
        self.env = bench_env(self.tmp)
        prepare_dirs(self.env)
        write_podman_config(self.env)
        # A command that hangs fails its case after this long; quick mode
        # must stay quick even when a tool hangs.
        self.runner = Runner(self.env, self.env["TMPDIR"], timeout=30 if self.quick else 120)
        self._has = {}
        self._flags = {}
        self.hung = {}          # pc subcommand -> the case where it hung
        self.loaded = {}
        self.podman_broken = None
        self.archives = {}
        self.refs = {}
        for name in ("busybox", "layered"):
            a = os.path.join(self.fixtures, name + ".docker.tar")
            self.archives[name] = a
            self.refs[name] = docker_archive_info(a)[0]
        self._rootfs = None

    def work(self, *parts):
        p = os.path.join(self.tmp, "work", *parts)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p

    # -- tools ---------------------------------------------------------------
    def pc_has(self, cmd):
        if cmd not in self._has:
            rc, _, _ = self.runner.run([self.pc, "help", cmd], timeout=30)
            self._has[cmd] = rc == 0
        return self._has[cmd]

    def pc_has_flag(self, cmd, flag):
        """True when `pc CMD --help` lists the long flag."""
        key = (cmd, flag)
        if key not in self._flags:
            rc, out, err = self.runner.run([self.pc, cmd, "--help"], timeout=30, capture=True)
            self._flags[key] = rc == 0 and flag in (out + err).split()
        return self._flags[key]

    def argv(self, tool, *args):
        if tool == "pc":
            return [self.pc] + list(args)
        if tool == "podman":
            return [self.podman] + list(args)
        raise ValueError(tool)

    def missing_pc_commands(self, cmds):
        return [c for c in cmds if not self.pc_has(c)]

    def gate(self, v, cmds=(), image=False):
        """Marks v 'not run' when its tool cannot run the case yet."""
        if v.tool == "podman" and self.podman_broken:
            v.skip("podman does not work here: " + self.podman_broken)
            return
        if v.tool == "pc":
            missing = self.missing_pc_commands(cmds)
            if missing:
                v.skip("pc has no `%s` command yet" % missing[0])
                return
            for c in cmds:
                if c in self.hung:
                    v.skip("`pc %s` hung in case %s (killed after %d s); not tried again"
                           % (c, self.hung[c], self.runner.timeout))
                    return
        if image and v.tool in ("pc", "podman"):
            reason = self.ensure_loaded(v.tool)
            if reason:
                v.skip("the fixture images could not be loaded into %s: %s" % (v.tool, reason))

    def check_podman(self):
        rc, out, err = self.runner.run(
            [self.podman, "info", "--format",
             "{{.Host.OCIRuntime.Name}} {{.Store.GraphDriverName}} {{.Host.CgroupManager}}"],
            capture=True)
        if rc != 0:
            self.podman_broken = " ".join(err.strip().splitlines()[-2:]) or "podman info failed"
            return None
        return out.strip()

    def ensure_loaded(self, tool):
        """Loads both fixture images into tool once; None or the reason it failed."""
        if tool in self.loaded:
            return self.loaded[tool]
        reason = None
        if tool == "pc" and not self.pc_has("load"):
            reason = "pc has no `load` command yet"
        else:
            for name in ("busybox", "layered"):
                argv = self.argv(tool, "load", "-i", self.archives[name])
                rc, _, err = self.runner.run(argv)
                if rc != 0:
                    reason = failure_text(argv, rc, err)
                    break
        self.loaded[tool] = reason
        return reason

    def rootfs(self):
        """busybox's root filesystem as a plain directory, for the bwrap floor."""
        if self._rootfs is None:
            d = self.work("rootfs-busybox")
            os.makedirs(d, exist_ok=True)
            self.runner.check(["tar", "-x", "-f",
                               os.path.join(self.fixtures, "busybox.rootfs.tar"), "-C", d],
                              "extracting busybox.rootfs.tar for the floor")
            self._rootfs = d
        return self._rootfs

    def extract_layers(self, name):
        return extract_layers(self.archives[name], self.work("layers-" + name))

    # -- recording -----------------------------------------------------------
    def counts(self, full, quick):
        return quick if self.quick else full

    def note_hangs(self, case_id):
        """Remembers which pc subcommands were killed by the timeout."""
        for argv in self.runner.timed_out:
            if argv and argv[0] == self.pc:
                args = argv[1:]
                while args and args[0].startswith("-"):
                    args = args[2:] if "=" not in args[0] else args[1:]
                if args:
                    self.hung.setdefault(args[0], case_id)
        self.runner.timed_out.clear()

    def timed(self, case, variants, warmup, runs, notes=()):
        runnable = [v for v in variants if v.status is None]
        if runnable:
            measure(self.runner, variants, warmup, runs,
                    progress=lambda d, t: progress(case["id"], d, t))
        else:
            for v in variants:
                v.skip("nothing to run")
        self.hyperfine(case, variants, warmup, runs)
        case.update(kind="time", unit="s", warmup=warmup, runs=runs,
                    variants=[v.as_dict() for v in variants],
                    notes=list(case.get("notes", [])) + list(notes))
        return case

    def hyperfine(self, case, variants, warmup, runs):
        """With --hyperfine: the same commands once more through hyperfine
        (one after the other, not interleaved), exported as JSON."""
        if not self.hyperfine_dir:
            return
        cmds = []
        for v in variants:
            if v.status != "ok":
                continue
            if v.prepare or v.cleanup or len(v.steps) != 1 or callable(v.steps[0]):
                case.setdefault("notes", []).append(
                    "hyperfine: not used for this case (it needs untimed steps between runs)")
                return
            cmds += ["-n", v.tool, describe(v.steps[0])]
        if not cmds:
            return
        os.makedirs(self.hyperfine_dir, exist_ok=True)
        path = os.path.join(self.hyperfine_dir, case["id"] + ".json")
        rc, _, err = self.runner.run(["hyperfine", "-N", "--style", "none",
                                      "--warmup", str(warmup), "--runs", str(max(runs, 2)),
                                      "--export-json", path] + cmds, timeout=3600)
        if rc == 0:
            case["hyperfine"] = os.path.basename(path)
        else:
            case.setdefault("notes", []).append(
                "hyperfine failed: " + " ".join(err.strip().splitlines()[-2:]))


def progress(case_id, done, total):
    if sys.stderr.isatty():
        print("bench: %-20s %d/%d" % (case_id, done, total), end="\r", file=sys.stderr,
              flush=True)
        if done == total:
            print(file=sys.stderr)


def make_variants(ctx, build):
    """build(tool) -> Variant or None, for pc and podman (and floor)."""
    out = []
    for tool in TOOLS:
        v = build(tool)
        if v is not None:
            out.append(v)
    return out


__all__ = ["Context", "Variant", "Failed", "make_variants", "extract_layers",
           "docker_archive_info", "bench_env"]
