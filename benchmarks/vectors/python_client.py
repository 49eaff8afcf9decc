#!/usr/bin/env python3
"""The reference client: the official chromadb.HttpClient sending bench's queries (top-k, ids only) from N threads.

Usage: python_client.py --port P --collection NAME --queries q.npy --requests N --concurrency C [--k 10]
Each thread takes the next query in order (as bench's connections do) and calls collection.query. Prints the
queries answered and the wall seconds; its CPU is measured from outside (GNU time), as bench's is.
"""
import argparse, itertools, sys, threading, time

import chromadb
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--host", default="127.0.0.1")
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--collection", required=True)
ap.add_argument("--queries", required=True)
ap.add_argument("--requests", type=int, required=True)
ap.add_argument("--concurrency", type=int, default=8)
ap.add_argument("--k", type=int, default=10)
args = ap.parse_args()

queries = np.load(args.queries)
counter = itertools.count()
lock = threading.Lock()
errors = []


def worker():
    # A client per thread, as a threaded application would hold one per worker.
    collection = chromadb.HttpClient(host=args.host, port=args.port).get_collection(args.collection)
    while True:
        with lock:
            i = next(counter)
        if i >= args.requests:
            return
        q = queries[i % len(queries)]
        try:
            result = collection.query(query_embeddings=q[None, :], n_results=args.k, include=[])
            if len(result["ids"][0]) != args.k:
                errors.append(f"query {i}: {len(result['ids'][0])} ids")
        except Exception as error:  # a failed query is reported, not hidden
            errors.append(f"query {i}: {error}")


start = time.perf_counter()
threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.perf_counter() - start
print(f"{args.requests} {elapsed:.3f}")
if errors:
    sys.exit(f"{len(errors)} queries failed, e.g. {errors[0]}")
