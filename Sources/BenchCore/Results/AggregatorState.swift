/// Everything a `RunAggregator` accumulates, in one struct so that a record is one exclusive access.
///
/// Latencies go to `LatencyRecorder`s (the histograms' layout, without their generic code) and counters to flat,
/// preallocated storage (statuses in a table, errors in a fixed array), so that recording never hashes or
/// allocates; `snapshot()` turns them into the histograms and dictionaries results use.
struct AggregatorState {
    let warmupEnd: UInt64
    let expectedInterval: UInt64?

    var serviceTime = LatencyRecorder(significantDigits: .three)
    var responseTime = LatencyRecorder(significantDigits: .three)
    var senderLag = LatencyRecorder(significantDigits: .three)
    var timeToFirstByte = LatencyRecorder(significantDigits: .three)
    var sent = 0
    var completed = 0
    var ok = 0
    var errorCounts = [Int](repeating: 0, count: AggregatorState.errorSlots)
    var bytesReceived = 0
    var firstCompleted = UInt64.max
    var lastCompleted: UInt64 = 0
    var warmupRequests = 0
    var warmupFailed = 0
    /// Counts of statuses 1..<statusTableSize by value; others (rare) in `otherStatuses`.
    var statusTable = [Int](repeating: 0, count: AggregatorState.statusTableSize)
    var otherStatuses: [Int: Int] = [:]
    var inputTokens = 0
    var outputTokens = 0
    /// Whether the last recorded result was a warm-up one, so its tokens are excluded like it.
    var lastWasWarmup = false
    var measuredSlices = SliceWindow(warmup: false)
    var warmupSlices = SliceWindow(warmup: true)

    static let statusTableSize = 1000
    static let errorSlots = 6

    init(warmupEnd: UInt64, expectedInterval: UInt64?) {
        self.warmupEnd = warmupEnd
        self.expectedInterval = expectedInterval
    }

    @inline(__always)
    static func slot(_ kind: RequestErrorKind) -> Int {
        switch kind {
        case .connect: 0
        case .timeout: 1
        case .status: 2
        case .protocol: 3
        case .closed: 4
        case .unsent: 5
        }
    }

    @inline(__always)
    mutating func record(_ r: RequestResult) {
        let second = Int(truncatingIfNeeded: r.completed / 1_000_000_000)
        // An answer with an unexpected status is still an answer: its latency is real, as wrk counts it.
        // (A switch rather than `==` on the optional, which costs value-witness calls on the hot path.)
        let answered: Bool
        let written: Bool
        switch r.error {
        case nil, .status?: (answered, written) = (true, true)
        case .connect?, .unsent?: (answered, written) = (false, false)
        case .timeout?, .protocol?, .closed?: (answered, written) = (false, true)
        }
        let failed = r.error != nil
        let response = answered ? LatencyHistograms.micros(from: r.scheduled, to: r.completed) : 0
        let service = answered ? LatencyHistograms.micros(from: r.sent, to: r.completed) : 0

        if r.scheduled < warmupEnd {
            warmupRequests &+= 1
            if failed { warmupFailed &+= 1 }
            lastWasWarmup = true
            warmupSlices.record(second: second, answered: answered, failed: failed, bytes: r.bytesReceived,
                                response: response, service: service)
            return
        }
        lastWasWarmup = false

        if let error = r.error {
            errorCounts[AggregatorState.slot(error)] &+= 1
        } else {
            ok &+= 1
        }
        if written {
            sent &+= 1
            senderLag.record(LatencyHistograms.micros(from: r.scheduled, to: r.sent))
        }
        if answered {
            completed &+= 1
            serviceTime.record(service)
            responseTime.record(response)
            if r.firstByte != 0 {
                timeToFirstByte.record(LatencyHistograms.micros(from: r.sent, to: r.firstByte))
            }
        }
        bytesReceived &+= r.bytesReceived
        if r.status > 0 {
            if r.status < AggregatorState.statusTableSize {
                statusTable[r.status] &+= 1
            } else {
                otherStatuses[r.status, default: 0] += 1
            }
        }
        if r.completed < firstCompleted { firstCompleted = r.completed }
        if r.completed > lastCompleted { lastCompleted = r.completed }
        measuredSlices.record(second: second, answered: answered, failed: failed, bytes: r.bytesReceived,
                              response: response, service: service)
    }

    mutating func recordTokens(input: Int, output: Int) {
        guard !lastWasWarmup else { return }
        inputTokens &+= input
        outputTokens &+= output
    }

    mutating func takeSeconds(upTo second: Int) -> [SecondSlice] {
        let taken = warmupSlices.take(upTo: second) + measuredSlices.take(upTo: second)
        // Warm-up slice first where a second has both, as the time series lists them.
        return taken.sorted { ($0.second, $0.warmup ? 0 : 1) < ($1.second, $1.warmup ? 0 : 1) }
    }

    var pendingSlices: Int { warmupSlices.count + measuredSlices.count }

    func snapshot() -> AggregateSnapshot {
        var s = AggregateSnapshot(warmupEnd: warmupEnd, expectedInterval: expectedInterval)
        s.serviceTime = serviceTime.histogram()
        s.responseTime = responseTime.histogram()
        s.senderLag = senderLag.histogram()
        s.timeToFirstByte = timeToFirstByte.histogram()
        s.sent = sent
        s.completed = completed
        s.ok = ok
        for kind in RequestErrorKind.allCases {
            s.errors[kind] = errorCounts[AggregatorState.slot(kind)]
        }
        s.bytesReceived = bytesReceived
        if lastCompleted >= firstCompleted {
            s.firstCompleted = firstCompleted
            s.lastCompleted = lastCompleted
        }
        s.warmupRequests = warmupRequests
        s.warmupFailed = warmupFailed
        var statuses = otherStatuses
        for (status, count) in statusTable.enumerated() where count > 0 {
            statuses[status] = count
        }
        s.statusCounts = statuses
        s.inputTokens = inputTokens
        s.outputTokens = outputTokens
        return s
    }
}
