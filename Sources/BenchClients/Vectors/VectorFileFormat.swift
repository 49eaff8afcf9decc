/// The vector file formats bench reads, told by the file's extension.
public enum VectorFileFormat: String, CaseIterable, Sendable {
    /// NumPy's `.npy`: a 2-D float32 array, C order.
    case npy
    /// ANN-benchmarks / SIFT `.fvecs`: per vector an int32 dimension, then that many float32.
    case fvecs
    /// `.bvecs`: per vector an int32 dimension, then that many uint8.
    case bvecs
    /// `.ivecs`: per row an int32 length, then that many int32 (ground truth: neighbour ids).
    case ivecs
    /// One JSON object a line: `{"id": …, "embedding": […], "metadata": {…}, "document": "…"}`.
    case jsonl

    /// The format of `path`, or an error naming the formats bench reads.
    public static func of(_ path: String) throws(VectorFileError) -> VectorFileFormat {
        let ext = path.split(separator: "/").last.flatMap { name in name.contains(".") ? name.split(separator: ".").last : nil }
        if let ext, let format = VectorFileFormat(rawValue: ext.lowercased()) { return format }
        throw VectorFileError(path, "unknown vector file format '.\(ext.map(String.init) ?? "")': bench reads "
            + allCases.map { ".\($0.rawValue)" }.joined(separator: ", "))
    }
}
