#!/usr/bin/env python3
"""Runs bench and the reference tool against the same target in alternating rounds and prints medians and ratios.

Targets are started by bench itself (a detached session), so they are exactly what users benchmark.
"""
import argparse, json, os, re, shutil, socket, statistics, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("--bench", required=True)
ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--seconds", type=int, default=10)
SECTIONS = ("closed", "redis", "memcached", "open", "idle", "memory")
ap.add_argument("--only", default=",".join(SECTIONS),
                help=f"comma-separated sections to run, of: {', '.join(SECTIONS)} (default: all)")
args = ap.parse_args()
only = [x for x in args.only.split(",") if x]
for x in only:
    if x not in SECTIONS:
        ap.error(f"--only: unknown section '{x}' (valid: {', '.join(SECTIONS)})")
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


def attached(command):
    """bench's command line for one command in the targets' session, which it leaves running."""
    return [BENCH, "--attach", "targets", "-c", command, "-c", "detach"]


def bench_run(session, command, prefix=()):
    """One client run in the targets' session (attached), returning its result file."""
    p = subprocess.run([*prefix, *attached(command)], env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"bench failed: {command}\n{p.stderr}")
    return newest_run()


def newest_run():
    runs = os.path.join(work, "sessions", "targets", "runs")
    newest = max(os.listdir(runs), key=lambda f: int(f[1:-5]))
    return json.load(open(os.path.join(runs, newest)))


def timed(argv):
    """Runs a command under GNU time: the process, its peak RSS (KiB) and its CPU seconds (user + system)."""
    p = subprocess.run(["/usr/bin/time", "-v"] + argv, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(argv)}\n{p.stderr}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", p.stderr).group(1))
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", p.stderr).group(1))
    return p, int(rss.group(1)) if rss else None, user + system


# memcached gets 1 GiB: the memcached section's two tools store 10,000 items of about 1 KB each per round, and with
# the recipe's 64 MB its slab classes would evict one tool's keys for the other's.
bench("server start nginx", "server start redis", "server start memcached --set memory_mb=1024", "detach", session="targets")
state = json.load(open(os.path.join(work, "sessions", "targets", "state.json")))
ports = {s["recipe_name"] if "recipe_name" in s else s["recipeName"]: s["endpoint"]["ports"]["main"] for s in state["servers"]}
nginx, redis, memcached = ports["nginx"], ports["redis"], ports["memcached"]
nginx_group = next(s["runtime"]["main"]["processGroup"] for s in state["servers"] if s["recipeName"] == "nginx")


def pin_group(group, cpus):
    """Pins every thread of a process group (a server bench started) to the given CPUs."""
    pids = subprocess.run(["pgrep", "-g", str(group)], capture_output=True, text=True).stdout.split()
    for pid in pids:
        subprocess.run(["taskset", "-a", "-p", "-c", cpus, pid], capture_output=True)
S = args.seconds
here = os.path.dirname(os.path.abspath(__file__))
lines = []  # the table's rows, in the order the sections ran


def ratio_row(name, tool, ref, mine):
    """A row comparing the reference tool's medians with bench's, and the median of paired ratios."""
    mr, mb = statistics.median(ref), statistics.median(mine)
    paired_ratio = statistics.median([b / a for a, b in zip(ref, mine)])
    form = ",.0f" if mr >= 100 else ".2f"
    lines.append(f"{name:52} {tool + ' ' + format(mr, form):>16} {format(mb, form):>12} {mb / mr:>6.2f}x   paired rounds {paired_ratio:.2f}x")


def http_closed_loop():
    """HTTP closed loop: 50 connections, one event loop / one thread each, against one nginx worker.

    The tools take turns going first: on a shared VM the second of two back-to-back runs can be
    throttled, and a fixed order would hand that to one tool every round.
    Beside the rate, each tool's own CPU per request (user + system, from GNU time): one nginx
    worker saturates first on a small machine, and then the rate says more about nginx than about
    the client, while the CPU per request is the client's own cost.
    """
    wrk_rps, bench_rps, wrk_cpu, bench_cpu = [], [], [], []

    def wrk_closed():
        p, _, cpu = timed(["wrk", "-t1", "-c50", f"-d{S}s", f"http://127.0.0.1:{nginx}/"])
        wrk_rps.append(float(re.search(r"Requests/sec:\s+([\d.]+)", p.stdout).group(1)))
        done = int(re.search(r"(\d+) requests in", p.stdout).group(1))
        wrk_cpu.append(cpu / done * 1e6)

    def bench_closed():
        p, _, cpu = timed(attached(
            f"client run nginx-get --target s1 --concurrency 50 --duration {S}s --warmup 1s --threads 1 --quiet"))
        r = newest_run()
        bench_rps.append(r["throughput"]["requests_per_s"])
        # Warm-up requests cost CPU too; the session's start and end are counted against bench.
        bench_cpu.append(cpu / (r["counts"]["completed"] + r["counts"]["warmup_excluded"]) * 1e6)

    for round_ in range(args.rounds):
        for run in ((wrk_closed, bench_closed) if round_ % 2 == 0 else (bench_closed, wrk_closed)):
            run()
    ratio_row("HTTP GET, closed loop, 50 conns, 1 thread (req/s)", "wrk", wrk_rps, bench_rps)
    ratio_row("  the same runs: client CPU per request (us, lower is better)", "wrk", wrk_cpu, bench_cpu)


def redis_get():
    """Redis GET, 50 connections, without and with pipelining 16."""
    for pipeline in (1, 16):
        n = 1_000_000 if pipeline == 1 else 4_000_000
        rb, bn = [], []
        for _ in range(args.rounds):
            out = subprocess.run(["redis-benchmark", "-p", str(redis), "-t", "get", "-c", "50", "-n", str(n), "-P", str(pipeline), "-q", "--threads", "1"],
                                 capture_output=True, text=True).stdout
            rb.append(float(re.search(r"GET: ([\d.]+) requests per second", out).group(1)))
            r = bench_run("targets", f"client run redis-get-set --target s2 --concurrency 50 --requests {n} --warmup 0s --set command=get --set pipeline={pipeline} --quiet")
            bn.append(r["throughput"]["requests_per_s"])
        ratio_row(f"Redis GET, 50 conns, pipeline {pipeline} (req/s)", "redis-benchmark", rb, bn)


def memcached_stats():
    """memcached's own counters (`stats`), read over a connection of the harness's own."""
    with socket.create_connection(("127.0.0.1", memcached)) as c:
        c.sendall(b"stats\r\n")
        data = b""
        while not data.endswith(b"END\r\n"):
            chunk = c.recv(65536)
            if not chunk:
                break
            data += chunk
    return {w[1]: int(w[2]) for w in (line.split() for line in data.decode().split("\r\n")) if len(w) == 3 and w[0] == "STAT" and w[2].isdigit()}


def memcached_flush():
    """Empties memcached, so that each tool starts from its own keys only."""
    with socket.create_connection(("127.0.0.1", memcached)) as c:
        c.sendall(b"flush_all\r\n")
        assert c.recv(64) == b"OK\r\n"


def memcached_get():
    """memcached GET, 50 connections, every GET a hit, against one memcached thread (bench's s3).

    memcslap (libmemcached-tools) `-t get -c 50 -e N` SETs N keys of its own (random names of 20-59 bytes, random
    values of about 890 bytes on average), then each of its 50 threads, one blocking connection apiece, GETs all
    N: 50 N GETs. bench GETs as many from 50 connections on one event loop, over a key space of N keys of about
    the same sizes (a 35-byte prefix, 886-byte values) that a SET run fills first, so its GETs hit as memcslap's do.
    Throughput is each tool's GETs over its GET phase (memcslap's own 'Time to get', bench's measured rate). CPU per
    request is the process's user + system time (GNU time) over the requests memcached itself counted for it
    (cmd_get + cmd_set in its stats, before and after): memcslap's loading and bench's start-up are included.
    """
    n = 10_000
    prefix = "bench-memcached-key-of-35-bytes-" + "x" * 3
    shape = f"--set key_prefix={prefix} --set value_size=886 --set keyspace={n}"
    slap_rps, bench_rps, slap_cpu, bench_cpu, misses = [], [], [], [], []

    def slap():
        memcached_flush()
        before = memcached_stats()
        p, _, cpu = timed(["memcslap", "-s", f"127.0.0.1:{memcached}", "-t", "get", "-c", "50", "-e", str(n)])
        after = memcached_stats()
        gets, seconds = re.search(r"Time to get\s+(\d+) keys by\s+\d+ threads:\s+([\d.]+) seconds", p.stdout).groups()
        slap_rps.append(int(gets) / float(seconds))
        slap_cpu.append(cpu / (after["cmd_get"] + after["cmd_set"] - before["cmd_get"] - before["cmd_set"]) * 1e6)

    def bench_gets():
        memcached_flush()
        bench_run("targets", f"client run memcached-get-set --target s3 --concurrency 50 --requests {20 * n} --warmup 0s --set command=set --set pipeline=16 {shape} --quiet")
        before = memcached_stats()
        _, _, cpu = timed(attached(f"client run memcached-get-set --target s3 --concurrency 50 --requests {50 * n} --warmup 0s --set command=get {shape} --quiet"))
        after = memcached_stats()
        r = newest_run()
        bench_rps.append(r["throughput"]["requests_per_s"])
        bench_cpu.append(cpu / (after["cmd_get"] + after["cmd_set"] - before["cmd_get"] - before["cmd_set"]) * 1e6)
        misses.append(r["kind_metrics"]["get_misses"])

    for round_ in range(args.rounds):
        for run in ((slap, bench_gets) if round_ % 2 == 0 else (bench_gets, slap)):
            run()
    ratio_row("memcached GET, 50 conns, all hits (req/s)", "memcslap", slap_rps, bench_rps)
    ratio_row("  the same runs: client CPU per request (us, lower is better)", "memcslap", slap_cpu, bench_cpu)
    if any(misses):
        lines.append(f"  (bench's GETs missed {max(misses)} keys in a round: the SET run did not fill the key space)")


def open_loop_20k():
    """Open loop at 20k req/s constant: achieved rate and latency on an idle target."""
    achieved, p50s, lags = [], [], []
    for _ in range(args.rounds):
        r = bench_run("targets", f"client run nginx-get --target s1 --rate 20000 --duration {S}s --warmup 1s --quiet")
        achieved.append(r["throughput"]["requests_per_s"])
        p50s.append(r["latency"]["response_time"]["p50_ms"])
        lags.append(r["latency"]["sender_lag"]["p99_ms"])
    ma = statistics.median(achieved)
    lines.append(f"{'HTTP open loop at 20,000 req/s constant':52} {'target 20,000':>16} {ma:>12,.0f} {ma / 20000:>6.3f}x"
                 f"   p50 response {statistics.median(p50s):.3f} ms, p99 sender lag {statistics.median(lags):.3f} ms")


def idle_latency():
    """Latency on an idle target against a reference: wrk with one connection, paced by a Lua delay
    (wrk2, the open-loop reference, is not packaged), then bench open loop at the rate wrk achieved.

    On an idle target wrk's latencies need no coordinated-omission correction, so they stand in for
    wrk2's corrected values; bench's response time (from the scheduled send) is the number compared,
    its service time (from the actual send) is shown beside it. Each round pairs the two tools, and
    rounds are short and more numerous than elsewhere: a p50 of tens of µs moves with the machine.

    Two layouts. With client and target on CPUs of their own (pinned, as load generators are run),
    the comparison is of the tools. Left to the scheduler, a run may put the client on the target's
    CPU or not, which moves a p50 of tens of µs by more than the tools differ; and on a shared CPU
    the client's own work between requests delays the target, so a heavier client shows there.
    """
    cpus = os.cpu_count() or 1
    layouts = [("client and target on CPUs of their own", ["taskset", "-c", "0"], str(cpus - 1))] if cpus > 1 else []
    layouts.append(("left to the scheduler", [], None))
    for label, prefix, target_cpus in layouts:
        pin_group(nginx_group, target_cpus or f"0-{cpus - 1}")
        try:
            wrk_p50, service_p50, response_p50, paired = [], [], [], []
            for _ in range(max(2 * args.rounds + 1, 7)):
                out = subprocess.run([*prefix, "wrk", "-t1", "-c1", f"-d{min(S, 3)}s", "--latency", "-s", os.path.join(here, "paced.lua"), f"http://127.0.0.1:{nginx}/"],
                                     capture_output=True, text=True, env=dict(env, BENCH_PACE_MS="1")).stdout
                rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
                value, unit = re.search(r"\n\s+50%\s+([\d.]+)(us|ms|s)\n", out).groups()
                wrk_p50.append(float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit])
                r = bench_run("targets", f"client run nginx-get --target s1 --rate {round(rate)} --concurrency 1 --duration {min(S, 3)}s --warmup 1s --quiet", prefix)
                service_p50.append(r["latency"]["service_time"]["p50_ms"])
                response_p50.append(r["latency"]["response_time"]["p50_ms"])
                paired.append(response_p50[-1] / wrk_p50[-1])
        finally:
            pin_group(nginx_group, f"0-{cpus - 1}")
        mw, ms_, mr = statistics.median(wrk_p50), statistics.median(service_p50), statistics.median(response_p50)
        q1, _, q3 = statistics.quantiles(paired, n=4)
        lines.append(f"{'HTTP p50 ms, idle target (~900 req/s, 1 conn),':52} {'wrk paced ' + format(mw, '.3f'):>16} {mr:>12.3f} {mr / mw:>6.2f}x"
                     f"   bench response time (corrected); service time {ms_:.3f} ms; {len(paired)} paired ratios: median {statistics.median(paired):.2f}x, quartiles {q1:.2f}x-{q3:.2f}x")
        lines.append(f"  {label}")


def memory_with_run_length():
    """Memory with run length: 10 thousand vs 10 million requests (Redis, pipeline 16)."""
    rss = {}
    for n in (10_000, 10_000_000):
        _, kib, _ = timed(attached(
            f"client run redis-get-set --target s2 --requests {n} --warmup 0s --set command=get --set pipeline=16 --quiet"))
        rss[n] = kib
    lines.append(f"{'peak RSS, 10k vs 10M requests (KiB)':52} {rss[10_000]:>16,} {rss[10_000_000]:>12,} {rss[10_000_000] / rss[10_000]:>6.2f}x")


try:
    for name, section in zip(SECTIONS, (http_closed_loop, redis_get, memcached_get, open_loop_20k, idle_latency, memory_with_run_length)):
        if name in only:
            section()
finally:
    subprocess.run([BENCH, "--cleanup", "targets"], env=env, capture_output=True)

print(f"\nbench vs reference tools, medians of {args.rounds} rounds, {S}s each where timed (machines are shared and noisy)\n")
print(f"{'workload':52} {'reference':>16} {'bench':>12} {'ratio':>7}")
print("\n".join(lines))
shutil.rmtree(work, ignore_errors=True)
