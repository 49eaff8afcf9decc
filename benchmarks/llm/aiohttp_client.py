#!/usr/bin/env python3
"""The reference client of the LLM client benchmarks: the design of vLLM's benchmark client
(`vllm bench serve`, benchmarks/backend_request_func.py), reduced to one backend.

asyncio + aiohttp, one shared ClientSession over a TCPConnector limited to the concurrency, every request a task
gated by a semaphore (closed loop at --concurrency, as `--max-concurrency` with an infinite request rate), each a
streamed POST whose body is read line by line (`async for chunk in response.content`), stripped, its `data: `
prefix removed, JSON-decoded, TTFT and inter-token latencies recorded with time.perf_counter(), the generated
text accumulated, `usage.completion_tokens` read. At the end the same summary vLLM prints (TTFT, TPOT, ITL,
E2EL percentiles, throughputs), as JSON with vLLM's names on stdout.

    aiohttp_client.py --url http://127.0.0.1:PORT --requests 1000 --concurrency 64 --max-tokens 256
"""
import argparse, asyncio, json, random, statistics, sys, time

import aiohttp

VOCABULARY = ("the of and to in is that for it as was with be by on not he this are or his from at which but have "
              "an they you were her she there one all we their been has when who will more no if out so said what "
              "up its about into than them can only other new some could time these two may then do first any my "
              "now such like our over man me even most made after also did many before must").split()


class Output:
    __slots__ = ("success", "ttft", "itl", "latency", "output_tokens", "generated_text", "error")

    def __init__(self):
        self.success = False
        self.ttft = 0.0
        self.itl = []
        self.latency = 0.0
        self.output_tokens = 0
        self.generated_text = ""
        self.error = ""


async def request_openai(session, api_url, payload, chat):
    """One streamed request, read as vLLM's async_request_openai_(chat_)completions reads it."""
    output = Output()
    headers = {"Content-Type": "application/json"}
    generated_text = ""
    ttft = 0.0
    st = time.perf_counter()
    most_recent_timestamp = st
    try:
        async with session.post(url=api_url, json=payload, headers=headers) as response:
            if response.status == 200:
                async for chunk_bytes in response.content:
                    chunk_bytes = chunk_bytes.strip()
                    if not chunk_bytes:
                        continue
                    chunk = chunk_bytes.decode("utf-8").removeprefix("data: ")
                    if chunk != "[DONE]":
                        timestamp = time.perf_counter()
                        data = json.loads(chunk)
                        if choices := data.get("choices"):
                            content = choices[0]["delta"].get("content") if chat else choices[0].get("text")
                            if ttft == 0.0:
                                ttft = timestamp - st
                                output.ttft = ttft
                            else:
                                output.itl.append(timestamp - most_recent_timestamp)
                            generated_text += content or ""
                        elif usage := data.get("usage"):
                            output.output_tokens = usage.get("completion_tokens")
                        most_recent_timestamp = timestamp
                output.generated_text = generated_text
                output.success = True
                output.latency = most_recent_timestamp - st
            else:
                output.error = response.reason or ""
                output.success = False
    except Exception as e:  # noqa: BLE001 (vLLM records any failure the same way)
        output.success = False
        output.error = repr(e)
    return output


def percentile(values, q):
    if not values:
        return 0.0
    v = sorted(values)
    k = (len(v) - 1) * q / 100
    f = int(k)
    c = min(f + 1, len(v) - 1)
    return v[f] + (v[c] - v[f]) * (k - f)


async def run(args):
    rng = random.Random(args.seed)
    chat = args.endpoint == "chat"
    api_url = args.url.rstrip("/") + ("/v1/chat/completions" if chat else "/v1/completions")
    prompts = [" ".join(rng.choice(VOCABULARY) for _ in range(args.input_len)) for _ in range(args.requests)]
    connector = aiohttp.TCPConnector(limit=args.concurrency, limit_per_host=args.concurrency, ttl_dns_cache=300,
                                     use_dns_cache=True, keepalive_timeout=60, enable_cleanup_closed=True,
                                     force_close=False)
    timeout = aiohttp.ClientTimeout(total=6 * 60 * 60)
    semaphore = asyncio.Semaphore(args.concurrency)
    async with aiohttp.ClientSession(connector=connector, trust_env=True, timeout=timeout,
                                     read_bufsize=10 * 1024 ** 2) as session:

        async def limited(prompt):
            payload = {"model": args.model, "max_tokens": args.max_tokens, "temperature": 0.0, "stream": True,
                       "stream_options": {"include_usage": True}, "ignore_eos": True}
            if chat:
                payload["messages"] = [{"role": "user", "content": prompt}]
            else:
                payload["prompt"] = prompt
            async with semaphore:
                return await request_openai(session, api_url, payload, chat)

        start = time.perf_counter()
        outputs = await asyncio.gather(*(asyncio.create_task(limited(p)) for p in prompts))
        duration = time.perf_counter() - start

    ok = [o for o in outputs if o.success]
    ttfts = [o.ttft * 1000 for o in ok]
    itls = [x * 1000 for o in ok for x in o.itl]
    tpots = [(o.latency - o.ttft) / (o.output_tokens - 1) * 1000 for o in ok if o.output_tokens > 1]
    e2els = [o.latency * 1000 for o in ok]
    total_output = sum(o.output_tokens for o in ok)
    result = {"completed": len(ok), "failed": len(outputs) - len(ok), "duration": duration,
              "total_output_tokens": total_output, "request_throughput": len(ok) / duration,
              "output_throughput": total_output / duration}
    for name, values in (("ttft", ttfts), ("tpot", tpots), ("itl", itls), ("e2el", e2els)):
        result[f"mean_{name}_ms"] = statistics.fmean(values) if values else 0.0
        result[f"median_{name}_ms"] = statistics.median(values) if values else 0.0
        result[f"std_{name}_ms"] = statistics.pstdev(values) if values else 0.0
        for q in (90, 99):
            result[f"p{q}_{name}_ms"] = percentile(values, q)
    errors = [o.error for o in outputs if not o.success]
    if errors:
        result["first_error"] = errors[0]
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True, help="http://host:port")
    ap.add_argument("--endpoint", choices=("chat", "completions"), default="chat")
    ap.add_argument("--model", default="bench-stream")
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--max-tokens", type=int, default=256)
    ap.add_argument("--input-len", type=int, default=64, help="prompt length in words")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--uvloop", action="store_true", help="run on uvloop (vLLM's client uses plain asyncio)")
    args = ap.parse_args()
    if args.uvloop:
        import uvloop
        uvloop.install()
    result = asyncio.run(run(args))
    json.dump(result, sys.stdout)
    print()
    if result["failed"]:
        print(f"{result['failed']} requests failed: {result.get('first_error')}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
