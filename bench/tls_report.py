#!/usr/bin/env python3
"""tls_report.py — the Markdown tables of bench/tls.sh's TSV (docs/benchmarks.md, "HTTPS").

Rows: CASE TOOL ROUND down_mbps up_mbps down_bytes up_bytes down_cpu_s up_cpu_s load1, TOOL one
of http, https (tramdo over that scheme) or iperf3 (rates only). Rates are medians over rounds;
CPU per GB is the sum of tramdo's CPU seconds over the sum of bytes moved (10^9), per direction.
"""
import re
import statistics
import sys

CEILING = 1448 / 1514	# payload per wire byte of a full-size TCP segment on a tbf link

rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip() and not l.startswith("#")]
cases = list(dict.fromkeys(r[0] for r in rows))


def num(v):
	try:
		return float(v)
	except ValueError:
		return None


def sel(case, tool):
	return [r for r in rows if r[0] == case and r[1] == tool]


def med(rs, i):
	v = [num(r[i]) for r in rs if num(r[i]) is not None]
	return statistics.median(v) if v else None


def spread(rs, i):
	v = [num(r[i]) for r in rs if num(r[i]) is not None]
	return (max(v) - min(v)) / statistics.median(v) * 100 if len(v) > 1 else 0


def cpu_per_gb(rs, cpu_i, bytes_i):
	c = sum(num(r[cpu_i]) or 0 for r in rs)
	b = sum(num(r[bytes_i]) or 0 for r in rs)
	return c / (b / 1e9) if b > 0 else None


def fmt(v, f="%.1f"):
	return f % v if v is not None else "–"


for case in cases:
	m = re.match(r"(\d+)mbit", case)
	rate = int(m.group(1)) if m else None
	loads = [num(r[9]) for r in rows if r[0] == case and len(r) > 9 and num(r[9]) is not None]
	print(f"\n{case}: {len(sel(case, 'https'))} rounds, load average (1 min) "
	      f"{min(loads):.1f}–{max(loads):.1f}\n" if loads else f"\n{case}\n")
	head = ("| | download Mbit/s | upload Mbit/s | CPU s/GB down | CPU s/GB up | "
		"CPU s per run down / up | spread down / up |")
	print(head)
	print("|---|---:|---:|---:|---:|---:|---:|")
	for tool in ("http", "https", "iperf3"):
		rs = sel(case, tool)
		if not rs:
			continue
		name = "iperf3 (reference)" if tool == "iperf3" else f"tramdo over {tool}"
		print(f"| {name} | {fmt(med(rs, 3), '%.2f')} | {fmt(med(rs, 4), '%.2f')} | "
		      f"{fmt(cpu_per_gb(rs, 7, 5), '%.2f') if tool != 'iperf3' else ''} | "
		      f"{fmt(cpu_per_gb(rs, 8, 6), '%.2f') if tool != 'iperf3' else ''} | "
		      f"{fmt(med(rs, 7), '%.2f') + ' / ' + fmt(med(rs, 8), '%.2f') if tool != 'iperf3' else ''} | "
		      f"{spread(rs, 3):.1f}% / {spread(rs, 4):.1f}% |")
	if rate:
		print(f"| payload ceiling ({rate} × 1448/1514) | {rate * CEILING:.2f} | {rate * CEILING:.2f} | | | | |")
	h, s, i = sel(case, "http"), sel(case, "https"), sel(case, "iperf3")
	ref = ("iperf3", i) if i else ("the ceiling", None)
	for tool, rs in (("http", h), ("https", s)):
		if not rs or not rate:
			continue
		rd = med(i, 3) if i else rate * CEILING
		ru = med(i, 4) if i else rate * CEILING
		print(f"\ntramdo over {tool} vs {ref[0]}: download {(med(rs, 3) / rd - 1) * 100:+.2f}%, "
		      f"upload {(med(rs, 4) / ru - 1) * 100:+.2f}%", end="")
	if h and s:
		print(f"\nhttps / http CPU per GB: download ×{cpu_per_gb(s, 7, 5) / cpu_per_gb(h, 7, 5):.2f}, "
		      f"upload ×{cpu_per_gb(s, 8, 6) / cpu_per_gb(h, 8, 6):.2f}")
