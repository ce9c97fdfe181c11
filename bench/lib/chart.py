#!/usr/bin/env python3
"""bench/lib/chart.py: latest.json -> latest.png, the shape of a run at a
glance: how `ps -a` and `images` grow with 10/100/1000 containers or images
(pc and podman, log-log, with a line of slope 1 for linear growth), where
`pc run --rm` spends its time (the --log-level debug breakdown), and the
start cases as multiples of their floor, against issue 17's aims.
Needs Debian's python3-matplotlib; without it, says so and writes nothing."""

import argparse
import json
import re
import sys

COLORS = {"pc": "#1f77b4", "podman": "#d62728", "floor": "#7f7f7f"}
# Issue 17's aims: pc/floor at most this much.
AIMS = {"run-rm-true-netnone": 2.0, "run-rm-true": 2.3, "create": 2.0, "start": 2.0}


def medians(case):
    out = {}
    for v in case.get("variants", []):
        s = v.get("stats")
        if v.get("status") == "ok" and s:
            out[v["tool"]] = s["median"]
    return out


def series(cases, prefix):
    """{tool: [(n, median seconds)]} of the cases PREFIX-N."""
    out = {}
    for c in cases:
        m = re.fullmatch(re.escape(prefix) + r"-(\d+)", c["id"])
        if not m:
            continue
        for tool, med in medians(c).items():
            out.setdefault(tool, []).append((int(m.group(1)), med))
    for pts in out.values():
        pts.sort()
    return out


def plot_scaling(ax, cases, prefix, title, aim_ms=None):
    data = series(cases, prefix)
    if not data:
        ax.text(0.5, 0.5, "no %s cases in this run" % prefix, ha="center", va="center",
                transform=ax.transAxes)
        ax.set_title(title)
        return
    for tool, pts in sorted(data.items()):
        xs = [p[0] for p in pts]
        ys = [p[1] * 1000 for p in pts]
        ax.plot(xs, ys, "o-", color=COLORS.get(tool), label=tool)
        for x, y in zip(xs, ys):
            ax.annotate("%.1f" % y, (x, y), textcoords="offset points", xytext=(4, 4),
                        fontsize=7)
    pc = data.get("pc")
    if pc:
        n0, t0 = pc[0][0], pc[0][1] * 1000
        xs = [p[0] for p in pc]
        ax.plot(xs, [t0 * x / n0 for x in xs], ":", color="#999999",
                label="linear from pc's first point")
    if aim_ms:
        ax.axhline(aim_ms, color="#2ca02c", lw=0.8, ls="--", label="aim: %g ms" % aim_ms)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("count")
    ax.set_ylabel("median ms")
    ax.set_title(title)
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.3)


DEBUG_RE = re.compile(r"DEBUG\[\s*([0-9.]+) ms\]\s*(.*)")


def plot_breakdown(ax, cases):
    c = next((c for c in cases if c["id"] == "run-rm-breakdown"), None)
    steps = []
    for _, line in (c or {}).get("lines", []):
        m = DEBUG_RE.search(line)
        if m:
            steps.append((float(m.group(1)), m.group(2)))
    ax.set_title("pc run --rm --network none busybox true: where the time goes")
    if not steps:
        ax.text(0.5, 0.5, "no breakdown in this run", ha="center", va="center",
                transform=ax.transAxes)
        return
    prev = 0.0
    cmap = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
            "#7f7f7f", "#bcbd22", "#17becf"]
    labels = []
    for k, (t, text) in enumerate(steps):
        short = re.sub(r"[0-9a-f]{64}", "IMAGE", text)
        short = short if len(short) <= 60 else short[:57] + "..."
        ax.barh(0, t - prev, left=prev, color=cmap[k % len(cmap)], edgecolor="white")
        if t - prev > 0.04 * (steps[-1][0] or 1):
            ax.text(prev + (t - prev) / 2, 0, str(k + 1), ha="center", va="center",
                    color="white", fontsize=8, fontweight="bold")
        labels.append("%2d %6.2f ms (+%5.2f) %s" % (k + 1, t, t - prev, short))
        prev = t
    total = c.get("total_ms")
    if total:
        ax.axvline(total, color="black", lw=0.8)
        labels.append("   %6.2f ms total wall time (bench's clock, the line)" % total)
    ax.set_yticks([])
    ax.set_xlabel("ms since pc started (pc's own clock)")
    ax.text(0.0, -0.35, "\n".join(labels), transform=ax.transAxes, fontsize=7,
            family="monospace", va="top")


def plot_floors(ax, cases):
    ids, ratios = [], []
    for c in cases:
        if c["id"] not in AIMS:
            continue
        r = (c.get("ratios") or {}).get("pc/floor", {}).get("value")
        if r is not None:
            ids.append(c["id"])
            ratios.append(r)
    ax.set_title("pc / floor (bars) against issue 17's aims (ticks)")
    if not ids:
        ax.text(0.5, 0.5, "no start cases in this run", ha="center", va="center",
                transform=ax.transAxes)
        return
    ax.bar(range(len(ids)), ratios, color=COLORS["pc"])
    for k, i in enumerate(ids):
        ax.plot([k - 0.4, k + 0.4], [AIMS[i]] * 2, color="#2ca02c", lw=2)
        ax.annotate("%.2f" % ratios[k], (k, ratios[k]), ha="center", xytext=(0, 3),
                    textcoords="offset points", fontsize=8)
    ax.set_xticks(range(len(ids)))
    ax.set_xticklabels(ids, fontsize=8)
    ax.set_ylabel("median pc / median floor")
    ax.grid(True, axis="y", alpha=0.3)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("bench: no chart: python3-matplotlib is not installed", file=sys.stderr)
        return
    with open(a.json) as f:
        doc = json.load(f)
    cases = doc["cases"]
    fig = plt.figure(figsize=(13, 11))
    gs = fig.add_gridspec(3, 2, height_ratios=[1, 1, 0.9], hspace=0.45)
    plot_scaling(fig.add_subplot(gs[0, 0]), cases, "ps-a", "`ps -a` with N containers",
                 aim_ms=30)
    plot_scaling(fig.add_subplot(gs[0, 1]), cases, "images", "`images` with N images")
    plot_floors(fig.add_subplot(gs[1, 0]), cases)
    ax = fig.add_subplot(gs[1, 1])
    plot_breakdown(ax, cases)
    m, run = doc.get("machine", {}), doc.get("run", {})
    fig.suptitle("pc %s (git %s), %s run %s" % (m.get("pc_version", "?"), m.get("pc_commit", "?"),
                                                  "quick" if run.get("quick") else "full",
                                                  run.get("started", "?")), fontsize=10)
    fig.savefig(a.out, dpi=90, bbox_inches="tight")
    print("bench: wrote %s" % a.out, file=sys.stderr)


if __name__ == "__main__":
    main()
