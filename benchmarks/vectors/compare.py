#!/usr/bin/env python3
"""bench's chroma client against the references, side by side in alternating rounds, medians and ratios printed.

- client: CPU per query of bench's query phase and of the official chromadb.HttpClient (threads), the same
  queries (ids only, top 10) at the same concurrency against the same Chroma and collection. CPU is user +
  system of the whole process (GNU time); per query is the difference between a long and a short run over
  the difference in queries, so start-up, dataset reading and imports cancel out.
- truth: exact top-10 of 1,000 queries over 100,000 x 384 float32 vectors, bench's own (the ground truth
  of a run, timed by bench on the thread that computes it: kind_metrics ground_truth_s/_cpu_s) against
  NumPy brute force (matrix product + argpartition) with one thread; and each process's peak RSS.

Chroma is started by bench itself (a detached session); the datasets are made here with NumPy and read by
both sides from the same .npy files.
"""
import argparse, json, os, re, shutil, statistics, subprocess, sys, tempfile

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--bench", required=True)
ap.add_argument("--python", default=sys.executable, help="the python with chromadb and numpy (Chroma's venv)")
ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--concurrency", type=int, default=8)
ap.add_argument("--requests", default="500,2500", help="the short and the long run's queries (client section)")
ap.add_argument("--vectors", type=int, default=100_000, help="truth section: vectors searched")
ap.add_argument("--dim", type=int, default=384)
ap.add_argument("--queries", type=int, default=1000)
ap.add_argument("--client-vectors", type=int, default=10_000, help="client section: vectors in the collection")
ap.add_argument("--only", default="client,truth", help="comma-separated sections: client, truth")
args = ap.parse_args()
only = [x for x in args.only.split(",") if x]
for x in only:
    if x not in ("client", "truth"):
        ap.error(f"--only: unknown section '{x}' (valid: client, truth)")
short, long_ = (int(x) for x in args.requests.split(","))
BENCH = os.path.abspath(args.bench)
here = os.path.dirname(os.path.abspath(__file__))
work = tempfile.mkdtemp(prefix="bench-vectors-")
env = dict(os.environ, BENCH_SESSIONS=os.path.join(work, "sessions"))
one_thread = dict(env, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")


def timed(argv, environment=env):
    """Runs argv under GNU time: stdout, CPU seconds (user + system) and peak RSS (MiB)."""
    p = subprocess.run(["/usr/bin/time", "-v"] + argv, cwd=work, env=environment, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(argv)}\n{p.stdout}\n{p.stderr}")
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", p.stderr).group(1))
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", p.stderr).group(1))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) / 1024
    return p.stdout, user + system, rss


def bench(command):
    """One command in the targets' session (attached, left detached): CPU, RSS and the newest run's result."""
    _, cpu, rss = timed([BENCH, "--attach", "targets", "-c", command, "-c", "detach"])
    runs = os.path.join(work, "sessions", "targets", "runs")
    newest = max(os.listdir(runs), key=lambda f: int(f[1:-5])) if os.path.isdir(runs) else None
    return cpu, rss, json.load(open(os.path.join(runs, newest))) if newest else None


def median(xs):
    return statistics.median(xs)


# Gaussian blobs as bench's clustered datasets (centres uniform in [-1, 1), std 0.5), and queries from them.
rng = np.random.default_rng(1)
centres = rng.uniform(-1, 1, (100, args.dim)).astype(np.float32)
def blobs(n):
    return (centres[rng.integers(0, 100, n)] + rng.normal(0, 0.5, (n, args.dim))).astype(np.float32)
base = blobs(max(args.vectors, args.client_vectors))
np.save(os.path.join(work, "base.npy"), base[: args.vectors])
np.save(os.path.join(work, "small.npy"), base[: args.client_vectors])
np.save(os.path.join(work, "queries.npy"), blobs(args.queries))
del base

subprocess.run([BENCH, "--session", "targets", "-c", "server start chroma", "-c", "detach"], cwd=work, env=env, check=True,
               capture_output=True)
state = json.load(open(os.path.join(work, "sessions", "targets", "state.json")))
port = state["servers"][0]["endpoint"]["ports"]["main"]
target = f"127.0.0.1:{port}"
files = "--set dataset=file --set queries_path=queries.npy --set dim=auto --set vectors=auto"
rows = []
try:
    if "client" in only:
        small = f"client run chroma-client --target {target} {files} --set dataset_path=small.npy --quiet"
        _, _, loaded = bench(small + " --set phases=load")
        collection = loaded["kind_metrics"]["collection"]
        per_query = {"bench": [], "chromadb": []}
        recall = []
        for r in range(args.rounds):
            for tool in (["bench", "chromadb"] if r % 2 == 0 else ["chromadb", "bench"]):
                cpu = {}
                for n in (short, long_):
                    if tool == "bench":
                        cpu[n], _, result = bench(small + f" --set phases=query --requests {n} --warmup 0s --concurrency {args.concurrency}")
                        assert result["counts"]["ok"] == n, result["counts"]
                        recall.append(result["kind_metrics"]["recall_mean"])
                    else:
                        _, cpu[n], _ = timed([args.python, os.path.join(here, "python_client.py"), "--port", str(port),
                                              "--collection", collection, "--queries", "queries.npy", "--requests", str(n),
                                              "--concurrency", str(args.concurrency)])
                per_query[tool].append((cpu[long_] - cpu[short]) / (long_ - short) * 1e6)
            print(f"round {r + 1}: CPU per query bench {per_query['bench'][-1]:.0f} us, chromadb {per_query['chromadb'][-1]:.0f} us",
                  file=sys.stderr)
        ratios = [b / c for b, c in zip(per_query["bench"], per_query["chromadb"])]
        rows.append((f"client CPU per query, {args.concurrency} connections/threads, top-10 over "
                     f"{args.client_vectors:,} x {args.dim} (recall {median(recall):.3f})",
                     f"chromadb.HttpClient: {median(per_query['chromadb']):.0f} us", f"{median(per_query['bench']):.0f} us",
                     f"{median(per_query['bench']) / median(per_query['chromadb']):.3f}x (per round {', '.join(f'{x:.3f}' for x in ratios)})"))
    if "truth" in only:
        big = f"client run chroma-client --target {target} {files} --set dataset_path=base.npy --set batch_size=1000 --quiet"
        bench(big + " --set phases=load")
        times = {"bench": [], "numpy": []}
        cpus = {"bench": [], "numpy": []}
        rss = {"bench": [], "numpy": []}
        for r in range(args.rounds):
            for tool in (["bench", "numpy"] if r % 2 == 0 else ["numpy", "bench"]):
                if tool == "bench":
                    _, peak, result = bench(big + " --set phases=query --requests 20 --warmup 0s")
                    m = result["kind_metrics"]
                    times["bench"].append(m["ground_truth_s"])
                    cpus["bench"].append(m["ground_truth_cpu_s"])
                    rss["bench"].append(peak)
                else:
                    out, _, _ = timed([args.python, os.path.join(here, "numpy_truth.py"), "base.npy", "queries.npy"], one_thread)
                    wall, cpu, peak, _ = out.split()
                    times["numpy"].append(float(wall))
                    cpus["numpy"].append(float(cpu))
                    rss["numpy"].append(float(peak))
            print(f"round {r + 1}: exact top-10 bench {times['bench'][-1]:.2f} s, numpy {times['numpy'][-1]:.2f} s", file=sys.stderr)
        ratios = [b / n for b, n in zip(times["bench"], times["numpy"])]
        size = args.vectors * args.dim * 4 / 2**20
        rows.append((f"exact top-10, {args.queries:,} queries over {args.vectors:,} x {args.dim} float32, one core",
                     f"NumPy (matmul + argpartition): {median(times['numpy']):.2f} s (CPU {median(cpus['numpy']):.2f} s)",
                     f"{median(times['bench']):.2f} s (CPU {median(cpus['bench']):.2f} s)",
                     f"{median(times['bench']) / median(times['numpy']):.2f}x (per round {', '.join(f'{x:.2f}' for x in ratios)})"))
        rows.append((f"peak RSS of the process (dataset {size:.0f} MiB)", f"NumPy: {median(rss['numpy']):.0f} MiB",
                     f"bench (whole run): {median(rss['bench']):.0f} MiB", f"{median(rss['bench']) / median(rss['numpy']):.2f}x"))
finally:
    subprocess.run([BENCH, "--attach", "targets", "-c", "server stop-all"], cwd=work, env=env, capture_output=True)
    shutil.rmtree(work, ignore_errors=True)

print("| measure | reference | bench | ratio |")
print("|---|---|---|---|")
for row in rows:
    print("| " + " | ".join(row) + " |")
