import Foundation

/// A closed interval of wall-clock time: a client run's window, or `--from T --to T`.
public struct TimeWindow: Sendable, Equatable, Codable {
    public var start: Date
    public var end: Date

    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }

    public var duration: Double { end.timeIntervalSince(start) }
}
