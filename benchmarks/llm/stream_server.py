#!/usr/bin/env python3
"""A fast OpenAI-compatible streaming server for the LLM client benchmarks (benchmarks/llm/run.sh).

No model: POST /v1/chat/completions and /v1/completions answer `max_tokens` one-token content chunks as
server-sent events over HTTP/1.1 chunked encoding (one HTTP chunk per event, as vLLM and llama.cpp frame them),
then a finish chunk, a `usage` chunk (when `stream_options.include_usage`) and `data: [DONE]`. GET /v1/models
lists one model. Everything else is 404 (so clients skip `/tokenize`). Keep-alive, hand-written HTTP on asyncio
sockets (uvloop when installed), one or more worker processes on one port (SO_REUSEPORT).

Timing:
  --delay-ms D     inter-token delay (0: as fast as possible; chunks are still framed one token each)
  --jitter J       each inter-token delay uniform within D*(1-J)..D*(1+J) (default 0), so that closed-loop
                   streams do not move in step and the server's writes do not come in bursts
  --ttft-ms T      delay before the first token (default 0)
  --write-batch K  with --delay-ms 0, how many token chunks go into one write (default 1: a write per token)

Server-side TTFT: for every streamed request each worker records when the request's first bytes arrived (the
kernel's receive timestamp, SO_TIMESTAMPNS, so time the request waited for this server's event loop counts as the
server's) and when its first content chunk was handed to the kernel (CLOCK_REALTIME, the timestamps' clock). GET /stats answers
this worker's percentiles; SIGUSR1 (to the parent: it forwards) makes every worker write all its samples to
STATS_DIR/worker-I.json (atomically), for the harness to filter by time window.

    stream_server.py --port 0 --workers 1 [--delay-ms 0] [--stats-dir DIR]   # prints 'port N' when listening
"""
import argparse, asyncio, json, os, signal, socket, struct, sys, time
from array import array
from random import random

try:
    import uvloop
except ImportError:  # plain asyncio still works, only slower
    uvloop = None

time_ns = time.time_ns  # CLOCK_REALTIME, the clock of the kernel's receive timestamps
SO_TIMESTAMPNS = SCM_TIMESTAMPNS = 35  # Linux; Python's socket module does not name them
TIMESPEC = struct.Struct("@qq")
CREATED = 1700000000
HEAD_SSE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
CHUNK_END = b"0\r\n\r\n"
TOKEN = " tok"


def http_chunk(event: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(event), event)


def sse(obj) -> bytes:
    return http_chunk(b"data: " + json.dumps(obj, separators=(",", ":")).encode() + b"\n\n")


DONE = http_chunk(b"data: [DONE]\n\n")


class Templates:
    """The byte strings of one (endpoint, model) stream, built once and reused."""
    cache = {}

    @classmethod
    def get(cls, chat: bool, model: str):
        key = (chat, model)
        t = cls.cache.get(key)
        if t is None:
            t = cls.cache[key] = cls(chat, model)
        return t

    def __init__(self, chat, model):
        self.chat = chat
        self.model = model
        if chat:
            base = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": CREATED, "model": model}
            choice = lambda delta, fin: {"index": 0, "delta": delta, "logprobs": None, "finish_reason": fin}
            self.first = sse(dict(base, choices=[choice({"role": "assistant", "content": TOKEN}, None)]))
            self.token = sse(dict(base, choices=[choice({"content": TOKEN}, None)]))
            self.finish = sse(dict(base, choices=[choice({}, "length")]))
        else:
            base = {"id": "cmpl-bench", "object": "text_completion", "created": CREATED, "model": model}
            choice = lambda text, fin: {"index": 0, "text": text, "logprobs": None, "finish_reason": fin}
            self.first = self.token = sse(dict(base, choices=[choice(TOKEN, None)]))
            self.finish = sse(dict(base, choices=[choice("", "length")]))
        self.base = base

    def usage(self, prompt_tokens, n):
        return sse(dict(self.base, choices=[], usage={"prompt_tokens": prompt_tokens, "completion_tokens": n,
                                                       "total_tokens": prompt_tokens + n}))


class Config:
    delay = 0.0
    jitter = 0.0
    ttft = 0.0
    write_batch = 1
    model = "bench-stream"


# Per-worker samples: arrival (kernel receive time, realtime ns) and server-side TTFT (ns) of each streamed request.
ARRIVALS = array("q")
TTFTS = array("q")


def simple(status: str, body: bytes, ctype=b"application/json") -> bytes:
    return (b"HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n" % (status.encode(), ctype, len(body))) + body


class Conn:
    """One keep-alive connection on a raw non-blocking socket (loop.add_reader/add_writer): reads with recvmsg
    to get the kernel's receive timestamp of each request (SO_TIMESTAMPNS), writes with send, buffering only
    what the socket does not take."""
    __slots__ = ("loop", "sock", "fd", "buf", "arrived", "busy", "out", "stream", "close_after", "closed")

    def __init__(self, loop, sock):
        self.loop = loop
        self.sock = sock
        self.fd = sock.fileno()
        self.buf = bytearray()
        self.arrived = 0
        self.busy = False
        self.out = bytearray()
        self.stream = None
        self.close_after = False
        self.closed = False
        loop.add_reader(self.fd, self.on_readable)

    @property
    def paused(self):
        return len(self.out) > 256 * 1024

    def write(self, data):
        if self.closed:
            return
        if self.out:
            self.out += data
            return
        try:
            n = self.sock.send(data)
        except (BlockingIOError, InterruptedError):
            n = 0
        except OSError:
            return self.close()
        if n < len(data):
            self.out += data[n:]
            self.loop.add_writer(self.fd, self.on_writable)

    def on_writable(self):
        try:
            n = self.sock.send(self.out)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return self.close()
        del self.out[:n]
        if not self.out:
            self.loop.remove_writer(self.fd)
            if self.stream is not None and Config.delay == 0:
                self.stream.pump()
            elif self.close_after and not self.busy:
                self.close()

    def close(self):
        if self.closed:
            return
        self.closed = True
        self.stream = None
        self.loop.remove_reader(self.fd)
        self.loop.remove_writer(self.fd)
        self.sock.close()

    def on_readable(self):
        try:
            data, anc, _flags, _addr = self.sock.recvmsg(262144, 64)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return self.close()
        if not data:
            return self.close()
        if not self.buf:
            stamp = 0
            for level, kind, value in anc:
                if level == socket.SOL_SOCKET and kind == SCM_TIMESTAMPNS and len(value) >= 16:
                    sec, nsec = TIMESPEC.unpack_from(value)
                    stamp = sec * 1_000_000_000 + nsec
            self.arrived = stamp or time_ns()
        self.buf += data
        if not self.busy:
            self.process()

    def process(self):
        while not self.closed and not self.busy:
            buf = self.buf
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buf[:end]).decode("latin-1").split("\r\n")
            try:
                method, target, version = head[0].split(" ", 2)
            except ValueError:
                self.write(simple("400 Bad Request", b"{}"))
                return self.close()
            length = 0
            close = version == "HTTP/1.0"
            for line in head[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "connection":
                    v = value.strip().lower()
                    close = v == "close" or (close and v != "keep-alive")
            if len(buf) < end + 4 + length:
                return
            body = bytes(buf[end + 4:end + 4 + length])
            del buf[:end + 4 + length]
            arrived = self.arrived
            self.arrived = time_ns() if buf else 0
            self.close_after = close
            self.handle(method, target.split("?", 1)[0], body, arrived)

    def done(self):
        """The current answer is complete: next request (if any) or close."""
        self.busy = False
        self.stream = None
        if self.closed:
            return
        if self.close_after:
            if not self.out:
                self.close()
            return
        if self.buf:
            self.process()

    def handle(self, method, path, body, arrived):
        if method == "POST" and path in ("/v1/chat/completions", "/v1/completions"):
            try:
                req = json.loads(body) if body else {}
            except ValueError:
                self.write(simple("400 Bad Request", b'{"error":{"message":"bad json"}}'))
                return self.done()
            chat = path == "/v1/chat/completions"
            n = int(req.get("max_tokens") or req.get("max_completion_tokens") or 16)
            model = req.get("model") or Config.model
            if chat:
                prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in req.get("messages", []))
            else:
                prompt_tokens = len(str(req.get("prompt", "")).split())
            tpl = Templates.get(chat, model)
            if not req.get("stream"):
                text = TOKEN * n
                choice = {"index": 0, "finish_reason": "length"}
                if chat:
                    choice["message"] = {"role": "assistant", "content": text}
                else:
                    choice["text"] = text
                out = dict(tpl.base, object="chat.completion" if chat else "text_completion", choices=[choice],
                           usage={"prompt_tokens": prompt_tokens, "completion_tokens": n,
                                  "total_tokens": prompt_tokens + n})
                self.write(simple("200 OK", json.dumps(out).encode()))
                return self.done()
            usage = bool((req.get("stream_options") or {}).get("include_usage"))
            self.busy = True
            self.stream = Stream(self, tpl, n, tpl.usage(prompt_tokens, n) if usage else b"", arrived)
            self.stream.start()
            return
        if method == "GET" and path == "/v1/models":
            out = {"object": "list", "data": [{"id": Config.model, "object": "model", "created": CREATED,
                                               "owned_by": "bench"}]}
            self.write(simple("200 OK", json.dumps(out).encode()))
        elif method == "GET" and path == "/stats":
            self.write(simple("200 OK", json.dumps(stats()).encode()))
        elif method == "GET" and path in ("/health", "/"):
            self.write(simple("200 OK", b"{}"))
        else:
            self.write(simple("404 Not Found", b'{"error":{"message":"not found","code":404}}'))
        self.done()


class Stream:
    __slots__ = ("conn", "tpl", "n", "sent", "tail", "arrived")

    def __init__(self, conn, tpl, n, usage, arrived):
        self.conn = conn
        self.tpl = tpl
        self.n = n
        self.sent = 0
        self.tail = tpl.finish + usage + DONE + CHUNK_END
        self.arrived = arrived

    def start(self):
        if Config.ttft > 0:
            self.conn.loop.call_later(Config.ttft, self.first)
        else:
            self.first()

    def first(self):
        conn = self.conn
        if conn.closed:
            return
        conn.write(HEAD_SSE + self.tpl.first if self.n > 0 else HEAD_SSE)
        if self.n > 0:
            ARRIVALS.append(self.arrived)
            TTFTS.append(time_ns() - self.arrived)
            self.sent = 1
        if Config.delay > 0:
            self.schedule()
        else:
            self.pump()

    def schedule(self):
        if self.sent >= self.n:
            return self.finish()
        delay = Config.delay
        if Config.jitter:
            delay *= 1 + Config.jitter * (2 * random() - 1)
        self.conn.loop.call_later(delay, self.next_token)

    def next_token(self):
        conn = self.conn
        if conn.closed:
            return
        conn.write(self.tpl.token)
        self.sent += 1
        self.schedule()

    def pump(self):
        """As fast as possible: write_batch token chunks a write, until done or the socket pushes back."""
        conn = self.conn
        token, k = self.tpl.token, Config.write_batch
        while not conn.closed and self.sent < self.n:
            if conn.paused:
                return  # on_writable calls pump again once drained
            m = min(k, self.n - self.sent)
            conn.write(token * m if m > 1 else token)
            self.sent += m
        self.finish()

    def finish(self):
        conn = self.conn
        if conn.closed or conn.stream is not self:
            return
        conn.write(self.tail)
        conn.done()


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    i = min(len(sorted_values) - 1, max(0, int(round(q / 100 * (len(sorted_values) - 1)))))
    return sorted_values[i]


def stats():
    v = sorted(TTFTS)
    ms = lambda x: None if x is None else x / 1e6
    return {"pid": os.getpid(), "count": len(v),
            "mean_ttft_ms": (sum(v) / len(v) / 1e6) if v else None,
            "p50_ttft_ms": ms(percentile(v, 50)), "p90_ttft_ms": ms(percentile(v, 90)),
            "p99_ttft_ms": ms(percentile(v, 99)), "max_ttft_ms": ms(v[-1] if v else None)}


def dump(stats_dir, index):
    path = os.path.join(stats_dir, f"worker-{index}.json")
    with open(path + ".tmp", "w") as f:
        json.dump({"pid": os.getpid(), "arrivals_ns": ARRIVALS.tolist(), "ttfts_ns": TTFTS.tolist()}, f)
    os.replace(path + ".tmp", path)


def listener(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind((host, port))
    return s


def worker(index, host, port, stats_dir):
    if uvloop is not None:
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    sock = listener(host, port)
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)  # inherited by accepted sockets
    except OSError:
        pass
    sock.listen(4096)
    sock.setblocking(False)
    stop = loop.create_future()
    if stats_dir:
        loop.add_signal_handler(signal.SIGUSR1, dump, stats_dir, index)
    loop.add_signal_handler(signal.SIGTERM, lambda: stop.done() or stop.set_result(None))
    loop.add_signal_handler(signal.SIGINT, lambda: stop.done() or stop.set_result(None))

    conns = set()

    def accept():
        while True:
            try:
                conn_sock, _ = sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            conn_sock.setblocking(False)
            conn_sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                conn_sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            except OSError:
                pass
            Conn(loop, conn_sock)

    async def main():
        loop.add_reader(sock.fileno(), accept)
        await stop
        loop.remove_reader(sock.fileno())

    loop.run_until_complete(main())
    os._exit(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0: a free port (printed)")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--delay-ms", type=float, default=0.0, help="inter-token delay")
    ap.add_argument("--jitter", type=float, default=0.0,
                    help="each inter-token delay uniform within +-this fraction (keeps streams from moving in step)")
    ap.add_argument("--ttft-ms", type=float, default=0.0, help="delay before the first token")
    ap.add_argument("--write-batch", type=int, default=1, help="token chunks per write with --delay-ms 0")
    ap.add_argument("--model", default="bench-stream")
    ap.add_argument("--stats-dir", help="SIGUSR1 writes each worker's samples here")
    args = ap.parse_args()
    Config.delay = args.delay_ms / 1000
    Config.jitter = min(max(args.jitter, 0.0), 1.0)
    Config.ttft = args.ttft_ms / 1000
    Config.write_batch = max(1, args.write_batch)
    Config.model = args.model
    # Held (bound, not listening) so that the port stays ours while the workers bind it too.
    holder = listener(args.host, args.port)
    port = holder.getsockname()[1]
    pids = []
    for i in range(args.workers):
        pid = os.fork()
        if pid == 0:
            holder.close()
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            worker(i, args.host, port, args.stats_dir)
        pids.append(pid)

    def forward(sig, _frame):
        for p in pids:
            try:
                os.kill(p, sig)
            except ProcessLookupError:
                pass
        if sig in (signal.SIGTERM, signal.SIGINT):
            for p in pids:
                try:
                    os.waitpid(p, 0)
                except ChildProcessError:
                    pass
            sys.exit(0)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1):
        signal.signal(sig, forward)
    print(f"port {port} workers {' '.join(map(str, pids))} loop {'uvloop' if uvloop else 'asyncio'}", flush=True)
    while True:
        try:
            pid, _ = os.wait()
        except ChildProcessError:
            return
        except InterruptedError:
            continue
        if pid in pids:  # a worker died: stop the rest
            forward(signal.SIGTERM, None)


if __name__ == "__main__":
    main()
