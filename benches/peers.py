#!/usr/bin/env python3
"""zhunru beside the peer engines, whole process, in the same run (benches/README.md).

    python3 benches/peers.py [--file F] [--rounds 7] [--baseline NAME] [--only a,b]
                             [--zhunru target/release/zhunru] [--peers /tmp/peers-target/release/peers]
                             [--extra NAME=BINARY]

Each round runs every variant once, in an order rotated from round to round (this VM is
noisy: alternating keeps a slow spell from landing on one variant). Output goes to
/dev/null. Reported per variant: the median wall time, its ratio to the baseline variant's
median from the same run, the fastest and slowest run, the median CPU time (user + sys,
less moved by other load than wall time) and the peak RSS (from GNU time).
`--extra NAME=BINARY` adds another zhunru binary (e.g. the build before a change) as
`NAME -j1` and `NAME -j2`. Standard library only.
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def variants(a):
    z = [a.zhunru, "eval", "-p", os.path.join(ROOT, "benches/yingjiang_like.policy"),
         "-f", "json", "--as-of", "2020-06-01"]
    v = {
        "zhunru -j1": z + ["-j1", a.file],
        "zhunru -j2": z + ["-j2", a.file],
        "peers native --missing": [a.peers, "native", a.file, "--missing"],
        "peers parse": [a.peers, "parse", a.file],
        "peers parse --sonic": [a.peers, "parse", a.file, "--sonic"],
        "peers cedar --lists-as-data": [a.peers, "cedar", a.file, "--lists-as-data"],
        "peers rego-rvm": [a.peers, "rego-rvm", a.file],
    }
    for extra in a.extra:
        name, binary = extra.split("=", 1)
        v[f"{name} -j1"] = [binary] + z[1:] + ["-j1", a.file]
        v[f"{name} -j2"] = [binary] + z[1:] + ["-j2", a.file]
    return v


def run(cmd):
    """Wall and CPU time from wait4, peak RSS from GNU time (wait4's figure would include
    the Python process the child was forked from)."""
    with open(os.devnull, "wb") as null:
        t = time.perf_counter()
        p = subprocess.Popen(["/usr/bin/time", "-f", "RSS_KB %M"] + cmd, stdout=null,
                             stderr=subprocess.PIPE)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        err = p.stderr.read()
        p.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err.decode(errors='replace')}")
    rss_kb = int(err.decode().rsplit("RSS_KB ", 1)[1].split()[0])
    return wall, usage.ru_utime + usage.ru_stime, rss_kb


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", default="/tmp/tasks-100000-42.jsonl")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--baseline", default="peers native --missing")
    ap.add_argument("--only", default="")
    ap.add_argument("--zhunru", default=os.path.join(ROOT, "target/release/zhunru"))
    ap.add_argument("--peers", default="/tmp/peers-target/release/peers")
    ap.add_argument("--extra", action="append", default=[])
    # Every round's times as JSON, for ratios taken within a round (the VM's speed moves
    # between rounds by up to 1.7x, so medians of different variants may come from
    # different speeds).
    ap.add_argument("--raw", default="")
    a = ap.parse_args()
    v = variants(a)
    if a.only:
        keep = [s.strip() for s in a.only.split(",")]
        v = {k: c for k, c in v.items() if k in keep or k == a.baseline}
    names = list(v)
    walls = {n: [] for n in names}
    cpus = {n: [] for n in names}
    rss = {n: 0 for n in names}
    for r in range(a.rounds):
        order = names[r % len(names):] + names[: r % len(names)]
        for n in order:
            w, c, m = run(v[n])
            walls[n].append(w)
            cpus[n].append(c)
            rss[n] = max(rss[n], m)
    if a.raw:
        with open(a.raw, "w") as f:
            json.dump({"walls": walls, "cpus": cpus}, f)
    base = statistics.median(walls[a.baseline])
    base_cpu = statistics.median(cpus[a.baseline])
    size = os.path.getsize(a.file) / 1e6
    print(f"file {a.file} ({size:.1f} MB), {a.rounds} rounds, baseline `{a.baseline}`; "
          f"load before: {os.getloadavg()[0]:.2f}")
    print()
    print("| variant | wall s (median) | baseline ÷ variant | same-round ratio (median) | min–max s | CPU s (user+sys) | baseline CPU ÷ variant | peak RSS MiB |")
    print("|---|---:|---:|---:|---|---:|---:|---:|")
    for n in names:
        m = statistics.median(walls[n])
        c = statistics.median(cpus[n])
        paired = statistics.median(b / w for b, w in zip(walls[a.baseline], walls[n]))
        print(f"| `{n}` | {m:.3f} | {base / m:.2f} | {paired:.2f} | "
              f"{min(walls[n]):.3f}–{max(walls[n]):.3f} | {c:.3f} | {base_cpu / c:.2f} | {rss[n] / 1024:.1f} |")
    goals(walls)


# Issue 12's goals: (numerator, denominator, goal, whether the ratio must be at least or at
# most the goal). Each ratio is taken within a round, so both runs saw the same machine.
GOALS = [
    ("peers native --missing", "zhunru -j1", 2.0, "at least"),
    ("zhunru -j1", "peers parse --sonic", 1.5, "at most"),
    ("zhunru -j1", "zhunru -j2", 1.8, "at least"),
]


def interval(ratios, draws=2000):
    """A 95 % bootstrap interval of the median of `ratios` (a fixed seed: the same rounds
    give the same interval)."""
    rng = random.Random(12)
    medians = sorted(statistics.median(rng.choices(ratios, k=len(ratios)))
                     for _ in range(draws))
    return medians[int(draws * 0.025)], medians[int(draws * 0.975) - 1]


def goals(walls):
    """The goals whose variants ran: the same-round median, its interval, and a verdict that
    says `met` only when the whole interval is on the right side of the goal."""
    rows = [g for g in GOALS if g[0] in walls and g[1] in walls]
    if not rows:
        return
    print()
    print("| ratio (same round) | goal | median | 95 % interval of the median | |")
    print("|---|---:|---:|---|---|")
    for num, den, goal, side in rows:
        ratios = [a / b for a, b in zip(walls[num], walls[den])]
        med = statistics.median(ratios)
        lo, hi = interval(ratios)
        if side == "at least":
            verdict = "met" if lo >= goal else ("not met" if hi < goal else "undecided")
            sign = "≥"
        else:
            verdict = "met" if hi <= goal else ("not met" if lo > goal else "undecided")
            sign = "≤"
        print(f"| `{num}` ÷ `{den}` | {sign} {goal} | {med:.2f} | {lo:.2f}–{hi:.2f} | {verdict} |")


if __name__ == "__main__":
    main()
