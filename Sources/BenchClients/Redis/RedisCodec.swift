import BenchCore
import NIOCore

/// Redis over RESP: GET/SET/mixed on keys `key:<n>` drawn uniformly from the key space, values of a
/// fixed size, up to `pipeline` commands in flight on a connection.
struct RedisCodec: LoadCodec {
    struct Config: Sendable {
        let command: RedisCommandMix
        let sets: Int
        /// sets + gets: a mixed workload sends `sets` SETs, then `gets` GETs, and repeats.
        let cycle: Int
        let keyspace: Int
        /// `$<size>\r\n<value>\r\n`, encoded once.
        let valueArgument: [UInt8]
        let pipeline: Int
        let seed: UInt64

        init(params: RedisParams, seed: UInt64) {
            command = params.command
            sets = max(0, params.ratio.sets)
            cycle = max(1, params.ratio.sets + params.ratio.gets)
            keyspace = max(1, params.keyspace)
            let size = Int(max(0, params.valueSize.bytes))
            valueArgument = Array("$\(size)\r\n".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: size) + [0x0D, 0x0A]
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
    private var parser = RESPReplyParser()

    init(config: Config, stream: UInt64, allocator: ByteBufferAllocator) {
        self.config = config
        output = allocator.buffer(capacity: config.pipeline * (40 + config.valueArgument.count))
        // Each connection draws its own key sequence from the run's seed.
        random = SplitMix64(seed: config.seed, stream: stream)
    }

    static func depth(_ config: Config) -> Int { config.pipeline }

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
        output.writeWithUnsafeMutableBytes(minimumWritableBytes: 64) { p in
            var i = 0
            @inline(__always) func put(_ s: StaticString) {
                UnsafeMutableRawBufferPointer(rebasing: p[i...]).copyMemory(
                    from: UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
                i += s.utf8CodeUnitCount
            }
            put(isSet ? "*3\r\n$3\r\nSET\r\n$" : "*2\r\n$3\r\nGET\r\n$")
            // The key is "key:" and the decimal index; its length first.
            var digits: (UInt64, UInt64) = (0, 0)  // up to 16 ASCII digits, most significant first
            let count = withUnsafeMutableBytes(of: &digits) { d -> Int in
                var n = key
                var k = 16
                repeat {
                    k -= 1
                    d[k] = UInt8(truncatingIfNeeded: 0x30 + n % 10)
                    n /= 10
                } while n > 0 && k > 0
                let count = 16 - k
                UnsafeMutableRawBufferPointer(rebasing: d[0..<count]).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: d[k..<16]))
                return count
            }
            let keyLength = 4 + count
            if keyLength >= 10 {
                p[i] = UInt8(truncatingIfNeeded: 0x30 + keyLength / 10)
                i += 1
            }
            p[i] = UInt8(truncatingIfNeeded: 0x30 + keyLength % 10)
            i += 1
            put("\r\nkey:")
            withUnsafeBytes(of: &digits) { d in
                UnsafeMutableRawBufferPointer(rebasing: p[i..<(i + count)]).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: d[0..<count]))
            }
            i += count
            put("\r\n")
            return i
        }
        if isSet { output.writeBytes(config.valueArgument) }
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
        case .complete(let isError, let bytes):
            return .response(status: 0, bytes: bytes, failure: isError ? .status : nil, close: false)
        }
    }

    mutating func endOfStream() -> ResponseEvent { parser.isIdle ? .needMore : .invalid }
}
