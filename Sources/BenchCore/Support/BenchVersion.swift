/// bench's version, written into every session script header and result file.
public enum BenchVersion {
    public static let current = "0.1.0"
}
