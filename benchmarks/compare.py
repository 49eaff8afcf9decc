#!/usr/bin/env python3
"""Runs bench and the reference tool against the same target in alternating rounds and prints medians and ratios.

Targets are started by bench itself (a detached session), so they are exactly what users benchmark.
"""
import argparse, json, os, re, shutil, statistics, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("--bench", required=True)
ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--seconds", type=int, default=10)
args = ap.parse_args()
BENCH = os.path.abspath(args.bench)
work = tempfile.mkdtemp(prefix="bench-perf-")
env = dict(os.environ, BENCH_SESSIONS=os.path.join(work, "sessions"))


def bench(*commands, session=None):
    argv = [BENCH] + (["--session", session] if session else ["--no-record"])
    for c in commands:
        argv += ["-c", c]
    p = subprocess.run(argv, cwd=os.getcwd(), env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"bench failed: {' '.join(argv)}\n{p.stderr}")
    return p


def bench_run(session, command):
    """One client run in the targets' session (attached), returning its result file."""
    p = subprocess.run([BENCH, "--attach", "targets", "-c", command, "-c", "detach"], env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"bench failed: {command}\n{p.stderr}")
    runs = os.path.join(work, "sessions", "targets", "runs")
    newest = max(os.listdir(runs), key=lambda f: int(f[1:-5]))
    return json.load(open(os.path.join(runs, newest)))


def timed_rss(argv):
    """Peak RSS (KiB) of a command, with GNU time."""
    p = subprocess.run(["/usr/bin/time", "-v"] + argv, env=env, capture_output=True, text=True)
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    return p, int(m.group(1)) if m else None


bench("server start nginx", "server start redis", "detach", session="targets")
state = json.load(open(os.path.join(work, "sessions", "targets", "state.json")))
ports = {s["recipe_name"] if "recipe_name" in s else s["recipeName"]: s["endpoint"]["ports"]["main"] for s in state["servers"]}
nginx, redis = ports["nginx"], ports["redis"]
S = args.seconds
rows = []
try:
    # HTTP closed loop: 50 connections, one event loop / one thread each, against one nginx worker.
    wrk_rps, bench_rps = [], []
    for _ in range(args.rounds):
        out = subprocess.run(["wrk", "-t1", "-c50", f"-d{S}s", f"http://127.0.0.1:{nginx}/"], capture_output=True, text=True).stdout
        wrk_rps.append(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)))
        r = bench_run("targets", f"client run nginx-get --target s1 --concurrency 50 --duration {S}s --warmup 1s --threads 1 --quiet")
        bench_rps.append(r["throughput"]["requests_per_s"])
    rows.append(("HTTP GET, closed loop, 50 conns, 1 thread (req/s)", "wrk", wrk_rps, bench_rps))

    # Redis GET, 50 connections, without and with pipelining 16.
    for pipeline in (1, 16):
        n = 1_000_000 if pipeline == 1 else 4_000_000
        rb, bn = [], []
        for _ in range(args.rounds):
            out = subprocess.run(["redis-benchmark", "-p", str(redis), "-t", "get", "-c", "50", "-n", str(n), "-P", str(pipeline), "-q", "--threads", "1"],
                                 capture_output=True, text=True).stdout
            rb.append(float(re.search(r"GET: ([\d.]+) requests per second", out).group(1)))
            r = bench_run("targets", f"client run redis-get-set --target s2 --concurrency 50 --requests {n} --warmup 0s --set command=get --set pipeline={pipeline} --quiet")
            bn.append(r["throughput"]["requests_per_s"])
        rows.append((f"Redis GET, 50 conns, pipeline {pipeline} (req/s)", "redis-benchmark", rb, bn))

    # Open loop at 20k req/s constant: achieved rate and latency on an idle target.
    achieved, p50s, lags = [], [], []
    for _ in range(args.rounds):
        r = bench_run("targets", f"client run nginx-get --target s1 --rate 20000 --duration {S}s --warmup 1s --quiet")
        achieved.append(r["throughput"]["requests_per_s"])
        p50s.append(r["latency"]["response_time"]["p50_ms"])
        lags.append(r["latency"]["sender_lag"]["p99_ms"])

    # Latency on an idle target against a reference: wrk with one connection, paced by a Lua delay
    # (wrk2, the open-loop reference, is not packaged), then bench open loop at the rate wrk achieved.
    # On an idle target wrk's latencies need no coordinated-omission correction, so they stand in for
    # wrk2's; bench's service time is the like-for-like number, its response time adds its timer's lag.
    here = os.path.dirname(os.path.abspath(__file__))
    wrk_p50, service_p50, response_p50 = [], [], []
    for _ in range(args.rounds):
        out = subprocess.run(["wrk", "-t1", "-c1", f"-d{S}s", "--latency", "-s", os.path.join(here, "paced.lua"), f"http://127.0.0.1:{nginx}/"],
                             capture_output=True, text=True, env=dict(env, BENCH_PACE_MS="1")).stdout
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        value, unit = re.search(r"\n\s+50%\s+([\d.]+)(us|ms|s)\n", out).groups()
        wrk_p50.append(float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit])
        r = bench_run("targets", f"client run nginx-get --target s1 --rate {round(rate)} --concurrency 1 --duration {S}s --warmup 1s --quiet")
        service_p50.append(r["latency"]["service_time"]["p50_ms"])
        response_p50.append(r["latency"]["response_time"]["p50_ms"])

    # Memory with run length: 10 thousand vs 10 million requests (Redis, pipeline 16).
    rss = {}
    for n in (10_000, 10_000_000):
        _, kib = timed_rss([BENCH, "--attach", "targets", "-c",
                            f"client run redis-get-set --target s2 --requests {n} --warmup 0s --set command=get --set pipeline=16 --quiet",
                            "-c", "detach"])
        rss[n] = kib
finally:
    subprocess.run([BENCH, "--cleanup", "targets"], env=env, capture_output=True)

print(f"\nbench vs reference tools, medians of {args.rounds} rounds, {S}s each where timed (machines are shared and noisy)\n")
print(f"{'workload':52} {'reference':>16} {'bench':>12} {'ratio':>7}")
for name, tool, ref, mine in rows:
    mr, mb = statistics.median(ref), statistics.median(mine)
    print(f"{name:52} {tool + ' ' + format(mr, ',.0f'):>16} {mb:>12,.0f} {mb / mr:>6.2f}x")
ma = statistics.median(achieved)
print(f"{'HTTP open loop at 20,000 req/s constant':52} {'target 20,000':>16} {ma:>12,.0f} {ma / 20000:>6.3f}x"
      f"   p50 response {statistics.median(p50s):.3f} ms, p99 sender lag {statistics.median(lags):.3f} ms")
mw, ms_, mr = statistics.median(wrk_p50), statistics.median(service_p50), statistics.median(response_p50)
print(f"{'HTTP p50 ms on an idle target (~900 req/s, 1 conn)':52} {'wrk paced ' + format(mw, '.3f'):>16} {ms_:>12.3f} {ms_ / mw:>6.2f}x"
      f"   bench service time; its response time (with timer lag) {mr:.3f} ms")
print(f"{'peak RSS, 10k vs 10M requests (KiB)':52} {rss[10_000]:>16,} {rss[10_000_000]:>12,} {rss[10_000_000] / rss[10_000]:>6.2f}x")
shutil.rmtree(work, ignore_errors=True)
