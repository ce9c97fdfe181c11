#!/usr/bin/env python3
"""Writes an OCI config.json like the one pc's engine writes for `pc run`
(rootless defaults: no new user namespace, podman's mounts, masked and
read-only paths, default capabilities and seccomp), for pc-runtime-test.

mkspec.py --rootfs DIR [--hostname H] [--env K=V]... [--cwd D] [--user U:G]
          [--tty] [--readonly] [--seccomp FILE.json] [--no-seccomp]
          [--userns] [--bind SRC:DST[:ro]] [--tmpfs DST] -- ARGS...
"""
import argparse
import json
import os
import subprocess
import sys

p = argparse.ArgumentParser()
p.add_argument('--rootfs', required=True)
p.add_argument('--propagation', help='linux.rootfsPropagation')
p.add_argument('--userns-path', help='join this user namespace instead of creating one')
p.add_argument('--hostname', default='pctest')
p.add_argument('--env', action='append', default=[])
p.add_argument('--cwd', default='/')
p.add_argument('--user', default='0:0')
p.add_argument('--groups', default='')
p.add_argument('--tty', action='store_true')
p.add_argument('--console-size', help='ROWSxCOLS')
p.add_argument('--readonly', action='store_true')
p.add_argument('--seccomp', help='OCI linux.seccomp JSON file')
p.add_argument('--no-seccomp', action='store_true')
p.add_argument('--userns', action='store_true',
               help='new user namespace mapping 0..65535 to 0..65535 of the namespace pc-runtime-test runs in')
p.add_argument('--bind', action='append', default=[])
p.add_argument('--tmpfs', action='append', default=[])
p.add_argument('--cap', action='append', help='capability set instead of the default')
p.add_argument('--seccomp-cache')
p.add_argument('--rlimit', action='append', default=[], help='NAME=soft:hard')
p.add_argument('--no-new-privs', action='store_true')
p.add_argument('args', nargs='+')
a = p.parse_args()

caps = a.cap or ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
                 "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
                 "CAP_SETUID", "CAP_SYS_CHROOT"]
uid, gid = (int(x) for x in a.user.split(':'))
ns = [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount", "cgroup")]
spec = {
    "ociVersion": "1.0.0",
    "process": {
        "terminal": a.tty,
        "user": {"uid": uid, "gid": gid, "umask": 0o022,
                 "additionalGids": [int(g) for g in a.groups.split(',') if g]},
        "args": a.args,
        "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "TERM=xterm", "HOSTNAME=" + a.hostname] + a.env,
        "cwd": a.cwd,
        "capabilities": {"bounding": caps, "effective": caps if uid == 0 else [],
                         "permitted": caps if uid == 0 else []},
        "rlimits": [],
        "noNewPrivileges": a.no_new_privs,
        "oomScoreAdj": 0,
    },
    "root": {"path": os.path.abspath(a.rootfs), "readonly": a.readonly},
    "hostname": a.hostname,
    "mounts": [
        {"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
         "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
        {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
         "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536000"]},
    ],
    "annotations": {},
    "linux": {
        "namespaces": ns,
        "maskedPaths": ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
                        "/sys/firmware", "/sys/fs/selinux", "/sys/dev/block", "/proc/interrupts"],
        "readonlyPaths": ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                          "/proc/sysrq-trigger"],
    },
}
if a.console_size:
    rows, cols = a.console_size.split('x')
    spec["process"]["consoleSize"] = {"height": int(rows), "width": int(cols)}
for r in a.rlimit:
    name, v = r.split('=')
    soft, hard = v.split(':')
    spec["process"]["rlimits"].append({"type": name, "soft": int(soft), "hard": int(hard)})
for b in a.bind:
    parts = b.split(':')
    opts = ["rbind", "nosuid", "nodev"] + (["ro"] if len(parts) > 2 and parts[2] == 'ro' else [])
    spec["mounts"].append({"destination": parts[1], "type": "bind", "source": parts[0], "options": opts})
for t in a.tmpfs:
    spec["mounts"].append({"destination": t, "type": "tmpfs", "source": "tmpfs",
                           "options": ["rw", "rprivate", "nosuid", "nodev", "tmpcopyup"]})
if a.userns:
    spec["linux"]["namespaces"].append({"type": "user"})
    spec["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 0, "size": 1},
                                    {"containerID": 1, "hostID": 1, "size": 65535}]
    spec["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 0, "size": 1},
                                    {"containerID": 1, "hostID": 1, "size": 65535}]
if a.propagation:
    spec["linux"]["rootfsPropagation"] = a.propagation
if a.userns_path:
    spec["linux"]["namespaces"].append({"type": "user", "path": a.userns_path})
if a.seccomp_cache:
    spec["annotations"]["run.pc.seccomp-cache"] = a.seccomp_cache
if a.seccomp:
    with open(a.seccomp) as f:
        spec["linux"]["seccomp"] = json.load(f)
elif not a.no_seccomp:
    driver = os.environ.get('PC_RUNTIME_TEST', 'pc-runtime-test')
    out = subprocess.run([driver, '--seccomp-oci'], check=True, capture_output=True, text=True).stdout
    spec["linux"]["seccomp"] = json.loads(out)
json.dump(spec, sys.stdout, indent=1)
