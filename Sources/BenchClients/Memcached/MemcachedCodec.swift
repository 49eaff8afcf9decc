import BenchCore
import NIOCore

/// memcached over its text protocol: `get <key>` and `set <key> 0 <ttl> <size>`, GET/SET/mixed on keys
/// `<key_prefix><n>` drawn uniformly from the key space, values of a fixed size, up to `pipeline` commands
/// in flight on a connection.
///
/// The text protocol rather than the meta commands (`mg`/`ms`, memcached 1.6+): every memcached and every
/// server that speaks memcached's protocol (proxies, other caches) answers it, it is what memcslap, the
/// reference client, sends, so the two load the server alike, and a plain `get`/`set` pair already answers
/// in one reply each, the only thing the meta commands' flags would have given.
struct MemcachedCodec: LoadCodec {
    struct Config: Sendable {
        let command: RedisCommandMix
        let sets: Int
        /// sets + gets: a mixed workload sends `sets` SETs, then `gets` GETs, and repeats.
        let cycle: Int
        let keyspace: Int
        /// `get <prefix>`, encoded once.
        let getHead: [UInt8]
        /// `set <prefix>`, encoded once.
        let setHead: [UInt8]
        /// ` 0 <ttl> <size>\r\n<value>\r\n`: flags, expiry, length and the value, encoded once.
        let setTail: [UInt8]
        let pipeline: Int
        let seed: UInt64

        init(params: MemcachedParams, seed: UInt64) {
            command = params.command
            sets = max(0, params.ratio.sets)
            cycle = max(1, params.ratio.sets + params.ratio.gets)
            keyspace = max(1, params.keyspace)
            getHead = Array("get \(params.keyPrefix)".utf8)
            setHead = Array("set \(params.keyPrefix)".utf8)
            let size = Int(max(0, params.valueSize.bytes))
            setTail = Array(" 0 \(max(0, params.ttl)) \(size)\r\n".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: size) + [0x0D, 0x0A]
            pipeline = max(1, params.pipeline)
            self.seed = seed
        }
    }

    private let config: Config
    /// Commands queued for the next write; cleared lazily, once the previous write has let go of it,
    /// so the same storage is reused without allocating.
    private var output: ByteBuffer
    private var outputTaken = false
    private var random: SplitMix64
    private var counter = 0
    private var parser = MemcachedReplyParser()
    /// What the answer just framed said, until the connection takes it.
    private var lastReply: CacheReplyCounts.Reply?

    init(config: Config, stream: UInt64, allocator: ByteBufferAllocator) {
        self.config = config
        output = allocator.buffer(capacity: config.pipeline * (config.setHead.count + 24 + config.setTail.count))
        // Each connection draws its own key sequence from the run's seed.
        random = SplitMix64(seed: config.seed, stream: stream)
    }

    static func depth(_ config: Config) -> Int { config.pipeline }

    static var countsCacheReplies: Bool { true }

    mutating func appendRequest() {
        if outputTaken {
            output.clear()
            outputTaken = false
        }
        let isSet: Bool
        switch config.command {
        case .get: isSet = false
        case .set: isSet = true
        case .mixed:
            isSet = counter < config.sets
            counter += 1
            if counter == config.cycle { counter = 0 }
        }
        let key = random.next(below: config.keyspace)
        let head = isSet ? config.setHead : config.getHead
        // The command and key prefix, the key's decimal index, and (for a get) the line's end.
        output.writeWithUnsafeMutableBytes(minimumWritableBytes: head.count + 22) { p in
            head.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: p[0..<head.count]).copyMemory(from: $0) }
            var i = head.count
            var digits = 1
            var rest = key / 10
            while rest > 0 {
                digits += 1
                rest /= 10
            }
            var n = key
            var k = i + digits
            repeat {
                k -= 1
                p[k] = UInt8(truncatingIfNeeded: 0x30 + n % 10)
                n /= 10
            } while n > 0
            i += digits
            if !isSet {
                p[i] = 0x0D
                p[i + 1] = 0x0A
                i += 2
            }
            return i
        }
        if isSet { output.writeBytes(config.setTail) }
    }

    mutating func takeOutput() -> ByteBuffer? {
        guard !outputTaken, output.readableBytes > 0 else { return nil }
        outputTaken = true
        return output
    }

    mutating func parse(_ buffer: inout ByteBuffer) -> ResponseEvent {
        let (outcome, consumed) = buffer.withUnsafeReadableBytes { parser.parse($0) }
        buffer.moveReaderIndex(forwardBy: consumed)
        switch outcome {
        case .needMore: return .needMore
        case .invalid: return .invalid
        case .complete(let reply, let isError, let bytes):
            lastReply = reply
            // An error line is an answer, as a Redis error reply is: its latency is real, the connection stays.
            return .response(status: 0, bytes: bytes, failure: isError ? .status : nil, close: false)
        }
    }

    mutating func endOfStream() -> ResponseEvent { parser.isIdle ? .needMore : .invalid }

    @inline(__always)
    mutating func takeCacheReply() -> CacheReplyCounts.Reply? {
        defer { lastReply = nil }
        return lastReply
    }
}
