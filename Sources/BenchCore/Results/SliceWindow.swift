/// The per-second slices an aggregator has not handed out yet, for one lane (warm-up or measured).
///
/// Seconds from `base` on are kept contiguously, so the hot path is an index; a result for a second already
/// handed out (or implausibly far ahead) goes to `stray`, which is rare and is handed out on the next take.
struct SliceWindow {
    let warmup: Bool
    /// The second `slices[0]` holds; no slice below it remains in `slices`.
    private(set) var base = 0
    private(set) var slices: [SliceCounts] = []
    private(set) var stray: [Int: SliceCounts] = [:]

    /// How far ahead of the newest slice a result may land and still fill the gap with empty slices (~50 KB each);
    /// further ones are stray, so a wild timestamp cannot allocate an hour of slices.
    static let maxGap = 60

    init(warmup: Bool) { self.warmup = warmup }

    var count: Int { slices.count + stray.count }

    @inline(__always)
    mutating func record(second: Int, answered: Bool, failed: Bool, bytes: Int, response: UInt64, service: UInt64) {
        let index = second &- base
        if index >= 0, index < slices.count {
            slices[index].record(answered: answered, failed: failed, bytes: bytes, response: response, service: service)
            return
        }
        recordSlow(second: second, answered: answered, failed: failed, bytes: bytes, response: response, service: service)
    }

    /// A new second (allocates its slice, once per second) or a stray one.
    @inline(never)
    private mutating func recordSlow(second: Int, answered: Bool, failed: Bool, bytes: Int, response: UInt64, service: UInt64) {
        if slices.isEmpty, second >= base {
            base = second
        }
        let index = second - base
        if index >= slices.count, index - slices.count < SliceWindow.maxGap {
            slices.reserveCapacity(index + 1)
            while slices.count <= index {
                slices.append(SliceCounts(second: base + slices.count, warmup: warmup))
            }
            slices[index].record(answered: answered, failed: failed, bytes: bytes, response: response, service: service)
            return
        }
        stray[second, default: SliceCounts(second: second, warmup: warmup)]
            .record(answered: answered, failed: failed, bytes: bytes, response: response, service: service)
    }

    /// Removes and returns the slices of seconds before `second`.
    mutating func take(upTo second: Int) -> [SecondSlice] {
        var taken: [SecondSlice] = []
        if second > base {
            let n = Swift.min(second - base, slices.count)
            taken.append(contentsOf: slices[0..<n].map { $0.slice() })
            slices.removeFirst(n)
            base = second
        }
        if !stray.isEmpty {
            for key in stray.keys where key < second {
                if let counts = stray.removeValue(forKey: key) { taken.append(counts.slice()) }
            }
        }
        return taken
    }
}
