"""Monitor processes of the RSS case: found by the pid each tool records for
the container (never by searching the process table), measured in /proc."""

import os

from engine import Failed


def _own(pid):
    """True when pid is alive and runs as our user."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("Uid:"):
                    return int(line.split()[1]) == os.getuid()
    except OSError:
        return False
    return False


def _inspect_pid(ctx, tool, name):
    rc, out, _ = ctx.runner.run(ctx.argv(tool, "inspect", "--format",
                                         "{{.State.ConmonPid}}", name), capture=True)
    if rc == 0:
        try:
            pid = int(out.strip())
        except ValueError:
            return None
        return pid if pid > 0 else None
    return None


def _pc_pidfile(ctx, cid):
    """pc's monitor.pid for container cid, under pc's runtime directory."""
    if not cid:
        return None
    roots = [os.path.join(ctx.env["XDG_RUNTIME_DIR"], "pc"), "/tmp/pc-%d" % os.getuid()]
    for root in roots:
        for dirpath, dirs, files in os.walk(root):
            if "monitor.pid" in files and cid in dirpath:
                try:
                    with open(os.path.join(dirpath, "monitor.pid")) as f:
                        return int(f.read().split()[0])
                except (OSError, ValueError, IndexError):
                    return None
    return None


def monitor_pid(ctx, tool, name, cid):
    pid = None
    if tool == "podman" or ctx.pc_has("inspect"):
        pid = _inspect_pid(ctx, tool, name)
    if pid is None and tool == "pc":
        pid = _pc_pidfile(ctx, cid)
    if pid is None:
        raise Failed("no monitor pid recorded for container %s (%s inspect "
                     "--format {{.State.ConmonPid}}%s)"
                     % (name, tool, ", monitor.pid" if tool == "pc" else ""))
    if not _own(pid):
        raise Failed("monitor pid %d of container %s is not a live process of ours"
                     % (pid, name))
    return pid


def memory(pid):
    """(VmRSS KiB, Pss KiB or None, private KiB or None) of pid."""
    rss = None
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    pss = private = None
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith(("Private_Clean:", "Private_Dirty:")):
                    private = (private or 0) + int(line.split()[1])
    except OSError:
        pass
    if rss is None:
        raise Failed("no VmRSS for pid %d" % pid)
    return rss, pss, private


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return "?"
