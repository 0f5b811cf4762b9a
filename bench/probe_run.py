#!/usr/bin/env python3
"""probe_run.py — run one tramdo test and watch the link while it runs: the ground truth for
its rates and its loaded latency, taken on the same link at the same moments.

    probe_run.py [--connect HOST:PORT] [--down-dev IFACE --up-ns NETNS --up-dev IFACE] -- TRAMDO ARGS...

--down-dev, --up-ns, --up-dev: the receive counters of the client's interface (download) and of
  the server's interface in its namespace (upload: the server's side, so that packets the
  shaper dropped do not count) are read every 50 ms. Payload bytes = bytes − 66 × packets
  (Ethernet 14 + IP 20 + TCP 32 per packet; a GSO packet carries one header set), so pure ACKs
  count zero. Over the window tramdo says it measured (its log line "measure:
  download R Mbit/s, B bytes, N samples, measured from sample K" ends a phase; samples are
  100 ms apart) this gives the payload rate the link really carried — whether or not the link
  was full.
--backlog NETNS:DOWNDEV:UPDEV: the backlog of the tbf queues on the router's two egresses (towards
  the client: download; towards the server: upload) every 100 ms. Divided by the shaped rate
  (--down-mbit, --up-mbit) it is the queueing delay the loaded latency should show.
--connect HOST:PORT: a TCP connect is timed every 100 ms. Its SYN and SYN-ACK cross both shaped
  queues and no server process is involved, so it shows the queueing delay; the median per phase
  is the ground truth for tramdo's loaded latency.
Prints one JSON object: tramdo's result, exit status, wall and CPU seconds, and per phase the
link's payload rate in tramdo's window, the median connect time, and tramdo's CPU seconds (user +
system, /proc/PID/stat) when the phase's line came: cpu_s of download covers the start, the
server choice and the latency phase too (milliseconds), that of upload is counted from the end of
download.
"""
import argparse
import ctypes
import json
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time

HEADER_BYTES = 14 + 20 + 32
CLONE_NEWNET = 0x40000000
PHASE_LINE = re.compile(r"measure: (download|upload) [0-9.]+ Mbit/s, \d+ bytes, (\d+) samples, "
                        r"measured from sample (\d+)")
SAMPLE_S = 0.1


def connect_prober(host, port, t0, out, stop):
    while not stop.is_set():
        s = socket.socket()
        s.settimeout(5)
        t = time.monotonic()
        try:
            s.connect((host, port))
            out.append((t - t0, (time.monotonic() - t) * 1e3))
        except OSError:
            pass
        finally:
            s.close()
        stop.wait(0.1)


def open_net_dev(netns=None):
    """/proc/net/dev of this thread's network namespace (after entering netns, when given): the
    open file keeps reading the namespace it was opened in."""
    if netns:
        libc = ctypes.CDLL(None, use_errno=True)
        fd = os.open(f"/run/netns/{netns}", os.O_RDONLY)
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {netns}")
        os.close(fd)
    return os.open("/proc/thread-self/net/dev", os.O_RDONLY)


def rx_counters(fd, dev):
    """(rx bytes, rx packets) of dev."""
    for line in os.pread(fd, 1 << 16, 0).decode().splitlines():
        name, _, rest = line.partition(":")
        if name.strip() == dev:
            f = rest.split()
            return int(f[0]), int(f[1])
    raise OSError(f"no interface {dev}")


def counter_sampler(down_dev, up_ns, up_dev, t0, out, stop):
    """Every 50 ms: what the client received (download) and the server received (upload)."""
    down = open_net_dev()
    up = open_net_dev(up_ns)	# this thread only moves to the server's namespace
    while not stop.is_set():
        out.append((time.monotonic() - t0, rx_counters(down, down_dev) + rx_counters(up, up_dev)))
        stop.wait(0.05)


def payload_mbps(counters, a, b, upload):
    """Payload rate between times a and b from the nearest counter samples."""
    inside = [c for c in counters if a <= c[0] <= b]
    if len(inside) < 2:
        return None
    (ta, ca), (tb, cb) = inside[0], inside[-1]
    i = 2 if upload else 0
    payload = (cb[i] - ca[i]) - HEADER_BYTES * (cb[i + 1] - ca[i + 1])
    return payload * 8 / (tb - ta) / 1e6 if tb > ta else None


BACKLOG = re.compile(r"backlog (\d+)b")


def backlog_bytes(ns, dev):
    out = subprocess.run(["ip", "netns", "exec", ns, "tc", "-s", "qdisc", "show", "dev", dev],
                         capture_output=True, text=True).stdout
    m = BACKLOG.search(out)
    return int(m.group(1)) if m else None


def backlog_sampler(ns, down_dev, up_dev, t0, out, stop):
    """Every 100 ms: bytes waiting in the shaper's queue towards the client and the server."""
    while not stop.is_set():
        out.append((time.monotonic() - t0, (backlog_bytes(ns, down_dev), backlog_bytes(ns, up_dev))))
        stop.wait(0.1)


def queue_ms(backlogs, a, b, i, mbit):
    """Median queueing delay (ms) in the tbf queue i between times a and b."""
    v = [q[i] * 8 / (mbit * 1e3) for t, q in backlogs if a <= t < b and q[i] is not None]
    return statistics.median(v) if v else None


def median_between(samples, a, b):
    v = [ms for t, ms in samples if a <= t < b]
    return statistics.median(v) if v else None


def cpu_seconds(pid):
    """User + system CPU seconds of a running process so far (its own threads, not children)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def start(target, *args):
    th = threading.Thread(target=target, args=args)
    th.start()
    return th


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--connect")
    ap.add_argument("--down-dev")
    ap.add_argument("--up-ns")
    ap.add_argument("--up-dev")
    ap.add_argument("--backlog")
    ap.add_argument("--down-mbit", type=float)
    ap.add_argument("--up-mbit", type=float)
    ap.add_argument("cmd", nargs="+")
    a = ap.parse_args()
    probes, counters, backlogs, stop, threads = [], [], [], threading.Event(), []
    t0 = time.monotonic()
    if a.down_dev and a.up_ns and a.up_dev:
        threads.append(start(counter_sampler, a.down_dev, a.up_ns, a.up_dev, t0, counters, stop))
    if a.backlog:
        threads.append(start(backlog_sampler, *a.backlog.split(":"), t0, backlogs, stop))
    proc = subprocess.Popen(a.cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if a.connect:
        host, port = a.connect.rsplit(":", 1)
        threads.append(start(connect_prober, host, int(port), t0, probes, stop))
    phases, cpu_before = {}, 0.0
    for line in proc.stderr:
        m = PHASE_LINE.search(line)
        if m:
            cpu = cpu_seconds(proc.pid)
            end = time.monotonic() - t0
            n, k = int(m.group(2)), int(m.group(3))
            # tramdo's figure runs from the mean time of the first three readings of its
            # measured part (sample k) to that of the last three (sample n - 2): the link's
            # figure is taken over the same span, which matters when the rate changes in it
            phases[m.group(1)] = {"end_s": end, "start_s": end - n * SAMPLE_S,
                                  "measured_from_s": end - (n - k) * SAMPLE_S,
                                  "rate_from_s": end - (n - 1 - k) * SAMPLE_S,
                                  "rate_to_s": end - SAMPLE_S,
                                  "cpu_s": cpu - cpu_before if cpu is not None else None}
            cpu_before = cpu if cpu is not None else cpu_before
    out = proc.stdout.read()
    rc = proc.wait()
    wall = time.monotonic() - t0
    stop.set()
    for th in threads:
        th.join()
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        result = json.loads(out)
    except ValueError:
        result = None
    for name, p in phases.items():
        p["link_mbps"] = payload_mbps(counters, p["rate_from_s"], p["rate_to_s"], name == "upload")
        p["connect_ms"] = median_between(probes, p["start_s"], p["end_s"])
        if backlogs:
            p["queue_down_ms"] = queue_ms(backlogs, p["measured_from_s"], p["end_s"], 0, a.down_mbit)
            p["queue_up_ms"] = queue_ms(backlogs, p["measured_from_s"], p["end_s"], 1, a.up_mbit)
    json.dump({"result": result, "exit": rc, "wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime,
               "phases": phases}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
