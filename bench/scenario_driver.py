# ruff: noqa  (a compact script; run by bench/run.sh and bench/peer.sh with any Python)
"""One load scenario with its CPU accounting: the driver of bench/run.sh and bench/peer.sh, so that both
sides of the peer comparison are measured the same way.

    python bench/scenario_driver.py META_JSON loadclient-command...

META_JSON carries the record's fields plus server_pid, pgdb, results, quiet_wait and quiet_busy. It waits
for a quiet machine (QUIET_WAIT / QUIET_BUSY as in run.sh), runs the command, and appends one JSON line to
``results``: the meta, the CPU shares of the machine used meanwhile by the server's process tree, the
PostgreSQL backends of ``pgdb``, the client and everybody else (``cpu_others``), and the client's summary
(the command's last stdout line).
"""
import json, os, resource, subprocess, sys, time

TICK = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1

def machine():  # (busy, total) jiffies over all CPUs
    v = list(map(int, open("/proc/stat").readline().split()[1:8]))
    return sum(v) - v[3] - v[4], sum(v)

def proc_cpu(pid):
    try:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return int(f[11]) + int(f[12])
    except OSError:
        return 0

def children():
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(d))
    return kids

def tree(root):
    kids, out, todo = children(), [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out

def pg_backends(dbname):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                cmd = open(f"/proc/{d}/cmdline", "rb").read().decode(errors="replace")
            except OSError:
                continue
            if cmd.startswith("postgres: ") and f" {dbname} " in cmd:
                out.append(int(d))
    return out

def busy_share(seconds):
    b0, t0 = machine(); time.sleep(seconds); b1, t1 = machine()
    return (b1 - b0) / max(1, t1 - t0)

meta = json.loads(sys.argv[1])
quiet_wait, quiet_busy = float(meta.pop("quiet_wait")), float(meta.pop("quiet_busy"))
server, pgdb, results = int(meta.pop("server_pid")), meta.pop("pgdb"), meta.pop("results")
cmd = sys.argv[2:]

waited, busy = 0.0, busy_share(2)
while quiet_wait > 0 and busy >= quiet_busy and waited < quiet_wait:
    if waited == 0:
        print(f"  machine busy ({busy:.2f} of the CPUs used by others); waiting up to {quiet_wait:.0f} s",
              file=sys.stderr, flush=True)
    time.sleep(8); waited += 10
    busy = busy_share(2)

def ours():
    s = sum(proc_cpu(p) for p in tree(server))
    g = sum(proc_cpu(p) for p in pg_backends(pgdb)) if pgdb else 0
    return s, g

load = float(open("/proc/loadavg").read().split()[0])
r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
(s0, g0), (b0, t0), w0 = ours(), machine(), time.monotonic()
proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
(s1, g1), (b1, t1), w1 = ours(), machine(), time.monotonic()
r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
lines = [l for l in proc.stdout.splitlines() if l.strip()]
for l in lines:
    if not l.startswith("{"):
        print(l, flush=True)
result = json.loads(lines[-1])
cap = max(1, t1 - t0)  # all CPUs' jiffies during the run
client = (r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) * TICK
shares = {
    "cpu_busy": (b1 - b0) / cap,
    "cpu_server": (s1 - s0) / cap,
    "cpu_postgres": (g1 - g0) / cap,
    "cpu_client": client / cap,
}
shares["cpu_others"] = max(0.0, shares["cpu_busy"] - shares["cpu_server"] - shares["cpu_postgres"]
                           - shares["cpu_client"])
shares = {k: round(v, 3) for k, v in shares.items()}
print(f"  CPU shares of the machine during the run: " + ", ".join(f"{k[4:]} {v:.2f}" for k, v in shares.items()),
      flush=True)
record = {**meta, "busy_before": round(busy, 3), "waited_s": waited, "loadavg_before": load,
          "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **shares, **result}
with open(results, "a", encoding="utf-8") as fh:
    fh.write(json.dumps(record, ensure_ascii=False) + "\n")
