#!/usr/bin/env python3
"""dashboard.py — runs every query of config/grafana-dashboard.json against a real InfluxDB and
checks the answers against the results that were uploaded (79-dashboard.t).

    dashboard.py DASHBOARD count
        how many check lines `check` prints for this dashboard (the TAP plan)
    dashboard.py DASHBOARD check INFLUX_URL DB RESULTS.json EXTRA.json
        RESULTS.json: the stored results (`tramdo export --format json` of every station);
        EXTRA.json: points the test wrote directly, [{"station", "time", "result_id"}]
        (test data, not results: they carry no figure and no commune or provider tag).

`check` prints one line per check, "0<TAB>name" (passed) or "1<TAB>name", each failed one
followed by "#<TAB>why" lines. No Grafana server runs (Grafana is not in Debian): what Grafana
would do to a query before sending it is done here — $timeFilter from the dashboard's (or the
panel's own) time range in the dashboard's time zone, $__interval as the panel's minimum
interval, template variables as Grafana's InfluxDB data source writes them into a regex (a
custom "All" value as it is; one value regex-escaped; several as (a|b)). Every query of every
panel must have a check in CHECKS below, and every check a query: a new panel cannot go
untested, a removed one cannot leave a check that tests nothing.
"""
import calendar
import json
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request
from datetime import datetime, timezone

try:
    from zoneinfo import ZoneInfo
except ImportError:  # pragma: no cover - Debian 12's python3 has it
    ZoneInfo = None

NOW = time.time()

# ---- what the uploaded results say ----


def ts(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def point_of(r):
    """A stored result as the influx sink writes its point: tags (empty when unset) and fields."""
    st, cl = r.get("station") or {}, r.get("client") or {}
    lat, lo = r.get("latency_ms") or {}, r.get("loaded_latency_ms") or {}
    return {
        "time": ts(r["started_at"]), "result_id": r["id"],
        "station": st.get("id") or "", "commune": st.get("commune") or "",
        "commune_code": st.get("commune_code") or "",
        "isp": st.get("isp") or cl.get("isp") or "",
        "download_mbps": r.get("download_mbps"), "upload_mbps": r.get("upload_mbps"),
        "latency_median_ms": lat.get("median"),
        "loaded_download_ms": lo.get("download"), "loaded_upload_ms": lo.get("upload"),
    }


def extra_point(e):
    return {"time": e["time"], "result_id": e["result_id"], "station": e["station"],
            "commune": "", "commune_code": "", "isp": ""}


def median_of(field):
    def agg(points):
        v = [p[field] for p in points if p.get(field) is not None]
        return statistics.median(v) if v else None
    return agg


def count_of(field):
    def agg(points):
        n = sum(1 for p in points if p.get(field) is not None)
        return n if n else None
    return agg


def last_id(points):
    return max(points, key=lambda p: p["time"])["result_id"]


# ---- what each query must answer ----
#
# (panel id, refId): group (the GROUP BY tags, in the query's order), buckets (GROUP BY time),
# columns (the query's column names and how to compute each from the points in a group),
# row_time ("last": the time of the group's last point, as last() answers).
MEDIANS = {"download_mbps": median_of("download_mbps"), "upload_mbps": median_of("upload_mbps"),
           "latency_ms": median_of("latency_median_ms"), "samples": count_of("download_mbps")}
LOADED = {"idle_ms": median_of("latency_median_ms"),
          "downloading_ms": median_of("loaded_download_ms"),
          "uploading_ms": median_of("loaded_upload_ms")}
CHECKS = {
    (1, "A"): {"group": ["commune_code", "commune"], "columns": {"samples": count_of("download_mbps")}},
    (2, "A"): {"group": ["isp"], "columns": MEDIANS},
    (3, "A"): {"group": ["commune_code", "commune"], "columns": MEDIANS},
    (4, "A"): {"group": ["isp"], "buckets": True,
               "columns": {"download": median_of("download_mbps"), "upload": median_of("upload_mbps")}},
    (5, "A"): {"group": ["isp"], "buckets": True,
               "columns": {"idle": median_of("latency_median_ms"),
                           "downloading": median_of("loaded_download_ms"),
                           "uploading": median_of("loaded_upload_ms")}},
    (6, "A"): {"group": ["commune_code", "commune"], "columns": LOADED},
    (7, "A"): {"group": ["station"], "columns": {"last_result": last_id}, "row_time": "last"},
    (7, "B"): {"group": ["station"], "columns": {"results_24h": count_of("result_id")}},
}
# Panels whose queries together mean more than each alone: (panel id) -> a check over the
# answers of its queries in one pass.
PANEL_CHECKS = {7: "silent"}
VARIABLES = {"commune": "commune", "isp": "isp"}	# variable name -> the tag it lists

# The selections each pass makes: None is "All".
PASSES = [
    {"commune": None, "isp": None},
    {"commune": ["Tân Sơn"], "isp": ["VNPT", "Viettel"]},
    {"commune": None, "isp": ["Viettel"]},
]

# ---- the dashboard ----


def panels_of(dash):
    for p in dash.get("panels", []):
        yield p
        yield from p.get("panels", [])	# a collapsed row keeps its panels inside


def queries_of(dash):
    """[(panel, target)] for every target of every panel."""
    return [(p, t) for p in panels_of(dash) for t in p.get("targets", [])]


def variables_of(dash):
    return [v for v in dash.get("templating", {}).get("list", []) if v.get("type") == "query"]


def count_lines(dash):
    q = queries_of(dash)
    npanel = len({p.get("id") for p, _ in q if p.get("id") in PANEL_CHECKS})
    return 3 + len(variables_of(dash)) + len(PASSES) * (len(q) + npanel)


# ---- what Grafana does to a query ----

UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def tz_of(dash):
    name = dash.get("timezone") or "browser"
    if name == "utc":
        return timezone.utc
    if name == "browser" or ZoneInfo is None:
        return datetime.now().astimezone().tzinfo
    return ZoneInfo(name)


def resolve(spec, tz):
    """A Grafana time ("now", "now-30d", "now/M", "now/d") as epoch seconds."""
    m = re.fullmatch(r"now(?:-(\d+)([smhdw]))?(?:/([dM]))?", spec)
    if m is None:
        raise ValueError("time %r: this test knows now, now-N[smhdw], now/d and now/M" % spec)
    t = NOW - (int(m.group(1)) * UNIT[m.group(2)] if m.group(1) else 0)
    if m.group(3):
        d = datetime.fromtimestamp(t, tz)
        d = d.replace(hour=0, minute=0, second=0, microsecond=0)
        if m.group(3) == "M":
            d = d.replace(day=1)
        t = d.timestamp()
    return t


def time_range(dash, panel):
    """(from, to) of a panel: its relative time (timeFrom) or the dashboard's."""
    tz = tz_of(dash)
    spec = panel.get("timeFrom")
    if spec:
        if re.fullmatch(r"\d+[smhdw]", spec):
            spec = "now-" + spec
        return resolve(spec, tz), NOW
    return resolve(dash["time"]["from"], tz), resolve(dash["time"]["to"], tz)


def regex_escape(s):
    # Grafana's escapeRegex, which its InfluxDB data source applies to a multi-value variable.
    return re.sub(r"([\\^$*+?.()|\[\]{}/])", r"\\\1", s)


def variable_text(var, selection):
    if selection is None:
        if "allValue" not in var or var["allValue"] in (None, ""):
            raise ValueError("variable %s: All without a custom value is the list of every "
                             "value, which this test does not build" % var["name"])
        return var["allValue"]
    esc = [regex_escape(v) for v in selection]
    return esc[0] if len(esc) == 1 else "(" + "|".join(esc) + ")"


def interpolate(dash, panel, query, selection):
    frm, to = time_range(dash, panel)
    q = query.replace("$timeFilter", "time >= %dms and time <= %dms" % (frm * 1000, to * 1000))
    if "$__interval" in q:
        if not panel.get("interval"):
            raise ValueError("$__interval in a panel without a minimum interval (\"interval\")")
        q = q.replace("$__interval", panel["interval"])
    for var in dash.get("templating", {}).get("list", []):
        name = var["name"]
        if re.search(r"\$\{?%s\b" % re.escape(name), q):
            text = variable_text(var, selection.get(name))
            q = re.sub(r"\$\{%s\}|\$%s\b" % (re.escape(name), re.escape(name)),
                       lambda _m: text, q)
    left = re.findall(r"\$\{?\w+|\[\[\w+", q)
    if left:
        raise ValueError("left in the query after every substitution this test knows: %s" % left)
    return q, frm, to


# ---- InfluxDB ----


def influx(url, db, q):
    qs = urllib.parse.urlencode({"db": db, "epoch": "s", "q": q})
    with urllib.request.urlopen(url + "/query?" + qs, timeout=30) as r:
        d = json.load(r)
    res = d["results"][0]
    if "error" in res:
        raise ValueError("InfluxDB: " + res["error"])
    return res.get("series", [])


def interval_seconds(text):
    m = re.fullmatch(r"(\d+)([smhdw])", text)
    if m is None:
        raise ValueError("interval %r" % text)
    return int(m.group(1)) * UNIT[m.group(2)]


# ---- comparing ----


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def expected_rows(spec, points, frm, to, panel):
    groups = {}
    window = spec.get("window")
    for p in points:
        lo = NOW - window if window else frm
        if not (lo <= p["time"] <= to):
            continue
        key = tuple(p[t] for t in spec["group"])
        if spec.get("buckets"):
            n = interval_seconds(panel["interval"])
            key += (p["time"] // n * n,)
        groups.setdefault(key, []).append(p)
    rows = {}
    for key, pts in groups.items():
        cols = {c: f(pts) for c, f in spec["columns"].items()}
        if all(v is None for v in cols.values()):
            continue	# InfluxDB answers no row for a group without a value
        if spec.get("row_time") == "last":
            cols["time"] = max(q["time"] for q in pts)
        rows[key] = cols
    return rows


def actual_rows(spec, series):
    rows = {}
    for s in series:
        tags = s.get("tags") or {}
        for v in s["values"]:
            row = dict(zip(s["columns"], v))
            key = tuple(tags.get(t, "") for t in spec["group"])
            if spec.get("buckets"):
                key += (row["time"],)
            cols = {c: row.get(c) for c in spec["columns"]}
            if spec.get("row_time") == "last":
                cols["time"] = row["time"]
            rows[key] = cols
    return rows


def compare(want, got):
    why = []
    for key in sorted(set(want) | set(got), key=repr):
        if key not in got:
            why.append("missing row %s: want %s" % (key, want[key]))
        elif key not in want:
            why.append("unexpected row %s: %s" % (key, got[key]))
        else:
            for c, w in want[key].items():
                if not close(w, got[key].get(c)):
                    why.append("row %s column %s: got %r, want %r" % (key, c, got[key].get(c), w))
    return why


def selected(points, selection):
    out = []
    for p in points:
        if all(sel is None or p.get(tag) in sel for tag, sel in selection.items()):
            out.append(p)
    return out


def check(name, why):
    """One check line: passed when why (the list of what is wrong) is empty."""
    print("%d\t%s" % (1 if why else 0, name))
    for w in why[:20]:
        print("#\t%s" % w)
    sys.stdout.flush()


def shape_problems(dash):
    why = []
    inputs = {i.get("name"): i for i in dash.get("__inputs", [])}
    if inputs.get("DS_INFLUXDB", {}).get("pluginId") != "influxdb":
        why.append("no __inputs entry DS_INFLUXDB of plugin influxdb (the import dialog asks for it)")
    if not isinstance(dash.get("schemaVersion"), int) or dash["schemaVersion"] < 39:
        why.append("schemaVersion %r: a current Grafana's is 39 or more" % dash.get("schemaVersion"))
    ds = {"type": "influxdb", "uid": "${DS_INFLUXDB}"}
    for p in panels_of(dash):
        if p.get("type") == "row":
            continue
        if p.get("datasource") != ds:
            why.append("panel %s: datasource %r, not the imported one" % (p.get("id"), p.get("datasource")))
        for t in p.get("targets", []):
            if t.get("datasource") != ds:
                why.append("panel %s query %s: datasource %r" % (p.get("id"), t.get("refId"), t.get("datasource")))
    for v in variables_of(dash):
        if v.get("datasource") != ds:
            why.append("variable %s: datasource %r" % (v.get("name"), v.get("datasource")))
    ids = [p.get("id") for p in panels_of(dash)]
    if len(ids) != len(set(ids)):
        why.append("panel ids repeat: %s" % ids)
    return why


def main():
    dash = json.load(open(sys.argv[1]))
    if sys.argv[2] == "count":
        print(count_lines(dash))
        return
    url, db = sys.argv[3], sys.argv[4]
    points = [point_of(r) for r in json.load(open(sys.argv[5]))]
    extras = [extra_point(e) for e in json.load(open(sys.argv[6]))]
    queries = queries_of(dash)

    check("the dashboard imports: InfluxDB input DS_INFLUXDB, current schemaVersion, "
              "every panel, query and variable on it", shape_problems(dash))
    raw = ["panel %s query %s is not a raw InfluxQL query (the query builder's targets are "
           "not run here)" % (p.get("id"), t.get("refId"))
           for p, t in queries if not (t.get("rawQuery") and t.get("query"))]
    check("every query is raw InfluxQL", raw)
    have = {(p.get("id"), t.get("refId")) for p, t in queries}
    cover = ["panel %s (%s) query %s has no check in tests/integration/dashboard.py"
             % (k[0], next(p.get("title") for p, _ in queries if p.get("id") == k[0]), k[1])
             for k in sorted(have - set(CHECKS), key=repr)]
    cover += ["the check of panel %s query %s has no query in the dashboard" % k
              for k in sorted(set(CHECKS) - have, key=repr)]
    have_vars = {v["name"] for v in variables_of(dash)}
    cover += ["variable %s has no check" % v for v in sorted(have_vars - set(VARIABLES))]
    check("every query (and variable) in the dashboard has a check here, and every check "
              "a query", cover)

    everything = points + extras
    for v in variables_of(dash):
        name = v["name"]
        try:
            series = influx(url, db, v["query"])
            got = sorted(row[1] for s in series for row in s["values"])
            want = sorted({p[VARIABLES[name]] for p in points if p[VARIABLES[name]]})
            why = [] if got == want else ["got %s, want %s" % (got, want)]
        except (ValueError, KeyError, OSError) as e:
            why = [str(e)]
        check("variable %s lists every %s sent" % (name, VARIABLES.get(name, "?")), why)

    for n, sel in enumerate(PASSES, 1):
        label = ", ".join("%s=%s" % (k, "All" if v is None else "|".join(v)) for k, v in sel.items())
        pts = selected(everything, sel)
        answers = {}
        for p, t in queries:
            key = (p.get("id"), t.get("refId"))
            name = "pass %d (%s): panel %s \"%s\" query %s" % (n, label, key[0], p.get("title"), key[1])
            spec = CHECKS.get(key)
            try:
                if spec is None:
                    raise ValueError("no check for this query")
                if "time > now() - " in t.get("query", ""):
                    m = re.search(r"time > now\(\) - (\d+)([smhdw])", t["query"])
                    spec = dict(spec, window=int(m.group(1)) * UNIT[m.group(2)])
                q, frm, to = interpolate(dash, p, t["query"], sel)
                series = influx(url, db, q)
                got = actual_rows(spec, series)
                want = expected_rows(spec, pts, frm, to, p)
                answers[key] = got
                why = compare(want, got)
                # Empty is right for a window with nothing in it (a test run in the first
                # seconds of a month), not for a selection that nothing matches.
                if not want and not expected_rows(dict(spec, window=None), pts, 0, float("inf"), p):
                    why.append("nothing expected whatever the time: the check tests nothing")
                if why:
                    why.insert(0, "query: " + q)
            except (ValueError, KeyError, OSError) as e:
                why = [str(e)]
            check(name, why)
        for pid in sorted({p.get("id") for p, _ in queries if p.get("id") in PANEL_CHECKS}):
            a, b = answers.get((pid, "A"), {}), answers.get((pid, "B"), {})
            silent = sorted(k[0] for k in set(a) - set(b))
            want = sorted({e["station"] for e in extras} if all(v is None for v in sel.values()) else [])
            check("pass %d (%s): panel %s lists as silent for 24 h exactly %s" % (n, label, pid, want),
                      [] if silent == want else ["silent: %s" % silent])


if __name__ == "__main__":
    main()
