// BenchCore: the plain values everything else shares, with no terminal, process or network in it.
//
// Session/  the live session: handles (s1, r1, m1), settings, secrets, notices, the event log
// Recipes/  YAML recipes for servers, clients and monitors, validated with file:line:column errors
// Results/  RequestResult, the aggregators (HDR histograms, per-second slices, LLM metrics) and
//           the versioned result file (bench.run/1) with its terminal summary
// Support/  durations, byte sizes, atomic and durable file writes, SHA-256, quoting, suggestions
