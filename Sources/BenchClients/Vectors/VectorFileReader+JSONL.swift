import BenchCore
import Foundation

extension VectorFileReader {
    /// JSON Lines: one object a line with `embedding` (numbers, the same count on every line) and optionally `id`
    /// (a string or an integer, unique), `metadata` (an object) and `document` (a string). Blank lines are skipped;
    /// any other problem is an error naming the line.
    static func jsonl(_ data: Data, path: String) throws(VectorFileError) -> VectorSet {
        var values: [Float] = []
        var ids: [String] = []
        var metadata: [String] = []
        var documents: [String] = []
        var anyId = false, anyMetadata = false, anyDocument = false
        var dim = 0
        var seen: [String: Int] = [:]
        var lineNumber = 0
        var start = data.startIndex
        while start < data.endIndex {
            let end = data[start...].firstIndex(of: 0x0A) ?? data.endIndex
            lineNumber += 1
            let line = data[start..<end]
            start = end < data.endIndex ? end + 1 : end
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            func fail(_ message: String) -> VectorFileError { VectorFileError("\(path):\(lineNumber)", message) }
            guard let object = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any] else {
                throw fail("not a JSON object (a truncated line, or not JSON Lines)")
            }
            let row = ids.count
            guard let embedding = object["embedding"] as? [Any] else { throw fail("'embedding' (a list of numbers) is missing") }
            if dim == 0 {
                guard !embedding.isEmpty else { throw fail("'embedding' is empty") }
                dim = embedding.count
            } else if embedding.count != dim {
                throw fail("'embedding' has \(embedding.count) values, the first line's has \(dim)")
            }
            for (i, value) in embedding.enumerated() {
                guard let number = value as? NSNumber, !isBool(number), Float(truncating: number).isFinite else {
                    throw fail("embedding[\(i)] is not a finite number")
                }
                values.append(Float(truncating: number))
            }
            var id = String(row)
            if let given = object["id"] {
                if let text = given as? String {
                    id = text
                } else if let number = given as? NSNumber, !isBool(number), let whole = Int(exactly: number.doubleValue) {
                    id = String(whole)
                } else {
                    throw fail("'id' must be a string or an integer")
                }
                anyId = true
                // Answers are matched to rows by the id's bytes as Chroma writes them back in JSON.
                guard !id.isEmpty, !id.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 }) else {
                    throw fail("'id' must not be empty or contain quotes, backslashes or control characters")
                }
            }
            if let earlier = seen[id] { throw fail("id '\(id)' repeats line \(earlier)'s") }
            seen[id] = lineNumber
            ids.append(id)
            var members = ""
            if let extra = object["metadata"] {
                guard let fields = extra as? [String: Any] else { throw fail("'metadata' must be an object") }
                if fields["bucket"] != nil {
                    throw fail("metadata 'bucket' is bench's own (row mod 100, for filtered queries); rename the field")
                }
                if !fields.isEmpty {
                    guard let encoded = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else {
                        throw fail("'metadata' cannot be written back as JSON")
                    }
                    members = String(decoding: encoded.dropFirst().dropLast(), as: UTF8.self)
                    anyMetadata = true
                }
            }
            metadata.append(members)
            if let document = object["document"] {
                guard let text = document as? String else { throw fail("'document' must be a string") }
                documents.append(text)
                anyDocument = true
            } else {
                documents.append("")
            }
        }
        guard dim > 0 else { throw VectorFileError(path, "no vectors: every line is blank") }
        return VectorSet(dim: dim, values: values, ids: anyId ? ids : nil, metadata: anyMetadata ? metadata : nil,
                         documents: anyDocument ? documents : nil)
    }

    /// JSON's true and false, which Foundation also hands out as numbers (`1 is Bool` holds on Linux).
    private static func isBool(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }
}
