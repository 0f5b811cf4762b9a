#!/usr/bin/env python3
"""keymash.py SOCKET TARGET LOG INTERVAL COUNT OUT.json [KEY]: a citizen who keeps pressing a key.

Sends KEY (default Enter) COUNT times to tmux pane TARGET of server -L SOCKET, one every
INTERVAL seconds on a fixed grid from the first key (a late key does not push the next ones
back, so the cadence does not drift on a loaded machine), and meanwhile watches the kiosk's
--log file LOG. Every "state: FROM -> TO" line is timestamped as it appears: it was written
between the previous look at the file ("lo") and the look that found it ("hi"), which gives
times finer than the log's own whole seconds. After the last key it keeps watching until every
test started has ended (2 s at least, 90 s at most).

OUT.json: {"keys": [send times], "late_max": s, "events": [{"lo", "hi", "line"}]}; times are
wall-clock seconds (time.time(), the clock the log's timestamps come from)."""
import json
import os
import re
import subprocess
import sys
import time

POLL = 0.01
STATE = re.compile(r"state: ([a-z_]+) -> ([a-z_]+)")


class Watcher:
    def __init__(self, path):
        # Lines written before the first key have no time of ours: start at the end.
        self.path, self.partial = path, b""
        self.offset = os.path.getsize(path) if os.path.exists(path) else 0
        self.last_look = time.time()
        self.events = []

    def look(self):
        now = time.time()
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except OSError:
            data = b""
        self.offset += len(data)
        lines = (self.partial + data).split(b"\n")
        self.partial = lines.pop()
        for raw in lines:
            line = raw.decode("utf-8", "replace")
            if STATE.search(line):
                self.events.append({"lo": self.last_look, "hi": now, "line": line})
        self.last_look = now

    def tests_open(self):
        started = sum(1 for e in self.events if STATE.search(e["line"]).group(2) == "running")
        ended = sum(1 for e in self.events if STATE.search(e["line"]).group(1) == "running")
        return started - ended


def main():
    if len(sys.argv) not in (7, 8):
        sys.exit(__doc__)
    sock, target, log, interval, count, out = sys.argv[1:7]
    key = sys.argv[7] if len(sys.argv) == 8 else "Enter"
    interval, count = float(interval), int(count)
    w = Watcher(log)
    keys, late_max = [], 0.0
    t0 = time.time()
    for j in range(count):
        due = t0 + j * interval
        while time.time() < due:
            w.look()
            time.sleep(min(POLL, max(0.0, due - time.time())))
        sent = time.time()
        late_max = max(late_max, sent - due)
        subprocess.run(["tmux", "-L", sock, "send-keys", "-t", target, key], check=True)
        keys.append(sent)
        w.look()
    # The last key may still be on its way: watch 2 s at least.
    settle, end = time.time() + 2, time.time() + 90
    while time.time() < end and (time.time() < settle or w.tests_open() > 0):
        time.sleep(POLL)
        w.look()
    w.look()
    with open(out + ".new", "w") as f:
        json.dump({"keys": keys, "late_max": late_max, "events": w.events}, f)
    os.rename(out + ".new", out)


main()
