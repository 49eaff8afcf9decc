import BenchCore

/// Splits a command line into words the way a POSIX shell does for simple commands.
///
/// Supported: blanks between words, 'single quotes' (literal), "double quotes" (backslash escapes
/// `\"`, `\\`, `\$`, `` \` ``), a backslash outside quotes escaping the next character, and `#`
/// starting a comment at the beginning of a word. No expansion, pipes or redirection: a bench line
/// is one command. Written by hand because no package here tokenises shell words with positions.
public enum ShellTokenizer {
    /// A word with the column (1-based, in characters) where it starts.
    public struct Word: Equatable, Sendable {
        public var text: String
        public var column: Int
    }

    /// The words of a line cut at the cursor, for completion.
    public struct Partial: Equatable, Sendable {
        /// Complete words before the one being typed.
        public var words: [String]
        /// The word under the cursor, unquoted so far ("" when the cursor follows a blank).
        public var current: String
        /// The quote the current word is still inside, if any (completion closes it).
        public var openQuote: Character?
    }

    public static func tokenize(_ line: String) throws -> [String] {
        try words(line).map(\.text)
    }

    /// Words with their columns; throws for an unterminated quote or a trailing backslash.
    public static func words(_ line: String) throws -> [Word] {
        let scan = scan(line)
        if let quote = scan.openQuote {
            throw BenchError.usage("column \(scan.openQuoteColumn): unterminated \(quote == "'" ? "single" : "double") quote")
        }
        if scan.danglingEscape {
            throw BenchError.usage("column \(line.count): a backslash at the end of the line escapes nothing")
        }
        var words = scan.words
        if let current = scan.current { words.append(current) }
        return words
    }

    /// Tolerant split for completion: never throws, reports the word under the cursor.
    public static func partial(_ lineUpToCursor: String) -> Partial {
        let scan = scan(lineUpToCursor)
        return Partial(words: scan.words.map(\.text), current: scan.current?.text ?? "", openQuote: scan.openQuote)
    }

    private struct Scan {
        var words: [Word] = []
        var current: Word?
        var openQuote: Character?
        var openQuoteColumn = 0
        var danglingEscape = false
    }

    private static func scan(_ line: String) -> Scan {
        var s = Scan()
        var chars = Array(line)[...]
        var column = 0
        func startWordIfNeeded() { if s.current == nil { s.current = Word(text: "", column: column) } }
        while let c = chars.popFirst() {
            column += 1
            if let quote = s.openQuote {
                if c == quote {
                    s.openQuote = nil
                } else if quote == "\"" && c == "\\", let next = chars.first, "\"\\$`".contains(next) {
                    s.current!.text.append(chars.removeFirst())
                    column += 1
                } else {
                    s.current!.text.append(c)
                }
                continue
            }
            switch c {
            case " ", "\t", "\n", "\r":
                if let word = s.current { s.words.append(word) }
                s.current = nil
            case "'", "\"":
                startWordIfNeeded()
                s.openQuote = c
                s.openQuoteColumn = column
            case "\\":
                startWordIfNeeded()
                if let next = chars.popFirst() {
                    column += 1
                    // A backslash-newline joins lines, as in sh.
                    if next != "\n" { s.current!.text.append(next) }
                } else {
                    s.danglingEscape = true
                }
            case "#" where s.current == nil:
                return s
            default:
                startWordIfNeeded()
                s.current!.text.append(c)
            }
        }
        return s
    }
}
