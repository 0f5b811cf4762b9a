#!/usr/bin/env python3
"""probe_run.py — run a tramdo test while timing TCP connects to its server: the ground truth for
its loaded latency, measured on the same queue at the same moments.

    probe_run.py HOST PORT INTERVAL_S -- TRAMDO ARGS...      (INTERVAL_S 0: no probes)

A connect's SYN and SYN-ACK cross both shaped queues, and nothing of it waits on a server
process, so its duration is the link's round trip plus whatever the queues hold. The phases are
told apart by tramdo's log lines ("measure: download …" when the download ends, "measure:
upload …" when the upload ends), stamped as they arrive. Prints one JSON object: tramdo's
result, its exit status, wall and CPU seconds, and the median connect time in each phase.
"""
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time


def prober(host, port, interval, t0, samples, stop):
    while not stop.is_set():
        s = socket.socket()
        s.settimeout(5)
        t = time.monotonic()
        try:
            s.connect((host, port))
            samples.append((t - t0, (time.monotonic() - t) * 1e3))
        except OSError:
            pass
        finally:
            s.close()
        stop.wait(interval)


def median_between(samples, a, b):
    v = [ms for t, ms in samples if a <= t < b]
    return (statistics.median(v), len(v)) if v else (None, 0)


def main():
    if len(sys.argv) < 6 or sys.argv[4] != "--":
        sys.exit("usage: probe_run.py HOST PORT INTERVAL_S -- CMD...")
    host, port, interval, cmd = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[5:]
    samples, stop = [], threading.Event()
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    th = threading.Thread(target=prober, args=(host, port, interval, t0, samples, stop))
    if interval > 0:
        th.start()
    ends = {}
    for line in proc.stderr:
        for phase in ("download", "upload"):
            if f"measure: {phase} " in line:
                ends[phase] = time.monotonic() - t0
    out = proc.stdout.read()
    rc = proc.wait()
    wall = time.monotonic() - t0
    stop.set()
    if interval > 0:
        th.join()
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        result = json.loads(out)
    except ValueError:
        result = None
    # the download starts after the idle latency phase, a fraction of a second in
    down_end = ends.get("download", wall)
    connect = {
        "download": median_between(samples, 0.3, down_end),
        "upload": median_between(samples, down_end + 0.1, ends.get("upload", wall)),
    }
    json.dump({"result": result, "exit": rc, "wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime,
               "phase_end_s": ends,
               "connect_ms": {k: v[0] for k, v in connect.items()},
               "connect_samples": {k: v[1] for k, v in connect.items()}}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
