/// Error counts encode as a JSON object keyed by kind (`{"connect": 0, "timeout": 3, …}`), not as a key/value array.
extension RequestErrorKind: CodingKeyRepresentable {}
