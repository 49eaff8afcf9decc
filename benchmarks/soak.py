#!/usr/bin/env python3
"""Soak: one long open-loop run against nginx, watching bench's memory and the run's per-second series.

bench must hold its memory flat for an hour at a steady rate (histograms are fixed-size; the per-second
series grows by one small point a second) and must leave no second out of its series. The run's counts
are checked against nginx's own stub_status counter, read before and after (an independent witness).

    python3 -u benchmarks/soak.py --bench .build-bench/release/bench --minutes 60 --rate 1000

Kept out of CI (an hour); a short version runs in the tests (EndToEndTests.SoakTests).
"""
import argparse, json, os, re, subprocess, sys, tempfile, time, urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("--bench", required=True)
ap.add_argument("--minutes", type=float, default=60)
ap.add_argument("--rate", type=float, default=1000)
ap.add_argument("--sample", type=float, default=10, help="seconds between memory samples")
args = ap.parse_args()
BENCH = os.path.abspath(args.bench)
work = tempfile.mkdtemp(prefix="bench-soak-")
env = dict(os.environ, BENCH_SESSIONS=os.path.join(work, "sessions"))
duration = int(args.minutes * 60)


def bench(*argv, check=True):
    p = subprocess.run([BENCH, *argv], env=env, capture_output=True, text=True)
    if check and p.returncode != 0:
        sys.exit(f"bench failed: {' '.join(argv)}\n{p.stderr}")
    return p


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
    except (OSError, AttributeError):
        return None


def nginx_requests(port):
    """stub_status's 'requests' total: every request nginx answered, ours and the status reads."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/nginx_status", timeout=5).read().decode()
    return int(text.split("\n")[2].split()[2])


# The target in a detached session of its own, so its counter can be read before and after the run.
bench("--session", "soak-target", "-c", "server start nginx", "-c", "detach")
state = json.load(open(os.path.join(work, "sessions", "soak-target", "state.json")))
port = state["servers"][0]["endpoint"]["ports"]["main"]
try:
    before = nginx_requests(port)
    command = f"client run nginx-get --target 127.0.0.1:{port} --rate {args.rate:g} --duration {duration}s --warmup 5s --quiet"
    proc = subprocess.Popen([BENCH, "--session", "soak", "-c", command], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = time.monotonic()
    samples = []
    while proc.poll() is None:
        time.sleep(args.sample)
        kib = rss_kib(proc.pid)
        if kib is not None:
            samples.append((time.monotonic() - started, kib))
            print(f"  {samples[-1][0]:7.0f} s  RSS {kib / 1024:7.1f} MiB", flush=True)
    out, err = proc.communicate()
    if proc.returncode != 0:
        sys.exit(f"the run failed ({proc.returncode}):\n{err}\n{out}")
    after = nginx_requests(port)
finally:
    bench("--cleanup", "soak-target", check=False)

result = json.load(open(os.path.join(work, "sessions", "soak", "runs", "r1.json")))
series = [p for p in result["time_series"] if not p["warmup"]]
seconds = sorted(p["second"] for p in series)
gaps = [s for s in range(seconds[0], seconds[-1] + 1) if s not in set(seconds)] if seconds else []
whole = [p for p in series if p.get("duration_s", 1) >= 0.999]
low = [p for p in whole if p["throughput"] < 0.95 * args.rate]
counts = result["counts"]
served = after - before - 1  # less our own second status read
sent_total = counts["sent"] + counts["warmup_excluded"]

# Memory after the first minute (pools and histograms allocated) against the end.
settled = [k for t, k in samples if t >= 60] or [k for _, k in samples]
growth = (settled[-1] - settled[0]) / 1024 if settled else 0
span_h = max(1e-9, (samples[-1][0] - 60) / 3600) if samples and samples[-1][0] > 60 else None

print()
print(f"run            {duration} s at {args.rate:g} req/s (open loop, constant), bench {result['bench_version']}")
print(f"series         {len(series)} measured points, {len(whole)} whole seconds, gaps {gaps[:10] or 'none'}, "
      f"whole seconds under 95% of the rate: {len(low)}")
print(f"counts         sent {counts['sent']:,} completed {counts['completed']:,} ok {counts['ok']:,} errors {sum(counts['errors'].values()):,} "
      f"(warm-up {counts['warmup_excluded']:,})")
print(f"witness        nginx stub_status served {served:,}; bench sent {sent_total:,} (measured + warm-up)")
km = result.get("kind_metrics", {})
print(f"connections    peak {int(km.get('connections_peak', 0)):,} held at once, {int(km.get('connections_opened', 0)):,} opened "
      f"({counts.get('reconnects', 0):,} reopened after nginx closed them idle)")
print(f"latency        p50 {result['latency']['response_time']['p50_ms']:.3f} ms  p99 {result['latency']['response_time']['p99_ms']:.3f} ms  "
      f"max {result['latency']['response_time']['max_ms']:.3f} ms (response time)")
if settled:
    print(f"memory         RSS {min(k for _, k in samples) / 1024:.1f}–{max(k for _, k in samples) / 1024:.1f} MiB; "
          f"from 60 s to the end {growth:+.1f} MiB" + (f" ({growth / span_h:+.1f} MiB/h)" if span_h else ""))
ok = not gaps and abs(served - sent_total) <= max(5, 0.0001 * sent_total)
print("verdict        " + ("series complete, counts agree with nginx" if ok else "FAILED: see above"))
sys.exit(0 if ok else 1)
