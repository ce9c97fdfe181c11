#!/usr/bin/env python3
"""bench/lib/report.py: raw samples of bench.py + facts about the machine ->
bench/results/latest.json and latest.md (a table per case with pc, podman,
the floor, pc/podman and pc/floor).  A ratio is only given when both sides
ran every sample; otherwise the table says which side failed and why."""

import argparse
import json
import os
import platform
import statistics
import subprocess


def sh(argv, cwd=None):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, cwd=cwd, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return p.stdout.strip() if p.returncode == 0 else ""


def first_line(s):
    return s.splitlines()[0] if s else "?"


def read_kv(path, key, sep=":"):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(key):
                    return line.split(sep, 1)[1].strip().strip('"')
    except OSError:
        pass
    return "?"


def cgroups():
    if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        return "v2"
    if os.path.exists("/sys/fs/cgroup/unified"):
        return "v1 (hybrid)"
    return "v1"


def machine(repo, pc):
    commit = sh(["git", "rev-parse", "--short=12", "HEAD"], cwd=repo) or "?"
    dirty = sh(["git", "status", "--porcelain"], cwd=repo)
    pc_version = read_pc_version(pc)
    mem_kib = read_kv("/proc/meminfo", "MemTotal").split()[0]
    return {
        "host_os": read_kv("/etc/os-release", "PRETTY_NAME", "="),
        "kernel": platform.release(),
        "cpu": read_kv("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "memory_gib": round(int(mem_kib) / 1048576, 1) if mem_kib.isdigit() else None,
        "cgroups": cgroups(),
        "pc_commit": commit + (" + uncommitted changes in the tree" if dirty else ""),
        "pc_version": pc_version,
        "podman": first_line(sh(["podman", "--version"])),
        "runc": first_line(sh(["runc", "--version"])),
        "conmon": first_line(sh(["conmon", "--version"])),
        "bwrap": first_line(sh(["bwrap", "--version"])),
        "hyperfine": first_line(sh(["hyperfine", "--version"])),
    }


def read_pc_version(pc):
    out = sh([pc, "version"])
    for line in out.splitlines():
        if line.startswith("Version:"):
            return line.split(":", 1)[1].strip()
    return "?"


def stats(samples):
    if not samples:
        return None
    s = sorted(samples)
    if len(s) >= 2:
        q = statistics.quantiles(s, n=4, method="inclusive")
        p25, p75 = q[0], q[2]
    else:
        p25 = p75 = s[0]
    return {"n": len(s), "median": statistics.median(s), "p25": p25, "p75": p75,
            "min": s[0], "max": s[-1], "mean": statistics.fmean(s),
            "stdev": statistics.stdev(s) if len(s) >= 2 else 0.0}


def ratio(case, a, b):
    """(value, None) or (None, why there is no ratio)."""
    va, vb = case["by_tool"].get(a), case["by_tool"].get(b)
    for tool, v in ((b, vb), (a, va)):
        if v is None:
            return None, "no %s for this case" % tool
        if v["status"] != "ok":
            return None, "%s %s" % (tool, v["status"])
    return va["stats"]["median"] / vb["stats"]["median"], None


def fmt(value, unit):
    if value is None:
        return "—"
    if unit == "KiB":
        return "%.1f MiB" % (value / 1024) if value >= 1024 else "%d KiB" % value
    ms = value * 1000
    if ms < 10:
        return "%.2f ms" % ms
    if ms < 1000:
        return "%.1f ms" % ms
    return "%.2f s" % value


def fmt_ratio(r, why):
    if r is None:
        return "— (%s)" % why if why and not why.startswith("no floor") else "—"
    return "%.2f" % r


def words(r, unit="s"):
    if r is None:
        return ""
    better, worse = ("smaller", "larger") if unit == "KiB" else ("faster", "slower")
    if r < 1:
        return "pc %.1f× %s" % (1 / r, better)
    return "pc %.1f× %s" % (r, worse)


def cell(v, unit):
    if v is None:
        return "n/a"
    if v["status"] != "ok":
        return v["status"]
    return fmt(v["stats"]["median"], unit)


def shorten(text, raw):
    """Commands as a reader would type them: `pc`, FIXTURES, TMP."""
    for path, name in ((raw.get("pc"), "pc"), (raw.get("fixtures"), "FIXTURES"),
                       (raw.get("tmp"), "TMP")):
        if path:
            text = text.replace(path, name)
    return text


def compose(raw, mach):
    cases = []
    for c in raw["cases"]:
        c = dict(c)
        c["notes"] = [shorten(n, raw) for n in c.get("notes", [])]
        if c.get("reason"):
            c["reason"] = shorten(c["reason"], raw)
        if c.get("kind") != "info":
            c["by_tool"] = {}
            for v in c["variants"]:
                v["command"] = shorten(v["command"], raw)
                if v.get("reason"):
                    v["reason"] = shorten(v["reason"], raw)
                v["stats"] = stats(v["samples"]) if v["status"] == "ok" else None
                if v["status"] == "ok" and not v["samples"]:
                    v["status"], v["reason"] = "failed", "no samples recorded"
                c["by_tool"][v["tool"]] = v
            c["ratios"] = {}
            pairs = [("pc", "podman"), ("pc", "floor"), ("podman", "floor")]
            # The start case's least start (bench/least-start.c).
            if "least" in c["by_tool"]:
                pairs += [("least", "floor"), ("pc", "least")]
            for a, b in pairs:
                r, why = ratio(c, a, b)
                c["ratios"]["%s/%s" % (a, b)] = {"value": r, "no_ratio_because": why}
            del c["by_tool"]
        elif c.get("command"):
            c["command"] = shorten(c["command"], raw)
        cases.append(c)
    meta = {k: v for k, v in raw.items() if k != "cases"}
    return {"machine": mach, "run": meta, "cases": cases}


def md_escape(s):
    return (s or "").replace("|", "\\|").replace("\n", " ")


def render(doc):
    m, run = doc["machine"], doc["run"]
    out = ["# pc vs podman: benchmark results", ""]
    out.append("Machine: %s, kernel %s, %s × %d cores, %s GiB RAM, cgroups %s."
               % (m["host_os"], m["kernel"], m["cpu"], m["cores"], m["memory_gib"], m["cgroups"]))
    out.append("")
    out.append("pc %s (git %s); %s; runc %s; %s; %s."
               % (m["pc_version"], m["pc_commit"], m["podman"],
                  m["runc"].replace("runc version ", ""), m["conmon"], m["bwrap"]))
    out.append("")
    info = (run.get("podman_info") or "").split()
    podman_cfg = ("podman info: runtime %s, storage driver %s, cgroup manager %s" % tuple(info)
                  if len(info) == 3 else "podman info failed: %s" % run.get("podman_broken"))
    rfs = run.get("runtime_dir_fs")
    rdir = (", XDG_RUNTIME_DIR on %s%s" % (rfs, " (as a login session's /run/user/UID)" if rfs == "tmpfs"
                                            else ", not a tmpfs as in a login session")
            if rfs else "")
    sfs = run.get("store_fs")
    out.append("Run: %s, %s mode, %.0f s, rootless as user `%s`, private HOME%s%s (%s). "
               "Lower is better everywhere; a ratio below 1 means pc is faster (or smaller)."
               % (run["started"], "quick" if run["quick"] else "full", run["duration_s"],
                  run["user"], " on " + sfs if sfs else "", rdir, podman_cfg))
    if run.get("loadavg_start") is not None:
        out.append("")
        out.append("Load average (1 min) at the start %.1f, at the end %.1f, on %d cores: above "
                   "the core count other work shared the machine, and times stretch (fsync "
                   "and process start most)." % (run["loadavg_start"], run.get("loadavg_end") or 0,
                                                 m["cores"]))
    out.append("")
    out.append("| case | pc | podman | floor | pc/podman | pc/floor |")
    out.append("|---|---|---|---|---|---|")
    for c in doc["cases"]:
        if c.get("kind") == "info":
            continue
        by = {v["tool"]: v for v in c["variants"]}
        r = c["ratios"]
        pp, pf = r["pc/podman"], r["pc/floor"]
        out.append("| %s | %s | %s | %s | %s | %s |" % (
            c["id"], cell(by.get("pc"), c["unit"]), cell(by.get("podman"), c["unit"]),
            cell(by.get("floor"), c["unit"]),
            "%.2f (%s)" % (pp["value"], words(pp["value"], c["unit"]))
            if pp["value"] is not None else "—",
            "%.2f" % pf["value"] if pf["value"] is not None else "—"))
    out.append("")
    out.append("Medians; \"not run\" and \"failed\" are explained in the case below, "
               "and no ratio is given for them.")
    for c in doc["cases"]:
        lf = (c.get("ratios") or {}).get("least/floor", {}).get("value")
        pl = (c.get("ratios") or {}).get("pc/least", {}).get("value")
        if lf is not None:
            out.append("")
            out.append("%s: the least start (bench/least-start.c: newuidmap and newgidmap, the "
                       "container's namespaces, `true`, no tool) is %.2f× its floor; pc is %s "
                       "that least start." % (c["id"], lf, "%.2f×" % pl if pl is not None else "not timed against"))
    out.append("")
    out.append("![ps -a and images at 10/100/1000, pc/floor of the start cases, where pc "
               "run spends its time](latest.png)")
    out.append("")
    for c in doc["cases"]:
        out += render_case(c)
    text = "\n".join(out) + "\n"
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


def render_case(c):
    out = ["## %s: %s" % (c["id"], c["title"]), "", c.get("about", ""), ""]
    if c.get("kind") == "info":
        return out + render_info(c)
    unit = c["unit"]
    if c["kind"] == "rss":
        out.append("One sample per container (%d containers)." % c["runs"])
    else:
        out.append("%d runs per tool after %d warm-up run%s, interleaved."
                   % (c["runs"], c["warmup"], "" if c["warmup"] == 1 else "s"))
    out.append("")
    out.append("| tool | command | median | spread (p25–p75) | min–max | n |")
    out.append("|---|---|---|---|---|---|")
    for v in c["variants"]:
        s = v.get("stats")
        if s:
            out.append("| %s | `%s` | %s | %s–%s | %s–%s | %d |" % (
                v["tool"], md_escape(v["command"]), fmt(s["median"], unit),
                fmt(s["p25"], unit), fmt(s["p75"], unit), fmt(s["min"], unit),
                fmt(s["max"], unit), s["n"]))
        else:
            out.append("| %s | `%s` | %s | | | |" % (v["tool"], md_escape(v["command"]),
                                                     v["status"]))
    out.append("")
    r = c["ratios"]
    parts = []
    for key in ("pc/podman", "pc/floor", "podman/floor", "least/floor", "pc/least"):
        if key not in r:
            continue
        val, why = r[key]["value"], r[key]["no_ratio_because"]
        if val is not None:
            parts.append("%s = %.2f" % (key, val))
        elif why and not why.startswith("no floor"):
            parts.append("%s: no ratio (%s)" % (key, why))
    if parts:
        out.append("Ratios of medians: " + "; ".join(parts) + ".")
    if c.get("bytes"):
        rates = []
        for v in c["variants"]:
            if v.get("stats"):
                rates.append("%s %.0f MiB/s" % (v["tool"], c["bytes"] / v["stats"]["median"] / 1048576))
        if rates:
            out.append("")
            out.append("Throughput: " + ", ".join(rates) + ".")
    out.append("")
    for v in c["variants"]:
        if v["status"] != "ok":
            out.append("- %s %s: %s" % (v["tool"], v["status"], md_escape(v.get("reason"))))
        elif v["extra"].get("pss_kib"):
            pss = [p for p in v["extra"]["pss_kib"] if p is not None]
            private = [p for p in v["extra"].get("private_kib", []) if p is not None]
            if pss:
                out.append("- %s (process `%s`): median Pss %s%s" % (
                    v["tool"], v["extra"].get("comm", "?"), fmt(statistics.median(pss), "KiB"),
                    ", private %s" % fmt(statistics.median(private), "KiB") if private else ""))
    for n in c.get("notes", []):
        out.append("- note: " + n)
    if c.get("hyperfine"):
        out.append("- hyperfine cross-check: `hyperfine/%s`" % c["hyperfine"])
    out.append("")
    return out


def render_info(c):
    out = ["Command: `%s`" % md_escape(c.get("command")), ""]
    if c.get("status") != "ok":
        out.append("%s: %s" % (c.get("status"), md_escape(c.get("reason"))))
        out.append("")
        if not c.get("lines"):
            return out
    out.append("Total: %.1f ms, %d line%s on stderr%s." % (
        c.get("total_ms", 0), len(c["lines"]), "" if len(c["lines"]) == 1 else "s",
        "" if c["lines"] else ": pc logs nothing on this path at debug level yet, so "
        "there is no breakdown to show"))
    out.append("")
    if c["lines"]:
        out.append("| ms since start | line |")
        out.append("|---|---|")
        for t, line in c["lines"][:80]:
            out.append("| %.1f | `%s` |" % (t, md_escape(line)[:200]))
        out.append("")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--pc", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    with open(a.raw) as f:
        raw = json.load(f)
    doc = compose(raw, machine(a.repo, a.pc))
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "latest.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    with open(os.path.join(a.out, "latest.md"), "w") as f:
        f.write(render(doc))


if __name__ == "__main__":
    main()
