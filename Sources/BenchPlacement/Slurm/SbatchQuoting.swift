/// Shell words for generated batch scripts, where some values are only known on the compute node.
///
/// A value known only there (the node's address, a port picked there) is carried through recipe
/// rendering as a marked variable reference, and becomes `"${NAME}"` here; everything else is
/// single-quoted, so no recipe text is ever interpreted by the shell by accident.
public enum SbatchQuoting {
    static let marker: Character = "\u{1}"

    /// A placeholder value that stands for the shell variable `name` in the batch script.
    public static func reference(_ name: String) -> String { "\(marker)\(name)\(marker)" }

    /// One shell word for `text`: literal parts single-quoted, references as `"${NAME}"`.
    public static func word(_ text: String) -> String {
        if text.isEmpty { return "''" }
        var out = ""
        for (index, part) in text.split(separator: marker, omittingEmptySubsequences: false).enumerated() {
            if index % 2 == 1 {
                out += "\"${\(part)}\""
            } else if !part.isEmpty {
                out += literal(String(part))
            }
        }
        return out
    }

    /// `text` single-quoted unless it is made only of characters the shell leaves alone.
    public static func literal(_ text: String) -> String {
        let safe = text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./:=@%+,".contains($0)) }
        if safe && !text.isEmpty { return text }
        return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A command line of words.
    public static func line(_ words: [String]) -> String { words.map(word).joined(separator: " ") }

    /// The shell variable a port picked on the node is kept in: `port.main` -> `BENCH_PORT_MAIN`.
    public static func portVariable(_ portName: String) -> String {
        "BENCH_PORT_" + String(portName.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
}
