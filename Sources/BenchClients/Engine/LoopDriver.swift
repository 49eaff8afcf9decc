import BenchCore
import NIOCore
import NIOPosix

/// Everything of a run that happens on one event loop: its connections, its share of the schedule,
/// its aggregator. Touched only on that loop, so nothing here locks.
///
/// Longer than the ~350 lines a file is kept to, on purpose: this is the load engine's hot path
/// (sending, the pacer, connection slots, draining), whose private state every part reads; split
/// across files it would have to be widened to internal, and its measured speed (README,
/// Performance) was taken on it as one piece.
final class LoopDriver<Codec: LoadCodec> {
    enum Phase { case running, draining, finished }

    enum SlotState { case connecting, active, waiting, idle }

    struct Slot {
        var connection: LoadConnection<Codec>?
        var state = SlotState.idle
        /// Failed connects (or connections closed before any answer) in a row: paces retries.
        var failures = 0
        /// When this slot's connection became free (closed loop: the next request's scheduled time).
        var freeSince: UInt64 = 0
        var attemptStarted: UInt64 = 0
        var hasConnected = false
        /// The scheduled time of a request to send again first thing on this slot's next connection.
        var resend: UInt64?
    }

    let eventLoop: EventLoop
    let aggregator: RunAggregator
    /// LLM timings and tokens, for codecs that measure them.
    let llm: LLMAggregator?
    /// A cache's hits, misses and stores, for codecs that tell them apart (`LoadCodec.countsCacheReplies`).
    private(set) var cacheReplies = CacheReplyCounts()
    /// Recall of scored answers, for codecs that score them (chroma queries).
    let recall: RecallTally?
    let done: EventLoopPromise<Void>

    private let config: Codec.Config
    private let settings: LoopSettings
    private let origin: UInt64
    private let depth: Int

    private(set) var phase = Phase.running
    private(set) var interrupted = false
    private var slots: [Slot] = []
    private var streams: UInt64 = 0
    /// Requests in flight on all connections of this loop (kept by the connections).
    var inFlight = 0
    /// Requests waiting to be sent again on a new connection (`resend(slot:scheduled:)`).
    private var pendingResends = 0

    // Closed loop: measured requests this loop may still start (nil: no limit).
    private var budget: Int?

    // Open loop: this loop's share of the schedule (every loopCount-th request).
    private var cursor: ScheduleCursor?
    private var nextIndex = 0
    private var nextTime: UInt64 = 0
    private var stopIndex = Int.max
    private var measuredStart: Int?
    private var available: [LoadConnection<Codec>] = []
    private var paceArmed = false
    /// The open loop's own timer (nil: NIO's scheduled callbacks pace instead).
    private var paceTimer: PaceTimer?
    /// When the armed pace timer is to wake the loop.
    private var paceWake: UInt64 = 0
    /// How late pace wake-ups arrive, smoothed; the timer is armed that much (and a bit) early.
    private var wakeLateness: UInt64 = 0
    /// The last pace wake-up found answers due: the next is armed on time, not early (an early wake
    /// could not spin, and would only cost a second wake-up).
    private var lastWakeFoundWork = false

    private(set) var stats = LoopStats()

    init(eventLoop: EventLoop, settings: LoopSettings, config: Codec.Config, origin: UInt64) {
        self.eventLoop = eventLoop
        self.settings = settings
        self.config = config
        self.origin = origin
        depth = Codec.depth(config)
        aggregator = RunAggregator(warmupEnd: settings.warmupEnd, expectedInterval: settings.expectedInterval)
        llm = Codec.makeLLMAggregator(config, warmupEnd: settings.warmupEnd)
        recall = Codec.makeRecallTally(config, warmupEnd: settings.warmupEnd)
        done = eventLoop.makePromise(of: Void.self)
        budget = settings.requests
        if let arrival = settings.arrival {
            cursor = ScheduleCursor(arrival: arrival)
            advance()
        }
    }

    @inline(__always)
    func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds &- origin }

    @inline(__always)
    func record(_ result: RequestResult) {
        aggregator.record(result)
        if result.completed > stats.lastCompleted { stats.lastCompleted = result.completed }
    }

    /// Counts what a cache's answer said, as warm-up or measured by the request's scheduled time.
    @inline(__always)
    func count(_ reply: CacheReplyCounts.Reply, scheduled: UInt64) {
        cacheReplies.record(reply, warmup: scheduled < settings.warmupEnd)
    }

    /// Records an LLM answer: its result, and (when it succeeded) its tokens and timings.
    func record(_ result: RequestResult, llm sample: LLMRequestSample) {
        record(result)
        guard result.error == nil else { return }
        aggregator.recordTokens(input: sample.inputTokens, output: sample.outputTokens)
        llm?.record(sample, of: result)
    }

    /// Records a scored answer: its result, and (when it succeeded and is measured) its hits.
    @inline(__always)
    func record(_ result: RequestResult, hits: Int) {
        record(result)
        recall?.record(hits: hits, of: result)
    }

    var isOpenLoop: Bool { cursor != nil }

    // MARK: Lifecycle

    /// Sets up what the loop needs before `start` (the open loop's timer).
    func prepare() -> EventLoopFuture<Void> {
        guard isOpenLoop else { return eventLoop.makeSucceededVoidFuture() }
        return PaceTimer.start(on: eventLoop,
                               fire: { [unowned(unsafe) self] in self.paceTimerFired() },
                               lost: { [unowned(unsafe) self] in self.paceTimerLost() })
            .assumeIsolated()
            .map { [self] timer in paceTimer = timer?.value }
            .nonisolated()
    }

    func start() {
        schedule(.sweep, at: now() + settings.sweepInterval)
        if settings.endTime != .max { schedule(.end, at: settings.endTime) }
        for _ in 0..<settings.connections { addSlot() }
        if isOpenLoop { armPacer(now: now()) }
    }

    /// Ctrl-C: ends at once, keeping what was measured; what is in flight is not counted. With
    /// `kind` (the target died) what is in flight, or waiting to go again, failed: it is counted as
    /// `kind`, whether or not the connections' closes were read before the stop came.
    func stop(failingInFlight kind: RequestErrorKind? = nil) {
        guard phase != .finished else { return }
        interrupted = true
        let now = now()
        if let kind {
            for slot in slots { slot.connection?.abort(kind, at: now) }
            for index in slots.indices {
                guard let scheduled = slots[index].resend else { continue }
                slots[index].resend = nil
                pendingResends -= 1
                record(RequestResult(scheduled: scheduled, sent: slots[index].attemptStarted, completed: now, error: kind))
            }
        }
        finish(at: now)
    }

    private func beginDraining(at now: UInt64) {
        guard phase == .running else { return }
        phase = .draining
        stats.sendingEnded = min(now, settings.endTime)
        // Whatever is still in flight after the request timeout has failed; don't wait longer.
        schedule(.drainDeadline, at: now &+ settings.requestTimeout &+ settings.sweepInterval)
        checkDrained(at: now)
    }

    private func checkDrained(at now: UInt64) {
        guard phase == .draining, inFlight == 0, pendingResends == 0, !hasBacklog(at: now) else { return }
        finish(at: now)
    }

    private func finish(at now: UInt64) {
        guard phase != .finished else { return }
        if phase == .running { stats.sendingEnded = min(now, settings.endTime) }
        phase = .finished
        stats.finishedAt = now
        for slot in slots {
            // What is still in flight when the run ends early was not measured: it is not counted.
            slot.connection?.discardInFlight()
            slot.connection?.closeQuietly()
        }
        paceTimer?.close()
        available.removeAll()
        done.succeed(())
    }

    private func forceFinish(at now: UInt64) {
        guard phase == .draining else { return }
        for slot in slots { slot.connection?.abort(.timeout, at: now) }
        for index in slots.indices {
            guard let scheduled = slots[index].resend else { continue }
            slots[index].resend = nil
            pendingResends -= 1
            record(RequestResult(scheduled: scheduled, sent: now, completed: now, error: .timeout))
        }
        // Scheduled inside the window but never sent: they waited past the timeout.
        while isOpenLoop && hasMoreToSend {
            expire(at: now)
        }
        finish(at: now)
    }

    // MARK: Connections

    private func addSlot() {
        slots.append(Slot())
        stats.connectionSlots = slots.count
        connect(slots.count - 1)
    }

    private func connect(_ index: Int) {
        let now = now()
        slots[index].state = .connecting
        slots[index].attemptStarted = now
        if slots[index].freeSince == 0 { slots[index].freeSince = now }
        streams += 1
        let connection = LoadConnection<Codec>(
            driver: self, slot: index,
            codec: Codec(config: config, stream: UInt64(settings.loopIndex) << 40 | streams, allocator: ByteBufferAllocator()),
            depth: depth)
        slots[index].connection = connection
        let bound = NIOLoopBound(connection, eventLoop: eventLoop)
        ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.nanoseconds(Int64(min(settings.requestTimeout, 10_000_000_000))))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(bound.value) }
            }
            .connect(to: settings.address)
            .assumeIsolated()
            .whenFailure { [self] _ in connectFailed(connection) }
    }

    func connectionActive(_ connection: LoadConnection<Codec>, at now: UInt64) {
        guard slots[connection.slot].connection === connection else { return }
        slots[connection.slot].state = .active
        slots[connection.slot].hasConnected = true
        stats.connectionsOpened += 1
        guard phase != .finished else {
            connection.closeQuietly()
            return
        }
        if let scheduled = slots[connection.slot].resend {
            // Counted when it was first sent; it goes again whatever the phase (the driver waits for it).
            slots[connection.slot].resend = nil
            pendingResends -= 1
            connection.enqueue(scheduled: scheduled, sent: now)
            connection.flush()
            return
        }
        if isOpenLoop {
            makeAvailable(connection)
            dispatch(at: now)
            return
        }
        // Closed loop: the first requests were due when the slot became free.
        var scheduled = slots[connection.slot].freeSince
        while connection.hasRoom, mayStartClosed(at: scheduled) {
            connection.enqueue(scheduled: scheduled, sent: now)
            scheduled = now
        }
        connection.flush()
    }

    /// A connection answered a request and has room again. Runs inside `channelRead`, which
    /// flushes whatever is queued when it is done.
    @inline(__always)
    func connectionFreed(_ connection: LoadConnection<Codec>, at now: UInt64) {
        if slots[connection.slot].failures != 0 { slots[connection.slot].failures = 0 }
        if cursor == nil {
            if mayStartClosed(at: now) {
                connection.enqueue(scheduled: now, sent: now)
            } else if phase != .running {
                checkDrained(at: now)
            }
            return
        }
        makeAvailable(connection)
        if nextTime <= now || phase != .running { dispatch(at: now, reading: connection) }
    }

    private func connectFailed(_ connection: LoadConnection<Codec>) {
        let index = connection.slot
        guard slots[index].connection === connection, phase != .finished else { return }
        let now = now()
        slots[index].connection = nil
        if let scheduled = slots[index].resend {
            // The request waiting to go again fails as it first did: its connection was closed.
            slots[index].resend = nil
            pendingResends -= 1
            record(RequestResult(scheduled: scheduled, sent: slots[index].attemptStarted, completed: now, error: .closed))
        } else if !isOpenLoop, phase == .running, mayStartClosed(at: slots[index].freeSince) {
            // The request this connection would have carried fails.
            record(RequestResult(scheduled: slots[index].freeSince, sent: slots[index].attemptStarted, completed: now,
                                 error: .connect))
            slots[index].freeSince = now
        }
        retryLater(index, at: now)
        if isOpenLoop { dispatch(at: now) }
        checkDrained(at: now)
    }

    func connectionClosed(_ connection: LoadConnection<Codec>, at now: UInt64) {
        let index = connection.slot
        guard slots[index].connection === connection else { return }
        slots[index].connection = nil
        slots[index].state = .idle
        slots[index].freeSince = connection.lastFree
        guard phase != .finished else { return }
        if phase == .draining && slots[index].resend == nil && !(isOpenLoop && hasBacklog(at: now)) {
            checkDrained(at: now)
            return
        }
        stats.reconnects += 1
        if connection.served == 0 {
            // Closed before answering anything: don't hammer a server that keeps refusing us.
            retryLater(index, at: now)
        } else {
            slots[index].failures = 0
            connect(index)
        }
        if isOpenLoop { dispatch(at: now) }
        checkDrained(at: now)
    }

    /// A request its connection's server never saw (see `LoadCodec.resendsUnanswered`): sent again on the slot's
    /// next connection. Called just before the connection reports itself closed.
    func resend(slot index: Int, scheduled: UInt64) {
        slots[index].resend = scheduled
        // The run does not end while it waits (see `checkDrained`).
        pendingResends += 1
    }

    private func retryLater(_ index: Int, at now: UInt64) {
        slots[index].failures += 1
        slots[index].state = .waiting
        // 10 ms, doubling, at most 1 s between attempts.
        let delay = min(UInt64(1_000_000_000), UInt64(10_000_000) << UInt64(min(slots[index].failures - 1, 7)))
        schedule(.retry(index), at: now + delay)
    }

    private func retry(_ index: Int) {
        guard phase != .finished, slots[index].state == .waiting else { return }
        let now = now()
        if phase == .draining && !(isOpenLoop && hasBacklog(at: now)) {
            slots[index].state = .idle
            return
        }
        // Closed loop: the back-off was the client's own wait, not a request's. The request this
        // connection carries is due from this attempt, so a failure now counts in the second it
        // happens (after the warm-up, it is measured) and a success does not charge the wait to it.
        if !isOpenLoop { slots[index].freeSince = now }
        connect(index)
    }

    // MARK: Closed loop

    /// Whether a closed-loop connection may start a request due at `scheduled`; counts it against
    /// the request budget and ends the sending when the budget or the time is spent.
    @inline(__always)
    private func mayStartClosed(at scheduled: UInt64) -> Bool {
        guard phase == .running else { return false }
        if scheduled >= settings.endTime {
            beginDraining(at: scheduled)
            return false
        }
        if let left = budget, scheduled >= settings.warmupEnd {
            if left == 0 {
                beginDraining(at: scheduled)
                return false
            }
            budget = left - 1
        }
        return true
    }

    // MARK: Open loop

    private var hasMoreToSend: Bool { nextIndex < stopIndex && nextTime < settings.endTime }

    private func hasBacklog(at now: UInt64) -> Bool { isOpenLoop && hasMoreToSend && nextTime <= now }

    /// Moves to this loop's next request of the schedule, noting where the measured part begins.
    private func advance() {
        guard var c = cursor else { return }
        while true {
            let index = c.index
            let time = c.next()
            if measuredStart == nil && time >= settings.warmupEnd {
                measuredStart = index
                if let requests = settings.requests { stopIndex = index + requests }
            }
            if index % settings.loopCount == settings.loopIndex {
                nextIndex = index
                nextTime = time
                break
            }
        }
        cursor = c
    }

    private func makeAvailable(_ connection: LoadConnection<Codec>) {
        guard !connection.isListedAvailable, connection.hasRoom else { return }
        connection.isListedAvailable = true
        available.append(connection)
    }

    private func takeAvailable() -> LoadConnection<Codec>? {
        while let connection = available.popLast() {
            connection.isListedAvailable = false
            if connection.hasRoom { return connection }
        }
        return nil
    }

    /// Sends every request that is due on connections with room; late ones keep their scheduled
    /// time. `reading`: the connection inside whose `channelRead` this runs (it flushes on its own).
    private func dispatch(at now: UInt64, reading: LoadConnection<Codec>? = nil) {
        guard phase != .finished else { return }
        var touched: LoadConnection<Codec>?
        while hasMoreToSend && nextTime <= now {
            if now - nextTime >= settings.requestTimeout {
                expire(at: now)
                continue
            }
            guard let connection = takeAvailable() else {
                if !slots.contains(where: { $0.state == .active || $0.state == .connecting }) {
                    // Nothing connects: the target is unreachable, and this request fails as such.
                    record(RequestResult(scheduled: nextTime, sent: now, completed: now, error: .connect))
                    advance()
                    continue
                }
                grow()
                break
            }
            if nextTime >= settings.warmupEnd {
                let lag = now - nextTime
                if lag > settings.lagBound { stats.lateSends += 1 }
                if lag > stats.maxSenderLag { stats.maxSenderLag = lag }
                stats.sent += 1
            }
            connection.enqueue(scheduled: nextTime, sent: now)
            advance()
            if let previous = touched, previous !== connection, previous !== reading { previous.flush(sentAt: self.now()) }
            touched = connection
            if connection.hasRoom { makeAvailable(connection) }
        }
        // The next wake-up is arranged before the write, so that its cost is not inside this request's service time.
        if !hasMoreToSend {
            // A request budget ends the sending now. A schedule whose next send falls past the end waits
            // for the end (the `.end` timer): the run covers the whole duration it was given, and its
            // rate is over that, not over the time to its last send.
            if phase == .running && nextIndex >= stopIndex { beginDraining(at: now) }
        } else {
            armPacer(now: now)
        }
        if let touched, touched !== reading { touched.flush(sentAt: self.now()) }
        checkDrained(at: now)
    }

    /// The next request waited past the timeout without a connection: it fails, never sent.
    private func expire(at now: UInt64) {
        record(RequestResult(scheduled: nextTime, sent: now, completed: now, error: .unsent))
        advance()
    }

    /// All connections are busy and a request is due: open one more, up to the cap, one at a time.
    private func grow() {
        guard !slots.contains(where: { $0.state == .connecting }) else { return }
        if let idle = slots.firstIndex(where: { $0.state == .idle }) {
            connect(idle)
        } else if slots.count < settings.connectionCap {
            addSlot()
        }
    }

    /// Longest the loop waits for a send by spinning instead of sleeping.
    private static var spinLimit: UInt64 { 200_000 }

    /// Arranges a wake-up for the next request. With its own timer the loop wakes early by about
    /// the usual lateness of a wake-up (tens of µs on a VM whose CPU went idle) and spins the rest, so
    /// the request goes out on time instead of adding the wake-up's delay to its response time.
    private func armPacer(now: UInt64) {
        guard !paceArmed, hasMoreToSend, nextTime > now else { return }
        paceArmed = true
        guard paceTimer != nil else {
            schedule(.pace, at: nextTime)
            return
        }
        armTimer(for: nextTime, now: now)
    }

    /// Arms the loop's own timer for a request due at `due`: early by the usual lateness of a wake-up
    /// (and a bit), unless `early` is false or the request is due sooner than that.
    private func armTimer(for due: UInt64, now: UInt64, early: Bool = true) {
        let margin = min(Self.spinLimit, wakeLateness + wakeLateness / 2 + 5_000)
        paceArmed = true
        paceWake = early && !lastWakeFoundWork && due > now && due - now > margin ? due - margin : due
        // Should arming fail, the timer reports itself lost first (`paceTimerLost`), and NIO's timers take over.
        paceTimer?.arm(at: origin &+ paceWake)
    }

    /// The loop's own timer stopped working: pacing goes on with NIO's timers, the pending wake-up included.
    private func paceTimerLost() {
        paceTimer = nil
        guard phase != .finished, paceArmed else { return }
        schedule(.pace, at: paceWake)
    }

    /// When this loop's request after the next one is due (nil: there is none).
    private func followingTime() -> UInt64? {
        guard var c = cursor else { return nil }
        while true {
            let index = c.index
            let time = c.next()
            if index % settings.loopCount == settings.loopIndex {
                return index < stopIndex && time < settings.endTime ? time : nil
            }
        }
    }

    @_specialize(exported: false, where Codec == HTTPCodec)
    @_specialize(exported: false, where Codec == RedisCodec)
    @_specialize(exported: false, where Codec == MemcachedCodec)
    @_specialize(exported: false, where Codec == OpenAICodec)
    @_specialize(exported: false, where Codec == ChromaQueryCodec)
    private func paceTimerFired() {
        guard phase != .finished, paceArmed else { return }
        paceArmed = false
        var now = now()
        // Lateness of this wake-up, smoothed over about 16 of them.
        let late = now > paceWake ? now - paceWake : 0
        wakeLateness = wakeLateness - wakeLateness / 16 + late / 16
        lastWakeFoundWork = inFlight > 0
        if hasMoreToSend && now < nextTime {
            if inFlight == 0 && nextTime - now <= Self.spinLimit {
                // Nothing to read meanwhile: spinning delays no answer. The wake-up for the request after
                // this one is arranged first, while there is time to spare.
                if let following = followingTime() { armTimer(for: following, now: now) }
                while now < nextTime { now = self.now() }
            } else {
                // Early while answers are due (or armed for a request since sent): sleep until it is time.
                armTimer(for: nextTime, now: now, early: false)
                return
            }
        }
        dispatch(at: now)
    }

    // MARK: Timers

    enum Timer { case pace, sweep, end, drainDeadline, retry(Int) }

    private struct Callback: NIOScheduledCallbackHandler {
        unowned(unsafe) let driver: LoopDriver<Codec>
        let timer: Timer
        func handleScheduledCallback(eventLoop: some EventLoop) { driver.fire(timer) }
    }

    private func schedule(_ timer: Timer, at time: UInt64) {
        _ = try? eventLoop.assumeIsolatedUnsafeUnchecked().scheduleCallback(
            at: .uptimeNanoseconds(origin &+ time), handler: Callback(driver: self, timer: timer))
    }

    private func fire(_ timer: Timer) {
        guard phase != .finished else { return }
        let now = now()
        switch timer {
        case .pace:
            paceArmed = false
            dispatch(at: now)
        case .sweep:
            sweep(at: now)
            schedule(.sweep, at: now + settings.sweepInterval)
        case .end:
            beginDraining(at: now)
            if isOpenLoop { dispatch(at: now) }
        case .drainDeadline:
            forceFinish(at: now)
        case .retry(let index):
            retry(index)
        }
    }

    /// Fails requests that waited past the timeout, in flight or not yet sent.
    private func sweep(at now: UInt64) {
        for slot in slots {
            guard let connection = slot.connection, connection.inFlight > 0,
                  now &- connection.oldestSent >= settings.requestTimeout else { continue }
            connection.abort(.timeout, at: now)
        }
        if isOpenLoop { dispatch(at: now) }
        checkDrained(at: now)
    }

    /// The cumulative snapshot and the finished seconds, for progress and the outcome.
    func collect(upTo second: Int) -> (AggregateSnapshot, [SecondSlice]) {
        (aggregator.snapshot(), aggregator.takeSeconds(upTo: second))
    }
}

/// What one loop needs from the plan.
struct LoopSettings: Sendable {
    var address: SocketAddress
    var loopIndex: Int
    var loopCount: Int
    /// Connections to open at the start.
    var connections: Int
    var connectionCap: Int
    var arrival: ArrivalPlan?
    var warmupEnd: UInt64
    /// `.max` when the run ends by request count.
    var endTime: UInt64
    /// Measured requests: this loop's share in closed loop, the whole run's in open loop.
    var requests: Int?
    var requestTimeout: UInt64
    var sweepInterval: UInt64
    var lagBound: UInt64
    var expectedInterval: UInt64?
}

/// Counters one loop keeps besides its aggregator.
struct LoopStats: Sendable {
    var connectionsOpened = 0
    /// Connection slots this loop made: the most connections it held open at once (slots are reused, never dropped).
    var connectionSlots = 0
    var reconnects = 0
    var sent = 0
    var lateSends = 0
    var maxSenderLag: UInt64 = 0
    var lastCompleted: UInt64 = 0
    var sendingEnded: UInt64 = 0
    var finishedAt: UInt64 = 0
}
