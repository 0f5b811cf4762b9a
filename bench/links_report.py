#!/usr/bin/env python3
"""links_report.py — the tables of bench/links.sh from its TSV (one value per line:
link, repetition, metric, value). Medians over the repetitions, with min–max.

    bench/links_report.py bench/results/links.tsv
"""
import statistics
import sys
from collections import OrderedDict, defaultdict

RATE_TOL = 0.02       # tramdo within ±2% of the link's own counters
TEST_MAX_S = 10.0     # the whole one-key test
LOADED_TOL = 0.10     # loaded latency within 10% of idle round trip + queueing delay


def num(v):
    try:
        return float(v)
    except ValueError:
        return None


def load(path):
    links, header = OrderedDict(), []
    for line in open(path):
        if line.startswith("#"):
            header.append(line[1:].strip())
            continue
        name, rep, metric, value = line.rstrip("\n").split("\t")
        d = links.setdefault(name, {"spec": None, "load": None, "ref": {}, "runs": defaultdict(dict)})
        if metric == "spec":
            d["spec"] = value.split()
        elif metric == "load":
            d["load"] = value
        elif rep == "0":
            d["ref"][metric] = num(value)
        else:
            d["runs"][rep][metric] = num(value)
    return header, links


def med(runs, key):
    v = [r[key] for r in runs if r.get(key) is not None]
    return (statistics.median(v), min(v), max(v)) if v else None


def fmt(m, digits=2):
    if m is None:
        return "—"
    if m[1] == m[2]:
        return f"{m[0]:.{digits}f}"
    return f"{m[0]:.{digits}f} ({m[1]:.{digits}f}–{m[2]:.{digits}f})"


def ratios(runs, a, b):
    """Per-run a/b − 1: the worst one, signed."""
    v = [r[a] / r[b] - 1 for r in runs if r.get(a) is not None and r.get(b)]
    return max(v, key=abs) if v else None


def pct(x):
    return "—" if x is None else f"{x * 100:+.1f}%"


def mark(ok):
    return "✅" if ok else "❌"


def main():
    header, links = load(sys.argv[1])
    for h in header:
        print(f"Run: {h}  ")
    print()
    print("| link | down / up Mbit/s, round trip, queue | dir | tramdo | link counters (tramdo's window) "
          "| tramdo ÷ link, worst run | ±2%? | iperf3 | tramdo ÷ iperf3 |")
    print("|---|---|:---:|---:|---:|---:|:---:|---:|---:|")
    worst_rate = 0.0
    for name, d in links.items():
        runs = list(d["runs"].values())
        s = d["spec"]
        desc = f"{s[0]} / {s[1]}, {s[2]} ms, {int(s[3]) // 1000} kB"
        if len(s) > 4:
            desc += f"; {s[5]} / {s[6]} after {s[4]} s"
        for p in ("download", "upload"):
            r = ratios(runs, p + "_tramdo", p + "_link")
            worst_rate = max(worst_rate, abs(r)) if r is not None else worst_rate
            t, ip = med(runs, p + "_tramdo"), d["ref"].get(p + "_iperf3")
            vs_ip = pct(t[0] / ip - 1) if t and ip else "—"
            print(f"| {name} | {desc} | {'up' if p == 'upload' else 'down'} | {fmt(t)} | "
                  f"{fmt(med(runs, p + '_link'))} | {pct(r)} | {mark(r is not None and abs(r) <= RATE_TOL)} | "
                  f"{'—' if ip is None else f'{ip:.2f}'} | {vs_ip} |")
    print()
    print("| link | whole test s | ≤ 10 s? | idle ms | loaded ms down (idle + queue) | loaded ms up "
          "(idle + queue) | within 10%? | tramdo CPU s | load (1 min) |")
    print("|---|---:|:---:|---:|---:|---:|:---:|---:|---:|")
    worst_time, worst_loaded = 0.0, 0.0
    for name, d in links.items():
        runs = list(d["runs"].values())
        dur = med(runs, "duration_s")
        worst_time = max(worst_time, dur[2]) if dur else worst_time
        cells, ok = [], True
        for p in ("download", "upload"):
            for r in runs:
                if None not in (r.get("idle_ms"), r.get(p + "_queue_ms")):
                    r[p + "_expected_ms"] = r["idle_ms"] + r[p + "_queue_ms"]
            e = ratios(runs, p + "_loaded_ms", p + "_expected_ms")
            if e is not None:
                worst_loaded = max(worst_loaded, abs(e))
                ok = ok and abs(e) <= LOADED_TOL
            cells.append(f"{fmt(med(runs, p + '_loaded_ms'), 0)} ({fmt(med(runs, p + '_expected_ms'), 0)}; {pct(e)})")
        print(f"| {name} | {fmt(dur, 1)} | {mark(dur is not None and dur[2] <= TEST_MAX_S)} | "
              f"{fmt(med(runs, 'idle_ms'), 1)} | {cells[0]} | {cells[1]} | {mark(ok)} | "
              f"{fmt(med(runs, 'cpu_s'))} | {d['load']} |")
    print()
    print(f"Worst: tramdo ÷ link {worst_rate * 100:.1f}% (target ±{RATE_TOL * 100:.0f}%), "
          f"whole test {worst_time:.1f} s (target ≤ {TEST_MAX_S:.0f} s), loaded latency "
          f"{worst_loaded * 100:.1f}% from idle + queue (target ±{LOADED_TOL * 100:.0f}%).")


if __name__ == "__main__":
    main()
