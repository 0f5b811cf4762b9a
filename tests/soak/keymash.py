#!/usr/bin/env python3
"""keymash.py - send random keys to the kiosk in a tmux pane and watch its screen.

usage: keymash.py SOCK PID KEYS SEED ALPHABET_FILE OUT_DIR

Sends KEYS keys (printable ASCII, control keys, function and cursor keys, Escape, raw escape
sequences, Vietnamese UTF-8, invalid bytes) to tmux session "k" on socket SOCK, in batches:
one tmux client per batch, its send-keys commands chained with ";". Before every batch the
screen is captured and checked for garbage. Now and then a few deliberate keys (counted apart)
steer the kiosk to the result, staff PIN or running screen first, so that every screen gets
its share of the mash.

Prints one JSON object: keys sent, by kind, batches, seconds, screens seen (by batch), steering
keys, garbage found (the offending captures are saved in OUT_DIR), and whether PID was alive throughout.
Exits 0 even when it finds garbage: the TAP script asserts on the JSON.
"""
import json
import os
import random
import re
import subprocess
import sys
import time

SOCK, PID, KEYS, SEED, ALPHABET, OUT = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), sys.argv[5], sys.argv[6]
rng = random.Random(SEED)

SCREENS = [  # first match wins; both languages (E / V switch it)
    ("staff", re.compile(r"Dành cho nhân viên|Staff only|Màn hình nhân viên|Staff screen")),
    ("error", re.compile(r"chưa đo được|the test could not be done")),
    ("result", re.compile(r"Kết quả đo|Your result")),
    ("running", re.compile(r"Đang đo…|Measuring…|Đang chọn máy chủ|Choosing a test server")),
    ("welcome", re.compile(r"Nhấn phím bất kỳ để bắt đầu đo|Press any key to start|"
                           r"Vui lòng chờ \d+ giây|Please wait \d+ seconds|Tạm ngừng đo|Out of service")),
]

PRINTABLE = [chr(c) for c in range(0x20, 0x7f)]
VIETNAMESE = list("aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộ"
                  "ờởỡớợùủũúụừửữứựỳỷỹýỵĐĂÂÊÔƠƯ") + ["Tiếng Việt ", "Hà Nội ", "đường phố "]
OTHER_UTF8 = ["\u0301", "\u0303", "\u200b", "\u202e", "中", "文", "😀", "\ufeff", "\u00a0"]
NAMED = ["Enter", "Tab", "BTab", "BSpace", "Space", "Up", "Down", "Left", "Right", "Home", "End",
         "PPage", "NPage", "IC", "DC"] + ["F%d" % i for i in range(1, 13)] + \
        ["M-a", "M-x", "M-Enter", "S-Up", "C-Left", "M-F4"]
CONTROL = ["C-%c" % c for c in "abcdefghijklmnopqrstuvwxyz"] + ["C-\\", "C-]", "C-^", "C-_", "C-Space"]
RAW_SEQ = ["1b5b41", "1b4f50", "1b5b31353b357e", "1b5b3230307e61627c1b5b3230317e", "1b5b",
           "1b5b3939393939393939393939393b", "1b5b4d202121", "1b5b3c303b313b314d",
           "1b5d303b7469746c6507", "1b50717177781b5c", "1b5b3f3130343968",
           "1b5b366e", "1b1b1b", "1b4f", "9b41", "1b5b31303030303030303030303030303030303041"]
INVALID = ["80", "bf", "c0", "c1", "f5", "ff", "fe", "c3", "e1", "f0", "ed", "00", "7f", "9b"]
INVALID_SEQ = ["c080", "e08080", "eda080", "f4908080", "f8888080", "e1bb", "f09f98"]


def key_batch(n):
    """A batch of about n keys: a list of tmux commands (argument lists) and counts by kind."""
    cmds, kinds, left = [], {}, n

    def add(kind, count, cmd):
        nonlocal left
        cmds.append(["send-keys", "-t", "k"] + cmd)
        kinds[kind] = kinds.get(kind, 0) + count
        left -= count

    while left > 0:
        r = rng.random()
        if r < 0.45:
            s = "".join(rng.choice(PRINTABLE) for _ in range(rng.randint(1, min(left, 12))))
            while s.endswith(";"):	# tmux would read a trailing ";" as a command separator
                s = s[:-1]
            if s:
                add("printable", len(s), ["-l", "--", s])
        elif r < 0.57:
            pool = VIETNAMESE + OTHER_UTF8 if rng.random() < 0.2 else VIETNAMESE
            parts = [rng.choice(pool) for _ in range(rng.randint(1, min(left, 12)))]
            text = "".join(parts)[:left]
            add("utf8", len(text), ["-l", "--", text])
        elif r < 0.75:
            names = [rng.choice(NAMED) for _ in range(rng.randint(1, min(left, 8)))]
            add("named", len(names), names)
        elif r < 0.77:
            add("escape", 1, ["Escape"])
        elif r < 0.87:
            names = [rng.choice(CONTROL) for _ in range(rng.randint(1, min(left, 4)))]
            add("control", len(names), names)
        elif r < 0.92:
            seq = rng.choice(RAW_SEQ)
            add("escseq", 1, ["-H"] + [seq[i:i + 2] for i in range(0, len(seq), 2)])
        else:
            fitting = [q for q in INVALID_SEQ if len(q) // 2 <= left]	# never past the count
            if fitting and rng.random() < 0.5:
                seq = rng.choice(fitting)
                hexes = [seq[i:i + 2] for i in range(0, len(seq), 2)]
            else:
                hexes = [rng.choice(INVALID) for _ in range(rng.randint(1, min(left, 6)))]
            add("invalid", len(hexes), ["-H"] + hexes)
    return cmds, kinds


def tmux(*args, check=True):
    return subprocess.run(["tmux", "-L", SOCK] + list(args), check=check,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE).stdout.decode("utf-8", "replace")


def send(cmds):
    argv = []
    for c in cmds:
        if argv:
            argv.append(";")
        argv += c
    tmux(*argv)


def capture():
    raw = subprocess.run(["tmux", "-L", SOCK, "capture-pane", "-p", "-t", "k"],
                         stdout=subprocess.PIPE, check=True).stdout
    return raw


def screen_of(text):
    for name, rx in SCREENS:
        if rx.search(text):
            return name
    return "other"


allowed = set(open(ALPHABET, encoding="utf-8").read()) | set(" \n")


def garbage(raw):
    """Why this capture is garbage, or None (characters only: a capture mid-redraw is fine)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return "capture is not UTF-8: %s" % e
    if "\ufffd" in text:
        return "replacement character U+FFFD"
    for ch in text:
        if ch != "\n" and (ord(ch) < 0x20 or 0x7f <= ord(ch) < 0xa0):
            return "control character U+%04X" % ord(ch)
        if 0x2400 <= ord(ch) <= 0x243f:
            return "control picture U+%04X" % ord(ch)
        if ch not in allowed:
            return "character %r (U+%04X) the kiosk never draws" % (ch, ord(ch))
    if "^[" in text:
        return "caret-notation escape ^["
    return None


def box_ok(text):
    """Every ┌ has its ┐, └, ┘ in the same rows and columns (kiosk.sh's k_box_ok)."""
    rows = text.split("\n")

    def cols(ch):
        return [(y, r.index(ch)) for y, r in enumerate(rows) if ch in r]
    tl, tr, bl, br = cols("┌"), cols("┐"), cols("└"), cols("┘")
    if not (tl or tr or bl or br):
        return True
    ok = len(tl) == len(tr) == len(bl) == len(br)
    ok = ok and all(a[1] == b[1] for a, b in zip(tl, bl)) and all(a[1] == b[1] for a, b in zip(tr, br))
    return ok and all(a[0] == b[0] for a, b in zip(tl, tr)) and all(a[0] == b[0] for a, b in zip(bl, br))


def settled():
    """The screen once two captures 0.3 s apart agree (at most 5 s)."""
    a = capture()
    for _ in range(16):
        time.sleep(0.3)
        b = capture()
        if a == b:
            break
        a = b
    return a


def alive():
    try:
        os.kill(PID, 0)
        return True
    except OSError:
        return False


STEER_TO = {1: ("result", "error"), 2: ("staff",), 3: ("running",), 4: ("welcome",)}


def steer(targets, secs):
    """Drive the kiosk to one of the target screens with a few deliberate keys (not counted
    as mash keys), so that the next batch lands there: mashing alone cancels most tests (two
    Escapes in a batch are likely) and seldom opens the staff prompt. Returns the keys used."""
    end, used = time.monotonic() + secs, 0

    def key(*names):
        nonlocal used
        send([["send-keys", "-t", "k"] + list(names)])
        used += len(names)
    while time.monotonic() < end:
        text = capture().decode("utf-8", "replace")
        s = screen_of(text)
        if s in targets:
            break
        if s == "staff":
            key("Escape")
        elif s == "result" and "welcome" in targets:
            key("Enter")
        elif re.search(r"Hủy lượt đo\?|Cancel the test\?", text):
            key("Enter")
        elif s == "welcome" and "staff" in targets:
            key("C-t", "C-t", "C-t")
        elif s == "welcome" and not re.search(r"Vui lòng chờ|Please wait", text):
            key("Enter")
        time.sleep(0.05 if "running" in targets else 0.2)
    return used


def main():
    sent, kinds, batches, captures, steered = 0, {}, 0, 0, 0
    seen, bad, box_transient = {}, [], 0
    pid_alive = True
    t0 = time.monotonic()
    while sent < KEYS and pid_alive:
        batches += 1
        # The first batches of each part, and every 40th on, go to chosen screens.
        if batches % 40 in STEER_TO:
            steered += steer(STEER_TO[batches % 40], 12)
        raw = capture()
        captures += 1
        text = raw.decode("utf-8", "replace")
        scr = screen_of(text)
        seen[scr] = seen.get(scr, 0) + 1
        why = garbage(raw)
        if why is None and not box_ok(text):
            # Possibly caught mid-redraw: only a box still broken once the screen is still counts.
            raw = settled()
            text = raw.decode("utf-8", "replace")
            if box_ok(text):
                box_transient += 1
            else:
                why = "box corners not aligned"
        if why is not None:
            path = os.path.join(OUT, "garbage-%d.txt" % len(bad))
            with open(path, "wb") as f:
                f.write(raw)
            bad.append({"why": why, "screen": scr, "after_keys": sent, "file": path})
        cmds, k = key_batch(min(KEYS - sent, rng.randint(20, 400)))
        send(cmds)
        for kind, n in k.items():
            kinds[kind] = kinds.get(kind, 0) + n
            sent += n
        time.sleep(rng.choice((0, 0.02, 0.05, 0.1, 0.2, 0.5)))
        pid_alive = alive()
    print(json.dumps({"keys": sent, "kinds": kinds, "batches": batches, "captures": captures,
                      "seconds": round(time.monotonic() - t0, 1), "screens": seen,
                      "garbage": bad, "box_transient": box_transient, "steer_keys": steered,
                      "alive": pid_alive}))


main()
