#!/usr/bin/env python3
"""LLM client benchmarks: bench's openai client and a vLLM-style asyncio/aiohttp client (aiohttp_client.py)
against the same fast streaming server (stream_server.py), alternating rounds, medians and ratios printed.

(a) client cost: CPU seconds (user+sys of the client process, from wait4) per 10,000 streamed tokens, with the
    server writing a chunk per token as fast as it can, 16 token chunks a write, and paced (an inter-token delay,
    so every token arrives on its own as from a real server). Target: bench <= 0.1x aiohttp.
(b) scale: 1,000 concurrent streams in closed loop from one client process, a small inter-token delay so the
    server is not the limit; client-added TTFT = the client's p99 TTFT - the server's own p99 TTFT over the same
    requests (the server times each request from the kernel's receive timestamp to its first chunk's write).
    Target: < 1 ms.
"""
import argparse, json, os, shutil, signal, statistics, subprocess, sys, tempfile, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument("--bench", required=True)
ap.add_argument("--python", default=sys.executable, help="the venv's python (aiohttp, uvloop)")
ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--tokens", type=int, default=204_800, help="streamed tokens per cost run (at least)")
ap.add_argument("--concurrency", type=int, default=64)
ap.add_argument("--max-tokens", type=int, default=256)
ap.add_argument("--paced-concurrency", type=int, default=256)
ap.add_argument("--paced-delay-ms", type=float, default=5)
ap.add_argument("--scale-concurrency", type=int, default=1000)
ap.add_argument("--scale-requests", type=int, default=10_000)
ap.add_argument("--scale-max-tokens", type=int, default=16)
ap.add_argument("--scale-delay-ms", type=float, default=50)
ap.add_argument("--scale-jitter", type=float, default=0.5)
ap.add_argument("--server-workers", type=int, default=1, help="server processes for the cost runs")
ap.add_argument("--scale-server-workers", type=int, default=2,
                help="server processes for the scale runs (its event-loop lag is the server's TTFT)")
ap.add_argument("--skip-cost", action="store_true")
ap.add_argument("--skip-scale", action="store_true")
args = ap.parse_args()
BENCH = os.path.abspath(args.bench)
work = tempfile.mkdtemp(prefix="bench-llm-")
env = dict(os.environ, BENCH_SESSIONS=os.path.join(work, "sessions"))
recipes = os.path.join(work, "recipes")
os.makedirs(os.path.join(recipes, "clients"))
stats_dir = os.path.join(work, "server-stats")
os.makedirs(stats_dir)
server = None  # the running stream_server.py (its own process group)
server_workers = 1
client = None  # the client run in progress
sessions = 0


def recipe(name, max_tokens):
    """A client recipe of our own (only http/redis params take --set): chat, streamed, ignore_eos."""
    with open(os.path.join(recipes, "clients", name + ".yaml"), "w") as f:
        f.write(f"""name: {name}
description: streamed chat against benchmarks/llm/stream_server.py, {max_tokens} tokens an answer
kind: openai
target:
  service: llm-stream
  port: main
workload:
  mode: closed
  concurrency: 64
  duration: 60s
  warmup: 0s
  seed: 1
params:
  endpoint: chat
  model: bench-stream
  dataset: random
  input_len: 64
  output_len: {max_tokens}
  max_tokens: {max_tokens}
  temperature: 0
  ignore_eos: true
""")


def start_server(delay_ms=0.0, write_batch=1, jitter=0.0, workers=1):
    global server, server_workers
    server_workers = workers
    stop_server()
    server = subprocess.Popen([args.python, os.path.join(HERE, "stream_server.py"), "--port", "0",
                               "--workers", str(workers), "--delay-ms", str(delay_ms),
                               "--write-batch", str(write_batch), "--jitter", str(jitter),
                               "--stats-dir", stats_dir],
                              stdout=subprocess.PIPE, text=True, start_new_session=True)
    line = server.stdout.readline().split()
    if len(line) < 2 or line[0] != "port":
        sys.exit(f"stream_server.py did not start: {line}")
    port = int(line[1])
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=1).read()
            return port
        except OSError:
            time.sleep(0.05)
    sys.exit("stream_server.py does not answer")


def stop_server():
    global server
    if server is not None and server.poll() is None:
        server.terminate()
        try:
            server.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    server = None


def server_samples():
    """Every worker's (arrival ns, server TTFT ns) so far, sorted by arrival."""
    for f in os.listdir(stats_dir):
        os.remove(os.path.join(stats_dir, f))
    server.send_signal(signal.SIGUSR1)
    deadline = time.time() + 10
    while len([f for f in os.listdir(stats_dir) if f.endswith(".json")]) < server_workers:
        if time.time() > deadline:
            sys.exit("stream_server.py wrote no stats")
        time.sleep(0.05)
    samples = []
    for f in os.listdir(stats_dir):
        if f.endswith(".json"):
            d = json.load(open(os.path.join(stats_dir, f)))
            samples += zip(d["arrivals_ns"], d["ttfts_ns"])
    return sorted(samples)


def cpu_run(argv):
    """Runs a client; returns (stdout, CPU seconds user+sys of the process and its threads, wall seconds)."""
    out = tempfile.TemporaryFile(mode="w+")
    err = tempfile.TemporaryFile(mode="w+")
    global client
    t0 = time.monotonic()
    p = client = subprocess.Popen(argv, env=env, stdout=out, stderr=err)
    _, status, ru = os.wait4(p.pid, 0)
    client = None
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    err.seek(0)
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(argv)}\n{err.read()[-3000:]}")
    return out.read(), ru.ru_utime + ru.ru_stime, wall


def run_bench(port, name, requests, concurrency, warmup="0s"):
    global sessions
    sessions += 1
    session = f"llm{sessions}"
    _, cpu, wall = cpu_run([BENCH, "--recipes", recipes, "--session", session, "-c",
                            f"client run {name} --target 127.0.0.1:{port} --requests {requests} "
                            f"--concurrency {concurrency} --warmup {warmup} --quiet"])
    r = json.load(open(os.path.join(work, "sessions", session, "runs", "r1.json")))
    km = r["kind_metrics"]
    if km.get("failed") or km.get("completed") != requests:
        sys.exit(f"bench run incomplete: completed {km.get('completed')} failed {km.get('failed')} of {requests}")
    return km, cpu, wall


def run_aiohttp(port, requests, concurrency, max_tokens):
    out, cpu, wall = cpu_run([args.python, os.path.join(HERE, "aiohttp_client.py"), "--url", f"http://127.0.0.1:{port}",
                              "--requests", str(requests), "--concurrency", str(concurrency),
                              "--max-tokens", str(max_tokens)])
    r = json.loads(out)
    if r["failed"] or r["completed"] != requests:
        sys.exit(f"aiohttp run incomplete: {r}")
    return r, cpu, wall


def per10k(cpu, tokens):
    return cpu / tokens * 10_000


def on_signal(sig, _frame):
    raise SystemExit(128 + sig)


signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGHUP, on_signal)
cost_rows, scale_rows = [], []
R = args.rounds
try:
    recipe("llm-cost", args.max_tokens)
    recipe("llm-scale", args.scale_max_tokens)
    if not args.skip_cost:
        requests = -(-args.tokens // args.max_tokens)
        paced_requests = max(requests, args.paced_concurrency)
        modes = [(f"{args.concurrency} streams, {args.max_tokens} tokens, a write per token", 0, 1, args.concurrency, requests),
                 (f"{args.concurrency} streams, {args.max_tokens} tokens, 16 tokens a write", 0, 16, args.concurrency, requests),
                 (f"{args.paced_concurrency} streams, {args.max_tokens} tokens, paced {args.paced_delay_ms:g} ms/token",
                  args.paced_delay_ms, 1, args.paced_concurrency, paced_requests)]
        for label, delay, batch, conc, n in modes:
            port = start_server(delay, batch, 0.0, args.server_workers)
            b, a = [], []
            for i in range(R):
                km, cpu, wall = run_bench(port, "llm-cost", n, conc)
                b.append(per10k(cpu, km["total_output_tokens"]))
                print(f"  [{label}] round {i + 1}: bench {cpu:.2f} s CPU / {km['total_output_tokens']:,} tokens "
                      f"({wall:.1f} s wall)", file=sys.stderr, flush=True)
                r, cpu, wall = run_aiohttp(port, n, conc, args.max_tokens)
                a.append(per10k(cpu, r["total_output_tokens"]))
                print(f"  [{label}] round {i + 1}: aiohttp {cpu:.2f} s CPU / {r['total_output_tokens']:,} tokens "
                      f"({wall:.1f} s wall)", file=sys.stderr, flush=True)
            cost_rows.append((label, a, b))
    if not args.skip_scale:
        port = start_server(args.scale_delay_ms, 1, args.scale_jitter, args.scale_server_workers)
        results = {"bench": [], "aiohttp": []}
        for i in range(R):
            for who in ("bench", "aiohttp"):
                launched = time.time_ns()
                if who == "bench":
                    km, cpu, wall = run_bench(port, "llm-scale", args.scale_requests, args.scale_concurrency, "1s")
                    measured = km["completed"]
                    tokens = km["total_output_tokens"]
                else:
                    km, cpu, wall = run_aiohttp(port, args.scale_requests, args.scale_concurrency, args.scale_max_tokens)
                    measured = km["completed"]
                    tokens = km["total_output_tokens"]
                # The server's timings of this run's requests: the last `measured` to arrive (bench's warm-up
                # requests came first).
                mine = [t for arrival, t in server_samples() if arrival >= launched][-measured:]
                mine.sort()
                server_p99 = mine[min(len(mine) - 1, int(round(0.99 * (len(mine) - 1))))] / 1e6
                server_p50 = mine[len(mine) // 2] / 1e6
                row = dict(client_p99=km["p99_ttft_ms"], client_p50=km["median_ttft_ms"], server_p99=server_p99,
                           server_p50=server_p50, added_p99=km["p99_ttft_ms"] - server_p99,
                           added_p50=km["median_ttft_ms"] - server_p50, itl=km["mean_itl_ms"],
                           cpu10k=per10k(cpu, tokens))
                results[who].append(row)
                print(f"  [scale] round {i + 1}: {who} p99 TTFT {row['client_p99']:.3f} ms, server's "
                      f"{server_p99:.3f} ms, added {row['added_p99']:.3f} ms, mean ITL {row['itl']:.2f} ms, "
                      f"{cpu:.2f} s CPU ({wall:.1f} s wall)", file=sys.stderr, flush=True)
        scale_rows = results
finally:
    if client is not None:
        client.kill()
        client.wait()
    stop_server()
    shutil.rmtree(work, ignore_errors=True)

med = statistics.median
print(f"\nLLM clients: bench vs a vLLM-style asyncio/aiohttp client, medians of {R} rounds "
      f"(2-core shared machine; CPU = user+sys of the client process)\n")
if cost_rows:
    print(f"{'client cost: CPU s per 10,000 streamed tokens':60} {'aiohttp':>9} {'bench':>9} {'ratio':>7}  target <= 0.10x")
    for label, a, b in cost_rows:
        ratio = med(b) / med(a)
        print(f"{label:60} {med(a):>9.4f} {med(b):>9.4f} {ratio:>6.3f}x  {'met' if ratio <= 0.1 else 'MISSED'}")
if scale_rows:
    print(f"\nscale: {args.scale_concurrency:,} streams closed loop, {args.scale_requests:,} requests, "
          f"{args.scale_max_tokens} tokens at {args.scale_delay_ms:g} ms +-{args.scale_jitter * 100:g}% (TTFT ms)")
    print(f"{'client':10} {'p50 TTFT':>9} {'server p50':>11} {'p99 TTFT':>9} {'server p99':>11} {'added p99':>10} "
          f"{'mean ITL':>9}  target: added p99 < 1 ms")
    for who in ("bench", "aiohttp"):
        rs = scale_rows[who]
        m = {k: med(r[k] for r in rs) for k in rs[0]}
        verdict = ("met" if m["added_p99"] < 1 else "MISSED") if who == "bench" else "(reference)"
        print(f"{who:10} {m['client_p50']:>9.3f} {m['server_p50']:>11.3f} {m['client_p99']:>9.3f} "
              f"{m['server_p99']:>11.3f} {m['added_p99']:>10.3f} {m['itl']:>9.2f}  {verdict}")
