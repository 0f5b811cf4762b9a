#!/usr/bin/env python3
# phases.py INI URL ROUNDS BIN...: `tramdo run` of each BIN in turn, ROUNDS times (interleaved, so
# load from other work hits every binary alike): peak RSS (/usr/bin/time %M), peak RssAnon (the
# process's own memory, /proc/PID/status every 20 ms), rates, and client CPU seconds per GB of
# each phase (CPU read when the log says the download ended). Medians at the end. bench/phases.sh
# runs it against a loopback nginx.
import subprocess, sys, time, json, os, statistics, resource
ini, url, rounds, bins = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
tck = os.sysconf('SC_CLK_TCK')
res = {b: [] for b in bins}
def cpu(pid):
    f = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
    return (int(f[11]) + int(f[12])) / tck
print("load", open('/proc/loadavg').read().split()[:3])
for r in range(rounds):
    for b in bins:
        log = os.path.join(os.environ.get('TMPDIR', '/tmp'), f'phases-{os.getpid()}.log')
        if os.path.exists(log): os.unlink(log)
        p = subprocess.Popen(['/usr/bin/time', '-f', '%M %U %S', '-o', log + '.time', b] + (['--allow-root'] if os.geteuid() == 0 else []) + ['--log', log, '-c', ini, 'run', '--json', '--server', url], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        time.sleep(0.05)
        # the child of /usr/bin/time
        kids = open(f'/proc/{p.pid}/task/{p.pid}/children').read().split()
        pid = int(kids[0]) if kids else None
        cdown = None; anon = 0
        while p.poll() is None:
            try:
                if cdown is None and 'measure: download' in open(log).read():
                    cdown = cpu(pid)
                last = cpu(pid)
                for l in open(f'/proc/{pid}/status'):
                    if l.startswith('RssAnon:'): anon = max(anon, int(l.split()[1]))
            except Exception: pass
            time.sleep(0.02)
        out = p.stdout.read()
        d = json.loads(out)
        t = open(log + '.time').read().split()
        rss, tot = int(t[-3]) / 1024, float(t[-2]) + float(t[-1])
        b_d, b_u = d['bytes']['download'], d['bytes']['upload']
        row = dict(rss=rss, anon=anon/1024, down=d.get('download_mbps'), up=d.get('upload_mbps'),
                   dgb=cdown / (b_d / 1e9) if cdown else None, ugb=(tot - cdown) / (b_u / 1e9) if cdown and b_u else None,
                   body=d.get('upload_body_bytes'))
        res[b].append(row)
        print(b, {k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()}, flush=True)
print("load", open('/proc/loadavg').read().split()[:3])
for b in bins:
    med = lambda k: statistics.median([x[k] for x in res[b] if x[k] is not None] or [0])
    print("%-18s anon %.1f rss %.1f MB  down %.0f  up %.0f Mbit/s  cpu down %.3f up %.3f s/GB" % (b, max(x['anon'] for x in res[b]), max(x['rss'] for x in res[b]), med('down'), med('up'), med('dgb'), med('ugb')))
