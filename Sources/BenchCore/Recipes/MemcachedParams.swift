/// A memcached client's parameters: the Redis kind's mix, ratio, key space, value size and pipeline
/// depth (same names, same meaning, so a recipe moves between the two by its `kind`), plus the key
/// prefix and the expiry memcached's `set` carries.
public struct MemcachedParams: Sendable, Equatable {
    public let command: RedisCommandMix
    /// SET:GET of a `mixed` workload. Default 1:10.
    public let ratio: RedisRatio
    /// Keys are `<key_prefix>0 … <key_prefix>(keyspace-1)`. Default 10000.
    public let keyspace: Int
    /// Default `key:`, as the Redis kind's keys.
    public let keyPrefix: String
    /// Size of each SET value. Default 64 bytes.
    public let valueSize: ByteSize
    /// Commands written per round trip on one connection (bounds: `ClientParams.pipelineDepths`). Default 1.
    public let pipeline: Int
    /// Expiry of each SET in seconds; 0 (the default) keeps items until memcached evicts them.
    public let ttl: Int

    /// The expiries a `set` may carry as a relative time: memcached reads a larger number as a Unix
    /// timestamp (30 days is its cut-off), which would expire every item at once.
    public static let ttlSeconds = 0...2_592_000
    /// memcached refuses longer keys (`KEY_MAX_LENGTH`).
    public static let maxKeyLength = 250

    public init(command: RedisCommandMix = .get, ratio: RedisRatio = RedisRatio(sets: 1, gets: 10), keyspace: Int = 10_000,
                keyPrefix: String = "key:", valueSize: ByteSize = ByteSize(bytes: 64), pipeline: Int = 1, ttl: Int = 0) {
        self.command = command
        self.ratio = ratio
        self.keyspace = keyspace
        self.keyPrefix = keyPrefix
        self.valueSize = valueSize
        self.pipeline = pipeline
        self.ttl = ttl
    }

    /// Why `prefix` cannot start memcached keys of a space of `keyspace` keys, or nil when it can: the text
    /// protocol ends a key at a space and a line at CR LF, and memcached refuses keys longer than 250 bytes.
    public static func keyPrefixProblem(_ prefix: String, keyspace: Int) -> String? {
        if prefix.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) {
            return "'\(prefix)' has a space or control character, which the memcached text protocol does not allow in a key"
        }
        let longest = prefix.utf8.count + String(max(0, keyspace - 1)).count
        if longest > maxKeyLength {
            return "'\(prefix)' makes keys of up to \(longest) bytes with a key space of \(keyspace); memcached allows \(maxKeyLength)"
        }
        return nil
    }

    /// Why `duration` cannot be a `set`'s expiry, or nil when it can (then its seconds are the expiry).
    public static func ttlProblem(_ duration: BenchDuration) -> String? {
        let seconds = duration.seconds
        if seconds != seconds.rounded() { return "must be whole seconds (memcached's expiries are), found \(duration)" }
        if seconds > Double(ttlSeconds.upperBound) {
            return "must be at most 30 days (\(ttlSeconds.upperBound) s; memcached reads a longer expiry as a Unix timestamp), found \(duration)"
        }
        return nil
    }
}
