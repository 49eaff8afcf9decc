/// One second's counts on the hot path, kept in `LatencyRecorder`s until the slice is taken.
struct SliceCounts {
    let second: Int
    let warmup: Bool
    var completed = 0
    var errors = 0
    var bytes = 0
    var response = LatencyRecorder(significantDigits: .two)
    var service = LatencyRecorder(significantDigits: .two)

    init(second: Int, warmup: Bool) {
        self.second = second
        self.warmup = warmup
    }

    @inline(__always)
    mutating func record(answered: Bool, failed: Bool, bytes: Int, response: UInt64, service: UInt64) {
        if answered {
            completed &+= 1
            self.response.record(response)
            self.service.record(service)
        }
        if failed { errors &+= 1 }
        self.bytes &+= bytes
    }

    /// The public slice, with real histograms.
    func slice() -> SecondSlice {
        var slice = SecondSlice(second: second, warmup: warmup)
        slice.completed = completed
        slice.errors = errors
        slice.bytes = bytes
        slice.response = response.histogram()
        slice.service = service.histogram()
        return slice
    }
}
