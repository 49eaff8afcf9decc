import BenchCore
import Foundation

/// Reads vector files (`.npy`, `.fvecs`, `.bvecs`, `.jsonl`) and ground-truth files (`.ivecs`), checking every
/// record: a truncated file, a record of another dimension, a value that is not finite, or a file of another
/// format is an error naming the file and the byte offset (or line) where it went wrong.
///
/// Files are memory-mapped, so reading one costs its size once (the vectors), not twice.
public enum VectorFileReader {
    /// A file's vectors and the SHA-256 of its bytes.
    public struct Loaded: Sendable {
        public let vectors: VectorSet
        public let sha256: String
    }

    /// The vectors of `path` (format by extension).
    public static func vectors(at path: String) throws(VectorFileError) -> Loaded {
        let format = try VectorFileFormat.of(path)
        let data = try map(path)
        let vectors: VectorSet
        switch format {
        case .npy: vectors = try npy(data, path: path)
        case .fvecs: vectors = try vecs(data, path: path, element: .float).vectors
        case .bvecs: vectors = try vecs(data, path: path, element: .byte).vectors
        case .jsonl: vectors = try jsonl(data, path: path)
        case .ivecs:
            throw VectorFileError(path, ".ivecs holds neighbour ids (ground truth), not vectors: give it as ground_truth_path")
        }
        return Loaded(vectors: vectors, sha256: hash(data))
    }

    /// The rows of an `.ivecs` file (neighbour ids, row i for query i) and their width.
    public static func ids(at path: String) throws(VectorFileError) -> (rows: [Int32], width: Int, sha256: String) {
        guard try VectorFileFormat.of(path) == .ivecs else {
            throw VectorFileError(path, "ground truth must be an .ivecs file (an int32 count, then that many int32 ids, per query)")
        }
        let data = try map(path)
        let (values, width) = try ivecs(data, path: path)
        return (values, width, hash(data))
    }

    // MARK: Files

    static func map(_ path: String) throws(VectorFileError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? error.localizedDescription
            throw VectorFileError(path, "cannot read: \(reason)")
        }
    }

    static func hash(_ data: Data) -> String {
        var hasher = SHA256Hasher()
        data.withUnsafeBytes { hasher.update($0) }
        return hasher.finalizeHex()
    }

    // MARK: .fvecs, .bvecs, .ivecs

    enum Element {
        case float, byte, int
        var size: Int { self == .byte ? 1 : 4 }
        var name: String { self == .float ? "fvecs" : self == .byte ? "bvecs" : "ivecs" }
    }

    /// Reads `fvecs`/`bvecs` rows as vectors.
    static func vecs(_ data: Data, path: String, element: Element) throws(VectorFileError) -> (vectors: VectorSet, width: Int) {
        var width = 0
        let values: [Float] = try records(data, path: path, element: element, width: &width) { raw, offset, count, out in
            switch element {
            case .float:
                for i in 0..<count { out.append(raw.loadUnaligned(fromByteOffset: offset + 4 * i, as: Float.self)) }
            default:
                for i in 0..<count { out.append(Float(raw[offset + i])) }
            }
        }
        if element == .float, let bad = values.firstIndex(where: { !$0.isFinite }) {
            let record = bad / width
            throw VectorFileError(path, "record \(record) (byte offset \(record * (4 + 4 * width))): value \(bad % width) is "
                + "\(values[bad]); every value must be a finite number")
        }
        return (VectorSet(dim: width, values: values), width)
    }

    /// Reads `ivecs` rows.
    static func ivecs(_ data: Data, path: String) throws(VectorFileError) -> ([Int32], Int) {
        var width = 0
        let values: [Int32] = try records(data, path: path, element: .int, width: &width) { raw, offset, count, out in
            for i in 0..<count { out.append(raw.loadUnaligned(fromByteOffset: offset + 4 * i, as: Int32.self)) }
        }
        return (values, width)
    }

    /// Walks the records of a `*vecs` file (each an int32 count, then that many elements), all of one width.
    private static func records<T>(_ data: Data, path: String, element: Element, width: inout Int,
                                   _ read: (UnsafeRawBufferPointer, Int, Int, inout [T]) -> Void) throws(VectorFileError) -> [T] {
        let size = data.count
        guard size > 0 else { throw VectorFileError(path, "empty file: no vectors") }
        var found = 0
        let result: Result<[T], VectorFileError> = data.withUnsafeBytes { raw in
            guard size >= 4 else {
                return .failure(VectorFileError(path, "truncated: \(size) bytes, not even one record's 4-byte dimension"))
            }
            let first = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: Int32.self)))
            guard (1...65_536).contains(first) else {
                return .failure(VectorFileError(path, "not an .\(element.name) file: record 0 (byte offset 0) declares "
                    + "dimension \(first); a record starts with its dimension, 1 to 65536"))
            }
            let recordSize = 4 + first * element.size
            var out: [T] = []
            out.reserveCapacity(size / recordSize * first)
            var offset = 0
            var record = 0
            while offset < size {
                guard size - offset >= 4 else {
                    return .failure(VectorFileError(path, "truncated: record \(record) at byte offset \(offset) has \(size - offset) "
                        + "of its \(recordSize) bytes (the file ends at byte \(size))"))
                }
                let d = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
                guard d == first else {
                    return .failure(VectorFileError(path, "record \(record) at byte offset \(offset) declares dimension \(d), but record 0 "
                        + "has \(first): not an .\(element.name) file, or a corrupt one"))
                }
                guard size - offset >= recordSize else {
                    return .failure(VectorFileError(path, "truncated: record \(record) at byte offset \(offset) has \(size - offset) "
                        + "of its \(recordSize) bytes (the file ends at byte \(size))"))
                }
                read(raw, offset + 4, d, &out)
                offset += recordSize
                record += 1
            }
            found = first
            return .success(out)
        }
        width = found
        return try result.get()
    }

    // MARK: .npy

    /// NumPy's format (versions 1 to 3): magic, header length, a Python dict literal, then the data.
    static func npy(_ data: Data, path: String) throws(VectorFileError) -> VectorSet {
        let bytes = data.count
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
        guard bytes >= 10, Array(data.prefix(6)) == magic else {
            throw VectorFileError(path, "not an .npy file: it does not start with \\x93NUMPY (byte offset 0)")
        }
        let major = data[data.startIndex + 6]
        let headerStart = major == 1 ? 10 : 12
        guard (1...3).contains(major), bytes >= headerStart else {
            throw VectorFileError(path, "unsupported .npy version \(major) (byte offset 6)")
        }
        let headerLength = major == 1
            ? Int(data[data.startIndex + 8]) | Int(data[data.startIndex + 9]) << 8
            : (0..<4).reduce(0) { $0 | Int(data[data.startIndex + 8 + $1]) << (8 * $1) }
        guard bytes >= headerStart + headerLength else {
            throw VectorFileError(path, "truncated: the header (byte offset \(headerStart)) is \(headerLength) bytes, the file ends at \(bytes)")
        }
        let header = String(decoding: data[data.startIndex + headerStart..<data.startIndex + headerStart + headerLength], as: UTF8.self)
        func field(_ name: String) -> String? {
            guard let key = header.range(of: "'\(name)':") else { return nil }
            let rest = header[key.upperBound...].drop { $0 == " " }
            if rest.first == "(" { return rest.firstIndex(of: ")").map { String(rest[...$0]) } }
            return String(rest.prefix { $0 != "," && $0 != "}" }).trimmingCharacters(in: .whitespaces)
        }
        guard let descr = field("descr"), let order = field("fortran_order"), let shapeText = field("shape") else {
            throw VectorFileError(path, "not an .npy file: the header at byte offset \(headerStart) lacks descr, fortran_order or shape")
        }
        let dtype = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        guard dtype == "<f4" || dtype == "=f4" || dtype == "|f4" else {
            throw VectorFileError(path, "dtype \(dtype) is not little-endian float32 ('<f4'): save it with arr.astype('float32')")
        }
        guard order == "False" else {
            throw VectorFileError(path, "Fortran-ordered array: save it in C order (np.ascontiguousarray)")
        }
        let shape = shapeText.dropFirst().dropLast().split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard shape.count == 2, let rows = shape[0], let dim = shape[1], rows > 0, dim > 0 else {
            throw VectorFileError(path, "shape \(shapeText) is not 2-D (vectors × dimension) with both sizes above 0")
        }
        let dataStart = headerStart + headerLength
        let needed = rows * dim * 4
        guard bytes - dataStart >= needed else {
            let whole = (bytes - dataStart) / (dim * 4)
            throw VectorFileError(path, "truncated: shape \(shapeText) needs \(needed) bytes of data from byte offset \(dataStart), "
                + "the file has \(bytes - dataStart) (row \(whole), at byte offset \(dataStart + whole * dim * 4), is incomplete)")
        }
        var values = [Float](repeating: 0, count: rows * dim)
        values.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { raw in out.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[dataStart..<dataStart + needed])) }
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw VectorFileError(path, "row \(bad / dim) (byte offset \(dataStart + bad * 4)): value \(values[bad]); "
                + "every value must be a finite number")
        }
        return VectorSet(dim: dim, values: values)
    }
}
