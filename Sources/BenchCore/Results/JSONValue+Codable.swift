import Foundation

extension JSONValue {
    /// `value` as the JSON its `Codable` conformance writes, to keep a typed value in a result's open maps.
    public init<T: Encodable>(encoding value: T) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    }

    /// This value read back as a `T`, as if it were that type's JSON.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: JSONEncoder().encode(self))
    }
}
