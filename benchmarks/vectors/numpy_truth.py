#!/usr/bin/env python3
"""The reference exact search: NumPy brute force as ANN-benchmarks-style scripts do it, squared l2 by
|x|^2 - 2 q.x (one matrix product), np.argpartition for the k smallest, then those k sorted.

Usage: OMP_NUM_THREADS=1 numpy_truth.py base.npy queries.npy [--k 10]
Prints: wall seconds, CPU seconds (process), peak RSS in MiB, of the search alone (loading excluded).
"""
import argparse, resource, time

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("base")
ap.add_argument("queries")
ap.add_argument("--k", type=int, default=10)
args = ap.parse_args()
X = np.load(args.base)
Q = np.load(args.queries)
wall, cpu = time.perf_counter(), time.process_time()
norms = np.einsum("ij,ij->i", X, X)
d = norms[None, :] - 2 * (Q @ X.T)
top = np.argpartition(d, args.k, axis=1)[:, : args.k]
order = np.take_along_axis(d, top, axis=1).argsort(axis=1)
ids = np.take_along_axis(top, order, axis=1)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{wall:.3f} {cpu:.3f} {rss:.0f} {ids[0][0]}")
