/// The definitions bench uses for its metrics, printed by `help metrics` and named in result files.
public enum MetricDefinitions {
    /// Where the definitions come from, written into result files.
    public static let reference = "bench metric definitions v1 (help metrics)"

    public static let text = """
    Load (any protocol)
      scheduled time   when the pacer meant to send the request (open loop); in closed loop, when the
                       connection became free
      service time     response complete - actual send: what the server cost (as wrk reports it)
      response time    response complete - scheduled time: what a user waiting in line saw, corrected
                       for coordinated omission as wrk2 does; bench reports both, never only service time
      sender lag       actual send - scheduled time; when its p99 exceeds 1 ms or 1% of the gap between
                       arrivals, the client was the bottleneck and the result says so
      throughput       completed requests / measured duration (warm-up excluded)
      errors           by kind: connect (no connection), timeout (no answer in time), status (an
                       unexpected one), protocol (a broken answer), closed (the server closed the
                       connection with the request in flight), unsent (open loop: waited past the
                       timeout for a free connection and was never sent, so not counted as sent)
      percentiles      from HDR histograms with 3 significant digits, nearest-rank
      arrivals         constant (fixed gap) or poisson (exponential gaps from the seed); the schedule is
                       a pure function of (seed, rate, elapsed), so a replay sends the same schedule

    LLM serving (OpenAI-compatible streaming; names as in vLLM's `bench serve`; st = just before send)
      TTFT             first streamed chunk carrying content - st
      E2EL             last chunk - st
      TPOT             (E2EL - TTFT) / (output_tokens - 1), for requests with more than one output token
      ITL              every gap between consecutive content chunks, pooled across requests
      output_tokens    from the server's usage (stream_options.include_usage), else the number of
                       content chunks, and the result says which
      request_throughput = completed / duration; output_throughput = output tokens / duration;
      total_token_throughput = (input + output tokens) / duration
      goodput          requests that succeeded and met every SLO given (ttft, tpot, e2el) / duration;
                       failed, empty or truncated answers are never good
      result keys      mean_ttft_ms, median_ttft_ms, p99_ttft_ms (likewise tpot, itl, e2el),
                       request_throughput, output_throughput, total_token_throughput, request_goodput,
                       completed, failed, total_input_tokens, total_output_tokens

    Caches (memcached; in the result's kind_metrics)
      get_hits         GETs answered with their value (VALUE ... END)
      get_misses       GETs of a key the cache does not hold (END alone): answers, not errors
      set_stored       SETs answered STORED
      get_hit_ratio    get_hits / (get_hits + get_misses), of the measured GETs
      warmup_get_hits, warmup_get_misses, warmup_set_stored
                       the same for the warm-up's requests: not measured, but in the server's own stats;
                       ERROR, CLIENT_ERROR and SERVER_ERROR answers are status errors, counted with the errors

    Vector search (chroma)
      recall@k         |returned ids ∩ the k exact nearest neighbours| / k, per scored answer (measured,
                       successful queries of the recall sample); exact neighbours by brute force in the
                       collection's distance (l2 squared, 1 - cosine, 1 - inner product; ties by row), over
                       the rows the query's filter selects; in a mixed phase a row inserted during it counts
                       when it is no farther than the k-th true neighbour
      result keys      recall_mean, recall_p5 (nearest rank), recall_min, recall_counts (answers with
                       0..k hits: the exact distribution, which merges across parts), load_vectors_per_s,
                       load_batch_p50_ms/p99_ms (add batches), load_queryable_s (load start until the
                       collection counts every vector and answers a query), insert_vectors_per_s (mixed)

    Other tools: AIPerf and GuideLLM call vLLM's TPOT "ITL"; llmperf's ITL includes the TTFT; MLPerf
    uses nearest-rank percentiles and reports p99 TTFT/TPOT against limits.
    """
}
