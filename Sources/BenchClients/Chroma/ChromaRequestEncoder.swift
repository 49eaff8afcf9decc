import BenchCore
import NIOCore

/// Chroma's measured requests as raw HTTP/1.1 bytes: one query per query vector, encoded before the run, and add
/// batches, encoded as they are sent.
///
/// Query vectors go as JSON numbers (Chroma 1.5 rejects base64 in `query_embeddings`); added vectors go as base64
/// of their little-endian float32 bytes, as the official client sends them when the server's pre-flight checks
/// offer `supports_base64_encoding`: a quarter of the bytes of JSON numbers, and exact.
enum ChromaRequestEncoder {
    /// `POST …/query` for one vector: ids only (`include: []`), with `where bucket < limit` when filtered.
    static func query(_ vector: UnsafeBufferPointer<Float>, collection: String, k: Int, bucketLimit: Int?, hostHeader: String,
                      allocator: ByteBufferAllocator) -> ByteBuffer {
        var body = "{\"query_embeddings\":[["
        body.reserveCapacity(vector.count * 12 + 96)
        for (i, value) in vector.enumerated() {
            if i > 0 { body += "," }
            // Swift prints the shortest text that reads back as the same Float; JSON takes it as written.
            body += value.description
        }
        body += "]],\"n_results\":\(k),\"include\":[]"
        if let bucketLimit { body += ",\"where\":{\"bucket\":{\"$lt\":\(bucketLimit)}}" }
        body += "}"
        return request(path: "\(ChromaAPI.databasePath)/collections/\(collection)/query", body: Array(body.utf8),
                       hostHeader: hostHeader, allocator: allocator)
    }

    /// `POST …/add` for rows `range` of `rows`.
    static func add(_ rows: ChromaRows, _ range: Range<Int>, collection: String, hostHeader: String,
                    allocator: ByteBufferAllocator) -> ByteBuffer {
        let dim = rows.dim
        var body = allocator.buffer(capacity: range.count * (dim * 4 * 4 / 3 + 64) + 64)
        body.writeString("{\"ids\":[")
        for (n, row) in range.enumerated() {
            if n > 0 { body.writeInteger(UInt8(ascii: ",")) }
            body.writeInteger(UInt8(ascii: "\""))
            body.writeString(rows.id(row))
            body.writeInteger(UInt8(ascii: "\""))
        }
        body.writeString("],\"embeddings\":[")
        withUnsafeTemporaryAllocation(of: Float.self, capacity: dim) { scratch in
            for (n, row) in range.enumerated() {
                if n > 0 { body.writeInteger(UInt8(ascii: ",")) }
                body.writeInteger(UInt8(ascii: "\""))
                rows.withRow(row, scratch: scratch) { Base64.append(UnsafeRawBufferPointer($0), to: &body) }
                body.writeInteger(UInt8(ascii: "\""))
            }
        }
        body.writeString("],\"metadatas\":[")
        for (n, row) in range.enumerated() {
            if n > 0 { body.writeInteger(UInt8(ascii: ",")) }
            body.writeString("{\"bucket\":\(row % 100)")
            if let extra = rows.metadata(row), !extra.isEmpty { body.writeString(",\(extra)") }
            body.writeInteger(UInt8(ascii: "}"))
        }
        body.writeInteger(UInt8(ascii: "]"))
        if rows.hasDocuments {
            body.writeString(",\"documents\":[")
            for (n, row) in range.enumerated() {
                if n > 0 { body.writeInteger(UInt8(ascii: ",")) }
                body.writeString(jsonString(rows.document(row)))
            }
            body.writeInteger(UInt8(ascii: "]"))
        }
        body.writeInteger(UInt8(ascii: "}"))
        var head = "POST \(ChromaAPI.databasePath)/collections/\(collection)/add HTTP/1.1\r\nHost: \(hostHeader)\r\n"
        head += "Content-Type: application/json\r\nContent-Length: \(body.readableBytes)\r\n\r\n"
        var buffer = allocator.buffer(capacity: head.utf8.count + body.readableBytes)
        buffer.writeString(head)
        buffer.writeBuffer(&body)
        return buffer
    }

    static func request(path: String, body: [UInt8], hostHeader: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        let head = "POST \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
        var buffer = allocator.buffer(capacity: head.utf8.count + body.count)
        buffer.writeString(head)
        buffer.writeBytes(body)
        return buffer
    }

    /// A JSON string literal.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
