#!/usr/bin/env python3
"""mock_collector.py - a STAND-IN collector for tramdo's upload tests (loopback only).

No public collector exists to run for tramdo's `json` format, and a real LibreSpeed telemetry
server needs PHP and a database, so the tests use this small mock. It is not a product: it
checks what tramdo sends and counts it.

  POST /api/results              the `json` sink: Bearer token, Idempotency-Key = body id,
                                 body schema; a replayed key gets 409 (as a real idempotent API)
  POST /results/telemetry.php    the `librespeed` sink: form fields ispinfo, dl, ul, ping,
                                 jitter, log, extra; replies "id N" (LibreSpeed has no
                                 idempotency: a resend is stored again and counted as duplicate)
  POST /api/v2/write            an InfluxDB 2.x write (Token auth, org, bucket, precision): the
                                 lines are kept as they came (the 1.x path is tested against a
                                 real InfluxDB 1.6 instead)
  GET  /_stats                   JSON counters: posts, accepted, replays, duplicates, bad
  --tls CERT KEY                 serve HTTPS with that (self-signed) certificate
  --record FILE                  append every POST to FILE as it came: the request line, the
                                 Authorization header and the body (what a collector would
                                 keep), one JSON object a line
  POST /_control?fail=503&count=N&delay=S
                                 answer the next N posts (-1: all) with that status; delay
                                 every reply by S seconds
"""
import argparse
import json
import re
import ssl
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

lock = threading.Lock()
stats = {
    "json": {"posts": 0, "accepted": 0, "replays": 0, "ids": {}},
    "librespeed": {"posts": 0, "accepted": 0, "ids": {}},
    "influx2": {"posts": 0, "lines": [], "queries": []},
    "duplicates": 0,
    "bad": [],
}
control = {"fail": 0, "count": 0, "delay": 0.0}


def check_result(d):
    """The design's result schema (§7), as far as a collector would insist on it."""
    if not isinstance(d, dict):
        return "body is not a JSON object"
    if not isinstance(d.get("id"), str) or not UUID.match(d["id"]):
        return "id is not a UUID v4"
    if not isinstance(d.get("started_at"), str) or not UTC.match(d["started_at"]):
        return "started_at is not YYYY-MM-DDTHH:MM:SSZ"
    if d.get("trigger") not in ("citizen", "schedule", "cli"):
        return "trigger is not citizen/schedule/cli"
    if not isinstance(d.get("station"), dict):
        return "station is not an object"
    if not str(d.get("software", "")).startswith("tramdo/"):
        return "software is not tramdo/VERSION"
    if "error" in d:
        if not isinstance(d["error"], dict) or not isinstance(d["error"].get("code"), str):
            return "error has no code"
    else:
        for k in ("download_mbps", "upload_mbps"):
            if not isinstance(d.get(k), (int, float)):
                return k + " is not a number"
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, ctype="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass    # the tests kill tramdo mid-request on purpose

    def bad(self, status, why):
        with lock:
            stats["bad"].append("%s %s: %s" % (self.command, self.path, why))
        self.reply(status, json.dumps({"error": why}))

    def do_GET(self):
        if self.path == "/_stats":
            with lock:
                self.reply(200, json.dumps(stats))
        else:
            self.reply(404, "{}")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/_control":
            q = urllib.parse.parse_qs(url.query)
            with lock:
                control["fail"] = int(q.get("fail", ["0"])[0])
                control["count"] = int(q.get("count", ["-1"])[0])
                control["delay"] = float(q.get("delay", ["0"])[0])
            return self.reply(200, json.dumps(control))
        if self.server.record:
            with lock, open(self.server.record, "a", encoding="utf-8") as f:
                f.write(json.dumps({"request": self.requestline,
                                    "authorization": self.headers.get("Authorization", ""),
                                    "body": body.decode("utf-8", "replace")}) + "\n")
        with lock:
            delay = control["delay"]
            fail = control["fail"] if control["count"] != 0 else 0
            if fail and control["count"] > 0:
                control["count"] -= 1
        if delay:
            time.sleep(delay)
        if fail:
            return self.reply(fail, json.dumps({"error": "told to fail"}))
        if url.path == "/api/results":
            return self.json_sink(body)
        if url.path == "/results/telemetry.php":
            return self.librespeed_sink(body)
        if url.path == "/api/v2/write":
            return self.influx2_sink(url.query, body)
        self.bad(404, "no such endpoint")

    def json_sink(self, body):
        s = stats["json"]
        with lock:
            s["posts"] += 1
        if self.headers.get("Authorization") != "Bearer " + self.server.token:
            return self.bad(401, "wrong or missing Bearer token")
        if not self.headers.get("Content-Type", "").startswith("application/json"):
            return self.bad(415, "Content-Type is not application/json")
        try:
            d = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            return self.bad(400, "body is not UTF-8 JSON: %s" % e)
        why = check_result(d)
        if why:
            return self.bad(422, why)
        if self.headers.get("Idempotency-Key") != d["id"]:
            return self.bad(400, "Idempotency-Key is not the result id")
        with lock:
            if d["id"] in s["ids"]:
                s["replays"] += 1
                s["ids"][d["id"]]["replays"] += 1
                status = 409
            else:
                s["accepted"] += 1
                s["ids"][d["id"]] = {"stored": 1, "replays": 0, "result": d}
                status = 201
        self.reply(status, json.dumps({"id": d["id"]}))

    def librespeed_sink(self, body):
        s = stats["librespeed"]
        with lock:
            s["posts"] += 1
        if self.headers.get("Content-Type") != "application/x-www-form-urlencoded":
            return self.bad(400, "not a form post")
        form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True)
        fields = ("ispinfo", "dl", "ul", "ping", "jitter", "log", "extra")
        if any(len(form.get(f, [])) != 1 for f in fields):
            return self.bad(400, "form fields are not exactly %s" % ", ".join(fields))
        try:
            for f in ("dl", "ul", "ping", "jitter"):
                # LibreSpeed's client sends "Fail" for a part of the test that failed
                if form[f][0] != "Fail":
                    float(form[f][0])
            extra = json.loads(form["extra"][0])
            json.loads(form["ispinfo"][0])
        except ValueError as e:
            return self.bad(400, "bad field: %s" % e)
        rid = extra.get("id") if isinstance(extra, dict) else None
        if not isinstance(rid, str) or not UUID.match(rid) or not isinstance(extra.get("station"), dict):
            return self.bad(400, "extra lacks the result id or station")
        with lock:
            s["accepted"] += 1
            entry = s["ids"].setdefault(rid, {"stored": 0, "form": {k: v[0] for k, v in form.items()}})
            entry["stored"] += 1
            if entry["stored"] > 1:
                stats["duplicates"] += 1
            n = s["accepted"]
        self.reply(200, "id %d" % n, "text/plain")


    def influx2_sink(self, query, body):
        s = stats["influx2"]
        with lock:
            s["posts"] += 1
        if self.headers.get("Authorization") != "Token " + self.server.token:
            return self.bad(401, "wrong or missing Token")
        with lock:
            s["queries"].append(query)
            s["lines"].extend(body.decode("utf-8").splitlines())
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--record", metavar="FILE")
    a = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    if a.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.daemon_threads = True
    srv.token = a.token
    srv.record = a.record
    srv.serve_forever()


if __name__ == "__main__":
    main()
