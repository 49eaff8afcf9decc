import BenchCore
import NIOCore
import NIOPosix
import Synchronization

/// Drives one endpoint with HTTP, Redis, memcached or OpenAI-streaming load, closed or open loop, and measures every request.
///
/// Each event loop thread runs its own connections, its share of the schedule and its own
/// `RunAggregator`; the engine merges them for progress and the outcome. A run happens once.
public final class LoadEngine: LoadGenerator {
    public let plan: LoadPlan
    public let loadProtocol: LoadProtocol

    private struct State {
        var started = false
        var stopped = false
        /// What the stop asked in-flight requests to fail as (nil: dropped, as for Ctrl-C).
        var stopFailure: RequestErrorKind?
        var stoppers: [@Sendable (RequestErrorKind?) -> Void] = []
    }

    private let state = Mutex(State())

    public init(plan: LoadPlan, protocol loadProtocol: LoadProtocol) {
        self.plan = plan
        self.loadProtocol = loadProtocol
    }

    public var kind: String {
        switch loadProtocol {
        case .http: return "http"
        case .redis: return "redis"
        case .memcached: return "memcached"
        case .openai: return "openai"
        case .chroma: return "chroma"
        }
    }

    /// Runs to the end (duration or request count) or until `stop()`. Calls `progress` about once a
    /// second with the merged cumulative snapshot, the per-second slices completed since the last
    /// call, and the seconds elapsed since the run's start (warm-up included).
    public func run(progress: @escaping @Sendable (AggregateSnapshot, [SecondSlice], _ elapsedSeconds: Double) -> Void)
        async throws -> LoadOutcome
    {
        if let problem = plan.problem { throw LoadEngineError.invalidPlan(problem) }
        let address = try LoadEngineError.resolveTarget(host: plan.host, port: plan.port)
        switch loadProtocol {
        case .http(let params, let hostHeader):
            let config = try HTTPCodec.Config(params: params, hostHeader: hostHeader)
            return try await run(HTTPCodec.self, config: config, address: address, progress: progress)
        case .redis(let params):
            let config = RedisCodec.Config(params: params, seed: plan.seed)
            return try await run(RedisCodec.self, config: config, address: address, progress: progress)
        case .memcached(let params):
            let config = MemcachedCodec.Config(params: params, seed: plan.seed)
            return try await run(MemcachedCodec.self, config: config, address: address, progress: progress)
        case .openai(let openai):
            let config = try OpenAICodec.Config(openai)
            return try await run(OpenAICodec.self, config: config, address: address, progress: progress)
        case .chroma(let phase):
            switch phase.codec {
            case .query(let config): return try await run(ChromaQueryCodec.self, config: config, address: address, progress: progress)
            case .add(let config): return try await run(ChromaAddCodec.self, config: config, address: address, progress: progress)
            }
        }
    }

    /// Ends the run early, keeping what was measured. Safe from any thread, at any time.
    ///
    /// - Parameter kind: nil (Ctrl-C, `client stop`): what is in flight was not measured and is
    ///   dropped. Given (the target died): what is in flight failed, and is counted as that error.
    public func stop(failingInFlight kind: RequestErrorKind?) {
        let stoppers = state.withLock { state -> [@Sendable (RequestErrorKind?) -> Void] in
            if !state.stopped { state.stopFailure = kind }
            state.stopped = true
            return state.stoppers
        }
        for stopper in stoppers { stopper(kind) }
    }

    private struct Loop<Codec: LoadCodec>: Sendable {
        let eventLoop: EventLoop
        let driver: NIOLoopBound<LoopDriver<Codec>>
        let done: EventLoopFuture<Void>

        func collect(upTo second: Int) async throws -> (AggregateSnapshot, [SecondSlice]) {
            try await eventLoop.submit { driver.value.collect(upTo: second) }.get()
        }
    }

    private func run<Codec: LoadCodec>(
        _ codec: Codec.Type, config: Codec.Config, address: SocketAddress,
        progress: @escaping @Sendable (AggregateSnapshot, [SecondSlice], Double) -> Void
    ) async throws -> LoadOutcome {
        try state.withLock { state in
            if state.started { throw LoadEngineError.alreadyRun }
            state.started = true
        }
        let loopCount = plan.mode == .closed ? min(plan.eventLoops, plan.concurrency) : plan.eventLoops
        let group = MultiThreadedEventLoopGroup(numberOfThreads: loopCount)
        let warmupEnd = Self.nanoseconds(plan.warmup)
        let endTime = plan.duration.map { warmupEnd + Self.nanoseconds($0) } ?? .max
        let timeout = Self.nanoseconds(plan.requestTimeout)
        let meanGap = plan.rate.map { 1e9 / $0 }
        let lagBound = max(UInt64(1_000_000), UInt64((meanGap ?? 0) * 0.01))
        let origin = NIODeadline.now().uptimeNanoseconds

        var loops: [Loop<Codec>] = []
        do {
            for (index, eventLoop) in group.makeIterator().enumerated() {
                let settings = LoopSettings(
                    address: address, loopIndex: index, loopCount: loopCount,
                    connections: Self.share(plan.concurrency, of: index, among: loopCount, atLeastOne: plan.mode == .open),
                    connectionCap: max(1, (plan.connectionCap + loopCount - 1) / loopCount),
                    arrival: plan.arrivalPlan, warmupEnd: warmupEnd, endTime: endTime,
                    requests: plan.mode == .open ? plan.requests
                        : plan.requests.map { Self.share($0, of: index, among: loopCount, atLeastOne: false) },
                    requestTimeout: timeout,
                    sweepInterval: min(max(timeout / 20, 5_000_000), 250_000_000),
                    lagBound: lagBound,
                    expectedInterval: meanGap.map { UInt64($0.rounded()) })
                let loop = try await eventLoop.flatSubmit { () -> EventLoopFuture<Loop<Codec>> in
                    let driver = LoopDriver<Codec>(eventLoop: eventLoop, settings: settings, config: config, origin: origin)
                    let bound = NIOLoopBound(driver, eventLoop: eventLoop)
                    return driver.prepare().map {
                        bound.value.start()
                        return Loop(eventLoop: eventLoop, driver: bound, done: bound.value.done.futureResult)
                    }
                }.get()
                loops.append(loop)
            }
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }

        let stoppedEarly = state.withLock { state -> (Bool, RequestErrorKind?) in
            for loop in loops {
                state.stoppers.append { kind in loop.eventLoop.execute { loop.driver.value.stop(failingInFlight: kind) } }
            }
            return (state.stopped, state.stopFailure)
        }
        if stoppedEarly.0 { stop(failingInFlight: stoppedEarly.1) }

        let finished = EventLoopFuture.andAllComplete(loops.map(\.done), on: group.any())
        let flag = DoneFlag()
        finished.whenComplete { _ in flag.set() }

        // Progress once a second, on whole seconds since the start. The reporter sleeps until the next
        // second instead of polling: a thread waking every few milliseconds lands on the CPUs the event
        // loop and a local target share, and measurably adds to the latencies of an idle target.
        let running = loops
        let reporter = Task {
            var second: UInt64 = 1
            while !flag.isSet {
                let elapsed = NIODeadline.now().uptimeNanoseconds &- origin
                if elapsed < second * 1_000_000_000 {
                    try await Task.sleep(nanoseconds: second * 1_000_000_000 - elapsed)
                    continue
                }
                guard !flag.isSet else { break }
                second = elapsed / 1_000_000_000 + 1
                // Whole seconds since the start that are over (slices count from the start, warm-up included).
                let (snapshot, seconds) = try await Self.collect(running, upTo: Int(elapsed / 1_000_000_000))
                progress(snapshot, seconds, Double(elapsed) / 1e9)
            }
        }
        // Ctrl-C (task cancellation) stops the loops, which keep what they measured and then finish.
        try await withTaskCancellationHandler {
            try await finished.get()
        } onCancel: {
            self.stop()
        }
        reporter.cancel()
        _ = await reporter.result

        let (snapshot, remaining) = try await Self.collect(loops, upTo: Int.max)
        var stats: [LoopStats] = []
        var interrupted = false
        var llm: [LLMSnapshot] = []
        var cacheReplies = CacheReplyCounts()
        var recall: RecallSnapshot?
        for loop in loops {
            let (loopStats, loopInterrupted, loopLLM, loopReplies, loopRecall) = try await loop.eventLoop.submit {
                (loop.driver.value.stats, loop.driver.value.interrupted, loop.driver.value.llm?.snapshot(),
                 loop.driver.value.cacheReplies, loop.driver.value.recall?.snapshot())
            }.get()
            stats.append(loopStats)
            interrupted = interrupted || loopInterrupted
            if let loopLLM { llm.append(loopLLM) }
            cacheReplies = cacheReplies + loopReplies
            if let loopRecall {
                if recall == nil { recall = loopRecall } else { recall!.merge(loopRecall) }
            }
        }
        try await group.shutdownGracefully()
        var outcome = Self.outcome(snapshot: snapshot, remaining: remaining, stats: stats, interrupted: interrupted,
                                   warmupEnd: warmupEnd, endTime: endTime, lagBound: lagBound, openLoop: plan.mode == .open)
        outcome.llm = LLMSnapshot.merged(llm)
        if Codec.countsCacheReplies { outcome.cacheReplies = cacheReplies }
        outcome.recall = recall
        return outcome
    }

    private static func collect<Codec>(_ loops: [Loop<Codec>], upTo second: Int) async throws
        -> (AggregateSnapshot, [SecondSlice])
    {
        var parts: [(AggregateSnapshot, [SecondSlice])] = []
        for loop in loops { parts.append(try await loop.collect(upTo: second)) }
        return (mergeSnapshots(parts.map(\.0)), mergeSeconds(parts.map(\.1)))
    }

    private static func outcome(snapshot: AggregateSnapshot, remaining: [SecondSlice], stats: [LoopStats],
                                interrupted: Bool, warmupEnd: UInt64, endTime: UInt64, lagBound: UInt64,
                                openLoop: Bool) -> LoadOutcome {
        var endedAt: UInt64 = warmupEnd
        for s in stats {
            let loopEnd: UInt64
            if interrupted {
                loopEnd = min(s.finishedAt, endTime)
            } else if s.sendingEnded >= endTime {
                loopEnd = endTime
            } else {
                loopEnd = max(s.lastCompleted, s.sendingEnded)
            }
            endedAt = max(endedAt, loopEnd)
        }
        let sent = stats.reduce(0) { $0 + $1.sent }
        let late = stats.reduce(0) { $0 + $1.lateSends }
        let maxLag = stats.map(\.maxSenderLag).max() ?? 0
        var note: String?
        if openLoop && sent > 0 && late * 100 > sent {
            let percent = Double(late) * 100 / Double(sent)
            note = "the client could not keep the schedule: \(Self.format(percent))% of requests were sent more than "
                + "\(Self.format(Double(lagBound) / 1e6)) ms late (max \(Self.format(Double(maxLag) / 1e6)) ms); "
                + "response times include the wait, but the target did not see the rate asked for"
        }
        return LoadOutcome(
            snapshot: snapshot, remainingSeconds: remaining, interrupted: interrupted,
            connectionsOpened: stats.reduce(0) { $0 + $1.connectionsOpened },
            connectionsPeak: stats.reduce(0) { $0 + $1.connectionSlots },
            reconnects: stats.reduce(0) { $0 + $1.reconnects },
            warmupEnd: warmupEnd, endedAt: endedAt, sent: sent, lateSends: late, maxSenderLag: maxLag,
            lagBound: lagBound, senderLagNote: note)
    }

    private static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? "\(Int(rounded))" : "\(rounded)"
    }

    private static func nanoseconds(_ seconds: Double) -> UInt64 {
        UInt64((max(0, seconds) * 1e9).rounded())
    }

    /// Loop `index`'s part of `total` spread over `count` loops.
    private static func share(_ total: Int, of index: Int, among count: Int, atLeastOne: Bool) -> Int {
        let part = total / count + (index < total % count ? 1 : 0)
        return atLeastOne ? max(1, part) : part
    }
}

/// Set once, from an event loop, when every loop has finished; read by the progress loop.
private final class DoneFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
