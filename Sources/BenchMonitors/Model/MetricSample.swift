/// One value of a series at one moment: Prometheus' `[unix_seconds, "value"]` pair.
public struct MetricSample: Sendable, Equatable {
    /// Seconds since 1970 (fractional).
    public var time: Double
    /// The value; may be NaN or ±Inf, as in Prometheus.
    public var value: Double

    public init(time: Double, value: Double) {
        self.time = time
        self.value = value
    }
}

extension MetricSample: Codable {
    /// Encoded as `[t, v]`; a non-finite value as the string Prometheus uses (`"NaN"`, `"+Inf"`),
    /// since JSON has no number for it. Decodes both numbers and Prometheus' quoted values.
    public init(from decoder: Decoder) throws {
        var container = try decoder.unkeyedContainer()
        time = try container.decode(Double.self)
        if let number = try? container.decode(Double.self) {
            value = number
        } else {
            let text = try container.decode(String.self)
            guard let number = MetricSample.parseValue(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a sample value: \(text)")
            }
            value = number
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(time)
        if value.isFinite {
            try container.encode(value)
        } else {
            try container.encode(MetricSample.formatValue(value))
        }
    }

    /// Parses a value as Prometheus writes it (`1.5e+07`, `NaN`, `+Inf`, `-Inf`).
    public static func parseValue(_ text: some StringProtocol) -> Double? {
        Double(String(text))
    }

    /// Formats a value as Prometheus does for the non-finite ones; plain Swift text otherwise.
    public static func formatValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
