-- wrk, paced: each connection sends one request, waits for the answer, then pauses a fixed time
-- (wrk's delay(), whole milliseconds), so the run sends at a steady rate well below the target's
-- capacity. On such an idle target queueing is nil and coordinated omission does not arise, so
-- wrk's latencies stand in for wrk2's corrected values (wrk2 itself is not packaged here).
local pause = tonumber(os.getenv("BENCH_PACE_MS") or "1")

function delay()
    return pause
end
