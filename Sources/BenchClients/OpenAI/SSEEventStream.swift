#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads an OpenAI-style server-sent event stream as its bytes arrive and keeps what a benchmark needs of it:
/// when content chunks arrived, how many, the `usage` counts, `[DONE]`, and whether the server reported an error.
///
/// Lines follow the SSE rules: `data:` lines (one optional space after the colon) are joined into an event that a
/// blank line dispatches; `:` lines are comments (keep-alive pings); other fields are ignored. Only a partial line
/// and the event being assembled are held, in storage reused from answer to answer. Event payloads are not decoded
/// as JSON: their keys are found by scanning, which is exact for the few keys read here because a key's quotes can
/// never appear unescaped inside a JSON string.
struct SSEEventStream {
    /// Whether the body is read as events (a 200 answer); error answers are not.
    var isEventStream = false
    /// Arrival of the first content chunk (0: none yet) and of the latest one.
    private(set) var firstContent: UInt64 = 0
    private(set) var lastContent: UInt64 = 0
    /// Arrival of the latest JSON event, content or not (usage, finish reason).
    private(set) var lastChunk: UInt64 = 0
    private(set) var contentChunks = 0
    /// `usage.completion_tokens` / `usage.prompt_tokens` of the latest usage seen; -1 when none.
    private(set) var usageOutput = -1
    private(set) var usageInput = -1
    private(set) var sawDone = false
    /// An event reported an error (`{"error": …}` or `"object": "error"`) instead of a chunk.
    private(set) var sawError = false
    /// Gaps between consecutive content chunks (ns).
    private(set) var gaps: [UInt64] = []

    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false

    init() {
        line.reserveCapacity(512)
        data.reserveCapacity(1024)
        gaps.reserveCapacity(256)
    }

    /// Forgets the previous answer (its gaps may still be referenced by a sample: they are replaced, not cleared,
    /// only when that reference is gone, so the storage is reused without copying).
    mutating func reset() {
        isEventStream = false
        firstContent = 0
        lastContent = 0
        lastChunk = 0
        contentChunks = 0
        usageOutput = -1
        usageInput = -1
        sawDone = false
        sawError = false
        gaps.removeAll(keepingCapacity: true)
        line.removeAll(keepingCapacity: true)
        data.removeAll(keepingCapacity: true)
        hasData = false
    }

    /// Body bytes that arrived at `now`.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, at now: UInt64) {
        guard let base = bytes.baseAddress else { return }
        let count = bytes.count
        var pos = 0
        while pos < count {
            guard let newline = memchr(base + pos, 0x0A, count - pos) else {
                line.append(contentsOf: UnsafeRawBufferPointer(start: base + pos, count: count - pos))
                return
            }
            let end = base.distance(to: UnsafeRawPointer(newline))
            if line.isEmpty {
                processLine(UnsafeRawBufferPointer(start: base + pos, count: end - pos), at: now)
            } else {
                line.append(contentsOf: UnsafeRawBufferPointer(start: base + pos, count: end - pos))
                // Moved out (not copied) while it is read, then back: its storage is reused.
                var assembled: [UInt8] = []
                swap(&assembled, &line)
                assembled.withUnsafeBytes { processLine($0, at: now) }
                assembled.removeAll(keepingCapacity: true)
                swap(&assembled, &line)
            }
            pos = end + 1
        }
    }

    /// The body ended: an event left without its blank line still counts (and so does a last line without its
    /// newline).
    mutating func endOfBody(at now: UInt64) {
        if !line.isEmpty {
            var rest: [UInt8] = []
            swap(&rest, &line)
            rest.withUnsafeBytes { processLine($0, at: now) }
            rest.removeAll(keepingCapacity: true)
            swap(&rest, &line)
        }
        dispatch(at: now)
    }

    private mutating func processLine(_ raw: UnsafeRawBufferPointer, at now: UInt64) {
        var length = raw.count
        if length > 0 && raw[length - 1] == 0x0D { length -= 1 }
        if length == 0 {
            dispatch(at: now)
            return
        }
        // Comments (`: ping`) keep the connection alive and carry nothing.
        if raw[0] == UInt8(ascii: ":") { return }
        guard length >= 4, raw[0] == UInt8(ascii: "d"), raw[1] == UInt8(ascii: "a"), raw[2] == UInt8(ascii: "t"),
              raw[3] == UInt8(ascii: "a") else { return }
        var start = 4
        if length > 4 {
            guard raw[4] == UInt8(ascii: ":") else { return }  // another field whose name starts with "data"
            start = 5
            if start < length && raw[start] == 0x20 { start += 1 }
        }
        if hasData { data.append(0x0A) }
        data.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[start..<length]))
        hasData = true
    }

    private mutating func dispatch(at now: UInt64) {
        guard hasData else { return }
        hasData = false
        var payload: [UInt8] = []
        swap(&payload, &data)
        payload.withUnsafeBytes { event($0, at: now) }
        payload.removeAll(keepingCapacity: true)
        swap(&payload, &data)
    }

    private mutating func event(_ payload: UnsafeRawBufferPointer, at now: UInt64) {
        var p = SSEPayload(payload)
        p.trim()
        if p.isDone {
            sawDone = true
            return
        }
        guard !p.isEmpty else { return }
        lastChunk = now
        if p.carriesContent {
            if firstContent == 0 {
                firstContent = now
            } else {
                gaps.append(now &- lastContent)
            }
            lastContent = now
            contentChunks += 1
        } else if p.isError {
            sawError = true
        }
        if let (output, input) = p.usage() {
            if let output { usageOutput = output }
            if let input { usageInput = input }
        }
    }
}
