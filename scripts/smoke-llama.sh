#!/usr/bin/env bash
# Smoke test for the built llama-server and the SmolLM2 model: starts the server on 127.0.0.1
# and a free port (-t 1, --metrics), waits for GET /health to answer 200, streams one
# /v1/chat/completions (stream: true, max_tokens 8) and checks the stream ends with
# `data: [DONE]`, checks /metrics, then stops the server by pid. Exits non-zero on failure.
#
# Environment: LLAMA_SERVER (binary), LLAMA_MODEL (gguf), SMOKE_TIMEOUT (s to wait, default 60)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BIN=${LLAMA_SERVER:-"$(bench_cache_dir)/llama.cpp/bin/llama-server"}
MODEL=${LLAMA_MODEL:-"$(bench_cache_dir)/models/SmolLM2-135M-Instruct-Q4_1.gguf"}
TIMEOUT=${SMOKE_TIMEOUT:-60}

[[ -x $BIN ]] || die "llama-server not found at $BIN (run scripts/build-llama.sh)"
[[ -f $MODEL ]] || die "model not found at $MODEL (run scripts/fetch-model.sh)"
need_cmd curl

free_port() {
    "$(bench_python)" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
        || shuf -i 20000-60000 -n 1
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-smoke-llama.XXXXXX")
PID=
cleanup() {
    local rc=$?
    if [[ -n $PID ]] && kill -0 "$PID" 2>/dev/null; then
        kill "$PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.2; done
        if kill -0 "$PID" 2>/dev/null; then
            warn "llama-server (pid $PID) ignored SIGTERM; killing it"
            kill -9 "$PID" 2>/dev/null || true
        fi
        wait "$PID" 2>/dev/null || true
    fi
    if (( rc != 0 )) && [[ -f $TMP/server.log ]]; then
        warn "server log tail:"
        tail -n 25 "$TMP/server.log" | sed 's/^/    /' >&2
    fi
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
log "starting $(basename "$BIN") on $URL with $(basename "$MODEL")"
t0=$(date +%s.%N)
"$BIN" -m "$MODEL" --host 127.0.0.1 --port "$PORT" -t 1 --metrics >"$TMP/server.log" 2>&1 &
PID=$!

ready=0
deadline=$(( $(now_s) + TIMEOUT ))
while (( $(now_s) < deadline )); do
    kill -0 "$PID" 2>/dev/null || die "llama-server exited early"
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$URL/health" || true)
    if [[ $code == 200 ]]; then ready=1; break; fi
    sleep 0.1
done
(( ready )) || die "llama-server not healthy after ${TIMEOUT} s"
ok "healthy after $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}') s (pid $PID)"

body='{"messages":[{"role":"user","content":"Say hello."}],"max_tokens":8,"stream":true}'
curl -sS -N --max-time "$TIMEOUT" -H 'Content-Type: application/json' -d "$body" \
    "$URL/v1/chat/completions" >"$TMP/stream.txt" || die "streaming request failed"
last=$(grep -v '^[[:space:]]*$' "$TMP/stream.txt" | tail -n1 | tr -d '\r' || true)
chunks=$(grep -c '^data: {' "$TMP/stream.txt" || true)
if [[ $last != "data: [DONE]" ]]; then
    warn "stream was:"; head -c 2000 "$TMP/stream.txt" | sed 's/^/    /' >&2
    die "stream does not end with 'data: [DONE]' (last line: '$last')"
fi
(( chunks > 0 )) || die "stream has no data chunks"
text=$(grep '^data: {' "$TMP/stream.txt" | sed 's/^data: //' \
    | "$(bench_python)" -c 'import sys, json
out = []
for line in sys.stdin:
    for c in json.loads(line).get("choices", []):
        out.append((c.get("delta") or {}).get("content") or "")
print("".join(out).replace("\n", " "))' 2>/dev/null || echo '?')
ok "streamed $chunks chunks ending in data: [DONE]; text: \"$text\""

metrics=$(curl -s --max-time 5 "$URL/metrics" || true)
grep -q '^llamacpp:' <<<"$metrics" || die "/metrics has no llamacpp: series"
ok "/metrics exposes $(grep -c '^llamacpp:' <<<"$metrics") llamacpp: series"

kill "$PID"
for _ in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.2; done
kill -0 "$PID" 2>/dev/null && die "llama-server (pid $PID) did not stop on SIGTERM"
wait "$PID" 2>/dev/null || true
PID=
ok "llama-server stopped; smoke test passed"
